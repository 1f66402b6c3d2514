//! Bit sets (`ETHTOOL_A_BITSET_*`, compact and verbose) and string sets
//! (`ETHTOOL_A_STRSET_*`, `ETHTOOL_A_STRINGSET_*`).

use super::EthtoolHeader;
use crate::{NlAttrs, UnknownAttrs};

/// `ETHTOOL_A_BITSET_BIT_*`: one bit of a verbose bit set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct BitsetBit {
    /// `ETHTOOL_A_BITSET_BIT_INDEX`.
    #[nla(type = 1)]
    pub index: Option<u32>,
    /// `ETHTOOL_A_BITSET_BIT_NAME`.
    #[nla(type = 2)]
    pub name: Option<String>,
    /// `ETHTOOL_A_BITSET_BIT_VALUE`: the bit is set.
    #[nla(type = 3, flag)]
    pub value: bool,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_BITSET_BITS_*`: the bits of a verbose bit set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct BitsetBits {
    /// `ETHTOOL_A_BITSET_BITS_BIT`, repeated.
    #[nla(type = 1, nested, multi)]
    pub bits: Vec<BitsetBit>,
}

/// `ETHTOOL_A_BITSET_*`: a bit set, compact (`size`, `value`, `mask` as 32-bit words in host
/// order) or verbose (`bits`, each with its index and name). `nomask` marks a set that is a
/// plain list of bits rather than values under a mask.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Bitset {
    /// `ETHTOOL_A_BITSET_NOMASK`.
    #[nla(type = 1, flag)]
    pub nomask: bool,
    /// `ETHTOOL_A_BITSET_SIZE`: the number of bits.
    #[nla(type = 2)]
    pub size: Option<u32>,
    /// `ETHTOOL_A_BITSET_BITS`: the verbose form.
    #[nla(type = 3, nested)]
    pub bits: Option<BitsetBits>,
    /// `ETHTOOL_A_BITSET_VALUE`: the compact form's values.
    #[nla(type = 4)]
    pub value: Option<Vec<u8>>,
    /// `ETHTOOL_A_BITSET_MASK`: the compact form's mask.
    #[nla(type = 5)]
    pub mask: Option<Vec<u8>>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

fn words(bits: impl IntoIterator<Item = u32>, size: u32) -> Vec<u8> {
    let n = usize::try_from(size.div_ceil(32)).unwrap_or(0);
    let mut w = vec![0u32; n];
    for b in bits {
        if b < size {
            if let Some(word) = w.get_mut((b / 32) as usize) {
                *word |= 1 << (b % 32);
            }
        }
    }
    w.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn bit_in(bytes: &[u8], index: u32) -> bool {
    let byte = (index / 32) as usize * 4;
    let Some(word) = bytes.get(byte..byte.saturating_add(4)) else {
        return false;
    };
    let mut arr = [0u8; 4];
    arr.copy_from_slice(word);
    u32::from_ne_bytes(arr) & (1 << (index % 32)) != 0
}

fn set_bits(bytes: &[u8], size: Option<u32>) -> Vec<u32> {
    let all = u32::try_from(bytes.len().saturating_mul(8)).unwrap_or(u32::MAX);
    let n = size.map_or(all, |s| s.min(all));
    (0..n).filter(|i| bit_in(bytes, *i)).collect()
}

impl Bitset {
    /// A compact bit set of `size` bits with the `value` bits set, under `mask` (`None`: a
    /// plain list, `nomask`). Indices at or past `size` are left out.
    pub fn compact(
        size: u32,
        value: impl IntoIterator<Item = u32>,
        mask: Option<&[u32]>,
    ) -> Bitset {
        Bitset {
            nomask: mask.is_none(),
            size: Some(size),
            value: Some(words(value, size)),
            mask: mask.map(|m| words(m.iter().copied(), size)),
            ..Bitset::default()
        }
    }

    /// A verbose bit set changing the bits called by name: each `(name, on)` is under the
    /// mask, set when `on` (how `ethtool -K` asks for features by name).
    pub fn named<'n>(bits: impl IntoIterator<Item = (&'n str, bool)>) -> Bitset {
        Bitset {
            bits: Some(BitsetBits {
                bits: bits
                    .into_iter()
                    .map(|(name, value)| BitsetBit {
                        name: Some(name.to_owned()),
                        value,
                        ..BitsetBit::default()
                    })
                    .collect(),
            }),
            ..Bitset::default()
        }
    }

    /// Whether the set is in the compact form.
    pub fn is_compact(&self) -> bool {
        self.bits.is_none()
    }

    /// Indices of the bits set in the value (for a verbose `nomask` set: every listed bit).
    pub fn value_bits(&self) -> Vec<u32> {
        match &self.bits {
            Some(b) => b
                .bits
                .iter()
                .filter(|bit| bit.value || self.nomask)
                .filter_map(|bit| bit.index)
                .collect(),
            None => set_bits(self.value.as_deref().unwrap_or_default(), self.size),
        }
    }

    /// Indices of the bits under the mask; `None` for a `nomask` set.
    pub fn mask_bits(&self) -> Option<Vec<u32>> {
        if self.nomask {
            return None;
        }
        Some(match &self.bits {
            Some(b) => b.bits.iter().filter_map(|bit| bit.index).collect(),
            None => set_bits(self.mask.as_deref().unwrap_or_default(), self.size),
        })
    }

    /// Whether bit `index` is set in the value.
    pub fn test(&self, index: u32) -> bool {
        match &self.bits {
            Some(b) => b
                .bits
                .iter()
                .any(|bit| bit.index == Some(index) && (bit.value || self.nomask)),
            None => {
                self.size.is_none_or(|s| index < s)
                    && bit_in(self.value.as_deref().unwrap_or_default(), index)
            }
        }
    }

    /// `(index, name, set)` of every bit of a verbose set.
    pub fn named_bits(&self) -> Vec<(u32, &str, bool)> {
        self.bits
            .iter()
            .flat_map(|b| &b.bits)
            .filter_map(|bit| {
                Some((
                    bit.index?,
                    bit.name.as_deref().unwrap_or(""),
                    bit.value || self.nomask,
                ))
            })
            .collect()
    }
}

/// `ETHTOOL_A_STRING_*`: one string of a set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct EthString {
    /// `ETHTOOL_A_STRING_INDEX`.
    #[nla(type = 1)]
    pub index: Option<u32>,
    /// `ETHTOOL_A_STRING_VALUE`.
    #[nla(type = 2)]
    pub value: Option<String>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_STRINGS_*`: the strings of a set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct EthStrings {
    /// `ETHTOOL_A_STRINGS_STRING`, repeated.
    #[nla(type = 1, nested, multi)]
    pub strings: Vec<EthString>,
}

/// `ETHTOOL_A_STRINGSET_*`: one string set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct StringSet {
    /// `ETHTOOL_A_STRINGSET_ID`: an `ETH_SS_*` ([`string_set`](super::string_set)).
    #[nla(type = 1)]
    pub id: Option<u32>,
    /// `ETHTOOL_A_STRINGSET_COUNT`.
    #[nla(type = 2)]
    pub count: Option<u32>,
    /// `ETHTOOL_A_STRINGSET_STRINGS`.
    #[nla(type = 3, nested)]
    pub strings: Option<EthStrings>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

impl StringSet {
    /// The strings by index: entry `i` is string `i` (empty where the kernel sent none).
    pub fn to_vec(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.strings.iter().flat_map(|s| &s.strings) {
            let (Some(i), Some(v)) = (s.index, &s.value) else {
                continue;
            };
            let Ok(i) = usize::try_from(i) else { continue };
            if i >= out.len() {
                // At most one entry per string the kernel sent, whatever the indices say.
                if i > out.len().saturating_add(4096) {
                    continue;
                }
                out.resize(i.saturating_add(1), String::new());
            }
            if let Some(slot) = out.get_mut(i) {
                slot.clone_from(v);
            }
        }
        out
    }
}

/// `ETHTOOL_A_STRINGSETS_*`: a list of string sets.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct StringSets {
    /// `ETHTOOL_A_STRINGSETS_STRINGSET`, repeated.
    #[nla(type = 1, nested, multi)]
    pub sets: Vec<StringSet>,
}

/// `ETHTOOL_A_STRSET_*`: `STRSET_GET`'s request and reply.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Strset {
    /// `ETHTOOL_A_STRSET_HEADER` (required in requests; without a device: the global sets).
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_STRSET_STRINGSETS`: the sets asked for, or sent.
    #[nla(type = 2, nested)]
    pub stringsets: Option<StringSets>,
    /// `ETHTOOL_A_STRSET_COUNTS_ONLY`: only the sizes.
    #[nla(type = 3, flag)]
    pub counts_only: bool,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

impl Strset {
    /// A request for the sets `ids` (`ETH_SS_*`) of `header`'s device, or the global sets
    /// with `EthtoolHeader::default()` (the kernel wants the header nest even empty).
    pub fn request(header: EthtoolHeader, ids: &[u32]) -> Strset {
        Strset {
            header: Some(header),
            stringsets: Some(StringSets {
                sets: ids
                    .iter()
                    .map(|id| StringSet {
                        id: Some(*id),
                        ..StringSet::default()
                    })
                    .collect(),
            }),
            ..Strset::default()
        }
    }

    /// The set with id `id`, if the reply holds it.
    pub fn set(&self, id: u32) -> Option<&StringSet> {
        self.stringsets
            .as_ref()?
            .sets
            .iter()
            .find(|s| s.id == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_bitsets_read_back() {
        let b = Bitset::compact(40, [0, 5, 33, 99], Some(&[0, 1, 5, 33, 34]));
        assert_eq!(b.value_bits(), [0, 5, 33]);
        assert_eq!(b.mask_bits().unwrap(), [0, 1, 5, 33, 34]);
        assert!(b.test(33) && !b.test(1) && !b.test(99));
        assert_eq!(b.value.as_ref().unwrap().len(), 8);
        let n = Bitset::compact(8, [1], None);
        assert!(n.nomask && n.mask_bits().is_none());
    }

    #[test]
    fn verbose_bitsets_read_back() {
        let mut b = Bitset::named([("rx-gro", true), ("tx-nocache-copy", false)]);
        for (i, bit) in b.bits.as_mut().unwrap().bits.iter_mut().enumerate() {
            bit.index = Some(i as u32 + 10);
        }
        assert!(!b.is_compact());
        assert_eq!(b.value_bits(), [10]);
        assert_eq!(b.mask_bits().unwrap(), [10, 11]);
        assert_eq!(
            b.named_bits(),
            [(10, "rx-gro", true), (11, "tx-nocache-copy", false)]
        );
        let buf = b.to_bytes().unwrap();
        assert_eq!(Bitset::decode(&buf).unwrap(), b);
    }

    #[test]
    fn string_sets_by_index() {
        let set = StringSet {
            id: Some(crate::genl::ethtool::string_set::FEATURES),
            count: Some(3),
            strings: Some(EthStrings {
                strings: vec![
                    EthString {
                        index: Some(2),
                        value: Some("c".into()),
                        ..Default::default()
                    },
                    EthString {
                        index: Some(0),
                        value: Some("a".into()),
                        ..Default::default()
                    },
                    EthString {
                        index: Some(u32::MAX),
                        value: Some("far".into()),
                        ..Default::default()
                    },
                ],
            }),
            ..Default::default()
        };
        assert_eq!(set.to_vec(), ["a", "", "c"]);
    }
}
