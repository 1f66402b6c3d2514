//! W5 `route-install`: COUNT IPv4 routes added with `RTM_NEWROUTE`
//! (`NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK`), then deleted with `RTM_DELROUTE` (`NLM_F_ACK`),
//! every acknowledgement checked, through [`Conn::execute_batch_with`]: WINDOW requests per
//! `sendmsg` (`-w`, lowered to what the receive buffer can answer; `-w 0` lets the library
//! choose), answers read many datagrams per system call.
//!
//! Route `i` is `10.{1 + i/256}.{i % 256}.0/24 via 10.0.0.2`, table main, protocol static,
//! scope universe, unicast, with only `RTA_DST` and `RTA_GATEWAY` (the namespace of
//! `fixture.sh small` has 10.0.0.1/24 on `va`). `items` counts the requests acknowledged
//! without error (installs + deletes); the checksum sums `x * 256 + y` of `10.x.y.0` over the
//! acknowledged installs. A refused request counts in `errors=` and fails the run.
//!
//! `route-install-serial` sends one request and waits for its acknowledgement
//! ([`Conn::execute_with`]) before the next.

use std::time::Instant;

use netlink::batch::{BatchEvent, BatchOptions, BatchSummary};
use netlink::netns::NetNs;
use netlink::NlRequest;
use netlink::{Config, Conn, EncodeError, Error, Family, Header, HeaderFlags, HeaderType};

/// The default number of routes.
pub const DEFAULT_COUNT: u64 = 10_000;
/// The default window.
pub const DEFAULT_WINDOW: usize = 64;
/// The most routes the address scheme allows.
pub const MAX_COUNT: u64 = 65_280;
/// `RTM_NEWROUTE`.
pub const RTM_NEWROUTE: HeaderType = HeaderType(24);
/// `RTM_DELROUTE`.
pub const RTM_DELROUTE: HeaderType = HeaderType(25);
const AF_INET: u8 = 2;
const RT_TABLE_MAIN: u8 = 254;
const RTPROT_STATIC: u8 = 4;
const RT_SCOPE_UNIVERSE: u8 = 0;
const RTN_UNICAST: u8 = 1;
const RTA_DST: u16 = 1;
const RTA_GATEWAY: u16 = 5;
/// The gateway, 10.0.0.2.
pub const GATEWAY: [u8; 4] = [10, 0, 0, 2];

/// The destination of route `i`: 10.{1 + i/256}.{i % 256}.0.
pub fn destination(i: u64) -> [u8; 4] {
    [10, (1 + i / 256) as u8, (i % 256) as u8, 0]
}

/// The checksum term of route `i`: `x * 256 + y` of its destination 10.x.y.0.
pub fn key(i: u64) -> u64 {
    (1 + i / 256) * 256 + i % 256
}

/// Route request `index` of a phase: encoded straight into the batch's send buffer.
#[derive(Debug, Clone, Copy)]
pub struct RouteRequest {
    /// `RTM_NEWROUTE` or `RTM_DELROUTE`.
    pub kind: HeaderType,
    /// The route's number.
    pub index: u64,
}

impl NlRequest for RouteRequest {
    fn header(&self) -> Header {
        let mut flags = HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE;
        if self.kind == RTM_NEWROUTE {
            flags |= HeaderFlags::CREATE | HeaderFlags::EXCL;
        }
        Header {
            kind: self.kind,
            flags,
            ..Header::default()
        }
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        // struct rtmsg (family, dst_len, src_len, tos, table, protocol, scope, type, flags
        // u32), then RTA_DST and RTA_GATEWAY (length 8 each): one copy of 28 bytes.
        let [l0, l1] = 8u16.to_ne_bytes();
        let [d0, d1] = RTA_DST.to_ne_bytes();
        let [g0, g1] = RTA_GATEWAY.to_ne_bytes();
        let [a, b, c, d] = destination(self.index);
        let [w, x, y, z] = GATEWAY;
        buf.extend_from_slice(&[
            AF_INET,
            24,
            0,
            0,
            RT_TABLE_MAIN,
            RTPROT_STATIC,
            RT_SCOPE_UNIVERSE,
            RTN_UNICAST,
            0,
            0,
            0,
            0,
            l0,
            l1,
            d0,
            d1,
            a,
            b,
            c,
            d,
            l0,
            l1,
            g0,
            g1,
            w,
            x,
            y,
            z,
        ]);
        Ok(())
    }
}

/// The tallies of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests acknowledged without error.
    pub ok: u64,
    /// Requests refused (or lost).
    pub errors: u64,
    /// Σ key over acknowledged installs.
    pub checksum: u64,
    /// Datagrams sent.
    pub sends: u64,
    /// Receive buffer overruns met.
    pub overruns: u64,
    /// The largest window used.
    pub window: usize,
}

impl Tally {
    fn result(&mut self, add: bool, index: u64, result: Result<(), Error>) {
        match result {
            Ok(()) => {
                self.ok += 1;
                if add {
                    self.checksum = self.checksum.wrapping_add(key(index));
                }
            }
            Err(e) => {
                if self.errors < 3 {
                    eprintln!("route {index} {}: {e}", if add { "add" } else { "del" });
                }
                self.errors += 1;
            }
        }
    }

    fn add_summary(&mut self, s: &BatchSummary) {
        self.sends += s.sends as u64;
        self.overruns += s.overruns as u64;
        self.window = self.window.max(s.largest_window);
    }
}

/// One phase (all installs or all deletes) as one batch of `window` requests per datagram.
pub fn phase_batch(conn: &Conn, add: bool, count: u64, window: usize, tally: &mut Tally) {
    let kind = if add { RTM_NEWROUTE } else { RTM_DELROUTE };
    let options = BatchOptions {
        window,
        ..BatchOptions::default()
    };
    let summary = conn.execute_batch_with(
        (0..count).map(|index| RouteRequest { kind, index }),
        &options,
        |event| {
            if let BatchEvent::Done { index, result } = event {
                tally.result(add, index as u64, result);
            }
        },
    );
    tally.add_summary(&summary);
}

/// One phase, one request and its acknowledgement at a time.
pub fn phase_serial(conn: &Conn, add: bool, count: u64, tally: &mut Tally) {
    let kind = if add { RTM_NEWROUTE } else { RTM_DELROUTE };
    let mut payload = Vec::with_capacity(32);
    for index in 0..count {
        let req = RouteRequest { kind, index };
        payload.clear();
        let _ = req.encode_payload(&mut payload);
        let result = conn
            .execute_with(req.header(), &payload, |_| Ok(()))
            .map(|_| ());
        tally.result(add, index, result);
        tally.sends += 1;
    }
    tally.window = 1;
}

/// Dials `NETLINK_ROUTE` in `netns` (the caller's namespace when `None`), with the kernel
/// receive buffer set to `rcvbuf` bytes when given.
pub fn dial(netns: Option<&str>, rcvbuf: Option<usize>) -> Result<Conn, String> {
    let conn = Conn::dial(
        Family::ROUTE,
        Config {
            netns: netns.map(NetNs::named),
            read_buffer: rcvbuf.unwrap_or(0),
            ..Config::default()
        },
    )
    .map_err(|e| match netns {
        Some(ns) if !matches!(e, Error::NetNs { .. }) => format!("netns {ns}: {e}"),
        _ => e.to_string(),
    })?;
    // Error messages with the kernel's explanation.
    conn.set_option(netlink::ConnOption::ExtendedAcknowledge, true)
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Runs W5 and returns the output line (an `Err` when a request failed, after printing the
/// line's numbers in the message).
pub fn measure(
    netns: Option<&str>,
    count: u64,
    window: Option<usize>,
    rcvbuf: Option<usize>,
    serial: bool,
) -> Result<String, String> {
    if count > MAX_COUNT {
        return Err(format!("COUNT must be at most {MAX_COUNT}"));
    }
    let conn = dial(netns, rcvbuf)?;
    let window = window.unwrap_or(DEFAULT_WINDOW);
    let mut tally = Tally::default();
    let t0 = Instant::now();
    if serial {
        phase_serial(&conn, true, count, &mut tally);
    } else {
        phase_batch(&conn, true, count, window, &mut tally);
    }
    let t1 = Instant::now();
    if serial {
        phase_serial(&conn, false, count, &mut tally);
    } else {
        phase_batch(&conn, false, count, window, &mut tally);
    }
    let dt = t0.elapsed().as_secs_f64();
    let ops = 2 * count;
    let line = format!(
        "{} items={} checksum={} errors={} window={} add_ms={:.1} del_ms={:.1} ops_per_sec={:.0} ns_per_op={:.0} sends={} overruns={}",
        if serial { "route-install-serial" } else { "route-install" },
        tally.ok,
        tally.checksum,
        tally.errors,
        tally.window,
        (t1 - t0).as_secs_f64() * 1e3,
        t1.elapsed().as_secs_f64() * 1e3,
        ops as f64 / dt,
        dt * 1e9 / ops as f64,
        tally.sends,
        tally.overruns,
    );
    if tally.errors > 0 {
        return Err(format!("{} requests failed: {line}", tally.errors));
    }
    Ok(line)
}
