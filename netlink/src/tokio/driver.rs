//! The shared state of an async connection and the task that drives its socket.
//!
//! Callers never touch the socket. A request is encoded under the state lock into the batch
//! that the next `sendmsg` sends and gets a [`Slot`] keyed by its sequence number; the driver
//! task sends the batches, reads every datagram (many per `recvmmsg`), and routes each message
//! to its slot by sequence number, waking the caller when its reply is complete (or, for a
//! streamed dump, as parts arrive). Multicast datagrams go to the event queue. Nothing else
//! reads the socket, so no datagram can reach the wrong caller.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use ::tokio::sync::Semaphore;

use super::transport::Transport;
use super::Options;
use crate::ack;
use crate::error::{EncodeError, Error};
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
    /// Set once the request is complete: its result.
    pub(crate) done: Option<Result<(), Error>>,
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
    pub(crate) events: EventQueue,
}

/// What the connection handles, its tasks and its driver share.
pub(crate) struct Shared {
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) pid: u32,
    pub(crate) check_sender: bool,
    pub(crate) options: Options,
    state: Mutex<State>,
    pub(crate) permits: Arc<Semaphore>,
    seq: AtomicU32,
    pub(crate) forged: AtomicU64,
    pub(crate) late: AtomicU64,
    pub(crate) sent_datagrams: AtomicU64,
    /// The receive buffers, and the right to read the socket: whoever holds this lock is the
    /// only reader, so datagrams are routed in the order they arrived.
    rx: Mutex<RxBuffers>,
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
                events: EventQueue {
                    items: VecDeque::new(),
                    capacity: options.event_capacity.max(1),
                    waker: None,
                    taken: false,
                    overruns: 0,
                },
            }),
            permits: Arc::new(Semaphore::new(options.max_in_flight.max(1))),
            seq: AtomicU32::new(crate::socket::random_u32()),
            forged: AtomicU64::new(0),
            late: AtomicU64::new(0),
            sent_datagrams: AtomicU64::new(0),
            rx: Mutex::new(RxBuffers::new(options.recv_batch)),
            options,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_next_sequence(&self, seq: u32) {
        self.seq.store(seq, Ordering::Relaxed);
    }

    fn next_sequence(&self, slots: &Slots) -> u32 {
        loop {
            let s = self.seq.fetch_add(1, Ordering::Relaxed);
            if s != 0 && !slots.contains_key(&s) {
                return s;
            }
        }
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
        self.submit_inner(header, payload, mode, waker, None)
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
        let waker = cx.waker().clone();
        self.submit_inner(header, payload, Mode::Collect, Some(&waker), Some(cx))
    }

    fn submit_inner(
        &self,
        mut header: Header,
        payload: &[u8],
        mode: Mode,
        waker: Option<&Waker>,
        direct: Option<&mut Context<'_>>,
    ) -> Result<Header, Error> {
        let len = HEADER_LEN.saturating_add(payload.len());
        let len32 = u32::try_from(len).map_err(|_| EncodeError::MessageTooLong { len })?;
        if header.length == 0 {
            header.length = len32;
        } else if header.length != len32 {
            return Err(EncodeError::LengthMismatch {
                header_len: header.length,
                actual: len,
            }
            .into());
        }
        if header.pid == 0 {
            header.pid = self.pid;
        }
        let wake = {
            let mut st = self.lock();
            if st.closed {
                return Err(Error::Closed { op: "execute" });
            }
            if header.sequence == 0 {
                header.sequence = self.next_sequence(&st.slots);
            } else if st.slots.contains_key(&header.sequence) {
                // Two requests in flight with one sequence number could not be told apart.
                return Err(Error::Op(crate::OpError::new("execute", libc::EBUSY)));
            }
            let seq = header.sequence;
            st.slots.insert(
                seq,
                Slot {
                    request: header,
                    mode,
                    buf: Vec::new(),
                    done: None,
                    interrupted: false,
                    got_data: false,
                    sent: false,
                    abandoned: false,
                    waker: waker.cloned(),
                },
            );
            if is_dump(header.flags) {
                if st.dump_running.is_some() {
                    let mut bytes = Vec::with_capacity(len.saturating_add(3));
                    encode(&mut bytes, &header, payload);
                    st.dumps_waiting.push_back((seq, bytes));
                    return Ok(header);
                }
                st.dump_running = Some(seq);
            }
            if let Some(cx) = direct {
                if st.slots.len() == 1 && st.batches.is_empty() {
                    let mut batch = st.spare.pop().unwrap_or_default();
                    drop(st);
                    encode(&mut batch.bytes, &header, payload);
                    batch.seqs.push(seq);
                    self.send_direct(cx, batch);
                    return Ok(header);
                }
            }
            self.push_to_batch(&mut st, seq, |buf| encode(buf, &header, payload), len);
            self.notify_driver(&mut st)
        };
        if let Some(w) = wake {
            w.wake();
        }
        Ok(header)
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
        match self.transport.poll_send(cx, &batch.bytes) {
            Poll::Pending => {
                drop(wake);
                self.enqueue(batch);
                return;
            }
            Poll::Ready(r) => self.after_send(batch, r, &mut wake),
        }
        // (When the connection closed meanwhile, `close` already failed every request.)
        self.read_queued(rx, &mut wake);
        for w in wake.drain(..) {
            w.wake();
        }
        rx.wake = wake;
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
        match r {
            Ok(()) => {
                for seq in &batch.seqs {
                    if let Some(s) = st.slots.get_mut(seq) {
                        s.sent = true;
                    }
                }
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

    /// Reads and routes the datagrams already queued, without waiting. Returns whether the
    /// connection closed.
    fn read_queued(&self, rx: &mut RxBuffers, wake: &mut Vec<Waker>) -> bool {
        loop {
            match self.transport.try_recv(&mut rx.bufs, &mut rx.infos) {
                Ok(0) => return false,
                Ok(n) => {
                    self.deliver(rx, n, wake);
                    if n < rx.bufs.len() {
                        return false;
                    }
                }
                Err(e) => {
                    if self.recv_failed(e, wake) {
                        return true;
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
            st.batches.clear();
            st.dumps_waiting.clear();
            st.slots.retain(|_, slot| {
                if slot.abandoned {
                    return false;
                }
                if slot.done.is_none() {
                    slot.done = Some(Err(Error::Closed { op: "execute" }));
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
    fn finished(&self, st: &mut State, seq: u32) -> Option<Waker> {
        if st.dump_running != Some(seq) {
            return None;
        }
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
            rest = tail;
            if info.sender_groups != 0 {
                st.events
                    .push(EventItem::Message(m.to_owned(), *info), wake);
            } else {
                self.route_message(st, &m, info, wake);
            }
        }
    }

    fn route_message(
        &self,
        st: &mut State,
        m: &MessageRef<'_>,
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
            HeaderType::ERROR => match ack::parse_error(m) {
                Err(e) => Some(Err(e.into())),
                Ok(a) => match a.to_op_error("execute", seq) {
                    Some(e) => Some(Err(e.into())),
                    None => {
                        if !slot.got_data {
                            append(slot, m);
                        }
                        Some(Ok(()))
                    }
                },
            },
            HeaderType::DONE => match ack::parse_done(m) {
                Err(e) => Some(Err(e.into())),
                Ok(a) => match a.to_op_error("execute", seq) {
                    Some(e) => Some(Err(e.into())),
                    None => Some(Ok(())),
                },
            },
            _ => {
                slot.got_data = true;
                if !slot.abandoned {
                    append(slot, m);
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
            self.complete(st, seq, r, wake);
        }
    }

    /// Records the result of request `seq` and wakes its caller (or forgets the slot when
    /// the caller went away).
    fn complete(&self, st: &mut State, seq: u32, r: Result<(), Error>, wake: &mut Vec<Waker>) {
        if let Some(slot) = st.slots.get_mut(&seq) {
            if slot.done.is_some() {
                return;
            }
            if slot.abandoned {
                st.slots.remove(&seq);
            } else {
                slot.done = Some(r);
                if let Some(w) = slot.waker.take() {
                    wake.push(w);
                }
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
                match self.transport.poll_send(cx, &batch.bytes) {
                    Poll::Pending => {
                        send_blocked = true;
                        self.lock().batches.push_front(batch);
                    }
                    Poll::Ready(r) => {
                        self.after_send(batch, r, wake);
                        // The kernel answers most requests inside `sendmsg`: read at once,
                        // before any readiness event could have been seen.
                        if self.read_queued(rx, wake) {
                            return Poll::Ready(());
                        }
                    }
                }
            }
            loop {
                match self.transport.poll_recv(cx, &mut rx.bufs, &mut rx.infos) {
                    Poll::Pending => break,
                    Poll::Ready(Ok(n)) => self.deliver(rx, n, wake),
                    Poll::Ready(Err(e)) => {
                        if self.recv_failed(e, wake) {
                            return Poll::Ready(());
                        }
                    }
                }
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

    fn deliver(&self, rx: &RxBuffers, n: usize, wake: &mut Vec<Waker>) {
        let mut st = self.lock();
        for (buf, info) in rx.bufs.iter().zip(&rx.infos).take(n) {
            self.route(&mut st, buf, info, wake);
        }
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

/// Why a driver turn ended.
pub(crate) enum Turn {
    /// The connection is closed: the driver stops.
    Closed,
    /// Yield once before sending (see [`Shared::poll_drive`]).
    Gather,
}

/// Appends a message to a slot's buffer in wire form, padded to 4 bytes.
fn append(slot: &mut Slot, m: &MessageRef<'_>) {
    slot.buf.extend_from_slice(&m.header.to_bytes());
    slot.buf.extend_from_slice(m.data);
    let pad = padding(m.data.len());
    slot.buf.resize(slot.buf.len().saturating_add(pad), 0);
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
