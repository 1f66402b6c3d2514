//! Link information, link modes, link state and the driver's message level.

use super::{Bitset, EthtoolHeader};
use crate::{NlAttrs, UnknownAttrs};

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
