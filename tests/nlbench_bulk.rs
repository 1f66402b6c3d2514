//! The `nlbench` bulk workloads (`route-install`, `route-install-serial`, `event-ingest`)
//! against the kernel, each in its own namespace made as `fixture.sh small` makes it: items
//! and checksums compared with values computed here from the route scheme, and the namespace
//! checked with `ip` to be as it was.

#[allow(dead_code)]
#[path = "../examples/nlbench.rs"]
mod nlbench;

mod conn_support;

use std::process::Command;

use conn_support::{privileged, TestNs};
use nlbench::{event_ingest, route_install};

fn fixture(tag: &str) -> TestNs {
    let ns = TestNs::new(tag);
    ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    ns.ip(&["link", "set", "va", "up"]);
    ns.ip(&["link", "set", "vb", "up"]);
    ns
}

/// The IPv4 routes of every table, as `ip` counts them.
fn route_count(ns: &TestNs) -> usize {
    let out = Command::new("ip")
        .args(["-n", &ns.name, "-4", "route", "show", "table", "all"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().count()
}

/// The checksum of `count` acknowledged installs: Σ x·256 + y over 10.x.y.0, computed from
/// the addresses themselves.
fn expected_checksum(count: u64) -> u64 {
    (0..count)
        .map(|i| {
            let d = route_install::destination(i);
            u64::from(d[1]) * 256 + u64::from(d[2])
        })
        .sum()
}

fn field<'l>(line: &'l str, key: &str) -> &'l str {
    line.split_whitespace()
        .find_map(|f| f.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .unwrap_or_else(|| panic!("{key} in {line}"))
}

#[test]
fn checksum_matches_the_harness_figure() {
    // The harness's W5 checksum for 10,000 routes.
    assert_eq!(expected_checksum(10_000), 52_555_000);
}

#[test]
fn route_install_batched_and_serial() {
    if !privileged("route_install_batched_and_serial") {
        return;
    }
    let ns = fixture("w5");
    let base = route_count(&ns);
    for (count, window, serial) in [
        (3000, Some(64), false),
        (1000, Some(0), false),
        (500, None, true),
    ] {
        let line = route_install::measure(Some(&ns.name), count, window, None, serial).unwrap();
        let name = if serial {
            "route-install-serial "
        } else {
            "route-install "
        };
        assert!(line.starts_with(name), "{line}");
        assert_eq!(field(&line, "items"), (2 * count).to_string(), "{line}");
        assert_eq!(
            field(&line, "checksum"),
            expected_checksum(count).to_string()
        );
        assert_eq!(field(&line, "errors"), "0");
        assert_eq!(field(&line, "overruns"), "0");
        assert!(field(&line, "ops_per_sec").parse::<f64>().unwrap() > 0.0);
        if let (Some(64), false) = (window, serial) {
            assert_eq!(field(&line, "window"), "64");
            assert_eq!(field(&line, "sends"), (2 * count.div_ceil(64)).to_string());
        }
        // Every route was deleted again.
        assert_eq!(route_count(&ns), base, "{line}");
    }
}

#[test]
fn route_install_reports_a_refused_request() {
    if !privileged("route_install_reports_a_refused_request") {
        return;
    }
    let ns = fixture("w5err");
    // Route 5 exists already: its CREATE|EXCL install is refused, and its delete removes it.
    ns.ip(&[
        "route",
        "add",
        "10.1.5.0/24",
        "via",
        "10.0.0.2",
        "proto",
        "static",
    ]);
    let err = route_install::measure(Some(&ns.name), 10, Some(4), None, false).unwrap_err();
    assert!(err.starts_with("1 requests failed"), "{err}");
    assert!(err.contains("items=19"), "{err}");
    assert!(
        err.contains(&format!("checksum={}", expected_checksum(10) - (256 + 5))),
        "{err}"
    );
}

#[test]
fn event_ingest_sees_every_event() {
    if !privileged("event_ingest_sees_every_event") {
        return;
    }
    let ns = fixture("w6");
    let count = 3000;
    let name = ns.name.clone();
    let producer = event_ingest::Producer::Thread(Box::new(move || {
        route_install::measure(Some(&name), count, Some(64), None, false).map(|_| ())
    }));
    let (line, tally) = event_ingest::run(Some(&ns.name), count, 64, None, producer).unwrap();
    assert!(line.starts_with("event-ingest "), "{line}");
    assert_eq!(tally.overruns, 0, "{line}");
    assert_eq!(tally.new, count);
    assert_eq!(tally.del, count);
    assert_eq!(field(&line, "items"), (2 * count).to_string());
    assert_eq!(
        field(&line, "checksum"),
        (2 * expected_checksum(count)).to_string()
    );
    assert_eq!(field(&line, "expected"), (2 * count).to_string());
    assert_eq!(
        field(&line, "rcvbuf"),
        (2 * netlink::events::DEFAULT_LISTENER_BUFFER).to_string()
    );
}
