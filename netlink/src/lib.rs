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
//!
//! # Connections
//!
//! [`Conn`] talks to the kernel over a real `AF_NETLINK` socket: [`Conn::execute`] sends a
//! request and gathers and validates its replies, [`Conn::dump`] streams a dump through one
//! reused buffer, and multicast groups, socket options, BPF filters, timeouts and network
//! namespaces ([`netns`]) are all there. Kernel refusals are [`Error::Op`] with the errno and
//! the decoded extended acknowledgement ([`ack`]); the predicates ([`Error::is_not_found`],
//! [`Error::is_timeout`], ...) classify every error.
//!
//! With the `tokio` feature, `tokio::AsyncConn` does the same for async
//! programs: many requests in flight on one socket from many tasks, replies routed by sequence
//! number, dumps and multicast events as streams.
//!
//! # Bulk requests and event streams
//!
//! [`Conn::execute_batch`] sends many requests in as few `sendmsg` calls as the receive buffer
//! can answer and returns one result per request ([`batch`]); [`events::Listener`] follows
//! multicast groups through many datagrams per system call, reports overruns as items of its
//! stream and resynchronises without missing a change ([`events`]).
//!
//! # Typed attribute sets
//!
//! With the default `derive` feature, `#[derive(NlAttrs)]` turns a struct whose fields carry
//! `#[nla(type = N, ...)]` into an attribute set with an encoder, a one-pass decoder and a
//! validation policy. Every key is described on the derive macro's page,
//! [`NlAttrs`](macro@NlAttrs) (not the page of the [`NlAttrs`](trait@NlAttrs) trait it
//! implements). [`genl`] declares the generic netlink controller this way, a typed
//! handle for any generic netlink family ([`genl::GenlHandle`]), the `ethtool` and `netdev`
//! families, and checks declared types against the policies the running kernel reports
//! ([`genl::policy`]).
//!
//! # Route netlink
//!
//! With the default `route` feature, `route` has rtnetlink's links, addresses, routes,
//! neighbours and rules as derived types (owned, and borrowed for links and routes), with the
//! constants and flag sets users write; the `serde` feature derives `Serialize` on them.
//!
//! # Debugging and testing
//!
//! `NLDEBUG=1` traces every message on stderr ([`debug`]). The `testing` feature adds fake
//! sockets and reply builders (`testing`) and the round-trip checks of derived types
//! (`roundtrip`).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// Lets the derives' generated code (which names `::netlink`) work inside this crate too.
extern crate self as netlink;

pub mod ack;
pub mod attr;
pub mod batch;
pub mod conn;
pub mod datagrams;
pub mod debug;
pub mod enc;
pub mod error;
pub mod events;
#[cfg(feature = "derive")]
pub mod genl;
pub mod message;
pub mod netns;
pub mod nlattrs;
#[cfg(feature = "testing")]
pub mod roundtrip;
#[cfg(feature = "route")]
pub mod route;
pub mod socket;
pub mod submsg;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod typed;

pub use ack::{Ack, PolicyInfo, PolicyType};
pub use attr::{
    marshal_attributes, unmarshal_attributes, Attr, Attribute, AttributeDecoder, AttributeEncoder,
    Attrs, Nest,
};
pub use conn::{Config, Conn, ConnOption, Dump, Family};
pub use enc::ByteOrder;
pub use error::{
    DecodeError, EncodeError, Error, ExtAck, GenlError, OpError, ValidateError, MAX_NEST_DEPTH,
};
pub use message::{
    messages, validate, AsMessageRef, Header, HeaderFlags, HeaderType, Message, MessageEncoder,
    MessageRef, Messages, RequestKind,
};
#[cfg(feature = "derive")]
pub use netlink_derive::NlAttrs;
#[cfg(feature = "derive")]
pub use netlink_derive::{NlEnum, NlStruct, NlSubMessage};
#[doc(hidden)]
pub use nlattrs::__private;
#[cfg(feature = "derive")]
pub use nlattrs::Bitfield32;
pub use nlattrs::{
    AddrFamily, AttrOrder, DecodeOptions, Indexed, Multi, NlAttrs, NlAttrsOwned, NlEnum, NlStruct,
    NlaFamilyValue, NlaValue, Policy, Sint, Uint, UnknownAttrs,
};
pub use socket::{NetlinkSocket, RecvInfo, Socket};
pub use submsg::NlSubMessage;
pub use typed::{Decoded, NlRequest, Replies, Request};
