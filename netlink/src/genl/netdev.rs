//! The `netdev` generic netlink family (the kernel's `netdev.yaml` spec, `linux/netdev.h`):
//! XDP and AF_XDP capabilities of devices, their queues, NAPI instances, page pools and
//! per-queue statistics, and the `mgmt` and `page-pool` notification groups.
//!
//! Requests have their own types holding what the kernel accepts ([`DevGet`], [`QueueGet`],
//! [`QueueDump`], [`NapiGet`], [`NapiDump`], [`PagePoolGet`], [`QstatsGet`]); replies are
//! [`Dev`], [`Queue`], [`Napi`], [`PagePool`] and [`Qstats`].
//!
//! ```no_run
//! use netlink::genl::netdev::{self, DevGet, Netdev};
//! use netlink::genl::GenlHandle;
//! use netlink::{Config, Conn, Family};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! let nd = GenlHandle::<Netdev>::resolve(&conn)?;
//! for dev in nd.dump(&conn, netdev::DEV_GET, &DevGet::default())? {
//!     let dev = dev?;
//!     println!("{:?}: xdp features {:#x}", dev.ifindex, dev.xdp_features.unwrap_or(0));
//! }
//! # Ok::<(), netlink::Error>(())
//! ```

use crate::error::DecodeError;
use crate::genl::family::{Command, GenlEvent, GenlFamily, GenlMessage};
use crate::message::MessageRef;
use crate::nlattrs::NlAttrsOwned;
use crate::{NlAttrs, Uint, UnknownAttrs};

/// The `netdev` family: `NETDEV_FAMILY_NAME`, `NETDEV_FAMILY_VERSION`.
#[derive(Debug, Clone, Copy)]
pub struct Netdev;

impl GenlFamily for Netdev {
    const NAME: &'static str = "netdev";
    const VERSION: u8 = 1;
}

/// `NETDEV_MCGRP_MGMT`: device added, removed or changed.
pub const MGMT_GROUP: &str = "mgmt";
/// `NETDEV_MCGRP_PAGE_POOL`: page pools added, removed or changed.
pub const PAGE_POOL_GROUP: &str = "page-pool";

/// `enum netdev_xdp_act`: bits of [`Dev::xdp_features`].
pub mod xdp_act {
    /// `NETDEV_XDP_ACT_BASIC`: `XDP_ABORTED`, `XDP_DROP`, `XDP_PASS`, `XDP_TX`.
    pub const BASIC: u64 = 1;
    /// `NETDEV_XDP_ACT_REDIRECT`.
    pub const REDIRECT: u64 = 2;
    /// `NETDEV_XDP_ACT_NDO_XMIT`: the device is a redirect target.
    pub const NDO_XMIT: u64 = 4;
    /// `NETDEV_XDP_ACT_XSK_ZEROCOPY`.
    pub const XSK_ZEROCOPY: u64 = 8;
    /// `NETDEV_XDP_ACT_HW_OFFLOAD`.
    pub const HW_OFFLOAD: u64 = 16;
    /// `NETDEV_XDP_ACT_RX_SG`.
    pub const RX_SG: u64 = 32;
    /// `NETDEV_XDP_ACT_NDO_XMIT_SG`.
    pub const NDO_XMIT_SG: u64 = 64;
}

/// `NETDEV_QUEUE_TYPE_*`.
pub mod queue_type {
    /// `NETDEV_QUEUE_TYPE_RX`.
    pub const RX: u32 = 0;
    /// `NETDEV_QUEUE_TYPE_TX`.
    pub const TX: u32 = 1;
}

/// `NETDEV_A_DEV_*`: a device's XDP capabilities.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Dev {
    /// `NETDEV_A_DEV_IFINDEX`.
    #[nla(type = 1)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_DEV_XDP_FEATURES`: [`xdp_act`] bits.
    #[nla(type = 3)]
    pub xdp_features: Option<u64>,
    /// `NETDEV_A_DEV_XDP_ZC_MAX_SEGS`: fragments of an AF_XDP zero-copy frame.
    #[nla(type = 4)]
    pub xdp_zc_max_segs: Option<u32>,
    /// `NETDEV_A_DEV_XDP_RX_METADATA_FEATURES`: `NETDEV_XDP_RX_METADATA_*` bits.
    #[nla(type = 5)]
    pub xdp_rx_metadata_features: Option<u64>,
    /// `NETDEV_A_DEV_XSK_FEATURES`: `NETDEV_XSK_FLAGS_*` bits.
    #[nla(type = 6)]
    pub xsk_features: Option<u64>,
    /// Padding and attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `DEV_GET`'s request: one device (do) or, empty, all of them (dump).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct DevGet {
    /// `NETDEV_A_DEV_IFINDEX`.
    #[nla(type = 1, min = 1)]
    pub ifindex: Option<u32>,
}

/// `NETDEV_A_PAGE_POOL_*`: a page pool.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct PagePool {
    /// `NETDEV_A_PAGE_POOL_ID`.
    #[nla(type = 1)]
    pub id: Option<Uint>,
    /// `NETDEV_A_PAGE_POOL_IFINDEX`: absent once the device is gone.
    #[nla(type = 2)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_PAGE_POOL_NAPI_ID`.
    #[nla(type = 3)]
    pub napi_id: Option<Uint>,
    /// `NETDEV_A_PAGE_POOL_INFLIGHT`: pages handed out.
    #[nla(type = 4)]
    pub inflight: Option<Uint>,
    /// `NETDEV_A_PAGE_POOL_INFLIGHT_MEM`: bytes handed out.
    #[nla(type = 5)]
    pub inflight_mem: Option<Uint>,
    /// `NETDEV_A_PAGE_POOL_DETACH_TIME`: when the pool was detached from its device.
    #[nla(type = 6)]
    pub detach_time: Option<Uint>,
    /// `NETDEV_A_PAGE_POOL_DMABUF`.
    #[nla(type = 7)]
    pub dmabuf: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `PAGE_POOL_GET`'s request: one pool (do) or, empty, all of them (dump).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct PagePoolGet {
    /// `NETDEV_A_PAGE_POOL_ID`.
    #[nla(type = 1)]
    pub id: Option<Uint>,
}

/// `NETDEV_A_QUEUE_*`: a queue of a device, declared in the order the kernel writes them.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Queue {
    /// `NETDEV_A_QUEUE_ID`.
    #[nla(type = 1)]
    pub id: Option<u32>,
    /// `NETDEV_A_QUEUE_TYPE`: [`queue_type`].
    #[nla(type = 3)]
    pub kind: Option<u32>,
    /// `NETDEV_A_QUEUE_IFINDEX`.
    #[nla(type = 2)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_QUEUE_NAPI_ID`.
    #[nla(type = 4)]
    pub napi_id: Option<u32>,
    /// `NETDEV_A_QUEUE_DMABUF`.
    #[nla(type = 5)]
    pub dmabuf: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `QUEUE_GET`'s `do` request: one queue.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueGet {
    /// `NETDEV_A_QUEUE_ID`.
    #[nla(type = 1)]
    pub id: Option<u32>,
    /// `NETDEV_A_QUEUE_IFINDEX`.
    #[nla(type = 2, min = 1)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_QUEUE_TYPE`: [`queue_type`].
    #[nla(type = 3, max = 1)]
    pub kind: Option<u32>,
}

/// `QUEUE_GET`'s `dump` request: the queues of one device, or of all.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueDump {
    /// `NETDEV_A_QUEUE_IFINDEX`.
    #[nla(type = 2, min = 1)]
    pub ifindex: Option<u32>,
}

/// `NETDEV_A_NAPI_*`: a NAPI instance, declared in the order the kernel writes them.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Napi {
    /// `NETDEV_A_NAPI_ID`.
    #[nla(type = 2)]
    pub id: Option<u32>,
    /// `NETDEV_A_NAPI_IFINDEX`.
    #[nla(type = 1)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_NAPI_IRQ`.
    #[nla(type = 3)]
    pub irq: Option<u32>,
    /// `NETDEV_A_NAPI_THREADED`.
    #[nla(type = 8)]
    pub threaded: Option<u32>,
    /// `NETDEV_A_NAPI_PID`: the polling thread, when threaded.
    #[nla(type = 4)]
    pub pid: Option<u32>,
    /// `NETDEV_A_NAPI_DEFER_HARD_IRQS`.
    #[nla(type = 5)]
    pub defer_hard_irqs: Option<u32>,
    /// `NETDEV_A_NAPI_IRQ_SUSPEND_TIMEOUT` (ns).
    #[nla(type = 7)]
    pub irq_suspend_timeout: Option<Uint>,
    /// `NETDEV_A_NAPI_GRO_FLUSH_TIMEOUT` (ns).
    #[nla(type = 6)]
    pub gro_flush_timeout: Option<Uint>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `NAPI_GET`'s `do` request: one NAPI instance.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct NapiGet {
    /// `NETDEV_A_NAPI_ID`.
    #[nla(type = 2)]
    pub id: Option<u32>,
}

/// `NAPI_GET`'s `dump` request: the instances of one device, or of all.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct NapiDump {
    /// `NETDEV_A_NAPI_IFINDEX`.
    #[nla(type = 1, min = 1)]
    pub ifindex: Option<u32>,
}

/// `NETDEV_A_QSTATS_*`: statistics of a device or of one of its queues (`scope`).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Qstats {
    /// `NETDEV_A_QSTATS_IFINDEX`.
    #[nla(type = 1)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_QSTATS_QUEUE_TYPE`: [`queue_type`].
    #[nla(type = 2)]
    pub queue_type: Option<u32>,
    /// `NETDEV_A_QSTATS_QUEUE_ID`.
    #[nla(type = 3)]
    pub queue_id: Option<u32>,
    /// `NETDEV_A_QSTATS_RX_PACKETS`.
    #[nla(type = 8)]
    pub rx_packets: Option<Uint>,
    /// `NETDEV_A_QSTATS_RX_BYTES`.
    #[nla(type = 9)]
    pub rx_bytes: Option<Uint>,
    /// `NETDEV_A_QSTATS_TX_PACKETS`.
    #[nla(type = 10)]
    pub tx_packets: Option<Uint>,
    /// `NETDEV_A_QSTATS_TX_BYTES`.
    #[nla(type = 11)]
    pub tx_bytes: Option<Uint>,
    /// `NETDEV_A_QSTATS_RX_ALLOC_FAIL`.
    #[nla(type = 12)]
    pub rx_alloc_fail: Option<Uint>,
    /// `NETDEV_A_QSTATS_RX_HW_DROPS`.
    #[nla(type = 13)]
    pub rx_hw_drops: Option<Uint>,
    /// The other counters, and those of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `QSTATS_GET`'s request (a dump): one device or all, device-wide or per queue.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct QstatsGet {
    /// `NETDEV_A_QSTATS_IFINDEX`.
    #[nla(type = 1, min = 1)]
    pub ifindex: Option<u32>,
    /// `NETDEV_A_QSTATS_SCOPE`: `NETDEV_QSTATS_SCOPE_QUEUE` (1) for per-queue statistics.
    #[nla(type = 4)]
    pub scope: Option<Uint>,
}

/// `NETDEV_CMD_DEV_GET`.
pub const DEV_GET: Command<Netdev, DevGet, Dev> = Command::new(1, "NETDEV_CMD_DEV_GET");
/// `NETDEV_CMD_PAGE_POOL_GET`.
pub const PAGE_POOL_GET: Command<Netdev, PagePoolGet, PagePool> =
    Command::new(5, "NETDEV_CMD_PAGE_POOL_GET");
/// `NETDEV_CMD_QUEUE_GET` (do).
pub const QUEUE_GET: Command<Netdev, QueueGet, Queue> = Command::new(10, "NETDEV_CMD_QUEUE_GET");
/// `NETDEV_CMD_QUEUE_GET` (dump).
pub const QUEUE_DUMP: Command<Netdev, QueueDump, Queue> = Command::new(10, "NETDEV_CMD_QUEUE_GET");
/// `NETDEV_CMD_NAPI_GET` (do).
pub const NAPI_GET: Command<Netdev, NapiGet, Napi> = Command::new(11, "NETDEV_CMD_NAPI_GET");
/// `NETDEV_CMD_NAPI_GET` (dump).
pub const NAPI_DUMP: Command<Netdev, NapiDump, Napi> = Command::new(11, "NETDEV_CMD_NAPI_GET");
/// `NETDEV_CMD_QSTATS_GET` (dump only).
pub const QSTATS_GET: Command<Netdev, QstatsGet, Qstats> =
    Command::new(12, "NETDEV_CMD_QSTATS_GET");

/// The message numbers of the notifications.
pub mod ntf {
    /// `NETDEV_CMD_DEV_ADD_NTF`.
    pub const DEV_ADD: u8 = 2;
    /// `NETDEV_CMD_DEV_DEL_NTF`.
    pub const DEV_DEL: u8 = 3;
    /// `NETDEV_CMD_DEV_CHANGE_NTF`.
    pub const DEV_CHANGE: u8 = 4;
    /// `NETDEV_CMD_PAGE_POOL_ADD_NTF`.
    pub const PAGE_POOL_ADD: u8 = 6;
    /// `NETDEV_CMD_PAGE_POOL_DEL_NTF`.
    pub const PAGE_POOL_DEL: u8 = 7;
    /// `NETDEV_CMD_PAGE_POOL_CHANGE_NTF`.
    pub const PAGE_POOL_CHANGE: u8 = 8;
}

/// A notification of the `mgmt` or `page-pool` group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetdevEvent {
    /// `NETDEV_CMD_DEV_ADD_NTF`: a device was registered.
    DevAdd(Dev),
    /// `NETDEV_CMD_DEV_DEL_NTF`: a device was unregistered.
    DevDel(Dev),
    /// `NETDEV_CMD_DEV_CHANGE_NTF`: a device's XDP capabilities changed.
    DevChange(Dev),
    /// `NETDEV_CMD_PAGE_POOL_ADD_NTF`.
    PagePoolAdd(PagePool),
    /// `NETDEV_CMD_PAGE_POOL_DEL_NTF`.
    PagePoolDel(PagePool),
    /// `NETDEV_CMD_PAGE_POOL_CHANGE_NTF`.
    PagePoolChange(PagePool),
}

fn body<T: NlAttrsOwned>(msg: &MessageRef<'_>) -> Result<T, DecodeError> {
    GenlMessage::<T>::from_message(msg).map(|m| m.body)
}

impl GenlEvent for NetdevEvent {
    fn decode_event(cmd: u8, msg: &MessageRef<'_>) -> Result<Option<Self>, DecodeError> {
        Ok(Some(match cmd {
            ntf::DEV_ADD => NetdevEvent::DevAdd(body(msg)?),
            ntf::DEV_DEL => NetdevEvent::DevDel(body(msg)?),
            ntf::DEV_CHANGE => NetdevEvent::DevChange(body(msg)?),
            ntf::PAGE_POOL_ADD => NetdevEvent::PagePoolAdd(body(msg)?),
            ntf::PAGE_POOL_DEL => NetdevEvent::PagePoolDel(body(msg)?),
            ntf::PAGE_POOL_CHANGE => NetdevEvent::PagePoolChange(body(msg)?),
            _ => return Ok(None),
        }))
    }
}
