//! Listens to the link multicast group of route netlink and prints every link event (the
//! reference's second `Conn` example).
//!
//! ```text
//! cargo run --example link_monitor -- [--count N] [--timeout SECONDS] [--netns NAME]
//! ```
//!
//! Without options it runs until interrupted. `--count` stops after N link messages,
//! `--timeout` after that many seconds without one, `--netns` listens in the namespace that
//! `ip netns add NAME` created.

use std::time::Duration;

use netlink::netns::NetNs;
use netlink::{Config, Conn, ConnOption, Error, Family, HeaderType};

/// `RTMGRP_LINK`: the bind bitmask of the link group (`RTNLGRP_LINK`, 1).
const RTMGRP_LINK: u32 = 0x1;
const RTM_NEWLINK: HeaderType = HeaderType(16);
const RTM_DELLINK: HeaderType = HeaderType(17);
const IFLA_IFNAME: u16 = 3;
/// `struct ifinfomsg`.
const IFINFOMSG_LEN: usize = 16;

struct Options {
    count: Option<u64>,
    timeout: Option<Duration>,
    netns: Option<String>,
}

fn parse_args() -> Options {
    let mut opts = Options {
        count: None,
        timeout: None,
        netns: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next();
        match (a.as_str(), value) {
            ("--count", Some(v)) => opts.count = v.parse().ok(),
            ("--timeout", Some(v)) => opts.timeout = v.parse().ok().map(Duration::from_secs_f64),
            ("--netns", Some(v)) => opts.netns = Some(v),
            _ => {
                eprintln!("usage: link_monitor [--count N] [--timeout SECONDS] [--netns NAME]");
                std::process::exit(2);
            }
        }
    }
    opts
}

fn main() -> Result<(), Error> {
    let opts = parse_args();
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            // A bitmask: OR several groups to listen to more than one.
            groups: RTMGRP_LINK,
            netns: opts.netns.as_deref().map(NetNs::named),
            ..Config::default()
        },
    )?;
    // Report which group each datagram was sent to.
    conn.set_option(ConnOption::PacketInfo, true)?;
    conn.set_read_timeout(opts.timeout);

    let mut seen = 0u64;
    while opts.count.is_none_or(|n| seen < n) {
        let (msgs, info) = match conn.receive_with_info() {
            Ok(r) => r,
            Err(Error::Timeout { .. }) => {
                println!(
                    "no link event for {:?}; {seen} seen",
                    opts.timeout.unwrap_or_default()
                );
                return Ok(());
            }
            // Events were lost; keep listening (a real program would dump the links again).
            Err(e) if e.is_overrun() => {
                eprintln!("{e}");
                continue;
            }
            Err(e) => return Err(e),
        };
        for m in msgs {
            let what = match m.header.kind {
                RTM_NEWLINK => "new",
                RTM_DELLINK => "del",
                _ => continue,
            };
            let index = m
                .data
                .get(4..8)
                .and_then(|b| b.try_into().ok())
                .map_or(0, i32::from_ne_bytes);
            let name = m
                .as_ref()
                .attrs(IFINFOMSG_LEN)?
                .filter_map(Result::ok)
                .find(|a| a.attr_type() == IFLA_IFNAME)
                .and_then(|a| a.string().ok().map(str::to_owned))
                .unwrap_or_default();
            println!(
                "{what} link {index} {name} (group {})",
                info.group.unwrap_or(0)
            );
            seen += 1;
        }
    }
    Ok(())
}
