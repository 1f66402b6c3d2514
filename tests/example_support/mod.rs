//! Shared helper of the tests that run an example as a user does: its binary, built first.

use std::path::PathBuf;
use std::process::Command;

/// The example `name`'s binary, built first (cargo builds examples for `cargo test`, but not
/// for `cargo test --test NAME`).
pub fn example_binary(name: &str) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build --example");
    assert!(status.success(), "cargo build --example {name}: {status}");
    let mut p = std::env::current_exe().unwrap();
    p.pop(); // deps
    p.pop(); // the profile's directory
    p.push("examples");
    p.push(name);
    p
}
