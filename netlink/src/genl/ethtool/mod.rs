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

mod bitset;
mod hardware;
mod link;

pub use bitset::{
    Bitset, BitsetBit, BitsetBits, EthString, EthStrings, StringSet, StringSets, Strset,
};
pub use hardware::{
    Channels, ChannelsSet, Coalesce, Features, FeaturesSet, IrqModeration, IrqProfile, Pause,
    PauseStats, Rings, RingsSet, TsInfo, TsProvider,
};
pub use link::{DebugSet, DebugSettings, LinkInfo, LinkModes, LinkState};

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
