//! Generated round trips of every typed rtnetlink message (1,000 values each, their policies
//! checked on the encoded bytes), arbitrary bytes through every decoder (never a panic), and
//! hand-built messages for the link kinds this machine's kernel lacks (vlan, bond, vrf).
#![allow(clippy::field_reassign_with_default)]

use netlink::check_nlattrs;
use netlink::roundtrip::{check_enum, check_struct};
use netlink::route::*;
use netlink::{AttributeEncoder, DecodeOptions, NlAttrs};

const COUNT: usize = 1000;

#[test]
fn links() {
    check_nlattrs!(LinkMessage, COUNT);
    check_nlattrs!(LinkMessageRef<'_>, COUNT);
    check_nlattrs!(LinkInfo, COUNT);
    check_nlattrs!(LinkInfoRef<'_>, COUNT);
    check_nlattrs!(AfSpec, COUNT);
    check_nlattrs!(LinkXdp, COUNT);
    check_nlattrs!(PropList, COUNT);
    check_nlattrs!(PropListRef<'_>, COUNT);
}

#[test]
fn link_kinds() {
    check_nlattrs!(VethInfo, COUNT);
    check_nlattrs!(BridgeInfo, COUNT);
    check_nlattrs!(BridgePortInfo, COUNT);
    check_nlattrs!(VlanInfo, COUNT);
    check_nlattrs!(VxlanInfo, COUNT);
    check_nlattrs!(MacvlanInfo, COUNT);
    check_nlattrs!(BondInfo, COUNT);
    check_nlattrs!(BondPortInfo, COUNT);
    check_nlattrs!(VrfInfo, COUNT);
    check_nlattrs!(VrfPortInfo, COUNT);
    check_nlattrs!(TunnelInfo, COUNT);
    check_nlattrs!(GreInfo, COUNT);
}

#[test]
fn addresses_routes_neighbours_rules() {
    check_nlattrs!(AddressMessage, COUNT);
    check_nlattrs!(AddressMessageRef<'_>, COUNT);
    check_nlattrs!(NeighbourMessageRef<'_>, COUNT);
    check_nlattrs!(RuleMessageRef<'_>, COUNT);
    check_nlattrs!(RouteMessage, COUNT);
    check_nlattrs!(RouteMessageRef<'_>, COUNT);
    check_nlattrs!(RouteMetrics, COUNT);
    check_nlattrs!(NextHopAttrs, COUNT);
    check_nlattrs!(NeighbourMessage, COUNT);
    check_nlattrs!(RuleMessage, COUNT);
}

#[test]
fn structures_and_enums() {
    check_struct::<IfInfoMsg>(COUNT).unwrap();
    check_struct::<LinkStats64>(COUNT).unwrap();
    check_struct::<LinkStats>(COUNT).unwrap();
    check_struct::<IfAddrMsg>(COUNT).unwrap();
    check_struct::<RtMsg>(COUNT).unwrap();
    check_struct::<NdMsg>(COUNT).unwrap();
    check_struct::<FibRuleHdr>(COUNT).unwrap();
    check_enum::<RouteTable>(COUNT).unwrap();
    check_enum::<RouteProtocol>(COUNT).unwrap();
    check_enum::<RouteScope>(COUNT).unwrap();
    check_enum::<RouteType>(COUNT).unwrap();
    check_enum::<OperState>(COUNT).unwrap();
}

mod arbitrary_bytes {
    use super::*;
    use proptest::prelude::*;

    fn all(bytes: &[u8]) {
        let strict = DecodeOptions::strict();
        let _ = LinkMessage::decode(bytes);
        let _ = LinkMessage::decode_with(bytes, &strict);
        if let Ok(l) = LinkMessageRef::decode(bytes) {
            if let Some(i) = &l.linkinfo {
                let _ = i.data();
                let _ = i.port_data();
            }
            let _ = l.alt_names.iter().count();
        }
        let _ = AddressMessage::decode(bytes);
        let _ = RouteMessage::decode(bytes);
        if let Ok(r) = RouteMessageRef::decode(bytes) {
            let _ = r.multipath.iter().flat_map(|m| m.iter()).count();
        }
        let _ = NeighbourMessage::decode(bytes);
        let _ = RuleMessage::decode(bytes);
        let _ = LinkInfo::decode(bytes);
        let _ = VethInfo::decode(bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            all(&bytes);
        }

        #[test]
        fn attribute_shaped_bytes_never_panic(
            header in proptest::collection::vec(any::<u8>(), 16),
            attrs in proptest::collection::vec(
                (0u16..72, any::<bool>(), proptest::collection::vec(any::<u8>(), 0..40)),
                0..10,
            )
        ) {
            // A 16-byte family header, then well-formed attribute framing with arbitrary
            // types, flags and payloads: the typed decoders, not the framing, see them.
            let mut bytes = header;
            netlink::roundtrip::frame_attributes(
                &mut bytes,
                attrs.iter().map(|(t, nested, payload)| (*t, *nested, payload.as_slice())),
            );
            all(&bytes);
        }
    }
}

/// The attributes of an `IFLA_LINKINFO` nest of `kind` whose `IFLA_INFO_DATA` holds `data`,
/// written as the kernel writes them (`IFLA_INFO_DATA` without `NLA_F_NESTED`).
fn linkinfo(kind: &str, data: impl FnOnce(&mut AttributeEncoder<'_>)) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(1, kind);
    ae.nested_no_flag(2, |n| {
        data(n);
        Ok(())
    });
    ae.finish().unwrap();
    buf
}

#[test]
fn vlan_from_bytes() {
    // ip link add link eth0 name eth0.100 type vlan protocol 802.1ad id 100 reorder_hdr on
    let buf = linkinfo("vlan", |n| {
        n.int(5, 0x88a8u16, netlink::ByteOrder::Big);
        n.u16(1, 100);
        n.raw(2, &[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    });
    let info = LinkInfo::decode(&buf).unwrap();
    let Some(InfoData::Vlan(v)) = &info.data else {
        panic!("{info:?}")
    };
    assert_eq!(v.protocol, Some(0x88a8));
    assert_eq!(v.id, Some(100));
    assert_eq!(
        v.flags,
        Some(VlanFlags {
            flags: 1,
            mask: u32::MAX
        })
    );
    assert!(v.unknown.is_empty());
    assert_eq!(info.to_bytes().unwrap(), buf);
}

#[test]
fn bond_and_bond_port_from_bytes() {
    // ip link add bond0 type bond mode 802.3ad miimon 100 xmit_hash_policy layer3+4
    let buf = linkinfo("bond", |n| {
        n.u8(1, 4);
        n.u32(3, 100);
        n.u8(14, 1);
        n.raw(26, &[2, 0, 0, 0, 0, 1]);
    });
    let info = LinkInfo::decode(&buf).unwrap();
    let Some(InfoData::Bond(b)) = &info.data else {
        panic!("{info:?}")
    };
    assert_eq!(
        (b.mode, b.miimon, b.xmit_hash_policy),
        (Some(4), Some(100), Some(1))
    );
    assert_eq!(b.ad_actor_system, Some([2, 0, 0, 0, 0, 1]));
    assert_eq!(info.to_bytes().unwrap(), buf);

    // A port of that bond: IFLA_INFO_SLAVE_KIND "bond" and IFLA_INFO_SLAVE_DATA.
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(4, "bond");
    ae.nested_no_flag(5, |n| {
        n.u8(1, 0)
            .u8(2, 0)
            .u32(3, 2)
            .raw(4, &[2, 0, 0, 0, 0, 9])
            .u16(5, 0);
        Ok(())
    });
    ae.finish().unwrap();
    let info = LinkInfo::decode(&buf).unwrap();
    let Some(InfoSlaveData::Bond(p)) = &info.port_data else {
        panic!("{info:?}")
    };
    assert_eq!((p.state, p.link_failure_count), (Some(0), Some(2)));
    assert_eq!(p.perm_hwaddr.as_deref(), Some(&[2, 0, 0, 0, 0, 9][..]));
    assert_eq!(info.to_bytes().unwrap(), buf);
}

#[test]
fn vrf_and_vrf_port_from_bytes() {
    let buf = linkinfo("vrf", |n| {
        n.u32(1, 1001);
    });
    let info = LinkInfo::decode(&buf).unwrap();
    assert_eq!(
        info.data,
        Some(InfoData::Vrf(VrfInfo {
            table: Some(1001),
            ..Default::default()
        }))
    );
    assert_eq!(info.to_bytes().unwrap(), buf);

    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(1, "veth");
    ae.string(4, "vrf");
    ae.nested(5, |n| {
        n.u32(1, 1001);
        Ok(())
    });
    ae.finish().unwrap();
    let info = LinkInfo::decode(&buf).unwrap();
    assert_eq!(
        info.port_data,
        Some(InfoSlaveData::Vrf(VrfPortInfo {
            table: Some(1001),
            ..Default::default()
        }))
    );
}

#[test]
fn a_kind_without_a_type_keeps_its_bytes() {
    let buf = linkinfo("wireguard", |n| {
        n.u32(7, 1).string(8, "x");
    });
    let info = LinkInfo::decode(&buf).unwrap();
    let Some(InfoData::Other(raw)) = &info.data else {
        panic!("{info:?}")
    };
    assert_eq!(raw.payload.len(), 8 + 8);
    assert!(!raw.is_nested());
    // The kind data goes back as it came.
    assert_eq!(info.to_bytes().unwrap(), buf);

    // Sent with NLA_F_NESTED (as a program may), it goes back with it.
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(1, "wireguard");
    ae.nested(2, |n| {
        n.u32(7, 1);
        Ok(())
    });
    ae.finish().unwrap();
    let info = LinkInfo::decode(&buf).unwrap();
    let Some(InfoData::Other(raw)) = &info.data else {
        panic!("{info:?}")
    };
    assert!(raw.is_nested());
    assert_eq!(info.to_bytes().unwrap(), buf);
}

#[test]
fn a_veth_request_nests_the_peer_as_a_link_message() {
    // ip link add v0 type veth peer name v1 mtu 1400
    let mut peer = LinkMessage::default();
    peer.name = Some("v1".into());
    peer.mtu = Some(1400);
    let mut link = LinkMessage::default();
    link.name = Some("v0".into());
    link.linkinfo = Some(LinkInfo {
        kind: Some("veth".into()),
        data: Some(InfoData::Veth(VethInfo {
            peer: Some(Box::new(peer.clone())),
            ..Default::default()
        })),
        ..Default::default()
    });
    let buf = link.to_bytes().unwrap();
    let back = LinkMessage::decode(&buf).unwrap();
    assert_eq!(back, link);
    // The peer is an ifinfomsg (16 bytes) and then its attributes.
    let info = netlink::Attrs::new(&buf[16..])
        .map(Result::unwrap)
        .find(|a| a.attr_type() == 18)
        .unwrap();
    let data = info.nested().unwrap().nth(1).unwrap().unwrap();
    let peer_attr = data.nested().unwrap().next().unwrap().unwrap();
    assert_eq!(peer_attr.attr_type(), 1);
    let decoded = LinkMessage::decode(peer_attr.payload()).unwrap();
    assert_eq!(decoded, peer);
}

#[test]
fn route_table_rule() {
    let mut r = RouteMessage::default();
    r.header.table = 254;
    assert_eq!(r.table(), RouteTable::Main);
    r.header.table = 252;
    r.table = Some(1000);
    assert_eq!((r.table(), r.table_id()), (RouteTable::Other(1000), 1000));
    r.table = Some(255);
    assert_eq!(r.table(), RouteTable::Local);
}

#[test]
fn malformed_multipath_is_an_error_with_its_offset() {
    let mut r = RouteMessage::default();
    r.multipath = Some(Multipath(vec![NextHop {
        ifindex: 3,
        ..Default::default()
    }]));
    let mut buf = r.to_bytes().unwrap();
    // rtnh_len (at 12 + 4) claims 200 bytes.
    buf[16] = 200;
    let err = RouteMessage::decode(&buf).unwrap_err();
    assert_eq!(err.offset(), Some(16));
    assert!(err.to_string().contains("rtnexthop"), "{err}");
    assert!(RouteMessageRef::decode(&buf).is_err());
}

#[test]
fn flag_sets_print_kernel_names() {
    assert_eq!(
        (IfFlags::UP | IfFlags(0x8000_0000)).to_string(),
        "UP|0x80000000"
    );
    assert_eq!(IfFlags(0).to_string(), "0x0");
    assert_eq!(NeighbourState::PERMANENT.to_string(), "PERMANENT");
    assert_eq!(
        (AddressFlags::PERMANENT | AddressFlags::NODAD).to_string(),
        "NODAD|PERMANENT"
    );
    assert_eq!(
        format!("{:?}", NextHopFlags::ONLINK),
        "NextHopFlags(ONLINK)"
    );
    let mut f = RouteFlags::CLONED;
    f.set(RouteFlags::DEAD, true);
    assert!(f.contains(RouteFlags::DEAD) && !f.contains(RouteFlags::ONLINK));
    assert_eq!((f - RouteFlags::DEAD), RouteFlags::CLONED);
}

#[test]
fn error_paths_reach_into_kind_data() {
    let mut link = LinkMessage::default();
    link.linkinfo = Some(LinkInfo {
        kind: Some("vxlan".into()),
        data: Some(InfoData::Vxlan(VxlanInfo {
            id: Some(42),
            ..Default::default()
        })),
        ..Default::default()
    });
    let mut buf = link.to_bytes().unwrap();
    // ifinfomsg (16), IFLA_LINKINFO header (4), IFLA_INFO_KIND "vxlan" (12), IFLA_INFO_DATA
    // header (4), then IFLA_VXLAN_ID: shorten its length from 8 to 6.
    let id_at = 16 + 4 + 12 + 4;
    assert_eq!(&buf[id_at..id_at + 4], &[8, 0, 1, 0]);
    buf[id_at] = 6;
    let err = LinkMessage::decode(&buf).unwrap_err();
    assert_eq!(err.offset(), Some(id_at));
    let attrs = netlink::Attrs::with_offset(&buf[16..], 16);
    let path = LinkMessage::POLICY.path_at(attrs.clone(), id_at);
    assert_eq!(path.as_deref(), Some("LinkMessage.linkinfo.data.id"));
    // The policy checks the kind data too.
    assert!(LinkMessage::POLICY.validate(attrs, false).is_err());
    // A kind kept as bytes is not looked into.
    let mut other = link.clone();
    other.linkinfo.as_mut().unwrap().kind = Some("vxlan2".into());
    let mut buf = other.to_bytes().unwrap();
    let id_at = 16 + 4 + 12 + 4;
    buf[id_at] = 6;
    let attrs = netlink::Attrs::with_offset(&buf[16..], 16);
    assert_eq!(
        LinkMessage::POLICY.path_at(attrs.clone(), id_at).as_deref(),
        Some("LinkMessage.linkinfo.data")
    );
    assert!(LinkMessage::POLICY.validate(attrs, false).is_ok());
}

#[test]
fn addresses_of_other_sizes_are_errors_naming_the_attribute() {
    // An IFA_ADDRESS of 5 bytes is neither IPv4 nor IPv6.
    let mut buf = AddressMessage::default().to_bytes().unwrap();
    buf.extend_from_slice(&[9, 0, 1, 0, 10, 0, 0, 1, 7, 0, 0, 0]);
    let err = AddressMessage::decode(&buf).unwrap_err();
    assert_eq!(err.offset(), Some(8));
    let attrs = netlink::Attrs::with_offset(&buf[8..], 8);
    assert_eq!(
        AddressMessage::POLICY.path_at(attrs, 8).as_deref(),
        Some("AddressMessage.address")
    );
    // The header's family and the address agree in what the kernel sends.
    let buf = std::fs::read(format!(
        "{}/tests/fixtures/route_addresses.bin",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for m in netlink::messages(&buf) {
        let a = AddressMessage::decode_message(&m.unwrap(), &Default::default()).unwrap();
        let v6 = a.header.family == 10;
        assert!(a.address.iter().chain(&a.local).all(|x| x.is_ipv6() == v6));
    }
}

#[test]
fn link_statistics_of_other_sizes() {
    let full = LinkStats64 {
        rx_packets: 7,
        rx_otherhost_dropped: 9,
        ..Default::default()
    };
    let mut bytes = Vec::new();
    netlink::NlStruct::write_to(&full, &mut bytes);
    assert_eq!(bytes.len(), 200);
    // An older kernel's 192 bytes (no rx_otherhost_dropped): the rest reads as zero.
    let old = <LinkStats64 as netlink::NlStruct>::read_from(&bytes[..192]);
    assert_eq!((old.rx_packets, old.rx_otherhost_dropped), (7, 0));
    // A newer kernel's 216 bytes: the extra 16 are kept and written back.
    let mut newer = bytes.clone();
    newer.extend_from_slice(&[1; 16]);
    let n = <LinkStats64 as netlink::NlStruct>::read_from(&newer);
    assert_eq!(n.newer, [1; 16]);
    let mut again = Vec::new();
    netlink::NlStruct::write_to(&n, &mut again);
    assert_eq!(again, newer);
    // Through a link message.
    let mut link = LinkMessage::default();
    link.stats64 = Some(n);
    assert_eq!(
        LinkMessage::decode(&link.to_bytes().unwrap()).unwrap(),
        link
    );
}
