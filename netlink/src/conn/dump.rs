//! [`Dump`]: the replies to one request, streamed from one reused buffer.

use std::fmt;
use std::time::Instant;

use crate::error::Error;
use crate::message::{Header, HeaderFlags, Message, MessageRef, HEADER_LEN};
use crate::socket::{NetlinkSocket, RecvInfo, Socket};

use super::rx::Turn;
use super::{Conn, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DumpState {
    /// More replies are expected.
    Receiving,
    /// The reply is complete; what is left of the buffer is still read.
    Finished,
    /// The turn was given back: nothing more to yield.
    Released,
}

/// The replies to one request, streamed from one reused buffer (see [`Conn::dump`]).
///
/// [`next_ref`](Dump::next_ref) borrows each message from the buffer; the [`Iterator`] impl
/// yields owned copies. After the last reply, a dump that saw `NLM_F_DUMP_INTR` yields one
/// [`Error::DumpInterrupted`] (with an empty `partial`: the messages were already yielded).
///
/// A `Dump` holds the receive side of its connection while it runs, and gives it back as soon
/// as it ends: when it yields `None` or an error, or when it is dropped. A dump dropped (or
/// failed) before its end leaves the kernel's dump running; the next call on the connection
/// reads the rest of it and discards it before sending its own request, so it never meets
/// `EBUSY`. A call made on the same thread while the `Dump` is still unfinished takes the
/// connection over: the `Dump` then fails with [`Error::Superseded`] when it next needs the
/// socket.
pub struct Dump<'c, S: Socket = NetlinkSocket> {
    conn: &'c Conn<S>,
    turn: Turn<'c, S>,
    info: RecvInfo,
    request: Header,
    pos: usize,
    state: DumpState,
    interrupted: bool,
    got_data: bool,
    /// The reply is multi-part (a dump request, or `NLM_F_MULTI` seen): abandoning it before
    /// its end needs a drain.
    multi: bool,
    /// The deadline of the whole call (`execute`), or `None` with `per_step` for a fresh one at
    /// each step of a [`Conn::dump`].
    deadline: Option<Instant>,
    per_step: bool,
    op: &'static str,
}

impl<S: Socket> fmt::Debug for Dump<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dump")
            .field("request", &self.request)
            .field("state", &self.state)
            .field("interrupted", &self.interrupted)
            .finish_non_exhaustive()
    }
}

impl<'c, S: Socket> Dump<'c, S> {
    pub(super) fn new(
        conn: &'c Conn<S>,
        turn: Turn<'c, S>,
        request: Header,
        deadline: Option<Instant>,
        per_step: bool,
        op: &'static str,
    ) -> Dump<'c, S> {
        Dump {
            conn,
            turn,
            info: RecvInfo::default(),
            request,
            pos: 0,
            state: DumpState::Receiving,
            interrupted: false,
            got_data: false,
            multi: request.flags.contains(HeaderFlags::DUMP),
            deadline,
            per_step,
            op,
        }
    }
}

impl<S: Socket> Dump<'_, S> {
    /// The request as it was sent (length, sequence and port id filled in).
    pub fn request(&self) -> &Header {
        &self.request
    }

    /// Whether a reply so far carried `NLM_F_DUMP_INTR`.
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    /// Whether the dump has ended (and given the connection back).
    pub fn is_finished(&self) -> bool {
        self.state == DumpState::Released
    }

    /// The next reply, borrowed from the buffer; `None` once the reply is complete.
    pub fn next_ref(&mut self) -> Option<Result<MessageRef<'_>, Error>> {
        match self.advance() {
            // The header was parsed and checked by `advance`: hand out the payload it framed.
            Ok(Some((start, header))) => {
                let data_start = start.saturating_add(HEADER_LEN);
                let end = start.saturating_add(header.length as usize);
                Some(Ok(MessageRef {
                    header,
                    data: self.turn.buf.get(data_start..end).unwrap_or_default(),
                    offset: 0,
                }))
            }
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// The sequence number to drain if the dump stops now.
    fn abandoned(&self) -> Option<u32> {
        (self.state == DumpState::Receiving && self.multi).then_some(self.request.sequence)
    }

    /// Gives the connection back: unsolicited messages left in the buffer are kept for the
    /// next receive, an unfinished multi-part reply is left to be drained.
    fn give_back(&mut self) {
        if self.state == DumpState::Released {
            return;
        }
        let drain = self.abandoned();
        if self.pos < self.turn.buf.len() {
            let mut st = self.conn.rx.lock();
            let mut rest = self.turn.buf.get(self.pos..).unwrap_or_default();
            while let Ok((m, tail)) = MessageRef::parse(rest) {
                rest = tail;
                if Conn::<S>::unsolicited(&m, &self.info) {
                    self.conn.enqueue_locked(&mut st, &m, &self.info);
                }
            }
        }
        self.pos = 0;
        self.turn.buf.clear();
        self.state = DumpState::Released;
        self.turn.release(drain);
    }

    fn fail(&mut self, e: Error) -> Result<Option<(usize, Header)>, Error> {
        self.give_back();
        Err(e)
    }

    /// Ends the reply after an error message of its own: the kernel has finished with it.
    fn fail_terminal(&mut self, e: Error) -> Result<Option<(usize, Header)>, Error> {
        self.multi = false;
        self.fail(e)
    }

    /// Moves to the next reply to hand out and returns its offset in the buffer and its
    /// (already validated) header.
    fn advance(&mut self) -> Result<Option<(usize, Header)>, Error> {
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            if self.pos >= self.turn.buf.len() {
                match self.state {
                    DumpState::Released => return Ok(None),
                    DumpState::Finished => {
                        self.give_back();
                        if self.interrupted {
                            self.interrupted = false;
                            return Err(Error::DumpInterrupted {
                                partial: Vec::new(),
                            });
                        }
                        return Ok(None);
                    }
                    DumpState::Receiving => {}
                }
                if !self.turn.current() {
                    return self.fail(Error::Superseded { op: self.op });
                }
                // One deadline per call (or per step of a streamed dump), however many
                // datagrams are dropped while waiting.
                let d = *deadline.get_or_insert_with(|| {
                    if self.per_step {
                        self.conn.read_deadline()
                    } else {
                        self.deadline
                    }
                });
                self.pos = 0;
                // A failed read may leave the old datagram in place: never read it twice.
                self.turn.buf.clear();
                match self.conn.recv_datagram(&mut self.turn.buf, d) {
                    Ok(info) => self.info = info,
                    Err(Error::Truncated {
                        len,
                        capacity,
                        header,
                    }) => {
                        // The error belongs to the call whose datagram was cut.
                        match header {
                            Some(h) if h.sequence == 0 => self.conn.rx.lock().overrun = true,
                            Some(h) if h.sequence != self.request.sequence => {
                                self.conn.count_stale();
                            }
                            _ => {
                                return self.fail(Error::Truncated {
                                    len,
                                    capacity,
                                    header,
                                })
                            }
                        }
                    }
                    Err(e @ Error::Overrun { .. }) => {
                        // Messages were lost. The kernel never drops a dump's parts (it
                        // pauses the dump until there is room), so a dump goes on and only the
                        // next receive hears of the lost events; a plain request's reply may
                        // be what was lost, so it fails.
                        self.conn.rx.lock().overrun = true;
                        if !self.request.flags.contains(HeaderFlags::DUMP) {
                            return self.fail(e);
                        }
                    }
                    Err(Error::Timeout { .. }) => return self.fail(Error::Timeout { op: self.op }),
                    Err(e) => return self.fail(e),
                }
                continue;
            }
            let rest = self.turn.buf.get(self.pos..).unwrap_or_default();
            let (m, tail) = match MessageRef::parse(rest) {
                Ok(x) => x,
                Err(e) => {
                    self.pos = self.turn.buf.len();
                    return self.fail(e.into());
                }
            };
            let start = self.pos;
            self.pos = self.turn.buf.len().saturating_sub(tail.len());
            if Conn::<S>::unsolicited(&m, &self.info) {
                self.conn.enqueue(&m, &self.info);
                continue;
            }
            if m.header.flags.contains(HeaderFlags::DUMP_INTERRUPTED)
                && m.header.sequence == self.request.sequence
            {
                self.interrupted = true;
            }
            match self.conn.classify(&m, &self.request, self.op) {
                Err(e) => return self.fail_terminal(e),
                Ok(Step::Stale) => {}
                Ok(Step::Done) => finish(&mut self.state, &mut self.multi, &self.turn),
                Ok(Step::Ack) => {
                    finish(&mut self.state, &mut self.multi, &self.turn);
                    if !self.got_data {
                        return Ok(Some((start, m.header)));
                    }
                }
                Ok(Step::Data) => {
                    self.got_data = true;
                    let part = m.header.flags.contains(HeaderFlags::MULTI);
                    if part && !self.multi && self.state == DumpState::Receiving {
                        self.multi = true;
                        self.turn.set_pending(Some(self.request.sequence));
                    }
                    if !part && !self.request.flags.contains(HeaderFlags::ACKNOWLEDGE) {
                        finish(&mut self.state, &mut self.multi, &self.turn);
                    }
                    return Ok(Some((start, m.header)));
                }
            }
        }
    }
}

/// Marks the reply complete.
fn finish<S: Socket>(state: &mut DumpState, multi: &mut bool, turn: &Turn<'_, S>) {
    if *multi {
        // The multi-part reply is complete: nothing to drain if the dump stops now.
        *multi = false;
        turn.set_pending(None);
    }
    *state = DumpState::Finished;
}

impl<S: Socket> Drop for Dump<'_, S> {
    fn drop(&mut self) {
        self.give_back();
    }
}

impl<S: Socket> Iterator for Dump<'_, S> {
    type Item = Result<Message, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|m| m.to_owned()))
    }
}

impl<S: Socket> std::iter::FusedIterator for Dump<'_, S> {}
