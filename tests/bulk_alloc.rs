//! Allocation counts of the bulk paths against the kernel: a batch allocates per call, never
//! per request, and a listener decoding borrowed events allocates nothing per event. One test
//! in this binary, so that no other test thread allocates while it counts.

use std::sync::atomic::Ordering;
use std::time::Duration;

mod conn_support;

use conn_support::{privileged, TestNs};
use netlink::batch::{BatchEvent, BatchOptions};
use netlink::events::{Event, EventKind, Listener};
use netlink::{EncodeError, Error, Header, HeaderFlags, HeaderType, MessageRef, NlRequest};

mod alloc_support;

use alloc_support::ALLOCATIONS;

#[global_allocator]
static GLOBAL: alloc_support::Counting = alloc_support::Counting;

const RTM_NEWROUTE: HeaderType = HeaderType(24);

struct Route(u32);

impl NlRequest for Route {
    fn header(&self) -> Header {
        Header {
            kind: RTM_NEWROUTE,
            flags: HeaderFlags::CREATE | HeaderFlags::EXCL,
            ..Header::default()
        }
    }
    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.extend_from_slice(&[2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]);
        buf.extend_from_slice(&[8, 0, 1, 0, 10, (1 + self.0 / 256) as u8, self.0 as u8, 0]);
        buf.extend_from_slice(&[8, 0, 5, 0, 10, 0, 0, 2]);
        Ok(())
    }
}

/// The destination of a route event, borrowed decoding.
struct Dst;

impl EventKind for Dst {
    type Event<'a> = Option<&'a [u8]>;
    fn decode<'a>(m: MessageRef<'a>) -> Result<Option<&'a [u8]>, Error> {
        for a in m.attrs(12)? {
            let a = a?;
            if a.attr_type() == 1 {
                return Ok(Some(a.payload()));
            }
        }
        Ok(None)
    }
}

#[test]
fn batches_and_listeners_allocate_per_call_not_per_item() {
    if !privileged("batches_and_listeners_allocate_per_call_not_per_item") {
        return;
    }
    let ns = TestNs::with_veth("alloc");
    ns.ip(&["addr", "add", "10.0.0.1/24", "dev", "va"]);
    let mut listener = Listener::<Dst>::dial(netlink::Family::ROUTE, &[7], ns.config()).unwrap();
    listener
        .conn()
        .set_read_timeout(Some(Duration::from_millis(200)));
    let conn = ns.dial(netlink::Family::ROUTE);

    // Warm up: one batch and one event, so that lazily made state exists.
    let mut ok = 0;
    conn.execute_batch_with((0..1).map(Route), &BatchOptions::default(), |_| {});
    assert!(matches!(listener.next_event(), Ok(Event::Message(Some(_)))));

    let n = 2_000u32;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let summary = conn.execute_batch_with((1..=n).map(Route), &BatchOptions::default(), |e| {
        if let BatchEvent::Done { result, .. } = e {
            if result.is_ok() {
                ok += 1;
            }
        }
    });
    let batch_allocs = ALLOCATIONS.load(Ordering::SeqCst) - before;
    eprintln!("batch of {n}: {batch_allocs} allocations");
    assert_eq!(ok, n);
    assert!(summary.sends >= 2);
    // Buffers of the call (send buffer growth, the window list, the receive slots): a few
    // dozen at most, against 2,000 requests.
    assert!(
        batch_allocs < 50,
        "{batch_allocs} allocations for {n} requests"
    );

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut events = 0u32;
    while events < n {
        match listener.next_event() {
            Ok(Event::Message(Some(dst))) => {
                assert_eq!(dst.len(), 4);
                events += 1;
            }
            Ok(other) => panic!("{other:?}"),
            Err(e) => panic!("{e}"),
        }
    }
    let listen_allocs = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(listen_allocs, 0, "allocations while reading {n} events");
}
