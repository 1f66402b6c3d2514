//! Generic netlink notifications through the loss-free [`Listener`]: [`GenlEvents<E>`] is the
//! [`EventKind`] that decodes each message into a family's event type `E` (a [`GenlEvent`],
//! such as [`NetdevEvent`](super::netdev::NetdevEvent)), and [`GenlHandle::listen`] dials a
//! listener that has joined the family's groups by name.
//!
//! ```no_run
//! use netlink::events::Event;
//! use netlink::genl::netdev::{Netdev, NetdevEvent, MGMT_GROUP};
//! use netlink::genl::GenlHandle;
//! use netlink::{Config, Conn, Family};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! let netdev = GenlHandle::<Netdev>::resolve(&conn)?;
//! let mut listener = netdev.listen::<NetdevEvent>(&[MGMT_GROUP], Config::default())?;
//! loop {
//!     match listener.next_event()? {
//!         Event::Message(n) => println!("{:?}", n.event),
//!         Event::Overrun => println!("notifications lost: dump again"),
//!     }
//! }
//! # Ok::<(), netlink::Error>(())
//! ```

use core::marker::PhantomData;

use super::family::{GenlEvent, GenlFamily, GenlHandle};
use crate::conn::{Config, Family};
use crate::error::Error;
use crate::events::{EventKind, Listener};

/// The [`EventKind`] of generic netlink notifications decoded as `E`:
/// `Listener<GenlEvents<E>>` yields [`GenlNotification<E>`].
///
/// The decoder sees no family id, only the message: join only the groups of the family `E`
/// belongs to (as [`GenlHandle::listen`] does), or compare
/// [`GenlNotification::family`] with [`GenlHandle::id`].
#[derive(Debug, Clone, Copy, Default)]
pub struct GenlEvents<E>(PhantomData<fn() -> E>);

/// One generic netlink notification, as a [`Listener<GenlEvents<E>>`](Listener) hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct GenlNotification<E> {
    /// The family id of the message (its message type).
    pub family: u16,
    /// The command of its `genlmsghdr` (a `*_NTF` command).
    pub cmd: u8,
    /// The decoded event; `None` for a command `E` has no variant for.
    pub event: Option<E>,
}

impl<E: GenlEvent> EventKind for GenlEvents<E> {
    type Event<'a> = GenlNotification<E>;

    fn decode<'a>(message: crate::MessageRef<'a>) -> Result<GenlNotification<E>, Error> {
        let cmd = message.data.first().copied().unwrap_or(0);
        Ok(GenlNotification {
            family: message.header.kind.0,
            cmd,
            event: E::decode_event(cmd, &message)?,
        })
    }
}

impl<F: GenlFamily> GenlHandle<F> {
    /// A [`Listener`] on a new generic netlink socket dialed with `config` (its namespace,
    /// its receive buffer: the listener's default of 4 MiB when it names none) that has
    /// joined the multicast groups `groups` of this family, by name; it decodes every
    /// notification as `E`. An unknown group name is an error before anything is joined.
    pub fn listen<E: GenlEvent>(
        &self,
        groups: &[&str],
        config: Config,
    ) -> Result<Listener<GenlEvents<E>>, Error> {
        let ids = groups
            .iter()
            .map(|g| self.group(g))
            .collect::<Result<Vec<u32>, _>>()?;
        Listener::dial(Family::GENERIC, &ids, config)
    }
}
