//! `Listener<RouteEvent>` decodes route events borrowed: reading thousands of them allocates
//! nothing once the listener is warm.

mod conn_support;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::Ordering;
use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::events::{Event, Listener};
use netlink::route::constants::groups;
use netlink::route::{IpNet, Route, RouteEvent, RouteEventRef, RouteHandle};

mod alloc_support;

use alloc_support::ALLOCATIONS;

#[global_allocator]
static GLOBAL: alloc_support::Counting = alloc_support::Counting;

fn route(i: u32, dev: u32) -> Route {
    let dst = IpNet::new_unchecked(
        IpAddr::V4(Ipv4Addr::new(10, (i >> 8) as u8, (i & 0xff) as u8, 0)),
        24,
    );
    Route::new(dst).dev(dev).table(3456).metric(7)
}

#[test]
fn route_events_decode_without_allocating() {
    if !privileged("route_events_decode_without_allocating") {
        return;
    }
    let ns = TestNs::new("ev-alloc");
    let rt = RouteHandle::in_netns(ns.netns()).unwrap();
    let lo = rt.index_of("lo").unwrap();
    let mut listener = Listener::<RouteEvent>::dial(
        netlink::Family::ROUTE,
        &[groups::RTNLGRP_IPV4_ROUTE],
        ns.config(),
    )
    .unwrap();
    listener
        .conn()
        .set_read_timeout(Some(Duration::from_secs(5)));
    // Warm up: one event, so that the listener's buffers exist.
    rt.add_route(&route(0, lo)).unwrap();
    assert!(matches!(
        listener.next_event(),
        Ok(Event::Message(RouteEventRef::NewRoute(_)))
    ));

    let n = 2_000u32;
    let routes: Vec<Route> = (1..=n).map(|i| route(i, lo)).collect();
    assert!(rt.add_routes(&routes).iter().all(Result::is_ok));

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut events = 0u32;
    let mut checksum = 0u64;
    while events < n {
        match listener.next_event() {
            Ok(Event::Message(RouteEventRef::NewRoute(r))) => {
                assert_eq!((r.table_id(), r.priority, r.oif), (3456, Some(7), Some(lo)));
                if let Some(IpAddr::V4(a)) = r.dst {
                    checksum += u64::from(u32::from(a));
                }
                events += 1;
            }
            Ok(other) => panic!("{other:?}"),
            Err(e) => panic!("{e}"),
        }
    }
    let allocs = ALLOCATIONS.load(Ordering::SeqCst) - before;
    let expected: u64 = (1..=n)
        .map(|i| {
            u64::from(u32::from(Ipv4Addr::new(
                10,
                (i >> 8) as u8,
                (i & 0xff) as u8,
                0,
            )))
        })
        .sum();
    assert_eq!(checksum, expected, "every route's event, decoded");
    assert_eq!(allocs, 0, "allocations while reading {n} route events");
}
