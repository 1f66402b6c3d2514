//! rtnetlink constants (linux/rtnetlink.h): message types (`RTM_*`), multicast groups
//! (`RTNLGRP_*`), and the typed values of route headers: tables (`RT_TABLE_*`), protocols
//! (`RTPROT_*`), scopes (`RT_SCOPE_*`) and route types (`RTN_*`).

use crate::message::HeaderType;

/// `RTM_NEWLINK`: a link was created or changed; a request to create or change one.
pub const RTM_NEWLINK: HeaderType = HeaderType(16);
/// `RTM_DELLINK`.
pub const RTM_DELLINK: HeaderType = HeaderType(17);
/// `RTM_GETLINK`.
pub const RTM_GETLINK: HeaderType = HeaderType(18);
/// `RTM_SETLINK`.
pub const RTM_SETLINK: HeaderType = HeaderType(19);
/// `RTM_NEWADDR`.
pub const RTM_NEWADDR: HeaderType = HeaderType(20);
/// `RTM_DELADDR`.
pub const RTM_DELADDR: HeaderType = HeaderType(21);
/// `RTM_GETADDR`.
pub const RTM_GETADDR: HeaderType = HeaderType(22);
/// `RTM_NEWROUTE`.
pub const RTM_NEWROUTE: HeaderType = HeaderType(24);
/// `RTM_DELROUTE`.
pub const RTM_DELROUTE: HeaderType = HeaderType(25);
/// `RTM_GETROUTE`.
pub const RTM_GETROUTE: HeaderType = HeaderType(26);
/// `RTM_NEWNEIGH`.
pub const RTM_NEWNEIGH: HeaderType = HeaderType(28);
/// `RTM_DELNEIGH`.
pub const RTM_DELNEIGH: HeaderType = HeaderType(29);
/// `RTM_GETNEIGH`.
pub const RTM_GETNEIGH: HeaderType = HeaderType(30);
/// `RTM_NEWRULE`.
pub const RTM_NEWRULE: HeaderType = HeaderType(32);
/// `RTM_DELRULE`.
pub const RTM_DELRULE: HeaderType = HeaderType(33);
/// `RTM_GETRULE`.
pub const RTM_GETRULE: HeaderType = HeaderType(34);
/// `RTM_NEWNEXTHOP`.
pub const RTM_NEWNEXTHOP: HeaderType = HeaderType(104);
/// `RTM_DELNEXTHOP`.
pub const RTM_DELNEXTHOP: HeaderType = HeaderType(105);
/// `RTM_GETNEXTHOP`.
pub const RTM_GETNEXTHOP: HeaderType = HeaderType(106);
/// `RTM_NEWLINKPROP`: add alternative names (`IFLA_PROP_LIST`).
pub const RTM_NEWLINKPROP: HeaderType = HeaderType(108);
/// `RTM_DELLINKPROP`.
pub const RTM_DELLINKPROP: HeaderType = HeaderType(109);

/// Multicast group numbers of `NETLINK_ROUTE` (`enum rtnetlink_groups`), for
/// [`Conn::join_group`](crate::Conn::join_group).
pub mod groups {
    /// `RTNLGRP_NONE`.
    pub const RTNLGRP_NONE: u32 = 0;
    /// `RTNLGRP_LINK`.
    pub const RTNLGRP_LINK: u32 = 1;
    /// `RTNLGRP_NOTIFY`.
    pub const RTNLGRP_NOTIFY: u32 = 2;
    /// `RTNLGRP_NEIGH`.
    pub const RTNLGRP_NEIGH: u32 = 3;
    /// `RTNLGRP_TC`.
    pub const RTNLGRP_TC: u32 = 4;
    /// `RTNLGRP_IPV4_IFADDR`.
    pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
    /// `RTNLGRP_IPV4_MROUTE`.
    pub const RTNLGRP_IPV4_MROUTE: u32 = 6;
    /// `RTNLGRP_IPV4_ROUTE`.
    pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
    /// `RTNLGRP_IPV4_RULE`.
    pub const RTNLGRP_IPV4_RULE: u32 = 8;
    /// `RTNLGRP_IPV6_IFADDR`.
    pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
    /// `RTNLGRP_IPV6_MROUTE`.
    pub const RTNLGRP_IPV6_MROUTE: u32 = 10;
    /// `RTNLGRP_IPV6_ROUTE`.
    pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
    /// `RTNLGRP_IPV6_IFINFO`.
    pub const RTNLGRP_IPV6_IFINFO: u32 = 12;
    /// `RTNLGRP_DECnet_IFADDR`.
    pub const RTNLGRP_DECNET_IFADDR: u32 = 13;
    /// `RTNLGRP_DECnet_ROUTE`.
    pub const RTNLGRP_DECNET_ROUTE: u32 = 15;
    /// `RTNLGRP_DECnet_RULE`.
    pub const RTNLGRP_DECNET_RULE: u32 = 16;
    /// `RTNLGRP_IPV6_PREFIX`.
    pub const RTNLGRP_IPV6_PREFIX: u32 = 18;
    /// `RTNLGRP_IPV6_RULE`.
    pub const RTNLGRP_IPV6_RULE: u32 = 19;
    /// `RTNLGRP_ND_USEROPT`.
    pub const RTNLGRP_ND_USEROPT: u32 = 20;
    /// `RTNLGRP_PHONET_IFADDR`.
    pub const RTNLGRP_PHONET_IFADDR: u32 = 21;
    /// `RTNLGRP_PHONET_ROUTE`.
    pub const RTNLGRP_PHONET_ROUTE: u32 = 22;
    /// `RTNLGRP_DCB`.
    pub const RTNLGRP_DCB: u32 = 23;
    /// `RTNLGRP_IPV4_NETCONF`.
    pub const RTNLGRP_IPV4_NETCONF: u32 = 24;
    /// `RTNLGRP_IPV6_NETCONF`.
    pub const RTNLGRP_IPV6_NETCONF: u32 = 25;
    /// `RTNLGRP_MDB`.
    pub const RTNLGRP_MDB: u32 = 26;
    /// `RTNLGRP_MPLS_ROUTE`.
    pub const RTNLGRP_MPLS_ROUTE: u32 = 27;
    /// `RTNLGRP_NSID`.
    pub const RTNLGRP_NSID: u32 = 28;
    /// `RTNLGRP_MPLS_NETCONF`.
    pub const RTNLGRP_MPLS_NETCONF: u32 = 29;
    /// `RTNLGRP_IPV4_MROUTE_R`.
    pub const RTNLGRP_IPV4_MROUTE_R: u32 = 30;
    /// `RTNLGRP_IPV6_MROUTE_R`.
    pub const RTNLGRP_IPV6_MROUTE_R: u32 = 31;
    /// `RTNLGRP_NEXTHOP`.
    pub const RTNLGRP_NEXTHOP: u32 = 32;
    /// `RTNLGRP_BRVLAN`.
    pub const RTNLGRP_BRVLAN: u32 = 33;
    /// `RTNLGRP_MCTP_IFADDR`.
    pub const RTNLGRP_MCTP_IFADDR: u32 = 34;
    /// `RTNLGRP_TUNNEL`.
    pub const RTNLGRP_TUNNEL: u32 = 35;
    /// `RTNLGRP_STATS`.
    pub const RTNLGRP_STATS: u32 = 36;
}

/// `RT_TABLE_UNSPEC`.
pub const RT_TABLE_UNSPEC: u32 = 0;
/// `RT_TABLE_COMPAT`: what `rtm_table` says when the real table (in `RTA_TABLE`) is above
/// 255.
pub const RT_TABLE_COMPAT: u32 = 252;
/// `RT_TABLE_DEFAULT`.
pub const RT_TABLE_DEFAULT: u32 = 253;
/// `RT_TABLE_MAIN`.
pub const RT_TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`.
pub const RT_TABLE_LOCAL: u32 = 255;

/// A routing table number (`RT_TABLE_*`): the 32-bit `RTA_TABLE`, or the 8-bit
/// `rtm_table` of `struct rtmsg`.
#[derive(crate::NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u32)]
pub enum RouteTable {
    /// `RT_TABLE_UNSPEC` (0): in a dump request, every table.
    Unspec = 0,
    /// `RT_TABLE_COMPAT` (252).
    Compat = 252,
    /// `RT_TABLE_DEFAULT` (253).
    Default = 253,
    /// `RT_TABLE_MAIN` (254): where routes go by default.
    Main = 254,
    /// `RT_TABLE_LOCAL` (255): local and broadcast addresses.
    Local = 255,
    /// Any other table.
    #[nla(other)]
    Other(u32),
}

/// Who installed a route (`RTPROT_*`, `rtm_protocol`).
#[derive(crate::NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u8)]
pub enum RouteProtocol {
    /// `RTPROT_UNSPEC`.
    Unspec = 0,
    /// `RTPROT_REDIRECT`: ICMP redirects.
    Redirect = 1,
    /// `RTPROT_KERNEL`: the kernel.
    Kernel = 2,
    /// `RTPROT_BOOT`: during boot (iproute2's default).
    Boot = 3,
    /// `RTPROT_STATIC`: the administrator.
    Static = 4,
    /// `RTPROT_GATED`.
    Gated = 8,
    /// `RTPROT_RA`: router advertisements.
    Ra = 9,
    /// `RTPROT_MRT`.
    Mrt = 10,
    /// `RTPROT_ZEBRA`.
    Zebra = 11,
    /// `RTPROT_BIRD`.
    Bird = 12,
    /// `RTPROT_DNROUTED`.
    DnRouted = 13,
    /// `RTPROT_XORP`.
    Xorp = 14,
    /// `RTPROT_NTK`.
    Ntk = 15,
    /// `RTPROT_DHCP`.
    Dhcp = 16,
    /// `RTPROT_MROUTED`.
    Mrouted = 17,
    /// `RTPROT_KEEPALIVED`.
    Keepalived = 18,
    /// `RTPROT_BABEL`.
    Babel = 42,
    /// `RTPROT_OPENR`.
    Openr = 99,
    /// `RTPROT_BGP`.
    Bgp = 186,
    /// `RTPROT_ISIS`.
    Isis = 187,
    /// `RTPROT_OSPF`.
    Ospf = 188,
    /// `RTPROT_RIP`.
    Rip = 189,
    /// `RTPROT_EIGRP`.
    Eigrp = 192,
    /// Any other protocol number.
    #[nla(other)]
    Other(u8),
}

/// How far a destination is (`RT_SCOPE_*`, `rtm_scope` and `ifa_scope`).
#[derive(crate::NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u8)]
pub enum RouteScope {
    /// `RT_SCOPE_UNIVERSE`: global.
    Universe = 0,
    /// Any other scope (user-defined, 1..=199). (Declared here so that its Rust
    /// discriminant fits the `u8` representation; the value is the one it holds.)
    #[nla(other)]
    Other(u8),
    /// `RT_SCOPE_SITE`.
    Site = 200,
    /// `RT_SCOPE_LINK`: on the link.
    Link = 253,
    /// `RT_SCOPE_HOST`: this host.
    Host = 254,
    /// `RT_SCOPE_NOWHERE`.
    Nowhere = 255,
}

/// The kind of a route (`RTN_*`, `rtm_type`).
#[derive(crate::NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u8)]
pub enum RouteType {
    /// `RTN_UNSPEC`.
    Unspec = 0,
    /// `RTN_UNICAST`: a gateway or direct route.
    Unicast = 1,
    /// `RTN_LOCAL`: accept locally.
    Local = 2,
    /// `RTN_BROADCAST`.
    Broadcast = 3,
    /// `RTN_ANYCAST`.
    Anycast = 4,
    /// `RTN_MULTICAST`.
    Multicast = 5,
    /// `RTN_BLACKHOLE`: drop.
    Blackhole = 6,
    /// `RTN_UNREACHABLE`.
    Unreachable = 7,
    /// `RTN_PROHIBIT`.
    Prohibit = 8,
    /// `RTN_THROW`: not in this table.
    Throw = 9,
    /// `RTN_NAT`.
    Nat = 10,
    /// `RTN_XRESOLVE`.
    Xresolve = 11,
    /// Any other type.
    #[nla(other)]
    Other(u8),
}

/// RFC 2863 operational state of a link (`IF_OPER_*`, `IFLA_OPERSTATE`).
#[derive(crate::NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u8)]
pub enum OperState {
    /// `IF_OPER_UNKNOWN`.
    Unknown = 0,
    /// `IF_OPER_NOTPRESENT`.
    NotPresent = 1,
    /// `IF_OPER_DOWN`.
    Down = 2,
    /// `IF_OPER_LOWERLAYERDOWN`.
    LowerLayerDown = 3,
    /// `IF_OPER_TESTING`.
    Testing = 4,
    /// `IF_OPER_DORMANT`.
    Dormant = 5,
    /// `IF_OPER_UP`.
    Up = 6,
    /// A value without a name here.
    #[nla(other)]
    Other(u8),
}

impl OperState {
    /// The name iproute2 prints (`UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`, ...).
    pub fn name(self) -> &'static str {
        match self {
            OperState::Unknown => "UNKNOWN",
            OperState::NotPresent => "NOTPRESENT",
            OperState::Down => "DOWN",
            OperState::LowerLayerDown => "LOWERLAYERDOWN",
            OperState::Testing => "TESTING",
            OperState::Dormant => "DORMANT",
            OperState::Up => "UP",
            OperState::Other(_) => "UNKNOWN",
        }
    }
}

/// `AF_UNSPEC`.
pub const AF_UNSPEC: u8 = 0;
/// `AF_INET`.
pub const AF_INET: u8 = 2;
/// `AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `AF_BRIDGE` (`PF_BRIDGE`).
pub const AF_BRIDGE: u8 = 7;
/// `AF_MPLS`.
pub const AF_MPLS: u8 = 28;
