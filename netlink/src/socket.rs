//! The socket layer: the [`Socket`] trait that a `Conn` drives, and (the only
//! place in the crate with `unsafe`) its implementation over real `AF_NETLINK` sockets.

use std::time::Instant;

use crate::error::Error;

/// What [`Socket::recv`] learned about a datagram besides its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvInfo {
    /// Length of the datagram now in the buffer.
    pub len: usize,
    /// Port id of the sender (`nl_pid` of its address): 0 for the kernel.
    pub sender_pid: u32,
    /// Multicast group bitmask of the sender address (`nl_groups`).
    pub sender_groups: u32,
    /// The multicast group the datagram was sent to (`NETLINK_PKTINFO`), when enabled.
    pub group: Option<u32>,
    /// The id of the namespace the datagram came from (`NETLINK_LISTEN_ALL_NSID`), when enabled.
    pub nsid: Option<i32>,
}

/// A netlink socket: the transport under a `Conn` (the Go package's `Socket`).
///
/// The real one talks to the kernel; the `testing` module offers fakes for tests.
pub trait Socket: Send + Sync {
    /// Sends one datagram holding one or more encoded messages.
    fn send(&self, datagram: &[u8]) -> Result<(), Error>;

    /// Receives one datagram into `buf` (replacing its contents, growing it when the datagram
    /// is larger), waiting until `deadline` if one is given.
    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error>;

    /// The port id the socket is bound to.
    fn pid(&self) -> u32;

    /// Closes the socket, waking any receiver blocked in another thread.
    fn close(&self) -> Result<(), Error>;
}
