//! `conn_faults`: measures how a [`Conn`] behaves under the faults of issue 7, in a throw-away
//! network namespace, and prints the figures.
//!
//! ```text
//! conn_faults [flood|dump|contention|all] [--runs N]
//! ```
//!
//! - `flood`: how long a call with a 100 ms read timeout takes while a forged datagram arrives
//!   every 30 ms, and while link events arrive every 40 ms on a socket that joined the link
//!   group (the timeout is a deadline for the whole call: about 100 ms).
//! - `dump`: `N` times (default 100), start a link dump, read one message, drop the dump, and
//!   count the `EBUSY` errors of the next dump (0 when an abandoned dump is drained).
//! - `contention`: 8 threads share one connection with a 1 s timeout under an event storm,
//!   each executing a request that gets no answer and five that do; prints the worst call time.
//!
//! Needs root (it runs `ip netns add`). Flood generators stop after 3 s so that a connection
//! whose timeout restarts still finishes.

use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use netlink::netns::NetNs;
use netlink::socket::NetlinkSocket;
use netlink::{Config, Conn, Family, HeaderFlags, HeaderType, Message};

const RTM_NEWLINK: HeaderType = HeaderType(16);
const RTM_GETLINK: HeaderType = HeaderType(18);
const IFF_UP: u32 = 1;
const RTNLGRP_LINK: u32 = 1;
const GENERATOR_LIMIT: Duration = Duration::from_secs(3);

fn usage() -> &'static str {
    "usage: conn_faults [flood|dump|contention|all] [--runs N]"
}

struct Ns {
    name: String,
}

impl Ns {
    fn new() -> Result<Ns, String> {
        let name = format!("nlfaults-{}", std::process::id());
        ip(&["netns", "add", &name])?;
        let ns = Ns { name };
        ip(&["-n", &ns.name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    fn config(&self) -> Config {
        Config {
            netns: Some(NetNs::named(&self.name)),
            ..Config::default()
        }
    }

    fn dial(&self) -> Result<Conn, String> {
        Conn::dial(Family::ROUTE, self.config()).map_err(|e| e.to_string())
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A control message with no `NLM_F_ACK`: the kernel answers nothing, so the call times out.
fn unanswered() -> Message {
    Message::new(HeaderType::NOOP, HeaderFlags::REQUEST, vec![])
}

fn link_dump() -> Message {
    Message::new(
        RTM_GETLINK,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        vec![0; 16],
    )
}

fn get_link(index: i32) -> Message {
    let mut data = vec![0; 16];
    data[4..8].copy_from_slice(&index.to_ne_bytes());
    Message::new(RTM_GETLINK, HeaderFlags::REQUEST, data)
}

/// `RTM_NEWLINK` setting or clearing `IFF_UP` on link `index`: one link event each.
fn set_up(index: i32, up: bool) -> Message {
    let mut data = vec![0; 16];
    data[4..8].copy_from_slice(&index.to_ne_bytes());
    data[8..12].copy_from_slice(&(if up { IFF_UP } else { 0 }).to_ne_bytes());
    data[12..16].copy_from_slice(&IFF_UP.to_ne_bytes());
    Message::new(
        RTM_NEWLINK,
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        data,
    )
}

fn link_index(ns: &Ns, name: &str) -> Result<i32, String> {
    let conn = ns.dial()?;
    for m in conn.execute(&link_dump()).map_err(|e| e.to_string())? {
        let idx = i32::from_ne_bytes(m.data[4..8].try_into().unwrap_or([0; 4]));
        let mut rest = &m.data[16..];
        while rest.len() >= 4 {
            let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
            let kind = u16::from_ne_bytes([rest[2], rest[3]]) & 0x3fff;
            if len < 4 || len > rest.len() {
                break;
            }
            if kind == 3 && rest[4..len].split(|b| *b == 0).next() == Some(name.as_bytes()) {
                return Ok(idx);
            }
            rest = &rest[len.div_ceil(4) * 4..];
        }
    }
    Err(format!("link {name} not found"))
}

/// Toggles link `index` up and down every `every` until `stop` (or the generator limit).
fn toggler(ns: &Ns, index: i32, every: Duration, stop: Arc<AtomicBool>) -> Result<(), String> {
    let conn = ns.dial()?;
    let start = Instant::now();
    let mut up = true;
    while !stop.load(Ordering::Relaxed) && start.elapsed() < GENERATOR_LIMIT {
        conn.execute(&set_up(index, up))
            .map_err(|e| e.to_string())?;
        up = !up;
        std::thread::sleep(every);
    }
    Ok(())
}

fn flood(ns: &Ns) -> Result<(), String> {
    ip(&["-n", &ns.name, "link", "add", "nlf0", "type", "bridge"])?;
    let index = link_index(ns, "nlf0")?;
    let timeout = Duration::from_millis(100);

    // Forged datagrams from a user socket in the same namespace, to a socket that is not
    // connected to the kernel (`Conn::dial` connects it, and the kernel then refuses them).
    let sock = NetNs::named(&ns.name)
        .run(|| NetlinkSocket::open(0, 0, 0))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let conn = Conn::from_socket(sock);
    conn.set_read_timeout(Some(timeout));
    let forger = NetNs::named(&ns.name)
        .run(|| NetlinkSocket::open(0, 0, 0))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let target = conn.pid();
    let mut worst = Duration::ZERO;
    for _ in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let elapsed = std::thread::scope(|s| {
            let stop2 = Arc::clone(&stop);
            let forger = &forger;
            s.spawn(move || {
                let start = Instant::now();
                while !stop2.load(Ordering::Relaxed) && start.elapsed() < GENERATOR_LIMIT {
                    let _ = forger.send_to(&[0u8; 20], target, 0);
                    std::thread::sleep(Duration::from_millis(30));
                }
            });
            let start = Instant::now();
            let r = conn.execute(&unanswered());
            let took = start.elapsed();
            stop.store(true, Ordering::Relaxed);
            (took, r.is_err())
        });
        worst = worst.max(elapsed.0);
    }
    println!(
        "flood forged: 100 ms timeout, forged datagram every 30 ms: worst call {} ms (forged dropped {})",
        worst.as_millis(),
        conn.forged_dropped()
    );

    // Link events on a socket that joined the link group.
    let conn = ns.dial()?;
    conn.join_group(RTNLGRP_LINK).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(timeout));
    let mut worst = Duration::ZERO;
    for _ in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let took = std::thread::scope(|s| -> Result<Duration, String> {
            let stop2 = Arc::clone(&stop);
            let h = s.spawn(move || toggler(ns, index, Duration::from_millis(40), stop2));
            std::thread::sleep(Duration::from_millis(50));
            let start = Instant::now();
            let _ = conn.execute(&unanswered());
            let took = start.elapsed();
            stop.store(true, Ordering::Relaxed);
            h.join().map_err(|_| "toggler panicked".to_string())??;
            Ok(took)
        })?;
        worst = worst.max(took);
    }
    println!(
        "flood multicast: 100 ms timeout, link event every 40 ms: worst call {} ms",
        worst.as_millis()
    );
    ip(&["-n", &ns.name, "link", "del", "nlf0"])?;
    Ok(())
}

fn abandoned_dump(ns: &Ns, runs: u32) -> Result<(), String> {
    let mut batch = String::new();
    for i in 0..64 {
        batch.push_str(&format!("link add nlfd{i} type bridge\n"));
    }
    let mut child = Command::new("ip")
        .args(["-n", &ns.name, "-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        stdin
            .write_all(batch.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    child.wait().map_err(|e| e.to_string())?;

    let conn = ns.dial()?;
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut ebusy = 0u32;
    let mut runs_with_ebusy = 0u32;
    let mut other = 0u32;
    for _ in 0..runs {
        {
            let mut d = conn.dump(&link_dump()).map_err(|e| e.to_string())?;
            let first = d.next_ref();
            if !matches!(first, Some(Ok(_))) {
                return Err("the dump yielded no link".into());
            }
        }
        let mut this = 0;
        loop {
            match conn.execute(&link_dump()) {
                Ok(_) => break,
                Err(e) if e.errno() == Some(libc::EBUSY) => this += 1,
                Err(_) => {
                    other += 1;
                    break;
                }
            }
            if this > 100 {
                break;
            }
        }
        ebusy += this;
        if this > 0 {
            runs_with_ebusy += 1;
        }
    }
    println!(
        "abandoned dump: {runs} runs, {ebusy} EBUSY errors, {runs_with_ebusy} runs with EBUSY, {other} other errors"
    );
    Ok(())
}

fn contention(ns: &Ns) -> Result<(), String> {
    ip(&["-n", &ns.name, "link", "add", "nlf0", "type", "bridge"])?;
    let index = link_index(ns, "nlf0")?;
    let conn = Arc::new(ns.dial()?);
    conn.join_group(RTNLGRP_LINK).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(Duration::from_secs(1)));
    let stop = Arc::new(AtomicBool::new(false));
    // A large receive buffer, so that the storm rarely overflows it.
    conn.set_read_buffer(8 << 20).map_err(|e| e.to_string())?;
    let (worst, timeouts, calls, other) = std::thread::scope(|s| -> Result<_, String> {
        let stop2 = Arc::clone(&stop);
        let storm = s.spawn(move || toggler(ns, index, Duration::ZERO, stop2));
        let mut callers = Vec::new();
        for _ in 0..8 {
            let conn = Arc::clone(&conn);
            callers.push(s.spawn(move || {
                let mut worst = Duration::ZERO;
                let mut timeouts = 0u32;
                let mut calls = 0u32;
                let mut other = 0u32;
                for i in 0..6 {
                    let req = if i == 0 { unanswered() } else { get_link(1) };
                    let start = Instant::now();
                    let r = conn.execute(&req);
                    worst = worst.max(start.elapsed());
                    calls += 1;
                    match &r {
                        Err(e) if e.is_timeout() => timeouts += 1,
                        Err(_) => other += 1,
                        Ok(_) => {}
                    }
                }
                (worst, timeouts, calls, other)
            }));
        }
        let mut all = (Duration::ZERO, 0, 0, 0);
        for c in callers {
            let (w, t, n, o) = c.join().map_err(|_| "caller panicked".to_string())?;
            all = (all.0.max(w), all.1 + t, all.2 + n, all.3 + o);
        }
        stop.store(true, Ordering::Relaxed);
        storm.join().map_err(|_| "storm panicked".to_string())??;
        Ok(all)
    })?;
    println!(
        "contention: 8 callers, 1 s timeout, event storm: worst call {} ms ({timeouts} of {calls} calls timed out, {other} other errors)",
        worst.as_millis()
    );
    ip(&["-n", &ns.name, "link", "del", "nlf0"])?;
    Ok(())
}

fn main() -> ExitCode {
    let mut what = None;
    let mut runs = 100u32;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--help" | "-h" => {
                println!("{}", usage());
                return ExitCode::SUCCESS;
            }
            "--runs" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => runs = n,
                None => {
                    eprintln!("--runs needs a number\n{}", usage());
                    return ExitCode::from(2);
                }
            },
            "flood" | "dump" | "contention" | "all" if what.is_none() => what = Some(a),
            _ => {
                eprintln!("unexpected argument {a:?}\n{}", usage());
                return ExitCode::from(2);
            }
        }
    }
    let what = what.unwrap_or_else(|| "all".into());
    let ns = match Ns::new() {
        Ok(ns) => ns,
        Err(e) => {
            eprintln!("conn_faults: {e}");
            return ExitCode::from(1);
        }
    };
    let result = (|| {
        if what == "flood" || what == "all" {
            flood(&ns)?;
        }
        if what == "dump" || what == "all" {
            abandoned_dump(&ns, runs)?;
        }
        if what == "contention" || what == "all" {
            contention(&ns)?;
        }
        Ok::<(), String>(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conn_faults: {e}");
            ExitCode::from(1)
        }
    }
}
