//! The `ethtool` generic netlink family (`linux/ethtool_netlink.h`): device settings, link
//! state, features, rings, channels, coalescing, pause, timestamping and string sets, declared
//! with the derives.
//!
//! Every request starts with a header nest naming the device ([`EthtoolHeader`]). `GET`
//! commands take only that header ([`EthtoolRequest`]); `SET` commands take their own request
//! types ([`RingsSet`], [`ChannelsSet`], [`FeaturesSet`], [`DebugSet`]) holding only what the
//! kernel accepts. Bit sets travel in the compact form (`value`/`mask` words) or the verbose
//! form (one nest per bit, with its name): [`Bitset`] reads and writes both.
//!
//! ```no_run
//! use netlink::genl::ethtool::{self, Ethtool, EthtoolRequest};
//! use netlink::genl::GenlHandle;
//! use netlink::{Config, Conn, Family};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! let eth = GenlHandle::<Ethtool>::resolve(&conn)?;
//! let state = eth.get(&conn, ethtool::LINKSTATE_GET, &EthtoolRequest::dev("lo"))?;
//! println!("link detected: {:?}", state.link);
//! # Ok::<(), netlink::Error>(())
//! ```

use crate::error::DecodeError;
use crate::genl::family::{Command, GenlEvent, GenlFamily, GenlMessage};
use crate::message::MessageRef;
use crate::nlattrs::NlAttrsOwned;
use crate::{NlAttrs, UnknownAttrs};

/// The `ethtool` family: `ETHTOOL_GENL_NAME`, `ETHTOOL_GENL_VERSION`.
#[derive(Debug, Clone, Copy)]
pub struct Ethtool;

impl GenlFamily for Ethtool {
    const NAME: &'static str = "ethtool";
    const VERSION: u8 = 1;
}

/// `ETHTOOL_MCGRP_MONITOR_NAME`: the group of every `*_NTF` notification.
pub const MONITOR_GROUP: &str = "monitor";

/// `ETHTOOL_FLAG_COMPACT_BITSETS`: bit sets in replies in the compact form.
pub const FLAG_COMPACT_BITSETS: u32 = 1 << 0;
/// `ETHTOOL_FLAG_OMIT_REPLY`: no reply to a `SET` that would send one.
pub const FLAG_OMIT_REPLY: u32 = 1 << 1;
/// `ETHTOOL_FLAG_STATS`: statistics in replies that have them.
pub const FLAG_STATS: u32 = 1 << 2;

/// `ETH_SS_*`: string set ids of `STRSET_GET`.
pub mod string_set {
    /// `ETH_SS_TEST`: self-test names.
    pub const TEST: u32 = 0;
    /// `ETH_SS_STATS`: statistics names.
    pub const STATS: u32 = 1;
    /// `ETH_SS_PRIV_FLAGS`: driver private flag names.
    pub const PRIV_FLAGS: u32 = 2;
    /// `ETH_SS_FEATURES`: device feature names (bit `i` of the feature bit sets).
    pub const FEATURES: u32 = 4;
    /// `ETH_SS_LINK_MODES`: link mode names.
    pub const LINK_MODES: u32 = 9;
    /// `ETH_SS_MSG_CLASSES`: debug message class names.
    pub const MSG_CLASSES: u32 = 10;
    /// `ETH_SS_WOL_MODES`: wake-on-LAN modes.
    pub const WOL_MODES: u32 = 11;
    /// `ETH_SS_SOF_TIMESTAMPING`: `SOF_TIMESTAMPING_*` flag names.
    pub const SOF_TIMESTAMPING: u32 = 12;
    /// `ETH_SS_TS_TX_TYPES`: timestamping transmit types.
    pub const TS_TX_TYPES: u32 = 13;
    /// `ETH_SS_TS_RX_FILTERS`: timestamping receive filters.
    pub const TS_RX_FILTERS: u32 = 14;
}

/// `ETHTOOL_A_HEADER_*`: which device a request is about (by index or name) and the request
/// flags; replies name the device both ways.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct EthtoolHeader {
    /// `ETHTOOL_A_HEADER_DEV_INDEX`.
    #[nla(type = 1)]
    pub dev_index: Option<u32>,
    /// `ETHTOOL_A_HEADER_DEV_NAME` (the kernel accepts alternative names up to 127 bytes).
    #[nla(type = 2, max_len = 127)]
    pub dev_name: Option<String>,
    /// `ETHTOOL_A_HEADER_FLAGS`: `FLAG_*`.
    #[nla(type = 3)]
    pub flags: Option<u32>,
    /// Attributes of newer kernels, among them `ETHTOOL_A_HEADER_PHY_INDEX` (4), which only
    /// the PHY commands accept (policy conformance caught it in the other commands' headers).
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

impl EthtoolHeader {
    /// The device called `name`.
    pub fn dev(name: &str) -> EthtoolHeader {
        EthtoolHeader {
            dev_name: Some(name.to_owned()),
            ..EthtoolHeader::default()
        }
    }

    /// The device with index `index`.
    pub fn index(index: u32) -> EthtoolHeader {
        EthtoolHeader {
            dev_index: Some(index),
            ..EthtoolHeader::default()
        }
    }

    /// This header with `flags` (`FLAG_*`) added.
    pub fn with_flags(mut self, flags: u32) -> EthtoolHeader {
        self.flags = Some(self.flags.unwrap_or(0) | flags);
        self
    }
}

/// The request of every `GET` command but `STRSET_GET`: the header alone.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct EthtoolRequest {
    /// The device and flags.
    #[nla(type = 1, nested)]
    pub header: EthtoolHeader,
}

impl EthtoolRequest {
    /// A request about the device called `name`.
    pub fn dev(name: &str) -> EthtoolRequest {
        EthtoolRequest {
            header: EthtoolHeader::dev(name),
        }
    }

    /// A request about the device called `name` with bit sets in the compact form.
    pub fn compact(name: &str) -> EthtoolRequest {
        EthtoolRequest {
            header: EthtoolHeader::dev(name).with_flags(FLAG_COMPACT_BITSETS),
        }
    }

    /// A request about the device with index `index`.
    pub fn index(index: u32) -> EthtoolRequest {
        EthtoolRequest {
            header: EthtoolHeader::index(index),
        }
    }

    /// A request with `header`.
    pub fn with_header(header: EthtoolHeader) -> EthtoolRequest {
        EthtoolRequest { header }
    }
}

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
    /// `ETHTOOL_A_STRINGSET_ID`: an `ETH_SS_*` ([`string_set`]).
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

/// `ETHTOOL_A_LINKINFO_*`: port, PHY address, MDI-X and transceiver.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkInfo {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_LINKINFO_PORT`: `PORT_*` (0 twisted pair, 3 fibre, 0xef none, ...).
    #[nla(type = 2)]
    pub port: Option<u8>,
    /// `ETHTOOL_A_LINKINFO_PHYADDR`.
    #[nla(type = 3)]
    pub phyaddr: Option<u8>,
    /// `ETHTOOL_A_LINKINFO_TP_MDIX`: `ETH_TP_MDI*`.
    #[nla(type = 4)]
    pub tp_mdix: Option<u8>,
    /// `ETHTOOL_A_LINKINFO_TP_MDIX_CTRL`: `ETH_TP_MDI*`.
    #[nla(type = 5)]
    pub tp_mdix_ctrl: Option<u8>,
    /// `ETHTOOL_A_LINKINFO_TRANSCEIVER`: `XCVR_*`.
    #[nla(type = 6)]
    pub transceiver: Option<u8>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_LINKMODES_*`: link modes, speed, duplex, autonegotiation.
///
/// Declared in the order the kernel writes them (lanes before the master/slave pair).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkModes {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_LINKMODES_AUTONEG`: `AUTONEG_DISABLE` (0) or `AUTONEG_ENABLE` (1).
    #[nla(type = 2)]
    pub autoneg: Option<u8>,
    /// `ETHTOOL_A_LINKMODES_OURS`: advertised modes (value) and supported ones (mask).
    #[nla(type = 3, nested)]
    pub ours: Option<Bitset>,
    /// `ETHTOOL_A_LINKMODES_PEER`: the link partner's modes.
    #[nla(type = 4, nested)]
    pub peer: Option<Bitset>,
    /// `ETHTOOL_A_LINKMODES_SPEED`: Mb/s; `u32::MAX` when unknown.
    #[nla(type = 5)]
    pub speed: Option<u32>,
    /// `ETHTOOL_A_LINKMODES_DUPLEX`: `DUPLEX_HALF` (0), `DUPLEX_FULL` (1), unknown (0xff).
    #[nla(type = 6)]
    pub duplex: Option<u8>,
    /// `ETHTOOL_A_LINKMODES_LANES`.
    #[nla(type = 9)]
    pub lanes: Option<u32>,
    /// `ETHTOOL_A_LINKMODES_MASTER_SLAVE_CFG`.
    #[nla(type = 7)]
    pub master_slave_cfg: Option<u8>,
    /// `ETHTOOL_A_LINKMODES_MASTER_SLAVE_STATE`.
    #[nla(type = 8)]
    pub master_slave_state: Option<u8>,
    /// `ETHTOOL_A_LINKMODES_RATE_MATCHING`.
    #[nla(type = 10)]
    pub rate_matching: Option<u8>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_LINKSTATE_*`: link detection and signal quality.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkState {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_LINKSTATE_LINK`: 1 when the link is up.
    #[nla(type = 2)]
    pub link: Option<u8>,
    /// `ETHTOOL_A_LINKSTATE_SQI`.
    #[nla(type = 3)]
    pub sqi: Option<u32>,
    /// `ETHTOOL_A_LINKSTATE_SQI_MAX`.
    #[nla(type = 4)]
    pub sqi_max: Option<u32>,
    /// `ETHTOOL_A_LINKSTATE_EXT_STATE`.
    #[nla(type = 5)]
    pub ext_state: Option<u8>,
    /// `ETHTOOL_A_LINKSTATE_EXT_SUBSTATE`.
    #[nla(type = 6)]
    pub ext_substate: Option<u8>,
    /// `ETHTOOL_A_LINKSTATE_EXT_DOWN_CNT`: how often the link went down.
    #[nla(type = 7)]
    pub ext_down_count: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_DEBUG_*`: the driver's message mask.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct DebugSettings {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_DEBUG_MSGMASK`: `NETIF_MSG_*` classes (names in `ETH_SS_MSG_CLASSES`).
    #[nla(type = 2, nested)]
    pub msgmask: Option<Bitset>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `DEBUG_SET`'s request.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct DebugSet {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: EthtoolHeader,
    /// `ETHTOOL_A_DEBUG_MSGMASK`: the classes to change.
    #[nla(type = 2, nested)]
    pub msgmask: Option<Bitset>,
}

/// `ETHTOOL_A_FEATURES_*`: offload features (names in `ETH_SS_FEATURES`).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Features {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_FEATURES_HW`: features the user may change.
    #[nla(type = 2, nested)]
    pub hw: Option<Bitset>,
    /// `ETHTOOL_A_FEATURES_WANTED`: features the user asked for.
    #[nla(type = 3, nested)]
    pub wanted: Option<Bitset>,
    /// `ETHTOOL_A_FEATURES_ACTIVE`: features in effect.
    #[nla(type = 4, nested)]
    pub active: Option<Bitset>,
    /// `ETHTOOL_A_FEATURES_NOCHANGE`: features that never change.
    #[nla(type = 5, nested)]
    pub nochange: Option<Bitset>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `FEATURES_SET`'s request.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct FeaturesSet {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: EthtoolHeader,
    /// `ETHTOOL_A_FEATURES_WANTED`: the features to change (see [`Bitset::named`]).
    #[nla(type = 3, nested)]
    pub wanted: Option<Bitset>,
}

/// `ETHTOOL_A_RINGS_*`: ring sizes.
///
/// Declared in the order the kernel writes them (each maximum next to its size).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Rings {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_RINGS_RX_MAX`.
    #[nla(type = 2)]
    pub rx_max: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX`.
    #[nla(type = 6)]
    pub rx: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_MINI_MAX`.
    #[nla(type = 3)]
    pub rx_mini_max: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_MINI`.
    #[nla(type = 7)]
    pub rx_mini: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_JUMBO_MAX`.
    #[nla(type = 4)]
    pub rx_jumbo_max: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_JUMBO`.
    #[nla(type = 8)]
    pub rx_jumbo: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX_MAX`.
    #[nla(type = 5)]
    pub tx_max: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX`.
    #[nla(type = 9)]
    pub tx: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_BUF_LEN`.
    #[nla(type = 10)]
    pub rx_buf_len: Option<u32>,
    /// `ETHTOOL_A_RINGS_TCP_DATA_SPLIT`: `ETHTOOL_TCP_DATA_SPLIT_*`.
    #[nla(type = 11)]
    pub tcp_data_split: Option<u8>,
    /// `ETHTOOL_A_RINGS_CQE_SIZE`.
    #[nla(type = 12)]
    pub cqe_size: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX_PUSH`.
    #[nla(type = 13)]
    pub tx_push: Option<u8>,
    /// `ETHTOOL_A_RINGS_RX_PUSH`.
    #[nla(type = 14)]
    pub rx_push: Option<u8>,
    /// `ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN_MAX`.
    #[nla(type = 16)]
    pub tx_push_buf_len_max: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN`.
    #[nla(type = 15)]
    pub tx_push_buf_len: Option<u32>,
    /// `ETHTOOL_A_RINGS_HDS_THRESH`.
    #[nla(type = 17)]
    pub hds_thresh: Option<u32>,
    /// `ETHTOOL_A_RINGS_HDS_THRESH_MAX`.
    #[nla(type = 18)]
    pub hds_thresh_max: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `RINGS_SET`'s request: the sizes to change.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct RingsSet {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: EthtoolHeader,
    /// `ETHTOOL_A_RINGS_RX`.
    #[nla(type = 6)]
    pub rx: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_MINI`.
    #[nla(type = 7)]
    pub rx_mini: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_JUMBO`.
    #[nla(type = 8)]
    pub rx_jumbo: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX`.
    #[nla(type = 9)]
    pub tx: Option<u32>,
    /// `ETHTOOL_A_RINGS_RX_BUF_LEN` (at least 1).
    #[nla(type = 10, min = 1)]
    pub rx_buf_len: Option<u32>,
    /// `ETHTOOL_A_RINGS_TCP_DATA_SPLIT`: 0..=2.
    #[nla(type = 11, max = 2)]
    pub tcp_data_split: Option<u8>,
    /// `ETHTOOL_A_RINGS_CQE_SIZE` (at least 1).
    #[nla(type = 12, min = 1)]
    pub cqe_size: Option<u32>,
    /// `ETHTOOL_A_RINGS_TX_PUSH`: 0 or 1.
    #[nla(type = 13, max = 1)]
    pub tx_push: Option<u8>,
    /// `ETHTOOL_A_RINGS_RX_PUSH`: 0 or 1.
    #[nla(type = 14, max = 1)]
    pub rx_push: Option<u8>,
    /// `ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN`.
    #[nla(type = 15)]
    pub tx_push_buf_len: Option<u32>,
    /// `ETHTOOL_A_RINGS_HDS_THRESH`.
    #[nla(type = 17)]
    pub hds_thresh: Option<u32>,
}

/// `ETHTOOL_A_CHANNELS_*`: channel counts.
///
/// Declared in the order the kernel writes them (each maximum next to its count), so that a
/// reply re-encodes to its own bytes.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Channels {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_CHANNELS_RX_MAX`.
    #[nla(type = 2)]
    pub rx_max: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_RX_COUNT`.
    #[nla(type = 6)]
    pub rx_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_TX_MAX`.
    #[nla(type = 3)]
    pub tx_max: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_TX_COUNT`.
    #[nla(type = 7)]
    pub tx_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_OTHER_MAX`.
    #[nla(type = 4)]
    pub other_max: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_OTHER_COUNT`.
    #[nla(type = 8)]
    pub other_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_COMBINED_MAX`.
    #[nla(type = 5)]
    pub combined_max: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_COMBINED_COUNT`.
    #[nla(type = 9)]
    pub combined_count: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `CHANNELS_SET`'s request: the counts to change.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelsSet {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: EthtoolHeader,
    /// `ETHTOOL_A_CHANNELS_RX_COUNT`.
    #[nla(type = 6)]
    pub rx_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_TX_COUNT`.
    #[nla(type = 7)]
    pub tx_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_OTHER_COUNT`.
    #[nla(type = 8)]
    pub other_count: Option<u32>,
    /// `ETHTOOL_A_CHANNELS_COMBINED_COUNT`.
    #[nla(type = 9)]
    pub combined_count: Option<u32>,
}

/// `ETHTOOL_A_IRQ_MODERATION_*`: one step of an interrupt moderation profile.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct IrqModeration {
    /// `ETHTOOL_A_IRQ_MODERATION_USEC`.
    #[nla(type = 1)]
    pub usec: Option<u32>,
    /// `ETHTOOL_A_IRQ_MODERATION_PKTS`.
    #[nla(type = 2)]
    pub pkts: Option<u32>,
    /// `ETHTOOL_A_IRQ_MODERATION_COMPS`.
    #[nla(type = 3)]
    pub comps: Option<u32>,
}

/// `ETHTOOL_A_PROFILE_*`: an interrupt moderation profile.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct IrqProfile {
    /// `ETHTOOL_A_PROFILE_IRQ_MODERATION`, repeated.
    #[nla(type = 1, nested, multi)]
    pub steps: Vec<IrqModeration>,
}

/// `ETHTOOL_A_COALESCE_*`: interrupt coalescing.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Coalesce {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_COALESCE_RX_USECS`.
    #[nla(type = 2)]
    pub rx_usecs: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_MAX_FRAMES`.
    #[nla(type = 3)]
    pub rx_max_frames: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_USECS_IRQ`.
    #[nla(type = 4)]
    pub rx_usecs_irq: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_MAX_FRAMES_IRQ`.
    #[nla(type = 5)]
    pub rx_max_frames_irq: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_USECS`.
    #[nla(type = 6)]
    pub tx_usecs: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_MAX_FRAMES`.
    #[nla(type = 7)]
    pub tx_max_frames: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_USECS_IRQ`.
    #[nla(type = 8)]
    pub tx_usecs_irq: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_MAX_FRAMES_IRQ`.
    #[nla(type = 9)]
    pub tx_max_frames_irq: Option<u32>,
    /// `ETHTOOL_A_COALESCE_STATS_BLOCK_USECS`.
    #[nla(type = 10)]
    pub stats_block_usecs: Option<u32>,
    /// `ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX`.
    #[nla(type = 11)]
    pub use_adaptive_rx: Option<u8>,
    /// `ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX`.
    #[nla(type = 12)]
    pub use_adaptive_tx: Option<u8>,
    /// `ETHTOOL_A_COALESCE_PKT_RATE_LOW`.
    #[nla(type = 13)]
    pub pkt_rate_low: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_USECS_LOW`.
    #[nla(type = 14)]
    pub rx_usecs_low: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_MAX_FRAMES_LOW`.
    #[nla(type = 15)]
    pub rx_max_frames_low: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_USECS_LOW`.
    #[nla(type = 16)]
    pub tx_usecs_low: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_MAX_FRAMES_LOW`.
    #[nla(type = 17)]
    pub tx_max_frames_low: Option<u32>,
    /// `ETHTOOL_A_COALESCE_PKT_RATE_HIGH`.
    #[nla(type = 18)]
    pub pkt_rate_high: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_USECS_HIGH`.
    #[nla(type = 19)]
    pub rx_usecs_high: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_MAX_FRAMES_HIGH`.
    #[nla(type = 20)]
    pub rx_max_frames_high: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_USECS_HIGH`.
    #[nla(type = 21)]
    pub tx_usecs_high: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_MAX_FRAMES_HIGH`.
    #[nla(type = 22)]
    pub tx_max_frames_high: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RATE_SAMPLE_INTERVAL`.
    #[nla(type = 23)]
    pub rate_sample_interval: Option<u32>,
    /// `ETHTOOL_A_COALESCE_USE_CQE_MODE_TX`.
    #[nla(type = 24)]
    pub use_cqe_mode_tx: Option<u8>,
    /// `ETHTOOL_A_COALESCE_USE_CQE_MODE_RX`.
    #[nla(type = 25)]
    pub use_cqe_mode_rx: Option<u8>,
    /// `ETHTOOL_A_COALESCE_TX_AGGR_MAX_BYTES`.
    #[nla(type = 26)]
    pub tx_aggr_max_bytes: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_AGGR_MAX_FRAMES`.
    #[nla(type = 27)]
    pub tx_aggr_max_frames: Option<u32>,
    /// `ETHTOOL_A_COALESCE_TX_AGGR_TIME_USECS`.
    #[nla(type = 28)]
    pub tx_aggr_time_usecs: Option<u32>,
    /// `ETHTOOL_A_COALESCE_RX_PROFILE`.
    #[nla(type = 29, nested)]
    pub rx_profile: Option<IrqProfile>,
    /// `ETHTOOL_A_COALESCE_TX_PROFILE`.
    #[nla(type = 30, nested)]
    pub tx_profile: Option<IrqProfile>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_PAUSE_STAT_*`: pause frame counters (with [`FLAG_STATS`]).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct PauseStats {
    /// `ETHTOOL_A_PAUSE_STAT_TX_FRAMES`.
    #[nla(type = 2)]
    pub tx_frames: Option<u64>,
    /// `ETHTOOL_A_PAUSE_STAT_RX_FRAMES`.
    #[nla(type = 3)]
    pub rx_frames: Option<u64>,
    /// Padding and counters of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_PAUSE_*`: flow control.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Pause {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_PAUSE_AUTONEG`.
    #[nla(type = 2)]
    pub autoneg: Option<u8>,
    /// `ETHTOOL_A_PAUSE_RX`.
    #[nla(type = 3)]
    pub rx: Option<u8>,
    /// `ETHTOOL_A_PAUSE_TX`.
    #[nla(type = 4)]
    pub tx: Option<u8>,
    /// `ETHTOOL_A_PAUSE_STATS`.
    #[nla(type = 5, nested)]
    pub stats: Option<PauseStats>,
    /// `ETHTOOL_A_PAUSE_STATS_SRC`.
    #[nla(type = 6)]
    pub stats_src: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_A_TS_HWTSTAMP_PROVIDER_*`: a hardware timestamp provider.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct TsProvider {
    /// `ETHTOOL_A_TS_HWTSTAMP_PROVIDER_INDEX`: the PTP clock.
    #[nla(type = 1)]
    pub index: Option<u32>,
    /// `ETHTOOL_A_TS_HWTSTAMP_PROVIDER_QUALIFIER`: 0 precise, 1 approximate.
    #[nla(type = 2, max = 1)]
    pub qualifier: Option<u32>,
}

/// `ETHTOOL_A_TSINFO_*`: timestamping capabilities.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct TsInfo {
    /// The device.
    #[nla(type = 1, nested)]
    pub header: Option<EthtoolHeader>,
    /// `ETHTOOL_A_TSINFO_TIMESTAMPING`: `SOF_TIMESTAMPING_*`.
    #[nla(type = 2, nested)]
    pub timestamping: Option<Bitset>,
    /// `ETHTOOL_A_TSINFO_TX_TYPES`: `HWTSTAMP_TX_*`.
    #[nla(type = 3, nested)]
    pub tx_types: Option<Bitset>,
    /// `ETHTOOL_A_TSINFO_RX_FILTERS`: `HWTSTAMP_FILTER_*`.
    #[nla(type = 4, nested)]
    pub rx_filters: Option<Bitset>,
    /// `ETHTOOL_A_TSINFO_PHC_INDEX`: the PTP hardware clock, if any.
    #[nla(type = 5)]
    pub phc_index: Option<u32>,
    /// `ETHTOOL_A_TSINFO_HWTSTAMP_PROVIDER`: the provider asked for.
    #[nla(type = 7, nested)]
    pub hwtstamp_provider: Option<TsProvider>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// A reply or `SET` without attributes worth reading.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct NoReply {
    /// Whatever the kernel sent.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `ETHTOOL_MSG_STRSET_GET`.
pub const STRSET_GET: Command<Ethtool, Strset> = Command::new(1, "ETHTOOL_MSG_STRSET_GET");
/// `ETHTOOL_MSG_LINKINFO_GET`.
pub const LINKINFO_GET: Command<Ethtool, EthtoolRequest, LinkInfo> =
    Command::new(2, "ETHTOOL_MSG_LINKINFO_GET");
/// `ETHTOOL_MSG_LINKMODES_GET`.
pub const LINKMODES_GET: Command<Ethtool, EthtoolRequest, LinkModes> =
    Command::new(4, "ETHTOOL_MSG_LINKMODES_GET");
/// `ETHTOOL_MSG_LINKSTATE_GET`.
pub const LINKSTATE_GET: Command<Ethtool, EthtoolRequest, LinkState> =
    Command::new(6, "ETHTOOL_MSG_LINKSTATE_GET");
/// `ETHTOOL_MSG_DEBUG_GET`.
pub const DEBUG_GET: Command<Ethtool, EthtoolRequest, DebugSettings> =
    Command::new(7, "ETHTOOL_MSG_DEBUG_GET");
/// `ETHTOOL_MSG_DEBUG_SET`.
pub const DEBUG_SET: Command<Ethtool, DebugSet, NoReply> = Command::new(8, "ETHTOOL_MSG_DEBUG_SET");
/// `ETHTOOL_MSG_FEATURES_GET`.
pub const FEATURES_GET: Command<Ethtool, EthtoolRequest, Features> =
    Command::new(11, "ETHTOOL_MSG_FEATURES_GET");
/// `ETHTOOL_MSG_FEATURES_SET`: replies with the features that differ from the request
/// (unless [`FLAG_OMIT_REPLY`]).
pub const FEATURES_SET: Command<Ethtool, FeaturesSet, Features> =
    Command::new(12, "ETHTOOL_MSG_FEATURES_SET");
/// `ETHTOOL_MSG_RINGS_GET`.
pub const RINGS_GET: Command<Ethtool, EthtoolRequest, Rings> =
    Command::new(15, "ETHTOOL_MSG_RINGS_GET");
/// `ETHTOOL_MSG_RINGS_SET`.
pub const RINGS_SET: Command<Ethtool, RingsSet, NoReply> =
    Command::new(16, "ETHTOOL_MSG_RINGS_SET");
/// `ETHTOOL_MSG_CHANNELS_GET`.
pub const CHANNELS_GET: Command<Ethtool, EthtoolRequest, Channels> =
    Command::new(17, "ETHTOOL_MSG_CHANNELS_GET");
/// `ETHTOOL_MSG_CHANNELS_SET`.
pub const CHANNELS_SET: Command<Ethtool, ChannelsSet, NoReply> =
    Command::new(18, "ETHTOOL_MSG_CHANNELS_SET");
/// `ETHTOOL_MSG_COALESCE_GET`.
pub const COALESCE_GET: Command<Ethtool, EthtoolRequest, Coalesce> =
    Command::new(19, "ETHTOOL_MSG_COALESCE_GET");
/// `ETHTOOL_MSG_PAUSE_GET`.
pub const PAUSE_GET: Command<Ethtool, EthtoolRequest, Pause> =
    Command::new(21, "ETHTOOL_MSG_PAUSE_GET");
/// `ETHTOOL_MSG_TSINFO_GET`.
pub const TSINFO_GET: Command<Ethtool, EthtoolRequest, TsInfo> =
    Command::new(25, "ETHTOOL_MSG_TSINFO_GET");

/// A notification of the `monitor` group (`ETHTOOL_MSG_*_NTF`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EthtoolEvent {
    /// `ETHTOOL_MSG_LINKINFO_NTF`.
    LinkInfo(LinkInfo),
    /// `ETHTOOL_MSG_LINKMODES_NTF`.
    LinkModes(LinkModes),
    /// `ETHTOOL_MSG_DEBUG_NTF`.
    Debug(DebugSettings),
    /// `ETHTOOL_MSG_FEATURES_NTF`.
    Features(Features),
    /// `ETHTOOL_MSG_RINGS_NTF`.
    Rings(Rings),
    /// `ETHTOOL_MSG_CHANNELS_NTF`.
    Channels(Channels),
    /// `ETHTOOL_MSG_COALESCE_NTF`.
    Coalesce(Coalesce),
    /// `ETHTOOL_MSG_PAUSE_NTF`.
    Pause(Pause),
}

/// The message numbers of the notifications (kernel to user space).
pub mod ntf {
    /// `ETHTOOL_MSG_LINKINFO_NTF`.
    pub const LINKINFO: u8 = 3;
    /// `ETHTOOL_MSG_LINKMODES_NTF`.
    pub const LINKMODES: u8 = 5;
    /// `ETHTOOL_MSG_DEBUG_NTF`.
    pub const DEBUG: u8 = 8;
    /// `ETHTOOL_MSG_FEATURES_NTF`.
    pub const FEATURES: u8 = 13;
    /// `ETHTOOL_MSG_RINGS_NTF`.
    pub const RINGS: u8 = 17;
    /// `ETHTOOL_MSG_CHANNELS_NTF`.
    pub const CHANNELS: u8 = 19;
    /// `ETHTOOL_MSG_COALESCE_NTF`.
    pub const COALESCE: u8 = 21;
    /// `ETHTOOL_MSG_PAUSE_NTF`.
    pub const PAUSE: u8 = 23;
}

fn body<T: NlAttrsOwned>(msg: &MessageRef<'_>) -> Result<T, DecodeError> {
    GenlMessage::<T>::from_message(msg).map(|m| m.body)
}

impl GenlEvent for EthtoolEvent {
    fn decode_event(cmd: u8, msg: &MessageRef<'_>) -> Result<Option<Self>, DecodeError> {
        Ok(Some(match cmd {
            ntf::LINKINFO => EthtoolEvent::LinkInfo(body(msg)?),
            ntf::LINKMODES => EthtoolEvent::LinkModes(body(msg)?),
            ntf::DEBUG => EthtoolEvent::Debug(body(msg)?),
            ntf::FEATURES => EthtoolEvent::Features(body(msg)?),
            ntf::RINGS => EthtoolEvent::Rings(body(msg)?),
            ntf::CHANNELS => EthtoolEvent::Channels(body(msg)?),
            ntf::COALESCE => EthtoolEvent::Coalesce(body(msg)?),
            ntf::PAUSE => EthtoolEvent::Pause(body(msg)?),
            _ => return Ok(None),
        }))
    }
}

impl EthtoolEvent {
    /// The header naming the device, if the notification has one.
    pub fn header(&self) -> Option<&EthtoolHeader> {
        match self {
            EthtoolEvent::LinkInfo(m) => m.header.as_ref(),
            EthtoolEvent::LinkModes(m) => m.header.as_ref(),
            EthtoolEvent::Debug(m) => m.header.as_ref(),
            EthtoolEvent::Features(m) => m.header.as_ref(),
            EthtoolEvent::Rings(m) => m.header.as_ref(),
            EthtoolEvent::Channels(m) => m.header.as_ref(),
            EthtoolEvent::Coalesce(m) => m.header.as_ref(),
            EthtoolEvent::Pause(m) => m.header.as_ref(),
        }
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
            id: Some(string_set::FEATURES),
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
