//! Batched requests against the kernel, each test in its own network namespace (lo, a veth
//! pair `va`/`vb`, 10.0.0.1/24 on `va`, as the benchmark's fixture): 10,000 routes added and
//! deleted with every acknowledgement checked, a failing request among good ones, a small
//! receive buffer that forces the window down, and an overrun provoked on purpose.

mod conn_support;

use std::collections::BTreeSet;
use std::process::Command;

use conn_support::{privileged, TestNs};
use netlink::batch::{ack_len, queued_cost, BatchEvent, BatchOptions};
use netlink::NlRequest;
use netlink::{Conn, ConnOption, EncodeError, Error, Header, HeaderFlags, HeaderType};

const RTM_NEWROUTE: HeaderType = HeaderType(24);
const RTM_DELROUTE: HeaderType = HeaderType(25);

/// Route `i`: 10.{1 + i/256}.{i % 256}.0/24 via `gateway`, main table, protocol static.
struct Route {
    kind: HeaderType,
    index: u32,
    gateway: [u8; 4],
}

impl Route {
    fn add(index: u32) -> Route {
        Route {
            kind: RTM_NEWROUTE,
            index,
            gateway: [10, 0, 0, 2],
        }
    }
    fn del(index: u32) -> Route {
        Route {
            kind: RTM_DELROUTE,
            ..Route::add(index)
        }
    }
}

fn dst(i: u32) -> [u8; 4] {
    [10, (1 + i / 256) as u8, (i % 256) as u8, 0]
}

impl NlRequest for Route {
    fn header(&self) -> Header {
        let flags = if self.kind == RTM_NEWROUTE {
            HeaderFlags::CREATE | HeaderFlags::EXCL
        } else {
            HeaderFlags::EMPTY
        };
        Header {
            kind: self.kind,
            flags,
            ..Header::default()
        }
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.extend_from_slice(&[2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]);
        for (kind, addr) in [(1u16, dst(self.index)), (5u16, self.gateway)] {
            buf.extend_from_slice(&8u16.to_ne_bytes());
            buf.extend_from_slice(&kind.to_ne_bytes());
            buf.extend_from_slice(&addr);
        }
        Ok(())
    }
}

fn fixture(tag: &str) -> TestNs {
    let ns = TestNs::with_veth(tag);
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    ns
}

/// The destinations of the namespace's static routes, from `ip`.
fn static_routes(ns: &TestNs) -> BTreeSet<String> {
    let out = Command::new("ip")
        .args(["-n", &ns.name, "-4", "route", "show", "proto", "static"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

fn cidr(i: u32) -> String {
    let d = dst(i);
    format!("{}.{}.{}.{}/24", d[0], d[1], d[2], d[3])
}

#[test]
fn ten_thousand_routes_every_ack_checked() {
    if !privileged("ten_thousand_routes_every_ack_checked") {
        return;
    }
    let ns = fixture("bk10k");
    let conn = ns.dial(netlink::Family::ROUTE);
    let n = 10_000u32;
    let mut acked = 0usize;
    let summary = conn.execute_batch_with(
        (0..n).map(Route::add),
        &BatchOptions {
            window: 64,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { index, result } = e {
                assert!(result.is_ok(), "route {index}: {result:?}");
                acked += 1;
            }
        },
    );
    assert_eq!(acked, n as usize);
    assert_eq!(summary.requests, n as usize);
    assert_eq!(summary.overruns, 0);
    assert_eq!(summary.largest_window, 64);
    assert_eq!(summary.sends, (n as usize).div_ceil(64));
    let routes = static_routes(&ns);
    assert_eq!(routes.len(), n as usize);
    assert!(routes.contains(&cidr(0)) && routes.contains(&cidr(n - 1)));

    // The Vec form deletes them all; an ack-only request has no replies.
    let results = conn.execute_batch((0..n).map(Route::del));
    assert_eq!(results.len(), n as usize);
    assert!(results
        .iter()
        .all(|r| r.as_ref().is_ok_and(|v| v.is_empty())));
    assert!(static_routes(&ns).is_empty());
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn failing_request_gets_its_own_error_and_the_others_succeed() {
    if !privileged("failing_request_gets_its_own_error_and_the_others_succeed") {
        return;
    }
    let ns = fixture("bkfail");
    let conn = ns.dial(netlink::Family::ROUTE);
    conn.set_option(ConnOption::ExtendedAcknowledge, true)
        .unwrap();
    let reqs: Vec<Route> = (0..100)
        .map(|i| {
            let mut r = Route::add(i);
            if i == 50 {
                r.gateway = [192, 168, 77, 1]; // not on any connected network
            }
            r
        })
        .collect();
    let results = conn.execute_batch(&reqs);
    assert_eq!(results.len(), 100);
    for (i, r) in results.iter().enumerate() {
        if i == 50 {
            let e = r.as_ref().unwrap_err();
            let op = e.op_error().expect("a kernel error");
            assert!(op.errno != 0);
            let msg = op.ext_ack.message.as_deref().unwrap_or_default();
            assert!(msg.to_lowercase().contains("gateway"), "{e}");
        } else {
            assert!(r.is_ok(), "route {i}: {r:?}");
        }
    }
    let routes = static_routes(&ns);
    assert_eq!(routes.len(), 99);
    assert!(!routes.contains(&cidr(50)));
    // Nothing stale is left: the next request gets its own answer.
    let replies = conn.execute(&conn_support::link_dump()).unwrap();
    assert!(!replies.is_empty());
    assert_eq!(conn.stale_dropped(), 0);
}

/// With `NETLINK_CAP_ACK` the error message echoes only the request's header: the batch still
/// matches every acknowledgement (successes take the fast path that reads only the error
/// code) and the failure still carries the kernel's extended acknowledgement.
#[test]
fn capped_acks_are_matched_and_errors_keep_their_ext_ack() {
    if !privileged("capped_acks_are_matched_and_errors_keep_their_ext_ack") {
        return;
    }
    let ns = fixture("bkcap");
    let conn = ns.dial(netlink::Family::ROUTE);
    conn.set_option(ConnOption::ExtendedAcknowledge, true)
        .unwrap();
    conn.set_option(ConnOption::CapAcknowledge, true).unwrap();
    let bad = [3usize, 64, 129];
    let reqs: Vec<Route> = (0..200)
        .map(|i| {
            let mut r = Route::add(i);
            if bad.contains(&(i as usize)) {
                r.gateway = [192, 168, 77, 1]; // not on any connected network
            }
            r
        })
        .collect();
    let mut ok = 0usize;
    let mut failed = Vec::new();
    let summary = conn.execute_batch_with(
        &reqs,
        &BatchOptions {
            window: 64,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { index, result } = e {
                match result {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        let op = e.op_error().expect("a kernel error");
                        assert!(op.capped, "{e}");
                        assert!(op.errno != 0);
                        let msg = op.ext_ack.message.as_deref().unwrap_or_default();
                        assert!(msg.to_lowercase().contains("gateway"), "{e}");
                        failed.push(index);
                    }
                }
            }
        },
    );
    assert_eq!(failed, bad);
    assert_eq!(ok, 200 - bad.len());
    assert_eq!(summary.requests, 200);
    assert_eq!(summary.sends, 200usize.div_ceil(64));
    assert_eq!(static_routes(&ns).len(), 200 - bad.len());
    assert_eq!(conn.stale_dropped(), 0);
}

/// A dialed connection is connected to the kernel, so until it joins a group it reads its
/// acknowledgements without asking for sender addresses. After `join_group` the notifications
/// of its own route changes, which carry its sequence numbers and port id, must still be told
/// apart from replies (by their multicast sender address) and kept as events.
#[test]
fn notifications_after_join_group_are_not_taken_for_replies() {
    if !privileged("notifications_after_join_group_are_not_taken_for_replies") {
        return;
    }
    let ns = fixture("bkjoin");
    let conn = ns.dial(netlink::Family::ROUTE);
    assert!(conn.socket().is_kernel_only());
    let empty_oks = |results: &[Result<Vec<netlink::Message>, Error>]| {
        results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|v| v.is_empty()))
    };
    let before = conn.execute_batch((0..50).map(Route::add));
    assert_eq!(before.len(), 50);
    assert!(empty_oks(&before), "{before:?}");

    conn.join_group(7).unwrap(); // RTNLGRP_IPV4_ROUTE
    let after = conn.execute_batch((50..100).map(Route::add));
    assert_eq!(after.len(), 50);
    assert!(empty_oks(&after), "{after:?}");
    assert_eq!(conn.stale_dropped(), 0);

    // The 50 notifications were kept for the next receives.
    conn.set_read_timeout(Some(std::time::Duration::from_millis(300)));
    let mut events = 0;
    while let Ok(messages) = conn.receive() {
        events += messages
            .iter()
            .filter(|m| m.header.kind == RTM_NEWROUTE)
            .count();
    }
    assert_eq!(events, 50);
    assert_eq!(static_routes(&ns).len(), 100);
}

#[test]
fn small_receive_buffer_forces_the_window_down() {
    if !privileged("small_receive_buffer_forces_the_window_down") {
        return;
    }
    let ns = fixture("bksmall");
    let conn = ns.dial(netlink::Family::ROUTE);
    conn.set_read_buffer(4096).unwrap();
    let rcvbuf = conn.read_buffer().unwrap();
    assert!(rcvbuf < 32 * 1024, "{rcvbuf}");
    let expected = (rcvbuf - rcvbuf / 8) / queued_cost(ack_len(44, false));
    assert!((1..64).contains(&expected), "{expected}");
    let n = 2_000u32;
    let mut ok = 0;
    let summary = conn.execute_batch_with(
        (0..n).map(Route::add),
        &BatchOptions {
            window: 64,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { result, .. } = e {
                result.unwrap();
                ok += 1;
            }
        },
    );
    assert_eq!(ok, n);
    assert_eq!(summary.overruns, 0, "the window must fit the buffer");
    assert_eq!(summary.largest_window, expected);
    assert_eq!(summary.sends, (n as usize).div_ceil(expected));
    assert_eq!(static_routes(&ns).len(), n as usize);
}

#[test]
fn overrun_from_events_is_typed_and_the_connection_recovers() {
    if !privileged("overrun_from_events_is_typed_and_the_connection_recovers") {
        return;
    }
    let ns = fixture("bkover");
    // A socket that also listens to route events: each route it adds queues an event on it
    // besides the acknowledgement, which the window budget does not expect.
    let conn = Conn::dial(
        netlink::Family::ROUTE,
        netlink::Config {
            groups: 0x40, // RTMGRP_IPV4_ROUTE
            ..ns.config()
        },
    )
    .unwrap();
    conn.set_read_buffer(16 * 1024).unwrap();
    let n = 1_000u32;
    let results = conn.execute_batch((0..n).map(Route::add));
    let ok: BTreeSet<String> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| cidr(i as u32))
        .collect();
    let overrun = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Overrun { .. })))
        .count();
    assert_eq!(
        ok.len() + overrun,
        n as usize,
        "only successes and overruns"
    );
    assert!(overrun > 0, "the events must overflow the buffer");
    // Every request reported done is installed (the lost ones may be too).
    let routes = static_routes(&ns);
    assert!(ok.is_subset(&routes));
    // The connection still answers requests with their own replies.
    let replies = conn.execute(&conn_support::link_dump()).unwrap();
    assert!(!replies.is_empty());
}

#[test]
fn typed_requests_with_data_replies() {
    if !privileged("typed_requests_with_data_replies") {
        return;
    }
    use netlink::genl::{CtrlMessage, GENL_ID_CTRL};
    use netlink::{NlAttrs, Request};
    let ns = TestNs::new("bkgenl");
    let conn = ns.dial(netlink::Family::GENERIC);
    let ask = |name: &str| Request::get(HeaderType(GENL_ID_CTRL), CtrlMessage::get_family(name));
    let reqs = [ask("nlctrl"), ask("no-such-family"), ask("nlctrl")];
    let results = conn.execute_batch(&reqs);
    assert_eq!(results.len(), 3);
    for i in [0, 2] {
        let replies = results[i].as_ref().unwrap();
        assert_eq!(replies.len(), 1, "one reply besides the acknowledgement");
        let family = CtrlMessage::from_message(&replies[0]).unwrap();
        assert_eq!(family.family_id, Some(GENL_ID_CTRL));
    }
    let e = results[1].as_ref().unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn dumps_in_a_batch_end_their_window() {
    if !privileged("dumps_in_a_batch_end_their_window") {
        return;
    }
    let ns = fixture("bkdump");
    let conn = ns.dial(netlink::Family::ROUTE);
    let dump = conn_support::link_dump();
    let add = |i: u32| {
        let r = Route::add(i);
        let mut data = Vec::new();
        r.encode_payload(&mut data).unwrap();
        netlink::Message {
            header: r.header(),
            data,
        }
    };
    // Two dumps and two changes: the kernel runs one dump per socket at a time, so each dump
    // must be the last request of its datagram.
    let reqs = [add(0), dump.clone(), add(1), dump];
    let mut replies = [0usize; 4];
    let summary = conn.execute_batch_with(&reqs, &BatchOptions::default(), |e| match e {
        BatchEvent::Reply { index, message } => {
            assert_eq!(message.header.kind, conn_support::RTM_NEWLINK);
            replies[index] += 1;
        }
        BatchEvent::Done { index, result } => assert!(result.is_ok(), "{index}: {result:?}"),
    });
    assert_eq!(summary.succeeded, 4);
    assert_eq!(summary.sends, 2, "one datagram per dump");
    // lo, va, vb in each dump; none for the changes.
    assert_eq!(replies, [0, 3, 0, 3]);
    assert_eq!(static_routes(&ns).len(), 2);
    // The dumps were read to their end: the next dump works.
    assert_eq!(conn.execute(&conn_support::link_dump()).unwrap().len(), 3);
}
