//! Errors of the codecs: what was wrong and where.
//!
//! Every offset is a byte offset from the start of the buffer handed to the decoder that found
//! the problem (for nested decoders, the outermost buffer), so a message can be located in a
//! hex dump.

use thiserror::Error;

/// The deepest nesting of attribute sets a decoder or encoder accepts: 32 levels.
///
/// Encoders refuse to open a nest inside `MAX_NEST_DEPTH` open nests
/// ([`EncodeError::NestTooDeep`]); decoders refuse to descend into a nest whose attributes
/// would sit deeper than `MAX_NEST_DEPTH` levels ([`DecodeError::NestTooDeep`]), so whatever
/// encodes decodes. Real kernel messages nest a handful of levels; the bound keeps hostile
/// input (or a runaway recursive structure) from exhausting the stack of a recursive decoder
/// or encoder: 10,000 nested attributes fit in one 40,000-byte message, and end in an error at
/// depth 32 instead of a stack overflow.
pub const MAX_NEST_DEPTH: usize = 32;

/// A problem found while decoding netlink bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Fewer bytes remain than a 16-byte message header needs.
    #[error("message at offset {offset}: {available} bytes left, fewer than a 16-byte header")]
    MessageHeaderTruncated {
        /// Offset of the would-be header.
        offset: usize,
        /// Bytes left from `offset` to the end of the buffer.
        available: usize,
    },
    /// A message header states a length below the 16-byte header itself.
    #[error("message at offset {offset}: length {len} shorter than its 16-byte header")]
    MessageTooShort {
        /// Offset of the message.
        offset: usize,
        /// The length field of its header.
        len: u32,
    },
    /// A message header states a length past the end of the buffer.
    #[error("message at offset {offset}: length {len} runs past the end ({available} bytes left)")]
    MessageTruncated {
        /// Offset of the message.
        offset: usize,
        /// The length field of its header.
        len: u32,
        /// Bytes left from `offset` to the end of the buffer.
        available: usize,
    },
    /// A message payload is shorter than the fixed header a family puts before its attributes.
    #[error("message at offset {offset}: payload of {actual} bytes shorter than its {expected}-byte family header")]
    FamilyHeaderTruncated {
        /// Offset of the payload.
        offset: usize,
        /// Size of the family header.
        expected: usize,
        /// Size of the payload.
        actual: usize,
    },
    /// Fewer bytes remain than a 4-byte attribute header needs.
    #[error("attribute at offset {offset}: {available} bytes left, fewer than a 4-byte header")]
    AttrHeaderTruncated {
        /// Offset of the would-be attribute.
        offset: usize,
        /// Bytes left from `offset` to the end of the attribute area.
        available: usize,
    },
    /// An attribute states a length below its own 4-byte header.
    #[error(
        "attribute {attr_type} at offset {offset}: length {len} shorter than its 4-byte header"
    )]
    AttrTooShort {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// Its length field.
        len: u16,
    },
    /// An attribute states a length past the end of its buffer (or of its parent nest).
    #[error("attribute {attr_type} at offset {offset}: length {len} runs past the end ({available} bytes left)")]
    AttrTruncated {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// Its length field.
        len: u16,
        /// Bytes left from `offset` to the end of the attribute area.
        available: usize,
    },
    /// A typed read found a payload of the wrong size.
    #[error(
        "attribute {attr_type} at offset {offset}: payload of {actual} bytes, expected {expected}"
    )]
    PayloadSize {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// The size the read needs.
        expected: usize,
        /// The size found.
        actual: usize,
    },
    /// A string attribute lacks its terminating NUL.
    #[error("attribute {attr_type} at offset {offset}: string not NUL-terminated")]
    StringNotTerminated {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
    },
    /// A string attribute is not valid UTF-8.
    #[error("attribute {attr_type} at offset {offset}: string is not valid UTF-8 (at byte {valid_up_to})")]
    InvalidUtf8 {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// Length of the valid prefix of the payload.
        valid_up_to: usize,
    },
    /// Nests deeper than [`MAX_NEST_DEPTH`].
    #[error("attribute {attr_type} at offset {offset}: nested deeper than {max} levels")]
    NestTooDeep {
        /// Offset of the attribute that went too deep.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// The bound, [`MAX_NEST_DEPTH`].
        max: usize,
    },
    /// A typed read was asked of a decoder that is not positioned on an attribute.
    #[error("no current attribute: advance the decoder first")]
    NoCurrentAttr,
    /// A value failed a check of its type (range, length, required attribute, ...).
    #[error("attribute {attr_type} at offset {offset}: {reason}")]
    Invalid {
        /// Offset of the attribute (or of the attribute set, for a missing attribute).
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// What was wrong.
        reason: String,
    },
    /// A required attribute of a typed attribute set is missing.
    #[error("attribute {attr_type} (`{field}`) missing from the set at offset {offset}")]
    MissingAttribute {
        /// Offset of the attribute set.
        offset: usize,
        /// The missing type.
        attr_type: u16,
        /// The field (`Type.field`) that needs it.
        field: &'static str,
    },
    /// An address attribute whose size does not fit the address family of its message (a
    /// 16-byte `IFA_ADDRESS` in an `AF_INET` message): a field declared
    /// `#[nla(family = header.family)]`.
    #[error(
        "attribute {attr_type} at offset {offset}: `{field}` holds {len} bytes, not an address of its message's family {}",
        crate::nlattrs::family_name(*.family)
    )]
    AddressFamily {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
        /// The field (`Type.field`) it was decoded for.
        field: &'static str,
        /// The message's address family (`AF_INET`, ...).
        family: u16,
        /// The size of the payload.
        len: usize,
    },
    /// Strict decoding met an attribute type the typed set does not declare.
    #[error("attribute {attr_type} at offset {offset}: unknown type (strict decoding)")]
    UnknownAttribute {
        /// Offset of the attribute.
        offset: usize,
        /// Its type, flags masked off.
        attr_type: u16,
    },
}

impl DecodeError {
    /// The byte offset the error refers to, where it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::MessageHeaderTruncated { offset, .. }
            | Self::MessageTooShort { offset, .. }
            | Self::MessageTruncated { offset, .. }
            | Self::FamilyHeaderTruncated { offset, .. }
            | Self::AttrHeaderTruncated { offset, .. }
            | Self::AttrTooShort { offset, .. }
            | Self::AttrTruncated { offset, .. }
            | Self::PayloadSize { offset, .. }
            | Self::StringNotTerminated { offset, .. }
            | Self::InvalidUtf8 { offset, .. }
            | Self::NestTooDeep { offset, .. }
            | Self::Invalid { offset, .. }
            | Self::MissingAttribute { offset, .. }
            | Self::AddressFamily { offset, .. }
            | Self::UnknownAttribute { offset, .. } => Some(*offset),
            Self::NoCurrentAttr => None,
        }
    }

    /// The attribute type the error refers to, where it has one.
    pub fn attr_type(&self) -> Option<u16> {
        match self {
            Self::AttrTooShort { attr_type, .. }
            | Self::AttrTruncated { attr_type, .. }
            | Self::PayloadSize { attr_type, .. }
            | Self::StringNotTerminated { attr_type, .. }
            | Self::InvalidUtf8 { attr_type, .. }
            | Self::NestTooDeep { attr_type, .. }
            | Self::Invalid { attr_type, .. }
            | Self::MissingAttribute { attr_type, .. }
            | Self::AddressFamily { attr_type, .. }
            | Self::UnknownAttribute { attr_type, .. } => Some(*attr_type),
            _ => None,
        }
    }
}

/// A problem found while encoding netlink bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// An attribute (header included) would exceed the 65,535 bytes its length field holds.
    #[error("attribute {attr_type}: {len} bytes exceed the 65535-byte attribute limit")]
    AttrTooLong {
        /// Its type, flags masked off.
        attr_type: u16,
        /// The length it would have had, header included.
        len: usize,
    },
    /// A message would exceed the 4 GiB its length field holds.
    #[error("message of {len} bytes exceeds the u32 length field")]
    MessageTooLong {
        /// The length it would have had.
        len: usize,
    },
    /// A message header gives a non-zero length that differs from its encoded size.
    #[error("message header length {header_len} differs from its encoded length {actual}")]
    LengthMismatch {
        /// The length field the caller set.
        header_len: u32,
        /// The header plus the payload.
        actual: usize,
    },
    /// A string to encode holds a NUL byte, which would end it early.
    #[error("attribute {attr_type}: string holds a NUL byte at {position}")]
    InteriorNul {
        /// Its type, flags masked off.
        attr_type: u16,
        /// Index of the NUL byte in the string.
        position: usize,
    },
    /// Nests deeper than [`MAX_NEST_DEPTH`].
    #[error("attribute {attr_type}: nested deeper than {max} levels")]
    NestTooDeep {
        /// Its type, flags masked off.
        attr_type: u16,
        /// The bound, [`MAX_NEST_DEPTH`].
        max: usize,
    },
    /// A value failed a check of its type (range, length, ...).
    #[error("attribute {attr_type}: {reason}")]
    Invalid {
        /// Its type, flags masked off.
        attr_type: u16,
        /// What was wrong.
        reason: String,
    },
}

/// A reply that does not answer the request it was checked against (see
/// [`validate`](crate::validate)).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// The reply's sequence number is not the request's.
    #[error("reply sequence {got} does not match request sequence {expected}")]
    MismatchedSequence {
        /// The request's sequence number.
        expected: u32,
        /// The reply's sequence number.
        got: u32,
    },
    /// The reply's port id is neither the request's nor 0.
    #[error("reply port id {got} does not match request port id {expected}")]
    MismatchedPid {
        /// The request's port id.
        expected: u32,
        /// The reply's port id.
        got: u32,
    },
}

/// The decoded extended acknowledgement (`NLMSGERR_ATTR_*`) of an error or acknowledgement
/// message: what the kernel said beyond the error number.
///
/// The kernel sends it to sockets that enabled `NETLINK_EXT_ACK`; [`crate::ack::parse_error`]
/// and [`crate::ack::parse_done`] decode it. Offsets count bytes from the start of the
/// request's header, so they can be looked up in the request as sent (or in the echo of an
/// uncapped error, [`crate::Ack::request_bytes_at`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtAck {
    /// `NLMSGERR_ATTR_MSG`: the kernel's explanation (a warning when the code is 0). Kept
    /// even when not valid UTF-8 (invalid bytes become U+FFFD) or not NUL-terminated.
    pub message: Option<Box<str>>,
    /// `NLMSGERR_ATTR_OFFS`: offset in the request of the attribute that caused the error.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_COOKIE`: an opaque cookie.
    pub cookie: Option<Box<[u8]>>,
    /// `NLMSGERR_ATTR_POLICY`: the policy of the offending attribute, as raw nested attributes
    /// (`NL_POLICY_TYPE_ATTR_*`); [`ExtAck::policy_info`] decodes them.
    pub policy: Option<Box<[u8]>>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: the type of a missing required attribute.
    pub missing_type: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`: offset in the request of the nest that lacks the missing
    /// attribute; absent when it is missing at the top level of the message.
    pub missing_nest: Option<u32>,
    /// Not sent by the kernel: the Rust field of a typed request that
    /// [`offset`](ExtAck::offset) (or [`missing_nest`](ExtAck::missing_nest)) points at, as a
    /// path such as `CtrlMessage.mcast_groups[1].id`. Filled in by
    /// [`Conn::request`](crate::Conn::request) from the request body's derived policy.
    pub field: Option<Box<str>>,
}

impl ExtAck {
    /// Whether the kernel sent no extended acknowledgement at all.
    pub fn is_empty(&self) -> bool {
        *self == ExtAck::default()
    }

    /// The decoded [`policy`](ExtAck::policy), if the kernel sent one. Offsets in a decoding
    /// error count from the start of the policy's payload.
    pub fn policy_info(&self) -> Option<Result<crate::ack::PolicyInfo, DecodeError>> {
        self.policy.as_deref().map(crate::ack::PolicyInfo::decode)
    }
}

/// An operation the kernel (or the socket) refused: the errno and everything known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    /// The operation: `"send"`, `"receive"`, `"execute"`, `"join_group"`, ...
    pub op: &'static str,
    /// The error number, positive (`libc::ENOENT`, ...).
    pub errno: i32,
    /// The sequence number of the request that failed, when known (0 otherwise).
    pub sequence: u32,
    /// Whether the kernel echoed only the request's header (`NLM_F_CAPPED`).
    pub capped: bool,
    /// The extended acknowledgement.
    pub ext_ack: ExtAck,
}

impl OpError {
    /// An error of `op` with `errno` (positive) and nothing else known, as a failed system
    /// call gives.
    pub fn new(op: &'static str, errno: i32) -> OpError {
        OpError {
            op,
            errno,
            sequence: 0,
            capped: false,
            ext_ack: ExtAck::default(),
        }
    }

    /// The error number as an [`std::io::Error`].
    pub fn io_error(&self) -> std::io::Error {
        std::io::Error::from_raw_os_error(self.errno)
    }

    /// Whether the object asked for does not exist (see [`Error::is_not_found`]).
    pub fn is_not_found(&self) -> bool {
        errno_is_not_found(self.errno)
    }

    /// Whether the error is a timeout (see [`Error::is_timeout`]).
    pub fn is_timeout(&self) -> bool {
        errno_is_timeout(self.errno)
    }

    /// Whether retrying may succeed (see [`Error::is_temporary`]).
    pub fn is_temporary(&self) -> bool {
        errno_is_temporary(self.errno)
    }
}

fn errno_is_not_found(errno: i32) -> bool {
    matches!(
        errno,
        libc::ENOENT | libc::ENODEV | libc::ESRCH | libc::ENXIO | libc::EADDRNOTAVAIL
    )
}

fn errno_is_timeout(errno: i32) -> bool {
    matches!(errno, libc::ETIMEDOUT | libc::EAGAIN)
}

fn errno_is_temporary(errno: i32) -> bool {
    matches!(
        errno,
        libc::EAGAIN | libc::EINTR | libc::ETIMEDOUT | libc::ENOBUFS | libc::ENOMEM | libc::EBUSY
    )
}

impl core::fmt::Display for OpError {
    /// `netlink OP: ERRNO TEXT: KERNEL MESSAGE (at offset N of the request) (missing
    /// attribute T in the nest at offset M) (expected POLICY)`, each part only when known.
    /// The sequence number is left out (it means nothing to a reader); it stays in
    /// [`OpError::sequence`] and in the `Debug` output.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "netlink {}: {}", self.op, self.io_error())?;
        let ext = &self.ext_ack;
        if let Some(m) = ext.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {m}")?;
        }
        if let Some(o) = ext.offset {
            write!(f, " (at offset {o} of the request)")?;
        }
        if let Some(field) = &ext.field {
            write!(f, " (field {field})")?;
        }
        match (ext.missing_type, ext.missing_nest) {
            (Some(t), Some(n)) => write!(f, " (missing attribute {t} in the nest at offset {n})")?,
            (Some(t), None) => write!(f, " (missing attribute {t})")?,
            (None, Some(n)) => write!(f, " (missing attribute in the nest at offset {n})")?,
            (None, None) => {}
        }
        if let Some(Ok(p)) = ext.policy_info() {
            write!(f, " (expected {p})")?;
        }
        Ok(())
    }
}

impl std::error::Error for OpError {}

/// A generic netlink family, operation or multicast group the running kernel lacks, found
/// while resolving a family through `nlctrl`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GenlError {
    /// The kernel has no family of that name (module not loaded, or too old a kernel).
    #[error("generic netlink family {family:?} not found in the kernel")]
    UnknownFamily {
        /// The family's name.
        family: String,
    },
    /// The family lacks an operation (or its `do` or `dump` form).
    #[error("generic netlink family {family:?} has no {form} operation {command} (command {cmd})")]
    UnsupportedOperation {
        /// The family's name.
        family: String,
        /// The command's name.
        command: &'static str,
        /// The command's number.
        cmd: u8,
        /// `"do"` or `"dump"`.
        form: &'static str,
    },
    /// A request expected to get exactly one reply got another number of them.
    #[error(
        "generic netlink family {family:?}: {command} answered with {count} replies, expected 1"
    )]
    ReplyCount {
        /// The family's name.
        family: String,
        /// The command's name.
        command: &'static str,
        /// How many replies came.
        count: usize,
    },
    /// The family has no multicast group of that name.
    #[error("generic netlink family {family:?} has no multicast group {group:?}")]
    UnknownGroup {
        /// The family's name.
        family: String,
        /// The group's name.
        group: String,
    },
}

/// Every error of the crate.
///
/// Match on the variants, or ask the predicates, which look through to the errno:
///
/// ```
/// use netlink::{Error, OpError};
///
/// let mut e = OpError::new("execute", libc::ENODEV);
/// e.ext_ack.message = Some("no device matches name".into());
/// e.ext_ack.offset = Some(24);
/// let err = Error::from(e);
/// assert!(err.is_not_found());
/// assert!(!err.is_temporary());
/// assert_eq!(err.errno(), Some(libc::ENODEV));
/// assert_eq!(
///     err.to_string(),
///     "netlink execute: No such device (os error 19): no device matches name (at offset 24 of the request)"
/// );
///
/// let err = Error::Overrun { op: "receive" };
/// assert!(err.is_overrun() && err.is_temporary());
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A value that could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A reply that does not match its request.
    #[error(transparent)]
    Validate(#[from] ValidateError),
    /// The kernel answered with an error, or a system call failed with an errno.
    #[error(transparent)]
    Op(#[from] OpError),
    /// The operation did not complete before its timeout or deadline.
    #[error("netlink {op}: timed out")]
    Timeout {
        /// The operation.
        op: &'static str,
    },
    /// The socket's receive buffer overflowed (`ENOBUFS`): messages were lost. The connection
    /// still works; resynchronise (dump again) to recover the lost state.
    #[error("netlink {op}: receive buffer overrun, messages were lost")]
    Overrun {
        /// The operation.
        op: &'static str,
    },
    /// A dump was interrupted (`NLM_F_DUMP_INTR`): the data changed while it was read, so the
    /// results may be inconsistent. The partial results are kept.
    #[error("netlink dump interrupted: {} results may be inconsistent; retry the dump", partial.len())]
    DumpInterrupted {
        /// The messages received before the dump ended.
        partial: Vec<crate::message::Message>,
    },
    /// A datagram was larger than the receive buffer could ever hold.
    #[error("netlink receive: datagram of {len} bytes truncated to the {capacity}-byte buffer")]
    Truncated {
        /// The datagram's real size.
        len: usize,
        /// The buffer's size.
        capacity: usize,
        /// The header of the datagram's first message, when the part kept holds one: its
        /// sequence number tells which call the lost datagram answered (a connection reports
        /// the error to that call only).
        header: Option<crate::message::Header>,
    },
    /// A later call on the same thread took the connection over while this one (an unfinished
    /// [`Dump`](crate::Dump) still in scope, or a receive whose callback made a call) still
    /// held it; this one's reply was abandoned.
    #[error("netlink {op}: abandoned, a later call on the same thread took the connection over")]
    Superseded {
        /// The operation.
        op: &'static str,
    },
    /// A network namespace could not be opened or entered (see [`crate::netns::NetNs`]).
    #[error("netlink netns {namespace}: {}", std::io::Error::from_raw_os_error(*errno))]
    NetNs {
        /// The namespace: its path (`/run/netns/NAME`), or `descriptor N`.
        namespace: String,
        /// The error number, positive (`ENOENT` when there is no such namespace).
        errno: i32,
    },
    /// The connection was closed.
    #[error("netlink {op}: connection closed")]
    Closed {
        /// The operation.
        op: &'static str,
    },
    /// A generic netlink family, operation or group the kernel lacks.
    #[error(transparent)]
    Genl(#[from] GenlError),
}

impl Error {
    /// The errno behind the error, if it has one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Op(e) => Some(e.errno),
            Error::Timeout { .. } => Some(libc::ETIMEDOUT),
            Error::Overrun { .. } => Some(libc::ENOBUFS),
            Error::NetNs { errno, .. } => Some(*errno),
            Error::Genl(GenlError::UnsupportedOperation { .. }) => Some(libc::EOPNOTSUPP),
            Error::Genl(GenlError::ReplyCount { .. }) => None,
            Error::Genl(_) => Some(libc::ENOENT),
            _ => None,
        }
    }

    /// The operation error, if this is one.
    pub fn op_error(&self) -> Option<&OpError> {
        match self {
            Error::Op(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the object asked for does not exist: an errno of `ENOENT`, `ENODEV`,
    /// `ESRCH`, `ENXIO` or `EADDRNOTAVAIL` (the Go package's `IsNotExist`).
    pub fn is_not_found(&self) -> bool {
        self.errno().is_some_and(errno_is_not_found)
    }

    /// Whether the operation timed out: [`Error::Timeout`], or an errno of `ETIMEDOUT` or
    /// `EAGAIN`.
    pub fn is_timeout(&self) -> bool {
        self.errno().is_some_and(errno_is_timeout)
    }

    /// Whether retrying the same operation may succeed: a timeout, an overrun, an
    /// interrupted dump, or an errno of `EAGAIN`, `EINTR`, `ETIMEDOUT`, `ENOBUFS`, `ENOMEM`
    /// or `EBUSY`.
    pub fn is_temporary(&self) -> bool {
        self.errno().is_some_and(errno_is_temporary) || self.is_dump_interrupted()
    }

    /// The extended acknowledgement of a kernel error, if this is one.
    pub fn ext_ack(&self) -> Option<&ExtAck> {
        self.op_error().map(|e| &e.ext_ack)
    }

    /// Whether messages were lost to a receive buffer overrun.
    pub fn is_overrun(&self) -> bool {
        matches!(self, Error::Overrun { .. })
            || matches!(self, Error::Op(e) if e.errno == libc::ENOBUFS)
    }

    /// Whether a dump was interrupted by a change of the data.
    pub fn is_dump_interrupted(&self) -> bool {
        matches!(self, Error::DumpInterrupted { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(errno: i32) -> Error {
        Error::Op(OpError::new("execute", errno))
    }

    fn others() -> Vec<Error> {
        vec![
            Error::Decode(DecodeError::NoCurrentAttr),
            Error::Encode(EncodeError::MessageTooLong { len: 1 }),
            Error::Validate(ValidateError::MismatchedSequence {
                expected: 1,
                got: 2,
            }),
            Error::Truncated {
                len: 10,
                capacity: 5,
                header: None,
            },
            Error::Closed { op: "receive" },
        ]
    }

    #[test]
    fn is_not_found() {
        for e in [
            libc::ENOENT,
            libc::ENODEV,
            libc::ESRCH,
            libc::ENXIO,
            libc::EADDRNOTAVAIL,
        ] {
            assert!(op(e).is_not_found(), "{e}");
            assert!(OpError::new("x", e).is_not_found());
        }
        for e in [libc::EINVAL, libc::EPERM, libc::EEXIST, libc::ENOBUFS] {
            assert!(!op(e).is_not_found(), "{e}");
        }
        assert!(!Error::Timeout { op: "receive" }.is_not_found());
        assert!(!Error::Overrun { op: "receive" }.is_not_found());
        assert!(others().iter().all(|e| !e.is_not_found()));
    }

    #[test]
    fn is_timeout() {
        assert!(Error::Timeout { op: "receive" }.is_timeout());
        assert!(op(libc::ETIMEDOUT).is_timeout());
        assert!(op(libc::EAGAIN).is_timeout());
        assert!(OpError::new("x", libc::EAGAIN).is_timeout());
        assert!(!op(libc::EINVAL).is_timeout());
        assert!(!op(libc::EINTR).is_timeout());
        assert!(!OpError::new("x", libc::ENOENT).is_timeout());
        assert!(!Error::Overrun { op: "receive" }.is_timeout());
        assert!(!Error::DumpInterrupted { partial: vec![] }.is_timeout());
        assert!(others().iter().all(|e| !e.is_timeout()));
    }

    #[test]
    fn is_temporary() {
        assert!(Error::Timeout { op: "receive" }.is_temporary());
        assert!(Error::Overrun { op: "receive" }.is_temporary());
        assert!(Error::DumpInterrupted { partial: vec![] }.is_temporary());
        for e in [
            libc::EAGAIN,
            libc::EINTR,
            libc::ETIMEDOUT,
            libc::ENOBUFS,
            libc::ENOMEM,
            libc::EBUSY,
        ] {
            assert!(op(e).is_temporary(), "{e}");
            assert!(OpError::new("x", e).is_temporary(), "{e}");
        }
        for e in [libc::EINVAL, libc::ENOENT, libc::EPERM, libc::EOPNOTSUPP] {
            assert!(!op(e).is_temporary(), "{e}");
            assert!(!OpError::new("x", e).is_temporary(), "{e}");
        }
        assert!(others().iter().all(|e| !e.is_temporary()));
    }

    #[test]
    fn is_overrun() {
        assert!(Error::Overrun { op: "receive" }.is_overrun());
        assert!(op(libc::ENOBUFS).is_overrun());
        assert!(!op(libc::ENOMEM).is_overrun());
        assert!(!Error::Timeout { op: "receive" }.is_overrun());
        assert!(!Error::DumpInterrupted { partial: vec![] }.is_overrun());
        assert!(others().iter().all(|e| !e.is_overrun()));
    }

    #[test]
    fn is_dump_interrupted() {
        assert!(Error::DumpInterrupted { partial: vec![] }.is_dump_interrupted());
        assert!(!Error::Timeout { op: "receive" }.is_dump_interrupted());
        assert!(!Error::Overrun { op: "receive" }.is_dump_interrupted());
        assert!(!op(libc::EINTR).is_dump_interrupted());
        assert!(others().iter().all(|e| !e.is_dump_interrupted()));
    }

    #[test]
    fn errno_op_error_and_ext_ack() {
        assert_eq!(op(libc::EPERM).errno(), Some(libc::EPERM));
        assert_eq!(Error::Timeout { op: "x" }.errno(), Some(libc::ETIMEDOUT));
        assert_eq!(Error::Overrun { op: "x" }.errno(), Some(libc::ENOBUFS));
        assert!(others().iter().all(|e| e.errno().is_none()));
        let mut e = OpError::new("execute", libc::EINVAL);
        e.ext_ack.message = Some("bad".into());
        let err = Error::from(e.clone());
        assert_eq!(err.op_error(), Some(&e));
        assert_eq!(
            err.ext_ack().and_then(|x| x.message.as_deref()),
            Some("bad")
        );
        assert!(Error::Timeout { op: "x" }.op_error().is_none());
        assert!(Error::Timeout { op: "x" }.ext_ack().is_none());
        assert_eq!(e.io_error().raw_os_error(), Some(libc::EINVAL));
    }

    #[test]
    fn op_error_display() {
        let mut e = OpError::new("execute", libc::ENODEV);
        assert_eq!(
            e.to_string(),
            "netlink execute: No such device (os error 19)"
        );
        e.sequence = 7;
        assert_eq!(
            e.to_string(),
            "netlink execute: No such device (os error 19)",
            "the sequence number is not part of the message"
        );
        e.ext_ack.message = Some("no device matches name".into());
        e.ext_ack.offset = Some(24);
        assert_eq!(
            e.to_string(),
            "netlink execute: No such device (os error 19): no device matches name \
             (at offset 24 of the request)"
        );
        e.ext_ack = ExtAck {
            missing_type: Some(1),
            missing_nest: Some(36),
            message: Some("".into()),
            ..ExtAck::default()
        };
        assert_eq!(
            e.to_string(),
            "netlink execute: No such device (os error 19) (missing attribute 1 in the nest \
             at offset 36)"
        );
        e.ext_ack = ExtAck {
            missing_nest: Some(36),
            ..ExtAck::default()
        };
        assert!(e
            .to_string()
            .contains("(missing attribute in the nest at offset 36)"));
        // A policy: u32 (type 4) with a maximum of 10.
        let policy = [
            8u8, 0, 1, 0, 4, 0, 0, 0, 12, 0, 5, 0, 10, 0, 0, 0, 0, 0, 0, 0,
        ];
        e.ext_ack = ExtAck {
            policy: Some(policy.into()),
            ..ExtAck::default()
        };
        assert!(
            e.to_string().ends_with("(expected u32, range ..=10)"),
            "{e}"
        );
        // Out-of-range errno values still print.
        assert!(OpError::new("x", i32::MAX)
            .to_string()
            .starts_with("netlink x: "));
    }

    #[test]
    fn error_display() {
        assert_eq!(
            Error::Timeout { op: "receive" }.to_string(),
            "netlink receive: timed out"
        );
        assert_eq!(
            Error::Overrun { op: "receive" }.to_string(),
            "netlink receive: receive buffer overrun, messages were lost"
        );
        assert_eq!(
            Error::DumpInterrupted {
                partial: vec![crate::message::Message::default()]
            }
            .to_string(),
            "netlink dump interrupted: 1 results may be inconsistent; retry the dump"
        );
        assert_eq!(
            Error::Closed { op: "send" }.to_string(),
            "netlink send: connection closed"
        );
        assert_eq!(
            op(libc::EPERM).to_string(),
            "netlink execute: Operation not permitted (os error 1)"
        );
    }

    /// `Result<_, Error>` is returned on every path: keep it small (clippy's
    /// `result_large_err` threshold is 128 bytes).
    #[test]
    fn error_stays_small() {
        assert!(
            core::mem::size_of::<Error>() < 128,
            "{}",
            core::mem::size_of::<Error>()
        );
    }
}
