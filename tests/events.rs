//! Event listeners: overruns as items of the stream, many datagrams per receive, borrowed
//! decoding, typed events, and a resync that misses nothing; against the fake socket and
//! against the kernel (each kernel test in its own namespace).

mod conn_support;

use std::collections::BTreeSet;
use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::batch::BatchOptions;
use netlink::events::{Event, EventKind, Listener, Raw, Typed, DEFAULT_LISTENER_BUFFER};
use netlink::testing::FakeSocket;
use netlink::{
    Conn, EncodeError, Error, Header, HeaderFlags, HeaderType, Message, MessageRef, NlAttrs,
    NlRequest,
};

const KIND: HeaderType = HeaderType(0x30);

fn event(n: u32) -> Message {
    Message::new(KIND, HeaderFlags::EMPTY, n.to_ne_bytes().to_vec())
}

fn number(m: &MessageRef<'_>) -> u32 {
    u32::from_ne_bytes(m.data[..4].try_into().unwrap())
}

#[test]
fn overrun_is_an_item_and_the_stream_goes_on() {
    let sock = FakeSocket::listener();
    sock.push(&[event(1), event(2)]);
    sock.push_error(Error::Overrun { op: "receive" });
    sock.push(&[event(3)]);
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_millis(20)));
    let mut l = Listener::<Raw, _>::from_conn(conn);
    let mut seen = Vec::new();
    loop {
        match l.next_event() {
            Ok(Event::Message(m)) => seen.push(Some(number(&m))),
            Ok(Event::Overrun) => seen.push(None),
            Err(e) if e.is_timeout() => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(seen, vec![Some(1), Some(2), None, Some(3)]);
    let stats = l.stats();
    assert_eq!((stats.events, stats.overruns), (3, 1));
}

/// An overrun met while discarding what is queued (as `resync` does before its dump) is part
/// of what is discarded: it is not reported later and not counted as reported. (It was
/// counted, so `stats().overruns` could exceed the overruns the stream had reported.)
#[test]
fn an_overrun_while_discarding_is_not_counted_as_reported() {
    let sock = FakeSocket::listener();
    sock.push(&[event(1)]);
    sock.push_error(Error::Overrun { op: "receive" });
    sock.push(&[event(2)]);
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_millis(20)));
    let mut l = Listener::<Raw, _>::from_conn(conn);
    assert_eq!(l.discard_queued().unwrap(), 2);
    l.conn().socket().push(&[event(3)]);
    match l.next_event() {
        Ok(Event::Message(m)) => assert_eq!(number(&m), 3),
        Ok(Event::Overrun) => panic!("the overrun was discarded with the events"),
        Err(e) => panic!("{e}"),
    }
    assert_eq!(l.stats().overruns, 0);
}

#[test]
fn control_messages_and_forged_datagrams_are_skipped() {
    let sock = FakeSocket::listener();
    sock.push(&[netlink::testing::done(), event(7)]);
    sock.push_with_info(
        &[event(666)],
        netlink::RecvInfo {
            sender_pid: 4242, // not the kernel
            ..Default::default()
        },
    );
    sock.push(&[event(8)]);
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_millis(20)));
    let mut l = Listener::<Raw, _>::from_conn(conn);
    let mut seen = Vec::new();
    while let Ok(Event::Message(m)) = l.next_event() {
        seen.push(number(&m));
    }
    assert_eq!(seen, vec![7, 8]);
    assert_eq!(l.conn().forged_dropped(), 1);
}

#[test]
fn events_the_connection_kept_come_first() {
    // A request runs on the connection while an event waits: the connection keeps the event,
    // and the listener made from it hands it out before anything newer.
    let sock =
        FakeSocket::new(|reqs: &[Message]| Ok(reqs.iter().map(netlink::testing::ack).collect()));
    sock.push(&[event(1)]);
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_millis(20)));
    let ack = Message::new(
        HeaderType(0x40),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        vec![],
    );
    conn.execute(&ack).unwrap();
    conn.socket().push(&[event(2)]);
    let mut l = Listener::<Raw, _>::from_conn(conn);
    let mut seen = Vec::new();
    while let Ok(Event::Message(m)) = l.next_event() {
        seen.push(number(&m));
    }
    assert_eq!(seen, vec![1, 2]);
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Numbered {
    #[nla(type = 1)]
    value: Option<u32>,
}

#[test]
fn typed_events_decode_per_message() {
    let mut data = Vec::new();
    Numbered { value: Some(5) }.encode(&mut data).unwrap();
    let good = Message::new(KIND, HeaderFlags::EMPTY, data);
    // An attribute whose length runs past the message: an error for this message only.
    let bad = Message::new(KIND, HeaderFlags::EMPTY, vec![8, 0, 1, 0, 1]);
    let sock = FakeSocket::listener();
    sock.push(&[good.clone(), bad, good]);
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(Duration::from_millis(20)));
    let mut l = Listener::<Typed<Numbered>, _>::from_conn(conn);
    let first = l.next_event().unwrap();
    match first {
        Event::Message(e) => {
            assert_eq!(e.header.kind, KIND);
            assert_eq!(e.body.value, Some(5));
        }
        Event::Overrun => panic!("no overrun here"),
    }
    assert!(matches!(l.next_event(), Err(Error::Decode(_))));
    assert!(matches!(l.next_event(), Ok(Event::Message(_))));
    assert!(l.next_event().unwrap_err().is_timeout());
}

// ---- kernel ----

const RTNLGRP_IPV4_ROUTE: u32 = 7;
const RTM_NEWROUTE: HeaderType = HeaderType(24);
const RTM_DELROUTE: HeaderType = HeaderType(25);
const RTM_GETROUTE: HeaderType = HeaderType(26);

/// Route events: type and destination (host order), borrowed decoding, no allocation.
struct Routes;

impl EventKind for Routes {
    type Event<'a> = (HeaderType, u8, Option<u32>);
    fn decode<'a>(m: MessageRef<'a>) -> Result<Self::Event<'a>, Error> {
        let mut dst = None;
        for a in m.attrs(12)? {
            let a = a?;
            if a.attr_type() == 1 {
                dst = Some(a.u32_be()?);
            }
        }
        Ok((m.header.kind, m.data[1], dst))
    }
}

struct Route(HeaderType, u32);

impl NlRequest for Route {
    fn header(&self) -> Header {
        let flags = if self.0 == RTM_NEWROUTE {
            HeaderFlags::CREATE | HeaderFlags::EXCL
        } else {
            HeaderFlags::EMPTY
        };
        Header {
            kind: self.0,
            flags,
            ..Header::default()
        }
    }
    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.extend_from_slice(&[2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]);
        buf.extend_from_slice(&[8, 0, 1, 0, 10, (1 + self.1 / 256) as u8, self.1 as u8, 0]);
        buf.extend_from_slice(&[8, 0, 5, 0, 10, 0, 0, 2]);
        Ok(())
    }
}

fn fixture(tag: &str) -> TestNs {
    let ns = TestNs::new(tag);
    ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    ns.ip(&["link", "set", "va", "up"]);
    ns.ip(&["link", "set", "vb", "up"]);
    ns
}

fn install(conn: &Conn, kind: HeaderType, range: std::ops::Range<u32>) {
    let results = conn.execute_batch(range.map(|i| Route(kind, i)));
    assert!(results.iter().all(|r| r.is_ok()));
}

fn dest(i: u32) -> u32 {
    u32::from_be_bytes([10, (1 + i / 256) as u8, i as u8, 0])
}

#[test]
fn default_buffer_holds_a_burst_read_many_per_call() {
    if !privileged("default_buffer_holds_a_burst_read_many_per_call") {
        return;
    }
    let ns = fixture("evburst");
    let mut l =
        Listener::<Routes>::dial(netlink::Family::ROUTE, &[RTNLGRP_IPV4_ROUTE], ns.config())
            .unwrap();
    l.conn().set_read_timeout(Some(Duration::from_millis(100)));
    let rcvbuf = l.conn().read_buffer().unwrap();
    assert_eq!(
        rcvbuf,
        2 * DEFAULT_LISTENER_BUFFER,
        "SO_RCVBUFFORCE as root"
    );
    // 4,000 routes added and deleted while the listener is not reading: 8,000 events queued.
    let producer = ns.dial(netlink::Family::ROUTE);
    install(&producer, RTM_NEWROUTE, 0..4000);
    install(&producer, RTM_DELROUTE, 0..4000);
    let (mut new, mut del) = (BTreeSet::new(), BTreeSet::new());
    loop {
        match l.next_event() {
            Ok(Event::Message((kind, 24, Some(d)))) if kind == RTM_NEWROUTE => {
                new.insert(d);
            }
            Ok(Event::Message((kind, 24, Some(d)))) if kind == RTM_DELROUTE => {
                del.insert(d);
            }
            Ok(Event::Message(_)) => {}
            Ok(Event::Overrun) => panic!("the default buffer must hold 8,000 route events"),
            Err(e) if e.is_timeout() => break,
            Err(e) => panic!("{e}"),
        }
    }
    let want: BTreeSet<u32> = (0..4000).map(dest).collect();
    assert_eq!(new, want);
    assert_eq!(del, want);
    let stats = l.stats();
    assert!(stats.datagrams >= 8000);
    // Many datagrams per system call: at most one call per 8 datagrams on average.
    assert!(stats.receives * 8 <= stats.datagrams, "{stats:?}");
}

#[test]
fn overrun_then_resync_misses_nothing() {
    if !privileged("overrun_then_resync_misses_nothing") {
        return;
    }
    let ns = fixture("evresync");
    let mut l = Listener::<Routes>::dial(
        netlink::Family::ROUTE,
        &[RTNLGRP_IPV4_ROUTE],
        netlink::Config {
            read_buffer: 4096, // tiny: a burst overflows it
            ..ns.config()
        },
    )
    .unwrap();
    l.conn().set_read_timeout(Some(Duration::from_millis(100)));
    let producer = ns.dial(netlink::Family::ROUTE);
    install(&producer, RTM_NEWROUTE, 0..300);
    // Some events, then the overrun, as an item.
    let mut before = 0;
    let overrun = loop {
        match l.next_event() {
            Ok(Event::Message(_)) => before += 1,
            Ok(Event::Overrun) => break true,
            Err(e) if e.is_timeout() => break false,
            Err(e) => panic!("{e}"),
        }
    };
    assert!(overrun, "300 events must overflow a tiny buffer");
    assert!(before < 300);

    // Resync: the dump shows all 300 routes, and the events after it come through.
    let dumper = ns.dial(netlink::Family::ROUTE);
    let dump = Message::new(
        RTM_GETROUTE,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let mut state = BTreeSet::new();
    let r = l
        .resync(&dumper, &dump, |m| {
            let (kind, len, dst) = Routes::decode(m)?;
            if kind == RTM_NEWROUTE && len == 24 {
                state.extend(dst);
            }
            Ok(())
        })
        .unwrap();
    let want: BTreeSet<u32> = (0..300).map(dest).collect();
    assert!(want.is_subset(&state), "the dump has every route");
    assert!(r.dumped >= 300);
    // A change after the resync is delivered.
    install(&producer, RTM_DELROUTE, 7..8);
    let next = l.next_event().unwrap();
    assert_eq!(next, Event::Message((RTM_DELROUTE, 24, Some(dest(7)))));
    // The batch API stays usable on the producer too.
    let s = producer.execute_batch_with(
        (8..9).map(|i| Route(RTM_DELROUTE, i)),
        &BatchOptions::default(),
        |_| {},
    );
    assert_eq!(s.succeeded, 1);
}
