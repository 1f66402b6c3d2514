//! The `ethtool` example against the `ethtool` program on veth devices in a fresh namespace:
//! `ethtool DEV` and `ethtool -k DEV` print the same lines, before and after changes made
//! through the library (a feature turned on, the peer taken down, channels changed).

mod conn_support;

use std::process::Command;

use conn_support::{privileged, TestNs};
use netlink::genl::ethtool::{self, Bitset, ChannelsSet, Ethtool, EthtoolHeader, FeaturesSet};
use netlink::genl::GenlHandle;
use netlink::Family;

#[allow(dead_code)]
#[path = "../examples/ethtool.rs"]
mod example;

fn theirs(ns: &TestNs, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.name, "ethtool"])
        .args(args)
        .output()
        .expect("the ethtool program must be installed (.ci/run installs it)");
    assert!(out.status.success(), "ethtool {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn ours(ns: &TestNs, features: bool, dev: &str) -> String {
    example::run(&example::Args {
        netns: Some(ns.name.clone()),
        features,
        dev: dev.to_owned(),
    })
    .unwrap()
}

fn same(ns: &TestNs, dev: &str) {
    let a = ours(ns, false, dev);
    let b = theirs(ns, &[dev]);
    assert_eq!(a, b, "ethtool {dev}");
    let a = ours(ns, true, dev);
    let b = theirs(ns, &["-k", dev]);
    assert_eq!(a, b, "ethtool -k {dev}");
}

#[test]
fn settings_and_features_match_the_ethtool_program() {
    if !privileged("settings_and_features_match_the_ethtool_program") {
        return;
    }
    let ns = TestNs::with_veth("ethtool");
    same(&ns, "va");
    let settings = ours(&ns, false, "va");
    for line in [
        "\tSpeed: 10000Mb/s\n",
        "\tDuplex: Full\n",
        "\tPort: Twisted Pair\n",
        "\tLink detected: yes\n",
    ] {
        assert!(settings.contains(line), "{line:?} missing from {settings}");
    }
    let features = ours(&ns, true, "va");
    assert!(
        features.contains("\ttx-checksum-ipv4: off [fixed]\n"),
        "{features}"
    );

    // Peer down: no carrier on va.
    ns.ip(&["link", "set", "vb", "down"]);
    assert!(ours(&ns, false, "va").contains("\tLink detected: no\n"));
    same(&ns, "va");
    ns.ip(&["link", "set", "vb", "up"]);

    // A feature changed through FEATURES_SET shows in both programs' `-k`.
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let before = ours(&ns, true, "va");
    let gro = if before.contains("\ngeneric-receive-offload: off\n") {
        true
    } else {
        assert!(
            before.contains("\ngeneric-receive-offload: on\n"),
            "{before}"
        );
        false
    };
    eth.execute(
        &conn,
        ethtool::FEATURES_SET,
        &FeaturesSet {
            header: EthtoolHeader::dev("va"),
            wanted: Some(Bitset::named([("rx-gro", gro)])),
        },
    )
    .unwrap();
    let after = ours(&ns, true, "va");
    let want = format!(
        "\ngeneric-receive-offload: {}\n",
        if gro { "on" } else { "off" }
    );
    assert!(after.contains(&want), "{after}");
    same(&ns, "va");
    same(&ns, "vb");
}

#[test]
fn other_kinds_of_devices_match_too() {
    if !privileged("other_kinds_of_devices_match_too") {
        return;
    }
    let ns = TestNs::with_veth("ethkinds");
    ns.ip(&["link", "add", "br0", "type", "bridge"]);
    ns.ip(&["link", "add", "mv0", "link", "va", "type", "macvlan"]);
    ns.ip(&[
        "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.0.0.1",
    ]);
    for dev in ["br0", "mv0", "vx0"] {
        ns.ip(&["link", "set", dev, "up"]);
    }
    // `lo` has no link settings: only the link state is printed.
    assert_eq!(
        ours(&ns, false, "lo"),
        "Settings for lo:\n\tLink detected: yes\n"
    );
    for dev in ["lo", "br0", "mv0", "vx0", "vb"] {
        same(&ns, dev);
    }
}

#[test]
fn channels_set_and_get() {
    if !privileged("channels_set_and_get") {
        return;
    }
    let ns = TestNs::with_veth("ethch");
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let req = ethtool::EthtoolRequest::dev("va");
    let ch = eth.get(&conn, ethtool::CHANNELS_GET, &req).unwrap();
    let max = ch.rx_max.expect("veth reports its maximum rx channels");
    let want = if ch.rx_count == Some(max) { 1 } else { max };
    eth.execute(
        &conn,
        ethtool::CHANNELS_SET,
        &ChannelsSet {
            header: EthtoolHeader::dev("va"),
            rx_count: Some(want),
            ..Default::default()
        },
    )
    .unwrap();
    let ch = eth.get(&conn, ethtool::CHANNELS_GET, &req).unwrap();
    assert_eq!(ch.rx_count, Some(want));
    let text = theirs(&ns, &["-l", "va"]);
    assert!(
        text.contains(&format!("Current hardware settings:\nRX:\t\t{want}\n")),
        "{text}"
    );
}

#[test]
fn errors_name_the_device_and_namespace() {
    if !privileged("errors_name_the_device_and_namespace") {
        return;
    }
    let ns = TestNs::with_veth("etherr");
    let err = example::run(&example::Args {
        netns: Some(ns.name.clone()),
        features: false,
        dev: "nosuchdev0".into(),
    })
    .unwrap_err();
    assert!(!err.contains('\n'), "{err}");
    assert!(err.contains("\"nosuchdev0\""), "{err}");
    assert!(err.contains(&ns.name), "{err}");
    assert!(err.contains("No such device"), "{err}");

    let missing = format!("{}-gone", ns.name);
    let err = example::run(&example::Args {
        netns: Some(missing.clone()),
        features: true,
        dev: "va".into(),
    })
    .unwrap_err();
    assert!(!err.contains('\n') && err.contains(&missing), "{err}");
    assert_eq!(err.matches(&missing).count(), 1, "named once: {err}");
}

#[test]
fn usage_errors() {
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(example::parse_args(&args(&["--help"])), Ok(None));
    assert!(example::parse_args(&args(&[])).is_err());
    assert!(example::parse_args(&args(&["-x", "va"])).is_err());
    assert!(example::parse_args(&args(&["-n"])).is_err());
    assert!(example::parse_args(&args(&["va", "vb"])).is_err());
    assert_eq!(
        example::parse_args(&args(&["-n", "ns", "-k", "va"])),
        Ok(Some(example::Args {
            netns: Some("ns".into()),
            features: true,
            dev: "va".into(),
        }))
    );
}
