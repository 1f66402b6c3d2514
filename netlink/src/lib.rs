//! Low-level, typed access to Linux netlink sockets.
//!
//! # Messages and attributes
//!
//! A netlink message is a 16-byte [`Header`] and a payload; most families put a fixed family
//! header and then a list of type-length-value attributes in the payload. This crate encodes
//! and decodes both without `unsafe` and without panicking on any input: every malformed
//! length is a [`DecodeError`] that names the byte offset and the attribute type.
//!
//! ```
//! use netlink::{AttributeDecoder, AttributeEncoder};
//!
//! let mut buf = Vec::new();
//! let mut ae = AttributeEncoder::new(&mut buf);
//! ae.u16(1, 1).string(2, "hello world");
//! ae.finish()?;
//!
//! let mut ad = AttributeDecoder::new(&buf);
//! while ad.advance() {
//!     match ad.attr_type() {
//!         1 => assert_eq!(ad.u16()?, 1),
//!         2 => assert_eq!(ad.string()?, "hello world"),
//!         _ => {}
//!     }
//! }
//! ad.finish()?;
//! # Ok::<(), netlink::Error>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// Lets the derives' generated code (which names `::netlink`) work inside this crate too.
extern crate self as netlink;

pub mod ack;
pub mod attr;
pub mod conn;
pub mod debug;
pub mod enc;
pub mod error;
#[cfg(feature = "derive")]
pub mod genl;
pub mod message;
pub mod netns;
pub mod nlattrs;
#[cfg(feature = "testing")]
pub mod roundtrip;
pub mod socket;
#[cfg(feature = "testing")]
pub mod testing;

pub use ack::{Ack, PolicyInfo, PolicyType};
pub use attr::{
    marshal_attributes, unmarshal_attributes, Attr, Attribute, AttributeDecoder, AttributeEncoder,
    Attrs, Nest,
};
pub use conn::{Config, Conn, ConnOption, Dump, Family};
pub use enc::ByteOrder;
pub use error::{DecodeError, EncodeError, Error, ExtAck, OpError, ValidateError, MAX_NEST_DEPTH};
pub use message::{
    messages, validate, Header, HeaderFlags, HeaderType, Message, MessageEncoder, MessageRef,
    Messages,
};
#[cfg(feature = "derive")]
pub use netlink_derive::NlAttrs;
#[cfg(feature = "derive")]
pub use netlink_derive::{NlEnum, NlStruct};
#[doc(hidden)]
pub use nlattrs::__private;
#[cfg(feature = "derive")]
pub use nlattrs::Bitfield32;
pub use nlattrs::{
    DecodeOptions, Indexed, Multi, NlAttrs, NlAttrsOwned, NlEnum, NlStruct, NlaValue, Policy, Sint,
    Uint, UnknownAttrs,
};
pub use socket::{NetlinkSocket, RecvInfo, Socket};
