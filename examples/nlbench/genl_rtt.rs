//! W3 `genl-rtt`: generic netlink request/reply round trips.
//!
//! `count` times, one at a time: `CTRL_CMD_GETFAMILY("nlctrl")` with `NLM_F_REQUEST |
//! NLM_F_ACK`; the reply is decoded (the checksum sums `CTRL_ATTR_FAMILY_ID`) and the
//! acknowledgement is received and checked. The request path reuses one payload buffer and the
//! connection's buffers: no allocation per request.

use std::time::Instant;

use netlink::netns::NetNs;
use netlink::{
    AttributeEncoder, Config, Conn, Error, Family, Header, HeaderFlags, HeaderType, MessageRef,
};

const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const GENL_HDRLEN: usize = 4;

/// The default number of round trips.
pub const DEFAULT_COUNT: u64 = 20_000;

/// W3's request, shared with `genl-rtt-async`: its header and its payload (struct
/// genlmsghdr { cmd, version, reserved } then the family name attribute).
pub(crate) fn request() -> Result<(Header, Vec<u8>), Error> {
    let mut payload = vec![CTRL_CMD_GETFAMILY, 1, 0, 0];
    let mut ae = AttributeEncoder::new(&mut payload);
    ae.string(CTRL_ATTR_FAMILY_NAME, "nlctrl");
    ae.finish()?;
    let header = Header {
        kind: HeaderType(GENL_ID_CTRL),
        flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        ..Header::default()
    };
    Ok((header, payload))
}

/// What one reply adds to W3's checksum (its `CTRL_ATTR_FAMILY_ID`), or `None` when the
/// message is not a reply of the control family (it is then not counted as an item).
pub(crate) fn family_id_of(msg: &MessageRef<'_>) -> Result<Option<u64>, Error> {
    if msg.header.kind != HeaderType(GENL_ID_CTRL) {
        return Ok(None);
    }
    let mut sum = 0u64;
    for attr in msg.attrs(GENL_HDRLEN)? {
        let attr = attr?;
        if attr.attr_type() == CTRL_ATTR_FAMILY_ID {
            sum = sum.wrapping_add(u64::from(attr.u16()?));
        }
    }
    Ok(Some(sum))
}

/// W3 expects exactly one reply before each acknowledgement.
pub(crate) fn check_one_reply(replies: u32) -> Result<(), Error> {
    if replies == 1 {
        return Ok(());
    }
    Err(Error::Decode(netlink::DecodeError::Invalid {
        offset: 0,
        attr_type: 0,
        reason: format!("expected one reply before the acknowledgement, got {replies}"),
    }))
}

/// Runs the workload and returns its output line. `netns` names a namespace made by `ip netns
/// add` (entered through `/var/run/netns/NAME` for the socket only); `recvbuf` is the size of
/// the user-space receive buffer (0: the library's 32 KiB default).
pub fn measure(count: u64, netns: Option<&str>, recvbuf: usize) -> Result<String, String> {
    try_measure(count, netns, recvbuf).map_err(|e| e.to_string())
}

fn try_measure(count: u64, netns: Option<&str>, recvbuf: usize) -> Result<String, Error> {
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            netns: netns.map(|n| NetNs::path(format!("/var/run/netns/{n}"))),
            receive_size: recvbuf,
            ..Config::default()
        },
    )?;

    let (header, payload) = request()?;

    let (mut items, mut checksum) = (0u64, 0u64);
    let t0 = Instant::now();
    for _ in 0..count {
        let mut replies = 0u32;
        // `execute_with` returns once the acknowledgement has been received and checked (an
        // error message would be an `Err`).
        conn.execute_with(header, &payload, |msg| {
            replies += 1;
            if let Some(id) = family_id_of(&msg)? {
                checksum = checksum.wrapping_add(id);
                items += 1;
            }
            Ok(())
        })?;
        check_one_reply(replies)?;
    }
    let dt = t0.elapsed().as_secs_f64();
    let n = count.max(1) as f64;
    Ok(format!(
        "genl-rtt items={items} checksum={checksum} ops_per_sec={:.0} ns_per_op={:.0}",
        n / dt,
        dt * 1e9 / n
    ))
}
