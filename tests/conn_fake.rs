//! `Conn` edge cases against fake sockets (`netlink::testing`): acknowledgements after data,
//! multi-part replies, stale replies, interrupted dumps, error decoding, multicast.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netlink::testing::{self, FakeSocket, FAKE_PID};
use netlink::{Conn, Error, ExtAck, Header, HeaderFlags, HeaderType, Message, RecvInfo};

const DATA: HeaderType = HeaderType(0x20);

fn data(byte: u8) -> Message {
    Message::new(DATA, HeaderFlags::EMPTY, vec![byte; 4])
}

fn request(flags: HeaderFlags) -> Message {
    Message::new(DATA, HeaderFlags::REQUEST | flags, vec![9; 4])
}

#[test]
fn conn_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Conn>();
    check::<Conn<FakeSocket>>();
    check::<Conn<Box<dyn netlink::Socket>>>();
}

#[test]
fn send_fills_length_sequence_and_pid() {
    let conn = testing::dial(testing::noop);
    let sent = conn.send(&request(HeaderFlags::EMPTY)).unwrap();
    assert_eq!(sent.header.length, 20);
    assert_ne!(sent.header.sequence, 0);
    assert_eq!(sent.header.pid, FAKE_PID);
    assert_eq!(conn.socket().requests(), vec![sent.clone()]);

    // Given fields are kept; a wrong length is refused.
    let mut m = request(HeaderFlags::EMPTY);
    m.header.sequence = 77;
    m.header.pid = 5;
    let sent = conn.send(&m).unwrap();
    assert_eq!((sent.header.sequence, sent.header.pid), (77, 5));
    m.header.length = 99;
    assert!(matches!(conn.send(&m), Err(Error::Encode(_))));
}

#[test]
fn send_messages_is_one_datagram() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let conn = testing::dial(move |reqs| {
        seen.lock().unwrap().push(reqs.len());
        Ok(vec![])
    });
    let batch = vec![data(1), data(2), data(3)];
    let sent = conn.send_messages(&batch).unwrap();
    assert_eq!(*calls.lock().unwrap(), vec![3]);
    let seqs: Vec<u32> = sent.iter().map(|m| m.header.sequence).collect();
    assert_eq!(seqs[1], seqs[0].wrapping_add(1));
    assert_eq!(seqs[2], seqs[1].wrapping_add(1));
    assert_eq!(conn.socket().requests(), sent);
}

#[test]
fn sequence_numbers_wrap_and_skip_zero() {
    let conn = testing::dial(|reqs| Ok(vec![testing::ack(&reqs[0])]));
    conn.set_next_sequence(u32::MAX - 2);
    let mut seqs = Vec::new();
    for _ in 0..5 {
        let replies = conn.execute(&request(HeaderFlags::ACKNOWLEDGE)).unwrap();
        seqs.push(replies[0].header.sequence);
    }
    assert_eq!(seqs, vec![u32::MAX - 2, u32::MAX - 1, u32::MAX, 1, 2]);
}

#[test]
fn initial_sequence_is_random() {
    let a = testing::dial(testing::noop).next_sequence();
    let b = testing::dial(testing::noop).next_sequence();
    let c = testing::dial(testing::noop).next_sequence();
    assert!(a != b || b != c, "three connections started at {a}");
}

#[test]
fn ack_after_data_is_consumed() {
    // The reply and the acknowledgement in separate datagrams, as the kernel sends them.
    let conn = Conn::from_socket(
        FakeSocket::new(|reqs| Ok(vec![data(reqs[0].data[0]), testing::ack(&reqs[0])]))
            .with_messages_per_datagram(1),
    );
    for i in 0..3u8 {
        let mut req = request(HeaderFlags::ACKNOWLEDGE);
        req.data = vec![i; 4];
        let replies = conn.execute(&req).unwrap();
        assert_eq!(replies.len(), 1, "the acknowledgement is not returned");
        assert_eq!(replies[0].header.kind, DATA);
        assert_eq!(replies[0].data, vec![i; 4]);
    }
    // Nothing was left behind for a later call.
    assert_eq!(conn.socket().queued(), 0);
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn ack_alone_is_returned() {
    let conn = testing::dial(|reqs| Ok(vec![testing::ack(&reqs[0])]));
    let replies = conn.execute(&request(HeaderFlags::ACKNOWLEDGE)).unwrap();
    assert_eq!(replies.len(), 1);
    let ack = netlink::ack::parse_error(&replies[0].as_message_ref()).unwrap();
    assert_eq!(ack.code, 0);
    assert_eq!(ack.request.unwrap().sequence, replies[0].header.sequence);
}

#[test]
fn multipart_ended_by_ack_without_done() {
    let conn = Conn::from_socket(
        FakeSocket::new(|reqs| {
            let mut parts: Vec<Message> = (1..=3u8)
                .map(|i| {
                    let mut m = data(i);
                    m.header.flags = HeaderFlags::MULTI;
                    m
                })
                .collect();
            parts.push(testing::ack(&reqs[0]));
            Ok(parts)
        })
        .with_messages_per_datagram(2),
    );
    let replies = conn
        .execute(&request(HeaderFlags::ACKNOWLEDGE | HeaderFlags::DUMP))
        .unwrap();
    let bytes: Vec<u8> = replies.iter().map(|m| m.data[0]).collect();
    assert_eq!(bytes, vec![1, 2, 3]);
    assert_eq!(conn.socket().queued(), 0);
}

#[test]
fn multipart_across_datagrams_done_removed() {
    let conn = Conn::from_socket(
        FakeSocket::new(|_| Ok(testing::multipart((0..10u8).map(data).collect())))
            .with_messages_per_datagram(3),
    );
    let replies = conn.execute(&request(HeaderFlags::DUMP)).unwrap();
    assert_eq!(replies.len(), 10);
    assert!(replies.iter().all(|m| m.header.kind == DATA));
}

#[test]
fn streaming_dump_yields_one_at_a_time() {
    let conn = Conn::from_socket(
        FakeSocket::new(|_| Ok(testing::multipart((0..100u8).map(data).collect())))
            .with_messages_per_datagram(7),
    );
    let mut dump = conn.dump(&request(HeaderFlags::DUMP)).unwrap();
    let mut n = 0u8;
    while let Some(m) = dump.next_ref() {
        let m = m.unwrap();
        assert_eq!(m.data, &[n; 4]);
        n += 1;
    }
    assert_eq!(n, 100);
    assert!(dump.next_ref().is_none());
    drop(dump);

    // The owned iterator.
    let owned: Vec<Message> = conn
        .dump(&request(HeaderFlags::DUMP))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(owned.len(), 100);
    assert_eq!(owned[99].data, vec![99; 4]);
}

#[test]
fn abandoned_dump_leaves_nothing_for_the_next_call() {
    let conn = Conn::from_socket(
        FakeSocket::new(|reqs| {
            if reqs[0].header.flags.contains(HeaderFlags::DUMP) {
                Ok(testing::multipart((0..20u8).map(data).collect()))
            } else {
                Ok(vec![testing::ack(&reqs[0])])
            }
        })
        .with_messages_per_datagram(5),
    );
    let mut dump = conn.dump(&request(HeaderFlags::DUMP)).unwrap();
    dump.next_ref().unwrap().unwrap();
    drop(dump);
    let replies = conn.execute(&request(HeaderFlags::ACKNOWLEDGE)).unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].header.kind, HeaderType::ERROR);
    assert_eq!(
        conn.stale_dropped(),
        16,
        "15 parts and the DONE of the dump"
    );
}

#[test]
fn replies_of_a_timed_out_request_are_dropped() {
    // The first request gets no answer in time; its reply turns up later.
    let first: Arc<Mutex<Option<Message>>> = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&first);
    let conn = testing::dial(move |reqs| {
        let mut slot = keep.lock().unwrap();
        if slot.is_none() {
            *slot = Some(reqs[0].clone());
            return Ok(vec![]);
        }
        Ok(vec![data(2), testing::ack(&reqs[0])])
    });
    conn.set_read_timeout(Some(Duration::from_millis(50)));
    let t0 = Instant::now();
    let err = conn
        .execute(&request(HeaderFlags::ACKNOWLEDGE))
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.is_timeout());
    assert!(t0.elapsed() >= Duration::from_millis(50));

    // The late reply (data, then an error) of the first request arrives before the second
    // request's replies.
    let late = first.lock().unwrap().clone().unwrap();
    let mut late_data = data(1);
    late_data.header.sequence = late.header.sequence;
    late_data.header.pid = late.header.pid;
    conn.socket()
        .push(&[late_data, testing::error(libc::EPERM, &late)]);

    let replies = conn.execute(&request(HeaderFlags::ACKNOWLEDGE)).unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].data, vec![2; 4], "never the late reply");
    assert_eq!(conn.stale_dropped(), 2);
}

#[test]
fn error_reply_carries_errno_and_ext_ack() {
    let ext = ExtAck {
        message: Some("missing attribute".into()),
        offset: Some(20),
        ..ExtAck::default()
    };
    let ext2 = ext.clone();
    let conn =
        testing::dial(move |reqs| Ok(vec![testing::error_ext(libc::ENODEV, &reqs[0], &ext2)]));
    let req = request(HeaderFlags::ACKNOWLEDGE);
    let err = conn.execute(&req).unwrap_err();
    let op = err.op_error().expect("an operation error");
    assert_eq!(op.errno, libc::ENODEV);
    assert_eq!(op.op, "execute");
    assert_eq!(op.ext_ack, ext);
    assert!(op.capped);
    assert_eq!(op.sequence, conn.socket().requests()[0].header.sequence);
    assert!(err.is_not_found());
    assert!(err.to_string().contains("missing attribute"), "{err}");
}

#[test]
fn dump_ending_in_error_done() {
    let conn = testing::dial(|_| {
        let mut parts = testing::multipart(vec![data(1)]);
        parts.pop();
        parts.push(testing::done_error(
            libc::EINVAL,
            &ExtAck {
                message: Some("bad filter".into()),
                ..ExtAck::default()
            },
        ));
        Ok(parts)
    });
    let err = conn.execute(&request(HeaderFlags::DUMP)).unwrap_err();
    let op = err.op_error().unwrap();
    assert_eq!(op.errno, libc::EINVAL);
    assert_eq!(op.ext_ack.message.as_deref(), Some("bad filter"));
}

fn interrupted_dump(interrupt: bool) -> Vec<Message> {
    let mut parts = testing::multipart((0..4u8).map(data).collect());
    if interrupt {
        parts[2].header.flags |= HeaderFlags::DUMP_INTERRUPTED;
    }
    parts
}

#[test]
fn dump_interrupted_after_drain_with_partial_results() {
    let conn = Conn::from_socket(
        FakeSocket::new(|reqs| {
            if reqs[0].header.flags.contains(HeaderFlags::DUMP) {
                Ok(interrupted_dump(true))
            } else {
                Ok(vec![testing::ack(&reqs[0])])
            }
        })
        .with_messages_per_datagram(2),
    );
    let err = conn.execute(&request(HeaderFlags::DUMP)).unwrap_err();
    assert!(err.is_dump_interrupted());
    assert!(err.is_temporary());
    match err {
        Error::DumpInterrupted { partial } => {
            let bytes: Vec<u8> = partial.iter().map(|m| m.data[0]).collect();
            assert_eq!(bytes, vec![0, 1, 2, 3], "every part, the dump was drained");
        }
        other => panic!("{other}"),
    }
    // Drained: the next call gets its own reply.
    assert_eq!(
        conn.execute(&request(HeaderFlags::ACKNOWLEDGE))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(conn.stale_dropped(), 0);

    // The streaming form yields every message, then the error, then nothing.
    let mut dump = conn.dump(&request(HeaderFlags::DUMP)).unwrap();
    let mut n = 0;
    let mut interrupted = false;
    while let Some(m) = dump.next_ref() {
        match m {
            Ok(_) => n += 1,
            Err(e) => {
                assert!(e.is_dump_interrupted());
                interrupted = true;
            }
        }
    }
    assert_eq!((n, interrupted), (4, true));
}

#[test]
fn execute_consistent_retries_interrupted_dumps() {
    let attempts = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&attempts);
    let conn = testing::dial(move |_| {
        let mut n = counter.lock().unwrap();
        *n += 1;
        Ok(interrupted_dump(*n <= 2))
    });
    let replies = conn
        .execute_consistent(&request(HeaderFlags::DUMP), 5)
        .unwrap();
    assert_eq!(replies.len(), 4);
    assert_eq!(*attempts.lock().unwrap(), 3);

    // Bounded: always interrupted.
    let conn = testing::dial(|_| Ok(interrupted_dump(true)));
    let err = conn
        .execute_consistent(&request(HeaderFlags::DUMP), 3)
        .unwrap_err();
    match err {
        Error::DumpInterrupted { partial } => assert_eq!(partial.len(), 4),
        other => panic!("{other}"),
    }
    assert_eq!(conn.socket().requests().len(), 3);
}

#[test]
fn execute_with_hands_out_borrowed_replies() {
    let conn = Conn::from_socket(
        FakeSocket::new(|reqs| Ok(vec![data(7), testing::ack(&reqs[0])]))
            .with_messages_per_datagram(1),
    );
    let header = Header {
        kind: DATA,
        flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        ..Header::default()
    };
    let mut seen = Vec::new();
    let sent = conn
        .execute_with(header, &[1, 2, 3], |m| {
            seen.push((m.header.sequence, m.data.to_vec()));
            Ok(())
        })
        .unwrap();
    assert_eq!(sent.length, 19);
    assert_eq!(seen, vec![(sent.sequence, vec![7; 4])]);
    // The payload was padded on the wire.
    assert_eq!(conn.socket().requests()[0].data, vec![1, 2, 3]);
}

#[test]
fn check_request_accepts_matching_requests() {
    let conn = testing::dial(testing::check_request(
        vec![DATA],
        vec![HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE],
        |reqs| Ok(vec![testing::ack(&reqs[0])]),
    ));
    conn.execute(&request(HeaderFlags::ACKNOWLEDGE)).unwrap();
}

#[test]
#[should_panic(expected = "flags request|acknowledge but expected")]
fn check_request_rejects_other_flags() {
    let conn = testing::dial(testing::check_request(
        vec![DATA],
        vec![HeaderFlags::REQUEST | HeaderFlags::DUMP],
        testing::noop,
    ));
    let _ = conn.send(&request(HeaderFlags::ACKNOWLEDGE));
}

#[test]
fn receive_multicast_with_info() {
    let conn = Conn::from_socket(FakeSocket::listener());
    conn.socket().push_with_info(
        &[data(1), data(2)],
        RecvInfo {
            group: Some(5),
            ..RecvInfo::default()
        },
    );
    let (msgs, info) = conn.receive_with_info().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(info.group, Some(5));

    // A multi-part message spread over datagrams is gathered, its DONE removed.
    let parts = testing::multipart(vec![data(3), data(4)]);
    conn.socket().push(&parts[..1]);
    conn.socket().push(&parts[1..]);
    let msgs = conn.receive().unwrap();
    assert_eq!(
        msgs.iter().map(|m| m.data[0]).collect::<Vec<_>>(),
        vec![3, 4]
    );

    // An error message is an error.
    conn.socket()
        .push(&[testing::error(libc::EBUSY, &request(HeaderFlags::EMPTY))]);
    assert_eq!(conn.receive().unwrap_err().errno(), Some(libc::EBUSY));
}

#[test]
fn forged_datagrams_are_dropped_and_counted() {
    let conn = Conn::from_socket(FakeSocket::listener());
    let forged = RecvInfo {
        sender_pid: 4321,
        ..RecvInfo::default()
    };
    conn.socket().push_with_info(&[data(66)], forged);
    conn.socket().push(&[data(1)]);
    let msgs = conn.receive().unwrap();
    assert_eq!(msgs[0].data, vec![1; 4]);
    assert_eq!(conn.forged_dropped(), 1);

    let mut open = Conn::from_socket(FakeSocket::listener());
    open.set_sender_check(false);
    open.socket().push_with_info(&[data(66)], forged);
    assert_eq!(open.receive().unwrap()[0].data, vec![66; 4]);
    assert_eq!(open.forged_dropped(), 0);
}

#[test]
fn overrun_is_reported_and_conn_keeps_working() {
    let conn = Conn::from_socket(FakeSocket::listener());
    conn.socket().push_error(Error::Overrun { op: "receive" });
    conn.socket().push(&[data(1)]);
    let err = conn.receive().unwrap_err();
    assert!(err.is_overrun());
    assert_eq!(conn.receive().unwrap().len(), 1);
}

#[test]
fn close_wakes_a_blocked_receiver() {
    let conn = Conn::from_socket(FakeSocket::listener());
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let t0 = Instant::now();
            (conn.receive(), t0)
        });
        std::thread::sleep(Duration::from_millis(50));
        let closed_at = Instant::now();
        conn.close().unwrap();
        let (res, _) = waiter.join().unwrap();
        assert!(matches!(res, Err(Error::Closed { .. })));
        assert!(closed_at.elapsed() < Duration::from_millis(100));
    });
    assert!(matches!(conn.send(&data(1)), Err(Error::Closed { .. })));
}

#[test]
fn boxed_dyn_socket_works() {
    let sock: Box<dyn netlink::Socket> =
        Box::new(FakeSocket::new(|reqs| Ok(vec![testing::ack(&reqs[0])])));
    let conn = Conn::from_socket(sock);
    assert_eq!(conn.pid(), FAKE_PID);
    assert_eq!(
        conn.execute(&request(HeaderFlags::ACKNOWLEDGE))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn timeouts_are_kept() {
    let conn = Conn::from_socket(FakeSocket::listener());
    assert_eq!((conn.read_timeout(), conn.write_timeout()), (None, None));
    conn.set_read_timeout(Some(Duration::from_millis(30)));
    conn.set_write_timeout(Some(Duration::from_secs(2)));
    assert_eq!(conn.read_timeout(), Some(Duration::from_millis(30)));
    assert_eq!(conn.write_timeout(), Some(Duration::from_secs(2)));
    let t0 = Instant::now();
    assert!(matches!(conn.receive(), Err(Error::Timeout { .. })));
    assert!(t0.elapsed() >= Duration::from_millis(30));
    conn.set_read_timeout(None);
    assert_eq!(conn.read_timeout(), None);
}

/// A socket that produces a dump of `total` messages lazily, `per` per datagram, and records
/// the largest receive buffer it was handed.
struct LazyDump {
    total: u32,
    per: u32,
    request: Mutex<Option<Header>>,
    next: Mutex<u32>,
    max_capacity: Mutex<usize>,
}

impl netlink::Socket for LazyDump {
    fn send(&self, datagram: &[u8], _: Option<Instant>) -> Result<(), Error> {
        *self.request.lock().unwrap() = Some(Header::from_bytes(datagram)?);
        Ok(())
    }

    fn recv(&self, buf: &mut Vec<u8>, _: Option<Instant>) -> Result<RecvInfo, Error> {
        let req = self.request.lock().unwrap().expect("a request first");
        let mut next = self.next.lock().unwrap();
        buf.clear();
        let end = (*next + self.per).min(self.total);
        for i in *next..end {
            let mut m = Message::new(DATA, HeaderFlags::MULTI, i.to_ne_bytes().to_vec());
            m.header.sequence = req.sequence;
            m.header.pid = req.pid;
            m.encode_into(buf)?;
        }
        if end == self.total {
            let mut done = testing::done();
            done.header.sequence = req.sequence;
            done.header.pid = req.pid;
            done.encode_into(buf)?;
        }
        *next = end;
        let mut max = self.max_capacity.lock().unwrap();
        *max = (*max).max(buf.capacity());
        Ok(RecvInfo {
            len: buf.len(),
            ..RecvInfo::default()
        })
    }

    fn pid(&self) -> u32 {
        7
    }

    fn close(&self) -> Result<(), Error> {
        Ok(())
    }
}

#[test]
fn streaming_dump_memory_stays_bounded() {
    // 200,000 messages (4.8 MB on the wire) through one buffer of one datagram.
    let conn = Conn::from_socket(LazyDump {
        total: 200_000,
        per: 100,
        request: Mutex::new(None),
        next: Mutex::new(0),
        max_capacity: Mutex::new(0),
    });
    let mut dump = conn.dump(&request(HeaderFlags::DUMP)).unwrap();
    let mut expected = 0u32;
    while let Some(m) = dump.next_ref() {
        let m = m.unwrap();
        assert_eq!(m.data, expected.to_ne_bytes());
        expected += 1;
    }
    drop(dump);
    assert_eq!(expected, 200_000);
    let max = *conn.socket().max_capacity.lock().unwrap();
    assert!(max <= 8192, "the receive buffer grew to {max} bytes");
}
