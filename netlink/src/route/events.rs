//! Typed rtnetlink notifications ([`RouteEvent`]) and a [`Monitor`] that never misses a
//! change: it subscribes before it dumps, and dumps again after an overrun.

use std::collections::VecDeque;

use super::constants::groups;
use super::handle::RouteHandle;
use super::listen::dump_request;
use super::request::{self, LinkFilter, RouteFilter};
use super::{
    AddressMessage, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage, RTM_NEWADDR,
    RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::conn::{Config, Conn, Family};
use crate::error::Error;
use crate::events::{Event, Listener, Raw};
use crate::message::{Message, MessageRef};
use crate::nlattrs::NlAttrs;

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
    pub fn decode(m: &Message) -> Result<Option<RouteEvent>, Error> {
        RouteEvent::from_ref(&crate::message::AsMessageRef::message_ref(m))
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

    fn groups(&self) -> Vec<u32> {
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
/// The monitor joins the multicast groups first and dumps after, on a second socket, so a
/// change made between the dump and the first notification is not lost: it shows in the
/// notifications (possibly also in the snapshot; applying it again is harmless). When the
/// kernel reports that notifications were lost ([`Error::Overrun`]), the monitor dumps again
/// and hands out a new snapshot.
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
#[derive(Debug)]
pub struct Monitor {
    listener: Listener<Raw>,
    handle: RouteHandle,
    watch: Watch,
    pending: VecDeque<MonitorEvent>,
    resyncs: u64,
}

impl Monitor {
    /// Subscribes to what `watch` names, then dumps it; the first [`next_event`] is the
    /// snapshot. `config` chooses the namespace and buffer sizes of both sockets.
    ///
    /// [`next_event`]: Monitor::next_event
    pub fn new(watch: Watch, config: Config) -> Result<Monitor, Error> {
        let listener = Listener::dial(Family::ROUTE, &watch.groups(), config.clone())?;
        let handle = RouteHandle::with_config(config)?;
        let mut m = Monitor {
            listener,
            handle,
            watch,
            pending: VecDeque::new(),
            resyncs: 0,
        };
        let snap = m.snapshot()?;
        m.pending.push_back(MonitorEvent::Snapshot(snap));
        Ok(m)
    }

    /// The next snapshot or change, waiting for it (up to the read timeout of
    /// [`events`](Self::events), if one is set).
    pub fn next_event(&mut self) -> Result<MonitorEvent, Error> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(e);
            }
            match self.listener.next_event()? {
                Event::Message(m) => {
                    if let Some(e) = RouteEvent::from_ref(&m)? {
                        self.pending.push_back(MonitorEvent::Event(e));
                    }
                }
                Event::Overrun => {
                    // Lost notifications: what was queued before the loss is stale too.
                    self.pending.clear();
                    self.resyncs = self.resyncs.saturating_add(1);
                    let snap = self.snapshot()?;
                    self.pending.push_back(MonitorEvent::Snapshot(snap));
                }
            }
        }
    }

    /// How many times notifications were lost and the state dumped again.
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// The socket the notifications arrive on (to set a read timeout, say).
    pub fn events(&self) -> &Conn {
        self.listener.conn()
    }

    /// The listener the notifications arrive on (its counts, say).
    pub fn listener(&self) -> &Listener<Raw> {
        &self.listener
    }

    /// The handle the monitor dumps with.
    pub fn handle(&self) -> &RouteHandle {
        &self.handle
    }

    /// Dumps what is watched through [`Listener::resync`]: the events already queued are
    /// discarded first (they predate the dumps), the first dump runs inside the resync and
    /// the others right after it, so every change from then on is in a dump or in the events
    /// that follow.
    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        let w = self.watch;
        let mut requests = Vec::new();
        if w.links {
            requests.push(dump_request(&request::dump_links(&LinkFilter::default()))?);
        }
        if w.addresses {
            requests.push(dump_request(&request::dump_addresses(0, 0))?);
        }
        if w.routes {
            requests.push(dump_request(&request::dump_routes(RouteFilter::default()))?);
        }
        if w.neighbours {
            requests.push(dump_request(&request::dump_neighbours(0, 0))?);
        }
        if w.rules {
            requests.push(dump_request(&request::dump_rules(0))?);
        }
        let mut snap = Snapshot::default();
        let dumper = self.handle.conn();
        let mut requests = requests.iter();
        match requests.next() {
            Some(first) => {
                self.listener.resync(dumper, first, |m| snap.absorb(&m))?;
            }
            None => {
                self.listener.discard_queued()?;
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
    /// Adds one message of a dump.
    fn absorb(&mut self, m: &MessageRef<'_>) -> Result<(), Error> {
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
