//! How `Conn` handles failures, against the real kernel: forged replies, receive buffer
//! overruns, truncation, timeouts, sequence wrap-around, and many threads on one connection.

mod conn_support;

use std::time::{Duration, Instant};

use conn_support::*;
use netlink::testing;
use netlink::{Config, Conn, Error, Family, HeaderFlags, HeaderType, Message, NetlinkSocket};

fn ack_request() -> Message {
    Message::new(
        HeaderType(0),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        vec![],
    )
}

#[test]
fn forged_replies_are_dropped() {
    if !privileged("forged_replies_are_dropped") {
        return;
    }
    let forger = NetlinkSocket::open(Family::GENERIC.0, 0, 0).unwrap();

    // A dialed connection is connected to the kernel: the kernel refuses the forgeries.
    let dialed = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    assert!(dialed.socket().is_kernel_only());
    let mut req = ack_request();
    req.header.sequence = 4000;
    req.header.pid = dialed.pid();
    req.header.length = 16;
    let forged = testing::error(libc::EPERM, &req).to_bytes().unwrap();
    let refused = forger.send_to(&forged, dialed.pid(), 0).unwrap_err();
    assert_eq!(refused.errno(), Some(libc::ECONNREFUSED));
    dialed.execute(&req).unwrap();
    assert_eq!(dialed.forged_dropped(), 0);

    // A socket that is not connected gets them; the sender check drops every one.
    let sock = NetlinkSocket::open(Family::GENERIC.0, 0, 0).unwrap();
    sock.set_read_buffer(4 << 20).unwrap();
    assert!(!sock.is_kernel_only());
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_secs(5)));

    for round in 0..10u32 {
        // The request the victim is about to send, sequence and port id included.
        let mut req = ack_request();
        req.header.sequence = 5000 + round;
        req.header.pid = conn.pid();
        req.header.length = 16;
        // Forgeries with the right sequence and port id: an error, and a data reply.
        let forged_error = testing::error(libc::EPERM, &req).to_bytes().unwrap();
        let mut fake_data = Message::new(HeaderType(0x10), HeaderFlags::EMPTY, vec![1; 8]);
        fake_data.header.sequence = req.header.sequence;
        fake_data.header.pid = conn.pid();
        let forged_data = fake_data.to_bytes().unwrap();
        for i in 0..100 {
            let bytes = if i % 2 == 0 {
                &forged_error
            } else {
                &forged_data
            };
            forger.send_to(bytes, conn.pid(), 0).unwrap();
        }
        let replies = conn.execute(&req).unwrap();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].header.kind, HeaderType::ERROR);
        assert_eq!(
            &replies[0].data[..4],
            &0i32.to_ne_bytes(),
            "the real acknowledgement"
        );
    }
    assert_eq!(conn.forged_dropped(), 1000);

    // Without the check, a forgery is taken for the reply.
    let open = Conn::dial(
        Family::GENERIC,
        Config {
            disable_sender_check: true,
            ..Config::default()
        },
    )
    .unwrap();
    let mut req = ack_request();
    req.header.sequence = 42;
    req.header.pid = open.pid();
    req.header.length = 16;
    forger
        .send_to(
            &testing::error(libc::EPERM, &req).to_bytes().unwrap(),
            open.pid(),
            0,
        )
        .unwrap();
    let err = open.execute(&req).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EPERM));
    assert_eq!(open.forged_dropped(), 0);
}

fn count_addresses(conn: &Conn, prefix: [u8; 2]) -> usize {
    let mut ifaddrmsg = vec![0u8; IFADDRMSG_LEN];
    ifaddrmsg[0] = libc::AF_INET as u8;
    let req = Message::new(
        RTM_GETADDR,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        ifaddrmsg,
    );
    let mut n = 0;
    for m in conn.dump(&req).unwrap() {
        let m = m.unwrap();
        for a in m.as_message_ref().attrs(IFADDRMSG_LEN).unwrap() {
            let a = a.unwrap();
            if a.attr_type() == IFA_LOCAL && a.payload()[..2] == prefix {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn overrun_is_reported_and_later_events_arrive() {
    if !privileged("overrun_is_reported_and_later_events_arrive") {
        return;
    }
    let ns = TestNs::new("storm");
    ns.ip(&[
        "link", "add", "nlt-s0", "type", "veth", "peer", "name", "nlt-s1",
    ]);
    let listener = Conn::dial(
        Family::ROUTE,
        Config {
            groups: RTMGRP_IPV4_IFADDR,
            read_buffer: 4096,
            ..ns.config()
        },
    )
    .unwrap();
    listener.set_read_timeout(Some(Duration::from_millis(300)));

    // A storm of 300 address events while nobody reads.
    let mut batch = String::new();
    for i in 0..300u32 {
        batch.push_str(&format!(
            "address add 10.80.{}.{}/32 dev nlt-s0\n",
            i / 250,
            i % 250 + 1
        ));
    }
    ns.ip_batch(&batch);

    let (mut events, mut overruns) = (0, 0);
    loop {
        match listener.receive() {
            Ok(msgs) => events += msgs.iter().filter(|m| m.header.kind == RTM_NEWADDR).count(),
            Err(e) if e.is_overrun() => overruns += 1,
            Err(Error::Timeout { .. }) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(overruns >= 1, "no overrun reported ({events} events)");
    assert!(events < 300, "{events} events: the buffer did not overflow");

    // The connection still works: a later event arrives.
    ns.ip(&["address", "add", "10.81.0.1/32", "dev", "nlt-s0"]);
    let msgs = listener.receive().unwrap();
    assert!(msgs.iter().any(|m| m.header.kind == RTM_NEWADDR));

    // Resynchronise with a dump: every address is there.
    let conn = ns.dial(Family::ROUTE);
    assert_eq!(count_addresses(&conn, [10, 80]), 300);
    assert_eq!(count_addresses(&conn, [10, 81]), 1);
}

#[test]
fn truncation_is_reported_then_avoided() {
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            receive_size: 64,
            ..Config::default()
        },
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(2)));
    assert!(!conn.socket().peek());
    let req = get_family("nlctrl", HeaderFlags::ACKNOWLEDGE);
    match conn.execute(&req).unwrap_err() {
        Error::Truncated { len, capacity, .. } => {
            assert!(len > 64, "{len}");
            assert!(capacity >= 64 && capacity < len, "{capacity}");
        }
        other => panic!("{other}"),
    }
    // From now on the socket peeks at each datagram's size and grows its buffer.
    assert!(conn.socket().peek());
    let replies = conn.execute(&req).unwrap();
    assert_eq!(family_id(&replies[0]), Some(0x10));
    assert_eq!(
        conn.stale_dropped(),
        1,
        "the first request's acknowledgement"
    );

    // Peeking from the start loses nothing, even with a tiny buffer.
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            receive_size: 64,
            peek: true,
            ..Config::default()
        },
    )
    .unwrap();
    for _ in 0..3 {
        let replies = conn.execute(&req).unwrap();
        assert_eq!(family_id(&replies[0]), Some(0x10));
    }
    assert!(conn.socket().recv_size() > 64);
}

#[test]
fn timeout_is_typed_and_the_conn_recovers() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(100)));
    assert_eq!(conn.read_timeout(), Some(Duration::from_millis(100)));
    // A control message without the acknowledgement flag gets no answer.
    let silent = Message::new(HeaderType(0), HeaderFlags::REQUEST, vec![]);
    let t0 = Instant::now();
    let err = conn.execute(&silent).unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(err, Error::Timeout { op: "execute" }), "{err}");
    assert!(err.is_timeout() && err.is_temporary());
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");

    // A zero timeout only takes what is queued: the kernel answered synchronously.
    conn.set_read_timeout(Some(Duration::ZERO));
    assert_eq!(conn.execute(&ack_request()).unwrap().len(), 1);
    conn.set_read_timeout(None);
    assert_eq!(conn.execute(&ack_request()).unwrap().len(), 1);
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn sequence_numbers_wrap_and_skip_zero() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    conn.set_next_sequence(u32::MAX - 2);
    let seqs: Vec<u32> = (0..5)
        .map(|_| echoed_header(&conn.execute(&ack_request()).unwrap()[0]).sequence)
        .collect();
    assert_eq!(seqs, vec![u32::MAX - 2, u32::MAX - 1, u32::MAX, 1, 2]);
}

#[test]
fn sixteen_threads_share_one_conn() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    let req = get_family("nlctrl", HeaderFlags::ACKNOWLEDGE);
    let total: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let mut ok = 0;
                    for _ in 0..2000 {
                        let mut replies = Vec::new();
                        let sent = conn
                            .execute_with(req.header, &req.data, |m| {
                                replies.push(m.to_owned());
                                Ok(())
                            })
                            .unwrap();
                        assert_eq!(replies.len(), 1);
                        assert_eq!(replies[0].header.sequence, sent.sequence);
                        assert_eq!(replies[0].header.pid, conn.pid());
                        assert_eq!(family_id(&replies[0]), Some(0x10));
                        ok += 1;
                    }
                    ok
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(total, 32_000);
    assert_eq!(conn.stale_dropped(), 0);
}

#[test]
fn read_ahead_keeps_order_and_reports_truncation() {
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            receive_size: 64,
            ..Config::default()
        },
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(2)));
    // Five acknowledgements queued at once come back in order, two per system call.
    let sent: Vec<u32> = (0..5)
        .map(|_| conn.send(&ack_request()).unwrap().header.sequence)
        .collect();
    let got: Vec<u32> = (0..5)
        .map(|_| conn.receive().unwrap()[0].header.sequence)
        .collect();
    assert_eq!(got, sent);

    // An acknowledgement that fits, then a reply that does not: the first is received, the
    // second (read in the same call) is reported as truncated by the next receive.
    let first = conn.send(&ack_request()).unwrap();
    conn.send(&get_family("nlctrl", HeaderFlags::EMPTY))
        .unwrap();
    let msgs = conn.receive().unwrap();
    assert_eq!(msgs[0].header.sequence, first.header.sequence);
    match conn.receive().unwrap_err() {
        Error::Truncated { len, .. } => assert!(len > 64, "{len}"),
        other => panic!("{other}"),
    }
    // The connection goes on, now peeking at sizes.
    assert!(conn.socket().peek());
    let replies = conn
        .execute(&get_family("nlctrl", HeaderFlags::EMPTY))
        .unwrap();
    assert_eq!(family_id(&replies[0]), Some(0x10));
}
