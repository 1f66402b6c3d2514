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
//! [`EncodeError::AttrTooLong`], never a wrapped length.
//!
//! Nesting is bounded by [`MAX_NEST_DEPTH`] (32 levels) in both directions, so recursive
//! encoders and decoders end with a typed error instead of overflowing the stack.

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use crate::enc::{self, ByteOrder, Int};
use crate::error::{DecodeError, EncodeError, MAX_NEST_DEPTH};

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

    /// The payload as a NUL-terminated UTF-8 string, trailing NULs trimmed. A payload without
    /// a NUL terminator is an error; see [`Attr::string_lenient`] for one that allows it.
    ///
    /// ```
    /// use netlink::{Attr, DecodeError};
    ///
    /// assert_eq!(Attr::new(3, b"eth0\0\0", 0).string(), Ok("eth0"));
    /// assert_eq!(
    ///     Attr::new(3, b"eth0", 0).string(),
    ///     Err(DecodeError::StringNotTerminated { offset: 0, attr_type: 3 })
    /// );
    /// ```
    #[inline]
    pub fn string(&self) -> Result<&'a str, DecodeError> {
        match self.payload.last() {
            Some(0) => self.string_lenient(),
            _ => Err(DecodeError::StringNotTerminated {
                offset: self.offset,
                attr_type: self.attr_type(),
            }),
        }
    }

    /// The payload as UTF-8 with trailing NULs trimmed, whether or not it has any.
    #[inline]
    pub fn string_lenient(&self) -> Result<&'a str, DecodeError> {
        let mut end = self.payload.len();
        while let Some(0) = end.checked_sub(1).and_then(|i| self.payload.get(i)) {
            end = end.saturating_sub(1);
        }
        let text = self.payload.get(..end).unwrap_or_default();
        core::str::from_utf8(text).map_err(|e| DecodeError::InvalidUtf8 {
            offset: self.offset,
            attr_type: self.attr_type(),
            valid_up_to: e.valid_up_to(),
        })
    }

    /// The payload as a C string: up to and including its first NUL, which must exist.
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

/// A position saved by [`AttributeEncoder::nest_start`], closed by
/// [`AttributeEncoder::nest_end`].
#[derive(Debug)]
#[must_use = "a nest must be closed with nest_end"]
pub struct Nest {
    start: usize,
    attr_type: u16,
    opened: bool,
}

/// Encodes attributes into a caller's buffer (the Go package's `AttributeEncoder`).
///
/// Each method appends one attribute, padded to 4 bytes, straight into the buffer: nothing is
/// allocated when it has room. The first error (an attribute over 65,535 bytes, a string with
/// a NUL inside, nesting deeper than [`MAX_NEST_DEPTH`]) is kept, the attribute that caused it
/// is cut back out of the buffer, later calls do nothing, and
/// [`finish`](AttributeEncoder::finish) returns it.
///
/// Integers go in the encoder's byte order: native by default, as the kernel expects for
/// almost every attribute, or big-endian with [`with_byte_order`](Self::with_byte_order).
///
/// ```
/// use netlink::AttributeEncoder;
///
/// let mut buf = Vec::new();
/// let mut ae = AttributeEncoder::new(&mut buf);
/// ae.u16(1, 1).string(2, "hello world");
/// ae.nested(3, |nae| {
///     nae.u32(1, 2).u32(2, 3);
///     Ok(())
/// });
/// assert_eq!(ae.finish().unwrap(), 44);
/// assert_eq!(&buf[..8], &[6, 0, 1, 0, 1, 0, 0, 0]);
/// ```
#[derive(Debug)]
pub struct AttributeEncoder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    order: ByteOrder,
    depth: usize,
    count: usize,
    /// Whether an error is kept (here or in `shared`): the one check on the hot path.
    failed: bool,
    error: Option<EncodeError>,
    /// The error slot of the message encoder this encoder writes for, if any.
    shared: Option<&'b mut Option<EncodeError>>,
}

/// The 4 bytes of an attribute header.
#[inline(always)]
fn attr_header(len: u16, raw_type: u16) -> [u8; ATTR_HEADER_LEN] {
    let [l0, l1] = len.to_ne_bytes();
    let [t0, t1] = raw_type.to_ne_bytes();
    [l0, l1, t0, t1]
}

macro_rules! int_putters {
    ($($t:ident),*) => {$(
        #[doc = concat!("Appends a `", stringify!($t), "` attribute in the encoder's byte order.")]
        #[inline]
        pub fn $t(&mut self, attr_type: u16, v: $t) -> &mut Self {
            let order = self.order;
            self.int(attr_type, v, order)
        }
    )*};
}

impl<'b> AttributeEncoder<'b> {
    /// An encoder appending to `buf` in native byte order.
    #[inline]
    pub fn new(buf: &'b mut Vec<u8>) -> AttributeEncoder<'b> {
        let start = buf.len();
        AttributeEncoder {
            buf,
            start,
            order: ByteOrder::Native,
            depth: 0,
            count: 0,
            failed: false,
            error: None,
            shared: None,
        }
    }

    /// An encoder appending to `buf` that keeps its first error in `error` (shared with the
    /// message encoder it writes for) and does nothing while `error` holds one.
    #[inline]
    pub(crate) fn with_error_slot(
        buf: &'b mut Vec<u8>,
        error: &'b mut Option<EncodeError>,
    ) -> AttributeEncoder<'b> {
        let start = buf.len();
        AttributeEncoder {
            buf,
            start,
            order: ByteOrder::Native,
            depth: 0,
            count: 0,
            failed: error.is_some(),
            error: None,
            shared: Some(error),
        }
    }

    /// Sets the byte order of the integer methods (and of nested encoders).
    pub fn with_byte_order(mut self, order: ByteOrder) -> Self {
        self.order = order;
        self
    }

    /// Sets the byte order of the integer methods (and of nested encoders).
    pub fn set_byte_order(&mut self, order: ByteOrder) {
        self.order = order;
    }

    /// The byte order of the integer methods.
    pub fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// Bytes this encoder has written so far.
    pub fn len(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of attributes written at this encoder's level.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Depth of nesting of the attributes this encoder writes: 0 at the top level.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The first error, if any.
    pub fn error(&self) -> Option<&EncodeError> {
        match &self.shared {
            Some(slot) => slot.as_ref(),
            None => self.error.as_ref(),
        }
    }

    /// Records `e` as the encoder's error unless one is already kept.
    #[cold]
    pub fn set_error(&mut self, e: EncodeError) {
        self.failed = true;
        match &mut self.shared {
            Some(slot) => slot.get_or_insert(e),
            None => self.error.get_or_insert(e),
        };
    }

    /// Ends encoding: the bytes written, or the first error (the Go package's `Encode`).
    pub fn finish(self) -> Result<usize, EncodeError> {
        let len = self.len();
        match (self.error, self.shared) {
            (Some(e), _) => Err(e),
            (None, Some(Some(e))) => Err(e.clone()),
            _ => Ok(len),
        }
    }

    /// Appends `n` (at most 4) zero bytes.
    #[inline(always)]
    fn zeros(&mut self, n: usize) {
        let end = self.buf.len().saturating_add(n);
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.truncate(end);
    }

    #[cold]
    fn too_long(&mut self, raw_type: u16, len: usize) -> &mut Self {
        self.set_error(EncodeError::AttrTooLong {
            attr_type: raw_type & NLA_TYPE_MASK,
            len,
        });
        self
    }

    /// Appends an attribute with type `raw_type` (flags kept as given) and `payload`.
    #[inline]
    pub fn raw(&mut self, raw_type: u16, payload: &[u8]) -> &mut Self {
        if self.failed {
            return self;
        }
        let len = ATTR_HEADER_LEN.saturating_add(payload.len());
        let Ok(len16) = u16::try_from(len) else {
            return self.too_long(raw_type, len);
        };
        let padded = enc::align(len).unwrap_or(len);
        self.buf.reserve(padded);
        self.buf.extend_from_slice(&attr_header(len16, raw_type));
        self.buf.extend_from_slice(payload);
        self.zeros(padded.saturating_sub(len));
        self.count = self.count.saturating_add(1);
        self
    }

    /// Appends an attribute of type `attr_type` with a raw payload (the Go package's `Bytes`).
    #[inline]
    pub fn bytes(&mut self, attr_type: u16, payload: &[u8]) -> &mut Self {
        self.raw(attr_type, payload)
    }

    /// Appends an integer attribute in an explicit byte order. Big-endian values do not get
    /// `NLA_F_NET_BYTEORDER` (most families do not expect it); use [`raw`](Self::raw) for that.
    #[inline]
    pub fn int<T: Int>(&mut self, attr_type: u16, v: T, order: ByteOrder) -> &mut Self {
        if self.failed {
            return self;
        }
        let value = v.write(order);
        let payload = value.as_ref();
        // At most 4 + 8 bytes: the whole record, padding included, is built on the stack and
        // appended at once.
        let len = ATTR_HEADER_LEN.saturating_add(payload.len());
        let padded = enc::align(len).unwrap_or(len);
        let mut record = [0u8; 12];
        let (head, body) = record.split_at_mut(ATTR_HEADER_LEN);
        head.copy_from_slice(&attr_header(u16::try_from(len).unwrap_or(0), attr_type));
        if let Some(dst) = body.get_mut(..payload.len()) {
            dst.copy_from_slice(payload);
        }
        self.buf
            .extend_from_slice(record.get(..padded).unwrap_or(&record));
        self.count = self.count.saturating_add(1);
        self
    }

    int_putters!(u8, u16, u32, u64, i8, i16, i32, i64);

    /// Appends a string attribute with a terminating NUL. A NUL inside `s` is an error.
    #[inline]
    pub fn string(&mut self, attr_type: u16, s: &str) -> &mut Self {
        if self.failed {
            return self;
        }
        if let Some(position) = s.bytes().position(|b| b == 0) {
            self.set_error(EncodeError::InteriorNul {
                attr_type: attr_type & NLA_TYPE_MASK,
                position,
            });
            return self;
        }
        let len = ATTR_HEADER_LEN.saturating_add(s.len()).saturating_add(1);
        let Ok(len16) = u16::try_from(len) else {
            return self.too_long(attr_type, len);
        };
        let padded = enc::align(len).unwrap_or(len);
        self.buf.reserve(padded);
        self.buf.extend_from_slice(&attr_header(len16, attr_type));
        self.buf.extend_from_slice(s.as_bytes());
        // The terminating NUL and the padding.
        self.zeros(padded.saturating_sub(len).saturating_add(1));
        self.count = self.count.saturating_add(1);
        self
    }

    /// Appends a flag attribute (empty payload) when `v` is true, nothing when false.
    #[inline]
    pub fn flag(&mut self, attr_type: u16, v: bool) -> &mut Self {
        if v {
            self.raw(attr_type, &[]);
        }
        self
    }

    /// Appends an attribute whose payload `f` writes straight into the buffer (the Go
    /// package's `Do`): C structures, arrays, anything the typed methods do not cover. The
    /// length is filled in afterwards; a payload that takes the attribute past 65,535 bytes,
    /// or an error returned by `f`, becomes the encoder's error and the attribute is cut back
    /// out.
    ///
    /// ```
    /// use netlink::AttributeEncoder;
    ///
    /// // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; }
    /// let mut buf = Vec::new();
    /// let mut ae = AttributeEncoder::new(&mut buf);
    /// ae.with(1, |b| {
    ///     b.extend_from_slice(&3u32.to_ne_bytes());
    ///     b.extend_from_slice(&[0x02, 0, 0, 0, 0, 1]);
    ///     b.extend_from_slice(&[0; 26]);
    ///     Ok(())
    /// });
    /// assert_eq!(ae.finish(), Ok(40));
    /// assert_eq!(&buf[..2], &40u16.to_ne_bytes());
    /// ```
    #[inline]
    pub fn with<F>(&mut self, attr_type: u16, f: F) -> &mut Self
    where
        F: FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    {
        if self.failed {
            return self;
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(&attr_header(0, attr_type));
        let result = f(self.buf);
        self.close(start, attr_type, result);
        self
    }

    /// Appends a nested attribute (type `attr_type | NLA_F_NESTED`) whose attributes `f`
    /// writes with a nested encoder of the same byte order (the Go package's `Nested`).
    ///
    /// An error of `f`, or of the nested encoder, becomes this encoder's error and the whole
    /// nest is cut back out. Nesting is bounded: opening a nest deeper than
    /// [`MAX_NEST_DEPTH`] levels is an [`EncodeError::NestTooDeep`] and `f` is not called,
    /// so even a runaway recursive encoder ends there instead of exhausting the stack.
    #[inline]
    pub fn nested<F>(&mut self, attr_type: u16, f: F) -> &mut Self
    where
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
        let nest = self.nest_start(attr_type);
        if !nest.opened {
            return self;
        }
        let result = {
            let mut inner = AttributeEncoder {
                start: self.buf.len(),
                buf: &mut *self.buf,
                order: self.order,
                depth: self.depth,
                count: 0,
                failed: false,
                error: None,
                shared: None,
            };
            f(&mut inner).and_then(|()| inner.error.map_or(Ok(()), Err))
        };
        if let Err(e) = result {
            self.set_error(e);
        }
        self.nest_end(nest)
    }

    /// Appends a nest (type `attr_type | NLA_F_NESTED`) whose payload starts with a fixed
    /// family header that `header` writes (padded to 4 bytes), followed by the attributes `f`
    /// writes: a whole message inside an attribute, such as the peer of a veth pair. Errors
    /// and depth limits as for [`nested`](Self::nested).
    #[inline]
    pub fn nested_with_header<H, F>(&mut self, attr_type: u16, header: H, f: F) -> &mut Self
    where
        H: FnOnce(&mut Vec<u8>),
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
        let nest = self.nest_start(attr_type);
        if !nest.opened {
            return self;
        }
        let start = self.buf.len();
        header(self.buf);
        let written = self.buf.len().saturating_sub(start);
        self.zeros(
            enc::align(written)
                .unwrap_or(written)
                .saturating_sub(written),
        );
        let result = {
            let mut inner = AttributeEncoder {
                start: self.buf.len(),
                buf: &mut *self.buf,
                order: self.order,
                depth: self.depth,
                count: 0,
                failed: false,
                error: None,
                shared: None,
            };
            f(&mut inner).and_then(|()| inner.error.map_or(Ok(()), Err))
        };
        if let Err(e) = result {
            self.set_error(e);
        }
        self.nest_end(nest)
    }

    /// Opens a nested attribute (type `attr_type | NLA_F_NESTED`); attributes appended until
    /// [`nest_end`](Self::nest_end) go inside it. The closure-free form of
    /// [`nested`](Self::nested). Opening a nest deeper than [`MAX_NEST_DEPTH`] levels is an
    /// [`EncodeError::NestTooDeep`].
    ///
    /// ```
    /// use netlink::attr::NLA_F_NESTED;
    /// use netlink::AttributeEncoder;
    ///
    /// let mut buf = Vec::new();
    /// let mut ae = AttributeEncoder::new(&mut buf);
    /// let nest = ae.nest_start(1);
    /// for i in 0..3 {
    ///     ae.u8(i + 1, i as u8);
    /// }
    /// ae.nest_end(nest);
    /// ae.finish()?;
    /// assert_eq!(&buf[..4], [&28u16.to_ne_bytes()[..], &(1 | NLA_F_NESTED).to_ne_bytes()].concat());
    /// # Ok::<(), netlink::EncodeError>(())
    /// ```
    #[inline]
    pub fn nest_start(&mut self, attr_type: u16) -> Nest {
        let start = self.buf.len();
        let mut opened = false;
        if !self.failed {
            if self.depth >= MAX_NEST_DEPTH {
                self.set_error(EncodeError::NestTooDeep {
                    attr_type: attr_type & NLA_TYPE_MASK,
                    max: MAX_NEST_DEPTH,
                });
            } else {
                self.depth = self.depth.saturating_add(1);
                self.buf
                    .extend_from_slice(&attr_header(0, attr_type | NLA_F_NESTED));
                opened = true;
            }
        }
        Nest {
            start,
            attr_type,
            opened,
        }
    }

    /// Closes a nest opened by [`nest_start`](Self::nest_start), filling in its length. A nest
    /// that grew past 65,535 bytes is cut back out and becomes the encoder's error; after any
    /// error the nest is cut back out.
    #[inline]
    pub fn nest_end(&mut self, nest: Nest) -> &mut Self {
        if !nest.opened {
            return self;
        }
        self.depth = self.depth.saturating_sub(1);
        if self.failed {
            self.buf.truncate(nest.start);
            return self;
        }
        self.close(nest.start, nest.attr_type, Ok(()));
        self
    }

    /// Fills in the length of the attribute that starts at `start` and pads it, or cuts it
    /// back out and keeps the error.
    #[inline]
    fn close(&mut self, start: usize, attr_type: u16, result: Result<(), EncodeError>) {
        let len = self.buf.len().saturating_sub(start);
        let result = result.and_then(|()| {
            if len < ATTR_HEADER_LEN {
                return Err(EncodeError::Invalid {
                    attr_type: attr_type & NLA_TYPE_MASK,
                    reason: "the payload writer removed the attribute header".into(),
                });
            }
            u16::try_from(len).map_err(|_| EncodeError::AttrTooLong {
                attr_type: attr_type & NLA_TYPE_MASK,
                len,
            })
        });
        match result {
            Ok(len16) => {
                if let Some(field) = self.buf.get_mut(start..).and_then(|b| b.get_mut(..2)) {
                    field.copy_from_slice(&len16.to_ne_bytes());
                }
                self.zeros(enc::align(len).unwrap_or(len).saturating_sub(len));
                self.count = self.count.saturating_add(1);
            }
            Err(e) => {
                self.buf.truncate(start);
                self.set_error(e);
            }
        }
    }
}

/// Decodes attributes one at a time (the Go package's `AttributeDecoder`).
///
/// Call [`advance`](Self::advance) until it returns false, reading each attribute with the
/// typed methods. Every typed method returns a `Result` (so `?` works), and the decoder also
/// keeps the first error, which [`finish`](Self::finish) returns: either style works.
///
/// ```
/// use netlink::{AttributeDecoder, AttributeEncoder};
///
/// let mut buf = Vec::new();
/// let mut ae = AttributeEncoder::new(&mut buf);
/// ae.u16(1, 1).string(2, "hello world");
/// ae.nested(3, |n| { n.u32(1, 2).u32(2, 3); Ok(()) });
/// ae.finish().unwrap();
///
/// let (mut number, mut text, mut a, mut b) = (0, String::new(), 0, 0);
/// let mut ad = AttributeDecoder::new(&buf);
/// while ad.advance() {
///     match ad.attr_type() {
///         1 => number = ad.u16().unwrap_or_default(),
///         2 => text = ad.string().unwrap_or_default().to_owned(),
///         3 => {
///             let _ = ad.nested(|nad| {
///                 while nad.advance() {
///                     match nad.attr_type() {
///                         1 => a = nad.u32()?,
///                         2 => b = nad.u32()?,
///                         _ => {}
///                     }
///                 }
///                 Ok(())
///             });
///         }
///         _ => {}
///     }
/// }
/// ad.finish().unwrap();
/// assert_eq!((number, text.as_str(), a, b), (1, "hello world", 2, 3));
/// ```
#[derive(Debug, Clone)]
pub struct AttributeDecoder<'a> {
    attrs: Attrs<'a>,
    first: Attrs<'a>,
    current: Option<Attr<'a>>,
    order: ByteOrder,
    error: Option<DecodeError>,
}

macro_rules! int_readers {
    ($($t:ident),*) => {$(
        #[doc = concat!("The current attribute as a `", stringify!($t), "` in the decoder's byte order.")]
        #[inline]
        pub fn $t(&mut self) -> Result<$t, DecodeError> {
            let order = self.order;
            self.read(|a| a.int::<$t>(order))
        }
    )*};
}

impl<'a> AttributeDecoder<'a> {
    /// A decoder over the attributes of `buf`, in native byte order.
    pub fn new(buf: &'a [u8]) -> AttributeDecoder<'a> {
        Self::from_attrs(Attrs::new(buf))
    }

    /// A decoder over an attribute iterator (keeping its offsets and depth).
    pub fn from_attrs(attrs: Attrs<'a>) -> AttributeDecoder<'a> {
        AttributeDecoder {
            first: attrs.clone(),
            attrs,
            current: None,
            order: ByteOrder::Native,
            error: None,
        }
    }

    /// Sets the byte order of the integer methods (and of nested decoders).
    pub fn with_byte_order(mut self, order: ByteOrder) -> Self {
        self.order = order;
        self
    }

    /// Sets the byte order of the integer methods (and of nested decoders).
    pub fn set_byte_order(&mut self, order: ByteOrder) {
        self.order = order;
    }

    /// The byte order of the integer methods.
    pub fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// Moves to the next attribute; false at the end or after an error.
    #[inline]
    pub fn advance(&mut self) -> bool {
        if self.error.is_some() {
            self.current = None;
            return false;
        }
        match self.attrs.next() {
            Some(Ok(a)) => {
                self.current = Some(a);
                true
            }
            Some(Err(e)) => {
                self.current = None;
                self.error = Some(e);
                false
            }
            None => {
                self.current = None;
                false
            }
        }
    }

    /// The current attribute, if the decoder is on one.
    pub fn attr(&self) -> Option<Attr<'a>> {
        self.current
    }

    /// The current attribute's type, flags masked off (0 when not on an attribute).
    pub fn attr_type(&self) -> u16 {
        self.current.map_or(0, |a| a.attr_type())
    }

    /// The current attribute's type flags ([`NLA_F_NESTED`], [`NLA_F_NET_BYTEORDER`]).
    pub fn type_flags(&self) -> u16 {
        self.current.map_or(0, |a| a.type_flags())
    }

    /// The number of attributes in the buffer, counted from the start (up to the first error).
    pub fn len(&self) -> usize {
        self.first.clone().take_while(Result::is_ok).count()
    }

    /// Whether the buffer holds no attribute.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first error met, if any.
    pub fn error(&self) -> Option<&DecodeError> {
        self.error.as_ref()
    }

    /// Ends decoding: the first error met, if any (the Go package's `Err`).
    pub fn finish(self) -> Result<(), DecodeError> {
        self.error.map_or(Ok(()), Err)
    }

    #[inline]
    fn read<T>(
        &mut self,
        f: impl FnOnce(&Attr<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let result = match &self.current {
            Some(a) => f(a),
            None => Err(DecodeError::NoCurrentAttr),
        };
        if let Err(e) = &result {
            self.error.get_or_insert_with(|| e.clone());
        }
        result
    }

    /// The current attribute's payload.
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        self.read(|a| Ok(a.payload()))
    }

    /// The current attribute as a NUL-terminated string, trailing NULs trimmed.
    pub fn string(&mut self) -> Result<&'a str, DecodeError> {
        self.read(Attr::string)
    }

    /// The current attribute as UTF-8 with trailing NULs trimmed, whether or not it has a
    /// terminating NUL (for families that send strings without one).
    pub fn string_lenient(&mut self) -> Result<&'a str, DecodeError> {
        self.read(Attr::string_lenient)
    }

    int_readers!(u8, u16, u32, u64, i8, i16, i32, i64);

    /// The current attribute as a flag (an empty payload).
    pub fn flag(&mut self) -> Result<bool, DecodeError> {
        self.read(Attr::flag)
    }

    /// Decodes the current attribute's payload as nested attributes with a decoder of the same
    /// byte order handed to `f` (the Go package's `Nested`). An error of `f` or of the nested
    /// decoder is returned and kept. A nest deeper than [`MAX_NEST_DEPTH`] levels is a
    /// [`DecodeError::NestTooDeep`] and `f` is not called.
    pub fn nested<F>(&mut self, f: F) -> Result<(), DecodeError>
    where
        F: FnOnce(&mut AttributeDecoder<'a>) -> Result<(), DecodeError>,
    {
        let order = self.order;
        self.read(|a| {
            let mut inner = AttributeDecoder::from_attrs(a.nested()?).with_byte_order(order);
            f(&mut inner)?;
            inner.finish()
        })
    }

    /// Hands the current attribute's payload to `f` (the Go package's `Do`): C structures,
    /// arrays, anything the typed methods do not cover. An error of `f` is returned and kept.
    pub fn with<T, F>(&mut self, f: F) -> Result<T, DecodeError>
    where
        F: FnOnce(&'a [u8]) -> Result<T, DecodeError>,
    {
        self.read(|a| f(a.payload()))
    }
}

/// An owned attribute (the Go package's `Attribute`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Attribute {
    /// Length of header plus payload; 0 asks [`marshal_attributes`] to compute it.
    pub length: u16,
    /// The type, flags included.
    pub attr_type: u16,
    /// The payload.
    pub data: Vec<u8>,
}

/// Encodes attributes, each padded to 4 bytes (the Go package's `MarshalAttributes`). A zero
/// length is computed; a non-zero one must match the payload.
///
/// ```
/// use netlink::{marshal_attributes, unmarshal_attributes, Attribute};
///
/// let attrs = [Attribute { length: 0, attr_type: 1, data: vec![0xaa] }];
/// let b = marshal_attributes(&attrs)?;
/// assert_eq!(b, [5, 0, 1, 0, 0xaa, 0, 0, 0]);
///
/// let back = unmarshal_attributes(&b)?;
/// assert_eq!(back, [Attribute { length: 5, attr_type: 1, data: vec![0xaa] }]);
/// # Ok::<(), netlink::Error>(())
/// ```
pub fn marshal_attributes(attrs: &[Attribute]) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    for a in attrs {
        let len = ATTR_HEADER_LEN.saturating_add(a.data.len());
        if a.length != 0 && usize::from(a.length) != len {
            return Err(EncodeError::Invalid {
                attr_type: a.attr_type & NLA_TYPE_MASK,
                reason: format!("length {} does not match its {len}-byte encoding", a.length),
            });
        }
        ae.raw(a.attr_type, &a.data);
    }
    ae.finish()?;
    Ok(buf)
}

/// Decodes every attribute of `b`, copying payloads (the Go package's `UnmarshalAttributes`).
/// Types keep their flag bits, as sent; the first malformed attribute is the error.
pub fn unmarshal_attributes(b: &[u8]) -> Result<Vec<Attribute>, DecodeError> {
    Attrs::new(b).map(|a| a.map(|a| a.to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_encoders_count_one_level_per_nest() {
        let mut buf = Vec::new();
        let mut ae = AttributeEncoder::new(&mut buf);
        let mut depths = Vec::new();
        ae.nested(1, |a| {
            depths.push(a.depth());
            a.nested(2, |b| {
                depths.push(b.depth());
                let n = b.nest_start(3);
                depths.push(b.depth());
                b.nest_end(n);
                depths.push(b.depth());
                Ok(())
            });
            Ok(())
        });
        assert_eq!(ae.depth(), 0);
        ae.finish().unwrap();
        assert_eq!(depths, [1, 2, 3, 2]);
    }

    #[test]
    fn zeros_appends_exactly_n() {
        let mut buf = vec![7u8; 3];
        let mut ae = AttributeEncoder::new(&mut buf);
        for n in 0..=4 {
            ae.zeros(n);
        }
        assert_eq!(buf.len(), 3 + 10);
        assert!(buf[3..].iter().all(|&b| b == 0));
    }

    #[test]
    fn shared_error_slot_stops_a_new_encoder() {
        let mut buf = Vec::new();
        let mut slot = Some(EncodeError::MessageTooLong { len: 0 });
        let mut ae = AttributeEncoder::with_error_slot(&mut buf, &mut slot);
        ae.u32(1, 1).string(2, "x").flag(3, true);
        assert_eq!(ae.count(), 0);
        assert!(ae.finish().is_err());
        assert!(buf.is_empty());
    }

    #[test]
    fn shared_error_slot_keeps_the_first_error() {
        let mut buf = Vec::new();
        let mut slot = None;
        let mut ae = AttributeEncoder::with_error_slot(&mut buf, &mut slot);
        ae.string(1, "a\0");
        ae.set_error(EncodeError::MessageTooLong { len: 1 });
        assert!(matches!(ae.error(), Some(EncodeError::InteriorNul { .. })));
        drop(ae);
        assert!(matches!(slot, Some(EncodeError::InteriorNul { .. })));
    }

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

    #[test]
    fn decoder_len_counts_from_the_start() {
        let b = [4, 0, 1, 0, 4, 0, 2, 0, 4, 0, 3, 0];
        let mut ad = AttributeDecoder::new(&b);
        assert!(ad.advance());
        assert_eq!(ad.len(), 3);
        assert!(ad.advance() && ad.advance());
        assert!(!ad.advance());
        assert_eq!(ad.len(), 3);
    }
}
