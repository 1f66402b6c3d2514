//! The `attributes` and `genl_ack` demos as a user runs them: they take no arguments, so any
//! argument is a usage error (exit 2, what was wrong and the usage line), `--help` prints the
//! usage, and a plain run succeeds.

mod example_support;

use example_support::example_binary;
use std::process::Command;

#[test]
fn arguments_are_usage_errors() {
    for (name, run_says) in [("attributes", "Number: 1"), ("genl_ack", "code: 0")] {
        let bin = example_binary(name);
        for bad in [&["--bogus"][..], &["extra"], &["-n", "ns"]] {
            let out = Command::new(&bin).args(bad).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{name} {bad:?}: {out:?}");
            assert!(out.stdout.is_empty(), "{name} {bad:?}: {out:?}");
            let err = String::from_utf8(out.stderr).unwrap();
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 2, "{name} {bad:?}: {err}");
            assert!(
                lines[0] == format!("{name}: unexpected argument {:?}", bad[0]),
                "{name} {bad:?}: {err}"
            );
            assert!(lines[1].starts_with(&format!("usage: {name} ")), "{err}");
        }
        let help = Command::new(&bin).arg("--help").output().unwrap();
        assert!(help.status.success(), "{name}: {help:?}");
        assert!(String::from_utf8_lossy(&help.stdout).starts_with(&format!("usage: {name} ")));
        let out = Command::new(&bin).output().unwrap();
        assert!(out.status.success(), "{name}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(run_says),
            "{name}: {out:?}"
        );
    }
}
