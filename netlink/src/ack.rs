//! Acknowledgements and errors from the kernel: decoding of `NLMSG_ERROR` and `NLMSG_DONE`.
//!
//! The kernel answers a request that asked for an acknowledgement (`NLM_F_ACK`), or that
//! failed, with an `NLMSG_ERROR` message whose payload is a `struct nlmsgerr`:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `error`: 0 (success) or a negative errno |
//! | 4 | 16 | the request's header, echoed |
//! | 20 | `len - 16` | the request's payload, echoed, unless `NLM_F_CAPPED` is set |
//! | 4-byte boundary | ... | `NLMSGERR_ATTR_*` attributes, when `NLM_F_ACK_TLVS` is set |
//!
//! The kernel sets `NLM_F_CAPPED` on every success and on errors of a socket with
//! `NETLINK_CAP_ACK`; it adds the attributes (the extended acknowledgement, [`ExtAck`]) when
//! the socket enabled `NETLINK_EXT_ACK` and it has something to say. A dump ends with
//! `NLMSG_DONE`, whose payload is empty or an `int` code, possibly followed by the same
//! attributes.
//!
//! [`parse_error`] and [`parse_done`] never lose the error code: once the first four bytes
//! are there, whatever follows them may be truncated or malformed and the code is still
//! returned, with what could be read and the first problem found in [`Ack::problem`].
//!
//! ```
//! use netlink::ack::{parse_error, NLMSGERR_ATTR_MSG};
//! use netlink::{AttributeEncoder, Header, HeaderFlags, HeaderType, MessageEncoder, MessageRef};
//!
//! // A capped error with a message, as the kernel sends it.
//! let request = Header { length: 32, kind: HeaderType(18), flags: HeaderFlags::REQUEST, sequence: 9, pid: 0 };
//! let mut buf = Vec::new();
//! let mut m = MessageEncoder::new(&mut buf, Header {
//!     kind: HeaderType::ERROR,
//!     flags: HeaderFlags::CAPPED | HeaderFlags::ACK_TLVS,
//!     sequence: 9,
//!     ..Header::default()
//! });
//! m.extend(&(-libc::ENODEV).to_ne_bytes()).extend(&request.to_bytes());
//! m.attrs().string(NLMSGERR_ATTR_MSG, "no device matches name");
//! m.finish()?;
//!
//! let (msg, _) = MessageRef::parse(&buf)?;
//! let ack = parse_error(&msg)?;
//! assert_eq!(ack.code, -libc::ENODEV);
//! assert!(ack.capped);
//! assert_eq!(ack.request, Some(request));
//! assert_eq!(ack.ext_ack.message.as_deref(), Some("no device matches name"));
//!
//! let err = netlink::Error::from(ack.to_op_error("execute", 9).expect("an error, not an ack"));
//! assert!(err.is_not_found());
//! assert!(err.to_string().contains("no device matches name"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use core::fmt;

use crate::attr::{Attr, Attrs};
use crate::enc;
use crate::error::{DecodeError, Error, ExtAck, OpError};
use crate::message::{Header, HeaderFlags, MessageRef, HEADER_LEN};

/// `NLMSGERR_ATTR_MSG`: the kernel's explanation (a string).
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: offset in the request of the attribute at fault (`u32`).
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: an opaque cookie (binary).
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: the policy of the rejected attribute (nested
/// `NL_POLICY_TYPE_ATTR_*`).
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute (`u32`).
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: offset in the request of the nest lacking it (`u32`).
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// Size of the error code that starts `NLMSG_ERROR` and `NLMSG_DONE` payloads.
const CODE_LEN: usize = 4;

/// A decoded `NLMSG_ERROR` or `NLMSG_DONE` message: the code and what came with it.
///
/// A `code` of 0 is a success (an acknowledgement, or the normal end of a dump); the
/// extended acknowledgement may then still carry a warning message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack<'a> {
    /// 0, or a negative errno, exactly as sent.
    pub code: i32,
    /// The request's header as echoed (`NLMSG_ERROR` only; `None` when the payload stops
    /// before it).
    pub request: Option<Header>,
    /// The request's payload as echoed; empty when capped, or when the echo was truncated
    /// (see [`Ack::problem`]).
    pub request_payload: &'a [u8],
    /// Whether only the request's header was echoed (`NLM_F_CAPPED`, or an error with
    /// nothing after the echoed header and no attributes, as older kernels send).
    pub capped: bool,
    /// The extended acknowledgement (`NLMSGERR_ATTR_*`), empty when none was sent.
    pub ext_ack: ExtAck,
    /// The first problem found after the code (a truncated echo, a malformed attribute);
    /// whatever could be read before it is kept.
    pub problem: Option<DecodeError>,
}

impl Ack<'_> {
    /// The positive errno behind a non-zero code (see [`errno_of`]), or `None` for success.
    pub fn errno(&self) -> Option<i32> {
        errno_of(self.code)
    }

    /// Whether the code reports success.
    pub fn is_success(&self) -> bool {
        self.code == 0
    }

    /// The operation error this acknowledgement reports, or `None` when its code is 0.
    ///
    /// `op` names the operation (`"execute"`, `"receive"`, ...) and `sequence` the request it
    /// answered.
    pub fn to_op_error(&self, op: &'static str, sequence: u32) -> Option<OpError> {
        let errno = self.errno()?;
        Some(OpError {
            op,
            errno,
            sequence,
            capped: self.capped,
            ext_ack: self.ext_ack.clone(),
        })
    }

    /// The bytes of the echoed request at `offset` from the start of its header, such as
    /// the attribute [`ExtAck::offset`] points at. `None` when capped or out of range.
    pub fn request_bytes_at(&self, offset: u32) -> Option<&[u8]> {
        let offset = usize::try_from(offset).ok()?;
        let start = offset.checked_sub(HEADER_LEN)?;
        self.request_payload.get(start..)
    }
}

/// The positive errno of a code: `-code` for the negative codes the kernel sends, the code
/// itself when a (non-kernel) sender used a positive value, `None` for 0. `i32::MIN`, which
/// has no positive counterpart, saturates to `i32::MAX`.
pub fn errno_of(code: i32) -> Option<i32> {
    match code {
        0 => None,
        c if c < 0 => Some(c.checked_neg().unwrap_or(i32::MAX)),
        c => Some(c),
    }
}

/// Whether an `NLMSG_ERROR` message is a plain acknowledgement (error code 0): the fast
/// path of batches, where [`parse_error`] of such a message always yields success (the
/// echoed request is not needed: the outer header's sequence number names the request).
pub(crate) fn is_success(msg: &MessageRef<'_>) -> bool {
    matches!(read_code(msg), Ok(0))
}

/// Reads the error code at the start of a payload.
fn read_code(msg: &MessageRef<'_>) -> Result<i32, DecodeError> {
    msg.data
        .get(..CODE_LEN)
        .and_then(|b| enc::i32(b).ok())
        .ok_or(DecodeError::FamilyHeaderTruncated {
            offset: msg.payload_offset(),
            expected: CODE_LEN,
            actual: msg.data.len(),
        })
}

/// What a parsed acknowledgement or `NLMSG_DONE` (`parsed`, from [`parse_error`] or
/// [`parse_done`]) says of request `sequence` of operation `op`: success, the kernel's
/// error, or why the message could not be read.
#[inline]
pub(crate) fn outcome(
    parsed: Result<Ack<'_>, DecodeError>,
    op: &'static str,
    sequence: u32,
) -> Result<(), Error> {
    match parsed?.to_op_error(op, sequence) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// Decodes an `NLMSG_ERROR` message (the caller has checked its type).
///
/// Only a payload shorter than its 4-byte code is an error. Both layouts are accepted:
/// capped (the request's header only) and uncapped (the whole request, `msg.length` bytes),
/// each with or without extended-acknowledgement attributes after the echo.
pub fn parse_error<'a>(msg: &MessageRef<'a>) -> Result<Ack<'a>, DecodeError> {
    let code = read_code(msg)?;
    let flags = msg.header.flags;
    let base = msg.payload_offset();
    let echo_offset = base.saturating_add(CODE_LEN);
    let after_code = msg.data.get(CODE_LEN..).unwrap_or_default();
    let mut ack = Ack {
        code,
        request: None,
        request_payload: &[],
        capped: flags.contains(HeaderFlags::CAPPED),
        ext_ack: ExtAck::default(),
        problem: None,
    };

    let Some((echoed, after_header)) = after_code.split_at_checked(HEADER_LEN) else {
        ack.problem = Some(DecodeError::MessageHeaderTruncated {
            offset: echo_offset,
            available: after_code.len(),
        });
        return Ok(ack);
    };
    let request = Header::from_bytes(echoed)?;
    ack.request = Some(request);
    let tlvs = flags.contains(HeaderFlags::ACK_TLVS);

    // Where the attributes start, relative to `after_header`.
    let mut tlv_start = 0usize;
    if !ack.capped {
        let request_len = usize::try_from(request.length).unwrap_or(usize::MAX);
        let payload_len = request_len.saturating_sub(HEADER_LEN);
        if after_header.is_empty() && !tlvs && payload_len > 0 {
            // Older kernels cap without saying so.
            ack.capped = true;
        } else if request_len < HEADER_LEN {
            ack.problem = Some(DecodeError::MessageTooShort {
                offset: echo_offset,
                len: request.length,
            });
            return Ok(ack);
        } else if let Some(payload) = after_header.get(..payload_len) {
            ack.request_payload = payload;
            tlv_start = enc::align(payload_len).unwrap_or(usize::MAX);
        } else {
            ack.problem = Some(DecodeError::MessageTruncated {
                offset: echo_offset,
                len: request.length,
                available: after_code.len(),
            });
            return Ok(ack);
        }
    }

    if tlvs {
        let tlv_offset = echo_offset
            .saturating_add(HEADER_LEN)
            .saturating_add(tlv_start);
        let attrs = after_header.get(tlv_start..).unwrap_or_default();
        let (ext_ack, problem) = decode_ext_ack(attrs, tlv_offset);
        ack.ext_ack = ext_ack;
        ack.problem = problem;
    }
    Ok(ack)
}

/// Decodes an `NLMSG_DONE` message (the caller has checked its type).
///
/// An empty payload is a success (code 0). Otherwise the payload starts with a 4-byte code
/// (shorter is an error), followed by extended-acknowledgement attributes when
/// `NLM_F_ACK_TLVS` is set. A `DONE` echoes no request: `request` is `None`, `capped` false.
pub fn parse_done<'a>(msg: &MessageRef<'a>) -> Result<Ack<'a>, DecodeError> {
    let mut ack = Ack {
        code: 0,
        request: None,
        request_payload: &[],
        capped: false,
        ext_ack: ExtAck::default(),
        problem: None,
    };
    if msg.data.is_empty() {
        return Ok(ack);
    }
    ack.code = read_code(msg)?;
    if msg.header.flags.contains(HeaderFlags::ACK_TLVS) {
        let attrs = msg.data.get(CODE_LEN..).unwrap_or_default();
        let offset = msg.payload_offset().saturating_add(CODE_LEN);
        let (ext_ack, problem) = decode_ext_ack(attrs, offset);
        ack.ext_ack = ext_ack;
        ack.problem = problem;
    }
    Ok(ack)
}

/// Decodes `NLMSGERR_ATTR_*` attributes found at `offset` of the datagram.
///
/// Returns every field that could be read and the first problem met: a malformed attribute
/// ends the walk (its length cannot be trusted), a field of the wrong size is skipped.
/// Unknown attribute types are ignored. A message that is not valid UTF-8 is kept with
/// replacement characters; a missing NUL terminator is tolerated.
pub fn decode_ext_ack(buf: &[u8], offset: usize) -> (ExtAck, Option<DecodeError>) {
    let mut ext = ExtAck::default();
    let mut problem = None;
    for attr in Attrs::with_offset(buf, offset) {
        let attr = match attr {
            Ok(a) => a,
            Err(e) => {
                problem.get_or_insert(e);
                break;
            }
        };
        if let Err(e) = decode_ext_ack_attr(&mut ext, &attr) {
            problem.get_or_insert(e);
        }
    }
    (ext, problem)
}

fn decode_ext_ack_attr(ext: &mut ExtAck, attr: &Attr<'_>) -> Result<(), DecodeError> {
    match attr.attr_type() {
        NLMSGERR_ATTR_MSG => {
            let p = attr.payload();
            let text = p.split(|&b| b == 0).next().unwrap_or_default();
            ext.message = Some(String::from_utf8_lossy(text).into());
        }
        NLMSGERR_ATTR_OFFS => ext.offset = Some(attr.u32()?),
        NLMSGERR_ATTR_COOKIE => ext.cookie = Some(attr.payload().into()),
        NLMSGERR_ATTR_POLICY => ext.policy = Some(attr.payload().into()),
        NLMSGERR_ATTR_MISS_TYPE => ext.missing_type = Some(attr.u32()?),
        NLMSGERR_ATTR_MISS_NEST => ext.missing_nest = Some(attr.u32()?),
        _ => {}
    }
    Ok(())
}

/// The kind of an attribute in a kernel policy (`enum netlink_attribute_type`,
/// `NL_ATTR_TYPE_*`). Values this crate does not name are kept as they are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PolicyType(pub u32);

impl PolicyType {
    /// `NL_ATTR_TYPE_INVALID`.
    pub const INVALID: PolicyType = PolicyType(0);
    /// `NL_ATTR_TYPE_FLAG`: present or absent, no payload.
    pub const FLAG: PolicyType = PolicyType(1);
    /// `NL_ATTR_TYPE_U8`.
    pub const U8: PolicyType = PolicyType(2);
    /// `NL_ATTR_TYPE_U16`.
    pub const U16: PolicyType = PolicyType(3);
    /// `NL_ATTR_TYPE_U32`.
    pub const U32: PolicyType = PolicyType(4);
    /// `NL_ATTR_TYPE_U64`.
    pub const U64: PolicyType = PolicyType(5);
    /// `NL_ATTR_TYPE_S8`.
    pub const S8: PolicyType = PolicyType(6);
    /// `NL_ATTR_TYPE_S16`.
    pub const S16: PolicyType = PolicyType(7);
    /// `NL_ATTR_TYPE_S32`.
    pub const S32: PolicyType = PolicyType(8);
    /// `NL_ATTR_TYPE_S64`.
    pub const S64: PolicyType = PolicyType(9);
    /// `NL_ATTR_TYPE_BINARY`: bytes, with optional length bounds.
    pub const BINARY: PolicyType = PolicyType(10);
    /// `NL_ATTR_TYPE_STRING`: a string, with optional length bounds.
    pub const STRING: PolicyType = PolicyType(11);
    /// `NL_ATTR_TYPE_NUL_STRING`: a NUL-terminated string.
    pub const NUL_STRING: PolicyType = PolicyType(12);
    /// `NL_ATTR_TYPE_NESTED`: a nested attribute set.
    pub const NESTED: PolicyType = PolicyType(13);
    /// `NL_ATTR_TYPE_NESTED_ARRAY`: an array of nested attribute sets.
    pub const NESTED_ARRAY: PolicyType = PolicyType(14);
    /// `NL_ATTR_TYPE_BITFIELD32`: a `struct nla_bitfield32`.
    pub const BITFIELD32: PolicyType = PolicyType(15);
    /// `NL_ATTR_TYPE_SINT`: a signed integer of 4 or 8 bytes.
    pub const SINT: PolicyType = PolicyType(16);
    /// `NL_ATTR_TYPE_UINT`: an unsigned integer of 4 or 8 bytes.
    pub const UINT: PolicyType = PolicyType(17);

    /// The lower-case name of a known type (`"u32"`, `"nul-string"`, ...).
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "invalid",
            1 => "flag",
            2 => "u8",
            3 => "u16",
            4 => "u32",
            5 => "u64",
            6 => "s8",
            7 => "s16",
            8 => "s32",
            9 => "s64",
            10 => "binary",
            11 => "string",
            12 => "nul-string",
            13 => "nested",
            14 => "nested-array",
            15 => "bitfield32",
            16 => "sint",
            17 => "uint",
            _ => return None,
        })
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "type {}", self.0),
        }
    }
}

impl fmt::Debug for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `NL_POLICY_TYPE_ATTR_TYPE`.
pub const NL_POLICY_TYPE_ATTR_TYPE: u16 = 1;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`.
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_S: u16 = 2;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`.
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_S: u16 = 3;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`.
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_U: u16 = 4;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`.
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_U: u16 = 5;
/// `NL_POLICY_TYPE_ATTR_MIN_LENGTH`.
pub const NL_POLICY_TYPE_ATTR_MIN_LENGTH: u16 = 6;
/// `NL_POLICY_TYPE_ATTR_MAX_LENGTH`.
pub const NL_POLICY_TYPE_ATTR_MAX_LENGTH: u16 = 7;
/// `NL_POLICY_TYPE_ATTR_POLICY_IDX`.
pub const NL_POLICY_TYPE_ATTR_POLICY_IDX: u16 = 8;
/// `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`.
pub const NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: u16 = 9;
/// `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`.
pub const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: u16 = 10;
/// `NL_POLICY_TYPE_ATTR_PAD`.
pub const NL_POLICY_TYPE_ATTR_PAD: u16 = 11;
/// `NL_POLICY_TYPE_ATTR_MASK`.
pub const NL_POLICY_TYPE_ATTR_MASK: u16 = 12;

/// The policy of an attribute the kernel rejected (`NLMSGERR_ATTR_POLICY`, made of
/// `NL_POLICY_TYPE_ATTR_*` attributes): what the kernel would have accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PolicyInfo {
    /// `NL_POLICY_TYPE_ATTR_TYPE`: the kind of attribute expected.
    pub kind: Option<PolicyType>,
    /// `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`: smallest value of a signed integer.
    pub min_value_signed: Option<i64>,
    /// `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`: largest value of a signed integer.
    pub max_value_signed: Option<i64>,
    /// `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`: smallest value of an unsigned integer.
    pub min_value_unsigned: Option<u64>,
    /// `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`: largest value of an unsigned integer.
    pub max_value_unsigned: Option<u64>,
    /// `NL_POLICY_TYPE_ATTR_MIN_LENGTH`: shortest payload of a binary or string attribute.
    pub min_length: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_MAX_LENGTH`: longest payload of a binary or string attribute.
    pub max_length: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_POLICY_IDX`: index of the policy of a nest's contents.
    pub policy_idx: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`: highest attribute type of that policy.
    pub policy_max_type: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`: the valid bits of a bitfield32.
    pub bitfield32_mask: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_MASK`: the valid bits of an unsigned integer.
    pub mask: Option<u64>,
}

impl PolicyInfo {
    /// Decodes the payload of an `NLMSGERR_ATTR_POLICY` attribute. Unknown attributes (and
    /// the pad) are ignored; 64-bit values are also accepted in 4 bytes.
    pub fn decode(buf: &[u8]) -> Result<PolicyInfo, DecodeError> {
        let mut p = PolicyInfo::default();
        for attr in Attrs::new(buf) {
            let attr = attr?;
            match attr.attr_type() {
                NL_POLICY_TYPE_ATTR_TYPE => p.kind = Some(PolicyType(attr.u32()?)),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_S => p.min_value_signed = Some(signed(&attr)?),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_S => p.max_value_signed = Some(signed(&attr)?),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_U => p.min_value_unsigned = Some(unsigned(&attr)?),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_U => p.max_value_unsigned = Some(unsigned(&attr)?),
                NL_POLICY_TYPE_ATTR_MIN_LENGTH => p.min_length = Some(attr.u32()?),
                NL_POLICY_TYPE_ATTR_MAX_LENGTH => p.max_length = Some(attr.u32()?),
                NL_POLICY_TYPE_ATTR_POLICY_IDX => p.policy_idx = Some(attr.u32()?),
                NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE => p.policy_max_type = Some(attr.u32()?),
                NL_POLICY_TYPE_ATTR_BITFIELD32_MASK => p.bitfield32_mask = Some(attr.u32()?),
                NL_POLICY_TYPE_ATTR_MASK => p.mask = Some(unsigned(&attr)?),
                _ => {}
            }
        }
        Ok(p)
    }
}

fn unsigned(attr: &Attr<'_>) -> Result<u64, DecodeError> {
    match attr.payload().len() {
        4 => attr.u32().map(u64::from),
        _ => attr.u64(),
    }
}

fn signed(attr: &Attr<'_>) -> Result<i64, DecodeError> {
    match attr.payload().len() {
        4 => attr.i32().map(i64::from),
        _ => attr.i64(),
    }
}

impl fmt::Display for PolicyInfo {
    /// A short description: `u32, range 1..=4094`, `string, length ..=15`, `nested (policy
    /// 3, max type 7)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Some(k) => write!(f, "{k}")?,
            None => f.write_str("attribute")?,
        }
        fn range<T: fmt::Display>(
            f: &mut fmt::Formatter<'_>,
            what: &str,
            lo: Option<T>,
            hi: Option<T>,
        ) -> fmt::Result {
            match (lo, hi) {
                (None, None) => Ok(()),
                (Some(l), Some(h)) => write!(f, ", {what} {l}..={h}"),
                (Some(l), None) => write!(f, ", {what} {l}.."),
                (None, Some(h)) => write!(f, ", {what} ..={h}"),
            }
        }
        range(f, "range", self.min_value_signed, self.max_value_signed)?;
        range(f, "range", self.min_value_unsigned, self.max_value_unsigned)?;
        range(f, "length", self.min_length, self.max_length)?;
        if let Some(m) = self.mask {
            write!(f, ", mask {m:#x}")?;
        }
        if let Some(m) = self.bitfield32_mask {
            write!(f, ", bitfield mask {m:#x}")?;
        }
        match (self.policy_idx, self.policy_max_type) {
            (Some(i), Some(m)) => write!(f, " (policy {i}, max type {m})"),
            (Some(i), None) => write!(f, " (policy {i})"),
            (None, Some(m)) => write!(f, " (max type {m})"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::AttributeEncoder;
    use crate::message::{HeaderType, MessageEncoder};

    const REQ_PAYLOAD: [u8; 6] = [1, 2, 3, 4, 5, 6];

    fn request_header() -> Header {
        Header {
            length: (HEADER_LEN + REQ_PAYLOAD.len()) as u32,
            kind: HeaderType(0x12),
            flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
            sequence: 77,
            pid: 4242,
        }
    }

    #[test]
    fn is_success_agrees_with_parse_error() {
        let ext: &dyn Fn(&mut AttributeEncoder<'_>) = &|ae| {
            ae.string(NLMSGERR_ATTR_MSG, "a warning");
        };
        for code in [0, -17, 5, i32::MIN] {
            for capped in [false, true] {
                for tlvs in [None, Some(ext)] {
                    let buf = error_msg(code, capped, tlvs);
                    let (m, _) = MessageRef::parse(&buf).unwrap();
                    let parsed = parse_error(&m).unwrap().to_op_error("t", 77);
                    assert_eq!(is_success(&m), parsed.is_none(), "code {code}");
                }
            }
        }
        // Too short for a code: not a success (parse_error reports it as malformed).
        let mut short = error_msg(0, true, None);
        short.truncate(HEADER_LEN + 2);
        short[..4].copy_from_slice(&((HEADER_LEN + 2) as u32).to_ne_bytes());
        let (m, _) = MessageRef::parse(&short).unwrap();
        assert!(!is_success(&m));
        assert!(parse_error(&m).is_err());
    }

    /// Builds an NLMSG_ERROR datagram.
    fn error_msg(
        code: i32,
        capped: bool,
        tlvs: Option<&dyn Fn(&mut AttributeEncoder<'_>)>,
    ) -> Vec<u8> {
        let mut flags = HeaderFlags::EMPTY;
        if capped {
            flags |= HeaderFlags::CAPPED;
        }
        if tlvs.is_some() {
            flags |= HeaderFlags::ACK_TLVS;
        }
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::ERROR,
                flags,
                sequence: 77,
                ..Header::default()
            },
        );
        m.extend(&code.to_ne_bytes())
            .extend(&request_header().to_bytes());
        if !capped {
            m.extend_padded(&REQ_PAYLOAD);
        }
        if let Some(f) = tlvs {
            let mut ae = m.attrs();
            f(&mut ae);
            ae.finish().unwrap();
        }
        m.finish().unwrap();
        buf
    }

    fn full_tlvs(ae: &mut AttributeEncoder<'_>) {
        ae.string(NLMSGERR_ATTR_MSG, "bad thing")
            .u32(NLMSGERR_ATTR_OFFS, 20)
            .bytes(NLMSGERR_ATTR_COOKIE, &[9, 8, 7])
            .nested(NLMSGERR_ATTR_POLICY, |p| {
                p.u32(NL_POLICY_TYPE_ATTR_TYPE, 4)
                    .u64(NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1)
                    .u64(NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 4094);
                Ok(())
            })
            .u32(NLMSGERR_ATTR_MISS_TYPE, 3)
            .u32(NLMSGERR_ATTR_MISS_NEST, 24)
            .u32(99, 1); // unknown: ignored
    }

    fn parse(buf: &[u8]) -> Ack<'_> {
        let (m, _) = MessageRef::parse(buf).unwrap();
        match m.header.kind {
            HeaderType::DONE => parse_done(&m).unwrap(),
            _ => parse_error(&m).unwrap(),
        }
    }

    #[test]
    fn success_ack_capped() {
        let buf = error_msg(0, true, None);
        let ack = parse(&buf);
        assert_eq!(ack.code, 0);
        assert!(ack.is_success());
        assert!(ack.capped);
        assert_eq!(ack.request, Some(request_header()));
        assert!(ack.request_payload.is_empty());
        assert!(ack.ext_ack.is_empty());
        assert_eq!(ack.problem, None);
        assert_eq!(ack.to_op_error("execute", 77), None);
    }

    #[test]
    fn error_uncapped_without_tlvs() {
        let buf = error_msg(-libc::EINVAL, false, None);
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EINVAL);
        assert!(!ack.capped);
        assert_eq!(ack.request_payload, &REQ_PAYLOAD);
        assert!(ack.ext_ack.is_empty());
        assert_eq!(ack.problem, None);
        let e = ack.to_op_error("execute", 77).unwrap();
        assert_eq!(e.errno, libc::EINVAL);
        assert_eq!(e.sequence, 77);
        assert_eq!(e.op, "execute");
        assert!(!e.capped);
    }

    #[test]
    fn error_uncapped_with_tlvs_after_padded_echo() {
        let buf = error_msg(-libc::ERANGE, false, Some(&full_tlvs));
        let ack = parse(&buf);
        assert_eq!(ack.problem, None);
        assert_eq!(ack.request_payload, &REQ_PAYLOAD);
        assert_eq!(ack.ext_ack.message.as_deref(), Some("bad thing"));
        assert_eq!(ack.ext_ack.offset, Some(20));
        assert_eq!(ack.ext_ack.cookie.as_deref(), Some(&[9u8, 8, 7][..]));
        assert_eq!(ack.ext_ack.missing_type, Some(3));
        assert_eq!(ack.ext_ack.missing_nest, Some(24));
        let policy = ack.ext_ack.policy_info().unwrap().unwrap();
        assert_eq!(policy.kind, Some(PolicyType::U32));
        assert_eq!(policy.min_value_unsigned, Some(1));
        assert_eq!(policy.max_value_unsigned, Some(4094));
        assert_eq!(policy.to_string(), "u32, range 1..=4094");
        assert_eq!(ack.request_bytes_at(20), Some(&REQ_PAYLOAD[4..]));
        assert_eq!(ack.request_bytes_at(4), None);
        assert_eq!(ack.request_bytes_at(100), None);
    }

    #[test]
    fn error_capped_with_tlvs() {
        let buf = error_msg(-libc::ENODEV, true, Some(&full_tlvs));
        let ack = parse(&buf);
        assert!(ack.capped);
        assert!(ack.request_payload.is_empty());
        assert_eq!(ack.ext_ack.message.as_deref(), Some("bad thing"));
        assert_eq!(ack.ext_ack.missing_nest, Some(24));
        assert_eq!(ack.problem, None);
        let e = ack.to_op_error("receive", 1).unwrap();
        assert!(e.capped);
        assert_eq!(e.ext_ack, ack.ext_ack);
    }

    #[test]
    fn success_with_warning_message() {
        let buf = error_msg(
            0,
            true,
            Some(&|ae| {
                ae.string(NLMSGERR_ATTR_MSG, "deprecated");
            }),
        );
        let ack = parse(&buf);
        assert!(ack.is_success());
        assert_eq!(ack.ext_ack.message.as_deref(), Some("deprecated"));
        assert!(ack.to_op_error("execute", 0).is_none());
    }

    #[test]
    fn old_kernel_capped_without_flag() {
        // Error, uncapped by flag, but only the header echoed and nothing after it.
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::ERROR,
                ..Header::default()
            },
        );
        m.extend(&(-libc::EPERM).to_ne_bytes())
            .extend(&request_header().to_bytes());
        m.finish().unwrap();
        let ack = parse(&buf);
        assert!(ack.capped);
        assert_eq!(ack.problem, None);
        assert_eq!(ack.code, -libc::EPERM);
    }

    #[test]
    fn code_only_payload_keeps_code() {
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::ERROR,
                ..Header::default()
            },
        );
        m.extend(&(-libc::EBUSY).to_ne_bytes());
        m.finish().unwrap();
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EBUSY);
        assert_eq!(ack.request, None);
        assert!(matches!(
            ack.problem,
            Some(DecodeError::MessageHeaderTruncated {
                offset: 20,
                available: 0
            })
        ));
        assert_eq!(ack.to_op_error("execute", 3).unwrap().errno, libc::EBUSY);
    }

    #[test]
    fn truncated_echo_keeps_code_and_header() {
        let mut buf = error_msg(-libc::EEXIST, false, None);
        // Claim a much longer request than was echoed.
        let long = 400u32.to_ne_bytes();
        buf[20..24].copy_from_slice(&long);
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EEXIST);
        assert_eq!(ack.request.map(|h| h.length), Some(400));
        assert!(ack.request_payload.is_empty());
        assert!(matches!(
            ack.problem,
            Some(DecodeError::MessageTruncated {
                offset: 20,
                len: 400,
                ..
            })
        ));
    }

    #[test]
    fn echoed_length_below_header_is_a_problem() {
        let mut buf = error_msg(-libc::EEXIST, false, None);
        buf[20..24].copy_from_slice(&3u32.to_ne_bytes());
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EEXIST);
        assert!(matches!(
            ack.problem,
            Some(DecodeError::MessageTooShort { offset: 20, len: 3 })
        ));
    }

    #[test]
    fn malformed_tlvs_keep_what_was_read() {
        let mut buf = error_msg(
            -libc::EINVAL,
            true,
            Some(&|ae| {
                ae.string(NLMSGERR_ATTR_MSG, "first")
                    .u32(NLMSGERR_ATTR_OFFS, 5);
            }),
        );
        // Break the second attribute's length: 200 runs past the end.
        let second = 16 + 4 + 16 + 12;
        buf[second..second + 2].copy_from_slice(&200u16.to_ne_bytes());
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EINVAL);
        assert_eq!(ack.ext_ack.message.as_deref(), Some("first"));
        assert_eq!(ack.ext_ack.offset, None);
        assert!(matches!(
            ack.problem,
            Some(DecodeError::AttrTruncated {
                offset: 48,
                attr_type: NLMSGERR_ATTR_OFFS,
                len: 200,
                ..
            })
        ));
    }

    #[test]
    fn wrong_size_field_is_skipped_not_fatal() {
        let buf = error_msg(
            -libc::EINVAL,
            true,
            Some(&|ae| {
                ae.u16(NLMSGERR_ATTR_OFFS, 5)
                    .string(NLMSGERR_ATTR_MSG, "after");
            }),
        );
        let ack = parse(&buf);
        assert_eq!(ack.ext_ack.offset, None);
        assert_eq!(ack.ext_ack.message.as_deref(), Some("after"));
        assert!(matches!(
            ack.problem,
            Some(DecodeError::PayloadSize {
                attr_type: NLMSGERR_ATTR_OFFS,
                expected: 4,
                actual: 2,
                ..
            })
        ));
    }

    #[test]
    fn message_without_nul_or_utf8_is_kept() {
        let buf = error_msg(
            -libc::EINVAL,
            true,
            Some(&|ae| {
                ae.bytes(NLMSGERR_ATTR_MSG, b"no nul \xff");
            }),
        );
        let ack = parse(&buf);
        assert_eq!(ack.ext_ack.message.as_deref(), Some("no nul \u{fffd}"));
        assert_eq!(ack.problem, None);
    }

    #[test]
    fn short_payload_is_an_error() {
        for n in 0..4 {
            let mut buf = Vec::new();
            let mut m = MessageEncoder::new(
                &mut buf,
                Header {
                    kind: HeaderType::ERROR,
                    ..Header::default()
                },
            );
            m.extend(&[0xff; 3][..n]);
            m.finish().unwrap();
            let (msg, _) = MessageRef::parse(&buf).unwrap();
            let err = parse_error(&msg).unwrap_err();
            assert_eq!(
                err,
                DecodeError::FamilyHeaderTruncated {
                    offset: 16,
                    expected: 4,
                    actual: n
                }
            );
        }
    }

    fn done_msg(payload: &[u8], tlvs: bool) -> Vec<u8> {
        let mut flags = HeaderFlags::MULTI;
        if tlvs {
            flags |= HeaderFlags::ACK_TLVS;
        }
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::DONE,
                flags,
                ..Header::default()
            },
        );
        m.extend(payload);
        m.finish().unwrap();
        buf
    }

    #[test]
    fn done_variants() {
        let buf = done_msg(&[], false);
        let ack = parse(&buf);
        assert_eq!((ack.code, ack.request, ack.capped), (0, None, false));

        let buf = done_msg(&0i32.to_ne_bytes(), false);
        let ack = parse(&buf);
        assert!(ack.is_success());

        let buf = done_msg(&(-libc::EINTR).to_ne_bytes(), false);
        let ack = parse(&buf);
        assert_eq!(ack.errno(), Some(libc::EINTR));
        assert!(ack.ext_ack.is_empty());

        let mut p = (-libc::EINVAL).to_ne_bytes().to_vec();
        let mut ae = AttributeEncoder::new(&mut p);
        ae.string(NLMSGERR_ATTR_MSG, "filter not supported")
            .u32(NLMSGERR_ATTR_OFFS, 32);
        ae.finish().unwrap();
        let buf = done_msg(&p, true);
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::EINVAL);
        assert_eq!(ack.ext_ack.message.as_deref(), Some("filter not supported"));
        assert_eq!(ack.ext_ack.offset, Some(32));
        assert_eq!(ack.problem, None);

        // Same bytes without the flag: the attributes are not looked at.
        let buf = done_msg(&p, false);
        assert!(parse(&buf).ext_ack.is_empty());

        for n in 1..4 {
            let buf = done_msg(&[0; 3][..n], false);
            let (m, _) = MessageRef::parse(&buf).unwrap();
            assert!(parse_done(&m).is_err());
        }
    }

    #[test]
    fn out_of_range_codes() {
        assert_eq!(errno_of(0), None);
        assert_eq!(errno_of(-2), Some(2));
        assert_eq!(errno_of(5), Some(5));
        assert_eq!(errno_of(i32::MIN), Some(i32::MAX));
        assert_eq!(errno_of(i32::MAX), Some(i32::MAX));
        for code in [i32::MIN, i32::MAX, 1, -4096, -100_000] {
            let buf = error_msg(code, false, None);
            let ack = parse(&buf);
            assert_eq!(ack.code, code);
            let e = ack.to_op_error("execute", 1).unwrap();
            assert!(e.errno > 0);
            // Display must not panic either.
            assert!(e.to_string().starts_with("netlink execute: "));
        }
    }

    #[test]
    fn policy_info_decoding() {
        let mut b = Vec::new();
        let mut ae = AttributeEncoder::new(&mut b);
        ae.u32(NL_POLICY_TYPE_ATTR_TYPE, PolicyType::S16.0)
            .i64(NL_POLICY_TYPE_ATTR_MIN_VALUE_S, -5)
            .i32(NL_POLICY_TYPE_ATTR_MAX_VALUE_S, 7)
            .u32(NL_POLICY_TYPE_ATTR_MIN_LENGTH, 2)
            .u32(NL_POLICY_TYPE_ATTR_MAX_LENGTH, 16)
            .u32(NL_POLICY_TYPE_ATTR_POLICY_IDX, 3)
            .u32(NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE, 9)
            .u32(NL_POLICY_TYPE_ATTR_BITFIELD32_MASK, 0xf0)
            .u64(NL_POLICY_TYPE_ATTR_MASK, 0xff00)
            .u32(NL_POLICY_TYPE_ATTR_PAD, 0)
            .u32(200, 0);
        ae.finish().unwrap();
        let p = PolicyInfo::decode(&b).unwrap();
        assert_eq!(
            p,
            PolicyInfo {
                kind: Some(PolicyType::S16),
                min_value_signed: Some(-5),
                max_value_signed: Some(7),
                min_value_unsigned: None,
                max_value_unsigned: None,
                min_length: Some(2),
                max_length: Some(16),
                policy_idx: Some(3),
                policy_max_type: Some(9),
                bitfield32_mask: Some(0xf0),
                mask: Some(0xff00),
            }
        );
        assert_eq!(
            p.to_string(),
            "s16, range -5..=7, length 2..=16, mask 0xff00, bitfield mask 0xf0 (policy 3, max type 9)"
        );
        assert_eq!(PolicyInfo::default().to_string(), "attribute");
        assert_eq!(PolicyType(99).to_string(), "type 99");
        assert_eq!(format!("{:?}", PolicyType::NUL_STRING), "nul-string");
        for t in 0..18 {
            assert!(PolicyType(t).name().is_some());
        }

        // A wrong size is an error naming the attribute.
        let mut b = Vec::new();
        let mut ae = AttributeEncoder::new(&mut b);
        ae.u16(NL_POLICY_TYPE_ATTR_TYPE, 4);
        ae.finish().unwrap();
        assert!(matches!(
            PolicyInfo::decode(&b),
            Err(DecodeError::PayloadSize {
                offset: 0,
                attr_type: NL_POLICY_TYPE_ATTR_TYPE,
                ..
            })
        ));
    }

    #[test]
    fn uncapped_header_only_request_then_tlvs() {
        let request = Header {
            length: 16,
            kind: HeaderType(0x10),
            flags: HeaderFlags::REQUEST,
            sequence: 1,
            pid: 0,
        };
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::ERROR,
                flags: HeaderFlags::ACK_TLVS,
                ..Header::default()
            },
        );
        m.extend(&(-libc::EOPNOTSUPP).to_ne_bytes())
            .extend(&request.to_bytes());
        m.attrs().u32(NLMSGERR_ATTR_MISS_TYPE, 7);
        m.finish().unwrap();
        let ack = parse(&buf);
        assert!(!ack.capped);
        assert_eq!(ack.request, Some(request));
        assert!(ack.request_payload.is_empty());
        assert_eq!(ack.ext_ack.missing_type, Some(7));
        assert_eq!(ack.problem, None);
    }

    #[test]
    fn trailing_bytes_after_tlvs_are_a_problem() {
        let mut buf = error_msg(
            -libc::EINVAL,
            true,
            Some(&|ae| {
                ae.u32(NLMSGERR_ATTR_OFFS, 5);
            }),
        );
        buf.extend_from_slice(&[1, 2]);
        let len = buf.len() as u32;
        buf[..4].copy_from_slice(&len.to_ne_bytes());
        let ack = parse(&buf);
        assert_eq!(ack.ext_ack.offset, Some(5));
        assert_eq!(
            ack.problem,
            Some(DecodeError::AttrHeaderTruncated {
                offset: 44,
                available: 2
            })
        );
    }

    #[test]
    fn done_with_malformed_tlvs_keeps_code() {
        let mut p = (-libc::ENOMEM).to_ne_bytes().to_vec();
        p.extend_from_slice(&[3, 0, 1, 0]); // length 3 < 4
        let buf = done_msg(&p, true);
        let ack = parse(&buf);
        assert_eq!(ack.code, -libc::ENOMEM);
        assert!(ack.ext_ack.is_empty());
        assert_eq!(
            ack.problem,
            Some(DecodeError::AttrTooShort {
                offset: 20,
                attr_type: 1,
                len: 3
            })
        );
    }

    #[test]
    fn malformed_policy_is_reported_on_demand() {
        let buf = error_msg(
            -libc::ERANGE,
            true,
            Some(&|ae| {
                ae.nested(NLMSGERR_ATTR_POLICY, |p| {
                    p.u16(NL_POLICY_TYPE_ATTR_MIN_VALUE_S, 1);
                    Ok(())
                });
            }),
        );
        let ack = parse(&buf);
        // The raw bytes are kept; decoding them says what is wrong.
        assert_eq!(ack.problem, None);
        assert_eq!(ack.ext_ack.policy.as_deref().map(<[u8]>::len), Some(8));
        assert!(matches!(
            ack.ext_ack.policy_info(),
            Some(Err(DecodeError::PayloadSize {
                attr_type: NL_POLICY_TYPE_ATTR_MIN_VALUE_S,
                expected: 8,
                actual: 2,
                ..
            }))
        ));
        // The error still displays, without the policy.
        let s = ack.to_op_error("execute", 0).unwrap().to_string();
        assert!(!s.contains("expected"), "{s}");
        assert!(PolicyInfo::decode(&[8, 0, 1, 0, 4]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_payloads_never_panic(
            flags in proptest::prelude::any::<u16>(),
            kind in 2u16..4,
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            let mut buf = Vec::new();
            let mut m = MessageEncoder::new(&mut buf, Header { kind: HeaderType(kind), flags: HeaderFlags(flags), ..Header::default() });
            m.extend(&payload);
            m.finish().unwrap();
            let (msg, _) = MessageRef::parse(&buf).unwrap();
            let r = if kind == 2 { parse_error(&msg) } else { parse_done(&msg) };
            match r {
                Ok(ack) => {
                    // The code is always the first four bytes.
                    let code = payload.get(..4).map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap()));
                    proptest::prop_assert_eq!(ack.code, code);
                    let e = ack.to_op_error("execute", 1);
                    proptest::prop_assert_eq!(e.is_some(), code != 0);
                    if let Some(e) = e {
                        let _ = e.to_string();
                    }
                    if let Some(Ok(p)) = ack.ext_ack.policy_info() {
                        let _ = p.to_string();
                    }
                }
                Err(_) => proptest::prop_assert!(payload.len() < 4 && !(kind == 3 && payload.is_empty())),
            }
        }

        #[test]
        fn arbitrary_ext_ack_never_panics(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let (ext, _) = decode_ext_ack(&bytes, 36);
            let _ = PolicyInfo::decode(&bytes);
            if let Some(Ok(p)) = ext.policy_info() {
                let _ = p.to_string();
            }
        }
    }
}
