//! Event listeners that keep up with a storm: many datagrams per system call, borrowed
//! decoding, a receive buffer sized for bursts, overruns reported in the stream, and a resync
//! that misses nothing.
//!
//! A [`Listener`] owns a connection that has joined multicast groups. Each
//! [`next_event`](Listener::next_event) hands out one event, decoded by its [`EventKind`] from a slot of a
//! reused [`Datagrams`] buffer (up to [`MAX_SLOTS`](crate::datagrams::MAX_SLOTS) datagrams per
//! `recvmmsg(2)`): no allocation per event. [`Raw`] yields [`MessageRef`]s, [`Typed`] decodes
//! an owned derived type, and a family's own event type (an enum over its message kinds, a
//! borrowed derived struct) implements [`EventKind`] itself.
//!
//! ```
//! use netlink::events::{Event, Listener, Raw};
//! use netlink::{Config, Family};
//!
//! const RTNLGRP_LINK: u32 = 1;
//! let mut listener = Listener::<Raw>::dial(Family::ROUTE, &[RTNLGRP_LINK], Config::default())?;
//! listener.conn().set_read_timeout(Some(std::time::Duration::from_millis(10)));
//! match listener.next_event() {
//!     Ok(Event::Message(m)) => println!("event type {}", m.header.kind),
//!     Ok(Event::Overrun) => println!("events were lost: resync"),
//!     Err(e) if e.is_timeout() => {} // nothing happened
//!     Err(e) => return Err(e),
//! }
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! # How much a burst can be
//!
//! [`Listener::dial`] sets the kernel receive buffer to [`DEFAULT_LISTENER_BUFFER`] (4 MiB;
//! the kernel reports 8 MiB) unless the [`Config`] names a size: with `SO_RCVBUFFORCE` when
//! the process has `CAP_NET_ADMIN`, else with `SO_RCVBUF`, which the kernel caps at
//! `net.core.rmem_max`. The kernel charges about 832 bytes per small event (a route or address
//! change) and 2-4 KiB per link event, so 8 MiB holds about 10,000 route events, or 2,000 to
//! 4,000 link events, that arrive while the program is not reading; the listener itself reads
//! up to 32 datagrams per system call, so it rarely lets the queue grow. A socket whose queue
//! overflows gets `ENOBUFS` once, and the kernel then drops every event until the queue has
//! been read empty: one overrun can hide thousands of events.
//!
//! # Overruns and resynchronisation
//!
//! An overrun is an item of the stream, [`Event::Overrun`], not its end: the listener keeps
//! working. What was lost can only be learned again from the kernel, with a dump:
//! [`Listener::resync`] first reads and discards every event already queued (they predate the
//! dump; reading the queue empty also ends the kernel's drop-everything state), then runs the
//! dump on a second connection in the same namespace and hands over its messages, and the
//! events that follow come from the same, still subscribed, socket. Every change after the
//! resync began is therefore either in the dump or delivered afterwards (possibly both: apply
//! events so that repeating one is harmless, e.g. "add or replace"). The same call makes the
//! initial state: join first, then resync, then loop on `next_event`.

use std::marker::PhantomData;

use crate::conn::{Config, Conn, Family};
use crate::datagrams::Datagrams;
use crate::error::Error;
use crate::message::{Header, HeaderType, Message, MessageRef};
use crate::nlattrs::{DecodeOptions, NlAttrsOwned};
use crate::socket::{NetlinkSocket, RecvInfo, Socket};

/// The kernel receive buffer a [`Listener`] asks for by default: 4 MiB (the kernel doubles
/// it for its bookkeeping and reports 8 MiB).
pub const DEFAULT_LISTENER_BUFFER: usize = 4 * 1024 * 1024;

/// How a listener decodes the messages it receives.
///
/// Implement it for a family's event type; the lifetime lets the event borrow from the
/// receive buffer:
///
/// ```
/// use netlink::events::EventKind;
/// use netlink::{Error, MessageRef};
///
/// /// The interface index of link events (`struct ifinfomsg`, bytes 4..8).
/// struct LinkIndex;
///
/// impl EventKind for LinkIndex {
///     type Event<'a> = i32;
///     fn decode<'a>(message: MessageRef<'a>) -> Result<i32, Error> {
///         let (family_header, _) = message.split_family_header(16)?;
///         let bytes: [u8; 4] = family_header[4..8].try_into().unwrap();
///         Ok(i32::from_ne_bytes(bytes))
///     }
/// }
/// ```
pub trait EventKind {
    /// The decoded event, possibly borrowing from the message.
    type Event<'a>;

    /// Decodes one message. An error is returned for this message only; the listener goes on
    /// with the next.
    fn decode<'a>(message: MessageRef<'a>) -> Result<Self::Event<'a>, Error>;
}

/// Events as undecoded messages ([`MessageRef`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Raw;

impl EventKind for Raw {
    type Event<'a> = MessageRef<'a>;

    #[inline]
    fn decode<'a>(message: MessageRef<'a>) -> Result<MessageRef<'a>, Error> {
        Ok(message)
    }
}

/// Events decoded as the owned derived type `T` (family header and attributes), with the
/// message header alongside: [`TypedEvent`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Typed<T>(PhantomData<fn() -> T>);

/// A message header and its decoded payload (what [`Typed`] yields).
#[derive(Debug, Clone, PartialEq)]
pub struct TypedEvent<T> {
    /// The message header (its type tells a new object from a deleted one).
    pub header: Header,
    /// The payload.
    pub body: T,
}

impl<T: NlAttrsOwned> EventKind for Typed<T> {
    type Event<'a> = TypedEvent<T>;

    fn decode<'a>(message: MessageRef<'a>) -> Result<TypedEvent<T>, Error> {
        let body = T::decode_message(&message, &DecodeOptions::default())?;
        Ok(TypedEvent {
            header: message.header,
            body,
        })
    }
}

/// One item of a listener's stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<T> {
    /// A message from a multicast group.
    Message(T),
    /// The receive buffer overflowed (`ENOBUFS`): the kernel dropped events, possibly many.
    /// The stream goes on; [`Listener::resync`] recovers the state.
    Overrun,
}

/// Counts kept by a [`Listener`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListenerStats {
    /// Receive system calls that returned datagrams.
    pub receives: u64,
    /// Datagrams received.
    pub datagrams: u64,
    /// Messages handed out as events.
    pub events: u64,
    /// Overruns reported.
    pub overruns: u64,
    /// Datagrams lost because they were longer than a slot (the slots grow afterwards).
    pub truncated: u64,
}

/// What [`Listener::resync`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resync {
    /// Queued events discarded because the dump supersedes them.
    pub discarded: u64,
    /// Messages of the dump handed over.
    pub dumped: u64,
}

/// Where the next message is.
enum Step {
    Message {
        slot: usize,
        start: usize,
        end: usize,
    },
    Overrun,
}

/// A multicast listener (see the [module documentation](crate::events)).
///
/// `K` decodes the events ([`Raw`] by default); `S` is the transport.
pub struct Listener<K: EventKind = Raw, S: Socket = NetlinkSocket> {
    conn: Conn<S>,
    dgrams: Datagrams,
    slot: usize,
    offset: usize,
    grow_to: usize,
    info: RecvInfo,
    stats: ListenerStats,
    kind: PhantomData<fn() -> K>,
}

impl<K: EventKind, S: Socket> std::fmt::Debug for Listener<K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("conn", &self.conn)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<K: EventKind> Listener<K, NetlinkSocket> {
    /// Dials `family` with `config`, sizes the receive buffer for bursts (to
    /// [`DEFAULT_LISTENER_BUFFER`] unless `config.read_buffer` names a size; see the module
    /// documentation for the bound) and joins every group in `groups` (group numbers, as in
    /// `RTNLGRP_*`, or the ids of generic netlink groups).
    pub fn dial(family: Family, groups: &[u32], config: Config) -> Result<Self, Error> {
        let buffer = match config.read_buffer {
            0 => DEFAULT_LISTENER_BUFFER,
            n => n,
        };
        let conn = Conn::dial(family, config)?;
        conn.set_read_buffer(buffer)?;
        for &g in groups {
            conn.join_group(g)?;
        }
        Ok(Listener::from_conn(conn))
    }

    /// Joins one more multicast group by number.
    pub fn join_group(&self, group: u32) -> Result<(), Error> {
        self.conn.join_group(group)
    }

    /// Leaves a multicast group.
    pub fn leave_group(&self, group: u32) -> Result<(), Error> {
        self.conn.leave_group(group)
    }

    /// Joins the multicast group `group` of the generic netlink family `family` (on a listener
    /// dialed with [`Family::GENERIC`]), resolving both names through `nlctrl` on the
    /// listener's own socket; returns the group id. Call it before events flow: messages
    /// received while the name is resolved are not kept.
    #[cfg(feature = "derive")]
    pub fn join_genl_group(&self, family: &str, group: &str) -> Result<u32, Error> {
        let f = crate::genl::get_family(&self.conn, family)?;
        let id = f
            .group(group)
            .ok_or_else(|| crate::GenlError::UnknownGroup {
                family: family.to_owned(),
                group: group.to_owned(),
            })?;
        self.conn.join_group(id)?;
        Ok(id)
    }
}

impl<K: EventKind, S: Socket> Listener<K, S> {
    /// A listener over a connection that joined its groups already (or a fake).
    pub fn from_conn(conn: Conn<S>) -> Self {
        Listener {
            conn,
            dgrams: Datagrams::default(),
            slot: 0,
            offset: 0,
            grow_to: 0,
            info: RecvInfo::default(),
            stats: ListenerStats::default(),
            kind: PhantomData,
        }
    }

    /// The connection: for timeouts ([`Conn::set_read_timeout`] bounds each
    /// [`next_event`](Listener::next_event)), options and [`Conn::close`], which wakes a blocked `next`.
    pub fn conn(&self) -> &Conn<S> {
        &self.conn
    }

    /// Gives the connection back (events already received and not handed out are dropped).
    pub fn into_conn(self) -> Conn<S> {
        self.conn
    }

    /// Counts of what the listener received.
    pub fn stats(&self) -> ListenerStats {
        self.stats
    }

    /// What the socket reported about the datagram of the last event (the group with
    /// `NETLINK_PKTINFO`, the namespace id with `NETLINK_LISTEN_ALL_NSID`).
    pub fn last_info(&self) -> RecvInfo {
        self.info
    }

    /// The next event, waiting for it until the connection's read timeout
    /// ([`Error::Timeout`]). [`Event::Overrun`] reports lost events and the stream goes on;
    /// a message that does not decode is an error for that message only. Control messages
    /// (acknowledgements, `NLMSG_DONE`, `NLMSG_NOOP`) are skipped.
    pub fn next_event(&mut self) -> Result<Event<K::Event<'_>>, Error> {
        let (slot, start, end) = match self.advance()? {
            Step::Overrun => return Ok(Event::Overrun),
            Step::Message { slot, start, end } => (slot, start, end),
        };
        let data = match self.dgrams.get(slot) {
            Some(Ok(d)) => d.data.get(start..end).unwrap_or_default(),
            _ => &[],
        };
        let (m, _) = MessageRef::parse(data)?;
        K::decode(m).map(Event::Message)
    }

    /// Finds the next message, receiving datagrams as needed.
    fn advance(&mut self) -> Result<Step, Error> {
        loop {
            if self.slot < self.dgrams.len() {
                let slot = self.slot;
                let d = match self.dgrams.get(slot) {
                    Some(Ok(d)) => d,
                    Some(Err(e)) => {
                        self.slot = slot.saturating_add(1);
                        self.stats.truncated = self.stats.truncated.saturating_add(1);
                        if let Error::Truncated { len, .. } = e {
                            self.grow_to = self.grow_to.max(len);
                        }
                        return Err(e);
                    }
                    None => {
                        self.slot = slot.saturating_add(1);
                        continue;
                    }
                };
                if self.offset == 0 {
                    if !self.conn.accept_sender(&d.info) {
                        self.slot = slot.saturating_add(1);
                        continue;
                    }
                    self.info = d.info;
                }
                let start = self.offset;
                let rest = d.data.get(start..).unwrap_or_default();
                if rest.is_empty() {
                    self.slot = slot.saturating_add(1);
                    self.offset = 0;
                    continue;
                }
                match MessageRef::parse(rest) {
                    Ok((m, tail)) => {
                        let end = d.data.len().saturating_sub(tail.len());
                        self.offset = end;
                        if m.header.kind.0 < HeaderType::MIN_TYPE.0 {
                            continue;
                        }
                        self.stats.events = self.stats.events.saturating_add(1);
                        let end = start.saturating_add(m.header.length as usize).min(end);
                        return Ok(Step::Message { slot, start, end });
                    }
                    Err(e) => {
                        // The rest of this datagram cannot be framed.
                        self.slot = slot.saturating_add(1);
                        self.offset = 0;
                        return Err(e.into());
                    }
                }
            }
            self.refill()?;
            if self.dgrams.is_empty() {
                return Ok(Step::Overrun);
            }
        }
    }

    /// Receives the next datagrams; leaves the buffer empty after an overrun.
    fn refill(&mut self) -> Result<(), Error> {
        self.slot = 0;
        self.offset = 0;
        if self.grow_to > 0 {
            self.dgrams.grow_slots(self.grow_to);
            self.grow_to = 0;
        }
        // Events the connection kept while a request ran on it come first.
        match self.conn.take_kept() {
            Ok(Some((bytes, info))) => {
                self.dgrams.clear();
                self.dgrams.push_copy(&bytes, info);
                return Ok(());
            }
            Ok(None) => {}
            Err(Error::Overrun { .. }) => {
                self.dgrams.clear();
                self.stats.overruns = self.stats.overruns.saturating_add(1);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let deadline = self.conn.receive_deadline();
        match self.conn.socket().recv_batch(&mut self.dgrams, deadline) {
            Ok(n) => {
                self.stats.receives = self.stats.receives.saturating_add(1);
                self.stats.datagrams = self.stats.datagrams.saturating_add(n as u64);
                Ok(())
            }
            Err(Error::Overrun { .. }) => {
                self.dgrams.clear();
                self.stats.overruns = self.stats.overruns.saturating_add(1);
                Ok(())
            }
            Err(Error::Truncated { len, .. }) => {
                self.dgrams.clear();
                self.dgrams.grow_slots(len);
                self.stats.truncated = self.stats.truncated.saturating_add(1);
                Err(Error::Truncated {
                    len,
                    capacity: self.dgrams.slot_size(),
                    header: None,
                })
            }
            Err(e) => {
                self.dgrams.clear();
                Err(e)
            }
        }
    }

    /// Reads and discards every event already queued, without waiting; returns how many
    /// messages were discarded. Reading the queue empty also ends the kernel's
    /// drop-everything state after an overrun. An overrun met while discarding is not
    /// reported (what it lost was being discarded; the state is recovered after this, as in
    /// [`resync`](Listener::resync)) and not counted in [`ListenerStats::overruns`].
    pub fn discard_queued(&mut self) -> Result<u64, Error> {
        let mut discarded = 0u64;
        // What is left of the current datagrams.
        while self.slot < self.dgrams.len() {
            if let Some(Ok(d)) = self.dgrams.get(self.slot) {
                let rest = d.data.get(self.offset..).unwrap_or_default();
                discarded = discarded.saturating_add(crate::message::messages(rest).count() as u64);
            }
            self.slot = self.slot.saturating_add(1);
            self.offset = 0;
        }
        loop {
            match self.conn.take_kept() {
                Ok(Some((bytes, _))) => {
                    let n = crate::message::messages(&bytes).count() as u64;
                    discarded = discarded.saturating_add(n);
                }
                Ok(None) => break,
                Err(_) => {}
            }
        }
        loop {
            let now = Some(std::time::Instant::now());
            match self.conn.socket().recv_batch(&mut self.dgrams, now) {
                Ok(_) => {
                    for d in self.dgrams.iter().flatten() {
                        discarded = discarded
                            .saturating_add(crate::message::messages(d.data).count() as u64);
                    }
                }
                // Lost among what is being discarded anyway: nothing to report (the caller
                // recovers the state after this; `stats.overruns` counts reported ones).
                Err(Error::Overrun { .. }) => {}
                Err(Error::Truncated { len, .. }) => self.dgrams.grow_slots(len),
                Err(Error::Timeout { .. }) => break,
                Err(e) => return Err(e),
            }
        }
        self.dgrams.clear();
        self.slot = 0;
        self.offset = 0;
        Ok(discarded)
    }

    /// Recovers the state after an [`Event::Overrun`], or makes the initial state: discards
    /// the events already queued ([`discard_queued`](Listener::discard_queued)), then runs the
    /// dump `request` on `dumper` (a second connection in the same namespace) and hands each
    /// of its messages to `on_state`. The listener stays subscribed throughout, so every
    /// change from the moment the dump starts is in the dump or in the events that
    /// [`next_event`](Listener::next_event) delivers afterwards (see the module documentation).
    pub fn resync<S2, F>(
        &mut self,
        dumper: &Conn<S2>,
        request: &Message,
        mut on_state: F,
    ) -> Result<Resync, Error>
    where
        S2: Socket,
        F: FnMut(MessageRef<'_>) -> Result<(), Error>,
    {
        let discarded = self.discard_queued()?;
        let mut dumped = 0u64;
        let mut dump = dumper.dump(request)?;
        while let Some(m) = dump.next_ref() {
            on_state(m?)?;
            dumped = dumped.saturating_add(1);
        }
        Ok(Resync { discarded, dumped })
    }
}
