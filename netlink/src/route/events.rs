//! Typed rtnetlink notifications ([`RouteEvent`]) and a [`Monitor`] that never misses a
//! change: it subscribes before it dumps, and dumps again after an overrun.

use std::collections::VecDeque;

use super::constants::groups;
use super::handle::RouteHandle;
use super::request::RouteFilter;
use super::{
    AddressMessage, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage, RTM_DELADDR,
    RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
    RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::conn::{Config, Conn, Family};
use crate::error::Error;
use crate::message::Message;
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
    events: Conn,
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
        let events = Conn::dial(Family::ROUTE, config.clone())?;
        for g in watch.groups() {
            events.join_group(g)?;
        }
        let handle = RouteHandle::with_config(config)?;
        let mut m = Monitor {
            events,
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
            match self.events.receive() {
                Ok(msgs) => {
                    for m in &msgs {
                        if let Some(e) = RouteEvent::decode(m)? {
                            self.pending.push_back(MonitorEvent::Event(e));
                        }
                    }
                }
                Err(e) if e.is_overrun() => {
                    // Lost notifications: what was queued before the loss is stale too.
                    self.pending.clear();
                    self.resyncs = self.resyncs.saturating_add(1);
                    let snap = self.snapshot()?;
                    self.pending.push_back(MonitorEvent::Snapshot(snap));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// How many times notifications were lost and the state dumped again.
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// The socket the notifications arrive on (to set a read timeout, say).
    pub fn events(&self) -> &Conn {
        &self.events
    }

    /// The handle the monitor dumps with.
    pub fn handle(&self) -> &RouteHandle {
        &self.handle
    }

    fn snapshot(&self) -> Result<Snapshot, Error> {
        let h = &self.handle;
        let w = self.watch;
        Ok(Snapshot {
            links: if w.links { h.links()? } else { Vec::new() },
            addresses: if w.addresses {
                h.addresses()?
            } else {
                Vec::new()
            },
            routes: if w.routes {
                h.routes(RouteFilter::default())?
            } else {
                Vec::new()
            },
            neighbours: if w.neighbours {
                h.neighbours()?
            } else {
                Vec::new()
            },
            rules: if w.rules { h.rules(0)? } else { Vec::new() },
        })
    }
}
