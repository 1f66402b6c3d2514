//! W4 `codec` with derived types: the generic netlink message of the reference program
//! (`perf/c-mnl/nlbench_mnl.c`, `w4_codec`) declared once with `#[derive(NlAttrs)]`, encoded
//! into one reused buffer and decoded back, per iteration.
//!
//! [`run`] uses a borrowed struct (`&str`, `&[u8]`: no allocation per iteration);
//! [`run_owned`] the same declarations with `String` and `Vec<u8>` (two allocations to build
//! the value and two to decode it), to show what owning costs.

use std::time::Instant;

use netlink::genl::GenlHeader;
use netlink::{DecodeOptions, Header, HeaderFlags, HeaderType, MessageRef, NlAttrs};

const CODEC_FAMILY: u16 = 0x1234;
const CODEC_STR: &str = "nlbench-str!";

/// The nested pair (`N_A`, `N_B`).
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct CodecNest {
    #[nla(type = 1)]
    pub a: u32,
    #[nla(type = 2)]
    pub b: u32,
}

/// The message, borrowing its string and bytes.
#[derive(NlAttrs, Debug, Clone, PartialEq)]
pub struct CodecRef<'a> {
    #[nla(header)]
    pub header: GenlHeader,
    #[nla(type = 1)]
    pub v8: u8,
    #[nla(type = 2)]
    pub v16: u16,
    #[nla(type = 3)]
    pub v32: u32,
    #[nla(type = 4)]
    pub v64: u64,
    #[nla(type = 5)]
    pub text: &'a str,
    #[nla(type = 6, max_len = 32)]
    pub bin: &'a [u8],
    #[nla(type = 7, nested)]
    pub nest: CodecNest,
}

/// The message, owning its string and bytes.
#[derive(NlAttrs, Debug, Clone, PartialEq)]
pub struct CodecOwned {
    #[nla(header)]
    pub header: GenlHeader,
    #[nla(type = 1)]
    pub v8: u8,
    #[nla(type = 2)]
    pub v16: u16,
    #[nla(type = 3)]
    pub v32: u32,
    #[nla(type = 4)]
    pub v64: u64,
    #[nla(type = 5)]
    pub text: String,
    #[nla(type = 6, max_len = 32)]
    pub bin: Vec<u8>,
    #[nla(type = 7, nested)]
    pub nest: CodecNest,
}

fn header(seq: u32) -> Header {
    Header {
        kind: HeaderType(CODEC_FAMILY),
        flags: HeaderFlags::REQUEST,
        sequence: seq,
        ..Header::default()
    }
}

fn die(what: &str) -> ! {
    eprintln!("codec: {what}");
    std::process::exit(1);
}

fn report(name: &str, count: u64, sum: u64, bytes: u64, start: Instant) -> String {
    let ns = start.elapsed().as_secs_f64() * 1e9 / count.max(1) as f64;
    format!(
        "{name} items={count} checksum={sum} msg_bytes={} ns_per_op={ns:.1}",
        bytes / count.max(1)
    )
}

/// Encodes and decodes `count` borrowed messages; returns the `codec` line.
pub fn run(count: u64) -> Result<String, String> {
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut bin = [0u8; 32];
    for (k, b) in bin.iter_mut().enumerate() {
        *b = k as u8;
    }
    let opts = DecodeOptions::default();
    let (mut sum, mut bytes) = (0u64, 0u64);
    let start = Instant::now();
    for i in 0..count {
        let u = i as u32;
        bin[0] = u as u8;
        let msg = CodecRef {
            header: GenlHeader {
                cmd: 1,
                version: 1,
                reserved: 0,
            },
            v8: u as u8,
            v16: u as u16,
            v32: u,
            v64: u64::from(u).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            text: CODEC_STR,
            bin: &bin,
            nest: CodecNest {
                a: u.wrapping_add(1),
                b: u.wrapping_add(2),
            },
        };
        buf.clear();
        let n = msg
            .encode_message(header(u), &mut buf)
            .unwrap_or_else(|e| die(&e.to_string()));
        bytes += n as u64;

        let Ok((m, _)) = MessageRef::parse(&buf) else {
            die("bad header")
        };
        if m.header.kind != HeaderType(CODEC_FAMILY) {
            die("bad header");
        }
        let d = CodecRef::decode_message(&m, &opts).unwrap_or_else(|e| die(&e.to_string()));
        if d.header.cmd != 1 {
            die("bad genl header");
        }
        let (Some(first), Some(last)) = (d.bin.first(), d.bin.get(31)) else {
            die("short binary")
        };
        sum = sum
            .wrapping_add(u64::from(m.header.sequence))
            .wrapping_add(u64::from(d.v8))
            .wrapping_add(u64::from(d.v16))
            .wrapping_add(u64::from(d.v32))
            .wrapping_add(d.v64)
            .wrapping_add(d.text.len() as u64)
            .wrapping_add(u64::from(*first) + u64::from(*last))
            .wrapping_add(u64::from(d.nest.a))
            .wrapping_add(u64::from(d.nest.b));
    }
    Ok(report("codec", count, sum, bytes, start))
}

/// The same workload with the owned struct (`String`, `Vec<u8>`); returns a `codec-owned` line.
pub fn run_owned(count: u64) -> Result<String, String> {
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut bin = [0u8; 32];
    for (k, b) in bin.iter_mut().enumerate() {
        *b = k as u8;
    }
    let opts = DecodeOptions::default();
    let (mut sum, mut bytes) = (0u64, 0u64);
    let start = Instant::now();
    for i in 0..count {
        let u = i as u32;
        bin[0] = u as u8;
        let msg = CodecOwned {
            header: GenlHeader {
                cmd: 1,
                version: 1,
                reserved: 0,
            },
            v8: u as u8,
            v16: u as u16,
            v32: u,
            v64: u64::from(u).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            text: CODEC_STR.to_owned(),
            bin: bin.to_vec(),
            nest: CodecNest {
                a: u.wrapping_add(1),
                b: u.wrapping_add(2),
            },
        };
        buf.clear();
        let n = msg
            .encode_message(header(u), &mut buf)
            .unwrap_or_else(|e| die(&e.to_string()));
        bytes += n as u64;

        let Ok((m, _)) = MessageRef::parse(&buf) else {
            die("bad header")
        };
        if m.header.kind != HeaderType(CODEC_FAMILY) {
            die("bad header");
        }
        let d = CodecOwned::decode_message(&m, &opts).unwrap_or_else(|e| die(&e.to_string()));
        if d.header.cmd != 1 {
            die("bad genl header");
        }
        let (Some(first), Some(last)) = (d.bin.first(), d.bin.get(31)) else {
            die("short binary")
        };
        sum = sum
            .wrapping_add(u64::from(m.header.sequence))
            .wrapping_add(u64::from(d.v8))
            .wrapping_add(u64::from(d.v16))
            .wrapping_add(u64::from(d.v32))
            .wrapping_add(d.v64)
            .wrapping_add(d.text.len() as u64)
            .wrapping_add(u64::from(*first) + u64::from(*last))
            .wrapping_add(u64::from(d.nest.a))
            .wrapping_add(u64::from(d.nest.b));
    }
    Ok(report("codec-owned", count, sum, bytes, start))
}
