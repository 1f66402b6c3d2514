//! [`RouteHandle`]: everyday rtnetlink jobs, one call each, over typed requests.

use std::net::IpAddr;

use super::constants::RT_TABLE_MAIN;
use super::ipnet::IpNet;
use super::request::{
    self, LinkFilter, LinkId, NetnsTarget, NewLink, Route, RouteFilter, Rule, SetLink,
};
use super::{AddressMessage, LinkMessage, NeighbourMessage, RouteMessage, RuleMessage};
use crate::conn::{Config, Conn, Family};
use crate::error::Error;
use crate::netns::NetNs;
use crate::socket::{NetlinkSocket, Socket};

/// A connection to rtnetlink with one method per everyday job: list, get, add, change and
/// delete links, addresses, routes, neighbours and rules.
///
/// Every call is one typed request ([`Conn::request_all`], [`Conn::request_ack`]); the
/// messages come from the builders of [`request`](mod@super::request), which can be used (and
/// checked) on their own. The handle dials with strict checking and extended
/// acknowledgements, so dumps are filtered by the kernel, and a refused request says which
/// field of the Rust message the kernel objected to.
///
/// ```no_run
/// use netlink::route::{NewLink, RouteHandle};
///
/// let rt = RouteHandle::new()?;
/// rt.add_link(&NewLink::veth("v0", "v1"))?;
/// rt.add_address("v0", "10.0.0.1/24".parse()?)?;
/// rt.set_up("v0")?;
/// for link in rt.links()? {
///     println!("{} {:?}", link.index(), link.name);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RouteHandle<S: Socket = NetlinkSocket> {
    conn: Conn<S>,
}

impl RouteHandle {
    /// A handle in the calling thread's network namespace.
    pub fn new() -> Result<RouteHandle, Error> {
        RouteHandle::with_config(Config::default())
    }

    /// A handle in network namespace `ns` (the caller's thread stays where it is).
    pub fn in_netns(ns: NetNs) -> Result<RouteHandle, Error> {
        RouteHandle::with_config(Config {
            netns: Some(ns),
            ..Config::default()
        })
    }

    /// A handle dialed with `config`, strict checking and extended acknowledgements turned on.
    pub fn with_config(config: Config) -> Result<RouteHandle, Error> {
        let conn = Conn::dial(
            Family::ROUTE,
            Config {
                strict: true,
                ..config
            },
        )?;
        Ok(RouteHandle { conn })
    }
}

impl<S: Socket> RouteHandle<S> {
    /// A handle over an existing connection (a fake one from `netlink::testing`, say). Dump
    /// filtering needs the connection to have strict checking on.
    pub fn from_conn(conn: Conn<S>) -> RouteHandle<S> {
        RouteHandle { conn }
    }

    /// The connection, for requests the handle has no method for.
    pub fn conn(&self) -> &Conn<S> {
        &self.conn
    }

    // ---- links ----

    /// Every link.
    pub fn links(&self) -> Result<Vec<LinkMessage>, Error> {
        self.links_filtered(&LinkFilter::default())
    }

    /// The links that match `filter` (the kernel filters).
    pub fn links_filtered(&self, filter: &LinkFilter) -> Result<Vec<LinkMessage>, Error> {
        self.conn.request_all(&request::dump_links(filter))
    }

    /// One link, by index or name.
    pub fn link<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<LinkMessage, Error> {
        self.conn.request_one(&request::get_link(id.into()))
    }

    /// The index of link `name`.
    pub fn index_of(&self, name: &str) -> Result<u32, Error> {
        Ok(self.link(name)?.index())
    }

    /// Creates a link.
    pub fn add_link(&self, link: &NewLink) -> Result<(), Error> {
        self.conn.request_ack(&link.request())
    }

    /// Applies a change to a link.
    pub fn set_link(&self, change: &SetLink) -> Result<(), Error> {
        self.conn.request_ack(&change.request())
    }

    /// Brings a link up.
    pub fn set_up<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).up(true))
    }

    /// Brings a link down.
    pub fn set_down<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).up(false))
    }

    /// Sets a link's MTU.
    pub fn set_mtu<'a>(&self, id: impl Into<LinkId<'a>>, mtu: u32) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).mtu(mtu))
    }

    /// Makes a link a port of `master` (a bridge, bond or vrf).
    pub fn set_master<'a, 'b>(
        &self,
        id: impl Into<LinkId<'a>>,
        master: impl Into<LinkId<'b>>,
    ) -> Result<(), Error> {
        let master = self.resolve(master.into())?;
        self.set_link(&SetLink::new(id.into()).master(master))
    }

    /// Takes a link out of its master (`ip link set DEV nomaster`).
    pub fn clear_master<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).master(0))
    }

    /// Renames a link.
    pub fn set_name<'a>(&self, id: impl Into<LinkId<'a>>, name: &str) -> Result<(), Error> {
        let index = self.resolve(id.into())?;
        self.set_link(&SetLink::new(LinkId::Index(index)).name(name))
    }

    /// Moves a link to another network namespace.
    pub fn set_netns<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        target: NetnsTarget,
    ) -> Result<(), Error> {
        self.set_link(&SetLink::new(id.into()).netns(target))
    }

    /// Deletes a link (and the peer of a veth).
    pub fn delete_link<'a>(&self, id: impl Into<LinkId<'a>>) -> Result<(), Error> {
        self.conn.request_ack(&request::delete_link(id.into()))
    }

    /// The index of a link, asking the kernel when it is named.
    fn resolve(&self, id: LinkId<'_>) -> Result<u32, Error> {
        match id {
            LinkId::Index(i) => Ok(i),
            LinkId::Name(n) => self.index_of(n),
        }
    }

    // ---- addresses ----

    /// Every address of every link, IPv4 and IPv6.
    pub fn addresses(&self) -> Result<Vec<AddressMessage>, Error> {
        self.conn.request_all(&request::dump_addresses(0, 0))
    }

    /// The addresses of one link (the kernel filters).
    pub fn addresses_of<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
    ) -> Result<Vec<AddressMessage>, Error> {
        let index = self.resolve(id.into())?;
        self.conn.request_all(&request::dump_addresses(0, index))
    }

    /// Adds address `net` (`"10.0.0.1/24".parse()?`) to a link.
    pub fn add_address<'a>(&self, id: impl Into<LinkId<'a>>, net: IpNet) -> Result<(), Error> {
        let index = self.resolve(id.into())?;
        self.conn
            .request_ack(&request::add_address(index, net))
            .map_err(|e| prefix_field(e, net, "AddressMessage.header.prefix_len"))
    }

    /// Removes address `net` from a link.
    pub fn delete_address<'a>(&self, id: impl Into<LinkId<'a>>, net: IpNet) -> Result<(), Error> {
        let index = self.resolve(id.into())?;
        self.conn
            .request_ack(&request::delete_address(index, net))
            .map_err(|e| prefix_field(e, net, "AddressMessage.header.prefix_len"))
    }

    // ---- routes ----

    /// The routes that match `filter` (the kernel filters by family and table). The main
    /// table of a namespace that never had a route lists as empty, not as the kernel's
    /// `ENOENT`.
    pub fn routes(&self, filter: RouteFilter) -> Result<Vec<RouteMessage>, Error> {
        filter_routes(filter, self.conn.request_all(&request::dump_routes(filter)))
    }

    /// Adds a route; an existing identical route is an error (`EEXIST`).
    pub fn add_route(&self, route: &Route) -> Result<(), Error> {
        self.conn
            .request_ack(&route.add_request())
            .map_err(|e| prefix_field(e, route.destination(), "RouteMessage.header.dst_len"))
    }

    /// Adds a route or replaces the one with the same destination, table and metric.
    pub fn replace_route(&self, route: &Route) -> Result<(), Error> {
        self.conn
            .request_ack(&route.replace_request())
            .map_err(|e| prefix_field(e, route.destination(), "RouteMessage.header.dst_len"))
    }

    /// Deletes a route.
    pub fn delete_route(&self, route: &Route) -> Result<(), Error> {
        self.conn
            .request_ack(&route.delete_request())
            .map_err(|e| prefix_field(e, route.destination(), "RouteMessage.header.dst_len"))
    }

    // ---- neighbours ----

    /// Every neighbour entry (ARP, NDP, and forwarding entries of bridges and vxlans).
    pub fn neighbours(&self) -> Result<Vec<NeighbourMessage>, Error> {
        self.conn.request_all(&request::dump_neighbours(0, 0))
    }

    /// The neighbour entries of one link (the kernel filters).
    pub fn neighbours_of<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
    ) -> Result<Vec<NeighbourMessage>, Error> {
        let index = self.resolve(id.into())?;
        self.conn.request_all(&request::dump_neighbours(0, index))
    }

    /// Adds a permanent neighbour entry: `dst` is at link-layer address `lladdr` on a link.
    pub fn add_neighbour<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        dst: IpAddr,
        lladdr: &[u8],
    ) -> Result<(), Error> {
        let index = self.resolve(id.into())?;
        self.conn
            .request_ack(&request::add_neighbour(index, dst, lladdr))
    }

    /// Deletes the neighbour entry of `dst` on a link.
    pub fn delete_neighbour<'a>(
        &self,
        id: impl Into<LinkId<'a>>,
        dst: IpAddr,
    ) -> Result<(), Error> {
        let index = self.resolve(id.into())?;
        self.conn
            .request_ack(&request::delete_neighbour(index, dst))
    }

    // ---- rules ----

    /// The rules of `family` (`AF_INET`, `AF_INET6`; 0 for both).
    pub fn rules(&self, family: u8) -> Result<Vec<RuleMessage>, Error> {
        self.conn.request_all(&request::dump_rules(family))
    }

    /// Adds a rule.
    pub fn add_rule(&self, rule: &Rule) -> Result<(), Error> {
        self.conn.request_ack(&rule.add_request())
    }

    /// Deletes the first rule matching `rule`.
    pub fn delete_rule(&self, rule: &Rule) -> Result<(), Error> {
        self.conn.request_ack(&rule.delete_request())
    }
}

/// Names the header field of a refused prefix length: the kernel checks the prefix length of
/// the family header without pointing at it (no `NLMSGERR_ATTR_OFFS`, only "Invalid prefix
/// length"), so when it refuses a request whose prefix is longer than its address, the
/// error's [`ExtAck::field`](crate::ExtAck::field) names the header field that holds it.
pub(super) fn prefix_field(e: Error, net: IpNet, field: &str) -> Error {
    let max = if net.addr().is_ipv4() { 32 } else { 128 };
    match e {
        Error::Op(mut op)
            if op.errno == libc::EINVAL
                && op.ext_ack.field.is_none()
                && op.ext_ack.offset.is_none()
                && net.prefix_len() > max =>
        {
            op.ext_ack.field = Some(field.into());
            Error::Op(op)
        }
        e => e,
    }
}

/// The answer to a route dump with `filter`, as both handles give it. Kernels before strict
/// dump filtering ignore the table, so it is filtered here as well. A namespace that never had
/// a route has no main table yet, and the kernel refuses an IPv4 dump of it (`ENOENT`, "FIB table
/// does not exist"); the main table exists for every namespace in all but name, so that answer
/// is an empty list.
pub(crate) fn filter_routes(
    filter: RouteFilter,
    dumped: Result<Vec<RouteMessage>, Error>,
) -> Result<Vec<RouteMessage>, Error> {
    let routes = match dumped {
        Err(e) if filter.table == Some(RT_TABLE_MAIN) && e.errno() == Some(libc::ENOENT) => {
            Vec::new()
        }
        r => r?,
    };
    Ok(match filter.table {
        Some(t) => routes.into_iter().filter(|r| r.table_id() == t).collect(),
        None => routes,
    })
}
