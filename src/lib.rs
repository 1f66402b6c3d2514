//! Examples and integration tests of the `netlink` workspace.
//!
//! This package owns the top-level `examples/` and `tests/` folders so that `cargo run
//! --example NAME` and `cargo test --workspace` work from the root of the repository. The
//! library is the `netlink` crate; the only code here is [`fuzz_targets`], the fuzz targets
//! shared by the cargo-fuzz crate in `fuzz/` and the stable smoke run `tests/fuzz_smoke.rs`.

pub mod fuzz_targets;
