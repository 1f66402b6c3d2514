//! A request in flight and its replies: the [`Slot`] a request gets under its sequence
//! number, and the [`BufPool`] its reply buffers come from and go back to.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};
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
    pub(crate) waker: Option<Waker>,
}

/// Reply buffers recycled between requests: a request's replies are copied once, from the
/// receive buffer into a buffer taken from here, and [`Replies`](super::Replies) gives it back
/// when dropped, so that a request in the steady state costs no allocation.
pub(crate) struct BufPool {
    bufs: Mutex<Vec<Vec<u8>>>,
    /// The most buffers kept.
    max: usize,
}

/// Buffers larger than this are freed rather than kept (a large dump does not pin memory).
pub(crate) const POOL_BUF_MAX: usize = 4096;
/// The room a new pooled buffer starts with (a typical reply and its acknowledgement fit).
pub(crate) const POOL_BUF_START: usize = 512;

impl BufPool {
    pub(crate) fn new(max: usize) -> BufPool {
        BufPool {
            bufs: Mutex::new(Vec::new()),
            max,
        }
    }

    /// Moves every buffer kept into `into`.
    pub(crate) fn take_all(&self, into: &mut Vec<Vec<u8>>) {
        into.append(&mut self.bufs.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Gives a buffer back (kept when the pool has room and the buffer is not large).
    pub(crate) fn give(&self, mut buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > POOL_BUF_MAX {
            return;
        }
        buf.clear();
        let mut bufs = self.bufs.lock().unwrap_or_else(PoisonError::into_inner);
        if bufs.len() < self.max {
            bufs.push(buf);
        }
    }
}

pub(crate) fn count_messages(buf: &[u8]) -> u64 {
    crate::message::messages(buf).count() as u64
}
