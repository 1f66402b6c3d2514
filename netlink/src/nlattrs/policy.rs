//! The validation policy the derive writes from a declaration: [`Policy`].

use core::fmt;

use super::ValueKind;
use crate::attr::{Attr, Attrs, ATTR_HEADER_LEN};
use crate::enc::ByteOrder;
use crate::error::DecodeError;

/// What a declared attribute holds, in a [`Policy`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum FieldKind {
    /// A payload of some shape.
    Value(ValueKind),
    /// A flag: present (empty payload) or absent.
    Flag,
    /// A nested attribute set with its own policy.
    Nested(fn() -> &'static Policy),
    /// A sub-message: a nested set whose policy the string attribute `selector` of the same
    /// set chooses (`IFLA_INFO_DATA` by `IFLA_INFO_KIND`); `policy_for` maps a selector to
    /// its policy, `None` for selectors kept as bytes.
    SubMessage {
        /// The attribute type of the selector.
        selector: u16,
        /// The policy of each known selector.
        policy_for: fn(&str) -> Option<&'static Policy>,
    },
}

impl FieldKind {
    /// The policy of this field's nest within the set `attrs`: a nest's own, or the one a
    /// sub-message's selector (found in `attrs`) chooses.
    pub fn nested_policy(&self, attrs: &Attrs<'_>) -> Option<&'static Policy> {
        match *self {
            FieldKind::Nested(p) => Some(p()),
            FieldKind::SubMessage {
                selector,
                policy_for,
            } => {
                let sel = attrs
                    .clone()
                    .flatten()
                    .filter(|a| a.attr_type() == selector)
                    .last()?;
                policy_for(sel.string_lenient().ok()?)
            }
            _ => None,
        }
    }
}

/// One declared attribute of a [`Policy`].
#[derive(Debug, Clone, Copy)]
pub struct FieldPolicy {
    /// The Rust field name.
    pub name: &'static str,
    /// The attribute type.
    pub attr_type: u16,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether a decoded set must hold it.
    pub required: bool,
    /// Whether it may repeat.
    pub multi: bool,
    /// Whether integers travel big-endian.
    pub big_endian: bool,
    /// `max_len`: longest string (without NUL) or binary payload.
    pub max_len: Option<usize>,
    /// `min`: smallest integer value.
    pub min: Option<i128>,
    /// `max`: largest integer value.
    pub max: Option<i128>,
    /// For a nest: whether it is written with `NLA_F_NESTED` (false for
    /// `#[nla(nested, no_nested_flag)]`, which also covers the entries of an
    /// [`Indexed`](super::Indexed) array).
    pub nested_flag: bool,
}

impl FieldPolicy {
    /// A field policy (for generated code); a nest gets `NLA_F_NESTED`.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        attr_type: u16,
        kind: FieldKind,
        required: bool,
        multi: bool,
        big_endian: bool,
        max_len: Option<usize>,
        min: Option<i128>,
        max: Option<i128>,
    ) -> FieldPolicy {
        FieldPolicy {
            name,
            attr_type,
            kind,
            required,
            multi,
            big_endian,
            max_len,
            min,
            max,
            nested_flag: true,
        }
    }
}

/// The validation policy of an attribute set: what the derive knows about every declared
/// attribute. [`Policy::validate`] checks raw bytes against it without building the struct.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The Rust type name.
    pub name: &'static str,
    /// Size of the family header before the attributes.
    pub header_len: usize,
    /// The declared attributes.
    pub fields: &'static [FieldPolicy],
    /// For sets whose every attribute is a nest of one policy ([`Indexed`](super::Indexed)): that policy.
    pub elements: Option<fn() -> &'static Policy>,
    /// Whether the struct keeps unknown attributes.
    pub captures_unknown: bool,
    /// For a set whose addresses follow a family field of its header
    /// (`#[nla(family = header.FIELD)]`): reads that family from the header's bytes.
    pub header_family: Option<fn(&[u8]) -> u16>,
}

impl Policy {
    /// A policy (for generated code).
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        header_len: usize,
        fields: &'static [FieldPolicy],
        captures_unknown: bool,
    ) -> Policy {
        Policy {
            name,
            header_len,
            fields,
            elements: None,
            captures_unknown,
            header_family: None,
        }
    }

    /// The declared attribute of type `attr_type`.
    pub fn field(&self, attr_type: u16) -> Option<&FieldPolicy> {
        self.fields.iter().find(|f| f.attr_type == attr_type)
    }

    /// Checks attributes against the policy: sizes, strings, `max_len`, `min`/`max`, required
    /// attributes, single occurrences of non-repeated ones, and, when `nest_flag` is set,
    /// `NLA_F_NESTED` on every nest exactly as declared: present on nests, absent on those
    /// declared `no_nested_flag` (and on the entries of such an [`Indexed`](super::Indexed)
    /// array). Without `nest_flag` either is accepted, as the decoder does. Attributes of
    /// undeclared types are not checked. Occurrences are counted for the first 64 declared
    /// attributes only.
    ///
    /// Without the family header, the address family that decides the size of `family`
    /// fields is not known: any size passes. [`validate_payload`](Self::validate_payload)
    /// checks them as the decoder does.
    pub fn validate(&self, attrs: Attrs<'_>, nest_flag: bool) -> Result<(), DecodeError> {
        self.validate_set(attrs, nest_flag, true, None, None)
    }

    /// [`validate`](Self::validate) of a set's whole payload (a message's payload, or what
    /// [`NlAttrs::encode`](super::NlAttrs::encode) writes): the family header, then the
    /// attributes, their offsets counted from the start of `payload`. Addresses declared
    /// `family = header.FIELD` are checked against the header's family, and those declared
    /// `family = outer` against `AF_UNSPEC`, as [`NlAttrs::decode`](super::NlAttrs::decode)
    /// reads them: what this accepts, the decoder accepts.
    pub fn validate_payload(&self, payload: &[u8], nest_flag: bool) -> Result<(), DecodeError> {
        let header = payload
            .get(..self.header_len)
            .ok_or(DecodeError::FamilyHeaderTruncated {
                offset: 0,
                expected: self.header_len,
                actual: payload.len(),
            })?;
        let start = crate::enc::align(self.header_len)
            .unwrap_or(usize::MAX)
            .min(payload.len());
        let attrs = Attrs::with_offset(payload.get(start..).unwrap_or_default(), start);
        self.validate_set(attrs, nest_flag, true, Some(header), Some(0))
    }

    /// [`validate`](Self::validate) of a set inside a message of address family `outer` (for
    /// the fields declared `family = outer`; `None`: not known, any size passes).
    pub fn validate_in_family(
        &self,
        attrs: Attrs<'_>,
        nest_flag: bool,
        outer: Option<u16>,
    ) -> Result<(), DecodeError> {
        self.validate_set(attrs, nest_flag, true, None, outer)
    }

    /// [`validate`](Self::validate), where `entries_flagged` tells whether the entries of an
    /// [`Indexed`](super::Indexed) set carry `NLA_F_NESTED`, `header` is the set's family
    /// header when known, and `outer` the family of the enclosing message when known.
    fn validate_set(
        &self,
        attrs: Attrs<'_>,
        nest_flag: bool,
        entries_flagged: bool,
        header: Option<&[u8]>,
        outer: Option<u16>,
    ) -> Result<(), DecodeError> {
        // The family of this set's `family` fields: its header's, or the enclosing one's.
        let family = match self.header_family {
            Some(read) => header.map(read),
            None => outer,
        };
        let set_offset = attrs.offset();
        let mut seen = [0u8; 64];
        let all = attrs.clone();
        for a in attrs {
            let a = a?;
            if let Some(elements) = self.elements {
                check_nest(&a, nest_flag, entries_flagged)?;
                elements().validate_set(a.nested()?, nest_flag, true, None, outer)?;
                continue;
            }
            let Some((i, f)) = self
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.attr_type == a.attr_type())
            else {
                continue;
            };
            let mut any_number = false;
            if let FieldKind::Value(v @ (ValueKind::FamilyAddr | ValueKind::FamilyChecked { .. })) =
                f.kind
            {
                match family {
                    // Not known: any address, any number (some families keep them as
                    // unknown); a layout of its own is checked but for its addresses.
                    None => {
                        if let ValueKind::FamilyChecked { check } = v {
                            (check.0)(&a, None)?;
                        }
                        any_number = true;
                    }
                    Some(family) => {
                        if !check_family_value(&a, f, v, family)? {
                            // Not an address in this family: kept as an unknown attribute.
                            continue;
                        }
                    }
                }
            }
            if let Some(count) = seen.get_mut(i) {
                *count = count.saturating_add(1);
                if *count > 1 && !f.multi && !any_number {
                    return Err(a.invalid(format!("`{}` repeated", f.name)));
                }
            }
            match f.kind {
                FieldKind::Flag => a.expect_len(0)?,
                FieldKind::Nested(p) => {
                    check_nest(&a, nest_flag, f.nested_flag)?;
                    let p = p();
                    let (h, attrs) = a.nested_with_header(p.header_len)?;
                    p.validate_set(attrs, nest_flag, f.nested_flag, Some(h), outer)?;
                }
                FieldKind::SubMessage { .. } => {
                    // Known selectors: checked as their set; others are kept as bytes.
                    if let Some(p) = f.kind.nested_policy(&all) {
                        check_nest(&a, nest_flag, f.nested_flag)?;
                        let (h, attrs) = a.nested_with_header(p.header_len)?;
                        p.validate_set(attrs, nest_flag, true, Some(h), outer)?;
                    }
                }
                FieldKind::Value(ValueKind::FamilyAddr | ValueKind::FamilyChecked { .. }) => {}
                FieldKind::Value(v) => validate_value(&a, f, v)?,
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.required && seen.get(i).is_some_and(|c| *c == 0) {
                return Err(DecodeError::MissingAttribute {
                    offset: set_offset,
                    attr_type: f.attr_type,
                    field: f.name,
                });
            }
        }
        Ok(())
    }
}

impl Policy {
    /// The path of the attribute at `offset` (an error's [`offset`](DecodeError::offset)):
    /// `CtrlMessage.ops[2].id` for the `id` of the second entry of `ops`. `attrs` are the
    /// attributes the error's offsets refer to (after the family header, with its offset).
    ///
    /// ```
    /// use netlink::genl::CtrlMessage;
    /// use netlink::{Attrs, Indexed, NlAttrs};
    /// use netlink::genl::Op;
    ///
    /// let msg = CtrlMessage {
    ///     ops: Some(Indexed::from_values([Op { id: Some(3), ..Default::default() }])),
    ///     ..Default::default()
    /// };
    /// let mut buf = msg.to_bytes()?;
    /// buf[12] = 6; // the op id's length: a 2-byte payload instead of 4
    /// let err = CtrlMessage::decode(&buf).unwrap_err();
    /// let attrs = Attrs::with_offset(&buf[4..], 4);
    /// let path = CtrlMessage::POLICY.path_at(attrs, err.offset().unwrap());
    /// assert_eq!(path.as_deref(), Some("CtrlMessage.ops[1].id"));
    /// # Ok::<(), netlink::Error>(())
    /// ```
    pub fn path_at(&self, attrs: Attrs<'_>, offset: usize) -> Option<String> {
        let mut out = String::from(self.name);
        self.path_into(attrs, offset, &mut out).then_some(out)
    }

    fn path_into(&self, attrs: Attrs<'_>, offset: usize, out: &mut String) -> bool {
        let all = attrs.clone();
        for a in attrs {
            let Ok(a) = a else { return false };
            let start = a.offset();
            let end = start.saturating_add(ATTR_HEADER_LEN.saturating_add(a.payload().len()));
            if offset < start || offset >= end {
                continue;
            }
            let inner = if let Some(elements) = self.elements {
                out.push_str(&format!("[{}]", a.attr_type()));
                Some(elements())
            } else {
                match self.field(a.attr_type()) {
                    Some(f) => {
                        let short = f.name.rsplit('.').next().unwrap_or(f.name);
                        out.push('.');
                        out.push_str(short);
                        f.kind.nested_policy(&all)
                    }
                    None => {
                        out.push_str(&format!(".<type {}>", a.attr_type()));
                        None
                    }
                }
            };
            if offset != start {
                if let Some(p) = inner {
                    if let Ok((_, nested)) = a.nested_with_header(p.header_len) {
                        let _ = p.path_into(nested, offset, out);
                    }
                }
            }
            return true;
        }
        false
    }
}

/// With `nest_flag`, checks that `NLA_F_NESTED` is set on `a` exactly when `flagged`.
fn check_nest(a: &Attr<'_>, nest_flag: bool, flagged: bool) -> Result<(), DecodeError> {
    match (nest_flag, flagged, a.is_nested()) {
        (true, true, false) => Err(a.invalid("nest without NLA_F_NESTED")),
        (true, false, true) => {
            Err(a.invalid("NLA_F_NESTED on a nest declared without it (no_nested_flag)"))
        }
        _ => Ok(()),
    }
}

/// Checks a `family` field's attribute against the family of its message, as the decoder
/// reads it; `false` when the family has no such value (the decoder keeps the attribute with
/// the unknown ones).
fn check_family_value(
    a: &Attr<'_>,
    f: &FieldPolicy,
    v: ValueKind,
    family: u16,
) -> Result<bool, DecodeError> {
    use super::AddrFamily;
    match v {
        ValueKind::FamilyAddr => {
            let ok = match AddrFamily::of(family) {
                AddrFamily::NotIp => return Ok(false),
                AddrFamily::V4 => a.payload().len() == 4,
                AddrFamily::V6 => a.payload().len() == 16,
                AddrFamily::Either => matches!(a.payload().len(), 4 | 16),
            };
            if ok {
                Ok(true)
            } else {
                Err(super::family::family_error(a, f.name, family))
            }
        }
        ValueKind::FamilyChecked { check } => (check.0)(a, Some(family)).map(|()| true),
        _ => Ok(true),
    }
}

fn validate_value(a: &Attr<'_>, f: &FieldPolicy, v: ValueKind) -> Result<(), DecodeError> {
    let order = if f.big_endian {
        ByteOrder::Big
    } else {
        ByteOrder::Native
    };
    let len = match v {
        ValueKind::Int { size, signed } => {
            let n = read_int(a, size, signed, order)?;
            if let Some(r) = range_error(&n, f.min, f.max) {
                return Err(a.invalid(format!("`{}`: {r}", f.name)));
            }
            return Ok(());
        }
        ValueKind::String => {
            let s = a.string()?;
            s.len()
        }
        ValueKind::VarInt { signed } => {
            let size = if a.payload().len() == 4 { 4 } else { 8 };
            let n = read_int(a, size, signed, order)?;
            if let Some(r) = range_error(&n, f.min, f.max) {
                return Err(a.invalid(format!("`{}`: {r}", f.name)));
            }
            return Ok(());
        }
        ValueKind::CString => a.cstr()?.to_bytes().len(),
        ValueKind::Checked { check } => {
            (check.0)(a)?;
            a.payload().len()
        }
        ValueKind::FamilyChecked { check } => {
            (check.0)(a, None)?;
            a.payload().len()
        }
        ValueKind::Binary | ValueKind::Struct { .. } | ValueKind::FamilyAddr => a.payload().len(),
        ValueKind::Fixed(n) => {
            a.expect_len(n)?;
            n
        }
        ValueKind::IpAddr => {
            if a.payload().len() != 4 {
                a.expect_len(16)?;
            }
            a.payload().len()
        }
    };
    match f.max_len {
        Some(max) if len > max => {
            Err(a.invalid(format!("`{}`: length {len} above max_len {max}", f.name)))
        }
        _ => Ok(()),
    }
}

fn read_int(
    a: &Attr<'_>,
    size: usize,
    signed: bool,
    order: ByteOrder,
) -> Result<i128, DecodeError> {
    Ok(match (size, signed) {
        (1, false) => a.int::<u8>(order)?.into(),
        (2, false) => a.int::<u16>(order)?.into(),
        (4, false) => a.int::<u32>(order)?.into(),
        (8, false) => a.int::<u64>(order)?.into(),
        (1, true) => a.int::<i8>(order)?.into(),
        (2, true) => a.int::<i16>(order)?.into(),
        (4, true) => a.int::<i32>(order)?.into(),
        _ => a.int::<i64>(order)?.into(),
    })
}

/// Describes why `v` is outside `[min, max]`, or `None` when it is inside.
pub fn range_error<T: PartialOrd + fmt::Display>(
    v: &T,
    min: Option<T>,
    max: Option<T>,
) -> Option<String> {
    if let Some(lo) = min {
        if *v < lo {
            return Some(format!("value {v} below min {lo}"));
        }
    }
    if let Some(hi) = max {
        if *v > hi {
            return Some(format!("value {v} above max {hi}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_length_errors() {
        assert_eq!(range_error(&5u8, Some(1), Some(9)), None);
        assert_eq!(
            range_error(&0u8, Some(1), None).as_deref(),
            Some("value 0 below min 1")
        );
        assert_eq!(
            range_error(&-3i8, None, Some(-4)).as_deref(),
            Some("value -3 above max -4")
        );
        assert_eq!(crate::nlattrs::__private::len_error(&"abc", 3), None);
        assert_eq!(
            crate::nlattrs::__private::len_error(&vec![0u8; 4], 3).as_deref(),
            Some("length 4 above max_len 3")
        );
    }
}
