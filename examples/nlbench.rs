//! `nlbench`: the netlink benchmark workloads (see `perf/` of the shared reference programs
//! for the output format).
//!
//! ```text
//! cargo run --release --example nlbench -- codec [-c COUNT]
//! cargo run --release --example nlbench -- codec-owned [-c COUNT]
//! ```

#[path = "nlbench/codec_derived.rs"]
mod codec_derived;

fn usage() -> ! {
    eprintln!("usage: nlbench codec|codec-owned [-c COUNT]");
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(workload) = args.next() else { usage() };
    let mut count: Option<u64> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-c" => count = args.next().and_then(|v| v.parse().ok()).or_else(|| usage()),
            _ => usage(),
        }
    }
    let count = count.filter(|&c| c > 0).unwrap_or(1_000_000);
    match workload.as_str() {
        "codec" => codec_derived::run(count),
        "codec-owned" => codec_derived::run_owned(count),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    }
}
