//! Typed attribute sets: the traits behind `#[derive(NlAttrs, NlEnum, NlStruct)]`.
//!
//! - [`NlAttrs`]: a struct whose fields are attributes (and, optionally, a fixed family header
//!   before them). Encodes into a caller's buffer, decodes from a borrowed buffer in one pass.
//! - [`NlaValue`]: how one attribute payload maps to a Rust value (integers, strings, bytes,
//!   IP addresses, enums, C structs).
//! - [`NlaFamilyValue`]: a value whose payload the message's address family decides
//!   (`IpAddr` declared `#[nla(family = header.family)]`), with the rules in [`AddrFamily`].
//! - [`NlEnum`]: a numeric enum with a variant for values it does not know.
//! - [`NlStruct`]: a fixed-layout C structure, encoded field by field.
//! - [`UnknownAttrs`]: attributes a struct does not declare, kept byte-exact and in order.
//! - [`AttrOrder`]: the order a decoded value's attributes arrived in, to encode them back so.
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

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod cstruct;
mod family;
mod indexed;
mod multi;
mod order;
mod policy;
mod unknown;
mod value;

#[cfg(feature = "derive")]
pub use cstruct::Bitfield32;
pub use cstruct::{align_up, NlStruct, StructField};
pub use family::{family_name, AddrFamily, FamilyNumber, NlaFamilyValue};
pub use indexed::Indexed;
pub use multi::{DecodeFn, Multi, MultiIter};
pub use order::AttrOrder;
pub use policy::{range_error, FieldKind, FieldPolicy, Policy};
pub use unknown::UnknownAttrs;
pub use value::{FamilyCheck, NlEnum, NlaLen, NlaValue, Sint, Uint, ValueCheck, ValueKind};

use crate::attr::{AttributeEncoder, Attrs};
use crate::enc;
use crate::error::{DecodeError, EncodeError};
use crate::message::{AsMessageRef, Header};

/// Options of one decode call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Reject attributes whose type the struct does not declare (even when an
    /// `#[nla(unknown)]` field could keep them) with [`DecodeError::UnknownAttribute`].
    pub strict: bool,
    /// The address family of the enclosing message, for the fields of a set without a family
    /// header of its own that are declared `#[nla(family = outer)]` (the attributes after each
    /// `struct rtnexthop` of `RTA_MULTIPATH` follow the route's `rtm_family`). Set by the value
    /// that decodes such a set; `AF_UNSPEC` (0, the default) when not known, which reads
    /// addresses of either family by their length (see [`AddrFamily`]).
    pub family: u16,
}

impl DecodeOptions {
    /// The default options: unknown attributes are kept or skipped.
    pub const fn new() -> DecodeOptions {
        DecodeOptions {
            strict: false,
            family: family::AF_UNSPEC,
        }
    }

    /// Options that reject unknown attribute types.
    pub const fn strict() -> DecodeOptions {
        DecodeOptions {
            strict: true,
            family: family::AF_UNSPEC,
        }
    }

    /// These options, for a set inside a message of address family `family` (see
    /// [`family`](Self::family)).
    pub const fn with_family(self, family: u16) -> DecodeOptions {
        DecodeOptions { family, ..self }
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

    /// Appends the attributes as the payload of a nest written without `NLA_F_NESTED` (a
    /// field declared `#[nla(nested, no_nested_flag)]`). A derived struct writes what
    /// [`encode_attrs`](Self::encode_attrs) writes (its own nests follow their own
    /// declarations); an [`Indexed`] array writes its entries without the flag too, as the
    /// kernel writes its older arrays (`CTRL_ATTR_OPS`, `CTRL_ATTR_MCAST_GROUPS`).
    fn encode_attrs_no_nested_flag(
        &self,
        ae: &mut AttributeEncoder<'_>,
    ) -> Result<(), EncodeError> {
        self.encode_attrs(ae)
    }

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

    /// Decodes the payload of a message, a borrowed [`MessageRef`](crate::MessageRef) or
    /// [`Message`](crate::Message), with `opts` (offsets in errors count from the message's
    /// buffer). See [`from_message`](Self::from_message) for the default options.
    #[inline]
    fn decode_message(
        msg: impl AsMessageRef<'a>,
        opts: &DecodeOptions,
    ) -> Result<Self, DecodeError> {
        let msg = msg.message_ref();
        decode_at(msg.data, msg.payload_offset(), Self::HEADER_LEN, opts)
    }

    /// Decodes the payload of a message, a borrowed [`MessageRef`](crate::MessageRef) or
    /// [`Message`](crate::Message), with the default options.
    ///
    /// ```
    /// use netlink::genl::{CtrlMessage, GENL_ID_CTRL};
    /// use netlink::{HeaderFlags, MessageRef, NlAttrs};
    ///
    /// let msg = CtrlMessage::get_family("nlctrl").to_request(HeaderFlags::EMPTY)?;
    /// let decoded = CtrlMessage::from_message(&msg)?;
    /// assert_eq!(decoded.family_name.as_deref(), Some("nlctrl"));
    ///
    /// let bytes = msg.to_bytes()?;
    /// let (msg_ref, _) = MessageRef::parse(&bytes)?;
    /// assert_eq!(CtrlMessage::from_message(&msg_ref)?, decoded);
    /// # Ok::<(), netlink::Error>(())
    /// ```
    #[inline]
    fn from_message(msg: impl AsMessageRef<'a>) -> Result<Self, DecodeError> {
        Self::decode_message(msg, &DecodeOptions::default())
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
