//! Asks generic netlink for an acknowledgement and decodes the request header it echoes (the
//! reference's first `Conn` example).
//!
//! ```text
//! cargo run --example genl_ack
//! ```

use std::process::ExitCode;

use netlink::{Config, Conn, Error, Family, HeaderFlags, HeaderType, Message};

const USAGE: &str = "usage: genl_ack (asks generic netlink for an acknowledgement; no arguments)";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(arg) => {
            eprintln!("genl_ack: unexpected argument {arg:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genl_ack: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    // Speak to generic netlink.
    let conn = Conn::dial(Family::GENERIC, Config::default())?;

    // A message of a control type asks the kernel for nothing but the acknowledgement, which
    // holds a copy of the header we sent. Length, sequence and port id are filled in.
    let request = Message::new(
        HeaderType(0),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        Vec::new(),
    );

    // Send, receive the replies, and check them against the request.
    let replies = conn.execute(&request)?;
    if replies.len() != 1 {
        eprintln!("expected 1 message, got {}", replies.len());
        std::process::exit(1);
    }

    // The acknowledgement: a 4-byte error code (0: success), then the echoed header.
    let ack = netlink::ack::parse_error(&replies[0].as_message_ref())?;
    println!("code: {}", ack.code);
    match ack.request {
        Some(header) => println!("res: {header:?}"),
        None => println!("res: no header echoed"),
    }
    Ok(())
}
