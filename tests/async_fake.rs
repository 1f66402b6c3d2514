//! The async connection over the fake transport: routing by sequence number, batching,
//! errors, cancellation, close, timeouts, back-pressure, events and dumps, without a kernel.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use netlink::testing::{ack, done, error, multipart};
use netlink::tokio::{AsyncConn, FakeTransport, Options};
use netlink::{Error, HeaderFlags, HeaderType, Message, RecvInfo};

const ECHO: HeaderType = HeaderType(0x20);

fn request(n: u32) -> Message {
    Message::new(
        ECHO,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        n.to_ne_bytes().to_vec(),
    )
}

/// A reply repeating the request's payload, then the acknowledgement.
fn echo(req: &Message) -> Result<Vec<Message>, Error> {
    let mut reply = Message::new(ECHO, HeaderFlags::EMPTY, req.data.clone());
    reply.header.sequence = req.header.sequence;
    Ok(vec![reply, ack(req)])
}

fn payload_u32(m: &Message) -> u32 {
    u32::from_ne_bytes(m.data[..4].try_into().unwrap())
}

fn conn_with(fake: &Arc<FakeTransport>, options: Options) -> AsyncConn {
    AsyncConn::from_transport_with(Arc::clone(fake), true, options).unwrap()
}

fn conn(fake: &Arc<FakeTransport>) -> AsyncConn {
    conn_with(fake, Options::default())
}

/// Polls `fut` once and drops it.
async fn poll_once_then_drop<F: std::future::Future>(fut: F) -> bool {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_task_gets_its_own_replies_and_requests_share_sendmsg_calls() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    let mut tasks = Vec::new();
    for t in 0..32u32 {
        let conn = conn.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..200u32 {
                let n = t * 1000 + i;
                let replies = conn.execute(&request(n)).await.unwrap();
                assert_eq!(replies.len(), 1, "the ACK is consumed after data");
                assert_eq!(payload_u32(&replies[0]), n);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(fake.requests().len(), 32 * 200);
    // Requests issued together left together.
    assert!(
        conn.datagrams_sent() < 32 * 200,
        "{} sendmsg calls for {} requests",
        conn.datagrams_sent(),
        32 * 200
    );
    assert_eq!(conn.late_dropped(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn queued_requests_go_out_in_one_sendmsg() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    let reqs: Vec<_> = (0..50).map(request).collect();
    let futs: Vec<_> = reqs.iter().map(|r| conn.execute(r)).collect();
    let mut set = Vec::new();
    for f in futs {
        set.push(f);
    }
    let results = join_all(set).await;
    for (n, r) in results.into_iter().enumerate() {
        assert_eq!(payload_u32(&r.unwrap()[0]), n as u32);
    }
    assert_eq!(fake.sends(), 1, "50 requests polled together: one sendmsg");
}

/// Drives futures concurrently on the current task (no extra dependency).
async fn join_all<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futs.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *o = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn replies_in_reverse_order_reach_their_callers() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = conn(&fake);
    let c2 = conn.clone();
    let f2 = Arc::clone(&fake);
    let answer = tokio::spawn(async move {
        // Wait until all five requests were sent, then answer the last first.
        while f2.requests().len() < 5 {
            tokio::task::yield_now().await;
        }
        for req in f2.requests().iter().rev() {
            f2.push(&echo(req).unwrap());
        }
        drop(c2);
    });
    let reqs: Vec<_> = (0..5).map(request).collect();
    let results = join_all(reqs.iter().map(|r| conn.execute(r)).collect()).await;
    answer.await.unwrap();
    for (n, r) in results.into_iter().enumerate() {
        assert_eq!(payload_u32(&r.unwrap()[0]), n as u32);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_error_belongs_to_its_request_only() {
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        if payload_u32(req) == 3 {
            Ok(vec![error(libc::ENOENT, req)])
        } else {
            echo(req)
        }
    }));
    let conn = conn(&fake);
    let reqs: Vec<_> = (0..6).map(request).collect();
    let results = join_all(reqs.iter().map(|r| conn.execute(r)).collect()).await;
    for (n, r) in results.into_iter().enumerate() {
        if n == 3 {
            let e = r.unwrap_err();
            assert!(e.is_not_found(), "{e}");
            assert_eq!(
                e.op_error().unwrap().sequence,
                fake.requests()[3].header.sequence
            );
        } else {
            assert_eq!(payload_u32(&r.unwrap()[0]), n as u32);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn forged_replies_are_dropped_and_counted() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = conn(&fake);
    let f2 = Arc::clone(&fake);
    tokio::spawn(async move {
        while f2.requests().is_empty() {
            tokio::task::yield_now().await;
        }
        let req = f2.requests()[0].clone();
        let mut forged = echo(&req).unwrap();
        forged[0].data = 666u32.to_ne_bytes().to_vec();
        f2.push_with_info(
            &forged,
            RecvInfo {
                sender_pid: 4242,
                ..RecvInfo::default()
            },
        );
        f2.push(&echo(&req).unwrap());
    });
    let replies = conn.execute(&request(7)).await.unwrap();
    assert_eq!(payload_u32(&replies[0]), 7);
    assert_eq!(conn.forged_dropped(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_dropped_request_never_hands_its_replies_to_another() {
    let fake = Arc::new(FakeTransport::new(echo));
    fake.hold(true);
    let conn = conn(&fake);
    // Cancelled before any reply: polled once (so it was queued), then dropped.
    assert!(!poll_once_then_drop(conn.execute(&request(1))).await);
    // Cancelled before it was even queued.
    drop(conn.execute(&request(2)));
    // Let the driver send the first request while replies are held.
    tokio::task::yield_now().await;
    let next = tokio::spawn({
        let conn = conn.clone();
        async move { conn.execute(&request(3)).await }
    });
    tokio::task::yield_now().await;
    fake.hold(false);
    let replies = next.await.unwrap().unwrap();
    assert_eq!(payload_u32(&replies[0]), 3);
    // The first request's reply and ACK arrived for nobody.
    tokio::time::timeout(Duration::from_secs(5), async {
        while conn.late_dropped() < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    assert_eq!(
        fake.requests().len(),
        2,
        "the never-polled request was never sent"
    );
}

/// One task making requests one after another gets them sent at once (no yield); when many
/// tasks make requests again, they share `sendmsg` calls again.
#[tokio::test(flavor = "current_thread")]
async fn one_task_alone_then_many_tasks_share_sendmsg_again() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    for n in 0..200u32 {
        let replies = tokio::time::timeout(Duration::from_secs(10), conn.execute(&request(n)))
            .await
            .expect("a request alone completes")
            .unwrap();
        assert_eq!(payload_u32(&replies[0]), n);
    }
    assert_eq!(conn.datagrams_sent(), 200);
    let before = conn.datagrams_sent();
    let mut tasks = Vec::new();
    for t in 0..16u32 {
        let conn = conn.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100u32 {
                let n = 1000 + t * 100 + i;
                let replies = conn.execute(&request(n)).await.unwrap();
                assert_eq!(payload_u32(&replies[0]), n);
            }
        }));
    }
    tokio::time::timeout(Duration::from_secs(30), async {
        for t in tasks {
            t.await.unwrap();
        }
    })
    .await
    .expect("the tasks complete");
    let sent = conn.datagrams_sent() - before;
    assert!(
        sent < 16 * 100 / 4,
        "{sent} sendmsg calls for 1600 requests from 16 tasks"
    );
    assert_eq!(conn.late_dropped(), 0);
}

/// The first request of a batch is sent by its own task on its next poll, with the requests
/// made meanwhile: when that task goes away first, the driver sends the batch instead.
#[tokio::test(flavor = "current_thread")]
async fn a_batch_whose_sender_went_away_is_sent_by_the_driver() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    // A request first, so that the driver task has run and waits for work.
    assert_eq!(payload_u32(&conn.execute(&request(0)).await.unwrap()[0]), 0);
    tokio::task::yield_now().await;
    let (r1, r2) = (request(1), request(2));
    let mut first = Box::pin(conn.execute(&r1));
    let mut second = Box::pin(conn.execute(&r2));
    std::future::poll_fn(|cx| {
        assert!(first.as_mut().poll(cx).is_pending());
        assert!(second.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    drop(first);
    let replies = tokio::time::timeout(Duration::from_secs(10), second)
        .await
        .expect("the request that joined the batch is sent anyway")
        .unwrap();
    assert_eq!(payload_u32(&replies[0]), 2);
    assert_eq!(fake.sends(), 2, "both requests left in one sendmsg");
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ends_every_pending_request_with_closed() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = conn(&fake);
    let mut tasks = Vec::new();
    for n in 0..10 {
        let conn = conn.clone();
        tasks.push(tokio::spawn(async move { conn.execute(&request(n)).await }));
    }
    while fake.requests().len() < 10 {
        tokio::task::yield_now().await;
    }
    conn.close();
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Closed { .. }), "{e}");
    }
    assert!(matches!(
        conn.execute(&request(0)).await,
        Err(Error::Closed { .. })
    ));
    assert!(conn.is_closed());
}

#[tokio::test(flavor = "current_thread")]
async fn a_timeout_is_typed_and_leaves_the_connection_usable() {
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        if payload_u32(req) == 0 {
            Ok(vec![]) // never answered
        } else {
            echo(req)
        }
    }));
    let conn = conn_with(
        &fake,
        Options {
            timeout: Some(Duration::from_millis(50)),
            ..Options::default()
        },
    );
    let start = std::time::Instant::now();
    let e = conn.execute(&request(0)).await.unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(matches!(e, Error::Timeout { .. }));
    assert!(start.elapsed() >= Duration::from_millis(50));
    let replies = conn.execute(&request(5)).await.unwrap();
    assert_eq!(payload_u32(&replies[0]), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_are_bounded() {
    let fake = Arc::new(FakeTransport::new(echo));
    fake.hold(true);
    let conn = conn_with(
        &fake,
        Options {
            max_in_flight: 4,
            ..Options::default()
        },
    );
    let done_count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for n in 0..10 {
        let conn = conn.clone();
        let done_count = Arc::clone(&done_count);
        tasks.push(tokio::spawn(async move {
            let r = conn.execute(&request(n)).await.unwrap();
            done_count.fetch_add(1, Ordering::Relaxed);
            assert_eq!(payload_u32(&r[0]), n);
        }));
    }
    tokio::time::timeout(Duration::from_secs(10), async {
        while fake.requests().len() < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    // Time for any more to go out, were the bound not kept.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fake.requests().len(), 4, "only 4 requests may be in flight");
    assert_eq!(done_count.load(Ordering::Relaxed), 0);
    fake.hold(false);
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(fake.requests().len(), 10);
}

fn event(n: u32) -> Message {
    Message::new(HeaderType(16), HeaderFlags::EMPTY, n.to_ne_bytes().to_vec())
}

#[tokio::test(flavor = "current_thread")]
async fn events_arrive_between_replies_and_overruns_are_items() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn_with(
        &fake,
        Options {
            event_capacity: 3,
            ..Options::default()
        },
    );
    let mut events = conn.events().unwrap();
    assert!(conn.events().is_err(), "one event stream at a time");
    // A multicast message carrying a request's sequence number is still an event.
    fake.push_event(&[event(1)], 1);
    let r = conn.execute(&request(9)).await.unwrap();
    assert_eq!(payload_u32(&r[0]), 9);
    assert_eq!(payload_u32(&events.next().await.unwrap().unwrap()), 1);

    // Five events into a queue of three: three, then one overrun item, and the stream goes on.
    for n in 10..15 {
        fake.push_event(&[event(n)], 1);
    }
    conn.execute(&request(1)).await.unwrap();
    for n in 10..13 {
        assert_eq!(payload_u32(&events.next().await.unwrap().unwrap()), n);
    }
    let e = events.next().await.unwrap().unwrap_err();
    assert!(e.is_overrun(), "{e}");
    fake.push_event(&[event(20)], 1);
    assert_eq!(payload_u32(&events.next().await.unwrap().unwrap()), 20);
    assert_eq!(conn.event_overruns(), 1);

    // A kernel ENOBUFS: an overrun item, and the request waiting for replies fails typed.
    fake.hold(true);
    let pending = tokio::spawn({
        let conn = conn.clone();
        async move { conn.execute(&request(2)).await }
    });
    while fake.requests().len() < 3 {
        tokio::task::yield_now().await;
    }
    fake.push_error(Error::Overrun { op: "receive" });
    // The error is queued behind the held reply: deliver the queue in order.
    fake.hold(false);
    let r = pending.await.unwrap();
    // Either the reply came first (the request completed) or the overrun failed it.
    if let Err(e) = r {
        assert!(e.is_overrun(), "{e}");
    }
    let e = events.next().await.unwrap().unwrap_err();
    assert!(e.is_overrun());
    // Still usable.
    assert_eq!(payload_u32(&conn.execute(&request(3)).await.unwrap()[0]), 3);
    conn.close();
    assert!(events.next().await.is_none(), "the stream ends at close");
}

const DUMP: HeaderType = HeaderType(0x30);

fn dump_request() -> Message {
    Message::new(DUMP, HeaderFlags::REQUEST | HeaderFlags::DUMP, vec![])
}

fn dump_handler(parts: u32) -> impl FnMut(&Message) -> Result<Vec<Message>, Error> + Send {
    move |req: &Message| {
        if req.header.kind == DUMP {
            Ok(multipart(
                (0..parts)
                    .map(|n| Message::new(DUMP, HeaderFlags::EMPTY, n.to_ne_bytes().to_vec()))
                    .collect(),
            ))
        } else {
            echo(req)
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn dumps_stream_and_can_be_dropped_at_every_point() {
    let fake = Arc::new(FakeTransport::new(dump_handler(5)));
    let conn = conn(&fake);
    // Complete.
    let all = conn
        .dump(&dump_request())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(payload_u32).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );

    // Dropped before any reply was taken.
    drop(conn.dump(&dump_request()).await.unwrap());
    // Dropped after the first message.
    let mut d = conn.dump(&dump_request()).await.unwrap();
    assert_eq!(payload_u32(&d.next().await.unwrap().unwrap()), 0);
    drop(d);
    // Dropped after the last message, before the end was seen.
    let mut d = conn.dump(&dump_request()).await.unwrap();
    for n in 0..5 {
        assert_eq!(payload_u32(&d.next().await.unwrap().unwrap()), n);
    }
    drop(d);
    // Requests and a new dump still work and get only their own replies.
    assert_eq!(payload_u32(&conn.execute(&request(8)).await.unwrap()[0]), 8);
    let all = conn
        .dump(&dump_request())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    tokio::time::timeout(Duration::from_secs(5), async {
        // 1 + 4 + 1 (the DONE of the last one is consumed, no data left) messages discarded.
        while conn.late_dropped() < 5 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_second_dump_waits_for_the_first() {
    let fake = Arc::new(FakeTransport::new(dump_handler(3)));
    fake.hold(true);
    let conn = conn(&fake);
    let mut a = conn.dump(&dump_request()).await.unwrap();
    let mut b = conn.dump(&dump_request()).await.unwrap();
    let r = tokio::spawn({
        let conn = conn.clone();
        async move { conn.execute(&request(4)).await }
    });
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    // The first dump and the plain request went out; the second dump waits.
    let kinds: Vec<_> = fake.requests().iter().map(|m| m.header.kind).collect();
    assert_eq!(kinds, [DUMP, ECHO]);
    fake.hold(false);
    assert_eq!(payload_u32(&r.await.unwrap().unwrap()[0]), 4);
    let mut n = 0;
    while let Some(m) = a.next().await {
        m.unwrap();
        n += 1;
    }
    assert_eq!(n, 3);
    let mut n = 0;
    while let Some(m) = b.next().await {
        m.unwrap();
        n += 1;
    }
    assert_eq!(n, 3);
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test(flavor = "current_thread")]
async fn interrupted_dumps_and_dump_errors_are_typed() {
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        let mut parts = multipart(vec![
            Message::new(DUMP, HeaderFlags::EMPTY, vec![1, 0, 0, 0]),
            Message::new(DUMP, HeaderFlags::EMPTY, vec![2, 0, 0, 0]),
        ]);
        if req.data.is_empty() {
            parts[1].header.flags |= HeaderFlags::DUMP_INTERRUPTED;
        } else {
            let last = parts.len() - 1;
            parts[last] = netlink::testing::done_error(libc::EINVAL, &Default::default());
        }
        Ok(parts)
    }));
    let conn = conn(&fake);
    let mut d = conn.dump(&dump_request()).await.unwrap();
    assert!(d.next().await.unwrap().is_ok());
    assert!(d.next().await.unwrap().is_ok());
    let e = d.next().await.unwrap().unwrap_err();
    assert!(e.is_dump_interrupted(), "{e}");
    assert!(d.next().await.is_none());
    // Collected, the interruption carries every reply.
    match conn.execute(&dump_request()).await {
        Err(Error::DumpInterrupted { partial }) => assert_eq!(partial.len(), 2),
        other => panic!("{other:?}"),
    }
    let mut req = dump_request();
    req.data = vec![1, 0, 0, 0];
    let err = conn.dump(&req).await.unwrap().collect().await.unwrap_err();
    assert_eq!(err.errno(), Some(libc::EINVAL));
    let _ = done();
}

#[tokio::test(flavor = "current_thread")]
async fn typed_dumps_decode_with_the_derived_codec() {
    use netlink::genl::{CtrlCommand, CtrlMessage};
    use netlink::NlAttrs;
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        let replies = ["nlctrl", "devlink"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut m = CtrlMessage::new(CtrlCommand::NewFamily);
                m.family_name = Some((*name).to_owned());
                m.family_id = Some(16 + i as u16);
                Message::new(req.header.kind, HeaderFlags::EMPTY, m.to_bytes().unwrap())
            })
            .collect();
        Ok(multipart(replies))
    }));
    let conn = conn(&fake);
    let request = CtrlMessage::new(CtrlCommand::GetFamily)
        .to_request(HeaderFlags::DUMP)
        .unwrap();
    let families: Vec<CtrlMessage> = conn
        .dump_as(&request)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let ids: Vec<_> = families.iter().map(|f| f.family_id.unwrap()).collect();
    assert_eq!(ids, [16, 17]);
    assert_eq!(families[1].family_name.as_deref(), Some("devlink"));
    let all: Vec<CtrlMessage> = conn.execute_as(&request).await.unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_every_handle_closes_the_connection() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = conn(&fake);
    let mut events = conn.events().unwrap();
    let weak_probe = Arc::downgrade(&fake);
    drop(conn);
    // The event stream keeps the connection alive; it ends only when closed.
    fake.push_event(&[event(1)], 1);
    assert_eq!(payload_u32(&events.next().await.unwrap().unwrap()), 1);
    drop(events);
    // The driver task lets go of the transport.
    tokio::time::timeout(Duration::from_secs(5), async {
        while weak_probe.strong_count() > 1 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn direct_requests_complete_in_their_first_poll() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn_with(
        &fake,
        Options {
            direct: true,
            ..Options::default()
        },
    );
    for n in 0..5 {
        let req = request(n);
        let mut fut = Box::pin(conn.execute(&req));
        let r = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        match r {
            Poll::Ready(r) => assert_eq!(payload_u32(&r.unwrap()[0]), n),
            Poll::Pending => panic!("request {n} waited for the driver"),
        }
    }
    assert_eq!(fake.sends(), 5);
    // With requests in flight, a direct request falls back to the driver and still works.
    fake.hold(true);
    let reqs: Vec<_> = (10..20).map(request).collect();
    let futs = join_all(reqs.iter().map(|r| conn.execute(r)).collect());
    let release = async {
        tokio::task::yield_now().await;
        fake.hold(false);
    };
    let (results, ()) = tokio::join!(futs, release);
    for (r, n) in results.into_iter().zip(10..) {
        assert_eq!(payload_u32(&r.unwrap()[0]), n);
    }
}

#[test]
fn a_runtime_shutdown_ends_pending_requests_with_closed() {
    let fake = Arc::new(FakeTransport::listener());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let conn = rt.block_on(async { conn(&fake) });
    // The runtime, and the driver task with it, goes away while a request waits.
    drop(rt);
    let other = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = other.block_on(async {
        tokio::time::timeout(Duration::from_secs(5), conn.execute(&request(1))).await
    });
    assert!(
        matches!(r, Ok(Err(Error::Closed { .. }))),
        "no driver: Closed, not a hang: {r:?}"
    );
}

/// A request without flags: the batch must add `REQUEST` and `ACKNOWLEDGE` itself.
fn bare(n: u32) -> Message {
    Message::new(ECHO, HeaderFlags::EMPTY, n.to_ne_bytes().to_vec())
}

#[tokio::test(flavor = "current_thread")]
async fn batch_gives_each_request_its_own_result_in_order() {
    // Request 5 fails with EEXIST; every other one is echoed and acknowledged.
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        assert!(req
            .header
            .flags
            .contains(HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE));
        if payload_u32(req) == 5 {
            Ok(vec![error(libc::EEXIST, req)])
        } else {
            echo(req)
        }
    }));
    let conn = conn(&fake);
    let results = conn.execute_batch((0..12u32).map(bare)).await;
    assert_eq!(results.len(), 12);
    for (i, r) in results.iter().enumerate() {
        if i == 5 {
            let e = r.as_ref().unwrap_err();
            assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
        } else {
            let replies = r.as_ref().unwrap();
            assert_eq!(replies.len(), 1, "request {i}: the ACK is left out");
            assert_eq!(payload_u32(&replies[0]), i as u32);
        }
    }
    // Submitted in order: the sequence numbers count up with the index.
    let sent = fake.requests();
    assert_eq!(sent.len(), 12);
    assert!(sent
        .windows(2)
        .all(|w| payload_u32(&w[0]) < payload_u32(&w[1])));
    assert!(sent
        .windows(2)
        .all(|w| w[0].header.sequence < w[1].header.sequence));
    // Without a window limit, the requests shared sendmsg calls.
    assert!(fake.sends() < 12, "{} sends", fake.sends());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_keeps_at_most_one_window_in_flight() {
    let fake = Arc::new(FakeTransport::new(echo));
    fake.hold(true);
    let conn = conn(&fake);
    let batch = tokio::spawn({
        let conn = conn.clone();
        async move {
            conn.execute_batch_with_options(
                (0..10u32).map(request),
                &netlink::batch::BatchOptions {
                    window: 3,
                    ..Default::default()
                },
            )
            .await
        }
    });
    // The first window goes out; while its answers are held back, nothing more is sent.
    for _ in 0..5000 {
        if fake.requests().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fake.requests().len(), 3, "more than a window in flight");
    fake.hold(false);
    let results = batch.await.unwrap();
    assert_eq!(results.len(), 10);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(payload_u32(&r.as_ref().unwrap()[0]), i as u32);
    }
    assert_eq!(fake.requests().len(), 10);
    // Four windows (3 + 3 + 3 + 1), each at least one sendmsg.
    assert!(fake.sends() >= 4, "{} sends", fake.sends());
}

#[tokio::test(flavor = "current_thread")]
async fn batch_reports_an_unencodable_request_without_sending_it() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    let mut wrong = request(1);
    wrong.header.length = 3;
    let results = conn.execute_batch([request(0), wrong, request(2)]).await;
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(
        matches!(results[1], Err(Error::Encode(_))),
        "{:?}",
        results[1]
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn acknowledgements_of_every_form_end_their_request() {
    let fake = Arc::new(FakeTransport::new(|req: &Message| {
        let n = payload_u32(req);
        let mut reply = Message::new(ECHO, HeaderFlags::EMPTY, vec![7, 7, 7, 7, n as u8]);
        reply.header.sequence = req.header.sequence;
        let mut a = ack(req);
        match n {
            // An uncapped success acknowledgement: the whole request echoed.
            2 => {
                a.header.flags = HeaderFlags::EMPTY;
                a.data.truncate(4);
                a.data.extend_from_slice(&req.to_bytes().unwrap());
            }
            // A success acknowledgement with extended-acknowledgement attributes.
            3 => {
                let ext = netlink::ExtAck {
                    message: Some("just so you know".into()),
                    ..Default::default()
                };
                a = netlink::testing::error_ext(0, req, &ext);
            }
            // A capped acknowledgement of the same size as a success, with an error code.
            4 => return Ok(vec![reply, error(libc::EPERM, req)]),
            _ => {}
        }
        if n == 1 {
            Ok(vec![a])
        } else {
            Ok(vec![reply, a])
        }
    }));
    let conn = conn(&fake);
    for n in 0..5u32 {
        let req = request(n);
        let r = conn.execute_raw(req.header, &req.data).await;
        match n {
            1 => {
                // The sole acknowledgement is the reply.
                let r = r.unwrap();
                let msgs: Vec<_> = r.iter().collect();
                assert_eq!(msgs.len(), 1);
                assert_eq!(msgs[0].header.kind, HeaderType::ERROR);
                assert_eq!(msgs[0].data.len(), 20);
            }
            4 => assert_eq!(r.unwrap_err().errno(), Some(libc::EPERM)),
            _ => {
                // The reply as sent (5 bytes of payload), padded with zeros to 4 bytes.
                let r = r.unwrap();
                let msgs: Vec<_> = r.iter().collect();
                assert_eq!(msgs.len(), 1, "request {n}");
                assert_eq!(msgs[0].header.kind, ECHO);
                assert_eq!(msgs[0].header.length, 21);
                assert_eq!(msgs[0].data, &[7, 7, 7, 7, n as u8][..]);
                assert_eq!(r.as_bytes().len(), 24);
                assert_eq!(&r.as_bytes()[21..], &[0, 0, 0][..]);
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_read_that_brings_every_reply_due_is_not_followed_by_an_empty_one() {
    // Two datagrams per request (the reply, then the acknowledgement) fill a room of two:
    // all that is due is in, so no second read looks for more.
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn_with(
        &fake,
        Options {
            recv_batch: 2,
            ..Options::default()
        },
    );
    for i in 0..20u32 {
        let replies = conn.execute(&request(i)).await.unwrap();
        assert_eq!(payload_u32(&replies[0]), i);
    }
    assert_eq!(fake.sends(), 20);
    assert_eq!(fake.receives(), 20, "one receive call per request");
    assert_eq!(fake.queued(), 0);
    // With an event stream taken, events are due at any time: a full read is followed by
    // another.
    let _events = conn.events().unwrap();
    let before = fake.receives();
    let replies = conn.execute(&request(99)).await.unwrap();
    assert_eq!(payload_u32(&replies[0]), 99);
    assert!(
        fake.receives() >= before + 2,
        "{}",
        fake.receives() - before
    );
}

#[tokio::test]
async fn a_declared_length_is_filled_in_when_zero_and_checked_otherwise() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    let mut req = request(7);
    // Zero: the driver fills in the header's 16 bytes plus the payload's 4.
    let replies = conn.execute(&req).await.unwrap();
    assert_eq!(payload_u32(&replies[0]), 7);
    assert_eq!(fake.requests()[0].header.length, 20);
    // A wrong non-zero length is refused before anything is sent.
    req.header.length = 99;
    match conn.execute(&req).await {
        Err(Error::Encode(netlink::EncodeError::LengthMismatch {
            header_len: 99,
            actual: 20,
        })) => {}
        other => panic!("expected a length mismatch, got {other:?}"),
    }
    assert_eq!(fake.requests().len(), 1);
}

/// The driver stops waiting for datagrams once nothing is due: a real socket is then out of
/// the readiness gate's epoll set (see `AsyncSocket`), which costs the kernel work for every
/// datagram while in it.
#[tokio::test(flavor = "current_thread")]
async fn the_driver_goes_idle_once_nothing_is_due() {
    let fake = Arc::new(FakeTransport::new(echo));
    fake.hold(true);
    let conn = conn(&fake);
    let pending = tokio::spawn({
        let conn = conn.clone();
        async move { conn.execute(&request(5)).await }
    });
    // Sent with its replies held: the driver waits for them.
    tokio::time::timeout(Duration::from_secs(5), async {
        while !fake.watching() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the driver waits while a reply is due");
    fake.hold(false);
    let replies = pending.await.unwrap().unwrap();
    assert_eq!(payload_u32(&replies[0]), 5);
    // Let the driver finish its turn.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!fake.watching(), "nothing is due: the driver is idle");
    // Events listened for: the driver waits again.
    let _events = conn.events().unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while !fake.watching() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the driver waits for events");
}

/// A dump whose stream does not read is not read from the socket past
/// `Options::dump_buffer` (the kernel makes the next part of a dump only when the socket is
/// read): a slow reader of a large dump holds little memory. Other requests' replies are
/// still read meanwhile, a second dump waiting for the first lets it run to the end, and a
/// stream dropped while behind lets the rest be read and discarded.
#[tokio::test(flavor = "current_thread")]
async fn a_dump_whose_stream_is_behind_is_not_read_further() {
    const PARTS: u32 = 50;
    let fake = Arc::new(FakeTransport::new(dump_handler(PARTS)));
    let conn = conn_with(
        &fake,
        Options {
            dump_buffer: 1,
            ..Options::default()
        },
    );
    let settle = || async {
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
    };
    let mut dump = conn.dump(&dump_request()).await.unwrap();
    settle().await;
    // The replies and the DONE are queued; a few datagrams at most were read.
    let total = PARTS as usize + 1;
    assert!(
        fake.queued() >= total - 4,
        "{} of {total} datagrams left: the dump was read on",
        fake.queued()
    );
    // A request meanwhile is answered: the socket is read for it.
    assert_eq!(payload_u32(&conn.execute(&request(9)).await.unwrap()[0]), 9);
    // The stream reads everything, in order.
    for n in 0..PARTS {
        let m = tokio::time::timeout(Duration::from_secs(5), dump.next())
            .await
            .expect("the stream catches up")
            .unwrap()
            .unwrap();
        assert_eq!(payload_u32(&m), n);
    }
    assert!(dump.next().await.is_none());

    // A second dump waits for the first: the first is read to its end meanwhile.
    let first = conn.dump(&dump_request()).await.unwrap();
    let second = conn.dump(&dump_request()).await.unwrap();
    let all = tokio::time::timeout(Duration::from_secs(5), second.collect())
        .await
        .expect("the second dump does not wait forever for the first")
        .unwrap();
    assert_eq!(all.len(), PARTS as usize);
    assert_eq!(first.collect().await.unwrap().len(), PARTS as usize);

    // Dropped while behind: the rest is read and discarded, and the connection goes on.
    let before = conn.late_dropped();
    let behind = conn.dump(&dump_request()).await.unwrap();
    settle().await;
    drop(behind);
    tokio::time::timeout(Duration::from_secs(5), async {
        while fake.queued() != 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the rest of a dropped dump is read");
    assert!(conn.late_dropped() >= before + u64::from(PARTS));
    assert_eq!(
        payload_u32(&conn.execute(&request(10)).await.unwrap()[0]),
        10
    );
}

/// Closing the connection while a dump's stream is behind ends the stream with `Closed`
/// after the replies it holds, and a request made after the close fails with `Closed`.
#[tokio::test(flavor = "current_thread")]
async fn a_close_while_a_dump_is_behind_ends_it() {
    let fake = Arc::new(FakeTransport::new(dump_handler(20)));
    let conn = conn_with(
        &fake,
        Options {
            dump_buffer: 1,
            ..Options::default()
        },
    );
    let mut dump = conn.dump(&dump_request()).await.unwrap();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    conn.close();
    let mut got = 0;
    let end = loop {
        match dump.next().await {
            Some(Ok(_)) => got += 1,
            Some(Err(e)) => break Some(e),
            None => break None,
        }
    };
    assert!(got < 20, "the dump was read on after the close: {got}");
    assert!(
        matches!(end, Some(Error::Closed { .. })),
        "the stream ends with Closed: {end:?}"
    );
    assert!(matches!(
        conn.execute(&request(1)).await,
        Err(Error::Closed { .. })
    ));
}

/// In the steady state a request costs no allocation for its replies: the buffer a dropped
/// `Replies` gives back holds the next request's replies.
#[tokio::test(flavor = "current_thread")]
async fn reply_buffers_are_recycled() {
    let fake = Arc::new(FakeTransport::new(echo));
    let conn = conn(&fake);
    let first = conn
        .execute_raw(request(1).header, &request(1).data)
        .await
        .unwrap();
    let ptr = first.as_bytes().as_ptr();
    drop(first);
    let second = conn
        .execute_raw(request(2).header, &request(2).data)
        .await
        .unwrap();
    assert_eq!(
        second.as_bytes().as_ptr(),
        ptr,
        "the first reply's buffer again"
    );
    assert_eq!(payload_u32(&second.to_messages()[0]), 2);
}

/// A gate that holds the next read inside `try_recv` (as a long `recvmmsg` and its routing
/// would be) until opened.
#[derive(Default)]
struct ReadGate {
    state: std::sync::Mutex<GateState>,
    cv: std::sync::Condvar,
}

#[derive(Default)]
struct GateState {
    /// The next read is to be held.
    armed: bool,
    /// A read is held.
    inside: bool,
    /// Held reads go on.
    open: bool,
}

/// A fake transport whose next read can be held (see [`ReadGate`]).
struct GatedReads {
    inner: Arc<FakeTransport>,
    gate: Arc<ReadGate>,
}

impl netlink::tokio::Transport for GatedReads {
    fn pid(&self) -> u32 {
        self.inner.pid()
    }

    fn poll_send(
        &self,
        cx: &mut std::task::Context<'_>,
        datagram: &[u8],
    ) -> Poll<Result<(), Error>> {
        self.inner.poll_send(cx, datagram)
    }

    fn try_recv(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, Error> {
        let mut g = self.gate.state.lock().unwrap();
        if g.armed {
            g.armed = false;
            g.inside = true;
            self.gate.cv.notify_all();
            while !g.open {
                g = self.gate.cv.wait(g).unwrap();
            }
            g.inside = false;
        }
        drop(g);
        self.inner.try_recv(bufs, infos)
    }

    fn poll_recv(
        &self,
        cx: &mut std::task::Context<'_>,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Poll<Result<usize, Error>> {
        self.inner.poll_recv(cx, bufs, infos)
    }
}

impl ReadGate {
    fn arm(&self) {
        self.state.lock().unwrap().armed = true;
    }

    fn inside(&self) -> bool {
        self.state.lock().unwrap().inside
    }

    fn open(&self) {
        self.state.lock().unwrap().open = true;
        self.cv.notify_all();
    }

    /// Waits (blocking the thread: a worker may be held in the read) until `cond` holds; on
    /// timeout opens the gate, so that nothing stays held, and fails.
    fn wait_until(&self, what: &str, cond: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !cond() {
            if std::time::Instant::now() > deadline {
                self.open();
                panic!("timed out waiting until {what}");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A request made while another task reads the socket is sent at once: only reading holds the
/// receive side, not sending (on a multi-thread runtime, one worker sends while another
/// reads). Before, the second request waited for the read to finish.
///
/// The second task then waits for the read: awake for `Options::read_spin`, then asleep in
/// the lock; both ways get its replies once the read ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_sent_while_another_task_reads() {
    for read_spin in [
        Duration::from_micros(100),
        Duration::ZERO,
        Duration::from_secs(1),
    ] {
        sent_while_another_task_reads(Options {
            read_spin,
            ..Options::default()
        })
        .await;
    }
}

/// The task of one request.
type Requesting = tokio::task::JoinHandle<Result<Vec<Message>, Error>>;

/// An echoing fake whose first read is held (see [`ReadGate`]), the connection over it, and
/// the task of request 1: once the gate reports a read held, that task has sent its request
/// and holds the read of its replies.
fn first_read_held(options: Options) -> (Arc<FakeTransport>, Arc<ReadGate>, AsyncConn, Requesting) {
    let fake = Arc::new(FakeTransport::new(echo));
    let gate = Arc::new(ReadGate::default());
    gate.arm();
    let conn = AsyncConn::from_transport_with(
        GatedReads {
            inner: Arc::clone(&fake),
            gate: Arc::clone(&gate),
        },
        true,
        options,
    )
    .unwrap();
    let first = spawn_request(&conn, 1);
    gate.wait_until("the first read began", || gate.inside());
    (fake, gate, conn, first)
}

/// Request `n` in a task of its own.
fn spawn_request(conn: &AsyncConn, n: u32) -> Requesting {
    let conn = conn.clone();
    tokio::spawn(async move { conn.execute(&request(n)).await })
}

async fn sent_while_another_task_reads(options: Options) {
    // The first request's task sends it, then reads its replies: held in the read.
    let (fake, gate, conn, first) = first_read_held(options);
    assert_eq!(fake.sends(), 1);
    // Another task's request goes out while that read is held.
    let second = spawn_request(&conn, 2);
    gate.wait_until(
        "the second request was sent while the first task read",
        || fake.sends() == 2,
    );
    assert!(gate.inside(), "the read is still held");
    gate.open();
    for (task, n) in [(first, 1), (second, 2)] {
        let replies = task.await.unwrap().unwrap();
        assert_eq!(payload_u32(&replies[0]), n);
    }
    assert_eq!(conn.late_dropped(), 0);
}

/// The driver task does not wait in the receive lock while another task reads: it would hold
/// up its worker and every task queued there for as long as that read takes (here, until the
/// gate opens: with the other worker held in the read, nothing would run at all). It comes
/// back to the socket once the other tasks of its worker have run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_does_not_wait_for_another_reader() {
    let (fake, gate, conn, first) = first_read_held(Options::default());
    // Taking the event stream sets the driver to work: it must read the socket now.
    let mut events = conn.events().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    // A task with nothing to do with the connection still runs, on the worker left.
    let other = tokio::spawn(async { 7 });
    gate.wait_until("another task ran while the read was held", || {
        other.is_finished()
    });
    gate.open();
    assert_eq!(other.await.unwrap(), 7);
    let replies = first.await.unwrap().unwrap();
    assert_eq!(payload_u32(&replies[0]), 1);
    // The driver reads again once the read is over: an event reaches the stream.
    fake.push_event(&[request(9)], 1);
    let m = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("the event arrives")
        .expect("the stream is open")
        .unwrap();
    assert_eq!(payload_u32(&m), 9);
}
