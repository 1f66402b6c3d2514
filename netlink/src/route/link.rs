//! Links (`RTM_NEWLINK`, `RTM_DELLINK`, `RTM_GETLINK`, `RTM_SETLINK`): `struct ifinfomsg` and
//! the `IFLA_*` attributes (linux/if_link.h).
//!
//! [`LinkMessage`] owns its values; [`LinkMessageRef`] borrows strings and bytes from the
//! receive buffer and allocates nothing for the attributes it declares. Fields are declared
//! in the order the kernel writes them, so that re-encoding a decoded message gives its bytes
//! back.

use super::attr_types::*;
use super::constants::OperState;
use super::flags::IfFlags;
use super::link_kinds::{InfoData, InfoSlaveData};
use crate::{Multi, NlAttrs, UnknownAttrs};

/// `struct ifinfomsg`: the family header of link messages.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IfInfoMsg {
    /// `ifi_family`: `AF_UNSPEC` for links.
    pub family: u8,
    /// `__ifi_pad`.
    pub pad: u8,
    /// `ifi_type`: the device type (`ARPHRD_*`, linux/if_arp.h; 1 for Ethernet, 772 for
    /// loopback).
    pub link_type: u16,
    /// `ifi_index`: the interface index (0 in a request: any, or a new one).
    pub index: i32,
    /// `ifi_flags`: `IFF_*`.
    pub flags: IfFlags,
    /// `ifi_change`: which bits of `flags` a request changes (`0xffffffff`: all).
    pub change: IfFlags,
}

/// `struct rtnl_link_stats64` (`IFLA_STATS64`). Shorter payloads (older kernels) read as
/// zero-filled; longer ones keep their extra bytes in `newer`.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkStats64 {
    /// `rx_packets`.
    pub rx_packets: u64,
    /// `tx_packets`.
    pub tx_packets: u64,
    /// `rx_bytes`.
    pub rx_bytes: u64,
    /// `tx_bytes`.
    pub tx_bytes: u64,
    /// `rx_errors`.
    pub rx_errors: u64,
    /// `tx_errors`.
    pub tx_errors: u64,
    /// `rx_dropped`.
    pub rx_dropped: u64,
    /// `tx_dropped`.
    pub tx_dropped: u64,
    /// `multicast`.
    pub multicast: u64,
    /// `collisions`.
    pub collisions: u64,
    /// `rx_length_errors`.
    pub rx_length_errors: u64,
    /// `rx_over_errors`.
    pub rx_over_errors: u64,
    /// `rx_crc_errors`.
    pub rx_crc_errors: u64,
    /// `rx_frame_errors`.
    pub rx_frame_errors: u64,
    /// `rx_fifo_errors`.
    pub rx_fifo_errors: u64,
    /// `rx_missed_errors`.
    pub rx_missed_errors: u64,
    /// `tx_aborted_errors`.
    pub tx_aborted_errors: u64,
    /// `tx_carrier_errors`.
    pub tx_carrier_errors: u64,
    /// `tx_fifo_errors`.
    pub tx_fifo_errors: u64,
    /// `tx_heartbeat_errors`.
    pub tx_heartbeat_errors: u64,
    /// `tx_window_errors`.
    pub tx_window_errors: u64,
    /// `rx_compressed`.
    pub rx_compressed: u64,
    /// `tx_compressed`.
    pub tx_compressed: u64,
    /// `rx_nohandler`.
    pub rx_nohandler: u64,
    /// `rx_otherhost_dropped`.
    pub rx_otherhost_dropped: u64,
    /// Bytes a newer kernel sends past the fields above.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// `struct rtnl_link_stats` (`IFLA_STATS`): the 32-bit counters. Tolerant of sizes like
/// [`LinkStats64`].
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkStats {
    /// `rx_packets`.
    pub rx_packets: u32,
    /// `tx_packets`.
    pub tx_packets: u32,
    /// `rx_bytes`.
    pub rx_bytes: u32,
    /// `tx_bytes`.
    pub tx_bytes: u32,
    /// `rx_errors`.
    pub rx_errors: u32,
    /// `tx_errors`.
    pub tx_errors: u32,
    /// `rx_dropped`.
    pub rx_dropped: u32,
    /// `tx_dropped`.
    pub tx_dropped: u32,
    /// `multicast`.
    pub multicast: u32,
    /// `collisions`.
    pub collisions: u32,
    /// `rx_length_errors`.
    pub rx_length_errors: u32,
    /// `rx_over_errors`.
    pub rx_over_errors: u32,
    /// `rx_crc_errors`.
    pub rx_crc_errors: u32,
    /// `rx_frame_errors`.
    pub rx_frame_errors: u32,
    /// `rx_fifo_errors`.
    pub rx_fifo_errors: u32,
    /// `rx_missed_errors`.
    pub rx_missed_errors: u32,
    /// `tx_aborted_errors`.
    pub tx_aborted_errors: u32,
    /// `tx_carrier_errors`.
    pub tx_carrier_errors: u32,
    /// `tx_fifo_errors`.
    pub tx_fifo_errors: u32,
    /// `tx_heartbeat_errors`.
    pub tx_heartbeat_errors: u32,
    /// `tx_window_errors`.
    pub tx_window_errors: u32,
    /// `rx_compressed`.
    pub rx_compressed: u32,
    /// `tx_compressed`.
    pub tx_compressed: u32,
    /// `rx_nohandler`.
    pub rx_nohandler: u32,
    /// Bytes a newer kernel sends past the fields above.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// `struct rtnl_link_ifmap` (`IFLA_MAP`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkIfMap {
    /// `mem_start`.
    pub mem_start: u64,
    /// `mem_end`.
    pub mem_end: u64,
    /// `base_addr`.
    pub base_addr: u64,
    /// `irq`.
    pub irq: u16,
    /// `dma`.
    pub dma: u8,
    /// `port`.
    pub port: u8,
    /// Bytes past the structure.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// `IFLA_XDP`: the XDP program attached to a link (`IFLA_XDP_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkXdp {
    /// `IFLA_XDP_ATTACHED`: how a program is attached (`XDP_ATTACHED_*`; 0 none).
    #[nla(type = IFLA_XDP_ATTACHED)]
    pub attached: Option<u8>,
    /// `IFLA_XDP_PROG_ID`.
    #[nla(type = IFLA_XDP_PROG_ID)]
    pub prog_id: Option<u32>,
    /// `IFLA_XDP_DRV_PROG_ID`.
    #[nla(type = IFLA_XDP_DRV_PROG_ID)]
    pub drv_prog_id: Option<u32>,
    /// `IFLA_XDP_SKB_PROG_ID`.
    #[nla(type = IFLA_XDP_SKB_PROG_ID)]
    pub skb_prog_id: Option<u32>,
    /// `IFLA_XDP_HW_PROG_ID`.
    #[nla(type = IFLA_XDP_HW_PROG_ID)]
    pub hw_prog_id: Option<u32>,
    /// `IFLA_XDP_FD`: a program to attach (requests).
    #[nla(type = IFLA_XDP_FD)]
    pub fd: Option<i32>,
    /// `IFLA_XDP_EXPECTED_FD` (requests).
    #[nla(type = IFLA_XDP_EXPECTED_FD)]
    pub expected_fd: Option<i32>,
    /// `IFLA_XDP_FLAGS` (`XDP_FLAGS_*`).
    #[nla(type = IFLA_XDP_FLAGS)]
    pub flags: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_LINKINFO`: the kind of a link and its kind-specific data (`IFLA_INFO_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkInfo {
    /// `IFLA_INFO_KIND`: `"veth"`, `"bridge"`, `"vxlan"`, ...
    #[nla(type = IFLA_INFO_KIND)]
    pub kind: Option<String>,
    /// `IFLA_INFO_DATA`, chosen by `kind`.
    #[nla(type = IFLA_INFO_DATA, sub_message = kind, no_nested_flag)]
    pub data: Option<InfoData>,
    /// `IFLA_INFO_XSTATS`: kind-specific statistics, raw.
    #[nla(type = IFLA_INFO_XSTATS)]
    pub xstats: Option<Vec<u8>>,
    /// `IFLA_INFO_SLAVE_KIND`: the kind of the master this link is a port of (`"bridge"`,
    /// `"bond"`, `"vrf"`).
    #[nla(type = IFLA_INFO_SLAVE_KIND)]
    pub port_kind: Option<String>,
    /// `IFLA_INFO_SLAVE_DATA`, chosen by `port_kind`.
    #[nla(type = IFLA_INFO_SLAVE_DATA, sub_message = port_kind, no_nested_flag)]
    pub port_data: Option<InfoSlaveData>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INET_*` (`AF_INET` in `IFLA_AF_SPEC`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AfSpecInet {
    /// `IFLA_INET_CONF`: the `IPV4_DEVCONF_*` values, native-endian `u32`s (see
    /// [`conf_values`](Self::conf_values)).
    #[nla(type = IFLA_INET_CONF)]
    pub conf: Option<Vec<u8>>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

impl AfSpecInet {
    /// The `IPV4_DEVCONF_*` values; the first is `IPV4_DEVCONF_FORWARDING` (index 1).
    pub fn conf_values(&self) -> impl Iterator<Item = u32> + '_ {
        words(self.conf.as_deref().unwrap_or_default())
    }
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_ne_bytes(c.try_into().unwrap_or([0; 4])))
}

/// `struct ifla_cacheinfo` (`IFLA_INET6_CACHEINFO`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Inet6CacheInfo {
    /// `max_reasm_len`.
    pub max_reasm_len: u32,
    /// `tstamp`: in hundredths of seconds since boot.
    pub tstamp: u32,
    /// `reachable_time` (ms).
    pub reachable_time: u32,
    /// `retrans_time` (ms).
    pub retrans_time: u32,
    /// Bytes past the structure.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// `IFLA_INET6_*` (`AF_INET6` in `IFLA_AF_SPEC`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AfSpecInet6 {
    /// `IFLA_INET6_FLAGS` (`IF_RA_*`, `IF_READY`).
    #[nla(type = IFLA_INET6_FLAGS)]
    pub flags: Option<u32>,
    /// `IFLA_INET6_CACHEINFO`.
    #[nla(type = IFLA_INET6_CACHEINFO)]
    pub cacheinfo: Option<Inet6CacheInfo>,
    /// `IFLA_INET6_CONF`: the `DEVCONF_*` values, native-endian `s32`s.
    #[nla(type = IFLA_INET6_CONF)]
    pub conf: Option<Vec<u8>>,
    /// `IFLA_INET6_STATS`: `IPSTATS_MIB_*` counters, native-endian `u64`s.
    #[nla(type = IFLA_INET6_STATS)]
    pub stats: Option<Vec<u8>>,
    /// `IFLA_INET6_ICMP6STATS`: `ICMP6_MIB_*` counters, native-endian `u64`s.
    #[nla(type = IFLA_INET6_ICMP6STATS)]
    pub icmp6stats: Option<Vec<u8>>,
    /// `IFLA_INET6_TOKEN`: the interface identifier token.
    #[nla(type = IFLA_INET6_TOKEN)]
    pub token: Option<std::net::Ipv6Addr>,
    /// `IFLA_INET6_ADDR_GEN_MODE` (`IN6_ADDR_GEN_MODE_*`).
    #[nla(type = IFLA_INET6_ADDR_GEN_MODE)]
    pub addr_gen_mode: Option<u8>,
    /// `IFLA_INET6_RA_MTU`.
    #[nla(type = IFLA_INET6_RA_MTU)]
    pub ra_mtu: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_AF_SPEC`: per address family link settings, keyed by `AF_*`.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AfSpec {
    /// `AF_INET`.
    #[nla(type = AF_INET_KEY, nested, no_nested_flag)]
    pub inet: Option<AfSpecInet>,
    /// `AF_INET6`.
    #[nla(type = AF_INET6_KEY, nested, no_nested_flag)]
    pub inet6: Option<AfSpecInet6>,
    /// Other families (`AF_BRIDGE`, `AF_MPLS`, ...), byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// A nest this crate keeps without looking inside (`IFLA_DEVLINK_PORT`, `IFLA_DPLL_PIN`):
/// its attributes, byte-exact.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OpaqueNest {
    /// The nest's attributes.
    #[nla(unknown)]
    pub attrs: UnknownAttrs,
}

/// `IFLA_PROP_LIST`: link properties (alternative names).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropList {
    /// `IFLA_ALT_IFNAME`, repeated: the alternative names.
    #[nla(type = IFLA_ALT_IFNAME, multi)]
    pub alt_names: Vec<String>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_PROP_LIST` of a [`LinkMessageRef`]: the alternative names borrowed.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct PropListRef<'a> {
    /// `IFLA_ALT_IFNAME`, repeated: the alternative names.
    #[nla(type = IFLA_ALT_IFNAME, multi)]
    pub alt_names: Multi<'a, &'a str>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

macro_rules! link_message {
    (
        $(#[$meta:meta])*
        $name:ident $(<$l:lifetime>)? {
            str: $str:ty,
            bytes: $bytes:ty,
            names: $names:ty,
            linkinfo: $linkinfo:ty,
            af_spec: { $(#[$afm:meta])* } $afspec:ty,
            prop_list: $proplist:ty,
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `struct ifinfomsg`.
            #[nla(header)]
            pub header: IfInfoMsg,
            /// `IFLA_IFNAME`: the interface name.
            #[nla(type = IFLA_IFNAME)]
            pub name: Option<$str>,
            /// `IFLA_TXQLEN`: transmit queue length.
            #[nla(type = IFLA_TXQLEN)]
            pub txqlen: Option<u32>,
            /// `IFLA_OPERSTATE`: RFC 2863 operational state.
            #[nla(type = IFLA_OPERSTATE)]
            pub operstate: Option<OperState>,
            /// `IFLA_LINKMODE` (`IF_LINK_MODE_*`).
            #[nla(type = IFLA_LINKMODE)]
            pub linkmode: Option<u8>,
            /// `IFLA_NETNS_IMMUTABLE`: the link cannot change namespace.
            #[nla(type = IFLA_NETNS_IMMUTABLE)]
            pub netns_immutable: Option<u8>,
            /// `IFLA_MTU`.
            #[nla(type = IFLA_MTU)]
            pub mtu: Option<u32>,
            /// `IFLA_MIN_MTU`.
            #[nla(type = IFLA_MIN_MTU)]
            pub min_mtu: Option<u32>,
            /// `IFLA_MAX_MTU`.
            #[nla(type = IFLA_MAX_MTU)]
            pub max_mtu: Option<u32>,
            /// `IFLA_GROUP`: the device group.
            #[nla(type = IFLA_GROUP)]
            pub group: Option<u32>,
            /// `IFLA_PROMISCUITY`: promiscuity count.
            #[nla(type = IFLA_PROMISCUITY)]
            pub promiscuity: Option<u32>,
            /// `IFLA_ALLMULTI`: all-multicast count.
            #[nla(type = IFLA_ALLMULTI)]
            pub allmulti: Option<u32>,
            /// `IFLA_NUM_TX_QUEUES`.
            #[nla(type = IFLA_NUM_TX_QUEUES)]
            pub num_tx_queues: Option<u32>,
            /// `IFLA_GSO_MAX_SEGS`.
            #[nla(type = IFLA_GSO_MAX_SEGS)]
            pub gso_max_segs: Option<u32>,
            /// `IFLA_GSO_MAX_SIZE`.
            #[nla(type = IFLA_GSO_MAX_SIZE)]
            pub gso_max_size: Option<u32>,
            /// `IFLA_GRO_MAX_SIZE`.
            #[nla(type = IFLA_GRO_MAX_SIZE)]
            pub gro_max_size: Option<u32>,
            /// `IFLA_GSO_IPV4_MAX_SIZE`.
            #[nla(type = IFLA_GSO_IPV4_MAX_SIZE)]
            pub gso_ipv4_max_size: Option<u32>,
            /// `IFLA_GRO_IPV4_MAX_SIZE`.
            #[nla(type = IFLA_GRO_IPV4_MAX_SIZE)]
            pub gro_ipv4_max_size: Option<u32>,
            /// `IFLA_TSO_MAX_SIZE`.
            #[nla(type = IFLA_TSO_MAX_SIZE)]
            pub tso_max_size: Option<u32>,
            /// `IFLA_TSO_MAX_SEGS`.
            #[nla(type = IFLA_TSO_MAX_SEGS)]
            pub tso_max_segs: Option<u32>,
            /// `IFLA_MAX_PACING_OFFLOAD_HORIZON` (ns).
            #[nla(type = IFLA_MAX_PACING_OFFLOAD_HORIZON)]
            pub max_pacing_offload_horizon: Option<u32>,
            /// `IFLA_NUM_RX_QUEUES`.
            #[nla(type = IFLA_NUM_RX_QUEUES)]
            pub num_rx_queues: Option<u32>,
            /// `IFLA_MASTER`: index of the master device (bridge, bond, vrf).
            #[nla(type = IFLA_MASTER)]
            pub master: Option<u32>,
            /// `IFLA_CARRIER`: 1 when the carrier is on.
            #[nla(type = IFLA_CARRIER)]
            pub carrier: Option<u8>,
            /// `IFLA_IFALIAS`: the interface alias.
            #[nla(type = IFLA_IFALIAS)]
            pub alias: Option<$str>,
            /// `IFLA_CARRIER_CHANGES`.
            #[nla(type = IFLA_CARRIER_CHANGES)]
            pub carrier_changes: Option<u32>,
            /// `IFLA_CARRIER_UP_COUNT`.
            #[nla(type = IFLA_CARRIER_UP_COUNT)]
            pub carrier_up_count: Option<u32>,
            /// `IFLA_CARRIER_DOWN_COUNT`.
            #[nla(type = IFLA_CARRIER_DOWN_COUNT)]
            pub carrier_down_count: Option<u32>,
            /// `IFLA_HEADROOM`.
            #[nla(type = IFLA_HEADROOM)]
            pub headroom: Option<u16>,
            /// `IFLA_TAILROOM`.
            #[nla(type = IFLA_TAILROOM)]
            pub tailroom: Option<u16>,
            /// `IFLA_PROTO_DOWN`.
            #[nla(type = IFLA_PROTO_DOWN)]
            pub proto_down: Option<u8>,
            /// `IFLA_PROTO_DOWN_REASON` (nested, raw).
            #[nla(type = IFLA_PROTO_DOWN_REASON)]
            pub proto_down_reason: Option<$bytes>,
            /// `IFLA_EVENT` (`IFLA_EVENT_*`), in notifications.
            #[nla(type = IFLA_EVENT)]
            pub event: Option<u32>,
            /// `IFLA_ADDRESS`: the link-layer address.
            #[nla(type = IFLA_ADDRESS)]
            pub address: Option<$bytes>,
            /// `IFLA_BROADCAST`: the link-layer broadcast address.
            #[nla(type = IFLA_BROADCAST)]
            pub broadcast: Option<$bytes>,
            /// `IFLA_PHYS_PORT_ID`.
            #[nla(type = IFLA_PHYS_PORT_ID)]
            pub phys_port_id: Option<$bytes>,
            /// `IFLA_PHYS_PORT_NAME`.
            #[nla(type = IFLA_PHYS_PORT_NAME)]
            pub phys_port_name: Option<$str>,
            /// `IFLA_PHYS_SWITCH_ID`.
            #[nla(type = IFLA_PHYS_SWITCH_ID)]
            pub phys_switch_id: Option<$bytes>,
            /// `IFLA_PAD`: alignment padding the kernel puts before 64-bit values.
            #[nla(type = IFLA_PAD, flag)]
            pub pad: bool,
            /// `IFLA_STATS64`: `struct rtnl_link_stats64`.
            #[nla(type = IFLA_STATS64)]
            pub stats64: Option<LinkStats64>,
            /// `IFLA_STATS`: `struct rtnl_link_stats`.
            #[nla(type = IFLA_STATS)]
            pub stats: Option<LinkStats>,
            /// `IFLA_NUM_VF`.
            #[nla(type = IFLA_NUM_VF)]
            pub num_vf: Option<u32>,
            /// `IFLA_VFINFO_LIST` (nested, raw).
            #[nla(type = IFLA_VFINFO_LIST)]
            pub vfinfo_list: Option<$bytes>,
            /// `IFLA_XDP`.
            #[nla(type = IFLA_XDP, nested, no_nested_flag)]
            pub xdp: Option<LinkXdp>,
            /// `IFLA_LINKINFO`: kind and kind-specific data.
            #[nla(type = IFLA_LINKINFO, nested, no_nested_flag)]
            pub linkinfo: Option<$linkinfo>,
            /// `IFLA_LINK`: index of the lower device (the peer of a veth, the parent of a
            /// macvlan or vlan).
            #[nla(type = IFLA_LINK)]
            pub link: Option<u32>,
            /// `IFLA_LINK_NETNSID`: the namespace id of `link`, when it is elsewhere.
            #[nla(type = IFLA_LINK_NETNSID)]
            pub link_netnsid: Option<i32>,
            /// `IFLA_QDISC`: the root queueing discipline.
            #[nla(type = IFLA_QDISC)]
            pub qdisc: Option<$str>,
            /// `IFLA_NEW_NETNSID`, in notifications of a move.
            #[nla(type = IFLA_NEW_NETNSID)]
            pub new_netnsid: Option<i32>,
            /// `IFLA_NEW_IFINDEX`, in notifications of a move.
            #[nla(type = IFLA_NEW_IFINDEX)]
            pub new_ifindex: Option<i32>,
            /// `IFLA_TARGET_NETNSID` (`IFLA_IF_NETNSID`): act on the namespace with this id.
            #[nla(type = IFLA_TARGET_NETNSID)]
            pub target_netnsid: Option<i32>,
            /// `IFLA_AF_SPEC`: per address family settings.
            $(#[$afm])*
            pub af_spec: Option<$afspec>,
            /// `IFLA_MAP`: `struct rtnl_link_ifmap` (the kernel writes it after
            /// `IFLA_AF_SPEC`).
            #[nla(type = IFLA_MAP)]
            pub map: Option<LinkIfMap>,
            /// `IFLA_PROP_LIST`: properties (alternative names).
            #[nla(type = IFLA_PROP_LIST, nested)]
            pub prop_list: Option<$proplist>,
            /// `IFLA_ALT_IFNAME`, repeated: alternative names (requests).
            #[nla(type = IFLA_ALT_IFNAME, multi)]
            pub alt_names: $names,
            /// `IFLA_PERM_ADDRESS`: the permanent hardware address.
            #[nla(type = IFLA_PERM_ADDRESS)]
            pub perm_address: Option<$bytes>,
            /// `IFLA_PARENT_DEV_NAME`.
            #[nla(type = IFLA_PARENT_DEV_NAME)]
            pub parent_dev_name: Option<$str>,
            /// `IFLA_PARENT_DEV_BUS_NAME`.
            #[nla(type = IFLA_PARENT_DEV_BUS_NAME)]
            pub parent_dev_bus_name: Option<$str>,
            /// `IFLA_DEVLINK_PORT`: the devlink port (nested).
            #[nla(type = IFLA_DEVLINK_PORT, nested)]
            pub devlink_port: Option<OpaqueNest>,
            /// `IFLA_DPLL_PIN`: the DPLL pin (nested).
            #[nla(type = IFLA_DPLL_PIN, nested)]
            pub dpll_pin: Option<OpaqueNest>,
            /// `IFLA_NET_NS_PID`: move to the namespace of this process (requests).
            #[nla(type = IFLA_NET_NS_PID)]
            pub net_ns_pid: Option<u32>,
            /// `IFLA_NET_NS_FD`: move to the namespace of this file descriptor (requests).
            #[nla(type = IFLA_NET_NS_FD)]
            pub net_ns_fd: Option<u32>,
            /// `IFLA_EXT_MASK`: what a get request wants (`RTEXT_FILTER_*`).
            #[nla(type = IFLA_EXT_MASK)]
            pub ext_mask: Option<u32>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
        }
    };
}

link_message! {
    /// A link message (`RTM_NEWLINK` and friends): `struct ifinfomsg` and the `IFLA_*`
    /// attributes, owned.
    ///
    /// ```
    /// use netlink::NlAttrs;
    /// use netlink::route::LinkMessage;
    ///
    /// let mut link = LinkMessage::default();
    /// link.header.index = 3;
    /// link.name = Some("eth0".into());
    /// link.mtu = Some(1500);
    /// let decoded = LinkMessage::decode(&link.to_bytes()?)?;
    /// assert_eq!(decoded.name.as_deref(), Some("eth0"));
    /// # Ok::<(), netlink::Error>(())
    /// ```
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    LinkMessage {
        str: String,
        bytes: Vec<u8>,
        names: Vec<String>,
        linkinfo: LinkInfo,
        af_spec: { #[nla(type = IFLA_AF_SPEC, nested, no_nested_flag)] } AfSpec,
        prop_list: PropList,
    }
}

link_message! {
    /// A link message borrowing its strings and bytes from the buffer it was decoded from:
    /// decoding allocates nothing for the declared attributes (undeclared ones are copied
    /// into `unknown`). `IFLA_LINKINFO` is a [`LinkInfoRef`], whose kind data decodes on
    /// demand, and `IFLA_AF_SPEC` stays raw until [`af_spec`](Self::af_spec) decodes it.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    LinkMessageRef<'a> {
        str: &'a str,
        bytes: &'a [u8],
        names: Multi<'a, &'a str>,
        linkinfo: LinkInfoRef<'a>,
        af_spec: { #[nla(type = IFLA_AF_SPEC)] } &'a [u8],
        prop_list: PropListRef<'a>,
    }
}

/// `IFLA_LINKINFO` of a [`LinkMessageRef`]: the kinds as borrowed strings and the data raw,
/// decoded on demand with [`data`](Self::data) and [`port_data`](Self::port_data).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct LinkInfoRef<'a> {
    /// `IFLA_INFO_KIND`.
    #[nla(type = IFLA_INFO_KIND)]
    pub kind: Option<&'a str>,
    /// `IFLA_INFO_DATA`, raw.
    #[nla(type = IFLA_INFO_DATA)]
    pub data: Option<&'a [u8]>,
    /// `IFLA_INFO_XSTATS`, raw.
    #[nla(type = IFLA_INFO_XSTATS)]
    pub xstats: Option<&'a [u8]>,
    /// `IFLA_INFO_SLAVE_KIND`.
    #[nla(type = IFLA_INFO_SLAVE_KIND)]
    pub port_kind: Option<&'a str>,
    /// `IFLA_INFO_SLAVE_DATA`, raw.
    #[nla(type = IFLA_INFO_SLAVE_DATA)]
    pub port_data: Option<&'a [u8]>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

impl LinkInfoRef<'_> {
    /// `IFLA_INFO_DATA` decoded by `kind`.
    pub fn data(&self) -> Result<Option<InfoData>, crate::DecodeError> {
        sub_message(self.kind, self.data, IFLA_INFO_DATA)
    }

    /// `IFLA_INFO_SLAVE_DATA` decoded by `port_kind`.
    pub fn port_data(&self) -> Result<Option<InfoSlaveData>, crate::DecodeError> {
        sub_message(self.port_kind, self.port_data, IFLA_INFO_SLAVE_DATA)
    }
}

fn sub_message<'b, T: crate::NlSubMessage<'b>>(
    kind: Option<&str>,
    payload: Option<&'b [u8]>,
    attr_type: u16,
) -> Result<Option<T>, crate::DecodeError> {
    let Some(payload) = payload else {
        return Ok(None);
    };
    let a = crate::Attr::new(attr_type, payload, 0);
    T::decode_sub(kind, &a, &crate::DecodeOptions::default()).map(Some)
}

impl LinkMessage {
    /// The interface index (`ifi_index`).
    pub fn index(&self) -> u32 {
        self.header.index.unsigned_abs()
    }

    /// `IFLA_INFO_KIND`, if any.
    pub fn kind(&self) -> Option<&str> {
        self.linkinfo.as_ref()?.kind.as_deref()
    }

    /// The alternative names, from `IFLA_PROP_LIST`.
    pub fn alt_names(&self) -> impl Iterator<Item = &str> {
        self.prop_list
            .iter()
            .flat_map(|p| p.alt_names.iter().map(String::as_str))
    }
}

impl<'a> LinkMessageRef<'a> {
    /// The alternative names, from `IFLA_PROP_LIST`.
    pub fn alt_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.prop_list.iter().flat_map(|p| p.alt_names.iter())
    }

    /// The interface index (`ifi_index`).
    pub fn index(&self) -> u32 {
        self.header.index.unsigned_abs()
    }

    /// `IFLA_INFO_KIND`, if any.
    pub fn kind(&self) -> Option<&'a str> {
        self.linkinfo.as_ref()?.kind
    }

    /// `IFLA_AF_SPEC`, decoded.
    pub fn af_spec(&self) -> Result<Option<AfSpec>, crate::DecodeError> {
        self.af_spec
            .map(|b| AfSpec::decode_attrs(crate::Attrs::new(b), &crate::DecodeOptions::default()))
            .transpose()
    }
}
