//! Derived types shared by the derive tests: every field kind the derive supports.
#![allow(dead_code)]

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink::{Indexed, Multi, NlAttrs, NlEnum, NlStruct, UnknownAttrs};

/// One attribute of type `t` (native byte order header), padded to 4 bytes.
pub fn attr(t: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(4 + payload.len() as u16).to_ne_bytes());
    v.extend_from_slice(&t.to_ne_bytes());
    v.extend_from_slice(payload);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

/// The example of the derive's documentation.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Example {
    #[nla(type = 1)]
    pub number: u16,
    #[nla(type = 2)]
    pub name: Option<String>,
    #[nla(type = 3, nested)]
    pub inner: Option<Inner>,
    #[nla(type = 4, flag)]
    pub enabled: bool,
    #[nla(type = 5, be)]
    pub port: u16,
    #[nla(type = 6, multi)]
    pub addrs: Vec<Ipv4Addr>,
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Inner {
    #[nla(type = 1)]
    pub a: u32,
    #[nla(type = 2)]
    pub b: Option<u32>,
}

/// Every integer width, both byte orders, with checks.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Integers {
    #[nla(type = 1)]
    pub u8_: u8,
    #[nla(type = 2)]
    pub u16_: u16,
    #[nla(type = 3)]
    pub u32_: u32,
    #[nla(type = 4)]
    pub u64_: u64,
    #[nla(type = 5)]
    pub i8_: i8,
    #[nla(type = 6)]
    pub i16_: i16,
    #[nla(type = 7)]
    pub i32_: i32,
    #[nla(type = 8)]
    pub i64_: i64,
    #[nla(type = 9, be)]
    pub u16_be: Option<u16>,
    #[nla(type = 10, be)]
    pub u32_be: Option<u32>,
    #[nla(type = 11, be)]
    pub u64_be: Option<u64>,
    #[nla(type = 12, be)]
    pub i32_be: Option<i32>,
    #[nla(type = 13, min = 68, max = 9000)]
    pub mtu: Option<u32>,
    #[nla(type = 14, min = -10, max = 10)]
    pub offset: Option<i8>,
    #[nla(type = 15, max = 4094, multi)]
    pub vlans: Vec<u16>,
}

/// Strings, bytes and addresses.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Texts {
    #[nla(type = 1, max_len = 15)]
    pub ifname: Option<String>,
    #[nla(type = 2)]
    pub cname: Option<CString>,
    #[nla(type = 3, max_len = 32)]
    pub blob: Option<Vec<u8>>,
    #[nla(type = 4)]
    pub mac: Option<[u8; 6]>,
    #[nla(type = 5)]
    pub v4: Option<Ipv4Addr>,
    #[nla(type = 6)]
    pub v6: Option<Ipv6Addr>,
    #[nla(type = 7)]
    pub any: Option<IpAddr>,
    #[nla(type = 8, multi)]
    pub names: Vec<String>,
    #[nla(type = 9)]
    pub required_name: String,
}

/// A recursive nested set.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Tree {
    #[nla(type = 1)]
    pub value: u32,
    #[nla(type = 2, nested)]
    pub left: Option<Box<Tree>>,
    #[nla(type = 3, nested)]
    pub right: Option<Box<Tree>>,
    #[nla(type = 4, nested, multi)]
    pub leaves: Vec<Inner>,
}

#[derive(NlEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OperState {
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
    #[nla(other)]
    Other(u8),
}

#[derive(NlEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Signed {
    Minus = -1,
    Zero,
    One,
    Big = 1000,
    #[nla(other)]
    Other(i32),
}

/// `struct ifinfomsg`.
#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
pub struct IfInfoMsg {
    pub family: u8,
    pub pad: u8,
    pub kind: u16,
    pub index: i32,
    pub flags: u32,
    pub change: u32,
}

/// `struct rtnl_link_stats64` (first fields), tolerant of newer kernels' extra counters.
#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
pub struct LinkStats64 {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// A layout with padding, big-endian fields, an enum and a nested structure.
#[derive(NlStruct, Debug, Clone, PartialEq)]
pub struct Mixed {
    pub a: u8,
    pub b: u32,
    #[nla(be)]
    pub port: u16,
    pub state: OperState,
    pub addr: [u8; 4],
    pub inner: IfInfoMsg,
    pub c: u8,
}

/// A family header, enums and structures in attributes.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct LinkMessage {
    #[nla(header)]
    pub header: IfInfoMsg,
    #[nla(type = 3)]
    pub name: Option<String>,
    #[nla(type = 16)]
    pub operstate: Option<OperState>,
    #[nla(type = 23)]
    pub stats: Option<LinkStats64>,
    #[nla(type = 50)]
    pub signed: Option<Signed>,
    #[nla(type = 51, be)]
    pub signed_be: Option<Signed>,
    #[nla(type = 52, multi)]
    pub states: Vec<OperState>,
    #[nla(type = 53)]
    pub mixed: Option<Mixed>,
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// An indexed array (a nest of nests numbered 1, 2, ...).
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct WithIndexed {
    #[nla(type = 1, nested)]
    pub items: Option<Indexed<Inner>>,
    #[nla(type = 2, nested)]
    pub table: Indexed<Indexed<Inner>>,
}

/// A borrowed struct: one pass, no allocation.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Borrowed<'a> {
    #[nla(type = 1)]
    pub name: &'a str,
    #[nla(type = 2)]
    pub cname: Option<&'a CStr>,
    #[nla(type = 3, max_len = 40)]
    pub bytes: Option<&'a [u8]>,
    #[nla(type = 4, nested)]
    pub inner: Option<BorrowedInner<'a>>,
    #[nla(type = 5, multi)]
    pub names: Multi<'a, &'a str>,
    #[nla(type = 6, nested, multi)]
    pub inners: Multi<'a, BorrowedInner<'a>>,
    #[nla(type = 7)]
    pub number: Option<u32>,
    #[nla(type = 8, multi)]
    pub owned_multi: Vec<&'a [u8]>,
    #[nla(type = 9, flag)]
    pub flag: bool,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct BorrowedInner<'a> {
    #[nla(type = 1)]
    pub label: Option<&'a str>,
    #[nla(type = 2)]
    pub id: u16,
}

/// `struct rtnl_link_stats64` in full (25 counters), tolerant of older and newer kernels.
#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
pub struct RtnlLinkStats64 {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
    pub tx_aborted_errors: u64,
    pub tx_carrier_errors: u64,
    pub tx_fifo_errors: u64,
    pub tx_heartbeat_errors: u64,
    pub tx_window_errors: u64,
    pub rx_compressed: u64,
    pub tx_compressed: u64,
    pub rx_nohandler: u64,
    pub rx_otherhost_dropped: u64,
    #[nla(tail)]
    pub newer: Vec<u8>,
}

/// A link message carrying the full statistics.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct LinkStatsMessage {
    #[nla(header)]
    pub header: IfInfoMsg,
    #[nla(type = 23)]
    pub stats64: Option<RtnlLinkStats64>,
}

/// Variable-width integers and a bitfield.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct Variable {
    #[nla(type = 1)]
    pub uint: Option<netlink::Uint>,
    #[nla(type = 2)]
    pub sint: Option<netlink::Sint>,
    #[nla(type = 3, be)]
    pub uint_be: Option<netlink::Uint>,
    #[nla(type = 4)]
    pub bits: Option<netlink::Bitfield32>,
}
