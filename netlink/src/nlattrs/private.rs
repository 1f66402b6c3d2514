//! What generated code needs; not a public API.

pub use super::family::family_error;
pub use super::{
    align_up, range_error, AttrOrder, DecodeFn, DecodeOptions, FamilyNumber, FieldKind,
    FieldPolicy, Indexed, Multi, NlAttrs, NlEnum, NlStruct, NlaFamilyValue, NlaLen, NlaValue,
    Policy, StructField, UnknownAttrs, ValueKind,
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
pub use crate::roundtrip::{
    arbitrary_family, arbitrary_multi, arbitrary_order, arbitrary_unknown, arbitrary_vec,
    Arbitrary, Rng,
};
pub use crate::submsg::__private::*;

use crate::attr::Attr as A;
use crate::error::{DecodeError as D, EncodeError as E};

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
#[inline]
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
pub const NESTED: u16 = crate::attr::NLA_F_NESTED;
/// Size of an attribute header.
pub const ATTR_HEADER: usize = crate::attr::ATTR_HEADER_LEN;
/// Size of a message header.
pub const MESSAGE_HEADER: usize = crate::message::HEADER_LEN;
/// A marker for unused lifetimes.
pub type Marker<'a> = core::marker::PhantomData<&'a ()>;

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
