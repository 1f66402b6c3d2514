//! Encoding and decoding netlink attributes: the attribute encoder and decoder examples of the
//! Go package `mdlayher/netlink`, in Rust, printing the same output.
//!
//! ```text
//! cargo run --example attributes
//! ```
//!
//! Encodes `Number = 1` (u16), `String = "hello world"` and a nest `{A: 2, B: 3}` (two u32s),
//! prints the bytes as a hex dump, then decodes them again and prints the values.

use std::fmt::Write as _;

use netlink::{AttributeDecoder, AttributeEncoder, Error};

/// The values the example encodes and decodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Out {
    /// Attribute 1, a u16.
    pub number: u16,
    /// Attribute 2, a string.
    pub string: String,
    /// Attribute 3, a nest.
    pub nested: Nested,
}

/// The nest of [`Out`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nested {
    /// Nested attribute 1, a u32.
    pub a: u32,
    /// Nested attribute 2, a u32.
    pub b: u32,
}

impl Nested {
    fn encode(&self, ae: &mut AttributeEncoder<'_>) {
        ae.u32(1, self.a).u32(2, self.b);
    }

    fn decode(&mut self, ad: &mut AttributeDecoder<'_>) -> Result<(), netlink::DecodeError> {
        while ad.advance() {
            match ad.attr_type() {
                1 => self.a = ad.u32()?,
                2 => self.b = ad.u32()?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// The values of the example.
pub fn example_values() -> Out {
    Out {
        number: 1,
        string: "hello world".to_owned(),
        nested: Nested { a: 2, b: 3 },
    }
}

/// Encodes `o` as attributes 1 (u16), 2 (string) and 3 (nest of u32s 1 and 2).
pub fn encode(o: &Out) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.u16(1, o.number).string(2, &o.string).nested(3, |nae| {
        o.nested.encode(nae);
        Ok(())
    });
    ae.finish()?;
    Ok(buf)
}

/// Decodes the attributes written by [`encode`].
pub fn decode(b: &[u8]) -> Result<Out, Error> {
    let mut out = Out::default();
    let mut ad = AttributeDecoder::new(b);
    while ad.advance() {
        match ad.attr_type() {
            1 => out.number = ad.u16()?,
            2 => out.string = ad.string()?.to_owned(),
            3 => ad.nested(|nad| out.nested.decode(nad))?,
            _ => {}
        }
    }
    ad.finish()?;
    Ok(out)
}

/// A hex dump in the format of Go's `encoding/hex.Dump`: an 8-digit offset, 16 bytes in two
/// groups of 8, and the printable ASCII characters between bars.
pub fn hex_dump(b: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in b.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}  ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(byte) => {
                    let _ = write!(out, "{byte:02x} ");
                }
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(chunk.iter().map(|&c| {
            if (32..=126).contains(&c) {
                char::from(c)
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

/// The decoded values, formatted as the Go decoder example prints them.
pub fn describe(o: &Out) -> String {
    format!(
        "Number: {}\nString: {:?}\nNested:\n   - A: {}\n   - B: {}",
        o.number, o.string, o.nested.a, o.nested.b
    )
}

/// Everything the example prints: the encoded attributes as a hex dump, then the values
/// decoded from them.
pub fn run() -> Result<String, Error> {
    let bytes = encode(&example_values())?;
    let decoded = decode(&bytes)?;
    Ok(format!(
        "netlink attributes:\n{}\n{}\n",
        hex_dump(&bytes),
        describe(&decoded)
    ))
}

fn main() -> std::process::ExitCode {
    const USAGE: &str =
        "usage: attributes (encodes and decodes a fixed set of attributes; no arguments)";
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Some(arg) => {
            eprintln!("attributes: unexpected argument {arg:?}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    }
    match run() {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("attributes: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
