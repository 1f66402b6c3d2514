//! Routes (`RTM_NEWROUTE`, `RTM_DELROUTE`, `RTM_GETROUTE`): `struct rtmsg` and the `RTA_*`
//! attributes (linux/rtnetlink.h), with `RTA_METRICS` (`RTAX_*`) and `RTA_MULTIPATH` (an
//! array of `struct rtnexthop`, each followed by its own attributes).
//!
//! [`RouteMessage`] owns its values; [`RouteMessageRef`] borrows bytes from the receive
//! buffer and decodes a route without allocating.

use core::fmt;
use std::net::IpAddr;

use super::attr_types::*;
use super::constants::{RouteProtocol, RouteScope, RouteTable, RouteType};
use super::flags::{NextHopFlags, RouteFlags};
use crate::attr::{Attr, AttributeEncoder, ATTR_HEADER_LEN};
use crate::enc::{self, ByteOrder};
use crate::error::DecodeError;
use crate::nlattrs::{
    AddrFamily, DecodeOptions, FamilyCheck, NlAttrs, NlaFamilyValue, NlaValue, ValueCheck,
    ValueKind,
};
use crate::{AttrOrder, Attrs, UnknownAttrs};

/// `struct rtmsg`: the family header of route messages.
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RtMsg {
    /// `rtm_family`: `AF_INET`, `AF_INET6`, ...
    pub family: u8,
    /// `rtm_dst_len`: the destination prefix length.
    pub dst_len: u8,
    /// `rtm_src_len`: the source prefix length.
    pub src_len: u8,
    /// `rtm_tos`.
    pub tos: u8,
    /// `rtm_table`: the table, or `RT_TABLE_COMPAT` (252) when it is above 255 (the real
    /// number is then in `RTA_TABLE`; see [`RouteMessage::table`]).
    pub table: u8,
    /// `rtm_protocol`.
    pub protocol: RouteProtocol,
    /// `rtm_scope`.
    pub scope: RouteScope,
    /// `rtm_type`.
    pub kind: RouteType,
    /// `rtm_flags`: `RTNH_F_*` and `RTM_F_*`.
    pub flags: RouteFlags,
}

impl Default for RtMsg {
    fn default() -> Self {
        RtMsg {
            family: 0,
            dst_len: 0,
            src_len: 0,
            tos: 0,
            table: 0,
            protocol: RouteProtocol::Unspec,
            scope: RouteScope::Universe,
            kind: RouteType::Unspec,
            flags: RouteFlags(0),
        }
    }
}

/// `struct rta_cacheinfo` (`RTA_CACHEINFO`).
#[derive(crate::NlStruct, Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RouteCacheInfo {
    /// `rta_clntref`.
    pub clntref: u32,
    /// `rta_lastuse`.
    pub lastuse: u32,
    /// `rta_expires`.
    pub expires: i32,
    /// `rta_error`.
    pub error: u32,
    /// `rta_used`.
    pub used: u32,
    /// `rta_id`.
    pub id: u32,
    /// `rta_ts`.
    pub ts: u32,
    /// `rta_tsage`.
    pub tsage: u32,
    /// Bytes past the structure.
    #[nla(tail)]
    pub newer: Vec<u8>,
}

macro_rules! metrics {
    ($(#[$meta:meta])* $name:ident $(<$l:lifetime>)? { str: $str:ty }) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `RTAX_LOCK`: the metrics locked against change (bit `1 << RTAX_*`).
            #[nla(type = RTAX_LOCK)]
            pub lock: Option<u32>,
            /// `RTAX_MTU`.
            #[nla(type = RTAX_MTU)]
            pub mtu: Option<u32>,
            /// `RTAX_WINDOW`.
            #[nla(type = RTAX_WINDOW)]
            pub window: Option<u32>,
            /// `RTAX_RTT`.
            #[nla(type = RTAX_RTT)]
            pub rtt: Option<u32>,
            /// `RTAX_RTTVAR`.
            #[nla(type = RTAX_RTTVAR)]
            pub rttvar: Option<u32>,
            /// `RTAX_SSTHRESH`.
            #[nla(type = RTAX_SSTHRESH)]
            pub ssthresh: Option<u32>,
            /// `RTAX_CWND`.
            #[nla(type = RTAX_CWND)]
            pub cwnd: Option<u32>,
            /// `RTAX_ADVMSS`.
            #[nla(type = RTAX_ADVMSS)]
            pub advmss: Option<u32>,
            /// `RTAX_REORDERING`.
            #[nla(type = RTAX_REORDERING)]
            pub reordering: Option<u32>,
            /// `RTAX_HOPLIMIT`.
            #[nla(type = RTAX_HOPLIMIT)]
            pub hoplimit: Option<u32>,
            /// `RTAX_INITCWND`.
            #[nla(type = RTAX_INITCWND)]
            pub initcwnd: Option<u32>,
            /// `RTAX_FEATURES` (`RTAX_FEATURE_*`).
            #[nla(type = RTAX_FEATURES)]
            pub features: Option<u32>,
            /// `RTAX_RTO_MIN`.
            #[nla(type = RTAX_RTO_MIN)]
            pub rto_min: Option<u32>,
            /// `RTAX_INITRWND`.
            #[nla(type = RTAX_INITRWND)]
            pub initrwnd: Option<u32>,
            /// `RTAX_QUICKACK`.
            #[nla(type = RTAX_QUICKACK)]
            pub quickack: Option<u32>,
            /// `RTAX_CC_ALGO`: the congestion control algorithm.
            #[nla(type = RTAX_CC_ALGO)]
            pub cc_algo: Option<$str>,
            /// `RTAX_FASTOPEN_NO_COOKIE`.
            #[nla(type = RTAX_FASTOPEN_NO_COOKIE)]
            pub fastopen_no_cookie: Option<u32>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
        }
    };
}

metrics! {
    /// `RTA_METRICS`: per-route TCP and path metrics (`RTAX_*`), in ascending order as the
    /// kernel writes them.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    RouteMetrics { str: String }
}

metrics! {
    /// [`RouteMetrics`] borrowing `RTAX_CC_ALGO` from the buffer.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    RouteMetricsRef<'a> { str: &'a str }
}

/// The attributes that follow a `struct rtnexthop` in `RTA_MULTIPATH`.
///
/// They have no family header of their own: their gateway is of the route's family, which
/// [`Multipath`] and [`MultipathRef`] pass down when they decode a route's next hops
/// ([`DecodeOptions::family`]). Decoded alone, the gateway is read by its length.
#[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NextHopAttrs {
    /// `RTA_GATEWAY`: of the route's family (a gateway of another family is `RTA_VIA`).
    #[nla(type = RTA_GATEWAY, family = outer)]
    pub gateway: Option<IpAddr>,
    /// `RTA_VIA`: `struct rtvia` (a gateway of another family), raw.
    #[nla(type = RTA_VIA)]
    pub via: Option<Vec<u8>>,
    /// `RTA_FLOW`: the realm.
    #[nla(type = RTA_FLOW)]
    pub flow: Option<u32>,
    /// `RTA_NEWDST`: MPLS labels to push, raw.
    #[nla(type = RTA_NEWDST)]
    pub newdst: Option<Vec<u8>>,
    /// `RTA_ENCAP_TYPE` (`LWTUNNEL_ENCAP_*`).
    #[nla(type = RTA_ENCAP_TYPE)]
    pub encap_type: Option<u16>,
    /// `RTA_ENCAP`: the encapsulation, raw (its layout depends on `encap_type`).
    #[nla(type = RTA_ENCAP)]
    pub encap: Option<Vec<u8>>,
    /// Attributes not declared above, byte-exact.
    #[nla(unknown)]
    pub unknown: UnknownAttrs,
}

/// One entry of `RTA_MULTIPATH`: `struct rtnexthop` and its attributes.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NextHop {
    /// `rtnh_flags`.
    pub flags: NextHopFlags,
    /// `rtnh_hops`: the weight minus one.
    pub hops: u8,
    /// `rtnh_ifindex`: the output interface.
    pub ifindex: i32,
    /// The attributes after the structure.
    pub attrs: NextHopAttrs,
}

impl NextHop {
    /// The weight of the next hop (`rtnh_hops + 1`, as `ip route` shows it).
    pub fn weight(&self) -> u16 {
        u16::from(self.hops).saturating_add(1)
    }
}

/// Size of `struct rtnexthop`.
pub const RTNEXTHOP_LEN: usize = 8;

/// One `struct rtnexthop` and the bytes of its attributes, checked.
fn next_entry(
    b: &[u8],
    offset: usize,
) -> Result<(NextHopFlags, u8, i32, &[u8], usize), DecodeError> {
    let truncated = |what: &str| DecodeError::Invalid {
        offset,
        attr_type: RTA_MULTIPATH,
        reason: format!("rtnexthop {what}"),
    };
    let head = b
        .get(..RTNEXTHOP_LEN)
        .ok_or_else(|| truncated("shorter than its 8-byte header"))?;
    let len = usize::from(u16::from_ne_bytes([
        head.first().copied().unwrap_or(0),
        head.get(1).copied().unwrap_or(0),
    ]));
    if len < RTNEXTHOP_LEN {
        return Err(truncated("length shorter than its header"));
    }
    let attrs = b
        .get(RTNEXTHOP_LEN..len)
        .ok_or_else(|| truncated("length past the end of RTA_MULTIPATH"))?;
    let flags = NextHopFlags(head.get(2).copied().unwrap_or(0));
    let hops = head.get(3).copied().unwrap_or(0);
    let ifindex = i32::from_ne_bytes(
        head.get(4..8)
            .and_then(|s| s.try_into().ok())
            .unwrap_or([0; 4]),
    );
    let step = enc::align(len).unwrap_or(len).min(b.len());
    Ok((flags, hops, ifindex, attrs, step))
}

/// Iterates over the entries of an `RTA_MULTIPATH` payload.
#[derive(Debug, Clone)]
pub struct NextHops<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    family: u16,
    failed: bool,
}

impl<'a> NextHops<'a> {
    /// The entries of `payload`, whose first byte is at `offset` of the message (for errors),
    /// with gateways read by their length.
    pub fn new(payload: &'a [u8], offset: usize) -> NextHops<'a> {
        NextHops::with_family(payload, offset, 0)
    }

    /// The entries of `payload` of a route of address family `family` (`rtm_family`), whose
    /// gateways are of that family (see [`AddrFamily`]).
    pub fn with_family(payload: &'a [u8], offset: usize, family: u16) -> NextHops<'a> {
        NextHops {
            buf: payload,
            pos: 0,
            base: offset,
            family,
            failed: false,
        }
    }
}

impl Iterator for NextHops<'_> {
    type Item = Result<NextHop, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.buf.get(self.pos..).filter(|r| !r.is_empty())?;
        let offset = self.base.saturating_add(self.pos);
        let r = next_entry(rest, offset).and_then(|(flags, hops, ifindex, attrs, step)| {
            let attrs_at = offset.saturating_add(RTNEXTHOP_LEN);
            let attrs = NextHopAttrs::decode_parts(
                &[],
                Attrs::with_offset(attrs, attrs_at),
                &DecodeOptions::default().with_family(self.family),
            )?;
            self.pos = self.pos.saturating_add(step);
            Ok(NextHop {
                flags,
                hops,
                ifindex,
                attrs,
            })
        });
        if r.is_err() {
            self.failed = true;
        }
        Some(r)
    }
}

fn encode_next_hops<'n>(
    hops: impl Iterator<Item = &'n NextHop>,
    ae: &mut AttributeEncoder<'_>,
    attr_type: u16,
) {
    ae.with(attr_type, |buf| {
        for nh in hops {
            let start = buf.len();
            buf.extend_from_slice(&[0, 0, nh.flags.0, nh.hops]);
            buf.extend_from_slice(&nh.ifindex.to_ne_bytes());
            let mut inner = AttributeEncoder::new(buf);
            nh.attrs.encode_attrs(&mut inner)?;
            inner.finish()?;
            let len = buf.len().saturating_sub(start);
            let len16 = u16::try_from(len)
                .map_err(|_| crate::EncodeError::AttrTooLong { attr_type, len })?;
            if let Some(l) = buf.get_mut(start..start.saturating_add(2)) {
                l.copy_from_slice(&len16.to_ne_bytes());
            }
            let padded = enc::align(len).unwrap_or(len);
            buf.resize(start.saturating_add(padded), 0);
        }
        Ok(())
    });
}

/// `RTA_MULTIPATH`, owned: the next hops of a multipath route.
///
/// A hand-written [`NlaValue`] (an array of fixed structures each followed by attributes is
/// a layout of its own): decoding checks every entry, encoding writes each `struct
/// rtnexthop` with its length and its attributes. Declared `family = header.family` in a
/// route, its gateways follow the route's family ([`NlaFamilyValue`]): decoded by that
/// family's rule, and checked against it when encoding.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Multipath(pub Vec<NextHop>);

/// A family whose addresses are not IP: where the policy does not know the route's family,
/// its checks decode next hops in it, so that gateways of any size pass.
const ANY_FAMILY: u16 = u16::MAX;

/// The policy's check of `RTA_MULTIPATH` in a route of `family` (`None`: not known): what the
/// decoder accepts.
fn check_multipath(a: &Attr<'_>, family: Option<u16>) -> Result<(), DecodeError> {
    let family = family.unwrap_or(ANY_FAMILY);
    Multipath::decode_family(a, family, &DecodeOptions::default(), "Multipath").map(drop)
}

/// [`check_multipath`] of the borrowed form, which checks the framing and the gateways.
fn check_multipath_ref(a: &Attr<'_>, family: Option<u16>) -> Result<(), DecodeError> {
    check_gateways(a.payload(), payload_offset(a), family.unwrap_or(ANY_FAMILY))
}

/// Checks the framing of every entry of an `RTA_MULTIPATH` payload starting at `base` of
/// the message, and calls `each` with the attributes of each entry.
fn walk_entries<'a>(
    payload: &'a [u8],
    base: usize,
    mut each: impl FnMut(Attrs<'a>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut pos = 0usize;
    while let Some(rest) = payload.get(pos..).filter(|r| !r.is_empty()) {
        let at = base.saturating_add(pos);
        let (_, _, _, attrs, step) = next_entry(rest, at)?;
        each(Attrs::with_offset(attrs, at.saturating_add(RTNEXTHOP_LEN)))?;
        pos = pos.saturating_add(step.max(1));
    }
    Ok(())
}

/// Why the gateways of `hops` cannot travel in a route of `family`, if they cannot.
fn hops_mismatch<'n>(hops: impl Iterator<Item = &'n NextHop>, family: u16) -> Option<String> {
    let rule = AddrFamily::of(family);
    hops.enumerate().find_map(|(i, h)| {
        let gw = h.attrs.gateway.as_ref()?;
        rule.mismatch(gw, family)
            .map(|r| format!("next hop {i}: gateway: {r}"))
    })
}

impl<'a> NlaValue<'a> for Multipath {
    const KIND: ValueKind = ValueKind::Checked {
        check: ValueCheck(|a| check_multipath(a, Some(0))),
    };
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        encode_next_hops(self.0.iter(), ae, attr_type);
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        Multipath::decode_family(attr, 0, &DecodeOptions::default(), "Multipath")
    }
}

impl<'a> NlaFamilyValue<'a> for Multipath {
    const FAMILY_KIND: ValueKind = ValueKind::FamilyChecked {
        check: FamilyCheck(check_multipath),
    };
    fn decode_family(
        attr: &Attr<'a>,
        family: u16,
        _: &DecodeOptions,
        _: &'static str,
    ) -> Result<Self, DecodeError> {
        NextHops::with_family(attr.payload(), payload_offset(attr), family)
            .collect::<Result<Vec<_>, _>>()
            .map(Multipath)
    }
    fn family_mismatch(&self, family: u16) -> Option<String> {
        hops_mismatch(self.0.iter(), family)
    }
    #[cfg(feature = "testing")]
    fn fix_family(&mut self, family: u16) -> bool {
        arbitrary::fix_hops(self, family);
        true
    }
}

fn payload_offset(attr: &Attr<'_>) -> usize {
    attr.offset().saturating_add(ATTR_HEADER_LEN)
}

/// `RTA_MULTIPATH`, borrowed: the payload, checked when the route is decoded (the framing,
/// and the size of every gateway against the route's family), whose entries
/// [`iter`](Self::iter) decodes on demand.
#[derive(Clone, Copy, Default)]
pub struct MultipathRef<'a> {
    payload: &'a [u8],
    offset: usize,
    family: u16,
}

impl<'a> MultipathRef<'a> {
    /// The next hops, in order, their gateways of the route's family.
    pub fn iter(&self) -> NextHops<'a> {
        NextHops::with_family(self.payload, self.offset, self.family)
    }

    /// The raw payload.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.payload
    }
}

/// Equal when the payloads are (wherever they were decoded from).
impl PartialEq for MultipathRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.payload == other.payload
    }
}

impl Eq for MultipathRef<'_> {}

impl fmt::Debug for MultipathRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> NlaValue<'a> for MultipathRef<'a> {
    const KIND: ValueKind = ValueKind::Checked {
        check: ValueCheck(|a| check_multipath_ref(a, Some(0))),
    };
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self.payload);
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        MultipathRef::decode_family(attr, 0, &DecodeOptions::default(), "MultipathRef")
    }
}

/// Checks the framing of every entry and the size of every gateway against `family`,
/// without allocating.
fn check_gateways(payload: &[u8], base: usize, family: u16) -> Result<(), DecodeError> {
    // In a family whose addresses are not IP, gateways of any size pass (as in the decoder).
    let ip = AddrFamily::of(family) != AddrFamily::NotIp;
    let opts = DecodeOptions::default();
    walk_entries(payload, base, |attrs| {
        for a in attrs {
            let a = a?;
            if ip && a.attr_type() == RTA_GATEWAY {
                IpAddr::decode_family(&a, family, &opts, "NextHopAttrs.gateway")?;
            }
        }
        Ok(())
    })
}

impl<'a> NlaFamilyValue<'a> for MultipathRef<'a> {
    const FAMILY_KIND: ValueKind = ValueKind::FamilyChecked {
        check: FamilyCheck(check_multipath_ref),
    };
    fn decode_family(
        attr: &Attr<'a>,
        family: u16,
        _: &DecodeOptions,
        _: &'static str,
    ) -> Result<Self, DecodeError> {
        let payload = attr.payload();
        let base = payload_offset(attr);
        check_gateways(payload, base, family)?;
        Ok(MultipathRef {
            payload,
            offset: base,
            family,
        })
    }
    fn family_mismatch(&self, family: u16) -> Option<String> {
        check_gateways(self.payload, self.offset, family)
            .err()
            .map(|e| e.to_string())
    }
    #[cfg(feature = "testing")]
    fn fix_family(&mut self, family: u16) -> bool {
        arbitrary::fix_hops_ref(self, family);
        true
    }
}

#[cfg(feature = "testing")]
mod arbitrary {
    use super::*;
    use crate::roundtrip::{Arbitrary, Rng};

    impl Arbitrary for NextHop {
        fn arbitrary(rng: &mut Rng) -> Self {
            NextHop {
                flags: Arbitrary::arbitrary(rng),
                hops: Arbitrary::arbitrary(rng),
                ifindex: Arbitrary::arbitrary(rng),
                attrs: Arbitrary::arbitrary(rng),
            }
        }
    }

    impl Arbitrary for Multipath {
        fn arbitrary(rng: &mut Rng) -> Self {
            Multipath(crate::roundtrip::arbitrary_vec(rng, NextHop::arbitrary))
        }
    }

    impl Arbitrary for MultipathRef<'_> {
        fn arbitrary(rng: &mut Rng) -> Self {
            MultipathRef::leak(&Multipath::arbitrary(rng), 0)
        }
    }

    impl MultipathRef<'_> {
        /// The encoding of `m`, leaked (tests only).
        fn leak(m: &Multipath, family: u16) -> Self {
            let mut buf = Vec::new();
            let mut ae = AttributeEncoder::new(&mut buf);
            m.encode_value(&mut ae, RTA_MULTIPATH, ByteOrder::Native);
            let _ = ae.finish();
            let payload: &'static [u8] = Vec::leak(buf).get(4..).unwrap_or_default();
            MultipathRef {
                payload,
                offset: 4,
                family,
            }
        }
    }

    /// Makes the gateways of generated next hops agree with the route's family.
    pub(super) fn fix_hops(m: &mut Multipath, family: u16) {
        for h in &mut m.0 {
            if let Some(g) = &mut h.attrs.gateway {
                if !<IpAddr as NlaFamilyValue<'_>>::fix_family(g, family) {
                    h.attrs.gateway = None;
                }
            }
        }
    }

    /// [`fix_hops`] for borrowed next hops: decoded, fixed and encoded again (leaked).
    pub(super) fn fix_hops_ref(m: &mut MultipathRef<'_>, family: u16) {
        let hops = NextHops::new(m.payload, m.offset).collect::<Result<Vec<_>, _>>();
        let mut owned = Multipath(hops.unwrap_or_default());
        fix_hops(&mut owned, family);
        *m = MultipathRef::leak(&owned, family);
    }
}

macro_rules! route_message {
    (
        $(#[$meta:meta])*
        $name:ident $(<$l:lifetime>)? {
            bytes: $bytes:ty,
            metrics: { $(#[$mm:meta])* } $metrics:ty,
            multipath: $multipath:ty,
            $(order: { $(#[$om:meta])* } $order:ty,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$l>)? {
            /// `struct rtmsg`.
            #[nla(header)]
            pub header: RtMsg,
            /// `RTA_TABLE`: the table (any 32-bit number; see [`table`](Self::table)).
            #[nla(type = RTA_TABLE)]
            pub table: Option<u32>,
            /// `RTA_DST`: the destination prefix (`dst_len` bits of it).
            #[nla(type = RTA_DST, family = header.family)]
            pub dst: Option<IpAddr>,
            /// `RTA_SRC`: the source prefix (`src_len` bits of it).
            #[nla(type = RTA_SRC, family = header.family)]
            pub src: Option<IpAddr>,
            /// `RTA_IIF`: the input interface.
            #[nla(type = RTA_IIF)]
            pub iif: Option<u32>,
            /// `RTA_PRIORITY`: the metric.
            #[nla(type = RTA_PRIORITY)]
            pub priority: Option<u32>,
            /// `RTA_METRICS` (`RTAX_*`), a nest the kernel writes without `NLA_F_NESTED`.
            $(#[$mm])*
            pub metrics: Option<$metrics>,
            /// `RTA_PREFSRC`: the preferred source address.
            #[nla(type = RTA_PREFSRC, family = header.family)]
            pub prefsrc: Option<IpAddr>,
            /// `RTA_NH_ID`: a nexthop object.
            #[nla(type = RTA_NH_ID)]
            pub nh_id: Option<u32>,
            /// `RTA_GATEWAY`.
            #[nla(type = RTA_GATEWAY, family = header.family)]
            pub gateway: Option<IpAddr>,
            /// `RTA_VIA`: `struct rtvia`, a gateway of another family, raw.
            #[nla(type = RTA_VIA)]
            pub via: Option<$bytes>,
            /// `RTA_OIF`: the output interface.
            #[nla(type = RTA_OIF)]
            pub oif: Option<u32>,
            /// `RTA_FLOW`: the realm.
            #[nla(type = RTA_FLOW)]
            pub flow: Option<u32>,
            /// `RTA_NEWDST`: MPLS labels to push, raw.
            #[nla(type = RTA_NEWDST)]
            pub newdst: Option<$bytes>,
            /// `RTA_ENCAP_TYPE` (`LWTUNNEL_ENCAP_*`).
            #[nla(type = RTA_ENCAP_TYPE)]
            pub encap_type: Option<u16>,
            /// `RTA_ENCAP`, raw (its layout depends on `encap_type`).
            #[nla(type = RTA_ENCAP)]
            pub encap: Option<$bytes>,
            /// `RTA_MULTIPATH`: the next hops of a multipath route, their gateways of the
            /// route's family.
            #[nla(type = RTA_MULTIPATH, family = header.family)]
            pub multipath: Option<$multipath>,
            /// `RTA_MARK`: the firewall mark (route lookups).
            #[nla(type = RTA_MARK)]
            pub mark: Option<u32>,
            /// `RTA_UID` (route lookups).
            #[nla(type = RTA_UID)]
            pub uid: Option<u32>,
            /// `RTA_IP_PROTO` (route lookups).
            #[nla(type = RTA_IP_PROTO)]
            pub ip_proto: Option<u8>,
            /// `RTA_SPORT` (route lookups), network byte order on the wire.
            #[nla(type = RTA_SPORT, be)]
            pub sport: Option<u16>,
            /// `RTA_DPORT` (route lookups), network byte order on the wire.
            #[nla(type = RTA_DPORT, be)]
            pub dport: Option<u16>,
            /// `RTA_TTL_PROPAGATE` (MPLS).
            #[nla(type = RTA_TTL_PROPAGATE)]
            pub ttl_propagate: Option<u8>,
            /// `RTA_CACHEINFO`.
            #[nla(type = RTA_CACHEINFO)]
            pub cacheinfo: Option<RouteCacheInfo>,
            /// `RTA_PREF`: the IPv6 router preference (`ICMPV6_ROUTER_PREF_*`).
            #[nla(type = RTA_PREF)]
            pub pref: Option<u8>,
            /// `RTA_EXPIRES`: seconds until the route expires.
            #[nla(type = RTA_EXPIRES)]
            pub expires: Option<u32>,
            /// Attributes not declared above, byte-exact.
            #[nla(unknown)]
            pub unknown: UnknownAttrs,
            $(
                /// The order the attributes arrived in, when not the declared one: the kernel
                /// writes `RTA_METRICS` after `RTA_PRIORITY` for IPv4 and before it for IPv6
                /// (and `RTA_PREFSRC` at different places). Ignored by equality.
                $(#[$om])*
                pub order: $order,
            )?
        }

        impl $(<$l>)? $name $(<$l>)? {
            /// The routing table: `RTA_TABLE` when present (the only place a table above 255
            /// fits), else the header's `rtm_table`.
            pub fn table(&self) -> RouteTable {
                <RouteTable as crate::NlEnum>::from_repr(
                    self.table.unwrap_or(u32::from(self.header.table)),
                )
            }

            /// The table number (see [`table`](Self::table)).
            pub fn table_id(&self) -> u32 {
                self.table.unwrap_or(u32::from(self.header.table))
            }
        }
    };
}

route_message! {
    /// A route message (`RTM_NEWROUTE` and friends): `struct rtmsg` and the `RTA_*`
    /// attributes, owned. Fields are declared in the order the kernel writes them.
    ///
    /// Decoding a route allocates only for what it holds beyond numbers and addresses: the
    /// next hops of a multipath route (one vector), raw bytes (`RTA_VIA`, `RTA_ENCAP`), and
    /// attributes this type does not declare.
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// use netlink::NlAttrs;
    /// use netlink::route::{RouteMessage, RouteTable};
    ///
    /// let mut r = RouteMessage::default();
    /// r.header.family = 2;
    /// r.header.dst_len = 24;
    /// r.header.table = 252; // RT_TABLE_COMPAT: the real table is in RTA_TABLE
    /// r.table = Some(1000);
    /// r.dst = Some(IpAddr::V4(Ipv4Addr::new(10, 3, 0, 0)));
    /// let back = RouteMessage::decode(&r.to_bytes()?)?;
    /// assert_eq!(back.table(), RouteTable::Other(1000));
    /// # Ok::<(), netlink::Error>(())
    /// ```
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    RouteMessage {
        bytes: Vec<u8>,
        metrics: { #[nla(type = RTA_METRICS, nested, no_nested_flag)] } RouteMetrics,
        multipath: Multipath,
        order: {
            #[nla(order)]
            #[cfg_attr(feature = "serde", serde(skip))]
        } AttrOrder,
    }
}

route_message! {
    /// A route message borrowing from the buffer it was decoded from: decoding allocates
    /// nothing for the declared attributes (undeclared ones are copied into `unknown`).
    /// `RTA_METRICS` stays raw until [`metrics`](Self::metrics) decodes it, and
    /// `RTA_MULTIPATH`'s next hops decode as they are iterated.
    #[derive(crate::NlAttrs, Debug, Clone, PartialEq, Default)]
    RouteMessageRef<'a> {
        bytes: &'a [u8],
        metrics: { #[nla(type = RTA_METRICS)] } &'a [u8],
        multipath: MultipathRef<'a>,
    }
}

impl RouteMessage {
    /// The next hops of a multipath route (empty for other routes).
    pub fn next_hops(&self) -> &[NextHop] {
        self.multipath.as_ref().map_or(&[], |m| &m.0)
    }
}

impl<'a> RouteMessageRef<'a> {
    /// `RTA_METRICS`, decoded (borrowing `RTAX_CC_ALGO`).
    pub fn metrics(&self) -> Result<Option<RouteMetricsRef<'a>>, DecodeError> {
        self.metrics
            .map(|b| RouteMetricsRef::decode_attrs(Attrs::new(b), &DecodeOptions::default()))
            .transpose()
    }
}
