//! Batched requests: many requests in as few `sendmsg` calls as the socket allows, one result
//! per request.
//!
//! [`Conn::execute_batch`] sends a list of requests and returns, in order, one result for each:
//! its replies, or its own typed error (an [`Error::Op`] with the kernel's extended
//! acknowledgement). A failing request neither hides the results of the others nor leaves
//! acknowledgements behind for the next call. [`Conn::execute_batch_with`] is the
//! allocation-free form: it hands each reply, borrowed, and each request's outcome to a
//! closure as they arrive. Both take any [`NlRequest`]: a [`Message`], a [`RawRequest`] of a
//! header and an encoded payload, a typed [`Request`](crate::Request) over a derived type (whose
//! errors then name the Rust field the kernel pointed at, [`ExtAck::field`](crate::ExtAck::field)),
//! or a family's own request type.
//!
//! ```
//! use netlink::{Config, Conn, Family, HeaderFlags, HeaderType, Message};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! // Two requests that only ask for an acknowledgement, and one of an unknown family (type
//! // 0x7ff0) that the kernel refuses.
//! let noop = Message::new(HeaderType(0), HeaderFlags::REQUEST, vec![]);
//! let bogus = Message::new(HeaderType(0x7ff0), HeaderFlags::REQUEST, vec![0; 4]);
//! let results = conn.execute_batch([&noop, &bogus, &noop]);
//! assert_eq!(results.len(), 3);
//! assert!(results[0].is_ok() && results[2].is_ok());
//! assert!(results[1].as_ref().unwrap_err().errno().is_some());
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! # How many requests per `sendmsg`
//!
//! The kernel runs every request of one `sendmsg` inside that system call and queues all
//! their acknowledgements on the socket before the program reads any. A window of requests
//! whose acknowledgements do not fit the socket's receive buffer loses acknowledgements
//! (`ENOBUFS`). So the window is sized from the receive buffer (`SO_RCVBUF`, as
//! [`Socket::read_buffer_len`] reports it), seven eighths of which are budgeted, each
//! request costing what the kernel charges for its acknowledgement: [`queued_cost`] of [`ack_len`]
//! (an error message echoes the request unless [`ConnOption::CapAcknowledge`] is on, and
//! carries up to [`EXT_ACK_ALLOWANCE`] bytes of extended acknowledgement), plus
//! [`BatchOptions::reply_bytes`] for requests that also return data. The kernel's default
//! buffer (212,992 bytes) takes 208 route requests per window; a larger buffer
//! ([`Conn::set_read_buffer`]) takes more. The datagram also stays below the send buffer.
//!
//! If the buffer overflows anyway (other traffic on the socket, a larger reply than
//! budgeted), the batch reads what the kernel did queue, reports [`Error::Overrun`] for each
//! request of that window whose answer was lost (such a request may or may not have been
//! carried out), halves its budget and goes on: the connection stays usable.
//!
//! # Rules
//!
//! - Every request gets [`HeaderFlags::REQUEST`] and [`HeaderFlags::ACKNOWLEDGE`], except a
//!   dump (`NLM_F_DUMP`), which ends with `NLMSG_DONE`; a dump is the last request of its
//!   window (the kernel runs one dump per socket at a time). Length, sequence number and port
//!   id are filled in.
//! - Replies are matched by sequence number. Multicast messages that arrive meanwhile (even
//!   the notifications of the batch's own changes, which carry its sequence numbers) are
//!   kept for the next [`Conn::receive`], within
//!   [`Config::event_queue_limit`](crate::Config::event_queue_limit); late replies of earlier
//!   calls are dropped and counted in [`Conn::stale_dropped`].
//! - The batch holds the receive turn of the connection while it runs (other calls wait for
//!   it; a call made from the closure on the same thread takes it over, and the batch then
//!   ends with [`Error::Superseded`] for the requests left). The read timeout bounds the wait
//!   for the turn and then for each window's answers; when it expires (or the connection is
//!   closed), the requests without an answer, and those not sent yet, get that error.

use crate::ack;
use crate::conn::Conn;
use crate::datagrams::{Datagrams, MAX_SLOTS};
use crate::error::{EncodeError, Error};
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::nlattrs::Policy;
use crate::socket::{Socket, DEFAULT_RECV_SIZE};
use crate::typed::{name_field, NlRequest};
#[cfg(doc)]
use crate::ConnOption;

/// Bytes of extended acknowledgement (error text, offset, policy) budgeted per error message.
pub const EXT_ACK_ALLOWANCE: usize = 256;

/// The length of the error message the kernel sends for a failed request of `request_len`
/// bytes (header included): header, errno, the echoed request (only its header when
/// `capped`), and [`EXT_ACK_ALLOWANCE`]. A success is shorter (always capped).
pub fn ack_len(request_len: usize, capped: bool) -> usize {
    let echoed = if capped { HEADER_LEN } else { request_len };
    (HEADER_LEN + 4)
        .saturating_add(echoed)
        .saturating_add(EXT_ACK_ALLOWANCE)
}

/// What the kernel charges a socket's receive buffer for one queued datagram holding a
/// message of `len` bytes (its `skb` truesize), rounded up: the data head is the message
/// rounded to 64 bytes plus 320 bytes of shared info, taken from a 640-byte cache when it
/// fits and from a power-of-two allocation otherwise, plus 256 bytes for the `sk_buff`.
/// (Measured on 6.x kernels: 832 bytes for an acknowledgement, so that the default 212,992-byte
/// buffer holds 256; this estimate says 896.)
pub fn queued_cost(len: usize) -> usize {
    let head = len.div_ceil(64).saturating_mul(64).saturating_add(320);
    let head = if head <= 640 {
        640
    } else {
        head.checked_next_power_of_two().unwrap_or(usize::MAX)
    };
    head.saturating_add(256)
}

/// The longest request whose error message still fits the smallest data head that
/// [`queued_cost`] charges (640 bytes, 320 of them for the message): every request when
/// `capped` (its error message echoes only the header).
fn flat_len(capped: bool) -> usize {
    if capped {
        usize::MAX
    } else {
        320usize.saturating_sub(HEADER_LEN + 4 + EXT_ACK_ALLOWANCE)
    }
}

impl NlRequest for Message {
    fn header(&self) -> Header {
        self.header
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.extend_from_slice(&self.data);
        Ok(())
    }
}

/// A request given as a header and its encoded payload.
#[derive(Debug, Clone, Copy)]
pub struct RawRequest<'p> {
    /// The header (type and flags; see [`NlRequest::header`]).
    pub header: Header,
    /// The payload.
    pub payload: &'p [u8],
}

impl NlRequest for RawRequest<'_> {
    fn header(&self) -> Header {
        self.header
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.extend_from_slice(self.payload);
        Ok(())
    }
}

/// Options of [`Conn::execute_batch_with`].
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// The most requests per `sendmsg`; 0: as many as the receive buffer can answer. A larger
    /// value than the buffer allows is lowered to what it allows.
    pub window: usize,
    /// Bytes of data replies expected per request besides its acknowledgement (for `GET`
    /// requests or `NLM_F_ECHO`); they are budgeted in the receive buffer too.
    pub reply_bytes: usize,
}

/// What [`Conn::execute_batch_with`] hands to its closure.
#[derive(Debug)]
pub enum BatchEvent<'a> {
    /// A data reply to request `index` (counting from 0 in the order given), borrowed from
    /// the receive buffer. Replies of a request come before its `Done`.
    Reply {
        /// The request's position.
        index: usize,
        /// The reply.
        message: MessageRef<'a>,
    },
    /// Request `index` is complete: acknowledged (or its dump ended), or failed with its own
    /// error. Every request gets exactly one `Done`.
    Done {
        /// The request's position.
        index: usize,
        /// `Ok` or the request's error: [`Error::Op`] with the extended acknowledgement for
        /// a kernel refusal, [`Error::Overrun`] when its answer was lost to a buffer overrun
        /// (the request may or may not have been carried out), [`Error::Encode`] for a
        /// request that could not be encoded (not sent), [`Error::Timeout`] or
        /// [`Error::Closed`] when the batch stopped before its answer came.
        result: Result<(), Error>,
    },
}

/// Counts of one batch run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Requests handled (every one got a [`BatchEvent::Done`]).
    pub requests: usize,
    /// Requests that succeeded.
    pub succeeded: usize,
    /// Requests that failed.
    pub failed: usize,
    /// Datagrams sent (`sendmsg` calls).
    pub sends: usize,
    /// The most requests sent in one datagram.
    pub largest_window: usize,
    /// Receive buffer overruns (`ENOBUFS`) met.
    pub overruns: usize,
}

/// How many requests a window may hold: the part of the receive buffer budgeted for their
/// answers, and what each request costs (see the [module documentation](crate::batch)).
/// Shared by [`Conn::execute_batch_with`] and the async connection's batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Bytes of the receive buffer the window's answers may take.
    pub(crate) bytes: usize,
    /// The most requests per window.
    pub(crate) max_window: usize,
    capped: bool,
    reply_cost: usize,
    min_cost: usize,
    /// Requests up to this length cost `min_cost` (their acknowledgements take the smallest
    /// buffer the kernel allocates), so the common small request skips the arithmetic.
    flat_len: usize,
}

impl Budget {
    /// The budget for a receive buffer of `read_buffer` bytes (`None`: unknown, no limit but
    /// `options.window`), acknowledgements `capped` or not.
    pub(crate) fn new(read_buffer: Option<usize>, capped: bool, options: &BatchOptions) -> Budget {
        // Seven eighths of the receive buffer: room for a little multicast meanwhile.
        let bytes = read_buffer
            .map(|b| b.saturating_sub(b / 8))
            .unwrap_or(usize::MAX);
        let reply_cost = if options.reply_bytes > 0 {
            queued_cost(options.reply_bytes)
        } else {
            0
        };
        let min_cost = queued_cost(ack_len(HEADER_LEN, capped)).saturating_add(reply_cost);
        let mut max_window = bytes.checked_div(min_cost).unwrap_or(1).clamp(1, 1 << 16);
        if options.window > 0 {
            max_window = max_window.min(options.window);
        }
        Budget {
            bytes,
            max_window,
            capped,
            reply_cost,
            min_cost,
            flat_len: flat_len(capped),
        }
    }

    /// What a request of `len` bytes (a dump or not) takes of the budget.
    pub(crate) fn cost(&self, len: usize, dump: bool) -> usize {
        let cost = if len <= self.flat_len {
            self.min_cost
        } else {
            queued_cost(ack_len(len, self.capped)).saturating_add(self.reply_cost)
        };
        if dump {
            cost.saturating_add(queued_cost(DEFAULT_RECV_SIZE))
        } else {
            cost
        }
    }

    /// Halves the budget and the window (after an overrun).
    pub(crate) fn halve(&mut self) {
        self.bytes = (self.bytes / 2).max(self.min_cost);
        self.max_window = (self.max_window / 2).max(1);
    }
}

/// A copy of an error, for reporting one failure on every request it affects.
pub(crate) fn replicate(e: &Error) -> Error {
    match e {
        Error::Decode(d) => Error::Decode(d.clone()),
        Error::Encode(d) => Error::Encode(d.clone()),
        Error::Validate(v) => Error::Validate(v.clone()),
        Error::Op(o) => Error::Op(o.clone()),
        Error::Timeout { op } => Error::Timeout { op },
        Error::Overrun { op } => Error::Overrun { op },
        Error::DumpInterrupted { .. } => Error::DumpInterrupted {
            partial: Vec::new(),
        },
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
        Error::Closed { op } => Error::Closed { op },
        Error::Genl(g) => Error::Genl(g.clone()),
    }
}

/// A request of the current window.
#[derive(Debug, Clone, Copy)]
struct Pending {
    index: usize,
    /// Where the request is in the window's datagram, and its length.
    start: usize,
    len: usize,
    policy: Option<(&'static Policy, usize)>,
    open: bool,
    interrupted: bool,
}

/// The state of one batch run.
struct Run<'c, S: Socket, F> {
    conn: &'c Conn<S>,
    on_event: F,
    summary: BatchSummary,
    window: Vec<Pending>,
    first_seq: u32,
    open: usize,
    /// The length of a datagram lost to truncation in this window (0: none).
    truncated: usize,
    /// The window's datagram.
    tx: Vec<u8>,
}

/// A request encoded for a window it did not fit, waiting for the next.
struct Carry {
    index: usize,
    dump: bool,
    policy: Option<(&'static Policy, usize)>,
}

impl<S: Socket, F: FnMut(BatchEvent<'_>)> Run<'_, S, F> {
    fn done(&mut self, index: usize, result: Result<(), Error>) {
        self.summary.requests = self.summary.requests.saturating_add(1);
        if result.is_ok() {
            self.summary.succeeded = self.summary.succeeded.saturating_add(1);
        } else {
            self.summary.failed = self.summary.failed.saturating_add(1);
        }
        (self.on_event)(BatchEvent::Done { index, result });
    }

    /// Ends every open request of the window with a copy of `e`.
    fn fail_open(&mut self, e: &Error) {
        for k in 0..self.window.len() {
            if let Some(p) = self.window.get_mut(k).filter(|p| p.open) {
                p.open = false;
                let index = p.index;
                self.open = self.open.saturating_sub(1);
                self.done(index, Err(replicate(e)));
            }
        }
    }

    /// Handles every message of the received datagrams.
    fn absorb(&mut self, dgrams: &Datagrams) {
        for i in 0..dgrams.len() {
            match dgrams.bytes(i) {
                Some((Ok(data), info)) => {
                    if !self.conn.accept_sender(info) {
                        continue;
                    }
                    let mut rest = data;
                    while !rest.is_empty() {
                        let Ok((m, tail)) = MessageRef::parse(rest) else {
                            // A malformed datagram: whatever request it answered will time
                            // out or be reported by its acknowledgement.
                            break;
                        };
                        rest = tail;
                        if info.sender_groups != 0 {
                            // Multicast, even when it echoes one of our sequence numbers (the
                            // kernel notifies with the requester's sequence and port id).
                            self.conn.keep_unsolicited(&m, info);
                            continue;
                        }
                        self.message(m, info);
                    }
                }
                Some((Err(len), _)) => {
                    // The datagram is lost; the window's open requests are failed once what
                    // is queued has been read.
                    self.truncated = self.truncated.max(len);
                }
                None => {}
            }
        }
    }

    fn message(&mut self, m: MessageRef<'_>, info: &crate::socket::RecvInfo) {
        let k = m.header.sequence.wrapping_sub(self.first_seq) as usize;
        let pid_ok = m.header.pid == self.conn.pid() || m.header.pid == 0;
        let Some(p) = self.window.get(k).copied().filter(|p| p.open && pid_ok) else {
            self.conn.keep_unsolicited(&m, info);
            return;
        };
        let result = match m.header.kind {
            HeaderType::ERROR if ack::is_success(&m) => {
                // The common case, without decoding the echo: success.
                if let Some(p) = self.window.get_mut(k) {
                    p.open = false;
                }
                self.open = self.open.saturating_sub(1);
                self.done(p.index, Ok(()));
                return;
            }
            HeaderType::ERROR => {
                ack::outcome(ack::parse_error(&m), "execute_batch", m.header.sequence)
            }
            HeaderType::DONE => {
                ack::outcome(ack::parse_done(&m), "execute_batch", m.header.sequence).and_then(
                    |()| {
                        if p.interrupted {
                            Err(Error::DumpInterrupted {
                                partial: Vec::new(),
                            })
                        } else {
                            Ok(())
                        }
                    },
                )
            }
            HeaderType::NOOP => return,
            _ => {
                if m.header.flags.contains(HeaderFlags::DUMP_INTERRUPTED) {
                    if let Some(p) = self.window.get_mut(k) {
                        p.interrupted = true;
                    }
                }
                (self.on_event)(BatchEvent::Reply {
                    index: p.index,
                    message: m,
                });
                return;
            }
        };
        if let Some(p) = self.window.get_mut(k) {
            p.open = false;
        }
        self.open = self.open.saturating_sub(1);
        let result = result.map_err(|e| {
            let from = p.start.saturating_add(HEADER_LEN);
            let payload = self
                .tx
                .get(from..p.start.saturating_add(p.len))
                .unwrap_or_default();
            name_field(e, payload, p.policy)
        });
        self.done(p.index, result);
    }
}

impl<S: Socket> Conn<S> {
    /// Sends `requests` in as few datagrams as the receive buffer allows and returns one
    /// result per request, in order: its data replies (empty for a request that was only
    /// acknowledged), or its own error. See the [module documentation](crate::batch) for the
    /// window, the flags added and the errors.
    pub fn execute_batch<I>(&self, requests: I) -> Vec<Result<Vec<Message>, Error>>
    where
        I: IntoIterator,
        I::Item: NlRequest,
    {
        let mut out: Vec<Result<Vec<Message>, Error>> = Vec::new();
        let slot = |out: &mut Vec<Result<Vec<Message>, Error>>, index: usize| {
            if out.len() <= index {
                out.resize_with(index.saturating_add(1), || Ok(Vec::new()));
            }
        };
        self.execute_batch_with(requests, &BatchOptions::default(), |event| match event {
            BatchEvent::Reply { index, message } => {
                slot(&mut out, index);
                if let Some(Ok(replies)) = out.get_mut(index) {
                    replies.push(message.to_owned());
                }
            }
            BatchEvent::Done { index, result } => {
                slot(&mut out, index);
                if let (Err(e), Some(entry)) = (result, out.get_mut(index)) {
                    let e = match (e, &mut *entry) {
                        (Error::DumpInterrupted { .. }, Ok(replies)) => Error::DumpInterrupted {
                            partial: std::mem::take(replies),
                        },
                        (e, _) => e,
                    };
                    *entry = Err(e);
                }
            }
        });
        out
    }

    /// The streaming form of [`execute_batch`](Conn::execute_batch): each reply (borrowed)
    /// and each request's outcome go to `on_event` as they arrive, nothing is collected, and
    /// the returned [`BatchSummary`] counts what happened. Allocates nothing per request once
    /// its buffers have grown.
    pub fn execute_batch_with<I, F>(
        &self,
        requests: I,
        options: &BatchOptions,
        on_event: F,
    ) -> BatchSummary
    where
        I: IntoIterator,
        I::Item: NlRequest,
        F: FnMut(BatchEvent<'_>),
    {
        let sock = self.socket();
        let capped = sock.acks_capped().unwrap_or(false);
        let mut budget = Budget::new(sock.read_buffer_len(), capped, options);
        let max_send = sock
            .write_buffer_len()
            .map(|b| b.saturating_sub(32))
            .unwrap_or(usize::MAX);

        let mut run = Run {
            conn: self,
            on_event,
            summary: BatchSummary::default(),
            window: Vec::new(),
            first_seq: 0,
            open: 0,
            truncated: 0,
            tx: Vec::new(),
        };
        let mut abort: Option<Error> = None;
        let turn = match self.receive_turn("execute_batch", self.receive_deadline()) {
            Ok(turn) => Some(turn),
            Err(e) => {
                abort = Some(e);
                None
            }
        };
        let slots = budget.max_window.clamp(1, MAX_SLOTS);
        let mut dgrams = Datagrams::new(slots, DEFAULT_RECV_SIZE);
        // A request encoded for a window it did not fit.
        let mut carry: Option<Carry> = None;
        let mut carry_bytes: Vec<u8> = Vec::new();
        let mut requests = requests.into_iter();
        let mut next_index = 0usize;
        let mut exhausted = false;

        while abort.is_none() {
            // 1. Build a window.
            run.tx.clear();
            run.window.clear();
            run.open = 0;
            let window_len = u32::try_from(budget.max_window).unwrap_or(u32::MAX);
            run.first_seq = self.reserve_sequences(window_len);
            let mut used = 0usize;
            loop {
                if run.window.len() >= budget.max_window {
                    break;
                }
                let start = run.tx.len();
                let seq = run
                    .first_seq
                    .wrapping_add(u32::try_from(run.window.len()).unwrap_or(0));
                let (index, dump, policy) = if let Some(c) = carry.take() {
                    run.tx.extend_from_slice(&carry_bytes);
                    let seq_field = start.saturating_add(8)..start.saturating_add(12);
                    if let Some(field) = run.tx.get_mut(seq_field) {
                        field.copy_from_slice(&seq.to_ne_bytes());
                    }
                    (c.index, c.dump, c.policy)
                } else {
                    if exhausted {
                        break;
                    }
                    let Some(req) = requests.next() else {
                        exhausted = true;
                        break;
                    };
                    let index = next_index;
                    next_index = next_index.saturating_add(1);
                    match encode_request(&req, seq, self.pid(), &mut run.tx) {
                        Ok(dump) => (index, dump, req.policy()),
                        Err(e) => {
                            run.tx.truncate(start);
                            run.done(index, Err(e.into()));
                            continue;
                        }
                    }
                };
                let len = run.tx.len().saturating_sub(start);
                let cost = budget.cost(len, dump);
                if !run.window.is_empty()
                    && (used.saturating_add(cost) > budget.bytes || run.tx.len() > max_send)
                {
                    carry_bytes.clear();
                    carry_bytes.extend_from_slice(run.tx.get(start..).unwrap_or_default());
                    carry = Some(Carry {
                        index,
                        dump,
                        policy,
                    });
                    run.tx.truncate(start);
                    break;
                }
                used = used.saturating_add(cost);
                run.window.push(Pending {
                    index,
                    start,
                    len,
                    policy,
                    open: true,
                    interrupted: false,
                });
                run.open = run.open.saturating_add(1);
                if dump {
                    break;
                }
            }
            if run.window.is_empty() {
                if exhausted && carry.is_none() {
                    break;
                }
                continue;
            }

            // 2. Send it (unless a call from the closure took the connection over).
            if !turn.as_ref().is_some_and(|t| t.current()) {
                let e = Error::Superseded {
                    op: "execute_batch",
                };
                run.fail_open(&e);
                abort = Some(e);
                continue;
            }
            if let Err(e) = sock.send(&run.tx, self.send_deadline()) {
                run.fail_open(&e);
                if matches!(e, Error::Closed { .. } | Error::Timeout { .. }) {
                    abort = Some(e);
                }
                continue;
            }
            run.summary.sends = run.summary.sends.saturating_add(1);
            run.summary.largest_window = run.summary.largest_window.max(run.window.len());

            // 3. Gather its answers.
            let deadline = self.receive_deadline();
            while run.open > 0 {
                if !turn.as_ref().is_some_and(|t| t.current()) {
                    // A call on this thread (from the closure) took the connection over.
                    let e = Error::Superseded {
                        op: "execute_batch",
                    };
                    run.fail_open(&e);
                    abort = Some(e);
                    break;
                }
                match sock.recv_batch(&mut dgrams, deadline) {
                    Ok(_) => {
                        run.absorb(&dgrams);
                        if run.truncated > 0 && run.open > 0 {
                            drain(&mut run, &mut dgrams);
                            let e = Error::Truncated {
                                len: run.truncated,
                                capacity: dgrams.slot_size(),
                                header: None,
                            };
                            run.fail_open(&e);
                        }
                        if run.truncated > 0 {
                            dgrams.grow_slots(run.truncated);
                            run.truncated = 0;
                        }
                    }
                    Err(Error::Overrun { .. }) => {
                        run.summary.overruns = run.summary.overruns.saturating_add(1);
                        // Everything the kernel kept for this window is queued: read it.
                        drain(&mut run, &mut dgrams);
                        run.fail_open(&Error::Overrun {
                            op: "execute_batch",
                        });
                        budget.halve();
                    }
                    Err(Error::Truncated { len, .. }) => {
                        drain(&mut run, &mut dgrams);
                        run.fail_open(&Error::Truncated {
                            len,
                            capacity: dgrams.slot_size(),
                            header: None,
                        });
                        dgrams.grow_slots(len);
                    }
                    Err(e) => {
                        run.fail_open(&e);
                        abort = Some(e);
                    }
                }
            }
        }

        if let Some(e) = abort {
            if let Some(c) = carry.take() {
                run.done(c.index, Err(replicate(&e)));
            }
            for _ in requests {
                let index = next_index;
                next_index = next_index.saturating_add(1);
                run.done(index, Err(replicate(&e)));
            }
        }
        run.summary
    }
}

/// Reads whatever is queued without waiting (after an overrun).
fn drain<S: Socket, F: FnMut(BatchEvent<'_>)>(run: &mut Run<'_, S, F>, dgrams: &mut Datagrams) {
    loop {
        let now = Some(std::time::Instant::now());
        match run.conn.socket().recv_batch(dgrams, now) {
            Ok(_) => run.absorb(dgrams),
            Err(Error::Overrun { .. }) => {}
            Err(_) => return,
        }
    }
}

/// Appends request `req` with sequence `seq` and port id `pid`; returns whether it is a dump.
pub(crate) fn encode_request<R: NlRequest>(
    req: &R,
    seq: u32,
    pid: u32,
    tx: &mut Vec<u8>,
) -> Result<bool, EncodeError> {
    let mut header = req.header();
    let dump = header.flags.contains(HeaderFlags::DUMP);
    header.flags |= HeaderFlags::REQUEST;
    if !dump {
        header.flags |= HeaderFlags::ACKNOWLEDGE;
    }
    let declared = header.length;
    header.sequence = seq;
    header.pid = pid;
    header.length = 0;
    let start = tx.len();
    tx.extend_from_slice(&header.to_bytes());
    req.encode_payload(tx)?;
    let len = tx.len().saturating_sub(start);
    let len32 = crate::message::checked_length(declared, len)?;
    if let Some(field) = tx.get_mut(start..start.saturating_add(4)) {
        field.copy_from_slice(&len32.to_ne_bytes());
    }
    let padded = crate::enc::align(len).unwrap_or(len);
    tx.resize(start.saturating_add(padded), 0);
    Ok(dump)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_cost_covers_the_measured_truesize() {
        // 256 small acknowledgements fill the default 212,992-byte buffer: 832 bytes each.
        assert!(queued_cost(36) >= 832);
        assert!(queued_cost(ack_len(44, false)) >= 832);
        assert!(queued_cost(ack_len(44, false)) < 1024);
        // Larger messages move to power-of-two heads.
        assert_eq!(queued_cost(1000), 2048 + 256);
        assert!(queued_cost(ack_len(4000, false)) > queued_cost(ack_len(4000, true)));
    }

    #[test]
    fn flat_costs_match_the_formula() {
        for capped in [false, true] {
            let budget = Budget::new(Some(212_992), capped, &BatchOptions::default());
            for len in (HEADER_LEN..2000).step_by(4) {
                let want = queued_cost(ack_len(len, capped));
                assert_eq!(budget.cost(len, false), want, "len {len} capped {capped}");
            }
        }
        // The flat region ends where the uncapped error message outgrows 320 bytes.
        let flat = flat_len(false);
        assert_eq!(
            queued_cost(ack_len(flat, false)),
            queued_cost(ack_len(HEADER_LEN, false))
        );
        assert!(queued_cost(ack_len(flat + 1, false)) > queued_cost(ack_len(flat, false)));
    }

    #[test]
    fn default_buffer_window() {
        let budget = 212_992 - 212_992 / 8;
        assert_eq!(budget / queued_cost(ack_len(44, false)), 208);
    }

    #[test]
    fn encode_fills_header_and_flags() {
        let m = Message::new(HeaderType(24), HeaderFlags::CREATE, vec![1, 2, 3]);
        let mut tx = Vec::new();
        let dump = encode_request(&m, 77, 9, &mut tx).unwrap();
        assert!(!dump);
        assert_eq!(tx.len(), 20);
        let h = Header::from_bytes(&tx).unwrap();
        assert_eq!(h.length, 19);
        assert_eq!(h.sequence, 77);
        assert_eq!(h.pid, 9);
        assert_eq!(
            h.flags,
            HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags::CREATE
        );
        let mut wrong = m.clone();
        wrong.header.length = 5;
        assert!(matches!(
            encode_request(&wrong, 1, 1, &mut Vec::new()),
            Err(EncodeError::LengthMismatch { .. })
        ));
    }
}
