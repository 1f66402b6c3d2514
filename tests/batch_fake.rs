//! Batched requests against the fake socket of `netlink::testing`: one result per request in
//! order, a failing request with its own extended acknowledgement, a window sized from the
//! (simulated) receive buffer, typed recovery from an overrun, and nothing left queued.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use netlink::batch::{queued_cost, BatchEvent, BatchOptions, RawRequest};
use netlink::testing::{self, FakeSocket};
use netlink::{Conn, Error, ExtAck, Header, HeaderFlags, HeaderType, Message};

const KIND: HeaderType = HeaderType(0x20);

fn request(i: u32) -> Message {
    Message::new(KIND, HeaderFlags::CREATE, i.to_ne_bytes().to_vec())
}

fn payload_index(m: &Message) -> u32 {
    u32::from_ne_bytes(m.data[..4].try_into().unwrap())
}

/// A "kernel" that acknowledges every request, refuses request `bad` with EINVAL and an
/// extended acknowledgement, and counts datagrams.
fn kernel(bad: u32, datagrams: Arc<AtomicUsize>) -> FakeSocket {
    FakeSocket::new(move |reqs| {
        datagrams.fetch_add(1, Ordering::Relaxed);
        Ok(reqs
            .iter()
            .map(|r| {
                if payload_index(r) == bad {
                    let ext = ExtAck {
                        message: Some("request number seven is refused".into()),
                        offset: Some(16),
                        ..ExtAck::default()
                    };
                    testing::error_ext(libc::EINVAL, r, &ext)
                } else {
                    testing::ack(r)
                }
            })
            .collect())
    })
}

#[test]
fn one_result_per_request_and_the_failure_is_its_own() {
    let sent = Arc::new(AtomicUsize::new(0));
    let conn = Conn::from_socket(kernel(7, sent.clone()));
    let reqs: Vec<Message> = (0..20).map(request).collect();
    let results = conn.execute_batch(&reqs);
    assert_eq!(results.len(), 20);
    for (i, r) in results.iter().enumerate() {
        if i == 7 {
            let e = r.as_ref().unwrap_err();
            assert_eq!(e.errno(), Some(libc::EINVAL));
            let op = e.op_error().unwrap();
            assert_eq!(
                op.ext_ack.message.as_deref(),
                Some("request number seven is refused")
            );
            assert_eq!(op.ext_ack.offset, Some(16));
        } else {
            assert_eq!(r.as_ref().unwrap(), &Vec::<Message>::new(), "request {i}");
        }
    }
    // No receive buffer limit: one datagram for all.
    assert_eq!(sent.load(Ordering::Relaxed), 1);
    // Every request carried REQUEST | ACKNOWLEDGE and its own sequence number.
    let seen = conn.socket().requests();
    assert_eq!(seen.len(), 20);
    for w in seen.windows(2) {
        assert_eq!(w[1].header.sequence, w[0].header.sequence.wrapping_add(1));
    }
    assert!(seen
        .iter()
        .all(|m| m.header.flags
            == HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags::CREATE));
    // Nothing is left for the next call.
    assert_eq!(conn.socket().queued(), 0);
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn window_follows_the_receive_buffer() {
    let sent = Arc::new(AtomicUsize::new(0));
    // Room for 8 acknowledgements; seven eighths are budgeted: 7 per window.
    let cost = queued_cost(netlink::batch::ack_len(20, false));
    let conn = Conn::from_socket(kernel(u32::MAX, sent.clone()).with_read_buffer(8 * cost));
    let mut done = Vec::new();
    let summary = conn.execute_batch_with(
        (0..100).map(request),
        &BatchOptions {
            window: 64,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { index, result } = e {
                assert!(result.is_ok(), "request {index}: {result:?}");
                done.push(index);
            }
        },
    );
    assert_eq!(done, (0..100).collect::<Vec<_>>());
    assert_eq!(summary.overruns, 0);
    assert_eq!(summary.largest_window, 7);
    assert_eq!(summary.sends, 100usize.div_ceil(7));
    assert_eq!(sent.load(Ordering::Relaxed), summary.sends);
    assert_eq!((summary.succeeded, summary.failed), (100, 0));
}

/// A "kernel" that answers every request with a 3000-byte data reply (which a batch is not
/// told about unless it budgets for it) and an acknowledgement, one message per datagram,
/// with a receive buffer that holds 64 acknowledgements.
fn big_reply_kernel() -> FakeSocket {
    let handler = |reqs: &[Message]| {
        let mut out = Vec::new();
        for r in reqs {
            let mut data = Message::new(KIND, HeaderFlags::EMPTY, vec![0xab; 3000]);
            data.header.sequence = r.header.sequence;
            data.header.pid = r.header.pid;
            out.push(data);
            out.push(testing::ack(r));
        }
        Ok(out)
    };
    let cost = queued_cost(netlink::batch::ack_len(20, false));
    FakeSocket::new(handler)
        .with_messages_per_datagram(1)
        .with_read_buffer(64 * cost)
}

#[test]
fn overrun_is_reported_per_lost_request_and_the_connection_recovers() {
    // Each request gets a 3000-byte data reply that the batch was not told about: the
    // simulated buffer overflows within the first window.
    let conn = Conn::from_socket(big_reply_kernel());
    let reqs: Vec<Message> = (0..40).map(request).collect();
    let results = conn.execute_batch(&reqs);
    assert_eq!(results.len(), 40);
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let overrun = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Overrun { .. })))
        .count();
    assert_eq!(ok + overrun, 40, "{results:?}");
    assert!(overrun > 0, "the simulated buffer must overflow");
    assert!(ok > 0);
    for r in results.iter().flatten() {
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].data.len(), 3000);
    }
    // Nothing stale is left, and the next request gets its own answer.
    assert_eq!(conn.socket().queued(), 0);
    let replies = conn.execute(&request(1000)).unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].data.len(), 3000);
}

#[test]
fn reply_budget_avoids_the_overrun() {
    let conn = Conn::from_socket(big_reply_kernel());
    let mut replies = 0;
    let summary = conn.execute_batch_with(
        (0..40).map(request),
        &BatchOptions {
            reply_bytes: 3100,
            ..BatchOptions::default()
        },
        |e| match e {
            BatchEvent::Reply { message, .. } => {
                assert_eq!(message.data.len(), 3000);
                replies += 1;
            }
            BatchEvent::Done { result, .. } => result.unwrap(),
        },
    );
    assert_eq!(summary.overruns, 0);
    assert_eq!(replies, 40);
    assert!(summary.largest_window < 40);
}

#[test]
fn a_datagram_too_long_fails_its_window_instead_of_hanging() {
    // All answers in one 40 KiB datagram, longer than a 32 KiB slot.
    let conn = Conn::from_socket(FakeSocket::new(|reqs: &[Message]| {
        let mut out = Vec::new();
        for r in reqs {
            let mut data = Message::new(KIND, HeaderFlags::EMPTY, vec![0xab; 4000]);
            data.header.sequence = r.header.sequence;
            out.push(data);
            out.push(testing::ack(r));
        }
        Ok(out)
    }));
    let results = conn.execute_batch((0..10).map(request));
    assert_eq!(results.len(), 10);
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(Error::Truncated { .. }))),
        "{results:?}"
    );
    // The connection is left clean: a batch whose answers fit goes through.
    let results = conn.execute_batch((0..4).map(request));
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
}

#[test]
fn unencodable_request_fails_alone() {
    let sent = Arc::new(AtomicUsize::new(0));
    let conn = Conn::from_socket(kernel(u32::MAX, sent));
    let good = request(1);
    let mut bad = request(2);
    bad.header.length = 99; // does not match its payload
    let results = conn.execute_batch([&good, &bad, &good]);
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(results[1], Err(Error::Encode(_))), "{results:?}");
    assert_eq!(conn.socket().requests().len(), 2);
}

#[test]
fn closed_connection_fails_every_request() {
    let conn = Conn::from_socket(FakeSocket::new(testing::noop));
    conn.close().unwrap();
    let header = Header {
        kind: KIND,
        ..Header::default()
    };
    let payload = [0u8; 4];
    let results = conn.execute_batch((0..5).map(|_| RawRequest {
        header,
        payload: &payload,
    }));
    assert_eq!(results.len(), 5);
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(Error::Closed { .. }))));
}

#[test]
fn timeout_ends_the_batch_with_a_result_for_everyone() {
    // A kernel that never answers request 3.
    let conn = Conn::from_socket(FakeSocket::new(|reqs: &[Message]| {
        Ok(reqs
            .iter()
            .filter(|r| payload_index(r) != 3)
            .map(testing::ack)
            .collect())
    }));
    conn.set_read_timeout(Some(std::time::Duration::from_millis(50)));
    let summary = conn.execute_batch_with(
        (0..10).map(request),
        &BatchOptions {
            window: 4,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { index, result } = e {
                match index {
                    0..=2 => assert!(result.is_ok()),
                    _ => assert!(matches!(result, Err(Error::Timeout { .. })), "{index}"),
                }
            }
        },
    );
    assert_eq!(summary.requests, 10);
    assert_eq!((summary.succeeded, summary.failed), (3, 7));
    assert_eq!(summary.sends, 1);
}

#[test]
fn multicast_during_a_batch_is_not_a_reply() {
    let conn = Conn::from_socket(FakeSocket::new(|reqs: &[Message]| {
        Ok(reqs.iter().map(testing::ack).collect())
    }));
    // An event queued before the batch, with no sequence number.
    conn.socket()
        .push(&[Message::new(KIND, HeaderFlags::EMPTY, vec![1, 2, 3, 4])]);
    let results = conn.execute_batch((0..3).map(request));
    assert!(results
        .iter()
        .all(|r| r.as_ref().is_ok_and(|v| v.is_empty())));
    // The event was kept for the next receive, not lost.
    let kept = conn.receive().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].data, vec![1, 2, 3, 4]);
}

#[test]
fn empty_batch_sends_nothing() {
    let sent = Arc::new(AtomicUsize::new(0));
    let conn = Conn::from_socket(kernel(u32::MAX, sent.clone()));
    let results = conn.execute_batch(Vec::<Message>::new());
    assert!(results.is_empty());
    assert_eq!(sent.load(Ordering::Relaxed), 0);
}

#[test]
fn a_call_from_the_closure_ends_the_batch_with_superseded() {
    let conn = Conn::from_socket(FakeSocket::new(|reqs: &[Message]| {
        Ok(reqs.iter().map(testing::ack).collect())
    }));
    let mut results = Vec::new();
    let summary = conn.execute_batch_with(
        (0..6).map(request),
        &BatchOptions {
            window: 2,
            ..BatchOptions::default()
        },
        |e| {
            if let BatchEvent::Done { index, result } = e {
                if index == 0 {
                    // A nested call on the same thread takes the receive turn over.
                    conn.execute(&request(100)).unwrap();
                }
                results.push((index, result.map_err(|e| e.to_string())));
            }
        },
    );
    assert_eq!(summary.requests, 6);
    assert!(results[0].1.is_ok() && results[1].1.is_ok(), "{results:?}");
    for (index, r) in &results[2..] {
        assert!(
            r.as_ref().unwrap_err().contains("took the connection over"),
            "{index}: {r:?}"
        );
    }
    // Nothing of the batch was sent after the takeover, so nothing is left queued.
    assert_eq!(conn.socket().queued(), 0);
    assert_eq!(conn.socket().requests().len(), 3);
}
