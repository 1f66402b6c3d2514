//! `nlbench`: the netlink benchmark workloads (see `/perf` of the repository for the reference
//! programs and the output format).
//!
//! ```text
//! cargo run --release --example nlbench -- genl-rtt [-c COUNT] [-n NETNS] [-b RECVBUF]
//! cargo run --release --example nlbench -- codec [-c COUNT]
//! cargo run --release --example nlbench -- codec-owned [-c COUNT]
//! ```

#[path = "nlbench/codec_derived.rs"]
mod codec_derived;
#[path = "nlbench/genl_rtt.rs"]
mod genl_rtt;

fn usage() -> ! {
    eprintln!("usage: nlbench genl-rtt|codec|codec-owned [-c COUNT] [-n NETNS] [-b RECVBUF]");
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(workload) = args.next() else { usage() };
    let mut count: Option<u64> = None;
    let mut netns: Option<String> = None;
    let mut recvbuf = 0usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-c" => count = args.next().and_then(|v| v.parse().ok()).or_else(|| usage()),
            "-n" => netns = Some(args.next().unwrap_or_else(|| usage())),
            "-b" => {
                recvbuf = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            _ => usage(),
        }
    }
    match workload.as_str() {
        "genl-rtt" => {
            let count = count.filter(|&c| c > 0).unwrap_or(genl_rtt::DEFAULT_COUNT);
            if recvbuf == 0 {
                genl_rtt::run(count, netns.as_deref());
            } else {
                match genl_rtt::measure(count, netns.as_deref(), recvbuf) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        eprintln!("genl-rtt: {e}");
                        std::process::exit(1);
                    }
                }
            }
        }
        "codec" => codec_derived::run(count.filter(|&c| c > 0).unwrap_or(1_000_000)),
        "codec-owned" => codec_derived::run_owned(count.filter(|&c| c > 0).unwrap_or(1_000_000)),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    }
}
