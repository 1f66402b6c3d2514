//! Address attributes follow the family of their message's header
//! (`#[nla(family = header.family)]`): an `AF_INET` message carries 4-byte addresses, an
//! `AF_INET6` one 16-byte addresses, `AF_UNSPEC` and `AF_BRIDGE` either (by length), and the
//! address attributes of other families (`AF_MPLS`) are not IP addresses: kept byte-exact with
//! the unknown attributes. Encoding refuses an address of the other family.
#![allow(clippy::field_reassign_with_default)]

use std::net::IpAddr;

use netlink::route::attr_types::*;
use netlink::route::constants::{AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS};
use netlink::route::*;
use netlink::{AttributeEncoder, DecodeError, DecodeOptions, EncodeError, NlAttrs};

const V4: [u8; 4] = [10, 0, 0, 1];
const V6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/// The encoding of `msg` (its family header, and its attributes if any) followed by the raw
/// attributes `attrs`.
fn with_attrs<'a, T: NlAttrs<'a>>(msg: &T, attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut buf = msg.to_bytes().unwrap();
    let mut ae = AttributeEncoder::new(&mut buf);
    for (t, p) in attrs {
        ae.raw(*t, p);
    }
    ae.finish().unwrap();
    buf
}

fn address_message(family: u8) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = family;
    m.header.prefix_len = 24;
    m.header.index = 1;
    m
}

fn route_message(family: u8) -> RouteMessage {
    let mut m = RouteMessage::default();
    m.header.family = family;
    m
}

fn family_error(e: DecodeError) -> (&'static str, u16, usize) {
    match e {
        DecodeError::AddressFamily {
            field, family, len, ..
        } => (field, family, len),
        other => panic!("not an address family error: {other}"),
    }
}

#[test]
fn a_16_byte_address_in_an_af_inet_message_is_an_error_naming_the_field() {
    let buf = with_attrs(&address_message(AF_INET), &[(IFA_ADDRESS, &V6)]);
    let e = AddressMessage::decode(&buf).unwrap_err();
    let text = e.to_string();
    assert_eq!(
        family_error(e.clone()),
        ("AddressMessage.address", 2, 16),
        "{text}"
    );
    assert!(
        text.contains("`AddressMessage.address`") && text.contains("AF_INET (2)"),
        "{text}"
    );
    assert_eq!(e.offset(), Some(8));
    assert_eq!(e.attr_type(), Some(IFA_ADDRESS));
    // The other address attributes too.
    for t in [IFA_LOCAL, IFA_BROADCAST, IFA_ANYCAST, IFA_MULTICAST] {
        let buf = with_attrs(&address_message(AF_INET), &[(t, &V6)]);
        let (field, family, len) = family_error(AddressMessage::decode(&buf).unwrap_err());
        assert!(field.starts_with("AddressMessage."), "{field}");
        assert_eq!((family, len), (2, 16));
    }
}

#[test]
fn a_4_byte_address_in_an_af_inet6_message_is_an_error_naming_the_field() {
    let buf = with_attrs(&address_message(AF_INET6), &[(IFA_LOCAL, &V4)]);
    assert_eq!(
        family_error(AddressMessage::decode(&buf).unwrap_err()),
        ("AddressMessage.local", 10, 4)
    );
    let buf = with_attrs(&address_message(AF_INET6), &[(IFA_ADDRESS, &V6)]);
    let a = AddressMessage::decode(&buf).unwrap();
    assert_eq!(a.address, Some("2001:db8::1".parse().unwrap()));
}

#[test]
fn routes_neighbours_and_rules_check_their_addresses_against_the_family() {
    let buf = with_attrs(&route_message(AF_INET), &[(RTA_GATEWAY, &V6)]);
    assert_eq!(
        family_error(RouteMessage::decode(&buf).unwrap_err()),
        ("RouteMessage.gateway", 2, 16)
    );
    assert_eq!(
        family_error(RouteMessageRef::decode(&buf).unwrap_err()),
        ("RouteMessageRef.gateway", 2, 16)
    );
    let buf = with_attrs(&route_message(AF_INET6), &[(RTA_PREFSRC, &V4)]);
    assert_eq!(
        family_error(RouteMessage::decode(&buf).unwrap_err()),
        ("RouteMessage.prefsrc", 10, 4)
    );

    let mut n = NeighbourMessage::default();
    n.header.family = AF_INET6;
    let buf = with_attrs(&n, &[(NDA_DST, &V4)]);
    assert_eq!(
        family_error(NeighbourMessage::decode(&buf).unwrap_err()),
        ("NeighbourMessage.dst", 10, 4)
    );

    let mut r = RuleMessage::default();
    r.header.family = AF_INET;
    let buf = with_attrs(&r, &[(FRA_SRC, &V6)]);
    assert_eq!(
        family_error(RuleMessage::decode(&buf).unwrap_err()),
        ("RuleMessage.src", 2, 16)
    );
}

/// An MPLS route (`ip -f mpls route add 100 via inet 10.0.0.1 dev eth0`): `RTA_DST` is the
/// 4-byte label stack entry, not an IPv4 address.
#[test]
fn an_mpls_routes_label_is_not_an_ipv4_address() {
    let mut m = route_message(AF_MPLS);
    m.header.dst_len = 20;
    m.header.table = 254;
    let label = (100u32 << 12 | 1 << 8).to_be_bytes(); // label 100, bottom of stack
    let via = [2, 0, 10, 0, 0, 1]; // struct rtvia: AF_INET, 10.0.0.1
    let buf = with_attrs(
        &m,
        &[
            (RTA_DST, &label),
            (RTA_VIA, &via),
            (RTA_OIF, &2u32.to_ne_bytes()),
        ],
    );
    for opts in [DecodeOptions::default(), DecodeOptions::strict()] {
        let r = RouteMessage::decode_with(&buf, &opts).unwrap();
        assert_eq!(r.dst, None);
        assert_eq!(r.via.as_deref(), Some(&via[..]));
        assert_eq!(r.oif, Some(2));
        let kept: Vec<_> = r.unknown.iter().map(Result::unwrap).collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].attr_type(), kept[0].payload()),
            (RTA_DST, &label[..])
        );
        // Where it arrived: re-encoding gives the kernel's bytes back.
        assert_eq!(r.to_bytes().unwrap(), buf);
        // The borrowed form agrees.
        let b = RouteMessageRef::decode_with(&buf, &opts).unwrap();
        assert_eq!(b.dst, None);
        assert_eq!(b.unknown, r.unknown);
    }
    // An IP address cannot be written into an MPLS route.
    let mut bad = route_message(AF_MPLS);
    bad.dst = Some("10.0.0.1".parse().unwrap());
    let e = bad.to_bytes().unwrap_err();
    assert!(
        e.to_string().contains("`RouteMessage.dst`") && e.to_string().contains("AF_MPLS (28)"),
        "{e}"
    );
}

#[test]
fn multicast_routes_carry_addresses_of_their_ip_family() {
    // `ip mroute`: RTNL_FAMILY_IPMR (128) routes carry IPv4 source and group.
    let buf = with_attrs(
        &route_message(128),
        &[(RTA_SRC, &V4), (RTA_DST, &[239, 1, 1, 1])],
    );
    let r = RouteMessage::decode(&buf).unwrap();
    assert_eq!(r.src, Some("10.0.0.1".parse().unwrap()));
    assert_eq!(r.dst, Some("239.1.1.1".parse().unwrap()));
    let buf = with_attrs(&route_message(129), &[(RTA_SRC, &V4)]);
    assert_eq!(
        family_error(RouteMessage::decode(&buf).unwrap_err()),
        ("RouteMessage.src", 129, 4)
    );
}

/// Bridge forwarding entries (`bridge fdb`): a vxlan entry's `NDA_DST` is its remote, of
/// either family; most entries have none.
#[test]
fn bridge_entries_carry_remotes_of_either_family() {
    let mut n = NeighbourMessage::default();
    n.header.family = AF_BRIDGE;
    let mac = [2, 0, 0, 0, 0, 1];
    for (payload, want) in [(&V4[..], "10.0.0.1"), (&V6[..], "2001:db8::1")] {
        let buf = with_attrs(&n, &[(NDA_DST, payload), (NDA_LLADDR, &mac)]);
        let d = NeighbourMessage::decode(&buf).unwrap();
        assert_eq!(d.dst, Some(want.parse::<IpAddr>().unwrap()));
        assert_eq!(d.to_bytes().unwrap(), buf);
    }
    let buf = with_attrs(&n, &[(NDA_DST, &[1, 2, 3])]);
    assert_eq!(
        family_error(NeighbourMessage::decode(&buf).unwrap_err()),
        ("NeighbourMessage.dst", 7, 3)
    );
    // Encoding writes either family.
    let mut v6 = n.clone();
    v6.dst = Some("2001:db8::1".parse().unwrap());
    assert_eq!(
        NeighbourMessage::decode(&v6.to_bytes().unwrap()).unwrap(),
        v6
    );
}

fn next_hop(gateway: &[u8]) -> Vec<u8> {
    // struct rtnexthop (len, flags, hops, ifindex 3), then RTA_GATEWAY.
    let mut attrs = Vec::new();
    let mut ae = AttributeEncoder::new(&mut attrs);
    ae.raw(RTA_GATEWAY, gateway);
    ae.finish().unwrap();
    let len = u16::try_from(8 + attrs.len()).unwrap();
    let mut hop = len.to_ne_bytes().to_vec();
    hop.extend_from_slice(&[0, 0]);
    hop.extend_from_slice(&3i32.to_ne_bytes());
    hop.extend_from_slice(&attrs);
    hop
}

#[test]
fn next_hop_gateways_follow_the_routes_family() {
    // A 16-byte gateway in a next hop of an IPv4 route.
    let mut multipath = next_hop(&V4);
    multipath.extend(next_hop(&V6));
    let buf = with_attrs(&route_message(AF_INET), &[(RTA_MULTIPATH, &multipath)]);
    assert_eq!(
        family_error(RouteMessage::decode(&buf).unwrap_err()),
        ("NextHopAttrs.gateway", 2, 16)
    );
    assert_eq!(
        family_error(RouteMessageRef::decode(&buf).unwrap_err()),
        ("NextHopAttrs.gateway", 2, 16)
    );
    // The policies see it too, given the header.
    for p in [RouteMessage::POLICY, RouteMessageRef::POLICY] {
        let e = p.validate_payload(&buf, false).unwrap_err();
        assert_eq!(family_error(e).0, "NextHopAttrs.gateway");
    }
    // Both gateways in an IPv6 route: the first is too short.
    let buf = with_attrs(&route_message(AF_INET6), &[(RTA_MULTIPATH, &multipath)]);
    let (_, family, len) = family_error(RouteMessage::decode(&buf).unwrap_err());
    assert_eq!((family, len), (10, 4));
    // Two IPv6 gateways: decoded, owned and borrowed alike.
    let mut multipath = next_hop(&V6);
    multipath.extend(next_hop(&V6));
    let buf = with_attrs(&route_message(AF_INET6), &[(RTA_MULTIPATH, &multipath)]);
    let owned = RouteMessage::decode(&buf).unwrap();
    let gws: Vec<_> = owned.next_hops().iter().map(|h| h.attrs.gateway).collect();
    assert_eq!(gws, vec![Some("2001:db8::1".parse().unwrap()); 2]);
    let borrowed = RouteMessageRef::decode(&buf).unwrap();
    let hops: Vec<NextHop> = borrowed
        .multipath
        .unwrap()
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hops, owned.next_hops());
    // Decoded alone (no route around them), the attributes of a next hop read the gateway by
    // its length; given the route's family, they check it.
    let attrs = &next_hop(&V6)[8..];
    let alone = NextHopAttrs::decode(attrs).unwrap();
    assert!(alone.gateway.unwrap().is_ipv6());
    let e = NextHopAttrs::decode_attrs(
        netlink::Attrs::new(attrs),
        &DecodeOptions::default().with_family(u16::from(AF_INET)),
    )
    .unwrap_err();
    assert_eq!(family_error(e), ("NextHopAttrs.gateway", 2, 16));
}

#[test]
fn encoding_refuses_an_address_of_the_other_family() {
    let mut a = address_message(AF_INET);
    a.local = Some("2001:db8::1".parse().unwrap());
    match a.to_bytes().unwrap_err() {
        EncodeError::Invalid { attr_type, reason } => {
            assert_eq!(attr_type, IFA_LOCAL);
            assert_eq!(
                reason,
                "`AddressMessage.local`: an IPv6 address (2001:db8::1) in a message of family \
                 AF_INET (2)"
            );
        }
        other => panic!("{other}"),
    }
    // A route builder's IPv4 route through an IPv6 gateway (that would be RTA_VIA).
    let route = Route::new("10.1.0.0/16".parse().unwrap()).gateway("fe80::1".parse().unwrap());
    let e = route.message().to_bytes().unwrap_err().to_string();
    assert!(e.contains("`RouteMessage.gateway`"), "{e}");
    // ... and through a multipath next hop.
    let route = Route::new("10.1.0.0/16".parse().unwrap()).next_hop(NextHopSpec {
        gateway: Some("fe80::1".parse().unwrap()),
        dev: 2,
        weight: 1,
    });
    let e = route.message().to_bytes().unwrap_err().to_string();
    assert!(
        e.contains("`RouteMessage.multipath`") && e.contains("next hop 0"),
        "{e}"
    );
    // A rule of one family matching a prefix of the other.
    let rule = Rule::new(AF_INET6, 100).from("10.0.0.0/8".parse().unwrap());
    let e = rule.message().to_bytes().unwrap_err().to_string();
    assert!(
        e.contains("`RuleMessage.src`") && e.contains("AF_INET6 (10)"),
        "{e}"
    );
    // AF_UNSPEC (a message whose family was not set) writes the address as it is.
    let mut u = address_message(0);
    u.address = Some("2001:db8::1".parse().unwrap());
    assert_eq!(AddressMessage::decode(&u.to_bytes().unwrap()).unwrap(), u);
}

/// The value generators behind the property tests make addresses agree with the family they
/// draw for the header, and still produce addresses of both families.
#[test]
fn generated_messages_agree_with_their_family() {
    use netlink::roundtrip::{Arbitrary, Rng};
    let mut rng = Rng::new(7);
    let (mut v4, mut v6, mut other) = (0, 0, 0);
    for _ in 0..500 {
        let m = AddressMessage::arbitrary(&mut rng);
        let addrs = [m.address, m.local, m.broadcast, m.anycast, m.multicast];
        for a in addrs.iter().flatten() {
            match m.header.family {
                2 => assert!(a.is_ipv4()),
                10 => assert!(a.is_ipv6()),
                0 | 7 => {}
                128 => assert!(a.is_ipv4()),
                129 => assert!(a.is_ipv6()),
                f => panic!("an address in a message of family {f}"),
            }
            match a {
                IpAddr::V4(_) => v4 += 1,
                IpAddr::V6(_) => v6 += 1,
            }
        }
        if ![0, 2, 7, 10, 128, 129].contains(&m.header.family) {
            other += 1;
        }
        let r = RouteMessage::arbitrary(&mut rng);
        if r.header.family == 2 {
            for h in r.next_hops() {
                assert!(h.attrs.gateway.is_none_or(|g| g.is_ipv4()));
            }
        }
    }
    assert!(v4 > 200 && v6 > 200 && other > 10, "{v4} {v6} {other}");
}
