//! The `nlbench` dump workloads (`route-dump`, `route-dump-recvonly`, `link-dump`) against the
//! kernel: each test makes its own namespace with a known set of links and routes, runs the
//! workload there with `-n`, and compares items and checksums with values computed here from
//! `ip`'s own view of the namespace and from the set that was created. A second group decodes
//! hand-made messages whose attributes have the wrong size: those are errors, not zeros.

#[allow(dead_code)]
#[path = "../examples/nlbench.rs"]
mod nlbench;

mod conn_support;

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;

use conn_support::{privileged, TestNs};
use netlink::{DecodeError, Error, HeaderFlags, Message, MessageRef};
use nlbench::{link_dump, route_dump};

/// The standard output of `ip -n NS args...`, which must succeed.
fn ip_output(ns: &TestNs, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["-n", &ns.name])
        .args(args)
        .output()
        .expect("spawn ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("ip prints UTF-8")
}

/// One link as `ip -o link show` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IpLink {
    index: u32,
    name: String,
    mtu: u32,
    address: Vec<u8>,
}

/// Parses a link-layer address as `ip` prints it: `aa:bb:...` hex bytes, a dotted IPv4 address
/// (tunnels) or an IPv6 address.
fn parse_lladdr(s: &str) -> Vec<u8> {
    if let Ok(a) = s.parse::<Ipv4Addr>() {
        return a.octets().to_vec();
    }
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        return a.octets().to_vec();
    }
    s.split(':')
        .map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|_| panic!("address {s:?}")))
        .collect()
}

/// Every link of the namespace, from `ip -o link show`.
fn ip_links(ns: &TestNs) -> Vec<IpLink> {
    ip_output(ns, &["-o", "link", "show"])
        .lines()
        .map(|line| {
            // "3: tva0@tvb0: <...> mtu 1400 qdisc ... \    link/ether 02:.. brd ff:.."
            let (index, rest) = line.split_once(": ").expect("index");
            let (name, rest) = rest.split_once(": ").expect("name");
            let name = name.split('@').next().unwrap().to_owned();
            let words: Vec<&str> = rest.split_whitespace().collect();
            let after = |key: &str| {
                words
                    .iter()
                    .position(|w| *w == key || w.starts_with(key))
                    .map(|i| (words[i], words.get(i + 1).copied()))
            };
            let mtu = after("mtu").unwrap().1.unwrap().parse().unwrap();
            let address = match after("link/") {
                // link/none has no address
                Some((kind, Some(addr))) if kind != "link/none" => parse_lladdr(addr),
                _ => Vec::new(),
            };
            IpLink {
                index: index.trim().parse().unwrap(),
                name,
                mtu,
                address,
            }
        })
        .collect()
}

/// One IPv4 route as `ip -4 route show table all` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IpRoute {
    dst: u32,
    dst_len: u8,
    table: u32,
    metric: u32,
    dev: Option<String>,
    gateway: u32,
}

fn table_id(name: &str) -> u32 {
    match name {
        "local" => 255,
        "main" => 254,
        "default" => 253,
        n => n.parse().unwrap_or_else(|_| panic!("table {n:?}")),
    }
}

/// Every IPv4 route of every table, from `ip -4 route show table all`.
fn ip_routes(ns: &TestNs) -> Vec<IpRoute> {
    const TYPES: &[&str] = &[
        "unicast",
        "local",
        "broadcast",
        "multicast",
        "anycast",
        "unreachable",
        "blackhole",
        "prohibit",
        "throw",
        "nat",
    ];
    ip_output(ns, &["-4", "route", "show", "table", "all"])
        .lines()
        .map(|line| {
            let mut words: Vec<&str> = line.split_whitespace().collect();
            if TYPES.contains(&words[0]) {
                words.remove(0);
            }
            let (dst, dst_len) = match words[0] {
                "default" => (0, 0),
                d => {
                    let (addr, len) = d.split_once('/').unwrap_or((d, "32"));
                    (
                        u32::from(addr.parse::<Ipv4Addr>().unwrap()),
                        len.parse().unwrap(),
                    )
                }
            };
            let value = |key: &str| words.iter().position(|w| *w == key).map(|i| words[i + 1]);
            IpRoute {
                dst,
                dst_len,
                table: value("table").map_or(254, table_id),
                metric: value("metric").map_or(0, |m| m.parse().unwrap()),
                dev: value("dev").map(str::to_owned),
                gateway: value("via").map_or(0, |g| u32::from(g.parse::<Ipv4Addr>().unwrap())),
            }
        })
        .collect()
}

/// W1's sums computed from `ip`'s routes and link indexes.
fn expected_route_sums(routes: &[IpRoute], links: &[IpLink]) -> (u64, u64) {
    let index: HashMap<&str, u32> = links.iter().map(|l| (l.name.as_str(), l.index)).collect();
    let sum = routes.iter().fold(0u64, |acc, r| {
        let oif = r.dev.as_deref().map_or(0, |d| index[d]);
        acc.wrapping_add(
            u64::from(r.dst_len)
                + u64::from(r.table)
                + u64::from(r.metric)
                + u64::from(oif)
                + u64::from(r.dst)
                + u64::from(r.gateway),
        )
    });
    (routes.len() as u64, sum)
}

/// The namespace the calling thread is in (its inode), to check that it never changes.
fn own_netns() -> std::path::PathBuf {
    std::fs::read_link("/proc/thread-self/ns/net").unwrap()
}

/// Runs a workload through the program's own argument parsing and dispatch.
fn run_workload(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let opts = nlbench::parse_args(&args).unwrap();
    let run = nlbench::find_workload(&opts.workload).unwrap();
    run(&opts).unwrap()
}

/// The routes the route test adds, in table `table`, as (dst, dst_len, metric, gateway).
fn known_routes(count: u32) -> Vec<(Ipv4Addr, u8, u32, Ipv4Addr)> {
    (0..count)
        .map(|i| {
            (
                Ipv4Addr::new(172, 20, (i >> 8) as u8, i as u8),
                32,
                i % 7,
                Ipv4Addr::new(10, 77, 0, 2 + (i % 3) as u8),
            )
        })
        .collect()
}

#[test]
fn route_dump_matches_the_routes_of_the_namespace() {
    if !privileged("route_dump_matches_the_routes_of_the_namespace") {
        return;
    }
    let ns = TestNs::new("bench");
    ns.ip(&["link", "add", "tv0", "type", "veth", "peer", "name", "tv1"]);
    ns.ip(&["link", "set", "tv0", "up"]);
    ns.ip(&["link", "set", "tv1", "up"]);
    ns.ip(&["addr", "add", "10.77.0.1/24", "dev", "tv0"]);
    ns.ip(&["addr", "add", "10.88.0.1/16", "dev", "tv1"]);
    // A few routes in other tables and without a gateway, and a default route.
    ns.ip(&["route", "add", "default", "via", "10.77.0.9", "dev", "tv0"]);
    ns.ip(&[
        "route",
        "add",
        "10.99.0.0/16",
        "dev",
        "tv1",
        "table",
        "100",
        "metric",
        "5",
    ]);
    ns.ip(&[
        "route",
        "add",
        "192.168.50.0/24",
        "via",
        "10.88.1.1",
        "dev",
        "tv1",
        "table",
        "4000",
    ]);

    let before = route_dump::dump(Some(&ns.name), 0).unwrap();

    // Enough routes for the dump to span several datagrams even with a 32 KiB buffer.
    let tv0 = ip_links(&ns)
        .into_iter()
        .find(|l| l.name == "tv0")
        .unwrap()
        .index;
    let known = known_routes(3000);
    let batch: String = known
        .iter()
        .map(|(dst, len, metric, gw)| {
            format!("route add {dst}/{len} via {gw} dev tv0 metric {metric}\n")
        })
        .collect();
    ns.ip_batch(&batch);

    let thread_ns = own_netns();
    let after = route_dump::dump(Some(&ns.name), 0).unwrap();
    assert_eq!(
        own_netns(),
        thread_ns,
        "the calling thread changed namespace"
    );

    // 1. Against `ip`'s view of every table.
    let (items, checksum) = expected_route_sums(&ip_routes(&ns), &ip_links(&ns));
    assert!(items > 3000 + 8, "ip shows only {items} routes");
    assert_eq!((after.items, after.checksum), (items, checksum));

    // 2. The routes added change the sums by exactly their own terms (main table 254, oif tv0).
    let added = known.iter().fold(0u64, |acc, (dst, len, metric, gw)| {
        acc.wrapping_add(
            u64::from(*len)
                + 254
                + u64::from(*metric)
                + u64::from(tv0)
                + u64::from(u32::from(*dst))
                + u64::from(u32::from(*gw)),
        )
    });
    assert_eq!(after.items - before.items, known.len() as u64);
    assert_eq!(after.checksum.wrapping_sub(before.checksum), added);

    // 3. The program: same line through `-n`, with the default and a small receive buffer.
    let line = format!("route-dump items={items} checksum={checksum}");
    assert_eq!(run_workload(&["route-dump", "-n", &ns.name]), line);
    // The typed and the hand-written loops agree.
    assert_eq!(route_dump::dump_raw(Some(&ns.name), 0).unwrap(), after);
    assert_eq!(run_workload(&["route-dump-raw", "-n", &ns.name]), line);
    assert_eq!(
        run_workload(&["route-dump", "-n", &ns.name, "-b", "8192"]),
        line
    );

    // 4. The receive-only floor sees the same messages, in more datagrams with a smaller buffer.
    let big = route_dump::recv_only(Some(&ns.name), 32 * 1024).unwrap();
    let small = route_dump::recv_only(Some(&ns.name), 8192).unwrap();
    assert_eq!(big.items, items);
    assert_eq!(small.items, items);
    assert_eq!(big.bytes, small.bytes);
    assert!(big.datagrams > 2, "{big:?}");
    assert!(small.datagrams > big.datagrams, "{small:?} vs {big:?}");
    let line = run_workload(&["route-dump-recvonly", "-n", &ns.name]);
    assert!(
        line.starts_with(&format!("route-dump-recvonly items={items} bytes=")),
        "{line}"
    );
}

/// A veth pair the link test adds: (name, peer, mtu, peer mtu, address, peer address).
type VethPair = (String, String, u32, u32, [u8; 6], [u8; 6]);

/// The veth pairs the link test adds.
fn known_links(count: u8) -> Vec<VethPair> {
    (0..count)
        .map(|i| {
            (
                format!("tva{i}"),
                format!("tvpeer{i}"),
                1280 + u32::from(i),
                9000 - u32::from(i),
                [0x02, 0, 0, 0, 0xa0, i],
                [0x02, 0, 0, 0, 0xb0, i],
            )
        })
        .collect()
}

fn mac(a: &[u8; 6]) -> String {
    a.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn link_dump_matches_the_links_of_the_namespace() {
    if !privileged("link_dump_matches_the_links_of_the_namespace") {
        return;
    }
    let ns = TestNs::new("bench");
    let before = link_dump::dump(Some(&ns.name), 0).unwrap();

    let known = known_links(40);
    let batch: String = known
        .iter()
        .map(|(a, b, mtu_a, mtu_b, mac_a, mac_b)| {
            format!(
                "link add {a} mtu {mtu_a} address {} type veth peer name {b} mtu {mtu_b} address {}\n",
                mac(mac_a),
                mac(mac_b)
            )
        })
        .collect();
    ns.ip_batch(&batch);

    let thread_ns = own_netns();
    let after = link_dump::dump(Some(&ns.name), 0).unwrap();
    assert_eq!(
        own_netns(),
        thread_ns,
        "the calling thread changed namespace"
    );

    // 1. Against `ip`'s view: every link, veths being exactly the ones added.
    let links = ip_links(&ns);
    let by_name: HashMap<&str, &IpLink> = links.iter().map(|l| (l.name.as_str(), l)).collect();
    for (a, b, mtu_a, mtu_b, mac_a, mac_b) in &known {
        assert_eq!(
            (by_name[a.as_str()].mtu, &by_name[a.as_str()].address[..]),
            (*mtu_a, &mac_a[..])
        );
        assert_eq!(
            (by_name[b.as_str()].mtu, &by_name[b.as_str()].address[..]),
            (*mtu_b, &mac_b[..])
        );
    }
    let veths = 2 * known.len() as u64;
    let checksum = links
        .iter()
        .map(|l| u64::from(l.mtu) + u64::from(l.index))
        .sum::<u64>();
    let aux = links
        .iter()
        .map(|l| l.name.len() as u64 + l.address.iter().map(|&b| u64::from(b)).sum::<u64>())
        .sum::<u64>()
        + 1000 * veths;
    assert_eq!(
        (after.items, after.checksum, after.aux),
        (links.len() as u64, checksum, aux)
    );
    // Nothing is up but lo, which carries no traffic here: no packet was received.
    assert_eq!(after.rx_packets, 0);

    // 2. The pairs added change the sums by exactly their own terms.
    let added_aux: u64 = known
        .iter()
        .map(|(a, b, _, _, mac_a, mac_b)| {
            (a.len() + b.len()) as u64
                + mac_a
                    .iter()
                    .chain(mac_b)
                    .map(|&x| u64::from(x))
                    .sum::<u64>()
                + 2000
        })
        .sum();
    assert_eq!(after.items - before.items, veths);
    assert_eq!(after.aux - before.aux, added_aux);

    // 3. The program's line through `-n`, with the default and a small receive buffer.
    let line = format!(
        "link-dump items={} checksum={checksum} aux={aux} rx_packets=0",
        links.len()
    );
    assert_eq!(run_workload(&["link-dump", "-n", &ns.name]), line);
    // The typed and the hand-written loops agree.
    assert_eq!(link_dump::dump_raw(Some(&ns.name), 0).unwrap(), after);
    assert_eq!(run_workload(&["link-dump-raw", "-n", &ns.name]), line);
    assert_eq!(
        run_workload(&["link-dump", "-n", &ns.name, "-b", "8192"]),
        line
    );
}

#[test]
fn a_missing_namespace_is_an_error() {
    let err = route_dump::measure(Some("nlt-bench-no-such-namespace"), 0).unwrap_err();
    assert!(!err.is_empty());
    let err = link_dump::measure(Some("nlt-bench-no-such-namespace"), 0).unwrap_err();
    assert!(!err.is_empty());
}

// ---- Malformed messages (no kernel) ----

/// An attribute: header, payload, padding.
fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = ((4 + payload.len()) as u16).to_ne_bytes().to_vec();
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(payload);
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

/// A dump message of `kind` with a family header and attributes, as received bytes.
fn message(kind: netlink::HeaderType, family_header: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut data = family_header.to_vec();
    for a in attrs {
        data.extend_from_slice(a);
    }
    Message::new(kind, HeaderFlags::MULTI, data)
        .to_bytes()
        .unwrap()
}

/// The hand-written loop's sums of one message, checked against the typed loop's: the same
/// sums, or both an error.
fn route_sums(bytes: &[u8]) -> Result<route_dump::RouteSums, Error> {
    let (m, _) = MessageRef::parse(bytes).unwrap();
    let mut s = route_dump::RouteSums::default();
    let raw = s.add(&m).map(|()| s);
    let mut t = route_dump::RouteSums::default();
    let typed = t.add_typed(&m).map(|()| t);
    match (&raw, &typed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        _ => panic!("raw {raw:?}, typed {typed:?}"),
    }
    raw
}

/// As [`route_sums`] for links; the typed loop may accept what the raw one's libmnl-style size
/// checks refuse (`typed_lenient`).
fn link_sums_both(bytes: &[u8], typed_lenient: bool) -> Result<link_dump::LinkSums, Error> {
    let (m, _) = MessageRef::parse(bytes).unwrap();
    let mut s = link_dump::LinkSums::default();
    let raw = s.add(&m).map(|()| s);
    let mut t = link_dump::LinkSums::default();
    let typed = t.add_typed(&m).map(|()| t);
    match (&raw, &typed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        (Err(_), Ok(_)) if typed_lenient => {}
        _ => panic!("raw {raw:?}, typed {typed:?}"),
    }
    raw
}

fn link_sums(bytes: &[u8]) -> Result<link_dump::LinkSums, Error> {
    link_sums_both(bytes, false)
}

fn rtmsg(dst_len: u8) -> [u8; 12] {
    let mut r = [0u8; 12];
    r[0] = 2;
    r[1] = dst_len;
    r
}

#[test]
fn route_message_sums_and_size_errors() {
    let good = message(
        route_dump::RTM_NEWROUTE,
        &rtmsg(24),
        &[
            attr(15, &254u32.to_ne_bytes()),       // RTA_TABLE
            attr(1, &[192, 0, 2, 0]),              // RTA_DST
            attr(5, &[0, 0, 1, 2]),                // RTA_GATEWAY
            attr(4, &7u32.to_ne_bytes()),          // RTA_OIF
            attr(6, &100u32.to_ne_bytes()),        // RTA_PRIORITY
            attr(7, &[1, 2, 3, 4]),                // RTA_PREFSRC: not counted
            attr(0x7fff, &[9, 9]),                 // unknown type: skipped
            attr(6 | 0x8000, &1u32.to_ne_bytes()), // flags masked, last one wins
        ],
    );
    let s = route_sums(&good).unwrap();
    let dst = u64::from(u32::from(Ipv4Addr::new(192, 0, 2, 0)));
    assert_eq!(s.items, 1);
    assert_eq!(s.checksum, 24 + 254 + dst + 258 + 7 + 1);

    // Other message types are not routes.
    let other = message(link_dump::RTM_NEWLINK, &rtmsg(24), &[]);
    assert_eq!(route_sums(&other).unwrap(), Default::default());

    for (kind, payload) in [(4u16, vec![7u8, 0]), (1, vec![192, 0, 2]), (15, vec![0; 8])] {
        let bad = message(
            route_dump::RTM_NEWROUTE,
            &rtmsg(24),
            &[attr(kind, &payload)],
        );
        match route_sums(&bad) {
            Err(Error::Decode(DecodeError::PayloadSize {
                offset,
                attr_type,
                expected: 4,
                actual,
            })) => {
                assert_eq!((offset, attr_type, actual), (28, kind, payload.len()));
            }
            other => panic!("type {kind} with {} bytes: {other:?}", payload.len()),
        }
    }
    // A truncated family header or attribute is an error too.
    let short = message(route_dump::RTM_NEWROUTE, &[2, 24, 0, 0], &[]);
    assert!(route_sums(&short).is_err());
    let mut cut = message(route_dump::RTM_NEWROUTE, &rtmsg(8), &[attr(4, &[0; 4])]);
    cut[28] = 40; // attribute length past the end
    assert!(route_sums(&cut).is_err());
}

fn ifinfomsg(index: i32) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[4..8].copy_from_slice(&index.to_ne_bytes());
    h
}

#[test]
fn link_message_sums_and_size_errors() {
    let mut stats = vec![0u8; link_dump::STATS64_LEN];
    stats[..8].copy_from_slice(&12345u64.to_ne_bytes());
    stats[8..16].copy_from_slice(&999u64.to_ne_bytes()); // tx_packets: not counted
    let linkinfo = [attr(1, b"veth\0"), attr(2, &[0; 8])].concat();
    let good = message(
        link_dump::RTM_NEWLINK,
        &ifinfomsg(9),
        &[
            attr(3, b"tva0\0"),              // IFLA_IFNAME
            attr(4, &1400u32.to_ne_bytes()), // IFLA_MTU
            attr(1, &[2, 0, 0, 0, 0xa0, 1]), // IFLA_ADDRESS
            attr(18 | 0x8000, &linkinfo),    // IFLA_LINKINFO
            attr(23, &stats),                // IFLA_STATS64
        ],
    );
    let s = link_sums(&good).unwrap();
    assert_eq!(
        s,
        link_dump::LinkSums {
            items: 1,
            checksum: 1400 + 9,
            aux: 4 + (2 + 0xa0 + 1) + 1000,
            rx_packets: 12345,
        }
    );

    // A kind without its NUL is still veth; another kind is not.
    let bare = message(
        link_dump::RTM_NEWLINK,
        &ifinfomsg(1),
        &[attr(18, &attr(1, b"veth"))],
    );
    assert_eq!(link_sums(&bare).unwrap().aux, 1000);
    let bridge = message(
        link_dump::RTM_NEWLINK,
        &ifinfomsg(1),
        &[attr(18, &attr(1, b"vethx\0"))],
    );
    assert_eq!(link_sums(&bridge).unwrap().aux, 0);

    // Errors name the offset of the attribute at fault: 32 for the first one after the 16-byte
    // netlink header and the 16-byte ifinfomsg, 36 for the first one inside it.
    let cases: Vec<(&str, Vec<u8>, usize)> = vec![
        ("mtu of 2 bytes", attr(4, &[0, 5]), 32),
        ("name without NUL", attr(3, b"tva0"), 32),
        ("stats64 too short", attr(23, &stats[..192]), 32),
        ("linkinfo of 2 bytes", attr(18, &[0, 0]), 32),
        ("empty kind", attr(18, &attr(1, b"")), 36),
    ];
    for (what, a, offset) in cases {
        let bad = message(link_dump::RTM_NEWLINK, &ifinfomsg(1), &[a]);
        // The typed decoder reads a name without NUL, a short IFLA_STATS64, a 2-byte
        // IFLA_LINKINFO and an empty kind as values; the raw loop refuses them.
        let lenient = what != "mtu of 2 bytes";
        match link_sums_both(&bad, lenient) {
            Err(Error::Decode(e)) => assert_eq!(e.offset(), Some(offset), "{what}: {e:?}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}
