//! The hot paths of `Conn` allocate nothing once its buffers have grown: `execute_with` (a
//! request, its reply and its acknowledgement) and a streamed dump read with `next_ref`, on
//! real sockets. A counting global allocator, so this file is its own test binary.

mod conn_support;

use conn_support::*;
use netlink::{Config, Conn, Family, HeaderFlags};

mod alloc_support;

use alloc_support::allocations_during;

#[global_allocator]
static GLOBAL: alloc_support::Counting = alloc_support::Counting;

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
