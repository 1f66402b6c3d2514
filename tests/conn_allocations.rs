//! The hot paths of `Conn` allocate nothing once its buffers have grown: `execute_with` (a
//! request, its reply and its acknowledgement) and a streamed dump read with `next_ref`, on
//! real sockets. A counting global allocator, so this file is its own test binary.

mod conn_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use conn_support::*;
use netlink::{Config, Conn, Family, HeaderFlags};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator with the caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The fewest allocations `f` made over five runs (the test harness may allocate on another
/// thread meanwhile).
fn allocations_during(mut f: impl FnMut()) -> usize {
    (0..5)
        .map(|_| {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            f();
            ALLOCATIONS.load(Ordering::SeqCst) - before
        })
        .min()
        .unwrap()
}

#[test]
fn execute_with_and_streamed_dumps_allocate_nothing_per_call() {
    let conn = Conn::dial(Family::GENERIC, Config::default()).unwrap();
    let req = get_family("nlctrl", HeaderFlags::ACKNOWLEDGE);
    let mut ids = 0u64;
    let mut round_trip = || {
        conn.execute_with(req.header, &req.data, |m| {
            ids += u64::from(m.data.len() > 4);
            Ok(())
        })
        .unwrap();
    };
    round_trip();
    let n = allocations_during(|| {
        for _ in 0..50 {
            round_trip();
        }
    });
    assert_eq!(n, 0, "allocations in 50 execute_with round trips");
    assert!(ids > 50);

    // A dump of the generic netlink families, streamed.
    let dump_req = get_family("", HeaderFlags::DUMP);
    let dump_req = netlink::Message::new(
        dump_req.header.kind,
        dump_req.header.flags,
        vec![3, 1, 0, 0],
    );
    let mut families = 0u64;
    let mut stream = || {
        let mut d = conn.dump_parts(dump_req.header, &dump_req.data).unwrap();
        while let Some(m) = d.next_ref() {
            m.unwrap();
            families += 1;
        }
    };
    stream();
    let n = allocations_during(|| {
        for _ in 0..20 {
            stream();
        }
    });
    assert_eq!(n, 0, "allocations in 20 streamed dumps");
    assert!(families > 20);
}
