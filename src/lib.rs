//! Examples and integration tests of the `netlink` workspace.
//!
//! This package holds no library code of its own: it owns the top-level `examples/` and
//! `tests/` folders so that `cargo run --example NAME` and `cargo test --workspace` work from
//! the root of the repository. The library is the `netlink` crate.
