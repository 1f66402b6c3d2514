//! Generic netlink: the `nlctrl` controller, a typed handle for any family, and the
//! `ethtool` and `netdev` families, all declared with the derives.
//!
//! - [`nlctrl`]: `struct genlmsghdr` and the controller's messages (its items are re-exported
//!   here).
//! - [`family`]: declaring a family ([`GenlFamily`], [`Command`]), resolving it
//!   ([`GenlHandle`], [`FamilyInfo`]) and typed requests, dumps, groups and events.
//! - `async_family` (cargo feature `tokio`): the same on an async connection
//!   (`AsyncGenlHandle`), dumps and notifications as streams.
//! - [`events`]: notifications through the loss-free [`Listener`](crate::events::Listener)
//!   ([`GenlEvents`], [`GenlHandle::listen`]).
//! - [`ethtool`], [`netdev`]: two kernel families declared that way.
//! - [`policy`]: checking a declared type against the policy the running kernel reports.

#[cfg(feature = "tokio")]
pub mod async_family;
pub mod ethtool;
pub mod events;
pub mod family;
pub mod netdev;
pub mod nlctrl;
pub mod policy;

#[cfg(feature = "tokio")]
pub use async_family::{AsyncGenlHandle, GenlEventStream, GenlStream};
pub use events::{GenlEvents, GenlNotification};
pub use family::{
    decode_reply, Command, FamilyInfo, GenlDump, GenlEvent, GenlFamily, GenlHandle, GenlMessage,
    GenlRequest, GroupInfo, OpInfo,
};
pub use nlctrl::*;

use crate::{Conn, Error, Socket};

/// Looks up the family called `name`: its id (the message type to send it), version,
/// operations and multicast groups. A family the kernel does not have is
/// [`GenlError::UnknownFamily`](crate::GenlError::UnknownFamily), for which
/// [`Error::is_not_found`] holds.
///
/// ```no_run
/// use netlink::{Config, Conn, Family};
///
/// let conn = Conn::dial(Family::GENERIC, Config::default())?;
/// let nlctrl = netlink::genl::get_family(&conn, "nlctrl")?;
/// assert_eq!(nlctrl.id, netlink::genl::GENL_ID_CTRL);
/// # Ok::<(), netlink::Error>(())
/// ```
pub fn get_family<S: Socket>(conn: &Conn<S>, name: &str) -> Result<FamilyInfo, Error> {
    FamilyInfo::resolve(conn, name)
}

/// Every generic netlink family, from a `CTRL_CMD_GETFAMILY` dump.
pub fn list_families<S: Socket>(conn: &Conn<S>) -> Result<Vec<FamilyInfo>, Error> {
    FamilyInfo::list(conn)
}
