//! Inputs on which a fuzz target (`src/fuzz_targets.rs`) failed, kept with their bytes inline
//! and run through the same target function, so that the bug stays fixed. Add one test per
//! crash (see `fuzz/README.md`): the target's panic message says which promise broke.

use netlink::genl::{CtrlMessage, McastGroup};
use netlink_suite::fuzz_targets::{attributes, derived, derived_any, DERIVED_TYPES};

/// Found by the `derived` smoke run (issue 7, defect 9): a `CTRL_ATTR_FAMILY_NAME` holding a
/// NUL decoded to a string with the NUL inside, which the encoder then refused
/// (`InteriorNul`). Strings now end at their first NUL, as the kernel reads them.
#[test]
fn derived_string_with_a_nul_inside() {
    // genlmsghdr (cmd 24, version 0, reserved 0x8000), then CTRL_ATTR_FAMILY_NAME
    // "\x08\0\x07\0\x0f\0\0\0".
    let input = [
        0x18, 0x00, 0x00, 0x80, // genlmsghdr
        0x0c, 0x00, 0x02, 0x00, 0x08, 0x00, 0x07, 0x00, 0x0f, 0x00, 0x00, 0x00,
    ];
    derived::<CtrlMessage>(&input);
    // The same through the dispatching target, as the fuzzer calls it.
    let pick = DERIVED_TYPES
        .iter()
        .position(|t| t.name.ends_with("CtrlMessage"))
        .unwrap();
    derived_any(&[&[pick as u8][..], &input].concat());

    // The case of the issue: CTRL_ATTR_MCAST_GRP_NAME "a\0b".
    derived::<McastGroup>(&[0x08, 0x00, 0x01, 0x00, b'a', 0x00, b'b', 0x00]);
}

/// The `attributes` target's decoder contract (issue 7, defect 8): an attribute whose payload
/// is not 8 bytes makes `u64()` fail; the decoder then held the error but still ran the
/// callbacks of `with` and `nested` and answered other getters.
#[test]
fn attributes_decoder_runs_nothing_after_an_error() {
    // No extra nest; one 1-byte attribute of type 1.
    attributes(&[0x00, 0x05, 0x00, 0x01, 0x00, 0xaa, 0x00, 0x00, 0x00]);
    // Inside a nest: the nested decoder holds the error, not the outer one.
    attributes(&[
        0x00, 0x0c, 0x00, 0x01, 0x80, 0x05, 0x00, 0x01, 0x00, 0xaa, 0x00, 0x00, 0x00,
    ]);
}

/// Found by the `derived` smoke run once route types were listed: an `RTA_MULTIPATH` whose
/// `struct rtnexthop` claims more bytes than the attribute holds fails to decode, but the
/// policy took the payload for plain bytes and accepted it. A hand-written value now gives
/// the policy its own check (`ValueKind::Checked`).
#[test]
fn derived_multipath_entry_past_the_end() {
    use netlink::route::{RouteMessage, RouteMessageRef};
    use netlink::{Attrs, NlAttrs};
    // rtmsg (12 bytes), then RTA_MULTIPATH (9) holding one rtnexthop of length 16 in 8 bytes.
    let mut input = vec![2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
    input.extend_from_slice(&[12, 0, 9, 0, 16, 0, 0, 0, 2, 0, 0, 0]);
    assert!(RouteMessage::decode(&input).is_err());
    let attrs = Attrs::with_offset(&input[12..], 12);
    let err = RouteMessage::POLICY
        .validate(attrs.clone(), false)
        .unwrap_err();
    assert_eq!(err.offset(), Some(16), "{err}");
    assert!(RouteMessageRef::POLICY.validate(attrs, false).is_err());
    derived::<RouteMessage>(&input);
    let pick = DERIVED_TYPES
        .iter()
        .position(|t| t.name.ends_with("::RouteMessage"))
        .unwrap();
    derived_any(&[&[pick as u8][..], &input].concat());
}

/// Found by the `derived` smoke run once addresses followed their header's family: in a
/// family whose addresses are not IP (here 1), two `IFA_LOCAL` are kept as unknown attributes
/// and encoded back, which the policy then took for a repeated address; and in `AF_INET`, a
/// 16-byte `IFA_ADDRESS` fails to decode while the policy, which does not see the header,
/// accepted it. `Policy::validate_payload` checks with the header's family.
#[test]
fn derived_addresses_of_the_headers_family() {
    use netlink::route::AddressMessage;
    use netlink::NlAttrs;
    // ifaddrmsg (family 1), IFA_LOCAL "lo\0", IFA_LOCAL of 4 bytes.
    let mut other = vec![1, 1, 0, 0, 0, 0, 0, 0];
    other.extend_from_slice(&[7, 0, 2, 0, b'l', b'o', 0, 0, 8, 0, 2, 0, 1, 2, 3, 4]);
    let a = AddressMessage::decode(&other).unwrap();
    assert_eq!((a.local, a.unknown.iter().count()), (None, 2));
    derived::<AddressMessage>(&other);
    // ifaddrmsg (AF_INET), IFA_ADDRESS of 16 bytes.
    let mut v4 = vec![2, 24, 0, 0, 1, 0, 0, 0, 20, 0, 1, 0];
    v4.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert!(AddressMessage::decode(&v4).is_err());
    assert!(AddressMessage::POLICY.validate_payload(&v4, false).is_err());
    derived::<AddressMessage>(&v4);
    let pick = DERIVED_TYPES
        .iter()
        .position(|t| t.name.ends_with("::AddressMessage"))
        .unwrap();
    derived_any(&[&[pick as u8][..], &v4].concat());
}
