//! Typed rtnetlink messages against dumps captured from a real kernel
//! (`tests/fixtures/capture_route.py`): every message of every kind decodes, and encodes back
//! to the kernel's bytes, exactly: the types declare `no_nested_flag` where rtnetlink leaves
//! `NLA_F_NESTED` off, and keep the arrival order (`#[nla(order)]`) where the kernel orders
//! attributes by address family (IPv6 addresses and routes).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink::attr::NLA_F_NESTED;
use netlink::route::*;
use netlink::{messages, Attrs, MessageRef, NlAttrs};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/route_{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn all(buf: &[u8]) -> Vec<MessageRef<'_>> {
    let v: Vec<_> = messages(buf).map(|m| m.unwrap()).collect();
    assert!(!v.is_empty());
    v
}

/// Whether an `NLA_F_NESTED` the kernel did not set is tolerated: no, the types declare
/// `no_nested_flag` where this kernel omits it (`RTA_METRICS`).
const NESTED_FLAG_TOLERATED: bool = false;

/// Where `ours` differs from `kernel`: `None` when they are the same.
fn diff(kernel: &[u8], ours: &[u8], path: &str) -> Option<String> {
    let (Ok(k), Ok(o)) = (
        Attrs::new(kernel).collect::<Result<Vec<_>, _>>(),
        Attrs::new(ours).collect::<Result<Vec<_>, _>>(),
    ) else {
        return Some(format!("{path}: not attributes"));
    };
    if k.len() != o.len() {
        return Some(format!(
            "{path}: {} attributes, encoded {}",
            k.len(),
            o.len()
        ));
    }
    for (i, (k, o)) in k.into_iter().zip(o).enumerate() {
        let at = format!("{path}[{i}] type {}", k.attr_type());
        if k.raw_type() == o.raw_type() {
            if k.payload() != o.payload() {
                return Some(format!("{at}: payload differs"));
            }
        } else if k.raw_type() | NLA_F_NESTED == o.raw_type() && NESTED_FLAG_TOLERATED {
            // A nest: its contents must be the same.
            if let Some(d) = diff(k.payload(), o.payload(), &at) {
                return Some(d);
            }
        } else {
            return Some(format!("{at}: encoded type {:#x}", o.raw_type()));
        }
        if k.payload().len() != o.payload().len() {
            return Some(format!("{at}: length differs"));
        }
    }
    None
}

/// Same attributes (as raw records, nest flags aside) in any order.
fn same_set(kernel: &[u8], ours: &[u8]) -> bool {
    let records = |b: &[u8]| {
        let mut v: Vec<(u16, Vec<u8>)> = Attrs::new(b)
            .map(|a| {
                let a = a.unwrap();
                (a.attr_type(), a.payload().to_vec())
            })
            .collect();
        v.sort();
        v
    };
    let (k, o) = (records(kernel), records(ours));
    k.len() == o.len()
        && k.iter()
            .zip(&o)
            .all(|(a, b)| a.0 == b.0 && (a.1 == b.1 || diff(&a.1, &b.1, "").is_none()))
}

/// Re-encodes every message of `name` as `T` and checks it against the kernel's bytes;
/// returns how many messages matched exactly (nest flags aside) and how many only as a set.
fn check<T>(name: &str, header_len: usize) -> (usize, usize)
where
    T: for<'a> NlAttrs<'a> + std::fmt::Debug,
{
    let buf = fixture(name);
    let (mut exact, mut reordered) = (0, 0);
    for m in all(&buf) {
        let v = T::decode_message(&m, &Default::default())
            .unwrap_or_else(|e| panic!("{name}: message at {}: {e}", m.offset));
        let ours = v.to_bytes().unwrap();
        let payload = m.data;
        let attrs_at = (header_len + 3) & !3;
        assert_eq!(
            &ours[..header_len],
            &payload[..header_len],
            "{name}: header"
        );
        match diff(&payload[attrs_at..], &ours[attrs_at..], name) {
            None => exact += 1,
            Some(d) => {
                assert!(
                    same_set(&payload[attrs_at..], &ours[attrs_at..]),
                    "{name}: message at {}: {d}\n{v:#?}",
                    m.offset
                );
                reordered += 1;
            }
        }
    }
    (exact, reordered)
}

#[test]
fn links_encode_back_to_the_kernels_bytes() {
    assert_eq!(check::<LinkMessage>("links", 16), (6, 0));
}

#[test]
fn addresses_encode_back_to_the_kernels_bytes() {
    // IPv6 addresses carry IFA_CACHEINFO before IFA_FLAGS (IPv4: after): their recorded
    // order brings them back exactly.
    let buf = fixture("addresses");
    let n = all(&buf).len();
    assert_eq!(check::<AddressMessage>("addresses", 8), (n, 0));
    let decoded: Vec<AddressMessage> = all(&buf)
        .iter()
        .map(|m| AddressMessage::decode_message(m, &Default::default()).unwrap())
        .collect();
    // IPv4 ones arrive in declaration order and record nothing; IPv6 ones do not.
    assert!(decoded
        .iter()
        .filter(|a| a.header.family == 2)
        .all(|a| !a.order.is_recorded()));
    assert!(decoded
        .iter()
        .any(|a| a.header.family == 10 && a.order.is_recorded()));
    // The order is how a value was written, not what it says.
    let v6 = decoded.iter().find(|a| a.order.is_recorded()).unwrap();
    let mut declared = v6.clone();
    declared.order.clear();
    assert_eq!(&declared, v6);
    assert_ne!(declared.to_bytes().unwrap(), v6.to_bytes().unwrap());
}

#[test]
fn routes_encode_back_to_the_kernels_bytes() {
    let buf = fixture("routes");
    let n = all(&buf).len();
    assert_eq!(check::<RouteMessage>("routes", 12), (n, 0));
    // IPv6 routes carry RTA_METRICS before RTA_PRIORITY (IPv4: after).
    let six = IpAddr::V6("2001:db8:3::".parse().unwrap());
    let r = all(&buf)
        .iter()
        .map(|m| RouteMessage::decode_message(m, &Default::default()).unwrap())
        .find(|r| r.dst == Some(six))
        .expect("the IPv6 route with metrics");
    assert_eq!(r.priority, Some(9));
    let metrics = r.metrics.as_ref().unwrap();
    assert_eq!((metrics.mtu, metrics.advmss), (Some(1400), Some(1300)));
    assert!(r.order.is_recorded());
}

#[test]
fn neighbours_encode_back_to_the_kernels_bytes() {
    let n = all(&fixture("neighbours")).len();
    assert_eq!(check::<NeighbourMessage>("neighbours", 12), (n, 0));
}

#[test]
fn rules_encode_back_to_the_kernels_bytes() {
    let n = all(&fixture("rules")).len();
    assert_eq!(check::<RuleMessage>("rules", 12), (n, 0));
}

fn links() -> Vec<LinkMessage> {
    let buf = fixture("links");
    all(&buf)
        .iter()
        .map(|m| LinkMessage::decode_message(m, &Default::default()).unwrap())
        .collect()
}

fn link<'l>(links: &'l [LinkMessage], name: &str) -> &'l LinkMessage {
    links
        .iter()
        .find(|l| l.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no link {name}"))
}

#[test]
fn links_decode_to_what_was_configured() {
    let links = links();
    let lo = link(&links, "lo");
    assert_eq!(lo.header.link_type, 772);
    assert!(lo.header.flags.contains(IfFlags::UP | IfFlags::LOOPBACK));
    assert_eq!(lo.mtu, Some(65536));
    assert!(lo.unknown.iter().all(|a| a.is_ok()));
    assert!(lo.stats64.is_some() && lo.stats.is_some());

    let v0 = link(&links, "v0");
    assert_eq!(v0.kind(), Some("veth"));
    assert_eq!(v0.alias.as_deref(), Some("uplink"));
    // IFLA_PROP_LIST, which the kernel writes after IFLA_MAP.
    assert_eq!(v0.alt_names().collect::<Vec<_>>(), ["uplink0"]);
    assert_eq!(v0.address.as_ref().map(Vec::len), Some(6));
    assert_eq!(v0.operstate, Some(OperState::Up));
    assert!(v0.af_spec.as_ref().unwrap().inet6.is_some());

    let br0 = link(&links, "br0");
    let v1 = link(&links, "v1");
    assert_eq!(v1.master, Some(br0.index()));
    let info = v1.linkinfo.as_ref().unwrap();
    assert_eq!(info.port_kind.as_deref(), Some("bridge"));
    let Some(InfoSlaveData::Bridge(port)) = &info.port_data else {
        panic!("bridge port data: {info:?}");
    };
    assert_eq!(port.state, Some(3)); // BR_STATE_FORWARDING
    assert!(port.unknown.is_empty(), "{:?}", port.unknown);

    let Some(InfoData::Bridge(bridge)) = &br0.linkinfo.as_ref().unwrap().data else {
        panic!("bridge data");
    };
    assert_eq!(bridge.stp_state, Some(0));
    assert_eq!(bridge.forward_delay, Some(1500));
    assert!(bridge.unknown.is_empty(), "{:?}", bridge.unknown);

    let mv0 = link(&links, "mv0");
    assert_eq!(mv0.link, Some(v0.index()));
    let Some(InfoData::Macvlan(mv)) = &mv0.linkinfo.as_ref().unwrap().data else {
        panic!("macvlan data");
    };
    assert_eq!(mv.mode, Some(4)); // MACVLAN_MODE_BRIDGE

    let vx0 = link(&links, "vx0");
    let Some(InfoData::Vxlan(vx)) = &vx0.linkinfo.as_ref().unwrap().data else {
        panic!("vxlan data");
    };
    assert_eq!(vx.id, Some(42));
    assert_eq!(vx.port, Some(4789));
    assert_eq!(vx.local, Some(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(vx.link, Some(v0.index()));
    assert!(vx.unknown.is_empty(), "{:?}", vx.unknown);
}

#[test]
fn borrowed_links_agree_with_owned_ones() {
    let buf = fixture("links");
    for m in all(&buf) {
        let owned = LinkMessage::decode_message(&m, &Default::default()).unwrap();
        let r = LinkMessageRef::decode_message(&m, &Default::default()).unwrap();
        assert_eq!(r.name, owned.name.as_deref());
        assert_eq!(r.mtu, owned.mtu);
        assert_eq!(r.address, owned.address.as_deref());
        assert_eq!(r.stats64, owned.stats64);
        assert_eq!(r.kind(), owned.kind());
        assert!(r.alt_names().eq(owned.alt_names()));
        let info = r.linkinfo.as_ref();
        assert_eq!(
            info.map(|i| i.data().unwrap()),
            owned.linkinfo.as_ref().map(|i| i.data.clone())
        );
        assert_eq!(
            info.map(|i| i.port_data().unwrap()),
            owned.linkinfo.as_ref().map(|i| i.port_data.clone())
        );
        // The borrowed form writes the kind data back raw: the same message.
        assert_eq!(LinkMessage::decode(&r.to_bytes().unwrap()).unwrap(), owned);
    }
}

#[test]
fn routes_decode_to_what_was_configured() {
    let buf = fixture("routes");
    let routes: Vec<RouteMessage> = all(&buf)
        .iter()
        .map(|m| RouteMessage::decode_message(m, &Default::default()).unwrap())
        .collect();
    let v4 = |a, b, c, d| Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));

    // A table above 255: rtm_table says RT_TABLE_COMPAT, RTA_TABLE the real one.
    let r = routes.iter().find(|r| r.dst == v4(10, 3, 0, 0)).unwrap();
    assert_eq!(r.header.table, 252);
    assert_eq!(r.table(), RouteTable::Other(1000));
    assert_eq!(r.priority, Some(5));
    assert_eq!(r.gateway, v4(10, 0, 0, 2));
    assert_eq!(r.metrics.as_ref().unwrap().mtu, Some(1400));

    let r = routes.iter().find(|r| r.dst == v4(10, 4, 0, 0)).unwrap();
    assert_eq!(
        (r.table(), r.header.protocol, r.header.scope),
        (
            RouteTable::Other(7),
            RouteProtocol::Static,
            RouteScope::Link
        )
    );

    let r = routes.iter().find(|r| r.dst == v4(10, 2, 0, 0)).unwrap();
    assert_eq!(r.table(), RouteTable::Main);
    let hops = r.next_hops();
    assert_eq!(hops.len(), 2);
    assert_eq!(
        (hops[0].attrs.gateway, hops[0].weight()),
        (v4(10, 0, 0, 2), 1)
    );
    assert_eq!(
        (hops[1].attrs.gateway, hops[1].weight()),
        (v4(10, 0, 0, 3), 2)
    );

    let six = "2001:db8:1::".parse::<Ipv6Addr>().unwrap();
    let r = routes
        .iter()
        .find(|r| r.dst == Some(IpAddr::V6(six)))
        .unwrap();
    let gws: Vec<_> = r.next_hops().iter().map(|h| h.attrs.gateway).collect();
    assert_eq!(
        gws,
        [
            Some("2001:db8::2".parse().unwrap()),
            Some("2001:db8::3".parse().unwrap())
        ]
    );
    assert!(r.cacheinfo.is_some());

    // Borrowed routes: the same values, the same bytes.
    for m in all(&buf) {
        let owned = RouteMessage::decode_message(&m, &Default::default()).unwrap();
        let r = RouteMessageRef::decode_message(&m, &Default::default()).unwrap();
        assert_eq!(
            (r.table(), r.dst, r.gateway, r.oif),
            (owned.table(), owned.dst, owned.gateway, owned.oif)
        );
        let hops: Vec<NextHop> = r
            .multipath
            .iter()
            .flat_map(|m| m.iter())
            .map(Result::unwrap)
            .collect();
        assert_eq!(hops, owned.next_hops());
        assert_eq!(
            r.metrics().unwrap().map(|m| (m.mtu, m.unknown)),
            owned.metrics.clone().map(|m| (m.mtu, m.unknown))
        );
        // The borrowed form keeps no arrival order: it writes declaration order.
        let mut declared = owned.clone();
        declared.order.clear();
        assert_eq!(r.to_bytes().unwrap(), declared.to_bytes().unwrap());
    }
}

#[test]
fn addresses_neighbours_and_rules_decode_to_what_was_configured() {
    let buf = fixture("addresses");
    let addrs: Vec<AddressMessage> = all(&buf)
        .iter()
        .map(|m| AddressMessage::decode_message(m, &Default::default()).unwrap())
        .collect();
    let a = addrs
        .iter()
        .find(|a| a.label.as_deref() == Some("br0:x"))
        .unwrap();
    assert_eq!(a.local(), Some(IpAddr::V4(Ipv4Addr::new(10, 1, 0, 1))));
    assert_eq!(a.broadcast, Some(IpAddr::V4(Ipv4Addr::new(10, 1, 0, 255))));
    assert_eq!(a.header.prefix_len, 24);
    assert!(a.flags().contains(AddressFlags::PERMANENT));
    let a = addrs
        .iter()
        .find(|a| a.address == Some("2001:db8::1".parse().unwrap()))
        .unwrap();
    assert!(a
        .flags()
        .contains(AddressFlags::NODAD | AddressFlags::PERMANENT));

    let buf = fixture("neighbours");
    let neigh: Vec<NeighbourMessage> = all(&buf)
        .iter()
        .map(|m| NeighbourMessage::decode_message(m, &Default::default()).unwrap())
        .collect();
    let n = neigh
        .iter()
        .find(|n| n.dst == Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))))
        .unwrap();
    assert_eq!(n.lladdr.as_deref(), Some(&[2, 0, 0, 0, 0, 2][..]));
    assert_eq!(n.header.state, NeighbourState::PERMANENT);
    let n = neigh
        .iter()
        .find(|n| n.dst == Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 3))))
        .unwrap();
    assert_eq!(n.header.state, NeighbourState::STALE);

    let buf = fixture("rules");
    let rules: Vec<RuleMessage> = all(&buf)
        .iter()
        .map(|m| RuleMessage::decode_message(m, &Default::default()).unwrap())
        .collect();
    let r = rules.iter().find(|r| r.priority == Some(102)).unwrap();
    assert_eq!(
        (r.iifname.as_deref(), r.oifname.as_deref()),
        (Some("v0"), Some("br0"))
    );
    assert_eq!(r.ip_proto, Some(6));
    assert_eq!(
        r.sport_range,
        Some(PortRange {
            start: 1000,
            end: 2000
        })
    );
    assert_eq!(r.dport_range, Some(PortRange { start: 80, end: 80 }));
    assert_eq!(r.table(), 1000);
    let r = rules.iter().find(|r| r.priority == Some(101)).unwrap();
    assert_eq!((r.fwmark, r.fwmask), (Some(0x10), Some(0xff)));
    let r = rules.iter().find(|r| r.priority == Some(103)).unwrap();
    assert_eq!(
        r.uid_range,
        Some(UidRange {
            start: 100,
            end: 200
        })
    );
    assert_eq!(r.suppress_prefixlen, Some(0));
    let r = rules.iter().find(|r| r.priority == Some(104)).unwrap();
    assert_eq!(r.src, Some("2001:db8::".parse().unwrap()));
}

#[test]
fn messages_serialize_to_json() {
    let links = links();
    let v0 = serde_json::to_value(link(&links, "v0")).unwrap();
    assert_eq!(v0["name"], "v0");
    assert_eq!(v0["mtu"], 1500);
    assert_eq!(v0["operstate"], "Up");
    assert_eq!(v0["linkinfo"]["kind"], "veth");
    let flags: Vec<&str> = v0["header"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        flags.contains(&"UP") && flags.contains(&"LOWER_UP"),
        "{flags:?}"
    );
    let br0 = serde_json::to_value(link(&links, "br0")).unwrap();
    assert_eq!(br0["linkinfo"]["data"]["Bridge"]["stp_state"], 0);

    let buf = fixture("routes");
    let r = RouteMessage::decode_message(&all(&buf)[0], &Default::default()).unwrap();
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["table"], r.table_id());
}

/// Every field of a borrowed message against the owned one: the same values, its strings and
/// bytes pointing into the buffer.
#[test]
fn borrowed_addresses_neighbours_and_rules_agree_with_owned_ones() {
    let buf = fixture("addresses");
    for m in all(&buf) {
        let o = AddressMessage::from_message(&m).unwrap();
        let r = AddressMessageRef::from_message(&m).unwrap();
        assert_eq!(r.header, o.header);
        assert_eq!(
            (r.address, r.local, r.broadcast, r.anycast, r.multicast),
            (o.address, o.local, o.broadcast, o.anycast, o.multicast)
        );
        assert_eq!(r.label, o.label.as_deref());
        assert_eq!(
            (r.proto, r.flags, r.rt_priority),
            (o.proto, o.flags, o.rt_priority)
        );
        assert_eq!(
            (&r.cacheinfo, r.target_netnsid),
            (&o.cacheinfo, o.target_netnsid)
        );
        assert_eq!(r.unknown, o.unknown);
        assert_eq!((r.local(), r.flags()), (o.local(), o.flags()));
        // Written back in declaration order: the same message.
        assert_eq!(AddressMessage::decode(&r.to_bytes().unwrap()).unwrap(), o);
        if let Some(label) = r.label {
            assert!(m.data.as_ptr_range().contains(&label.as_ptr()));
        }
    }
    let buf = fixture("neighbours");
    for m in all(&buf) {
        let o = NeighbourMessage::from_message(&m).unwrap();
        let r = NeighbourMessageRef::from_message(&m).unwrap();
        assert_eq!((&r.header, r.dst), (&o.header, o.dst));
        assert_eq!(r.lladdr, o.lladdr.as_deref());
        assert_eq!(r.fdb_ext_attrs, o.fdb_ext_attrs.as_deref());
        assert_eq!(
            (r.probes, &r.cacheinfo, r.protocol),
            (o.probes, &o.cacheinfo, o.protocol)
        );
        assert_eq!(
            (r.flags_ext, r.vlan, r.port, r.vni),
            (o.flags_ext, o.vlan, o.port, o.vni)
        );
        assert_eq!(
            (r.ifindex, r.master, r.link_netnsid),
            (o.ifindex, o.master, o.link_netnsid)
        );
        assert_eq!((r.src_vni, r.nh_id), (o.src_vni, o.nh_id));
        assert_eq!((r.state_mask, r.flags_mask), (o.state_mask, o.flags_mask));
        assert_eq!(r.unknown, o.unknown);
        // Declared in the kernel's order: the borrowed form gives the kernel's bytes back.
        assert_eq!(r.to_bytes().unwrap(), m.data);
    }
    let buf = fixture("rules");
    for m in all(&buf) {
        let o = RuleMessage::from_message(&m).unwrap();
        let r = RuleMessageRef::from_message(&m).unwrap();
        assert_eq!(
            (&r.header, r.table(), r.priority),
            (&o.header, o.table(), o.priority)
        );
        assert_eq!(
            (r.iifname, r.oifname),
            (o.iifname.as_deref(), o.oifname.as_deref())
        );
        assert_eq!(
            (r.src, r.dst, r.fwmark, r.fwmask),
            (o.src, o.dst, o.fwmark, o.fwmask)
        );
        assert_eq!((r.goto, r.tun_id, r.l3mdev), (o.goto, o.tun_id, o.l3mdev));
        assert_eq!(
            (&r.uid_range, &r.sport_range),
            (&o.uid_range, &o.sport_range)
        );
        assert_eq!(
            (r.suppress_prefixlen, r.protocol),
            (o.suppress_prefixlen, o.protocol)
        );
        assert_eq!(r.unknown, o.unknown);
        assert_eq!(r.to_bytes().unwrap(), m.data);
    }
}
