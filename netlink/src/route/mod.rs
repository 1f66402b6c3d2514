//! rtnetlink (`NETLINK_ROUTE`) as typed Rust: links, addresses, routes, neighbours and rules,
//! declared with this crate's derives.
//!
//! One module per message kind, each with its family header (a [`NlStruct`](crate::NlStruct))
//! and its attributes (an [`NlAttrs`](crate::NlAttrs) struct whose fields name the kernel
//! attributes they map to):
//!
//! | messages | type | header |
//! |---|---|---|
//! | `RTM_*LINK` | [`LinkMessage`], borrowed [`LinkMessageRef`] | [`IfInfoMsg`] |
//! | `RTM_*ADDR` | [`AddressMessage`], borrowed [`AddressMessageRef`] | [`IfAddrMsg`] |
//! | `RTM_*ROUTE` | [`RouteMessage`], borrowed [`RouteMessageRef`] | [`RtMsg`] |
//! | `RTM_*NEIGH` | [`NeighbourMessage`], borrowed [`NeighbourMessageRef`] | [`NdMsg`] |
//! | `RTM_*RULE` | [`RuleMessage`], borrowed [`RuleMessageRef`] | [`FibRuleHdr`] |
//!
//! Attributes a type does not declare are kept byte-exact in its `unknown` field, fields are
//! declared in the order the kernel writes them, and nests the kernel writes without
//! `NLA_F_NESTED` are declared `no_nested_flag`, so a decoded kernel message encodes back to
//! its own bytes. (The one exception seen: IPv6 addresses, whose `IFA_CACHEINFO` the kernel
//! writes before `IFA_FLAGS`, IPv4 ones after.) `IFLA_LINKINFO`'s kind-specific data is a
//! sub-message ([`InfoData`], [`InfoSlaveData`]) chosen by the kind, with a fallback that
//! keeps the bytes of kinds without a type here.
//!
//! Everyday jobs go through [`RouteHandle`]: list interfaces and their addresses, say (with
//! the `tokio` feature, `AsyncRouteHandle` does the same jobs on an async connection,
//! `RouteEvents` streams typed notifications, see `async_handle`, and `AsyncMonitor` is the
//! async [`Monitor`], see `async_monitor`).
//!
//! ```no_run
//! use netlink::route::RouteHandle;
//!
//! let rt = RouteHandle::new()?;
//! let addrs = rt.addresses()?;
//! for link in rt.links()? {
//!     let name = link.name.as_deref().unwrap_or("?");
//!     println!("{}: {name} mtu {} {:?}", link.index(), link.mtu.unwrap_or(0), link.operstate);
//!     for a in addrs.iter().filter(|a| a.header.index == link.index()) {
//!         if let Some(ip) = a.local() {
//!             println!("    {ip}/{}", a.header.prefix_len);
//!         }
//!     }
//! }
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! Its requests are built by [`request`] (checkable without a kernel); its [`bulk`] forms
//! (`add_routes`, `delete_routes`, `add_addresses`, `add_neighbours`, ...) send thousands of
//! them in a few batches with one result per item. Notifications decode into [`RouteEvent`],
//! or borrowed into [`RouteEventRef`] through a `Listener<RouteEvent>` (see [`listen`]), and a
//! [`Monitor`] follows the state without missing a change.
//!
//! Constants for what users write are in [`constants`] (message types, multicast groups,
//! tables, protocols, scopes, route types) and [`flags`] (`IFF_*`, `IFA_F_*`, `RTNH_F_*`,
//! `NUD_*`, `NTF_*`); attribute numbers in [`attr_types`].
//!
//! ```
//! use netlink::NlAttrs;
//! use netlink::route::{IfFlags, LinkMessage, LinkMessageRef};
//!
//! let mut link = LinkMessage::default();
//! link.header.index = 2;
//! link.header.flags = IfFlags::UP | IfFlags::LOWER_UP;
//! link.name = Some("eth0".into());
//! link.mtu = Some(1500);
//! let bytes = link.to_bytes()?;
//!
//! // Borrowed: the name points into `bytes`.
//! let r = LinkMessageRef::decode(&bytes)?;
//! assert_eq!((r.index(), r.name, r.mtu), (2, Some("eth0"), Some(1500)));
//! assert_eq!(r.header.flags.to_string(), "UP|LOWER_UP");
//! # Ok::<(), netlink::Error>(())
//! ```

pub mod address;
#[cfg(feature = "tokio")]
pub mod async_handle;
#[cfg(feature = "tokio")]
pub mod async_monitor;
pub mod attr_types;
pub mod bulk;
pub mod constants;
pub mod events;
pub mod flags;
pub mod handle;
pub mod ipnet;
pub mod link;
pub mod link_kinds;
pub mod listen;
pub mod neighbour;
pub mod request;
pub mod routes;
pub mod rule;

pub use address::{AddressCacheInfo, AddressMessage, AddressMessageRef, IfAddrMsg};
#[cfg(feature = "tokio")]
pub use async_handle::{AsyncRouteHandle, RouteEvents};
#[cfg(feature = "tokio")]
pub use async_monitor::AsyncMonitor;
pub use bulk::{BulkResults, RouteOp};
pub use constants::{
    OperState, RouteProtocol, RouteScope, RouteTable, RouteType, RTM_DELADDR, RTM_DELLINK,
    RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_GETADDR, RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE,
    RTM_GETRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE, RTM_SETLINK,
};
pub use events::{Monitor, MonitorEvent, RouteEvent, Snapshot, Watch};
pub use flags::{
    AddressFlags, IfFlags, NeighbourFlags, NeighbourFlagsExt, NeighbourState, NextHopFlags,
    RouteFlags,
};
pub use handle::RouteHandle;
pub use ipnet::{IpNet, IpNetError};
pub use link::{
    AfSpec, AfSpecInet, AfSpecInet6, IfInfoMsg, Inet6CacheInfo, LinkIfMap, LinkInfo, LinkInfoRef,
    LinkMessage, LinkMessageRef, LinkStats, LinkStats64, LinkXdp, PropList, PropListRef,
};
pub use link_kinds::{
    BondInfo, BondPortInfo, BridgeInfo, BridgePortInfo, GreInfo, InfoData, InfoSlaveData,
    MacvlanInfo, TunnelInfo, VethInfo, VlanFlags, VlanInfo, VrfInfo, VrfPortInfo, VxlanInfo,
    VxlanPortRange,
};
pub use listen::{dump_request, RouteEventRef};
pub use neighbour::{NdMsg, NeighbourCacheInfo, NeighbourMessage, NeighbourMessageRef};
pub use request::{
    LinkFilter, LinkId, NetnsTarget, NewLink, NextHopSpec, Route, RouteFilter, Rule, SetLink,
};
pub use routes::{
    Multipath, MultipathRef, NextHop, NextHopAttrs, NextHops, RouteCacheInfo, RouteMessage,
    RouteMessageRef, RouteMetrics, RouteMetricsRef, RtMsg,
};
pub use rule::{FibRuleHdr, PortRange, RuleMessage, RuleMessageRef, UidRange};

#[cfg(feature = "serde")]
mod serde_impls {
    //! `Serialize` for the crate's own building blocks that route types hold.
    use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

    /// A list of `{ "type", "flags", "payload" }`, the payload in hexadecimal.
    impl Serialize for crate::UnknownAttrs {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(None)?;
            for a in self.iter().flatten() {
                seq.serialize_element(&Unknown(&a))?;
            }
            seq.end()
        }
    }

    struct Unknown<'r, 'a>(&'r crate::Attr<'a>);

    impl Serialize for Unknown<'_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let hex: String = self
                .0
                .payload()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let mut st = s.serialize_struct("Attr", 3)?;
            st.serialize_field("type", &self.0.attr_type())?;
            st.serialize_field("flags", &self.0.type_flags())?;
            st.serialize_field("payload", &hex)?;
            st.end()
        }
    }

    impl Serialize for crate::Bitfield32 {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Bitfield32", 2)?;
            st.serialize_field("value", &self.value)?;
            st.serialize_field("selector", &self.selector)?;
            st.end()
        }
    }
}
