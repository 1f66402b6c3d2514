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
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::permits::Permits;
use super::transport::Transport;
use super::Options;
use crate::ack;
use crate::error::Error;
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::socket::RecvInfo;

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

type Slots = HashMap<u32, Slot, BuildHasherDefault<SeqHasher>>;

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
    got_data: bool,
    /// The kernel has seen the request.
    sent: bool,
    /// The caller went away: replies are discarded (and counted) until the request completes.
    abandoned: bool,
    pub(crate) waker: Option<Waker>,
}

/// An item of the event queue.
pub(crate) enum EventItem {
    Message(Message, RecvInfo),
    Overrun,
    Error(Error),
}

pub(crate) struct EventQueue {
    pub(crate) items: VecDeque<EventItem>,
    capacity: usize,
    pub(crate) waker: Option<Waker>,
    pub(crate) taken: bool,
    pub(crate) overruns: u64,
}

impl EventQueue {
    fn push(&mut self, item: EventItem, wake: &mut Vec<Waker>) {
        if self.items.len() >= self.capacity {
            // Full: this event is lost. Say so once, after what was queued before it.
            if !matches!(self.items.back(), Some(EventItem::Overrun)) {
                self.items.push_back(EventItem::Overrun);
                self.overruns = self.overruns.saturating_add(1);
            }
        } else {
            self.items.push_back(item);
        }
        if let Some(w) = self.waker.take() {
            wake.push(w);
        }
    }

    fn overrun(&mut self, wake: &mut Vec<Waker>) {
        if !matches!(self.items.back(), Some(EventItem::Overrun)) {
            self.items.push_back(EventItem::Overrun);
            self.overruns = self.overruns.saturating_add(1);
        }
        if let Some(w) = self.waker.take() {
            wake.push(w);
        }
    }
}

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
    /// Reply buffers at hand for the slots, taken from the pool in bulk (see [`append`]).
    bufs: Vec<Vec<u8>>,
    /// How many slots were sent and are not complete (so that a reader knows, without a
    /// walk over the table, whether replies are still due).
    awaiting: usize,
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
    /// only reader, so datagrams are routed in the order they arrived.
    rx: Mutex<RxBuffers>,
    /// Recycled reply buffers.
    pub(crate) pool: Arc<BufPool>,
    /// The driver reads the socket even with nothing in flight (see [`Shared::listen`]).
    listen: AtomicBool,
}

fn padding(len: usize) -> usize {
    crate::enc::align(len).unwrap_or(len).saturating_sub(len)
}

/// Whether a request asks for a dump (`NLM_F_ROOT | NLM_F_MATCH` both set).
fn is_dump(flags: HeaderFlags) -> bool {
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
                bufs: Vec::new(),
                awaiting: 0,
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
            pool: Arc::new(BufPool::new(options.max_in_flight.clamp(1, 1024))),
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
                    let mut batch = st.spare.pop().unwrap_or_default();
                    drop(st);
                    encode(&mut batch.bytes, &header, payload);
                    batch.seqs.push(seq);
                    self.send_direct(cx, batch);
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
                        let mut batch = st.spare.pop().unwrap_or_default();
                        drop(st);
                        encode(&mut batch.bytes, &header, payload);
                        batch.seqs.push(seq);
                        self.send_direct(cx, batch);
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
    /// the queued batches and reads their replies, in its own task, unless the driver is
    /// reading the socket (then the driver gets the batches). Wakes the callers served, and
    /// the driver when replies are still due.
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
        let Ok(mut rx) = self.rx.try_lock() else {
            self.wake_driver();
            return false;
        };
        let rx = &mut *rx;
        let mut wake = std::mem::take(&mut rx.wake);
        // Whether replies or events may still be due, after the last read.
        let mut due = true;
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
            match self.read_queued(rx, &mut wake, requests) {
                None => break,
                Some(d) => due = d,
            }
        }
        for w in wake.drain(..) {
            w.wake();
        }
        rx.wake = wake;
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

    /// Sends a batch and reads what is already queued, in the caller's task, when no other
    /// reader holds the socket; otherwise hands the batch to the driver.
    fn send_direct(&self, cx: &mut Context<'_>, batch: Batch) {
        let Ok(mut rx) = self.rx.try_lock() else {
            self.enqueue(batch);
            return;
        };
        let rx = &mut *rx;
        let mut wake = std::mem::take(&mut rx.wake);
        let seq = batch.seqs.first().copied().unwrap_or(0);
        match self.transport.poll_send(cx, &batch.bytes) {
            Poll::Pending => {
                drop(wake);
                self.enqueue(batch);
                return;
            }
            Poll::Ready(r) => self.after_send(batch, r, &mut wake),
        }
        // (When the connection closed meanwhile, `close` already failed every request.)
        let due = self.read_queued(rx, &mut wake, 1);
        for w in wake.drain(..) {
            w.wake();
        }
        rx.wake = wake;
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

    /// Whether the driver must wait for datagrams: a request was sent and is not complete,
    /// or the connection listens for events.
    fn must_listen(&self) -> bool {
        if self.listen.load(Ordering::Relaxed) {
            return true;
        }
        let st = self.lock();
        debug_assert_eq!(
            st.awaiting,
            st.slots
                .values()
                .filter(|s| s.sent && s.done.is_none())
                .count()
        );
        st.events.taken || st.awaiting != 0
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
                st.awaiting = st.awaiting.saturating_add(sent);
            }
            Err(e) => {
                for seq in &batch.seqs {
                    self.complete(&mut st, *seq, Err(clone_error(&e)), wake);
                }
            }
        }
        batch.bytes.clear();
        batch.seqs.clear();
        if st.spare.len() < 8 {
            st.spare.push(batch);
        }
    }

    /// Reads and routes the datagrams already queued, without waiting. Returns `None` when
    /// the connection closed, else whether replies or events may still be due (`false`: every
    /// request sent is complete and nobody listens for events; this stays so while the
    /// caller holds the receive buffers, since only their holder sends).
    ///
    /// `requests` were just sent: the first read asks for room for about as many datagrams
    /// as they are answered with (a reply and an acknowledgement each), since setting up room
    /// costs time per datagram. A read that fills its room reads again only while something
    /// is due, so the read that would find the queue empty is spared when all is in.
    fn read_queued(
        &self,
        rx: &mut RxBuffers,
        wake: &mut Vec<Waker>,
        requests: usize,
    ) -> Option<bool> {
        let mut room = requests.saturating_mul(2).clamp(1, rx.bufs.len());
        loop {
            let bufs = rx.bufs.get_mut(..room).unwrap_or_default();
            let infos = rx.infos.get_mut(..room).unwrap_or_default();
            match self.transport.try_recv(bufs, infos) {
                // (Whether more is due is not known here: say so.)
                Ok(0) => return Some(true),
                Ok(n) => {
                    let due = self.deliver(rx, n, wake);
                    // A short read found the queue empty; when the read filled every buffer
                    // but nothing is due any more (every request sent is complete, nobody
                    // listens for events), the read that would find it empty is spared.
                    if n < room || !due {
                        return Some(due);
                    }
                    room = rx.bufs.len();
                }
                Err(e) => {
                    if self.recv_failed(e, wake) {
                        return None;
                    }
                }
            }
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
    fn notify_driver(&self, st: &mut State) -> Option<Waker> {
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
        let Some(slot) = st.slots.get_mut(&seq) else {
            return;
        };
        if slot.done.is_some() {
            let dropped = count_messages(&slot.buf);
            self.late.fetch_add(dropped, Ordering::Relaxed);
            st.slots.remove(&seq);
        } else {
            let dropped = count_messages(&slot.buf);
            self.late.fetch_add(dropped, Ordering::Relaxed);
            slot.abandoned = true;
            slot.buf = Vec::new();
            slot.waker = None;
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
            st.awaiting = 0;
            st.batches.clear();
            st.dumps_waiting.clear();
            st.slots.retain(|_, slot| {
                if slot.abandoned {
                    return false;
                }
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
    fn finished(&self, st: &mut State, seq: u32) -> Option<Waker> {
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

    /// Routes one received datagram.
    fn route(&self, st: &mut State, d: &[u8], info: &RecvInfo, wake: &mut Vec<Waker>) {
        if self.check_sender && info.sender_pid != 0 {
            self.forged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if info.len > d.len() {
            let err = Error::Truncated {
                len: info.len,
                capacity: d.len(),
                header: Header::from_bytes(d).ok(),
            };
            if info.sender_groups != 0 {
                st.events.push(EventItem::Error(err), wake);
                return;
            }
            // The header is intact: the error belongs to the request it names.
            match Header::from_bytes(d).ok() {
                Some(h) if st.slots.contains_key(&h.sequence) => {
                    self.complete(st, h.sequence, Err(err), wake);
                }
                _ => {
                    self.late.fetch_add(1, Ordering::Relaxed);
                }
            }
            return;
        }
        let mut rest = d;
        while !rest.is_empty() {
            let (m, tail) = match MessageRef::parse(rest) {
                Ok(x) => x,
                Err(e) => {
                    let owner = Header::from_bytes(rest)
                        .ok()
                        .filter(|h| st.slots.contains_key(&h.sequence));
                    match owner {
                        Some(h) if info.sender_groups == 0 => {
                            self.complete(st, h.sequence, Err(e.into()), wake);
                        }
                        _ if info.sender_groups != 0 || Header::from_bytes(rest).is_err() => {
                            st.events.push(EventItem::Error(e.into()), wake);
                        }
                        _ => {
                            self.late.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    return;
                }
            };
            // The message as received (header and payload, without the padding).
            let raw = rest.get(..m.header.length as usize).unwrap_or_default();
            rest = tail;
            if info.sender_groups != 0 {
                st.events
                    .push(EventItem::Message(m.to_owned(), *info), wake);
            } else {
                self.route_message(st, &m, raw, info, wake);
            }
        }
    }

    fn route_message(
        &self,
        st: &mut State,
        m: &MessageRef<'_>,
        raw: &[u8],
        info: &RecvInfo,
        wake: &mut Vec<Waker>,
    ) {
        let h = m.header;
        let seq = h.sequence;
        let Some(slot) = st.slots.get_mut(&seq) else {
            if seq == 0 {
                // Unsolicited unicast from the kernel: an event.
                st.events
                    .push(EventItem::Message(m.to_owned(), *info), wake);
            } else {
                self.late.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        if slot.done.is_some() || (h.pid != 0 && h.pid != slot.request.pid) {
            self.late.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if h.flags.contains(HeaderFlags::DUMP_INTERRUPTED) {
            slot.interrupted = true;
        }
        if slot.abandoned {
            // Its caller went away: every message is discarded and counted, and the slot is
            // kept only to see where the request ends.
            self.late.fetch_add(1, Ordering::Relaxed);
        }
        let result = match h.kind {
            HeaderType::NOOP => return,
            // A success acknowledgement with the request's header only (what the kernel
            // sends for every request that succeeded): `parse_error` would find nothing
            // else in it.
            HeaderType::ERROR => {
                let r = if is_plain_success(m) {
                    Ok(())
                } else {
                    ack::outcome(ack::parse_error(m), "execute", seq)
                };
                if r.is_ok() && !slot.got_data {
                    append(&self.pool, &mut st.bufs, slot, raw);
                }
                Some(r)
            }
            HeaderType::DONE => Some(ack::outcome(ack::parse_done(m), "execute", seq)),
            _ => {
                slot.got_data = true;
                if !slot.abandoned {
                    append(&self.pool, &mut st.bufs, slot, raw);
                    if slot.mode == Mode::Stream {
                        if let Some(w) = slot.waker.take() {
                            wake.push(w);
                        }
                    }
                }
                // A dump ends at `NLMSG_DONE` only: some families (netdev, and others whose
                // code is generated from YAML specs) send dump replies without `NLM_F_MULTI`.
                if !h.flags.contains(HeaderFlags::MULTI)
                    && !slot.request.flags.contains(HeaderFlags::ACKNOWLEDGE)
                    && !is_dump(slot.request.flags)
                {
                    Some(Ok(()))
                } else {
                    None
                }
            }
        };
        if let Some(r) = result {
            // `complete` without looking the slot up again.
            if settle(slot, &mut st.awaiting, r, wake) {
                st.slots.remove(&seq);
            }
            if let Some(w) = self.finished(st, seq) {
                wake.push(w);
            }
        }
    }

    /// Records the result of request `seq` and wakes its caller (or forgets the slot when
    /// the caller went away).
    fn complete(&self, st: &mut State, seq: u32, r: Result<(), Error>, wake: &mut Vec<Waker>) {
        if let Some(slot) = st.slots.get_mut(&seq) {
            if slot.done.is_some() {
                return;
            }
            if settle(slot, &mut st.awaiting, r, wake) {
                st.slots.remove(&seq);
            }
        }
        if let Some(w) = self.finished(st, seq) {
            wake.push(w);
        }
    }

    /// Fails every request sent and not complete: an overrun may have cost them replies.
    /// Dumps are kept: the kernel never drops a dump's datagrams, it waits for room.
    fn overrun(&self, st: &mut State, wake: &mut Vec<Waker>) {
        st.events.overrun(wake);
        let victims: Vec<u32> = st
            .slots
            .iter()
            .filter(|(_, s)| s.sent && s.done.is_none() && !is_dump(s.request.flags))
            .map(|(seq, _)| *seq)
            .collect();
        for seq in victims {
            self.complete(st, seq, Err(Error::Overrun { op: "execute" }), wake);
        }
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
        let mut rx = self.rx.lock().unwrap_or_else(PoisonError::into_inner);
        let rx = &mut *rx;
        let mut wake = std::mem::take(&mut rx.wake);
        let result = self.drive_turn(cx, rx, &mut wake);
        for w in wake.drain(..) {
            w.wake();
        }
        rx.wake = wake;
        result.map(|()| Turn::Closed)
    }

    fn drive_turn(
        &self,
        cx: &mut Context<'_>,
        rx: &mut RxBuffers,
        wake: &mut Vec<Waker>,
    ) -> Poll<()> {
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
                        if self.read_queued(rx, wake, requests).is_none() {
                            return Poll::Ready(());
                        }
                    }
                }
            }
            // Wait for datagrams only when some are due: the replies the kernel wrote inside
            // `sendmsg` are read already, and a transport that waits arms its readiness
            // (see `AsyncSocket`), which costs a system call and a wake-up later.
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
            if !self.must_listen() {
                // Nothing is due: a readiness armed by an earlier turn is not needed (it
                // would cost the kernel work for every datagram until it fires).
                self.transport.idle();
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

    /// Routes the `n` datagrams read; returns whether more are due (replies to requests sent,
    /// or events someone listens for).
    fn deliver(&self, rx: &RxBuffers, n: usize, wake: &mut Vec<Waker>) -> bool {
        let mut st = self.lock();
        for (buf, info) in rx.bufs.iter().zip(&rx.infos).take(n) {
            self.route(&mut st, buf, info, wake);
        }
        st.awaiting != 0 || st.events.taken || self.listen.load(Ordering::Relaxed)
    }

    /// Handles a receive error; returns whether the driver must stop.
    fn recv_failed(&self, e: Error, wake: &mut Vec<Waker>) -> bool {
        let mut st = self.lock();
        match e {
            Error::Overrun { .. } => {
                self.overrun(&mut st, wake);
                false
            }
            Error::Closed { .. } => {
                drop(st);
                self.close();
                true
            }
            other => {
                // A socket error with no owner: every request waiting may have lost its reply.
                let victims: Vec<u32> = st
                    .slots
                    .iter()
                    .filter(|(_, s)| s.sent && s.done.is_none())
                    .map(|(seq, _)| *seq)
                    .collect();
                for seq in victims {
                    self.complete(&mut st, seq, Err(clone_error(&other)), wake);
                }
                st.events.push(EventItem::Error(other), wake);
                false
            }
        }
    }
}

/// The driver's receive buffers.
pub(crate) struct RxBuffers {
    bufs: Vec<Vec<u8>>,
    infos: Vec<RecvInfo>,
    /// Wakers to call once the locks are released (kept for its capacity).
    wake: Vec<Waker>,
}

impl RxBuffers {
    pub(crate) fn new(n: usize) -> RxBuffers {
        let n = n.clamp(1, crate::socket::MAX_RECV_BATCH);
        RxBuffers {
            bufs: (0..n).map(|_| Vec::new()).collect(),
            infos: vec![RecvInfo::default(); n],
            wake: Vec::new(),
        }
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

/// Records the result of a slot not yet done and queues its caller's wake-up; returns whether
/// the slot must go (its caller went away).
#[inline]
fn settle(
    slot: &mut Slot,
    awaiting: &mut usize,
    r: Result<(), Error>,
    wake: &mut Vec<Waker>,
) -> bool {
    if slot.sent {
        *awaiting = awaiting.saturating_sub(1);
    }
    if slot.abandoned {
        return true;
    }
    slot.done = Some(r.map_err(Box::new));
    if let Some(w) = slot.waker.take() {
        wake.push(w);
    }
    false
}

/// Appends a message to a slot's buffer in wire form, padded to 4 bytes. The first reply
/// takes a recycled buffer from `bufs` (refilled from `pool`); the room is reserved once, so the message is copied
/// once and never moved.
///
/// `raw` is the message as received: its header and payload, `header.length` bytes.
fn append(pool: &BufPool, bufs: &mut Vec<Vec<u8>>, slot: &mut Slot, raw: &[u8]) {
    let pad = padding(raw.len());
    if slot.buf.capacity() == 0 {
        // From the buffers at hand (the state's, under its lock already); when there are
        // none, all those given back to the pool are fetched with one lock of it.
        if bufs.is_empty() {
            pool.take_all(bufs);
        }
        slot.buf = bufs
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(POOL_BUF_START));
    }
    slot.buf.reserve(raw.len().saturating_add(pad));
    slot.buf.extend_from_slice(raw);
    if pad != 0 {
        slot.buf.resize(slot.buf.len().saturating_add(pad), 0);
    }
}

/// Whether `m` (an `NLMSG_ERROR`) is a success acknowledgement holding only the code 0 and
/// the request's header: nothing else for [`ack::parse_error`] to find in it.
fn is_plain_success(m: &MessageRef<'_>) -> bool {
    m.data.len() == 4 + HEADER_LEN && ack::is_success(m)
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
const POOL_BUF_MAX: usize = 4096;
/// The room a new pooled buffer starts with (a typical reply and its acknowledgement fit).
const POOL_BUF_START: usize = 512;

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

/// Writes a request in wire form, padded to 4 bytes.
fn encode(buf: &mut Vec<u8>, header: &Header, payload: &[u8]) {
    buf.extend_from_slice(&header.to_bytes());
    buf.extend_from_slice(payload);
    let pad = padding(payload.len());
    buf.resize(buf.len().saturating_add(pad), 0);
}

fn count_messages(buf: &[u8]) -> u64 {
    crate::message::messages(buf).count() as u64
}

/// A copy of an error for each of the requests it ended (the variants a send or receive
/// can produce are all copied exactly).
pub(crate) fn clone_error(e: &Error) -> Error {
    match e {
        Error::Op(o) => Error::Op(o.clone()),
        Error::Timeout { op } => Error::Timeout { op },
        Error::Overrun { op } => Error::Overrun { op },
        Error::Closed { op } => Error::Closed { op },
        Error::Truncated {
            len,
            capacity,
            header,
        } => Error::Truncated {
            len: *len,
            capacity: *capacity,
            header: *header,
        },
        Error::Superseded { op } => Error::Superseded { op },
        Error::NetNs { namespace, errno } => Error::NetNs {
            namespace: namespace.clone(),
            errno: *errno,
        },
        Error::Decode(d) => Error::Decode(d.clone()),
        Error::Encode(d) => Error::Encode(d.clone()),
        Error::Validate(v) => Error::Validate(v.clone()),
        Error::DumpInterrupted { partial } => Error::DumpInterrupted {
            partial: partial.clone(),
        },
        #[allow(unreachable_patterns)]
        other => Error::Op(crate::OpError::new(
            "execute",
            other.errno().unwrap_or(libc::EIO),
        )),
    }
}
