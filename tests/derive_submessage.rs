//! The derive gains of typed rtnetlink: `type = CONSTANT`, sub-messages chosen by another
//! attribute (with an opaque fallback), and nests that start with a family header.
#![allow(missing_docs)]

mod support;

use netlink::attr::NLA_F_NESTED;
use netlink::{check_nlattrs, Attrs, NlAttrs, NlStruct, NlSubMessage, UnknownAttrs};
use support::attr;

const KIND: u16 = 1;
const DATA: u16 = 2;
const IFLA_VLAN_ID: u16 = 1;
mod consts {
    pub const PEER: u32 = 1;
}

#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
pub struct Hdr {
    pub family: u8,
    pub pad: u8,
    pub kind: u16,
    pub index: i32,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Peer {
    #[nla(header)]
    pub header: Hdr,
    #[nla(type = 3)]
    pub name: Option<String>,
    #[nla(type = libc::IFLA_MTU)]
    pub mtu: Option<u32>,
    #[nla(type = 18, nested)]
    pub info: Option<Box<Info>>,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct PairData {
    #[nla(type = consts::PEER, nested)]
    pub peer: Option<Peer>,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct VlanData {
    #[nla(type = IFLA_VLAN_ID)]
    pub id: Option<u16>,
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

#[derive(NlSubMessage, Debug, Clone, PartialEq)]
pub enum Data {
    #[nla(selector = "pair")]
    Pair(PairData),
    #[nla(selector = "vlan")]
    Vlan(VlanData),
    #[nla(other)]
    Other(Vec<u8>),
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Info {
    #[nla(type = KIND)]
    pub kind: Option<String>,
    #[nla(type = DATA, sub_message = kind)]
    pub data: Option<Data>,
    #[nla(type = 3)]
    pub slave_kind: Option<String>,
    #[nla(type = 4 + 1, sub_message = slave_kind)]
    pub slave_data: Option<Data>,
}

#[derive(NlSubMessage, Debug, Clone, PartialEq)]
pub enum DataRef<'a> {
    #[nla(selector = "vlan")]
    Vlan(VlanData),
    #[nla(other)]
    Other(&'a [u8]),
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct InfoRef<'a> {
    #[nla(type = 2, sub_message = kind)]
    pub data: Option<DataRef<'a>>,
    #[nla(type = 1)]
    pub kind: &'a str,
}

#[test]
fn constant_types_encode_as_their_values() {
    let v = VlanData {
        id: Some(42),
        ..Default::default()
    };
    assert_eq!(
        v.to_bytes().unwrap(),
        attr(IFLA_VLAN_ID, &42u16.to_ne_bytes())
    );
    let i = Info {
        slave_kind: Some("x".into()),
        slave_data: Some(Data::Other(vec![1, 2, 3])),
        ..Default::default()
    };
    let buf = i.to_bytes().unwrap();
    let types: Vec<u16> = Attrs::new(&buf).map(|a| a.unwrap().raw_type()).collect();
    assert_eq!(types, [3, 5]);
    assert_eq!(Info::decode(&buf).unwrap(), i);
}

#[test]
fn selector_chooses_the_set_in_either_order() {
    let vlan = VlanData {
        id: Some(7),
        ..Default::default()
    }
    .to_bytes()
    .unwrap();
    // The data before its kind, without NLA_F_NESTED (as the kernel sends IFLA_INFO_DATA).
    let mut buf = attr(DATA, &vlan);
    buf.extend(attr(KIND, b"vlan\0"));
    let info = Info::decode(&buf).unwrap();
    assert_eq!(
        info.data,
        Some(Data::Vlan(VlanData {
            id: Some(7),
            ..Default::default()
        }))
    );
    let r = InfoRef::decode(&buf).unwrap();
    assert_eq!(r.kind, "vlan");
    assert!(matches!(
        r.data,
        Some(DataRef::Vlan(VlanData { id: Some(7), .. }))
    ));
    // Encoding writes a nest with the flag.
    let again = info.to_bytes().unwrap();
    let data = Attrs::new(&again).nth(1).unwrap().unwrap();
    assert_eq!(data.raw_type(), DATA | NLA_F_NESTED);
    assert_eq!(data.payload(), &vlan[..]);
}

#[test]
fn unknown_and_missing_selectors_keep_the_bytes() {
    let payload = attr(9, &[1, 2, 3, 4]);
    let mut buf = attr(KIND, b"wireguard\0");
    buf.extend(attr(DATA, &payload));
    let info = Info::decode(&buf).unwrap();
    assert_eq!(info.data, Some(Data::Other(payload.clone())));
    assert_eq!(info.to_bytes().unwrap(), buf);
    // No kind at all.
    let buf = attr(DATA, &payload);
    let info = Info::decode(&buf).unwrap();
    assert_eq!(info.data, Some(Data::Other(payload.clone())));
    assert_eq!(info.to_bytes().unwrap(), buf);
    // Borrowed: the bytes are the buffer's.
    let mut buf = attr(KIND, b"bond\0");
    buf.extend(attr(DATA, &payload));
    let r = InfoRef::decode(&buf).unwrap();
    assert_eq!(r.data, Some(DataRef::Other(&payload[..])));
    // Fields encode in declaration order: data, then kind.
    let again = r.to_bytes().unwrap();
    assert_eq!(&again[..12], &buf[12..]);
    assert_eq!(&again[12..], &buf[..12]);
}

#[test]
fn a_known_selector_with_bad_data_is_an_error() {
    let mut buf = attr(KIND, b"vlan\0");
    buf.extend(attr(DATA, &attr(IFLA_VLAN_ID, &[1])));
    let err = Info::decode(&buf).unwrap_err();
    assert_eq!(err.offset(), Some(12 + 4));
}

#[test]
fn nests_with_a_family_header() {
    let info = Info {
        kind: Some("pair".into()),
        data: Some(Data::Pair(PairData {
            peer: Some(Peer {
                header: Hdr {
                    family: 0,
                    pad: 0,
                    kind: 1,
                    index: 7,
                },
                name: Some("p1".into()),
                mtu: None,
                info: None,
            }),
        })),
        ..Default::default()
    };
    let buf = info.to_bytes().unwrap();
    // kind "pair" (12 bytes), then data { peer { header (8), name } }.
    let data = Attrs::new(&buf).nth(1).unwrap().unwrap();
    let peer = data.nested().unwrap().next().unwrap().unwrap();
    assert_eq!(peer.attr_type(), consts::PEER as u16);
    assert_eq!(&peer.payload()[..8], &[0, 0, 1, 0, 7, 0, 0, 0]);
    assert_eq!(&peer.payload()[8..], &attr(3, b"p1\0")[..]);
    assert_eq!(Info::decode(&buf).unwrap(), info);
    // A peer shorter than its header is an error at the peer's payload.
    let short = attr(DATA, &attr(1, &[0, 0, 1]));
    let mut buf = attr(KIND, b"pair\0");
    buf.extend(short);
    let err = Info::decode(&buf).unwrap_err();
    assert!(
        matches!(
            err,
            netlink::DecodeError::FamilyHeaderTruncated {
                expected: 8,
                actual: 3,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn deep_recursion_through_headers_is_bounded() {
    // info { data(pair) { peer { header, info { data(pair) { peer ... } } } } }, 40 levels.
    let mut inner = Vec::new();
    for _ in 0..40 {
        let mut peer = vec![0u8; 8];
        peer.extend(attr(18, &inner));
        let data = attr(1, &peer);
        let mut info = attr(KIND, b"pair\0");
        info.extend(attr(DATA, &data));
        inner = info;
    }
    let err = Info::decode(&inner).unwrap_err();
    assert!(
        matches!(err, netlink::DecodeError::NestTooDeep { .. }),
        "{err:?}"
    );
}

#[test]
fn round_trips() {
    check_nlattrs!(Info, 1000);
    check_nlattrs!(InfoRef<'_>, 1000);
    check_nlattrs!(Peer, 1000);
}

#[test]
fn selectors_are_listed() {
    assert_eq!(
        Data::SELECTORS.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        ["pair", "vlan"]
    );
    assert_eq!(Data::policy_for("vlan").unwrap().name, "VlanData");
    assert!(Data::policy_for("bond").is_none());
    assert_eq!(Data::Vlan(VlanData::default()).selector(), Some("vlan"));
    assert_eq!(Data::Other(vec![]).selector(), None);
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct InfoNoFlag {
    #[nla(type = KIND)]
    pub kind: Option<String>,
    #[nla(type = DATA, sub_message = kind, no_nested_flag)]
    pub data: Option<Data>,
}

#[test]
fn no_nested_flag_applies_to_sub_messages() {
    let vlan = VlanData {
        id: Some(7),
        ..Default::default()
    }
    .to_bytes()
    .unwrap();
    // As the kernel writes IFLA_LINKINFO's IFLA_INFO_DATA: no NLA_F_NESTED.
    let mut buf = attr(KIND, b"vlan\0");
    buf.extend(attr(DATA, &vlan));
    let info = InfoNoFlag::decode(&buf).unwrap();
    assert!(matches!(info.data, Some(Data::Vlan(_))));
    assert_eq!(info.to_bytes().unwrap(), buf);
    check_nlattrs!(InfoNoFlag, 1000);
}

#[derive(NlSubMessage, Debug, Clone, PartialEq)]
pub enum ExactData {
    #[nla(selector = "vlan")]
    Vlan(VlanData),
    #[nla(other)]
    Other(netlink::submsg::Opaque),
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct ExactInfo {
    #[nla(type = 1)]
    pub kind: Option<String>,
    #[nla(type = 2, sub_message = kind)]
    pub data: Option<ExactData>,
}

#[derive(NlSubMessage, Debug, Clone, PartialEq)]
pub enum ExactDataRef<'a> {
    #[nla(selector = "vlan")]
    Vlan(VlanData),
    #[nla(other)]
    Other(netlink::submsg::Opaque<&'a [u8]>),
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct ExactInfoRef<'a> {
    #[nla(type = 1)]
    pub kind: Option<&'a str>,
    #[nla(type = 2, sub_message = kind)]
    pub data: Option<ExactDataRef<'a>>,
}

#[test]
fn opaque_sub_messages_keep_their_type_flags() {
    // An unknown kind's data, sent as a nest with NLA_F_NESTED, and without; and with
    // NLA_F_NET_BYTEORDER.
    let inner = attr(7, &[1, 0, 0, 0]);
    for flags in [0x8000u16, 0, 0x4000] {
        let buf = [attr(1, b"wireguard\0"), attr(2 | flags, &inner)].concat();
        let info = ExactInfo::decode(&buf).unwrap();
        let Some(ExactData::Other(o)) = &info.data else {
            panic!("{info:?}")
        };
        assert_eq!((o.flags, &o.payload[..]), (flags, &inner[..]));
        assert_eq!(info.to_bytes().unwrap(), buf, "flags {flags:#x}");
        let r = ExactInfoRef::decode(&buf).unwrap();
        assert_eq!(r.to_bytes().unwrap(), buf, "borrowed, flags {flags:#x}");
    }
    // A value built in code says which flags it wants.
    let info = ExactInfo {
        kind: Some("x".into()),
        data: Some(ExactData::Other(netlink::submsg::Opaque::nest(
            inner.clone(),
        ))),
    };
    let buf = info.to_bytes().unwrap();
    let types: Vec<u16> = Attrs::new(&buf).map(|a| a.unwrap().raw_type()).collect();
    assert_eq!(types, [1, 2 | 0x8000]);
}

#[test]
fn generated_opaque_sub_messages_round_trip() {
    netlink::check_nlattrs!(ExactInfo, 500);
    netlink::check_nlattrs!(ExactInfoRef<'_>, 500);
}
