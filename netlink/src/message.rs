//! Netlink messages: the 16-byte header, its type and flags, owned and borrowed messages, and
//! the iterator over the messages of one datagram.
//!
//! A message is a [`Header`] (laid out exactly like the kernel's `struct nlmsghdr`, in native
//! byte order) followed by a payload. A datagram carries one or more messages, each padded to
//! 4 bytes; the last one may be unpadded.
//!
//! ```
//! use netlink::{messages, Header, HeaderFlags, HeaderType, Message};
//!
//! let msg = Message::new(HeaderType(0x10), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![1, 2, 3, 4]);
//! let mut buf = Vec::new();
//! msg.encode_into(&mut buf).unwrap();
//! msg.encode_into(&mut buf).unwrap();
//!
//! let mut n = 0;
//! for m in messages(&buf) {
//!     let m = m.unwrap();
//!     assert_eq!(m.header.length, 20);
//!     assert_eq!(m.data, &[1, 2, 3, 4]);
//!     n += 1;
//! }
//! assert_eq!(n, 2);
//! ```

// Codec code: no unsafe, no panics, no unchecked indexing or arithmetic on any input.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)
)]

use core::fmt;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

use crate::attr::Attrs;
use crate::enc;
use crate::error::{DecodeError, EncodeError, ValidateError};

/// Size of a message header (`struct nlmsghdr`).
pub const HEADER_LEN: usize = 16;

/// The type of a message (`nlmsg_type`): one of the control types below, or a family's own.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HeaderType(pub u16);

impl HeaderType {
    /// `NLMSG_NOOP`: nothing; to be ignored.
    pub const NOOP: HeaderType = HeaderType(1);
    /// `NLMSG_ERROR`: an error code, or an acknowledgement when the code is 0.
    pub const ERROR: HeaderType = HeaderType(2);
    /// `NLMSG_DONE`: the end of a multi-part reply.
    pub const DONE: HeaderType = HeaderType(3);
    /// `NLMSG_OVERRUN`: data was lost.
    pub const OVERRUN: HeaderType = HeaderType(4);
    /// `NLMSG_MIN_TYPE`: the first type free for families' own messages.
    pub const MIN_TYPE: HeaderType = HeaderType(0x10);

    /// The name of a control type, if this is one.
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("noop"),
            2 => Some("error"),
            3 => Some("done"),
            4 => Some("overrun"),
            _ => None,
        }
    }
}

impl fmt::Display for HeaderType {
    /// The name of a control type (`noop`, `error`, `done`, `overrun`), any other in hex.
    ///
    /// ```
    /// use netlink::HeaderType;
    ///
    /// assert_eq!(HeaderType::DONE.to_string(), "done");
    /// assert_eq!(HeaderType(0x10).to_string(), "0x10");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{:#x}", self.0),
        }
    }
}

impl fmt::Debug for HeaderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<u16> for HeaderType {
    fn from(v: u16) -> Self {
        HeaderType(v)
    }
}

impl From<HeaderType> for u16 {
    fn from(v: HeaderType) -> Self {
        v.0
    }
}

/// The flags of a message (`nlmsg_flags`).
///
/// The bits from `0x100` up mean different things for different requests: `ROOT`, `MATCH` and
/// `ATOMIC` on a get request, `REPLACE`, `EXCL`, `CREATE` and `APPEND` on a new request,
/// `NONREC` and `BULK` on a delete request, and `CAPPED` and `ACK_TLVS` on an
/// acknowledgement, so several constants share a value.
///
/// ```
/// use netlink::HeaderFlags;
///
/// let flags = HeaderFlags::REQUEST | HeaderFlags::DUMP;
/// assert!(flags.contains(HeaderFlags::ROOT | HeaderFlags::MATCH));
/// assert!(!flags.contains(HeaderFlags::ACKNOWLEDGE));
/// assert_eq!(flags & !HeaderFlags::REQUEST, HeaderFlags::DUMP);
/// assert_eq!(flags.bits(), 0x301);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HeaderFlags(pub u16);

impl HeaderFlags {
    /// No flag.
    pub const EMPTY: HeaderFlags = HeaderFlags(0);
    /// `NLM_F_REQUEST`: a request.
    pub const REQUEST: HeaderFlags = HeaderFlags(0x1);
    /// `NLM_F_MULTI`: part of a multi-part reply ended by `NLMSG_DONE`.
    pub const MULTI: HeaderFlags = HeaderFlags(0x2);
    /// `NLM_F_ACK`: asks for an acknowledgement.
    pub const ACKNOWLEDGE: HeaderFlags = HeaderFlags(0x4);
    /// `NLM_F_ECHO`: asks for the request to be echoed.
    pub const ECHO: HeaderFlags = HeaderFlags(0x8);
    /// `NLM_F_DUMP_INTR`: the dump was inconsistent because the data changed during it.
    pub const DUMP_INTERRUPTED: HeaderFlags = HeaderFlags(0x10);
    /// `NLM_F_DUMP_FILTERED`: the dump was filtered as requested.
    pub const DUMP_FILTERED: HeaderFlags = HeaderFlags(0x20);
    /// `NLM_F_ROOT` (get requests): return the whole table.
    pub const ROOT: HeaderFlags = HeaderFlags(0x100);
    /// `NLM_F_MATCH` (get requests): return every matching entry.
    pub const MATCH: HeaderFlags = HeaderFlags(0x200);
    /// `NLM_F_ATOMIC` (get requests): an atomic snapshot.
    pub const ATOMIC: HeaderFlags = HeaderFlags(0x400);
    /// `NLM_F_DUMP` (get requests): `ROOT | MATCH`.
    pub const DUMP: HeaderFlags = HeaderFlags(0x300);
    /// `NLM_F_REPLACE` (new requests): replace an existing object.
    pub const REPLACE: HeaderFlags = HeaderFlags(0x100);
    /// `NLM_F_EXCL` (new requests): fail if the object exists.
    pub const EXCL: HeaderFlags = HeaderFlags(0x200);
    /// `NLM_F_CREATE` (new requests): create the object if it does not exist.
    pub const CREATE: HeaderFlags = HeaderFlags(0x400);
    /// `NLM_F_APPEND` (new requests): add to the end of the list.
    pub const APPEND: HeaderFlags = HeaderFlags(0x800);
    /// `NLM_F_NONREC` (delete requests): do not delete recursively.
    pub const NONREC: HeaderFlags = HeaderFlags(0x100);
    /// `NLM_F_BULK` (delete requests): delete several objects.
    pub const BULK: HeaderFlags = HeaderFlags(0x200);
    /// `NLM_F_CAPPED` (acknowledgements): the echoed request holds only its header.
    pub const CAPPED: HeaderFlags = HeaderFlags(0x100);
    /// `NLM_F_ACK_TLVS` (acknowledgements): extended-acknowledgement attributes follow.
    pub const ACK_TLVS: HeaderFlags = HeaderFlags(0x200);

    /// The raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: HeaderFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: HeaderFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Names of the flags whose meaning never depends on the message.
pub(crate) const FLAG_NAMES: [(u16, &str); 6] = [
    (0x1, "request"),
    (0x2, "multi"),
    (0x4, "acknowledge"),
    (0x8, "echo"),
    (0x10, "dumpinterrupted"),
    (0x20, "dumpfiltered"),
];

impl fmt::Display for HeaderFlags {
    /// Names the flags whose meaning does not depend on the request (`request`, `multi`,
    /// `acknowledge`, `echo`, `dumpinterrupted`, `dumpfiltered`), joined by `|`, and prints the
    /// remaining bits in hex: `request|acknowledge|0x1000`. No flag prints as `0`.
    ///
    /// ```
    /// use netlink::HeaderFlags;
    ///
    /// let f = HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags(0x1000);
    /// assert_eq!(f.to_string(), "request|acknowledge|0x1000");
    /// assert_eq!((HeaderFlags::MULTI | HeaderFlags::DUMP).to_string(), "multi|0x300");
    /// assert_eq!(HeaderFlags::EMPTY.to_string(), "0");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = FLAG_NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, name)| *name);
        let left = FLAG_NAMES.iter().fold(self.0, |left, (bit, _)| left & !bit);
        write_flag_list(f, names, left)
    }
}

/// Writes `names` joined by `|`, then the unnamed bits `left` in hex; `0` when there is
/// neither.
pub(crate) fn write_flag_list<'n>(
    w: &mut dyn fmt::Write,
    names: impl IntoIterator<Item = &'n str>,
    left: u16,
) -> fmt::Result {
    let mut first = true;
    for name in names {
        if !first {
            w.write_char('|')?;
        }
        w.write_str(name)?;
        first = false;
    }
    if left != 0 {
        if !first {
            w.write_char('|')?;
        }
        write!(w, "{left:#x}")?;
    } else if first {
        w.write_char('0')?;
    }
    Ok(())
}

impl fmt::Debug for HeaderFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What a message asks for or reports, which decides what the high bits of its flags
/// (`0x100`..`0x800`) mean: the kinds of `<linux/netlink.h>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// A request that creates or changes (`RTM_NEW*`): `replace`, `excl`, `create`, `append`.
    New,
    /// A request that reads (`RTM_GET*`): `root`, `match`, `atomic`, and `dump` for both of
    /// `root|match`.
    Get,
    /// A request that deletes (`RTM_DEL*`): `nonrec`, `bulk`.
    Delete,
    /// An error message or acknowledgement (`NLMSG_ERROR`): `capped`, `acktlvs`.
    Ack,
}

impl RequestKind {
    /// The names of the high flag bits for this kind, widest first.
    pub const fn flag_names(self) -> &'static [(u16, &'static str)] {
        match self {
            RequestKind::New => &[
                (0x100, "replace"),
                (0x200, "excl"),
                (0x400, "create"),
                (0x800, "append"),
            ],
            RequestKind::Get => &[
                (0x300, "dump"),
                (0x100, "root"),
                (0x200, "match"),
                (0x400, "atomic"),
            ],
            RequestKind::Delete => &[(0x100, "nonrec"), (0x200, "bulk")],
            RequestKind::Ack => &[(0x100, "capped"), (0x200, "acktlvs")],
        }
    }
}

impl HeaderFlags {
    /// Displays the flags with the high bits named as `kind` defines them, which plain
    /// [`Display`](fmt::Display) cannot know:
    ///
    /// ```
    /// use netlink::{HeaderFlags, RequestKind};
    ///
    /// let f = HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags::CREATE | HeaderFlags::EXCL;
    /// assert_eq!(f.to_string(), "request|acknowledge|0x600");
    /// assert_eq!(f.display_for(RequestKind::New).to_string(), "request|acknowledge|excl|create");
    /// let dump = HeaderFlags::REQUEST | HeaderFlags::DUMP;
    /// assert_eq!(dump.display_for(RequestKind::Get).to_string(), "request|dump");
    /// ```
    pub fn display_for(self, kind: RequestKind) -> impl fmt::Display {
        KindFlags(self, kind)
    }
}

struct KindFlags(HeaderFlags, RequestKind);

impl fmt::Display for KindFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_named_flags(f, self.0, self.1.flag_names())
    }
}

/// Writes `flags` naming the fixed low bits and then the high bits of `high` (widest first),
/// the rest in hex.
pub(crate) fn write_named_flags(
    w: &mut dyn fmt::Write,
    flags: HeaderFlags,
    high: &[(u16, &'static str)],
) -> fmt::Result {
    let mut names: [&str; 12] = [""; 12];
    let mut n = 0usize;
    let mut left = flags.bits();
    for &(bit, name) in FLAG_NAMES.iter().chain(high) {
        if left & bit == bit {
            if let Some(slot) = names.get_mut(n) {
                *slot = name;
                n = n.saturating_add(1);
                left &= !bit;
            }
        }
    }
    write_flag_list(w, names.iter().take(n).copied(), left)
}

impl BitOr for HeaderFlags {
    type Output = HeaderFlags;
    fn bitor(self, rhs: Self) -> Self {
        HeaderFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for HeaderFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for HeaderFlags {
    type Output = HeaderFlags;
    fn bitand(self, rhs: Self) -> Self {
        HeaderFlags(self.0 & rhs.0)
    }
}

impl BitAndAssign for HeaderFlags {
    fn bitand_assign(&mut self, rhs: Self) {
        self.0 &= rhs.0;
    }
}

impl Not for HeaderFlags {
    type Output = HeaderFlags;
    fn not(self) -> Self {
        HeaderFlags(!self.0)
    }
}

impl From<u16> for HeaderFlags {
    fn from(v: u16) -> Self {
        HeaderFlags(v)
    }
}

impl From<HeaderFlags> for u16 {
    fn from(v: HeaderFlags) -> Self {
        v.0
    }
}

/// A message header, laid out like the kernel's `struct nlmsghdr` (native byte order):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | `length` (header included) |
/// | 4 | 2 | `kind` |
/// | 6 | 2 | `flags` |
/// | 8 | 4 | `sequence` |
/// | 12 | 4 | `pid` (port id) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// Length of the message, this header included. Zero asks the encoder to fill it in.
    pub length: u32,
    /// The message type.
    pub kind: HeaderType,
    /// The flags.
    pub flags: HeaderFlags,
    /// The sequence number, which replies copy from their request.
    pub sequence: u32,
    /// The port id of the sender (0 for the kernel).
    pub pid: u32,
}

impl Header {
    /// The header's 16 bytes.
    #[inline]
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        let (len, rest) = b.split_at_mut(4);
        let (kind, rest) = rest.split_at_mut(2);
        let (flags, rest) = rest.split_at_mut(2);
        let (seq, pid) = rest.split_at_mut(4);
        len.copy_from_slice(&self.length.to_ne_bytes());
        kind.copy_from_slice(&self.kind.0.to_ne_bytes());
        flags.copy_from_slice(&self.flags.0.to_ne_bytes());
        seq.copy_from_slice(&self.sequence.to_ne_bytes());
        pid.copy_from_slice(&self.pid.to_ne_bytes());
        b
    }

    /// Reads a header from the first 16 bytes of `b`.
    #[inline]
    pub fn from_bytes(b: &[u8]) -> Result<Header, DecodeError> {
        // Field by field, each read the width it is written with.
        let fields = || {
            let (length, rest) = b.split_first_chunk::<4>()?;
            let (kind, rest) = rest.split_first_chunk::<2>()?;
            let (flags, rest) = rest.split_first_chunk::<2>()?;
            let (sequence, rest) = rest.split_first_chunk::<4>()?;
            let pid = rest.first_chunk::<4>()?;
            Some(Header {
                length: u32::from_ne_bytes(*length),
                kind: HeaderType(u16::from_ne_bytes(*kind)),
                flags: HeaderFlags(u16::from_ne_bytes(*flags)),
                sequence: u32::from_ne_bytes(*sequence),
                pid: u32::from_ne_bytes(*pid),
            })
        };
        fields().ok_or(DecodeError::MessageHeaderTruncated {
            offset: 0,
            available: b.len(),
        })
    }
}

/// An owned netlink message: a header and its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Message {
    /// The header.
    pub header: Header,
    /// The payload after the header (for most families: a family header, then attributes).
    pub data: Vec<u8>,
}

impl Message {
    /// A message of type `kind` with `flags` and payload `data`; length, sequence and port id
    /// are left 0 for the encoder or the connection to fill in.
    pub fn new(kind: HeaderType, flags: HeaderFlags, data: Vec<u8>) -> Message {
        Message {
            header: Header {
                kind,
                flags,
                ..Header::default()
            },
            data,
        }
    }

    /// Decodes the first message of `b`, copying its payload (the Go package's
    /// `Message.UnmarshalBinary`). Bytes after it are ignored; use [`messages`] for all.
    ///
    /// ```
    /// use netlink::{DecodeError, HeaderFlags, HeaderType, Message};
    ///
    /// let mut b = Vec::new();
    /// b.extend_from_slice(&20u32.to_ne_bytes()); // length
    /// b.extend_from_slice(&3u16.to_ne_bytes()); // type: NLMSG_DONE
    /// b.extend_from_slice(&2u16.to_ne_bytes()); // flags: NLM_F_MULTI
    /// b.extend_from_slice(&9u32.to_ne_bytes()); // sequence
    /// b.extend_from_slice(&0u32.to_ne_bytes()); // port id
    /// b.extend_from_slice(&0i32.to_ne_bytes()); // payload
    ///
    /// let m = Message::decode(&b)?;
    /// assert_eq!(m.header.kind, HeaderType::DONE);
    /// assert_eq!(m.header.flags, HeaderFlags::MULTI);
    /// assert_eq!(m.header.sequence, 9);
    /// assert_eq!(m.data, [0; 4]);
    ///
    /// // A length past the end of the buffer:
    /// assert_eq!(
    ///     Message::decode(&b[..18]),
    ///     Err(DecodeError::MessageTruncated { offset: 0, len: 20, available: 18 })
    /// );
    /// # Ok::<(), DecodeError>(())
    /// ```
    pub fn decode(b: &[u8]) -> Result<Message, DecodeError> {
        MessageRef::parse(b).map(|(m, _)| m.to_owned())
    }

    /// The length of the encoded message without trailing padding.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN.saturating_add(self.data.len())
    }

    /// Appends the message to `buf`, padded to 4 bytes (the Go package's
    /// `Message.MarshalBinary`). A zero `header.length` is computed; a non-zero one must equal
    /// the encoded length. Nothing is allocated when `buf` has room.
    #[inline]
    pub fn encode_into(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = self.encoded_len();
        let len32 = checked_length(self.header.length, len)?;
        let padded = enc::align(len).ok_or(EncodeError::MessageTooLong { len })?;
        buf.reserve(padded);
        let header = Header {
            length: len32,
            ..self.header
        };
        buf.extend_from_slice(&header.to_bytes());
        buf.extend_from_slice(&self.data);
        pad(buf, padded.saturating_sub(len));
        Ok(())
    }

    /// The encoded message in a new buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::new();
        self.encode_into(&mut buf)?;
        Ok(buf)
    }

    /// A borrowed view of this message, for the functions that read a [`MessageRef`] (such as
    /// [`ack::parse_error`](crate::ack::parse_error) or a derived type's decoder).
    ///
    /// (Named so as not to shadow [`AsRef::as_ref`].)
    pub fn as_message_ref(&self) -> MessageRef<'_> {
        MessageRef {
            header: self.header,
            data: &self.data,
            offset: 0,
        }
    }
}

/// The length field for a message of `len` bytes whose header declared `declared`: a zero
/// declaration is filled in, any other must equal `len`.
#[inline]
pub(crate) fn checked_length(declared: u32, len: usize) -> Result<u32, EncodeError> {
    let len32 = u32::try_from(len).map_err(|_| EncodeError::MessageTooLong { len })?;
    if declared != 0 && declared != len32 {
        return Err(EncodeError::LengthMismatch {
            header_len: declared,
            actual: len,
        });
    }
    Ok(len32)
}

/// Appends `n` (at most 4) zero bytes: one fixed-size copy, then a cut.
#[inline(always)]
pub(crate) fn pad(buf: &mut Vec<u8>, n: usize) {
    let end = buf.len().saturating_add(n.min(4));
    buf.extend_from_slice(&[0; 4]);
    buf.truncate(end);
}

/// A message borrowed from a receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef<'a> {
    /// The header.
    pub header: Header,
    /// The payload: the `header.length - 16` bytes after the header.
    pub data: &'a [u8],
    /// Offset of the message in the buffer it was parsed from.
    pub offset: usize,
}

/// A message to decode from, borrowed: `&Message` or `&MessageRef` (what
/// [`NlAttrs::decode_message`](crate::NlAttrs::decode_message) and
/// [`NlAttrs::from_message`](crate::NlAttrs::from_message) take).
pub trait AsMessageRef<'a> {
    /// The message as a [`MessageRef`] (an owned message has offset 0).
    fn message_ref(self) -> MessageRef<'a>;
}

impl<'a> AsMessageRef<'a> for &'a Message {
    #[inline]
    fn message_ref(self) -> MessageRef<'a> {
        MessageRef {
            header: self.header,
            data: &self.data,
            offset: 0,
        }
    }
}

impl<'a> AsMessageRef<'a> for &MessageRef<'a> {
    #[inline]
    fn message_ref(self) -> MessageRef<'a> {
        *self
    }
}

impl<'a> MessageRef<'a> {
    /// Parses the first message of `b`; returns it and the bytes after it (past its padding).
    ///
    /// The message is checked like every message of [`messages`]: a header that does not fit,
    /// a length under 16 bytes or past the end of `b` is an error.
    #[inline]
    pub fn parse(b: &'a [u8]) -> Result<(MessageRef<'a>, &'a [u8]), DecodeError> {
        Self::parse_at(b, 0)
    }

    #[inline]
    fn parse_at(b: &'a [u8], offset: usize) -> Result<(MessageRef<'a>, &'a [u8]), DecodeError> {
        let header = Header::from_bytes(b).map_err(|_| DecodeError::MessageHeaderTruncated {
            offset,
            available: b.len(),
        })?;
        let len = header.length;
        let ulen = len as usize;
        if ulen < HEADER_LEN {
            return Err(DecodeError::MessageTooShort { offset, len });
        }
        let (whole, _) = b
            .split_at_checked(ulen)
            .ok_or(DecodeError::MessageTruncated {
                offset,
                len,
                available: b.len(),
            })?;
        let data = whole.get(HEADER_LEN..).unwrap_or_default();
        let next = enc::align(ulen).unwrap_or(usize::MAX).min(b.len());
        let rest = b.get(next..).unwrap_or_default();
        Ok((
            MessageRef {
                header,
                data,
                offset,
            },
            rest,
        ))
    }

    /// Copies the message into an owned [`Message`].
    pub fn to_owned(&self) -> Message {
        Message {
            header: self.header,
            data: self.data.to_vec(),
        }
    }

    /// Splits the payload into a fixed family header of `len` bytes (such as `struct
    /// genlmsghdr` or `struct ifinfomsg`) and what follows it, padded to 4 bytes.
    ///
    /// ```
    /// use netlink::{HeaderFlags, HeaderType, Message, MessageRef};
    ///
    /// let msg = Message::new(HeaderType(0x10), HeaderFlags::REQUEST, vec![3, 1, 0, 0, 4, 0, 1, 0]);
    /// let bytes = msg.to_bytes()?;
    /// let (m, _) = MessageRef::parse(&bytes)?;
    /// let (genl, attrs) = m.split_family_header(4)?;
    /// assert_eq!(genl, &[3, 1, 0, 0]);
    /// assert_eq!(attrs, &[4, 0, 1, 0]);
    /// assert!(m.split_family_header(16).is_err());
    /// # Ok::<(), netlink::Error>(())
    /// ```
    #[inline]
    pub fn split_family_header(&self, len: usize) -> Result<(&'a [u8], &'a [u8]), DecodeError> {
        let (head, _) =
            self.data
                .split_at_checked(len)
                .ok_or_else(|| DecodeError::FamilyHeaderTruncated {
                    offset: self.payload_offset(),
                    expected: len,
                    actual: self.data.len(),
                })?;
        let start = enc::align(len).unwrap_or(usize::MAX).min(self.data.len());
        Ok((head, self.data.get(start..).unwrap_or_default()))
    }

    /// The attributes after a family header of `family_header_len` bytes, with offsets
    /// relative to the buffer the message was parsed from.
    #[inline]
    pub fn attrs(&self, family_header_len: usize) -> Result<Attrs<'a>, DecodeError> {
        let (_, rest) = self.split_family_header(family_header_len)?;
        let start = enc::align(family_header_len)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        Ok(Attrs::with_offset(
            rest,
            self.payload_offset().saturating_add(start),
        ))
    }

    /// Offset of the payload in the buffer the message was parsed from.
    #[inline]
    pub fn payload_offset(&self) -> usize {
        self.offset.saturating_add(HEADER_LEN)
    }
}

/// Iterates over the messages of one datagram (see [`messages`]).
///
/// Yields each message, or the first error and then nothing more. The final message may lack
/// its padding.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    rest: &'a [u8],
    offset: usize,
    failed: bool,
}

/// Iterates over the messages of a datagram.
#[inline]
pub fn messages(buf: &[u8]) -> Messages<'_> {
    Messages {
        rest: buf,
        offset: 0,
        failed: false,
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<MessageRef<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match MessageRef::parse_at(self.rest, self.offset) {
            Ok((m, rest)) => {
                let consumed = self.rest.len().saturating_sub(rest.len());
                self.offset = self.offset.saturating_add(consumed);
                self.rest = rest;
                Some(Ok(m))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl core::iter::FusedIterator for Messages<'_> {}

/// Encodes one message into a caller's buffer without intermediate allocations.
///
/// Write the header with [`MessageEncoder::new`], then the payload (a family header with
/// [`MessageEncoder::extend`], attributes with [`MessageEncoder::attrs`]); [`finish`] fills in
/// the length and pads the message to 4 bytes.
///
/// [`finish`]: MessageEncoder::finish
///
/// ```
/// use netlink::{Header, HeaderFlags, HeaderType, MessageEncoder, MessageRef};
///
/// let mut buf = Vec::new();
/// let mut m = MessageEncoder::new(&mut buf, Header {
///     kind: HeaderType(0x10),
///     flags: HeaderFlags::REQUEST,
///     sequence: 7,
///     ..Header::default()
/// });
/// m.extend(&[3, 1, 0, 0]); // struct genlmsghdr: cmd 3, version 1
/// m.attrs().string(2, "nlctrl");
/// let len = m.finish().unwrap();
/// assert_eq!(len, 16 + 4 + 12);
///
/// let (msg, _) = MessageRef::parse(&buf).unwrap();
/// let attr = msg.attrs(4).unwrap().next().unwrap().unwrap();
/// assert_eq!(attr.string().unwrap(), "nlctrl");
/// ```
#[derive(Debug)]
pub struct MessageEncoder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    error: Option<EncodeError>,
}

impl<'b> MessageEncoder<'b> {
    /// Starts a message at the end of `buf` with `header` (its length is filled in by
    /// [`finish`](MessageEncoder::finish)).
    #[inline]
    pub fn new(buf: &'b mut Vec<u8>, header: Header) -> MessageEncoder<'b> {
        let start = buf.len();
        buf.extend_from_slice(&header.to_bytes());
        MessageEncoder {
            buf,
            start,
            error: None,
        }
    }

    /// Appends raw payload bytes (a family header, say).
    #[inline]
    pub fn extend(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// Appends raw payload bytes padded to 4 bytes.
    #[inline]
    pub fn extend_padded(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        pad(
            self.buf,
            enc::align(bytes.len())
                .unwrap_or(0)
                .saturating_sub(bytes.len()),
        );
        self
    }

    /// An attribute encoder appending to this message (native byte order). Its first error is
    /// kept by this message encoder and reported by [`finish`](MessageEncoder::finish), and
    /// once the message has an error the attribute encoder writes nothing.
    #[inline]
    pub fn attrs(&mut self) -> crate::attr::AttributeEncoder<'_> {
        crate::attr::AttributeEncoder::with_error_slot(self.buf, &mut self.error)
    }

    /// The first error recorded so far, if any.
    pub fn error(&self) -> Option<&EncodeError> {
        self.error.as_ref()
    }

    /// The payload written so far.
    pub fn payload(&self) -> &[u8] {
        self.buf
            .get(self.start.saturating_add(HEADER_LEN)..)
            .unwrap_or_default()
    }

    /// Records an error to report from [`finish`](MessageEncoder::finish).
    pub fn set_error(&mut self, e: EncodeError) {
        self.error.get_or_insert(e);
    }

    /// Fills in the length, pads to 4 bytes and returns the message's length (without
    /// padding). On error the buffer is cut back to where the message started.
    #[inline]
    pub fn finish(self) -> Result<usize, EncodeError> {
        let len = self.buf.len().saturating_sub(self.start);
        let result = match self.error {
            Some(e) => Err(e),
            None => u32::try_from(len).map_err(|_| EncodeError::MessageTooLong { len }),
        };
        match result {
            Ok(len32) => {
                if let Some(field) = self.buf.get_mut(self.start..).and_then(|b| b.get_mut(..4)) {
                    field.copy_from_slice(&len32.to_ne_bytes());
                }
                pad(self.buf, enc::align(len).unwrap_or(len).saturating_sub(len));
                Ok(len)
            }
            Err(e) => {
                self.buf.truncate(self.start);
                Err(e)
            }
        }
    }
}

/// Checks that every reply answers `request` (the Go package's `Validate`): same sequence
/// number (unless the request has none, as for multicast), and same port id (unless either is
/// 0: the request's before the kernel assigned one, the reply's for kernel multicast).
///
/// ```
/// use netlink::{validate, Header, ValidateError};
///
/// let request = Header { sequence: 7, pid: 1000, ..Header::default() };
/// let reply = Header { sequence: 7, pid: 1000, ..Header::default() };
/// let multicast = Header { sequence: 7, pid: 0, ..Header::default() };
/// assert_eq!(validate(&request, [&reply, &multicast]), Ok(()));
///
/// let stale = Header { sequence: 6, pid: 1000, ..Header::default() };
/// assert_eq!(
///     validate(&request, [&reply, &stale]),
///     Err(ValidateError::MismatchedSequence { expected: 7, got: 6 })
/// );
/// ```
pub fn validate<'r, I>(request: &Header, replies: I) -> Result<(), ValidateError>
where
    I: IntoIterator<Item = &'r Header>,
{
    for reply in replies {
        if request.sequence != 0 && reply.sequence != request.sequence {
            return Err(ValidateError::MismatchedSequence {
                expected: request.sequence,
                got: reply.sequence,
            });
        }
        if request.pid != 0 && reply.pid != 0 && reply.pid != request.pid {
            return Err(ValidateError::MismatchedPid {
                expected: request.pid,
                got: reply.pid,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_appends_up_to_four_zeros() {
        for n in 0..=4 {
            let mut b = vec![9u8];
            pad(&mut b, n);
            assert_eq!(b.len(), 1 + n);
            assert!(b[1..].iter().all(|&x| x == 0));
        }
        let mut b = Vec::new();
        pad(&mut b, 9);
        assert_eq!(b, [0; 4], "never more than 4");
    }

    #[test]
    fn parse_at_reports_the_offset_it_was_given() {
        let h = Header {
            length: 8,
            ..Header::default()
        };
        let b = h.to_bytes();
        assert_eq!(
            MessageRef::parse_at(&b, 48).unwrap_err(),
            DecodeError::MessageTooShort { offset: 48, len: 8 }
        );
        assert_eq!(
            MessageRef::parse_at(&b[..4], 48).unwrap_err(),
            DecodeError::MessageHeaderTruncated {
                offset: 48,
                available: 4
            }
        );
    }

    #[test]
    fn messages_iterator_is_fused_after_an_error() {
        let mut it = messages(&[1, 2, 3]);
        assert!(it.next().unwrap().is_err());
        for _ in 0..3 {
            assert!(it.next().is_none());
        }
        assert!(messages(&[]).next().is_none());
    }

    #[test]
    fn message_encoder_attribute_errors_are_not_lost() {
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(&mut buf, Header::default());
        {
            // The attribute encoder is dropped without `finish`.
            let mut ae = m.attrs();
            ae.nested(1, |n| {
                n.string(2, "\0");
                Ok(())
            });
        }
        assert!(m.error().is_some());
        assert_eq!(
            m.finish(),
            Err(EncodeError::InteriorNul {
                attr_type: 2,
                position: 0
            })
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn message_encoder_payload_and_padding() {
        let mut buf = Vec::new();
        let mut m = MessageEncoder::new(&mut buf, Header::default());
        m.extend(&[1, 2, 3]);
        assert_eq!(m.payload(), &[1, 2, 3]);
        assert_eq!(m.finish(), Ok(19));
        assert_eq!(buf.len(), 20);
        assert_eq!(&buf[..4], &19u32.to_ne_bytes());
    }
}
