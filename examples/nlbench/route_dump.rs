//! W1 `route-dump`: an `RTM_GETROUTE` dump of every IPv4 route (all tables), decoded message by
//! message from the connection's streaming [`Dump`](netlink::Dump) into the typed, borrowed
//! [`RouteMessageRef`] (no allocation per route). `route-dump-raw` is the same workload with
//! a hand-written attribute loop; both print the same sums.
//!
//! `items` counts the `RTM_NEWROUTE` messages. The checksum sums, with wrapping, over every
//! route: `rtm_dst_len` + `RTA_TABLE` + `RTA_PRIORITY` + `RTA_OIF` + `RTA_DST` (read as a
//! big-endian u32) + `RTA_GATEWAY` (big-endian u32), an absent attribute counting 0. Those five
//! attributes must be exactly four bytes long: any other size ends the workload with an error,
//! as a libmnl `MNL_TYPE_U32` validation would. When an attribute repeats, the last one counts.
//!
//! `route-dump-recvonly` is the floor under W1: it receives every datagram through the socket
//! layer and walks only the message headers (no attribute is decoded), counting the
//! `RTM_NEWROUTE` messages, the bytes and the datagrams.

use std::net::IpAddr;

use netlink::netns::NetNs;
use netlink::route::{RouteMessage, RouteMessageRef};
use netlink::socket::Socket;
use netlink::{
    messages, Config, Conn, DecodeError, DecodeOptions, Error, Family, Header, HeaderFlags,
    HeaderType, MessageRef, NlAttrs, Request,
};

/// `RTM_NEWROUTE` (linux/rtnetlink.h).
pub const RTM_NEWROUTE: HeaderType = HeaderType(24);
/// `RTM_GETROUTE`.
pub const RTM_GETROUTE: HeaderType = HeaderType(26);
/// `sizeof(struct rtmsg)`.
pub const RTMSG_LEN: usize = 12;
const AF_INET: u8 = 2;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;

/// The two sums of the workload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteSums {
    /// `RTM_NEWROUTE` messages seen.
    pub items: u64,
    /// The checksum (see the module documentation).
    pub checksum: u64,
}

impl RouteSums {
    /// Adds one message of the dump: `RTM_NEWROUTE` messages count, others are skipped.
    #[inline]
    pub fn add(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
        if m.header.kind != RTM_NEWROUTE {
            return Ok(());
        }
        self.checksum = self.checksum.wrapping_add(route_sum(m)?);
        self.items = self.items.wrapping_add(1);
        Ok(())
    }
}

impl RouteSums {
    /// [`add`](Self::add) through the typed [`RouteMessageRef`]: the same sums.
    #[inline]
    pub fn add_typed(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
        if m.header.kind != RTM_NEWROUTE {
            return Ok(());
        }
        let r = RouteMessageRef::decode_message(m, &DecodeOptions::default())?;
        self.add_route(&r, m.offset)
    }

    /// Adds one decoded route. Addresses other than IPv4 end the workload with an error, as
    /// a wrong size does in the raw loop (`offset`: where the message starts, for the error).
    #[inline]
    pub fn add_route(&mut self, r: &RouteMessageRef<'_>, offset: usize) -> Result<(), Error> {
        let v4 = |a: Option<IpAddr>, attr_type: u16| match a {
            None => Ok(0u32),
            Some(IpAddr::V4(a)) => Ok(u32::from(a)),
            Some(IpAddr::V6(_)) => Err(DecodeError::PayloadSize {
                offset,
                attr_type,
                expected: 4,
                actual: 16,
            }),
        };
        let sum = u64::from(r.header.dst_len)
            + u64::from(r.table.unwrap_or(0))
            + u64::from(r.priority.unwrap_or(0))
            + u64::from(r.oif.unwrap_or(0))
            + u64::from(v4(r.dst, RTA_DST)?)
            + u64::from(v4(r.gateway, RTA_GATEWAY)?);
        self.checksum = self.checksum.wrapping_add(sum);
        self.items = self.items.wrapping_add(1);
        Ok(())
    }
}

/// The checksum term of one `RTM_NEWROUTE` message.
#[inline]
pub fn route_sum(m: &MessageRef<'_>) -> Result<u64, Error> {
    let attrs = m.attrs(RTMSG_LEN)?;
    // `attrs` checked that the 12-byte rtmsg is there; rtm_dst_len is its second byte.
    let dst_len = m.data.get(1).copied().unwrap_or(0);
    let (mut table, mut priority, mut oif, mut dst, mut gateway) = (0u32, 0u32, 0u32, 0u32, 0u32);
    for a in attrs {
        let a = a?;
        match a.attr_type() {
            RTA_DST => dst = a.u32_be()?,
            RTA_GATEWAY => gateway = a.u32_be()?,
            RTA_OIF => oif = a.u32()?,
            RTA_PRIORITY => priority = a.u32()?,
            RTA_TABLE => table = a.u32()?,
            _ => {}
        }
    }
    Ok(u64::from(dst_len)
        + u64::from(table)
        + u64::from(priority)
        + u64::from(oif)
        + u64::from(dst)
        + u64::from(gateway))
}

/// The dump request: `RTM_GETROUTE` with `NLM_F_REQUEST | NLM_F_DUMP` and an `rtmsg` asking for
/// `AF_INET`, every other field 0 (all tables).
pub fn request() -> (Header, [u8; RTMSG_LEN]) {
    let header = Header {
        kind: RTM_GETROUTE,
        flags: HeaderFlags::REQUEST | HeaderFlags::DUMP,
        ..Header::default()
    };
    let mut rtmsg = [0u8; RTMSG_LEN];
    rtmsg[0] = AF_INET;
    (header, rtmsg)
}

/// Opens a `NETLINK_ROUTE` connection in the named namespace (the caller's thread stays where
/// it is) with a user-space receive buffer of `recvbuf` bytes (0: the library's 32 KiB).
pub fn dial(netns: Option<&str>, recvbuf: usize) -> Result<Conn, Error> {
    Conn::dial(
        Family::ROUTE,
        Config {
            netns: netns.map(NetNs::named),
            receive_size: recvbuf,
            ..Config::default()
        },
    )
}

/// The dump request as a typed [`Request`]: an empty [`RouteMessage`] whose `rtmsg` asks for
/// `AF_INET`.
pub fn typed_request() -> Request<RouteMessage> {
    let mut body = RouteMessage::default();
    body.header.family = AF_INET;
    Request::dump(netlink::route::RTM_GETROUTE, body)
}

/// Runs the dump through [`Conn::request`] and the typed, borrowed [`RouteMessageRef`] (no
/// allocation per route), and returns its sums.
pub fn dump(netns: Option<&str>, recvbuf: usize) -> Result<RouteSums, Error> {
    let conn = dial(netns, recvbuf)?;
    let mut sums = RouteSums::default();
    let mut replies = conn.request(&typed_request())?;
    while let Some(r) = replies.next_decoded::<RouteMessageRef<'_>>() {
        sums.add_route(&r?, 0)?;
    }
    Ok(sums)
}

/// Runs the dump through the hand-written attribute loop and returns its sums.
pub fn dump_raw(netns: Option<&str>, recvbuf: usize) -> Result<RouteSums, Error> {
    let conn = dial(netns, recvbuf)?;
    let (header, rtmsg) = request();
    let mut sums = RouteSums::default();
    let mut dump = conn.dump_parts(header, &rtmsg)?;
    while let Some(m) = dump.next_ref() {
        sums.add(&m?)?;
    }
    Ok(sums)
}

/// Runs W1 (typed) and returns its output line.
pub fn measure(netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    let s = dump(netns, recvbuf).map_err(|e| e.to_string())?;
    Ok(format!(
        "route-dump items={} checksum={}",
        s.items, s.checksum
    ))
}

/// Runs W1 with the hand-written loop and returns its output line (the same line as
/// [`measure`]'s).
pub fn measure_raw(netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    let s = dump_raw(netns, recvbuf).map_err(|e| e.to_string())?;
    Ok(format!(
        "route-dump items={} checksum={}",
        s.items, s.checksum
    ))
}

/// What `route-dump-recvonly` counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecvOnly {
    /// `RTM_NEWROUTE` messages.
    pub items: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Datagrams received.
    pub datagrams: u64,
}

/// Sends the W1 request and receives the whole reply through the socket layer, walking only the
/// message headers.
pub fn recv_only(netns: Option<&str>, recvbuf: usize) -> Result<RecvOnly, Error> {
    let conn = dial(netns, recvbuf)?;
    let (header, rtmsg) = request();
    let sent = conn.send(&netlink::Message {
        header,
        data: rtmsg.to_vec(),
    })?;
    let mut out = RecvOnly::default();
    let mut buf = Vec::new();
    loop {
        conn.socket().recv(&mut buf, None)?;
        out.datagrams += 1;
        out.bytes += buf.len() as u64;
        for m in messages(&buf) {
            let m = m?;
            if m.header.sequence != sent.header.sequence {
                continue;
            }
            match m.header.kind {
                HeaderType::DONE => return Ok(out),
                HeaderType::ERROR => {
                    let a = netlink::ack::parse_error(&m)?;
                    return Err(
                        match a.to_op_error("route-dump-recvonly", m.header.sequence) {
                            Some(e) => e.into(),
                            None => Error::Decode(netlink::DecodeError::Invalid {
                                offset: m.offset,
                                attr_type: 0,
                                reason: "acknowledgement in the middle of a dump".into(),
                            }),
                        },
                    );
                }
                RTM_NEWROUTE => out.items += 1,
                _ => {}
            }
        }
    }
}

/// Runs the receive-only variant of W1 and returns its output line.
pub fn measure_recv_only(netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    let r = recv_only(netns, recvbuf).map_err(|e| e.to_string())?;
    Ok(format!(
        "route-dump-recvonly items={} bytes={} datagrams={}",
        r.items, r.bytes, r.datagrams
    ))
}
