//! Typed attribute sets: the traits behind `#[derive(NlAttrs, NlEnum, NlStruct)]`.
//!
//! - [`NlAttrs`]: a struct whose fields are attributes (and, optionally, a fixed family header
//!   before them). Encodes into a caller's buffer, decodes from a borrowed buffer in one pass.
//! - [`NlaValue`]: how one attribute payload maps to a Rust value (integers, strings, bytes,
//!   IP addresses, enums, C structs).
//! - [`NlEnum`]: a numeric enum with a variant for values it does not know.
//! - [`NlStruct`]: a fixed-layout C structure, encoded field by field.
//! - [`UnknownAttrs`]: attributes a struct does not declare, kept byte-exact and in order.
//! - [`Multi`]: a lazily decoded repeated attribute for borrowed structs.
//! - [`Indexed`]: a nest of nests whose types are indices (`CTRL_ATTR_OPS`, policy dumps).
//! - [`Policy`]: the validation policy the derive writes from the same declaration.
//!
//! See the [`NlAttrs`](macro@crate::NlAttrs) derive for the attribute reference.

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use core::ffi::CStr;
use core::fmt;
use core::marker::PhantomData;
use std::ffi::CString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::attr::{Attr, AttributeEncoder, Attrs, ATTR_HEADER_LEN, NLA_F_NESTED, NLA_TYPE_MASK};
use crate::enc::{self, ByteOrder, Int};
use crate::error::{DecodeError, EncodeError};
use crate::message::{Header, MessageRef, HEADER_LEN};

/// Options of one decode call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Reject attributes whose type the struct does not declare (even when an
    /// `#[nla(unknown)]` field could keep them) with [`DecodeError::UnknownAttribute`].
    pub strict: bool,
}

impl DecodeOptions {
    /// The default options: unknown attributes are kept or skipped.
    pub const fn new() -> DecodeOptions {
        DecodeOptions { strict: false }
    }

    /// Options that reject unknown attribute types.
    pub const fn strict() -> DecodeOptions {
        DecodeOptions { strict: true }
    }
}

/// A set of netlink attributes mapped to a struct, usually derived with
/// [`#[derive(NlAttrs)]`](macro@crate::NlAttrs).
///
/// The lifetime is that of the buffer decoded from: owned structs implement `NlAttrs<'a>` for
/// every `'a` (see [`NlAttrsOwned`]); a borrowed struct `S<'a>` implements `NlAttrs<'a>` and
/// borrows its strings and bytes from the buffer.
///
/// ```
/// use netlink::{NlAttrs, DecodeOptions};
///
/// #[derive(NlAttrs, Debug, PartialEq, Default)]
/// struct Link {
///     #[nla(type = 3)] name: Option<String>,
///     #[nla(type = 4)] mtu: u32,
/// }
///
/// let mut buf = Vec::new();
/// Link { name: Some("lo".into()), mtu: 65536 }.encode(&mut buf)?;
/// let link = Link::decode(&buf)?;
/// assert_eq!(link.mtu, 65536);
/// # Ok::<(), netlink::Error>(())
/// ```
pub trait NlAttrs<'a>: Sized {
    /// The validation policy: every declared attribute, its kind and checks.
    const POLICY: &'static Policy;

    /// Size of the fixed family header before the attributes (0 when there is none).
    const HEADER_LEN: usize = 0;

    /// Appends the family header (exactly [`HEADER_LEN`](Self::HEADER_LEN) bytes, unpadded).
    fn encode_header(&self, buf: &mut Vec<u8>) {
        let _ = buf;
    }

    /// Appends the attributes, in declaration order, then the captured unknown ones.
    fn encode_attrs(&self, ae: &mut AttributeEncoder<'_>) -> Result<(), EncodeError>;

    /// Builds the value from a family header (zero-filled when shorter) and the attributes.
    fn decode_parts(
        header: &'a [u8],
        attrs: Attrs<'a>,
        opts: &DecodeOptions,
    ) -> Result<Self, DecodeError>;

    /// The policy, as a function (for recursive and generic policies).
    fn policy() -> &'static Policy {
        Self::POLICY
    }

    /// Decodes from attributes alone (a nest): the family header, if any, is zero-filled.
    fn decode_attrs(attrs: Attrs<'a>, opts: &DecodeOptions) -> Result<Self, DecodeError> {
        Self::decode_parts(&[], attrs, opts)
    }

    /// Appends the family header (padded to 4 bytes) and the attributes to `buf`, returning the
    /// bytes written. On error `buf` is cut back to its old length.
    #[inline]
    fn encode(&self, buf: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let start = buf.len();
        let result = encode_body(self, buf);
        if result.is_err() {
            buf.truncate(start);
        }
        result.map(|()| buf.len().saturating_sub(start))
    }

    /// Encodes into a new buffer.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::new();
        self.encode(&mut buf)?;
        Ok(buf)
    }

    /// Appends a whole netlink message: `header` (its length filled in), the family header and
    /// the attributes. Returns the message's length.
    #[inline]
    fn encode_message(&self, header: Header, buf: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let start = buf.len();
        buf.extend_from_slice(&header.to_bytes());
        let result = encode_body(self, buf).and_then(|()| {
            let len = buf.len().saturating_sub(start);
            let len32 = u32::try_from(len).map_err(|_| EncodeError::MessageTooLong { len })?;
            if let Some(field) = buf.get_mut(start..).and_then(|b| b.get_mut(..4)) {
                field.copy_from_slice(&len32.to_ne_bytes());
            }
            Ok(len)
        });
        if result.is_err() {
            buf.truncate(start);
        }
        result
    }

    /// Decodes a family header and attributes with the default options.
    fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        Self::decode_with(buf, &DecodeOptions::default())
    }

    /// Decodes a family header and attributes with `opts`.
    fn decode_with(buf: &'a [u8], opts: &DecodeOptions) -> Result<Self, DecodeError> {
        decode_at(buf, 0, Self::HEADER_LEN, opts)
    }

    /// Decodes the payload of a message (offsets in errors count from the message's buffer).
    #[inline]
    fn decode_message(msg: &MessageRef<'a>, opts: &DecodeOptions) -> Result<Self, DecodeError> {
        decode_at(msg.data, msg.payload_offset(), Self::HEADER_LEN, opts)
    }
}

#[inline]
fn encode_body<'a, T: NlAttrs<'a>>(v: &T, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
    if T::HEADER_LEN > 0 {
        let start = buf.len();
        v.encode_header(buf);
        let written = buf.len().saturating_sub(start);
        buf.resize(
            start.saturating_add(enc::align(written).unwrap_or(written)),
            0,
        );
    }
    let mut ae = AttributeEncoder::new(buf);
    v.encode_attrs(&mut ae)?;
    ae.finish().map(|_| ())
}

#[inline]
fn decode_at<'a, T: NlAttrs<'a>>(
    buf: &'a [u8],
    offset: usize,
    header_len: usize,
    opts: &DecodeOptions,
) -> Result<T, DecodeError> {
    let header = buf
        .get(..header_len)
        .ok_or(DecodeError::FamilyHeaderTruncated {
            offset,
            expected: header_len,
            actual: buf.len(),
        })?;
    let start = enc::align(header_len).unwrap_or(usize::MAX).min(buf.len());
    let rest = buf.get(start..).unwrap_or_default();
    T::decode_parts(
        header,
        Attrs::with_offset(rest, offset.saturating_add(start)),
        opts,
    )
}

/// An [`NlAttrs`] type that borrows nothing from the buffer it is decoded from.
pub trait NlAttrsOwned: for<'a> NlAttrs<'a> {}
impl<T: for<'a> NlAttrs<'a>> NlAttrsOwned for T {}

/// How one attribute's payload maps to a Rust value.
///
/// Implemented for `u8`..`u64`, `i8`..`i64` (native or big-endian), `String`, `CString`,
/// `Vec<u8>`, `[u8; N]`, `Ipv4Addr`, `Ipv6Addr`, `IpAddr`, the borrowed `&'a str`,
/// `&'a CStr` and `&'a [u8]`, and by the [`NlEnum`](macro@crate::NlEnum) and
/// [`NlStruct`](macro@crate::NlStruct) derives.
pub trait NlaValue<'a>: Sized {
    /// What the payload looks like, for the validation policy.
    const KIND: ValueKind;

    /// Appends the attribute `attr_type` holding this value. `order` applies to integers.
    fn encode_value(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, order: ByteOrder);

    /// Reads the value from an attribute's payload. `order` applies to integers.
    fn decode_value(attr: &Attr<'a>, order: ByteOrder) -> Result<Self, DecodeError>;
}

/// The shape of an attribute payload, as recorded in a [`Policy`].
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
    /// A UTF-8 string, NUL-terminated when encoded.
    String,
    /// A C string: bytes up to a terminating NUL.
    CString,
    /// Any bytes.
    Binary,
    /// Exactly `n` bytes (`[u8; N]`, `Ipv4Addr`, `Ipv6Addr`).
    Fixed(usize),
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
    IpAddr,
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

/// `struct nla_bitfield32`: values and the mask of the bits they set (`NLA_BITFIELD32`).
#[cfg(feature = "derive")]
#[derive(crate::NlStruct, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bitfield32 {
    /// The bits' values.
    pub value: u32,
    /// Which bits `value` sets.
    pub selector: u32,
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

/// A fixed-layout C structure, usually derived with [`#[derive(NlStruct)]`](macro@crate::NlStruct).
///
/// Fields are laid out as C lays out a struct of the same fields (each at a multiple of its
/// alignment, the size a multiple of the largest alignment), encoded one by one without
/// `unsafe`. Decoding is tolerant of other kernel versions: a shorter payload is read as if
/// zero-filled, and a longer one keeps its extra bytes in the `#[nla(tail)]` field, if any, so
/// the round trip is byte-exact.
pub trait NlStruct: Sized {
    /// Size of the C structure in bytes (`sizeof`).
    const SIZE: usize;
    /// Its alignment in bytes.
    const ALIGN: usize;
    /// Writes the fields into `out` (exactly [`SIZE`](Self::SIZE) bytes, zeroed).
    fn put(&self, out: &mut [u8]);
    /// Reads the structure from `b`, zero-filling a short `b`; bytes past
    /// [`SIZE`](Self::SIZE) go to the tail field, if any.
    fn read_from(b: &[u8]) -> Self;
    /// Bytes kept past the known size (the `#[nla(tail)]` field), if any.
    fn tail(&self) -> &[u8] {
        &[]
    }
    /// Appends the structure's bytes, then its tail, to `buf`.
    fn write_to(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        buf.resize(start.saturating_add(Self::SIZE), 0);
        if let Some(out) = buf.get_mut(start..) {
            self.put(out);
        }
        buf.extend_from_slice(self.tail());
    }
}

impl<T: NlStruct> StructField for T {
    const SIZE: usize = T::SIZE;
    const ALIGN: usize = T::ALIGN;
    #[inline]
    fn put(&self, out: &mut [u8], _: ByteOrder) {
        NlStruct::put(self, out);
    }
    #[inline]
    fn get(b: &[u8], _: ByteOrder) -> Self {
        T::read_from(b.get(..T::SIZE).unwrap_or(b))
    }
}

/// A field of an [`NlStruct`]: an integer, a byte array, a numeric enum or a nested structure.
pub trait StructField: Sized {
    /// Size in bytes.
    const SIZE: usize;
    /// Alignment in bytes.
    const ALIGN: usize;
    /// Writes the field into `out` (exactly [`SIZE`](Self::SIZE) bytes).
    fn put(&self, out: &mut [u8], order: ByteOrder);
    /// Reads the field from `b` (at most [`SIZE`](Self::SIZE) bytes; missing ones are zero).
    fn get(b: &[u8], order: ByteOrder) -> Self;
}

macro_rules! int_field {
    ($($t:ty),*) => {$(
        impl StructField for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            const ALIGN: usize = core::mem::align_of::<$t>();
            #[inline]
            fn put(&self, out: &mut [u8], order: ByteOrder) {
                if let Some(exact) = out.get_mut(..core::mem::size_of::<$t>()) {
                    exact.copy_from_slice(self.write(order).as_ref());
                }
            }
            #[inline]
            fn get(b: &[u8], order: ByteOrder) -> Self {
                if let Some(exact) = b.get(..core::mem::size_of::<$t>()) {
                    return <$t as Int>::read(exact, order).unwrap_or_default();
                }
                let mut arr = [0u8; core::mem::size_of::<$t>()];
                for (d, s) in arr.iter_mut().zip(b) {
                    *d = *s;
                }
                <$t as Int>::read(&arr, order).unwrap_or_default()
            }
        }
    )*};
}
int_field!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<const N: usize> StructField for [u8; N] {
    const SIZE: usize = N;
    const ALIGN: usize = 1;
    fn put(&self, out: &mut [u8], _: ByteOrder) {
        for (d, s) in out.iter_mut().zip(self) {
            *d = *s;
        }
    }
    fn get(b: &[u8], _: ByteOrder) -> Self {
        let mut arr = [0u8; N];
        for (d, s) in arr.iter_mut().zip(b) {
            *d = *s;
        }
        arr
    }
}

/// Rounds `offset` up to a multiple of `align` (a power of two) in constant context.
pub const fn align_up(offset: usize, align: usize) -> usize {
    if align <= 1 {
        return offset;
    }
    let Some(v) = offset.checked_add(align.wrapping_sub(1)) else {
        return offset;
    };
    match v.checked_div(align) {
        Some(q) => match q.checked_mul(align) {
            Some(r) => r,
            None => offset,
        },
        None => offset,
    }
}

/// Attributes of types a struct does not declare, kept in order and byte-exact (type flags
/// included): what an `#[nla(unknown)]` field holds.
///
/// They are stored back to back as encoded attributes in one buffer, which allocates only when
/// there is something to keep.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct UnknownAttrs {
    buf: Vec<u8>,
}

impl UnknownAttrs {
    /// No attribute.
    pub const fn new() -> UnknownAttrs {
        UnknownAttrs { buf: Vec::new() }
    }

    /// Keeps a copy of `attr`, flags included.
    pub fn push(&mut self, attr: &Attr<'_>) {
        self.push_raw(attr.raw_type(), attr.payload());
    }

    /// Appends an attribute with type `raw_type` (flags included) and `payload`. A payload too
    /// long for an attribute is dropped (a decoded attribute always fits).
    pub fn push_raw(&mut self, raw_type: u16, payload: &[u8]) {
        let mut ae = AttributeEncoder::new(&mut self.buf);
        ae.raw(raw_type, payload);
    }

    /// The kept attributes, in order.
    pub fn iter(&self) -> Attrs<'_> {
        Attrs::new(&self.buf)
    }

    /// Number of kept attributes.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The kept attributes as encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends the kept attributes, unchanged, to an encoder's buffer.
    pub fn encode_into(&self, ae: &mut AttributeEncoder<'_>) {
        for a in self.iter().flatten() {
            ae.raw(a.raw_type(), a.payload());
        }
    }
}

impl fmt::Debug for UnknownAttrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for a in self.iter().flatten() {
            l.entry(&format_args!(
                "{{type: {}, flags: {:#x}, len: {}}}",
                a.attr_type(),
                a.type_flags(),
                a.payload().len()
            ));
        }
        l.finish()
    }
}

/// A repeated attribute of a borrowed struct (`#[nla(multi)]` with a `Multi<'a, T>` field):
/// decoded lazily, without allocating.
///
/// Decoding the struct checks every occurrence once; iterating decodes them again (cheap for
/// borrowed values) in the order they were sent. To encode, build one from a slice.
///
/// ```
/// use netlink::{Multi, NlAttrs};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct Names<'a> {
///     #[nla(type = 1, multi)] names: Multi<'a, &'a str>,
/// }
///
/// let names = ["eth0", "lo"];
/// let buf = Names { names: Multi::from_slice(&names) }.to_bytes()?;
/// let decoded = Names::decode(&buf)?;
/// assert_eq!(decoded.names.iter().collect::<Vec<_>>(), ["eth0", "lo"]);
/// assert_eq!(decoded.names.len(), 2);
/// # Ok::<(), netlink::Error>(())
/// ```
#[derive(Clone)]
pub struct Multi<'a, T> {
    repr: MultiRepr<'a, T>,
}

#[derive(Clone)]
enum MultiRepr<'a, T> {
    Slice(&'a [T]),
    Decoded {
        attrs: Attrs<'a>,
        attr_type: u16,
        count: usize,
        decode: DecodeFn<'a, T>,
        opts: DecodeOptions,
    },
}

/// How a [`Multi`] decodes one occurrence.
pub type DecodeFn<'a, T> = fn(&Attr<'a>, &DecodeOptions) -> Result<T, DecodeError>;

impl<'a, T> Multi<'a, T> {
    /// Occurrences given as a slice (to encode).
    pub const fn from_slice(values: &'a [T]) -> Multi<'a, T> {
        Multi {
            repr: MultiRepr::Slice(values),
        }
    }

    /// The occurrences of `attr_type` in `attrs`, all already checked with `decode`.
    #[doc(hidden)]
    pub fn from_attrs(
        attrs: Attrs<'a>,
        attr_type: u16,
        count: usize,
        decode: DecodeFn<'a, T>,
        opts: DecodeOptions,
    ) -> Multi<'a, T> {
        Multi {
            repr: MultiRepr::Decoded {
                attrs,
                attr_type,
                count,
                decode,
                opts,
            },
        }
    }

    /// Number of occurrences.
    pub fn len(&self) -> usize {
        match &self.repr {
            MultiRepr::Slice(s) => s.len(),
            MultiRepr::Decoded { count, .. } => *count,
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: Clone> Multi<'a, T> {
    /// The occurrences, in order.
    pub fn iter(&self) -> MultiIter<'a, T> {
        MultiIter {
            repr: self.repr.clone(),
            pos: 0,
        }
    }
}

impl<T> Default for Multi<'_, T> {
    fn default() -> Self {
        Multi::from_slice(&[])
    }
}

impl<T: Clone + fmt::Debug> fmt::Debug for Multi<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone + PartialEq> PartialEq for Multi<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Clone> IntoIterator for &Multi<'a, T> {
    type Item = T;
    type IntoIter = MultiIter<'a, T>;
    fn into_iter(self) -> MultiIter<'a, T> {
        self.iter()
    }
}

/// Iterator over the occurrences of a [`Multi`].
#[derive(Clone)]
pub struct MultiIter<'a, T> {
    repr: MultiRepr<'a, T>,
    pos: usize,
}

impl<T: Clone> Iterator for MultiIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            MultiRepr::Slice(s) => {
                let v = s.get(self.pos).cloned();
                self.pos = self.pos.saturating_add(1);
                v
            }
            MultiRepr::Decoded {
                attrs,
                attr_type,
                decode,
                opts,
                ..
            } => {
                for a in attrs.by_ref() {
                    let Ok(a) = a else { return None };
                    if a.attr_type() == *attr_type {
                        // Every occurrence decoded when the struct was: errors cannot happen.
                        return decode(&a, opts).ok();
                    }
                }
                None
            }
        }
    }
}

/// A nest of nests whose attribute types are indices or keys (the kernel's "indexed array"):
/// `CTRL_ATTR_OPS` (1, 2, 3, ... each a nested op), policy dumps (attribute type -> nested
/// policy). Indices are kept, so the round trip is exact. Use it as an `#[nla(nested)]` field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Indexed<T> {
    /// The entries, in order: index (the nested attribute's type) and value.
    pub entries: Vec<(u16, T)>,
}

impl<T> Indexed<T> {
    /// Entries numbered 1, 2, 3, ... as the kernel numbers arrays (at most 65,535).
    pub fn from_values(values: impl IntoIterator<Item = T>) -> Indexed<T> {
        Indexed {
            entries: (1..=u16::MAX).zip(values).collect(),
        }
    }

    /// The values, without their indices.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The value at `index`, if any.
    pub fn get(&self, index: u16) -> Option<&T> {
        self.entries
            .iter()
            .find_map(|(i, v)| (*i == index).then_some(v))
    }
}

impl<'a, T: NlAttrs<'a>> NlAttrs<'a> for Indexed<T> {
    const POLICY: &'static Policy = &Policy {
        name: "Indexed",
        header_len: 0,
        fields: &[],
        elements: Some(T::policy),
        captures_unknown: false,
    };

    fn encode_attrs(&self, ae: &mut AttributeEncoder<'_>) -> Result<(), EncodeError> {
        for (i, v) in &self.entries {
            if *i & !NLA_TYPE_MASK != 0 {
                return Err(EncodeError::Invalid {
                    attr_type: *i,
                    reason: "index uses the flag bits of the type".into(),
                });
            }
            ae.nested(*i, |n| v.encode_attrs(n));
        }
        ae.error().cloned().map_or(Ok(()), Err)
    }

    fn decode_parts(
        _: &'a [u8],
        attrs: Attrs<'a>,
        opts: &DecodeOptions,
    ) -> Result<Self, DecodeError> {
        let mut entries = Vec::new();
        for a in attrs {
            let a = a?;
            entries.push((a.attr_type(), T::decode_attrs(a.nested()?, opts)?));
        }
        Ok(Indexed { entries })
    }
}

/// What a declared attribute holds, in a [`Policy`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum FieldKind {
    /// A payload of some shape.
    Value(ValueKind),
    /// A flag: present (empty payload) or absent.
    Flag,
    /// A nested attribute set with its own policy.
    Nested(fn() -> &'static Policy),
}

/// One declared attribute of a [`Policy`].
#[derive(Debug, Clone, Copy)]
pub struct FieldPolicy {
    /// The Rust field name.
    pub name: &'static str,
    /// The attribute type.
    pub attr_type: u16,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether a decoded set must hold it.
    pub required: bool,
    /// Whether it may repeat.
    pub multi: bool,
    /// Whether integers travel big-endian.
    pub big_endian: bool,
    /// `max_len`: longest string (without NUL) or binary payload.
    pub max_len: Option<usize>,
    /// `min`: smallest integer value.
    pub min: Option<i128>,
    /// `max`: largest integer value.
    pub max: Option<i128>,
}

impl FieldPolicy {
    /// A field policy (for generated code).
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        attr_type: u16,
        kind: FieldKind,
        required: bool,
        multi: bool,
        big_endian: bool,
        max_len: Option<usize>,
        min: Option<i128>,
        max: Option<i128>,
    ) -> FieldPolicy {
        FieldPolicy {
            name,
            attr_type,
            kind,
            required,
            multi,
            big_endian,
            max_len,
            min,
            max,
        }
    }
}

/// The validation policy of an attribute set: what the derive knows about every declared
/// attribute. [`Policy::validate`] checks raw bytes against it without building the struct.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The Rust type name.
    pub name: &'static str,
    /// Size of the family header before the attributes.
    pub header_len: usize,
    /// The declared attributes.
    pub fields: &'static [FieldPolicy],
    /// For sets whose every attribute is a nest of one policy ([`Indexed`]): that policy.
    pub elements: Option<fn() -> &'static Policy>,
    /// Whether the struct keeps unknown attributes.
    pub captures_unknown: bool,
}

impl Policy {
    /// A policy (for generated code).
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        header_len: usize,
        fields: &'static [FieldPolicy],
        captures_unknown: bool,
    ) -> Policy {
        Policy {
            name,
            header_len,
            fields,
            elements: None,
            captures_unknown,
        }
    }

    /// The declared attribute of type `attr_type`.
    pub fn field(&self, attr_type: u16) -> Option<&FieldPolicy> {
        self.fields.iter().find(|f| f.attr_type == attr_type)
    }

    /// Checks attributes against the policy: sizes, strings, `max_len`, `min`/`max`, required
    /// attributes, single occurrences of non-repeated ones, and, when `nest_flag` is set,
    /// `NLA_F_NESTED` on every nest (the kernel omits it in some older families). Attributes
    /// of undeclared types are not checked. Occurrences are counted for the first 64 declared
    /// attributes only.
    pub fn validate(&self, attrs: Attrs<'_>, nest_flag: bool) -> Result<(), DecodeError> {
        let set_offset = attrs.offset();
        let mut seen = [0u8; 64];
        for a in attrs {
            let a = a?;
            if let Some(elements) = self.elements {
                check_nest(&a, nest_flag)?;
                elements().validate(a.nested()?, nest_flag)?;
                continue;
            }
            let Some((i, f)) = self
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.attr_type == a.attr_type())
            else {
                continue;
            };
            if let Some(count) = seen.get_mut(i) {
                *count = count.saturating_add(1);
                if *count > 1 && !f.multi {
                    return Err(a.invalid(format!("`{}` repeated", f.name)));
                }
            }
            match f.kind {
                FieldKind::Flag => a.expect_len(0)?,
                FieldKind::Nested(p) => {
                    check_nest(&a, nest_flag)?;
                    let p = p();
                    let (_, attrs) = a.nested_with_header(p.header_len)?;
                    p.validate(attrs, nest_flag)?;
                }
                FieldKind::Value(v) => validate_value(&a, f, v)?,
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.required && seen.get(i).is_some_and(|c| *c == 0) {
                return Err(DecodeError::MissingAttribute {
                    offset: set_offset,
                    attr_type: f.attr_type,
                    field: f.name,
                });
            }
        }
        Ok(())
    }
}

impl Policy {
    /// The path of the attribute at `offset` (an error's [`offset`](DecodeError::offset)):
    /// `CtrlMessage.ops[2].id` for the `id` of the second entry of `ops`. `attrs` are the
    /// attributes the error's offsets refer to (after the family header, with its offset).
    ///
    /// ```
    /// use netlink::genl::CtrlMessage;
    /// use netlink::{Attrs, Indexed, NlAttrs};
    /// use netlink::genl::Op;
    ///
    /// let msg = CtrlMessage {
    ///     ops: Some(Indexed::from_values([Op { id: Some(3), ..Default::default() }])),
    ///     ..Default::default()
    /// };
    /// let mut buf = msg.to_bytes()?;
    /// buf[12] = 6; // the op id's length: a 2-byte payload instead of 4
    /// let err = CtrlMessage::decode(&buf).unwrap_err();
    /// let attrs = Attrs::with_offset(&buf[4..], 4);
    /// let path = CtrlMessage::POLICY.path_at(attrs, err.offset().unwrap());
    /// assert_eq!(path.as_deref(), Some("CtrlMessage.ops[1].id"));
    /// # Ok::<(), netlink::Error>(())
    /// ```
    pub fn path_at(&self, attrs: Attrs<'_>, offset: usize) -> Option<String> {
        let mut out = String::from(self.name);
        self.path_into(attrs, offset, &mut out).then_some(out)
    }

    fn path_into(&self, attrs: Attrs<'_>, offset: usize, out: &mut String) -> bool {
        for a in attrs {
            let Ok(a) = a else { return false };
            let start = a.offset();
            let end = start.saturating_add(ATTR_HEADER_LEN.saturating_add(a.payload().len()));
            if offset < start || offset >= end {
                continue;
            }
            let inner = if let Some(elements) = self.elements {
                out.push_str(&format!("[{}]", a.attr_type()));
                Some(elements)
            } else {
                match self.field(a.attr_type()) {
                    Some(f) => {
                        let short = f.name.rsplit('.').next().unwrap_or(f.name);
                        out.push('.');
                        out.push_str(short);
                        match f.kind {
                            FieldKind::Nested(p) => Some(p),
                            _ => None,
                        }
                    }
                    None => {
                        out.push_str(&format!(".<type {}>", a.attr_type()));
                        None
                    }
                }
            };
            if offset != start {
                if let Some(p) = inner {
                    let p = p();
                    if let Ok((_, nested)) = a.nested_with_header(p.header_len) {
                        let _ = p.path_into(nested, offset, out);
                    }
                }
            }
            return true;
        }
        false
    }
}

fn check_nest(a: &Attr<'_>, nest_flag: bool) -> Result<(), DecodeError> {
    if nest_flag && !a.is_nested() {
        return Err(a.invalid("nest without NLA_F_NESTED"));
    }
    Ok(())
}

fn validate_value(a: &Attr<'_>, f: &FieldPolicy, v: ValueKind) -> Result<(), DecodeError> {
    let order = if f.big_endian {
        ByteOrder::Big
    } else {
        ByteOrder::Native
    };
    let len = match v {
        ValueKind::Int { size, signed } => {
            let n = read_int(a, size, signed, order)?;
            if let Some(r) = range_error(&n, f.min, f.max) {
                return Err(a.invalid(format!("`{}`: {r}", f.name)));
            }
            return Ok(());
        }
        ValueKind::String => {
            let s = a.string()?;
            s.len()
        }
        ValueKind::VarInt { signed } => {
            let size = if a.payload().len() == 4 { 4 } else { 8 };
            let n = read_int(a, size, signed, order)?;
            if let Some(r) = range_error(&n, f.min, f.max) {
                return Err(a.invalid(format!("`{}`: {r}", f.name)));
            }
            return Ok(());
        }
        ValueKind::CString => a.cstr()?.to_bytes().len(),
        ValueKind::Binary | ValueKind::Struct { .. } => a.payload().len(),
        ValueKind::Fixed(n) => {
            a.expect_len(n)?;
            n
        }
        ValueKind::IpAddr => {
            if a.payload().len() != 4 {
                a.expect_len(16)?;
            }
            a.payload().len()
        }
    };
    match f.max_len {
        Some(max) if len > max => {
            Err(a.invalid(format!("`{}`: length {len} above max_len {max}", f.name)))
        }
        _ => Ok(()),
    }
}

fn read_int(
    a: &Attr<'_>,
    size: usize,
    signed: bool,
    order: ByteOrder,
) -> Result<i128, DecodeError> {
    Ok(match (size, signed) {
        (1, false) => a.int::<u8>(order)?.into(),
        (2, false) => a.int::<u16>(order)?.into(),
        (4, false) => a.int::<u32>(order)?.into(),
        (8, false) => a.int::<u64>(order)?.into(),
        (1, true) => a.int::<i8>(order)?.into(),
        (2, true) => a.int::<i16>(order)?.into(),
        (4, true) => a.int::<i32>(order)?.into(),
        _ => a.int::<i64>(order)?.into(),
    })
}

/// Describes why `v` is outside `[min, max]`, or `None` when it is inside.
pub fn range_error<T: PartialOrd + fmt::Display>(
    v: &T,
    min: Option<T>,
    max: Option<T>,
) -> Option<String> {
    if let Some(lo) = min {
        if *v < lo {
            return Some(format!("value {v} below min {lo}"));
        }
    }
    if let Some(hi) = max {
        if *v > hi {
            return Some(format!("value {v} above max {hi}"));
        }
    }
    None
}

/// What generated code needs; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::{
        align_up, range_error, DecodeFn, DecodeOptions, FieldKind, FieldPolicy, Indexed, Multi,
        NlAttrs, NlEnum, NlStruct, NlaLen, NlaValue, Policy, StructField, UnknownAttrs, ValueKind,
    };
    pub use crate::attr::{Attr, AttributeEncoder, Attrs, NLA_TYPE_MASK};
    pub use crate::enc::{ByteOrder, Int};
    pub use crate::error::{DecodeError, EncodeError};
    pub use core::mem::{align_of, size_of};
    pub use core::option::Option::{self, None, Some};
    pub use core::result::Result::{self, Err, Ok};
    pub use std::boxed::Box;
    pub use std::vec::Vec;

    pub use crate::__nla_if_testing as if_testing;
    #[cfg(feature = "testing")]
    pub use crate::roundtrip::{arbitrary_multi, arbitrary_unknown, arbitrary_vec, Arbitrary, Rng};
    pub use crate::submsg::__private::*;

    use super::{Attr as A, DecodeError as D, EncodeError as E};

    /// A failed check of a decoded value.
    #[cold]
    pub fn decode_invalid(a: &A<'_>, field: &str, reason: String) -> D {
        a.invalid(format!("`{field}`: {reason}"))
    }

    /// A failed check of a value to encode.
    #[cold]
    pub fn encode_invalid(attr_type: u16, field: &str, reason: String) -> E {
        E::Invalid {
            attr_type,
            reason: format!("`{field}`: {reason}"),
        }
    }

    /// A string or binary value longer than `max_len`.
    #[inline]
    pub fn len_error<T: NlaLen + ?Sized>(v: &T, max: usize) -> Option<String> {
        let n = v.nla_len();
        (n > max).then(|| format!("length {n} above max_len {max}"))
    }

    /// A required attribute that is missing.
    #[cold]
    pub fn missing(offset: usize, attr_type: u16, field: &'static str) -> D {
        D::MissingAttribute {
            offset,
            attr_type,
            field,
        }
    }

    /// An attribute type the struct does not declare, in strict mode.
    #[cold]
    pub fn unknown(a: &A<'_>) -> D {
        D::UnknownAttribute {
            offset: a.offset(),
            attr_type: a.attr_type(),
        }
    }

    /// The first error an encoder kept, if any.
    #[inline]
    pub fn encoder_result(ae: &AttributeEncoder<'_>) -> Result<(), E> {
        match ae.error() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// What a derive that failed to compile decodes to (never runs: the build fails).
    #[cold]
    pub fn derive_failed() -> D {
        D::Invalid {
            offset: 0,
            attr_type: 0,
            reason: "derive failed".into(),
        }
    }

    /// Writes one field of a C structure at `offset` of the structure starting at `start`.
    #[inline]
    pub fn put_field<F: StructField>(
        buf: &mut [u8],
        start: usize,
        offset: usize,
        v: &F,
        order: ByteOrder,
    ) {
        let at = start.saturating_add(offset);
        if let Some(out) = buf.get_mut(at..).and_then(|b| b.get_mut(..F::SIZE)) {
            v.put(out, order);
        }
    }

    /// Reads one field of a C structure at `offset` of `b`, zero-filling missing bytes.
    #[inline]
    pub fn get_field<F: StructField>(b: &[u8], offset: usize, order: ByteOrder) -> F {
        F::get(b.get(offset..).unwrap_or_default(), order)
    }

    /// The bytes of `b` past a structure of `size` bytes.
    pub fn tail(b: &[u8], size: usize) -> Vec<u8> {
        b.get(size..).unwrap_or_default().to_vec()
    }

    /// Appends a C structure as an attribute.
    pub fn encode_struct<S: NlStruct>(s: &S, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        ae.with(attr_type, |buf| {
            s.write_to(buf);
            Ok(())
        });
    }

    /// The policy kind of a C structure.
    pub const fn struct_kind(size: usize) -> ValueKind {
        ValueKind::Struct { size }
    }

    /// Keeps an unknown attribute.
    #[inline]
    pub fn keep(u: &mut UnknownAttrs, a: &A<'_>) {
        u.push(a);
    }

    /// The nested attributes of `a`.
    #[inline]
    pub fn nested<'a>(a: &A<'a>) -> Result<Attrs<'a>, D> {
        a.nested()
    }

    /// The offset of an attribute set (for errors about missing attributes).
    #[inline]
    pub fn set_offset(attrs: &Attrs<'_>) -> usize {
        attrs.offset()
    }

    /// The header bit that marks nests, for checks.
    pub const NESTED: u16 = super::NLA_F_NESTED;
    /// Size of an attribute header.
    pub const ATTR_HEADER: usize = super::ATTR_HEADER_LEN;
    /// Size of a message header.
    pub const MESSAGE_HEADER: usize = super::HEADER_LEN;
    /// A marker for unused lifetimes.
    pub type Marker<'a> = super::PhantomData<&'a ()>;
}

/// Expands its input only when the `testing` feature of `netlink` is on (generated code uses
/// it for value generators).
#[cfg(feature = "testing")]
#[doc(hidden)]
#[macro_export]
macro_rules! __nla_if_testing {
    ($($t:tt)*) => { $($t)* };
}

/// Expands its input only when the `testing` feature of `netlink` is on (generated code uses
/// it for value generators).
#[cfg(not(feature = "testing"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __nla_if_testing {
    ($($t:tt)*) => {};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_up_rounds_to_powers_of_two() {
        assert_eq!(align_up(0, 4), 0);
        assert_eq!(align_up(1, 4), 4);
        assert_eq!(align_up(9, 8), 16);
        assert_eq!(align_up(7, 1), 7);
        assert_eq!(align_up(usize::MAX, 8), usize::MAX);
    }

    #[test]
    fn unknown_attrs_keep_flags_and_order() {
        let mut u = UnknownAttrs::new();
        assert!(u.is_empty());
        u.push_raw(5 | NLA_F_NESTED, &[1, 2, 3]);
        u.push_raw(9, &[]);
        assert_eq!(u.len(), 2);
        assert_eq!(u.as_bytes(), &[7, 0, 5, 0x80, 1, 2, 3, 0, 4, 0, 9, 0]);
        let mut buf = Vec::new();
        let mut ae = AttributeEncoder::new(&mut buf);
        u.encode_into(&mut ae);
        ae.finish().unwrap();
        assert_eq!(buf, u.as_bytes());
        assert_eq!(
            format!("{u:?}"),
            "[{type: 5, flags: 0x8000, len: 3}, {type: 9, flags: 0x0, len: 0}]"
        );
    }

    #[test]
    fn range_and_length_errors() {
        assert_eq!(range_error(&5u8, Some(1), Some(9)), None);
        assert_eq!(
            range_error(&0u8, Some(1), None).as_deref(),
            Some("value 0 below min 1")
        );
        assert_eq!(
            range_error(&-3i8, None, Some(-4)).as_deref(),
            Some("value -3 above max -4")
        );
        assert_eq!(__private::len_error(&"abc", 3), None);
        assert_eq!(
            __private::len_error(&vec![0u8; 4], 3).as_deref(),
            Some("length 4 above max_len 3")
        );
    }

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

    #[test]
    fn indexed_rejects_flag_bits_in_indices() {
        #[derive(Debug, PartialEq)]
        struct Empty;
        impl<'a> NlAttrs<'a> for Empty {
            const POLICY: &'static Policy = &Policy::new("Empty", 0, &[], false);
            fn encode_attrs(&self, _: &mut AttributeEncoder<'_>) -> Result<(), EncodeError> {
                Ok(())
            }
            fn decode_parts(
                _: &'a [u8],
                _: Attrs<'a>,
                _: &DecodeOptions,
            ) -> Result<Self, DecodeError> {
                Ok(Empty)
            }
        }
        let bad = Indexed {
            entries: vec![(0x8001, Empty)],
        };
        assert!(bad.to_bytes().is_err());
        let good = Indexed::from_values([Empty, Empty]);
        let buf = good.to_bytes().unwrap();
        assert_eq!(buf, [4, 0, 1, 0x80, 4, 0, 2, 0x80]);
        assert_eq!(Indexed::<Empty>::decode(&buf).unwrap(), good);
        assert!(<Indexed<Empty> as NlAttrs>::POLICY
            .validate(Attrs::new(&buf), true)
            .is_ok());
        assert!(<Indexed<Empty> as NlAttrs>::POLICY
            .validate(Attrs::new(&[4, 0, 1, 0]), true)
            .is_err());
    }
}
