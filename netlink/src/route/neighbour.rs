//! Neighbours (`RTM_NEWNEIGH`, `RTM_DELNEIGH`, `RTM_GETNEIGH`): `struct ndmsg` and the
//! `NDA_*` attributes (linux/neighbour.h): ARP and NDP entries, and bridge and vxlan
//! forwarding entries.

use std::net::IpAddr;

use super::attr_types::*;
use super::constants::RouteType;
use super::flags::{NeighbourFlags, NeighbourFlagsExt, NeighbourState};
use crate::UnknownAttrs;

/// `struct ndmsg`: the family header of neighbour messages.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NdMsg {
    /// `ndm_family`: `AF_INET`, `AF_INET6`, `AF_BRIDGE`.
    pub family: u8,
    /// `ndm_pad1`.
    pub pad1: u8,
    /// `ndm_pad2`.
    pub pad2: u16,
    /// `ndm_ifindex`: the interface.
    pub ifindex: i32,
    /// `ndm_state` (`NUD_*`).
    pub state: NeighbourState,
    /// `ndm_flags` (`NTF_*`).
    pub flags: NeighbourFlags,
    /// `ndm_type`: a route type (`RTN_*`; `RTN_UNICAST` for most entries).
    pub kind: RouteType,
}

impl Default for NdMsg {
    fn default() -> Self {
        NdMsg {
            family: 0,
            pad1: 0,
            pad2: 0,
            ifindex: 0,
            state: NeighbourState::NONE,
            flags: NeighbourFlags(0),
            kind: RouteType::Unspec,
        }
    }
}

/// `struct nda_cacheinfo` (`NDA_CACHEINFO`): ages in clock ticks.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NeighbourCacheInfo {
    /// `ndm_confirmed`.
    pub confirmed: u32,
    /// `ndm_used`.
    pub used: u32,
    /// `ndm_updated`.
    pub updated: u32,
    /// `ndm_refcnt`.
    pub refcnt: u32,
    /// Bytes past the structure.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

macro_rules! neighbour_message {
    (
        $(#[$meta:meta])*
        $name:ident $(<$l:lifetime>)? {
            bytes: $bytes:ty,
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `struct ndmsg`.
            #[nla(header)]
            pub header: NdMsg,
            /// `NDA_DST`: the neighbour's network address, of the header's family (`ndm_family`);
            /// in an `AF_BRIDGE` entry (a vxlan remote) of either family, by its length.
            #[nla(type = NDA_DST, family = header.family)]
            pub dst: Option<IpAddr>,
            /// `NDA_LLADDR`: the link-layer address.
            #[nla(type = NDA_LLADDR)]
            pub lladdr: Option<$bytes>,
            /// `NDA_PROBES`.
            #[nla(type = NDA_PROBES)]
            pub probes: Option<u32>,
            /// `NDA_CACHEINFO`.
            #[nla(type = NDA_CACHEINFO)]
            pub cacheinfo: Option<NeighbourCacheInfo>,
            /// `NDA_PROTOCOL`: who added the entry (`RTPROT_*`).
            #[nla(type = NDA_PROTOCOL)]
            pub protocol: Option<u8>,
            /// `NDA_FLAGS_EXT` (`NTF_EXT_*`).
            #[nla(type = NDA_FLAGS_EXT)]
            pub flags_ext: Option<NeighbourFlagsExt>,
            /// `NDA_VLAN` (bridge entries).
            #[nla(type = NDA_VLAN)]
            pub vlan: Option<u16>,
            /// `NDA_PORT` (vxlan entries), network byte order on the wire.
            #[nla(type = NDA_PORT, be)]
            pub port: Option<u16>,
            /// `NDA_VNI` (vxlan entries).
            #[nla(type = NDA_VNI)]
            pub vni: Option<u32>,
            /// `NDA_IFINDEX` (vxlan entries).
            #[nla(type = NDA_IFINDEX)]
            pub ifindex: Option<u32>,
            /// `NDA_MASTER`: the master device (bridge entries; filter in dumps).
            #[nla(type = NDA_MASTER)]
            pub master: Option<u32>,
            /// `NDA_LINK_NETNSID`.
            #[nla(type = NDA_LINK_NETNSID)]
            pub link_netnsid: Option<i32>,
            /// `NDA_SRC_VNI`.
            #[nla(type = NDA_SRC_VNI)]
            pub src_vni: Option<u32>,
            /// `NDA_NH_ID`.
            #[nla(type = NDA_NH_ID)]
            pub nh_id: Option<u32>,
            /// `NDA_FDB_EXT_ATTRS` (nested, raw).
            #[nla(type = NDA_FDB_EXT_ATTRS)]
            pub fdb_ext_attrs: Option<$bytes>,
            /// `NDA_NDM_STATE_MASK`: dump filter on states.
            #[nla(type = NDA_NDM_STATE_MASK)]
            pub state_mask: Option<u16>,
            /// `NDA_NDM_FLAGS_MASK`: dump filter on flags.
            #[nla(type = NDA_NDM_FLAGS_MASK)]
            pub flags_mask: Option<u8>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
        }
    };
}

neighbour_message! {
    /// A neighbour message (`RTM_NEWNEIGH` and friends): `struct ndmsg` and the `NDA_*`
    /// attributes, in the order the kernel writes them.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    NeighbourMessage {
        bytes: Vec<u8>,
    }
}

neighbour_message! {
    /// [`NeighbourMessage`] borrowing its link-layer address and raw attributes from the
    /// buffer it was decoded from: decoding allocates nothing for the declared attributes
    /// (undeclared ones, and the bytes a newer kernel adds to `NDA_CACHEINFO`, are copied).
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    NeighbourMessageRef<'a> {
        bytes: &'a [u8],
    }
}
