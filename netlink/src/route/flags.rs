//! Typed flag sets of rtnetlink: `IFF_*`, `IFA_F_*`, `RTNH_F_*`/`RTM_F_*`, `NUD_*`, `NTF_*`,
//! `NTF_EXT_*` (values from `linux/if.h`, `linux/if_addr.h`, `linux/rtnetlink.h` and
//! `linux/neighbour.h`).
//!
//! Each set is a transparent integer wrapper: any bits may be set, known or not, so a value a
//! newer kernel sends survives a round trip. `Display` lists the known flags by their kernel
//! names and the unknown bits in hexadecimal: `UP|BROADCAST|0x100000`.
//!
//! ```
//! use netlink::route::IfFlags;
//!
//! let f = IfFlags::UP | IfFlags::LOWER_UP;
//! assert!(f.contains(IfFlags::UP));
//! assert_eq!(f.to_string(), "UP|LOWER_UP");
//! assert_eq!(IfFlags(0x10_0001).to_string(), "UP|0x100000");
//! ```

use core::fmt;

use crate::attr::{Attr, AttributeEncoder};
use crate::enc::ByteOrder;
use crate::error::DecodeError;
use crate::nlattrs::{NlaValue, StructField, ValueKind};

macro_rules! flag_set {
    (
        $(#[$meta:meta])*
        $name:ident: $repr:ty {
            $( $(#[$fmeta:meta])* $flag:ident = $value:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$fmeta])* pub const $flag: $name = $name($value); )*

            /// The known flags and their kernel names (without the prefix).
            pub const KNOWN: &'static [($name, &'static str)] = &[
                $( ($name::$flag, stringify!($flag)), )*
            ];

            /// No flag.
            pub const fn empty() -> $name {
                $name(0)
            }

            /// The raw bits.
            pub const fn bits(self) -> $repr {
                self.0
            }

            /// Whether every bit of `other` is set.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether no bit is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Sets or clears the bits of `other`.
            pub fn set(&mut self, other: $name, on: bool) {
                if on {
                    self.0 |= other.0;
                } else {
                    self.0 &= !other.0;
                }
            }

            /// The names of the known flags that are set, in bit order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::KNOWN
                    .iter()
                    .filter(move |(f, _)| f.0 != 0 && self.contains(*f))
                    .map(|(_, n)| *n)
            }

            /// The bits without a known name.
            pub fn unknown_bits(self) -> $repr {
                Self::KNOWN.iter().fold(self.0, |b, (f, _)| b & !f.0)
            }
        }

        impl core::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }

        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: $name) {
                self.0 |= rhs.0;
            }
        }

        impl core::ops::BitAnd for $name {
            type Output = $name;
            fn bitand(self, rhs: $name) -> $name {
                $name(self.0 & rhs.0)
            }
        }

        impl core::ops::Sub for $name {
            type Output = $name;
            fn sub(self, rhs: $name) -> $name {
                $name(self.0 & !rhs.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut first = true;
                for n in self.names() {
                    if !first {
                        f.write_str("|")?;
                    }
                    f.write_str(n)?;
                    first = false;
                }
                let rest = self.unknown_bits();
                if rest != 0 || first {
                    if !first {
                        f.write_str("|")?;
                    }
                    write!(f, "{rest:#x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl<'a> NlaValue<'a> for $name {
            const KIND: ValueKind = ValueKind::Int {
                size: core::mem::size_of::<$repr>(),
                signed: false,
            };
            #[inline]
            fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder) {
                ae.int(attr_type, self.0, order);
            }
            #[inline]
            fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError> {
                attr.int::<$repr>(order).map($name)
            }
        }

        impl StructField for $name {
            const SIZE: usize = core::mem::size_of::<$repr>();
            const ALIGN: usize = core::mem::align_of::<$repr>();
            #[inline]
            fn put(&self, out: &mut [u8], order: ByteOrder) {
                self.0.put(out, order);
            }
            #[inline]
            fn get(b: &[u8], order: ByteOrder) -> Self {
                $name(<$repr as StructField>::get(b, order))
            }
        }

        #[cfg(feature = "testing")]
        impl crate::roundtrip::Arbitrary for $name {
            fn arbitrary(rng: &mut crate::roundtrip::Rng) -> Self {
                $name(<$repr as crate::roundtrip::Arbitrary>::arbitrary(rng))
            }
        }

        /// Serialized as the list of flag names (unknown bits as one hexadecimal string).
        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                let rest = self.unknown_bits();
                let mut seq = s.serialize_seq(None)?;
                for n in self.names() {
                    seq.serialize_element(n)?;
                }
                if rest != 0 {
                    seq.serialize_element(&format!("{rest:#x}"))?;
                }
                seq.end()
            }
        }
    };
}

flag_set! {
    /// Interface flags, `ifi_flags` of `struct ifinfomsg` (`IFF_*`, linux/if.h).
    IfFlags: u32 {
        /// `IFF_UP`: administratively up.
        UP = 0x1;
        /// `IFF_BROADCAST`: a valid broadcast address is set.
        BROADCAST = 0x2;
        /// `IFF_DEBUG`.
        DEBUG = 0x4;
        /// `IFF_LOOPBACK`.
        LOOPBACK = 0x8;
        /// `IFF_POINTOPOINT`.
        POINTOPOINT = 0x10;
        /// `IFF_NOTRAILERS`.
        NOTRAILERS = 0x20;
        /// `IFF_RUNNING`: operationally up.
        RUNNING = 0x40;
        /// `IFF_NOARP`.
        NOARP = 0x80;
        /// `IFF_PROMISC`.
        PROMISC = 0x100;
        /// `IFF_ALLMULTI`.
        ALLMULTI = 0x200;
        /// `IFF_MASTER`.
        MASTER = 0x400;
        /// `IFF_SLAVE`.
        SLAVE = 0x800;
        /// `IFF_MULTICAST`.
        MULTICAST = 0x1000;
        /// `IFF_PORTSEL`.
        PORTSEL = 0x2000;
        /// `IFF_AUTOMEDIA`.
        AUTOMEDIA = 0x4000;
        /// `IFF_DYNAMIC`.
        DYNAMIC = 0x8000;
        /// `IFF_LOWER_UP`: the carrier is on.
        LOWER_UP = 0x1_0000;
        /// `IFF_DORMANT`.
        DORMANT = 0x2_0000;
        /// `IFF_ECHO`.
        ECHO = 0x4_0000;
    }
}

flag_set! {
    /// Address flags (`IFA_F_*`, linux/if_addr.h): the 32-bit `IFA_FLAGS` attribute, whose
    /// low 8 bits are also `ifa_flags` of `struct ifaddrmsg`.
    AddressFlags: u32 {
        /// `IFA_F_SECONDARY` (IPv4), also `IFA_F_TEMPORARY` (IPv6).
        SECONDARY = 0x1;
        /// `IFA_F_NODAD`.
        NODAD = 0x2;
        /// `IFA_F_OPTIMISTIC`.
        OPTIMISTIC = 0x4;
        /// `IFA_F_DADFAILED`.
        DADFAILED = 0x8;
        /// `IFA_F_HOMEADDRESS`.
        HOMEADDRESS = 0x10;
        /// `IFA_F_DEPRECATED`.
        DEPRECATED = 0x20;
        /// `IFA_F_TENTATIVE`.
        TENTATIVE = 0x40;
        /// `IFA_F_PERMANENT`.
        PERMANENT = 0x80;
        /// `IFA_F_MANAGETEMPADDR`.
        MANAGETEMPADDR = 0x100;
        /// `IFA_F_NOPREFIXROUTE`.
        NOPREFIXROUTE = 0x200;
        /// `IFA_F_MCAUTOJOIN`.
        MCAUTOJOIN = 0x400;
        /// `IFA_F_STABLE_PRIVACY`.
        STABLE_PRIVACY = 0x800;
    }
}

impl AddressFlags {
    /// `IFA_F_TEMPORARY`: the IPv6 name of [`SECONDARY`](Self::SECONDARY).
    pub const TEMPORARY: AddressFlags = AddressFlags(0x1);
}

flag_set! {
    /// Route and next-hop flags: `rtm_flags` of `struct rtmsg` (`RTNH_F_*` in the low byte,
    /// `RTM_F_*` above) and `rtnh_flags` of `struct rtnexthop` (linux/rtnetlink.h).
    RouteFlags: u32 {
        /// `RTNH_F_DEAD`: the next hop is dead.
        DEAD = 0x1;
        /// `RTNH_F_PERVASIVE`: recursive gateway lookup.
        PERVASIVE = 0x2;
        /// `RTNH_F_ONLINK`: the gateway is forced on link.
        ONLINK = 0x4;
        /// `RTNH_F_OFFLOAD`.
        OFFLOAD = 0x8;
        /// `RTNH_F_LINKDOWN`: carrier down on the next hop.
        LINKDOWN = 0x10;
        /// `RTNH_F_UNRESOLVED`.
        UNRESOLVED = 0x20;
        /// `RTNH_F_TRAP`.
        TRAP = 0x40;
        /// `RTM_F_NOTIFY`.
        NOTIFY = 0x100;
        /// `RTM_F_CLONED`: a cached (cloned) route.
        CLONED = 0x200;
        /// `RTM_F_EQUALIZE`.
        EQUALIZE = 0x400;
        /// `RTM_F_PREFIX`.
        PREFIX = 0x800;
        /// `RTM_F_LOOKUP_TABLE`.
        LOOKUP_TABLE = 0x1000;
        /// `RTM_F_FIB_MATCH`.
        FIB_MATCH = 0x2000;
        /// `RTM_F_OFFLOAD`.
        RTM_OFFLOAD = 0x4000;
        /// `RTM_F_TRAP`.
        RTM_TRAP = 0x8000;
        /// `RTM_F_OFFLOAD_FAILED`.
        OFFLOAD_FAILED = 0x2000_0000;
    }
}

flag_set! {
    /// Next-hop flags, `rtnh_flags` of `struct rtnexthop` (`RTNH_F_*`, linux/rtnetlink.h).
    NextHopFlags: u8 {
        /// `RTNH_F_DEAD`.
        DEAD = 0x1;
        /// `RTNH_F_PERVASIVE`.
        PERVASIVE = 0x2;
        /// `RTNH_F_ONLINK`.
        ONLINK = 0x4;
        /// `RTNH_F_OFFLOAD`.
        OFFLOAD = 0x8;
        /// `RTNH_F_LINKDOWN`.
        LINKDOWN = 0x10;
        /// `RTNH_F_UNRESOLVED`.
        UNRESOLVED = 0x20;
        /// `RTNH_F_TRAP`.
        TRAP = 0x40;
    }
}

flag_set! {
    /// Neighbour states, `ndm_state` of `struct ndmsg` (`NUD_*`, linux/neighbour.h). A
    /// neighbour is in one state; the type is a set because requests and filters combine them.
    NeighbourState: u16 {
        /// `NUD_INCOMPLETE`.
        INCOMPLETE = 0x1;
        /// `NUD_REACHABLE`.
        REACHABLE = 0x2;
        /// `NUD_STALE`.
        STALE = 0x4;
        /// `NUD_DELAY`.
        DELAY = 0x8;
        /// `NUD_PROBE`.
        PROBE = 0x10;
        /// `NUD_FAILED`.
        FAILED = 0x20;
        /// `NUD_NOARP`.
        NOARP = 0x40;
        /// `NUD_PERMANENT`.
        PERMANENT = 0x80;
    }
}

impl NeighbourState {
    /// `NUD_NONE`: no state.
    pub const NONE: NeighbourState = NeighbourState(0);
}

flag_set! {
    /// Neighbour flags, `ndm_flags` of `struct ndmsg` (`NTF_*`, linux/neighbour.h).
    NeighbourFlags: u8 {
        /// `NTF_USE`.
        USE = 0x1;
        /// `NTF_SELF`.
        SELF = 0x2;
        /// `NTF_MASTER`.
        MASTER = 0x4;
        /// `NTF_PROXY`.
        PROXY = 0x8;
        /// `NTF_EXT_LEARNED`.
        EXT_LEARNED = 0x10;
        /// `NTF_OFFLOADED`.
        OFFLOADED = 0x20;
        /// `NTF_STICKY`.
        STICKY = 0x40;
        /// `NTF_ROUTER`.
        ROUTER = 0x80;
    }
}

flag_set! {
    /// Extended neighbour flags, the `NDA_FLAGS_EXT` attribute (`NTF_EXT_*`,
    /// linux/neighbour.h).
    NeighbourFlagsExt: u32 {
        /// `NTF_EXT_MANAGED`.
        MANAGED = 0x1;
        /// `NTF_EXT_LOCKED`.
        LOCKED = 0x2;
    }
}
