//! The synchronous `Monitor` over fake sockets (`netlink::testing`), no kernel needed: the
//! first snapshot supersedes what was queued before it, events follow, and after an overrun
//! a resync dump that fails (`NLM_F_DUMP_INTR`, an error reply) is returned as the error of
//! that call while the resync stays due: the next call dumps again, and the retries count as
//! one resync.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use netlink::events::Listener;
use netlink::route::{
    Monitor, MonitorEvent, RouteEvent, RouteHandle, Snapshot, Watch, RTM_GETADDR, RTM_GETLINK,
};
use netlink::testing::{error, multipart, FakeSocket};
use netlink::{Conn, Error, HeaderFlags, Message};

mod route_messages;
use route_messages::{address, link};

/// How the fake kernel answers one dump request.
#[derive(Clone, Copy)]
enum Answer {
    /// The whole state.
    Full,
    /// The whole state, marked `NLM_F_DUMP_INTR` (it changed during the dump).
    Interrupted,
    /// An error reply with this errno.
    Errno(i32),
}

/// The fake kernel: its links (by index and name) and one address per link.
#[derive(Default)]
struct Kernel {
    links: Vec<(i32, String)>,
    /// The answers to the next dump requests, in order; `Full` once it is empty.
    script: VecDeque<Answer>,
}

fn dumps(kernel: Arc<Mutex<Kernel>>) -> FakeSocket {
    FakeSocket::new(move |reqs: &[Message]| {
        let r = &reqs[0];
        assert!(r.header.flags.contains(HeaderFlags::DUMP), "{r:?}");
        let mut k = kernel.lock().unwrap();
        let answer = k.script.pop_front().unwrap_or(Answer::Full);
        let parts: Vec<Message> = if r.header.kind == RTM_GETLINK {
            k.links.iter().map(|(i, n)| link(*i, n)).collect()
        } else {
            assert_eq!(r.header.kind, RTM_GETADDR, "only links and addresses");
            k.links.iter().map(|(i, _)| address(*i as u32)).collect()
        };
        Ok(match answer {
            Answer::Full => multipart(parts),
            Answer::Interrupted => {
                let mut out = multipart(parts);
                for m in &mut out {
                    m.header.flags |= HeaderFlags::DUMP_INTERRUPTED;
                }
                out
            }
            Answer::Errno(e) => vec![error(e, r)],
        })
    })
}

fn names(s: &Snapshot) -> Vec<String> {
    s.links.iter().filter_map(|l| l.name.clone()).collect()
}

fn snapshot(item: Result<MonitorEvent, Error>) -> Snapshot {
    match item {
        Ok(MonitorEvent::Snapshot(s)) => s,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

fn event_name(item: Result<MonitorEvent, Error>) -> String {
    match item {
        Ok(MonitorEvent::Event(RouteEvent::NewLink(l))) => l.name.clone().unwrap_or_default(),
        other => panic!("expected a new link, got {other:?}"),
    }
}

type FakeMonitor = Monitor<Arc<FakeSocket>, Arc<FakeSocket>>;

/// A monitor of links and addresses over `kernel`; the fake that carries the notifications
/// and the one that answers the dumps.
fn monitor(kernel: &Arc<Mutex<Kernel>>) -> (FakeMonitor, Arc<FakeSocket>, Arc<FakeSocket>) {
    let notes = Arc::new(FakeSocket::listener());
    let events_conn = Conn::from_socket(Arc::clone(&notes));
    // Without a resync a call would wait for a notification: fail instead of hanging.
    events_conn.set_read_timeout(Some(Duration::from_secs(10)));
    let dumper = Arc::new(dumps(Arc::clone(kernel)));
    let handle = RouteHandle::from_conn(Conn::from_socket(Arc::clone(&dumper)));
    // Queued before the first dump: superseded by it.
    notes.push(&[link(9, "before")]);
    let watch = Watch {
        links: true,
        addresses: true,
        ..Watch::NONE
    };
    let mon = Monitor::from_parts(Listener::from_conn(events_conn), handle, watch).unwrap();
    assert_eq!(mon.watch(), watch);
    assert_eq!(
        notes.queued(),
        0,
        "the first dump discarded what was queued"
    );
    (mon, notes, dumper)
}

#[test]
fn a_failed_resync_dump_is_the_error_of_that_call_and_the_next_call_dumps_again() {
    let kernel = Arc::new(Mutex::new(Kernel {
        links: vec![(1, "lo".into())],
        ..Kernel::default()
    }));
    let (mut mon, notes, dumper) = monitor(&kernel);
    let s = snapshot(mon.next_event());
    assert_eq!((names(&s), s.addresses.len()), (vec!["lo".into()], 1));
    assert_eq!(dumper.requests().len(), 2, "links, then addresses");

    kernel.lock().unwrap().links.push((2, "v0".into()));
    notes.push(&[link(2, "v0")]);
    assert_eq!(event_name(mon.next_event()), "v0");
    assert_eq!(mon.resyncs(), 0);

    // Notifications are lost; the link dump of the resync is interrupted.
    kernel.lock().unwrap().script.push_back(Answer::Interrupted);
    notes.push_error(Error::Overrun { op: "receive" });
    let e = mon.next_event().unwrap_err();
    assert!(e.is_dump_interrupted(), "{e}");
    assert_eq!(mon.resyncs(), 1);
    assert_eq!(
        dumper.requests().len(),
        3,
        "the link dump failed, the rest was not sent"
    );

    // The state changes meanwhile; its notification is superseded by the retried dump.
    kernel.lock().unwrap().links.push((3, "v1".into()));
    notes.push(&[link(3, "v1")]);
    let s = snapshot(mon.next_event());
    assert_eq!(names(&s), ["lo", "v0", "v1"]);
    assert_eq!(s.addresses.len(), 3);
    assert_eq!(mon.resyncs(), 1, "a retried dump is the same resync");
    assert_eq!(dumper.requests().len(), 5, "dumped again");
    assert_eq!(notes.queued(), 0, "the retry discarded what was queued");

    // Events go on.
    notes.push(&[link(4, "v2")]);
    assert_eq!(event_name(mon.next_event()), "v2");

    // Another loss; the address dump fails, then the link dump: two errors, one resync.
    kernel.lock().unwrap().script.extend([
        Answer::Full,
        Answer::Errno(libc::EIO),
        Answer::Errno(libc::EBUSY),
    ]);
    notes.push_error(Error::Overrun { op: "receive" });
    let e = mon.next_event().unwrap_err();
    assert_eq!(e.errno(), Some(libc::EIO), "{e}");
    let e = mon.next_event().unwrap_err();
    assert_eq!(e.errno(), Some(libc::EBUSY), "{e}");
    kernel.lock().unwrap().links.push((4, "v2".into()));
    assert_eq!(names(&snapshot(mon.next_event())), ["lo", "v0", "v1", "v2"]);
    assert_eq!(mon.resyncs(), 2);
    assert_eq!(dumper.requests().len(), 10);

    notes.push(&[link(5, "v3")]);
    assert_eq!(event_name(mon.next_event()), "v3");
    assert_eq!(mon.listener().stats().overruns, 2);
}

#[test]
fn a_failed_first_dump_fails_the_construction() {
    let kernel = Arc::new(Mutex::new(Kernel {
        links: vec![(1, "lo".into())],
        script: VecDeque::from([Answer::Errno(libc::EPERM)]),
    }));
    let notes = Arc::new(FakeSocket::listener());
    let handle = RouteHandle::from_conn(Conn::from_socket(dumps(kernel)));
    let e = Monitor::from_parts(
        Listener::from_conn(Conn::from_socket(notes)),
        handle,
        Watch {
            links: true,
            ..Watch::NONE
        },
    )
    .unwrap_err();
    assert_eq!(e.errno(), Some(libc::EPERM), "{e}");
}
