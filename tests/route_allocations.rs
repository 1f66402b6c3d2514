//! Allocations of the typed rtnetlink decoders: none for a borrowed route, link, address,
//! neighbour or rule the kernel sends, at most two for an owned route.

use std::net::{IpAddr, Ipv4Addr};

use netlink::route::{
    AddressMessage, AddressMessageRef, LinkMessage, LinkMessageRef, Multipath, NeighbourMessage,
    NeighbourMessageRef, NextHop, NextHopAttrs, RouteMessage, RouteMessageRef, RouteMetrics,
    RuleMessage, RuleMessageRef,
};
use netlink::{messages, DecodeOptions, NlAttrs};

mod alloc_support;

use alloc_support::allocations_during;

#[global_allocator]
static GLOBAL: alloc_support::Counting = alloc_support::Counting;

/// Serialises the tests of this file (each holds it throughout): the counter is global.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/route_{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A dump of `n` IPv4 routes as the kernel writes them (table, dst, priority, gateway, oif),
/// every fourth one multipath with two next hops and an MTU metric.
fn routes(n: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    for i in 0..n {
        let mut r = RouteMessage::default();
        r.header.family = 2;
        r.header.dst_len = 24;
        r.header.table = 254;
        r.table = Some(254);
        r.dst = Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (i << 8))));
        r.priority = Some(i);
        if i % 4 == 0 {
            r.metrics = Some(RouteMetrics {
                mtu: Some(1400),
                ..Default::default()
            });
            let hop = |g: u32| NextHop {
                ifindex: 2,
                attrs: NextHopAttrs {
                    gateway: Some(IpAddr::V4(Ipv4Addr::from(g))),
                    ..Default::default()
                },
                ..Default::default()
            };
            r.multipath = Some(Multipath(vec![hop(0x0a00_0002), hop(0x0a00_0003)]));
        } else {
            r.gateway = Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
            r.oif = Some(2);
        }
        let header = netlink::Header {
            kind: netlink::route::RTM_NEWROUTE,
            ..Default::default()
        };
        r.encode_message(header, &mut buf).unwrap();
    }
    buf
}

#[test]
fn borrowed_routes_allocate_nothing() {
    let _serial = serial();
    let opts = DecodeOptions::default();
    for buf in [fixture("routes"), routes(1000)] {
        let mut sum = 0u64;
        let n = allocations_during(|| {
            for m in messages(&buf) {
                let m = m.unwrap();
                let r = RouteMessageRef::decode_message(&m, &opts).unwrap();
                sum += u64::from(r.table_id()) + u64::from(r.priority.unwrap_or(0));
                for hop in r.multipath.iter().flat_map(|mp| mp.iter()) {
                    sum += u64::from(hop.unwrap().ifindex as u32);
                }
                assert!(r.unknown.is_empty());
            }
        });
        assert!(sum > 0);
        assert_eq!(n, 0, "allocations decoding {} bytes of routes", buf.len());
    }
}

#[test]
fn owned_routes_allocate_at_most_two_per_route() {
    let _serial = serial();
    let opts = DecodeOptions::default();
    let buf = routes(1000);
    let mut kept = Vec::with_capacity(1000);
    let n = allocations_during(|| {
        kept.clear();
        for m in messages(&buf) {
            kept.push(RouteMessage::decode_message(&m.unwrap(), &opts).unwrap());
        }
    });
    assert_eq!(kept.len(), 1000);
    // One vector per multipath route (a quarter of them); nothing for the others.
    assert_eq!(n, 250, "allocations for 1,000 owned routes");
    let fixture = fixture("routes");
    let count = messages(&fixture).count();
    let n = allocations_during(|| {
        for m in messages(&fixture) {
            let _ = RouteMessage::decode_message(&m.unwrap(), &opts).unwrap();
        }
    });
    assert!(n <= 2 * count, "{n} allocations for {count} kernel routes");
}

#[test]
fn borrowed_links_allocate_nothing() {
    let _serial = serial();
    let buf = fixture("links");
    let opts = DecodeOptions::default();
    let n = allocations_during(|| {
        for m in messages(&buf) {
            let l = LinkMessageRef::decode_message(&m.unwrap(), &opts).unwrap();
            assert!(l.name.is_some() && l.unknown.is_empty());
        }
    });
    assert_eq!(n, 0);
    // The owned form allocates for its strings, bytes and nests.
    let n = allocations_during(|| {
        for m in messages(&buf) {
            let _ = LinkMessage::decode_message(&m.unwrap(), &opts).unwrap();
        }
    });
    assert!(n > 0);
}

#[test]
fn borrowed_addresses_neighbours_and_rules_allocate_nothing() {
    let _serial = serial();
    let opts = DecodeOptions::default();
    for name in ["addresses", "neighbours", "rules"] {
        let buf = fixture(name);
        let decode = |owned: bool| {
            let mut labels = 0;
            for m in messages(&buf) {
                let m = m.unwrap();
                match (name, owned) {
                    ("addresses", false) => {
                        let a = AddressMessageRef::decode_message(&m, &opts).unwrap();
                        assert!(a.local().is_some() && a.unknown.is_empty());
                        labels += usize::from(a.label.is_some());
                    }
                    ("addresses", true) => {
                        let a = AddressMessage::decode_message(&m, &opts).unwrap();
                        labels += usize::from(a.label.is_some());
                    }
                    ("neighbours", false) => {
                        let n = NeighbourMessageRef::decode_message(&m, &opts).unwrap();
                        assert!(n.unknown.is_empty());
                        labels += usize::from(n.lladdr.is_some());
                    }
                    ("neighbours", true) => {
                        let n = NeighbourMessage::decode_message(&m, &opts).unwrap();
                        labels += usize::from(n.lladdr.is_some());
                    }
                    (_, false) => {
                        let r = RuleMessageRef::decode_message(&m, &opts).unwrap();
                        assert!(r.unknown.is_empty());
                        labels += usize::from(r.iifname.is_some());
                    }
                    (_, true) => {
                        let r = RuleMessage::decode_message(&m, &opts).unwrap();
                        labels += usize::from(r.iifname.is_some());
                    }
                }
            }
            labels
        };
        let mut strings = 0;
        assert_eq!(allocations_during(|| strings = decode(false)), 0, "{name}");
        // The owned forms allocate for their strings and bytes.
        assert!(strings > 0, "{name}");
        assert!(
            allocations_during(|| {
                let _ = decode(true);
            }) > 0,
            "{name}"
        );
    }
}
