//! Errors of the codecs: what was wrong and where.
//!
//! Every offset is a byte offset from the start of the buffer handed to the decoder that found
//! the problem (for nested decoders, the outermost buffer), so a message can be located in a
//! hex dump.

use thiserror::Error;

/// The deepest nesting of attribute sets a decoder or encoder accepts.
///
/// Real kernel messages nest a handful of levels; the bound keeps hostile input (or a runaway
/// recursive structure) from exhausting the stack.
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtAck {
    /// `NLMSGERR_ATTR_MSG`: the kernel's explanation.
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset in the request of the attribute that caused the error.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_COOKIE`: an opaque cookie.
    pub cookie: Option<Vec<u8>>,
    /// `NLMSGERR_ATTR_POLICY`: the policy of the offending attribute, as raw nested attributes
    /// (`NL_POLICY_TYPE_ATTR_*`).
    pub policy: Option<Vec<u8>>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: the type of a missing required attribute.
    pub missing_type: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest that lacks the missing attribute.
    pub missing_nest: Option<u32>,
}

impl ExtAck {
    /// Whether the kernel sent no extended acknowledgement at all.
    pub fn is_empty(&self) -> bool {
        *self == ExtAck::default()
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

impl core::fmt::Display for OpError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "netlink {}: {}",
            self.op,
            std::io::Error::from_raw_os_error(self.errno)
        )?;
        if let Some(m) = &self.ext_ack.message {
            write!(f, ": {m}")?;
        }
        if let Some(o) = self.ext_ack.offset {
            write!(f, " (at offset {o} of the request)")?;
        }
        if let Some(t) = self.ext_ack.missing_type {
            write!(f, " (missing attribute {t})")?;
        }
        if self.sequence != 0 {
            write!(f, " [seq {}]", self.sequence)?;
        }
        Ok(())
    }
}

impl std::error::Error for OpError {}

/// Every error of the crate.
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
    },
    /// The connection was closed.
    #[error("netlink {op}: connection closed")]
    Closed {
        /// The operation.
        op: &'static str,
    },
}

impl Error {
    /// The errno behind the error, if it has one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Op(e) => Some(e.errno),
            Error::Timeout { .. } => Some(libc::ETIMEDOUT),
            Error::Overrun { .. } => Some(libc::ENOBUFS),
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

    /// Whether the object asked for does not exist (`ENOENT`, `ENODEV`, `ESRCH`,
    /// `ENXIO`, `EADDRNOTAVAIL`, `ENOTSUP` for an unknown family excluded).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.errno(),
            Some(libc::ENOENT | libc::ENODEV | libc::ESRCH | libc::ENXIO | libc::EADDRNOTAVAIL)
        )
    }

    /// Whether the operation timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self.errno(), Some(libc::ETIMEDOUT | libc::EAGAIN))
    }

    /// Whether retrying the same operation may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self.errno(),
            Some(
                libc::EAGAIN
                    | libc::EINTR
                    | libc::ETIMEDOUT
                    | libc::ENOBUFS
                    | libc::ENOMEM
                    | libc::EBUSY
            )
        ) || self.is_dump_interrupted()
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
