//! Listens to the link multicast group of route netlink and prints every link event (the
//! reference's second `Conn` example).
//!
//! ```text
//! cargo run --example link_monitor -- [--count N] [--timeout SECONDS] [--netns NAME]
//! ```
//!
//! Without options it runs until interrupted. `--count` stops after exactly N link messages
//! (the rest stay queued on the connection), `--timeout` after that many seconds without one,
//! `--netns` listens in the namespace that `ip netns add NAME` created. A bad argument is a
//! usage error (exit status 2); a failure prints one line and exits with status 1.

use std::io::Write;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Duration;

use netlink::netns::NetNs;
use netlink::{Config, Conn, ConnOption, Error, Family, HeaderType, MessageRef};

/// `RTMGRP_LINK`: the bind bitmask of the link group (`RTNLGRP_LINK`, 1).
const RTMGRP_LINK: u32 = 0x1;
const RTM_NEWLINK: HeaderType = HeaderType(16);
const RTM_DELLINK: HeaderType = HeaderType(17);
const IFLA_IFNAME: u16 = 3;
/// `struct ifinfomsg`.
const IFINFOMSG_LEN: usize = 16;

const USAGE: &str = "usage: link_monitor [--count N] [--timeout SECONDS] [--netns NAME]";

/// The command line.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// `--count N`: stop after N link messages.
    pub count: Option<u64>,
    /// `--timeout SECONDS`: stop after that long without a link message.
    pub timeout: Option<Duration>,
    /// `--netns NAME`: listen in that named namespace.
    pub netns: Option<String>,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Monitor with these options.
    Run(Options),
    /// `--help`: print the usage.
    Help,
}

/// Parses the arguments (without the program name). An error is a usage error.
pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut opts = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--help" || a == "-h" {
            return Ok(Command::Help);
        }
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--count" => {
                let v = value()?;
                opts.count = Some(
                    v.parse()
                        .map_err(|_| format!("--count: {v:?} is not a whole number"))?,
                );
            }
            "--timeout" => {
                let v = value()?;
                let secs: f64 = v
                    .parse()
                    .map_err(|_| format!("--timeout: {v:?} is not a number of seconds"))?;
                opts.timeout = Some(
                    Duration::try_from_secs_f64(secs)
                        .map_err(|_| format!("--timeout: {v:?} is not a valid duration"))?,
                );
            }
            "--netns" => opts.netns = Some(value()?.clone()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Command::Run(opts))
}

/// One line for a link message: `new link 3 eth0 (group 1)`; `None` for other messages.
pub fn describe(m: &MessageRef<'_>, group: Option<u32>) -> Result<Option<String>, Error> {
    let what = match m.header.kind {
        RTM_NEWLINK => "new",
        RTM_DELLINK => "del",
        _ => return Ok(None),
    };
    let index = m
        .data
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, i32::from_ne_bytes);
    let name = m
        .attrs(IFINFOMSG_LEN)?
        .filter_map(Result::ok)
        .find(|a| a.attr_type() == IFLA_IFNAME)
        .and_then(|a| a.string().ok().map(str::to_owned))
        .unwrap_or_default();
    Ok(Some(format!(
        "{what} link {index} {name} (group {})",
        group.unwrap_or(0)
    )))
}

/// Listens and writes one line per link message to `out` until the count or the timeout.
/// Returns the number of link messages seen.
pub fn monitor(opts: &Options, out: &mut dyn Write) -> Result<u64, Error> {
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
        let received = conn.receive_with(|m, info| {
            if let Some(line) = describe(&m, info.group)? {
                // A closed standard output ends the program like any failure.
                writeln!(out, "{line}").map_err(|_| Error::Closed { op: "write" })?;
                seen += 1;
            }
            // Stop at exactly `count`: the rest of the datagram stays queued.
            Ok(if opts.count.is_some_and(|n| seen >= n) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        });
        match received {
            Ok(_) => {}
            Err(Error::Timeout { .. }) => {
                writeln!(
                    out,
                    "no link event for {:?}; {seen} seen",
                    opts.timeout.unwrap_or_default()
                )
                .map_err(|_| Error::Closed { op: "write" })?;
                break;
            }
            // Events were lost; keep listening (a real program would dump the links again).
            Err(e) if e.is_overrun() => eprintln!("link_monitor: {e}"),
            Err(e) => return Err(e),
        }
    }
    Ok(seen)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("link_monitor: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match monitor(&opts, &mut std::io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("link_monitor: {e}");
            ExitCode::FAILURE
        }
    }
}
