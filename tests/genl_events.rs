//! Generic netlink notifications through the loss-free `Listener`: netdev's `mgmt` group in a
//! fresh namespace, decoded as `NetdevEvent` by `Listener<GenlEvents<NetdevEvent>>`.

mod conn_support;

use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::events::Event;
use netlink::genl::netdev::{Netdev, NetdevEvent, MGMT_GROUP};
use netlink::genl::GenlHandle;
use netlink::Family;

/// The index of link `name` in the namespace, from `ip -j link show`.
fn ifindex(ns: &TestNs, name: &str) -> u32 {
    let out = std::process::Command::new("ip")
        .args(["-n", &ns.name, "-o", "link", "show", name])
        .output()
        .expect("run ip");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(':').next().unwrap().trim().parse().unwrap()
}

#[test]
fn netdev_notifications_through_the_listener() {
    if !privileged("netdev_notifications_through_the_listener") {
        return;
    }
    let ns = TestNs::new("genl-ev");
    let conn = ns.dial(Family::GENERIC);
    let nd = GenlHandle::<Netdev>::resolve(&conn).unwrap();
    let mut listener = nd
        .listen::<NetdevEvent>(&[MGMT_GROUP], ns.config())
        .unwrap();
    listener
        .conn()
        .set_read_timeout(Some(Duration::from_secs(10)));
    // An unknown group name is refused.
    assert!(nd
        .listen::<NetdevEvent>(&["no-such-group"], ns.config())
        .is_err());

    ns.ip(&["link", "add", "ga", "type", "veth", "peer", "name", "gb"]);
    let mut want = vec![ifindex(&ns, "ga"), ifindex(&ns, "gb")];
    want.sort();
    let mut added = Vec::new();
    while added.len() < 2 {
        match listener.next_event().unwrap() {
            Event::Message(n) => {
                assert_eq!(n.family, nd.id());
                match n.event {
                    Some(NetdevEvent::DevAdd(d)) => added.push(d.ifindex.unwrap()),
                    Some(NetdevEvent::DevChange(_)) | None => {}
                    Some(other) => panic!("unexpected {other:?}"),
                }
            }
            Event::Overrun => panic!("overrun with the listener's default buffer"),
        }
    }
    added.sort();
    assert_eq!(added, want);

    ns.ip(&["link", "del", "ga"]);
    let mut deleted = Vec::new();
    while deleted.len() < 2 {
        if let Event::Message(n) = listener.next_event().unwrap() {
            if let Some(NetdevEvent::DevDel(d)) = n.event {
                deleted.push(d.ifindex.unwrap());
            }
        }
    }
    deleted.sort();
    assert_eq!(deleted, want);
}
