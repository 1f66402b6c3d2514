//! W3 `genl-rtt`: generic netlink request/reply round trips.
//!
//! `count` times, one at a time: `CTRL_CMD_GETFAMILY("nlctrl")` with `NLM_F_REQUEST |
//! NLM_F_ACK`; the reply is decoded (the checksum sums `CTRL_ATTR_FAMILY_ID`) and the
//! acknowledgement is received and checked. The request path reuses one payload buffer and the
//! connection's buffers: no allocation per request.

use std::time::Instant;

use netlink::netns::NetNs;
use netlink::{AttributeEncoder, Config, Conn, Error, Family, Header, HeaderFlags, HeaderType};

const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const GENL_HDRLEN: usize = 4;

/// Runs the workload and prints `genl-rtt items=N checksum=C ops_per_sec=X ns_per_op=Y`.
pub fn run(count: u64, netns: Option<&str>) {
    if let Err(e) = try_run(count, netns) {
        eprintln!("genl-rtt: {e}");
        std::process::exit(1);
    }
}

fn try_run(count: u64, netns: Option<&str>) -> Result<(), Error> {
    let conn = Conn::dial(
        Family::GENERIC,
        Config {
            netns: netns.map(|n| NetNs::path(format!("/var/run/netns/{n}"))),
            ..Config::default()
        },
    )?;

    // struct genlmsghdr { cmd, version, reserved } then the family name attribute.
    let mut payload = vec![CTRL_CMD_GETFAMILY, 1, 0, 0];
    let mut ae = AttributeEncoder::new(&mut payload);
    ae.string(CTRL_ATTR_FAMILY_NAME, "nlctrl");
    ae.finish()?;
    let header = Header {
        kind: HeaderType(GENL_ID_CTRL),
        flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        ..Header::default()
    };

    let (mut items, mut checksum) = (0u64, 0u64);
    let t0 = Instant::now();
    for _ in 0..count {
        let mut replies = 0u32;
        // `execute_with` returns once the acknowledgement has been received and checked (an
        // error message would be an `Err`).
        conn.execute_with(header, &payload, |msg| {
            replies += 1;
            if msg.header.kind != HeaderType(GENL_ID_CTRL) {
                return Ok(());
            }
            for attr in msg.attrs(GENL_HDRLEN)? {
                let attr = attr?;
                if attr.attr_type() == CTRL_ATTR_FAMILY_ID {
                    checksum = checksum.wrapping_add(u64::from(attr.u16()?));
                }
            }
            items += 1;
            Ok(())
        })?;
        if replies != 1 {
            eprintln!("genl-rtt: expected one reply before the acknowledgement, got {replies}");
            std::process::exit(1);
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    let n = count.max(1) as f64;
    println!(
        "genl-rtt items={items} checksum={checksum} ops_per_sec={:.0} ns_per_op={:.0}",
        n / dt,
        dt * 1e9 / n
    );
    Ok(())
}
