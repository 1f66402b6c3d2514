//! Shared helpers of the kernel tests of `Conn`: privilege checks, throw-away network
//! namespaces, and a few rtnetlink/generic netlink message builders.

#![allow(dead_code)]

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use netlink::netns::NetNs;
use netlink::{AttributeEncoder, Config, Conn, Family, Header, HeaderFlags, HeaderType, Message};

/// Whether the kernel tests can run: they need root. Without it they fail loudly under CI
/// (`CI` set) and are skipped with a note otherwise.
pub fn privileged(test: &str) -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u32>().ok());
    if euid == Some(0) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: kernel tests need root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and CI is set");
    }
    eprintln!("{test}: skipped, not running as root");
    false
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A network namespace made with `ip netns add`, unique to this process and test, deleted on
/// drop.
pub struct TestNs {
    pub name: String,
}

impl TestNs {
    pub fn new(tag: &str) -> TestNs {
        let ns = TestNs::bare(tag);
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// A namespace with a veth pair `va`-`vb`, both up.
    pub fn with_veth(tag: &str) -> TestNs {
        let ns = TestNs::new(tag);
        ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
        ns.ip(&["link", "set", "va", "up"]);
        ns.ip(&["link", "set", "vb", "up"]);
        ns
    }

    /// A namespace as `ip netns add` leaves it: loopback down, no route, no main table yet.
    pub fn bare(tag: &str) -> TestNs {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("nlt-{tag}-{}-{n}", std::process::id());
        run("ip", &["netns", "add", &name]);
        TestNs { name }
    }

    /// Runs `ip -n NAME args...` and asserts that it succeeded.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        run("ip", &all);
    }

    /// Runs `ip -n NAME -batch -` with the given commands on its standard input.
    pub fn ip_batch(&self, commands: &str) {
        use std::io::Write;
        let mut child = Command::new("ip")
            .args(["-n", &self.name, "-batch", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("spawn ip");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(commands.as_bytes())
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "ip -batch failed: {status}");
    }

    pub fn netns(&self) -> NetNs {
        NetNs::named(&self.name)
    }

    pub fn config(&self) -> Config {
        Config {
            netns: Some(self.netns()),
            ..Config::default()
        }
    }

    pub fn dial(&self, family: Family) -> Conn {
        Conn::dial(family, self.config()).expect("dial into the test namespace")
    }
}

impl Drop for TestNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

pub fn run(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// rtnetlink (linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h)
pub const RTM_NEWLINK: HeaderType = HeaderType(16);
pub const RTM_GETLINK: HeaderType = HeaderType(18);
pub const RTM_NEWADDR: HeaderType = HeaderType(20);
pub const RTM_GETADDR: HeaderType = HeaderType(22);
pub const RTM_NEWROUTE: HeaderType = HeaderType(24);
pub const RTM_GETROUTE: HeaderType = HeaderType(26);
pub const IFLA_IFNAME: u16 = 3;
pub const IFA_LOCAL: u16 = 2;
pub const RTA_DST: u16 = 1;
pub const RTA_OIF: u16 = 4;
pub const RTA_TABLE: u16 = 15;
pub const RTMGRP_LINK: u32 = 1;
pub const RTMGRP_IPV4_IFADDR: u32 = 0x10;
pub const RTNLGRP_LINK: u32 = 1;
pub const IFINFOMSG_LEN: usize = 16;
pub const IFADDRMSG_LEN: usize = 8;
pub const RTMSG_LEN: usize = 12;

/// A link dump request.
pub fn link_dump() -> Message {
    Message::new(
        RTM_GETLINK,
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        vec![0; IFINFOMSG_LEN],
    )
}

/// The interface name of an `RTM_NEWLINK` message.
pub fn link_name(m: &Message) -> Option<String> {
    m.as_message_ref()
        .attrs(IFINFOMSG_LEN)
        .ok()?
        .filter_map(Result::ok)
        .find(|a| a.attr_type() == IFLA_IFNAME)
        .and_then(|a| a.string().ok().map(str::to_owned))
}

/// The interface index of an `RTM_NEWLINK` message.
pub fn link_index(m: &Message) -> i32 {
    i32::from_ne_bytes(m.data[4..8].try_into().unwrap())
}

/// The names of the links a connection sees.
pub fn link_names(conn: &Conn) -> Vec<String> {
    conn.execute(&link_dump())
        .unwrap()
        .iter()
        .filter_map(link_name)
        .collect()
}

// generic netlink (linux/genetlink.h)
pub const GENL_ID_CTRL: HeaderType = HeaderType(0x10);
pub const CTRL_CMD_GETFAMILY: u8 = 3;
pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
pub const GENL_HDRLEN: usize = 4;

/// `CTRL_CMD_GETFAMILY` for `name`.
pub fn get_family(name: &str, flags: HeaderFlags) -> Message {
    let mut data = vec![CTRL_CMD_GETFAMILY, 1, 0, 0];
    let mut ae = AttributeEncoder::new(&mut data);
    ae.string(CTRL_ATTR_FAMILY_NAME, name);
    ae.finish().unwrap();
    Message::new(GENL_ID_CTRL, HeaderFlags::REQUEST | flags, data)
}

/// The family id in a `CTRL_CMD_NEWFAMILY` reply.
pub fn family_id(m: &Message) -> Option<u16> {
    m.as_message_ref()
        .attrs(GENL_HDRLEN)
        .ok()?
        .filter_map(Result::ok)
        .find(|a| a.attr_type() == CTRL_ATTR_FAMILY_ID)
        .and_then(|a| a.u16().ok())
}

/// Resolves a generic netlink family id by name.
pub fn resolve_family(conn: &Conn, name: &str) -> u16 {
    let replies = conn.execute(&get_family(name, HeaderFlags::EMPTY)).unwrap();
    family_id(&replies[0]).expect("CTRL_ATTR_FAMILY_ID")
}

/// The header an acknowledgement echoes.
pub fn echoed_header(ack: &Message) -> Header {
    netlink::ack::parse_error(&ack.as_message_ref())
        .unwrap()
        .request
        .expect("echoed header")
}

/// Descriptors open in this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Whether descriptor `fd` of this process has close-on-exec set (`/proc/self/fdinfo`).
pub fn is_cloexec(fd: i32) -> bool {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
        .unwrap();
    flags & 0o2000000 != 0
}
