//! Nests of nests keyed by index: [`Indexed`].

use super::{DecodeOptions, NlAttrs, Policy};
use crate::attr::{AttributeEncoder, Attrs, NLA_TYPE_MASK};
use crate::error::{DecodeError, EncodeError};

/// A nest of nests whose attribute types are indices or keys (the kernel's "indexed array"):
/// `CTRL_ATTR_OPS` (1, 2, 3, ... each a nested op), policy dumps (attribute type -> nested
/// policy). Indices are kept, so the round trip is exact. Use it as an `#[nla(nested)]` field;
/// with `#[nla(nested, no_nested_flag)]` the entries are written without `NLA_F_NESTED` too.
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

impl<'a, T: NlAttrs<'a>> Indexed<T> {
    /// Appends one nest per entry, with or without `NLA_F_NESTED`.
    fn encode_entries(
        &self,
        ae: &mut AttributeEncoder<'_>,
        nested_flag: bool,
    ) -> Result<(), EncodeError> {
        for (i, v) in &self.entries {
            if *i & !NLA_TYPE_MASK != 0 {
                return Err(EncodeError::Invalid {
                    attr_type: *i,
                    reason: "index uses the flag bits of the type".into(),
                });
            }
            if nested_flag {
                ae.nested(*i, |n| v.encode_attrs(n));
            } else {
                ae.nested_no_flag(*i, |n| v.encode_attrs(n));
            }
        }
        ae.error().cloned().map_or(Ok(()), Err)
    }
}

impl<'a, T: NlAttrs<'a>> NlAttrs<'a> for Indexed<T> {
    const POLICY: &'static Policy = &Policy {
        name: "Indexed",
        header_len: 0,
        fields: &[],
        elements: Some(T::policy),
        captures_unknown: false,
        header_family: None,
    };

    fn encode_attrs(&self, ae: &mut AttributeEncoder<'_>) -> Result<(), EncodeError> {
        self.encode_entries(ae, true)
    }

    fn encode_attrs_no_nested_flag(
        &self,
        ae: &mut AttributeEncoder<'_>,
    ) -> Result<(), EncodeError> {
        self.encode_entries(ae, false)
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

#[cfg(test)]
mod tests {
    use super::*;

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
