//! Attributes a struct does not declare, kept byte-exact: [`UnknownAttrs`].

use core::fmt;

use crate::attr::{Attr, AttributeEncoder, Attrs};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::NLA_F_NESTED;

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
}
