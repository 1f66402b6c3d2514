//! Bulk forms of [`RouteHandle`]: many routes, addresses or neighbours added or deleted in as
//! few system calls as the socket allows, one result per item.
//!
//! Each call is one [`Conn::execute_batch_with`](crate::Conn::execute_batch_with): the
//! requests go out in windows sized from the receive buffer (see [`batch`](crate::batch)),
//! and every item gets its own outcome, in the order given. A refused item does not stop the
//! others; its error is the kernel's, with the extended acknowledgement and, where the kernel
//! pointed into the request, the Rust field it pointed at ([`ExtAck::field`](crate::ExtAck::field):
//! `RouteMessage.header.dst_len`, `AddressMessage.label`, ...).
//!
//! ```no_run
//! use netlink::route::{Route, RouteHandle};
//!
//! let rt = RouteHandle::new()?;
//! let lo = rt.index_of("lo")?;
//! let routes: Vec<Route> = (0..1000u32)
//!     .map(|i| {
//!         let dst = format!("10.{}.{}.0/24", i >> 8, i & 0xff);
//!         Route::new(dst.parse().unwrap()).dev(lo)
//!     })
//!     .collect();
//! for (route, result) in routes.iter().zip(rt.add_routes(&routes)) {
//!     if let Err(e) = result {
//!         eprintln!("{}: {e}", route.destination());
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A larger receive buffer ([`Conn::set_read_buffer`](crate::Conn::set_read_buffer) on
//! [`RouteHandle::conn`]) lets more requests share a system call.

use std::net::IpAddr;

use super::handle::{prefix_field, RouteHandle};
use super::ipnet::IpNet;
use super::request::{self, LinkId, Route};
use crate::batch::{BatchEvent, BatchOptions, BatchSummary};
use crate::error::Error;
use crate::socket::Socket;
use crate::typed::NlRequest;

/// What a bulk route call does with each [`Route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteOp {
    /// Add; an existing identical route is an error (`EEXIST`), as for
    /// [`RouteHandle::add_route`].
    Add,
    /// Add or replace, as for [`RouteHandle::replace_route`].
    Replace,
    /// Delete, as for [`RouteHandle::delete_route`].
    Delete,
}

/// The results of a bulk call: one per item, in the order the items were given.
pub type BulkResults = Vec<Result<(), Error>>;

impl<S: Socket> RouteHandle<S> {
    /// Adds every route of `routes`; one result per route, in order (see the
    /// [module documentation](super::bulk)).
    pub fn add_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Add, routes)
    }

    /// Adds or replaces every route of `routes`; one result per route, in order.
    pub fn replace_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Replace, routes)
    }

    /// Deletes every route of `routes`; one result per route, in order.
    pub fn delete_routes<'r, I>(&self, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        self.routes_bulk(RouteOp::Delete, routes)
    }

    /// Applies `op` to every route of `routes`; one result per route, in order.
    pub fn routes_bulk<'r, I>(&self, op: RouteOp, routes: I) -> BulkResults
    where
        I: IntoIterator<Item = &'r Route>,
    {
        let mut out = Vec::new();
        self.routes_bulk_with(op, routes, &BatchOptions::default(), |index, result| {
            if out.len() <= index {
                out.resize_with(index.saturating_add(1), || Ok(()));
            }
            if let Some(slot) = out.get_mut(index) {
                *slot = result;
            }
        });
        out
    }

    /// The streaming form of [`routes_bulk`](Self::routes_bulk): each route's outcome goes to
    /// `on_result` with its position as it arrives, nothing is collected (beyond one pointer
    /// per route), and the batch's counts come back. `options` sets the window.
    pub fn routes_bulk_with<'r, I, F>(
        &self,
        op: RouteOp,
        routes: I,
        options: &BatchOptions,
        mut on_result: F,
    ) -> BatchSummary
    where
        I: IntoIterator<Item = &'r Route>,
        F: FnMut(usize, Result<(), Error>),
    {
        let routes: Vec<&Route> = routes.into_iter().collect();
        let requests = routes.iter().map(|r| match op {
            RouteOp::Add => r.add_request(),
            RouteOp::Replace => r.replace_request(),
            RouteOp::Delete => r.delete_request(),
        });
        self.conn().execute_batch_with(requests, options, |event| {
            if let BatchEvent::Done { index, result } = event {
                let result = result.map_err(|e| match routes.get(index) {
                    Some(r) => prefix_field(e, r.destination(), "RouteMessage.header.dst_len"),
                    None => e,
                });
                on_result(index, result);
            }
        })
    }

    /// Adds every `(link, address)` of `addresses`; one result per item, in order. A link
    /// given by name is looked up once (a missing one fails its items only).
    pub fn add_addresses<'a, L, I>(&self, addresses: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
    {
        self.addresses_bulk(addresses, request::add_address)
    }

    /// Removes every `(link, address)` of `addresses`; one result per item, in order.
    pub fn delete_addresses<'a, L, I>(&self, addresses: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
    {
        self.addresses_bulk(addresses, request::delete_address)
    }

    /// Adds a permanent neighbour entry for every `(link, destination, link-layer address)`
    /// of `neighbours`; one result per item, in order.
    pub fn add_neighbours<'a, 'b, L, I>(&self, neighbours: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpAddr, &'b [u8])>,
    {
        let mut names = NameCache::default();
        let items: Vec<_> = neighbours
            .into_iter()
            .map(|(link, dst, lladdr)| {
                names
                    .resolve(self, link.into())
                    .map(|index| request::add_neighbour(index, dst, lladdr))
            })
            .collect();
        self.bulk(items, |_, e| e)
    }

    /// Deletes the neighbour entry of every `(link, destination)` of `neighbours`; one
    /// result per item, in order.
    pub fn delete_neighbours<'a, L, I>(&self, neighbours: I) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpAddr)>,
    {
        let mut names = NameCache::default();
        let items: Vec<_> = neighbours
            .into_iter()
            .map(|(link, dst)| {
                names
                    .resolve(self, link.into())
                    .map(|index| request::delete_neighbour(index, dst))
            })
            .collect();
        self.bulk(items, |_, e| e)
    }

    fn addresses_bulk<'a, L, I, R>(&self, addresses: I, build: fn(u32, IpNet) -> R) -> BulkResults
    where
        L: Into<LinkId<'a>>,
        I: IntoIterator<Item = (L, IpNet)>,
        R: NlRequest,
    {
        let mut names = NameCache::default();
        let mut nets = Vec::new();
        let items: Vec<_> = addresses
            .into_iter()
            .map(|(link, net)| {
                nets.push(net);
                names
                    .resolve(self, link.into())
                    .map(|index| build(index, net))
            })
            .collect();
        self.bulk(items, |i, e| match nets.get(i) {
            Some(&net) => prefix_field(e, net, "AddressMessage.header.prefix_len"),
            None => e,
        })
    }

    /// Sends the items that could be built, in one batch, and merges their outcomes with the
    /// errors of those that could not; `fix` adjusts the error of item `i`.
    fn bulk<R: NlRequest>(
        &self,
        items: Vec<Result<R, Error>>,
        fix: impl Fn(usize, Error) -> Error,
    ) -> BulkResults {
        let (mut out, sent, requests) = split_bulk(items, &fix);
        if requests.is_empty() {
            return out;
        }
        self.conn()
            .execute_batch_with(&requests, &BatchOptions::default(), |event| {
                if let BatchEvent::Done {
                    index,
                    result: Err(e),
                } = event
                {
                    record_failure(&mut out, &sent, index, e, &fix);
                }
            });
        out
    }
}

/// Splits the items of a bulk call into the requests to send and the results so far: an
/// item that could not be built has its error (adjusted by `fix`), one that could is `Ok`
/// until its answer says otherwise. The middle vector maps a position in the batch to the
/// item's position.
pub(super) fn split_bulk<R>(
    items: Vec<Result<R, Error>>,
    fix: impl Fn(usize, Error) -> Error,
) -> (BulkResults, Vec<usize>, Vec<R>) {
    let mut out: BulkResults = Vec::with_capacity(items.len());
    let mut sent = Vec::new();
    let mut requests = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Ok(r) => {
                sent.push(i);
                requests.push(r);
                out.push(Ok(()));
            }
            Err(e) => out.push(Err(fix(i, e))),
        }
    }
    (out, sent, requests)
}

/// Records that request `index` of the batch made by [`split_bulk`] failed with `e`.
pub(super) fn record_failure(
    out: &mut BulkResults,
    sent: &[usize],
    index: usize,
    e: Error,
    fix: impl Fn(usize, Error) -> Error,
) {
    if let Some(&i) = sent.get(index) {
        if let Some(slot) = out.get_mut(i) {
            *slot = Err(fix(i, e));
        }
    }
}

/// Link names looked up during one bulk call.
#[derive(Default)]
struct NameCache {
    known: Vec<(String, u32)>,
}

impl NameCache {
    fn resolve<S: Socket>(&mut self, rt: &RouteHandle<S>, id: LinkId<'_>) -> Result<u32, Error> {
        match id {
            LinkId::Index(i) => Ok(i),
            LinkId::Name(n) => {
                if let Some((_, i)) = self.known.iter().find(|(k, _)| k == n) {
                    return Ok(*i);
                }
                let i = rt.index_of(n)?;
                self.known.push((n.to_owned(), i));
                Ok(i)
            }
        }
    }
}
