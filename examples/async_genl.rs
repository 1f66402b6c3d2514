//! Generic netlink families on tokio through [`AsyncGenlHandle`]: the kernel's family list,
//! every device's XDP capabilities (a `netdev` dump) with its carrier state (one `ethtool`
//! request per device, all in flight at once), and `netdev` notifications as they happen.
//!
//! ```text
//! cargo run --example async_genl -- families
//! cargo run --example async_genl -- -n NETNS devices
//! cargo run --example async_genl -- -n NETNS watch --count 2
//! ```
//!
//! Usage errors exit with status 2; a failure prints one line naming the namespace and the
//! family, and exits with status 1.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use netlink::events::Event;
use netlink::genl::ethtool::{Ethtool, EthtoolRequest, LINKSTATE_GET};
use netlink::genl::netdev::{DevGet, Netdev, NetdevEvent, DEV_GET, MGMT_GROUP};
use netlink::genl::{AsyncGenlHandle, FamilyInfo};
use netlink::netns::NetNs;
use netlink::tokio::AsyncConn;
use netlink::{Config, Family};

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "async_genl",
    about = "Generic netlink families on tokio: list families, query netdev and ethtool, follow netdev events"
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
    /// Every generic netlink family: name, id, version, groups.
    Families,
    /// Every device: index, XDP features (netdev) and carrier (ethtool).
    Devices,
    /// Prints netdev notifications (devices registered and unregistered); stops after COUNT.
    Watch {
        /// The number of notifications to print (0: no limit).
        #[arg(short, long, default_value_t = 0)]
        count: u64,
    },
}

#[path = "support/async_cli.rs"]
mod async_cli;
use async_cli::{ctx, say};

fn main() -> ExitCode {
    let cli = Cli::parse();
    async_cli::block_on("async_genl", cli.netns.as_deref(), async {
        run(&cli).await.map(|()| true)
    })
}

/// Runs one command; the error is the line to print.
pub async fn run(cli: &Cli) -> Result<(), String> {
    let config = Config {
        netns: cli.netns.as_deref().map(NetNs::named),
        ..Config::default()
    };
    let conn = ctx(
        "generic netlink",
        AsyncConn::dial(Family::GENERIC, config).await,
    )?;
    match cli.command {
        Cmd::Families => {
            for f in ctx("nlctrl", FamilyInfo::list_async(&conn).await)? {
                let groups: Vec<&str> = f.groups.iter().map(|g| g.name.as_str()).collect();
                say(format_args!(
                    "{} id {} version {} groups [{}]",
                    f.name,
                    f.id,
                    f.version,
                    groups.join(",")
                ));
            }
            Ok(())
        }
        Cmd::Devices => devices(conn).await,
        Cmd::Watch { count } => watch(conn, count).await,
    }
}

/// The netdev dump, then one ethtool request per device, every one in flight at once.
async fn devices(conn: AsyncConn) -> Result<(), String> {
    // Both families resolved concurrently on the one socket.
    let (netdev, ethtool) = tokio::join!(
        AsyncGenlHandle::<Netdev>::resolve(conn.clone()),
        AsyncGenlHandle::<Ethtool>::resolve(conn),
    );
    let (netdev, ethtool) = (ctx("netdev", netdev)?, ctx("ethtool", ethtool)?);
    let devs = ctx(
        "netdev",
        netdev
            .dump(DEV_GET, &DevGet::default())
            .await
            .map(|d| d.collect()),
    )?;
    let devs = ctx("netdev", devs.await)?;
    let mut tasks = Vec::new();
    for dev in devs {
        let ethtool = ethtool.clone();
        tasks.push(tokio::spawn(async move {
            let index = dev.ifindex.unwrap_or(0);
            let state = ethtool
                .get(LINKSTATE_GET, &EthtoolRequest::index(index))
                .await;
            (dev, state)
        }));
    }
    for t in tasks {
        let (dev, state) = t.await.map_err(|e| format!("task: {e}"))?;
        let index = dev.ifindex.unwrap_or(0);
        let carrier = match ctx(format_args!("ethtool dev {index}"), state)?.link {
            Some(1) => "carrier",
            Some(_) => "no-carrier",
            None => "carrier unknown",
        };
        say(format_args!(
            "{index}: xdp-features {:#x} {carrier}",
            dev.xdp_features.unwrap_or(0)
        ));
    }
    Ok(())
}

/// Follows the netdev `mgmt` group.
async fn watch(conn: AsyncConn, count: u64) -> Result<(), String> {
    let netdev = ctx("netdev", AsyncGenlHandle::<Netdev>::resolve(conn).await)?;
    let mut events = ctx("netdev", netdev.events::<NetdevEvent>(&[MGMT_GROUP]))?;
    say(format_args!("watching"));
    let mut seen = 0u64;
    while count == 0 || seen < count {
        let Some(ev) = events.next().await else {
            return Err("netdev: the connection closed".into());
        };
        match ctx("netdev", ev)? {
            Event::Overrun => say(format_args!("overrun: notifications were lost")),
            Event::Message(n) => match n.event {
                Some(NetdevEvent::DevAdd(d)) => say(format_args!("add dev {:?}", d.ifindex)),
                Some(NetdevEvent::DevDel(d)) => say(format_args!("del dev {:?}", d.ifindex)),
                Some(NetdevEvent::DevChange(d)) => say(format_args!("change dev {:?}", d.ifindex)),
                Some(other) => say(format_args!("{other:?}")),
                None => say(format_args!("command {}", n.cmd)),
            },
        }
        seen += 1;
    }
    Ok(())
}
