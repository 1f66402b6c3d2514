//! The receive side of a [`Conn`]: the receive turn that calls take one at a time, the queue
//! of unsolicited messages kept for [`Conn::receive`], and the draining of abandoned
//! multi-part replies.
//!
//! # The receive turn
//!
//! Only one call reads the socket at a time. The turn is a flag under a mutex with a condition
//! variable, not a held `MutexGuard`: a caller waits for it no longer than its deadline
//! ([`Error::Timeout`] then), and the read buffer travels with the turn (moved out of the
//! shared state and back, no copy). A [`Dump`](super::Dump) holds the turn between its steps
//! and gives it back as soon as it ends (finished, failed or dropped).
//!
//! A call made on the thread that holds the turn (an unfinished `Dump` still in scope, or a
//! call from inside a [`Conn::receive_with`] callback) cannot wait for it: that would wait
//! for itself. It takes the turn over instead, and the older holder fails its next socket
//! read with [`Error::Superseded`]. Its reply is then abandoned like a dropped dump's.
//!
//! # Abandoned replies
//!
//! A dump left before its `NLMSG_DONE` keeps running in the kernel, which refuses the next
//! dump on the socket with `EBUSY` until the old one is read to its end. So an abandoned
//! multi-part reply (a dropped or failed [`Dump`](super::Dump), a multi-part receive stopped
//! early) leaves its sequence number behind, and the next call first reads and discards the
//! rest of that reply (counted in [`Conn::stale_dropped`]), within its own deadline, before
//! it sends anything.
//!
//! # Unsolicited messages
//!
//! Messages that arrive during a request but answer no request (multicast datagrams and
//! messages with sequence number 0) are kept, in order, for the next receive. The queue is
//! bounded ([`Config::event_queue_limit`](super::Config::event_queue_limit)); past the bound
//! new ones are dropped and the next receive reports [`Error::Overrun`], as the kernel does
//! when its own socket queue overflows.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::atomic::Ordering;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::error::Error;
use crate::message::{HeaderType, MessageRef};
use crate::socket::{RecvInfo, Socket};

use super::Conn;

thread_local! {
    static MARK: u8 = const { 0 };
}

/// An identity of the calling thread that is cheap to take (the address of a thread-local):
/// unique among live threads, which is all the takeover rule needs.
fn thread_mark() -> usize {
    MARK.with(|m| std::ptr::from_ref(m) as usize)
}

/// Who holds the receive turn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Holder {
    thread: usize,
    ticket: u64,
    /// The sequence number of a multi-part reply the holder is reading: abandoned (and so
    /// drained by the next call) if the holder loses the turn before its end.
    pending: Option<u32>,
}

/// Unsolicited messages (or the unread rest of a datagram), with what the socket said about
/// the datagram they came in.
#[derive(Debug)]
pub(super) struct Queued {
    pub(super) info: RecvInfo,
    pub(super) bytes: Vec<u8>,
    pub(super) count: usize,
}

/// The shared state of the receive side, under [`Conn::rx`].
#[derive(Debug, Default)]
pub(super) struct RxState {
    holder: Option<Holder>,
    tickets: u64,
    waiters: usize,
    /// The read buffer, lent to the holder of the turn.
    buf: Vec<u8>,
    /// Unsolicited messages for the next receive.
    pub(super) queue: VecDeque<Queued>,
    /// Messages in `queue`.
    pub(super) queued: usize,
    /// Unsolicited messages were dropped (queue full): the next receive reports an overrun.
    pub(super) overrun: bool,
    /// The sequence number of an abandoned multi-part reply to read to its end first.
    pub(super) drain: Option<u32>,
}

/// The receive side: state and the condition variable that turn waiters sleep on.
#[derive(Debug, Default)]
pub(super) struct Rx {
    state: Mutex<RxState>,
    turn_free: Condvar,
}

impl Rx {
    pub(super) fn lock(&self) -> MutexGuard<'_, RxState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The receive turn, held: the read buffer and the right to read the socket. Given back on
/// drop.
#[derive(Debug)]
pub(super) struct Turn<'c, S: Socket> {
    conn: &'c Conn<S>,
    ticket: u64,
    pub(super) buf: Vec<u8>,
    released: bool,
    /// The holder is identified by its thread: a `Turn` stays on it.
    _not_send: PhantomData<MutexGuard<'c, ()>>,
}

impl<S: Socket> Conn<S> {
    /// Takes the receive turn, waiting until `deadline` at most; a holder on the calling
    /// thread is superseded at once (see the module documentation). Also returns the sequence
    /// number of an abandoned reply to drain first, if any.
    pub(super) fn acquire(
        &self,
        op: &'static str,
        deadline: Option<Instant>,
        pending: Option<u32>,
    ) -> Result<(Turn<'_, S>, Option<u32>), Error> {
        let me = thread_mark();
        let mut st = self.rx.lock();
        loop {
            match st.holder {
                None => break,
                Some(h) if h.thread == me => {
                    // The older holder on this thread is abandoned: its reply is drained by
                    // the next call (this one).
                    if let Some(seq) = h.pending {
                        st.drain = Some(seq);
                    }
                    break;
                }
                Some(_) => {}
            }
            st.waiters = st.waiters.saturating_add(1);
            let woken = match deadline {
                None => Ok(self
                    .rx
                    .turn_free
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner)),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        Err(st)
                    } else {
                        Ok(self
                            .rx
                            .turn_free
                            .wait_timeout(st, d.duration_since(now))
                            .unwrap_or_else(PoisonError::into_inner)
                            .0)
                    }
                }
            };
            st = match woken {
                Ok(s) => s,
                Err(mut s) => {
                    s.waiters = s.waiters.saturating_sub(1);
                    return Err(Error::Timeout { op });
                }
            };
            st.waiters = st.waiters.saturating_sub(1);
        }
        st.tickets = st.tickets.wrapping_add(1);
        let ticket = st.tickets;
        st.holder = Some(Holder {
            thread: me,
            ticket,
            pending,
        });
        self.ticket.store(ticket, Ordering::Relaxed);
        let mut buf = std::mem::take(&mut st.buf);
        // What an earlier call left in the buffer was dealt with when it gave the turn back.
        buf.clear();
        let drain = st.drain;
        Ok((
            Turn {
                conn: self,
                ticket,
                buf,
                released: false,
                _not_send: PhantomData,
            },
            drain,
        ))
    }

    /// Keeps an unsolicited message for the next receive (or drops it and notes an overrun
    /// when the queue is full).
    pub(super) fn enqueue(&self, m: &MessageRef<'_>, info: &RecvInfo) {
        let mut st = self.rx.lock();
        self.enqueue_locked(&mut st, m, info);
    }

    pub(super) fn enqueue_locked(&self, st: &mut RxState, m: &MessageRef<'_>, info: &RecvInfo) {
        if self.queue_limit == 0 {
            self.stale.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if st.queued >= self.queue_limit {
            st.overrun = true;
            self.stale.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut bytes = Vec::with_capacity(m.data.len().saturating_add(16));
        bytes.extend_from_slice(&m.header.to_bytes());
        bytes.extend_from_slice(m.data);
        st.queue.push_back(Queued {
            info: *info,
            bytes,
            count: 1,
        });
        st.queued = st.queued.saturating_add(1);
    }

    /// Whether a message is unsolicited: it came in a multicast datagram, or its sequence
    /// number is 0 (no request has that number).
    pub(super) fn unsolicited(m: &MessageRef<'_>, info: &RecvInfo) -> bool {
        info.sender_groups != 0 || m.header.sequence == 0
    }

    /// Reads and discards the rest of the abandoned multi-part reply `seq` until its
    /// `NLMSG_DONE` (or error message), keeping unsolicited messages met on the way. Stops at
    /// `deadline` with [`Error::Timeout`], leaving the drain for the next call.
    pub(super) fn drain(
        &self,
        turn: &mut Turn<'_, S>,
        seq: u32,
        op: &'static str,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        // After a cut part of the reply, whether it held the NLMSG_DONE cannot be told. But
        // the kernel builds the next part of a running dump inside the read that took the
        // previous one (`netlink_recvmsg` calls `netlink_dump`), so if the socket is then
        // empty, the dump is over: read on without waiting.
        let mut maybe_over = false;
        loop {
            let wait = if maybe_over {
                Some(Instant::now())
            } else {
                deadline
            };
            turn.buf.clear();
            let info = match self.recv_datagram(&mut turn.buf, wait) {
                Ok(info) => info,
                Err(Error::Truncated { header, .. }) => {
                    match header {
                        Some(h) if h.sequence == seq => maybe_over = true,
                        Some(h) if h.sequence != 0 => {}
                        // A cut message with no request: an event was lost.
                        _ => self.rx.lock().overrun = true,
                    }
                    self.stale.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                Err(Error::Overrun { .. }) => {
                    self.rx.lock().overrun = true;
                    continue;
                }
                Err(Error::Timeout { .. }) if maybe_over => return Ok(()),
                Err(Error::Timeout { .. }) => return Err(Error::Timeout { op }),
                Err(e) => return Err(e),
            };
            let mut finished = false;
            let mut rest: &[u8] = &turn.buf;
            while !rest.is_empty() {
                let Ok((m, tail)) = MessageRef::parse(rest) else {
                    // A malformed datagram answers nobody: drop it.
                    self.stale.fetch_add(1, Ordering::Relaxed);
                    break;
                };
                rest = tail;
                if Self::unsolicited(&m, &info) {
                    self.enqueue(&m, &info);
                    continue;
                }
                self.stale.fetch_add(1, Ordering::Relaxed);
                if m.header.sequence == seq {
                    maybe_over = false;
                    if matches!(m.header.kind, HeaderType::DONE | HeaderType::ERROR) {
                        finished = true;
                    }
                }
            }
            if finished {
                return Ok(());
            }
        }
    }

    /// Takes the turn for a call and reads any abandoned reply to its end first. `pending` is
    /// the sequence number of the multi-part reply the call is about to ask for, if any.
    pub(super) fn begin(
        &self,
        op: &'static str,
        deadline: Option<Instant>,
        pending: Option<u32>,
    ) -> Result<Turn<'_, S>, Error> {
        let (mut turn, drain) = self.acquire(op, deadline, pending)?;
        if let Some(seq) = drain {
            self.drain(&mut turn, seq, op, deadline)?;
            turn.buf.clear();
            self.rx.lock().drain = None;
        }
        Ok(turn)
    }
}

impl<S: Socket> Turn<'_, S> {
    /// Whether this turn is still the current one (not superseded by a later call on the same
    /// thread). One atomic load.
    pub(super) fn current(&self) -> bool {
        self.conn.ticket.load(Ordering::Relaxed) == self.ticket
    }

    /// Notes (or clears) the multi-part reply this holder is reading, to be drained if it is
    /// abandoned.
    pub(super) fn set_pending(&self, seq: Option<u32>) {
        let mut st = self.conn.rx.lock();
        if let Some(h) = st.holder.as_mut().filter(|h| h.ticket == self.ticket) {
            h.pending = seq;
        }
    }

    /// Gives the turn back; `drain` is the sequence number of a multi-part reply left
    /// unfinished.
    pub(super) fn release(&mut self, drain: Option<u32>) {
        if self.released {
            return;
        }
        self.released = true;
        let mut st = self.conn.rx.lock();
        let current = st.holder.is_some_and(|h| h.ticket == self.ticket);
        if current {
            st.holder = None;
            if drain.is_some() {
                st.drain = drain;
            }
            st.buf = std::mem::take(&mut self.buf);
            if st.waiters > 0 {
                self.conn.rx.turn_free.notify_all();
            }
        } else if st.buf.capacity() < self.buf.capacity() && st.holder.is_none() {
            // Superseded: the drain was recorded at the takeover. Keep the larger buffer.
            st.buf = std::mem::take(&mut self.buf);
        }
    }
}

impl<S: Socket> Drop for Turn<'_, S> {
    fn drop(&mut self) {
        self.release(None);
    }
}
