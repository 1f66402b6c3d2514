//! Workload W4 `codec` through the raw codec: encode and decode one generic netlink message
//! per iteration with [`MessageEncoder`] and [`AttributeEncoder`](netlink::AttributeEncoder),
//! then [`messages`] and the [`Attr`](netlink::Attr) getters. No kernel involved.
//!
//! The message: `nlmsghdr` (type 0x1234, `NLM_F_REQUEST`, sequence = iteration) + `genlmsghdr`
//! (cmd 1, version 1) + u8, u16, u32, u64, a 12-character NUL-terminated string, 32 bytes of
//! binary and a nest of two u32s: 132 bytes. The checksum sums, with wrapping, every decoded
//! value: sequence, u8, u16, u32, u64, string length, first and last binary byte, both nested
//! u32s.

use std::fmt;
use std::hint::black_box;
use std::time::Instant;

use netlink::{
    messages, DecodeError, EncodeError, Header, HeaderFlags, HeaderType, MessageEncoder,
};

/// Iterations when no count is given.
pub const DEFAULT_COUNT: u64 = 1_000_000;
/// The generic netlink family id the message is sent to.
pub const FAMILY: HeaderType = HeaderType(0x1234);
/// Length of the encoded message.
pub const MSG_LEN: usize = 132;

const A_U8: u16 = 1;
const A_U16: u16 = 2;
const A_U32: u16 = 3;
const A_U64: u16 = 4;
const A_STR: u16 = 5;
const A_BIN: u16 = 6;
const A_NEST: u16 = 7;
const N_A: u16 = 1;
const N_B: u16 = 2;
const TEXT: &str = "nlbench-str!";
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
/// Attributes decoded per message: seven at the top level, two nested.
const ATTRS_PER_MSG: u32 = 9;

/// What can go wrong in one iteration.
#[derive(Debug)]
pub enum CodecError {
    /// The encoder refused the message.
    Encode(EncodeError),
    /// The decoder found malformed bytes.
    Decode(DecodeError),
    /// The bytes decoded, but not to the message encoded.
    Unexpected(&'static str),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Encode(e) => write!(f, "encode: {e}"),
            CodecError::Decode(e) => write!(f, "decode: {e}"),
            CodecError::Unexpected(what) => write!(f, "decode: {what}"),
        }
    }
}

impl From<EncodeError> for CodecError {
    fn from(e: EncodeError) -> Self {
        CodecError::Encode(e)
    }
}

impl From<DecodeError> for CodecError {
    fn from(e: DecodeError) -> Self {
        CodecError::Decode(e)
    }
}

/// The binary attribute's payload: bytes 0..32, the first replaced per iteration.
pub fn initial_bin() -> [u8; 32] {
    let mut bin = [0u8; 32];
    for (b, v) in bin.iter_mut().zip(0u8..) {
        *b = v;
    }
    bin
}

/// Encodes the message of iteration `u` into `buf` (cleared first) and returns its length.
#[inline]
pub fn encode(buf: &mut Vec<u8>, u: u32, bin: &mut [u8; 32]) -> Result<usize, CodecError> {
    buf.clear();
    let mut m = MessageEncoder::new(
        buf,
        Header {
            length: 0,
            kind: FAMILY,
            flags: HeaderFlags::REQUEST,
            sequence: u,
            pid: 0,
        },
    );
    m.extend(&[1, 1, 0, 0]); // struct genlmsghdr: cmd 1, version 1
    let [low, ..] = u.to_le_bytes();
    if let Some(first) = bin.first_mut() {
        *first = low;
    }
    let mut ae = m.attrs();
    ae.u8(A_U8, low)
        .u16(A_U16, u as u16)
        .u32(A_U32, u)
        .u64(A_U64, u64::from(u).wrapping_mul(GOLDEN))
        .string(A_STR, TEXT)
        .bytes(A_BIN, bin)
        .nested(A_NEST, |n| {
            n.u32(N_A, u.wrapping_add(1)).u32(N_B, u.wrapping_add(2));
            Ok(())
        });
    Ok(m.finish()?)
}

/// Decodes the message in `buf` and returns the sum of its values.
#[inline]
pub fn decode(buf: &[u8]) -> Result<u64, CodecError> {
    let msg = messages(buf)
        .next()
        .ok_or(CodecError::Unexpected("no message"))??;
    if msg.header.kind != FAMILY {
        return Err(CodecError::Unexpected("wrong message type"));
    }
    let (genl, _) = msg.split_family_header(4)?;
    if genl.first() != Some(&1) {
        return Err(CodecError::Unexpected("wrong generic netlink command"));
    }
    let mut sum = u64::from(msg.header.sequence);
    let mut seen = 0u32;
    for attr in msg.attrs(4)? {
        let attr = attr?;
        let v = match attr.attr_type() {
            A_U8 => u64::from(attr.u8()?),
            A_U16 => u64::from(attr.u16()?),
            A_U32 => u64::from(attr.u32()?),
            A_U64 => attr.u64()?,
            A_STR => attr.string()?.len() as u64,
            A_BIN => {
                let b = attr.array::<32>()?;
                u64::from(b[0]) + u64::from(b[31])
            }
            A_NEST => {
                let mut nested_sum = 0u64;
                for n in attr.nested()? {
                    let n = n?;
                    let v = n.u32()?;
                    if let N_A | N_B = n.attr_type() {
                        nested_sum = nested_sum.wrapping_add(u64::from(v));
                        seen += 1;
                    }
                }
                nested_sum
            }
            _ => 0,
        };
        sum = sum.wrapping_add(v);
        seen += 1;
    }
    if seen != ATTRS_PER_MSG {
        return Err(CodecError::Unexpected("wrong number of attributes"));
    }
    Ok(sum)
}

/// The sum that [`decode`] must return for iteration `u`, computed from the definition.
pub fn expected_sum(u: u32) -> u64 {
    let low = u64::from(u as u8);
    let values = [
        u64::from(u),                      // sequence
        low,                               // u8
        u64::from(u as u16),               // u16
        u64::from(u),                      // u32
        u64::from(u).wrapping_mul(GOLDEN), // u64
        TEXT.len() as u64,                 // string length
        low,                               // bin[0]
        31,                                // bin[31]
        u64::from(u.wrapping_add(1)),      // nested A
        u64::from(u.wrapping_add(2)),      // nested B
    ];
    values.iter().fold(0u64, |s, v| s.wrapping_add(*v))
}

/// Runs `count` iterations; returns the checksum and the total encoded bytes.
pub fn iterate(count: u64) -> Result<(u64, u64), CodecError> {
    let mut buf = Vec::with_capacity(512);
    let mut bin = initial_bin();
    let mut checksum = 0u64;
    let mut bytes = 0u64;
    for i in 0..count {
        let len = encode(&mut buf, i as u32, &mut bin)?;
        if len != MSG_LEN {
            return Err(CodecError::Unexpected(
                "encoded message of the wrong length",
            ));
        }
        bytes = bytes.wrapping_add(len as u64);
        checksum = checksum.wrapping_add(decode(black_box(&buf))?);
    }
    Ok((checksum, bytes))
}

/// The workload: `codec items=N checksum=C msg_bytes=132 ns_per_op=X`.
pub fn run(count: u64) -> Result<String, String> {
    let start = Instant::now();
    let (checksum, bytes) = iterate(count).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    // Outside the timed loop: the checksum must be the one the definition gives.
    let expected = (0..count).fold(0u64, |s, i| s.wrapping_add(expected_sum(i as u32)));
    if checksum != expected {
        return Err(format!("checksum {checksum}, expected {expected}"));
    }
    let per_op = elapsed.as_secs_f64() * 1e9 / count.max(1) as f64;
    Ok(format!(
        "codec items={count} checksum={checksum} msg_bytes={} ns_per_op={per_op:.1}",
        bytes / count.max(1)
    ))
}
