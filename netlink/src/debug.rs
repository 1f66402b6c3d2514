//! `NLDEBUG`: a trace of every datagram on standard error.
//!
//! Set the `NLDEBUG` environment variable before starting a program and each message sent
//! or received by a connection is printed to standard error, one line per message, with the
//! prefix `nl:`:
//!
//! ```text
//! $ NLDEBUG=1 ./my-program
//! nl: send: type=0x12 flags=request|acknowledge seq=1 pid=0 len=32
//! nl: recv: type=error flags=capped|acktlvs seq=1 pid=3412 len=72 error=-19 (No such device) msg="no device matches name" offset=24
//! ```
//!
//! The value is a comma-separated list of options (the variable is read once, the first
//! time a datagram passes):
//!
//! | value | meaning |
//! |---|---|
//! | `1` (or any non-empty value without options) | level 1, text format |
//! | `level=N` (or just `N`) | 0: off; 1: decoded headers, error codes and kernel messages; 2: also the payload of each message in hex |
//! | `format=text` | the decoded form above (default) |
//! | `format=hex` | each message (header included) as raw hex, whatever the level |
//!
//! Flags whose meaning depends on the kind of message are named as iproute2 names them, by
//! the kind [`guess_kind`] can tell without knowing the family: `capped` and `acktlvs` on
//! `NLMSG_ERROR`, `acktlvs` on `NLMSG_DONE`, `dump`, `root`, `match`, `atomic` on requests
//! asking for a dump, `replace`, `excl`, `create`, `append` on requests that create
//! (`NLM_F_CREATE` or `NLM_F_APPEND` set: `request|acknowledge|excl|create` rather than
//! `0x600`); other high bits, whose meaning only the family knows, are printed in hex. An invalid value prints one
//! warning line and enables the defaults. Malformed datagrams never panic: they print a
//! line saying what is wrong.
//!
//! The formatting is available without the environment, for tests and custom transports:
//!
//! ```
//! use netlink::debug::{format_datagram, parse_options, Direction, DebugOptions};
//! use netlink::{HeaderFlags, HeaderType, Message};
//!
//! let msg = Message::new(HeaderType(0x10), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![0; 16]);
//! let bytes = msg.to_bytes()?;
//! let opts = parse_options("level=1")?.expect("enabled");
//! assert_eq!(opts, DebugOptions::default());
//! assert_eq!(
//!     format_datagram(&opts, Direction::Send, &bytes),
//!     "nl: send: type=0x10 flags=request|acknowledge seq=0 pid=0 len=32\n",
//! );
//! assert_eq!(parse_options("0")?, None);
//! assert!(parse_options("level=9").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Formatting of untrusted bytes: no unsafe, no panics, no unchecked indexing or arithmetic.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use core::fmt;
use std::io::Write as _;
use std::sync::OnceLock;

use thiserror::Error;

use crate::ack::{parse_done, parse_error};
use crate::message::{messages, HeaderFlags, HeaderType, MessageRef, RequestKind};

/// The environment variable read.
pub const ENV_VAR: &str = "NLDEBUG";

/// Which way a datagram went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent to the kernel (or another socket).
    Send,
    /// Received.
    Recv,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Send => "send",
            Direction::Recv => "recv",
        })
    }
}

/// How messages are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Decoded headers (`format=text`, the default).
    #[default]
    Text,
    /// Raw bytes in hex (`format=hex`).
    Hex,
}

/// What to print: the parsed `NLDEBUG` value of an enabled trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DebugOptions {
    /// 1: headers, codes and kernel messages; 2: also payloads in hex.
    pub level: u8,
    /// The output format.
    pub format: Format,
}

impl Default for DebugOptions {
    /// Level 1, text: what `NLDEBUG=1` gives.
    fn default() -> Self {
        DebugOptions {
            level: 1,
            format: Format::Text,
        }
    }
}

/// The highest level with a meaning.
pub const MAX_LEVEL: u8 = 2;

/// An `NLDEBUG` value that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DebugOptionError {
    /// `level=` with something other than 0, 1 or 2.
    #[error("invalid level {value:?}: expected 0, 1 or 2")]
    Level {
        /// The value given.
        value: String,
    },
    /// `format=` with something other than `text` or `hex`.
    #[error("invalid format {value:?}: expected text or hex")]
    Format {
        /// The value given.
        value: String,
    },
    /// A key other than `level` and `format`, or a bare word that is not a level.
    #[error("unknown option {option:?}: expected level=N or format=text|hex")]
    Unknown {
        /// The option given.
        option: String,
    },
    /// The variable is not valid Unicode.
    #[error("value is not valid UTF-8")]
    NotUnicode,
}

fn parse_level(value: &str) -> Result<u8, DebugOptionError> {
    match value.trim().parse::<u8>() {
        Ok(l) if l <= MAX_LEVEL => Ok(l),
        _ => Err(DebugOptionError::Level {
            value: value.to_owned(),
        }),
    }
}

/// Parses an `NLDEBUG` value: `Ok(None)` when tracing is off (an empty value, or level 0),
/// the options otherwise.
///
/// Accepted: `1`, `2`, `0`, and comma-separated `level=N` and `format=text|hex`, in any order,
/// with spaces around items ignored; a later option overrides an earlier one.
pub fn parse_options(value: &str) -> Result<Option<DebugOptions>, DebugOptionError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let mut opts = DebugOptions::default();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.split_once('=') {
            Some((key, v)) => match key.trim() {
                "level" => opts.level = parse_level(v)?,
                "format" => {
                    opts.format = match v.trim() {
                        "text" => Format::Text,
                        "hex" => Format::Hex,
                        _ => {
                            return Err(DebugOptionError::Format {
                                value: v.to_owned(),
                            })
                        }
                    }
                }
                _ => {
                    return Err(DebugOptionError::Unknown {
                        option: item.to_owned(),
                    })
                }
            },
            None if item.bytes().all(|b| b.is_ascii_digit()) => opts.level = parse_level(item)?,
            None => {
                return Err(DebugOptionError::Unknown {
                    option: item.to_owned(),
                })
            }
        }
    }
    Ok((opts.level > 0).then_some(opts))
}

/// What the environment asks for: the options (or `None`), and a warning to print when the
/// value was invalid (tracing is then enabled with the defaults, as the user asked for it).
fn options_from(value: Option<std::ffi::OsString>) -> (Option<DebugOptions>, Option<String>) {
    let Some(value) = value else {
        return (None, None);
    };
    let parsed = match value.to_str() {
        Some(s) => parse_options(s),
        None => Err(DebugOptionError::NotUnicode),
    };
    match parsed {
        Ok(opts) => (opts, None),
        Err(e) => (
            Some(DebugOptions::default()),
            Some(format!(
                "nl: ignoring invalid {ENV_VAR} value {value:?}: {e}; using level=1,format=text\n"
            )),
        ),
    }
}

static OPTIONS: OnceLock<Option<DebugOptions>> = OnceLock::new();

/// The options from the environment, read on first use.
#[inline]
fn options() -> Option<&'static DebugOptions> {
    OPTIONS
        .get_or_init(|| {
            let (opts, warning) = options_from(std::env::var_os(ENV_VAR));
            if let Some(w) = warning {
                let _ = std::io::stderr().lock().write_all(w.as_bytes());
            }
            opts
        })
        .as_ref()
}

/// Whether `NLDEBUG` enabled tracing.
pub fn enabled() -> bool {
    options().is_some()
}

/// Traces a datagram about to be sent, when `NLDEBUG` is set; otherwise does nothing.
// Called by the connection layer.
#[cfg_attr(not(test), allow(dead_code))]
#[inline]
pub(crate) fn on_send(datagram: &[u8]) {
    trace(Direction::Send, datagram);
}

/// Traces a datagram just received, when `NLDEBUG` is set; otherwise does nothing.
// Called by the connection layer.
#[cfg_attr(not(test), allow(dead_code))]
#[inline]
pub(crate) fn on_recv(datagram: &[u8]) {
    trace(Direction::Recv, datagram);
}

#[inline]
fn trace(direction: Direction, datagram: &[u8]) {
    if let Some(opts) = options() {
        emit(opts, direction, datagram, &mut std::io::stderr().lock());
    }
}

/// Writes the trace of one datagram to `out` in one write; output errors are ignored (a
/// trace must never fail the operation it traces).
fn emit(opts: &DebugOptions, direction: Direction, datagram: &[u8], out: &mut dyn std::io::Write) {
    let text = format_datagram(opts, direction, datagram);
    let _ = out.write_all(text.as_bytes());
}

/// The trace of one datagram: one `nl: ` line per message, each ending in a newline.
pub fn format_datagram(opts: &DebugOptions, direction: Direction, datagram: &[u8]) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = write_datagram(&mut s, opts, direction, datagram);
    s
}

/// Writes the trace of one datagram into `w` (see [`format_datagram`]).
pub fn write_datagram(
    w: &mut dyn fmt::Write,
    opts: &DebugOptions,
    direction: Direction,
    datagram: &[u8],
) -> fmt::Result {
    if datagram.is_empty() {
        return writeln!(w, "nl: {direction}: empty datagram");
    }
    for m in messages(datagram) {
        match m {
            Ok(m) => {
                write!(w, "nl: {direction}: ")?;
                match opts.format {
                    Format::Hex => write_message_hex(w, datagram, &m)?,
                    Format::Text => write_message_text(w, opts, &m)?,
                }
                w.write_char('\n')?;
            }
            Err(e) => writeln!(
                w,
                "nl: {direction}: malformed datagram of {} bytes: {e}",
                datagram.len()
            )?,
        }
    }
    Ok(())
}

fn write_message_hex(w: &mut dyn fmt::Write, datagram: &[u8], m: &MessageRef<'_>) -> fmt::Result {
    let len = usize::try_from(m.header.length).unwrap_or(usize::MAX);
    let bytes = datagram
        .get(m.offset..)
        .and_then(|b| b.get(..len))
        .unwrap_or_default();
    write_hex(w, bytes)
}

fn write_hex(w: &mut dyn fmt::Write, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(w, "{b:02x}"))
}

fn write_message_text(
    w: &mut dyn fmt::Write,
    opts: &DebugOptions,
    m: &MessageRef<'_>,
) -> fmt::Result {
    let h = &m.header;
    write!(w, "type={} flags=", h.kind)?;
    write_flags(w, h.kind, h.flags)?;
    write!(w, " seq={} pid={} len={}", h.sequence, h.pid, h.length)?;
    let ack = match h.kind {
        HeaderType::ERROR => Some(parse_error(m)),
        HeaderType::DONE => Some(parse_done(m)),
        _ => None,
    };
    match ack {
        Some(Ok(ack)) => {
            if h.kind == HeaderType::ERROR || !m.data.is_empty() {
                write!(w, " error={}", ack.code)?;
                if let Some(errno) = ack.errno() {
                    write!(w, " ({})", errno_text(errno))?;
                }
            }
            let ext = &ack.ext_ack;
            if let Some(msg) = &ext.message {
                write!(w, " msg={msg:?}")?;
            }
            if let Some(o) = ext.offset {
                write!(w, " offset={o}")?;
            }
            if let Some(t) = ext.missing_type {
                write!(w, " missing_type={t}")?;
            }
            if let Some(n) = ext.missing_nest {
                write!(w, " missing_nest={n}")?;
            }
            match ext.policy_info() {
                Some(Ok(p)) => write!(w, " policy=\"{p}\"")?,
                Some(Err(e)) => write!(w, " policy=(malformed: {e})")?,
                None => {}
            }
            if let Some(c) = &ext.cookie {
                w.write_str(" cookie=")?;
                write_hex(w, c)?;
            }
            if let Some(p) = &ack.problem {
                write!(w, " (malformed: {p})")?;
            }
        }
        Some(Err(e)) => write!(w, " (malformed: {e})")?,
        None => {}
    }
    if opts.level >= 2 && !m.data.is_empty() {
        w.write_str(" payload=")?;
        write_hex(w, m.data)?;
    }
    Ok(())
}

/// The system's description of an errno, without the ` (os error N)` suffix the standard
/// library adds.
fn errno_text(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    let suffix = format!(" (os error {errno})");
    match text.strip_suffix(&suffix) {
        Some(t) => t.to_owned(),
        None => text,
    }
}

/// Writes `flags` with names, naming the high bits by the kind of message
/// ([`guess_kind`]) when it can be told.
fn write_flags(w: &mut dyn fmt::Write, kind: HeaderType, flags: HeaderFlags) -> fmt::Result {
    if kind == HeaderType::DONE {
        // NLMSG_DONE defines only `acktlvs` among the high bits.
        return crate::message::write_named_flags(w, flags, &[(0x200, "acktlvs")]);
    }
    match guess_kind(kind, flags) {
        Some(k) => write!(w, "{}", flags.display_for(k)),
        None => write!(w, "{flags}"),
    }
}

/// The kind of a message, as far as its type and flags tell without knowing the family:
/// `NLMSG_ERROR` is an acknowledgement; a request with both dump bits is a read, one with
/// `NLM_F_CREATE` or `NLM_F_APPEND` (bits no read or delete request defines) creates. The
/// other requests' high bits stay in hex: `0x100` is `replace`, `root` or `nonrec` depending
/// on the request, which only the family knows.
pub fn guess_kind(kind: HeaderType, flags: HeaderFlags) -> Option<RequestKind> {
    if kind == HeaderType::ERROR {
        return Some(RequestKind::Ack);
    }
    if !flags.contains(HeaderFlags::REQUEST) {
        return None;
    }
    if flags.contains(HeaderFlags::DUMP) {
        Some(RequestKind::Get)
    } else if flags.intersects(HeaderFlags::CREATE | HeaderFlags::APPEND) {
        Some(RequestKind::New)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ack::{NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS};
    use crate::message::{Header, Message, MessageEncoder};

    fn text(level: u8) -> DebugOptions {
        DebugOptions {
            level,
            format: Format::Text,
        }
    }

    fn msg(kind: u16, flags: u16, seq: u32, pid: u32, data: &[u8]) -> Vec<u8> {
        let mut m = Message::new(HeaderType(kind), HeaderFlags(flags), data.to_vec());
        m.header.sequence = seq;
        m.header.pid = pid;
        m.to_bytes().unwrap()
    }

    #[test]
    fn parse_valid_values() {
        let d = DebugOptions::default();
        let hex2 = DebugOptions {
            level: 2,
            format: Format::Hex,
        };
        for (value, want) in [
            ("", None),
            ("   ", None),
            ("0", None),
            ("level=0", None),
            ("level=0,format=hex", None),
            ("1", Some(d)),
            ("level=1", Some(d)),
            ("format=text", Some(d)),
            ("2", Some(text(2))),
            ("level=2", Some(text(2))),
            ("level=2,format=hex", Some(hex2)),
            (" format = hex , level = 2 ", Some(hex2)),
            ("level=1,level=2", Some(text(2))),
            ("1,", Some(d)),
            (",,1", Some(d)),
        ] {
            assert_eq!(parse_options(value), Ok(want), "{value:?}");
        }
    }

    #[test]
    fn parse_invalid_values() {
        for (value, want) in [
            ("3", DebugOptionError::Level { value: "3".into() }),
            ("level=9", DebugOptionError::Level { value: "9".into() }),
            ("level=", DebugOptionError::Level { value: "".into() }),
            ("level=-1", DebugOptionError::Level { value: "-1".into() }),
            (
                "level=300",
                DebugOptionError::Level {
                    value: "300".into(),
                },
            ),
            (
                "format=json",
                DebugOptionError::Format {
                    value: "json".into(),
                },
            ),
            (
                "yes",
                DebugOptionError::Unknown {
                    option: "yes".into(),
                },
            ),
            (
                "colour=1",
                DebugOptionError::Unknown {
                    option: "colour=1".into(),
                },
            ),
            (
                "1,verbose",
                DebugOptionError::Unknown {
                    option: "verbose".into(),
                },
            ),
        ] {
            assert_eq!(parse_options(value), Err(want), "{value:?}");
        }
        assert!(parse_options("format=json")
            .unwrap_err()
            .to_string()
            .contains("expected text or hex"));
    }

    #[test]
    fn environment_values() {
        assert_eq!(options_from(None), (None, None));
        assert_eq!(options_from(Some("0".into())), (None, None));
        assert_eq!(options_from(Some("level=2".into())), (Some(text(2)), None));
        let (opts, warning) = options_from(Some("loud".into()));
        assert_eq!(opts, Some(DebugOptions::default()));
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("nl: ignoring invalid NLDEBUG value \"loud\": unknown option"),
            "{warning}"
        );
        assert!(warning.ends_with('\n'));

        use std::os::unix::ffi::OsStringExt;
        let (opts, warning) = options_from(Some(std::ffi::OsString::from_vec(vec![0xff])));
        assert_eq!(opts, Some(DebugOptions::default()));
        assert!(warning.unwrap().contains("not valid UTF-8"));
    }

    #[test]
    fn request_line() {
        let b = msg(0x10, 0x5, 1, 0, &[0; 16]);
        assert_eq!(
            format_datagram(&text(1), Direction::Send, &b),
            "nl: send: type=0x10 flags=request|acknowledge seq=1 pid=0 len=32\n"
        );
    }

    #[test]
    fn several_messages_one_line_each() {
        let mut b = msg(0x10, 0x2, 5, 77, &[1, 2]);
        b.extend(msg(3, 0x2, 5, 77, &0i32.to_ne_bytes()));
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &b),
            "nl: recv: type=0x10 flags=multi seq=5 pid=77 len=18\n\
             nl: recv: type=done flags=multi seq=5 pid=77 len=20 error=0\n"
        );
    }

    #[test]
    fn flags_by_context() {
        let line = |kind: u16, flags: u16| {
            let b = msg(kind, flags, 0, 0, &[]);
            let s = format_datagram(&text(1), Direction::Send, &b);
            let start = s.find("flags=").unwrap() + 6;
            let end = start + s[start..].find(' ').unwrap();
            s[start..end].to_owned()
        };
        assert_eq!(line(0x12, 0x301), "request|dump");
        assert_eq!(line(0x12, 0x701), "request|dump|atomic");
        assert_eq!(line(0x12, 0x305), "request|acknowledge|dump");
        // Without REQUEST, or without both dump bits, the high bits are ambiguous.
        assert_eq!(line(0x12, 0x300), "0x300");
        assert_eq!(line(0x10, 0x101), "request|0x100");
        assert_eq!(line(0x10, 0x0), "0");
        assert_eq!(
            line(0x10, 0x3f),
            "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered"
        );
        assert_eq!(line(0x10, 0x8000), "0x8000");
        assert_eq!(line(3, 0x202), "multi|acktlvs");
        assert_eq!(line(3, 0x302), "multi|acktlvs|0x100");
        // Requests that create: iproute2's names, not `0x600`.
        assert_eq!(line(0x10, 0x605), "request|acknowledge|excl|create");
        assert_eq!(line(0x10, 0x505), "request|acknowledge|replace|create");
        assert_eq!(line(0x10, 0xc01), "request|create|append");
        // Acknowledgements.
        assert_eq!(line(2, 0x300), "capped|acktlvs");
    }

    #[test]
    fn error_line_with_ext_ack() {
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(
            &mut buf,
            Header {
                kind: HeaderType::ERROR,
                flags: HeaderFlags::CAPPED | HeaderFlags::ACK_TLVS,
                sequence: 9,
                pid: 1234,
                ..Header::default()
            },
        );
        let request = Header {
            length: 40,
            kind: HeaderType(0x15),
            flags: HeaderFlags::REQUEST,
            sequence: 9,
            pid: 0,
        };
        m.extend(&(-libc::ENODEV).to_ne_bytes())
            .extend(&request.to_bytes());
        m.attrs()
            .string(NLMSGERR_ATTR_MSG, "no device matches name")
            .u32(NLMSGERR_ATTR_OFFS, 24);
        m.finish().unwrap();
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &buf),
            "nl: recv: type=error flags=capped|acktlvs seq=9 pid=1234 len=72 error=-19 \
             (No such device) msg=\"no device matches name\" offset=24\n"
        );
        // Level 2 appends the payload.
        let s = format_datagram(&text(2), Direction::Recv, &buf);
        assert!(
            s.contains(" offset=24 payload=edffffff28000000150001000900"),
            "{s}"
        );
    }

    #[test]
    fn error_line_with_every_ext_ack_field() {
        use crate::ack::{
            NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_MISS_NEST, NLMSGERR_ATTR_MISS_TYPE,
            NLMSGERR_ATTR_POLICY,
        };
        let build = |policy_ok: bool| {
            let mut buf = Vec::new();
            let mut m = MessageEncoder::new(
                &mut buf,
                Header {
                    kind: HeaderType::ERROR,
                    flags: HeaderFlags::CAPPED | HeaderFlags::ACK_TLVS,
                    ..Header::default()
                },
            );
            m.extend(&(-libc::EINVAL).to_ne_bytes())
                .extend(&Header::default().to_bytes());
            m.attrs()
                .u32(NLMSGERR_ATTR_MISS_TYPE, 3)
                .u32(NLMSGERR_ATTR_MISS_NEST, 20)
                .bytes(NLMSGERR_ATTR_COOKIE, &[0xde, 0xad])
                .nested(NLMSGERR_ATTR_POLICY, |p| {
                    if policy_ok {
                        p.u32(1, 12).u32(7, 15);
                    } else {
                        p.u16(1, 12);
                    }
                    Ok(())
                });
            m.finish().unwrap();
            format_datagram(&text(1), Direction::Recv, &buf)
        };
        assert!(build(true).ends_with(
            "error=-22 (Invalid argument) missing_type=3 missing_nest=20 \
             policy=\"nul-string, length ..=15\" cookie=dead\n"
        ));
        assert!(build(false).contains(
            "policy=(malformed: attribute 1 at offset 0: payload of 2 bytes, expected 4)"
        ));
    }

    #[test]
    fn errno_text_strips_the_number() {
        assert_eq!(errno_text(libc::ENOENT), "No such file or directory");
        assert!(errno_text(100_000).contains("100000"));
    }

    #[test]
    fn success_ack_line() {
        let mut p = 0i32.to_ne_bytes().to_vec();
        p.extend_from_slice(&Header::default().to_bytes());
        let b = msg(2, 0x100, 3, 9, &p);
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &b),
            "nl: recv: type=error flags=capped seq=3 pid=9 len=36 error=0\n"
        );
    }

    #[test]
    fn hex_format() {
        let b = msg(0x10, 0x1, 1, 0, &[0xab, 0xcd]);
        let opts = DebugOptions {
            level: 1,
            format: Format::Hex,
        };
        assert_eq!(
            format_datagram(&opts, Direction::Send, &b),
            format!(
                "nl: send: {}\n",
                b[..18]
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect::<String>()
            )
        );
    }

    #[test]
    fn malformed_datagrams_say_so() {
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &[]),
            "nl: recv: empty datagram\n"
        );
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &[1, 2, 3]),
            "nl: recv: malformed datagram of 3 bytes: message at offset 0: 3 bytes left, fewer than a 16-byte header\n"
        );
        // A good message, then a header claiming more than is there.
        let mut b = msg(0x10, 0, 1, 0, &[]);
        b.extend(msg(0x10, 0, 2, 0, &[0; 8]));
        b.truncate(16 + 20);
        let s = format_datagram(&text(1), Direction::Recv, &b);
        let lines: Vec<_> = s.lines().collect();
        assert_eq!(lines.len(), 2, "{s}");
        assert_eq!(lines[0], "nl: recv: type=0x10 flags=0 seq=1 pid=0 len=16");
        assert_eq!(
            lines[1],
            "nl: recv: malformed datagram of 36 bytes: message at offset 16: length 24 runs past the end (20 bytes left)"
        );
        // An error message too short for its code.
        let b = msg(2, 0, 1, 0, &[1, 2]);
        assert_eq!(
            format_datagram(&text(1), Direction::Recv, &b),
            "nl: recv: type=error flags=0 seq=1 pid=0 len=18 (malformed: message at offset 16: payload of 2 bytes shorter than its 4-byte family header)\n"
        );
        // An error with a truncated echo still shows its code.
        let b = msg(2, 0, 1, 0, &(-1i32).to_ne_bytes());
        let s = format_datagram(&text(1), Direction::Recv, &b);
        assert!(
            s.contains(
                "error=-1 (Operation not permitted) (malformed: message at offset 20: 0 bytes left"
            ),
            "{s}"
        );
    }

    #[test]
    fn emit_writes_once_and_hooks_do_not_panic() {
        let b = msg(0x10, 0x5, 1, 0, &[0; 16]);
        let mut out = Vec::new();
        emit(&text(1), Direction::Send, &b, &mut out);
        assert_eq!(
            out,
            format_datagram(&text(1), Direction::Send, &b).into_bytes()
        );
        // Whatever the test environment's NLDEBUG, the hooks must not panic.
        on_send(&b);
        on_recv(&[0xff; 3]);
        assert_eq!(enabled(), options().is_some());
    }

    /// Runs this test binary again, as a child with `NLDEBUG` set, so the real environment
    /// path (read once, print to stderr) is exercised.
    #[test]
    fn environment_enables_the_trace() {
        const CHILD: &str = "NETLINK_DEBUG_TEST_CHILD";
        if std::env::var_os(CHILD).is_some() {
            on_send(&msg(0x10, 0x5, 1, 0, &[0xab; 4]));
            on_recv(&[1, 2, 3]);
            return;
        }
        let run = |value: &str| {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "debug::tests::environment_enables_the_trace",
                    "--test-threads=1",
                ])
                .env(CHILD, "1")
                .env(ENV_VAR, value)
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stderr).unwrap()
        };
        assert_eq!(
            run("level=2"),
            "nl: send: type=0x10 flags=request|acknowledge seq=1 pid=0 len=20 payload=abababab\n\
             nl: recv: malformed datagram of 3 bytes: message at offset 0: 3 bytes left, \
             fewer than a 16-byte header\n"
        );
        assert_eq!(run("0"), "");
        assert_eq!(run(""), "");
        let s = run("loud");
        let lines: Vec<_> = s.lines().collect();
        assert_eq!(lines.len(), 3, "{s}");
        assert!(lines[0].starts_with("nl: ignoring invalid NLDEBUG value \"loud\""));
        assert_eq!(
            lines[1],
            "nl: send: type=0x10 flags=request|acknowledge seq=1 pid=0 len=20"
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_datagrams_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            level in 1u8..=2,
            hex in proptest::prelude::any::<bool>(),
        ) {
            let opts = DebugOptions { level, format: if hex { Format::Hex } else { Format::Text } };
            let s = format_datagram(&opts, Direction::Recv, &bytes);
            proptest::prop_assert!(s.ends_with('\n'));
            for line in s.lines() {
                proptest::prop_assert!(line.starts_with("nl: recv: "));
            }
        }

        #[test]
        fn arbitrary_values_never_panic(value in ".{0,40}") {
            let _ = parse_options(&value);
        }
    }
}
