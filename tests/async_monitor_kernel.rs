//! `AsyncMonitor` against the kernel, each test in its own network namespace: the first item
//! is a snapshot of what exists, changes made after it arrive as events, and with a tiny
//! receive buffer a storm of address changes overruns the kernel queue: the monitor
//! resynchronises (a new snapshot per overrun) and the state it leads to matches a fresh dump.

mod conn_support;

use std::collections::BTreeSet;
use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::events::DEFAULT_LISTENER_BUFFER;
use netlink::route::{
    AddressMessage, AsyncMonitor, AsyncRouteHandle, IpNet, MonitorEvent, NewLink, RouteEvent, Watch,
};
use netlink::Config;

/// A bound on every wait for an event: generous, the machine is loaded.
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("timed out")
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_first_then_the_changes_made_after() {
    if !privileged("async monitor snapshot and events") {
        return;
    }
    let ns = TestNs::new("amon-ev");
    ns.ip(&["link", "add", "m0", "type", "veth", "peer", "name", "m1"]);
    ns.ip(&["addr", "add", "10.40.0.1/24", "dev", "m0"]);
    let watch = Watch {
        links: true,
        addresses: true,
        ..Watch::NONE
    };
    let mut mon = within(AsyncMonitor::new(watch, ns.config())).await.unwrap();
    // The subscribed connection gets the listener's large buffer (the kernel reports twice
    // the size set), the dumping one keeps the system's default.
    let events_buf = mon.events().socket().unwrap().read_buffer().unwrap();
    assert!(events_buf >= DEFAULT_LISTENER_BUFFER, "{events_buf}");
    let dump_buf = mon.handle().conn().socket().unwrap().read_buffer().unwrap();
    assert!(dump_buf < DEFAULT_LISTENER_BUFFER, "{dump_buf}");

    let snap = match within(mon.next_event()).await.unwrap() {
        MonitorEvent::Snapshot(s) => s,
        other => panic!("the first item is the snapshot: {other:?}"),
    };
    let mut names: Vec<&str> = snap
        .links
        .iter()
        .filter_map(|l| l.name.as_deref())
        .collect();
    names.sort();
    assert_eq!(names, ["lo", "m0", "m1"]);
    let m0 = snap
        .links
        .iter()
        .find(|l| l.name.as_deref() == Some("m0"))
        .unwrap()
        .index();
    assert!(
        snap.addresses
            .iter()
            .any(|a| a.header.index == m0 && a.local() == Some("10.40.0.1".parse().unwrap())),
        "{:?}",
        snap.addresses
    );
    assert!(snap.routes.is_empty() && snap.neighbours.is_empty() && snap.rules.is_empty());

    // Changes made now arrive as events, on the monitor's own connection.
    let rt = AsyncRouteHandle::in_netns(ns.netns()).await.unwrap();
    rt.add_address(m0, net("10.40.1.1/24")).await.unwrap();
    rt.add_link(&NewLink::veth("m2", "m3")).await.unwrap();
    let (mut new_address, mut new_link) = (false, false);
    while !(new_address && new_link) {
        match within(mon.next_event()).await.unwrap() {
            MonitorEvent::Event(RouteEvent::NewAddress(a))
                if a.local() == Some("10.40.1.1".parse().unwrap()) =>
            {
                assert_eq!(a.header.index, m0);
                new_address = true;
            }
            MonitorEvent::Event(RouteEvent::NewLink(l)) if l.name.as_deref() == Some("m2") => {
                new_link = true;
            }
            MonitorEvent::Event(_) => {}
            MonitorEvent::Snapshot(_) => panic!("no overrun expected with the default buffer"),
        }
    }
    assert_eq!(mon.resyncs(), 0);
}

/// The addresses of link `index` as `addr/len`.
fn keys<'a>(addrs: impl IntoIterator<Item = &'a AddressMessage>, index: u32) -> BTreeSet<String> {
    addrs
        .into_iter()
        .filter(|a| a.header.index == index)
        .filter_map(|a| a.local().map(|ip| format!("{ip}/{}", a.header.prefix_len)))
        .collect()
}

/// What the storm test has seen: the addresses of one link as rebuilt from the monitor's
/// snapshots and events, and counts.
#[derive(Default)]
struct Seen {
    state: BTreeSet<String>,
    snapshots: u64,
    events: u64,
    interrupted: u64,
}

impl Seen {
    fn apply(&mut self, item: Result<MonitorEvent, netlink::Error>, index: u32) {
        match item {
            Ok(MonitorEvent::Snapshot(s)) => {
                self.snapshots += 1;
                self.state = keys(&s.addresses, index);
            }
            Ok(MonitorEvent::Event(RouteEvent::NewAddress(a))) if a.header.index == index => {
                self.events += 1;
                self.state.extend(keys([&*a], index));
            }
            Ok(MonitorEvent::Event(RouteEvent::DelAddress(a))) if a.header.index == index => {
                self.events += 1;
                for k in keys([&*a], index) {
                    self.state.remove(&k);
                }
            }
            Ok(MonitorEvent::Event(_)) => {}
            // A dump that changes under the kernel's feet: the monitor dumps again.
            Err(e) if e.is_dump_interrupted() => self.interrupted += 1,
            Err(e) => panic!("monitor: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overrun_resyncs_and_the_state_matches_a_fresh_dump() {
    if !privileged("async monitor overrun resync") {
        return;
    }
    let ns = TestNs::new("amon-ovr");
    ns.ip(&["link", "add", "s0", "type", "veth", "peer", "name", "s1"]);
    ns.ip(&["link", "set", "s0", "up"]);
    let rt = AsyncRouteHandle::in_netns(ns.netns()).await.unwrap();
    let s0 = rt.index_of("s0").await.unwrap();
    let mut mon = within(AsyncMonitor::new(
        Watch {
            addresses: true,
            ..Watch::NONE
        },
        Config {
            netns: Some(ns.netns()),
            // Below the kernel's minimum: a few KiB, a handful of notifications.
            read_buffer: 1024,
            ..Config::default()
        },
    ))
    .await
    .unwrap();

    // The storm, on another task: each batch of requests runs inside one `sendmsg`, whose
    // notifications far exceed the tiny buffer; then a few changes one at a time.
    let nets: Vec<IpNet> = (0..1500u32)
        .map(|i| net(&format!("10.50.{}.{}/32", i / 250, i % 250 + 1)))
        .collect();
    let producer = tokio::spawn({
        let rt = rt.clone();
        let nets = nets.clone();
        async move {
            let added = rt.add_addresses(nets.iter().map(|n| (s0, *n))).await;
            assert!(added.iter().all(Result::is_ok), "add");
            let gone = rt
                .delete_addresses(nets.iter().step_by(3).map(|n| (s0, *n)))
                .await;
            assert!(gone.iter().all(Result::is_ok), "delete");
            // Then one change at a time: each notification fits the buffer, and arrives as
            // an event after the last snapshot.
            for n in nets.iter().skip(1).step_by(3).take(20) {
                rt.delete_address(s0, *n).await.unwrap();
            }
        }
    });

    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        // Once the storm is over, two quiet seconds end the loop.
        let item = match tokio::time::timeout(Duration::from_secs(2), mon.next_event()).await {
            Ok(item) => item,
            Err(_) if producer.is_finished() => break,
            Err(_) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the storm never ended"
                );
                continue;
            }
        };
        seen.apply(item, s0);
    }
    producer.await.unwrap();
    // After the storm, one change at a time, alone: each notification fits the buffer and
    // arrives as an event (during the storm they may all have been lost or superseded by a
    // snapshot).
    let quiet = net("10.60.0.1/32");
    rt.add_address(s0, quiet).await.unwrap();
    rt.delete_address(s0, quiet).await.unwrap();
    let quiet_key = quiet.to_string();
    let mut quiet_gone = false;
    while !quiet_gone {
        let item = within(mon.next_event()).await;
        if let Ok(MonitorEvent::Event(RouteEvent::DelAddress(a))) = &item {
            quiet_gone = keys([&**a], s0).contains(&quiet_key);
        }
        seen.apply(item, s0);
    }
    let Seen {
        state,
        snapshots,
        events,
        interrupted,
    } = seen;
    eprintln!(
        "{} resyncs, {events} events, {interrupted} dumps interrupted",
        mon.resyncs()
    );
    assert!(
        mon.resyncs() >= 1,
        "a tiny buffer must overflow in a storm ({events} events seen)"
    );
    assert_eq!(
        snapshots,
        mon.resyncs() + 1,
        "the first snapshot, then one per overrun ({interrupted} dumps interrupted)"
    );
    let fresh = keys(&rt.addresses_of(s0).await.unwrap(), s0);
    assert_eq!(fresh.len(), 980, "the storm left 980 addresses");
    assert!(events >= 1, "the last changes arrive as events");
    assert_eq!(
        state,
        fresh,
        "after {} resyncs and {events} events",
        mon.resyncs()
    );
}
