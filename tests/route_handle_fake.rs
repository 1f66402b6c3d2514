//! `RouteHandle` over a fake socket (`netlink::testing`): the requests it sends, checked
//! message by message, and kernel errors pointing into a typed request naming the field; no
//! kernel needed, so the link kinds the test machines lack (vlan, bond, vrf) go through the
//! whole handle too. Also `RouteEvent::decode`.

use netlink::route::{
    AddressMessage, LinkMessage, NewLink, RouteEvent, RouteHandle, RTM_GETLINK, RTM_NEWADDR,
    RTM_NEWLINK,
};
use netlink::testing::{self, FakeSocket};
use netlink::{Conn, ExtAck, HeaderFlags, HeaderType, Message, NlAttrs};

mod route_messages;
use route_messages::link as link_reply;

fn handle<F>(f: F) -> RouteHandle<FakeSocket>
where
    F: FnMut(&[Message]) -> Result<Vec<Message>, netlink::Error> + Send + 'static,
{
    RouteHandle::from_conn(Conn::from_socket(FakeSocket::new(f)))
}

#[test]
fn rename_looks_the_index_up_then_renames_by_index() {
    let rt = handle(|reqs| {
        let r = &reqs[0];
        Ok(if r.header.kind == RTM_GETLINK {
            vec![link_reply(7, "eth0")]
        } else {
            vec![testing::ack(r)]
        })
    });
    rt.set_name("eth0", "wan0").unwrap();
    let sent = rt.conn().socket().requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header.kind, RTM_GETLINK);
    assert_eq!(sent[0].header.flags, HeaderFlags::REQUEST);
    let get = LinkMessage::from_message(&sent[0]).unwrap();
    assert_eq!((get.header.index, get.name.as_deref()), (0, Some("eth0")));
    assert_eq!(sent[1].header.kind, RTM_NEWLINK);
    assert_eq!(
        sent[1].header.flags,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE
    );
    let set = LinkMessage::from_message(&sent[1]).unwrap();
    assert_eq!((set.header.index, set.name.as_deref()), (7, Some("wan0")));
}

#[test]
fn vlan_bond_vrf_through_the_handle() {
    let rt = handle(|reqs| Ok(vec![testing::ack(&reqs[0])]));
    let links = [
        NewLink::vlan("vl0", 2, 100),
        NewLink::bond("bond0", 1),
        NewLink::vrf("vrf-red", 1001),
    ];
    for l in &links {
        rt.add_link(l).unwrap();
    }
    let sent = rt.conn().socket().requests();
    assert_eq!(sent.len(), 3);
    for (m, l) in sent.iter().zip(&links) {
        assert_eq!(m.header.kind, RTM_NEWLINK);
        assert_eq!(
            m.header.flags,
            HeaderFlags::REQUEST
                | HeaderFlags::ACKNOWLEDGE
                | HeaderFlags::CREATE
                | HeaderFlags::EXCL
        );
        assert_eq!(m.data, l.message().to_bytes().unwrap());
        assert_eq!(&LinkMessage::from_message(m).unwrap(), l.message());
    }
    let kinds: Vec<_> = sent
        .iter()
        .map(|m| {
            LinkMessage::from_message(m)
                .unwrap()
                .kind()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        kinds,
        [Some("vlan".into()), Some("bond".into()), Some("vrf".into())]
    );
}

#[test]
fn refused_typed_request_names_the_field() {
    // The kernel points at the attribute at offset 32: nlmsghdr (16) + ifinfomsg (16), the
    // first attribute, IFLA_IFNAME.
    let rt = handle(|reqs| {
        let ext = ExtAck {
            message: Some("Attribute failed policy validation".into()),
            offset: Some(32),
            ..ExtAck::default()
        };
        Ok(vec![testing::error_ext(libc::ERANGE, &reqs[0], &ext)])
    });
    let e = rt.add_link(&NewLink::vlan("vl0", 2, 100)).unwrap_err();
    let op = e.op_error().expect("an operation error");
    assert_eq!(op.ext_ack.field.as_deref(), Some("LinkMessage.name"));
    assert!(e.to_string().contains("(field LinkMessage.name)"), "{e}");

    // Inside the IFLA_LINKINFO nest: name (8 bytes) at 32, the nest at 40, its kind at 44.
    let rt = handle(|reqs| {
        let ext = ExtAck {
            offset: Some(44),
            ..ExtAck::default()
        };
        Ok(vec![testing::error_ext(libc::EINVAL, &reqs[0], &ext)])
    });
    let e = rt.add_link(&NewLink::vlan("vl0", 2, 100)).unwrap_err();
    assert_eq!(
        e.op_error().and_then(|o| o.ext_ack.field.as_deref()),
        Some("LinkMessage.linkinfo.kind"),
        "{e}"
    );
}

#[test]
fn events_decode_by_message_type() {
    let mut a = AddressMessage::default();
    a.header.family = libc::AF_INET as u8;
    a.header.prefix_len = 24;
    a.header.index = 3;
    a.local = Some("10.0.0.1".parse().unwrap());
    let m = Message::new(RTM_NEWADDR, HeaderFlags::EMPTY, a.to_bytes().unwrap());
    match RouteEvent::decode(&m).unwrap() {
        Some(RouteEvent::NewAddress(got)) => assert_eq!(*got, a),
        other => panic!("{other:?}"),
    }
    // Types the enum does not cover: none, not an error (RTM_NEWNEXTHOP).
    let other = Message::new(HeaderType(104), HeaderFlags::EMPTY, vec![0; 8]);
    assert_eq!(RouteEvent::decode(&other).unwrap(), None);
    // A truncated family header: a typed error, no panic.
    let short = Message::new(RTM_NEWLINK, HeaderFlags::EMPTY, vec![0; 5]);
    assert!(RouteEvent::decode(&short).is_err());
}
