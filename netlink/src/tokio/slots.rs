//! A request in flight and its replies: the [`Slot`] a request gets under its sequence
//! number, and the per-thread pool its reply buffers come from and go back to.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::task::Waker;

use crate::error::Error;
use crate::message::Header;

/// Sequence numbers are consecutive: spread them with one multiplication instead of SipHash.
#[derive(Default)]
pub(crate) struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(crate) type Slots = HashMap<u32, Slot, BuildHasherDefault<SeqHasher>>;

/// How a caller takes its replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// All at once, when the request is complete.
    Collect,
    /// As they arrive (a dump stream).
    Stream,
}

/// One request in flight.
pub(crate) struct Slot {
    /// The request header as sent.
    pub(crate) request: Header,
    pub(crate) mode: Mode,
    /// Replies not yet taken, in wire form (each padded to 4 bytes).
    pub(crate) buf: Vec<u8>,
    /// Set once the request is complete: its result (the error boxed, so that a slot stays
    /// small to move in and out of the table).
    pub(crate) done: Option<Result<(), Box<Error>>>,
    /// A reply carried `NLM_F_DUMP_INTR`.
    pub(crate) interrupted: bool,
    pub(crate) got_data: bool,
    /// The kernel has seen the request.
    pub(crate) sent: bool,
    /// The caller went away: replies are discarded (and counted) until the request completes.
    pub(crate) abandoned: bool,
    /// A dump whose unread replies reached [`Options::dump_buffer`](super::Options::dump_buffer)
    /// (counted in [`Outstanding::backlogged`]).
    pub(crate) backlogged: bool,
    pub(crate) waker: Option<Waker>,
}

/// The requests sent and not complete, for the reader to know whether replies are due
/// without a walk over the table.
#[derive(Debug, Default)]
pub(crate) struct Outstanding {
    /// Requests sent and not complete.
    pub(crate) sent: usize,
    /// Those of them that are dumps whose stream is behind: its unread replies reached
    /// [`Options::dump_buffer`](super::Options::dump_buffer). Reading for them only would
    /// make the kernel produce more of the dump to hold, so they do not count as due.
    pub(crate) backlogged: usize,
}

impl Outstanding {
    /// A slot is complete (or its request failed): it no longer counts.
    #[inline]
    pub(crate) fn settled(&mut self, slot: &mut Slot) {
        if slot.sent {
            self.sent = self.sent.saturating_sub(1);
        }
        self.caught_up(slot);
    }

    /// A slot's stream took its replies (or went away): it is no longer behind. Returns
    /// whether it was.
    #[inline]
    pub(crate) fn caught_up(&mut self, slot: &mut Slot) -> bool {
        let was = std::mem::replace(&mut slot.backlogged, false);
        if was {
            self.backlogged = self.backlogged.saturating_sub(1);
        }
        was
    }
}

/// Buffers larger than this are freed rather than kept (a large dump does not pin memory).
pub(crate) const POOL_BUF_MAX: usize = 4096;
/// The room a new pooled buffer starts with (a typical reply and its acknowledgement fit).
pub(crate) const POOL_BUF_START: usize = 512;
/// The most reply buffers a thread keeps.
const POOL_PER_THREAD: usize = 64;

thread_local! {
    /// Reply buffers recycled between requests, per thread: a request's replies are copied
    /// once, from the receive buffer into a buffer taken from here (on the thread that reads
    /// the socket), and [`Replies`](super::Replies) gives it back when dropped (on the thread
    /// that drops it), so that a request in the steady state costs no allocation, and no
    /// atomic operation or lock either (a pool shared by the threads would cost both, and
    /// its cache line would move between cores on every request).
    static POOL: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A reply buffer: one this thread gave back, or a new one.
#[inline]
pub(crate) fn take_buf() -> Vec<u8> {
    POOL.try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(POOL_BUF_START))
}

/// Gives a reply buffer back to this thread's pool (kept when the pool has room and the
/// buffer is not large).
#[inline]
pub(crate) fn give_buf(mut buf: Vec<u8>) {
    if buf.capacity() == 0 || buf.capacity() > POOL_BUF_MAX {
        return;
    }
    buf.clear();
    // (During thread exit the pool may be gone: the buffer is freed.)
    let _ = POOL.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            if p.len() < POOL_PER_THREAD {
                p.push(buf);
            }
        }
    });
}

pub(crate) fn count_messages(buf: &[u8]) -> u64 {
    crate::message::messages(buf).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_taken_again_on_its_thread_and_large_ones_are_not_kept() {
        // A thread of its own: its pool starts empty.
        std::thread::spawn(|| {
            let mut b = take_buf();
            assert!(b.capacity() >= POOL_BUF_START);
            b.extend_from_slice(b"reply");
            let ptr = b.as_ptr();
            give_buf(b);
            let again = take_buf();
            assert_eq!(again.as_ptr(), ptr, "the same allocation");
            assert!(again.is_empty(), "handed out empty");
            // Larger than POOL_BUF_MAX: freed, not kept.
            give_buf(Vec::with_capacity(POOL_BUF_MAX + 1));
            assert!(take_buf().capacity() <= POOL_BUF_MAX);
            // At most POOL_PER_THREAD kept.
            for _ in 0..POOL_PER_THREAD + 10 {
                give_buf(Vec::with_capacity(POOL_BUF_START));
            }
            POOL.with_borrow(|p| assert_eq!(p.len(), POOL_PER_THREAD));
        })
        .join()
        .unwrap();
    }
}
