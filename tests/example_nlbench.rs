//! The `nlbench` binary as a user runs it: every bad argument (a bad number, an unknown option
//! or workload, a bad `--runtime`, a missing value) exits 2 and prints what was wrong and the
//! usage line.

mod example_support;

use example_support::example_binary;
use std::process::Command;

#[test]
fn bad_arguments_are_usage_errors() {
    let bin = example_binary("nlbench");
    for (bad, says) in [
        (&[][..], "no workload given"),
        (&["route-install", "-c", "x"], "\"x\" is not a number"),
        (&["genl-rtt", "-c"], "-c needs a value"),
        (&["genl-rtt-async", "--runtime", "foo"], "\"foo\""),
        (
            &["genl-rtt-async", "--speed", "1"],
            "unknown option --speed",
        ),
        (&["codec", "-z", "1"], "unknown option -z"),
        (&["codec", "stray"], "unexpected argument \"stray\""),
        (&["no-such-workload"], "unknown workload no-such-workload"),
    ] {
        let out = Command::new(&bin).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{bad:?}: {out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{bad:?}: {err}");
        assert!(
            lines[0].starts_with("nlbench: ") && lines[0].contains(says),
            "{bad:?}: {err}"
        );
        assert!(
            lines[1].starts_with("usage: nlbench ") && lines[1].contains("route-install"),
            "{bad:?}: {err}"
        );
    }
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(help.status.success(), "{help:?}");
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage: nlbench "));
}
