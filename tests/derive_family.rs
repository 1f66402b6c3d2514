//! `#[nla(family = header.FIELD)]` and `#[nla(family = outer)]`: address attributes whose
//! version the message's address family decides, in owned and borrowed structs, alone, in an
//! `Option` or repeated; generated round trips; and the generated code compiles under strict
//! lints.
#![deny(
    warnings,
    unused_qualifications,
    rust_2018_idioms,
    unused_results,
    trivial_casts,
    trivial_numeric_casts
)]

use std::net::IpAddr;

use netlink::nlattrs::{FieldKind, ValueKind};
use netlink::{
    check_nlattrs, AttributeEncoder, DecodeError, DecodeOptions, NlAttrs, NlStruct, UnknownAttrs,
};

/// A header whose family is a `u16` (`sa_family_t`), not first.
#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
struct Hdr {
    index: u32,
    family: u16,
    prefix_len: u8,
    pad: u8,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Msg {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 1, family = header.family)]
    address: Option<IpAddr>,
    #[nla(type = 2)]
    label: Option<String>,
    #[nla(type = 3, multi, family = header.family)]
    peers: Vec<IpAddr>,
    #[nla(unknown)]
    unknown: UnknownAttrs,
}

/// A required address: the generator draws IP families only.
#[derive(NlAttrs, Debug, Clone, PartialEq)]
struct Required {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 1, family = header.family)]
    address: IpAddr,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct MsgRef<'a> {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 2)]
    label: Option<&'a str>,
    #[nla(type = 1, family = header.family)]
    address: Option<IpAddr>,
}

/// A set without a header of its own, inside a message of some family.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Inner {
    #[nla(type = 1, family = outer)]
    gateway: Option<IpAddr>,
    #[nla(unknown)]
    unknown: UnknownAttrs,
}

fn msg(family: u16, attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let m = Msg {
        header: Hdr {
            family,
            ..Hdr::default()
        },
        ..Msg::default()
    };
    let mut buf = m.to_bytes().unwrap();
    let mut ae = AttributeEncoder::new(&mut buf);
    for (t, p) in attrs {
        let _ = ae.raw(*t, p);
    }
    let _ = ae.finish().unwrap();
    buf
}

const V4: [u8; 4] = [192, 0, 2, 1];
const V6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

#[test]
fn the_headers_family_decides() {
    let m = Msg::decode(&msg(2, &[(1, &V4), (3, &V4), (3, &V4)])).unwrap();
    assert_eq!(m.address, Some("192.0.2.1".parse().unwrap()));
    assert_eq!(m.peers.len(), 2);
    assert_eq!(
        Msg::decode(&msg(2, &[(3, &V4), (3, &V6)])).unwrap_err(),
        DecodeError::AddressFamily {
            offset: 16,
            attr_type: 3,
            field: "Msg.peers",
            family: 2,
            len: 16
        }
    );
    assert_eq!(
        MsgRef::decode(&msg(10, &[(2, b"x\0"), (1, &V4)]))
            .unwrap_err()
            .to_string(),
        "attribute 1 at offset 16: `MsgRef.address` holds 4 bytes, not an address of its \
         message's family AF_INET6 (10)"
    );
    let buf = msg(10, &[(2, b"x\0"), (1, &V6)]);
    let r = MsgRef::decode(&buf).unwrap();
    assert_eq!(
        (r.label, r.address),
        (Some("x"), Some("fe80::1".parse().unwrap()))
    );
    // AF_UNSPEC and AF_BRIDGE: by length.
    for family in [0, 7] {
        let m = Msg::decode(&msg(family, &[(1, &V6), (3, &V4)])).unwrap();
        assert!(m.address.unwrap().is_ipv6() && m.peers[0].is_ipv4());
    }
}

#[test]
fn other_families_keep_their_address_attributes_as_bytes() {
    let buf = msg(28, &[(1, &[0, 6, 65, 0]), (2, b"x\0"), (3, &[1, 2, 3])]);
    for opts in [DecodeOptions::new(), DecodeOptions::strict()] {
        let m = Msg::decode_with(&buf, &opts).unwrap();
        assert_eq!((m.address, m.peers.len()), (None, 0));
        let kept: Vec<(u16, Vec<u8>)> = m
            .unknown
            .iter()
            .map(|a| a.map(|a| (a.attr_type(), a.payload().to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(kept, vec![(1, vec![0, 6, 65, 0]), (3, vec![1, 2, 3])]);
    }
    // A required address in such a message is missing.
    let mut buf = Required {
        header: Hdr {
            family: 28,
            ..Hdr::default()
        },
        address: "10.0.0.1".parse().unwrap(),
    }
    .header
    .to_bytes_padded();
    let mut ae = AttributeEncoder::new(&mut buf);
    let _ = ae.raw(1, &V4);
    let _ = ae.finish().unwrap();
    assert!(matches!(
        Required::decode(&buf),
        Err(DecodeError::MissingAttribute {
            field: "Required.address",
            ..
        })
    ));
}

#[test]
fn outer_takes_the_family_from_the_decode_options() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    let _ = ae.raw(1, &V6);
    let _ = ae.finish().unwrap();
    let attrs = || netlink::Attrs::new(&buf);
    // Not known: by length.
    assert!(Inner::decode(&buf).unwrap().gateway.unwrap().is_ipv6());
    let v6 = DecodeOptions::new().with_family(10);
    assert!(Inner::decode_attrs(attrs(), &v6)
        .unwrap()
        .gateway
        .unwrap()
        .is_ipv6());
    let v4 = DecodeOptions::new().with_family(2);
    assert!(matches!(
        Inner::decode_attrs(attrs(), &v4),
        Err(DecodeError::AddressFamily {
            field: "Inner.gateway",
            family: 2,
            len: 16,
            ..
        })
    ));
    let mpls = DecodeOptions::new().with_family(28);
    let i = Inner::decode_attrs(attrs(), &mpls).unwrap();
    assert_eq!((i.gateway, i.unknown.iter().count()), (None, 1));
}

#[test]
fn the_policy_accepts_what_some_family_accepts() {
    let f = Msg::POLICY.field(1).unwrap();
    assert!(matches!(f.kind, FieldKind::Value(ValueKind::FamilyAddr)));
    Msg::POLICY
        .validate(netlink::Attrs::new(&msg(28, &[(1, &[1, 2, 3])])[8..]), true)
        .unwrap();
    // Without the header, the family is not known: any size passes. With it, the policy
    // checks what the decoder checks.
    let wrong = msg(2, &[(1, &V6)]);
    Msg::POLICY
        .validate(netlink::Attrs::new(&wrong[8..]), true)
        .unwrap();
    let e = Msg::POLICY.validate_payload(&wrong, true).unwrap_err();
    assert_eq!(Some(e), Msg::decode(&wrong).err());
    // Not IP addresses in family 28: any number of them, kept by the decoder.
    let kept = msg(28, &[(1, &[1, 2, 3]), (1, &V4)]);
    Msg::POLICY.validate_payload(&kept, true).unwrap();
    assert_eq!(Msg::decode(&kept).unwrap().unknown.iter().count(), 2);
    // A required address that is not one in that family is missing for both.
    assert!(Required::POLICY.validate_payload(&kept, true).is_err());
}

#[test]
fn generated_round_trips() {
    check_nlattrs!(Msg, 1000);
    check_nlattrs!(Required, 1000);
    check_nlattrs!(MsgRef<'_>, 1000);
    check_nlattrs!(Inner, 1000);
}

/// `to_bytes` of a header alone, padded to 4 bytes.
trait Padded {
    fn to_bytes_padded(&self) -> Vec<u8>;
}

impl Padded for Hdr {
    fn to_bytes_padded(&self) -> Vec<u8> {
        let mut b = Vec::new();
        self.write_to(&mut b);
        b.resize(b.len().next_multiple_of(4), 0);
        b
    }
}
