//! Receiving without a request: [`Conn::receive`] and its variants, which hand out the
//! unsolicited messages kept while requests ran, then what the socket brings.

use std::ops::ControlFlow;

use crate::ack;
use crate::error::Error;
use crate::message::{HeaderFlags, HeaderType, Message, MessageRef};
use crate::socket::{RecvInfo, Socket};

use super::rx::Queued;
use super::{padding, Conn};

impl<S: Socket> Conn<S> {
    /// Receives messages (the Go package's `Receive`): one datagram, or all the datagrams of a
    /// multi-part message up to its `NLMSG_DONE`, which is removed. An error message becomes
    /// [`Error::Op`]; an acknowledgement (errno 0) is returned as a message.
    ///
    /// Unsolicited messages that arrived while requests ran on this connection (see
    /// [`Config::event_queue_limit`](super::Config::event_queue_limit)) come first, in order; when some had to be dropped, the
    /// receive reports [`Error::Overrun`] once before them. The timeout
    /// ([`set_read_timeout`](Conn::set_read_timeout)) bounds the whole call.
    pub fn receive(&self) -> Result<Vec<Message>, Error> {
        self.receive_with_info().map(|(m, _)| m)
    }

    /// Like [`receive`](Conn::receive), and also returns what the socket reported about the
    /// (last) datagram: the multicast group with [`ConnOption::PacketInfo`](super::ConnOption::PacketInfo), the namespace id
    /// with [`ConnOption::ListenAllNsid`](super::ConnOption::ListenAllNsid), the sender's address.
    pub fn receive_with_info(&self) -> Result<(Vec<Message>, RecvInfo), Error> {
        let mut out = Vec::new();
        let info = self.receive_with(|m, _| {
            out.push(m.to_owned());
            Ok(ControlFlow::Continue(()))
        })?;
        Ok((out, info))
    }

    /// Like [`receive`](Conn::receive), handing each message (borrowed from the connection's
    /// buffer) and its datagram's [`RecvInfo`] to `f` instead of collecting them. Returns the
    /// last datagram's `RecvInfo`.
    ///
    /// `f` says whether to go on: [`ControlFlow::Break`] stops after this message, and the
    /// messages of the datagram that were not handed over stay queued for the next receive
    /// (so "stop after N events" neither overshoots nor loses any). An error from `f` stops
    /// the same way and is returned. Stopping inside a multi-part message (`NLM_F_MULTI`)
    /// abandons the rest of it instead: the next call reads it to its end and discards it.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use netlink::testing::FakeSocket;
    /// use netlink::{Conn, HeaderFlags, HeaderType, Message};
    ///
    /// let conn = Conn::from_socket(FakeSocket::listener());
    /// let event = Message::new(HeaderType(16), HeaderFlags::EMPTY, vec![0; 16]);
    /// // Three events in one datagram; take two, then the third.
    /// conn.socket().push(&[event.clone(), event.clone(), event]);
    /// let mut seen = 0;
    /// conn.receive_with(|_, _| {
    ///     seen += 1;
    ///     Ok(if seen == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    /// })?;
    /// assert_eq!(seen, 2);
    /// assert_eq!(conn.receive()?.len(), 1);
    /// # Ok::<(), netlink::Error>(())
    /// ```
    pub fn receive_with<F>(&self, mut f: F) -> Result<RecvInfo, Error>
    where
        F: FnMut(MessageRef<'_>, &RecvInfo) -> Result<ControlFlow<()>, Error>,
    {
        let deadline = self.read_deadline();
        let mut turn = self.begin("receive", deadline, None)?;
        // The multi-part message being received, if any (abandoned if the call stops early).
        let mut multi: Option<u32> = None;
        let result = loop {
            let queued = {
                let mut st = self.rx.lock();
                if std::mem::take(&mut st.overrun) {
                    break Err(Error::Overrun { op: "receive" });
                }
                let q = st.queue.pop_front();
                if let Some(q) = &q {
                    st.queued = st.queued.saturating_sub(q.count);
                }
                q
            };
            let (bytes, info): (&[u8], RecvInfo) = match &queued {
                Some(q) => (&q.bytes, q.info),
                None => {
                    if !turn.current() {
                        break Err(Error::Superseded { op: "receive" });
                    }
                    match self.recv_datagram(&mut turn.buf, deadline) {
                        Ok(info) => (&turn.buf, info),
                        Err(e) => break Err(e),
                    }
                }
            };
            let out = deliver(bytes, &info, &mut f);
            multi = out.multi;
            match out.result {
                Ok(true) if multi.is_some() => {} // the next part of a multi-part message
                Ok(true) => break Ok(info),
                stopped => {
                    // Keep what was not handed over; the rest of a multi-part message stopped
                    // inside is abandoned (drained by the next call) instead.
                    self.keep_rest(bytes.get(out.at..).unwrap_or_default(), &info, multi);
                    break stopped.map(|_| info);
                }
            }
        };
        turn.release(multi);
        result
    }

    /// Puts the unread rest of a datagram back at the front of the queue for the next receive,
    /// dropping the parts of the abandoned multi-part message `skip` (if any).
    fn keep_rest(&self, rest: &[u8], info: &RecvInfo, skip: Option<u32>) {
        if rest.is_empty() {
            return;
        }
        let mut bytes = Vec::new();
        let mut count = 0usize;
        let mut tail = rest;
        while let Ok((m, next)) = MessageRef::parse(tail) {
            tail = next;
            if skip.is_some_and(|s| s == m.header.sequence) && !Self::unsolicited(&m, info) {
                self.count_stale();
                continue;
            }
            bytes.extend_from_slice(&m.header.to_bytes());
            bytes.extend_from_slice(m.data);
            crate::message::pad(&mut bytes, padding(m.data.len()));
            count = count.saturating_add(1);
        }
        if count > 0 {
            let mut st = self.rx.lock();
            st.queue.push_front(Queued {
                info: *info,
                bytes,
                count,
            });
            st.queued = st.queued.saturating_add(count);
        }
    }
}

/// How a datagram handed to a [`Conn::receive_with`] callback ended.
struct Delivered {
    /// `Ok(true)`: every message was handed over; `Ok(false)`: the callback stopped.
    result: Result<bool, Error>,
    /// The offset of the first message not handed over.
    at: usize,
    /// The multi-part message the last message handed over belongs to, unless it ended.
    multi: Option<u32>,
}

/// Hands the messages of one datagram to `f`.
fn deliver<F>(bytes: &[u8], info: &RecvInfo, f: &mut F) -> Delivered
where
    F: FnMut(MessageRef<'_>, &RecvInfo) -> Result<ControlFlow<()>, Error>,
{
    let mut at = 0usize;
    let mut multi = None;
    let end = |result, at, multi| Delivered { result, at, multi };
    while at < bytes.len() {
        let rest = bytes.get(at..).unwrap_or_default();
        let (m, tail) = match MessageRef::parse(rest) {
            Ok(x) => x,
            // A malformed datagram: nothing after the bad message can be framed.
            Err(e) => return end(Err(e.into()), bytes.len(), multi),
        };
        at = bytes.len().saturating_sub(tail.len());
        let flow = match m.header.kind {
            HeaderType::DONE => {
                // The end of a multi-part message, possibly with an error.
                multi = None;
                let err = match ack::parse_done(&m) {
                    Err(e) => Some(Error::from(e)),
                    Ok(done) => done
                        .to_op_error("receive", m.header.sequence)
                        .map(Error::from),
                };
                if let Some(e) = err {
                    return end(Err(e), at, multi);
                }
                continue;
            }
            HeaderType::ERROR => {
                multi = None;
                match ack::parse_error(&m) {
                    Err(e) => return end(Err(e.into()), at, multi),
                    Ok(a) => {
                        if let Some(e) = a.to_op_error("receive", m.header.sequence) {
                            return end(Err(e.into()), at, multi);
                        }
                    }
                }
                f(m, info)
            }
            _ => {
                multi = m
                    .header
                    .flags
                    .contains(HeaderFlags::MULTI)
                    .then_some(m.header.sequence);
                f(m, info)
            }
        };
        match flow {
            Ok(ControlFlow::Continue(())) => {}
            Ok(ControlFlow::Break(())) => return end(Ok(false), at, multi),
            Err(e) => return end(Err(e), at, multi),
        }
    }
    end(Ok(true), at, multi)
}
