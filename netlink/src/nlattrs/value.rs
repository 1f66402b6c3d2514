//! How one attribute's payload maps to a Rust value: [`NlaValue`] and its implementations,
//! variable-width integers, numeric enums ([`NlEnum`]) and the lengths `max_len` checks.

use core::ffi::CStr;
use std::ffi::CString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::attr::{Attr, AttributeEncoder};
use crate::enc::{ByteOrder, Int};
use crate::error::DecodeError;

/// How one attribute's payload maps to a Rust value.
///
/// Implemented for `u8`..`u64`, `i8`..`i64` (native or big-endian), `String`, `CString`,
/// `Vec<u8>`, `[u8; N]`, `Ipv4Addr`, `Ipv6Addr`, `IpAddr`, the borrowed `&'a str`,
/// `&'a CStr` and `&'a [u8]`, and by the [`NlEnum`](macro@crate::NlEnum) and
/// [`NlStruct`](macro@crate::NlStruct) derives.
///
/// Strings (`String`, `&str`, `CString`, `&CStr`) decode as the kernel reads them: the bytes
/// before the first NUL ([`Attr::string_lenient`], [`Attr::cstr`]), so a decoded string never
/// holds a NUL and always encodes again. Bytes after that NUL are dropped: re-encoding gives
/// the string with one NUL, which is byte-exact for everything the kernel writes with
/// `nla_put_string` but not for a payload with extra bytes after the NUL. Declare the field as
/// bytes (`Vec<u8>`, `&[u8]`) to keep such a payload as it is.
pub trait NlaValue<'a>: Sized {
    /// What the payload looks like, for the validation policy.
    const KIND: ValueKind;

    /// Appends the attribute `attr_type` holding this value. `order` applies to integers.
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder);

    /// Reads the value from an attribute's payload. `order` applies to integers.
    fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError>;
}

/// The shape of an attribute payload, as recorded in a [`Policy`](super::Policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// An integer of `size` bytes.
    Int {
        /// Its size in bytes.
        size: usize,
        /// Whether it is signed.
        signed: bool,
    },
    /// A UTF-8 string, NUL-terminated when encoded, read up to its first NUL.
    String,
    /// A C string: bytes up to a terminating NUL.
    CString,
    /// Any bytes.
    Binary,
    /// Exactly `n` bytes (`[u8; N]`, `Ipv4Addr`, `Ipv6Addr`).
    Fixed(usize),
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
    IpAddr,
    /// An address whose size the message's address family decides
    /// (`#[nla(family = header.family)]`): 4 bytes for `AF_INET`, 16 for `AF_INET6`, either
    /// for `AF_UNSPEC` and `AF_BRIDGE`, anything for a family whose addresses are not IP
    /// addresses (kept as bytes). [`Policy::validate`](super::Policy::validate), which does not
    /// see the header, accepts any size; [`Policy::validate_payload`](super::Policy::validate_payload)
    /// checks what the decoder checks.
    FamilyAddr,
    /// A layout of its own whose check depends on the message's address family (`family =
    /// header.FIELD` on a hand-written [`NlaFamilyValue`](super::NlaFamilyValue), such as
    /// `RTA_MULTIPATH`'s next hops and their gateways): `check` takes the family when known.
    FamilyChecked {
        /// Checks a payload as the value's decoder would in a message of that family (`None`:
        /// not known, the family-dependent parts pass).
        check: FamilyCheck,
    },
    /// A C structure of `size` bytes; other kernel versions may send more or fewer.
    Struct {
        /// Its size in bytes.
        size: usize,
    },
    /// A variable-width integer (`NLA_UINT`, `NLA_SINT`): 4 or 8 bytes.
    VarInt {
        /// Whether it is signed.
        signed: bool,
    },
    /// A layout of its own (a hand-written [`NlaValue`], such as `RTA_MULTIPATH`'s array of
    /// `struct rtnexthop`), checked by `check`: the policy rejects what decoding rejects.
    Checked {
        /// Checks a payload as the value's decoder would.
        check: ValueCheck,
    },
}

/// The check of a [`ValueKind::Checked`] payload: a function that accepts exactly what the
/// value's decoder accepts. Two checks are equal when they are the same function.
#[derive(Clone, Copy)]
pub struct ValueCheck(pub fn(&Attr<'_>) -> Result<(), DecodeError>);

impl PartialEq for ValueCheck {
    fn eq(&self, other: &ValueCheck) -> bool {
        core::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for ValueCheck {}

impl core::fmt::Debug for ValueCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ValueCheck(..)")
    }
}

/// The check of a [`ValueKind::FamilyChecked`] payload. Two checks are equal when they are
/// the same function.
#[derive(Clone, Copy)]
pub struct FamilyCheck(pub fn(&Attr<'_>, Option<u16>) -> Result<(), DecodeError>);

impl PartialEq for FamilyCheck {
    fn eq(&self, other: &FamilyCheck) -> bool {
        core::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for FamilyCheck {}

impl core::fmt::Debug for FamilyCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FamilyCheck(..)")
    }
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl<'a> NlaValue<'a> for $t {
            const KIND: ValueKind = ValueKind::Int {
                size: core::mem::size_of::<$t>(),
                signed: <$t>::MIN != 0,
            };
            #[inline]
            fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder) {
                ae.int(attr_type, *self, order);
            }
            #[inline]
            fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError> {
                attr.int::<$t>(order)
            }
        }
    )*};
}
int_value!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<'a> NlaValue<'a> for String {
    const KIND: ValueKind = ValueKind::String;
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.string(attr_type, self);
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.string_lenient().map(str::to_owned)
    }
}

impl<'a> NlaValue<'a> for &'a str {
    const KIND: ValueKind = ValueKind::String;
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.string(attr_type, self);
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.string_lenient()
    }
}

impl<'a> NlaValue<'a> for CString {
    const KIND: ValueKind = ValueKind::CString;
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self.as_bytes_with_nul());
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.cstr().map(CStr::to_owned)
    }
}

impl<'a> NlaValue<'a> for &'a CStr {
    const KIND: ValueKind = ValueKind::CString;
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self.to_bytes_with_nul());
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.cstr()
    }
}

impl<'a> NlaValue<'a> for Vec<u8> {
    const KIND: ValueKind = ValueKind::Binary;
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self);
    }
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        Ok(attr.payload().to_vec())
    }
}

impl<'a> NlaValue<'a> for &'a [u8] {
    const KIND: ValueKind = ValueKind::Binary;
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self);
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        Ok(attr.payload())
    }
}

impl<'a, const N: usize> NlaValue<'a> for [u8; N] {
    const KIND: ValueKind = ValueKind::Fixed(N);
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, self);
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.array::<N>()
    }
}

impl<'a> NlaValue<'a> for Ipv4Addr {
    const KIND: ValueKind = ValueKind::Fixed(4);
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, &self.octets());
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.array::<4>().map(Ipv4Addr::from)
    }
}

impl<'a> NlaValue<'a> for Ipv6Addr {
    const KIND: ValueKind = ValueKind::Fixed(16);
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, _: ByteOrder) {
        ae.raw(attr_type, &self.octets());
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        attr.array::<16>().map(Ipv6Addr::from)
    }
}

impl<'a> NlaValue<'a> for IpAddr {
    const KIND: ValueKind = ValueKind::IpAddr;
    #[inline]
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder) {
        match self {
            IpAddr::V4(a) => a.encode_value(ae, attr_type, order),
            IpAddr::V6(a) => a.encode_value(ae, attr_type, order),
        }
    }
    #[inline]
    fn decode_value(attr: &Attr<'a>, _: ByteOrder) -> Result<Self, DecodeError> {
        match attr.payload().len() {
            4 => attr.array::<4>().map(|b| IpAddr::V4(b.into())),
            _ => attr.array::<16>().map(|b| IpAddr::V6(b.into())),
        }
    }
}

/// A variable-width unsigned integer (the kernel's `NLA_UINT`): sent in 4 bytes when it fits,
/// 8 otherwise; either size is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uint(pub u64);

/// A variable-width signed integer (the kernel's `NLA_SINT`): sent in 4 bytes when it fits,
/// 8 otherwise; either size is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sint(pub i64);

impl<'a> NlaValue<'a> for Uint {
    const KIND: ValueKind = ValueKind::VarInt { signed: false };
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder) {
        match u32::try_from(self.0) {
            Ok(v) => ae.int(attr_type, v, order),
            Err(_) => ae.int(attr_type, self.0, order),
        };
    }
    fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError> {
        match attr.payload().len() {
            4 => attr.int::<u32>(order).map(|v| Uint(v.into())),
            _ => attr.int::<u64>(order).map(Uint),
        }
    }
}

impl<'a> NlaValue<'a> for Sint {
    const KIND: ValueKind = ValueKind::VarInt { signed: true };
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder) {
        match i32::try_from(self.0) {
            Ok(v) => ae.int(attr_type, v, order),
            Err(_) => ae.int(attr_type, self.0, order),
        };
    }
    fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError> {
        match attr.payload().len() {
            4 => attr.int::<i32>(order).map(|v| Sint(v.into())),
            _ => attr.int::<i64>(order).map(Sint),
        }
    }
}

/// Values with a length that `#[nla(max_len = N)]` limits: bytes of a string (without its
/// NUL) or of a binary payload.
pub trait NlaLen {
    /// The length checked against `max_len`.
    fn nla_len(&self) -> usize;
}

impl NlaLen for String {
    fn nla_len(&self) -> usize {
        self.len()
    }
}
impl NlaLen for &str {
    fn nla_len(&self) -> usize {
        self.len()
    }
}
impl NlaLen for CString {
    fn nla_len(&self) -> usize {
        self.as_bytes().len()
    }
}
impl NlaLen for &CStr {
    fn nla_len(&self) -> usize {
        self.to_bytes().len()
    }
}
impl NlaLen for Vec<u8> {
    fn nla_len(&self) -> usize {
        self.len()
    }
}
impl NlaLen for &[u8] {
    fn nla_len(&self) -> usize {
        self.len()
    }
}
impl<const N: usize> NlaLen for [u8; N] {
    fn nla_len(&self) -> usize {
        N
    }
}

/// A numeric enum carried as an integer, usually derived with
/// [`#[derive(NlEnum)]`](macro@crate::NlEnum). Values without a variant of their own map to
/// the enum's unknown variant, so decoding never fails on a new kernel's value.
pub trait NlEnum: Sized {
    /// The integer representation (`#[repr(u8)]`, ...).
    type Repr: Int;
    /// The variant of a value.
    fn from_repr(v: Self::Repr) -> Self;
    /// The value of a variant.
    fn to_repr(&self) -> Self::Repr;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Attrs;

    #[test]
    fn variable_width_integers() {
        let mut buf = Vec::new();
        let mut ae = AttributeEncoder::new(&mut buf);
        Uint(1).encode_value(&mut ae, 1, ByteOrder::Native);
        Uint(u64::MAX).encode_value(&mut ae, 2, ByteOrder::Native);
        Sint(-1).encode_value(&mut ae, 3, ByteOrder::Big);
        ae.finish().unwrap();
        let attrs: Vec<Attr<'_>> = Attrs::new(&buf).map(Result::unwrap).collect();
        assert_eq!(attrs[0].payload().len(), 4);
        assert_eq!(attrs[1].payload().len(), 8);
        assert_eq!(attrs[2].payload(), &[0xff; 4]);
        assert_eq!(
            Uint::decode_value(&attrs[0], ByteOrder::Native),
            Ok(Uint(1))
        );
        assert_eq!(
            Uint::decode_value(&attrs[1], ByteOrder::Native),
            Ok(Uint(u64::MAX))
        );
        assert_eq!(Sint::decode_value(&attrs[2], ByteOrder::Big), Ok(Sint(-1)));
    }
}
