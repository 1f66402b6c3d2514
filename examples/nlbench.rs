//! `nlbench`: fixed netlink workloads timed in-process, with the same interface and output line
//! as the C, Go and Python programs they are compared with.
//!
//! ```text
//! nlbench WORKLOAD [-n NETNS] [-c COUNT] [-b RECVBUF] [-w WINDOW] [-p PRODUCER] [-k K]
//!     [--runtime current|multi] [--direct]
//! ```
//!
//! `-b` is the user-space receive buffer of the dump workloads, and the kernel receive buffer
//! (`SO_RCVBUF`) of `route-install` and `event-ingest`. `-w` is the number of requests per
//! `sendmsg` of `route-install` (0: the library's choice) and the producer's of
//! `event-ingest`; `-p` is the program `event-ingest` runs to make events (default: this one).
//!
//! Prints one line on stdout: `<workload> items=<n> checksum=<c> [k=v ...]`. The checksums are
//! defined per workload so that every implementation of a workload prints the same numbers.
//!
//! Each workload lives in its own file under `examples/nlbench/`, included below with a
//! `#[path]` module and listed in [`WORKLOADS`]; this file only parses arguments and dispatches.

use std::process::ExitCode;

#[path = "nlbench/codec.rs"]
pub mod codec;
#[path = "nlbench/codec_derived.rs"]
pub(crate) mod codec_derived;
#[path = "nlbench/event_ingest.rs"]
pub mod event_ingest;
#[path = "nlbench/genl_rtt.rs"]
pub mod genl_rtt;
#[path = "nlbench/genl_rtt_async.rs"]
pub mod genl_rtt_async;
#[path = "nlbench/link_dump.rs"]
pub mod link_dump;
#[path = "nlbench/route_dump.rs"]
pub mod route_dump;
#[path = "nlbench/route_install.rs"]
pub mod route_install;

/// The command line, shared by every workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The workload's name, as given.
    pub workload: String,
    /// `-n NETNS`: the named network namespace (`/var/run/netns/NETNS`) to run in.
    pub netns: Option<String>,
    /// `-c COUNT`: iterations for workloads that repeat (each has its own default).
    pub count: Option<u64>,
    /// `-b RECVBUF`: receive buffer size in bytes, if given.
    pub recvbuf: Option<usize>,
    /// `-w WINDOW`: requests per `sendmsg` (`route-install`, the producer of `event-ingest`).
    pub window: Option<usize>,
    /// `-p PRODUCER`: the program `event-ingest` runs to make events.
    pub producer: Option<String>,
    /// `-k K`: requests in flight (`genl-rtt-async`).
    pub inflight: Option<u64>,
    /// `--runtime current|multi`: the tokio runtime of async workloads (default current).
    pub runtime: genl_rtt_async::Runtime,
    /// `--direct`: async requests with nothing else in flight are sent and read in the
    /// caller's task (`netlink::tokio::Options::direct`).
    pub direct: bool,
}

/// Default receive buffer: 32 KiB, as the C reference uses.
pub const DEFAULT_RECVBUF: usize = 32 * 1024;

impl Options {
    /// The iteration count, or `default` when none (or 0) was given.
    pub fn count_or(&self, default: u64) -> u64 {
        self.count.filter(|&c| c > 0).unwrap_or(default)
    }

    /// The receive buffer size, or [`DEFAULT_RECVBUF`] when none (or 0) was given.
    pub fn recvbuf_or_default(&self) -> usize {
        self.recvbuf.filter(|&b| b > 0).unwrap_or(DEFAULT_RECVBUF)
    }
}

/// A workload's entry point: returns the output line, or what went wrong.
pub type Run = fn(&Options) -> Result<String, String>;

/// Every workload, by name.
const WORKLOADS: &[(&str, Run)] = &[
    ("codec", |o| {
        codec_derived::run(o.count_or(codec::DEFAULT_COUNT))
    }),
    ("codec-owned", |o| {
        codec_derived::run_owned(o.count_or(codec::DEFAULT_COUNT))
    }),
    ("codec-raw", |o| {
        codec::run(o.count_or(codec::DEFAULT_COUNT))
    }),
    ("genl-rtt", |o| {
        genl_rtt::measure(
            o.count_or(genl_rtt::DEFAULT_COUNT),
            o.netns.as_deref(),
            o.recvbuf.unwrap_or(0),
        )
    }),
    ("genl-rtt-async", |o| {
        genl_rtt_async::measure(
            o.count_or(genl_rtt_async::DEFAULT_COUNT),
            o.inflight
                .filter(|&k| k > 0)
                .unwrap_or(genl_rtt_async::DEFAULT_K),
            o.netns.as_deref(),
            o.recvbuf.unwrap_or(0),
            o.runtime,
            o.direct,
        )
    }),
    ("route-dump", |o| {
        route_dump::measure(o.netns.as_deref(), o.recvbuf_or_default())
    }),
    ("route-dump-raw", |o| {
        route_dump::measure_raw(o.netns.as_deref(), o.recvbuf_or_default())
    }),
    ("route-dump-recvonly", |o| {
        route_dump::measure_recv_only(o.netns.as_deref(), o.recvbuf_or_default())
    }),
    ("link-dump", |o| {
        link_dump::measure(o.netns.as_deref(), o.recvbuf_or_default())
    }),
    ("link-dump-raw", |o| {
        link_dump::measure_raw(o.netns.as_deref(), o.recvbuf_or_default())
    }),
    ("route-install", |o| {
        route_install::measure(
            o.netns.as_deref(),
            o.count_or(route_install::DEFAULT_COUNT),
            o.window,
            o.recvbuf,
            false,
        )
    }),
    ("route-install-serial", |o| {
        route_install::measure(
            o.netns.as_deref(),
            o.count_or(route_install::DEFAULT_COUNT),
            Some(1),
            o.recvbuf,
            true,
        )
    }),
    ("event-ingest", |o| {
        let producer = match &o.producer {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .map_err(|e| format!("this program's path: {e}"))?
                .to_string_lossy()
                .into_owned(),
        };
        event_ingest::run(
            o.netns.as_deref(),
            o.count_or(route_install::DEFAULT_COUNT),
            o.window.unwrap_or(route_install::DEFAULT_WINDOW),
            o.recvbuf,
            event_ingest::Producer::Program(producer),
        )
        .map(|(line, _)| line)
    }),
];

/// The workload called `name`, if there is one.
pub fn find_workload(name: &str) -> Option<Run> {
    WORKLOADS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, run)| *run)
}

/// The usage line, listing every workload.
pub fn usage() -> String {
    let names: Vec<&str> = WORKLOADS.iter().map(|(n, _)| *n).collect();
    format!(
        "usage: nlbench {} [-n NETNS] [-c COUNT] [-b RECVBUF] [-w WINDOW] [-p PRODUCER] [-k K] \
         [--runtime current|multi] [--direct]",
        names.join("|")
    )
}

/// Parses `WORKLOAD [-n NETNS] [-c COUNT] [-b RECVBUF] [-w WINDOW] [-p PRODUCER] [-k K]
/// [--runtime current|multi] [--direct]` (short options' values attached, as in `-c100`, or
/// separate; `--runtime=multi` or `--runtime multi`).
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut it = args.iter();
    let workload = it.next().ok_or("no workload given")?.clone();
    let mut opts = Options {
        workload,
        netns: None,
        count: None,
        recvbuf: None,
        window: None,
        producer: None,
        inflight: None,
        runtime: genl_rtt_async::Runtime::Current,
        direct: false,
    };
    while let Some(arg) = it.next() {
        if arg == "--direct" {
            opts.direct = true;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, v.to_owned()),
                None => (
                    long,
                    it.next()
                        .cloned()
                        .ok_or_else(|| format!("option --{long} needs a value"))?,
                ),
            };
            match name {
                "runtime" => opts.runtime = value.parse()?,
                _ => return Err(format!("unknown option --{name}")),
            }
            continue;
        }
        let (flag, attached) = match arg.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => rest.split_at(1),
            _ => return Err(format!("unexpected argument {arg:?}")),
        };
        let value = if attached.is_empty() {
            it.next()
                .cloned()
                .ok_or_else(|| format!("option -{flag} needs a value"))?
        } else {
            attached.to_owned()
        };
        let number = |v: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("option -{flag}: {v:?} is not a number"))
        };
        match flag {
            "n" => opts.netns = Some(value),
            "c" => opts.count = Some(number(&value)?),
            "k" => opts.inflight = Some(number(&value)?),
            "b" => {
                opts.recvbuf = Some(
                    usize::try_from(number(&value)?)
                        .map_err(|_| format!("option -b: {value} is too large"))?,
                );
            }
            "w" => {
                opts.window = Some(
                    usize::try_from(number(&value)?)
                        .map_err(|_| format!("option -w: {value} is too large"))?,
                );
            }
            "p" => opts.producer = Some(value),
            _ => return Err(format!("unknown option -{flag}")),
        }
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let opts = match parse_args(&args) {
        Ok(o) => o,
        // Every bad argument is a usage error: what was wrong, then the usage line.
        Err(e) => {
            eprintln!("nlbench: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let Some(run) = find_workload(&opts.workload) else {
        eprintln!("nlbench: unknown workload {}\n{}", opts.workload, usage());
        return ExitCode::from(2);
    };
    match run(&opts) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", opts.workload);
            ExitCode::from(1)
        }
    }
}
