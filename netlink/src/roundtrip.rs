//! Round-trip checks for derived types (feature `testing`).
//!
//! Every `#[derive(NlAttrs)]`, `#[derive(NlEnum)]` and `#[derive(NlStruct)]` also implements
//! [`Arbitrary`] when this feature is on: a generator of values that obey the type's own
//! checks (`max_len`, `min`, `max`), driven by the small deterministic [`Rng`]. The
//! [`check_nlattrs!`](crate::check_nlattrs) macro feeds generated values and arbitrary bytes
//! through a type:
//!
//! - `decode(encode(x)) == x`, and encoding the decoded value gives the same bytes;
//! - every attribute the encoder emits passes the type's [`Policy`] (sizes,
//!   checks, `NLA_F_NESTED` on every nest);
//! - decoding arbitrary bytes (random, and mutations of valid encodings) returns a value or an
//!   error, never panics.
//!
//! [`check_bytes`] is the oracle for arbitrary bytes (fuzzing): whatever an owned type decodes
//! must encode, pass its policy, decode back to the same value and encode to the same bytes.
//!
//! ```
//! use netlink::NlAttrs;
//!
//! #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
//! struct Pair {
//!     #[nla(type = 1, max = 100)] a: u32,
//!     #[nla(type = 2, max_len = 8)] b: Option<String>,
//! }
//!
//! netlink::check_nlattrs!(Pair, 1000);
//! ```

use std::ffi::{CStr, CString};
use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::attr::{AttributeEncoder, Attrs, NLA_F_NESTED, NLA_F_NET_BYTEORDER};
use crate::error::EncodeError;
use crate::nlattrs::{
    DecodeOptions, FieldKind, Indexed, Multi, NlAttrs, NlAttrsOwned, Policy, UnknownAttrs,
};

/// A small deterministic random number generator (SplitMix64), with a nesting depth that
/// generators of recursive types use to stop.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    depth: u32,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed,
            depth: 0,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A random length in `0..=max`.
    pub fn len(&mut self, max: usize) -> usize {
        self.below(max as u64 + 1) as usize
    }

    /// True half of the time.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// Current nesting depth.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Whether generators should stop growing (optional values absent, lists empty).
    pub fn deep(&self) -> bool {
        self.depth >= 3
    }

    /// Enters a nested value.
    pub fn enter(&mut self) {
        self.depth += 1;
    }

    /// Leaves a nested value.
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// A generator of values, implemented by the derives for every derived type.
pub trait Arbitrary: Sized {
    /// A random value.
    fn arbitrary(rng: &mut Rng) -> Self;

    /// A random value no longer than `max` (strings and bytes; others ignore it).
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        let _ = max;
        Self::arbitrary(rng)
    }

    /// A random value within `[min, max]` (integers; others ignore it).
    fn arbitrary_range(rng: &mut Rng, min: Option<Self>, max: Option<Self>) -> Self {
        let _ = (min, max);
        Self::arbitrary(rng)
    }
}

macro_rules! arbitrary_int {
    ($($t:ty),*) => {$(
        impl Arbitrary for $t {
            fn arbitrary(rng: &mut Rng) -> Self {
                Self::arbitrary_range(rng, None, None)
            }
            fn arbitrary_range(rng: &mut Rng, min: Option<Self>, max: Option<Self>) -> Self {
                let lo = i128::from(min.unwrap_or(<$t>::MIN));
                let hi = i128::from(max.unwrap_or(<$t>::MAX));
                if lo >= hi {
                    return min.unwrap_or(<$t>::MIN);
                }
                let v = match rng.below(8) {
                    0 => lo,
                    1 => hi,
                    _ => {
                        let span = (hi - lo) as u128 + 1;
                        let r = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
                        lo + (r % span) as i128
                    }
                };
                <$t>::try_from(v).unwrap_or_default()
            }
        }
    )*};
}
arbitrary_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl Arbitrary for crate::Uint {
    fn arbitrary(rng: &mut Rng) -> Self {
        crate::Uint(if rng.coin() {
            u64::from(u32::arbitrary(rng))
        } else {
            u64::arbitrary(rng)
        })
    }
}

impl Arbitrary for crate::Sint {
    fn arbitrary(rng: &mut Rng) -> Self {
        crate::Sint(if rng.coin() {
            i64::from(i32::arbitrary(rng))
        } else {
            i64::arbitrary(rng)
        })
    }
}

impl Arbitrary for bool {
    fn arbitrary(rng: &mut Rng) -> Self {
        rng.coin()
    }
}

fn text(rng: &mut Rng, max: usize) -> String {
    let n = rng.len(max.min(24));
    (0..n)
        .map(|_| char::from(b' ' + rng.below(95) as u8))
        .collect()
}

impl Arbitrary for String {
    fn arbitrary(rng: &mut Rng) -> Self {
        text(rng, 24)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        text(rng, max)
    }
}

impl Arbitrary for CString {
    fn arbitrary(rng: &mut Rng) -> Self {
        Self::arbitrary_max_len(rng, 24)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        CString::new(text(rng, max)).unwrap_or_default()
    }
}

impl Arbitrary for Vec<u8> {
    fn arbitrary(rng: &mut Rng) -> Self {
        Self::arbitrary_max_len(rng, 40)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        let n = rng.len(max.min(40));
        rng.bytes(n)
    }
}

impl<const N: usize> Arbitrary for [u8; N] {
    fn arbitrary(rng: &mut Rng) -> Self {
        let mut a = [0u8; N];
        for b in &mut a {
            *b = rng.next_u64() as u8;
        }
        a
    }
}

impl Arbitrary for Ipv4Addr {
    fn arbitrary(rng: &mut Rng) -> Self {
        Ipv4Addr::from(rng.next_u64() as u32)
    }
}

impl Arbitrary for Ipv6Addr {
    fn arbitrary(rng: &mut Rng) -> Self {
        Ipv6Addr::from((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()))
    }
}

impl Arbitrary for IpAddr {
    fn arbitrary(rng: &mut Rng) -> Self {
        if rng.coin() {
            IpAddr::V4(Ipv4Addr::arbitrary(rng))
        } else {
            IpAddr::V6(Ipv6Addr::arbitrary(rng))
        }
    }
}

const WORDS: [&str; 8] = [
    "",
    "a",
    "lo",
    "eth0",
    "nlctrl",
    "veth-peer0",
    "wg0 tunnel",
    "x y z !",
];
const CWORDS: [&CStr; 5] = [c"", c"b", c"eth1", c"devlink", c"a somewhat longer name"];
static BYTES: [u8; 48] = {
    let mut b = [0u8; 48];
    let mut i = 0;
    while i < 48 {
        b[i] = (i as u8).wrapping_mul(37).wrapping_add(11);
        i += 1;
    }
    b
};

impl Arbitrary for &str {
    fn arbitrary(rng: &mut Rng) -> Self {
        Self::arbitrary_max_len(rng, usize::MAX)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        let fit: Vec<&'static str> = WORDS.iter().copied().filter(|w| w.len() <= max).collect();
        fit.get(rng.below(fit.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    }
}

impl Arbitrary for &CStr {
    fn arbitrary(rng: &mut Rng) -> Self {
        Self::arbitrary_max_len(rng, usize::MAX)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        let fit: Vec<&'static CStr> = CWORDS
            .iter()
            .copied()
            .filter(|w| w.to_bytes().len() <= max)
            .collect();
        fit.get(rng.below(fit.len() as u64) as usize)
            .copied()
            .unwrap_or(c"")
    }
}

impl Arbitrary for &[u8] {
    fn arbitrary(rng: &mut Rng) -> Self {
        Self::arbitrary_max_len(rng, usize::MAX)
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        let start = rng.len(BYTES.len());
        let n = rng.len((BYTES.len() - start).min(max));
        &BYTES[start..start + n]
    }
}

impl<B: Arbitrary> Arbitrary for crate::submsg::Opaque<B> {
    fn arbitrary(rng: &mut Rng) -> Self {
        let flags = match rng.below(3) {
            0 => NLA_F_NESTED,
            1 => NLA_F_NET_BYTEORDER,
            _ => 0,
        };
        crate::submsg::Opaque {
            flags,
            payload: B::arbitrary(rng),
        }
    }
}

impl<T: Arbitrary> Arbitrary for Option<T> {
    fn arbitrary(rng: &mut Rng) -> Self {
        (!rng.deep() && rng.below(4) != 0).then(|| T::arbitrary(rng))
    }
    fn arbitrary_max_len(rng: &mut Rng, max: usize) -> Self {
        (!rng.deep() && rng.below(4) != 0).then(|| T::arbitrary_max_len(rng, max))
    }
}

impl<T: Arbitrary> Arbitrary for Box<T> {
    fn arbitrary(rng: &mut Rng) -> Self {
        Box::new(T::arbitrary(rng))
    }
}

/// Elements of repeated attributes: `count` values within the field's checks.
pub fn arbitrary_vec<T>(rng: &mut Rng, mut one: impl FnMut(&mut Rng) -> T) -> Vec<T> {
    let n = if rng.deep() { 0 } else { rng.len(3) };
    (0..n).map(|_| one(rng)).collect()
}

/// A [`Multi`] of generated values (leaked: for tests only).
pub fn arbitrary_multi<'a, T: 'a>(rng: &mut Rng, one: impl FnMut(&mut Rng) -> T) -> Multi<'a, T> {
    Multi::from_slice(Vec::leak(arbitrary_vec(rng, one)))
}

impl<T: Arbitrary> Arbitrary for Indexed<T> {
    fn arbitrary(rng: &mut Rng) -> Self {
        let mut next = 0u16;
        let values = arbitrary_vec(rng, T::arbitrary);
        Indexed {
            entries: values
                .into_iter()
                .map(|v| {
                    next += 1 + rng.below(3) as u16;
                    (next, v)
                })
                .collect(),
        }
    }
}

/// A family for a generated message with `family` fields: mostly `AF_INET` and `AF_INET6`,
/// sometimes a family read by length (`AF_UNSPEC`, `AF_BRIDGE`), a multicast one, and, unless
/// `ip_only` (a required address), one whose addresses are not IP (`AF_MPLS`, any number).
pub fn arbitrary_family(rng: &mut Rng, ip_only: bool) -> u16 {
    const IP: [u16; 8] = [2, 10, 2, 10, 0, 7, 128, 129];
    let n = if ip_only { 8 } else { 10 };
    match rng.below(n) {
        8 => 28,
        9 => rng.below(256) as u16,
        i => IP[i as usize],
    }
}

/// A recorded order for a struct whose attribute fields (and `unknown` field, as
/// [`AttrOrder::UNKNOWN`](crate::AttrOrder)) have the given slots: none half of the time,
/// else a random sequence of them (repeats, and slots of absent fields, included), so that
/// encoding in any recorded order is exercised.
pub fn arbitrary_order(rng: &mut Rng, slots: &[u16]) -> crate::AttrOrder {
    if slots.is_empty() || rng.coin() {
        return crate::AttrOrder::new();
    }
    let n = rng.len(slots.len().saturating_mul(2));
    let len = slots.len() as u64;
    crate::AttrOrder::from_slots(
        (0..n)
            .filter_map(|_| slots.get(rng.below(len) as usize).copied())
            .collect(),
    )
}

/// Unknown attributes for a struct with `policy`: types it does not declare, random type
/// flags and payloads.
pub fn arbitrary_unknown(rng: &mut Rng, policy: &Policy) -> UnknownAttrs {
    let mut u = UnknownAttrs::new();
    let n = rng.len(3);
    for _ in 0..n {
        let t = loop {
            let t = 1 + rng.below(0x3fff) as u16;
            if policy.field(t).is_none() {
                break t;
            }
        };
        let flags = match rng.below(4) {
            0 => NLA_F_NESTED,
            1 => NLA_F_NET_BYTEORDER,
            _ => 0,
        };
        let len = rng.len(12);
        u.push_raw(t | flags, &rng.bytes(len));
    }
    u
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks one value: encodes it into `scratch`, validates every emitted attribute against
/// the type's policy (with `NLA_F_NESTED` required on nests), decodes it back, compares, and
/// re-encodes the decoded value to the same bytes.
pub fn check_one<'a, T>(v: &T, scratch: &'a mut Vec<u8>) -> Result<(), String>
where
    T: NlAttrs<'a> + PartialEq + Debug,
{
    scratch.clear();
    v.encode(scratch)
        .map_err(|e| format!("encoding {v:?} failed: {e}"))?;
    let bytes: &'a [u8] = scratch;
    let attrs_at = crate::enc::align(T::HEADER_LEN)
        .unwrap_or(0)
        .min(bytes.len());
    let attrs = Attrs::with_offset(bytes.get(attrs_at..).unwrap_or_default(), attrs_at);
    T::POLICY
        .validate(attrs, true)
        .and_then(|()| T::POLICY.validate_payload(bytes, true))
        .map_err(|e| {
            format!(
                "encoding of {v:?} breaks its policy: {e}\n  bytes: {}",
                hex(bytes)
            )
        })?;
    let d = T::decode(bytes)
        .map_err(|e| format!("decoding {v:?} failed: {e}\n  bytes: {}", hex(bytes)))?;
    if d != *v {
        return Err(format!(
            "round trip changed the value\n  before: {v:?}\n  after:  {d:?}\n  bytes: {}",
            hex(bytes)
        ));
    }
    let again = d
        .to_bytes()
        .map_err(|e| format!("re-encoding {d:?} failed: {e}"))?;
    if again != bytes {
        return Err(format!(
            "re-encoding changed the bytes\n  first:  {}\n  second: {}",
            hex(bytes),
            hex(&again)
        ));
    }
    Ok(())
}

/// Decodes `bytes` as `T` and validates them against `T`'s policy: any result is fine (this is
/// for "never panics" checks, borrowed types included; [`check_bytes`] checks what a decoded
/// owned value does next). A value that decodes is encoded again, which must not panic either.
pub fn decode_one<'a, T>(bytes: &'a [u8]) -> Result<(), String>
where
    T: NlAttrs<'a> + PartialEq + Debug,
{
    let attrs_at = crate::enc::align(T::HEADER_LEN)
        .unwrap_or(0)
        .min(bytes.len());
    let _ = T::POLICY.validate(Attrs::new(bytes.get(attrs_at..).unwrap_or_default()), false);
    let _ = T::POLICY.validate_payload(bytes, false);
    let _ = T::decode_with(bytes, &DecodeOptions::strict());
    if let Ok(v) = T::decode(bytes) {
        let _ = v.to_bytes();
    }
    Ok(())
}

/// Checks what the decoder and encoder of `T` promise for any bytes (the oracle of the fuzz
/// targets): decode, encode, decode again, compare.
///
/// Bytes that `T` decodes (with the default options) must encode; the encoding must pass
/// `T`'s policy with `NLA_F_NESTED` checked as declared, decode back to the same value and
/// encode again to the same bytes. A strict decoding must agree: it fails where the default
/// one fails, and gives the same value where it succeeds. Bytes that do not decode are fine.
///
/// One encoding error is allowed: [`EncodeError::AttrTooLong`](crate::EncodeError). The
/// encoding is canonical, and can be longer than the bytes decoded (a string sent without its
/// NUL gets one, a short C structure its full size), so a value decoded from an attribute near
/// the 65,535-byte limit may not fit in one any more.
///
/// ```
/// use netlink::genl::McastGroup;
/// use netlink::roundtrip::check_bytes;
///
/// // CTRL_ATTR_MCAST_GRP_NAME "a\0b", then garbage.
/// check_bytes::<McastGroup>(&[8, 0, 1, 0, b'a', 0, b'b', 0]).unwrap();
/// check_bytes::<McastGroup>(&[3, 0, 1]).unwrap();
/// ```
pub fn check_bytes<T>(data: &[u8]) -> Result<(), String>
where
    T: NlAttrsOwned + PartialEq + Debug,
{
    let strict = T::decode_with(data, &DecodeOptions::strict());
    let first = match T::decode(data) {
        Ok(v) => v,
        Err(e) => {
            return match strict {
                Ok(v) => Err(format!(
                    "strict decoding accepts what the default rejects ({e}): {v:?}\n  bytes: {}",
                    hex(data)
                )),
                Err(_) => Ok(()),
            }
        }
    };
    if let Ok(s) = &strict {
        if *s != first {
            return Err(format!(
                "strict and default decodings differ\n  strict:  {s:?}\n  default: {first:?}"
            ));
        }
    }
    let bytes = match first.to_bytes() {
        Ok(b) => b,
        Err(EncodeError::AttrTooLong { .. }) => return Ok(()),
        Err(e) => {
            return Err(format!(
                "a decoded value does not encode: {e}\n  value: {first:?}\n  bytes: {}",
                hex(data)
            ))
        }
    };
    let attrs_at = crate::enc::align(T::HEADER_LEN)
        .unwrap_or(0)
        .min(bytes.len());
    let attrs = Attrs::with_offset(bytes.get(attrs_at..).unwrap_or_default(), attrs_at);
    T::POLICY
        .validate(attrs, true)
        .and_then(|()| T::POLICY.validate_payload(&bytes, true))
        .map_err(|e| {
            format!(
                "the encoding of {first:?} breaks its policy: {e}\n  encoding: {}",
                hex(&bytes)
            )
        })?;
    let second = T::decode(&bytes).map_err(|e| {
        format!(
            "the encoding of {first:?} does not decode: {e}\n  encoding: {}",
            hex(&bytes)
        )
    })?;
    if second != first {
        return Err(format!(
            "decode, encode, decode changed the value\n  first:  {first:?}\n  second: {second:?}\n  encoding: {}",
            hex(&bytes)
        ));
    }
    let again = second
        .to_bytes()
        .map_err(|e| format!("re-encoding {second:?} failed: {e}"))?;
    if again != bytes {
        return Err(format!(
            "the encoding is not stable\n  first:  {}\n  second: {}",
            hex(&bytes),
            hex(&again)
        ));
    }
    Ok(())
}

/// Appends well-formed attribute framing to `buf`: one attribute per `(type, nested,
/// payload)`, `NLA_F_NESTED` set on the type when `nested`, each padded to 4 bytes. The types,
/// flags and payloads may be anything, so that property tests reach the typed decoders
/// rather than stopping at the framing. A payload too long for the 16-bit length is cut.
pub fn frame_attributes<'p>(
    buf: &mut Vec<u8>,
    attrs: impl IntoIterator<Item = (u16, bool, &'p [u8])>,
) {
    for (t, nested, payload) in attrs {
        let payload = payload.get(..usize::from(u16::MAX) - 4).unwrap_or(payload);
        let t = if nested {
            t | crate::attr::NLA_F_NESTED
        } else {
            t
        };
        let len = u16::try_from(payload.len() + 4).unwrap_or(u16::MAX);
        buf.extend_from_slice(&len.to_ne_bytes());
        buf.extend_from_slice(&t.to_ne_bytes());
        buf.extend_from_slice(payload);
        while buf.len() % 4 != 0 {
            buf.push(0);
        }
    }
}

/// Byte strings to decode: random ones, and mutations of `valid` (truncated, bytes flipped,
/// lengths changed).
pub fn mutations(rng: &mut Rng, valid: &[u8]) -> Vec<u8> {
    let mut b = valid.to_vec();
    match rng.below(5) {
        0 => {
            let n = rng.len(64);
            return rng.bytes(n);
        }
        1 => b.truncate(rng.len(b.len())),
        2 => {
            for _ in 0..=rng.below(4) {
                if !b.is_empty() {
                    let i = rng.below(b.len() as u64) as usize;
                    b[i] ^= 1 << rng.below(8);
                }
            }
        }
        3 => {
            if !b.is_empty() {
                let i = rng.below(b.len() as u64) as usize;
                b[i] = [0, 1, 3, 4, 5, 0xff][rng.below(6) as usize];
            }
        }
        _ => {
            let n = rng.len(8);
            b.extend(rng.bytes(n));
        }
    }
    b
}

/// Checks `count` generated values of a C structure: writing then reading gives the value
/// back, the written size is [`NlStruct::SIZE`](crate::NlStruct::SIZE) plus the tail, and reading any shorter prefix
/// does not panic.
pub fn check_struct<T>(count: usize) -> Result<(), String>
where
    T: crate::NlStruct + Arbitrary + PartialEq + Debug,
{
    let mut rng = Rng::new(0x7374_7275_6374);
    for i in 0..count {
        let v = T::arbitrary(&mut rng);
        let mut buf = Vec::new();
        v.write_to(&mut buf);
        if buf.len() != T::SIZE + v.tail().len() {
            return Err(format!("value #{i} {v:?}: wrote {} bytes", buf.len()));
        }
        let back = T::read_from(&buf);
        if back != v {
            return Err(format!("value #{i}: {v:?} read back as {back:?}"));
        }
        let cut = rng.len(buf.len());
        let _ = T::read_from(&buf[..cut]);
    }
    Ok(())
}

/// Checks `count` generated values of a numeric enum: the integer maps back to the same
/// variant.
pub fn check_enum<T>(count: usize) -> Result<(), String>
where
    T: crate::NlEnum + Arbitrary + PartialEq + Debug,
{
    let mut rng = Rng::new(0x656e_756d);
    for i in 0..count {
        let v = T::arbitrary(&mut rng);
        let back = T::from_repr(v.to_repr());
        if back != v {
            return Err(format!("value #{i}: {v:?} came back as {back:?}"));
        }
    }
    Ok(())
}

/// A copy of the attributes in `attrs` with `NLA_F_NESTED` as the encoder writes it: set on
/// every nest that `policy` declares, cleared on those declared `no_nested_flag` (and on the
/// entries of such an [`Indexed`] array). Makes bytes from senders that set or omit the flag
/// differently comparable with what the encoder writes.
pub fn with_nested_flags(attrs: &[u8], policy: &Policy) -> Vec<u8> {
    nest_flags_as_declared(attrs, policy, true)
}

fn nest_flags_as_declared(attrs: &[u8], policy: &Policy, entries_flagged: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(attrs.len());
    let mut ae = AttributeEncoder::new(&mut out);
    let all = Attrs::new(attrs);
    for a in all.clone().flatten() {
        let inner = match policy.elements {
            Some(p) => Some((p(), entries_flagged, true)),
            None => match policy.field(a.attr_type()).map(|f| (f.kind, f.nested_flag)) {
                Some((FieldKind::Nested(p), flagged)) => Some((p(), flagged, flagged)),
                Some((kind @ FieldKind::SubMessage { .. }, flagged)) => {
                    kind.nested_policy(&all).map(|p| (p, flagged, true))
                }
                _ => None,
            },
        };
        match inner {
            Some((p, flagged, inner_entries_flagged)) => {
                let payload = nest_flags_as_declared(a.payload(), p, inner_entries_flagged);
                let raw_type = if flagged {
                    a.raw_type() | NLA_F_NESTED
                } else {
                    a.raw_type() & !NLA_F_NESTED
                };
                ae.raw(raw_type, &payload);
            }
            None => {
                ae.raw(a.raw_type(), a.payload());
            }
        }
    }
    let _ = ae.finish();
    out
}

/// Runs the round-trip checks on a derived type: `count` generated values through
/// [`check_one`], then `count` arbitrary byte strings through [`decode_one`]. Panics with the
/// failing value and bytes on the first failure.
///
/// For a borrowed type, name it with an elided lifetime: `check_nlattrs!(Link<'_>, 1000)`.
#[macro_export]
macro_rules! check_nlattrs {
    ($t:ty, $count:expr) => {{
        let count: usize = $count;
        let mut rng = $crate::roundtrip::Rng::new(0x6e6c_6174_7472_7300);
        let mut last = ::std::vec::Vec::new();
        for i in 0..count {
            let mut scratch = ::std::vec::Vec::new();
            {
                let v: $t = $crate::roundtrip::Arbitrary::arbitrary(&mut rng);
                if let Err(e) = $crate::roundtrip::check_one(&v, &mut scratch) {
                    panic!("{} value #{}: {}", stringify!($t), i, e);
                }
            }
            if i % 2 == 0 {
                last = scratch;
            }
        }
        for _ in 0..count {
            let bytes = $crate::roundtrip::mutations(&mut rng, &last);
            let _ = $crate::roundtrip::decode_one::<$t>(&bytes);
        }
    }};
}
