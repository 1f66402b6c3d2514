//! The receive side of an async connection: reading the datagrams queued on the socket
//! (`recvmmsg`, into [`RxBuffers`]) and routing each message to the [`Slot`] of its request by
//! sequence number (port id and sender checked), or to the [`EventQueue`] when multicast.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::task::Waker;

use super::driver::{is_dump, padding, Shared, State};
use super::slots::{take_buf, Mode, Outstanding, Slot};
use crate::ack;
use crate::batch::replicate;
use crate::error::Error;
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::socket::RecvInfo;

/// An item of the event queue.
pub(crate) enum EventItem {
    Message(Message, RecvInfo),
    Overrun,
    Error(Error),
}

pub(crate) struct EventQueue {
    pub(crate) items: VecDeque<EventItem>,
    pub(crate) capacity: usize,
    pub(crate) waker: Option<Waker>,
    pub(crate) taken: bool,
    pub(crate) overruns: u64,
}

impl EventQueue {
    pub(crate) fn push(&mut self, item: EventItem, wake: &mut Vec<Waker>) {
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

    pub(crate) fn overrun(&mut self, wake: &mut Vec<Waker>) {
        if !matches!(self.items.back(), Some(EventItem::Overrun)) {
            self.items.push_back(EventItem::Overrun);
            self.overruns = self.overruns.saturating_add(1);
        }
        if let Some(w) = self.waker.take() {
            wake.push(w);
        }
    }
}

/// The driver's receive buffers.
pub(crate) struct RxBuffers {
    pub(super) bufs: Vec<Vec<u8>>,
    pub(super) infos: Vec<RecvInfo>,
}

impl RxBuffers {
    pub(crate) fn new(n: usize) -> RxBuffers {
        let n = n.clamp(1, crate::socket::MAX_RECV_BATCH);
        RxBuffers {
            bufs: (0..n).map(|_| Vec::new()).collect(),
            infos: vec![RecvInfo::default(); n],
        }
    }
}

/// Records the result of a slot not yet done and queues its caller's wake-up; returns whether
/// the slot must go (its caller went away).
#[inline]
pub(super) fn settle(
    slot: &mut Slot,
    out: &mut Outstanding,
    r: Result<(), Error>,
    wake: &mut Vec<Waker>,
) -> bool {
    out.settled(slot);
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
/// takes a recycled buffer (see [`take_buf`]); the room is reserved once, so the message is
/// copied once and never moved.
///
/// `raw` is the message as received: its header and payload, `header.length` bytes.
pub(super) fn append(slot: &mut Slot, raw: &[u8]) {
    let pad = padding(raw.len());
    if slot.buf.capacity() == 0 {
        slot.buf = take_buf();
    }
    slot.buf.reserve(raw.len().saturating_add(pad));
    slot.buf.extend_from_slice(raw);
    if pad != 0 {
        slot.buf.resize(slot.buf.len().saturating_add(pad), 0);
    }
}

/// Whether `m` (an `NLMSG_ERROR`) is a success acknowledgement holding only the code 0 and
/// the request's header: nothing else for [`ack::parse_error`] to find in it.
pub(super) fn is_plain_success(m: &MessageRef<'_>) -> bool {
    m.data.len() == 4 + HEADER_LEN && ack::is_success(m)
}

impl Shared {
    /// Reads and routes the datagrams already queued, without waiting. Returns `None` when
    /// the connection closed, else whether replies or events may still be due (`false`: every
    /// request sent is complete and nobody listens for events; this stays so while the
    /// caller holds the receive buffers, since only their holder sends).
    ///
    /// `requests` were just sent: the first read asks for room for about as many datagrams
    /// as they are answered with (a reply and an acknowledgement each), since setting up room
    /// costs time per datagram. A read that fills its room reads again only while something
    /// is due, so the read that would find the queue empty is spared when all is in.
    pub(super) fn read_queued(
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

    /// Routes one received datagram.
    pub(super) fn route(&self, st: &mut State, d: &[u8], info: &RecvInfo, wake: &mut Vec<Waker>) {
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
                    let header = Header::from_bytes(rest).ok();
                    match header {
                        Some(h)
                            if info.sender_groups == 0 && st.slots.contains_key(&h.sequence) =>
                        {
                            self.complete(st, h.sequence, Err(e.into()), wake);
                        }
                        _ if info.sender_groups != 0 || header.is_none() => {
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

    pub(super) fn route_message(
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
                    append(slot, raw);
                }
                Some(r)
            }
            HeaderType::DONE => Some(ack::outcome(ack::parse_done(m), "execute", seq)),
            _ => {
                slot.got_data = true;
                if !slot.abandoned {
                    append(slot, raw);
                    if slot.mode == Mode::Stream {
                        if !slot.backlogged
                            && slot.sent
                            && slot.buf.len() >= self.options.dump_buffer
                        {
                            // Its stream is behind: stop reading for it (see `State::due`).
                            slot.backlogged = true;
                            st.out.backlogged = st.out.backlogged.saturating_add(1);
                        }
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
            if settle(slot, &mut st.out, r, wake) {
                st.slots.remove(&seq);
            }
            if let Some(w) = self.finished(st, seq) {
                wake.push(w);
            }
        }
    }

    /// Records the result of request `seq` and wakes its caller (or forgets the slot when
    /// the caller went away).
    pub(super) fn complete(
        &self,
        st: &mut State,
        seq: u32,
        r: Result<(), Error>,
        wake: &mut Vec<Waker>,
    ) {
        if let Some(slot) = st.slots.get_mut(&seq) {
            if slot.done.is_some() {
                return;
            }
            if settle(slot, &mut st.out, r, wake) {
                st.slots.remove(&seq);
            }
        }
        if let Some(w) = self.finished(st, seq) {
            wake.push(w);
        }
    }

    /// Fails every request sent and not complete: an overrun may have cost them replies.
    /// Dumps are kept: the kernel never drops a dump's datagrams, it waits for room.
    pub(super) fn overrun(&self, st: &mut State, wake: &mut Vec<Waker>) {
        st.events.overrun(wake);
        self.fail_waiting(st, wake, false, &Error::Overrun { op: "execute" });
    }

    /// Fails every request sent and not complete with a copy of `e` (dumps too when
    /// `dumps`).
    fn fail_waiting(&self, st: &mut State, wake: &mut Vec<Waker>, dumps: bool, e: &Error) {
        let victims: Vec<u32> = st
            .slots
            .iter()
            .filter(|(_, s)| s.sent && s.done.is_none() && (dumps || !is_dump(s.request.flags)))
            .map(|(seq, _)| *seq)
            .collect();
        for seq in victims {
            self.complete(st, seq, Err(replicate(e)), wake);
        }
    }

    /// Routes the `n` datagrams read; returns whether more are due (replies to requests sent,
    /// or events someone listens for).
    pub(super) fn deliver(&self, rx: &RxBuffers, n: usize, wake: &mut Vec<Waker>) -> bool {
        let mut st = self.lock();
        for (buf, info) in rx.bufs.iter().zip(&rx.infos).take(n) {
            self.route(&mut st, buf, info, wake);
        }
        st.due() || self.listen.load(Ordering::Relaxed)
    }

    /// Handles a receive error; returns whether the driver must stop.
    pub(super) fn recv_failed(&self, e: Error, wake: &mut Vec<Waker>) -> bool {
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
                self.fail_waiting(&mut st, wake, true, &other);
                st.events.push(EventItem::Error(other), wake);
                false
            }
        }
    }
}
