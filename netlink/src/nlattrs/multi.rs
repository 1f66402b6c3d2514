//! Repeated attributes of borrowed structs, decoded lazily: [`Multi`].

use core::fmt;

use super::DecodeOptions;
use crate::attr::{Attr, Attrs};
use crate::error::DecodeError;

/// A repeated attribute of a borrowed struct (`#[nla(multi)]` with a `Multi<'a, T>` field):
/// decoded lazily, without allocating.
///
/// Decoding the struct checks every occurrence once; iterating decodes them again (cheap for
/// borrowed values) in the order they were sent. To encode, build one from a slice.
///
/// ```
/// use netlink::{Multi, NlAttrs};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct Names<'a> {
///     #[nla(type = 1, multi)] names: Multi<'a, &'a str>,
/// }
///
/// let names = ["eth0", "lo"];
/// let buf = Names { names: Multi::from_slice(&names) }.to_bytes()?;
/// let decoded = Names::decode(&buf)?;
/// assert_eq!(decoded.names.iter().collect::<Vec<_>>(), ["eth0", "lo"]);
/// assert_eq!(decoded.names.len(), 2);
/// # Ok::<(), netlink::Error>(())
/// ```
#[derive(Clone)]
pub struct Multi<'a, T> {
    repr: MultiRepr<'a, T>,
}

#[derive(Clone)]
enum MultiRepr<'a, T> {
    Slice(&'a [T]),
    Decoded {
        attrs: Attrs<'a>,
        attr_type: u16,
        count: usize,
        decode: DecodeFn<'a, T>,
        opts: DecodeOptions,
    },
}

/// How a [`Multi`] decodes one occurrence.
pub type DecodeFn<'a, T> = fn(&Attr<'a>, &DecodeOptions) -> Result<T, DecodeError>;

impl<'a, T> Multi<'a, T> {
    /// Occurrences given as a slice (to encode).
    pub const fn from_slice(values: &'a [T]) -> Multi<'a, T> {
        Multi {
            repr: MultiRepr::Slice(values),
        }
    }

    /// The occurrences of `attr_type` in `attrs`, all already checked with `decode`.
    #[doc(hidden)]
    pub fn from_attrs(
        attrs: Attrs<'a>,
        attr_type: u16,
        count: usize,
        decode: DecodeFn<'a, T>,
        opts: DecodeOptions,
    ) -> Multi<'a, T> {
        Multi {
            repr: MultiRepr::Decoded {
                attrs,
                attr_type,
                count,
                decode,
                opts,
            },
        }
    }

    /// Number of occurrences.
    pub fn len(&self) -> usize {
        match &self.repr {
            MultiRepr::Slice(s) => s.len(),
            MultiRepr::Decoded { count, .. } => *count,
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: Clone> Multi<'a, T> {
    /// The occurrences, in order.
    pub fn iter(&self) -> MultiIter<'a, T> {
        MultiIter {
            repr: self.repr.clone(),
            pos: 0,
        }
    }
}

impl<T> Default for Multi<'_, T> {
    fn default() -> Self {
        Multi::from_slice(&[])
    }
}

impl<T: Clone + fmt::Debug> fmt::Debug for Multi<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone + PartialEq> PartialEq for Multi<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Clone> IntoIterator for &Multi<'a, T> {
    type Item = T;
    type IntoIter = MultiIter<'a, T>;
    fn into_iter(self) -> MultiIter<'a, T> {
        self.iter()
    }
}

/// Iterator over the occurrences of a [`Multi`].
#[derive(Clone)]
pub struct MultiIter<'a, T> {
    repr: MultiRepr<'a, T>,
    pos: usize,
}

impl<T: Clone> Iterator for MultiIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            MultiRepr::Slice(s) => {
                let v = s.get(self.pos).cloned();
                self.pos = self.pos.saturating_add(1);
                v
            }
            MultiRepr::Decoded {
                attrs,
                attr_type,
                decode,
                opts,
                ..
            } => {
                for a in attrs.by_ref() {
                    let Ok(a) = a else { return None };
                    if a.attr_type() == *attr_type {
                        // Every occurrence decoded when the struct was: errors cannot happen.
                        return decode(&a, opts).ok();
                    }
                }
                None
            }
        }
    }
}
