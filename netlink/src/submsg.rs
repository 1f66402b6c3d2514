//! Sub-messages: an attribute whose attribute set is chosen by the value of another attribute
//! (the kernel specs' `sub-message`), such as `IFLA_INFO_DATA`, whose layout depends on
//! `IFLA_INFO_KIND` (`"veth"`, `"bridge"`, `"vxlan"`, ...).
//!
//! An enum deriving [`NlSubMessage`](macro@crate::NlSubMessage) lists the known selectors, one
//! variant each, and one `#[nla(other)]` variant that keeps the payload of any other selector
//! byte for byte, with its type flags ([`Opaque`]). A struct field `#[nla(type = N, sub_message = kind)]` of that enum type is
//! decoded according to the struct's field `kind` (a string attribute), whichever order the
//! two attributes arrive in.
//!
//! ```
//! use netlink::submsg::Opaque;
//! use netlink::{NlAttrs, NlSubMessage};
//!
//! #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
//! struct VlanData {
//!     #[nla(type = 1)] id: Option<u16>,
//! }
//!
//! #[derive(NlSubMessage, Debug, Clone, PartialEq)]
//! enum InfoData {
//!     #[nla(selector = "vlan")] Vlan(VlanData),
//!     #[nla(other)] Other(Opaque),
//! }
//!
//! #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
//! struct LinkInfo {
//!     #[nla(type = 1)] kind: Option<String>,
//!     #[nla(type = 2, sub_message = kind)] data: Option<InfoData>,
//! }
//!
//! let info = LinkInfo {
//!     kind: Some("vlan".into()),
//!     data: Some(InfoData::Vlan(VlanData { id: Some(7) })),
//! };
//! let buf = info.to_bytes()?;
//! assert_eq!(LinkInfo::decode(&buf)?, info);
//!
//! // A kind without a variant keeps its payload as bytes, and its type flags.
//! let data = InfoData::Other(Opaque::nest(vec![4, 0, 1, 0]));
//! let other = LinkInfo { kind: Some("wireguard".into()), data: Some(data) };
//! let buf = other.to_bytes()?;
//! assert_eq!(LinkInfo::decode(&buf)?, other);
//! assert_eq!(LinkInfo::decode(&buf)?.to_bytes()?, buf);
//! # Ok::<(), netlink::Error>(())
//! ```

use crate::attr::{Attr, AttributeEncoder, NLA_F_NESTED, NLA_F_NET_BYTEORDER};
use crate::error::{DecodeError, EncodeError};
use crate::nlattrs::{DecodeOptions, NlAttrs, Policy};

/// The payload of a sub-message whose selector has no variant (or is missing), byte for
/// byte, with the type flags it arrived with: what the `#[nla(other)]` variant of an
/// [`NlSubMessage`](macro@crate::NlSubMessage) enum holds for an exact round trip.
///
/// `B` is `Vec<u8>` (owned) or `&'a [u8]` (borrowed). Encoding writes the payload back under
/// the field's attribute type with the same flags (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`):
/// a nest sent with `NLA_F_NESTED` goes back with it, one sent without goes back without.
///
/// ```
/// use netlink::submsg::Opaque;
///
/// let data = Opaque::nest(vec![8, 0, 1, 0, 7, 0, 0, 0]);
/// assert!(data.is_nested());
/// assert_eq!(Opaque::new(vec![1, 2]).flags, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Opaque<B = Vec<u8>> {
    /// The type flags of the attribute: `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER` bits.
    pub flags: u16,
    /// The payload.
    pub payload: B,
}

impl<B> Opaque<B> {
    /// A payload without type flags.
    pub const fn new(payload: B) -> Opaque<B> {
        Opaque { flags: 0, payload }
    }

    /// A payload written as a nest (`NLA_F_NESTED`).
    pub const fn nest(payload: B) -> Opaque<B> {
        Opaque {
            flags: NLA_F_NESTED,
            payload,
        }
    }

    /// Whether it arrived (or will be written) with `NLA_F_NESTED`.
    pub const fn is_nested(&self) -> bool {
        self.flags & NLA_F_NESTED != 0
    }
}

/// What the `#[nla(other)]` variant of a sub-message can hold: [`Opaque`] (the payload and its
/// type flags), or the payload alone (`Vec<u8>`, `&'a [u8]`), which writes it back without
/// type flags.
pub trait OpaqueValue<'a>: Sized {
    /// Keeps the payload (and, if it can, the type flags) of `attr`.
    fn from_attr(attr: &Attr<'a>) -> Self;
    /// Appends the kept attribute as type `attr_type`.
    fn encode_opaque(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16);
}

const FLAGS: u16 = NLA_F_NESTED | NLA_F_NET_BYTEORDER;

impl<'a> OpaqueValue<'a> for Opaque<Vec<u8>> {
    fn from_attr(attr: &Attr<'a>) -> Self {
        Opaque {
            flags: attr.raw_type() & FLAGS,
            payload: attr.payload().to_vec(),
        }
    }
    fn encode_opaque(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        ae.raw(attr_type | (self.flags & FLAGS), &self.payload);
    }
}

impl<'a> OpaqueValue<'a> for Opaque<&'a [u8]> {
    fn from_attr(attr: &Attr<'a>) -> Self {
        Opaque {
            flags: attr.raw_type() & FLAGS,
            payload: attr.payload(),
        }
    }
    fn encode_opaque(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        ae.raw(attr_type | (self.flags & FLAGS), self.payload);
    }
}

impl<'a> OpaqueValue<'a> for Vec<u8> {
    fn from_attr(attr: &Attr<'a>) -> Self {
        attr.payload().to_vec()
    }
    fn encode_opaque(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        ae.raw(attr_type, self);
    }
}

impl<'a> OpaqueValue<'a> for &'a [u8] {
    fn from_attr(attr: &Attr<'a>) -> Self {
        attr.payload()
    }
    fn encode_opaque(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        ae.raw(attr_type, self);
    }
}

/// A known selector and the policy of the attribute set it chooses.
pub type Selector = (&'static str, fn() -> &'static Policy);

/// An attribute set chosen by a selector (a string attribute of the enclosing set), usually
/// derived with [`#[derive(NlSubMessage)]`](macro@crate::NlSubMessage).
pub trait NlSubMessage<'a>: Sized {
    /// The known selectors and the policy of the attribute set each one selects.
    const SELECTORS: &'static [Selector];

    /// The selector this value's variant stands for (`None` for the opaque variant).
    fn selector(&self) -> Option<&'static str>;

    /// Appends the attribute `attr_type` holding this value: a nest for a known variant (with
    /// `NLA_F_NESTED` when `nested_flag`), the kept bytes for the opaque one.
    fn encode_sub(&self, ae: &mut AttributeEncoder<'_>, attr_type: u16, nested_flag: bool);

    /// Decodes the payload of `attr` as the set that `selector` names; an unknown or absent
    /// selector gives the opaque variant.
    fn decode_sub(
        selector: Option<&str>,
        attr: &Attr<'a>,
        opts: &DecodeOptions,
    ) -> Result<Self, DecodeError>;

    /// The policy of the set `selector` names, if it is known.
    fn policy_for(selector: &str) -> Option<&'static Policy> {
        Self::SELECTORS
            .iter()
            .find(|(s, _)| *s == selector)
            .map(|(_, p)| p())
    }
}

/// Appends `v` as a nested attribute set, its family header (if it has one) first.
#[inline]
pub(crate) fn encode_nested<'a, T: NlAttrs<'a>>(
    v: &T,
    ae: &mut AttributeEncoder<'_>,
    attr_type: u16,
) {
    if T::HEADER_LEN == 0 {
        ae.nested(attr_type, |n| v.encode_attrs(n));
    } else {
        ae.nested_with_header(attr_type, |b| v.encode_header(b), |n| v.encode_attrs(n));
    }
}

/// Appends `v` as a nested attribute set without `NLA_F_NESTED`, its family header (if it has
/// one) first.
#[inline]
pub(crate) fn encode_nested_no_flag<'a, T: NlAttrs<'a>>(
    v: &T,
    ae: &mut AttributeEncoder<'_>,
    attr_type: u16,
) {
    if T::HEADER_LEN == 0 {
        ae.nested_no_flag(attr_type, |n| v.encode_attrs_no_nested_flag(n));
    } else {
        ae.nested_with_header_no_flag(
            attr_type,
            |b| v.encode_header(b),
            |n| v.encode_attrs_no_nested_flag(n),
        );
    }
}

/// Decodes the payload of a nest as `T`, its family header (if it has one) first.
#[inline]
pub(crate) fn decode_nested<'a, T: NlAttrs<'a>>(
    a: &Attr<'a>,
    opts: &DecodeOptions,
) -> Result<T, DecodeError> {
    if T::HEADER_LEN == 0 {
        T::decode_attrs(a.nested()?, opts)
    } else {
        let (header, attrs) = a.nested_with_header(T::HEADER_LEN)?;
        T::decode_parts(header, attrs, opts)
    }
}

/// What generated code needs; re-exported through `__private`.
#[doc(hidden)]
pub mod __private {
    use super::*;
    pub use super::{NlSubMessage, OpaqueValue, Selector};
    pub use core::assert;

    /// Appends a nested set (header-aware).
    #[inline]
    pub fn encode_nested<'a, T: NlAttrs<'a>>(v: &T, ae: &mut AttributeEncoder<'_>, attr_type: u16) {
        super::encode_nested(v, ae, attr_type);
    }

    /// Appends a nested set without `NLA_F_NESTED` (header-aware).
    #[inline]
    pub fn encode_nested_no_flag<'a, T: NlAttrs<'a>>(
        v: &T,
        ae: &mut AttributeEncoder<'_>,
        attr_type: u16,
    ) {
        super::encode_nested_no_flag(v, ae, attr_type);
    }

    /// Decodes a nested set (header-aware).
    #[inline]
    pub fn decode_nested<'a, T: NlAttrs<'a>>(
        a: &Attr<'a>,
        opts: &DecodeOptions,
    ) -> Result<T, DecodeError> {
        super::decode_nested(a, opts)
    }

    /// The selector held by a decoded selector field.
    #[inline]
    pub fn selector<T: AsRef<str>>(v: &Option<T>) -> Option<&str> {
        v.as_ref().map(AsRef::as_ref)
    }

    /// Whether a `type = CONSTANT` is a valid attribute type (1..=16383).
    #[allow(clippy::manual_range_contains)]
    pub const fn valid_attr_type(v: u64) -> bool {
        v >= 1 && v <= 0x3fff
    }

    /// Decodes a known variant's nested set.
    #[inline]
    pub fn decode_variant<'a, T: NlAttrs<'a>>(
        a: &Attr<'a>,
        opts: &DecodeOptions,
    ) -> Result<T, DecodeError> {
        super::decode_nested(a, opts)
    }

    /// The error of an encoder that failed, for `encode_sub`.
    #[inline]
    pub fn keep_error(ae: &mut AttributeEncoder<'_>, r: Result<(), EncodeError>) {
        if let Err(e) = r {
            ae.set_error(e);
        }
    }

    /// A selector field's value for a generated sub-message (tests only).
    pub trait SelectorValue: Sized {
        /// The value naming `s`.
        fn from_selector(s: &'static str) -> Self;
        /// The selector it names.
        fn as_selector(&self) -> &str;
    }

    impl SelectorValue for String {
        fn from_selector(s: &'static str) -> Self {
            s.to_owned()
        }
        fn as_selector(&self) -> &str {
            self
        }
    }

    impl SelectorValue for &str {
        fn from_selector(s: &'static str) -> Self {
            s
        }
        fn as_selector(&self) -> &str {
            self
        }
    }

    /// Makes a generated selector agree with a generated sub-message: the variant's selector
    /// for a known variant; for the opaque one, anything but a known selector.
    pub fn fix_selector<'a, S: NlSubMessage<'a>, K: SelectorValue>(
        data: Option<&S>,
        kind: &mut Option<K>,
    ) {
        let Some(d) = data else { return };
        match d.selector() {
            Some(s) => *kind = Some(K::from_selector(s)),
            None => {
                if let Some(k) = kind {
                    if S::policy_for(k.as_selector()).is_some() {
                        *kind = Some(K::from_selector("x-unknown-kind"));
                    }
                }
            }
        }
    }

    /// [`fix_selector`] for a required selector field.
    pub fn fix_selector_required<'a, S: NlSubMessage<'a>, K: SelectorValue>(
        data: Option<&S>,
        kind: &mut K,
    ) {
        let mut k = Some(core::mem::replace(kind, K::from_selector("")));
        fix_selector(data, &mut k);
        if let Some(k) = k {
            *kind = k;
        }
    }
}
