//! The derived `nlctrl` messages against the running kernel: a family lookup, a dump of every
//! family and a policy dump, each reply decoded strictly and re-encoded. Read-only requests:
//! nothing on the host changes.
#![deny(warnings)]

use netlink::genl::{CtrlCommand, CtrlMessage, GENL_ID_CTRL};
use netlink::roundtrip::with_nested_flags;
use netlink::{
    Config, Conn, DecodeOptions, Family, HeaderFlags, HeaderType, Message, NlAttrs, NlEnum,
};

fn conn() -> Conn {
    Conn::dial(Family::GENERIC, Config::default()).expect("generic netlink socket")
}

fn request(msg: &CtrlMessage, flags: HeaderFlags) -> Message {
    Message::new(
        HeaderType(GENL_ID_CTRL),
        HeaderFlags::REQUEST | flags,
        msg.to_bytes().unwrap(),
    )
}

fn check_exact(reply: &netlink::MessageRef<'_>) -> CtrlMessage {
    let c = CtrlMessage::decode_message(reply, &DecodeOptions::strict())
        .unwrap_or_else(|e| panic!("{e}: {:?}", reply.data));
    let (head, attrs) = reply.data.split_at(4);
    let mut want = head.to_vec();
    want.extend(with_nested_flags(attrs, <CtrlMessage as NlAttrs>::POLICY));
    assert_eq!(c.to_bytes().unwrap(), want);
    c
}

#[test]
fn get_family_nlctrl() {
    let conn = conn();
    let replies = conn
        .execute(&request(
            &CtrlMessage::get_family("nlctrl"),
            HeaderFlags::EMPTY,
        ))
        .unwrap();
    assert_eq!(replies.len(), 1);
    let c = check_exact(&replies[0].as_message_ref());
    assert_eq!(c.command(), CtrlCommand::NewFamily);
    assert_eq!(c.family_id, Some(GENL_ID_CTRL));
    assert_eq!(c.family_name.as_deref(), Some("nlctrl"));
    assert_eq!(c.mcast_group("notify"), Some(u32::from(GENL_ID_CTRL)));
}

#[test]
fn unknown_family_is_not_found() {
    let conn = conn();
    let err = conn
        .execute(&request(
            &CtrlMessage::get_family("no-such-family"),
            HeaderFlags::EMPTY,
        ))
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn dump_every_family() {
    let conn = conn();
    let mut dump = conn
        .dump(&request(
            &CtrlMessage::new(CtrlCommand::GetFamily),
            HeaderFlags::DUMP,
        ))
        .unwrap();
    let mut names = Vec::new();
    while let Some(reply) = dump.next_ref() {
        let c = check_exact(&reply.unwrap());
        assert!(c.family_id.is_some());
        names.push(c.family_name.unwrap());
    }
    assert!(names.iter().any(|n| n == "nlctrl"), "{names:?}");
}

#[test]
fn policy_dump_of_nlctrl() {
    let conn = conn();
    let mut dump = conn
        .dump(&request(
            &CtrlMessage::get_policy("nlctrl"),
            HeaderFlags::DUMP,
        ))
        .unwrap();
    let mut getfamily_policy = None;
    let mut tables = 0;
    while let Some(reply) = dump.next_ref() {
        let c = check_exact(&reply.unwrap());
        if let Some(ops) = &c.op_policy {
            if let Some(p) = ops.get(u16::from(CtrlCommand::GetFamily.to_repr())) {
                getfamily_policy = Some(p.clone());
            }
        }
        if c.policy.is_some() {
            tables += 1;
        }
    }
    assert!(getfamily_policy.is_some());
    assert!(tables > 0);
}

#[test]
fn get_family_and_list_families_helpers() {
    let conn = conn();
    let f = netlink::genl::get_family(&conn, "nlctrl").unwrap();
    assert_eq!(f.id, GENL_ID_CTRL);
    assert_eq!(f.name, "nlctrl");
    assert_eq!(f.version, 2);
    assert_eq!(f.group("notify"), Some(u32::from(GENL_ID_CTRL)));
    assert!(f.op(3).is_some_and(|op| op.can_do() && op.can_dump()));
    let err = netlink::genl::get_family(&conn, "no-such-family").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(matches!(
        err,
        netlink::Error::Genl(netlink::GenlError::UnknownFamily { ref family }) if family == "no-such-family"
    ));
    assert_eq!(
        err.to_string(),
        "generic netlink family \"no-such-family\" not found in the kernel"
    );
    let all = netlink::genl::list_families(&conn).unwrap();
    assert!(all.iter().any(|f| f.name == "nlctrl"));
    // Every family listed can be looked up by name, with the same id and operations.
    for f in &all {
        assert_eq!(&netlink::genl::get_family(&conn, &f.name).unwrap(), f);
    }
}
