//! [`AsyncMonitor`]: the [`Monitor`] for tokio programs (cargo features `route` and `tokio`):
//! a [`Snapshot`] of what is watched, then every change, and a new snapshot after
//! notifications were lost.
//!
//! The notifications arrive on a connection of its own ([`AsyncRouteHandle::events`], joined
//! before the first dump), the dumps run on a second connection
//! ([`AsyncRouteHandle::snapshot`]: the requests of [`Monitor`] and the same decoding). After
//! an overrun the monitor drops the notifications queued at that moment
//! ([`RouteEvents::discard_queued`]), dumps again and hands out the new snapshot; every
//! notification received after the discard is kept and follows the snapshot, so no change is
//! lost (one may show in both the snapshot and a notification; applying it again is
//! harmless).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;

use super::async_handle::{AsyncRouteHandle, RouteEvents};
#[cfg(doc)]
use super::events::Monitor;
use super::events::{MonitorEvent, Snapshot, Watch};
use crate::conn::Config;
use crate::error::Error;
use crate::events::{Event, DEFAULT_LISTENER_BUFFER};
use crate::tokio::AsyncConn;

/// A snapshot being dumped.
type Dumping = Pin<Box<dyn Future<Output = Result<Snapshot, Error>> + Send>>;

/// Where the monitor stands between two items.
enum Resync {
    /// Handing out notifications.
    Idle,
    /// A snapshot waits to be handed out.
    Ready(Snapshot),
    /// Notifications were lost, or the last dump failed: discard what is queued, dump.
    Due,
    /// The dumps run.
    Dumping(Dumping),
}

/// Watches rtnetlink from a tokio task: a [`Snapshot`] of the current state, then every
/// change, and a new snapshot after every overrun (see the [module documentation](self)).
///
/// [`next_event`](Self::next_event) hands out the first snapshot, then
/// [`MonitorEvent::Event`]s; the monitor is also a [`Stream`] of the same items, which ends
/// when the event connection closes. An error (a notification that does not decode, a failed
/// dump) is an item, not the end: after a failed dump the next call dumps again.
/// `next_event` is cancel-safe: a dump in progress when its future is dropped goes on at the
/// next call.
///
/// ```no_run
/// use netlink::route::{AsyncMonitor, MonitorEvent, RouteEvent, Watch};
///
/// #[tokio::main]
/// async fn main() -> Result<(), netlink::Error> {
///     let watch = Watch { links: true, addresses: true, ..Watch::NONE };
///     let mut mon = AsyncMonitor::new(watch, netlink::Config::default()).await?;
///     loop {
///         match mon.next_event().await? {
///             MonitorEvent::Snapshot(s) => {
///                 println!("{} links, {} addresses", s.links.len(), s.addresses.len());
///             }
///             MonitorEvent::Event(RouteEvent::NewAddress(a)) => println!("new {:?}", a.local()),
///             MonitorEvent::Event(e) => println!("{e:?}"),
///         }
///         if mon.resyncs() > 0 {
///             println!("notifications were lost {} times", mon.resyncs());
///         }
///     }
/// }
/// ```
pub struct AsyncMonitor {
    events: RouteEvents,
    events_conn: AsyncConn,
    handle: AsyncRouteHandle,
    watch: Watch,
    state: Resync,
    resyncs: u64,
}

impl std::fmt::Debug for AsyncMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            Resync::Idle => "idle",
            Resync::Ready(_) => "snapshot ready",
            Resync::Due => "resync due",
            Resync::Dumping(_) => "dumping",
        };
        f.debug_struct("AsyncMonitor")
            .field("watch", &self.watch)
            .field("state", &state)
            .field("resyncs", &self.resyncs)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl AsyncMonitor {
    /// Subscribes to what `watch` names, then dumps it; the first
    /// [`next_event`](Self::next_event) is the snapshot.
    ///
    /// `config` chooses the namespace of both connections and the receive buffer of the
    /// subscribed one ([`DEFAULT_LISTENER_BUFFER`], 4 MiB, when it names none, as for
    /// [`Monitor`]); the dumps run on a connection with the system's default buffer.
    pub async fn new(watch: Watch, config: Config) -> Result<AsyncMonitor, Error> {
        let read_buffer = match config.read_buffer {
            0 => DEFAULT_LISTENER_BUFFER,
            n => n,
        };
        let events = AsyncRouteHandle::with_config(Config {
            read_buffer,
            ..config.clone()
        })
        .await?;
        let events = events.events(watch)?;
        let handle = AsyncRouteHandle::with_config(Config {
            read_buffer: 0,
            groups: 0,
            ..config
        })
        .await?;
        AsyncMonitor::from_parts(events, handle, watch).await
    }

    /// A monitor over notifications already subscribed to (`events`, from
    /// [`AsyncRouteHandle::events`] on a connection of their own, or over a fake transport)
    /// that dumps what `watch` names on `handle` (another connection in the same namespace).
    /// The first dump runs now; its snapshot is the first [`next_event`](Self::next_event).
    pub async fn from_parts(
        mut events: RouteEvents,
        handle: AsyncRouteHandle,
        watch: Watch,
    ) -> Result<AsyncMonitor, Error> {
        // Subscribed already: the dump supersedes whatever is queued.
        events.discard_queued();
        let first = handle.snapshot(watch).await?;
        Ok(AsyncMonitor {
            events_conn: events.conn(),
            events,
            handle,
            watch,
            state: Resync::Ready(first),
            resyncs: 0,
        })
    }

    /// The next snapshot or change, waiting for it; `Err(Error::Closed)` once the event
    /// connection is closed.
    pub async fn next_event(&mut self) -> Result<MonitorEvent, Error> {
        std::future::poll_fn(|cx| self.poll_event(cx))
            .await
            .unwrap_or(Err(Error::Closed { op: "events" }))
    }

    /// How many times notifications were lost and the state dumped again.
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// What the monitor watches.
    pub fn watch(&self) -> Watch {
        self.watch
    }

    /// The connection the notifications arrive on (its receive buffer, its overrun count).
    pub fn events(&self) -> &AsyncConn {
        &self.events_conn
    }

    /// The handle the monitor dumps with (usable for other requests meanwhile).
    pub fn handle(&self) -> &AsyncRouteHandle {
        &self.handle
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<MonitorEvent, Error>>> {
        loop {
            match std::mem::replace(&mut self.state, Resync::Idle) {
                Resync::Ready(snap) => return Poll::Ready(Some(Ok(MonitorEvent::Snapshot(snap)))),
                Resync::Due => {
                    if self.events_conn.is_closed() || self.handle.conn().is_closed() {
                        return Poll::Ready(None);
                    }
                    // The order that loses nothing: what is queued now is older than the
                    // dump and superseded by it; what arrives from now on is kept.
                    self.events.discard_queued();
                    let handle = self.handle.clone();
                    let watch = self.watch;
                    self.state =
                        Resync::Dumping(Box::pin(async move { handle.snapshot(watch).await }));
                }
                Resync::Dumping(mut dump) => match dump.as_mut().poll(cx) {
                    Poll::Pending => {
                        self.state = Resync::Dumping(dump);
                        return Poll::Pending;
                    }
                    Poll::Ready(Ok(snap)) => {
                        return Poll::Ready(Some(Ok(MonitorEvent::Snapshot(snap))));
                    }
                    Poll::Ready(Err(e)) => {
                        self.state = Resync::Due;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                Resync::Idle => match ready!(Pin::new(&mut self.events).poll_next(cx)) {
                    None => return Poll::Ready(None),
                    Some(Ok(Event::Message(e))) => {
                        return Poll::Ready(Some(Ok(MonitorEvent::Event(e))));
                    }
                    Some(Ok(Event::Overrun)) => {
                        self.resyncs = self.resyncs.saturating_add(1);
                        self.state = Resync::Due;
                    }
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                },
            }
        }
    }
}

impl Stream for AsyncMonitor {
    type Item = Result<MonitorEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::message::{HeaderFlags, Message};
    use crate::nlattrs::NlAttrs;
    use crate::route::{LinkMessage, RouteEvent, RTM_NEWLINK};
    use crate::testing::multipart;
    use crate::tokio::FakeTransport;

    fn link(index: i32) -> Message {
        let mut l = LinkMessage::default();
        l.header.index = index;
        Message::new(RTM_NEWLINK, HeaderFlags::EMPTY, l.to_bytes().unwrap())
    }

    async fn next(mon: &mut AsyncMonitor) -> Option<Result<MonitorEvent, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *mon).poll_next(cx)).await
    }

    /// The `Stream` form: the snapshot, the events, a new snapshot after an overrun, and the
    /// end when the event connection closes.
    #[tokio::test(flavor = "current_thread")]
    async fn the_stream_hands_out_what_next_event_does_and_ends_with_the_connection() {
        let dumps = Arc::new(FakeTransport::new(|_: &Message| {
            Ok(multipart(vec![link(1)]))
        }));
        let notes = Arc::new(FakeTransport::listener());
        let events_conn = AsyncConn::from_transport(Arc::clone(&notes)).unwrap();
        let handle = AsyncRouteHandle::from_conn(AsyncConn::from_transport(dumps).unwrap());
        let watch = Watch {
            links: true,
            ..Watch::NONE
        };
        let events = RouteEvents::new(events_conn.events().unwrap());
        let mut mon = AsyncMonitor::from_parts(events, handle, watch)
            .await
            .unwrap();
        let snap = |item: Option<Result<MonitorEvent, Error>>| match item {
            Some(Ok(MonitorEvent::Snapshot(s))) => s.links.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(snap(next(&mut mon).await), 1);
        notes.push_event(&[link(2)], 1);
        notes.push_error(Error::Overrun { op: "receive" });
        match next(&mut mon).await {
            Some(Ok(MonitorEvent::Event(RouteEvent::NewLink(l)))) => assert_eq!(l.index(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(snap(next(&mut mon).await), 1);
        assert_eq!(mon.resyncs(), 1);
        assert!(format!("{mon:?}").contains("resyncs: 1"));
        events_conn.close();
        assert!(next(&mut mon).await.is_none());
    }
}
