//! Typed route events through the loss-free `Listener` against the kernel, each test in its
//! own network namespace: a storm of route changes against a deliberately tiny receive buffer
//! gives `Overrun` items; resynchronising (subscribe first, dump, continue) recovers a state
//! that matches `ip route` of the namespace at the end. The same through `Monitor`.

mod conn_support;

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::events::{Event, Listener};
use netlink::route::constants::groups;
use netlink::route::{
    dump_request, request, IpNet, Monitor, MonitorEvent, Route, RouteEvent, RouteEventRef,
    RouteFilter, RouteHandle, RouteMessageRef, Watch,
};
use netlink::{Config, Family, NlAttrs};

const TABLE: u32 = 2345;
/// Below the kernel's minimum: the buffer ends up at a few KiB, a handful of route events.
const TINY_BUFFER: usize = 1024;

fn route(i: u32, dev: u32) -> Route {
    let dst = IpNet::new_unchecked(
        IpAddr::V4(Ipv4Addr::new(10, (i >> 8) as u8, (i & 0xff) as u8, 0)),
        24,
    );
    Route::new(dst).dev(dev).table(TABLE)
}

/// The destinations `ip route show table TABLE` lists in the namespace.
fn ip_routes(ns: &TestNs) -> BTreeSet<String> {
    let out = Command::new("ip")
        .args(["-n", &ns.name, "route", "show", "table", &TABLE.to_string()])
        .output()
        .expect("run ip");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn key(dst: Option<IpAddr>, len: u8) -> String {
    match dst {
        Some(a) => format!("{a}/{len}"),
        None => "default".into(),
    }
}

/// Phase 1 (before anyone reads): 3,000 routes. Phase 2 (while the consumer reads, in
/// another thread): every third deleted, 500 more added, 100 replaced. Then `done` is sent.
fn storm(
    ns: &TestNs,
    rt: &RouteHandle,
    lo: u32,
) -> (std::thread::JoinHandle<()>, mpsc::Receiver<()>) {
    let first: Vec<Route> = (0..3000).map(|i| route(i, lo)).collect();
    assert!(rt.add_routes(&first).iter().all(Result::is_ok));
    let (tx, rx) = mpsc::channel();
    let netns = ns.netns();
    let t = std::thread::spawn(move || {
        let rt = RouteHandle::in_netns(netns).unwrap();
        let gone: Vec<Route> = (0..3000).step_by(3).map(|i| route(i, lo)).collect();
        assert!(rt.delete_routes(&gone).iter().all(Result::is_ok));
        let more: Vec<Route> = (3000..3500).map(|i| route(i, lo)).collect();
        assert!(rt.add_routes(&more).iter().all(Result::is_ok));
        let again: Vec<Route> = (3000..3100).map(|i| route(i, lo).metric(0)).collect();
        assert!(rt.replace_routes(&again).iter().all(Result::is_ok));
        tx.send(()).unwrap();
    });
    (t, rx)
}

#[test]
fn listener_storm_overrun_resync_matches_ip_route() {
    if !privileged("listener_storm_overrun_resync_matches_ip_route") {
        return;
    }
    let ns = TestNs::new("ev-storm");
    let rt = RouteHandle::in_netns(ns.netns()).unwrap();
    let lo = rt.index_of("lo").unwrap();
    // Subscribe first.
    let mut listener = Listener::<RouteEvent>::dial(
        Family::ROUTE,
        &[groups::RTNLGRP_IPV4_ROUTE],
        Config {
            netns: Some(ns.netns()),
            read_buffer: TINY_BUFFER,
            ..Config::default()
        },
    )
    .unwrap();
    listener
        .conn()
        .set_read_timeout(Some(Duration::from_millis(300)));
    let (producer, done) = storm(&ns, &rt, lo);
    let resync_request = dump_request(&request::dump_routes(RouteFilter {
        family: libc::AF_INET as u8,
        table: Some(TABLE),
    }))
    .unwrap();

    let mut state = BTreeSet::new();
    let mut overruns = 0u32;
    let mut events = 0u64;
    let mut finished = false;
    loop {
        match listener.next_event() {
            Ok(Event::Message(RouteEventRef::NewRoute(r))) if r.table_id() == TABLE => {
                events += 1;
                state.insert(key(r.dst, r.header.dst_len));
            }
            Ok(Event::Message(RouteEventRef::DelRoute(r))) if r.table_id() == TABLE => {
                events += 1;
                state.remove(&key(r.dst, r.header.dst_len));
            }
            Ok(Event::Message(_)) => {}
            Ok(Event::Overrun) => {
                overruns += 1;
                state.clear();
                let dumper = rt.conn();
                let resync = listener
                    .resync(dumper, &resync_request, |m| {
                        let r = RouteMessageRef::from_message(&m)?;
                        if r.table_id() == TABLE {
                            state.insert(key(r.dst, r.header.dst_len));
                        }
                        Ok(())
                    })
                    .unwrap();
                assert!(resync.dumped > 0, "{resync:?}");
            }
            Err(e) if e.is_timeout() => {
                if finished {
                    break;
                }
                finished = done.try_recv().is_ok();
            }
            Err(e) => panic!("listener: {e}"),
        }
    }
    producer.join().unwrap();
    assert!(
        overruns >= 1,
        "a {TINY_BUFFER}-byte buffer must overflow in a storm"
    );
    assert_eq!(listener.stats().overruns, u64::from(overruns));
    let truth = ip_routes(&ns);
    assert_eq!(truth.len(), 3000 - 1000 + 500, "the storm's own arithmetic");
    assert_eq!(
        state, truth,
        "after {overruns} overruns and {events} events"
    );
}

#[test]
fn listener_hands_out_borrowed_route_events() {
    if !privileged("listener_hands_out_borrowed_route_events") {
        return;
    }
    let ns = TestNs::new("ev-typed");
    let rt = RouteHandle::in_netns(ns.netns()).unwrap();
    let lo = rt.index_of("lo").unwrap();
    let mut listener = Listener::<RouteEvent>::dial(
        Family::ROUTE,
        &[groups::RTNLGRP_IPV4_ROUTE, groups::RTNLGRP_IPV4_IFADDR],
        Config {
            netns: Some(ns.netns()),
            ..Config::default()
        },
    )
    .unwrap();
    listener
        .conn()
        .set_read_timeout(Some(Duration::from_secs(5)));
    rt.add_route(&route(7, lo).metric(42)).unwrap();
    rt.add_address("lo", "10.77.0.1/8".parse().unwrap())
        .unwrap();
    rt.delete_route(&route(7, lo).metric(42)).unwrap();

    let mut seen = Vec::new();
    while seen.len() < 3 {
        match listener.next_event().unwrap() {
            Event::Message(RouteEventRef::NewRoute(r)) if r.table_id() == TABLE => {
                assert_eq!(r.dst, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 7, 0))));
                assert_eq!(
                    (r.header.dst_len, r.priority, r.oif),
                    (24, Some(42), Some(lo))
                );
                seen.push("new route");
            }
            Event::Message(RouteEventRef::NewAddress(a)) => {
                assert_eq!(a.local(), Some(IpAddr::V4(Ipv4Addr::new(10, 77, 0, 1))));
                seen.push("new address");
            }
            Event::Message(RouteEventRef::DelRoute(r)) if r.table_id() == TABLE => {
                assert_eq!(r.priority, Some(42));
                seen.push("del route");
            }
            // The address brings local and broadcast routes of other tables.
            Event::Message(_) => {}
            Event::Overrun => panic!("overrun with the default buffer"),
        }
    }
    assert_eq!(seen, ["new route", "new address", "del route"]);
}

#[test]
fn monitor_storm_resyncs_through_the_listener() {
    if !privileged("monitor_storm_resyncs_through_the_listener") {
        return;
    }
    let ns = TestNs::new("ev-mon");
    let rt = RouteHandle::in_netns(ns.netns()).unwrap();
    let lo = rt.index_of("lo").unwrap();
    let mut mon = Monitor::new(
        Watch {
            routes: true,
            ..Watch::NONE
        },
        Config {
            netns: Some(ns.netns()),
            read_buffer: TINY_BUFFER,
            ..Config::default()
        },
    )
    .unwrap();
    mon.events()
        .set_read_timeout(Some(Duration::from_millis(300)));
    let (producer, done) = storm(&ns, &rt, lo);

    let mut state = BTreeSet::new();
    let mut snapshots = 0;
    let mut finished = false;
    loop {
        match mon.next_event() {
            Ok(MonitorEvent::Snapshot(s)) => {
                snapshots += 1;
                state = s
                    .routes
                    .iter()
                    .filter(|r| r.table_id() == TABLE)
                    .map(|r| key(r.dst, r.header.dst_len))
                    .collect();
            }
            Ok(MonitorEvent::Event(RouteEvent::NewRoute(r))) if r.table_id() == TABLE => {
                state.insert(key(r.dst, r.header.dst_len));
            }
            Ok(MonitorEvent::Event(RouteEvent::DelRoute(r))) if r.table_id() == TABLE => {
                state.remove(&key(r.dst, r.header.dst_len));
            }
            Ok(MonitorEvent::Event(_)) => {}
            Err(e) if e.is_timeout() => {
                if finished {
                    break;
                }
                finished = done.try_recv().is_ok();
            }
            Err(e) => panic!("monitor: {e}"),
        }
    }
    producer.join().unwrap();
    assert!(
        mon.resyncs() >= 1,
        "a {TINY_BUFFER}-byte buffer must overflow in a storm"
    );
    assert_eq!(
        snapshots,
        mon.resyncs() + 1,
        "the first snapshot, then one per overrun"
    );
    assert_eq!(state, ip_routes(&ns), "after {} resyncs", mon.resyncs());
}
