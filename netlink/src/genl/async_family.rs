//! [`AsyncGenlHandle`]: a resolved generic netlink family on an [`AsyncConn`] (cargo feature
//! `tokio`): typed `do` requests, dumps as streams, multicast groups joined by name and
//! notifications as a typed stream.
//!
//! Requests are the [`GenlRequest`]s of [`GenlHandle::request`] and replies decode through
//! [`GenlMessage`], as with the synchronous [`GenlHandle`]; errors are the same
//! ([`GenlError::UnknownFamily`], [`GenlError::UnsupportedOperation`],
//! [`GenlError::ReplyCount`], the kernel's [`Error::Op`] naming the Rust field its extended
//! acknowledgement points at).
//!
//! ```no_run
//! use netlink::genl::netdev::{Netdev, DEV_GET, DevGet};
//! use netlink::genl::AsyncGenlHandle;
//! use netlink::tokio::AsyncConn;
//! use netlink::{Config, Family};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), netlink::Error> {
//! let conn = AsyncConn::dial(Family::GENERIC, Config::default()).await?;
//! let netdev = AsyncGenlHandle::<Netdev>::resolve(conn).await?;
//! let mut devs = netdev.dump(DEV_GET, &DevGet::default()).await?;
//! while let Some(dev) = devs.next().await {
//!     let dev = dev?;
//!     println!("{:?} xdp features {:#x}", dev.ifindex, dev.xdp_features.unwrap_or(0));
//! }
//! # Ok(())
//! # }
//! ```

use core::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::events::GenlNotification;
#[cfg(doc)]
use super::family::GenlRequest;
use super::family::{
    unknown_family, Command, FamilyInfo, GenlEvent, GenlFamily, GenlHandle, GenlMessage,
};
use super::nlctrl::{CtrlCommand, CtrlMessage, GENL_ID_CTRL};
use crate::conn::{Config, Family};
use crate::error::{Error, GenlError};
use crate::events::Event;
use crate::message::{HeaderFlags, HeaderType};
use crate::nlattrs::{NlAttrs, NlAttrsOwned};
use crate::tokio::{AsyncConn, Events, RequestStream};
use crate::typed::Request;

impl FamilyInfo {
    /// [`FamilyInfo::resolve`] on an async connection: looks up the family called `name`
    /// through `nlctrl`. A family the kernel lacks is [`GenlError::UnknownFamily`] (for which
    /// [`Error::is_not_found`] holds).
    pub async fn resolve_async(conn: &AsyncConn, name: &str) -> Result<FamilyInfo, Error> {
        let request = Request::get(HeaderType(GENL_ID_CTRL), CtrlMessage::get_family(name));
        let replies: Vec<CtrlMessage> = conn
            .request_all(&request)
            .await
            .map_err(|e| unknown_family(e, name))?;
        match replies.last() {
            Some(reply) => Ok(FamilyInfo::from_ctrl(reply)?),
            None => Err(GenlError::UnknownFamily {
                family: name.to_owned(),
            }
            .into()),
        }
    }

    /// [`FamilyInfo::list`] on an async connection: every family of the kernel.
    pub async fn list_async(conn: &AsyncConn) -> Result<Vec<FamilyInfo>, Error> {
        let request = Request::dump(
            HeaderType(GENL_ID_CTRL),
            CtrlMessage::new(CtrlCommand::GetFamily),
        );
        let replies: Vec<CtrlMessage> = conn.request_all(&request).await?;
        replies
            .iter()
            .map(|m| Ok(FamilyInfo::from_ctrl(m)?))
            .collect()
    }
}

/// A resolved family `F` on an [`AsyncConn`]: the async form of [`GenlHandle`], which it
/// holds (see the [module documentation](self)). Cheap to clone: clones share the
/// connection.
pub struct AsyncGenlHandle<F> {
    conn: AsyncConn,
    family: GenlHandle<F>,
}

impl<F> Clone for AsyncGenlHandle<F> {
    fn clone(&self) -> Self {
        AsyncGenlHandle {
            conn: self.conn.clone(),
            family: self.family.clone(),
        }
    }
}

impl<F> fmt::Debug for AsyncGenlHandle<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGenlHandle")
            .field("conn", &self.conn)
            .field("family", &self.family)
            .finish()
    }
}

impl<F: GenlFamily> AsyncGenlHandle<F> {
    /// Resolves `F` through `nlctrl` on `conn` (a [`Family::GENERIC`] connection). A kernel
    /// without the family gives [`GenlError::UnknownFamily`].
    pub async fn resolve(conn: AsyncConn) -> Result<AsyncGenlHandle<F>, Error> {
        let info = FamilyInfo::resolve_async(&conn, F::NAME).await?;
        Ok(AsyncGenlHandle {
            conn,
            family: GenlHandle::from_info(info),
        })
    }

    /// Dials a generic netlink connection with `config` (its namespace, say) and resolves `F`
    /// on it.
    pub async fn dial(config: Config) -> Result<AsyncGenlHandle<F>, Error> {
        AsyncGenlHandle::resolve(AsyncConn::dial(Family::GENERIC, config).await?).await
    }

    /// A handle from a family already resolved, on `conn`.
    pub fn new(conn: AsyncConn, family: GenlHandle<F>) -> AsyncGenlHandle<F> {
        AsyncGenlHandle { conn, family }
    }

    /// The connection.
    pub fn conn(&self) -> &AsyncConn {
        &self.conn
    }

    /// The resolved family (for [`GenlHandle::request`], [`GenlHandle::check_op`], ...).
    pub fn family(&self) -> &GenlHandle<F> {
        &self.family
    }

    /// What the kernel said about the family.
    pub fn info(&self) -> &FamilyInfo {
        self.family.info()
    }

    /// The family's message type.
    pub fn id(&self) -> u16 {
        self.family.id()
    }

    /// Sends `request` as `command` (with an acknowledgement asked for) and returns the
    /// replies, decoded, as [`GenlHandle::execute`]: [`GenlError::UnsupportedOperation`]
    /// before sending when the kernel lacks the command, the kernel's refusal as
    /// [`Error::Op`].
    pub async fn execute<'r, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<Vec<Rep>, Error> {
        self.family.check_op(command, false)?;
        let req = self
            .family
            .request(command, request, HeaderFlags::ACKNOWLEDGE);
        let replies: Vec<GenlMessage<Rep>> = self.conn.request_all(&req).await?;
        Ok(replies.into_iter().map(|m| m.body).collect())
    }

    /// [`execute`](Self::execute) for a command with exactly one reply; no reply, or more
    /// than one, is [`GenlError::ReplyCount`].
    pub async fn get<'r, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<Rep, Error> {
        let mut replies = self.execute(command, request).await?;
        let count = replies.len();
        match replies.pop() {
            Some(one) if count == 1 => Ok(one),
            _ => Err(GenlError::ReplyCount {
                family: self.info().name.clone(),
                command: command.name(),
                count,
            }
            .into()),
        }
    }

    /// Sends `request` as a dump of `command` and streams the decoded replies.
    pub async fn dump<'r, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<GenlStream<Rep>, Error> {
        self.family.check_op(command, true)?;
        let req = self.family.request(command, request, HeaderFlags::DUMP);
        Ok(GenlStream {
            inner: self.conn.request_stream(&req).await?,
        })
    }

    /// Joins the multicast group called `name` on the connection and returns its number
    /// ([`GenlError::UnknownGroup`] for a name the family lacks).
    pub fn join(&self, name: &str) -> Result<u32, Error> {
        let id = self.family.group(name)?;
        self.conn.join_group(id)?;
        Ok(id)
    }

    /// Joins the groups `groups` of this family, by name, and returns the family's
    /// notifications as a stream decoded as `E`. An unknown group name is an error before
    /// anything is joined. One event stream per connection (a second call while the first
    /// stream lives fails with `EBUSY`); the notifications share the socket with the
    /// handle's requests.
    pub fn events<E: GenlEvent>(&self, groups: &[&str]) -> Result<GenlEventStream<E>, Error> {
        let ids = groups
            .iter()
            .map(|g| self.family.group(g))
            .collect::<Result<Vec<u32>, _>>()?;
        let events = self.conn.events()?;
        for id in ids {
            self.conn.join_group(id)?;
        }
        Ok(GenlEventStream::new(events, self.id()))
    }
}

/// The decoded replies of a dump of family commands (see [`AsyncGenlHandle::dump`]): a
/// [`Stream`] of `Result<Rep, Error>`, or [`next`](GenlStream::next) in a `while let` loop.
pub struct GenlStream<Rep> {
    inner: RequestStream<GenlMessage<Rep>>,
}

impl<Rep> fmt::Debug for GenlStream<Rep> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GenlStream").field(&self.inner).finish()
    }
}

impl<Rep: NlAttrsOwned> GenlStream<Rep> {
    /// The next reply; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<Rep, Error>> {
        self.inner.next().await.map(|r| r.map(|m| m.body))
    }

    /// Collects the remaining replies; the first error ends the collection.
    pub async fn collect(mut self) -> Result<Vec<Rep>, Error> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await {
            out.push(r?);
        }
        Ok(out)
    }
}

impl<Rep: NlAttrsOwned> Stream for GenlStream<Rep> {
    type Item = Result<Rep, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().inner)
            .poll_next(cx)
            .map(|o| o.map(|r| r.map(|m| m.body)))
    }
}

/// The notifications of one generic netlink family as a typed [`Stream`] (see
/// [`AsyncGenlHandle::events`]): each item is a [`GenlNotification<E>`]
/// ([`Event::Message`]), an [`Event::Overrun`] where notifications were lost (the stream goes
/// on), or an error (a notification that does not decode, also not the end). Messages of
/// other families are skipped. The stream ends when the connection closes.
pub struct GenlEventStream<E> {
    events: Events,
    family: u16,
    _event: std::marker::PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for GenlEventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenlEventStream")
            .field("family", &self.family)
            .field("events", &self.events)
            .finish()
    }
}

impl<E: GenlEvent> GenlEventStream<E> {
    /// The notifications of family id `family` among `events` (the stream of an
    /// [`AsyncConn`] that has joined the family's groups), decoded as `E`.
    pub fn new(events: Events, family: u16) -> GenlEventStream<E> {
        GenlEventStream {
            events,
            family,
            _event: std::marker::PhantomData,
        }
    }

    /// The next notification or overrun; `None` once the connection is closed.
    pub async fn next(&mut self) -> Option<Result<Event<GenlNotification<E>>, Error>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The connection's raw event stream.
    pub fn into_inner(self) -> Events {
        self.events
    }

    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event<GenlNotification<E>>, Error>>> {
        let family = self.family;
        self.events.poll_decoded(cx, |m| {
            if m.header.kind != HeaderType(family) {
                return None;
            }
            let cmd = m.data.first().copied().unwrap_or(0);
            Some(
                E::decode_event(cmd, &m.as_message_ref())
                    .map(|event| GenlNotification { family, cmd, event })
                    .map_err(Error::from),
            )
        })
    }
}

impl<E: GenlEvent> Stream for GenlEventStream<E> {
    type Item = Result<Event<GenlNotification<E>>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}
