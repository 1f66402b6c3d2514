//! `#[derive(NlAttrs)]` for the `netlink` crate (work in progress: see the derive issue).
