//! Attributes whose payload the message's address family decides:
//! `#[nla(type = IFA_ADDRESS, family = header.family)]` ([`NlaFamilyValue`], [`AddrFamily`]).
//!
//! Route netlink messages carry addresses as bare bytes; what they mean is told by the family
//! field of the message's header (`ifa_family`, `rtm_family`, `ndm_family`, ...), not by the
//! attribute. Reading them by their length alone would take the 4-byte label of an `AF_MPLS`
//! route for an IPv4 address, and accept a 16-byte address in an `AF_INET` message.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::value::{NlaValue, ValueKind};
use super::DecodeOptions;
use crate::attr::Attr;
use crate::error::DecodeError;

/// `AF_UNSPEC`: no family (the family is not known).
pub(crate) const AF_UNSPEC: u16 = 0;
/// `AF_INET`: IPv4.
pub(crate) const AF_INET: u16 = 2;
/// `AF_BRIDGE`: bridge forwarding entries, whose addresses are of either IP family.
pub(crate) const AF_BRIDGE: u16 = 7;
/// `AF_INET6`: IPv6.
pub(crate) const AF_INET6: u16 = 10;
/// `AF_MPLS`: MPLS routes (`RTA_DST` is a label, not an address).
pub(crate) const AF_MPLS: u16 = 28;
/// `RTNL_FAMILY_IPMR`: IPv4 multicast routes and rules.
pub(crate) const RTNL_FAMILY_IPMR: u16 = 128;
/// `RTNL_FAMILY_IP6MR`: IPv6 multicast routes and rules.
pub(crate) const RTNL_FAMILY_IP6MR: u16 = 129;

/// What a message's address family says about its IP address attributes.
///
/// | family | addresses |
/// |---|---|
/// | `AF_INET`, `RTNL_FAMILY_IPMR` | IPv4: exactly 4 bytes |
/// | `AF_INET6`, `RTNL_FAMILY_IP6MR` | IPv6: exactly 16 bytes |
/// | `AF_UNSPEC` (not known), `AF_BRIDGE` | either, by length: 4 or 16 bytes (a bridge's vxlan entries point at remotes of both families) |
/// | any other (`AF_MPLS`, ...) | not IP addresses: the attribute is kept byte-exact with the unknown ones |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrFamily {
    /// IPv4 addresses only.
    V4,
    /// IPv6 addresses only.
    V6,
    /// Either, told apart by their length.
    Either,
    /// Not an IP family: address attributes hold something else.
    NotIp,
}

impl AddrFamily {
    /// The rule of the address family `family` (`AF_*`, `RTNL_FAMILY_*`).
    #[inline]
    pub const fn of(family: u16) -> AddrFamily {
        match family {
            AF_INET | RTNL_FAMILY_IPMR => AddrFamily::V4,
            AF_INET6 | RTNL_FAMILY_IP6MR => AddrFamily::V6,
            AF_UNSPEC | AF_BRIDGE => AddrFamily::Either,
            _ => AddrFamily::NotIp,
        }
    }

    /// Why `addr` cannot travel in a message of this family, if it cannot.
    pub fn mismatch(self, addr: &IpAddr, family: u16) -> Option<String> {
        let ok = match self {
            AddrFamily::V4 => addr.is_ipv4(),
            AddrFamily::V6 => addr.is_ipv6(),
            AddrFamily::Either => true,
            AddrFamily::NotIp => false,
        };
        (!ok).then(|| {
            let kind = if addr.is_ipv4() { "an IPv4" } else { "an IPv6" };
            format!(
                "{kind} address ({addr}) in a message of family {}",
                family_name(family)
            )
        })
    }
}

/// `family` as the kernel headers name it (`AF_INET (2)`), or its number.
pub fn family_name(family: u16) -> String {
    let name = match family {
        AF_UNSPEC => "AF_UNSPEC",
        AF_INET => "AF_INET",
        AF_BRIDGE => "AF_BRIDGE",
        AF_INET6 => "AF_INET6",
        AF_MPLS => "AF_MPLS",
        RTNL_FAMILY_IPMR => "RTNL_FAMILY_IPMR",
        RTNL_FAMILY_IP6MR => "RTNL_FAMILY_IP6MR",
        _ => return family.to_string(),
    };
    format!("{name} ({family})")
}

/// A value whose payload depends on the address family of its message: a field declared
/// `#[nla(type = N, family = header.family)]` (or `family = outer`) is decoded and checked
/// through it. Implemented for [`IpAddr`] and for `RTA_MULTIPATH`'s next hops
/// ([`Multipath`](crate::route::Multipath), [`MultipathRef`](crate::route::MultipathRef)),
/// whose gateways are of the route's family.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not depend on an address family: `family = ...` applies to `IpAddr` and to values implementing `NlaFamilyValue`",
    label = "not an address-family value"
)]
pub trait NlaFamilyValue<'a>: NlaValue<'a> {
    /// What the payload looks like, for the validation policy, which does not know the
    /// family: it accepts what some family accepts.
    const FAMILY_KIND: ValueKind;

    /// Whether messages of `family` carry such a value in the attribute. When they do not
    /// (an `AF_MPLS` route's `RTA_DST` is a label, not an IP address), the decoder keeps the
    /// attribute byte-exact with the unknown ones, and the encoder refuses a value.
    #[inline]
    fn in_family(family: u16) -> bool {
        let _ = family;
        true
    }

    /// Decodes the value of an attribute of a message of `family` (one that
    /// [`in_family`](Self::in_family) accepts). A payload the family rules out is an error
    /// naming `field` (`Type.field`).
    fn decode_family(
        attr: &Attr<'a>,
        family: u16,
        opts: &DecodeOptions,
        field: &'static str,
    ) -> Result<Self, DecodeError>;

    /// Why the value cannot be written in a message of `family`, if it cannot (the encoder
    /// refuses it, naming the field).
    fn family_mismatch(&self, family: u16) -> Option<String>;

    /// Makes a generated value agree with `family` (value generators of the `testing`
    /// feature); `false` when no value of this type can travel in a message of that family
    /// (an optional field is then left out).
    #[cfg(feature = "testing")]
    fn fix_family(&mut self, family: u16) -> bool {
        let _ = family;
        true
    }
}

/// The error of an address of the wrong size for its message's family.
#[cold]
pub fn family_error(attr: &Attr<'_>, field: &'static str, family: u16) -> DecodeError {
    DecodeError::AddressFamily {
        offset: attr.offset(),
        attr_type: attr.attr_type(),
        field,
        family,
        len: attr.payload().len(),
    }
}

impl<'a> NlaFamilyValue<'a> for IpAddr {
    const FAMILY_KIND: ValueKind = ValueKind::FamilyAddr;

    #[inline(always)]
    fn in_family(family: u16) -> bool {
        AddrFamily::of(family) != AddrFamily::NotIp
    }

    #[inline(always)]
    fn decode_family(
        attr: &Attr<'a>,
        family: u16,
        _: &DecodeOptions,
        field: &'static str,
    ) -> Result<Self, DecodeError> {
        let rule = AddrFamily::of(family);
        let p = attr.payload();
        if matches!(rule, AddrFamily::V4 | AddrFamily::Either) {
            if let Ok(b) = <[u8; 4]>::try_from(p) {
                return Ok(IpAddr::V4(Ipv4Addr::from(b)));
            }
        }
        if matches!(rule, AddrFamily::V6 | AddrFamily::Either) {
            if let Ok(b) = <[u8; 16]>::try_from(p) {
                return Ok(IpAddr::V6(Ipv6Addr::from(b)));
            }
        }
        Err(family_error(attr, field, family))
    }

    #[inline]
    fn family_mismatch(&self, family: u16) -> Option<String> {
        AddrFamily::of(family).mismatch(self, family)
    }

    #[cfg(feature = "testing")]
    fn fix_family(&mut self, family: u16) -> bool {
        match (AddrFamily::of(family), *self) {
            (AddrFamily::V4, IpAddr::V6(a)) => {
                let [.., a, b, c, d] = a.octets();
                *self = IpAddr::V4(Ipv4Addr::new(a, b, c, d));
                true
            }
            (AddrFamily::V6, IpAddr::V4(a)) => {
                *self = IpAddr::V6(a.to_ipv6_mapped());
                true
            }
            (AddrFamily::NotIp, _) => false,
            _ => true,
        }
    }
}

/// A header field holding an address family: `u8` (`ifa_family`, `rtm_family`, ...) or
/// `u16` (`sa_family_t`).
#[diagnostic::on_unimplemented(
    message = "`family = header.FIELD` names a field of type `{Self}`: an address family is a `u8` or `u16` field of the header",
    label = "not a `u8` or `u16` address family"
)]
pub trait FamilyNumber {
    /// The family.
    fn family(&self) -> u16;
    /// Sets the family (value generators; families above the type's range are cut).
    fn set_family(&mut self, family: u16);
}

impl FamilyNumber for u8 {
    #[inline]
    fn family(&self) -> u16 {
        u16::from(*self)
    }
    fn set_family(&mut self, family: u16) {
        *self = u8::try_from(family).unwrap_or(u8::MAX);
    }
}

impl FamilyNumber for u16 {
    #[inline]
    fn family(&self) -> u16 {
        *self
    }
    fn set_family(&mut self, family: u16) {
        *self = family;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{AttributeEncoder, Attrs};

    fn attr_with(payload: &[u8]) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut ae = AttributeEncoder::new(&mut buf);
        ae.raw(1, payload);
        ae.finish().unwrap();
        buf
    }

    fn decode(payload: &[u8], family: u16) -> Result<Option<IpAddr>, DecodeError> {
        let buf = attr_with(payload);
        let a = Attrs::new(&buf).next().unwrap().unwrap();
        if !IpAddr::in_family(family) {
            return Ok(None);
        }
        IpAddr::decode_family(&a, family, &DecodeOptions::new(), "T.addr").map(Some)
    }

    #[test]
    fn the_family_decides() {
        let v4 = [10, 0, 0, 1];
        let v6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(decode(&v4, AF_INET), Ok(Some("10.0.0.1".parse().unwrap())));
        assert_eq!(decode(&v6, AF_INET6), Ok(Some("fe80::1".parse().unwrap())));
        assert!(decode(&v4, RTNL_FAMILY_IPMR).unwrap().unwrap().is_ipv4());
        for fam in [AF_UNSPEC, AF_BRIDGE] {
            assert!(decode(&v4, fam).unwrap().unwrap().is_ipv4());
            assert!(decode(&v6, fam).unwrap().unwrap().is_ipv6());
            assert!(decode(&[1, 2, 3], fam).is_err());
        }
        assert_eq!(decode(&v4, AF_MPLS), Ok(None));
        assert_eq!(decode(&[1, 2, 3], 200), Ok(None));
        let e = decode(&v6, AF_INET).unwrap_err();
        assert_eq!(
            e,
            DecodeError::AddressFamily {
                offset: 0,
                attr_type: 1,
                field: "T.addr",
                family: AF_INET,
                len: 16
            }
        );
        let s = e.to_string();
        assert!(s.contains("`T.addr`") && s.contains("AF_INET (2)"), "{s}");
        assert!(matches!(
            decode(&v4, AF_INET6),
            Err(DecodeError::AddressFamily {
                len: 4,
                family: AF_INET6,
                ..
            })
        ));
    }

    #[test]
    fn encode_checks_agree() {
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(v4.family_mismatch(AF_INET), None);
        assert_eq!(v6.family_mismatch(AF_INET6), None);
        assert_eq!(v6.family_mismatch(AF_BRIDGE), None);
        assert_eq!(
            v6.family_mismatch(AF_INET).as_deref(),
            Some("an IPv6 address (::1) in a message of family AF_INET (2)")
        );
        assert!(v4.family_mismatch(AF_MPLS).is_some());
        assert!(v4.family_mismatch(200).unwrap().ends_with("family 200"));
    }
}
