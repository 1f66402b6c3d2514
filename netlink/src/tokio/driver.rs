//! The shared state of an async connection and the task that drives its socket.
//!
//! A request is encoded under the state lock into the batch that the next `sendmsg` sends
//! and gets a [`Slot`] keyed by its sequence number. The batch is sent by the task of its
//! first request (its flusher, see [`Shared::submit_combined`]) or by the driver task; the
//! sender then reads every datagram already queued (many per `recvmmsg`) and routes each
//! message to its slot by sequence number, waking the caller when its reply is complete (or,
//! for a streamed dump, as parts arrive). Multicast datagrams go to the event queue. Whoever
//! reads holds the receive buffers (`Shared::rx`), so datagrams are routed in the order they
//! arrived, and only by sequence number and port id, so no datagram can reach the wrong
//! caller.

use std::collections::hash_map::Entry;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use super::permits::Permits;
use super::receive::{EventQueue, RxBuffers};
use super::slots::{count_messages, Mode, Outstanding, Slot, Slots};
use super::transport::Transport;
use super::Options;
use crate::batch::replicate;
use crate::error::Error;
use crate::message::{Header, HeaderFlags, HEADER_LEN};

/// Encoded requests that one `sendmsg` will carry.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    seqs: Vec<u32>,
}

pub(crate) struct State {
    pub(crate) closed: bool,
    batches: VecDeque<Batch>,
    spare: Vec<Batch>,
    pub(crate) slots: Slots,
    /// The dump the kernel is running for this socket (one at a time per socket).
    dump_running: Option<u32>,
    /// Dumps waiting for it to finish: sequence number and encoded request.
    dumps_waiting: VecDeque<(u32, Vec<u8>)>,
    driver: Option<Waker>,
    driver_notified: bool,
    /// The request whose task will send the queued batch itself on its next poll (see
    /// [`Shared::submit_combined`]): while set, requests join the batch without waking the
    /// driver.
    flusher: Option<u32>,
    /// How many batches in a row carried a single request.
    solo: u32,
    pub(crate) events: EventQueue,
    /// The sequence number the next request gets (skipping 0 and those in flight).
    next_seq: u32,
    /// How many slots were sent and are not complete (so that a reader knows, without a
    /// walk over the table, whether replies are still due).
    pub(super) out: Outstanding,
}

impl State {
    /// Whether the connection must read the socket for what it has sent or listens for: a
    /// request sent is not complete (dumps whose stream is behind aside, unless other dumps
    /// wait for them to finish: the kernel runs one at a time), or events are taken.
    pub(super) fn due(&self) -> bool {
        self.events.taken
            || self.out.sent > self.out.backlogged
            || (self.out.sent != 0 && !self.dumps_waiting.is_empty())
    }
}

/// After this many single-request batches in a row, requests are sent without the yield.
const SOLO_DIRECT: u32 = 4;
/// ... except every this many (tokio's cooperative budget: a task looping on requests lets
/// others run as often as it would under the budget), which yields to see whether other tasks
/// join again.
const SOLO_PROBE: u32 = 128;

/// What the connection handles, its tasks and its driver share.
pub(crate) struct Shared {
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) pid: u32,
    pub(crate) check_sender: bool,
    pub(crate) options: Options,
    state: Mutex<State>,
    pub(crate) permits: Arc<Permits>,
    pub(crate) forged: AtomicU64,
    pub(crate) late: AtomicU64,
    pub(crate) sent_datagrams: AtomicU64,
    /// The receive buffers, and the right to read the socket: whoever holds this lock is the
    /// only reader, so datagrams are routed in the order they arrived. It is held only while
    /// reading and routing, never across a send or a wait: on a multi-thread runtime, a task
    /// on one worker sends its batch while a task on another reads the replies to an earlier
    /// one (when sends held it too, the second worker's batch waited for the driver task).
    rx: Mutex<RxBuffers>,
    /// The driver reads the socket even with nothing in flight (see [`Shared::listen`]).
    pub(super) listen: AtomicBool,
}

#[inline]
pub(super) fn padding(len: usize) -> usize {
    crate::enc::align(len).unwrap_or(len).saturating_sub(len)
}

/// Whether a request asks for a dump (`NLM_F_ROOT | NLM_F_MATCH` both set).
#[inline]
pub(super) fn is_dump(flags: HeaderFlags) -> bool {
    flags.contains(HeaderFlags::DUMP)
}

impl Shared {
    pub(crate) fn new(
        transport: Box<dyn Transport>,
        check_sender: bool,
        options: Options,
    ) -> Shared {
        let pid = transport.pid();
        Shared {
            transport,
            pid,
            check_sender,
            state: Mutex::new(State {
                closed: false,
                batches: VecDeque::new(),
                spare: Vec::new(),
                slots: Slots::default(),
                dump_running: None,
                dumps_waiting: VecDeque::new(),
                driver: None,
                driver_notified: false,
                flusher: None,
                solo: 0,
                next_seq: crate::socket::random_u32(),
                out: Outstanding::default(),
                events: EventQueue {
                    items: VecDeque::new(),
                    capacity: options.event_capacity.max(1),
                    waker: None,
                    taken: false,
                    overruns: 0,
                },
            }),
            permits: Arc::new(Permits::new(options.max_in_flight.max(1))),
            forged: AtomicU64::new(0),
            late: AtomicU64::new(0),
            sent_datagrams: AtomicU64::new(0),
            rx: Mutex::new(RxBuffers::new(options.recv_batch)),
            listen: AtomicBool::new(false),
            options,
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_next_sequence(&self, seq: u32) {
        self.lock().next_seq = seq;
    }

    /// Queues a request for the next `sendmsg` and gives it a slot, woken through `waker`
    /// when given. Returns the request header as sent (length, sequence and port id filled in
    /// where they were 0).
    pub(crate) fn submit(
        &self,
        header: Header,
        payload: &[u8],
        mode: Mode,
        waker: Option<&Waker>,
    ) -> Result<Header, Error> {
        self.submit_inner(header, payload, mode, waker, How::Driver)
            .map(|(h, _)| h)
    }

    /// Queues a request collected whole. When no batch is queued and the driver has no
    /// work, the caller becomes the batch's flusher (returns `true`): it wakes no one, yields
    /// once so that the requests other tasks are about to make join the batch, and then
    /// sends the batch and reads its replies itself ([`flush`](Shared::flush)), sparing the
    /// round trip through the driver task. Otherwise the request joins the queued batch
    /// (whose flusher or the driver sends it) and the caller's `waker` is woken when it is
    /// complete.
    ///
    /// When the last batches all carried a single request (one task making requests one
    /// after another), the request is sent at once instead, as with [`Options::direct`],
    /// except every so often, to notice other tasks making requests again.
    pub(crate) fn submit_combined(
        &self,
        cx: &mut Context<'_>,
        header: Header,
        payload: &[u8],
    ) -> Result<(Header, Submitted), Error> {
        // The waker is cloned into the slot only when the request joins a queued batch (a
        // flusher or a request sent at once looks at its slot itself).
        self.submit_inner(header, payload, Mode::Collect, None, How::Combine(cx))
    }

    /// Like [`submit`](Shared::submit); when nothing else is in flight or queued and no other
    /// reader is at work, sends the request and reads the replies already queued right here,
    /// in the caller's task (the kernel answers most requests inside `sendmsg`), sparing the
    /// round trip through the driver task. Used for requests collected whole.
    pub(crate) fn submit_direct(
        &self,
        cx: &mut Context<'_>,
        header: Header,
        payload: &[u8],
    ) -> Result<Header, Error> {
        // No waker yet: the caller looks at its slot right after this and registers there
        // only when the request is not complete, so a request answered here wakes no one.
        self.submit_inner(header, payload, Mode::Collect, None, How::Direct(cx))
            .map(|(h, _)| h)
    }

    fn submit_inner(
        &self,
        mut header: Header,
        payload: &[u8],
        mode: Mode,
        waker: Option<&Waker>,
        how: How<'_, '_>,
    ) -> Result<(Header, Submitted), Error> {
        let len = HEADER_LEN.saturating_add(payload.len());
        header.length = crate::message::checked_length(header.length, len)?;
        if header.pid == 0 {
            header.pid = self.pid;
        }
        let wake = {
            let mut st = self.lock();
            if st.closed {
                return Err(Error::Closed { op: "execute" });
            }
            let dump_waits = is_dump(header.flags) && st.dump_running.is_some();
            let waker = match &how {
                // Sent by its own task (see below) unless a batch is queued already or the
                // driver is at work: then its slot holds its waker.
                How::Combine(cx) => (dump_waits
                    || st.flusher.is_some()
                    || !st.batches.is_empty()
                    || st.driver_notified)
                    .then(|| cx.waker().clone()),
                _ => waker.cloned(),
            };
            // One look into the table per request: the slot goes into the entry found free.
            let explicit = header.sequence != 0;
            let seq = loop {
                if !explicit {
                    header.sequence = st.next_seq;
                    st.next_seq = st.next_seq.wrapping_add(1);
                    if header.sequence == 0 {
                        continue;
                    }
                }
                match st.slots.entry(header.sequence) {
                    Entry::Vacant(v) => {
                        v.insert(Slot {
                            request: header,
                            mode,
                            buf: Vec::new(),
                            done: None,
                            interrupted: false,
                            got_data: false,
                            sent: false,
                            abandoned: false,
                            backlogged: false,
                            waker,
                        });
                        break header.sequence;
                    }
                    // Two requests in flight with one sequence number could not be told
                    // apart.
                    Entry::Occupied(_) if explicit => {
                        return Err(Error::Op(crate::OpError::new("execute", libc::EBUSY)));
                    }
                    Entry::Occupied(_) => {}
                }
            };
            if is_dump(header.flags) {
                if st.dump_running.is_some() {
                    let mut bytes = Vec::with_capacity(len.saturating_add(3));
                    encode(&mut bytes, &header, payload);
                    st.dumps_waiting.push_back((seq, bytes));
                    return Ok((header, Submitted::Queued));
                }
                st.dump_running = Some(seq);
            }
            match how {
                How::Direct(cx) if st.slots.len() == 1 && st.batches.is_empty() => {
                    self.send_alone(st, cx, &header, payload, seq);
                    return Ok((header, Submitted::Sent));
                }
                How::Combine(cx)
                    if st.flusher.is_none() && st.batches.is_empty() && !st.driver_notified =>
                {
                    if st.slots.len() == 1 && st.solo >= SOLO_DIRECT && st.solo % SOLO_PROBE != 0 {
                        // The last batches carried one request each: nobody joins. Send this
                        // one at once, without the yield (every `SOLO_PROBE`-th batch still
                        // yields, to see whether other tasks make requests again). (No waker
                        // in its slot: the caller looks at it next.)
                        self.send_alone(st, cx, &header, payload, seq);
                        return Ok((header, Submitted::Sent));
                    }
                    // (No waker in its slot: the flusher looks at it after the flush.)
                    st.flusher = Some(seq);
                    self.push_to_batch(&mut st, seq, |buf| encode(buf, &header, payload), len);
                    return Ok((header, Submitted::Flush));
                }
                _ => {}
            }
            self.push_to_batch(&mut st, seq, |buf| encode(buf, &header, payload), len);
            if st.flusher.is_some() {
                // The batch's flusher sends it.
                None
            } else {
                self.notify_driver(&mut st)
            }
        };
        if let Some(w) = wake {
            w.wake();
        }
        Ok((header, Submitted::Queued))
    }

    /// The flusher of request `seq` (see [`submit_combined`](Shared::submit_combined)) sends
    /// the queued batches and reads their replies, in its own task. Wakes the callers served
    /// (once every lock is released), and the driver when replies are still due.
    ///
    /// `seen` is the number of requests the batch had when the flusher last looked: when
    /// more joined since (other tasks, on other workers perhaps, are making requests) and
    /// there is room, the flusher waits one more turn instead (returns `true`: the caller
    /// yields again), so that one `sendmsg` carries them all.
    pub(crate) fn flush(&self, cx: &mut Context<'_>, seq: u32, seen: &mut usize) -> bool {
        {
            let mut st = self.lock();
            if st.flusher != Some(seq) {
                return false;
            }
            let queued = st.batches.front().map_or(0, |b| b.seqs.len());
            if queued > *seen && queued < self.options.max_batch.max(1) && st.batches.len() == 1 {
                *seen = queued;
                return true;
            }
            st.flusher = None;
        }
        let mut wake = Wakes::take();
        // Whether replies or events may still be due after the last read. When the driver sent
        // the batch meanwhile (it was at work), nothing was sent here: the driver reads its
        // replies, and waking it again would only queue the next requests behind its turn.
        let mut due = false;
        loop {
            let Some(batch) = self.lock().batches.pop_front() else {
                break;
            };
            let requests = batch.seqs.len();
            match self.transport.poll_send(cx, &batch.bytes) {
                Poll::Pending => {
                    self.enqueue(batch);
                    break;
                }
                Poll::Ready(r) => self.after_send(batch, r, &mut wake),
            }
            match self.read_now(&mut wake, requests) {
                None => break,
                Some(d) => due = d,
            }
        }
        wake.wake_all();
        if due && self.must_listen() {
            self.wake_driver();
        }
        false
    }

    /// Wakes the driver (unless it has been told already).
    fn wake_driver(&self) {
        let wake = self.notify_driver(&mut self.lock());
        if let Some(w) = wake {
            w.wake();
        }
    }

    /// Sends request `seq` in a batch of its own, in the caller's task (see
    /// [`send_direct`](Shared::send_direct)); the state lock is released first.
    fn send_alone(
        &self,
        mut st: MutexGuard<'_, State>,
        cx: &mut Context<'_>,
        header: &Header,
        payload: &[u8],
        seq: u32,
    ) {
        let mut batch = st.spare.pop().unwrap_or_default();
        drop(st);
        encode(&mut batch.bytes, header, payload);
        batch.seqs.push(seq);
        self.send_direct(cx, batch);
    }

    /// Sends a batch and reads what is already queued, in the caller's task.
    fn send_direct(&self, cx: &mut Context<'_>, batch: Batch) {
        let seq = batch.seqs.first().copied().unwrap_or(0);
        let mut wake = Wakes::take();
        match self.transport.poll_send(cx, &batch.bytes) {
            Poll::Pending => {
                self.enqueue(batch);
                return;
            }
            Poll::Ready(r) => self.after_send(batch, r, &mut wake),
        }
        // (When the connection closed meanwhile, `close` already failed every request.)
        let due = self.read_now(&mut wake, 1);
        wake.wake_all();
        if due != Some(true) {
            // Closed, or the request is complete (nothing sent is due).
            return;
        }
        // Not answered inside `sendmsg`: the driver waits for the rest.
        let driver = {
            let mut st = self.lock();
            if st.slots.get(&seq).is_some_and(|s| s.done.is_none()) {
                self.notify_driver(&mut st)
            } else {
                None
            }
        };
        if let Some(w) = driver {
            w.wake();
        }
    }

    /// Whether the driver must wait for datagrams: a request was sent and is not complete
    /// (see [`State::due`]), or the connection listens for events.
    fn must_listen(&self) -> bool {
        if self.listen.load(Ordering::Relaxed) {
            return true;
        }
        let st = self.lock();
        debug_assert_eq!(
            st.out.sent,
            st.slots
                .values()
                .filter(|s| s.sent && s.done.is_none())
                .count()
        );
        debug_assert_eq!(
            st.out.backlogged,
            st.slots.values().filter(|s| s.backlogged).count()
        );
        st.due()
    }

    /// From now on the driver reads the socket even with no request in flight (multicast
    /// groups were joined, or the event stream was taken).
    pub(crate) fn listen(&self) {
        if self.listen.swap(true, Ordering::Relaxed) {
            return;
        }
        let wake = self.notify_driver(&mut self.lock());
        if let Some(w) = wake {
            w.wake();
        }
    }

    /// Puts a batch at the front of the queue and wakes the driver.
    fn enqueue(&self, batch: Batch) {
        let wake = {
            let mut st = self.lock();
            st.batches.push_front(batch);
            self.notify_driver(&mut st)
        };
        if let Some(w) = wake {
            w.wake();
        }
    }

    /// Records a send's outcome for the requests of `batch` and recycles it.
    fn after_send(&self, mut batch: Batch, r: Result<(), Error>, wake: &mut Vec<Waker>) {
        self.sent_datagrams.fetch_add(1, Ordering::Relaxed);
        let mut st = self.lock();
        st.solo = if batch.seqs.len() == 1 {
            st.solo.wrapping_add(1)
        } else {
            0
        };
        match r {
            Ok(()) => {
                let mut sent = 0;
                for seq in &batch.seqs {
                    if let Some(s) = st.slots.get_mut(seq) {
                        if !s.sent && s.done.is_none() {
                            sent += 1;
                        }
                        s.sent = true;
                    }
                }
                st.out.sent = st.out.sent.saturating_add(sent);
            }
            Err(e) => {
                for seq in &batch.seqs {
                    self.complete(&mut st, *seq, Err(replicate(&e)), wake);
                }
            }
        }
        batch.bytes.clear();
        batch.seqs.clear();
        if st.spare.len() < 8 {
            st.spare.push(batch);
        }
    }

    fn push_to_batch(
        &self,
        st: &mut State,
        seq: u32,
        write: impl FnOnce(&mut Vec<u8>),
        len: usize,
    ) {
        let max_batch = self.options.max_batch.max(1);
        let max_bytes = self.options.max_batch_bytes.max(1);
        let fits = st.batches.back().is_some_and(|b| {
            b.seqs.len() < max_batch && b.bytes.len().saturating_add(len) <= max_bytes
        });
        if !fits {
            let b = st.spare.pop().unwrap_or_default();
            st.batches.push_back(b);
        }
        if let Some(b) = st.batches.back_mut() {
            write(&mut b.bytes);
            b.seqs.push(seq);
        }
    }

    /// Marks the driver as having work; returns its waker when it must be woken.
    pub(crate) fn notify_driver(&self, st: &mut State) -> Option<Waker> {
        if st.driver_notified {
            return None;
        }
        st.driver_notified = true;
        st.driver.clone()
    }

    /// The caller of request `seq` went away before taking its result.
    pub(crate) fn abandon(&self, seq: u32) {
        let mut st = self.lock();
        if st.flusher == Some(seq) {
            // It was to send the queued batch: the driver does.
            st.flusher = None;
            if let Some(w) = self.notify_driver(&mut st) {
                drop(st);
                w.wake();
                st = self.lock();
            }
        }
        if let Some(pos) = st.dumps_waiting.iter().position(|(s, _)| *s == seq) {
            // Never sent: forget it entirely.
            st.dumps_waiting.remove(pos);
            st.slots.remove(&seq);
            return;
        }
        let state = &mut *st;
        let Some(slot) = state.slots.get_mut(&seq) else {
            return;
        };
        if slot.done.is_some() {
            let dropped = count_messages(&slot.buf);
            self.late.fetch_add(dropped, Ordering::Relaxed);
            state.slots.remove(&seq);
        } else {
            let dropped = count_messages(&slot.buf);
            self.late.fetch_add(dropped, Ordering::Relaxed);
            slot.abandoned = true;
            slot.buf = Vec::new();
            slot.waker = None;
            if state.out.caught_up(slot) {
                // A dump that was behind: the rest of it is read (and discarded) now.
                if let Some(w) = self.notify_driver(state) {
                    drop(st);
                    w.wake();
                }
            }
        }
    }

    /// Ends the connection: every request still waiting fails with [`Error::Closed`], the
    /// event stream ends, the driver stops.
    pub(crate) fn close(&self) {
        let mut wake = Vec::new();
        {
            let mut st = self.lock();
            if st.closed {
                return;
            }
            st.closed = true;
            st.out = Outstanding::default();
            st.batches.clear();
            st.dumps_waiting.clear();
            st.slots.retain(|_, slot| {
                if slot.abandoned {
                    return false;
                }
                // Nothing is read any more (`out` starts again from nothing).
                slot.backlogged = false;
                if slot.done.is_none() {
                    slot.done = Some(Err(Box::new(Error::Closed { op: "execute" })));
                }
                if let Some(w) = slot.waker.take() {
                    wake.push(w);
                }
                true
            });
            if let Some(w) = st.events.waker.take() {
                wake.push(w);
            }
            if let Some(w) = st.driver.take() {
                wake.push(w);
            }
        }
        self.permits.close();
        for w in wake {
            w.wake();
        }
    }

    /// The slot of `seq` finished (the kernel sent its last message): for a dump, the next
    /// waiting dump may go out.
    #[inline]
    pub(super) fn finished(&self, st: &mut State, seq: u32) -> Option<Waker> {
        if st.dump_running != Some(seq) {
            return None;
        }
        self.dump_finished(st)
    }

    /// The running dump finished: the next waiting one goes out.
    #[inline(never)]
    fn dump_finished(&self, st: &mut State) -> Option<Waker> {
        st.dump_running = None;
        let (next, bytes) = st.dumps_waiting.pop_front()?;
        st.dump_running = Some(next);
        let len = bytes.len();
        self.push_to_batch(st, next, |b| b.extend_from_slice(&bytes), len);
        self.notify_driver(st)
    }

    /// One turn of the driver: send what is queued, read what arrived, route it. Returns
    /// `Ready(Turn::Closed)` when the connection is closed, and `Ready(Turn::Gather)` when
    /// `gather` is set, requests were queued by other tasks and the batch has room: the
    /// caller then yields once, so that tasks ready on other workers add theirs before the
    /// batch goes out.
    pub(crate) fn poll_drive(&self, cx: &mut Context<'_>, gather: bool) -> Poll<Turn> {
        if gather {
            let st = self.lock();
            let max_batch = self.options.max_batch.max(1);
            // Worth waiting for only when other requests are out, whose tasks may be about
            // to queue their next ones.
            if st.driver_notified
                && !st.closed
                && st.batches.len() == 1
                && st
                    .batches
                    .front()
                    .is_some_and(|b| b.seqs.len() < max_batch && st.slots.len() > b.seqs.len())
            {
                return Poll::Ready(Turn::Gather);
            }
        }
        let mut wake = Wakes::take();
        let result = self.drive_turn(cx, &mut wake);
        wake.wake_all();
        result.map(|()| Turn::Closed)
    }

    /// Reads the datagrams already queued (see [`read_queued`](Shared::read_queued)) as
    /// the socket's one reader, waiting for a reader at work to finish. The lock is held only
    /// while a reader reads and routes, never across a send or a wait, so this waits at most
    /// for another reader to take in what is queued on the socket (bounded by the receive
    /// buffer and, for dumps, by [`Options::dump_buffer`]).
    fn read_now(&self, wake: &mut Vec<Waker>, requests: usize) -> Option<bool> {
        let mut rx = self.rx_lock();
        self.read_queued(&mut rx, wake, requests)
    }

    /// The receive lock, unless another reader holds it.
    fn try_rx(&self) -> Option<MutexGuard<'_, RxBuffers>> {
        match self.rx.try_lock() {
            Ok(rx) => Some(rx),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// The receive lock. Another reader holds it only when tasks run on several threads (a
    /// multi-thread runtime: a task on another worker reads); then this waits awake, giving the CPU up to any other thread
    /// ready to run, for up to [`Options::read_spin`] before it sleeps in the lock. A worker
    /// that waits awake is not parked, so the tasks that the reads make runnable need no
    /// thread woken (waking a parked worker costs a cross-CPU interrupt, dear in a VM, per
    /// batch), and it reads its own replies as soon as the other reader is done.
    fn rx_lock(&self) -> MutexGuard<'_, RxBuffers> {
        let mut since = None;
        loop {
            if let Some(rx) = self.try_rx() {
                return rx;
            }
            let t0 = *since.get_or_insert_with(Instant::now);
            if t0.elapsed() >= self.options.read_spin {
                return self.rx.lock().unwrap_or_else(PoisonError::into_inner);
            }
            std::thread::yield_now();
        }
    }

    fn drive_turn(&self, cx: &mut Context<'_>, wake: &mut Vec<Waker>) -> Poll<()> {
        for _round in 0..16 {
            let batch = {
                let mut st = self.lock();
                if st.closed {
                    return Poll::Ready(());
                }
                st.driver_notified = false;
                if !st.driver.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    st.driver = Some(cx.waker().clone());
                }
                st.batches.pop_front()
            };
            let mut send_blocked = false;
            // Another task holds the receive lock (it reads on another worker): the driver
            // does not wait for it, which would hold up its worker (and every task queued
            // there) for as long as that read takes, but comes back once it has let the
            // other tasks of its worker run.
            let mut busy = false;
            if let Some(batch) = batch {
                let requests = batch.seqs.len();
                match self.transport.poll_send(cx, &batch.bytes) {
                    Poll::Pending => {
                        send_blocked = true;
                        self.lock().batches.push_front(batch);
                    }
                    Poll::Ready(r) => {
                        self.after_send(batch, r, wake);
                        // The kernel answers most requests inside `sendmsg`: read at once,
                        // before any readiness event could have been seen.
                        match self.try_rx() {
                            Some(mut rx) => {
                                if self.read_queued(&mut rx, wake, requests).is_none() {
                                    return Poll::Ready(());
                                }
                            }
                            None => busy = true,
                        }
                    }
                }
            }
            // Wait for datagrams only when some are due: the replies the kernel wrote inside
            // `sendmsg` are read already, and a transport that waits arms its readiness
            // (see `AsyncSocket`), which costs a system call and a wake-up later.
            if !busy && self.must_listen() {
                match self.try_rx() {
                    None => busy = true,
                    Some(mut rx) => {
                        let rx = &mut *rx;
                        while self.must_listen() {
                            match self.transport.poll_recv(cx, &mut rx.bufs, &mut rx.infos) {
                                Poll::Pending => break,
                                Poll::Ready(Ok(n)) => {
                                    self.deliver(rx, n, wake);
                                }
                                Poll::Ready(Err(e)) => {
                                    if self.recv_failed(e, wake) {
                                        return Poll::Ready(());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !self.must_listen() {
                // Nothing is due: a readiness armed by an earlier turn is not needed (it
                // would cost the kernel work for every datagram until it fires).
                self.transport.idle();
            }
            if busy {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let more = !self.lock().batches.is_empty();
            if send_blocked || !more {
                return Poll::Pending;
            }
            // Wake the callers served so far before sending more.
            for w in wake.drain(..) {
                w.wake();
            }
        }
        // Plenty of work: let other tasks run, then come back.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The driver task: runs until the connection is closed.
pub(crate) fn drive(shared: Arc<Shared>) -> impl std::future::Future<Output = ()> + Send {
    // When the runtime shuts down it drops this task, polled or not: close the connection
    // then, so that no caller waits for a driver that is gone. (Made outside the `async`
    // block, the guard is part of the future from the start.)
    let close_on_drop = CloseOnDrop(Arc::clone(&shared));
    async move {
        let _close_on_drop = close_on_drop;
        drive_loop(shared).await;
    }
}

async fn drive_loop(shared: Arc<Shared>) {
    // On a multi-thread runtime a woken driver runs next on the waking worker (tokio's LIFO
    // slot), before the other tasks that are about to queue requests: yield once per batch
    // so that they do, and one `sendmsg` carries them all.
    let multi = ::tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() != ::tokio::runtime::RuntimeFlavor::CurrentThread);
    let mut gather = multi;
    loop {
        let turn = std::future::poll_fn(|cx| {
            let r = shared.poll_drive(cx, gather);
            if r.is_pending() {
                // Work was done (or there was none): gather again on the next wake.
                gather = multi;
            }
            r
        })
        .await;
        match turn {
            Turn::Closed => return,
            Turn::Gather => {
                ::tokio::task::yield_now().await;
                gather = false;
                continue;
            }
        }
    }
}

/// Closes the connection when the driver task ends or is dropped.
struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// What became of a request just submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Submitted {
    /// Queued; the caller's waker is in its slot.
    Queued,
    /// Queued, and the caller is to send the batch on its next poll
    /// ([`Shared::flush`]); no waker in its slot.
    Flush,
    /// Sent by the caller already, its replies read as far as they were there; no waker in
    /// its slot: the caller looks at it now.
    Sent,
}

/// How a request is sent (see [`Shared::submit_inner`]).
enum How<'a, 'b> {
    /// By the driver task.
    Driver,
    /// Right away by the caller when nothing else is in flight ([`Options::direct`]).
    Direct(&'a mut Context<'b>),
    /// By the caller after one yield, with the requests made meanwhile
    /// ([`Shared::submit_combined`]).
    Combine(&'a mut Context<'b>),
}

/// Why a driver turn ended.
pub(crate) enum Turn {
    /// The connection is closed: the driver stops.
    Closed,
    /// Yield once before sending (see [`Shared::poll_drive`]).
    Gather,
}

/// Writes a request in wire form, padded to 4 bytes.
fn encode(buf: &mut Vec<u8>, header: &Header, payload: &[u8]) {
    buf.extend_from_slice(&header.to_bytes());
    buf.extend_from_slice(payload);
    let pad = padding(payload.len());
    buf.resize(buf.len().saturating_add(pad), 0);
}

/// The callers to wake after a send or a read, woken once every lock is released (and, when
/// a turn ends early, when dropped: no caller is left waiting). The vector is kept per thread
/// for its room, so that a batch's wake-ups cost no allocation.
struct Wakes(Vec<Waker>);

thread_local! {
    static WAKES: std::cell::Cell<Vec<Waker>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Wakes {
    /// This thread's vector (empty), or a new one.
    fn take() -> Wakes {
        Wakes(WAKES.try_with(std::cell::Cell::take).unwrap_or_default())
    }

    /// Wakes every caller collected and gives the vector back to the thread.
    fn wake_all(self) {
        drop(self);
    }
}

impl Drop for Wakes {
    fn drop(&mut self) {
        for w in self.0.drain(..) {
            w.wake();
        }
        let v = std::mem::take(&mut self.0);
        let _ = WAKES.try_with(|c| c.set(v));
    }
}

impl std::ops::Deref for Wakes {
    type Target = Vec<Waker>;
    fn deref(&self) -> &Vec<Waker> {
        &self.0
    }
}

impl std::ops::DerefMut for Wakes {
    fn deref_mut(&mut self) -> &mut Vec<Waker> {
        &mut self.0
    }
}
