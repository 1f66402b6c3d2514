//! Typed requests for everyday rtnetlink jobs: the messages the [`RouteHandle`](super::RouteHandle)
//! sends, built without a socket so that they can be checked byte for byte.
//!
//! Each builder ends in a [`Request`] of a derived message type; the handle sends it with
//! [`Conn::request_ack`](crate::Conn::request_ack) or [`Conn::request_all`](crate::Conn::request_all).
//! Builders that the test machines' kernel cannot run (vlan, bond, vrf links) are checked
//! against hand-built bytes in this module's tests.

use std::net::IpAddr;

use super::constants::{RouteProtocol, RouteScope, RouteType, RT_TABLE_MAIN};
use super::flags::{IfFlags, NeighbourState, NextHopFlags};
use super::ipnet::{family_of, IpNet};
use super::link_kinds::{
    BondInfo, BridgeInfo, InfoData, MacvlanInfo, VethInfo, VlanInfo, VrfInfo, VxlanInfo,
};
use super::routes::{Multipath, NextHop, NextHopAttrs};
use super::{
    AddressMessage, LinkInfo, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage,
    RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_GETADDR, RTM_GETLINK,
    RTM_GETNEIGH, RTM_GETROUTE, RTM_GETRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE,
    RTM_NEWRULE,
};
use crate::message::HeaderFlags;
use crate::typed::Request;

/// `RT_TABLE_COMPAT`: what `rtm_table` says when the real table (in `RTA_TABLE`) is above 255.
const RT_TABLE_COMPAT: u8 = 252;
/// `FR_ACT_TO_TBL`: a rule that looks the route up in a table.
const FR_ACT_TO_TBL: u8 = 1;
/// `RTEXT_FILTER_SKIP_STATS`: link dumps without statistics (smaller replies).
pub const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

/// A link named by its index or its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkId<'a> {
    /// `ifi_index`.
    Index(u32),
    /// `IFLA_IFNAME`.
    Name(&'a str),
}

impl From<u32> for LinkId<'_> {
    fn from(i: u32) -> Self {
        LinkId::Index(i)
    }
}

impl<'a> From<&'a str> for LinkId<'a> {
    fn from(n: &'a str) -> Self {
        LinkId::Name(n)
    }
}

impl<'a> From<&'a String> for LinkId<'a> {
    fn from(n: &'a String) -> Self {
        LinkId::Name(n)
    }
}

impl core::fmt::Display for LinkId<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LinkId::Index(i) => write!(f, "link {i}"),
            LinkId::Name(n) => write!(f, "{n}"),
        }
    }
}

/// A link message addressed to `id`: the index in the header, or the name in `IFLA_IFNAME`.
fn link_for(id: LinkId<'_>) -> LinkMessage {
    let mut m = LinkMessage::default();
    match id {
        LinkId::Index(i) => m.header.index = i32::try_from(i).unwrap_or(i32::MAX),
        LinkId::Name(n) => m.name = Some(n.to_owned()),
    }
    m
}

/// `RTM_GETLINK` for one link.
pub fn get_link(id: LinkId<'_>) -> Request<LinkMessage> {
    let mut m = link_for(id);
    m.ext_mask = Some(RTEXT_FILTER_SKIP_STATS);
    Request::get(RTM_GETLINK, m)
}

/// Which links a dump returns: the kernel filters them (strict checking).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFilter {
    /// Only the ports of this master (`IFLA_MASTER`).
    pub master: Option<u32>,
    /// Only links of this kind (`IFLA_INFO_KIND`: `"veth"`, `"bridge"`, ...).
    pub kind: Option<String>,
}

/// `RTM_GETLINK` dump, filtered by the kernel.
pub fn dump_links(filter: &LinkFilter) -> Request<LinkMessage> {
    let mut m = LinkMessage {
        master: filter.master,
        ext_mask: Some(RTEXT_FILTER_SKIP_STATS),
        ..LinkMessage::default()
    };
    if let Some(kind) = &filter.kind {
        m.linkinfo = Some(LinkInfo {
            kind: Some(kind.clone()),
            ..LinkInfo::default()
        });
    }
    Request::dump(RTM_GETLINK, m)
}

/// A new link: its name, kind and settings, built up before it is sent with
/// [`RouteHandle::add_link`](super::RouteHandle::add_link).
///
/// ```
/// use netlink::route::NewLink;
///
/// let veth = NewLink::veth("v0", "v1").mtu(9000).up();
/// assert_eq!(veth.message().name.as_deref(), Some("v0"));
/// assert_eq!(veth.message().kind(), Some("veth"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    msg: LinkMessage,
}

impl NewLink {
    /// A link of `kind` with kind data `data` (`None`: the kind's defaults).
    pub fn new(name: &str, kind: &str, data: Option<InfoData>) -> NewLink {
        NewLink {
            msg: LinkMessage {
                name: Some(name.to_owned()),
                linkinfo: Some(LinkInfo {
                    kind: Some(kind.to_owned()),
                    data,
                    ..LinkInfo::default()
                }),
                ..LinkMessage::default()
            },
        }
    }

    /// A veth pair `name` and `peer`.
    pub fn veth(name: &str, peer: &str) -> NewLink {
        let peer = LinkMessage {
            name: Some(peer.to_owned()),
            ..LinkMessage::default()
        };
        NewLink::new(
            name,
            "veth",
            Some(InfoData::Veth(VethInfo {
                peer: Some(Box::new(peer)),
                ..VethInfo::default()
            })),
        )
    }

    /// A bridge.
    pub fn bridge(name: &str) -> NewLink {
        NewLink::new(
            name,
            "bridge",
            Some(InfoData::Bridge(BridgeInfo::default())),
        )
    }

    /// A macvlan on `parent` (index) in `mode` (`MACVLAN_MODE_*`: 1 private, 2 vepa, 4
    /// bridge, 8 passthru, 16 source).
    pub fn macvlan(name: &str, parent: u32, mode: u32) -> NewLink {
        let mut l = NewLink::new(
            name,
            "macvlan",
            Some(InfoData::Macvlan(MacvlanInfo {
                mode: Some(mode),
                ..MacvlanInfo::default()
            })),
        );
        l.msg.link = Some(parent);
        l
    }

    /// A vxlan with network identifier `vni` and UDP destination port `port` (4789 is the
    /// IANA port).
    pub fn vxlan(name: &str, vni: u32, port: u16) -> NewLink {
        NewLink::new(
            name,
            "vxlan",
            Some(InfoData::Vxlan(VxlanInfo {
                id: Some(vni),
                port: Some(port),
                ..VxlanInfo::default()
            })),
        )
    }

    /// An 802.1Q vlan `id` on `parent` (index).
    pub fn vlan(name: &str, parent: u32, id: u16) -> NewLink {
        let mut l = NewLink::new(
            name,
            "vlan",
            Some(InfoData::Vlan(VlanInfo {
                id: Some(id),
                ..VlanInfo::default()
            })),
        );
        l.msg.link = Some(parent);
        l
    }

    /// A bond in `mode` (`BOND_MODE_*`: 0 balance-rr, 1 active-backup, 4 802.3ad, ...).
    pub fn bond(name: &str, mode: u8) -> NewLink {
        NewLink::new(
            name,
            "bond",
            Some(InfoData::Bond(BondInfo {
                mode: Some(mode),
                ..BondInfo::default()
            })),
        )
    }

    /// A VRF device bound to routing `table`.
    pub fn vrf(name: &str, table: u32) -> NewLink {
        NewLink::new(
            name,
            "vrf",
            Some(InfoData::Vrf(VrfInfo {
                table: Some(table),
                ..VrfInfo::default()
            })),
        )
    }

    /// Sets the MTU.
    pub fn mtu(mut self, mtu: u32) -> NewLink {
        self.msg.mtu = Some(mtu);
        self
    }

    /// Makes it a port of `master` (index).
    pub fn master(mut self, master: u32) -> NewLink {
        self.msg.master = Some(master);
        self
    }

    /// Sets the hardware address.
    pub fn address(mut self, mac: &[u8]) -> NewLink {
        self.msg.address = Some(mac.to_vec());
        self
    }

    /// Brings it up at creation.
    pub fn up(mut self) -> NewLink {
        self.msg.header.flags |= IfFlags::UP;
        self.msg.header.change |= IfFlags::UP;
        self
    }

    /// The message as it will be sent.
    pub fn message(&self) -> &LinkMessage {
        &self.msg
    }

    /// The message, to set what the builder does not.
    pub fn message_mut(&mut self) -> &mut LinkMessage {
        &mut self.msg
    }

    /// `RTM_NEWLINK` with `CREATE | EXCL | ACK`.
    pub fn request(&self) -> Request<LinkMessage> {
        Request::change(
            RTM_NEWLINK,
            HeaderFlags::CREATE | HeaderFlags::EXCL,
            self.msg.clone(),
        )
    }
}

/// A change to an existing link (`RTM_NEWLINK` without `CREATE`, as `ip link set` sends).
#[derive(Debug, Clone, PartialEq)]
pub struct SetLink {
    msg: LinkMessage,
}

/// Where [`SetLink::netns`] moves a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetnsTarget {
    /// The namespace of this open file (`/run/netns/NAME`, `/proc/PID/ns/net`):
    /// `IFLA_NET_NS_FD`.
    Fd(i32),
    /// The namespace of this process: `IFLA_NET_NS_PID`.
    Pid(u32),
}

impl SetLink {
    /// A change to `id`, nothing set yet.
    pub fn new(id: LinkId<'_>) -> SetLink {
        SetLink { msg: link_for(id) }
    }

    /// Up (`true`) or down.
    pub fn up(mut self, up: bool) -> SetLink {
        self.msg.header.change |= IfFlags::UP;
        self.msg.header.flags = if up {
            self.msg.header.flags | IfFlags::UP
        } else {
            IfFlags(self.msg.header.flags.bits() & !IfFlags::UP.bits())
        };
        self
    }

    /// The MTU.
    pub fn mtu(mut self, mtu: u32) -> SetLink {
        self.msg.mtu = Some(mtu);
        self
    }

    /// The master (index); 0 removes the link from its master.
    pub fn master(mut self, master: u32) -> SetLink {
        self.msg.master = Some(master);
        self
    }

    /// A new name. The link must be named by its index (its name is the attribute that
    /// changes).
    pub fn name(mut self, name: &str) -> SetLink {
        self.msg.name = Some(name.to_owned());
        self
    }

    /// Moves the link to another namespace.
    pub fn netns(mut self, target: NetnsTarget) -> SetLink {
        match target {
            NetnsTarget::Fd(fd) => self.msg.net_ns_fd = Some(u32::try_from(fd).unwrap_or(u32::MAX)),
            NetnsTarget::Pid(pid) => self.msg.net_ns_pid = Some(pid),
        }
        self
    }

    /// The message as it will be sent.
    pub fn message(&self) -> &LinkMessage {
        &self.msg
    }

    /// `RTM_NEWLINK` with `ACK`.
    pub fn request(&self) -> Request<LinkMessage> {
        Request::change(RTM_NEWLINK, HeaderFlags::EMPTY, self.msg.clone())
    }
}

/// `RTM_DELLINK` for `id`.
pub fn delete_link(id: LinkId<'_>) -> Request<LinkMessage> {
    Request::change(RTM_DELLINK, HeaderFlags::EMPTY, link_for(id))
}

/// `RTM_GETADDR` dump: `family` 0 for both IPv4 and IPv6, `index` 0 for every link.
pub fn dump_addresses(family: u8, index: u32) -> Request<AddressMessage> {
    let mut m = AddressMessage::default();
    m.header.family = family;
    m.header.index = index;
    Request::dump(RTM_GETADDR, m)
}

/// The message of address `net` on link `index` (`IFA_LOCAL` and `IFA_ADDRESS` both the
/// address, as for a broadcast interface).
pub fn address_message(index: u32, net: IpNet) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = net.family();
    m.header.prefix_len = net.prefix_len();
    m.header.index = index;
    m.local = Some(net.addr());
    m.address = Some(net.addr());
    m
}

/// `RTM_NEWADDR` with `CREATE | EXCL | ACK`.
pub fn add_address(index: u32, net: IpNet) -> Request<AddressMessage> {
    Request::change(
        RTM_NEWADDR,
        HeaderFlags::CREATE | HeaderFlags::EXCL,
        address_message(index, net),
    )
}

/// `RTM_DELADDR`.
pub fn delete_address(index: u32, net: IpNet) -> Request<AddressMessage> {
    Request::change(RTM_DELADDR, HeaderFlags::EMPTY, address_message(index, net))
}

/// Which routes a dump returns (strict checking: the kernel filters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// `AF_INET`, `AF_INET6`, or 0 for both.
    pub family: u8,
    /// Only this table; `None`: every table.
    pub table: Option<u32>,
}

/// `RTM_GETROUTE` dump, filtered by the kernel.
pub fn dump_routes(filter: RouteFilter) -> Request<RouteMessage> {
    let mut m = RouteMessage::default();
    m.header.family = filter.family;
    if let Some(t) = filter.table {
        m.header.table = u8::try_from(t).unwrap_or(RT_TABLE_COMPAT);
        m.table = Some(t);
    }
    Request::dump(RTM_GETROUTE, m)
}

/// One next hop of a multipath [`Route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHopSpec {
    /// The gateway, if any.
    pub gateway: Option<IpAddr>,
    /// The output link (index).
    pub dev: u32,
    /// The weight, 1..=256.
    pub weight: u16,
}

/// A route to add, replace or delete: destination, and gateway, device, table, metric or
/// next hops.
///
/// ```
/// use netlink::route::Route;
///
/// let r = Route::new("10.9.0.0/16".parse()?)
///     .gateway("10.0.0.254".parse()?)
///     .table(1000)
///     .metric(50);
/// let m = r.message();
/// assert_eq!((m.header.dst_len, m.header.table, m.table), (16, 252, Some(1000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    dst: IpNet,
    gateway: Option<IpAddr>,
    dev: Option<u32>,
    table: u32,
    metric: Option<u32>,
    prefsrc: Option<IpAddr>,
    hops: Vec<NextHopSpec>,
    protocol: RouteProtocol,
    kind: RouteType,
}

impl Route {
    /// A unicast route to `dst` (its network part) in the main table.
    pub fn new(dst: IpNet) -> Route {
        Route {
            dst: dst.network(),
            gateway: None,
            dev: None,
            table: RT_TABLE_MAIN,
            metric: None,
            prefsrc: None,
            hops: Vec::new(),
            protocol: RouteProtocol::Boot,
            kind: RouteType::Unicast,
        }
    }

    /// The destination.
    pub fn destination(&self) -> IpNet {
        self.dst
    }

    /// Through `gateway`.
    pub fn gateway(mut self, gateway: IpAddr) -> Route {
        self.gateway = Some(gateway);
        self
    }

    /// Out of link `dev` (index).
    pub fn dev(mut self, dev: u32) -> Route {
        self.dev = Some(dev);
        self
    }

    /// In `table` (any 32-bit number; above 255 it travels in `RTA_TABLE` only).
    pub fn table(mut self, table: u32) -> Route {
        self.table = table;
        self
    }

    /// With metric (priority) `metric`.
    pub fn metric(mut self, metric: u32) -> Route {
        self.metric = Some(metric);
        self
    }

    /// With preferred source address `src`.
    pub fn prefsrc(mut self, src: IpAddr) -> Route {
        self.prefsrc = Some(src);
        self
    }

    /// With one more next hop (a multipath route).
    pub fn next_hop(mut self, hop: NextHopSpec) -> Route {
        self.hops.push(hop);
        self
    }

    /// Of type `kind` (`Blackhole`, `Unreachable`, ...) instead of unicast.
    pub fn kind(mut self, kind: RouteType) -> Route {
        self.kind = kind;
        self
    }

    /// The message as it will be sent.
    pub fn message(&self) -> RouteMessage {
        let mut m = RouteMessage::default();
        m.header.family = self.dst.family();
        m.header.dst_len = self.dst.prefix_len();
        m.header.protocol = self.protocol;
        m.header.kind = self.kind;
        m.header.table = u8::try_from(self.table).unwrap_or(RT_TABLE_COMPAT);
        m.header.scope = if self.gateway.is_none() && self.hops.is_empty() {
            if self.kind == RouteType::Unicast {
                RouteScope::Link
            } else {
                RouteScope::Universe
            }
        } else {
            RouteScope::Universe
        };
        m.table = Some(self.table);
        if self.dst.prefix_len() > 0 {
            m.dst = Some(self.dst.addr());
        }
        m.gateway = self.gateway;
        m.oif = self.dev;
        m.priority = self.metric;
        m.prefsrc = self.prefsrc;
        if !self.hops.is_empty() {
            m.multipath = Some(Multipath(
                self.hops
                    .iter()
                    .map(|h| NextHop {
                        flags: NextHopFlags(0),
                        hops: u8::try_from(h.weight.clamp(1, 256) - 1).unwrap_or(u8::MAX),
                        ifindex: i32::try_from(h.dev).unwrap_or(i32::MAX),
                        attrs: NextHopAttrs {
                            gateway: h.gateway,
                            ..NextHopAttrs::default()
                        },
                    })
                    .collect(),
            ));
        }
        m
    }

    /// `RTM_NEWROUTE` with `CREATE | EXCL | ACK`.
    pub fn add_request(&self) -> Request<RouteMessage> {
        Request::change(
            RTM_NEWROUTE,
            HeaderFlags::CREATE | HeaderFlags::EXCL,
            self.message(),
        )
    }

    /// `RTM_NEWROUTE` with `CREATE | REPLACE | ACK`.
    pub fn replace_request(&self) -> Request<RouteMessage> {
        Request::change(
            RTM_NEWROUTE,
            HeaderFlags::CREATE | HeaderFlags::REPLACE,
            self.message(),
        )
    }

    /// `RTM_DELROUTE` with `ACK`: the kernel deletes the first route matching what is set
    /// (protocol and scope left open).
    pub fn delete_request(&self) -> Request<RouteMessage> {
        let mut m = self.message();
        m.header.protocol = RouteProtocol::Unspec;
        m.header.scope = RouteScope::Nowhere;
        m.header.kind = RouteType::Unspec;
        Request::change(RTM_DELROUTE, HeaderFlags::EMPTY, m)
    }
}

/// `RTM_GETNEIGH` dump: `family` 0 for every family, `index` 0 for every link.
pub fn dump_neighbours(family: u8, index: u32) -> Request<NeighbourMessage> {
    let mut m = NeighbourMessage::default();
    m.header.family = family;
    // The header's index must be 0 in a strict dump request: the filter is `NDA_IFINDEX`.
    if index != 0 {
        m.ifindex = Some(index);
    }
    Request::dump(RTM_GETNEIGH, m)
}

/// The message of neighbour `dst` on link `index`, with link-layer address `lladdr`.
pub fn neighbour_message(index: u32, dst: IpAddr, lladdr: Option<&[u8]>) -> NeighbourMessage {
    let mut m = NeighbourMessage::default();
    m.header.family = family_of(&dst);
    m.header.ifindex = i32::try_from(index).unwrap_or(i32::MAX);
    m.header.state = NeighbourState::PERMANENT;
    m.dst = Some(dst);
    m.lladdr = lladdr.map(<[u8]>::to_vec);
    m
}

/// `RTM_NEWNEIGH` with `CREATE | EXCL | ACK`: a permanent entry.
pub fn add_neighbour(index: u32, dst: IpAddr, lladdr: &[u8]) -> Request<NeighbourMessage> {
    Request::change(
        RTM_NEWNEIGH,
        HeaderFlags::CREATE | HeaderFlags::EXCL,
        neighbour_message(index, dst, Some(lladdr)),
    )
}

/// `RTM_DELNEIGH`.
pub fn delete_neighbour(index: u32, dst: IpAddr) -> Request<NeighbourMessage> {
    Request::change(
        RTM_DELNEIGH,
        HeaderFlags::EMPTY,
        neighbour_message(index, dst, None),
    )
}

/// `RTM_GETRULE` dump of `family` (0: every family).
pub fn dump_rules(family: u8) -> Request<RuleMessage> {
    let mut m = RuleMessage::default();
    m.header.family = family;
    Request::dump(RTM_GETRULE, m)
}

/// A routing rule: match (source, destination, fwmark, input link) and the table to look up.
///
/// ```
/// use netlink::route::Rule;
///
/// let r = Rule::new(libc::AF_INET as u8, 1000).priority(100).from("10.0.0.0/8".parse()?);
/// assert_eq!(r.message().table, Some(1000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    msg: RuleMessage,
}

impl Rule {
    /// A rule of `family` (`AF_INET`/`AF_INET6`) that looks up `table`.
    pub fn new(family: u8, table: u32) -> Rule {
        let mut msg = RuleMessage::default();
        msg.header.family = family;
        msg.header.action = FR_ACT_TO_TBL;
        msg.header.table = u8::try_from(table).unwrap_or(RT_TABLE_COMPAT);
        msg.table = Some(table);
        Rule { msg }
    }

    /// The priority (order among rules).
    pub fn priority(mut self, p: u32) -> Rule {
        self.msg.priority = Some(p);
        self
    }

    /// Matches packets from `src`.
    pub fn from(mut self, src: IpNet) -> Rule {
        self.msg.header.src_len = src.prefix_len();
        self.msg.src = Some(src.network().addr());
        self
    }

    /// Matches packets to `dst`.
    pub fn to(mut self, dst: IpNet) -> Rule {
        self.msg.header.dst_len = dst.prefix_len();
        self.msg.dst = Some(dst.network().addr());
        self
    }

    /// Matches the firewall mark.
    pub fn fwmark(mut self, mark: u32) -> Rule {
        self.msg.fwmark = Some(mark);
        self
    }

    /// Matches packets that came in on link `name`.
    pub fn iif(mut self, name: &str) -> Rule {
        self.msg.iifname = Some(name.to_owned());
        self
    }

    /// The message as it will be sent.
    pub fn message(&self) -> &RuleMessage {
        &self.msg
    }

    /// `RTM_NEWRULE` with `CREATE | EXCL | ACK`.
    pub fn add_request(&self) -> Request<RuleMessage> {
        Request::change(
            RTM_NEWRULE,
            HeaderFlags::CREATE | HeaderFlags::EXCL,
            self.msg.clone(),
        )
    }

    /// `RTM_DELRULE` with `ACK`.
    pub fn delete_request(&self) -> Request<RuleMessage> {
        Request::change(RTM_DELRULE, HeaderFlags::EMPTY, self.msg.clone())
    }
}

#[cfg(test)]
mod tests {
    //! Requests checked against bytes built by hand from linux/if_link.h and
    //! linux/rtnetlink.h: the kinds the test machines' kernel lacks (vlan, bond, vrf) are
    //! proven here rather than live.
    use super::*;
    use crate::NlAttrs;

    const NESTED: u16 = 0x8000;

    /// One attribute: length, type, payload, padding to 4 bytes.
    fn attr(t: u16, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(4 + payload.len()).unwrap();
        let mut v = [len.to_ne_bytes(), t.to_ne_bytes()].concat();
        v.extend_from_slice(payload);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    fn nest(t: u16, parts: &[Vec<u8>]) -> Vec<u8> {
        attr(t | NESTED, &parts.concat())
    }

    /// A nest without `NLA_F_NESTED`, as rtnetlink writes `IFLA_LINKINFO` and
    /// `IFLA_INFO_DATA` (and as iproute2 sends them).
    fn legacy_nest(t: u16, parts: &[Vec<u8>]) -> Vec<u8> {
        attr(t, &parts.concat())
    }

    fn ifinfomsg(index: i32, flags: u32, change: u32) -> Vec<u8> {
        let mut v = vec![0u8, 0, 0, 0];
        v.extend_from_slice(&index.to_ne_bytes());
        v.extend_from_slice(&flags.to_ne_bytes());
        v.extend_from_slice(&change.to_ne_bytes());
        v
    }

    fn new_link_bytes(name: &str, kind: &str, data: Vec<u8>, tail: &[Vec<u8>]) -> Vec<u8> {
        let mut v = ifinfomsg(0, 0, 0);
        v.extend(attr(3, format!("{name}\0").as_bytes())); // IFLA_IFNAME
        v.extend(legacy_nest(
            18, // IFLA_LINKINFO
            &[
                attr(1, format!("{kind}\0").as_bytes()),
                legacy_nest(2, &[data]),
            ],
        ));
        for t in tail {
            v.extend_from_slice(t);
        }
        v
    }

    #[test]
    fn vlan_bond_vrf_requests_match_hand_built_bytes() {
        // vlan 100 on link 7: IFLA_VLAN_ID (1, u16), then IFLA_LINK (5).
        let req = NewLink::vlan("vl0", 7, 100).request();
        assert_eq!(req.kind, RTM_NEWLINK);
        assert_eq!(
            req.flags,
            HeaderFlags::CREATE | HeaderFlags::EXCL | HeaderFlags::ACKNOWLEDGE
        );
        let want = new_link_bytes(
            "vl0",
            "vlan",
            attr(1, &100u16.to_ne_bytes()),
            &[attr(5, &7u32.to_ne_bytes())],
        );
        assert_eq!(req.body.to_bytes().unwrap(), want);

        // bond in 802.3ad mode (4): IFLA_BOND_MODE (1, u8).
        let want = new_link_bytes("bond0", "bond", attr(1, &[4]), &[]);
        assert_eq!(
            NewLink::bond("bond0", 4).request().body.to_bytes().unwrap(),
            want
        );

        // vrf bound to table 1000: IFLA_VRF_TABLE (1, u32).
        let want = new_link_bytes("vrf-blue", "vrf", attr(1, &1000u32.to_ne_bytes()), &[]);
        assert_eq!(
            NewLink::vrf("vrf-blue", 1000)
                .request()
                .body
                .to_bytes()
                .unwrap(),
            want
        );
    }

    #[test]
    fn vxlan_macvlan_and_settings_bytes() {
        // vxlan: IFLA_VXLAN_ID (1, u32) then IFLA_VXLAN_PORT (15, big-endian u16).
        let data = [
            attr(1, &42u32.to_ne_bytes()),
            attr(15, &4789u16.to_be_bytes()),
        ]
        .concat();
        let want = new_link_bytes("vx0", "vxlan", data, &[]);
        assert_eq!(
            NewLink::vxlan("vx0", 42, 4789)
                .request()
                .body
                .to_bytes()
                .unwrap(),
            want
        );

        // macvlan bridge mode on link 3, MTU and master set, up.
        let l = NewLink::macvlan("mv0", 3, 4).mtu(1400).master(9).up();
        let mut want = ifinfomsg(0, 1, 1);
        want.extend(attr(3, b"mv0\0"));
        want.extend(attr(4, &1400u32.to_ne_bytes())); // IFLA_MTU
        want.extend(attr(10, &9u32.to_ne_bytes())); // IFLA_MASTER
        want.extend(legacy_nest(
            18,
            &[
                attr(1, b"macvlan\0"),
                legacy_nest(2, &[attr(1, &4u32.to_ne_bytes())]),
            ],
        ));
        want.extend(attr(5, &3u32.to_ne_bytes()));
        assert_eq!(l.request().body.to_bytes().unwrap(), want);
    }

    #[test]
    fn veth_peer_is_a_flagged_nest_holding_a_link_message() {
        // VETH_INFO_PEER (1, with NLA_F_NESTED): the peer's ifinfomsg, then its IFLA_IFNAME.
        let mut peer = ifinfomsg(0, 0, 0);
        peer.extend(attr(3, b"v1\0"));
        let want = new_link_bytes("v0", "veth", nest(1, &[peer]), &[]);
        assert_eq!(
            NewLink::veth("v0", "v1").request().body.to_bytes().unwrap(),
            want
        );
    }

    #[test]
    fn set_link_bytes() {
        let down = SetLink::new(LinkId::Name("eth0")).up(false).request();
        assert_eq!(
            (down.kind, down.flags),
            (RTM_NEWLINK, HeaderFlags::ACKNOWLEDGE)
        );
        let mut want = ifinfomsg(0, 0, 1);
        want.extend(attr(3, b"eth0\0"));
        assert_eq!(down.body.to_bytes().unwrap(), want);

        let mv = SetLink::new(LinkId::Index(4))
            .netns(NetnsTarget::Pid(77))
            .request();
        let mut want = ifinfomsg(4, 0, 0);
        want.extend(attr(19, &77u32.to_ne_bytes())); // IFLA_NET_NS_PID
        assert_eq!(mv.body.to_bytes().unwrap(), want);
        let fd = SetLink::new(LinkId::Index(4))
            .netns(NetnsTarget::Fd(5))
            .request();
        let mut want = ifinfomsg(4, 0, 0);
        want.extend(attr(28, &5u32.to_ne_bytes())); // IFLA_NET_NS_FD
        assert_eq!(fd.body.to_bytes().unwrap(), want);

        let del = delete_link(LinkId::Index(4));
        assert_eq!(
            (del.kind, del.body.to_bytes().unwrap()),
            (RTM_DELLINK, ifinfomsg(4, 0, 0))
        );
    }

    #[test]
    fn address_route_neighbour_rule_bytes() {
        let a = add_address(2, "10.0.0.1/24".parse().unwrap());
        let mut want = vec![2u8, 24, 0, 0];
        want.extend(2u32.to_ne_bytes());
        want.extend(attr(1, &[10, 0, 0, 1])); // IFA_ADDRESS
        want.extend(attr(2, &[10, 0, 0, 1])); // IFA_LOCAL
        assert_eq!(a.body.to_bytes().unwrap(), want);

        // A route in table 1000: rtm_table says RT_TABLE_COMPAT, RTA_TABLE the real one.
        let r = Route::new("10.9.0.0/16".parse().unwrap())
            .gateway("10.0.0.254".parse().unwrap())
            .table(1000)
            .metric(7)
            .add_request();
        // family, dst_len, src_len, tos, table, protocol boot, scope universe, unicast; flags
        let mut want = vec![2u8, 16, 0, 0, 252, 3, 0, 1];
        want.extend(0u32.to_ne_bytes());
        want.extend(attr(15, &1000u32.to_ne_bytes())); // RTA_TABLE
        want.extend(attr(1, &[10, 9, 0, 0])); // RTA_DST
        want.extend(attr(6, &7u32.to_ne_bytes())); // RTA_PRIORITY
        want.extend(attr(5, &[10, 0, 0, 254])); // RTA_GATEWAY
        assert_eq!(r.body.to_bytes().unwrap(), want);

        // Multipath: rtnexthop (len, flags, hops, ifindex) then its RTA_GATEWAY.
        let r = Route::new("10.8.0.0/24".parse().unwrap())
            .next_hop(NextHopSpec {
                gateway: Some("10.0.0.1".parse().unwrap()),
                dev: 3,
                weight: 2,
            })
            .message();
        let mp = r.multipath.as_ref().unwrap();
        assert_eq!((mp.0[0].hops, mp.0[0].ifindex, mp.0[0].weight()), (1, 3, 2));
        let bytes = r.to_bytes().unwrap();
        let mut hop = 16u16.to_ne_bytes().to_vec();
        hop.extend([0u8, 1]);
        hop.extend(3i32.to_ne_bytes());
        hop.extend(attr(5, &[10, 0, 0, 1]));
        let tail = attr(9, &hop); // RTA_MULTIPATH
        assert!(bytes.ends_with(&tail), "{bytes:?}");

        let n = add_neighbour(3, "10.0.0.9".parse().unwrap(), &[2, 0, 0, 0, 0, 9]);
        let mut want = vec![2u8, 0, 0, 0];
        want.extend(3i32.to_ne_bytes());
        want.extend(0x80u16.to_ne_bytes()); // NUD_PERMANENT
        want.extend([0u8, 0]);
        want.extend(attr(1, &[10, 0, 0, 9])); // NDA_DST
        want.extend(attr(2, &[2, 0, 0, 0, 0, 9])); // NDA_LLADDR
        assert_eq!(n.body.to_bytes().unwrap(), want);
        // A strict neighbour dump filters with NDA_IFINDEX, header index 0.
        let d = dump_neighbours(0, 3).body.to_bytes().unwrap();
        let mut want = vec![0u8; 12];
        want.extend(attr(8, &3u32.to_ne_bytes()));
        assert_eq!(d, want);

        let rule = Rule::new(2, 1000)
            .priority(5)
            .from("10.0.0.0/8".parse().unwrap());
        let mut want = vec![2u8, 0, 8, 0, 252, 0, 0, 1];
        want.extend(0u32.to_ne_bytes());
        want.extend(attr(15, &1000u32.to_ne_bytes())); // FRA_TABLE
        want.extend(attr(6, &5u32.to_ne_bytes())); // FRA_PRIORITY
        want.extend(attr(2, &[10, 0, 0, 0])); // FRA_SRC
        assert_eq!(rule.add_request().body.to_bytes().unwrap(), want);
    }

    #[test]
    fn dump_filters() {
        let d = dump_links(&LinkFilter {
            master: Some(5),
            kind: Some("veth".into()),
        });
        assert_eq!(d.flags, HeaderFlags::DUMP);
        let mut want = ifinfomsg(0, 0, 0);
        want.extend(attr(10, &5u32.to_ne_bytes())); // IFLA_MASTER
        want.extend(legacy_nest(18, &[attr(1, b"veth\0")]));
        want.extend(attr(29, &RTEXT_FILTER_SKIP_STATS.to_ne_bytes())); // IFLA_EXT_MASK
        assert_eq!(d.body.to_bytes().unwrap(), want);

        let r = dump_routes(RouteFilter {
            family: 2,
            table: Some(1000),
        });
        let mut want = vec![2u8, 0, 0, 0, 252, 0, 0, 0];
        want.extend(0u32.to_ne_bytes());
        want.extend(attr(15, &1000u32.to_ne_bytes()));
        assert_eq!(r.body.to_bytes().unwrap(), want);
    }
}
