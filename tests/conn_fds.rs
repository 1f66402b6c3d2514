//! Descriptor hygiene of `Conn`: no leaks over many dial/close cycles, close-on-exec
//! everywhere. A test binary of its own, so that no other test opens descriptors meanwhile.

mod conn_support;

use std::collections::BTreeSet;

use conn_support::{is_cloexec, open_fds};
use netlink::{Config, Conn, Family};

fn fd_set() -> BTreeSet<i32> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            // Skip the descriptor `read_dir` itself lists with.
            let target = std::fs::read_link(e.path()).ok()?;
            if target.ends_with("fd") && target.starts_with("/proc") {
                return None;
            }
            e.file_name().to_str()?.parse().ok()
        })
        .collect()
}

#[test]
fn dial_close_cycles_leak_nothing_and_set_cloexec() {
    // Every descriptor a connection opens (the socket and its eventfd) is close-on-exec.
    let before = fd_set();
    let conn = Conn::dial(Family::ROUTE, Config::default()).unwrap();
    let added: Vec<i32> = fd_set().difference(&before).copied().collect();
    assert_eq!(added.len(), 2, "{added:?}");
    for fd in &added {
        assert!(is_cloexec(*fd), "descriptor {fd} lacks FD_CLOEXEC");
    }
    drop(conn);
    for fd in &added {
        assert!(!std::path::Path::new(&format!("/proc/self/fdinfo/{fd}")).exists());
    }

    let start = open_fds();
    for i in 0..100_000u32 {
        let conn = Conn::dial(Family::ROUTE, Config::default()).unwrap();
        if i % 2 == 0 {
            conn.close().unwrap();
        }
        drop(conn);
    }
    assert_eq!(open_fds(), start);
}
