//! `AsyncMonitor` and the discard operation of the async event streams over the fake transport:
//! what was queued before a discard is dropped and what arrives after it is kept; the monitor
//! hands out a snapshot first, then events, and after an overrun drops the events queued
//! behind it (older than the new dump), dumps again and goes on with every later event; a
//! failed dump is an error item and the next call dumps again.

use std::sync::{Arc, Mutex};

use netlink::route::{
    AsyncMonitor, AsyncRouteHandle, MonitorEvent, RouteEvent, RouteEvents, RTM_GETLINK, RTM_NEWLINK,
};
use netlink::route::{Snapshot, Watch};
use netlink::testing::{error, multipart};
use netlink::tokio::{AsyncConn, FakeTransport};
use netlink::{Error, HeaderFlags, Message};

mod route_messages;
use route_messages::link;

fn names(s: &Snapshot) -> Vec<String> {
    s.links.iter().filter_map(|l| l.name.clone()).collect()
}

fn event_name(e: MonitorEvent) -> String {
    match e {
        MonitorEvent::Event(RouteEvent::NewLink(l)) => l.name.clone().unwrap_or_default(),
        other => panic!("expected a new link, got {other:?}"),
    }
}

fn snapshot_names(e: MonitorEvent) -> Vec<String> {
    match e {
        MonitorEvent::Snapshot(s) => names(&s),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn discard_queued_drops_what_is_queued_and_keeps_what_comes_after() {
    let fake = Arc::new(FakeTransport::listener());
    let conn = AsyncConn::from_transport(Arc::clone(&fake)).unwrap();
    let mut events = RouteEvents::new(conn.events().unwrap());
    // One datagram: when the first arrives, the other three are queued.
    fake.push_event(&[link(1, "a"), link(2, "b"), link(3, "c"), link(4, "d")], 1);
    match events.next().await.unwrap().unwrap() {
        netlink::events::Event::Message(RouteEvent::NewLink(l)) => assert_eq!(l.index(), 1),
        other => panic!("{other:?}"),
    }
    assert_eq!(events.discard_queued(), 3);
    assert_eq!(events.discard_queued(), 0, "nothing left");
    fake.push_event(&[link(5, "e")], 1);
    match events.next().await.unwrap().unwrap() {
        netlink::events::Event::Message(RouteEvent::NewLink(l)) => assert_eq!(l.index(), 5),
        other => panic!("{other:?}"),
    }
    // Overrun marks are dropped too (not counted as messages).
    fake.push_event(&[link(6, "f")], 1);
    fake.push_error(Error::Overrun { op: "receive" });
    fake.push_event(&[link(7, "g"), link(8, "h")], 1);
    let mut raw = events.into_inner();
    assert_eq!(raw.next().await.unwrap().unwrap().header.kind, RTM_NEWLINK);
    assert!(raw.next().await.unwrap().unwrap_err().is_overrun());
    assert_eq!(raw.next().await.unwrap().unwrap().header.kind, RTM_NEWLINK);
    assert_eq!(raw.discard_queued(), 1);
    assert_eq!(raw.conn().pid(), conn.pid(), "the stream's own connection");
}

/// A dump handler over the fake's "kernel state": the links in `state`, or an error while
/// `fail` is set.
fn kernel(
    state: Arc<Mutex<Vec<(i32, String)>>>,
    fail: Arc<Mutex<bool>>,
) -> impl FnMut(&Message) -> Result<Vec<Message>, Error> + Send {
    move |r: &Message| {
        assert_eq!(r.header.kind, RTM_GETLINK, "only links are watched");
        assert!(r.header.flags.contains(HeaderFlags::DUMP));
        if *fail.lock().unwrap() {
            return Ok(vec![error(libc::EIO, r)]);
        }
        let links = state.lock().unwrap();
        Ok(multipart(links.iter().map(|(i, n)| link(*i, n)).collect()))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn monitor_snapshot_then_events_and_an_overrun_resyncs_without_stale_events() {
    let state = Arc::new(Mutex::new(vec![(1, "lo".to_owned())]));
    let fail = Arc::new(Mutex::new(false));
    let dumps = Arc::new(FakeTransport::new(kernel(
        Arc::clone(&state),
        Arc::clone(&fail),
    )));
    let notes = Arc::new(FakeTransport::listener());
    let events_conn = AsyncConn::from_transport(Arc::clone(&notes)).unwrap();
    let events = RouteEvents::new(events_conn.events().unwrap());
    // Queued before the first dump: superseded by it.
    notes.push_event(&[link(9, "before")], 1);
    // On this one-thread runtime the driver routes what it takes before the test runs again.
    while notes.queued() > 0 {
        tokio::task::yield_now().await;
    }
    let handle =
        AsyncRouteHandle::from_conn(AsyncConn::from_transport(Arc::clone(&dumps)).unwrap());
    let watch = Watch {
        links: true,
        ..Watch::NONE
    };
    let mut mon = AsyncMonitor::from_parts(events, handle, watch)
        .await
        .unwrap();
    assert_eq!(mon.events().pid(), events_conn.pid());
    assert_eq!(mon.watch(), watch);
    assert_eq!(snapshot_names(mon.next_event().await.unwrap()), ["lo"]);

    notes.push_event(&[link(2, "v0")], 1);
    assert_eq!(event_name(mon.next_event().await.unwrap()), "v0");
    assert_eq!(mon.resyncs(), 0);

    // The kernel's state moves on, one event reaches us, then events are lost; "stale" is
    // received after the loss but before the monitor resyncs: the new dump supersedes it.
    state.lock().unwrap().extend([
        (2, "v0".to_owned()),
        (3, "v1".to_owned()),
        (4, "v2".to_owned()),
    ]);
    notes.push_event(&[link(3, "v1")], 1);
    notes.push_error(Error::Overrun { op: "receive" });
    notes.push_event(&[link(7, "stale")], 1);
    assert_eq!(event_name(mon.next_event().await.unwrap()), "v1");
    assert_eq!(
        snapshot_names(mon.next_event().await.unwrap()),
        ["lo", "v0", "v1", "v2"]
    );
    assert_eq!(mon.resyncs(), 1);
    // Every event after the resync is handed out.
    notes.push_event(&[link(5, "v3")], 1);
    assert_eq!(event_name(mon.next_event().await.unwrap()), "v3");
    assert_eq!(dumps.requests().len(), 2, "one dump each time");

    // A failed dump is an error item; the next call dumps again.
    *fail.lock().unwrap() = true;
    notes.push_error(Error::Overrun { op: "receive" });
    let e = mon.next_event().await.unwrap_err();
    assert_eq!(e.errno(), Some(libc::EIO), "{e}");
    assert_eq!(mon.resyncs(), 2);
    *fail.lock().unwrap() = false;
    state.lock().unwrap().push((5, "v3".to_owned()));
    assert_eq!(
        snapshot_names(mon.next_event().await.unwrap()),
        ["lo", "v0", "v1", "v2", "v3"]
    );
    assert_eq!(mon.resyncs(), 2, "a retried dump is the same resync");
    assert_eq!(dumps.requests().len(), 4);

    events_conn.close();
    assert!(matches!(mon.next_event().await, Err(Error::Closed { .. })));
}

#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_next_event_keeps_its_dump() {
    let state = Arc::new(Mutex::new(vec![(1, "lo".to_owned())]));
    let dumps = Arc::new(FakeTransport::new(kernel(
        Arc::clone(&state),
        Arc::new(Mutex::new(false)),
    )));
    let notes = Arc::new(FakeTransport::listener());
    let events_conn = AsyncConn::from_transport(Arc::clone(&notes)).unwrap();
    let handle =
        AsyncRouteHandle::from_conn(AsyncConn::from_transport(Arc::clone(&dumps)).unwrap());
    let mut mon = AsyncMonitor::from_parts(
        RouteEvents::new(events_conn.events().unwrap()),
        handle,
        Watch {
            links: true,
            ..Watch::NONE
        },
    )
    .await
    .unwrap();
    assert_eq!(snapshot_names(mon.next_event().await.unwrap()), ["lo"]);
    // The replies of the resync's dump are held: the call waits, and is dropped.
    dumps.hold(true);
    notes.push_error(Error::Overrun { op: "receive" });
    let waited = tokio::time::timeout(std::time::Duration::from_millis(50), mon.next_event()).await;
    assert!(waited.is_err(), "the dump's replies are held: {waited:?}");
    assert_eq!(dumps.requests().len(), 2, "the resync's dump went out");
    state.lock().unwrap().push((2, "v0".to_owned()));
    dumps.hold(false);
    // The same dump completes (the handler ran when it was sent, before v0 was added).
    assert_eq!(snapshot_names(mon.next_event().await.unwrap()), ["lo"]);
    assert_eq!(dumps.requests().len(), 2, "not dumped again");
    assert_eq!(mon.resyncs(), 1);
}
