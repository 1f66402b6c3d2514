//! Lists every generic netlink family, its operations and multicast groups, like
//! `genl ctrl list`: a `CTRL_CMD_GETFAMILY` dump decoded with the derived
//! [`CtrlMessage`](netlink::genl::CtrlMessage), each reply borrowed from the receive buffer.
//! With `--policy NAME`, prints the attribute policies of a family's operations as
//! `genl ctrl policy name NAME` does (`CTRL_CMD_GETPOLICY`).
//!
//! ```text
//! cargo run --example families [-- --policy NAME]
//! ```

use netlink::genl::{CtrlCommand, CtrlMessage, GENL_ID_CTRL};
use netlink::{
    Config, Conn, DecodeOptions, Error, Family, HeaderFlags, HeaderType, Message, NlAttrs,
};

/// `GENL_ADMIN_PERM` and the `GENL_CMD_CAP_*` bits of `CTRL_ATTR_OP_FLAGS`.
const OP_FLAGS: [(u32, &str); 5] = [
    (0x01, "admin-perm"),
    (0x02, "doit"),
    (0x04, "dumpit"),
    (0x08, "has-policy"),
    (0x10, "uns-admin-perm"),
];

fn op_flags(flags: u32) -> String {
    let names: Vec<&str> = OP_FLAGS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    names.join(", ")
}

/// The `genl ctrl list` description of one family.
pub fn describe_family(f: &CtrlMessage) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "Name: {}", f.family_name.as_deref().unwrap_or("?"));
    let _ = writeln!(
        out,
        "\tID: {:#x}  Version: {:#x}  header size: {}  max attribs: {}",
        f.family_id.unwrap_or(0),
        f.version.unwrap_or(0),
        f.header_size.unwrap_or(0),
        f.max_attr.unwrap_or(0),
    );
    if let Some(ops) = &f.ops {
        let _ = writeln!(out, "\tcommands supported:");
        for (i, op) in &ops.entries {
            let _ = writeln!(
                out,
                "\t\t#{i}:  ID-{:#x}  [{}]",
                op.id.unwrap_or(0),
                op_flags(op.flags.unwrap_or(0))
            );
        }
    }
    if let Some(groups) = &f.mcast_groups {
        let _ = writeln!(out, "\tmulticast groups:");
        for (i, g) in &groups.entries {
            let _ = writeln!(
                out,
                "\t\t#{i}:  ID-{:#x}  name: {}",
                g.id.unwrap_or(0),
                g.name.as_deref().unwrap_or("?")
            );
        }
    }
    out
}

/// Dumps every generic netlink family of the running kernel and describes each one.
pub fn list_families() -> Result<String, Error> {
    let conn = Conn::dial(Family::GENERIC, Config::default())?;
    let request = Message::new(
        HeaderType(GENL_ID_CTRL),
        HeaderFlags::REQUEST | HeaderFlags::DUMP,
        CtrlMessage::new(CtrlCommand::GetFamily).to_bytes()?,
    );
    let mut dump = conn.dump(&request)?;
    let mut out = String::new();
    let mut count = 0;
    while let Some(reply) = dump.next_ref() {
        let reply = reply?;
        let family = CtrlMessage::decode_message(&reply, &DecodeOptions::default())?;
        out.push_str(&describe_family(&family));
        out.push('\n');
        count += 1;
    }
    out.push_str(&format!("{count} families\n"));
    Ok(out)
}

/// The policies of `family`'s operations, one line per reply of the policy dump, as
/// `genl ctrl policy name FAMILY` prints them.
pub fn policies(family: &str) -> Result<String, Error> {
    let conn = Conn::dial(Family::GENERIC, Config::default())?;
    // A family the kernel lacks: a typed error naming it.
    netlink::genl::get_family(&conn, family)?;
    let request = CtrlMessage::get_policy(family).to_request(HeaderFlags::DUMP)?;
    let mut dump = conn.dump(&request)?;
    let mut out = String::new();
    while let Some(reply) = dump.next_ref() {
        let msg = CtrlMessage::decode_message(&reply?, &DecodeOptions::default())?;
        out.push_str(&netlink::genl::policy::describe(&msg));
    }
    Ok(out)
}

const USAGE: &str = "usage: families [--policy NAME]
  (no argument)   every generic netlink family, as `genl ctrl list`
  --policy NAME   the attribute policies of family NAME, as `genl ctrl policy name NAME`";

fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match strs.as_slice() {
        [] => list_families().map_err(|e| format!("families: {e}")),
        ["--policy" | "-p", name] => {
            policies(name).map_err(|e| format!("families: policies of {name:?}: {e}"))
        }
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("families: bad arguments {args:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
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
