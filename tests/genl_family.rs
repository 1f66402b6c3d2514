//! The generic netlink family handle over a fake socket: what it sends (family id,
//! `genlmsghdr`, flags, attributes) and how it reads replies, acknowledgements, errors and
//! events, without a kernel.

use netlink::genl::{
    Command, CtrlCommand, CtrlMessage, FamilyInfo, GenlEvent, GenlFamily, GenlHandle, GenlHeader,
    GenlMessage, McastGroup, Op,
};
use netlink::testing::{self, FakeSocket};
use netlink::{
    Conn, DecodeError, DecodeOptions, Error, GenlError, HeaderFlags, HeaderType, Indexed, Message,
    MessageRef, NlAttrs, UnknownAttrs,
};

struct Toy;
impl GenlFamily for Toy {
    const NAME: &'static str = "toy";
    const VERSION: u8 = 3;
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Thing {
    #[nla(type = 1)]
    id: Option<u32>,
    #[nla(type = 2)]
    name: Option<String>,
    #[nla(unknown)]
    rest: UnknownAttrs,
}

const GET: Command<Toy, Thing> = Command::new(7, "TOY_CMD_GET");
const SET: Command<Toy, Thing> = Command::new(8, "TOY_CMD_SET");
const TOY_ID: u16 = 0x2a;

/// The `CTRL_CMD_NEWFAMILY` reply describing the toy family: GET (do and dump), SET (do).
fn toy_family() -> CtrlMessage {
    CtrlMessage {
        family_name: Some("toy".into()),
        family_id: Some(TOY_ID),
        version: Some(3),
        header_size: Some(0),
        max_attr: Some(2),
        ops: Some(Indexed::from_values([
            Op {
                id: Some(7),
                flags: Some(0x2 | 0x4),
                ..Default::default()
            },
            Op {
                id: Some(8),
                flags: Some(0x2 | 0x1),
                ..Default::default()
            },
        ])),
        mcast_groups: Some(Indexed::from_values([McastGroup {
            id: Some(9),
            name: Some("events".into()),
            ..Default::default()
        }])),
        ..CtrlMessage::new(CtrlCommand::NewFamily)
    }
}

fn reply(cmd: u8, thing: &Thing) -> Message {
    let msg = GenlMessage {
        header: GenlHeader {
            cmd,
            version: 3,
            reserved: 0,
        },
        body: thing.clone(),
    };
    Message::new(
        HeaderType(TOY_ID),
        HeaderFlags::EMPTY,
        msg.to_bytes().unwrap(),
    )
}

/// A fake kernel knowing `nlctrl` and the toy family.
fn kernel() -> Conn<FakeSocket> {
    testing::dial(|reqs: &[Message]| {
        let req = &reqs[0];
        if req.header.kind == HeaderType(0x10) {
            let c = CtrlMessage::decode_message(&req.as_message_ref(), &DecodeOptions::default())?;
            assert_eq!(c.command(), CtrlCommand::GetFamily);
            if c.family_name.as_deref() != Some("toy") {
                return Ok(vec![testing::error(libc::ENOENT, req)]);
            }
            let bytes = toy_family().to_bytes()?;
            return Ok(vec![Message::new(
                HeaderType(0x10),
                HeaderFlags::EMPTY,
                bytes,
            )]);
        }
        assert_eq!(req.header.kind, HeaderType(TOY_ID));
        let m =
            GenlMessage::<Thing>::decode_message(&req.as_message_ref(), &DecodeOptions::default())?;
        assert_eq!(m.header.version, 3);
        let mut out = Vec::new();
        if req.header.flags.contains(HeaderFlags::DUMP) {
            let parts = (1..=3)
                .map(|i| {
                    reply(
                        m.header.cmd,
                        &Thing {
                            id: Some(i),
                            ..Default::default()
                        },
                    )
                })
                .collect();
            return Ok(testing::multipart(parts));
        }
        if m.header.cmd == 7 {
            out.push(reply(
                7,
                &Thing {
                    id: m.body.id,
                    name: Some("seven".into()),
                    ..Default::default()
                },
            ));
        }
        if req.header.flags.contains(HeaderFlags::ACKNOWLEDGE) {
            out.push(testing::ack(req));
        }
        Ok(out)
    })
}

#[test]
fn resolve_reads_every_field() {
    let conn = kernel();
    let toy = GenlHandle::<Toy>::resolve(&conn).unwrap();
    let info = toy.info();
    assert_eq!(info.name, "toy");
    assert_eq!(toy.id(), TOY_ID);
    assert_eq!((info.version, info.max_attr), (3, 2));
    assert!(info.op(7).unwrap().can_dump());
    assert!(!info.op(8).unwrap().can_dump());
    assert_eq!(toy.group("events").unwrap(), 9);
    assert_eq!(FamilyInfo::from_ctrl(&toy_family()).unwrap(), *info);
}

#[test]
fn requests_carry_the_family_header_and_replies_decode() {
    let conn = kernel();
    let toy = GenlHandle::<Toy>::resolve(&conn).unwrap();
    let req = Thing {
        id: Some(5),
        ..Default::default()
    };
    let got = toy.get(&conn, GET, &req).unwrap();
    assert_eq!(got.name.as_deref(), Some("seven"));
    assert_eq!(got.id, Some(5));

    // What went out: the family id, REQUEST|ACK, then cmd 7 and version 3.
    let sent = conn.socket().requests();
    let last = sent.last().unwrap();
    assert_eq!(last.header.kind, HeaderType(TOY_ID));
    assert_eq!(
        last.header.flags,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE
    );
    assert_eq!(&last.data[..4], &[7, 3, 0, 0]);
    assert_eq!(Thing::decode(&last.data[4..]).unwrap(), req);

    // A SET answered by an acknowledgement alone: no replies.
    assert!(toy.execute(&conn, SET, &req).unwrap().is_empty());

    // A dump: every part, in order.
    let ids: Vec<u32> = toy
        .dump(&conn, GET, &Thing::default())
        .unwrap()
        .map(|t| t.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    let last = conn.socket().requests().pop().unwrap();
    assert!(last.header.flags.contains(HeaderFlags::DUMP));
}

#[test]
fn missing_family_operation_and_form_are_typed() {
    let conn = kernel();
    struct Absent;
    impl GenlFamily for Absent {
        const NAME: &'static str = "absent";
        const VERSION: u8 = 1;
    }
    let err = GenlHandle::<Absent>::resolve(&conn).unwrap_err();
    assert!(matches!(&err, Error::Genl(GenlError::UnknownFamily { family }) if family == "absent"));
    assert!(err.is_not_found());

    let toy = GenlHandle::<Toy>::resolve(&conn).unwrap();
    let sent_before = conn.socket().requests().len();
    let err = toy
        .dump(&conn, SET, &Thing::default())
        .map(drop)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "generic netlink family \"toy\" has no dump operation TOY_CMD_SET (command 8)"
    );
    assert_eq!(err.errno(), Some(libc::EOPNOTSUPP));
    const NOPE: Command<Toy, Thing> = Command::new(99, "TOY_CMD_NOPE");
    assert!(toy.execute(&conn, NOPE, &Thing::default()).is_err());
    // Refused before anything was sent.
    assert_eq!(conn.socket().requests().len(), sent_before);
    let err = toy.group("nope").unwrap_err();
    assert_eq!(
        err,
        GenlError::UnknownGroup {
            family: "toy".into(),
            group: "nope".into()
        }
    );
}

#[derive(Debug, PartialEq)]
enum ToyEvent {
    Added(Thing),
}

impl GenlEvent for ToyEvent {
    fn decode_event(cmd: u8, msg: &MessageRef<'_>) -> Result<Option<Self>, DecodeError> {
        Ok(match cmd {
            20 => Some(ToyEvent::Added(
                GenlMessage::<Thing>::decode_message(msg, &DecodeOptions::default())?.body,
            )),
            _ => None,
        })
    }
}

#[test]
fn events_of_this_family_only() {
    let conn = kernel();
    let toy = GenlHandle::<Toy>::resolve(&conn).unwrap();
    let thing = Thing {
        id: Some(1),
        ..Default::default()
    };
    let ev = reply(20, &thing);
    assert_eq!(
        toy.decode_event::<ToyEvent>(&ev.as_message_ref()).unwrap(),
        Some(ToyEvent::Added(thing.clone()))
    );
    // Another command, another family: not an event of this type.
    assert_eq!(
        toy.decode_event::<ToyEvent>(&reply(21, &thing).as_message_ref())
            .unwrap(),
        None
    );
    let mut other = reply(20, &thing);
    other.header.kind = HeaderType(TOY_ID + 1);
    assert_eq!(
        toy.decode_event::<ToyEvent>(&other.as_message_ref())
            .unwrap(),
        None
    );
    // A truncated event is an error, not a panic.
    let mut short = reply(20, &thing);
    short.data.truncate(6);
    assert!(toy
        .decode_event::<ToyEvent>(&short.as_message_ref())
        .is_err());
}

#[test]
fn genl_message_round_trip() {
    let m = GenlMessage {
        header: GenlHeader {
            cmd: 1,
            version: 2,
            reserved: 0,
        },
        body: Thing {
            id: Some(3),
            name: Some("x".into()),
            ..Default::default()
        },
    };
    let bytes = m.to_bytes().unwrap();
    assert_eq!(&bytes[..4], &[1, 2, 0, 0]);
    assert_eq!(GenlMessage::<Thing>::decode(&bytes).unwrap(), m);
    assert_eq!(<GenlMessage<Thing> as NlAttrs>::POLICY.header_len, 4);
    assert!(GenlMessage::<Thing>::decode(&bytes[..3]).is_err());
}

#[test]
fn get_wants_exactly_one_reply() {
    let conn = kernel();
    let toy = GenlHandle::<Toy>::resolve(&conn).unwrap();
    // SET is answered by an acknowledgement alone: no reply to return.
    let err = toy.get(&conn, SET, &Thing::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "generic netlink family \"toy\": TOY_CMD_SET answered with 0 replies, expected 1"
    );
}
