//! rtnetlink notifications through the loss-free [`Listener`]: [`RouteEvent`] is an
//! [`EventKind`], so a `Listener<RouteEvent>` hands out [`RouteEventRef`]s decoded from its
//! receive buffer.
//!
//! Links and routes decode borrowed ([`LinkMessageRef`], [`RouteMessageRef`]): no allocation
//! per event for what the types declare. Addresses, neighbours and rules decode into their
//! owned messages, which allocate only for a label, a link-layer address or an interface name.
//! An overrun is an item of the stream ([`Event::Overrun`]); [`Listener::resync`] with a dump
//! request of [`dump_request`] recovers the state without missing a change.
//!
//! ```no_run
//! use netlink::events::{Event, Listener};
//! use netlink::route::constants::groups;
//! use netlink::route::{RouteEvent, RouteEventRef};
//! use netlink::{Config, Family};
//!
//! let groups = [groups::RTNLGRP_IPV4_ROUTE, groups::RTNLGRP_IPV6_ROUTE];
//! let mut listener = Listener::<RouteEvent>::dial(Family::ROUTE, &groups, Config::default())?;
//! loop {
//!     match listener.next_event()? {
//!         Event::Message(RouteEventRef::NewRoute(r)) => println!("new route {:?}/{}", r.dst, r.header.dst_len),
//!         Event::Message(RouteEventRef::DelRoute(r)) => println!("gone {:?}/{}", r.dst, r.header.dst_len),
//!         Event::Message(_) => {}
//!         Event::Overrun => println!("events lost: resync"),
//!     }
//! }
//! # Ok::<(), netlink::Error>(())
//! ```

use super::events::RouteEvent;
use super::{
    AddressMessage, LinkMessageRef, NeighbourMessage, RouteMessageRef, RuleMessage, RTM_DELADDR,
    RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
    RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::error::Error;
use crate::events::EventKind;
#[cfg(doc)]
use crate::events::{Event, Listener};
use crate::message::{Message, MessageRef};
use crate::nlattrs::NlAttrs;
use crate::typed::NlRequest;

/// One rtnetlink notification as a [`Listener<RouteEvent>`](Listener) hands it out,
/// borrowing from the listener's buffer until the next event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RouteEventRef<'a> {
    /// `RTM_NEWLINK`: a link appeared or changed.
    NewLink(LinkMessageRef<'a>),
    /// `RTM_DELLINK`.
    DelLink(LinkMessageRef<'a>),
    /// `RTM_NEWADDR`.
    NewAddress(AddressMessage),
    /// `RTM_DELADDR`.
    DelAddress(AddressMessage),
    /// `RTM_NEWROUTE`.
    NewRoute(RouteMessageRef<'a>),
    /// `RTM_DELROUTE`.
    DelRoute(RouteMessageRef<'a>),
    /// `RTM_NEWNEIGH`.
    NewNeighbour(NeighbourMessage),
    /// `RTM_DELNEIGH`.
    DelNeighbour(NeighbourMessage),
    /// `RTM_NEWRULE`.
    NewRule(RuleMessage),
    /// `RTM_DELRULE`.
    DelRule(RuleMessage),
    /// A message type the variants above do not cover (`RTM_NEWNEXTHOP`, traffic control,
    /// ...), undecoded.
    Other(MessageRef<'a>),
}

impl EventKind for RouteEvent {
    type Event<'a> = RouteEventRef<'a>;

    fn decode<'a>(m: MessageRef<'a>) -> Result<RouteEventRef<'a>, Error> {
        let k = m.header.kind;
        Ok(if k == RTM_NEWROUTE {
            RouteEventRef::NewRoute(RouteMessageRef::from_message(&m)?)
        } else if k == RTM_DELROUTE {
            RouteEventRef::DelRoute(RouteMessageRef::from_message(&m)?)
        } else if k == RTM_NEWLINK {
            RouteEventRef::NewLink(LinkMessageRef::from_message(&m)?)
        } else if k == RTM_DELLINK {
            RouteEventRef::DelLink(LinkMessageRef::from_message(&m)?)
        } else if k == RTM_NEWADDR {
            RouteEventRef::NewAddress(AddressMessage::from_message(&m)?)
        } else if k == RTM_DELADDR {
            RouteEventRef::DelAddress(AddressMessage::from_message(&m)?)
        } else if k == RTM_NEWNEIGH {
            RouteEventRef::NewNeighbour(NeighbourMessage::from_message(&m)?)
        } else if k == RTM_DELNEIGH {
            RouteEventRef::DelNeighbour(NeighbourMessage::from_message(&m)?)
        } else if k == RTM_NEWRULE {
            RouteEventRef::NewRule(RuleMessage::from_message(&m)?)
        } else if k == RTM_DELRULE {
            RouteEventRef::DelRule(RuleMessage::from_message(&m)?)
        } else {
            RouteEventRef::Other(m)
        })
    }
}

/// A typed request as a [`Message`] (flags with `REQUEST`), for the calls that take one:
/// [`Listener::resync`] with a dump of [`request`](super::request), say
/// (`dump_request(&request::dump_routes(RouteFilter::default()))`).
pub fn dump_request<R: NlRequest>(request: &R) -> Result<Message, Error> {
    Ok(request.to_message()?)
}
