//! [`AsyncRouteHandle`]: the everyday rtnetlink jobs of [`RouteHandle`] for tokio programs,
//! over an [`AsyncConn`], and [`RouteEvents`], rtnetlink notifications as a typed stream
//! (cargo features `route` and `tokio`).
//!
//! The handle sends the very requests [`RouteHandle`] sends (built by
//! [`request`]) and decodes the replies with the same derived codecs, so
//! results and errors are the same: a missing device is [`Error::is_not_found`], a refused
//! request carries the kernel's extended acknowledgement and the Rust field it points at
//! ([`ExtAck::field`](crate::ExtAck::field)). Clone it into as many tasks as you like: their
//! requests share one socket and leave together.
//!
//! (This example is the README's, which `tests/readme_async_handles.rs` keeps identical.)
//!
//! ```no_run
//! use netlink::events::Event;
//! use netlink::route::{AsyncRouteHandle, Route, RouteEvent, Watch};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let rt = AsyncRouteHandle::new().await?;
//!     let mut events = rt.events(Watch { routes: true, ..Watch::NONE })?;
//!
//!     // Both dumps in flight at once on the handle's one socket.
//!     let (links, addrs) = tokio::join!(rt.links(), rt.addresses());
//!     let (links, addrs) = (links?, addrs?);
//!     for link in &links {
//!         let mine = addrs.iter().filter(|a| a.header.index == link.index());
//!         println!("{:?}: {:?}", link.name, mine.filter_map(|a| a.local()).collect::<Vec<_>>());
//!     }
//!
//!     // The requests of `route::request`, errors as with `RouteHandle`.
//!     let lo = rt.index_of("lo").await?;
//!     rt.add_address(lo, "10.0.0.1/8".parse()?).await?;
//!     rt.add_route(&Route::new("10.9.0.0/16".parse()?).dev(lo)).await?;
//!
//!     // Notifications as a typed stream; an overrun is an item, not the end.
//!     while let Some(event) = events.next().await {
//!         match event? {
//!             Event::Message(RouteEvent::NewRoute(r)) => println!("new route {:?}", r.dst),
//!             Event::Message(_) => {}
//!             Event::Overrun => println!("events lost: dump again"),
//!         }
//!     }
//!     Ok(())
//! }
//! ```

use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::bulk::{record_failure, split_bulk, BulkResults, RouteOp};
use super::events::{RouteEvent, Snapshot, Watch};
use super::handle::prefix_field;
#[cfg(doc)]
use super::handle::RouteHandle;
use super::ipnet::IpNet;
use super::request::{
    self, LinkFilter, LinkId, NetnsTarget, NewLink, Route, RouteFilter, Rule, SetLink,
};
use super::{AddressMessage, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage};
use crate::conn::{Config, Family};
use crate::error::{DecodeError, Error};
use crate::events::Event;
use crate::netns::NetNs;
use crate::nlattrs::NlAttrsOwned;
use crate::tokio::{AsyncConn, Events, RequestStream};
use crate::typed::NlRequest;

/// The async [`RouteHandle`]: one method per everyday rtnetlink job (list, get, add, change
/// and delete links, addresses, routes, neighbours and rules; routes in bulk), over an
/// [`AsyncConn`]. See the [module documentation](self).
///
/// Lists come collected into a `Vec` ([`links`](Self::links)) or as a [`RequestStream`] of
/// owned messages ([`link_stream`](Self::link_stream)); notifications come from
/// [`events`](Self::events). The handle is cheap to clone: clones share the connection.
#[derive(Debug, Clone)]
pub struct AsyncRouteHandle {
    conn: AsyncConn,
}

impl AsyncRouteHandle {
    /// A handle in the calling thread's network namespace.
    pub async fn new() -> Result<AsyncRouteHandle, Error> {
        AsyncRouteHandle::with_config(Config::default()).await
    }

    /// A handle in network namespace `ns` (no runtime thread changes namespace).
    pub async fn in_netns(ns: NetNs) -> Result<AsyncRouteHandle, Error> {
        AsyncRouteHandle::with_config(Config {
            netns: Some(ns),
            ..Config::default()
        })
        .await
    }

    /// A handle dialed with `config`, strict checking and extended acknowledgements turned
    /// on (as [`RouteHandle::with_config`]).
    pub async fn with_config(config: Config) -> Result<AsyncRouteHandle, Error> {
        let conn = AsyncConn::dial(
            Family::ROUTE,
            Config {
                strict: true,
                ..config
            },
        )
        .await?;
        Ok(AsyncRouteHandle { conn })
    }

    /// A handle over an existing connection (one made with
    /// [`AsyncConn::dial_with`] and its [`Options`](crate::tokio::Options), or over a fake
    /// transport). Dump filtering needs the connection to have strict checking on.
    pub fn from_conn(conn: AsyncConn) -> AsyncRouteHandle {
        AsyncRouteHandle { conn }
    }

    /// The connection, for requests the handle has no method for.
    pub fn conn(&self) -> &AsyncConn {
        &self.conn
    }

    /// Sends a typed request expected to have one reply (a `get` of one object).
    async fn one<T: NlAttrsOwned, R: NlRequest + Sync>(&self, request: &R) -> Result<T, Error> {
        let mut replies: Vec<T> = self.conn.request_all(request).await?;
        if replies.is_empty() {
            return Err(Error::Decode(DecodeError::Invalid {
                offset: 0,
                attr_type: 0,
                reason: "the kernel sent no reply to the request".into(),
            }));
        }
        Ok(replies.swap_remove(0))
    }

    // ---- links ----

    /// Every link.
    pub async fn links(&self) -> Result<Vec<LinkMessage>, Error> {
        self.links_filtered(&LinkFilter::default()).await
    }

    /// The links that match `filter` (the kernel filters).
    pub async fn links_filtered(&self, filter: &LinkFilter) -> Result<Vec<LinkMessage>, Error> {
        self.conn.request_all(&request::dump_links(filter)).await
    }

    /// The links that match `filter`, streamed as the kernel sends them.
    pub async fn link_stream(
        &self,
        filter: &LinkFilter,
    ) -> Result<RequestStream<LinkMessage>, Error> {
        self.conn.request_stream(&request::dump_links(filter)).await
    }

    /// One link, by index or name.
    pub async fn link<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<LinkMessage, Error> {
        self.one(&request::get_link(id.into())).await
    }

    /// The index of link `name`.
    pub async fn index_of(&self, name: &str) -> Result<u32, Error> {
        Ok(self.link(name).await?.index())
    }

    /// Creates a link.
    pub async fn add_link(&self, link: &NewLink) -> Result<(), Error> {
        self.conn.request_ack(&link.request()).await
    }

    /// Applies a change to a link.
    pub async fn set_link(&self, change: &SetLink) -> Result<(), Error> {
        self.conn.request_ack(&change.request()).await
    }

    /// Brings a link up.
    pub async fn set_up<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).up(true)).await
    }

    /// Brings a link down.
    pub async fn set_down<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).up(false)).await
    }

    /// Sets a link's MTU.
    pub async fn set_mtu<'a>(&self, id: impl Into<LinkId<'a>>, mtu: u32) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).mtu(mtu)).await
    }

    /// Makes a link a port of `master` (a bridge, bond or vrf).
    pub async fn set_master<'a, 'b>(
        &self,
        id: impl Into<LinkId<'a>>,
        master: impl Into<LinkId<'b>>,
    ) -> Result<(), Error> {
        let id = id.into();
        let master = self.resolve(master.into()).await?;
        self.set_link(&SetLink::new(id).master(master)).await
    }

    /// Takes a link out of its master (`ip link set DEV nomaster`).
    pub async fn clear_master<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).master(0)).await
    }

    /// Renames a link.
    pub async fn set_name<'a>(&self, id: impl Into<LinkId<'a>>, name: &str) -> Result<(), Error> {
        let index = self.resolve(id.into()).await?;
        self.set_link(&SetLink::new(LinkId::Index(index)).name(name))
            .await
    }

    /// Moves a link to another network namespace.
    pub async fn set_netns<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        target: NetnsTarget,
    ) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).netns(target)).await
    }

    /// Deletes a link (and the peer of a veth).
    pub async fn delete_link<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.conn
            .request_ack(&request::delete_link(id.into()))
            .await
    }

    /// The index of a link, asking the kernel when it is named.
    async fn resolve(&self, id: LinkId<'_>) -> Result<u32, Error> {
        match id {
            LinkId::Index(i) => Ok(i),
            LinkId::Name(n) => self.index_of(n).await,
        }
    }

    // ---- addresses ----

    /// Every address of every link, IPv4 and IPv6.
    pub async fn addresses(&self) -> Result<Vec<AddressMessage>, Error> {
        self.conn.request_all(&request::dump_addresses(0, 0)).await
    }

    /// The addresses of family `family` (`AF_INET`, `AF_INET6`; 0 for both) on link `index`
    /// (0 for every link), streamed as the kernel sends them.
    pub async fn address_stream(
        &self,
        family: u8,
        index: u32,
    ) -> Result<RequestStream<AddressMessage>, Error> {
        self.conn
            .request_stream(&request::dump_addresses(family, index))
            .await
    }

    /// The addresses of one link (the kernel filters).
    pub async fn addresses_of<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
    ) -> Result<Vec<AddressMessage>, Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_all(&request::dump_addresses(0, index))
            .await
    }

    /// Adds address `net` (`"10.0.0.1/24".parse()?`) to a link.
    pub async fn add_address<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        net: IpNet,
    ) -> Result<(), Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_ack(&request::add_address(index, net))
            .await
            .map_err(|e| prefix_field(e, net, "AddressMessage.header.prefix_len"))
    }

    /// Removes address `net` from a link.
    pub async fn delete_address<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        net: IpNet,
    ) -> Result<(), Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_ack(&request::delete_address(index, net))
            .await
            .map_err(|e| prefix_field(e, net, "AddressMessage.header.prefix_len"))
    }

    // ---- routes ----

    /// The routes that match `filter` (the kernel filters by family and table); a missing main
    /// table lists as empty, as [`RouteHandle::routes`](super::RouteHandle::routes) says.
    pub async fn routes(&self, filter: RouteFilter) -> Result<Vec<RouteMessage>, Error> {
        super::handle::filter_routes(
            filter,
            self.conn.request_all(&request::dump_routes(filter)).await,
        )
    }

    /// The routes that match `filter`, streamed as the kernel sends them (filtered by the
    /// kernel only: a kernel without strict dump filtering sends every table).
    pub async fn route_stream(
        &self,
        filter: RouteFilter,
    ) -> Result<RequestStream<RouteMessage>, Error> {
        self.conn
            .request_stream(&request::dump_routes(filter))
            .await
    }

    /// Adds a route; an existing identical route is an error (`EEXIST`).
    pub async fn add_route(&self, route: &Route) -> Result<(), Error> {
        self.route_ack(route, route.add_request()).await
    }

    /// Adds a route or replaces the one with the same destination, table and metric.
    pub async fn replace_route(&self, route: &Route) -> Result<(), Error> {
        self.route_ack(route, route.replace_request()).await
    }

    /// Deletes a route.
    pub async fn delete_route(&self, route: &Route) -> Result<(), Error> {
        self.route_ack(route, route.delete_request()).await
    }

    async fn route_ack<R: NlRequest + Sync>(&self, route: &Route, request: R) -> Result<(), Error> {
        self.conn
            .request_ack(&request)
            .await
            .map_err(|e| prefix_field(e, route.destination(), "RouteMessage.header.dst_len"))
    }

    /// Adds every route of `routes` in as few system calls as the socket allows
    /// ([`AsyncConn::execute_batch`]); one result per route, in order, as
    /// [`RouteHandle::add_routes`].
    pub async fn add_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Add, routes).await
    }

    /// Adds or replaces every route of `routes`; one result per route, in order.
    pub async fn replace_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Replace, routes).await
    }

    /// Deletes every route of `routes`; one result per route, in order.
    pub async fn delete_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Delete, routes).await
    }

    /// Applies `op` to every route of `routes`; one result per route, in order. A refused
    /// route does not stop the others; its error names the Rust field as
    /// [`add_route`](Self::add_route)'s does.
    pub async fn routes_bulk<'r, I>(&self, op: RouteOp, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        // Build every request before the first await: the future holds no iterator.
        let (dsts, requests): (Vec<IpNet>, Vec<_>) = routes
            .into_iter()
            .map(|r| {
                let req = match op {
                    RouteOp::Add => r.add_request(),
                    RouteOp::Replace => r.replace_request(),
                    RouteOp::Delete => r.delete_request(),
                };
                (r.destination(), req)
            })
            .unzip();
        self.conn
            .execute_batch(&requests)
            .await
            .into_iter()
            .zip(dsts)
            .map(|(r, dst)| {
                r.map(drop)
                    .map_err(|e| prefix_field(e, dst, "RouteMessage.header.dst_len"))
            })
            .collect()
    }

    /// Adds every `(link, address)` of `addresses` in one batch; one result per item, in
    /// order, as [`RouteHandle::add_addresses`]. A link given by name is looked up once (a
    /// missing one fails its items only).
    pub async fn add_addresses<'a, L, I>(&self, addresses: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
    {
        self.addresses_bulk(addresses, request::add_address).await
    }

    /// Removes every `(link, address)` of `addresses` in one batch; one result per item, in
    /// order.
    pub async fn delete_addresses<'a, L, I>(&self, addresses: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
    {
        self.addresses_bulk(addresses, request::delete_address)
            .await
    }

    async fn addresses_bulk<'a, L, I, R>(
        &self,
        addresses: I,
        build: fn(u32, IpNet) -> R,
    ) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
        R: NlRequest,
    {
        let items: Vec<(LinkId<'a>, IpNet)> =
            addresses.into_iter().map(|(l, n)| (l.into(), n)).collect();
        let mut names = NameCache::default();
        let mut requests = Vec::with_capacity(items.len());
        for (link, net) in &items {
            requests.push(names.resolve(self, *link).await.map(|i| build(i, *net)));
        }
        self.bulk(requests)
            .await
            .into_iter()
            .zip(&items)
            .map(|(r, (_, net))| {
                r.map_err(|e| prefix_field(e, *net, "AddressMessage.header.prefix_len"))
            })
            .collect()
    }

    /// Sends the requests that could be built in one batch ([`AsyncConn::execute_batch`])
    /// and merges their outcomes with the errors of those that could not.
    async fn bulk<R: NlRequest>(&self, items: Vec<Result<R, Error>>) -> BulkResults {
        let no_fix = |_, e| e;
        let (mut out, sent, requests) = split_bulk(items, no_fix);
        if requests.is_empty() {
            return out;
        }
        let results = self.conn.execute_batch(&requests).await;
        for (index, r) in results.into_iter().enumerate() {
            if let Err(e) = r {
                record_failure(&mut out, &sent, index, e, no_fix);
            }
        }
        out
    }

    // ---- neighbours ----

    /// Every neighbour entry (ARP, NDP, and forwarding entries of bridges and vxlans).
    pub async fn neighbours(&self) -> Result<Vec<NeighbourMessage>, Error> {
        self.conn.request_all(&request::dump_neighbours(0, 0)).await
    }

    /// The neighbour entries of family `family` (0 for all) on link `index` (0 for every
    /// link), streamed as the kernel sends them.
    pub async fn neighbour_stream(
        &self,
        family: u8,
        index: u32,
    ) -> Result<RequestStream<NeighbourMessage>, Error> {
        self.conn
            .request_stream(&request::dump_neighbours(family, index))
            .await
    }

    /// The neighbour entries of one link (the kernel filters).
    pub async fn neighbours_of<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
    ) -> Result<Vec<NeighbourMessage>, Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_all(&request::dump_neighbours(0, index))
            .await
    }

    /// Adds a permanent neighbour entry: `dst` is at link-layer address `lladdr` on a link.
    pub async fn add_neighbour<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        dst: IpAddr,
        lladdr: &[u8],
    ) -> Result<(), Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_ack(&request::add_neighbour(index, dst, lladdr))
            .await
    }

    /// Deletes the neighbour entry of `dst` on a link.
    pub async fn delete_neighbour<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        dst: IpAddr,
    ) -> Result<(), Error> {
        let index = self.resolve(id.into()).await?;
        self.conn
            .request_ack(&request::delete_neighbour(index, dst))
            .await
    }

    /// Adds a permanent neighbour entry for every `(link, destination, link-layer address)`
    /// of `neighbours` in one batch; one result per item, in order.
    pub async fn add_neighbours<'a, 'b, L, I>(&self, neighbours: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpAddr, &'b [u8])>,
    {
        let items: Vec<(LinkId<'a>, IpAddr, &'b [u8])> = neighbours
            .into_iter()
            .map(|(l, d, ll)| (l.into(), d, ll))
            .collect();
        let mut names = NameCache::default();
        let mut requests = Vec::with_capacity(items.len());
        for (link, dst, lladdr) in &items {
            requests.push(
                names
                    .resolve(self, *link)
                    .await
                    .map(|i| request::add_neighbour(i, *dst, lladdr)),
            );
        }
        self.bulk(requests).await
    }

    /// Deletes the neighbour entry of every `(link, destination)` of `neighbours` in one
    /// batch; one result per item, in order.
    pub async fn delete_neighbours<'a, L, I>(&self, neighbours: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpAddr)>,
    {
        let items: Vec<(LinkId<'a>, IpAddr)> =
            neighbours.into_iter().map(|(l, d)| (l.into(), d)).collect();
        let mut names = NameCache::default();
        let mut requests = Vec::with_capacity(items.len());
        for (link, dst) in &items {
            requests.push(
                names
                    .resolve(self, *link)
                    .await
                    .map(|i| request::delete_neighbour(i, *dst)),
            );
        }
        self.bulk(requests).await
    }

    // ---- rules ----

    /// The rules of `family` (`AF_INET`, `AF_INET6`; 0 for both).
    pub async fn rules(&self, family: u8) -> Result<Vec<RuleMessage>, Error> {
        self.conn.request_all(&request::dump_rules(family)).await
    }

    /// The rules of `family` (0 for both), streamed as the kernel sends them.
    pub async fn rule_stream(&self, family: u8) -> Result<RequestStream<RuleMessage>, Error> {
        self.conn.request_stream(&request::dump_rules(family)).await
    }

    /// Adds a rule.
    pub async fn add_rule(&self, rule: &Rule) -> Result<(), Error> {
        self.conn.request_ack(&rule.add_request()).await
    }

    /// Deletes the first rule matching `rule`.
    pub async fn delete_rule(&self, rule: &Rule) -> Result<(), Error> {
        self.conn.request_ack(&rule.delete_request()).await
    }

    // ---- events ----

    /// The full state of what `watch` names ([`Snapshot`]): one dump per kind watched (the
    /// kernel runs one dump at a time per socket; other requests go on meanwhile).
    ///
    /// To follow the state without missing a change ([`AsyncMonitor`](super::AsyncMonitor)
    /// does it for you): subscribe first ([`events`](Self::events) on a handle of its own),
    /// then take the snapshot, then apply the events (a change may show in both; applying it
    /// again is harmless); after an [`Event::Overrun`], drop what is queued
    /// ([`RouteEvents::discard_queued`]) and take a new snapshot.
    pub async fn snapshot(&self, watch: Watch) -> Result<Snapshot, Error> {
        let mut snap = Snapshot::default();
        for request in watch.dump_requests()? {
            let mut dump = self.conn.dump(&request).await?;
            dump.for_each_ref(|m| snap.absorb(&m)).await?;
        }
        Ok(snap)
    }

    /// Joins the multicast groups of what `watch` names on this handle's connection and
    /// returns the notifications as a typed stream.
    ///
    /// The notifications share the socket with the handle's requests: a kernel overrun
    /// (`ENOBUFS`) is an [`Event::Overrun`] item and also fails the requests waiting at that
    /// moment (their answers may have been lost with the events). For a busy event source,
    /// use a handle of its own for the events (and a large receive buffer,
    /// [`Config::read_buffer`]). One event stream per connection: a second call while the
    /// first stream lives fails with `EBUSY`.
    pub fn events(&self, watch: Watch) -> Result<RouteEvents, Error> {
        let events = self.conn.events()?;
        for group in watch.groups() {
            self.conn.join_group(group)?;
        }
        Ok(RouteEvents::new(events))
    }
}

/// Link names looked up during one bulk call.
#[derive(Default)]
struct NameCache {
    known: Vec<(String, u32)>,
}

impl NameCache {
    async fn resolve(&mut self, rt: &AsyncRouteHandle, id: LinkId<'_>) -> Result<u32, Error> {
        match id {
            LinkId::Index(i) => Ok(i),
            LinkId::Name(n) => {
                if let Some((_, i)) = self.known.iter().find(|(k, _)| k == n) {
                    return Ok(*i);
                }
                let i = rt.index_of(n).await?;
                self.known.push((n.to_owned(), i));
                Ok(i)
            }
        }
    }
}

/// rtnetlink notifications as a typed [`Stream`]: each item is a decoded [`RouteEvent`]
/// ([`Event::Message`]), an [`Event::Overrun`] where notifications were lost (the stream goes
/// on after it: dump again to resynchronise), or an error (a notification that does not
/// decode, also not the end). Message types [`RouteEvent`] does not cover are skipped. The
/// stream ends when the connection closes.
///
/// Made by [`AsyncRouteHandle::events`], or from any connection's event stream with
/// [`RouteEvents::new`].
#[derive(Debug)]
pub struct RouteEvents {
    events: Events,
}

impl RouteEvents {
    /// The notifications of `events` (the stream of an [`AsyncConn`] of family
    /// [`Family::ROUTE`] that has joined rtnetlink groups), decoded.
    pub fn new(events: Events) -> RouteEvents {
        RouteEvents { events }
    }

    /// The next notification or overrun; `None` once the connection is closed.
    pub async fn next(&mut self) -> Option<Result<Event<RouteEvent>, Error>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// A handle on the connection the notifications arrive on ([`Events::conn`]).
    pub fn conn(&self) -> AsyncConn {
        self.events.conn()
    }

    /// Drops every notification queued now and returns how many were dropped; those the
    /// connection receives from then on are kept ([`Events::discard_queued`]). After an
    /// [`Event::Overrun`]: discard, then dump ([`AsyncRouteHandle::snapshot`], on another
    /// connection), then read on; [`AsyncMonitor`](super::AsyncMonitor) does it for you.
    pub fn discard_queued(&mut self) -> u64 {
        self.events.discard_queued()
    }

    /// The connection's raw event stream.
    pub fn into_inner(self) -> Events {
        self.events
    }

    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event<RouteEvent>, Error>>> {
        self.events
            .poll_decoded(cx, |m| RouteEvent::decode(m).transpose())
    }
}

impl Stream for RouteEvents {
    type Item = Result<Event<RouteEvent>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}
