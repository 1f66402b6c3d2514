//! `nlbench`: the netlink benchmark workloads (see `/perf` of the repository for the reference
//! programs and the output format).
//!
//! ```text
//! cargo run --release --example nlbench -- genl-rtt [-c COUNT] [-n NETNS]
//! ```

#[path = "nlbench/genl_rtt.rs"]
mod genl_rtt;

fn usage() -> ! {
    eprintln!("usage: nlbench genl-rtt [-c COUNT] [-n NETNS]");
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(workload) = args.next() else { usage() };
    let mut count: Option<u64> = None;
    let mut netns: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-c" => count = args.next().and_then(|v| v.parse().ok()).or_else(|| usage()),
            "-n" => netns = Some(args.next().unwrap_or_else(|| usage())),
            _ => usage(),
        }
    }
    match workload.as_str() {
        "genl-rtt" => genl_rtt::run(count.unwrap_or(20_000), netns.as_deref()),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    }
}
