//! Writing attributes into a caller's buffer: [`AttributeEncoder`].

use super::{ATTR_HEADER_LEN, NLA_F_NESTED, NLA_TYPE_MASK};
use crate::enc::{self, ByteOrder, Int};
use crate::error::{EncodeError, MAX_NEST_DEPTH};

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
        self.fill_nest(nest, f)
    }

    /// Appends a nested attribute without `NLA_F_NESTED` (type `attr_type` as given), as the
    /// kernel writes the nests of older families (`nla_nest_start_noflag`: `CTRL_ATTR_OPS`,
    /// `IFLA_LINKINFO`, ...). Otherwise the same as [`nested`](Self::nested). Write new
    /// requests with [`nested`](Self::nested): the kernel's strict validation wants the flag.
    ///
    /// ```
    /// use netlink::AttributeEncoder;
    ///
    /// let mut buf = Vec::new();
    /// let mut ae = AttributeEncoder::new(&mut buf);
    /// ae.nested_no_flag(6, |n| {
    ///     n.u32(1, 3);
    ///     Ok(())
    /// });
    /// ae.finish()?;
    /// assert_eq!(&buf[..4], [&12u16.to_ne_bytes()[..], &6u16.to_ne_bytes()].concat());
    /// # Ok::<(), netlink::EncodeError>(())
    /// ```
    #[inline]
    pub fn nested_no_flag<F>(&mut self, attr_type: u16, f: F) -> &mut Self
    where
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
        let nest = self.nest_start_no_flag(attr_type);
        self.fill_nest(nest, f)
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
        self.fill_nest_with_header(nest, header, f)
    }

    /// [`nested_with_header`](Self::nested_with_header) without `NLA_F_NESTED` (see
    /// [`nested_no_flag`](Self::nested_no_flag)).
    #[inline]
    pub fn nested_with_header_no_flag<H, F>(&mut self, attr_type: u16, header: H, f: F) -> &mut Self
    where
        H: FnOnce(&mut Vec<u8>),
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
        let nest = self.nest_start_no_flag(attr_type);
        self.fill_nest_with_header(nest, header, f)
    }

    /// Writes a family header (padded) into an opened nest, then its attributes.
    #[inline]
    fn fill_nest_with_header<H, F>(&mut self, nest: Nest, header: H, f: F) -> &mut Self
    where
        H: FnOnce(&mut Vec<u8>),
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
        if nest.opened {
            let start = self.buf.len();
            header(self.buf);
            let written = self.buf.len().saturating_sub(start);
            self.zeros(
                enc::align(written)
                    .unwrap_or(written)
                    .saturating_sub(written),
            );
        }
        self.fill_nest(nest, f)
    }

    /// Lets `f` write the attributes of an opened nest with a nested encoder, then closes it.
    #[inline]
    fn fill_nest<F>(&mut self, nest: Nest, f: F) -> &mut Self
    where
        F: FnOnce(&mut AttributeEncoder<'_>) -> Result<(), EncodeError>,
    {
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
        self.open_nest(attr_type | NLA_F_NESTED)
    }

    /// Opens a nested attribute without `NLA_F_NESTED` (see
    /// [`nested_no_flag`](Self::nested_no_flag)); close it with [`nest_end`](Self::nest_end).
    #[inline]
    pub fn nest_start_no_flag(&mut self, attr_type: u16) -> Nest {
        self.open_nest(attr_type)
    }

    /// Opens a nest with type `raw_type`, flags as given.
    #[inline]
    fn open_nest(&mut self, raw_type: u16) -> Nest {
        let attr_type = raw_type & NLA_TYPE_MASK;
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
                self.buf.extend_from_slice(&attr_header(0, raw_type));
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
}
