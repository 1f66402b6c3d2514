//! Resolves generic netlink families concurrently on one async connection: one task per name,
//! every request in flight at once on the same socket (they leave in one `sendmsg`), replies
//! decoded by the derived `CtrlMessage`. Without names, streams the kernel's whole family list
//! as a typed dump.
//!
//! ```text
//! cargo run --example async_families -- nlctrl ethtool netdev
//! cargo run --example async_families
//! ```

use std::process::ExitCode;

use netlink::genl::{CtrlCommand, CtrlMessage};
use netlink::tokio::AsyncConn;
use netlink::{Config, Error, Family, HeaderFlags};

const USAGE: &str = "usage: async_families [NAME...]\n\
    Resolves each generic netlink family NAME (all at once, one task each) to its id;\n\
    without NAME, lists every family of the running kernel.";

#[path = "support/async_cli.rs"]
mod async_cli;
use async_cli::say;

fn main() -> ExitCode {
    let names: Vec<String> = std::env::args().skip(1).collect();
    if names.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if let Some(bad) = names.iter().find(|n| n.starts_with('-')) {
        eprintln!("unknown option {bad}\n{USAGE}");
        return ExitCode::from(2);
    }
    async_cli::block_on("async_families", None, async {
        run(names).await.map_err(|e| e.to_string())
    })
}

/// Prints one line per family; returns whether every name was found.
pub async fn run(names: Vec<String>) -> Result<bool, Error> {
    let conn = AsyncConn::dial(Family::GENERIC, Config::default()).await?;
    if names.is_empty() {
        let request = CtrlMessage::new(CtrlCommand::GetFamily).to_request(HeaderFlags::DUMP)?;
        let mut families = conn.dump_as::<CtrlMessage>(&request).await?;
        while let Some(family) = families.next().await {
            let family = family?;
            say(format_args!(
                "{} id {}",
                family.family_name.unwrap_or_default(),
                family.family_id.unwrap_or(0)
            ));
        }
        return Ok(true);
    }
    let mut tasks = Vec::new();
    for name in names {
        let conn = conn.clone();
        tasks.push(tokio::spawn(async move {
            let request = CtrlMessage::get_family(&name).to_request(HeaderFlags::ACKNOWLEDGE)?;
            let reply = conn.execute_as::<CtrlMessage>(&request).await;
            Ok::<_, Error>((name, reply))
        }));
    }
    let mut all_found = true;
    for task in tasks {
        let (name, reply) = task
            .await
            .map_err(|_| Error::Op(netlink::OpError::new("task", libc::EIO)))??;
        match reply {
            Ok(families) => match families.first().and_then(|f| f.family_id) {
                Some(id) => say(format_args!("{name} id {id}")),
                None => {
                    say(format_args!("{name}: no family id in the reply"));
                    all_found = false;
                }
            },
            Err(e) if e.is_not_found() => {
                say(format_args!("{name}: not in this kernel"));
                all_found = false;
            }
            Err(e) => return Err(e),
        }
    }
    say(format_args!("({} sendmsg calls)", conn.datagrams_sent()));
    Ok(all_found)
}
