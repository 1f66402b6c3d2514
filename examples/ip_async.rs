//! A small async `ip` over [`AsyncRouteHandle`]: lists links with their addresses (both dumps
//! in flight at once on one socket), adds an address or a route, and follows rtnetlink events,
//! all on a tokio runtime.
//!
//! ```text
//! cargo run --example ip_async -- -n NETNS show
//! cargo run --example ip_async -- -n NETNS addr-add v0 10.0.0.1/24
//! cargo run --example ip_async -- -n NETNS route-add 10.1.0.0/16 --via 10.0.0.254 --table 100
//! cargo run --example ip_async -- -n NETNS watch --count 5
//! ```
//!
//! Usage errors exit with status 2; a failure prints one line naming the namespace and the
//! device or prefix, and exits with status 1.

use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use netlink::events::Event;
use netlink::netns::NetNs;
use netlink::route::{AsyncRouteHandle, IpNet, Route, RouteEvent, Watch};
use netlink::Config;

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "ip_async",
    about = "List links and addresses, add addresses and routes, follow rtnetlink events (async)"
)]
pub struct Cli {
    /// Run in network namespace NETNS (a name under /run/netns).
    #[arg(short = 'n', long = "netns", value_name = "NETNS")]
    pub netns: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Cmd,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Every link with its addresses.
    Show,
    /// Adds address PREFIX (`10.0.0.1/24`) to device DEV.
    AddrAdd {
        /// The device.
        dev: String,
        /// The address and prefix length.
        prefix: IpNet,
    },
    /// Adds a route to PREFIX, through a gateway or out of a device.
    RouteAdd {
        /// The destination (`10.1.0.0/16`).
        prefix: IpNet,
        /// The gateway.
        #[arg(long)]
        via: Option<IpAddr>,
        /// The output device.
        #[arg(long)]
        dev: Option<String>,
        /// The routing table (default: main).
        #[arg(long)]
        table: Option<u32>,
        /// The route's metric.
        #[arg(long)]
        metric: Option<u32>,
    },
    /// Prints link, address and route events as they happen; stops after COUNT events.
    Watch {
        /// The number of events to print (0: no limit).
        #[arg(short, long, default_value_t = 0)]
        count: u64,
    },
}

#[path = "support/async_cli.rs"]
mod async_cli;
use async_cli::{ctx, say};

fn main() -> ExitCode {
    let cli = Cli::parse();
    async_cli::block_on("ip_async", cli.netns.as_deref(), async {
        run(&cli).await.map(|()| true)
    })
}

/// Runs one command; the error is the line to print.
pub async fn run(cli: &Cli) -> Result<(), String> {
    let config = Config {
        netns: cli.netns.as_deref().map(NetNs::named),
        ..Config::default()
    };
    let rt = ctx("rtnetlink", AsyncRouteHandle::with_config(config).await)?;
    match &cli.command {
        Cmd::Show => show(&rt).await,
        Cmd::AddrAdd { dev, prefix } => ctx(
            format_args!("dev {dev}"),
            rt.add_address(dev.as_str(), *prefix).await,
        ),
        Cmd::RouteAdd {
            prefix,
            via,
            dev,
            table,
            metric,
        } => {
            let mut route = Route::new(*prefix);
            if let Some(dev) = dev {
                route = route.dev(ctx(format_args!("dev {dev}"), rt.index_of(dev).await)?);
            }
            if let Some(gw) = via {
                route = route.gateway(*gw);
            }
            if let Some(t) = table {
                route = route.table(*t);
            }
            if let Some(m) = metric {
                route = route.metric(*m);
            }
            ctx(format_args!("route {prefix}"), rt.add_route(&route).await)
        }
        Cmd::Watch { count } => watch(&rt, *count).await,
    }
}

/// Links and addresses: both dumps are in flight at once on the handle's one socket.
async fn show(rt: &AsyncRouteHandle) -> Result<(), String> {
    let (links, addrs) = tokio::join!(rt.links(), rt.addresses());
    let (links, addrs) = (ctx("links", links)?, ctx("addresses", addrs)?);
    for link in &links {
        say(format_args!(
            "{}: {} mtu {} {}",
            link.index(),
            link.name.as_deref().unwrap_or("?"),
            link.mtu.unwrap_or(0),
            if link.header.flags.contains(netlink::route::IfFlags::UP) {
                "UP"
            } else {
                "DOWN"
            }
        ));
        for a in addrs.iter().filter(|a| a.header.index == link.index()) {
            if let Some(ip) = a.local() {
                say(format_args!("    {ip}/{}", a.header.prefix_len));
            }
        }
    }
    Ok(())
}

/// Follows link, address and route events; `count` 0 is no limit.
async fn watch(rt: &AsyncRouteHandle, count: u64) -> Result<(), String> {
    let watch = Watch {
        links: true,
        addresses: true,
        routes: true,
        ..Watch::NONE
    };
    let mut events = ctx("events", rt.events(watch))?;
    // Subscribed: changes from now on are reported.
    say(format_args!("watching"));
    let mut seen = 0u64;
    while count == 0 || seen < count {
        let Some(ev) = events.next().await else {
            return Err("events: the connection closed".into());
        };
        match ctx("events", ev)? {
            Event::Overrun => say(format_args!("overrun: events were lost")),
            Event::Message(e) => say(format_args!("{}", event_line(&e))),
        }
        seen += 1;
    }
    Ok(())
}

fn event_line(e: &RouteEvent) -> String {
    let link = |verb: &str, l: &netlink::route::LinkMessage| {
        format!(
            "{verb} link {} {}",
            l.index(),
            l.name.as_deref().unwrap_or("?")
        )
    };
    let addr = |verb: &str, a: &netlink::route::AddressMessage| match a.local() {
        Some(ip) => format!(
            "{verb} address {ip}/{} dev {}",
            a.header.prefix_len, a.header.index
        ),
        None => format!("{verb} address dev {}", a.header.index),
    };
    let route = |verb: &str, r: &netlink::route::RouteMessage| {
        let dst = match r.dst {
            Some(d) => format!("{d}/{}", r.header.dst_len),
            None => "default".into(),
        };
        let mut s = format!("{verb} route {dst} table {}", r.table_id());
        if let Some(gw) = r.gateway {
            s.push_str(&format!(" via {gw}"));
        }
        s
    };
    match e {
        RouteEvent::NewLink(l) => link("new", l),
        RouteEvent::DelLink(l) => link("del", l),
        RouteEvent::NewAddress(a) => addr("new", a),
        RouteEvent::DelAddress(a) => addr("del", a),
        RouteEvent::NewRoute(r) => route("new", r),
        RouteEvent::DelRoute(r) => route("del", r),
        other => format!("{other:?}"),
    }
}
