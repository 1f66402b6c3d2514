//! An `ip`-like tool over the typed route API ([`RouteHandle`], [`Monitor`]): links,
//! addresses, routes, neighbours and rules, shown as text, as JSON with iproute2's key names
//! (`-j`), or briefly (`-br`), and changed with `add`, `del` and `set`.
//!
//! ```text
//! cargo run --example ip -- -n NETNS link add v0 type veth peer name v1
//! cargo run --example ip -- -n NETNS addr add 10.0.0.1/24 dev v0
//! cargo run --example ip -- -n NETNS -j route show table all
//! cargo run --example ip -- -br addr
//! cargo run --example ip -- monitor link address
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use netlink::netns::NetNs;
use netlink::route::{
    AddressMessage, IfFlags, IpNet, LinkFilter, LinkMessage, Monitor, MonitorEvent,
    NeighbourMessage, NeighbourState, NetnsTarget, NewLink, NextHopSpec, OperState, Route,
    RouteEvent, RouteFilter, RouteHandle, RouteMessage, RouteProtocol, RouteScope, RouteType, Rule,
    RuleMessage, SetLink, Watch,
};
use netlink::Config;
use serde_json::{json, Map, Value};

#[derive(Parser, Debug)]
#[command(
    name = "ip",
    about = "Show and change links, addresses, routes, neighbours and rules (an iproute2-like tool over netlink::route)",
    after_help = "OBJECT arguments follow iproute2: `link add NAME type veth peer name PEER`, \
`addr add 10.0.0.1/24 dev DEV`, `route add 10.1.0.0/16 via GW dev DEV table 1000 metric 5`, \
`route add PREFIX nexthop via GW dev DEV weight N nexthop ...`, `neigh add ADDR lladdr MAC dev DEV`, \
`rule add from PREFIX priority N table ID`.\n`-br` is accepted as iproute2 spells it."
)]
struct Cli {
    /// Run in network namespace NETNS (a name under /run/netns).
    #[arg(short = 'n', long = "netns", value_name = "NETNS")]
    netns: Option<String>,
    /// JSON output, with iproute2's key names.
    #[arg(short = 'j', long = "json")]
    json: bool,
    /// Brief output, one line per object (`-br`).
    #[arg(long = "brief")]
    brief: bool,
    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    ipv4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    ipv6: bool,
    #[command(subcommand)]
    object: Object,
}

#[derive(Subcommand, Debug)]
enum Object {
    /// Network devices: show, add, set, del.
    #[command(alias = "l")]
    Link(Args),
    /// Addresses: show, add, del.
    #[command(alias = "a", alias = "address")]
    Addr(Args),
    /// Routes: show [table ID|all], add, replace, del.
    #[command(alias = "r")]
    Route(Args),
    /// Neighbours (ARP, NDP): show, add, del.
    #[command(alias = "n", alias = "neighbour", alias = "neighbor")]
    Neigh(Args),
    /// Routing rules: show, add, del.
    #[command(alias = "ru")]
    Rule(Args),
    /// Print changes as they happen: [link] [address] [route] [neigh] [rule] (default: all).
    Monitor(Args),
}

#[derive(clap::Args, Debug)]
struct Args {
    /// The command and its arguments, as iproute2 takes them.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// A usage error (exit 2) or a failure (exit 1), printed as one line.
enum Failure {
    Usage(String),
    Run(String),
}

type Res<T> = Result<T, Failure>;

fn usage<T>(msg: impl Into<String>) -> Res<T> {
    Err(Failure::Usage(msg.into()))
}

fn main() -> ExitCode {
    // iproute2 spells the brief flag `-br`; clap would read it as `-b -r`.
    let argv = std::env::args().map(|a| if a == "-br" { "--brief".to_owned() } else { a });
    let cli = Cli::parse_from(argv);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            let mut cmd = Cli::command();
            cmd.error(clap::error::ErrorKind::InvalidValue, msg).exit()
        }
        Err(Failure::Run(msg)) => {
            match &cli.netns {
                Some(ns) => eprintln!("ip: netns {ns}: {msg}"),
                None => eprintln!("ip: {msg}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Runs a call, turning its error into one line naming `what` (a device, a prefix, ...).
fn ctx<T>(what: &str, r: Result<T, netlink::Error>) -> Res<T> {
    r.map_err(|e| {
        Failure::Run(if what.is_empty() {
            e.to_string()
        } else {
            format!("{what}: {e}")
        })
    })
}

struct Ctx<'a> {
    cli: &'a Cli,
    rt: RouteHandle,
    names: HashMap<u32, String>,
}

impl Ctx<'_> {
    fn family(&self) -> u8 {
        if self.cli.ipv4 {
            libc::AF_INET as u8
        } else if self.cli.ipv6 {
            libc::AF_INET6 as u8
        } else {
            0
        }
    }

    fn name(&self, index: u32) -> String {
        self.names
            .get(&index)
            .cloned()
            .unwrap_or_else(|| format!("if{index}"))
    }

    fn index(&self, dev: &str) -> Res<u32> {
        ctx(&format!("dev {dev}"), self.rt.index_of(dev))
    }

    fn load_names(&mut self) -> Res<()> {
        let links = ctx("link dump", self.rt.links())?;
        self.names = links
            .into_iter()
            .filter_map(|l| Some((l.index(), l.name?)))
            .collect();
        Ok(())
    }
}

fn run(cli: &Cli) -> Res<()> {
    let config = Config {
        netns: cli.netns.as_deref().map(NetNs::named),
        ..Config::default()
    };
    if let Object::Monitor(a) = &cli.object {
        return monitor(cli, config, &a.args);
    }
    let rt = ctx("", RouteHandle::with_config(config))?;
    let mut c = Ctx {
        cli,
        rt,
        names: HashMap::new(),
    };
    let (args, obj): (&[String], &str) = match &cli.object {
        Object::Link(a) => (&a.args, "link"),
        Object::Addr(a) => (&a.args, "addr"),
        Object::Route(a) => (&a.args, "route"),
        Object::Neigh(a) => (&a.args, "neigh"),
        Object::Rule(a) => (&a.args, "rule"),
        Object::Monitor(_) => unreachable!("handled above"),
    };
    let (cmd, rest) = match args.split_first() {
        None => ("show", &[][..]),
        Some((c, r)) => (c.as_str(), r),
    };
    let cmd = match cmd {
        "show" | "list" | "ls" | "lst" | "sh" | "s" => "show",
        "add" | "a" => "add",
        "del" | "delete" | "d" => "del",
        "set" => "set",
        "replace" | "change" if obj == "route" => "replace",
        other => {
            // `ip addr dev X`, `ip route table all`: the arguments of show.
            if ["dev", "table"].contains(&other) {
                "show-args"
            } else {
                return usage(format!("unknown {obj} command `{other}`"));
            }
        }
    };
    let rest = if cmd == "show-args" { args } else { rest };
    let cmd = if cmd == "show-args" { "show" } else { cmd };
    match (obj, cmd) {
        ("link", "show") => link_show(&mut c, rest),
        ("link", "add") => link_add(&c, rest),
        ("link", "set") => link_set(&c, rest),
        ("link", "del") => {
            let dev = match rest {
                [d] => d.as_str(),
                [k, d] if k == "dev" => d.as_str(),
                _ => return usage("link del takes one device"),
            };
            ctx(&format!("dev {dev}"), c.rt.delete_link(dev))
        }
        ("addr", "show") => addr_show(&mut c, rest),
        ("addr", "add" | "del") => addr_change(&c, cmd, rest),
        ("route", "show") => route_show(&mut c, rest),
        ("route", "add" | "del" | "replace") => route_change(&c, cmd, rest),
        ("neigh", "show") => neigh_show(&mut c, rest),
        ("neigh", "add" | "del") => neigh_change(&c, cmd, rest),
        ("rule", "show") => rule_show(&c, rest),
        ("rule", "add" | "del") => rule_change(&c, cmd, rest),
        (o, c) => usage(format!("`{c}` does not apply to {o}")),
    }
}

/// Keyword arguments: `dev X`, `via Y`, ... Every keyword is known and takes one value, or
/// it is a usage error.
fn keywords<'a>(
    args: &'a [String],
    known: &[&str],
    bare: &[&str],
) -> Res<(HashMap<&'a str, &'a str>, Vec<&'a str>)> {
    let mut kv = HashMap::new();
    let mut positional = Vec::new();
    let mut it = args.iter().map(String::as_str);
    while let Some(a) = it.next() {
        if known.contains(&a) {
            let Some(v) = it.next() else {
                return usage(format!("`{a}` needs a value"));
            };
            if kv.insert(a, v).is_some() {
                return usage(format!("`{a}` given twice"));
            }
        } else if bare.contains(&a)
            || (positional.is_empty() && !a.is_empty() && !known.is_empty() && bare.is_empty())
        {
            // A bare word, or the one leading positional argument (`show DEV`, `add ADDR`).
            positional.push(a);
        } else {
            return usage(format!("unexpected argument `{a}`"));
        }
    }
    Ok((kv, positional))
}

fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Res<T>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e| Failure::Usage(format!("{what} `{s}`: {e}")))
}

fn parse_net(s: &str) -> Res<IpNet> {
    if s == "default" {
        return Ok(IpNet::new_unchecked(IpAddr::from([0u8, 0, 0, 0]), 0));
    }
    parse("prefix", s)
}

fn parse_mac(s: &str) -> Res<Vec<u8>> {
    let bytes: Result<Vec<u8>, _> = s.split(':').map(|b| u8::from_str_radix(b, 16)).collect();
    match bytes {
        Ok(b) if !b.is_empty() && s.split(':').all(|p| p.len() <= 2) => Ok(b),
        _ => usage(format!("`{s}` is not a link-layer address")),
    }
}

fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn print_json(v: Value) {
    println!("{v}");
}

// ---------- links ----------

/// `IFF_*` names in the order iproute2 prints them.
const IFF_ORDER: [(IfFlags, &str); 18] = [
    (IfFlags::LOOPBACK, "LOOPBACK"),
    (IfFlags::BROADCAST, "BROADCAST"),
    (IfFlags::POINTOPOINT, "POINTOPOINT"),
    (IfFlags::MULTICAST, "MULTICAST"),
    (IfFlags::NOARP, "NOARP"),
    (IfFlags::ALLMULTI, "ALLMULTI"),
    (IfFlags::PROMISC, "PROMISC"),
    (IfFlags::NOTRAILERS, "NOTRAILERS"),
    (IfFlags::DEBUG, "DEBUG"),
    (IfFlags::DYNAMIC, "DYNAMIC"),
    (IfFlags::AUTOMEDIA, "AUTOMEDIA"),
    (IfFlags::PORTSEL, "PORTSEL"),
    (IfFlags::SLAVE, "SLAVE"),
    (IfFlags::MASTER, "MASTER"),
    (IfFlags::UP, "UP"),
    (IfFlags::LOWER_UP, "LOWER_UP"),
    (IfFlags::DORMANT, "DORMANT"),
    (IfFlags::ECHO, "ECHO"),
];

fn link_flags(f: IfFlags) -> Vec<&'static str> {
    let mut v = Vec::new();
    if f.contains(IfFlags::UP) && !f.contains(IfFlags::RUNNING) {
        v.push("NO-CARRIER");
    }
    v.extend(
        IFF_ORDER
            .iter()
            .filter(|(b, _)| f.contains(*b))
            .map(|(_, n)| *n),
    );
    v
}

fn operstate(s: Option<OperState>) -> &'static str {
    match s {
        Some(OperState::NotPresent) => "NOTPRESENT",
        Some(OperState::Down) => "DOWN",
        Some(OperState::LowerLayerDown) => "LOWERLAYERDOWN",
        Some(OperState::Testing) => "TESTING",
        Some(OperState::Dormant) => "DORMANT",
        Some(OperState::Up) => "UP",
        _ => "UNKNOWN",
    }
}

fn link_type(t: u16) -> String {
    match t {
        1 => "ether".into(),
        772 => "loopback".into(),
        768 => "ipip".into(),
        776 => "sit".into(),
        778 => "gre".into(),
        65534 => "none".into(),
        t => format!("[{t}]"),
    }
}

/// The name as `ip` shows it: `va@vb` for a link with a lower device.
fn display_name(c: &Ctx<'_>, l: &LinkMessage) -> String {
    let name = l.name.clone().unwrap_or_default();
    match l.link {
        Some(i) if i != 0 && l.link_netnsid.is_none() => format!("{name}@{}", c.name(i)),
        Some(_) if l.link_netnsid.is_some() => format!("{name}@if{}", l.link.unwrap_or(0)),
        _ => name,
    }
}

fn link_json(c: &Ctx<'_>, l: &LinkMessage) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ifindex".into(), json!(l.index()));
    if let Some(i) = l.link {
        if l.link_netnsid.is_some() {
            m.insert("link_index".into(), json!(i));
        } else if i != 0 {
            m.insert("link".into(), json!(c.name(i)));
        }
    }
    m.insert("ifname".into(), json!(l.name.clone().unwrap_or_default()));
    m.insert("flags".into(), json!(link_flags(l.header.flags)));
    if let Some(mtu) = l.mtu {
        m.insert("mtu".into(), json!(mtu));
    }
    if let Some(q) = &l.qdisc {
        m.insert("qdisc".into(), json!(q));
    }
    if let Some(master) = l.master {
        m.insert("master".into(), json!(c.name(master)));
    }
    m.insert("operstate".into(), json!(operstate(l.operstate)));
    if let Some(mode) = l.linkmode {
        m.insert(
            "linkmode".into(),
            json!(match mode {
                0 => "DEFAULT".to_owned(),
                1 => "DORMANT".to_owned(),
                n => n.to_string(),
            }),
        );
    }
    if let Some(g) = l.group {
        m.insert(
            "group".into(),
            json!(if g == 0 {
                "default".to_owned()
            } else {
                g.to_string()
            }),
        );
    }
    if let Some(t) = l.txqlen {
        m.insert("txqlen".into(), json!(t));
    }
    m.insert("link_type".into(), json!(link_type(l.header.link_type)));
    if let Some(a) = &l.address {
        m.insert("address".into(), json!(mac(a)));
    }
    if let Some(b) = &l.broadcast {
        m.insert("broadcast".into(), json!(mac(b)));
    }
    if let Some(n) = l.link_netnsid {
        m.insert("link_netnsid".into(), json!(n));
    }
    m
}

fn link_text(c: &Ctx<'_>, l: &LinkMessage) -> String {
    let mut s = format!(
        "{}: {}: <{}> mtu {}",
        l.index(),
        display_name(c, l),
        link_flags(l.header.flags).join(","),
        l.mtu.unwrap_or(0)
    );
    if let Some(q) = &l.qdisc {
        let _ = write!(s, " qdisc {q}");
    }
    if let Some(m) = l.master {
        let _ = write!(s, " master {}", c.name(m));
    }
    let _ = write!(s, " state {}", operstate(l.operstate));
    if let Some(t) = l.txqlen {
        let _ = write!(s, " qlen {t}");
    }
    let _ = write!(s, "\n    link/{}", link_type(l.header.link_type));
    if let Some(a) = &l.address {
        let _ = write!(s, " {}", mac(a));
    }
    if let Some(b) = &l.broadcast {
        let _ = write!(s, " brd {}", mac(b));
    }
    if let Some(k) = l.kind() {
        let _ = write!(s, "\n    {k}");
    }
    s
}

fn link_brief(c: &Ctx<'_>, l: &LinkMessage) -> String {
    format!(
        "{:<16} {:<14} {} <{}>",
        display_name(c, l),
        operstate(l.operstate),
        l.address.as_deref().map(mac).unwrap_or_default(),
        link_flags(l.header.flags).join(",")
    )
}

fn link_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, pos) = keywords(args, &["dev", "master", "type"], &[])?;
    let dev = kv.get("dev").copied().or(pos.first().copied());
    let mut filter = LinkFilter::default();
    if let Some(m) = kv.get("master") {
        filter.master = Some(c.index(m)?);
    }
    filter.kind = kv.get("type").map(|t| (*t).to_owned());
    let links = match dev {
        Some(d) => vec![ctx(&format!("dev {d}"), c.rt.link(d))?],
        None => ctx("link dump", c.rt.links_filtered(&filter))?,
    };
    if c.cli.json {
        print_json(Value::Array(
            links
                .iter()
                .map(|l| Value::Object(link_json(c, l)))
                .collect(),
        ));
    } else {
        for l in &links {
            println!(
                "{}",
                if c.cli.brief {
                    link_brief(c, l)
                } else {
                    link_text(c, l)
                }
            );
        }
    }
    Ok(())
}

fn link_add(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    // link add [name] NAME [link DEV] [mtu N] [address MAC] [master DEV] type KIND [kind args]
    let Some(t) = args.iter().position(|a| a == "type") else {
        return usage("link add needs `type KIND`");
    };
    let (head, tail) = args.split_at(t);
    let Some((kind, kind_args)) = tail[1..].split_first() else {
        return usage("`type` needs a kind");
    };
    let (kv, pos) = keywords(head, &["name", "link", "mtu", "address", "master"], &[])?;
    let Some(name) = kv.get("name").copied().or(pos.first().copied()) else {
        return usage("link add needs a name");
    };
    let parent = |kv: &HashMap<&str, &str>| -> Res<u32> {
        match kv.get("link") {
            Some(d) => c.index(d),
            None => usage(format!("type {kind} needs `link DEV`")),
        }
    };
    let mut link = match kind.as_str() {
        "veth" => {
            let peer = match kind_args {
                [p, n, peer] if p == "peer" && n == "name" => peer,
                [p, peer] if p == "peer" => peer,
                _ => return usage("type veth needs `peer name PEER`"),
            };
            NewLink::veth(name, peer)
        }
        "bridge" => {
            keywords(kind_args, &[], &[])?;
            NewLink::bridge(name)
        }
        "macvlan" => {
            let (kk, _) = keywords(kind_args, &["mode"], &[])?;
            let mode = match kk.get("mode").copied().unwrap_or("vepa") {
                "private" => 1,
                "vepa" => 2,
                "bridge" => 4,
                "passthru" => 8,
                "source" => 16,
                m => return usage(format!("macvlan mode `{m}`")),
            };
            NewLink::macvlan(name, parent(&kv)?, mode)
        }
        "vxlan" => {
            let (kk, _) = keywords(kind_args, &["id", "dstport", "dev"], &[])?;
            let Some(id) = kk.get("id") else {
                return usage("type vxlan needs `id VNI`");
            };
            let port = match kk.get("dstport") {
                Some(p) => parse("dstport", p)?,
                None => 4789,
            };
            let mut l = NewLink::vxlan(name, parse("vxlan id", id)?, port);
            if let Some(d) = kk.get("dev") {
                if let Some(netlink::route::InfoData::Vxlan(v)) = l
                    .message_mut()
                    .linkinfo
                    .as_mut()
                    .and_then(|i| i.data.as_mut())
                {
                    v.link = Some(c.index(d)?);
                }
            }
            l
        }
        "vlan" => {
            let (kk, _) = keywords(kind_args, &["id"], &[])?;
            let Some(id) = kk.get("id") else {
                return usage("type vlan needs `id ID`");
            };
            NewLink::vlan(name, parent(&kv)?, parse("vlan id", id)?)
        }
        "bond" => {
            let (kk, _) = keywords(kind_args, &["mode"], &[])?;
            let mode = match kk.get("mode").copied().unwrap_or("balance-rr") {
                "balance-rr" => 0,
                "active-backup" => 1,
                "balance-xor" => 2,
                "broadcast" => 3,
                "802.3ad" => 4,
                "balance-tlb" => 5,
                "balance-alb" => 6,
                m => parse("bond mode", m)?,
            };
            NewLink::bond(name, mode)
        }
        "vrf" => {
            let (kk, _) = keywords(kind_args, &["table"], &[])?;
            let Some(t) = kk.get("table") else {
                return usage("type vrf needs `table ID`");
            };
            NewLink::vrf(name, parse("table", t)?)
        }
        other => {
            keywords(kind_args, &[], &[])?;
            NewLink::new(name, other, None)
        }
    };
    if let Some(m) = kv.get("mtu") {
        link = link.mtu(parse("mtu", m)?);
    }
    if let Some(a) = kv.get("address") {
        link = link.address(&parse_mac(a)?);
    }
    if let Some(m) = kv.get("master") {
        link = link.master(c.index(m)?);
    }
    ctx(&format!("dev {name}"), c.rt.add_link(&link))
}

fn link_set(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    let mut it = args.iter().map(String::as_str);
    let dev = match it.next() {
        Some("dev") => it.next(),
        d => d,
    };
    let Some(dev) = dev else {
        return usage("link set needs a device");
    };
    let index = c.index(dev)?;
    let mut change = SetLink::new(index.into());
    let mut any = false;
    while let Some(a) = it.next() {
        any = true;
        let mut value = |k: &str| match it.next() {
            Some(v) => Ok(v),
            None => usage(format!("`{k}` needs a value")),
        };
        change = match a {
            "up" => change.up(true),
            "down" => change.up(false),
            "mtu" => change.mtu(parse("mtu", value("mtu")?)?),
            "master" => {
                let m = value("master")?;
                change.master(c.index(m)?)
            }
            "nomaster" => change.master(0),
            "name" => change.name(value("name")?),
            "netns" => {
                let ns = value("netns")?;
                match ns.parse::<u32>() {
                    Ok(pid) => change.netns(NetnsTarget::Pid(pid)),
                    Err(_) => {
                        let path = format!("/run/netns/{ns}");
                        let file = std::fs::File::open(&path)
                            .map_err(|e| Failure::Run(format!("netns {ns}: {e}")))?;
                        use std::os::fd::AsRawFd;
                        let r =
                            c.rt.set_link(&change.netns(NetnsTarget::Fd(file.as_raw_fd())));
                        return ctx(&format!("dev {dev}"), r);
                    }
                }
            }
            other => return usage(format!("link set: unknown setting `{other}`")),
        };
    }
    if !any {
        return usage("link set needs a setting (up, down, mtu, master, nomaster, name, netns)");
    }
    ctx(&format!("dev {dev}"), c.rt.set_link(&change))
}

// ---------- addresses ----------

fn family_name(f: u8) -> &'static str {
    match i32::from(f) {
        libc::AF_INET => "inet",
        libc::AF_INET6 => "inet6",
        _ => "unknown",
    }
}

fn scope_name(s: RouteScope) -> String {
    match s {
        RouteScope::Universe => "global".into(),
        RouteScope::Site => "site".into(),
        RouteScope::Link => "link".into(),
        RouteScope::Host => "host".into(),
        RouteScope::Nowhere => "nowhere".into(),
        RouteScope::Other(n) => n.to_string(),
    }
}

fn addr_json(a: &AddressMessage) -> Value {
    let mut m = Map::new();
    m.insert("family".into(), json!(family_name(a.header.family)));
    if let Some(l) = a.local() {
        m.insert("local".into(), json!(l.to_string()));
    }
    if let (Some(p), Some(l)) = (a.address, a.local) {
        if p != l {
            m.insert("address".into(), json!(p.to_string()));
        }
    }
    m.insert("prefixlen".into(), json!(a.header.prefix_len));
    if let Some(b) = a.broadcast {
        m.insert("broadcast".into(), json!(b.to_string()));
    }
    m.insert("scope".into(), json!(scope_name(a.header.scope)));
    if let Some(l) = &a.label {
        m.insert("label".into(), json!(l));
    }
    if let Some(ci) = &a.cacheinfo {
        m.insert("valid_life_time".into(), json!(ci.valid));
        m.insert("preferred_life_time".into(), json!(ci.preferred));
    }
    Value::Object(m)
}

fn addr_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, pos) = keywords(args, &["dev"], &[])?;
    let dev = kv.get("dev").copied().or(pos.first().copied());
    let links = match dev {
        Some(d) => vec![ctx(&format!("dev {d}"), c.rt.link(d))?],
        None => ctx("link dump", c.rt.links())?,
    };
    let family = c.family();
    let addrs: Vec<AddressMessage> = match dev {
        Some(d) => ctx(&format!("dev {d}"), c.rt.addresses_of(d))?,
        None => ctx("address dump", c.rt.addresses())?,
    }
    .into_iter()
    .filter(|a| family == 0 || a.header.family == family)
    .collect();
    let of = |l: &LinkMessage| -> Vec<&AddressMessage> {
        addrs
            .iter()
            .filter(|a| a.header.index == l.index())
            .collect()
    };
    if c.cli.json {
        let v: Vec<Value> = links
            .iter()
            .map(|l| {
                let mut m = link_json(c, l);
                m.insert(
                    "addr_info".into(),
                    Value::Array(of(l).into_iter().map(addr_json).collect()),
                );
                Value::Object(m)
            })
            .collect();
        print_json(Value::Array(v));
        return Ok(());
    }
    for l in &links {
        if c.cli.brief {
            let list: Vec<String> = of(l)
                .iter()
                .filter_map(|a| Some(format!("{}/{}", a.local()?, a.header.prefix_len)))
                .collect();
            println!(
                "{:<16} {:<14} {}",
                display_name(c, l),
                operstate(l.operstate),
                list.join(" ")
            );
            continue;
        }
        println!("{}", link_text(c, l));
        for a in of(l) {
            let mut s = format!(
                "    {} {}/{}",
                family_name(a.header.family),
                a.local().map(|x| x.to_string()).unwrap_or_default(),
                a.header.prefix_len
            );
            if let Some(b) = a.broadcast {
                let _ = write!(s, " brd {b}");
            }
            let _ = write!(s, " scope {}", scope_name(a.header.scope));
            if let Some(lb) = &a.label {
                let _ = write!(s, " {lb}");
            }
            println!("{s}");
        }
    }
    Ok(())
}

fn addr_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, pos) = keywords(args, &["dev", "local"], &[])?;
    let Some(addr) = kv.get("local").copied().or(pos.first().copied()) else {
        return usage(format!("addr {cmd} needs an address"));
    };
    let Some(dev) = kv.get("dev") else {
        return usage(format!("addr {cmd} needs `dev DEV`"));
    };
    let net: IpNet = parse("address", addr)?;
    let r = if cmd == "add" {
        c.rt.add_address(*dev, net)
    } else {
        c.rt.delete_address(*dev, net)
    };
    ctx(&format!("dev {dev}: {net}"), r)
}

// ---------- routes ----------

fn table_name(t: u32) -> String {
    match t {
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        t => t.to_string(),
    }
}

fn parse_table(s: &str) -> Res<u32> {
    match s {
        "main" => Ok(254),
        "local" => Ok(255),
        "default" => Ok(253),
        t => parse("table", t),
    }
}

fn protocol_name(p: RouteProtocol) -> String {
    match p {
        RouteProtocol::Kernel => "kernel".into(),
        RouteProtocol::Boot => "boot".into(),
        RouteProtocol::Static => "static".into(),
        RouteProtocol::Redirect => "redirect".into(),
        RouteProtocol::Ra => "ra".into(),
        RouteProtocol::Dhcp => "dhcp".into(),
        p => netlink::NlEnum::to_repr(&p).to_string(),
    }
}

fn type_name(t: RouteType) -> &'static str {
    match t {
        RouteType::Unicast => "unicast",
        RouteType::Local => "local",
        RouteType::Broadcast => "broadcast",
        RouteType::Anycast => "anycast",
        RouteType::Multicast => "multicast",
        RouteType::Blackhole => "blackhole",
        RouteType::Unreachable => "unreachable",
        RouteType::Prohibit => "prohibit",
        RouteType::Throw => "throw",
        RouteType::Nat => "nat",
        _ => "unspec",
    }
}

/// `RTNH_F_*` names as iproute2 prints them.
fn route_flags(f: u32) -> Vec<&'static str> {
    [
        (0x1, "dead"),
        (0x2, "pervasive"),
        (0x4, "onlink"),
        (0x8, "offload"),
        (0x10, "linkdown"),
        (0x20, "unresolved"),
        (0x40, "trap"),
    ]
    .iter()
    .filter(|(b, _)| f & b != 0)
    .map(|(_, n)| *n)
    .collect()
}

/// `RTA_PREF` (`ICMPV6_ROUTER_PREF_*`).
fn pref_name(p: u8) -> String {
    match p {
        0 => "medium".into(),
        1 => "high".into(),
        3 => "low".into(),
        p => p.to_string(),
    }
}

fn route_dst(r: &RouteMessage) -> String {
    let max = if i32::from(r.header.family) == libc::AF_INET6 {
        128
    } else {
        32
    };
    match r.dst {
        None => "default".into(),
        Some(d) if r.header.dst_len == max => d.to_string(),
        Some(d) => format!("{d}/{}", r.header.dst_len),
    }
}

fn route_json(c: &Ctx<'_>, r: &RouteMessage, show_table: bool) -> Value {
    let mut m = Map::new();
    if r.header.kind != RouteType::Unicast {
        m.insert("type".into(), json!(type_name(r.header.kind)));
    }
    m.insert("dst".into(), json!(route_dst(r)));
    if let Some(g) = r.gateway {
        m.insert("gateway".into(), json!(g.to_string()));
    }
    if let Some(o) = r.oif {
        m.insert("dev".into(), json!(c.name(o)));
    }
    let t = r.table_id();
    if show_table && t != 254 {
        m.insert("table".into(), json!(table_name(t)));
    }
    // iproute2 leaves out what is usual: protocol boot, scope global.
    if r.header.protocol != RouteProtocol::Boot {
        m.insert("protocol".into(), json!(protocol_name(r.header.protocol)));
    }
    if r.header.scope != RouteScope::Universe {
        m.insert("scope".into(), json!(scope_name(r.header.scope)));
    }
    if let Some(p) = r.priority {
        m.insert("metric".into(), json!(p));
    }
    if let Some(s) = r.prefsrc {
        m.insert("prefsrc".into(), json!(s.to_string()));
    }
    m.insert("flags".into(), json!(route_flags(r.header.flags.bits())));
    if let Some(p) = r.pref {
        m.insert("pref".into(), json!(pref_name(p)));
    }
    if !r.next_hops().is_empty() {
        let hops: Vec<Value> = r
            .next_hops()
            .iter()
            .map(|h| {
                let mut n = Map::new();
                if let Some(g) = h.attrs.gateway {
                    n.insert("gateway".into(), json!(g.to_string()));
                }
                n.insert(
                    "dev".into(),
                    json!(c.name(u32::try_from(h.ifindex).unwrap_or(0))),
                );
                n.insert("weight".into(), json!(h.weight()));
                n.insert(
                    "flags".into(),
                    json!(route_flags(u32::from(h.flags.bits()))),
                );
                Value::Object(n)
            })
            .collect();
        m.insert("nexthops".into(), Value::Array(hops));
    }
    Value::Object(m)
}

fn route_text(c: &Ctx<'_>, r: &RouteMessage, show_table: bool) -> String {
    let mut s = String::new();
    if r.header.kind != RouteType::Unicast {
        let _ = write!(s, "{} ", type_name(r.header.kind));
    }
    s.push_str(&route_dst(r));
    if let Some(g) = r.gateway {
        let _ = write!(s, " via {g}");
    }
    if let Some(o) = r.oif {
        let _ = write!(s, " dev {}", c.name(o));
    }
    let t = r.table_id();
    if show_table && t != 254 {
        let _ = write!(s, " table {}", table_name(t));
    }
    if r.header.protocol != RouteProtocol::Boot {
        let _ = write!(s, " proto {}", protocol_name(r.header.protocol));
    }
    if r.header.scope != RouteScope::Universe {
        let _ = write!(s, " scope {}", scope_name(r.header.scope));
    }
    if let Some(src) = r.prefsrc {
        let _ = write!(s, " src {src}");
    }
    if let Some(p) = r.priority {
        let _ = write!(s, " metric {p}");
    }
    for h in r.next_hops() {
        let _ = write!(s, "\n\tnexthop");
        if let Some(g) = h.attrs.gateway {
            let _ = write!(s, " via {g}");
        }
        let _ = write!(
            s,
            " dev {} weight {}",
            c.name(u32::try_from(h.ifindex).unwrap_or(0)),
            h.weight()
        );
    }
    s
}

fn route_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, _) = keywords(args, &["table", "dev"], &["all"])?;
    // iproute2: the main table by default, IPv4 unless `-6`; `table all`: every table and
    // family.
    let (table, family) = match kv.get("table").copied() {
        Some("all") => (None, c.family()),
        Some(t) => (Some(parse_table(t)?), c.family()),
        None => (Some(254), c.family()),
    };
    let family = if family == 0 && table.is_some() {
        libc::AF_INET as u8
    } else {
        family
    };
    let dev = match kv.get("dev") {
        Some(d) => Some(c.index(d)?),
        None => None,
    };
    let routes: Vec<RouteMessage> = ctx("route dump", c.rt.routes(RouteFilter { family, table }))?
        .into_iter()
        .filter(|r| !r.header.flags.contains(netlink::route::RouteFlags::CLONED))
        .filter(|r| dev.is_none() || r.oif == dev)
        .collect();
    let show_table = table.is_none();
    if c.cli.json {
        print_json(Value::Array(
            routes
                .iter()
                .map(|r| route_json(c, r, show_table))
                .collect(),
        ));
    } else {
        for r in &routes {
            println!("{}", route_text(c, r, show_table));
        }
    }
    Ok(())
}

fn route_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let Some((dst, rest)) = args.split_first() else {
        return usage(format!("route {cmd} needs a destination"));
    };
    let dst_net = parse_net(dst)?;
    // Split off `nexthop ...` groups.
    let mut groups = rest.split(|a| a == "nexthop");
    let head = groups.next().unwrap_or(&[]);
    let (kv, _) = keywords(
        head,
        &["via", "dev", "table", "metric", "src", "proto"],
        &[],
    )?;
    let mut route = Route::new(dst_net);
    if let Some(g) = kv.get("via") {
        route = route.gateway(parse("gateway", g)?);
    }
    if let Some(d) = kv.get("dev") {
        route = route.dev(c.index(d)?);
    }
    if let Some(t) = kv.get("table") {
        route = route.table(parse_table(t)?);
    }
    if let Some(m) = kv.get("metric") {
        route = route.metric(parse("metric", m)?);
    }
    if let Some(s) = kv.get("src") {
        route = route.prefsrc(parse("src", s)?);
    }
    for g in groups {
        let (hk, _) = keywords(g, &["via", "dev", "weight"], &[])?;
        let Some(d) = hk.get("dev") else {
            return usage("nexthop needs `dev DEV`");
        };
        let gateway = match hk.get("via") {
            Some(v) => Some(parse("gateway", v)?),
            None => None,
        };
        let weight: u16 = match hk.get("weight") {
            Some(w) => parse("weight", w)?,
            None => 1,
        };
        if !(1..=256).contains(&weight) {
            return usage(format!("weight {weight} is not in 1..=256"));
        }
        route = route.next_hop(NextHopSpec {
            gateway,
            dev: c.index(d)?,
            weight,
        });
    }
    let r = match cmd {
        "add" => c.rt.add_route(&route),
        "replace" => c.rt.replace_route(&route),
        _ => c.rt.delete_route(&route),
    };
    ctx(&format!("route {dst}"), r)
}

// ---------- neighbours ----------

const NUD_NAMES: [(NeighbourState, &str); 8] = [
    (NeighbourState::INCOMPLETE, "INCOMPLETE"),
    (NeighbourState::REACHABLE, "REACHABLE"),
    (NeighbourState::STALE, "STALE"),
    (NeighbourState::DELAY, "DELAY"),
    (NeighbourState::PROBE, "PROBE"),
    (NeighbourState::FAILED, "FAILED"),
    (NeighbourState::NOARP, "NOARP"),
    (NeighbourState::PERMANENT, "PERMANENT"),
];

fn nud(s: NeighbourState) -> Vec<&'static str> {
    NUD_NAMES
        .iter()
        .filter(|(b, _)| s.contains(*b))
        .map(|(_, n)| *n)
        .collect()
}

fn neigh_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, _) = keywords(args, &["dev"], &[])?;
    let family = c.family();
    let list: Vec<NeighbourMessage> = match kv.get("dev") {
        Some(d) => ctx(&format!("dev {d}"), c.rt.neighbours_of(*d))?,
        None => ctx("neighbour dump", c.rt.neighbours())?,
    }
    .into_iter()
    // iproute2 hides NOARP entries (and the empty state) unless asked.
    .filter(|n| !n.header.state.contains(NeighbourState::NOARP) && n.header.state.bits() != 0)
    .filter(|n| family == 0 || n.header.family == family)
    .collect();
    let dev = |n: &NeighbourMessage| c.name(u32::try_from(n.header.ifindex).unwrap_or(0));
    if c.cli.json {
        let v: Vec<Value> = list
            .iter()
            .map(|n| {
                let mut m = Map::new();
                if let Some(d) = n.dst {
                    m.insert("dst".into(), json!(d.to_string()));
                }
                m.insert("dev".into(), json!(dev(n)));
                if let Some(l) = &n.lladdr {
                    m.insert("lladdr".into(), json!(mac(l)));
                }
                m.insert("state".into(), json!(nud(n.header.state)));
                Value::Object(m)
            })
            .collect();
        print_json(Value::Array(v));
    } else {
        for n in &list {
            let mut s = format!(
                "{} dev {}",
                n.dst.map(|d| d.to_string()).unwrap_or_default(),
                dev(n)
            );
            if let Some(l) = &n.lladdr {
                let _ = write!(s, " lladdr {}", mac(l));
            }
            let _ = write!(s, " {}", nud(n.header.state).join(" "));
            println!("{s}");
        }
    }
    Ok(())
}

fn neigh_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, pos) = keywords(args, &["dev", "lladdr", "to"], &[])?;
    let Some(dst) = kv.get("to").copied().or(pos.first().copied()) else {
        return usage(format!("neigh {cmd} needs an address"));
    };
    let Some(dev) = kv.get("dev") else {
        return usage(format!("neigh {cmd} needs `dev DEV`"));
    };
    let dst: IpAddr = parse("address", dst)?;
    let r = if cmd == "add" {
        let Some(ll) = kv.get("lladdr") else {
            return usage("neigh add needs `lladdr MAC`");
        };
        c.rt.add_neighbour(*dev, dst, &parse_mac(ll)?)
    } else {
        c.rt.delete_neighbour(*dev, dst)
    };
    ctx(&format!("dev {dev}: {dst}"), r)
}

// ---------- rules ----------

fn rule_json(r: &RuleMessage) -> Value {
    let mut m = Map::new();
    m.insert("priority".into(), json!(r.priority.unwrap_or(0)));
    match r.src {
        Some(s) if r.header.src_len > 0 => {
            m.insert("src".into(), json!(s.to_string()));
            m.insert("srclen".into(), json!(r.header.src_len));
        }
        _ => {
            m.insert("src".into(), json!("all"));
        }
    }
    if let Some(d) = r.dst {
        m.insert("dst".into(), json!(d.to_string()));
        m.insert("dstlen".into(), json!(r.header.dst_len));
    }
    if let Some(i) = &r.iifname {
        m.insert("iif".into(), json!(i));
    }
    if let Some(f) = r.fwmark {
        m.insert("fwmark".into(), json!(format!("{f:#x}")));
    }
    if r.header.action == 1 {
        m.insert("table".into(), json!(table_name(r.table())));
    }
    Value::Object(m)
}

fn rule_show(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    keywords(args, &[], &[])?;
    let family = match c.family() {
        0 => libc::AF_INET as u8,
        f => f,
    };
    let rules = ctx("rule dump", c.rt.rules(family))?;
    if c.cli.json {
        print_json(Value::Array(rules.iter().map(rule_json).collect()));
        return Ok(());
    }
    for r in &rules {
        let mut s = format!("{}:\tfrom ", r.priority.unwrap_or(0));
        match r.src {
            Some(src) if r.header.src_len > 0 => {
                let _ = write!(s, "{src}/{}", r.header.src_len);
            }
            _ => s.push_str("all"),
        }
        if let Some(d) = r.dst {
            let _ = write!(s, " to {d}/{}", r.header.dst_len);
        }
        if let Some(i) = &r.iifname {
            let _ = write!(s, " iif {i}");
        }
        if let Some(f) = r.fwmark {
            let _ = write!(s, " fwmark {f:#x}");
        }
        if r.header.action == 1 {
            let _ = write!(s, " lookup {}", table_name(r.table()));
        }
        println!("{s}");
    }
    Ok(())
}

fn rule_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, _) = keywords(
        args,
        &[
            "from", "to", "fwmark", "iif", "priority", "pref", "table", "lookup",
        ],
        &[],
    )?;
    let Some(table) = kv.get("table").or(kv.get("lookup")) else {
        return usage(format!("rule {cmd} needs `table ID`"));
    };
    let from = kv.get("from").map(|f| parse_net(f)).transpose()?;
    let to = kv.get("to").map(|f| parse_net(f)).transpose()?;
    let family = match (from.or(to), c.cli.ipv6) {
        (Some(n), _) => n.family(),
        (None, true) => libc::AF_INET6 as u8,
        (None, false) => libc::AF_INET as u8,
    };
    let mut rule = Rule::new(family, parse_table(table)?);
    if let Some(p) = kv.get("priority").or(kv.get("pref")) {
        rule = rule.priority(parse("priority", p)?);
    }
    if let Some(f) = from {
        rule = rule.from(f);
    }
    if let Some(t) = to {
        rule = rule.to(t);
    }
    if let Some(m) = kv.get("fwmark") {
        let m = m.strip_prefix("0x").map_or_else(
            || parse("fwmark", m),
            |h| u32::from_str_radix(h, 16).map_err(|e| Failure::Usage(format!("fwmark: {e}"))),
        )?;
        rule = rule.fwmark(m);
    }
    if let Some(i) = kv.get("iif") {
        rule = rule.iif(i);
    }
    let r = if cmd == "add" {
        c.rt.add_rule(&rule)
    } else {
        c.rt.delete_rule(&rule)
    };
    ctx("rule", r)
}

// ---------- monitor ----------

fn monitor(cli: &Cli, config: Config, args: &[String]) -> Res<()> {
    let mut watch = Watch::NONE;
    for a in args {
        match a.as_str() {
            "link" => watch.links = true,
            "address" | "addr" => watch.addresses = true,
            "route" => watch.routes = true,
            "neigh" => watch.neighbours = true,
            "rule" => watch.rules = true,
            "all" => watch = Watch::ALL,
            other => return usage(format!("monitor: unknown object `{other}`")),
        }
    }
    if watch == Watch::NONE {
        watch = Watch::ALL;
    }
    let mut mon = ctx("monitor", Monitor::new(watch, config))?;
    let mut names: HashMap<u32, String> = HashMap::new();
    loop {
        let ev = ctx("monitor", mon.next_event())?;
        match ev {
            MonitorEvent::Snapshot(s) => {
                names = s
                    .links
                    .iter()
                    .filter_map(|l| Some((l.index(), l.name.clone()?)))
                    .collect();
                if cli.json {
                    print_json(json!({ "snapshot": {
                        "links": s.links.len(), "addresses": s.addresses.len(),
                        "routes": s.routes.len(), "neighbours": s.neighbours.len(),
                        "rules": s.rules.len() } }));
                }
            }
            MonitorEvent::Event(e) => {
                if let RouteEvent::NewLink(l) = &e {
                    if let Some(n) = &l.name {
                        names.insert(l.index(), n.clone());
                    }
                }
                if cli.json {
                    // The typed event itself, through the crate's `serde` feature.
                    let v = serde_json::to_value(&e)
                        .map_err(|err| Failure::Run(format!("monitor: {err}")))?;
                    print_json(v);
                } else {
                    println!("{}", event_line(&names, &e));
                }
            }
        }
    }
}

fn event_line(names: &HashMap<u32, String>, e: &RouteEvent) -> String {
    let name = |i: u32| names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"));
    let addr = |a: &AddressMessage| {
        format!(
            "{}: {} {}/{}",
            name(a.header.index),
            family_name(a.header.family),
            a.local().map(|x| x.to_string()).unwrap_or_default(),
            a.header.prefix_len
        )
    };
    let route = |r: &RouteMessage| {
        let mut s = route_dst(r);
        if let Some(g) = r.gateway {
            let _ = write!(s, " via {g}");
        }
        if let Some(o) = r.oif {
            let _ = write!(s, " dev {}", name(o));
        }
        let _ = write!(s, " table {}", table_name(r.table_id()));
        s
    };
    let neigh = |n: &NeighbourMessage| {
        format!(
            "{} dev {} {}",
            n.dst.map(|d| d.to_string()).unwrap_or_default(),
            name(u32::try_from(n.header.ifindex).unwrap_or(0)),
            nud(n.header.state).join(" ")
        )
    };
    let rule = |r: &RuleMessage| format!("{}", rule_json(r));
    let link = |l: &LinkMessage| {
        format!(
            "{}: {}: <{}> state {}",
            l.index(),
            l.name.clone().unwrap_or_default(),
            link_flags(l.header.flags).join(","),
            operstate(l.operstate)
        )
    };
    match e {
        RouteEvent::NewLink(l) => format!("[LINK] {}", link(l)),
        RouteEvent::DelLink(l) => format!("[LINK] Deleted {}", link(l)),
        RouteEvent::NewAddress(a) => format!("[ADDR] {}", addr(a)),
        RouteEvent::DelAddress(a) => format!("[ADDR] Deleted {}", addr(a)),
        RouteEvent::NewRoute(r) => format!("[ROUTE] {}", route(r)),
        RouteEvent::DelRoute(r) => format!("[ROUTE] Deleted {}", route(r)),
        RouteEvent::NewNeighbour(n) => format!("[NEIGH] {}", neigh(n)),
        RouteEvent::DelNeighbour(n) => format!("[NEIGH] Deleted {}", neigh(n)),
        RouteEvent::NewRule(r) => format!("[RULE] {}", rule(r)),
        RouteEvent::DelRule(r) => format!("[RULE] Deleted {}", rule(r)),
        _ => "[?] unknown event".into(),
    }
}
