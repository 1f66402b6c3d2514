//! W2 `link-dump`: an `RTM_GETLINK` dump (`AF_UNSPEC`) decoded message by message from the
//! connection's streaming [`Dump`](netlink::Dump) into the typed, borrowed [`LinkMessageRef`].
//! `link-dump-raw` is the same workload with a hand-written attribute loop; both print the
//! same sums.
//!
//! Per `RTM_NEWLINK` message: `items` + 1; `checksum` += `IFLA_MTU` + `ifi_index` (as a u32);
//! `aux` += the length of `IFLA_IFNAME` (up to its NUL) + the sum of the `IFLA_ADDRESS` bytes +
//! 1000 when `IFLA_LINKINFO`/`IFLA_INFO_KIND` is `"veth"`; `rx_packets` += the `rx_packets`
//! field of `IFLA_STATS64`. All sums wrap. The sizes are checked as the libmnl reference checks
//! them: `IFLA_MTU` exactly 4 bytes, `IFLA_IFNAME` NUL-terminated, `IFLA_LINKINFO` empty or at
//! least one attribute header, `IFLA_INFO_KIND` not empty, `IFLA_STATS64` exactly
//! `sizeof(struct rtnl_link_stats64)` (200 bytes); anything else ends the workload with an
//! error. When an attribute repeats, the last one counts.

use netlink::netns::NetNs;
use netlink::route::{LinkMessage, LinkMessageRef};
use netlink::{
    Attr, Config, Conn, DecodeError, DecodeOptions, Error, Family, Header, HeaderFlags, HeaderType,
    MessageRef, NlAttrs, Request,
};

/// `RTM_NEWLINK` (linux/rtnetlink.h).
pub const RTM_NEWLINK: HeaderType = HeaderType(16);
/// `RTM_GETLINK`.
pub const RTM_GETLINK: HeaderType = HeaderType(18);
/// `sizeof(struct ifinfomsg)`.
pub const IFINFOMSG_LEN: usize = 16;
/// `sizeof(struct rtnl_link_stats64)` in the kernel headers this workload follows.
pub const STATS64_LEN: usize = 200;
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINKINFO: u16 = 18;
const IFLA_STATS64: u16 = 23;
const IFLA_INFO_KIND: u16 = 1;

/// The sums of the workload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkSums {
    /// `RTM_NEWLINK` messages seen.
    pub items: u64,
    /// Σ `IFLA_MTU` + `ifi_index`.
    pub checksum: u64,
    /// Σ name lengths + address bytes + 1000 per veth.
    pub aux: u64,
    /// Σ `IFLA_STATS64.rx_packets` (changes over time).
    pub rx_packets: u64,
}

impl LinkSums {
    /// Adds one message of the dump: `RTM_NEWLINK` messages count, others are skipped.
    pub fn add(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
        if m.header.kind != RTM_NEWLINK {
            return Ok(());
        }
        let attrs = m.attrs(IFINFOMSG_LEN)?;
        // `attrs` checked that the 16-byte ifinfomsg is there; ifi_index is bytes 4..8.
        let index = m
            .data
            .get(4..8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_ne_bytes);
        let (mut mtu, mut name, mut address, mut linkinfo, mut stats) =
            (None, None, None, None, None);
        for a in attrs {
            let a = a?;
            match a.attr_type() {
                IFLA_IFNAME => {
                    if a.payload().last() != Some(&0) {
                        return Err(DecodeError::StringNotTerminated {
                            offset: a.offset(),
                            attr_type: a.attr_type(),
                        }
                        .into());
                    }
                    name = Some(a);
                }
                IFLA_MTU => mtu = Some(a.u32()?),
                IFLA_ADDRESS => address = Some(a),
                IFLA_LINKINFO => {
                    if !a.is_empty() && a.payload().len() < netlink::attr::ATTR_HEADER_LEN {
                        return Err(a.invalid("nest shorter than an attribute header").into());
                    }
                    linkinfo = Some(a);
                }
                IFLA_STATS64 => {
                    a.expect_len(STATS64_LEN)?;
                    stats = Some(a);
                }
                _ => {}
            }
        }
        self.items = self.items.wrapping_add(1);
        self.checksum = self
            .checksum
            .wrapping_add(u64::from(mtu.unwrap_or(0)))
            .wrapping_add(u64::from(index));
        let mut aux = 0u64;
        if let Some(a) = name {
            aux += a.cstr()?.count_bytes() as u64;
        }
        if let Some(a) = address {
            aux += a.payload().iter().map(|&b| u64::from(b)).sum::<u64>();
        }
        if let Some(a) = linkinfo {
            if is_veth(&a)? {
                aux += 1000;
            }
        }
        self.aux = self.aux.wrapping_add(aux);
        if let Some(a) = stats {
            let rx = a
                .payload()
                .first_chunk::<8>()
                .map_or(0, |b| u64::from_ne_bytes(*b));
            self.rx_packets = self.rx_packets.wrapping_add(rx);
        }
        Ok(())
    }
}

impl LinkSums {
    /// [`add`](Self::add) through the typed [`LinkMessageRef`]: the same sums for what the
    /// kernel sends. The typed decoder checks sizes by the attributes' types (a string needs
    /// no NUL; `IFLA_STATS64` of another size reads as zero-filled or keeps its extra bytes).
    #[inline]
    pub fn add_typed(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
        if m.header.kind != RTM_NEWLINK {
            return Ok(());
        }
        let l = LinkMessageRef::decode_message(m, &DecodeOptions::default())?;
        self.add_link(&l);
        Ok(())
    }

    /// Adds one decoded link.
    #[inline]
    pub fn add_link(&mut self, l: &LinkMessageRef<'_>) {
        self.items = self.items.wrapping_add(1);
        self.checksum = self
            .checksum
            .wrapping_add(u64::from(l.mtu.unwrap_or(0)))
            .wrapping_add(u64::from(l.index()));
        let mut aux = l.name.map_or(0, |n| n.len() as u64);
        if let Some(a) = l.address {
            aux += a.iter().map(|&b| u64::from(b)).sum::<u64>();
        }
        if l.kind() == Some("veth") {
            aux += 1000;
        }
        self.aux = self.aux.wrapping_add(aux);
        if let Some(s) = &l.stats64 {
            self.rx_packets = self.rx_packets.wrapping_add(s.rx_packets);
        }
    }
}

/// Whether an `IFLA_LINKINFO` nest names the kind `veth` (one trailing NUL allowed).
fn is_veth(linkinfo: &Attr<'_>) -> Result<bool, Error> {
    let mut kind = None;
    for a in linkinfo.nested()? {
        let a = a?;
        if a.attr_type() == IFLA_INFO_KIND {
            if a.is_empty() {
                return Err(a.invalid("empty IFLA_INFO_KIND").into());
            }
            kind = Some(a.payload());
        }
    }
    Ok(match kind {
        Some(k) => k.strip_suffix(b"\0").unwrap_or(k) == b"veth",
        None => false,
    })
}

/// The dump request: `RTM_GETLINK` with `NLM_F_REQUEST | NLM_F_DUMP` and an all-zero
/// `ifinfomsg` (`AF_UNSPEC`).
pub fn request() -> (Header, [u8; IFINFOMSG_LEN]) {
    let header = Header {
        kind: RTM_GETLINK,
        flags: HeaderFlags::REQUEST | HeaderFlags::DUMP,
        ..Header::default()
    };
    (header, [0u8; IFINFOMSG_LEN])
}

/// Runs the dump in the named namespace (the caller's thread stays where it is) with a
/// user-space receive buffer of `recvbuf` bytes (0: the library's 32 KiB) through the typed
/// [`LinkMessageRef`], and returns its sums.
pub fn dump(netns: Option<&str>, recvbuf: usize) -> Result<LinkSums, Error> {
    let conn = dial(netns, recvbuf)?;
    let req = Request::dump(netlink::route::RTM_GETLINK, LinkMessage::default());
    let mut sums = LinkSums::default();
    let mut replies = conn.request(&req)?;
    while let Some(l) = replies.next_decoded::<LinkMessageRef<'_>>() {
        sums.add_link(&l?);
    }
    Ok(sums)
}

/// [`dump`] through the hand-written attribute loop.
pub fn dump_raw(netns: Option<&str>, recvbuf: usize) -> Result<LinkSums, Error> {
    run(netns, recvbuf, LinkSums::add)
}

fn dial(netns: Option<&str>, recvbuf: usize) -> Result<Conn, Error> {
    Conn::dial(
        Family::ROUTE,
        Config {
            netns: netns.map(NetNs::named),
            receive_size: recvbuf,
            ..Config::default()
        },
    )
}

fn run(
    netns: Option<&str>,
    recvbuf: usize,
    add: fn(&mut LinkSums, &MessageRef<'_>) -> Result<(), Error>,
) -> Result<LinkSums, Error> {
    let conn = dial(netns, recvbuf)?;
    let (header, ifinfomsg) = request();
    let mut sums = LinkSums::default();
    let mut dump = conn.dump_parts(header, &ifinfomsg)?;
    while let Some(m) = dump.next_ref() {
        add(&mut sums, &m?)?;
    }
    Ok(sums)
}

/// Runs W2 (typed) and returns its output line.
pub fn measure(netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    let s = dump(netns, recvbuf).map_err(|e| e.to_string())?;
    Ok(line(&s))
}

/// Runs W2 with the hand-written loop and returns its output line (the same line as
/// [`measure`]'s).
pub fn measure_raw(netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    let s = dump_raw(netns, recvbuf).map_err(|e| e.to_string())?;
    Ok(line(&s))
}

fn line(s: &LinkSums) -> String {
    format!(
        "link-dump items={} checksum={} aux={} rx_packets={}",
        s.items, s.checksum, s.aux, s.rx_packets
    )
}
