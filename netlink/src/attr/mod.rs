//! Netlink attributes: type-length-value records after a message's family header.
//!
//! An attribute is a 4-byte header (`struct nlattr`: `u16` length including the header, `u16`
//! type) and a payload padded to 4 bytes. The two top bits of the type are flags:
//! [`NLA_F_NESTED`] marks a payload that is itself a set of attributes, and
//! [`NLA_F_NET_BYTEORDER`] a payload in network byte order. The iterator and the decoders mask
//! them off the type ([`Attr::attr_type`]) but keep them available ([`Attr::type_flags`]).
//!
//! Three layers, from the lowest:
//! - [`Attrs`], an iterator of borrowed [`Attr`]s with typed getters returning `Result`;
//! - [`AttributeEncoder`] and [`AttributeDecoder`], the Go package's encoder and decoder;
//! - [`Attribute`] with [`marshal_attributes`] and [`unmarshal_attributes`], owned values.
//!
//! Every length is checked: an attribute shorter than its header, one that runs past the end
//! of its buffer (or of the nest that holds it), or a typed read of a payload of the wrong
//! size is a [`DecodeError`] naming the offset and the attribute type; an attribute that would
//! exceed the 65,535 bytes of its length field, a nest that grows past it included, is an
//! [`EncodeError::AttrTooLong`](crate::EncodeError::AttrTooLong), never a wrapped length.
//!
//! Nesting is bounded by [`MAX_NEST_DEPTH`] (32 levels) in both directions, so recursive
//! encoders and decoders end with a typed error instead of overflowing the stack.

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

mod decoder;
mod encoder;
mod owned;

pub use decoder::AttributeDecoder;
pub use encoder::{AttributeEncoder, Nest};
pub use owned::{marshal_attributes, unmarshal_attributes, Attribute};

use crate::enc::{self, ByteOrder, Int};
use crate::error::{DecodeError, MAX_NEST_DEPTH};

/// Size of an attribute header (`struct nlattr`).
pub const ATTR_HEADER_LEN: usize = 4;
/// `NLA_F_NESTED`: the payload is a set of attributes.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`: the payload is in network byte order.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// `NLA_TYPE_MASK`: the bits of the type that are not flags.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
/// The largest attribute, header included, that a `u16` length can describe.
pub const MAX_ATTR_LEN: usize = u16::MAX as usize;

/// An attribute borrowed from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    raw_type: u16,
    payload: &'a [u8],
    offset: usize,
    depth: usize,
}

macro_rules! int_getters {
    ($($t:ident $be:ident),*) => {$(
        #[doc = concat!("The payload as a native-order `", stringify!($t), "`; any other size is an error.")]
        #[inline]
        pub fn $t(&self) -> Result<$t, DecodeError> {
            self.int::<$t>(ByteOrder::Native)
        }
        #[doc = concat!("The payload as a big-endian (network order) `", stringify!($t), "`.")]
        #[inline]
        pub fn $be(&self) -> Result<$t, DecodeError> {
            self.int::<$t>(ByteOrder::Big)
        }
    )*};
}

impl<'a> Attr<'a> {
    /// An attribute with a raw type (flags included) and a payload, at `offset` of its buffer.
    pub fn new(raw_type: u16, payload: &'a [u8], offset: usize) -> Attr<'a> {
        Attr {
            raw_type,
            payload,
            offset,
            depth: 0,
        }
    }

    /// The type with the flag bits masked off.
    #[inline]
    pub fn attr_type(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }

    /// The flag bits of the type ([`NLA_F_NESTED`], [`NLA_F_NET_BYTEORDER`]).
    #[inline]
    pub fn type_flags(&self) -> u16 {
        self.raw_type & !NLA_TYPE_MASK
    }

    /// The type as sent, flags included.
    #[inline]
    pub fn raw_type(&self) -> u16 {
        self.raw_type
    }

    /// Whether `NLA_F_NESTED` is set.
    pub fn is_nested(&self) -> bool {
        self.raw_type & NLA_F_NESTED != 0
    }

    /// Whether `NLA_F_NET_BYTEORDER` is set.
    pub fn is_net_byteorder(&self) -> bool {
        self.raw_type & NLA_F_NET_BYTEORDER != 0
    }

    /// The payload.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Offset of the attribute's header in the outermost buffer decoded.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Depth of nesting: 0 for a top-level attribute.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The length field: header plus payload, without padding.
    pub fn len(&self) -> usize {
        ATTR_HEADER_LEN.saturating_add(self.payload.len())
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.payload.is_empty()
    }

    /// An error of this attribute with a reason.
    pub fn invalid(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError::Invalid {
            offset: self.offset,
            attr_type: self.attr_type(),
            reason: reason.into(),
        }
    }

    /// Checks the payload is exactly `expected` bytes.
    #[inline]
    pub fn expect_len(&self, expected: usize) -> Result<(), DecodeError> {
        if self.payload.len() == expected {
            Ok(())
        } else {
            Err(self.size_error(expected))
        }
    }

    #[cold]
    fn size_error(&self, expected: usize) -> DecodeError {
        DecodeError::PayloadSize {
            offset: self.offset,
            attr_type: self.attr_type(),
            expected,
            actual: self.payload.len(),
        }
    }

    /// The payload as an integer in `order`; any size other than the integer's is an error.
    ///
    /// ```
    /// use netlink::enc::ByteOrder;
    /// use netlink::{Attr, DecodeError};
    ///
    /// let a = Attr::new(5, &[0, 0, 0x01, 0xbb], 40);
    /// assert_eq!(a.int::<u32>(ByteOrder::Big), Ok(443));
    /// assert_eq!(
    ///     a.u16(),
    ///     Err(DecodeError::PayloadSize { offset: 40, attr_type: 5, expected: 2, actual: 4 })
    /// );
    /// ```
    #[inline]
    pub fn int<T: Int>(&self, order: ByteOrder) -> Result<T, DecodeError> {
        T::read(self.payload, order).map_err(|e| self.size_error(e.expected))
    }

    int_getters!(u8 u8_be, u16 u16_be, u32 u32_be, u64 u64_be, i8 i8_be, i16 i16_be, i32 i32_be, i64 i64_be);

    /// A flag attribute: present means set. Its payload must be empty.
    #[inline]
    pub fn flag(&self) -> Result<bool, DecodeError> {
        self.expect_len(0).map(|()| true)
    }

    /// The payload as a NUL-terminated UTF-8 string: the bytes before its first NUL, as the
    /// kernel reads a string attribute. A payload without any NUL is an error; see
    /// [`Attr::string_lenient`] for one that allows it.
    ///
    /// Bytes after the first NUL (more NULs, or anything else) are not part of the string:
    /// encoding the string again writes it with a single NUL, so such a payload does not come
    /// back byte for byte. Read the payload as bytes ([`Attr::payload`], a `Vec<u8>` field) when
    /// they matter.
    ///
    /// ```
    /// use netlink::{Attr, DecodeError};
    ///
    /// assert_eq!(Attr::new(3, b"eth0\0\0", 0).string(), Ok("eth0"));
    /// assert_eq!(Attr::new(3, b"a\0b\0", 0).string(), Ok("a"));
    /// assert_eq!(
    ///     Attr::new(3, b"eth0", 0).string(),
    ///     Err(DecodeError::StringNotTerminated { offset: 0, attr_type: 3 })
    /// );
    /// ```
    #[inline]
    pub fn string(&self) -> Result<&'a str, DecodeError> {
        match self.payload.iter().position(|&b| b == 0) {
            Some(end) => self.utf8(end),
            None => Err(DecodeError::StringNotTerminated {
                offset: self.offset,
                attr_type: self.attr_type(),
            }),
        }
    }

    /// The payload as a UTF-8 string up to its first NUL, or all of it when it has none (for
    /// families that send strings without a terminator). Like [`Attr::string`], bytes after
    /// the first NUL are not part of the string.
    ///
    /// ```
    /// use netlink::Attr;
    ///
    /// assert_eq!(Attr::new(3, b"eth0", 0).string_lenient(), Ok("eth0"));
    /// assert_eq!(Attr::new(3, b"a\0b\0", 0).string_lenient(), Ok("a"));
    /// ```
    #[inline]
    pub fn string_lenient(&self) -> Result<&'a str, DecodeError> {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        self.utf8(end)
    }

    /// The first `end` bytes of the payload as UTF-8.
    #[inline]
    fn utf8(&self, end: usize) -> Result<&'a str, DecodeError> {
        let text = self.payload.get(..end).unwrap_or_default();
        core::str::from_utf8(text).map_err(|e| DecodeError::InvalidUtf8 {
            offset: self.offset,
            attr_type: self.attr_type(),
            valid_up_to: e.valid_up_to(),
        })
    }

    /// The payload as a C string: up to and including its first NUL, which must exist (bytes
    /// after it are not part of the string).
    pub fn cstr(&self) -> Result<&'a core::ffi::CStr, DecodeError> {
        core::ffi::CStr::from_bytes_until_nul(self.payload).map_err(|_| {
            DecodeError::StringNotTerminated {
                offset: self.offset,
                attr_type: self.attr_type(),
            }
        })
    }

    /// The payload as a fixed-size array; any other size is an error.
    #[inline]
    pub fn array<const N: usize>(&self) -> Result<[u8; N], DecodeError> {
        self.payload.try_into().map_err(|_| self.size_error(N))
    }

    /// The attributes inside this one's payload (whether or not `NLA_F_NESTED` is set, which
    /// some families omit), with offsets still counted from the outermost buffer.
    ///
    /// Nesting is bounded: asking for the attributes of a nest deeper than
    /// [`MAX_NEST_DEPTH`] levels is a [`DecodeError::NestTooDeep`], so a recursive decoder
    /// over hostile input stops there instead of exhausting the stack.
    ///
    /// ```
    /// use netlink::{AttributeEncoder, Attrs};
    ///
    /// let mut buf = Vec::new();
    /// let mut ae = AttributeEncoder::new(&mut buf);
    /// ae.nested(1, |n| {
    ///     n.u32(2, 42);
    ///     Ok(())
    /// });
    /// ae.finish()?;
    ///
    /// let outer = Attrs::new(&buf).next().unwrap()?;
    /// assert!(outer.is_nested());
    /// let inner = outer.nested()?.next().unwrap()?;
    /// assert_eq!((inner.attr_type(), inner.u32()?, inner.offset()), (2, 42, 4));
    /// # Ok::<(), netlink::Error>(())
    /// ```
    #[inline]
    pub fn nested(&self) -> Result<Attrs<'a>, DecodeError> {
        let depth = self.depth.saturating_add(1);
        if depth > MAX_NEST_DEPTH {
            return Err(DecodeError::NestTooDeep {
                offset: self.offset,
                attr_type: self.attr_type(),
                max: MAX_NEST_DEPTH,
            });
        }
        Ok(Attrs {
            buf: self.payload,
            pos: 0,
            base: self.offset.saturating_add(ATTR_HEADER_LEN),
            depth,
            failed: false,
        })
    }

    /// The payload of a nest that starts with a fixed family header of `header_len` bytes
    /// (a link message inside `VETH_INFO_PEER`, say): the header bytes and the attributes after
    /// it (at the next 4-byte boundary), one nesting level deeper. A payload shorter than the
    /// header is [`DecodeError::FamilyHeaderTruncated`].
    #[inline]
    pub fn nested_with_header(
        &self,
        header_len: usize,
    ) -> Result<(&'a [u8], Attrs<'a>), DecodeError> {
        let mut attrs = self.nested()?;
        let header = self
            .payload
            .get(..header_len)
            .ok_or(DecodeError::FamilyHeaderTruncated {
                offset: attrs.base,
                expected: header_len,
                actual: self.payload.len(),
            })?;
        attrs.pos = enc::align(header_len)
            .unwrap_or(usize::MAX)
            .min(self.payload.len());
        Ok((header, attrs))
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Attribute {
        Attribute {
            length: u16::try_from(self.len()).unwrap_or(0),
            attr_type: self.raw_type,
            data: self.payload.to_vec(),
        }
    }
}

/// Iterates over a buffer of attributes, yielding each [`Attr`] or the first error and then
/// nothing more.
///
/// ```
/// use netlink::Attrs;
///
/// // u16 attribute 1 = 5, then a string attribute 2 = "hi"
/// let mut b = vec![6, 0, 1, 0];
/// b.extend_from_slice(&5u16.to_ne_bytes());
/// b.extend_from_slice(&[0, 0, 7, 0, 2, 0, b'h', b'i', 0, 0]);
/// let attrs: Vec<_> = Attrs::new(&b).collect::<Result<_, _>>().unwrap();
/// assert_eq!(attrs[0].u16().unwrap(), 5);
/// assert_eq!(attrs[1].string().unwrap(), "hi");
///
/// // A length of 2 is shorter than the header itself:
/// let err = Attrs::new(&[2, 0, 1, 0]).next().unwrap().unwrap_err();
/// assert_eq!(err.offset(), Some(0));
/// ```
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    depth: usize,
    failed: bool,
}

impl<'a> Attrs<'a> {
    /// Iterates over the attributes of `buf`, with offsets counted from its start.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Attrs<'a> {
        Self::with_offset(buf, 0)
    }

    /// Iterates over the attributes of `buf`, which starts at `offset` of a larger buffer that
    /// error offsets refer to.
    #[inline]
    pub fn with_offset(buf: &'a [u8], offset: usize) -> Attrs<'a> {
        Attrs {
            buf,
            pos: 0,
            base: offset,
            depth: 0,
            failed: false,
        }
    }

    /// The bytes not yet iterated over.
    pub fn remaining(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Offset (in the outermost buffer) of the next attribute: the start of the set before
    /// iterating.
    pub fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// Depth of nesting of the attributes yielded: 0 at the top level.
    pub fn depth(&self) -> usize {
        self.depth
    }

    #[cold]
    fn fail(&mut self, e: DecodeError) -> Option<Result<Attr<'a>, DecodeError>> {
        self.failed = true;
        Some(Err(e))
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let offset = self.base.saturating_add(self.pos);
        // Two 2-byte reads, matching how the fields are written.
        let Some((len, raw_type)) = rest
            .split_first_chunk::<2>()
            .and_then(|(l, r)| Some((l, r.first_chunk::<2>()?)))
        else {
            return self.fail(DecodeError::AttrHeaderTruncated {
                offset,
                available: rest.len(),
            });
        };
        let len = u16::from_ne_bytes(*len);
        let raw_type = u16::from_ne_bytes(*raw_type);
        let ulen = usize::from(len);
        if ulen < ATTR_HEADER_LEN {
            return self.fail(DecodeError::AttrTooShort {
                offset,
                attr_type: raw_type & NLA_TYPE_MASK,
                len,
            });
        }
        let Some(payload) = rest.get(ATTR_HEADER_LEN..ulen) else {
            return self.fail(DecodeError::AttrTruncated {
                offset,
                attr_type: raw_type & NLA_TYPE_MASK,
                len,
                available: rest.len(),
            });
        };
        // The last attribute may lack its padding.
        let step = enc::align(ulen).unwrap_or(ulen).min(rest.len());
        self.pos = self.pos.saturating_add(step);
        Some(Ok(Attr {
            raw_type,
            payload,
            offset,
            depth: self.depth,
        }))
    }
}

impl core::iter::FusedIterator for Attrs<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attrs_remaining_and_depth() {
        let b = [8, 0, 1, 0, 1, 2, 3, 4, 4, 0, 2, 0];
        let mut it = Attrs::with_offset(&b, 16);
        assert_eq!(it.remaining().len(), 12);
        assert_eq!(it.offset(), 16);
        it.next().unwrap().unwrap();
        assert_eq!(it.remaining(), &[4, 0, 2, 0]);
        assert_eq!(it.offset(), 24);
        assert_eq!(it.depth(), 0);
        let nest = Attr::new(NLA_F_NESTED | 5, &b, 20);
        let inner = nest.nested().unwrap();
        assert_eq!(inner.depth(), 1);
        let first = inner.clone().next().unwrap().unwrap();
        assert_eq!((first.offset(), first.depth()), (24, 1));
        let mut ad = AttributeDecoder::from_attrs(inner);
        assert!(ad.advance());
        assert_eq!(ad.attr().unwrap().offset(), 24);
    }
}
