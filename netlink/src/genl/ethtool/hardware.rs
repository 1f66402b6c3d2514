//! Offload features, ring sizes, channels, interrupt coalescing, pause and timestamping.

use super::{Bitset, EthtoolHeader};
use crate::{NlAttrs, UnknownAttrs};

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

/// `ETHTOOL_A_PAUSE_STAT_*`: pause frame counters (with [`FLAG_STATS`](super::FLAG_STATS)).
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
