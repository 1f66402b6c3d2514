//! The async connection against the kernel, each test in its own network namespace: many
//! tasks on one socket, dumps interleaved with requests, events while requests run,
//! cancellation at every await point, close and timeouts.

mod conn_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use conn_support::*;
use netlink::genl::{CtrlCommand, CtrlMessage};
use netlink::tokio::AsyncConn;
use netlink::{
    AttributeEncoder, Config, Error, Family, Header, HeaderFlags, HeaderType, Message, Socket,
};

async fn dial(ns: &TestNs, family: Family) -> AsyncConn {
    AsyncConn::dial(family, ns.config()).await.expect("dial")
}

/// Polls `fut` once and drops it; returns whether it had completed.
async fn poll_once_then_drop<F: std::future::Future>(fut: F) -> bool {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}

/// `RTM_GETLINK` for one interface by name, acknowledged.
fn get_link(name: &str) -> Message {
    let mut data = vec![0u8; IFINFOMSG_LEN];
    let mut ae = AttributeEncoder::new(&mut data);
    ae.string(IFLA_IFNAME, name);
    ae.finish().unwrap();
    Message::new(
        RTM_GETLINK,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        data,
    )
}

/// A connection in `ns` subscribed to link notifications, and its event stream.
async fn link_events(ns: &TestNs) -> (AsyncConn, netlink::tokio::Events) {
    let conn = AsyncConn::dial(
        Family::ROUTE,
        Config {
            groups: RTMGRP_LINK,
            ..ns.config()
        },
    )
    .await
    .unwrap();
    let events = conn.events().unwrap();
    (conn, events)
}

async fn dump_link_names(conn: &AsyncConn) -> BTreeSet<String> {
    let mut d = conn.dump(&link_dump()).await.unwrap();
    let mut names = BTreeSet::new();
    while let Some(m) = d.next().await {
        names.insert(link_name(&m.unwrap()).unwrap());
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_times_a_thousand_requests_each_get_their_own_reply() {
    if !privileged("async 64x1000") {
        return;
    }
    let ns = TestNs::new("as64");
    let conn = dial(&ns, Family::GENERIC).await;
    many_tasks_each_get_their_own_reply(conn, 64, 1000, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_requests_from_many_tasks_each_get_their_own_reply() {
    if !privileged("async direct") {
        return;
    }
    let ns = TestNs::new("asdirect");
    let options = netlink::tokio::Options {
        direct: true,
        ..Default::default()
    };
    let conn = AsyncConn::dial_with(Family::GENERIC, ns.config(), options)
        .await
        .unwrap();
    many_tasks_each_get_their_own_reply(conn, 16, 500, false).await;
}

async fn many_tasks_each_get_their_own_reply(
    conn: AsyncConn,
    tasks_n: u32,
    per_task: u32,
    expect_batches: bool,
) {
    // Every family the kernel has, through the typed dump.
    let request = CtrlMessage::new(CtrlCommand::GetFamily)
        .to_request(HeaderFlags::DUMP)
        .unwrap();
    let families: Vec<(String, u16)> = conn
        .dump_as::<CtrlMessage>(&request)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.family_name.unwrap(), f.family_id.unwrap()))
        .collect();
    assert!(families.iter().any(|(n, id)| n == "nlctrl" && *id == 0x10));
    let families = Arc::new(families);

    let mut tasks = Vec::new();
    for t in 0..tasks_n {
        let conn = conn.clone();
        let families = Arc::clone(&families);
        tasks.push(tokio::spawn(async move {
            for i in 0..per_task {
                let (name, id) = &families[((t + i) as usize) % families.len()];
                let req = get_family(name, HeaderFlags::ACKNOWLEDGE);
                // A sequence number of our own, to check the echo.
                let seq = 1 + t * 1000 + i;
                let header = Header {
                    sequence: seq,
                    ..req.header
                };
                let replies = conn.execute_raw(header, &req.data).await.unwrap();
                let replies = replies.to_messages();
                assert_eq!(replies.len(), 1, "one reply, the ACK consumed");
                assert_eq!(replies[0].header.sequence, seq);
                assert_eq!(replies[0].header.pid, conn.pid());
                assert_eq!(family_id(&replies[0]), Some(*id), "family {name}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(conn.late_dropped(), 0);
    assert_eq!(conn.forged_dropped(), 0);
    if expect_batches {
        assert!(
            conn.datagrams_sent() < u64::from(tasks_n * per_task),
            "requests share sendmsg calls: {}",
            conn.datagrams_sent()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dumps_interleave_with_requests() {
    if !privileged("async dumps") {
        return;
    }
    let ns = TestNs::new("asdump");
    let mut batch = String::new();
    for i in 0..15 {
        batch.push_str(&format!("link add va{i} type veth peer name vb{i}\n"));
    }
    ns.ip_batch(&batch);
    let conn = dial(&ns, Family::ROUTE).await;
    let expected = dump_link_names(&conn).await;
    assert_eq!(expected.len(), 31, "{expected:?}");
    let expected = Arc::new(expected);

    let mut tasks = Vec::new();
    for _ in 0..4 {
        let conn = conn.clone();
        let expected = Arc::clone(&expected);
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                assert_eq!(dump_link_names(&conn).await, *expected);
            }
        }));
    }
    for t in 0..8 {
        let conn = conn.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100 {
                let name = format!("v{}{}", if (t + i) % 2 == 0 { 'a' } else { 'b' }, i % 15);
                let replies = conn.execute(&get_link(&name)).await.unwrap();
                assert_eq!(replies.len(), 1);
                assert_eq!(link_name(&replies[0]).as_deref(), Some(name.as_str()));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // A kernel error reaches its own caller, typed, with the extended acknowledgement.
    let e = conn.execute(&get_link("no-such-link")).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_while_requests_run() {
    if !privileged("async events") {
        return;
    }
    let ns = TestNs::new("asev");
    let (conn, mut events) = link_events(&ns).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let conn = conn.clone();
        let stop = Arc::clone(&stop);
        workers.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let replies = conn.execute(&get_link("lo")).await.unwrap();
                assert_eq!(link_name(&replies[0]).as_deref(), Some("lo"));
                n += 1;
            }
            n
        }));
    }
    let name = ns.name.clone();
    let maker = tokio::task::spawn_blocking(move || {
        for i in 0..10 {
            run(
                "ip",
                &[
                    "-n",
                    &name,
                    "link",
                    "add",
                    &format!("ea{i}"),
                    "type",
                    "veth",
                    "peer",
                    "name",
                    &format!("eb{i}"),
                ],
            );
        }
    });
    let mut seen = BTreeSet::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while seen.len() < 20 {
            let m = events.next().await.unwrap().unwrap();
            if m.header.kind == RTM_NEWLINK {
                if let Some(n) = link_name(&m) {
                    if n.starts_with('e') {
                        seen.insert(n);
                    }
                }
            }
        }
    })
    .await
    .expect("every new link reported");
    maker.await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        assert!(w.await.unwrap() > 0);
    }
    assert_eq!(conn.late_dropped(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_at_every_await_point_leaves_the_connection_working() {
    if !privileged("async cancellation") {
        return;
    }
    let ns = TestNs::new("ascancel");
    let mut batch = String::new();
    for i in 0..10 {
        batch.push_str(&format!("link add ca{i} type veth peer name cb{i}\n"));
    }
    ns.ip_batch(&batch);
    let conn = dial(&ns, Family::ROUTE).await;
    let all = dump_link_names(&conn).await;
    assert_eq!(all.len(), 21);

    // A request: dropped unpolled, and dropped after its first poll (queued, no reply yet).
    drop(conn.execute(&get_link("lo")));
    // (On the multi-thread runtime the driver may, rarely, answer within the first poll.)
    let completed = poll_once_then_drop(conn.execute(&get_link("lo"))).await;
    assert_eq!(
        link_name(&conn.execute(&get_link("ca1")).await.unwrap()[0]).as_deref(),
        Some("ca1")
    );

    // A dump: dropped before any reply, after the first message, after the last one (before
    // its end was seen). Each time the next dump gets everything, without EBUSY.
    for stop_after in [None, Some(1), Some(all.len())] {
        let mut d = conn.dump(&link_dump()).await.unwrap();
        if let Some(n) = stop_after {
            for _ in 0..n {
                d.next().await.unwrap().unwrap();
            }
        }
        drop(d);
        assert_eq!(
            dump_link_names(&conn).await,
            all,
            "after stopping at {stop_after:?}"
        );
        assert_eq!(
            link_name(&conn.execute(&get_link("cb2")).await.unwrap()[0]).as_deref(),
            Some("cb2")
        );
    }
    // The cancelled request's reply, and the abandoned dumps' messages, were counted.
    // (The cancelled request's ACK is not counted when the request had completed, unseen,
    // before it was dropped: its reply is.)
    let expected = if completed { 21 + 20 } else { 1 + 21 + 20 };
    tokio::time::timeout(Duration::from_secs(5), async {
        while conn.late_dropped() < expected {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("late messages counted: {}", conn.late_dropped()));
}

/// A control message without `NLM_F_ACK`: the kernel answers nothing.
fn unanswered() -> Message {
    Message::new(HeaderType(0), HeaderFlags::REQUEST, vec![])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ends_pending_requests_and_timeouts_are_typed() {
    if !privileged("async close") {
        return;
    }
    let ns = TestNs::new("asclose");
    let conn = dial(&ns, Family::GENERIC).await;

    conn.set_timeout(Some(Duration::from_millis(100)));
    let start = std::time::Instant::now();
    let e = conn.execute(&unanswered()).await.unwrap_err();
    assert!(e.is_timeout() && matches!(e, Error::Timeout { .. }), "{e}");
    assert!(start.elapsed() >= Duration::from_millis(100));
    let r = conn
        .execute(&get_family("nlctrl", HeaderFlags::ACKNOWLEDGE))
        .await
        .unwrap();
    assert_eq!(family_id(&r[0]), Some(0x10));
    conn.set_timeout(None);

    let mut pending = Vec::new();
    for _ in 0..16 {
        let conn = conn.clone();
        pending.push(tokio::spawn(
            async move { conn.execute(&unanswered()).await },
        ));
    }
    let mut dump = conn
        .dump(
            &CtrlMessage::new(CtrlCommand::GetFamily)
                .to_request(HeaderFlags::DUMP)
                .unwrap(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    conn.close();
    for p in pending {
        let e = p.await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Closed { .. }), "{e}");
    }
    // The dump hands out what it had, then ends with Closed.
    let mut last = None;
    while let Some(item) = dump.next().await {
        last = Some(item);
    }
    match last {
        Some(Err(Error::Closed { .. })) | Some(Ok(_)) | None => {}
        Some(Err(e)) => panic!("{e}"),
    }
    assert!(matches!(
        conn.execute(&get_family("nlctrl", HeaderFlags::ACKNOWLEDGE))
            .await,
        Err(Error::Closed { .. })
    ));
}

#[test]
fn dial_outside_a_runtime_fails_typed() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // The future itself needs the runtime's reactor only once it registers the socket.
    let r = std::panic::catch_unwind(|| {
        let fake = netlink::tokio::FakeTransport::listener();
        AsyncConn::from_transport(fake)
    });
    assert!(
        matches!(r, Ok(Err(_))),
        "no runtime: a typed error, not a panic"
    );
    drop(rt);
}

/// `RTM_NEWROUTE` (create, exclusive) for 10.{1 + i/256}.{i % 256}.0/24 via 10.0.0.2,
/// without `ACKNOWLEDGE`: the batch adds it.
fn add_route(i: u32) -> Message {
    let mut data = vec![2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0];
    let dst = [10, (1 + i / 256) as u8, (i % 256) as u8, 0];
    for (kind, addr) in [(1u16, dst), (5u16, [10, 0, 0, 2])] {
        data.extend_from_slice(&8u16.to_ne_bytes());
        data.extend_from_slice(&kind.to_ne_bytes());
        data.extend_from_slice(&addr);
    }
    Message::new(
        RTM_NEWROUTE,
        HeaderFlags::REQUEST | HeaderFlags::CREATE | HeaderFlags::EXCL,
        data,
    )
}

fn static_route_count(ns: &TestNs) -> usize {
    let out = std::process::Command::new("ip")
        .args(["-n", &ns.name, "-4", "route", "show", "proto", "static"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_adds_two_thousand_routes_and_a_duplicate_fails_alone() {
    if !privileged("batch_adds_two_thousand_routes_and_a_duplicate_fails_alone") {
        return;
    }
    let ns = TestNs::with_veth("asbatch");
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    // A small receive buffer (the kernel doubles it: 32 KiB) holds about 36 acknowledgements,
    // fewer than the driver would pack into one sendmsg (64): only the window keeps them
    // from overflowing it.
    let config = Config {
        read_buffer: 16 * 1024,
        ..ns.config()
    };
    let conn = AsyncConn::dial(Family::ROUTE, config).await.unwrap();
    let rcvbuf = conn.socket().unwrap().read_buffer_len().unwrap();
    assert!(rcvbuf < 64 * 832, "{rcvbuf}");

    let n = 2000u32;
    let dup = 1000usize;
    let requests: Vec<Message> = (0..n)
        .map(add_route)
        .enumerate()
        .flat_map(|(i, m)| {
            // After route 1000, route 7 again: EEXIST.
            let again = (i == dup - 1).then(|| add_route(7));
            std::iter::once(m).chain(again)
        })
        .collect();
    assert_eq!(requests.len(), n as usize + 1);
    let results = conn.execute_batch(&requests).await;
    assert_eq!(results.len(), requests.len());
    for (i, r) in results.iter().enumerate() {
        if i == dup {
            let e = r.as_ref().unwrap_err();
            assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
        } else {
            assert!(r.as_ref().is_ok_and(|v| v.is_empty()), "request {i}: {r:?}");
        }
    }
    assert_eq!(static_route_count(&ns), n as usize);
    assert_eq!(conn.event_overruns(), 0);
    assert_eq!(conn.late_dropped(), 0);
    // The connection still works for single requests.
    let replies = conn.execute(&get_link("va")).await.unwrap();
    assert_eq!(replies.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_route_requests_work_on_the_async_connection() {
    if !privileged("typed_route_requests_work_on_the_async_connection") {
        return;
    }
    use netlink::route::constants::AF_INET;
    use netlink::route::{request, AddressMessage, IpNet};
    let ns = TestNs::new("async-typed");
    let conn = dial(&ns, Family::ROUTE).await;
    let net: IpNet = "10.9.0.1/24".parse().unwrap();
    // The same request builders as the synchronous RouteHandle.
    conn.request_ack(&request::add_address(1, net))
        .await
        .unwrap();
    let addrs: Vec<AddressMessage> = conn
        .request_all(&request::dump_addresses(AF_INET, 1))
        .await
        .unwrap();
    assert!(
        addrs
            .iter()
            .any(|a| a.local() == Some("10.9.0.1".parse().unwrap()) && a.header.prefix_len == 24),
        "{addrs:?}"
    );
    // Kernel refusals are the same typed errors as on Conn.
    let again = conn
        .request_ack(&request::add_address(1, net))
        .await
        .unwrap_err();
    assert_eq!(
        again.op_error().map(|o| o.errno),
        Some(libc::EEXIST),
        "{again}"
    );
    let missing = conn
        .request_ack(&request::add_address(9999, net))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    // The connection still answers after the errors.
    conn.request_ack(&request::delete_address(1, net))
        .await
        .unwrap();
}

/// With no request in flight the reactor is not told of the socket unless the connection
/// listens: a connection that took its event stream must still get every event while it
/// sends nothing at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_with_no_request_in_flight() {
    if !privileged("async idle events") {
        return;
    }
    let ns = TestNs::new("asidle");
    let (conn, mut events) = link_events(&ns).await;
    let name = ns.name.clone();
    let maker = tokio::task::spawn_blocking(move || {
        run(
            "ip",
            &[
                "-n", &name, "link", "add", "ia0", "type", "veth", "peer", "name", "ib0",
            ],
        );
    });
    let mut seen = BTreeSet::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while seen.len() < 2 {
            let m = events.next().await.unwrap().unwrap();
            if m.header.kind == RTM_NEWLINK {
                if let Some(n) = link_name(&m) {
                    if n.starts_with('i') {
                        seen.insert(n);
                    }
                }
            }
        }
    })
    .await
    .expect("both new links reported with no request in flight");
    maker.await.unwrap();
    assert_eq!(conn.datagrams_sent(), 0, "no request was sent");
}

/// A slow reader of a large dump with a small `dump_buffer`: the connection stops reading
/// for the dump while the stream is behind and reads on when it catches up, so the dump
/// arrives whole and in order, and requests made meanwhile are answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_of_a_large_dump_gets_it_whole_while_requests_go_on() {
    if !privileged("a_slow_reader_of_a_large_dump_gets_it_whole_while_requests_go_on") {
        return;
    }
    let ns = TestNs::with_veth("asslow");
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    let conn = AsyncConn::dial_with(
        Family::ROUTE,
        ns.config(),
        netlink::tokio::Options {
            dump_buffer: 4096,
            ..netlink::tokio::Options::default()
        },
    )
    .await
    .unwrap();
    let n = 3000u32;
    let requests: Vec<Message> = (0..n).map(add_route).collect();
    for r in conn.execute_batch(&requests).await {
        r.unwrap();
    }
    assert_eq!(static_route_count(&ns), n as usize);

    let mut data = vec![0u8; 12];
    data[0] = libc::AF_INET as u8;
    let dump = Message::new(RTM_GETROUTE, HeaderFlags::REQUEST | HeaderFlags::DUMP, data);
    let mut stream = conn.dump(&dump).await.unwrap();
    // Requests from another task while the dump is read slowly.
    let asker = tokio::spawn({
        let conn = conn.clone();
        async move {
            for _ in 0..50 {
                let replies = conn.execute(&get_link("va")).await.unwrap();
                assert_eq!(replies.len(), 1);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    });
    let mut seen = BTreeSet::new();
    let mut count = 0usize;
    while let Some(m) = tokio::time::timeout(Duration::from_secs(30), stream.next())
        .await
        .expect("the dump goes on when its reader catches up")
    {
        let m = m.unwrap();
        assert_eq!(m.header.kind, RTM_NEWROUTE);
        count += 1;
        // Destinations 10.x.y.0/24 of the routes added: each exactly once.
        if m.data.len() >= 12 && m.data[1] == 24 {
            let mut ad = netlink::AttributeDecoder::new(&m.data[12..]);
            while ad.advance() {
                let dst = ad.attr().unwrap().payload();
                if ad.attr_type() == RTA_DST && dst.len() == 4 && dst[0] == 10 && dst[1] >= 1 {
                    assert!(seen.insert(dst.to_vec()), "a route twice");
                }
            }
        }
        if count % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    asker.await.unwrap();
    assert_eq!(seen.len(), n as usize);
    assert!(count >= n as usize);
    assert_eq!(conn.late_dropped(), 0);
}
