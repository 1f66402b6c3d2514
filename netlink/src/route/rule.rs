//! Routing rules (`RTM_NEWRULE`, `RTM_DELRULE`, `RTM_GETRULE`): `struct fib_rule_hdr` and the
//! `FRA_*` attributes (linux/fib_rules.h).

use std::net::IpAddr;

use super::attr_types::*;
use crate::UnknownAttrs;

/// `struct fib_rule_hdr`: the family header of rule messages.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FibRuleHdr {
    /// `family`: `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// `dst_len`: the destination prefix length.
    pub dst_len: u8,
    /// `src_len`: the source prefix length.
    pub src_len: u8,
    /// `tos`.
    pub tos: u8,
    /// `table`: the table, or `RT_TABLE_COMPAT` (252) when it is above 255 (see
    /// [`RuleMessage::table`]).
    pub table: u8,
    /// `res1`.
    pub res1: u8,
    /// `res2`.
    pub res2: u8,
    /// `action` (`FR_ACT_*`: 1 to table, 2 goto, 3 nop, 6 blackhole, 7 unreachable, 8
    /// prohibit).
    pub action: u8,
    /// `flags` (`FIB_RULE_*`).
    pub flags: u32,
}

/// `struct fib_rule_uid_range` (`FRA_UID_RANGE`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UidRange {
    /// `start`.
    pub start: u32,
    /// `end`.
    pub end: u32,
}

/// `struct fib_rule_port_range` (`FRA_SPORT_RANGE`, `FRA_DPORT_RANGE`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PortRange {
    /// `start`.
    pub start: u16,
    /// `end`.
    pub end: u16,
}

macro_rules! rule_message {
    (
        $(#[$meta:meta])*
        $name:ident $(<$l:lifetime>)? {
            str: $str:ty,
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `struct fib_rule_hdr`.
            #[nla(header)]
            pub header: FibRuleHdr,
            /// `FRA_TABLE`: the table (any 32-bit number).
            #[nla(type = FRA_TABLE)]
            pub table: Option<u32>,
            /// `FRA_SUPPRESS_PREFIXLEN`: ignore routes with this prefix length or shorter.
            #[nla(type = FRA_SUPPRESS_PREFIXLEN)]
            pub suppress_prefixlen: Option<u32>,
            /// `FRA_SUPPRESS_IFGROUP`: ignore routes through devices of this group.
            #[nla(type = FRA_SUPPRESS_IFGROUP)]
            pub suppress_ifgroup: Option<u32>,
            /// `FRA_PROTOCOL`: who added the rule (`RTPROT_*`).
            #[nla(type = FRA_PROTOCOL)]
            pub protocol: Option<u8>,
            /// `FRA_IIFNAME`: the input interface.
            #[nla(type = FRA_IIFNAME)]
            pub iifname: Option<$str>,
            /// `FRA_OIFNAME`: the output interface.
            #[nla(type = FRA_OIFNAME)]
            pub oifname: Option<$str>,
            /// `FRA_PRIORITY`: the rule's preference (lower first).
            #[nla(type = FRA_PRIORITY)]
            pub priority: Option<u32>,
            /// `FRA_FWMARK`: the firewall mark to match.
            #[nla(type = FRA_FWMARK)]
            pub fwmark: Option<u32>,
            /// `FRA_FWMASK`: the mask applied to the mark.
            #[nla(type = FRA_FWMASK)]
            pub fwmask: Option<u32>,
            /// `FRA_GOTO`: the rule to jump to.
            #[nla(type = FRA_GOTO)]
            pub goto: Option<u32>,
            /// `FRA_TUN_ID`: the tunnel id, network byte order on the wire.
            #[nla(type = FRA_TUN_ID, be)]
            pub tun_id: Option<u64>,
            /// `FRA_L3MDEV`: use the table of the l3mdev (vrf) device.
            #[nla(type = FRA_L3MDEV)]
            pub l3mdev: Option<u8>,
            /// `FRA_UID_RANGE`.
            #[nla(type = FRA_UID_RANGE)]
            pub uid_range: Option<UidRange>,
            /// `FRA_SPORT_RANGE`.
            #[nla(type = FRA_SPORT_RANGE)]
            pub sport_range: Option<PortRange>,
            /// `FRA_SPORT_MASK`.
            #[nla(type = FRA_SPORT_MASK)]
            pub sport_mask: Option<u16>,
            /// `FRA_DPORT_RANGE`.
            #[nla(type = FRA_DPORT_RANGE)]
            pub dport_range: Option<PortRange>,
            /// `FRA_DPORT_MASK`.
            #[nla(type = FRA_DPORT_MASK)]
            pub dport_mask: Option<u16>,
            /// `FRA_IP_PROTO`: the IP protocol to match.
            #[nla(type = FRA_IP_PROTO)]
            pub ip_proto: Option<u8>,
            /// `FRA_DST`: the destination prefix (`dst_len` bits of it).
            #[nla(type = FRA_DST, family = header.family)]
            pub dst: Option<IpAddr>,
            /// `FRA_SRC`: the source prefix (`src_len` bits of it).
            #[nla(type = FRA_SRC, family = header.family)]
            pub src: Option<IpAddr>,
            /// `FRA_FLOW`: the realm.
            #[nla(type = FRA_FLOW)]
            pub flow: Option<u32>,
            /// `FRA_DSCP`.
            #[nla(type = FRA_DSCP)]
            pub dscp: Option<u8>,
            /// `FRA_DSCP_MASK`.
            #[nla(type = FRA_DSCP_MASK)]
            pub dscp_mask: Option<u8>,
            /// `FRA_FLOWLABEL`, network byte order on the wire.
            #[nla(type = FRA_FLOWLABEL, be)]
            pub flowlabel: Option<u32>,
            /// `FRA_FLOWLABEL_MASK`, network byte order on the wire.
            #[nla(type = FRA_FLOWLABEL_MASK, be)]
            pub flowlabel_mask: Option<u32>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
        }

        impl $(<$l>)? $name $(<$l>)? {
            /// The table number: `FRA_TABLE` when present, else the header's.
            pub fn table(&self) -> u32 {
                self.table.unwrap_or(u32::from(self.header.table))
            }
        }
    };
}

rule_message! {
    /// A rule message (`RTM_NEWRULE` and friends): `struct fib_rule_hdr` and the `FRA_*`
    /// attributes, in the order the kernel writes them. `FRA_SRC` and `FRA_DST` are of the
    /// header's family (see [`AddrFamily`](crate::AddrFamily)).
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    RuleMessage {
        str: String,
    }
}

rule_message! {
    /// [`RuleMessage`] borrowing its interface names from the buffer it was decoded from:
    /// decoding allocates nothing for the declared attributes (undeclared ones are copied).
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    RuleMessageRef<'a> {
        str: &'a str,
    }
}
