//! The async typed handles over the fake transport (`netlink::tokio::FakeTransport`): the
//! requests `AsyncRouteHandle` sends are those of the shared builders, kernel errors name the
//! Rust field, typed event streams report overruns as items, `AsyncGenlHandle` resolves,
//! dumps and filters events by family; and a dump whose replies lack `NLM_F_MULTI` (as the
//! kernel's netdev family sends them) is streamed whole.

use std::sync::Arc;

use netlink::events::Event;
use netlink::genl::netdev::{Dev, DevGet, Netdev, NetdevEvent, DEV_GET, MGMT_GROUP};
use netlink::genl::{AsyncGenlHandle, CtrlMessage, GenlHeader, GENL_ID_CTRL};
use netlink::route::{
    request, AsyncRouteHandle, IpNet, NewLink, Route, RouteEvent, RouteEvents, RTM_GETLINK,
    RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE,
};
use netlink::testing::{ack, done, error, error_ext};
use netlink::tokio::{AsyncConn, FakeTransport};
use netlink::{Error, ExtAck, HeaderFlags, HeaderType, Message, NlAttrs, NlRequest, NlStruct};

mod route_messages;
use route_messages::link as link_reply;

fn route_handle(fake: &Arc<FakeTransport>) -> AsyncRouteHandle {
    AsyncRouteHandle::from_conn(AsyncConn::from_transport(Arc::clone(fake)).unwrap())
}

/// The message a typed request encodes to (what the handle must send).
fn encoded<R: NlRequest>(r: &R) -> (HeaderFlags, Vec<u8>) {
    let mut data = Vec::new();
    r.encode_payload(&mut data).unwrap();
    (r.header().flags, data)
}

#[tokio::test(flavor = "current_thread")]
async fn route_handle_sends_the_shared_builders_requests() {
    let fake = Arc::new(FakeTransport::new(|r: &Message| {
        Ok(if r.header.kind == RTM_GETLINK {
            if r.header.flags.contains(HeaderFlags::DUMP) {
                vec![
                    mark_multi(link_reply(1, "lo")),
                    mark_multi(link_reply(7, "eth0")),
                    done(),
                ]
            } else {
                vec![link_reply(7, "eth0")]
            }
        } else {
            vec![ack(r)]
        })
    }));
    let rt = route_handle(&fake);
    let names: Vec<_> = rt
        .links()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name.unwrap())
        .collect();
    assert_eq!(names, ["lo", "eth0"]);
    assert_eq!(rt.index_of("eth0").await.unwrap(), 7);
    let net: IpNet = "10.0.0.1/24".parse().unwrap();
    rt.add_address("eth0", net).await.unwrap();
    let route = Route::new("10.9.0.0/16".parse().unwrap()).dev(7);
    rt.add_route(&route).await.unwrap();
    rt.add_link(&NewLink::bridge("br0")).await.unwrap();

    let sent = fake.requests();
    let kinds: Vec<_> = sent.iter().map(|m| m.header.kind).collect();
    assert_eq!(
        kinds,
        [
            RTM_GETLINK,
            RTM_GETLINK,
            RTM_GETLINK,
            RTM_NEWADDR,
            RTM_NEWROUTE,
            RTM_NEWLINK
        ]
    );
    // Each request is byte for byte what the builder of `route::request` makes, with
    // `REQUEST` (and `ACKNOWLEDGE` for changes).
    let expected = [
        encoded(&request::dump_links(&Default::default())),
        encoded(&request::get_link("eth0".into())),
        encoded(&request::get_link("eth0".into())),
        encoded(&request::add_address(7, net)),
        encoded(&route.add_request()),
        encoded(&NewLink::bridge("br0").request()),
    ];
    for (i, (m, (flags, data))) in sent.iter().zip(expected).enumerate() {
        assert_eq!(m.data, data, "request {i}");
        let want = if i < 3 {
            flags
        } else {
            flags | HeaderFlags::ACKNOWLEDGE
        };
        assert_eq!(m.header.flags, want | HeaderFlags::REQUEST, "request {i}");
    }
}

fn mark_multi(mut m: Message) -> Message {
    m.header.flags |= HeaderFlags::MULTI;
    m
}

#[tokio::test(flavor = "current_thread")]
async fn route_handle_errors_name_the_rust_field() {
    let long = "a-name-longer-than-ifnamsiz";
    let fake = Arc::new(FakeTransport::new(move |r: &Message| {
        if r.header.kind == RTM_NEWLINK {
            // The kernel's policy points at IFLA_IFNAME: the first attribute after the
            // 16-byte ifinfomsg, at offset 16 + 16 of the request.
            let ext = ExtAck {
                message: Some("Attribute failed policy validation".into()),
                offset: Some(32),
                ..ExtAck::default()
            };
            return Ok(vec![error_ext(libc::ERANGE, r, &ext)]);
        }
        if r.header.kind == RTM_NEWADDR {
            let ext = ExtAck {
                message: Some("Invalid prefix length".into()),
                ..ExtAck::default()
            };
            return Ok(vec![error_ext(libc::EINVAL, r, &ext)]);
        }
        Ok(vec![error(libc::ENODEV, r)])
    }));
    let rt = route_handle(&fake);
    let e = rt.add_link(&NewLink::bridge(long)).await.unwrap_err();
    assert_eq!(field(&e), Some("LinkMessage.name"), "{e}");
    assert!(e.to_string().contains("(field LinkMessage.name)"), "{e}");
    let bad = IpNet::new_unchecked("10.0.0.1".parse().unwrap(), 33);
    let e = rt.add_address(3, bad).await.unwrap_err();
    assert_eq!(field(&e), Some("AddressMessage.header.prefix_len"), "{e}");
    let e = rt.link("nosuchdev").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Bulk: one result per route, each refused alone with its own error.
    let routes = [
        Route::new("10.1.0.0/16".parse().unwrap()),
        Route::new(IpNet::new_unchecked("10.2.0.0".parse().unwrap(), 33)),
    ];
    let results = rt.add_routes(&routes).await;
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r.as_ref().unwrap_err().is_not_found()));
}

fn field(e: &Error) -> Option<&str> {
    e.op_error().and_then(|op| op.ext_ack.field.as_deref())
}

#[tokio::test(flavor = "current_thread")]
async fn route_events_are_typed_and_overruns_are_items() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = AsyncConn::from_transport(Arc::clone(&fake)).unwrap();
    let mut events = RouteEvents::new(conn.events().unwrap());
    fake.push_event(&[link_reply(4, "v0")], 1);
    fake.push_error(Error::Overrun { op: "receive" });
    // A message type `RouteEvent` does not cover (RTM_NEWNEXTHOP): skipped.
    fake.push_event(
        &[Message::new(
            HeaderType(104),
            HeaderFlags::EMPTY,
            vec![0; 8],
        )],
        1,
    );
    // A notification that does not decode: an error item, not the end.
    fake.push_event(
        &[Message::new(RTM_NEWLINK, HeaderFlags::EMPTY, vec![0; 3])],
        1,
    );
    fake.push_event(&[link_reply(5, "v1")], 1);
    match events.next().await.unwrap().unwrap() {
        Event::Message(RouteEvent::NewLink(l)) => assert_eq!(l.name.as_deref(), Some("v0")),
        other => panic!("{other:?}"),
    }
    assert_eq!(events.next().await.unwrap().unwrap(), Event::Overrun);
    assert!(events.next().await.unwrap().is_err());
    match events.next().await.unwrap().unwrap() {
        Event::Message(RouteEvent::NewLink(l)) => assert_eq!(l.index(), 5),
        other => panic!("{other:?}"),
    }
    conn.close();
    assert!(
        events.next().await.is_none(),
        "the stream ends with the connection"
    );
}

const NETDEV_ID: u16 = 0x1d;

fn genl_reply(kind: u16, cmd: u8, body: Vec<u8>) -> Message {
    let mut data = Vec::new();
    GenlHeader {
        cmd,
        version: 1,
        reserved: 0,
    }
    .write_to(&mut data);
    data.extend(body);
    Message::new(HeaderType(kind), HeaderFlags::EMPTY, data)
}

/// `nlctrl`'s answer for netdev: id, name, the DEV_GET operation (do and dump) and the
/// `mgmt` group.
fn netdev_family() -> Message {
    use netlink::genl::{McastGroup, Op};
    use netlink::Indexed;
    let fam = CtrlMessage {
        family_id: Some(NETDEV_ID),
        family_name: Some("netdev".into()),
        version: Some(1),
        ops: Some(Indexed::from_values([Op {
            id: Some(u32::from(DEV_GET.cmd())),
            flags: Some(
                netlink::genl::family::GENL_CMD_CAP_DO | netlink::genl::family::GENL_CMD_CAP_DUMP,
            ),
            ..Op::default()
        }])),
        mcast_groups: Some(Indexed::from_values([McastGroup {
            name: Some(MGMT_GROUP.into()),
            id: Some(4),
            ..McastGroup::default()
        }])),
        ..CtrlMessage::default()
    };
    let bytes = fam.to_bytes().unwrap();
    Message::new(HeaderType(GENL_ID_CTRL), HeaderFlags::EMPTY, bytes)
}

fn dev(index: u32) -> Dev {
    Dev {
        ifindex: Some(index),
        xdp_features: Some(3),
        ..Dev::default()
    }
}

fn netdev_fake() -> Arc<FakeTransport> {
    Arc::new(FakeTransport::new(|r: &Message| {
        if r.header.kind == HeaderType(GENL_ID_CTRL) {
            return Ok(vec![netdev_family()]);
        }
        if r.header.flags.contains(HeaderFlags::DUMP) {
            // As the kernel's netdev family sends a dump: no NLM_F_MULTI on the replies.
            let mut out: Vec<Message> = (1..=3)
                .map(|i| genl_reply(NETDEV_ID, DEV_GET.cmd(), dev(i).to_bytes().unwrap()))
                .collect();
            out.push(done());
            return Ok(out);
        }
        Ok(vec![
            genl_reply(NETDEV_ID, DEV_GET.cmd(), dev(2).to_bytes().unwrap()),
            ack(r),
        ])
    }))
}

#[tokio::test(flavor = "current_thread")]
async fn a_dump_whose_replies_lack_multi_is_streamed_whole() {
    // Regression: the driver used to complete a dump at its first reply without
    // `NLM_F_MULTI`, dropping the rest as late replies.
    let fake = netdev_fake();
    let conn = AsyncConn::from_transport(Arc::clone(&fake)).unwrap();
    let nd = AsyncGenlHandle::<Netdev>::resolve(conn.clone())
        .await
        .unwrap();
    let devs = nd.dump(DEV_GET, &DevGet::default()).await.unwrap();
    let indices: Vec<_> = devs
        .collect()
        .await
        .unwrap()
        .iter()
        .map(|d| d.ifindex.unwrap())
        .collect();
    assert_eq!(indices, [1, 2, 3]);
    assert_eq!(conn.late_dropped(), 0);
    // The connection goes on.
    let one = nd.get(DEV_GET, &DevGet { ifindex: Some(2) }).await.unwrap();
    assert_eq!(one, dev(2));
}

#[tokio::test(flavor = "current_thread")]
async fn genl_handle_resolves_checks_ops_and_filters_events_by_family() {
    let fake = netdev_fake();
    let conn = AsyncConn::from_transport(Arc::clone(&fake)).unwrap();
    let nd = AsyncGenlHandle::<Netdev>::resolve(conn.clone())
        .await
        .unwrap();
    assert_eq!(nd.id(), NETDEV_ID);
    assert_eq!(nd.family().group(MGMT_GROUP).unwrap(), 4);
    // A command the family does not list: refused before sending.
    let sent = fake.requests().len();
    let e = nd
        .execute(netlink::genl::netdev::QUEUE_GET, &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Genl(netlink::GenlError::UnsupportedOperation { .. })
        ),
        "{e}"
    );
    assert_eq!(fake.requests().len(), sent);
    // Unknown group names are errors; joining needs a kernel socket.
    assert!(nd.events::<NetdevEvent>(&["nosuchgroup"]).is_err());

    let mut events =
        netlink::genl::GenlEventStream::<NetdevEvent>::new(conn.events().unwrap(), NETDEV_ID);
    // Another family's notification is skipped.
    fake.push_event(&[genl_reply(0x30, 2, dev(9).to_bytes().unwrap())], 4);
    fake.push_error(Error::Overrun { op: "receive" });
    fake.push_event(&[genl_reply(NETDEV_ID, 2, dev(5).to_bytes().unwrap())], 4);
    assert_eq!(events.next().await.unwrap().unwrap(), Event::Overrun);
    match events.next().await.unwrap().unwrap() {
        Event::Message(n) => {
            assert_eq!((n.family, n.cmd), (NETDEV_ID, 2));
            assert_eq!(n.event, Some(NetdevEvent::DevAdd(dev(5))));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_refused_dump_names_the_field_of_its_filter() {
    // The kernel refuses a link dump's kind filter, pointing at IFLA_LINKINFO (18).
    let fake = Arc::new(FakeTransport::new(|r: &Message| {
        let m = r.as_message_ref();
        let at = m
            .attrs(16)
            .unwrap()
            .map(Result::unwrap)
            .find(|a| a.attr_type() == 18)
            .map(|a| a.offset() as u32);
        let ext = ExtAck {
            message: Some("Unsupported kind filter".into()),
            offset: at,
            ..ExtAck::default()
        };
        Ok(vec![
            mark_multi(link_reply(1, "lo")),
            netlink::testing::done_error(libc::EINVAL, &ext),
        ])
    }));
    let rt = route_handle(&fake);
    let filter = netlink::route::LinkFilter {
        kind: Some("veth".into()),
        ..Default::default()
    };
    let mut s = rt.link_stream(&filter).await.unwrap();
    assert_eq!(s.next().await.unwrap().unwrap().name.as_deref(), Some("lo"));
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    assert_eq!(field(&e), Some("LinkMessage.linkinfo"), "{e}");
    assert!(s.next().await.is_none(), "the error ends the stream");
    // The collected form reports the same error.
    let e = rt.links_filtered(&filter).await.unwrap_err();
    assert_eq!(field(&e), Some("LinkMessage.linkinfo"), "{e}");
}

fn assert_send<T: Send>(_: &T) {}

/// Every handle future and stream can move to another task (`tokio::spawn`).
#[tokio::test(flavor = "current_thread")]
async fn handle_futures_and_streams_are_send() {
    let fake = Arc::new(FakeTransport::new(|r: &Message| Ok(vec![ack(r)])));
    let rt = route_handle(&fake);
    let route = Route::new("10.0.0.0/8".parse().unwrap());
    let net: IpNet = "10.0.0.1/8".parse().unwrap();
    let mac = [0u8; 6];
    assert_send(&rt.links());
    assert_send(&rt.link("x"));
    assert_send(&rt.set_master("x", "y"));
    assert_send(&rt.add_address("x", net));
    assert_send(&rt.add_route(&route));
    assert_send(&rt.add_routes([&route]));
    assert_send(&rt.add_addresses([("x", net)]));
    assert_send(&rt.add_neighbours([("x", net.addr(), &mac[..])]));
    assert_send(&rt.snapshot(netlink::route::Watch::ALL));
    assert_send(&rt.link_stream(&Default::default()));
    let stream = rt.rule_stream(0).await.unwrap();
    assert_send(&stream);
    let events = RouteEvents::new(rt.conn().events().unwrap());
    assert_send(&events);
    drop(events);

    let fake = netdev_fake();
    let conn = AsyncConn::from_transport(Arc::clone(&fake)).unwrap();
    assert_send(&AsyncGenlHandle::<Netdev>::resolve(conn.clone()));
    let nd = AsyncGenlHandle::<Netdev>::resolve(conn.clone())
        .await
        .unwrap();
    let req = DevGet::default();
    assert_send(&nd.get(DEV_GET, &req));
    assert_send(&nd.dump(DEV_GET, &req));
    let dump = nd.dump(DEV_GET, &req).await.unwrap();
    assert_send(&dump);
    drop(dump);
    let events = netlink::genl::GenlEventStream::<NetdevEvent>::new(conn.events().unwrap(), 1);
    assert_send(&events);
}
