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
//!
//! `link.rs` shows and changes links and addresses, `route.rs` routes, neighbours and rules,
//! `monitor.rs` follows changes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;

mod link;
mod monitor;
mod route;

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
                // (The error for a namespace that could not be entered names its path.)
                Some(ns) if !msg.contains(&format!("/run/netns/{ns}:")) => {
                    eprintln!("ip: netns {ns}: {msg}")
                }
                _ => eprintln!("ip: {msg}"),
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
        return monitor::monitor(cli, config, &a.args);
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
    // Options go before the object (`ip -j link show`); after it, `--x` is a mistake, not a
    // device called `--x`.
    if let Some(opt) = rest.iter().find(|a| a.starts_with('-')) {
        return usage(format!("unknown option `{opt}` after `{obj} {cmd}`"));
    }
    match (obj, cmd) {
        ("link", "show") => link::link_show(&mut c, rest),
        ("link", "add") => link::link_add(&c, rest),
        ("link", "set") => link::link_set(&c, rest),
        ("link", "del") => {
            let dev = match rest {
                [d] => d.as_str(),
                [k, d] if k == "dev" => d.as_str(),
                _ => return usage("link del takes one device"),
            };
            ctx(&format!("dev {dev}"), c.rt.delete_link(dev))
        }
        ("addr", "show") => link::addr_show(&mut c, rest),
        ("addr", "add" | "del") => link::addr_change(&c, cmd, rest),
        ("route", "show") => route::route_show(&mut c, rest),
        ("route", "add" | "del" | "replace") => route::route_change(&c, cmd, rest),
        ("neigh", "show") => route::neigh_show(&mut c, rest),
        ("neigh", "add" | "del") => route::neigh_change(&c, cmd, rest),
        ("rule", "show") => route::rule_show(&c, rest),
        ("rule", "add" | "del") => route::rule_change(&c, cmd, rest),
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

/// A prefix, or `default`/`all` (`0.0.0.0/0`, or `::/0` when `v6`).
fn parse_net(s: &str, v6: bool) -> Res<IpNet> {
    if s == "default" || s == "all" {
        let any = if v6 {
            IpAddr::from([0u16; 8])
        } else {
            IpAddr::from([0u8; 4])
        };
        return Ok(IpNet::host(any).network_of_len(0));
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
