//! `Conn` against the real kernel: round trips, multicast, namespaces, extended
//! acknowledgements, batches, socket options. Everything that changes state does so in a
//! namespace of its own, deleted afterwards.

mod conn_support;

use std::collections::BTreeSet;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use conn_support::*;
use netlink::{
    AttributeEncoder, Config, Conn, ConnOption, Error, Family, Header, HeaderFlags, HeaderType,
    Message,
};

#[test]
fn generic_ack_round_trip() {
    // The reference's first example: a message of a control type asks for nothing but the
    // acknowledgement, which echoes the request's header.
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    assert_ne!(conn.pid(), 0);
    let req = Message::new(
        HeaderType(0),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        vec![],
    );
    let replies = conn.execute(&req).unwrap();
    assert_eq!(replies.len(), 1);
    let ack = &replies[0];
    assert_eq!(ack.header.kind, HeaderType::ERROR);
    assert_eq!(&ack.data[..4], &0i32.to_ne_bytes());
    let echoed = echoed_header(ack);
    assert_eq!(echoed.sequence, ack.header.sequence);
    assert_eq!(echoed.pid, conn.pid());
    assert_eq!(
        echoed.flags,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE
    );
    assert_eq!(echoed.length, 16);
}

#[test]
fn execute_returns_data_and_consumes_the_ack() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    for _ in 0..3 {
        let replies = conn
            .execute(&get_family("nlctrl", HeaderFlags::ACKNOWLEDGE))
            .unwrap();
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(family_id(&replies[0]), Some(0x10));
    }
    assert_eq!(
        conn.stale_dropped(),
        0,
        "no acknowledgement was left behind"
    );
}

#[test]
fn streaming_link_dump() {
    let conn = Conn::dial(Family::ROUTE, Config::default()).unwrap();
    let mut dump = conn.dump(&link_dump()).unwrap();
    let mut names = Vec::new();
    while let Some(m) = dump.next_ref() {
        let m = m.unwrap();
        assert_eq!(m.header.kind, RTM_NEWLINK);
        names.push(link_name(&m.to_owned()).unwrap());
    }
    assert!(names.iter().any(|n| n == "lo"), "{names:?}");
}

#[test]
fn link_multicast_in_test_namespace() {
    if !privileged("link_multicast_in_test_namespace") {
        return;
    }
    let ns = TestNs::new("mcast");
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            groups: RTMGRP_LINK,
            ..ns.config()
        },
    )
    .unwrap();
    conn.set_option(ConnOption::PacketInfo, true).unwrap();
    assert!(conn.option(ConnOption::PacketInfo).unwrap());
    conn.set_read_timeout(Some(Duration::from_secs(5)));

    ns.ip(&[
        "link", "add", "nlt-va", "type", "veth", "peer", "name", "nlt-vb",
    ]);

    let mut seen = BTreeSet::new();
    while seen.len() < 2 {
        let (msgs, info) = conn.receive_with_info().unwrap();
        assert_eq!(info.group, Some(RTNLGRP_LINK));
        assert_eq!(info.sender_pid, 0);
        for m in msgs {
            if m.header.kind == RTM_NEWLINK {
                if let Some(name) = link_name(&m) {
                    seen.insert(name);
                }
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        vec!["nlt-va".to_string(), "nlt-vb".to_string()]
    );
}

#[test]
fn listen_all_nsid_reports_the_namespace_id() {
    if !privileged("listen_all_nsid_reports_the_namespace_id") {
        return;
    }
    let ns = TestNs::new("nsid");
    run("ip", &["netns", "set", &ns.name, "auto"]);
    // A listener in this process's namespace hears the test namespace's events through its id.
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            groups: RTMGRP_LINK,
            ..Config::default()
        },
    )
    .unwrap();
    conn.set_option(ConnOption::ListenAllNsid, true).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    ns.ip(&[
        "link",
        "add",
        "nlt-nsid0",
        "type",
        "veth",
        "peer",
        "name",
        "nlt-nsid1",
    ]);
    loop {
        let (msgs, info) = conn.receive_with_info().unwrap();
        if msgs
            .iter()
            .any(|m| link_name(m).as_deref() == Some("nlt-nsid0"))
        {
            let nsid = info.nsid.expect("a namespace id");
            assert!(nsid >= 0, "{nsid}");
            break;
        }
    }
}

#[test]
fn strict_checking_reports_ext_ack() {
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            strict: true,
            ..Config::default()
        },
    )
    .unwrap();
    assert!(conn.option(ConnOption::GetStrictCheck).unwrap());
    assert!(conn.option(ConnOption::ExtendedAcknowledge).unwrap());
    // A route dump whose header asks for a destination prefix length: invalid under strict
    // checking.
    let mut rtmsg = vec![0u8; RTMSG_LEN];
    rtmsg[0] = libc::AF_INET as u8;
    rtmsg[1] = 8;
    let req = Message::new(
        RTM_GETROUTE,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        rtmsg,
    );
    let err = conn.execute(&req).unwrap_err();
    let op = err.op_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(op.errno, libc::EINVAL);
    let text = op.ext_ack.message.as_deref().unwrap_or("");
    assert!(!text.is_empty(), "the kernel's explanation: {op:?}");
    assert!(err.to_string().contains(text));
    // The connection still works.
    assert!(!link_names(&conn).is_empty());
}

#[test]
fn ethtool_missing_device_is_enodev_with_offset() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    conn.set_option(ConnOption::ExtendedAcknowledge, true)
        .unwrap();
    let ethtool = resolve_family(&conn, "ethtool");

    const ETHTOOL_MSG_LINKINFO_GET: u8 = 2;
    const ETHTOOL_A_LINKINFO_HEADER: u16 = 1;
    const ETHTOOL_A_HEADER_DEV_NAME: u16 = 2;
    let mut data = vec![ETHTOOL_MSG_LINKINFO_GET, 1, 0, 0];
    let mut ae = AttributeEncoder::new(&mut data);
    ae.nested(ETHTOOL_A_LINKINFO_HEADER, |n| {
        n.string(ETHTOOL_A_HEADER_DEV_NAME, "nosuchdev0");
        Ok(())
    });
    ae.finish().unwrap();
    let req = Message::new(
        HeaderType(ethtool),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        data,
    );
    let err = conn.execute(&req).unwrap_err();
    assert!(err.is_not_found());
    let op = err.op_error().unwrap();
    assert_eq!(op.errno, libc::ENODEV);
    assert!(op.ext_ack.message.is_some(), "{op:?}");
    // The offset points at the device name attribute: header 16 + genl 4 + nest header 4.
    assert_eq!(op.ext_ack.offset, Some(24), "{op:?}");
}

fn route(dst: [u8; 4], oif: u32) -> Message {
    let mut data = vec![
        libc::AF_INET as u8,
        24,  // dst_len
        0,   // src_len
        0,   // tos
        254, // RT_TABLE_MAIN
        4,   // RTPROT_STATIC
        253, // RT_SCOPE_LINK
        1,   // RTN_UNICAST
        0,
        0,
        0,
        0,
    ];
    let mut ae = AttributeEncoder::new(&mut data);
    ae.bytes(RTA_DST, &dst).u32(RTA_OIF, oif);
    ae.finish().unwrap();
    Message::new(
        RTM_NEWROUTE,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags::CREATE | HeaderFlags::EXCL,
        data,
    )
}

#[test]
fn send_messages_adds_a_batch_of_routes() {
    if !privileged("send_messages_adds_a_batch_of_routes") {
        return;
    }
    let ns = TestNs::new("routes");
    ns.ip(&[
        "link", "add", "nlt-d0", "type", "veth", "peer", "name", "nlt-d1",
    ]);
    ns.ip(&["link", "set", "nlt-d0", "up"]);
    let conn = ns.dial(Family::ROUTE);
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    let links = conn.execute(&link_dump()).unwrap();
    let d0 = links
        .iter()
        .find(|m| link_name(m).as_deref() == Some("nlt-d0"))
        .map(link_index)
        .unwrap() as u32;

    let batch: Vec<Message> = (0..8u8).map(|i| route([10, 78, i, 0], d0)).collect();
    let sent = conn.send_messages(&batch).unwrap();
    let mut acked = Vec::new();
    while acked.len() < sent.len() {
        for m in conn.receive().unwrap() {
            assert_eq!(m.header.kind, HeaderType::ERROR);
            let h = echoed_header(&m);
            assert_eq!(h.sequence, m.header.sequence);
            acked.push(m.header.sequence);
        }
    }
    let expected: Vec<u32> = sent.iter().map(|m| m.header.sequence).collect();
    assert_eq!(acked, expected);

    let mut rtmsg = vec![0u8; RTMSG_LEN];
    rtmsg[0] = libc::AF_INET as u8;
    let dump = Message::new(
        RTM_GETROUTE,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        rtmsg,
    );
    let mut found = BTreeSet::new();
    for m in conn.dump(&dump).unwrap() {
        let m = m.unwrap();
        for a in m.as_message_ref().attrs(RTMSG_LEN).unwrap() {
            let a = a.unwrap();
            if a.attr_type() == RTA_DST {
                let dst: [u8; 4] = a.array().unwrap();
                if dst[..2] == [10, 78] {
                    found.insert(dst[2]);
                }
            }
        }
    }
    assert_eq!(found, (0..8u8).collect());
}

#[test]
fn namespace_socket_sees_only_its_links() {
    if !privileged("namespace_socket_sees_only_its_links") {
        return;
    }
    let ns = TestNs::new("iso");
    ns.ip(&[
        "link",
        "add",
        "nlt-only0",
        "type",
        "veth",
        "peer",
        "name",
        "nlt-only1",
    ]);
    let before = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
    let inside = ns.dial(Family::ROUTE);
    assert_eq!(
        std::fs::read_link("/proc/thread-self/ns/net").unwrap(),
        before,
        "the calling thread stays in its namespace"
    );
    let mut names = link_names(&inside);
    names.sort();
    assert_eq!(names, vec!["lo", "nlt-only0", "nlt-only1"]);

    let outside = Conn::dial(Family::ROUTE, Config::default()).unwrap();
    assert!(!link_names(&outside).contains(&"nlt-only0".to_string()));

    // The same through a held-open namespace descriptor.
    let fd_ns = netlink::netns::NetNs::from_fd(
        std::fs::File::open(format!("/run/netns/{}", ns.name))
            .unwrap()
            .into(),
    );
    let by_fd = Conn::dial(
        Family::ROUTE,
        Config {
            netns: Some(fd_ns),
            ..Config::default()
        },
    )
    .unwrap();
    assert!(link_names(&by_fd).contains(&"nlt-only0".to_string()));
}

#[test]
fn dial_into_missing_namespace_fails() {
    let err = Conn::dial(
        Family::ROUTE,
        Config {
            netns: Some(netlink::netns::NetNs::named("nlt-no-such-namespace")),
            ..Config::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENOENT), "{err}");
}

#[test]
fn buffer_sizes() {
    if !privileged("buffer_sizes") {
        return;
    }
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            read_buffer: 1 << 20,
            write_buffer: 1 << 19,
            ..Config::default()
        },
    )
    .unwrap();
    // The kernel doubles the value for its bookkeeping; the FORCE variants ignore rmem_max.
    assert_eq!(conn.read_buffer().unwrap(), 2 << 20);
    assert_eq!(conn.write_buffer().unwrap(), 2 << 19);
    conn.set_read_buffer(300_000).unwrap();
    conn.set_write_buffer(100_000).unwrap();
    assert_eq!(conn.read_buffer().unwrap(), 600_000);
    assert_eq!(conn.write_buffer().unwrap(), 200_000);
}

/// A classic BPF program that accepts only datagrams whose first message has sequence `seq`.
fn accept_only_sequence(seq: u32) -> Vec<libc::sock_filter> {
    const BPF_LD_W_ABS: u16 = libc::BPF_LD as u16 | libc::BPF_W as u16 | libc::BPF_ABS as u16;
    const BPF_JEQ_K: u16 = libc::BPF_JMP as u16 | libc::BPF_JEQ as u16 | libc::BPF_K as u16;
    const BPF_RET_K: u16 = libc::BPF_RET as u16 | libc::BPF_K as u16;
    let f = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
    // Absolute loads read big-endian; the header is in native byte order.
    let want = u32::from_be_bytes(seq.to_ne_bytes());
    vec![
        f(BPF_LD_W_ABS, 0, 0, 8), // nlmsg_seq
        f(BPF_JEQ_K, 0, 1, want),
        f(BPF_RET_K, 0, 0, 0xffff_ffff),
        f(BPF_RET_K, 0, 0, 0),
    ]
}

#[test]
fn bpf_filters_by_sequence() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(200)));
    let ack_req = |seq: u32| {
        let mut m = Message::new(
            HeaderType(0),
            HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
            vec![],
        );
        m.header.sequence = seq;
        m
    };
    conn.set_bpf(&accept_only_sequence(1000)).unwrap();
    let err = conn.execute(&ack_req(999)).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let replies = conn.execute(&ack_req(1000)).unwrap();
    assert_eq!(replies[0].header.sequence, 1000);

    conn.remove_bpf().unwrap();
    let replies = conn.execute(&ack_req(999)).unwrap();
    assert_eq!(replies[0].header.sequence, 999);
}

#[test]
fn explicit_pid() {
    let pid = 0x6000_0000 | (std::process::id() & 0xffff);
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            pid,
            ..Config::default()
        },
    )
    .unwrap();
    assert_eq!(conn.pid(), pid);
    let replies = conn
        .execute(&Message::new(
            HeaderType(0),
            HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
            vec![],
        ))
        .unwrap();
    assert_eq!(replies[0].header.pid, pid);
    let err = Conn::dial(
        Family::GENERIC,
        Config {
            pid,
            ..Config::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.errno(), Some(libc::EADDRINUSE), "{err}");
}

#[test]
fn groups_above_32() {
    if !privileged("groups_above_32") {
        return;
    }
    // Groups past the 32 bits of the bind bitmask: IPv4 and IPv6 multicast address changes.
    const RTNLGRP_IPV4_MCADDR: u32 = 37;
    const RTNLGRP_IPV6_MCADDR: u32 = 38;
    const RTM_NEWMULTICAST: HeaderType = HeaderType(56);
    let ns = TestNs::new("grp37");
    let conn = ns.dial(Family::ROUTE);
    conn.join_group(RTNLGRP_IPV4_MCADDR).unwrap();
    conn.join_group(RTNLGRP_IPV6_MCADDR).unwrap();
    conn.set_option(ConnOption::PacketInfo, true).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    ns.ip(&[
        "link", "add", "nlt-m0", "type", "veth", "peer", "name", "nlt-m1",
    ]);
    // Bringing the device up joins the all-hosts groups.
    ns.ip(&["link", "set", "nlt-m0", "up"]);
    let (msgs, info) = conn.receive_with_info().unwrap();
    assert!(
        matches!(info.group, Some(RTNLGRP_IPV4_MCADDR | RTNLGRP_IPV6_MCADDR)),
        "{info:?}"
    );
    assert!(
        msgs.iter().all(|m| m.header.kind == RTM_NEWMULTICAST),
        "{msgs:?}"
    );

    conn.leave_group(RTNLGRP_IPV4_MCADDR).unwrap();
    let err = conn.join_group(100_000).unwrap_err();
    assert_eq!(err.errno(), Some(libc::EINVAL));
    assert_eq!(err.op_error().unwrap().op, "join_group");
}

#[test]
fn close_wakes_a_blocked_receiver_within_100ms() {
    let conn = Conn::dial(Family::ROUTE, Config::default()).unwrap();
    let fd = conn.as_raw_fd();
    assert!(is_cloexec(fd));
    std::thread::scope(|s| {
        let waiter = s.spawn(|| conn.receive());
        std::thread::sleep(Duration::from_millis(100));
        let closed = Instant::now();
        conn.close().unwrap();
        let res = waiter.join().unwrap();
        let took = closed.elapsed();
        assert!(matches!(res, Err(Error::Closed { .. })), "{res:?}");
        assert!(took < Duration::from_millis(100), "{took:?}");
    });
    conn.close().unwrap();
    assert!(matches!(
        conn.execute(&link_dump()),
        Err(Error::Closed { .. })
    ));
}

#[test]
fn send_is_not_blocked_by_a_waiting_receive() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| conn.receive());
        std::thread::sleep(Duration::from_millis(50));
        // The receiver holds the receive side; a send goes through at once, and its
        // acknowledgement wakes the receiver.
        let t0 = Instant::now();
        let sent = conn
            .send(&Message::new(
                HeaderType(0),
                HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
                vec![],
            ))
            .unwrap();
        assert!(t0.elapsed() < Duration::from_millis(100));
        let got = waiter.join().unwrap().unwrap();
        assert_eq!(got[0].header.sequence, sent.header.sequence);
    });
}

#[test]
fn send_then_receive_validates() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    let sent = conn
        .send(&get_family("nlctrl", HeaderFlags::EMPTY))
        .unwrap();
    let replies = conn.receive().unwrap();
    let headers: Vec<Header> = replies.iter().map(|m| m.header).collect();
    netlink::validate(&sent.header, &headers).unwrap();
}

/// An ethtool `LINKINFO_GET` for a device that does not exist (read-only; the kernel explains
/// the error in its extended acknowledgement).
fn get_missing_device(conn: &Conn) -> Message {
    let ethtool = resolve_family(conn, "ethtool");
    let mut data = vec![2, 1, 0, 0]; // ETHTOOL_MSG_LINKINFO_GET
    let mut ae = AttributeEncoder::new(&mut data);
    ae.nested(1, |n| {
        n.string(2, "nosuchdev0"); // ETHTOOL_A_LINKINFO_HEADER / ETHTOOL_A_HEADER_DEV_NAME
        Ok(())
    });
    ae.finish().unwrap();
    Message::new(
        HeaderType(ethtool),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        data,
    )
}

#[test]
fn extended_acks_are_on_by_default_and_apart_from_strict_checking() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    assert!(conn.option(ConnOption::ExtendedAcknowledge).unwrap());
    assert!(!conn.option(ConnOption::GetStrictCheck).unwrap());
    let err = conn.execute(&get_missing_device(&conn)).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let text = err.ext_ack().and_then(|e| e.message.clone());
    assert!(text.is_some(), "the kernel explains the error: {err:?}");
    assert!(err.to_string().contains(text.as_deref().unwrap()), "{err}");
    assert!(!err.to_string().contains("[seq"), "{err}");

    // Off on request: a bare errno.
    let bare = Conn::dial(
        Family::GENERIC,
        Config {
            ext_ack: false,
            ..Config::default()
        },
    )
    .unwrap();
    assert!(!bare.option(ConnOption::ExtendedAcknowledge).unwrap());
    let err = bare.execute(&get_missing_device(&bare)).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(err.ext_ack().unwrap().message.is_none(), "{err:?}");

    // Strict checking alone.
    let strict = Conn::dial(
        Family::ROUTE,
        Config {
            strict: true,
            ext_ack: false,
            ..Config::default()
        },
    )
    .unwrap();
    assert!(strict.option(ConnOption::GetStrictCheck).unwrap());
    assert!(!strict.option(ConnOption::ExtendedAcknowledge).unwrap());
}
