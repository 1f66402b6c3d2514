//! Typed rtnetlink notifications ([`RouteEvent`]) and a [`Monitor`] that never misses a
//! change: it subscribes before it dumps, and dumps again after an overrun.

use super::constants::groups;
use super::handle::RouteHandle;
use super::listen::dump_request;
use super::request::{self, LinkFilter, RouteFilter};
use super::{
    AddressMessage, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage, RTM_DELADDR,
    RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
    RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::conn::{Config, Conn, Family};
use crate::error::Error;
use crate::events::{Event, Listener, Raw};
use crate::message::{AsMessageRef, Message, MessageRef};
use crate::nlattrs::NlAttrs;
use crate::socket::{NetlinkSocket, Socket};

/// One rtnetlink notification, decoded (boxed: a link message alone is about 2 KiB).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum RouteEvent {
    /// `RTM_NEWLINK`: a link appeared or changed.
    NewLink(Box<LinkMessage>),
    /// `RTM_DELLINK`.
    DelLink(Box<LinkMessage>),
    /// `RTM_NEWADDR`.
    NewAddress(Box<AddressMessage>),
    /// `RTM_DELADDR`.
    DelAddress(Box<AddressMessage>),
    /// `RTM_NEWROUTE`.
    NewRoute(Box<RouteMessage>),
    /// `RTM_DELROUTE`.
    DelRoute(Box<RouteMessage>),
    /// `RTM_NEWNEIGH`.
    NewNeighbour(Box<NeighbourMessage>),
    /// `RTM_DELNEIGH`.
    DelNeighbour(Box<NeighbourMessage>),
    /// `RTM_NEWRULE`.
    NewRule(Box<RuleMessage>),
    /// `RTM_DELRULE`.
    DelRule(Box<RuleMessage>),
}

impl RouteEvent {
    /// Decodes a notification; `Ok(None)` for message types this enum does not cover
    /// (`RTM_NEWNEXTHOP`, traffic control, ...).
    pub fn decode<'a>(m: impl AsMessageRef<'a>) -> Result<Option<RouteEvent>, Error> {
        let m = m.message_ref();
        let m = &m;
        let k = m.header.kind;
        Ok(Some(if k == RTM_NEWLINK {
            RouteEvent::NewLink(Box::new(LinkMessage::from_message(m)?))
        } else if k == RTM_DELLINK {
            RouteEvent::DelLink(Box::new(LinkMessage::from_message(m)?))
        } else if k == RTM_NEWADDR {
            RouteEvent::NewAddress(Box::new(AddressMessage::from_message(m)?))
        } else if k == RTM_DELADDR {
            RouteEvent::DelAddress(Box::new(AddressMessage::from_message(m)?))
        } else if k == RTM_NEWROUTE {
            RouteEvent::NewRoute(Box::new(RouteMessage::from_message(m)?))
        } else if k == RTM_DELROUTE {
            RouteEvent::DelRoute(Box::new(RouteMessage::from_message(m)?))
        } else if k == RTM_NEWNEIGH {
            RouteEvent::NewNeighbour(Box::new(NeighbourMessage::from_message(m)?))
        } else if k == RTM_DELNEIGH {
            RouteEvent::DelNeighbour(Box::new(NeighbourMessage::from_message(m)?))
        } else if k == RTM_NEWRULE {
            RouteEvent::NewRule(Box::new(RuleMessage::from_message(m)?))
        } else if k == RTM_DELRULE {
            RouteEvent::DelRule(Box::new(RuleMessage::from_message(m)?))
        } else {
            return Ok(None);
        }))
    }
}

/// What a [`Monitor`] watches; each kind is a set of multicast groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// Links (`RTNLGRP_LINK`).
    pub links: bool,
    /// IPv4 and IPv6 addresses.
    pub addresses: bool,
    /// IPv4 and IPv6 routes.
    pub routes: bool,
    /// Neighbours (`RTNLGRP_NEIGH`).
    pub neighbours: bool,
    /// IPv4 and IPv6 rules.
    pub rules: bool,
}

impl Watch {
    /// Everything.
    pub const ALL: Watch = Watch {
        links: true,
        addresses: true,
        routes: true,
        neighbours: true,
        rules: true,
    };

    /// Nothing (set the fields you want).
    pub const NONE: Watch = Watch {
        links: false,
        addresses: false,
        routes: false,
        neighbours: false,
        rules: false,
    };

    /// The multicast groups of what is watched.
    pub(crate) fn groups(&self) -> Vec<u32> {
        let mut g = Vec::new();
        if self.links {
            g.push(groups::RTNLGRP_LINK);
        }
        if self.addresses {
            g.extend([groups::RTNLGRP_IPV4_IFADDR, groups::RTNLGRP_IPV6_IFADDR]);
        }
        if self.routes {
            g.extend([groups::RTNLGRP_IPV4_ROUTE, groups::RTNLGRP_IPV6_ROUTE]);
        }
        if self.neighbours {
            g.push(groups::RTNLGRP_NEIGH);
        }
        if self.rules {
            g.extend([groups::RTNLGRP_IPV4_RULE, groups::RTNLGRP_IPV6_RULE]);
        }
        g
    }

    /// The dumps of a [`Snapshot`] of what is watched, in the order the monitors run them
    /// (links, addresses, routes, neighbours, rules; every family, every table): what
    /// [`Monitor`] and the async monitor send, and [`Snapshot::absorb`] takes in.
    pub(crate) fn dump_requests(&self) -> Result<Vec<Message>, Error> {
        let mut requests = Vec::new();
        if self.links {
            requests.push(dump_request(&request::dump_links(&LinkFilter::default()))?);
        }
        if self.addresses {
            requests.push(dump_request(&request::dump_addresses(0, 0))?);
        }
        if self.routes {
            requests.push(dump_request(&request::dump_routes(RouteFilter::default()))?);
        }
        if self.neighbours {
            requests.push(dump_request(&request::dump_neighbours(0, 0))?);
        }
        if self.rules {
            requests.push(dump_request(&request::dump_rules(0))?);
        }
        Ok(requests)
    }
}

/// The full state of what a [`Monitor`] watches, dumped at start and after every overrun.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    /// Every link (empty unless watched).
    pub links: Vec<LinkMessage>,
    /// Every address.
    pub addresses: Vec<AddressMessage>,
    /// Every route of every table.
    pub routes: Vec<RouteMessage>,
    /// Every neighbour entry.
    pub neighbours: Vec<NeighbourMessage>,
    /// Every rule.
    pub rules: Vec<RuleMessage>,
}

/// What [`Monitor::next_event`] hands out.
#[derive(Debug, Clone, PartialEq)]
pub enum MonitorEvent {
    /// The whole state: first, and again after notifications were lost (an overrun). Events
    /// that follow apply to it.
    Snapshot(Snapshot),
    /// A change.
    Event(RouteEvent),
}

/// Watches rtnetlink: a [`Snapshot`] of the current state, then every change.
///
/// Built on [`Listener`]: the monitor joins the multicast groups
/// first and dumps after, on a second socket, so a change made between the dump and the first
/// notification is not lost: it shows in the notifications (possibly also in the snapshot;
/// applying it again is harmless). When the kernel reports that notifications were lost
/// ([`Event::Overrun`]), the monitor resynchronises with
/// [`Listener::resync`] (discards what was queued, dumps
/// again) and hands out a new snapshot. For tokio programs, `AsyncMonitor` (feature `tokio`)
/// does the same on async connections.
///
/// ```no_run
/// use netlink::route::{Monitor, MonitorEvent, Watch};
///
/// let mut mon = Monitor::new(Watch::ALL, netlink::Config::default())?;
/// loop {
///     match mon.next_event()? {
///         MonitorEvent::Snapshot(s) => println!("{} links", s.links.len()),
///         MonitorEvent::Event(e) => println!("{e:?}"),
///     }
/// }
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// `S` is the transport of the notifications and `D` that of the dumps: the kernel's
/// [`NetlinkSocket`] for both from [`new`](Monitor::new), or any [`Socket`] (the fakes of the
/// `testing` module, say) through [`from_parts`](Monitor::from_parts).
#[derive(Debug)]
pub struct Monitor<S: Socket = NetlinkSocket, D: Socket = NetlinkSocket> {
    events: Listener<Raw, S>,
    handle: RouteHandle<D>,
    watch: Watch,
    pending: Option<Snapshot>,
    /// Notifications were lost and no dump has succeeded since: the next call dumps.
    resync_due: bool,
    resyncs: u64,
}

impl Monitor {
    /// Subscribes to what `watch` names, then dumps it; the first [`next_event`] is the
    /// snapshot. `config` chooses the namespace of both sockets and the receive buffer of the
    /// subscribed one (the [`Listener`] default, 4 MiB, when it names none).
    ///
    /// [`next_event`]: Monitor::next_event
    pub fn new(watch: Watch, config: Config) -> Result<Monitor, Error> {
        let events = Listener::dial(Family::ROUTE, &watch.groups(), config.clone())?;
        let handle = RouteHandle::with_config(Config {
            read_buffer: 0,
            ..config
        })?;
        Monitor::from_parts(events, handle, watch)
    }
}

impl<S: Socket, D: Socket> Monitor<S, D> {
    /// A monitor over notifications already subscribed to (`events`, a [`Listener`] that
    /// joined the groups of `watch`, or one over a fake socket) that dumps what `watch` names
    /// on `handle` (another connection in the same namespace). The first dump runs now (what
    /// `events` has queued is discarded: the dump supersedes it); its snapshot is the first
    /// [`next_event`](Self::next_event).
    pub fn from_parts(
        events: Listener<Raw, S>,
        handle: RouteHandle<D>,
        watch: Watch,
    ) -> Result<Self, Error> {
        let mut m = Monitor {
            events,
            handle,
            watch,
            pending: None,
            resync_due: false,
            resyncs: 0,
        };
        m.pending = Some(m.snapshot()?);
        Ok(m)
    }

    /// The next snapshot or change, waiting for it (up to the read timeout of
    /// [`events`](Self::events), if one is set).
    ///
    /// After an overrun the call dumps again and returns the new snapshot. If that dump fails
    /// ([`Error::DumpInterrupted`] while the state changes fast, an I/O error), the call
    /// returns its error and the resync stays due: the next call dumps again, until a dump
    /// succeeds (counted as one resync in [`resyncs`](Self::resyncs)).
    pub fn next_event(&mut self) -> Result<MonitorEvent, Error> {
        loop {
            if let Some(s) = self.pending.take() {
                return Ok(MonitorEvent::Snapshot(s));
            }
            if self.resync_due {
                let s = self.snapshot()?;
                self.resync_due = false;
                return Ok(MonitorEvent::Snapshot(s));
            }
            match self.events.next_event()? {
                Event::Message(m) => {
                    if let Some(e) = RouteEvent::decode(&m)? {
                        return Ok(MonitorEvent::Event(e));
                    }
                }
                Event::Overrun => {
                    self.resyncs = self.resyncs.saturating_add(1);
                    self.resync_due = true;
                }
            }
        }
    }

    /// How many times notifications were lost and the state dumped again.
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// What the monitor watches.
    pub fn watch(&self) -> Watch {
        self.watch
    }

    /// The subscribed connection (to set a read timeout, say).
    pub fn events(&self) -> &Conn<S> {
        self.events.conn()
    }

    /// The handle the monitor dumps with.
    pub fn handle(&self) -> &RouteHandle<D> {
        &self.handle
    }

    /// The listener the notifications arrive on (its counts, say).
    pub fn listener(&self) -> &Listener<Raw, S> {
        &self.events
    }

    /// Dumps what is watched through [`Listener::resync`]: the queued notifications are
    /// discarded first (the dumps supersede them; reading the queue empty also ends the
    /// kernel's drop-everything state after an overrun), the first dump runs inside the
    /// resync and the others right after it, so every change from then on is in a dump or in
    /// the notifications that follow.
    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        let requests = self.watch.dump_requests()?;
        let mut snap = Snapshot::default();
        let dumper = self.handle.conn();
        let mut requests = requests.iter();
        match requests.next() {
            Some(first) => {
                self.events.resync(dumper, first, |m| snap.absorb(&m))?;
            }
            None => {
                self.events.discard_queued()?;
            }
        }
        for r in requests {
            let mut dump = dumper.dump(r)?;
            while let Some(m) = dump.next_ref() {
                snap.absorb(&m?)?;
            }
        }
        Ok(snap)
    }
}

impl Snapshot {
    /// Adds one message of a dump of [`Watch::dump_requests`] (other message types, such as
    /// an acknowledgement, are left out).
    pub(crate) fn absorb(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
        let k = m.header.kind;
        if k == RTM_NEWLINK {
            self.links.push(LinkMessage::from_message(m)?);
        } else if k == RTM_NEWADDR {
            self.addresses.push(AddressMessage::from_message(m)?);
        } else if k == RTM_NEWROUTE {
            self.routes.push(RouteMessage::from_message(m)?);
        } else if k == RTM_NEWNEIGH {
            self.neighbours.push(NeighbourMessage::from_message(m)?);
        } else if k == RTM_NEWRULE {
            self.rules.push(RuleMessage::from_message(m)?);
        }
        Ok(())
    }
}
