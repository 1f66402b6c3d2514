//! Kind-specific link data: what `IFLA_INFO_DATA` and `IFLA_INFO_SLAVE_DATA` hold for each
//! `IFLA_INFO_KIND` (linux/if_link.h, linux/veth.h, linux/if_tunnel.h), and the
//! [`InfoData`] and [`InfoSlaveData`] sub-messages that choose among them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::attr_types::*;
use super::link::LinkMessage;
use crate::submsg::Opaque;
use crate::UnknownAttrs;

/// `IFLA_INFO_DATA` of a veth pair (`VETH_INFO_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VethInfo {
    /// `VETH_INFO_PEER`: the peer, itself a link message (`struct ifinfomsg` and `IFLA_*`
    /// attributes), in requests that create a pair.
    #[nla(type = VETH_INFO_PEER, nested)]
    pub peer: Option<Box<LinkMessage>>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `struct ifla_vxlan_port_range` (`IFLA_VXLAN_PORT_RANGE`), ports in network byte order.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VxlanPortRange {
    /// `low`.
    #[nla(be)]
    pub low: u16,
    /// `high`.
    #[nla(be)]
    pub high: u16,
}

/// `struct ifla_vlan_flags` (`IFLA_VLAN_FLAGS`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VlanFlags {
    /// `flags` (`VLAN_FLAG_*`).
    pub flags: u32,
    /// `mask`: which flags a request sets.
    pub mask: u32,
}

/// `IFLA_INFO_DATA` of a bridge (`IFLA_BR_*`), in the kernel's order.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BridgeInfo {
    /// `IFLA_BR_HELLO_TIMER`: hello timer (centiseconds)
    #[nla(type = IFLA_BR_HELLO_TIMER)]
    pub hello_timer: Option<u64>,
    /// `IFLA_BR_TCN_TIMER`.
    #[nla(type = IFLA_BR_TCN_TIMER)]
    pub tcn_timer: Option<u64>,
    /// `IFLA_BR_TOPOLOGY_CHANGE_TIMER`.
    #[nla(type = IFLA_BR_TOPOLOGY_CHANGE_TIMER)]
    pub topology_change_timer: Option<u64>,
    /// `IFLA_BR_GC_TIMER`.
    #[nla(type = IFLA_BR_GC_TIMER)]
    pub gc_timer: Option<u64>,
    /// `IFLA_BR_FORWARD_DELAY`: forward delay (centiseconds)
    #[nla(type = IFLA_BR_FORWARD_DELAY)]
    pub forward_delay: Option<u32>,
    /// `IFLA_BR_HELLO_TIME`.
    #[nla(type = IFLA_BR_HELLO_TIME)]
    pub hello_time: Option<u32>,
    /// `IFLA_BR_MAX_AGE`.
    #[nla(type = IFLA_BR_MAX_AGE)]
    pub max_age: Option<u32>,
    /// `IFLA_BR_AGEING_TIME`.
    #[nla(type = IFLA_BR_AGEING_TIME)]
    pub ageing_time: Option<u32>,
    /// `IFLA_BR_STP_STATE`: 0 off, 1 kernel STP, 2 user-space STP
    #[nla(type = IFLA_BR_STP_STATE)]
    pub stp_state: Option<u32>,
    /// `IFLA_BR_PRIORITY`.
    #[nla(type = IFLA_BR_PRIORITY)]
    pub priority: Option<u16>,
    /// `IFLA_BR_VLAN_FILTERING`.
    #[nla(type = IFLA_BR_VLAN_FILTERING)]
    pub vlan_filtering: Option<u8>,
    /// `IFLA_BR_GROUP_FWD_MASK`.
    #[nla(type = IFLA_BR_GROUP_FWD_MASK)]
    pub group_fwd_mask: Option<u16>,
    /// `IFLA_BR_BRIDGE_ID`: `struct ifla_bridge_id`: priority and address
    #[nla(type = IFLA_BR_BRIDGE_ID)]
    pub bridge_id: Option<[u8; 8]>,
    /// `IFLA_BR_ROOT_ID`.
    #[nla(type = IFLA_BR_ROOT_ID)]
    pub root_id: Option<[u8; 8]>,
    /// `IFLA_BR_ROOT_PORT`.
    #[nla(type = IFLA_BR_ROOT_PORT)]
    pub root_port: Option<u16>,
    /// `IFLA_BR_ROOT_PATH_COST`.
    #[nla(type = IFLA_BR_ROOT_PATH_COST)]
    pub root_path_cost: Option<u32>,
    /// `IFLA_BR_TOPOLOGY_CHANGE`.
    #[nla(type = IFLA_BR_TOPOLOGY_CHANGE)]
    pub topology_change: Option<u8>,
    /// `IFLA_BR_TOPOLOGY_CHANGE_DETECTED`.
    #[nla(type = IFLA_BR_TOPOLOGY_CHANGE_DETECTED)]
    pub topology_change_detected: Option<u8>,
    /// `IFLA_BR_GROUP_ADDR`.
    #[nla(type = IFLA_BR_GROUP_ADDR)]
    pub group_addr: Option<[u8; 6]>,
    /// `IFLA_BR_MULTI_BOOLOPT`: `struct br_boolopt_multi`
    #[nla(type = IFLA_BR_MULTI_BOOLOPT)]
    pub multi_boolopt: Option<crate::Bitfield32>,
    /// `IFLA_BR_FDB_N_LEARNED`.
    #[nla(type = IFLA_BR_FDB_N_LEARNED)]
    pub fdb_n_learned: Option<u32>,
    /// `IFLA_BR_FDB_MAX_LEARNED`.
    #[nla(type = IFLA_BR_FDB_MAX_LEARNED)]
    pub fdb_max_learned: Option<u32>,
    /// `IFLA_BR_VLAN_PROTOCOL`: VLAN protocol (network byte order: 0x8100, 0x88a8)
    #[nla(type = IFLA_BR_VLAN_PROTOCOL, be)]
    pub vlan_protocol: Option<u16>,
    /// `IFLA_BR_VLAN_DEFAULT_PVID`.
    #[nla(type = IFLA_BR_VLAN_DEFAULT_PVID)]
    pub vlan_default_pvid: Option<u16>,
    /// `IFLA_BR_VLAN_STATS_ENABLED`.
    #[nla(type = IFLA_BR_VLAN_STATS_ENABLED)]
    pub vlan_stats_enabled: Option<u8>,
    /// `IFLA_BR_VLAN_STATS_PER_PORT`.
    #[nla(type = IFLA_BR_VLAN_STATS_PER_PORT)]
    pub vlan_stats_per_port: Option<u8>,
    /// `IFLA_BR_MCAST_ROUTER`.
    #[nla(type = IFLA_BR_MCAST_ROUTER)]
    pub mcast_router: Option<u8>,
    /// `IFLA_BR_MCAST_SNOOPING`.
    #[nla(type = IFLA_BR_MCAST_SNOOPING)]
    pub mcast_snooping: Option<u8>,
    /// `IFLA_BR_MCAST_QUERY_USE_IFADDR`.
    #[nla(type = IFLA_BR_MCAST_QUERY_USE_IFADDR)]
    pub mcast_query_use_ifaddr: Option<u8>,
    /// `IFLA_BR_MCAST_QUERIER`.
    #[nla(type = IFLA_BR_MCAST_QUERIER)]
    pub mcast_querier: Option<u8>,
    /// `IFLA_BR_MCAST_STATS_ENABLED`.
    #[nla(type = IFLA_BR_MCAST_STATS_ENABLED)]
    pub mcast_stats_enabled: Option<u8>,
    /// `IFLA_BR_MCAST_HASH_ELASTICITY`.
    #[nla(type = IFLA_BR_MCAST_HASH_ELASTICITY)]
    pub mcast_hash_elasticity: Option<u32>,
    /// `IFLA_BR_MCAST_HASH_MAX`.
    #[nla(type = IFLA_BR_MCAST_HASH_MAX)]
    pub mcast_hash_max: Option<u32>,
    /// `IFLA_BR_MCAST_LAST_MEMBER_CNT`.
    #[nla(type = IFLA_BR_MCAST_LAST_MEMBER_CNT)]
    pub mcast_last_member_cnt: Option<u32>,
    /// `IFLA_BR_MCAST_STARTUP_QUERY_CNT`.
    #[nla(type = IFLA_BR_MCAST_STARTUP_QUERY_CNT)]
    pub mcast_startup_query_cnt: Option<u32>,
    /// `IFLA_BR_MCAST_IGMP_VERSION`.
    #[nla(type = IFLA_BR_MCAST_IGMP_VERSION)]
    pub mcast_igmp_version: Option<u8>,
    /// `IFLA_BR_MCAST_MLD_VERSION`.
    #[nla(type = IFLA_BR_MCAST_MLD_VERSION)]
    pub mcast_mld_version: Option<u8>,
    /// `IFLA_BR_MCAST_LAST_MEMBER_INTVL`.
    #[nla(type = IFLA_BR_MCAST_LAST_MEMBER_INTVL)]
    pub mcast_last_member_intvl: Option<u64>,
    /// `IFLA_BR_MCAST_MEMBERSHIP_INTVL`.
    #[nla(type = IFLA_BR_MCAST_MEMBERSHIP_INTVL)]
    pub mcast_membership_intvl: Option<u64>,
    /// `IFLA_BR_MCAST_QUERIER_INTVL`.
    #[nla(type = IFLA_BR_MCAST_QUERIER_INTVL)]
    pub mcast_querier_intvl: Option<u64>,
    /// `IFLA_BR_MCAST_QUERY_INTVL`.
    #[nla(type = IFLA_BR_MCAST_QUERY_INTVL)]
    pub mcast_query_intvl: Option<u64>,
    /// `IFLA_BR_MCAST_QUERY_RESPONSE_INTVL`.
    #[nla(type = IFLA_BR_MCAST_QUERY_RESPONSE_INTVL)]
    pub mcast_query_response_intvl: Option<u64>,
    /// `IFLA_BR_MCAST_STARTUP_QUERY_INTVL`.
    #[nla(type = IFLA_BR_MCAST_STARTUP_QUERY_INTVL)]
    pub mcast_startup_query_intvl: Option<u64>,
    /// `IFLA_BR_NF_CALL_IPTABLES`.
    #[nla(type = IFLA_BR_NF_CALL_IPTABLES)]
    pub nf_call_iptables: Option<u8>,
    /// `IFLA_BR_NF_CALL_IP6TABLES`.
    #[nla(type = IFLA_BR_NF_CALL_IP6TABLES)]
    pub nf_call_ip6tables: Option<u8>,
    /// `IFLA_BR_NF_CALL_ARPTABLES`.
    #[nla(type = IFLA_BR_NF_CALL_ARPTABLES)]
    pub nf_call_arptables: Option<u8>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_SLAVE_DATA` of a bridge port (`IFLA_BRPORT_*`), in the kernel's order.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BridgePortInfo {
    /// `IFLA_BRPORT_STATE`: STP port state (`BR_STATE_*`)
    #[nla(type = IFLA_BRPORT_STATE)]
    pub state: Option<u8>,
    /// `IFLA_BRPORT_PRIORITY`.
    #[nla(type = IFLA_BRPORT_PRIORITY)]
    pub priority: Option<u16>,
    /// `IFLA_BRPORT_COST`.
    #[nla(type = IFLA_BRPORT_COST)]
    pub cost: Option<u32>,
    /// `IFLA_BRPORT_MODE`: hairpin mode
    #[nla(type = IFLA_BRPORT_MODE)]
    pub mode: Option<u8>,
    /// `IFLA_BRPORT_GUARD`: BPDU guard
    #[nla(type = IFLA_BRPORT_GUARD)]
    pub guard: Option<u8>,
    /// `IFLA_BRPORT_PROTECT`: root guard
    #[nla(type = IFLA_BRPORT_PROTECT)]
    pub protect: Option<u8>,
    /// `IFLA_BRPORT_FAST_LEAVE`.
    #[nla(type = IFLA_BRPORT_FAST_LEAVE)]
    pub fast_leave: Option<u8>,
    /// `IFLA_BRPORT_MCAST_TO_UCAST`.
    #[nla(type = IFLA_BRPORT_MCAST_TO_UCAST)]
    pub mcast_to_ucast: Option<u8>,
    /// `IFLA_BRPORT_LEARNING`.
    #[nla(type = IFLA_BRPORT_LEARNING)]
    pub learning: Option<u8>,
    /// `IFLA_BRPORT_UNICAST_FLOOD`.
    #[nla(type = IFLA_BRPORT_UNICAST_FLOOD)]
    pub unicast_flood: Option<u8>,
    /// `IFLA_BRPORT_MCAST_FLOOD`.
    #[nla(type = IFLA_BRPORT_MCAST_FLOOD)]
    pub mcast_flood: Option<u8>,
    /// `IFLA_BRPORT_BCAST_FLOOD`.
    #[nla(type = IFLA_BRPORT_BCAST_FLOOD)]
    pub bcast_flood: Option<u8>,
    /// `IFLA_BRPORT_PROXYARP`.
    #[nla(type = IFLA_BRPORT_PROXYARP)]
    pub proxyarp: Option<u8>,
    /// `IFLA_BRPORT_PROXYARP_WIFI`.
    #[nla(type = IFLA_BRPORT_PROXYARP_WIFI)]
    pub proxyarp_wifi: Option<u8>,
    /// `IFLA_BRPORT_ROOT_ID`.
    #[nla(type = IFLA_BRPORT_ROOT_ID)]
    pub root_id: Option<[u8; 8]>,
    /// `IFLA_BRPORT_BRIDGE_ID`.
    #[nla(type = IFLA_BRPORT_BRIDGE_ID)]
    pub bridge_id: Option<[u8; 8]>,
    /// `IFLA_BRPORT_DESIGNATED_PORT`.
    #[nla(type = IFLA_BRPORT_DESIGNATED_PORT)]
    pub designated_port: Option<u16>,
    /// `IFLA_BRPORT_DESIGNATED_COST`.
    #[nla(type = IFLA_BRPORT_DESIGNATED_COST)]
    pub designated_cost: Option<u16>,
    /// `IFLA_BRPORT_ID`.
    #[nla(type = IFLA_BRPORT_ID)]
    pub id: Option<u16>,
    /// `IFLA_BRPORT_NO`.
    #[nla(type = IFLA_BRPORT_NO)]
    pub no: Option<u16>,
    /// `IFLA_BRPORT_TOPOLOGY_CHANGE_ACK`.
    #[nla(type = IFLA_BRPORT_TOPOLOGY_CHANGE_ACK)]
    pub topology_change_ack: Option<u8>,
    /// `IFLA_BRPORT_CONFIG_PENDING`.
    #[nla(type = IFLA_BRPORT_CONFIG_PENDING)]
    pub config_pending: Option<u8>,
    /// `IFLA_BRPORT_VLAN_TUNNEL`.
    #[nla(type = IFLA_BRPORT_VLAN_TUNNEL)]
    pub vlan_tunnel: Option<u8>,
    /// `IFLA_BRPORT_GROUP_FWD_MASK`.
    #[nla(type = IFLA_BRPORT_GROUP_FWD_MASK)]
    pub group_fwd_mask: Option<u16>,
    /// `IFLA_BRPORT_NEIGH_SUPPRESS`.
    #[nla(type = IFLA_BRPORT_NEIGH_SUPPRESS)]
    pub neigh_suppress: Option<u8>,
    /// `IFLA_BRPORT_MRP_RING_OPEN`.
    #[nla(type = IFLA_BRPORT_MRP_RING_OPEN)]
    pub mrp_ring_open: Option<u8>,
    /// `IFLA_BRPORT_MRP_IN_OPEN`.
    #[nla(type = IFLA_BRPORT_MRP_IN_OPEN)]
    pub mrp_in_open: Option<u8>,
    /// `IFLA_BRPORT_ISOLATED`.
    #[nla(type = IFLA_BRPORT_ISOLATED)]
    pub isolated: Option<u8>,
    /// `IFLA_BRPORT_LOCKED`.
    #[nla(type = IFLA_BRPORT_LOCKED)]
    pub locked: Option<u8>,
    /// `IFLA_BRPORT_MAB`.
    #[nla(type = IFLA_BRPORT_MAB)]
    pub mab: Option<u8>,
    /// `IFLA_BRPORT_NEIGH_VLAN_SUPPRESS`.
    #[nla(type = IFLA_BRPORT_NEIGH_VLAN_SUPPRESS)]
    pub neigh_vlan_suppress: Option<u8>,
    /// `IFLA_BRPORT_MESSAGE_AGE_TIMER`.
    #[nla(type = IFLA_BRPORT_MESSAGE_AGE_TIMER)]
    pub message_age_timer: Option<u64>,
    /// `IFLA_BRPORT_FORWARD_DELAY_TIMER`.
    #[nla(type = IFLA_BRPORT_FORWARD_DELAY_TIMER)]
    pub forward_delay_timer: Option<u64>,
    /// `IFLA_BRPORT_HOLD_TIMER`.
    #[nla(type = IFLA_BRPORT_HOLD_TIMER)]
    pub hold_timer: Option<u64>,
    /// `IFLA_BRPORT_MULTICAST_ROUTER`.
    #[nla(type = IFLA_BRPORT_MULTICAST_ROUTER)]
    pub multicast_router: Option<u8>,
    /// `IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT`.
    #[nla(type = IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT)]
    pub mcast_eht_hosts_limit: Option<u32>,
    /// `IFLA_BRPORT_MCAST_EHT_HOSTS_CNT`.
    #[nla(type = IFLA_BRPORT_MCAST_EHT_HOSTS_CNT)]
    pub mcast_eht_hosts_cnt: Option<u32>,
    /// `IFLA_BRPORT_MCAST_N_GROUPS`.
    #[nla(type = IFLA_BRPORT_MCAST_N_GROUPS)]
    pub mcast_n_groups: Option<u32>,
    /// `IFLA_BRPORT_MCAST_MAX_GROUPS`.
    #[nla(type = IFLA_BRPORT_MCAST_MAX_GROUPS)]
    pub mcast_max_groups: Option<u32>,
    /// `IFLA_BRPORT_BACKUP_PORT`.
    #[nla(type = IFLA_BRPORT_BACKUP_PORT)]
    pub backup_port: Option<u32>,
    /// `IFLA_BRPORT_BACKUP_NHID`.
    #[nla(type = IFLA_BRPORT_BACKUP_NHID)]
    pub backup_nhid: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of a vxlan (`IFLA_VXLAN_*`), in the kernel's order.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VxlanInfo {
    /// `IFLA_VXLAN_ID`: the VNI
    #[nla(type = IFLA_VXLAN_ID)]
    pub id: Option<u32>,
    /// `IFLA_VXLAN_GROUP`: remote or multicast group
    #[nla(type = IFLA_VXLAN_GROUP)]
    pub group: Option<Ipv4Addr>,
    /// `IFLA_VXLAN_GROUP6`.
    #[nla(type = IFLA_VXLAN_GROUP6)]
    pub group6: Option<Ipv6Addr>,
    /// `IFLA_VXLAN_LINK`: underlay device
    #[nla(type = IFLA_VXLAN_LINK)]
    pub link: Option<u32>,
    /// `IFLA_VXLAN_LOCAL`.
    #[nla(type = IFLA_VXLAN_LOCAL)]
    pub local: Option<Ipv4Addr>,
    /// `IFLA_VXLAN_LOCAL6`.
    #[nla(type = IFLA_VXLAN_LOCAL6)]
    pub local6: Option<Ipv6Addr>,
    /// `IFLA_VXLAN_TTL`.
    #[nla(type = IFLA_VXLAN_TTL)]
    pub ttl: Option<u8>,
    /// `IFLA_VXLAN_TTL_INHERIT`.
    #[nla(type = IFLA_VXLAN_TTL_INHERIT)]
    pub ttl_inherit: Option<u8>,
    /// `IFLA_VXLAN_TOS`.
    #[nla(type = IFLA_VXLAN_TOS)]
    pub tos: Option<u8>,
    /// `IFLA_VXLAN_DF`.
    #[nla(type = IFLA_VXLAN_DF)]
    pub df: Option<u8>,
    /// `IFLA_VXLAN_LABEL`: IPv6 flow label (network byte order)
    #[nla(type = IFLA_VXLAN_LABEL, be)]
    pub label: Option<u32>,
    /// `IFLA_VXLAN_LABEL_POLICY`.
    #[nla(type = IFLA_VXLAN_LABEL_POLICY)]
    pub label_policy: Option<u32>,
    /// `IFLA_VXLAN_LEARNING`.
    #[nla(type = IFLA_VXLAN_LEARNING)]
    pub learning: Option<u8>,
    /// `IFLA_VXLAN_PROXY`.
    #[nla(type = IFLA_VXLAN_PROXY)]
    pub proxy: Option<u8>,
    /// `IFLA_VXLAN_RSC`.
    #[nla(type = IFLA_VXLAN_RSC)]
    pub rsc: Option<u8>,
    /// `IFLA_VXLAN_L2MISS`.
    #[nla(type = IFLA_VXLAN_L2MISS)]
    pub l2miss: Option<u8>,
    /// `IFLA_VXLAN_L3MISS`.
    #[nla(type = IFLA_VXLAN_L3MISS)]
    pub l3miss: Option<u8>,
    /// `IFLA_VXLAN_COLLECT_METADATA`.
    #[nla(type = IFLA_VXLAN_COLLECT_METADATA)]
    pub collect_metadata: Option<u8>,
    /// `IFLA_VXLAN_AGEING`.
    #[nla(type = IFLA_VXLAN_AGEING)]
    pub ageing: Option<u32>,
    /// `IFLA_VXLAN_LIMIT`.
    #[nla(type = IFLA_VXLAN_LIMIT)]
    pub limit: Option<u32>,
    /// `IFLA_VXLAN_PORT`: destination UDP port (network byte order)
    #[nla(type = IFLA_VXLAN_PORT, be)]
    pub port: Option<u16>,
    /// `IFLA_VXLAN_UDP_CSUM`.
    #[nla(type = IFLA_VXLAN_UDP_CSUM)]
    pub udp_csum: Option<u8>,
    /// `IFLA_VXLAN_UDP_ZERO_CSUM6_TX`.
    #[nla(type = IFLA_VXLAN_UDP_ZERO_CSUM6_TX)]
    pub udp_zero_csum6_tx: Option<u8>,
    /// `IFLA_VXLAN_UDP_ZERO_CSUM6_RX`.
    #[nla(type = IFLA_VXLAN_UDP_ZERO_CSUM6_RX)]
    pub udp_zero_csum6_rx: Option<u8>,
    /// `IFLA_VXLAN_REMCSUM_TX`.
    #[nla(type = IFLA_VXLAN_REMCSUM_TX)]
    pub remcsum_tx: Option<u8>,
    /// `IFLA_VXLAN_REMCSUM_RX`.
    #[nla(type = IFLA_VXLAN_REMCSUM_RX)]
    pub remcsum_rx: Option<u8>,
    /// `IFLA_VXLAN_LOCALBYPASS`.
    #[nla(type = IFLA_VXLAN_LOCALBYPASS)]
    pub localbypass: Option<u8>,
    /// `IFLA_VXLAN_PORT_RANGE`: source port range
    #[nla(type = IFLA_VXLAN_PORT_RANGE)]
    pub port_range: Option<VxlanPortRange>,
    /// `IFLA_VXLAN_RESERVED_BITS`.
    #[nla(type = IFLA_VXLAN_RESERVED_BITS)]
    pub reserved_bits: Option<[u8; 8]>,
    /// `IFLA_VXLAN_GBP`.
    #[nla(type = IFLA_VXLAN_GBP, flag)]
    pub gbp: bool,
    /// `IFLA_VXLAN_GPE`.
    #[nla(type = IFLA_VXLAN_GPE, flag)]
    pub gpe: bool,
    /// `IFLA_VXLAN_REMCSUM_NOPARTIAL`.
    #[nla(type = IFLA_VXLAN_REMCSUM_NOPARTIAL, flag)]
    pub remcsum_nopartial: bool,
    /// `IFLA_VXLAN_VNIFILTER`.
    #[nla(type = IFLA_VXLAN_VNIFILTER)]
    pub vnifilter: Option<u8>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of a macvlan or macvtap (`IFLA_MACVLAN_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MacvlanInfo {
    /// `IFLA_MACVLAN_MODE`: `MACVLAN_MODE_*`: 1 private, 2 vepa, 4 bridge, 8 passthru, 16 source
    #[nla(type = IFLA_MACVLAN_MODE)]
    pub mode: Option<u32>,
    /// `IFLA_MACVLAN_FLAGS`.
    #[nla(type = IFLA_MACVLAN_FLAGS)]
    pub flags: Option<u16>,
    /// `IFLA_MACVLAN_MACADDR_MODE`.
    #[nla(type = IFLA_MACVLAN_MACADDR_MODE)]
    pub macaddr_mode: Option<u32>,
    /// `IFLA_MACVLAN_MACADDR`.
    #[nla(type = IFLA_MACVLAN_MACADDR)]
    pub macaddr: Option<[u8; 6]>,
    /// `IFLA_MACVLAN_MACADDR_DATA`: nested, raw
    #[nla(type = IFLA_MACVLAN_MACADDR_DATA)]
    pub macaddr_data: Option<Vec<u8>>,
    /// `IFLA_MACVLAN_MACADDR_COUNT`.
    #[nla(type = IFLA_MACVLAN_MACADDR_COUNT)]
    pub macaddr_count: Option<u32>,
    /// `IFLA_MACVLAN_BC_QUEUE_LEN`.
    #[nla(type = IFLA_MACVLAN_BC_QUEUE_LEN)]
    pub bc_queue_len: Option<u32>,
    /// `IFLA_MACVLAN_BC_QUEUE_LEN_USED`.
    #[nla(type = IFLA_MACVLAN_BC_QUEUE_LEN_USED)]
    pub bc_queue_len_used: Option<u32>,
    /// `IFLA_MACVLAN_BC_CUTOFF`.
    #[nla(type = IFLA_MACVLAN_BC_CUTOFF)]
    pub bc_cutoff: Option<i32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of an 802.1Q/802.1ad vlan (`IFLA_VLAN_*`), in the kernel's order.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VlanInfo {
    /// `IFLA_VLAN_PROTOCOL`: `ETH_P_8021Q` (0x8100) or `ETH_P_8021AD` (0x88a8), network byte order
    #[nla(type = IFLA_VLAN_PROTOCOL, be)]
    pub protocol: Option<u16>,
    /// `IFLA_VLAN_ID`: the VLAN id
    #[nla(type = IFLA_VLAN_ID)]
    pub id: Option<u16>,
    /// `IFLA_VLAN_FLAGS`.
    #[nla(type = IFLA_VLAN_FLAGS)]
    pub flags: Option<VlanFlags>,
    /// `IFLA_VLAN_INGRESS_QOS`: nested `IFLA_VLAN_QOS_MAPPING`s, raw
    #[nla(type = IFLA_VLAN_INGRESS_QOS)]
    pub ingress_qos: Option<Vec<u8>>,
    /// `IFLA_VLAN_EGRESS_QOS`: nested `IFLA_VLAN_QOS_MAPPING`s, raw
    #[nla(type = IFLA_VLAN_EGRESS_QOS)]
    pub egress_qos: Option<Vec<u8>>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of a bond (`IFLA_BOND_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BondInfo {
    /// `IFLA_BOND_MODE`: `BOND_MODE_*`: 0 balance-rr, 1 active-backup, 2 balance-xor, 3 broadcast, 4 802.3ad, 5 balance-tlb, 6 balance-alb
    #[nla(type = IFLA_BOND_MODE)]
    pub mode: Option<u8>,
    /// `IFLA_BOND_ACTIVE_SLAVE`.
    #[nla(type = IFLA_BOND_ACTIVE_SLAVE)]
    pub active_slave: Option<u32>,
    /// `IFLA_BOND_MIIMON`.
    #[nla(type = IFLA_BOND_MIIMON)]
    pub miimon: Option<u32>,
    /// `IFLA_BOND_UPDELAY`.
    #[nla(type = IFLA_BOND_UPDELAY)]
    pub updelay: Option<u32>,
    /// `IFLA_BOND_DOWNDELAY`.
    #[nla(type = IFLA_BOND_DOWNDELAY)]
    pub downdelay: Option<u32>,
    /// `IFLA_BOND_PEER_NOTIF_DELAY`.
    #[nla(type = IFLA_BOND_PEER_NOTIF_DELAY)]
    pub peer_notif_delay: Option<u32>,
    /// `IFLA_BOND_USE_CARRIER`.
    #[nla(type = IFLA_BOND_USE_CARRIER)]
    pub use_carrier: Option<u8>,
    /// `IFLA_BOND_ARP_INTERVAL`.
    #[nla(type = IFLA_BOND_ARP_INTERVAL)]
    pub arp_interval: Option<u32>,
    /// `IFLA_BOND_ARP_IP_TARGET`: nested, raw
    #[nla(type = IFLA_BOND_ARP_IP_TARGET)]
    pub arp_ip_target: Option<Vec<u8>>,
    /// `IFLA_BOND_ARP_VALIDATE`.
    #[nla(type = IFLA_BOND_ARP_VALIDATE)]
    pub arp_validate: Option<u32>,
    /// `IFLA_BOND_ARP_ALL_TARGETS`.
    #[nla(type = IFLA_BOND_ARP_ALL_TARGETS)]
    pub arp_all_targets: Option<u32>,
    /// `IFLA_BOND_PRIMARY`.
    #[nla(type = IFLA_BOND_PRIMARY)]
    pub primary: Option<u32>,
    /// `IFLA_BOND_PRIMARY_RESELECT`.
    #[nla(type = IFLA_BOND_PRIMARY_RESELECT)]
    pub primary_reselect: Option<u8>,
    /// `IFLA_BOND_FAIL_OVER_MAC`.
    #[nla(type = IFLA_BOND_FAIL_OVER_MAC)]
    pub fail_over_mac: Option<u8>,
    /// `IFLA_BOND_XMIT_HASH_POLICY`.
    #[nla(type = IFLA_BOND_XMIT_HASH_POLICY)]
    pub xmit_hash_policy: Option<u8>,
    /// `IFLA_BOND_RESEND_IGMP`.
    #[nla(type = IFLA_BOND_RESEND_IGMP)]
    pub resend_igmp: Option<u32>,
    /// `IFLA_BOND_NUM_PEER_NOTIF`.
    #[nla(type = IFLA_BOND_NUM_PEER_NOTIF)]
    pub num_peer_notif: Option<u8>,
    /// `IFLA_BOND_ALL_SLAVES_ACTIVE`.
    #[nla(type = IFLA_BOND_ALL_SLAVES_ACTIVE)]
    pub all_slaves_active: Option<u8>,
    /// `IFLA_BOND_MIN_LINKS`.
    #[nla(type = IFLA_BOND_MIN_LINKS)]
    pub min_links: Option<u32>,
    /// `IFLA_BOND_LP_INTERVAL`.
    #[nla(type = IFLA_BOND_LP_INTERVAL)]
    pub lp_interval: Option<u32>,
    /// `IFLA_BOND_PACKETS_PER_SLAVE`.
    #[nla(type = IFLA_BOND_PACKETS_PER_SLAVE)]
    pub packets_per_slave: Option<u32>,
    /// `IFLA_BOND_AD_LACP_ACTIVE`.
    #[nla(type = IFLA_BOND_AD_LACP_ACTIVE)]
    pub ad_lacp_active: Option<u8>,
    /// `IFLA_BOND_AD_LACP_RATE`.
    #[nla(type = IFLA_BOND_AD_LACP_RATE)]
    pub ad_lacp_rate: Option<u8>,
    /// `IFLA_BOND_AD_SELECT`.
    #[nla(type = IFLA_BOND_AD_SELECT)]
    pub ad_select: Option<u8>,
    /// `IFLA_BOND_AD_INFO`: nested, raw
    #[nla(type = IFLA_BOND_AD_INFO)]
    pub ad_info: Option<Vec<u8>>,
    /// `IFLA_BOND_AD_ACTOR_SYS_PRIO`.
    #[nla(type = IFLA_BOND_AD_ACTOR_SYS_PRIO)]
    pub ad_actor_sys_prio: Option<u16>,
    /// `IFLA_BOND_AD_USER_PORT_KEY`.
    #[nla(type = IFLA_BOND_AD_USER_PORT_KEY)]
    pub ad_user_port_key: Option<u16>,
    /// `IFLA_BOND_AD_ACTOR_SYSTEM`.
    #[nla(type = IFLA_BOND_AD_ACTOR_SYSTEM)]
    pub ad_actor_system: Option<[u8; 6]>,
    /// `IFLA_BOND_TLB_DYNAMIC_LB`.
    #[nla(type = IFLA_BOND_TLB_DYNAMIC_LB)]
    pub tlb_dynamic_lb: Option<u8>,
    /// `IFLA_BOND_MISSED_MAX`.
    #[nla(type = IFLA_BOND_MISSED_MAX)]
    pub missed_max: Option<u8>,
    /// `IFLA_BOND_NS_IP6_TARGET`: nested, raw
    #[nla(type = IFLA_BOND_NS_IP6_TARGET)]
    pub ns_ip6_target: Option<Vec<u8>>,
    /// `IFLA_BOND_COUPLED_CONTROL`.
    #[nla(type = IFLA_BOND_COUPLED_CONTROL)]
    pub coupled_control: Option<u8>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_SLAVE_DATA` of a bond port (`IFLA_BOND_SLAVE_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BondPortInfo {
    /// `IFLA_BOND_SLAVE_STATE`: 0 active, 1 backup
    #[nla(type = IFLA_BOND_SLAVE_STATE)]
    pub state: Option<u8>,
    /// `IFLA_BOND_SLAVE_MII_STATUS`.
    #[nla(type = IFLA_BOND_SLAVE_MII_STATUS)]
    pub mii_status: Option<u8>,
    /// `IFLA_BOND_SLAVE_LINK_FAILURE_COUNT`.
    #[nla(type = IFLA_BOND_SLAVE_LINK_FAILURE_COUNT)]
    pub link_failure_count: Option<u32>,
    /// `IFLA_BOND_SLAVE_PERM_HWADDR`.
    #[nla(type = IFLA_BOND_SLAVE_PERM_HWADDR)]
    pub perm_hwaddr: Option<Vec<u8>>,
    /// `IFLA_BOND_SLAVE_QUEUE_ID`.
    #[nla(type = IFLA_BOND_SLAVE_QUEUE_ID)]
    pub queue_id: Option<u16>,
    /// `IFLA_BOND_SLAVE_AD_AGGREGATOR_ID`.
    #[nla(type = IFLA_BOND_SLAVE_AD_AGGREGATOR_ID)]
    pub ad_aggregator_id: Option<u16>,
    /// `IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE`.
    #[nla(type = IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE)]
    pub ad_actor_oper_port_state: Option<u8>,
    /// `IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE`.
    #[nla(type = IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE)]
    pub ad_partner_oper_port_state: Option<u16>,
    /// `IFLA_BOND_SLAVE_PRIO`.
    #[nla(type = IFLA_BOND_SLAVE_PRIO)]
    pub prio: Option<i32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of a vrf (`IFLA_VRF_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VrfInfo {
    /// `IFLA_VRF_TABLE`: the routing table
    #[nla(type = IFLA_VRF_TABLE)]
    pub table: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_SLAVE_DATA` of a vrf port (`IFLA_VRF_PORT_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VrfPortInfo {
    /// `IFLA_VRF_PORT_TABLE`: the routing table
    #[nla(type = IFLA_VRF_PORT_TABLE)]
    pub table: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of an ipip, sit or ip6tnl tunnel (`IFLA_IPTUN_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TunnelInfo {
    /// `IFLA_IPTUN_LINK`.
    #[nla(type = IFLA_IPTUN_LINK)]
    pub link: Option<u32>,
    /// `IFLA_IPTUN_LOCAL`.
    #[nla(type = IFLA_IPTUN_LOCAL)]
    pub local: Option<IpAddr>,
    /// `IFLA_IPTUN_REMOTE`.
    #[nla(type = IFLA_IPTUN_REMOTE)]
    pub remote: Option<IpAddr>,
    /// `IFLA_IPTUN_TTL`.
    #[nla(type = IFLA_IPTUN_TTL)]
    pub ttl: Option<u8>,
    /// `IFLA_IPTUN_TOS`.
    #[nla(type = IFLA_IPTUN_TOS)]
    pub tos: Option<u8>,
    /// `IFLA_IPTUN_ENCAP_LIMIT`.
    #[nla(type = IFLA_IPTUN_ENCAP_LIMIT)]
    pub encap_limit: Option<u8>,
    /// `IFLA_IPTUN_FLOWINFO`.
    #[nla(type = IFLA_IPTUN_FLOWINFO, be)]
    pub flowinfo: Option<u32>,
    /// `IFLA_IPTUN_PROTO`.
    #[nla(type = IFLA_IPTUN_PROTO)]
    pub proto: Option<u8>,
    /// `IFLA_IPTUN_PMTUDISC`.
    #[nla(type = IFLA_IPTUN_PMTUDISC)]
    pub pmtudisc: Option<u8>,
    /// `IFLA_IPTUN_ENCAP_TYPE`.
    #[nla(type = IFLA_IPTUN_ENCAP_TYPE)]
    pub encap_type: Option<u16>,
    /// `IFLA_IPTUN_ENCAP_FLAGS`.
    #[nla(type = IFLA_IPTUN_ENCAP_FLAGS)]
    pub encap_flags: Option<u16>,
    /// `IFLA_IPTUN_ENCAP_SPORT`.
    #[nla(type = IFLA_IPTUN_ENCAP_SPORT, be)]
    pub encap_sport: Option<u16>,
    /// `IFLA_IPTUN_ENCAP_DPORT`.
    #[nla(type = IFLA_IPTUN_ENCAP_DPORT, be)]
    pub encap_dport: Option<u16>,
    /// `IFLA_IPTUN_COLLECT_METADATA`.
    #[nla(type = IFLA_IPTUN_COLLECT_METADATA, flag)]
    pub collect_metadata: bool,
    /// `IFLA_IPTUN_FWMARK`.
    #[nla(type = IFLA_IPTUN_FWMARK)]
    pub fwmark: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA` of a gre, gretap, ip6gre or ip6gretap tunnel (`IFLA_GRE_*`).
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GreInfo {
    /// `IFLA_GRE_LINK`.
    #[nla(type = IFLA_GRE_LINK)]
    pub link: Option<u32>,
    /// `IFLA_GRE_IFLAGS`: `GRE_*` flags (network byte order)
    #[nla(type = IFLA_GRE_IFLAGS, be)]
    pub iflags: Option<u16>,
    /// `IFLA_GRE_OFLAGS`.
    #[nla(type = IFLA_GRE_OFLAGS, be)]
    pub oflags: Option<u16>,
    /// `IFLA_GRE_IKEY`.
    #[nla(type = IFLA_GRE_IKEY, be)]
    pub ikey: Option<u32>,
    /// `IFLA_GRE_OKEY`.
    #[nla(type = IFLA_GRE_OKEY, be)]
    pub okey: Option<u32>,
    /// `IFLA_GRE_LOCAL`.
    #[nla(type = IFLA_GRE_LOCAL)]
    pub local: Option<IpAddr>,
    /// `IFLA_GRE_REMOTE`.
    #[nla(type = IFLA_GRE_REMOTE)]
    pub remote: Option<IpAddr>,
    /// `IFLA_GRE_TTL`.
    #[nla(type = IFLA_GRE_TTL)]
    pub ttl: Option<u8>,
    /// `IFLA_GRE_TOS`.
    #[nla(type = IFLA_GRE_TOS)]
    pub tos: Option<u8>,
    /// `IFLA_GRE_PMTUDISC`.
    #[nla(type = IFLA_GRE_PMTUDISC)]
    pub pmtudisc: Option<u8>,
    /// `IFLA_GRE_ENCAP_LIMIT`.
    #[nla(type = IFLA_GRE_ENCAP_LIMIT)]
    pub encap_limit: Option<u8>,
    /// `IFLA_GRE_FLOWINFO`.
    #[nla(type = IFLA_GRE_FLOWINFO, be)]
    pub flowinfo: Option<u32>,
    /// `IFLA_GRE_FLAGS`.
    #[nla(type = IFLA_GRE_FLAGS)]
    pub flags: Option<u32>,
    /// `IFLA_GRE_ENCAP_TYPE`.
    #[nla(type = IFLA_GRE_ENCAP_TYPE)]
    pub encap_type: Option<u16>,
    /// `IFLA_GRE_ENCAP_FLAGS`.
    #[nla(type = IFLA_GRE_ENCAP_FLAGS)]
    pub encap_flags: Option<u16>,
    /// `IFLA_GRE_ENCAP_SPORT`.
    #[nla(type = IFLA_GRE_ENCAP_SPORT, be)]
    pub encap_sport: Option<u16>,
    /// `IFLA_GRE_ENCAP_DPORT`.
    #[nla(type = IFLA_GRE_ENCAP_DPORT, be)]
    pub encap_dport: Option<u16>,
    /// `IFLA_GRE_COLLECT_METADATA`.
    #[nla(type = IFLA_GRE_COLLECT_METADATA, flag)]
    pub collect_metadata: bool,
    /// `IFLA_GRE_IGNORE_DF`.
    #[nla(type = IFLA_GRE_IGNORE_DF)]
    pub ignore_df: Option<u8>,
    /// `IFLA_GRE_FWMARK`.
    #[nla(type = IFLA_GRE_FWMARK)]
    pub fwmark: Option<u32>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// `IFLA_INFO_DATA`, chosen by `IFLA_INFO_KIND`; kinds without a variant keep their bytes.
#[derive(crate::NlSubMessage, Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum InfoData {
    /// `"veth"`.
    #[nla(selector = "veth")]
    Veth(VethInfo),
    /// `"bridge"`.
    #[nla(selector = "bridge")]
    Bridge(BridgeInfo),
    /// `"vlan"`.
    #[nla(selector = "vlan")]
    Vlan(VlanInfo),
    /// `"vxlan"`.
    #[nla(selector = "vxlan")]
    Vxlan(VxlanInfo),
    /// `"macvlan"`.
    #[nla(selector = "macvlan")]
    Macvlan(MacvlanInfo),
    /// `"macvtap"`.
    #[nla(selector = "macvtap")]
    Macvtap(MacvlanInfo),
    /// `"bond"`.
    #[nla(selector = "bond")]
    Bond(BondInfo),
    /// `"vrf"`.
    #[nla(selector = "vrf")]
    Vrf(VrfInfo),
    /// `"ipip"`.
    #[nla(selector = "ipip")]
    Ipip(TunnelInfo),
    /// `"sit"`.
    #[nla(selector = "sit")]
    Sit(TunnelInfo),
    /// `"ip6tnl"`.
    #[nla(selector = "ip6tnl")]
    Ip6Tnl(TunnelInfo),
    /// `"gre"`.
    #[nla(selector = "gre")]
    Gre(GreInfo),
    /// `"gretap"`.
    #[nla(selector = "gretap")]
    Gretap(GreInfo),
    /// `"ip6gre"`.
    #[nla(selector = "ip6gre")]
    Ip6Gre(GreInfo),
    /// `"ip6gretap"`.
    #[nla(selector = "ip6gretap")]
    Ip6Gretap(GreInfo),
    /// Any other kind (or none): the payload, byte for byte, with its type flags.
    #[nla(other)]
    Other(Opaque),
}

/// `IFLA_INFO_SLAVE_DATA`, chosen by `IFLA_INFO_SLAVE_KIND` (the master's kind); other
/// kinds keep their bytes.
#[derive(crate::NlSubMessage, Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum InfoSlaveData {
    /// `"bridge"`: a bridge port.
    #[nla(selector = "bridge")]
    Bridge(BridgePortInfo),
    /// `"bond"`: a bond port.
    #[nla(selector = "bond")]
    Bond(BondPortInfo),
    /// `"vrf"`: a vrf port.
    #[nla(selector = "vrf")]
    Vrf(VrfPortInfo),
    /// Any other kind (or none): the payload, byte for byte, with its type flags.
    #[nla(other)]
    Other(Opaque),
}
