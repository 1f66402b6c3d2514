//! The bulk forms of `RouteHandle` against the kernel, each test in its own network namespace:
//! thousands of routes added, listed and deleted in batches; one result per item, in order;
//! a refused item in the middle of a batch gets its own error naming the field, and the
//! items around it are carried out.

mod conn_support;

use std::net::IpAddr;
use std::process::Command;

use conn_support::{privileged, TestNs};
use netlink::route::{IpNet, LinkId, NewLink, Route, RouteFilter, RouteHandle};
use netlink::Error;

const TABLE: u32 = 1234;

fn handle(ns: &TestNs) -> RouteHandle {
    RouteHandle::in_netns(ns.netns()).expect("route handle in the test namespace")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn field(e: &Error) -> Option<&str> {
    e.op_error().and_then(|op| op.ext_ack.field.as_deref())
}

/// `n` distinct /24 routes out of `dev` in [`TABLE`].
fn routes(n: u32, dev: u32) -> Vec<Route> {
    (0..n)
        .map(|i| {
            let dst = IpNet::new_unchecked(
                IpAddr::V4(std::net::Ipv4Addr::new(
                    10,
                    (i >> 8) as u8,
                    (i & 0xff) as u8,
                    0,
                )),
                24,
            );
            Route::new(dst).dev(dev).table(TABLE)
        })
        .collect()
}

/// The number of routes `ip route show table TABLE` lists in the namespace.
fn ip_route_count(ns: &TestNs) -> usize {
    let out = Command::new("ip")
        .args(["-n", &ns.name, "route", "show", "table", &TABLE.to_string()])
        .output()
        .expect("run ip");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn five_thousand_routes_added_listed_and_deleted_in_bulk() {
    if !privileged("five_thousand_routes_added_listed_and_deleted_in_bulk") {
        return;
    }
    let ns = TestNs::new("bulk-5k");
    let rt = handle(&ns);
    let lo = rt.index_of("lo").unwrap();
    let all = routes(5000, lo);

    let results = rt.add_routes(&all);
    assert_eq!(results.len(), all.len());
    for (i, r) in results.iter().enumerate() {
        assert!(r.is_ok(), "route {i} ({}): {r:?}", all[i].destination());
    }
    let listed = rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(TABLE),
        })
        .unwrap();
    assert_eq!(listed.len(), 5000);
    let mut dsts: Vec<_> = listed.iter().filter_map(|r| r.dst).collect();
    dsts.sort();
    dsts.dedup();
    assert_eq!(dsts.len(), 5000, "every route listed once");
    assert_eq!(ip_route_count(&ns), 5000);

    // Adding them again: every one exists already, each gets its own EEXIST.
    let again = rt.add_routes(all.iter().take(300));
    assert_eq!(again.len(), 300);
    assert!(again
        .iter()
        .all(|r| r.as_ref().unwrap_err().errno() == Some(libc::EEXIST)));

    let results = rt.delete_routes(&all);
    assert_eq!(results.len(), all.len());
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(ip_route_count(&ns), 0);
    let listed = rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(TABLE),
        })
        .unwrap();
    assert!(listed.is_empty());
    // Deleting once more: each is missing.
    let gone = rt.delete_routes(all.iter().take(10));
    assert!(gone.iter().all(|r| r.as_ref().unwrap_err().is_not_found()));
}

#[test]
fn a_bad_route_in_the_middle_fails_alone_and_names_its_field() {
    if !privileged("a_bad_route_in_the_middle_fails_alone_and_names_its_field") {
        return;
    }
    let ns = TestNs::new("bulk-bad");
    let rt = handle(&ns);
    let lo = rt.index_of("lo").unwrap();
    let mut batch = routes(7, lo);
    // Position 3: a prefix longer than the address; position 5: a duplicate of position 1.
    batch[3] = Route::new(IpNet::new_unchecked(ip("10.200.0.0"), 33))
        .dev(lo)
        .table(TABLE);
    batch[5] = batch[1].clone();
    let results = rt.add_routes(&batch);
    assert_eq!(results.len(), 7);
    for i in [0, 1, 2, 4, 6] {
        assert!(results[i].is_ok(), "route {i}: {:?}", results[i]);
    }
    let e = results[3].as_ref().unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    assert_eq!(field(e), Some("RouteMessage.header.dst_len"), "{e}");
    let e = results[5].as_ref().unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    assert_eq!(field(e), None, "{e}");
    // The good ones are in the table, the bad ones are not.
    assert_eq!(ip_route_count(&ns), 5);
    // The connection is clean for the next call: no stale acknowledgement.
    rt.add_route(&Route::new(net("10.201.0.0/16")).dev(lo).table(TABLE))
        .unwrap();
    assert_eq!(ip_route_count(&ns), 6);
}

#[test]
fn addresses_and_neighbours_in_bulk() {
    if !privileged("addresses_and_neighbours_in_bulk") {
        return;
    }
    let ns = TestNs::new("bulk-addr");
    let rt = handle(&ns);
    rt.add_link(&NewLink::veth("ba0", "ba1")).unwrap();
    rt.set_up("ba0").unwrap();
    let ba0 = rt.index_of("ba0").unwrap();

    let addrs: Vec<(LinkId<'_>, IpNet)> = vec![
        ("ba0".into(), net("10.50.0.1/24")),
        (ba0.into(), net("10.50.1.1/24")),
        ("ba0".into(), IpNet::new_unchecked(ip("10.50.2.1"), 33)),
        ("nosuchdev".into(), net("10.50.3.1/24")),
        ("ba0".into(), net("2001:db8:50::1/64")),
    ];
    let results = rt.add_addresses(addrs.iter().copied());
    assert_eq!(results.len(), 5);
    assert!(
        results[0].is_ok() && results[1].is_ok() && results[4].is_ok(),
        "{results:?}"
    );
    let e = results[2].as_ref().unwrap_err();
    assert_eq!(field(e), Some("AddressMessage.header.prefix_len"), "{e}");
    let e = results[3].as_ref().unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let mut have: Vec<IpAddr> = rt
        .addresses_of("ba0")
        .unwrap()
        .iter()
        .filter_map(|a| a.local())
        .filter(|a| !matches!(a, IpAddr::V6(v) if v.segments()[0] == 0xfe80))
        .collect();
    have.sort();
    assert_eq!(
        have,
        vec![ip("10.50.0.1"), ip("10.50.1.1"), ip("2001:db8:50::1")]
    );

    let mac = [0x02, 0, 0, 0, 0, 0x51];
    let neigh = [
        (LinkId::from("ba0"), ip("10.50.0.7"), &mac[..]),
        (LinkId::from("ba0"), ip("10.50.0.8"), &mac[..]),
        (LinkId::from("ba0"), ip("10.50.0.7"), &mac[..]),
        (LinkId::from("ba0"), ip("2001:db8:50::7"), &mac[..]),
    ];
    let results = rt.add_neighbours(neigh.iter().copied());
    assert!(
        results[0].is_ok() && results[1].is_ok() && results[3].is_ok(),
        "{results:?}"
    );
    assert_eq!(results[2].as_ref().unwrap_err().errno(), Some(libc::EEXIST));
    let n = rt.neighbours_of("ba0").unwrap();
    for dst in ["10.50.0.7", "10.50.0.8", "2001:db8:50::7"] {
        assert!(n.iter().any(|x| x.dst == Some(ip(dst))), "{dst} missing");
    }
    let results = rt.delete_neighbours(neigh.iter().map(|(l, d, _)| (*l, *d)));
    assert!(
        results[0].is_ok() && results[1].is_ok() && results[3].is_ok(),
        "{results:?}"
    );
    assert!(results[2].as_ref().unwrap_err().is_not_found());
    let n = rt.neighbours_of("ba0").unwrap();
    assert!(!n.iter().any(|x| x.dst == Some(ip("10.50.0.7"))));

    let results = rt.delete_addresses(addrs.iter().copied());
    assert!(
        results[0].is_ok() && results[1].is_ok() && results[4].is_ok(),
        "{results:?}"
    );
    assert!(results[3].as_ref().unwrap_err().is_not_found());
    assert!(rt.addresses_of("ba0").unwrap().iter().all(|a| a
        .local()
        .is_some_and(|a| matches!(a, IpAddr::V6(v) if v.segments()[0] == 0xfe80))));
}
