//! The `nlctrl` messages declared with the derive, on bytes captured from the kernel
//! (`tests/fixtures/capture_nlctrl.py`): a `CTRL_CMD_GETFAMILY` reply, a dump of every family
//! and a `CTRL_CMD_GETPOLICY` dump.
#![deny(warnings)]

use netlink::genl::{CtrlCommand, CtrlMessage, McastGroup, GENL_ID_CTRL};
use netlink::roundtrip::with_nested_flags;
use netlink::{
    messages, DecodeOptions, Header, HeaderFlags, HeaderType, MessageRef, NlAttrs, NlEnum,
};

const GETFAMILY: &[u8] = include_bytes!("fixtures/getfamily_nlctrl.bin");
const DUMP: &[u8] = include_bytes!("fixtures/getfamily_dump.bin");
const POLICY: &[u8] = include_bytes!("fixtures/getpolicy_nlctrl.bin");

fn ctrl_messages(buf: &[u8]) -> Vec<MessageRef<'_>> {
    messages(buf)
        .map(|m| m.unwrap())
        .filter(|m| m.header.kind == HeaderType(GENL_ID_CTRL))
        .collect()
}

/// Decodes a message strictly, checks that it encodes back to the kernel's bytes exactly
/// (`NLA_F_NESTED` included: the kernel omits it on `ops` and `mcast_groups`, and on their
/// entries) and returns it.
fn decode_exact(m: &MessageRef<'_>) -> CtrlMessage {
    let c = CtrlMessage::decode_message(m, &DecodeOptions::strict()).unwrap();
    assert_eq!(c.to_bytes().unwrap(), m.data, "{c:?}");
    // The whole message, header included, comes back too.
    let mut whole = Vec::new();
    c.encode_message(m.header, &mut whole).unwrap();
    assert_eq!(whole, [&m.header.to_bytes()[..], m.data].concat(), "{c:?}");
    // The bytes pass the policy with NLA_F_NESTED checked exactly as declared.
    let attrs = netlink::Attrs::with_offset(&m.data[4..], m.payload_offset() + 4);
    <CtrlMessage as NlAttrs>::POLICY
        .validate(attrs, true)
        .unwrap();
    c
}

#[test]
fn getfamily_reply() {
    let msgs = ctrl_messages(GETFAMILY);
    assert_eq!(msgs.len(), 1);
    let c = decode_exact(&msgs[0]);
    assert_eq!(c.command(), CtrlCommand::NewFamily);
    assert_eq!(c.family_name.as_deref(), Some("nlctrl"));
    assert_eq!(c.family_id, Some(GENL_ID_CTRL));
    assert_eq!(c.version, Some(2));
    assert!(c.rest.is_empty());
    let ops = c.ops.as_ref().unwrap();
    let ids: Vec<u32> = ops.values().filter_map(|o| o.id).collect();
    assert!(
        ids.contains(&u32::from(CtrlCommand::GetFamily.to_repr())),
        "{ids:?}"
    );
    assert!(
        ids.contains(&u32::from(CtrlCommand::GetPolicy.to_repr())),
        "{ids:?}"
    );
    // Operations are numbered from 1, in order.
    let indices: Vec<u16> = ops.entries.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, (1..=indices.len() as u16).collect::<Vec<_>>());
    assert_eq!(c.mcast_group("notify"), Some(u32::from(GENL_ID_CTRL)));
    assert_eq!(c.mcast_group("nope"), None);
}

#[test]
fn family_dump() {
    let msgs = ctrl_messages(DUMP);
    assert!(msgs.len() >= 2, "{}", msgs.len());
    let mut names = Vec::new();
    for m in &msgs {
        assert!(m.header.flags.contains(HeaderFlags::MULTI));
        let c = decode_exact(m);
        assert!(c.family_id.is_some());
        names.push(c.family_name.unwrap());
    }
    assert!(names.iter().any(|n| n == "nlctrl"), "{names:?}");
    // The dump ends with NLMSG_DONE.
    let last = messages(DUMP).last().unwrap().unwrap();
    assert_eq!(last.header.kind, HeaderType::DONE);
}

#[test]
fn policy_dump() {
    let msgs = ctrl_messages(POLICY);
    assert!(!msgs.is_empty());
    let mut op_policies = 0;
    let mut attr_policies = 0;
    for m in &msgs {
        // The kernel sets NLA_F_NESTED on every nest of a policy dump: re-encoding is exact.
        let (_, attrs) = m.data.split_at(4);
        assert_eq!(
            with_nested_flags(attrs, <CtrlMessage as NlAttrs>::POLICY),
            attrs
        );
        let c = decode_exact(m);
        assert_eq!(c.command(), CtrlCommand::GetPolicy);
        assert_eq!(c.family_id, Some(GENL_ID_CTRL));
        if let Some(p) = &c.op_policy {
            op_policies += p.entries.len();
        }
        if let Some(p) = &c.policy {
            for (_, table) in &p.entries {
                for (attr_type, policy) in &table.entries {
                    attr_policies += 1;
                    assert!(*attr_type > 0);
                    assert!(policy.kind.is_some(), "{policy:?}");
                }
            }
        }
    }
    assert!(op_policies > 0);
    assert!(attr_policies > 0);
    // CTRL_ATTR_FAMILY_ID (1) is NLA_U16 in nlctrl's policy: NL_ATTR_TYPE_U16 (3), max 0xffff.
    let table = msgs
        .iter()
        .map(|m| CtrlMessage::decode_message(m, &DecodeOptions::default()).unwrap())
        .find_map(|c| c.policy)
        .unwrap();
    let family_id = table.entries[0].1.get(1).unwrap();
    assert_eq!(family_id.kind, Some(3));
    assert_eq!(family_id.max_value_u, Some(0xffff));
}

#[test]
fn getfamily_request_bytes() {
    let mut buf = Vec::new();
    let header = Header {
        kind: HeaderType(GENL_ID_CTRL),
        flags: HeaderFlags::REQUEST,
        sequence: 1,
        ..Header::default()
    };
    let n = CtrlMessage::get_family("nlctrl")
        .encode_message(header, &mut buf)
        .unwrap();
    let mut want = Vec::new();
    want.extend_from_slice(&32u32.to_ne_bytes());
    want.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes());
    want.extend_from_slice(&1u16.to_ne_bytes());
    want.extend_from_slice(&1u32.to_ne_bytes());
    want.extend_from_slice(&0u32.to_ne_bytes());
    want.extend_from_slice(&[3, 2, 0, 0]);
    want.extend_from_slice(&11u16.to_ne_bytes());
    want.extend_from_slice(&2u16.to_ne_bytes());
    want.extend_from_slice(b"nlctrl\0\0");
    // The length counts the attribute's padding, as the kernel and libmnl do.
    assert_eq!(n, 32);
    assert_eq!(buf, want);
}

#[test]
fn mcast_group_name_with_a_nul_inside() {
    // CTRL_ATTR_MCAST_GRP_NAME "a\0b": the kernel reads "a"; so does the decoder, and the
    // value encodes again.
    let bytes = [0x08, 0x00, 0x01, 0x00, 0x61, 0x00, 0x62, 0x00];
    let g = McastGroup::decode(&bytes).unwrap();
    assert_eq!(g.name.as_deref(), Some("a"));
    let again = g.to_bytes().unwrap();
    assert_eq!(again, [0x06, 0x00, 0x01, 0x00, 0x61, 0x00, 0x00, 0x00]);
    assert_eq!(McastGroup::decode(&again).unwrap(), g);
}
