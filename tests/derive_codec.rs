//! The derive's encoder and decoder on hand-written bytes: layout, required and optional
//! attributes, nests, flags, byte order, repeated attributes, unknown attributes, strict
//! mode, duplicates, checks, headers, C structures and enums.
//!
//! The derived types (in `support/`) compile here under strict lints: generated code must not
//! warn in a user's crate.
#![deny(
    warnings,
    unused_qualifications,
    rust_2018_idioms,
    unused_results,
    trivial_casts,
    trivial_numeric_casts
)]

mod support;

use std::net::Ipv4Addr;

use netlink::attr::{NLA_F_NESTED, NLA_F_NET_BYTEORDER};
use netlink::{DecodeError, DecodeOptions, EncodeError, NlAttrs, NlEnum, NlStruct, UnknownAttrs};
use support::*;

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn example() -> Example {
    Example {
        number: 7,
        name: Some("ab".into()),
        inner: Some(Inner { a: 1, b: None }),
        enabled: true,
        port: 80,
        addrs: vec![Ipv4Addr::new(1, 2, 3, 4), Ipv4Addr::new(5, 6, 7, 8)],
        rest: UnknownAttrs::new(),
    }
}

fn example_bytes() -> Vec<u8> {
    cat(&[
        attr(1, &7u16.to_ne_bytes()),
        attr(2, b"ab\0"),
        attr(3 | NLA_F_NESTED, &attr(1, &1u32.to_ne_bytes())),
        attr(4, &[]),
        attr(5, &[0, 80]),
        attr(6, &[1, 2, 3, 4]),
        attr(6, &[5, 6, 7, 8]),
    ])
}

#[test]
fn encodes_in_declaration_order_with_nest_flag_and_byte_order() {
    assert_eq!(example().to_bytes().unwrap(), example_bytes());
    assert_eq!(Example::decode(&example_bytes()).unwrap(), example());
}

#[test]
fn encode_appends_to_the_callers_buffer() {
    let mut buf = vec![0xaa; 3];
    let n = example().encode(&mut buf).unwrap();
    assert_eq!(n, example_bytes().len());
    assert_eq!(&buf[..3], &[0xaa; 3]);
    assert_eq!(&buf[3..], &example_bytes()[..]);
}

#[test]
fn absent_optional_and_flag_fields_are_not_encoded() {
    let x = Example {
        number: 1,
        port: 2,
        ..Default::default()
    };
    let b = x.to_bytes().unwrap();
    assert_eq!(b, cat(&[attr(1, &1u16.to_ne_bytes()), attr(5, &[0, 2])]));
    assert_eq!(Example::decode(&b).unwrap(), x);
}

#[test]
fn missing_required_attribute_names_the_field() {
    let b = cat(&[attr(2, b"x\0"), attr(5, &[0, 1])]);
    let e = Example::decode(&b).unwrap_err();
    assert_eq!(
        e,
        DecodeError::MissingAttribute {
            offset: 0,
            attr_type: 1,
            field: "Example.number"
        }
    );
    assert!(e.to_string().contains("Example.number"), "{e}");
    // In a nest, the offset is the nest's payload.
    let b = cat(&[
        attr(1, &1u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        attr(3, &attr(2, &5u32.to_ne_bytes())),
    ]);
    match Example::decode(&b).unwrap_err() {
        DecodeError::MissingAttribute {
            offset,
            attr_type,
            field,
        } => assert_eq!((offset, attr_type, field), (20, 1, "Inner.a")),
        e => panic!("{e:?}"),
    }
}

#[test]
fn duplicate_attribute_last_one_wins() {
    // As the kernel's nla_parse does: a later attribute of the same type overwrites.
    let b = cat(&[
        attr(1, &1u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        attr(1, &2u16.to_ne_bytes()),
        attr(2, b"first\0"),
        attr(2, b"second\0"),
    ]);
    let x = Example::decode(&b).unwrap();
    assert_eq!(x.number, 2);
    assert_eq!(x.name.as_deref(), Some("second"));
}

#[test]
fn flag_bits_are_masked_when_matching() {
    let b = cat(&[
        attr(1 | NLA_F_NET_BYTEORDER, &9u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        // A nest without NLA_F_NESTED (older families) is accepted too.
        attr(3, &attr(1, &4u32.to_ne_bytes())),
    ]);
    let x = Example::decode(&b).unwrap();
    assert_eq!(x.number, 9);
    assert_eq!(x.inner, Some(Inner { a: 4, b: None }));
}

#[test]
fn unknown_attributes_are_kept_in_order_byte_exact() {
    let unknown = [
        attr(100 | NLA_F_NESTED, &attr(1, &[1, 2, 3, 4])),
        attr(7 | NLA_F_NET_BYTEORDER, &[9, 9]),
        attr(200, &[]),
    ];
    let mut b = example_bytes();
    for u in &unknown {
        b.extend_from_slice(u);
    }
    let x = Example::decode(&b).unwrap();
    assert_eq!(x.rest.len(), 3);
    let kept: Vec<_> = x.rest.iter().map(|a| a.unwrap()).collect();
    assert_eq!(kept[0].attr_type(), 100);
    assert_eq!(kept[0].type_flags(), NLA_F_NESTED);
    assert_eq!(kept[1].raw_type(), 7 | NLA_F_NET_BYTEORDER);
    assert_eq!(kept[1].payload(), &[9, 9]);
    assert_eq!(x.rest.as_bytes(), &unknown.concat()[..]);
    // encode(decode(b)) == b
    assert_eq!(x.to_bytes().unwrap(), b);

    // A struct without an unknown field skips them.
    let inner = cat(&[attr(9, &[1]), attr(1, &3u32.to_ne_bytes()), attr(10, &[])]);
    assert_eq!(Inner::decode(&inner).unwrap(), Inner { a: 3, b: None });
}

#[test]
fn strict_mode_rejects_unknown_types() {
    let mut b = example_bytes();
    let at = b.len();
    b.extend_from_slice(&attr(99, &[1]));
    assert!(Example::decode(&b).is_ok());
    assert_eq!(
        Example::decode_with(&b, &DecodeOptions::strict()).unwrap_err(),
        DecodeError::UnknownAttribute {
            offset: at,
            attr_type: 99
        }
    );
    assert!(Example::decode_with(&example_bytes(), &DecodeOptions::strict()).is_ok());
    // Strict mode reaches into nests.
    let b = cat(&[
        attr(1, &1u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        attr(3, &cat(&[attr(1, &1u32.to_ne_bytes()), attr(3, &[])])),
    ]);
    assert!(Example::decode(&b).is_ok());
    assert!(matches!(
        Example::decode_with(&b, &DecodeOptions::strict()),
        Err(DecodeError::UnknownAttribute {
            offset: 28,
            attr_type: 3
        })
    ));
}

#[test]
fn errors_carry_offset_and_type() {
    // u16 attribute with a 4-byte payload, after an 8-byte attribute.
    let b = cat(&[attr(2, b"abc\0"), attr(1, &1u32.to_ne_bytes())]);
    let e = Example::decode(&b).unwrap_err();
    assert_eq!(
        e,
        DecodeError::PayloadSize {
            offset: 8,
            attr_type: 1,
            expected: 2,
            actual: 4
        }
    );
    // Truncated input.
    let mut b = example_bytes();
    b.truncate(b.len() - 2);
    let e = Example::decode(&b).unwrap_err();
    assert_eq!(e.offset(), Some(b.len() - 6));
    assert_eq!(e.attr_type(), Some(6));
    // A flag with a payload.
    let b = cat(&[
        attr(1, &1u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        attr(4, &[1]),
    ]);
    assert_eq!(Example::decode(&b).unwrap_err().attr_type(), Some(4));
}

#[test]
fn integer_checks_on_encode_and_decode() {
    let x = Integers {
        mtu: Some(10),
        ..Default::default()
    };
    match x.to_bytes().unwrap_err() {
        EncodeError::Invalid { attr_type, reason } => {
            assert_eq!(attr_type, 13);
            assert!(
                reason.contains("Integers.mtu") && reason.contains("below min 68"),
                "{reason}"
            );
        }
        e => panic!("{e:?}"),
    }
    let x = Integers {
        offset: Some(11),
        ..Default::default()
    };
    assert!(x.to_bytes().is_err());
    let x = Integers {
        vlans: vec![1, 4095],
        ..Default::default()
    };
    assert!(x
        .to_bytes()
        .unwrap_err()
        .to_string()
        .contains("above max 4094"));

    let ok = Integers {
        mtu: Some(1500),
        offset: Some(-10),
        vlans: vec![4094],
        ..Default::default()
    };
    let mut b = ok.to_bytes().unwrap();
    assert_eq!(Integers::decode(&b).unwrap(), ok);
    // Corrupt the mtu to 9001 on the wire.
    let pos = b
        .windows(8)
        .position(|w| w == attr(13, &1500u32.to_ne_bytes()).as_slice())
        .unwrap();
    b[pos + 4..pos + 8].copy_from_slice(&9001u32.to_ne_bytes());
    match Integers::decode(&b).unwrap_err() {
        DecodeError::Invalid {
            offset,
            attr_type,
            reason,
        } => {
            assert_eq!((offset, attr_type), (pos, 13));
            assert!(reason.contains("Integers.mtu"), "{reason}");
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn big_endian_integers() {
    let x = Integers {
        u16_be: Some(0x0102),
        u32_be: Some(0x01020304),
        u64_be: Some(0x0102030405060708),
        i32_be: Some(-2),
        ..Default::default()
    };
    let b = x.to_bytes().unwrap();
    for want in [
        attr(9, &[1, 2]),
        attr(10, &[1, 2, 3, 4]),
        attr(11, &[1, 2, 3, 4, 5, 6, 7, 8]),
        attr(12, &[0xff, 0xff, 0xff, 0xfe]),
    ] {
        assert!(
            b.windows(want.len()).any(|w| w == want.as_slice()),
            "{want:?}"
        );
    }
    assert_eq!(Integers::decode(&b).unwrap(), x);
}

#[test]
fn string_and_bytes_checks() {
    let x = Texts {
        ifname: Some("a-very-long-interface-name".into()),
        ..Default::default()
    };
    assert!(matches!(
        x.to_bytes().unwrap_err(),
        EncodeError::Invalid { attr_type: 1, .. }
    ));
    let x = Texts {
        blob: Some(vec![0; 33]),
        ..Default::default()
    };
    assert!(x.to_bytes().is_err());
    let b = cat(&[attr(9, b"\0"), attr(1, b"0123456789abcdefg\0")]);
    assert!(matches!(
        Texts::decode(&b).unwrap_err(),
        DecodeError::Invalid {
            offset: 8,
            attr_type: 1,
            ..
        }
    ));
    // A NUL inside a string cannot be encoded.
    let x = Texts {
        required_name: "a\0b".into(),
        ..Default::default()
    };
    assert!(matches!(
        x.to_bytes().unwrap_err(),
        EncodeError::InteriorNul { attr_type: 9, .. }
    ));
    // Fixed-size arrays and addresses must have their size.
    let b = cat(&[attr(9, b"\0"), attr(4, &[1, 2, 3])]);
    assert_eq!(Texts::decode(&b).unwrap_err().attr_type(), Some(4));
    let b = cat(&[attr(9, b"\0"), attr(7, &[1, 2, 3, 4])]);
    assert_eq!(
        Texts::decode(&b).unwrap().any,
        Some(std::net::IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)))
    );
    let b = cat(&[attr(9, b"\0"), attr(7, &[1, 2, 3, 4, 5])]);
    assert!(Texts::decode(&b).is_err());
}

#[test]
fn strings_decode_up_to_the_first_nul_and_encode_again() {
    // The kernel reads a string attribute up to its first NUL; so does the decoder, for every
    // string type, so that whatever it decodes encodes again.
    let b = cat(&[
        attr(1, b"eth0\0junk\0"),
        attr(2, b"c\0d\0"),
        attr(8, b"x\0y"),
        attr(9, b"a\0b\0"),
    ]);
    let x = Texts::decode(&b).unwrap();
    assert_eq!(x.ifname.as_deref(), Some("eth0"));
    assert_eq!(x.cname.as_deref(), Some(c"c"));
    assert_eq!(x.names, ["x"]);
    assert_eq!(x.required_name, "a");
    let again = x.to_bytes().unwrap();
    // Bytes after the first NUL are not kept: the strings come back with one NUL each.
    assert_eq!(
        again,
        cat(&[
            attr(1, b"eth0\0"),
            attr(2, b"c\0"),
            attr(8, b"x\0"),
            attr(9, b"a\0"),
        ])
    );
    assert_eq!(Texts::decode(&again).unwrap(), x);
    // max_len counts the string the kernel reads, not the payload.
    let b = cat(&[attr(9, b"\0"), attr(1, b"lo\0 0123456789abcdefg\0")]);
    assert_eq!(Texts::decode(&b).unwrap().ifname.as_deref(), Some("lo"));
}

#[test]
fn recursive_nests() {
    let t = Tree {
        value: 1,
        left: Some(Box::new(Tree {
            value: 2,
            right: Some(Box::new(Tree {
                value: 3,
                ..Default::default()
            })),
            ..Default::default()
        })),
        leaves: vec![Inner { a: 5, b: Some(6) }, Inner { a: 7, b: None }],
        ..Default::default()
    };
    let b = t.to_bytes().unwrap();
    assert_eq!(Tree::decode(&b).unwrap(), t);
    // Nests deeper than the bound are an error, not a stack overflow.
    let mut deep = attr(1, &0u32.to_ne_bytes());
    for _ in 0..40 {
        deep = cat(&[attr(1, &0u32.to_ne_bytes()), attr(2, &deep)]);
    }
    assert!(matches!(
        Tree::decode(&deep),
        Err(DecodeError::NestTooDeep { .. })
    ));
}

#[test]
fn c_structures_layout_short_and_long_payloads() {
    assert_eq!(<IfInfoMsg as NlStruct>::SIZE, 16);
    assert_eq!(<IfInfoMsg as NlStruct>::ALIGN, 4);
    // a: u8 @0, b: u32 @4, port: u16 @8, state: u8 @10, addr @11, inner (align 4) @16,
    // c @32, size rounded to 36.
    assert_eq!(<Mixed as NlStruct>::SIZE, 36);
    let m = Mixed {
        a: 1,
        b: 0x0a0b0c0d,
        port: 0x1234,
        state: OperState::Up,
        addr: [10, 0, 0, 1],
        inner: IfInfoMsg {
            family: 2,
            index: -1,
            ..Default::default()
        },
        c: 9,
    };
    let mut buf = Vec::new();
    m.write_to(&mut buf);
    assert_eq!(buf.len(), 36);
    assert_eq!(buf[0], 1);
    assert_eq!(&buf[4..8], &0x0a0b0c0du32.to_ne_bytes());
    assert_eq!(&buf[8..10], &[0x12, 0x34]);
    assert_eq!(buf[10], 6);
    assert_eq!(&buf[11..15], &[10, 0, 0, 1]);
    assert_eq!(buf[16], 2);
    assert_eq!(&buf[20..24], &(-1i32).to_ne_bytes());
    assert_eq!(buf[32], 9);
    assert_eq!(Mixed::read_from(&buf), m);

    // Shorter (an older kernel): zero-filled.
    let short = Mixed::read_from(&buf[..9]);
    // The port is cut after its first (big-endian) byte.
    assert_eq!((short.a, short.b, short.port), (1, 0x0a0b0c0d, 0x1200));
    assert_eq!(short.inner, IfInfoMsg::default());

    // Longer (a newer kernel): the tail keeps the extra bytes, byte-exact.
    let mut stats = Vec::new();
    for v in [1u64, 2, 3, 4, 5] {
        stats.extend_from_slice(&v.to_ne_bytes());
    }
    let s = LinkStats64::read_from(&stats);
    assert_eq!((s.rx_packets, s.tx_bytes), (1, 4));
    assert_eq!(s.newer, 5u64.to_ne_bytes());
    let mut again = Vec::new();
    s.write_to(&mut again);
    assert_eq!(again, stats);
}

#[test]
fn c_structures_to_bytes_and_from_bytes() {
    let h = IfInfoMsg {
        family: 2,
        index: 7,
        flags: 1,
        ..Default::default()
    };
    let bytes = h.to_bytes();
    let mut written = Vec::new();
    h.write_to(&mut written);
    assert_eq!(bytes, written);
    assert_eq!(bytes.len(), <IfInfoMsg as NlStruct>::SIZE);
    assert_eq!(IfInfoMsg::from_bytes(&bytes), h);
    // The tail comes back too.
    let s = LinkStats64 {
        rx_packets: 1,
        newer: vec![9; 8],
        ..Default::default()
    };
    let bytes = s.to_bytes();
    assert_eq!(bytes.len(), <LinkStats64 as NlStruct>::SIZE + 8);
    assert_eq!(LinkStats64::from_bytes(&bytes), s);
}

#[test]
fn rtnl_link_stats64_from_older_and_newer_kernels() {
    assert_eq!(<RtnlLinkStats64 as NlStruct>::SIZE, 200);
    let counters = |n: u64| -> Vec<u8> { (1..=n).flat_map(|v| v.to_ne_bytes()).collect() };
    let header = vec![0u8; 16];
    for (n, tail) in [(23u64, 0usize), (24, 0), (25, 0), (27, 16)] {
        let mut msg = header.clone();
        msg.extend_from_slice(&attr(23, &counters(n)));
        let m = LinkStatsMessage::decode(&msg).unwrap();
        let s = m.stats64.clone().unwrap();
        assert_eq!((s.rx_packets, s.tx_compressed), (1, 23));
        // Counters an older kernel did not send read as zero.
        assert_eq!(s.rx_nohandler, if n >= 24 { 24 } else { 0 });
        assert_eq!(s.rx_otherhost_dropped, if n >= 25 { 25 } else { 0 });
        assert_eq!(s.newer.len(), tail);
        // A full or longer payload round-trips byte for byte.
        if n >= 25 {
            assert_eq!(m.to_bytes().unwrap(), msg);
        }
    }
}

#[test]
fn family_header_before_attributes() {
    let m = LinkMessage {
        header: IfInfoMsg {
            family: 0,
            kind: 1,
            index: 3,
            flags: 0x1003,
            ..Default::default()
        },
        name: Some("eth0".into()),
        operstate: Some(OperState::Other(42)),
        signed: Some(Signed::Minus),
        signed_be: Some(Signed::Big),
        ..Default::default()
    };
    let b = m.to_bytes().unwrap();
    assert_eq!(&b[4..8], &3i32.to_ne_bytes());
    assert_eq!(&b[16..28], &attr(3, b"eth0\0")[..]);
    assert!(b
        .windows(8)
        .any(|w| w == attr(51, &1000i32.to_be_bytes()).as_slice()));
    assert_eq!(LinkMessage::decode(&b).unwrap(), m);
    // A payload shorter than the family header.
    assert_eq!(
        LinkMessage::decode(&b[..10]).unwrap_err(),
        DecodeError::FamilyHeaderTruncated {
            offset: 0,
            expected: 16,
            actual: 10
        }
    );
    // Offsets of attribute errors count the header.
    let mut bad = b[..16].to_vec();
    bad.extend_from_slice(&attr(16, &[1, 2]));
    assert_eq!(LinkMessage::decode(&bad).unwrap_err().offset(), Some(16));
}

#[test]
fn message_round_trip() {
    use netlink::{Header, HeaderFlags, HeaderType, MessageRef};
    let m = LinkMessage {
        name: Some("lo".into()),
        ..Default::default()
    };
    let mut buf = Vec::new();
    let header = Header {
        kind: HeaderType(16),
        flags: HeaderFlags::REQUEST,
        sequence: 9,
        ..Default::default()
    };
    let n = m.encode_message(header, &mut buf).unwrap();
    assert_eq!(n, buf.len());
    let (msg, rest) = MessageRef::parse(&buf).unwrap();
    assert!(rest.is_empty());
    assert_eq!(msg.header.sequence, 9);
    assert_eq!(msg.header.length as usize, n);
    assert_eq!(
        LinkMessage::decode_message(&msg, &DecodeOptions::default()).unwrap(),
        m
    );
    // The default options, from a borrowed or an owned message.
    assert_eq!(LinkMessage::from_message(&msg).unwrap(), m);
    let owned = msg.to_owned();
    assert_eq!(LinkMessage::from_message(&owned).unwrap(), m);
    assert_eq!(
        LinkMessage::decode_message(&owned, &DecodeOptions::strict()).unwrap(),
        m
    );
    // Error offsets count from the message's buffer: 16 bytes of header, then the payload.
    let mut bad = buf.clone();
    bad[16 + 16 + 2] = 0x3f; // the first attribute's type: undeclared
    let (msg, _) = MessageRef::parse(&bad).unwrap();
    assert_eq!(
        LinkMessage::decode_message(&msg, &DecodeOptions::strict())
            .unwrap_err()
            .offset(),
        Some(32)
    );
}

#[test]
fn enums_map_unknown_values_to_their_other_variant() {
    assert_eq!(OperState::from_repr(6), OperState::Up);
    assert_eq!(OperState::from_repr(77), OperState::Other(77));
    assert_eq!(OperState::Other(77).to_repr(), 77);
    assert_eq!(Signed::from_repr(0), Signed::Zero);
    assert_eq!(Signed::from_repr(1), Signed::One);
    assert_eq!(Signed::Minus.to_repr(), -1);
    assert_eq!(Signed::from_repr(-5), Signed::Other(-5));
}

/// A `u8` enum using 0xff: the `other` variant needs an explicit discriminant (the derive
/// says so, spanned on it, when it is missing: `tests/ui/enum_other_discriminant.rs`).
#[derive(netlink::NlEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Scope {
    Universe = 0,
    #[nla(other)]
    Other(u8) = 1,
    // Counted from the `other` variant's discriminant, as Rust counts it.
    Site,
    Nowhere = 0xff,
}

#[test]
fn enums_with_the_largest_value_and_an_explicit_other_discriminant() {
    assert_eq!(Scope::from_repr(0xff), Scope::Nowhere);
    assert_eq!(Scope::from_repr(2), Scope::Site);
    assert_eq!(Scope::Site.to_repr(), 2);
    // 1 is the `other` variant's discriminant, not a value: it is unknown.
    assert_eq!(Scope::from_repr(1), Scope::Other(1));
    assert_eq!(Scope::from_repr(200), Scope::Other(200));
    assert_eq!(Scope::Other(0xff).to_repr(), 0xff);
    assert_eq!(Scope::Universe.to_repr(), 0);
}

#[test]
fn indexed_arrays_keep_their_indices() {
    let x = WithIndexed {
        items: Some(netlink::Indexed::from_values([
            Inner { a: 1, b: None },
            Inner { a: 2, b: Some(3) },
        ])),
        table: netlink::Indexed {
            entries: vec![(
                5,
                netlink::Indexed {
                    entries: vec![(9, Inner { a: 4, b: None })],
                },
            )],
        },
    };
    let b = x.to_bytes().unwrap();
    let want_items = attr(
        1 | NLA_F_NESTED,
        &cat(&[
            attr(1 | NLA_F_NESTED, &attr(1, &1u32.to_ne_bytes())),
            attr(
                2 | NLA_F_NESTED,
                &cat(&[attr(1, &2u32.to_ne_bytes()), attr(2, &3u32.to_ne_bytes())]),
            ),
        ]),
    );
    assert_eq!(&b[..want_items.len()], &want_items[..]);
    let d = WithIndexed::decode(&b).unwrap();
    assert_eq!(d, x);
    assert_eq!(d.items.unwrap().get(2), Some(&Inner { a: 2, b: Some(3) }));
}

/// Nests the kernel writes without `NLA_F_NESTED` (`nla_nest_start_noflag`) next to one it
/// writes with it.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct LegacyNests {
    #[nla(type = 1, nested, no_nested_flag)]
    info: Option<WithIndexed>,
    #[nla(type = 2, nested, no_nested_flag)]
    list: Option<netlink::Indexed<Inner>>,
    #[nla(type = 3, nested)]
    modern: Option<netlink::Indexed<Inner>>,
}

#[test]
fn no_nested_flag_writes_nests_as_the_kernel_does() {
    let one = || netlink::Indexed::from_values([Inner { a: 1, b: None }]);
    let x = LegacyNests {
        info: Some(WithIndexed {
            items: Some(one()),
            ..Default::default()
        }),
        list: Some(one()),
        modern: Some(one()),
    };
    let b = x.to_bytes().unwrap();
    let entry = attr(1, &1u32.to_ne_bytes());
    // `info` has no flag, but the nests declared inside it keep theirs.
    let info_items = attr(1 | NLA_F_NESTED, &attr(1 | NLA_F_NESTED, &entry));
    let info = attr(1, &cat(&[info_items, attr(2 | NLA_F_NESTED, &[])]));
    // An Indexed array without the flag: its entries have none either.
    let list = attr(2, &attr(1, &entry));
    let modern = attr(3 | NLA_F_NESTED, &attr(1 | NLA_F_NESTED, &entry));
    assert_eq!(b, cat(&[info, list, modern]));
    assert_eq!(LegacyNests::decode(&b).unwrap(), x);

    // The policy checks the flags exactly as declared when asked to...
    let policy = <LegacyNests as NlAttrs>::POLICY;
    assert!(!policy.field(1).unwrap().nested_flag);
    assert!(policy.field(3).unwrap().nested_flag);
    policy.validate(netlink::Attrs::new(&b), true).unwrap();
    let flagged = cat(&[attr(2 | NLA_F_NESTED, &attr(1, &entry))]);
    assert!(policy
        .validate(netlink::Attrs::new(&flagged), true)
        .is_err());
    let entry_flagged = cat(&[attr(2, &attr(1 | NLA_F_NESTED, &entry))]);
    assert!(policy
        .validate(netlink::Attrs::new(&entry_flagged), true)
        .is_err());
    // ...and the decoder accepts either.
    policy
        .validate(netlink::Attrs::new(&flagged), false)
        .unwrap();
    assert_eq!(LegacyNests::decode(&flagged).unwrap().list, Some(one()));
    let unflagged = cat(&[attr(3, &attr(1, &entry))]);
    assert_eq!(LegacyNests::decode(&unflagged).unwrap().modern, Some(one()));
    // Generated values encode with the declared flags, decode and encode back the same.
    netlink::check_nlattrs!(LegacyNests, 300);
}

#[test]
fn policy_describes_and_validates() {
    let p = <Example as NlAttrs>::POLICY;
    assert_eq!(p.name, "Example");
    assert_eq!(p.fields.len(), 6);
    assert!(p.captures_unknown);
    let f = p.field(1).unwrap();
    assert!(f.required);
    assert_eq!(f.name, "Example.number");
    assert!(p.field(6).unwrap().multi);
    assert!(p
        .validate(netlink::Attrs::new(&example_bytes()), true)
        .is_ok());
    // Without NLA_F_NESTED the strict nest check fails, the lenient one passes.
    let b = cat(&[
        attr(1, &1u16.to_ne_bytes()),
        attr(5, &[0, 1]),
        attr(3, &attr(1, &1u32.to_ne_bytes())),
    ]);
    assert!(p.validate(netlink::Attrs::new(&b), true).is_err());
    assert!(p.validate(netlink::Attrs::new(&b), false).is_ok());
    let p = <Integers as NlAttrs>::POLICY;
    assert_eq!(p.field(13).unwrap().min, Some(68));
    assert_eq!(p.field(14).unwrap().min, Some(-10));
}

mod renamed {
    //! `#[nla(crate = "...")]`: the runtime crate under another path.
    use ::netlink as nl;

    #[derive(nl::NlAttrs, Debug, PartialEq, Default)]
    #[nla(crate = "nl")]
    pub struct Renamed {
        #[nla(type = 1)]
        pub a: Option<u8>,
    }

    #[derive(nl::NlEnum, Debug, Clone, Copy, PartialEq)]
    #[nla(crate = "self::nl")]
    #[repr(u16)]
    pub enum E {
        A = 1,
        #[nla(other)]
        Other(u16),
    }

    #[derive(nl::NlStruct, Debug, PartialEq, Default)]
    #[nla(crate = "nl")]
    pub struct S {
        pub a: u32,
    }

    #[test]
    fn crate_path_is_honoured() {
        use nl::NlAttrs;
        let b = Renamed { a: Some(4) }.to_bytes().unwrap();
        assert_eq!(Renamed::decode(&b).unwrap(), Renamed { a: Some(4) });
        assert_eq!(<E as nl::NlEnum>::from_repr(1), E::A);
        assert_eq!(<S as nl::NlStruct>::SIZE, 4);
    }
}

#[test]
fn error_offsets_map_to_field_paths() {
    let t = Tree {
        value: 1,
        left: Some(Box::new(Tree {
            value: 2,
            leaves: vec![Inner { a: 1, b: None }, Inner { a: 2, b: Some(3) }],
            ..Default::default()
        })),
        ..Default::default()
    };
    let mut b = t.to_bytes().unwrap();
    // Shorten the second leaf's `b` (the last attribute) to a 2-byte payload.
    let at = b.len() - 8;
    assert_eq!(&b[at..at + 4], &attr(2, &[0; 4])[..4]);
    b[at] = 6;
    let e = Tree::decode(&b).unwrap_err();
    assert_eq!(e.offset(), Some(at));
    let p = <Tree as NlAttrs>::POLICY;
    assert_eq!(
        p.path_at(netlink::Attrs::new(&b), at).as_deref(),
        Some("Tree.left.leaves.b")
    );
    assert_eq!(
        p.path_at(netlink::Attrs::new(&b), 0).as_deref(),
        Some("Tree.value")
    );
    assert_eq!(p.path_at(netlink::Attrs::new(&b), b.len()), None);
    let u = cat(&[attr(1, &0u32.to_ne_bytes()), attr(9, &[])]);
    assert_eq!(
        p.path_at(netlink::Attrs::new(&u), 8).as_deref(),
        Some("Tree.<type 9>")
    );
}

#[test]
fn variable_width_integers_and_bitfields() {
    use netlink::{Bitfield32, Sint, Uint};
    let small = Variable {
        uint: Some(Uint(7)),
        sint: Some(Sint(-7)),
        uint_be: Some(Uint(0x0102)),
        bits: Some(Bitfield32 {
            value: 1,
            selector: 3,
        }),
    };
    let b = small.to_bytes().unwrap();
    assert_eq!(
        b,
        cat(&[
            attr(1, &7u32.to_ne_bytes()),
            attr(2, &(-7i32).to_ne_bytes()),
            attr(3, &[0, 0, 1, 2]),
            attr(
                4,
                &cat(&[1u32.to_ne_bytes().to_vec(), 3u32.to_ne_bytes().to_vec()])
            ),
        ])
    );
    assert_eq!(Variable::decode(&b).unwrap(), small);
    let big = Variable {
        uint: Some(Uint(1 << 40)),
        sint: Some(Sint(-(1 << 40))),
        ..Default::default()
    };
    let b = big.to_bytes().unwrap();
    assert_eq!(&b[..12], &attr(1, &(1u64 << 40).to_ne_bytes())[..]);
    assert_eq!(Variable::decode(&b).unwrap(), big);
    // Other sizes are errors.
    assert!(Variable::decode(&attr(1, &[1, 2])).is_err());
}

#[test]
fn raw_identifiers_as_field_names() {
    #[derive(NlAttrs, Debug, PartialEq, Default)]
    struct Keywords {
        #[nla(type = 1)]
        r#type: u16,
        #[nla(type = 2)]
        r#match: Option<String>,
    }
    let k = Keywords {
        r#type: 3,
        r#match: Some("m".into()),
    };
    assert_eq!(Keywords::decode(&k.to_bytes().unwrap()).unwrap(), k);
    assert_eq!(
        <Keywords as NlAttrs>::POLICY.field(1).unwrap().name,
        "Keywords.type"
    );
    match Keywords::decode(&[]).unwrap_err() {
        DecodeError::MissingAttribute { field, .. } => assert_eq!(field, "Keywords.type"),
        e => panic!("{e:?}"),
    }
}
