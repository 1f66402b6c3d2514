//! The `link_monitor` example: its command line, and a live run in a namespace of its own
//! that stops at exactly the count asked for.

mod conn_support;

use std::time::Duration;

use conn_support::*;

#[allow(dead_code)]
#[path = "../examples/link_monitor.rs"]
mod link_monitor;

use link_monitor::{parse_args, Command, Options};

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bad_arguments_are_usage_errors() {
    for bad in [
        &["--count", "x"][..],
        &["--count"],
        &["--count", "-1"],
        &["--timeout", "soon"],
        &["--timeout", "-3"],
        &["--netns"],
        &["--verbose"],
        &["extra"],
    ] {
        assert!(parse_args(&args(bad)).is_err(), "{bad:?} was accepted");
    }
    let e = parse_args(&args(&["--count", "x"])).unwrap_err();
    assert!(e.contains("--count") && e.contains("\"x\""), "{e}");
}

#[test]
fn good_arguments_and_help() {
    assert_eq!(parse_args(&args(&["--help"])), Ok(Command::Help));
    assert_eq!(
        parse_args(&args(&["--count", "2", "-h"])),
        Ok(Command::Help)
    );
    assert_eq!(
        parse_args(&args(&[
            "--count",
            "3",
            "--timeout",
            "0.5",
            "--netns",
            "blue"
        ])),
        Ok(Command::Run(Options {
            count: Some(3),
            timeout: Some(Duration::from_millis(500)),
            netns: Some("blue".into()),
        }))
    );
    assert_eq!(parse_args(&[]), Ok(Command::Run(Options::default())));
}

#[test]
fn stops_at_exactly_the_count() {
    if !privileged("stops_at_exactly_the_count") {
        return;
    }
    let ns = TestNs::new("monitor");
    let opts = Options {
        count: Some(2),
        timeout: Some(Duration::from_secs(10)),
        netns: Some(ns.name.clone()),
    };
    let lines = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut out = Vec::new();
            let n = link_monitor::monitor(&opts, &mut out).unwrap();
            (n, String::from_utf8(out).unwrap())
        });
        // Link events until the monitor has had its two (it may start listening late).
        ns.ip(&["link", "add", "nlm0", "type", "bridge"]);
        let t0 = std::time::Instant::now();
        let mut up = true;
        while !h.is_finished() && t0.elapsed() < Duration::from_secs(10) {
            ns.ip(&["link", "set", "nlm0", if up { "up" } else { "down" }]);
            up = !up;
            std::thread::sleep(Duration::from_millis(50));
        }
        h.join().unwrap()
    });
    assert_eq!(lines.0, 2, "{}", lines.1);
    assert_eq!(lines.1.lines().count(), 2, "{}", lines.1);
    assert!(lines.1.lines().all(|l| l.contains("nlm0")), "{}", lines.1);
}
