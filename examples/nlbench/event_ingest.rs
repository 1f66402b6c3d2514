//! W6 `event-ingest`: a [`Listener`] joins `RTNLGRP_IPV4_ROUTE` in the namespace, then starts
//! the producer (`PRODUCER route-install -n NETNS -c COUNT -w WINDOW`, by default this
//! program), and receives and decodes (`rtmsg` + `RTA_DST`, borrowed) every event until the
//! producer has exited and the socket has then been idle for 20 ms.
//!
//! `items` counts `RTM_NEWROUTE` + `RTM_DELROUTE` events (2 × COUNT without loss); the
//! checksum sums `x * 256 + y` of `RTA_DST` 10.x.y.0 over events with `rtm_dst_len` 24;
//! `overruns` counts the [`Event::Overrun`] items (`ENOBUFS`); `rcvbuf` is `SO_RCVBUF` as the
//! kernel reports it (the library's default, or `-b BYTES` through [`Conn::set_read_buffer`]);
//! `cpu_ns_per_event` is this process's user + system time (`getrusage(RUSAGE_SELF)`) from
//! just before the producer starts to the end, per event.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use netlink::events::{Event, EventKind, Listener};
use netlink::netns::NetNs;
use netlink::{Config, Error, Family, HeaderType, MessageRef};

/// `RTNLGRP_IPV4_ROUTE`.
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
const RTM_NEWROUTE: HeaderType = HeaderType(24);
const RTM_DELROUTE: HeaderType = HeaderType(25);
const RTMSG_LEN: usize = 12;
const RTA_DST: u16 = 1;
/// How long the socket must stay idle after the producer exited.
pub const IDLE: Duration = Duration::from_millis(20);

/// A route event as the workload needs it: borrowed from the receive buffer, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEvent {
    /// The message type.
    pub kind: HeaderType,
    /// `rtm_dst_len`.
    pub dst_len: u8,
    /// `RTA_DST` as a host-order IPv4 address, when present.
    pub dst: Option<u32>,
}

/// Decodes [`RouteEvent`]s.
#[derive(Debug, Clone, Copy)]
pub struct RouteEvents;

impl EventKind for RouteEvents {
    type Event<'a> = RouteEvent;

    #[inline]
    fn decode<'a>(m: MessageRef<'a>) -> Result<RouteEvent, Error> {
        if m.header.kind != RTM_NEWROUTE && m.header.kind != RTM_DELROUTE {
            return Ok(RouteEvent {
                kind: m.header.kind,
                dst_len: 0,
                dst: None,
            });
        }
        let attrs = m.attrs(RTMSG_LEN)?;
        let dst_len = m.data.get(1).copied().unwrap_or(0);
        let mut dst = None;
        for a in attrs {
            let a = a?;
            if a.attr_type() == RTA_DST {
                // Four bytes exactly (an IPv4 route): anything else is an error.
                dst = Some(a.u32_be()?);
            }
        }
        Ok(RouteEvent {
            kind: m.header.kind,
            dst_len,
            dst,
        })
    }
}

/// The tallies of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// `RTM_NEWROUTE` events.
    pub new: u64,
    /// `RTM_DELROUTE` events.
    pub del: u64,
    /// Other messages.
    pub other: u64,
    /// The checksum.
    pub checksum: u64,
    /// Overrun items.
    pub overruns: u64,
}

impl Tally {
    /// Adds one event.
    #[inline]
    pub fn add(&mut self, e: &RouteEvent) {
        match e.kind {
            RTM_NEWROUTE => self.new += 1,
            RTM_DELROUTE => self.del += 1,
            _ => {
                self.other += 1;
                return;
            }
        }
        if let (24, Some(dst)) = (e.dst_len, e.dst) {
            self.checksum = self.checksum.wrapping_add(u64::from((dst >> 8) & 0xffff));
        }
    }

    /// Events counted.
    pub fn items(&self) -> u64 {
        self.new + self.del
    }
}

/// What makes the events.
pub enum Producer {
    /// A program run as `PROGRAM route-install [-n NETNS] -c COUNT -w WINDOW`.
    Program(String),
    /// A function run on a thread of this process (for tests).
    Thread(Box<dyn FnOnce() -> Result<(), String> + Send>),
}

enum Running {
    Child(Child),
    Thread(std::thread::JoinHandle<Result<(), String>>),
}

impl Running {
    /// `Some(Ok)` once the producer has exited successfully.
    fn poll(&mut self) -> Option<Result<(), String>> {
        match self {
            Running::Child(c) => match c.try_wait() {
                Ok(Some(s)) if s.success() => Some(Ok(())),
                Ok(Some(s)) => Some(Err(format!("producer failed: {s}"))),
                Ok(None) => None,
                Err(e) => Some(Err(format!("producer: {e}"))),
            },
            Running::Thread(h) => h.is_finished().then(|| {
                std::mem::replace(h, std::thread::spawn(|| Ok(())))
                    .join()
                    .unwrap_or_else(|_| Err("producer thread panicked".into()))
            }),
        }
    }
}

fn cpu_seconds() -> (f64, f64) {
    // SAFETY: `rusage` is plain old data; getrusage fills it.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `r` is a live, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (s(r.ru_utime), s(r.ru_stime))
}

/// Runs W6 and returns the output line and the tallies.
pub fn run(
    netns: Option<&str>,
    count: u64,
    window: usize,
    rcvbuf: Option<usize>,
    producer: Producer,
) -> Result<(String, Tally), String> {
    let name = |e: Error| match netns {
        Some(ns) if !matches!(e, Error::NetNs { .. }) => format!("netns {ns}: {e}"),
        _ => e.to_string(),
    };
    let mut listener = Listener::<RouteEvents>::dial(
        Family::ROUTE,
        &[RTNLGRP_IPV4_ROUTE],
        Config {
            netns: netns.map(NetNs::named),
            read_buffer: rcvbuf.unwrap_or(0),
            ..Config::default()
        },
    )
    .map_err(name)?;
    let effective = listener.conn().read_buffer().map_err(name)?;
    listener.conn().set_read_timeout(Some(IDLE));

    let mut tally = Tally::default();
    let (u0, s0) = cpu_seconds();
    let t0 = Instant::now();
    let mut running = match producer {
        Producer::Program(prog) => {
            let mut cmd = Command::new(&prog);
            cmd.arg("route-install");
            if let Some(ns) = netns {
                cmd.args(["-n", ns]);
            }
            cmd.args(["-c", &count.to_string(), "-w", &window.to_string()]);
            Running::Child(
                cmd.stdout(Stdio::null())
                    .spawn()
                    .map_err(|e| format!("producer {prog}: {e}"))?,
            )
        }
        Producer::Thread(f) => Running::Thread(std::thread::spawn(f)),
    };
    let mut exited: Option<Instant> = None;
    let mut failure = None;
    loop {
        match listener.next_event() {
            Ok(Event::Message(e)) => tally.add(&e),
            Ok(Event::Overrun) => tally.overruns += 1,
            Err(e) if e.is_timeout() => {
                if exited.is_some() {
                    // Idle for a whole timeout after the producer exited: drained.
                    break;
                }
                if let Some(r) = running.poll() {
                    exited = Some(Instant::now());
                    if let Err(e) = r {
                        failure = Some(e);
                    }
                }
            }
            Err(e) => return Err(format!("receive: {e}")),
        }
    }
    let (u1, s1) = cpu_seconds();
    if let Some(e) = failure {
        return Err(e);
    }
    let (user, sys) = (u1 - u0, s1 - s0);
    let seen = tally.items();
    let stats = listener.stats();
    let line = format!(
        "event-ingest items={} checksum={} overruns={} new={} del={} rcvbuf={} expected={} cpu_ms={:.1} user_ms={:.1} sys_ms={:.1} cpu_ns_per_event={:.0} producer_ms={:.1} receives={} datagrams={}",
        seen,
        tally.checksum,
        tally.overruns,
        tally.new,
        tally.del,
        effective,
        2 * count,
        (user + sys) * 1e3,
        user * 1e3,
        sys * 1e3,
        if seen > 0 { (user + sys) * 1e9 / seen as f64 } else { 0.0 },
        exited.map_or(0.0, |t| (t - t0).as_secs_f64() * 1e3),
        stats.receives,
        stats.datagrams,
    );
    Ok((line, tally))
}
