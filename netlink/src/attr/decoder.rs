//! Reading attributes one at a time: [`AttributeDecoder`].

use super::{Attr, Attrs};
use crate::enc::ByteOrder;
use crate::error::DecodeError;

/// Decodes attributes one at a time (the Go package's `AttributeDecoder`).
///
/// Call [`advance`](Self::advance) until it returns false, reading each attribute with the
/// typed methods. Every typed method returns a `Result` (so `?` works), and the decoder also
/// keeps the first error, which [`finish`](Self::finish) returns: either style works.
///
/// Once the decoder holds an error it stops, as the Go package's decoder does:
/// [`advance`](Self::advance) returns false, every typed method returns that error without
/// reading, and [`with`](Self::with) and [`nested`](Self::nested) return it without calling
/// their callback.
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

    /// The current attribute's type flags ([`NLA_F_NESTED`](super::NLA_F_NESTED), [`NLA_F_NET_BYTEORDER`](super::NLA_F_NET_BYTEORDER)).
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
        if let Some(held) = &self.error {
            return Err(held.clone());
        }
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

    /// The current attribute as a NUL-terminated string: its bytes before the first NUL, as the
    /// kernel reads them ([`Attr::string`]).
    pub fn string(&mut self) -> Result<&'a str, DecodeError> {
        self.read(Attr::string)
    }

    /// The current attribute as UTF-8 up to its first NUL, or all of it when it has none (for
    /// families that send strings without a terminator; [`Attr::string_lenient`]).
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
    /// decoder is returned and kept. A nest deeper than [`MAX_NEST_DEPTH`](crate::MAX_NEST_DEPTH)
    /// levels is a [`DecodeError::NestTooDeep`] and `f` is not called; neither is it when the
    /// decoder already holds an error, which is returned.
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
    /// When the decoder already holds an error, `f` is not called and that error is returned.
    pub fn with<T, F>(&mut self, f: F) -> Result<T, DecodeError>
    where
        F: FnOnce(&'a [u8]) -> Result<T, DecodeError>,
    {
        self.read(|a| f(a.payload()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
