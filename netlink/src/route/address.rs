//! Addresses (`RTM_NEWADDR`, `RTM_DELADDR`, `RTM_GETADDR`): `struct ifaddrmsg` and the
//! `IFA_*` attributes (linux/if_addr.h).

use std::net::IpAddr;

use super::attr_types::*;
use super::constants::RouteScope;
use super::flags::AddressFlags;
use crate::{AttrOrder, UnknownAttrs};

/// `struct ifaddrmsg`: the family header of address messages.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IfAddrMsg {
    /// `ifa_family`: `AF_INET` or `AF_INET6`; the addresses are of this family.
    pub family: u8,
    /// `ifa_prefixlen`: the prefix length.
    pub prefix_len: u8,
    /// `ifa_flags`: the low 8 bits of the address flags (`IFA_F_*`); the 32-bit `IFA_FLAGS`
    /// attribute, when present, has them all (see [`AddressMessage::flags`]).
    pub flags: u8,
    /// `ifa_scope`.
    pub scope: RouteScope,
    /// `ifa_index`: the interface index.
    pub index: u32,
}

impl Default for IfAddrMsg {
    fn default() -> Self {
        IfAddrMsg {
            family: 0,
            prefix_len: 0,
            flags: 0,
            scope: RouteScope::Universe,
            index: 0,
        }
    }
}

/// `struct ifa_cacheinfo` (`IFA_CACHEINFO`): lifetimes and timestamps.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AddressCacheInfo {
    /// `ifa_prefered`: preferred lifetime in seconds (`u32::MAX`: forever).
    pub preferred: u32,
    /// `ifa_valid`: valid lifetime in seconds (`u32::MAX`: forever).
    pub valid: u32,
    /// `cstamp`: created, in hundredths of seconds since boot.
    pub created: u32,
    /// `tstamp`: last updated, in hundredths of seconds since boot.
    pub updated: u32,
    /// Bytes past the structure.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

macro_rules! address_message {
    (
        $(#[$meta:meta])*
        $name:ident $(<$l:lifetime>)? {
            str: $str:ty,
            $(order: { $(#[$om:meta])* } $order:ty,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `struct ifaddrmsg`.
            #[nla(header)]
            pub header: IfAddrMsg,
            /// `IFA_ADDRESS`: the address (the peer's, on point-to-point links).
            #[nla(type = IFA_ADDRESS, family = header.family)]
            pub address: Option<IpAddr>,
            /// `IFA_LOCAL`: the local address.
            #[nla(type = IFA_LOCAL, family = header.family)]
            pub local: Option<IpAddr>,
            /// `IFA_BROADCAST`.
            #[nla(type = IFA_BROADCAST, family = header.family)]
            pub broadcast: Option<IpAddr>,
            /// `IFA_ANYCAST`.
            #[nla(type = IFA_ANYCAST, family = header.family)]
            pub anycast: Option<IpAddr>,
            /// `IFA_LABEL`: the IPv4 label (`eth0:1`).
            #[nla(type = IFA_LABEL)]
            pub label: Option<$str>,
            /// `IFA_PROTO`: who added the address (`IFAPROT_*`).
            #[nla(type = IFA_PROTO)]
            pub proto: Option<u8>,
            /// `IFA_FLAGS`: all the address flags.
            #[nla(type = IFA_FLAGS)]
            pub flags: Option<AddressFlags>,
            /// `IFA_RT_PRIORITY`: the metric of the prefix route.
            #[nla(type = IFA_RT_PRIORITY)]
            pub rt_priority: Option<u32>,
            /// `IFA_CACHEINFO`.
            #[nla(type = IFA_CACHEINFO)]
            pub cacheinfo: Option<AddressCacheInfo>,
            /// `IFA_MULTICAST`.
            #[nla(type = IFA_MULTICAST, family = header.family)]
            pub multicast: Option<IpAddr>,
            /// `IFA_TARGET_NETNSID`: act on the namespace with this id.
            #[nla(type = IFA_TARGET_NETNSID)]
            pub target_netnsid: Option<i32>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
            $(
                /// The order the attributes arrived in, when not the declared one: the kernel writes
                /// `IFA_CACHEINFO` after `IFA_FLAGS` for IPv4 and before it for IPv6. Ignored by
                /// equality.
                $(#[$om])*
                pub order: $order,
            )?
        }

        impl $(<$l>)? $name $(<$l>)? {
            /// The local address: `IFA_LOCAL` if present, else `IFA_ADDRESS`.
            pub fn local(&self) -> Option<IpAddr> {
                self.local.or(self.address)
            }

            /// The address flags: `IFA_FLAGS` if present, else the header's 8 bits.
            pub fn flags(&self) -> AddressFlags {
                self.flags
                    .unwrap_or(AddressFlags(u32::from(self.header.flags)))
            }
        }
    };
}

address_message! {
    /// An address message (`RTM_NEWADDR` and friends): `struct ifaddrmsg` and the `IFA_*`
    /// attributes. The addresses are of the header's family (`ifa_family`): 4 bytes in an
    /// `AF_INET` message, 16 in an `AF_INET6` one, any other size an error naming the field
    /// ([`DecodeError::AddressFamily`](crate::DecodeError::AddressFamily)); encoding refuses an
    /// address of the other family. See [`AddrFamily`](crate::AddrFamily) for the other families.
    ///
    /// On point-to-point links `IFA_ADDRESS` is the peer and `IFA_LOCAL` the local address;
    /// elsewhere both are the local address. [`local`](Self::local) picks the right one.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    AddressMessage {
        str: String,
        order: {
            #[nla(order)]
            #[cfg_attr(feature = "serde", serde(skip))]
        } AttrOrder,
    }
}

address_message! {
    /// [`AddressMessage`] borrowing from the buffer it was decoded from: decoding allocates
    /// nothing for the declared attributes (undeclared ones, and the bytes a newer kernel adds
    /// to `IFA_CACHEINFO`, are copied). It keeps no arrival order: encoded, its attributes
    /// follow declaration order.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    AddressMessageRef<'a> {
        str: &'a str,
    }
}
