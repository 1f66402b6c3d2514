//! The `genl_family` example (a user's own declaration of `netdev`) in a fresh namespace with
//! a veth pair: one line per device, with the indices `ip link` shows.

mod conn_support;

use conn_support::{privileged, TestNs};

#[allow(dead_code)]
#[path = "../examples/genl_family.rs"]
mod example;

#[test]
fn lists_every_device_of_the_namespace() {
    if !privileged("lists_every_device_of_the_namespace") {
        return;
    }
    let ns = TestNs::new("genlfam");
    ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    let text = ns.netns().run(example::list).unwrap().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "ifindex 1: xdp-features 0x0", "{text}");
    // veth supports XDP: basic actions and redirect at least.
    let veth = lines[1].rsplit("0x").next().unwrap();
    let bits = u64::from_str_radix(veth, 16).unwrap();
    assert_eq!(bits & 0x3, 0x3, "{text}");
}
