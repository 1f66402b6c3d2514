//! The `families` example against the kernel's own view, as iproute2's `genl ctrl list` shows
//! it: the same families with the same ids and versions, `nlctrl` at id 0x10.

use std::collections::BTreeSet;
use std::process::Command;

#[allow(dead_code)]
#[path = "../examples/families.rs"]
mod families;

/// `(name, "ID: 0x.. Version: 0x..")` for every family of a `genl ctrl list`-style text.
fn families_of(text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut name = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(n) = line.strip_prefix("Name: ") {
            name = Some(n.trim().to_owned());
        } else if line.starts_with("ID: ") {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let id_version = fields.get(..4).unwrap_or_default().join(" ");
            out.insert((name.take().expect("ID line before Name"), id_version));
        }
    }
    out
}

#[test]
fn families_example_matches_genl_ctrl_list() {
    let ours = families::list_families().expect("families example");
    let ours = families_of(&ours);
    assert!(!ours.is_empty());
    assert!(
        ours.contains(&("nlctrl".to_owned(), "ID: 0x10 Version: 0x2".to_owned())),
        "{ours:?}"
    );
    let genl = Command::new("genl")
        .args(["ctrl", "list"])
        .output()
        .expect("iproute2's genl must be installed");
    assert!(genl.status.success(), "genl ctrl list failed: {genl:?}");
    let theirs = families_of(&String::from_utf8_lossy(&genl.stdout));
    assert_eq!(ours, theirs);
}

/// `genl ctrl policy name NAME`'s lines; `None` when it prints none (a family without
/// policies: the kernel answers `ENODATA`, which `genl` reports on stderr).
fn genl_policy(name: &str) -> Option<String> {
    let out = Command::new("genl")
        .args(["ctrl", "policy", "name", name])
        .output()
        .expect("iproute2's genl must be installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

#[test]
fn policy_flag_matches_genl_ctrl_policy() {
    let conn = netlink::Conn::dial(netlink::Family::GENERIC, netlink::Config::default()).unwrap();
    let all = netlink::genl::list_families(&conn).unwrap();
    let mut compared = 0;
    for f in &all {
        let theirs = genl_policy(&f.name);
        let ours = families::policies(&f.name);
        match (theirs, ours) {
            (Some(theirs), Ok(ours)) => {
                // iproute2 6.1 predates NL_ATTR_TYPE_SINT and NL_ATTR_TYPE_UINT (kernel 6.7)
                // and prints "unknown" for them.
                let ours = ours
                    .replace("type=UINT", "type=unknown")
                    .replace("type=SINT", "type=unknown");
                assert_eq!(ours, theirs, "policies of {}", f.name);
                compared += 1;
            }
            (None, Err(e)) => assert_eq!(e.errno(), Some(libc::ENODATA), "{}: {e}", f.name),
            (theirs, ours) => panic!("{}: genl {theirs:?}, ours {ours:?}", f.name),
        }
    }
    assert!(compared >= 3, "only {compared} families with policies");
}
