//! The `ip` example against iproute2's `ip -j`, in a fresh namespace holding a veth pair, a
//! bridge, a macvlan, a vxlan, IPv4 and IPv6 addresses, multipath routes, a table above 255,
//! neighbours and rules: every key both print must hold the same value. Also: the example's
//! changes are what iproute2 then sees, `-br` output, usage errors exit 2, and failures are
//! one line naming the namespace and device.

mod conn_support;
mod example_support;

use example_support::example_binary;
use std::path::PathBuf;
use std::process::{Command, Output};

use conn_support::{privileged, TestNs};
use serde_json::Value;

fn ours(bin: &PathBuf, ns: &TestNs, args: &[&str]) -> Output {
    let mut all = vec!["-n", ns.name.as_str()];
    all.extend_from_slice(args);
    Command::new(bin)
        .args(&all)
        .output()
        .expect("run the ip example")
}

fn ok(bin: &PathBuf, ns: &TestNs, args: &[&str]) -> String {
    let out = ours(bin, ns, args);
    assert!(
        out.status.success(),
        "ip example {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn iproute2_json(ns: &TestNs, args: &[&str]) -> Value {
    let mut all = vec!["-n", ns.name.as_str(), "-j"];
    all.extend_from_slice(args);
    let out = Command::new("ip").args(&all).output().expect("run ip");
    assert!(out.status.success(), "ip {all:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compares two arrays of objects element by element, on the keys both hold; `must` are
/// keys that at least one element of ours must hold (so the comparison is not vacuous).
fn compare(what: &str, ours: &Value, theirs: &Value, must: &[&str]) -> usize {
    let (Value::Array(a), Value::Array(b)) = (ours, theirs) else {
        panic!("{what}: not arrays: {ours} / {theirs}");
    };
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: count\nours: {ours}\nip:   {theirs}"
    );
    let mut compared = 0;
    for (x, y) in a.iter().zip(b) {
        let (Value::Object(x), Value::Object(y)) = (x, y) else {
            panic!("{what}: not objects")
        };
        for (k, v) in x {
            let Some(w) = y.get(k) else { continue };
            if k == "addr_info" || k == "nexthops" {
                compared += compare(&format!("{what}.{k}"), v, w, &[]);
                continue;
            }
            assert_eq!(v, w, "{what}: key {k}\nours: {x:?}\nip:   {y:?}");
            compared += 1;
        }
    }
    for k in must {
        assert!(
            a.iter().any(|x| x.get(k).is_some()),
            "{what}: no element has `{k}`: {ours}"
        );
    }
    compared
}

#[test]
fn json_output_matches_iproute2() {
    if !privileged("json_output_matches_iproute2") {
        return;
    }
    let bin = example_binary("ip");
    let ns = TestNs::new("exip");
    // Built with the example itself.
    for args in [
        &["link", "add", "va", "type", "veth", "peer", "name", "vb"][..],
        &["link", "add", "br0", "type", "bridge"],
        &["link", "set", "va", "master", "br0"],
        &["link", "set", "va", "up"],
        &["link", "set", "vb", "up"],
        &["link", "set", "br0", "up"],
        &["link", "set", "vb", "mtu", "1400"],
        &[
            "link", "add", "mv0", "link", "vb", "type", "macvlan", "mode", "bridge",
        ],
        &[
            "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789",
        ],
        &["addr", "add", "10.0.0.1/24", "dev", "br0"],
        &["addr", "add", "2001:db8::1/64", "dev", "br0"],
        &["addr", "add", "10.1.0.1/24", "dev", "vb"],
        &[
            "route",
            "add",
            "10.5.0.0/16",
            "via",
            "10.0.0.254",
            "metric",
            "7",
        ],
        &[
            "route",
            "add",
            "10.6.0.0/16",
            "via",
            "10.1.0.254",
            "table",
            "1000",
        ],
        &[
            "route",
            "add",
            "10.7.0.0/16",
            "nexthop",
            "via",
            "10.0.0.2",
            "dev",
            "br0",
            "weight",
            "1",
            "nexthop",
            "via",
            "10.1.0.2",
            "dev",
            "vb",
            "weight",
            "3",
        ],
        &[
            "route",
            "add",
            "2001:db8:9::/48",
            "via",
            "2001:db8::fe",
            "dev",
            "br0",
        ],
        &["route", "add", "default", "via", "10.0.0.254"],
        &[
            "route",
            "add",
            "default",
            "via",
            "2001:db8::fe",
            "dev",
            "br0",
        ],
        &[
            "neigh",
            "add",
            "10.0.0.9",
            "lladdr",
            "02:00:00:00:00:09",
            "dev",
            "br0",
        ],
        &[
            "neigh",
            "add",
            "2001:db8::9",
            "lladdr",
            "02:00:00:00:00:0a",
            "dev",
            "br0",
        ],
        &[
            "rule",
            "add",
            "from",
            "10.0.0.0/8",
            "priority",
            "100",
            "table",
            "1000",
        ],
    ] {
        ok(&bin, &ns, args);
    }

    let mut total = 0;
    for (obj, must) in [
        (
            &["link", "show"][..],
            &["ifname", "ifindex", "mtu", "address", "operstate", "master"][..],
        ),
        (&["addr", "show"], &["ifname", "addr_info"]),
        (&["route", "show"], &["dst", "gateway", "dev", "metric"]),
        (&["route", "show", "table", "1000"], &["dst", "gateway"]),
        (&["route", "show", "table", "all"], &["dst", "dev", "table"]),
        (&["-6", "route", "show"], &["dst", "gateway", "dev"]),
        (&["neigh", "show"], &["dst", "dev", "lladdr"]),
        (&["rule", "show"], &["priority", "table"]),
    ] {
        let mut args = vec!["-j"];
        args.extend_from_slice(obj);
        let mine: Value = serde_json::from_str(&ok(&bin, &ns, &args)).unwrap();
        let theirs = iproute2_json(&ns, obj);
        total += compare(&obj.join(" "), &mine, &theirs, must);
    }
    assert!(total > 200, "only {total} values compared");
    for args in [&["route", "show"][..], &["-6", "route", "show"]] {
        let routes = iproute2_json(&ns, args);
        assert!(
            routes
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["dst"] == "default"),
            "{args:?}: {routes}"
        );
    }

    // addr_info's local and prefixlen, and the table above 255, as iproute2 sees them.
    let addrs = iproute2_json(&ns, &["addr", "show", "dev", "br0"]);
    let infos = addrs[0]["addr_info"].as_array().unwrap();
    assert!(infos
        .iter()
        .any(|i| i["local"] == "2001:db8::1" && i["prefixlen"] == 64));
    let all: Value =
        serde_json::from_str(&ok(&bin, &ns, &["-j", "route", "show", "table", "all"])).unwrap();
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["table"] == "1000" && r["dst"] == "10.6.0.0/16"));
}

#[test]
fn brief_output_and_deletes() {
    if !privileged("brief_output_and_deletes") {
        return;
    }
    let bin = example_binary("ip");
    let ns = TestNs::new("exipb");
    ns.ip(&["link", "add", "b0", "type", "veth", "peer", "name", "b1"]);
    ns.ip(&["addr", "add", "10.9.0.1/24", "dev", "b0"]);
    let out = ok(&bin, &ns, &["-br", "addr"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("b0@b1"))
        .unwrap_or_else(|| panic!("{out}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields, ["b0@b1", "DOWN", "10.9.0.1/24"], "{line}");
    let out = ok(&bin, &ns, &["-br", "link"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("lo ") && l.ends_with("<LOOPBACK,UP,LOWER_UP>")),
        "{out}"
    );
    // Changes made by the example are what iproute2 sees.
    ok(&bin, &ns, &["addr", "del", "10.9.0.1/24", "dev", "b0"]);
    let a = iproute2_json(&ns, &["addr", "show", "dev", "b0"]);
    assert_eq!(a[0]["addr_info"].as_array().map(Vec::len), Some(0), "{a}");
    ok(&bin, &ns, &["link", "set", "b0", "name", "b2"]);
    ok(&bin, &ns, &["link", "del", "b2"]);
    let links = iproute2_json(&ns, &["link", "show"]);
    assert_eq!(links.as_array().map(Vec::len), Some(1), "{links}");
}

#[test]
fn usage_errors_and_failures() {
    if !privileged("usage_errors_and_failures") {
        return;
    }
    let bin = example_binary("ip");
    let ns = TestNs::new("exipe");
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("monitor"));
    for bad in [
        &["bogus"][..],
        &["link", "frobnicate"],
        &["addr", "add", "10.0.0.1/33", "dev", "lo"],
        &["addr", "add", "10.0.0.1/24"],
        &["route", "add", "10.0.0.0/8", "metric", "x"],
        &["link", "add", "x", "type", "veth"],
        &["route", "show", "extra"],
        &["monitor", "nothing"],
        &["link", "show", "--bogus"],
        &["addr", "show", "dev", "lo", "-x"],
    ] {
        let out = ours(&bin, &ns, bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
    }
    // A missing device: exit 1, one line naming the namespace and the device.
    let out = ours(
        &bin,
        &ns,
        &["addr", "add", "10.0.0.1/24", "dev", "nosuchdev"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("netns {}", ns.name)) && err.contains("dev nosuchdev"),
        "{err}"
    );
    // A missing namespace.
    let out = Command::new(&bin)
        .args(["-n", "nlt-no-such-namespace", "link"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    // Named once: the library's error names the namespace's path.
    assert_eq!(err.matches("nlt-no-such-namespace").count(), 1, "{err}");
    assert!(err.contains("/run/netns/nlt-no-such-namespace: "), "{err}");
}

/// A namespace whose loopback never came up has no main table: `route show` prints nothing
/// and succeeds, as iproute2's does (the kernel answers the dump with ENOENT).
#[test]
fn route_show_without_a_main_table() {
    if !privileged("route_show_without_a_main_table") {
        return;
    }
    let bin = example_binary("ip");
    // Not `TestNs::new`: that brings loopback up, which makes the main table.
    let ns = TestNs {
        name: format!("nlt-exipt-{}", std::process::id()),
    };
    let status = Command::new("ip")
        .args(["netns", "add", &ns.name])
        .status()
        .unwrap();
    assert!(status.success());
    for args in [&["route", "show"][..], &["-j", "route", "show"]] {
        let out = ours(&bin, &ns, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.trim().is_empty() || text.trim() == "[]",
            "{args:?}: {text}"
        );
    }
    // A table named on the command line that does not exist is still an error, one line.
    let out = ours(&bin, &ns, &["route", "show", "table", "100"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("netns {}", ns.name)), "{err}");
}

#[test]
fn monitor_prints_changes() {
    if !privileged("monitor_prints_changes") {
        return;
    }
    let bin = example_binary("ip");
    let ns = TestNs::new("exipm");
    let mut child = Command::new(&bin)
        .args(["-n", &ns.name, "monitor", "link", "address"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    // Changes right after start: the monitor subscribes before it dumps, so whichever side
    // of the dump they fall on, the link shows (in the dump or as an event) and the address
    // as an event once the link exists.
    std::thread::sleep(std::time::Duration::from_millis(300));
    ns.ip(&["link", "add", "m0", "type", "bridge"]);
    ns.ip(&["addr", "add", "10.8.0.1/24", "dev", "m0"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.contains("[ADDR]") && l.contains("10.8.0.1/24"))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter()
            .any(|l| l.contains("[ADDR] m0: inet 10.8.0.1/24")),
        "{seen:?}"
    );
}
