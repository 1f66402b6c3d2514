//! Owned attributes: [`Attribute`], [`marshal_attributes`], [`unmarshal_attributes`].

use super::{AttributeEncoder, Attrs, ATTR_HEADER_LEN, NLA_TYPE_MASK};
use crate::error::{DecodeError, EncodeError};

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
