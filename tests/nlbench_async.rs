//! The `nlbench genl-rtt-async` workload against the kernel, on both runtimes, with one and
//! with many requests in flight, and its command line.

#[allow(dead_code)]
#[path = "../examples/nlbench.rs"]
mod nlbench;

mod conn_support;

use conn_support::{privileged, TestNs};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn genl_rtt_async_counts_and_checksums_every_reply() {
    if !privileged("nlbench genl-rtt-async") {
        return;
    }
    let ns = TestNs::new("nbasync");
    let run = nlbench::find_workload("genl-rtt-async").unwrap();
    for (k, runtime, direct) in [
        ("1", "current", false),
        ("64", "current", false),
        ("8", "multi", false),
        ("1", "multi", true),
    ] {
        let mut a = vec![
            "genl-rtt-async",
            "-c",
            "500",
            "-k",
            k,
            "-n",
            &ns.name,
            "--runtime",
            runtime,
        ];
        if direct {
            a.push("--direct");
        }
        let o = nlbench::parse_args(&args(&a)).unwrap();
        let line = run(&o).unwrap();
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            fields[..4],
            [
                "genl-rtt-async",
                "items=500",
                "checksum=8000",
                &format!("k={k}")
            ],
            "{line}"
        );
        assert!(
            fields.iter().any(|f| f.starts_with("ops_per_sec=")),
            "{line}"
        );
        assert!(line.contains(&format!("runtime={runtime}")), "{line}");
        let sends: u64 = fields
            .iter()
            .find_map(|f| f.strip_prefix("sendmsg="))
            .unwrap()
            .parse()
            .unwrap();
        if k == "64" {
            assert!(sends < 500, "64 in flight share sendmsg calls: {line}");
        }
    }
}

#[test]
fn command_line_and_usage() {
    let o = nlbench::parse_args(&args(&[
        "genl-rtt-async",
        "-k",
        "64",
        "--runtime=multi",
        "--direct",
    ]))
    .unwrap();
    assert_eq!(o.inflight, Some(64));
    assert_eq!(o.runtime, nlbench::genl_rtt_async::Runtime::Multi);
    assert!(o.direct);
    let o = nlbench::parse_args(&args(&["genl-rtt-async", "-k64"])).unwrap();
    assert_eq!(o.runtime, nlbench::genl_rtt_async::Runtime::Current);
    assert!(!o.direct);
    assert!(nlbench::parse_args(&args(&["genl-rtt-async", "--runtime", "fast"])).is_err());
    assert!(nlbench::parse_args(&args(&["genl-rtt-async", "--runtime"])).is_err());
    assert!(nlbench::parse_args(&args(&["genl-rtt-async", "--speed", "1"])).is_err());
    assert!(nlbench::usage().contains("genl-rtt-async"));
    assert!(nlbench::usage().contains("-k K"));
}
