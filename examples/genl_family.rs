//! A generic netlink family of your own, declared and used in a few lines: a subset of the
//! kernel's `netdev` family, listing every device's XDP features (`--example genl_family`).

use std::process::ExitCode;

use netlink::genl::{Command, GenlFamily, GenlHandle};
use netlink::{Config, Conn, Error, Family, NlAttrs};

/// The family: its name (resolved through `nlctrl`) and protocol version.
struct Netdev;

impl GenlFamily for Netdev {
    const NAME: &'static str = "netdev";
    const VERSION: u8 = 1;
}

/// `NETDEV_A_DEV_*`: one device (request and reply share the attribute set; attributes not
/// declared here are skipped).
#[derive(NlAttrs, Debug, Default)]
struct Dev {
    #[nla(type = 1)]
    ifindex: Option<u32>,
    #[nla(type = 3)]
    xdp_features: Option<u64>,
}

/// `NETDEV_CMD_DEV_GET`: the command number, the request type and the reply type.
const DEV_GET: Command<Netdev, Dev> = Command::new(1, "NETDEV_CMD_DEV_GET");

/// One line per device: its index and XDP features.
pub fn list() -> Result<String, Error> {
    let conn = Conn::dial(Family::GENERIC, Config::default())?;
    let netdev = GenlHandle::<Netdev>::resolve(&conn)?;
    let mut out = String::new();
    for dev in netdev.dump(&conn, DEV_GET, &Dev::default())? {
        let dev = dev?;
        let (ifindex, features) = (dev.ifindex.unwrap_or(0), dev.xdp_features.unwrap_or(0));
        out += &format!("ifindex {ifindex}: xdp-features {features:#x}\n");
    }
    Ok(out)
}

fn main() -> ExitCode {
    let usage = "usage: genl_family (lists every device's XDP features)";
    match std::env::args().nth(1).as_deref() {
        Some("-h" | "--help") => println!("{usage}"),
        Some(arg) => {
            eprintln!("genl_family: unexpected argument {arg:?}\n{usage}");
            return ExitCode::from(2);
        }
        None => match list() {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("genl_family: {e}");
                return ExitCode::FAILURE;
            }
        },
    }
    ExitCode::SUCCESS
}
