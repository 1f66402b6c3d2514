//! The order in which a decoded value's attributes arrived: [`AttrOrder`].

use core::fmt;
use core::hash::{Hash, Hasher};

use crate::attr::Attrs;

/// The order in which a decoded value's attributes arrived, so that it encodes back in that
/// order: what an `#[nla(order)]` field holds.
///
/// The derive encodes attributes in declaration order. The kernel does not always write one
/// attribute set in one order: IPv6 addresses carry `IFA_CACHEINFO` before `IFA_FLAGS`, IPv4
/// ones after; IPv6 routes carry `RTA_METRICS` before `RTA_PRIORITY`, IPv4 ones after. A
/// struct with an `#[nla(order)]` field remembers, when decoding, the order of any message
/// whose attributes did not arrive in declaration order, and encodes them in that order, its
/// unknown attributes included at their places; the kernel's bytes come back exactly.
///
/// - A value built in code, or decoded from attributes that arrived in declaration order
///   (declared attributes first, unknown ones last), holds no order ([`is_recorded`] is
///   `false`), costs nothing and encodes in declaration order. Recording allocates one vector,
///   only for messages that need it.
/// - Fields set after decoding that the recorded order does not name are encoded after the
///   recorded ones, in declaration order; fields cleared are left out. [`clear`] goes back to
///   declaration order.
/// - **Equality ignores it**: the order is how a value was written, not what it says, so two
///   values that differ only in the order their attributes arrived in are equal (and hash
///   alike). Compare encodings to tell them apart.
///
/// ```
/// use netlink::{AttrOrder, NlAttrs};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct Pair {
///     #[nla(type = 1)] a: Option<u32>,
///     #[nla(type = 2)] b: Option<u32>,
///     #[nla(order)] order: AttrOrder,
/// }
///
/// // b (type 2) before a (type 1): against the declaration.
/// let kernel = [8, 0, 2, 0, 2, 0, 0, 0, 8, 0, 1, 0, 1, 0, 0, 0];
/// let p = Pair::decode(&kernel)?;
/// assert!(p.order.is_recorded());
/// assert_eq!(p.to_bytes()?, kernel);
/// assert_eq!(p, Pair { a: Some(1), b: Some(2), ..Default::default() });
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// [`is_recorded`]: Self::is_recorded
/// [`clear`]: Self::clear
#[derive(Clone, Default)]
pub struct AttrOrder {
    /// One entry per attribute, in arrival order: the declaration index of the field it
    /// belongs to, or [`AttrOrder::UNKNOWN`] for an attribute kept by the `unknown` field.
    slots: Vec<u16>,
}

impl AttrOrder {
    /// The slot of an attribute kept by the struct's `unknown` field.
    #[doc(hidden)]
    pub const UNKNOWN: u16 = u16::MAX;

    /// No recorded order: declaration order.
    pub const fn new() -> AttrOrder {
        AttrOrder { slots: Vec::new() }
    }

    /// Whether an order was recorded (the value was decoded from attributes that did not
    /// arrive in declaration order).
    pub fn is_recorded(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Forgets the recorded order: the value encodes in declaration order.
    pub fn clear(&mut self) {
        self.slots = Vec::new();
    }

    /// The recorded slots (generated code).
    #[doc(hidden)]
    pub fn slots(&self) -> &[u16] {
        &self.slots
    }

    /// An order of the given slots (generated code and value generators).
    #[doc(hidden)]
    pub fn from_slots(slots: Vec<u16>) -> AttrOrder {
        AttrOrder { slots }
    }

    /// Records the order of `attrs`, each attribute mapped to its slot by `slot` (`None`: not
    /// kept, so not recorded). Malformed attributes end the record (decoding reports them).
    #[doc(hidden)]
    pub fn record(attrs: Attrs<'_>, slot: impl Fn(u16) -> Option<u16>) -> AttrOrder {
        AttrOrder {
            slots: attrs
                .map_while(Result::ok)
                .filter_map(|a| slot(a.attr_type()))
                .collect(),
        }
    }
}

/// Always equal: the order is not part of a value (see [`AttrOrder`]).
impl PartialEq for AttrOrder {
    fn eq(&self, _: &AttrOrder) -> bool {
        true
    }
}

impl Eq for AttrOrder {}

/// Hashes nothing, as equality ignores the order.
impl Hash for AttrOrder {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for AttrOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.slots.is_empty() {
            f.write_str("AttrOrder(declared)")
        } else {
            f.debug_tuple("AttrOrder").field(&self.slots).finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_and_hash_ignore_the_order() {
        use std::collections::hash_map::DefaultHasher;
        let a = AttrOrder::from_slots(vec![2, 1]);
        let b = AttrOrder::new();
        assert_eq!(a, b);
        let h = |o: &AttrOrder| {
            let mut s = DefaultHasher::new();
            o.hash(&mut s);
            s.finish()
        };
        assert_eq!(h(&a), h(&b));
        assert_eq!(format!("{a:?}"), "AttrOrder([2, 1])");
        assert_eq!(format!("{b:?}"), "AttrOrder(declared)");
    }

    #[test]
    fn record_maps_types_to_slots_and_stops_at_garbage() {
        // type 5, type 9 (not kept), type 1, then a truncated header.
        let buf = [4, 0, 5, 0, 4, 0, 9, 0, 4, 0, 1, 0, 9, 9];
        let o = AttrOrder::record(Attrs::new(&buf), |t| match t {
            5 => Some(3),
            1 => Some(0),
            _ => None,
        });
        assert_eq!(o.slots(), [3, 0]);
        assert!(o.is_recorded());
        let mut o = o;
        o.clear();
        assert!(!o.is_recorded());
    }
}
