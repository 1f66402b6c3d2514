//! Shows a network device's settings, or its features with `-k`, printing the same lines as
//! the `ethtool` program for the fields it covers: link modes, pause and FEC capabilities,
//! speed, duplex, autonegotiation, port, PHY address, transceiver, MDI-X, message level and
//! link state; with `-k`, every feature as `name: on|off` with ` [fixed]` where it cannot
//! change, grouped under the legacy names as `ethtool -k` groups them.
//!
//! ```text
//! cargo run --example ethtool -- [-n NETNS] [-k] DEV
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;

use netlink::genl::ethtool::{
    self, string_set, Bitset, Ethtool, EthtoolHeader, EthtoolRequest, Features, LinkInfo,
    LinkModes, Strset,
};
use netlink::genl::GenlHandle;
use netlink::netns::NetNs;
use netlink::{Config, Conn, Error, Family};

const USAGE: &str = "usage: ethtool [-n NETNS] [-k] DEV
  -n NETNS  the network namespace of the device (a name under /run/netns)
  -k        show the device's features instead of its settings
  -h        this help";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The namespace, if any.
    pub netns: Option<String>,
    /// `-k`: features.
    pub features: bool,
    /// The device.
    pub dev: String,
}

/// Parses the arguments after the program name; `Err` is the usage error to print.
pub fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut netns = None;
    let mut features = false;
    let mut dev = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "-n" | "--netns" => {
                netns = Some(it.next().ok_or("-n needs a namespace name")?.clone());
            }
            "-k" | "--show-features" | "--show-offload" => features = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if dev.is_none() => dev = Some(s.to_owned()),
            s => return Err(format!("unexpected argument {s}")),
        }
    }
    let dev = dev.ok_or("no device given")?;
    Ok(Some(Args {
        netns,
        features,
        dev,
    }))
}

/// `Ok(None)` for a request the device's driver does not support (`EOPNOTSUPP`): `ethtool`
/// leaves that part out.
fn supported<T>(r: Result<T, Error>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.errno() == Some(libc::EOPNOTSUPP) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Everything `ethtool DEV` prints that this example covers, as text.
pub fn settings(conn: &Conn, eth: &GenlHandle<Ethtool>, dev: &str) -> Result<String, Error> {
    let req = EthtoolRequest::dev(dev);
    let mut out = format!("Settings for {dev}:\n");
    if let Some(modes) = supported(eth.get(conn, ethtool::LINKMODES_GET, &req))? {
        link_modes(&mut out, &modes);
    }
    if let Some(info) = supported(eth.get(conn, ethtool::LINKINFO_GET, &req))? {
        link_info(&mut out, &info);
    }
    if let Some(debug) = supported(eth.get(conn, ethtool::DEBUG_GET, &req))? {
        if let Some(mask) = &debug.msgmask {
            message_level(&mut out, mask);
        }
    }
    if let Some(state) = supported(eth.get(conn, ethtool::LINKSTATE_GET, &req))? {
        if let Some(link) = state.link {
            let _ = writeln!(
                out,
                "\tLink detected: {}",
                if link != 0 { "yes" } else { "no" }
            );
        }
    }
    Ok(out)
}

// Bit numbers of `enum ethtool_link_mode_bit_indices` that are not speeds.
const AUTONEG_BIT: u32 = 6;
const PORT_BITS: [u32; 6] = [7, 8, 9, 10, 11, 16];
const PAUSE_BIT: u32 = 13;
const ASYM_PAUSE_BIT: u32 = 14;
const FEC_BITS: [u32; 4] = [49, 50, 51, 74];

fn is_speed_mode(i: u32) -> bool {
    i != AUTONEG_BIT
        && i != PAUSE_BIT
        && i != ASYM_PAUSE_BIT
        && !PORT_BITS.contains(&i)
        && !FEC_BITS.contains(&i)
}

fn link_modes(out: &mut String, m: &LinkModes) {
    if let Some(ours) = &m.ours {
        let bits = ours.named_bits();
        let supported: Vec<(u32, &str)> = bits.iter().map(|(i, n, _)| (*i, *n)).collect();
        let advertised: Vec<(u32, &str)> = bits
            .iter()
            .filter(|(_, _, on)| *on)
            .map(|(i, n, _)| (*i, *n))
            .collect();
        let ports: Vec<&str> = supported
            .iter()
            .filter(|(i, _)| PORT_BITS.contains(i))
            .map(|(_, n)| *n)
            .collect();
        let _ = writeln!(out, "\tSupported ports: [ {} ]", ports.join(" "));
        caps(out, "Supported", "Supports", &supported);
        caps(out, "Advertised", "Advertised", &advertised);
    }
    if let Some(peer) = &m.peer {
        let bits: Vec<(u32, &str)> = peer
            .named_bits()
            .iter()
            .filter(|(_, _, on)| *on)
            .map(|(i, n, _)| (*i, *n))
            .collect();
        if !bits.is_empty() {
            caps(
                out,
                "Link partner advertised",
                "Link partner advertised",
                &bits,
            );
        }
    }
    if let Some(speed) = m.speed {
        if speed == 0 || speed == u32::from(u16::MAX) || speed == u32::MAX {
            let _ = writeln!(out, "\tSpeed: Unknown!");
        } else {
            let _ = writeln!(out, "\tSpeed: {speed}Mb/s");
        }
    }
    if let Some(lanes) = m.lanes {
        let _ = writeln!(out, "\tLanes: {lanes}");
    }
    if let Some(d) = m.duplex {
        let _ = writeln!(out, "\tDuplex: {}", name_of(&[(0, "Half"), (1, "Full")], d));
    }
    if let Some(a) = m.autoneg {
        let _ = writeln!(
            out,
            "\tAuto-negotiation: {}",
            if a == 0 { "off" } else { "on" }
        );
    }
}

/// `label: name`, or `Unknown! (N)` for a value without a name, as `ethtool` prints enums.
fn name_of(names: &[(u8, &str)], v: u8) -> String {
    match names.iter().find(|(k, _)| *k == v) {
        Some((_, n)) => (*n).to_owned(),
        None => format!("Unknown! ({v})"),
    }
}

/// The link modes, pause, autonegotiation and FEC lines of one side (`Supported` from the
/// mask, `Advertised` from the values).
fn caps(out: &mut String, prefix: &str, an_prefix: &str, bits: &[(u32, &str)]) {
    let label = format!("{prefix} link modes:");
    let width = (label.len() + 2).max(24);
    let _ = write!(out, "\t{label:<width$}");
    let mut prev: Option<(u32, &str)> = None;
    for &(i, name) in bits.iter().filter(|(i, _)| is_speed_mode(*i)) {
        if let Some((pi, pname)) = prev {
            let pair = pi + 1 == i
                && name.ends_with("/Full")
                && pname.ends_with("/Half")
                && name.trim_end_matches("/Full") == pname.trim_end_matches("/Half");
            if pair {
                out.push(' ');
            } else {
                let _ = write!(out, "\n\t{:width$}", "");
            }
        }
        out.push_str(name);
        prev = Some((i, name));
    }
    if prev.is_none() {
        out.push_str("Not reported");
    }
    out.push('\n');
    let has = |b: u32| bits.iter().any(|(i, _)| *i == b);
    let pause = match (has(PAUSE_BIT), has(ASYM_PAUSE_BIT)) {
        (true, true) => "Symmetric Receive-only",
        (true, false) => "Symmetric",
        (false, true) => "Transmit-only",
        (false, false) => "No",
    };
    let _ = writeln!(out, "\t{prefix} pause frame use: {pause}");
    let an = if has(AUTONEG_BIT) { "Yes" } else { "No" };
    let _ = writeln!(out, "\t{an_prefix} auto-negotiation: {an}");
    let fec: Vec<&str> = bits
        .iter()
        .filter(|(i, _)| FEC_BITS.contains(i))
        .map(|(_, n)| *n)
        .collect();
    let fec = if fec.is_empty() {
        "Not reported".to_owned()
    } else {
        fec.join(" ")
    };
    let _ = writeln!(out, "\t{prefix} FEC modes: {fec}");
}

fn link_info(out: &mut String, i: &LinkInfo) {
    const PORTS: [(u8, &str); 8] = [
        (0x00, "Twisted Pair"),
        (0x01, "AUI"),
        (0x02, "MII"),
        (0x03, "FIBRE"),
        (0x04, "BNC"),
        (0x05, "Direct Attach Copper"),
        (0xef, "None"),
        (0xff, "Other"),
    ];
    if let Some(p) = i.port {
        let _ = writeln!(out, "\tPort: {}", name_of(&PORTS, p));
    }
    if let Some(a) = i.phyaddr {
        let _ = writeln!(out, "\tPHYAD: {a}");
    }
    if let Some(t) = i.transceiver {
        let _ = writeln!(
            out,
            "\tTransceiver: {}",
            name_of(&[(0, "internal"), (1, "external")], t)
        );
    }
    if let (Some(0), Some(mdix), Some(ctrl)) = (i.port, i.tp_mdix, i.tp_mdix_ctrl) {
        // ETH_TP_MDI = 1, ETH_TP_MDI_X = 2, ETH_TP_MDI_AUTO = 3.
        let text = match (ctrl, mdix) {
            (1, _) => "off (forced)".to_owned(),
            (2, _) => "on (forced)".to_owned(),
            (c, m) => {
                let state = match m {
                    1 => "off",
                    2 => "on",
                    _ => "Unknown",
                };
                format!("{state}{}", if c == 3 { " (auto)" } else { "" })
            }
        };
        let _ = writeln!(out, "\tMDI-X: {text}");
    }
}

fn message_level(out: &mut String, mask: &Bitset) {
    let bits = mask.value_bits();
    let level = bits
        .iter()
        .filter(|b| **b < 32)
        .fold(0u32, |acc, b| acc | 1 << b);
    let _ = writeln!(out, "\tCurrent message level: 0x{level:08x} ({level})");
    let names: Vec<&str> = mask
        .named_bits()
        .into_iter()
        .filter(|(_, _, on)| *on)
        .map(|(_, n, _)| n)
        .collect();
    let _ = writeln!(out, "\t\t\t       {}", names.join(" "));
}

/// The legacy feature groups of `ethtool -k`: the long name and the pattern (one `*` at
/// most) of the kernel features it covers.
const LEGACY: [(&str, &str); 11] = [
    ("rx-checksumming", "rx-checksum"),
    ("tx-checksumming", "tx-checksum-*"),
    ("scatter-gather", "tx-scatter-gather*"),
    ("tcp-segmentation-offload", "tx-tcp*-segmentation"),
    ("generic-segmentation-offload", "tx-generic-segmentation"),
    ("generic-receive-offload", "rx-gro"),
    ("large-receive-offload", "rx-lro"),
    ("rx-vlan-offload", "rx-vlan-hw-parse"),
    ("tx-vlan-offload", "tx-vlan-hw-insert"),
    ("ntuple-filters", "rx-ntuple-filter"),
    ("receive-hashing", "rx-hashing"),
];

fn pattern_match(name: &str, pattern: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, tail)) => {
            name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail)
        }
        None => name == pattern,
    }
}

/// Everything `ethtool -k DEV` prints, as text.
pub fn features(conn: &Conn, eth: &GenlHandle<Ethtool>, dev: &str) -> Result<String, Error> {
    let f: Features = eth.get(conn, ethtool::FEATURES_GET, &EthtoolRequest::compact(dev))?;
    let request = Strset::request(EthtoolHeader::dev(dev), &[string_set::FEATURES]);
    let names = eth
        .get(conn, ethtool::STRSET_GET, &request)?
        .set(string_set::FEATURES)
        .map(|s| s.to_vec())
        .unwrap_or_default();
    let set = |b: &Option<Bitset>, i: u32| b.as_ref().is_some_and(|b| b.test(i));
    let count = f.hw.as_ref().and_then(|b| b.size).unwrap_or(0);
    let name = |i: u32| names.get(i as usize).map_or("", String::as_str);
    let line = |out: &mut String, i: u32, label: &str, prefix: &str| {
        let active = set(&f.active, i);
        let suffix = if !set(&f.hw, i) || set(&f.nochange, i) {
            " [fixed]"
        } else if active != set(&f.wanted, i) {
            if set(&f.wanted, i) {
                " [requested on]"
            } else {
                " [requested off]"
            }
        } else {
            ""
        };
        let state = if active { "on" } else { "off" };
        let _ = writeln!(out, "{prefix}{label}: {state}{suffix}");
    };
    let group: Vec<Option<usize>> = (0..count)
        .map(|i| {
            let n = name(i);
            (!n.is_empty())
                .then(|| LEGACY.iter().position(|(_, p)| pattern_match(n, p)))
                .flatten()
        })
        .collect();
    let mut out = format!("Features for {dev}:\n");
    for (g, (long, _)) in LEGACY.iter().enumerate() {
        let members: Vec<u32> = (0..count)
            .filter(|i| group.get(*i as usize) == Some(&Some(g)))
            .collect();
        if members.len() == 1 {
            line(&mut out, members[0], long, "");
            continue;
        }
        let on = members.iter().any(|i| set(&f.active, *i));
        let _ = writeln!(out, "{long}: {}", if on { "on" } else { "off" });
        for i in members {
            line(&mut out, i, name(i), "\t");
        }
    }
    for i in 0..count {
        if group.get(i as usize) == Some(&None) && !name(i).is_empty() {
            line(&mut out, i, name(i), "");
        }
    }
    Ok(out)
}

/// Runs the example for `args`, returning what it prints.
pub fn run(args: &Args) -> Result<String, String> {
    let place = match &args.netns {
        Some(ns) => format!("device {:?} in namespace {ns:?}", args.dev),
        None => format!("device {:?}", args.dev),
    };
    let config = Config {
        netns: args.netns.as_deref().map(NetNs::named),
        ..Config::default()
    };
    let result = Conn::dial(Family::GENERIC, config).and_then(|conn| {
        let eth = GenlHandle::<Ethtool>::resolve(&conn)?;
        if args.features {
            features(&conn, &eth, &args.dev)
        } else {
            settings(&conn, &eth, &args.dev)
        }
    });
    result.map_err(|e| match e {
        // It names the namespace itself.
        Error::NetNs { .. } => format!("ethtool: {e}"),
        e => format!("ethtool: {place}: {e}"),
    })
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ethtool: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
