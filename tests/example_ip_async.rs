//! The `ip_async` and `async_genl` examples in a fresh namespace: what they add is what
//! iproute2 then sees, `show` lists links with their addresses, `watch` reports the changes
//! made after it subscribed, usage errors exit 2, and failures are one line naming the
//! namespace and the device.

mod conn_support;
mod example_support;

use example_support::example_binary;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use conn_support::{privileged, TestNs};

fn run(bin: &PathBuf, ns: &TestNs, args: &[&str]) -> Output {
    Command::new(bin)
        .args(["-n", ns.name.as_str()])
        .args(args)
        .output()
        .expect("run the example")
}

fn ok(bin: &PathBuf, ns: &TestNs, args: &[&str]) -> String {
    let out = run(bin, ns, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn iproute2(ns: &TestNs, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["-n", ns.name.as_str()])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "ip {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `bin ARGS` and waits for its `watching` line; returns the child and its output.
fn watcher(
    bin: &PathBuf,
    ns: &TestNs,
    args: &[&str],
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(bin)
        .args(["-n", ns.name.as_str()])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "watching");
    (child, out)
}

#[test]
fn ip_async_adds_shows_and_watches() {
    if !privileged("ip_async example") {
        return;
    }
    let bin = example_binary("ip_async");
    let ns = TestNs::new("ex-ipa");
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);

    // Subscribed before the changes: it reports them (read on a thread, so that a missing
    // event fails the test after a generous wait instead of hanging it).
    let (mut child, out) = watcher(&bin, &ns, &["watch"]);
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in out.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });

    ok(&bin, &ns, &["addr-add", "v0", "10.0.0.1/24"]);
    ok(
        &bin,
        &ns,
        &[
            "route-add",
            "10.9.0.0/16",
            "--via",
            "10.0.0.254",
            "--table",
            "100",
        ],
    );
    assert!(iproute2(&ns, &["addr", "show", "dev", "v0"]).contains("inet 10.0.0.1/24"));
    let routes = iproute2(&ns, &["route", "show", "table", "100"]);
    assert!(
        routes.contains("10.9.0.0/16 via 10.0.0.254 dev v0"),
        "{routes}"
    );

    let shown = ok(&bin, &ns, &["show"]);
    let lines: Vec<&str> = shown.lines().collect();
    let v0 = lines
        .iter()
        .position(|l| l.ends_with(" v0 mtu 1500 UP"))
        .expect("v0 listed");
    assert_eq!(lines[v0 + 1].trim(), "10.0.0.1/24", "{shown}");
    assert!(shown.contains(": lo mtu 65536 UP"), "{shown}");
    assert!(shown.contains("    127.0.0.1/8"), "{shown}");

    let want = [
        "new address 10.0.0.1/24 dev ".to_owned(),
        "new route 10.9.0.0/16 table 100 via 10.0.0.254".to_owned(),
    ];
    let mut seen = Vec::new();
    while !want
        .iter()
        .all(|w| seen.iter().any(|l: &String| l.starts_with(w.as_str())))
    {
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) => seen.push(line),
            Err(e) => panic!("{e}: events seen {seen:?}"),
        }
    }
    // Unbounded watch: stop it (our own child, by its handle).
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
}

#[test]
fn ip_async_usage_errors_and_failures() {
    if !privileged("ip_async example errors") {
        return;
    }
    let bin = example_binary("ip_async");
    let ns = TestNs::new("ex-ipe");
    for bad in [
        &["bogus"][..],
        &["addr-add", "lo", "10.0.0.1/33"],
        &["addr-add", "lo"],
        &["route-add", "10.0.0.0/8", "--via", "not-an-ip"],
        &["watch", "--count", "x"],
    ] {
        let out = run(&bin, &ns, bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
    }
    let help = run(&bin, &ns, &["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("route-add"));

    // A missing device: exit 1, one line naming the namespace and the device.
    let out = run(&bin, &ns, &["addr-add", "nosuchdev", "10.0.0.1/24"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("netns {}", ns.name)), "{err}");
    assert!(err.contains("dev nosuchdev"), "{err}");
    assert!(err.contains("No such device"), "{err}");
    // A missing namespace: exit 1, one line naming it once.
    let missing = format!("{}-gone", ns.name);
    let out = std::process::Command::new(&bin)
        .args(["-n", &missing, "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches(&missing).count(), 1, "{err}");
    // A route through an unreachable gateway: the prefix named.
    let out = run(
        &bin,
        &ns,
        &["route-add", "10.9.0.0/16", "--via", "192.0.2.1"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("route 10.9.0.0/16"), "{err}");
}

#[test]
fn async_genl_lists_queries_and_watches() {
    if !privileged("async_genl example") {
        return;
    }
    let bin = example_binary("async_genl");
    let ns = TestNs::new("ex-agl");
    ns.ip(&["link", "add", "g0", "type", "veth", "peer", "name", "g1"]);
    let families = ok(&bin, &ns, &["families"]);
    assert!(families.lines().any(|l| l.starts_with("nlctrl id 16 ")));
    assert!(families
        .lines()
        .any(|l| l.starts_with("netdev ") && l.contains("mgmt")));

    // lo and the veth pair, each with its carrier from ethtool.
    let devices = ok(&bin, &ns, &["devices"]);
    let lines: Vec<&str> = devices.lines().collect();
    assert_eq!(lines.len(), 3, "{devices}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("1: ") && l.ends_with(" carrier")));
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" no-carrier")).count(),
        2,
        "veths whose peer is down: {devices}"
    );

    let (mut child, out) = watcher(&bin, &ns, &["watch", "--count", "2"]);
    ns.ip(&["link", "add", "g2", "type", "veth", "peer", "name", "g3"]);
    assert!(child.wait().unwrap().success());
    let events: Vec<String> = out.lines().map(Result::unwrap).collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events.iter().all(|e| e.starts_with("add dev Some(")),
        "{events:?}"
    );

    let out = run(&bin, &ns, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    // A namespace that does not exist: one line naming it once.
    let out = Command::new(&bin)
        .args(["-n", "nlt-no-such-netns-0", "families"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("nlt-no-such-netns-0").count(), 1, "{err}");
    assert!(err.contains("/run/netns/nlt-no-such-netns-0: "), "{err}");
}
