//! Test utilities (cargo feature `testing`; the Go package's `nltest`): fake sockets for a
//! [`Conn`], and builders of the replies the kernel sends.
//!
//! A [`FakeSocket`] hands every request datagram to a closure and queues the messages it
//! returns as the reply datagrams; reply headers whose sequence number or port id is 0 get the
//! request's, so that the connection's checks pass. [`FakeSocket::push`] queues messages with
//! no request (simulated multicast), [`FakeSocket::push_error`] an error for the next receive.
//!
//! ```
//! use netlink::testing::{self, FakeSocket};
//! use netlink::{Conn, HeaderFlags, HeaderType, Message};
//!
//! // A "kernel" that answers every request with two parts of a dump.
//! let conn = Conn::from_socket(FakeSocket::new(|_requests| {
//!     let part = Message::new(HeaderType(0x20), HeaderFlags::EMPTY, vec![1, 2, 3, 4]);
//!     Ok(testing::multipart(vec![part.clone(), part]))
//! }));
//! let request = Message::new(HeaderType(0x20), HeaderFlags::REQUEST | HeaderFlags::DUMP, vec![]);
//! let replies = conn.execute(&request)?;
//! assert_eq!(replies.len(), 2); // NLMSG_DONE removed
//! # Ok::<(), netlink::Error>(())
//! ```

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::attr::AttributeEncoder;
use crate::conn::Conn;
use crate::error::{Error, ExtAck};
use crate::message::{messages, Header, HeaderFlags, HeaderType, Message};
use crate::socket::{RecvInfo, Socket};

/// The port id a [`FakeSocket`] reports unless told otherwise.
pub const FAKE_PID: u32 = 0x4e4c; // "NL"

/// The closure behind a [`FakeSocket`]: given the messages of one request datagram, returns
/// the reply messages (or an error for the send).
pub type Handler = Box<dyn FnMut(&[Message]) -> Result<Vec<Message>, Error> + Send>;

enum Queued {
    Datagram(Vec<u8>, RecvInfo),
    Error(Error),
}

struct State {
    handler: Option<Handler>,
    queue: VecDeque<Queued>,
    requests: Vec<Message>,
    closed: bool,
    per_datagram: usize,
    /// The simulated kernel receive buffer (see `FakeSocket::with_read_buffer`).
    read_buffer: Option<usize>,
    /// What the queued datagrams are charged against it.
    charged: usize,
    /// Dropping every datagram until the queue is read empty, as the kernel does after an
    /// overrun.
    congested: bool,
}

/// A [`Socket`] that answers requests with a closure instead of the kernel.
pub struct FakeSocket {
    pid: u32,
    state: Mutex<State>,
    ready: Condvar,
}

impl std::fmt::Debug for FakeSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSocket")
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakeSocket {
    /// A fake whose replies come from `handler`.
    pub fn new<F>(handler: F) -> FakeSocket
    where
        F: FnMut(&[Message]) -> Result<Vec<Message>, Error> + Send + 'static,
    {
        FakeSocket::build(Some(Box::new(handler)))
    }

    /// A fake that answers nothing: only what [`push`](FakeSocket::push) queues is received
    /// (simulated multicast).
    pub fn listener() -> FakeSocket {
        FakeSocket::build(None)
    }

    fn build(handler: Option<Handler>) -> FakeSocket {
        FakeSocket {
            pid: FAKE_PID,
            state: Mutex::new(State {
                handler,
                queue: VecDeque::new(),
                requests: Vec::new(),
                closed: false,
                per_datagram: usize::MAX,
                read_buffer: None,
                charged: 0,
                congested: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Sets the port id the fake reports.
    pub fn with_pid(mut self, pid: u32) -> FakeSocket {
        self.pid = pid;
        self
    }

    /// Splits each reply into datagrams of at most `n` messages (default: one datagram per
    /// reply), as the kernel splits long dumps.
    pub fn with_messages_per_datagram(self, n: usize) -> FakeSocket {
        lock(&self.state).per_datagram = n.max(1);
        self
    }

    /// Simulates a kernel receive buffer of `bytes` (what `getsockopt(SO_RCVBUF)` reports):
    /// each reply datagram queued is charged [`queued_cost`](crate::batch::queued_cost) of
    /// its length; one that arrives while the charge is above `bytes` is dropped, the next
    /// receive fails with [`Error::Overrun`], and every datagram is dropped until the queue
    /// has been read empty, as the kernel does. [`Socket::read_buffer_len`] reports `bytes`.
    pub fn with_read_buffer(self, bytes: usize) -> FakeSocket {
        lock(&self.state).read_buffer = Some(bytes);
        self
    }

    /// Every request message sent so far, in order.
    pub fn requests(&self) -> Vec<Message> {
        lock(&self.state).requests.clone()
    }

    /// Queues `msgs` as one datagram from the kernel, to be received with no request.
    pub fn push(&self, msgs: &[Message]) {
        self.push_with_info(msgs, RecvInfo::default());
    }

    /// Queues `msgs` as one datagram with the given sender address and ancillary data (its
    /// `len` is filled in).
    pub fn push_with_info(&self, msgs: &[Message], info: RecvInfo) {
        let bytes = encode_all(msgs);
        let info = RecvInfo {
            len: bytes.len(),
            ..info
        };
        let mut st = lock(&self.state);
        st.queue.push_back(Queued::Datagram(bytes, info));
        self.ready.notify_all();
    }

    /// Queues an error for a receive to return (such as [`Error::Overrun`]).
    pub fn push_error(&self, e: Error) {
        let mut st = lock(&self.state);
        st.queue.push_back(Queued::Error(e));
        self.ready.notify_all();
    }

    /// The number of datagrams and errors queued and not yet received.
    pub fn queued(&self) -> usize {
        lock(&self.state).queue.len()
    }
}

fn encode_all(msgs: &[Message]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for m in msgs {
        // A message too long for its length field cannot be built by a test.
        let _ = m.encode_into(&mut bytes);
    }
    bytes
}

impl Socket for FakeSocket {
    fn send(&self, datagram: &[u8], _deadline: Option<Instant>) -> Result<(), Error> {
        let mut requests = Vec::new();
        for m in messages(datagram) {
            requests.push(m?.to_owned());
        }
        let mut st = lock(&self.state);
        if st.closed {
            return Err(Error::Closed { op: "send" });
        }
        st.requests.extend(requests.iter().cloned());
        let Some(handler) = st.handler.as_mut() else {
            return Ok(());
        };
        let mut replies = handler(&requests)?;
        if let Some(first) = requests.first() {
            for r in &mut replies {
                if r.header.sequence == 0 {
                    r.header.sequence = first.header.sequence;
                }
                if r.header.pid == 0 {
                    r.header.pid = first.header.pid;
                }
            }
        }
        let per = st.per_datagram;
        for chunk in replies.chunks(per) {
            let bytes = encode_all(chunk);
            let info = RecvInfo {
                len: bytes.len(),
                ..RecvInfo::default()
            };
            if let Some(limit) = st.read_buffer {
                if st.congested || st.charged > limit {
                    if !st.congested {
                        st.congested = true;
                        st.queue
                            .push_front(Queued::Error(Error::Overrun { op: "receive" }));
                    }
                    continue;
                }
                st.charged = st
                    .charged
                    .saturating_add(crate::batch::queued_cost(bytes.len()));
            }
            st.queue.push_back(Queued::Datagram(bytes, info));
        }
        self.ready.notify_all();
        Ok(())
    }

    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error> {
        let mut st = lock(&self.state);
        loop {
            if st.closed {
                return Err(Error::Closed { op: "receive" });
            }
            if let Some(q) = st.queue.pop_front() {
                if st.queue.is_empty() {
                    st.congested = false;
                }
                return match q {
                    Queued::Datagram(bytes, info) => {
                        if st.read_buffer.is_some() {
                            st.charged = st
                                .charged
                                .saturating_sub(crate::batch::queued_cost(bytes.len()));
                        }
                        buf.clear();
                        buf.extend_from_slice(&bytes);
                        Ok(info)
                    }
                    Queued::Error(e) => Err(e),
                };
            }
            st = match deadline {
                None => self.ready.wait(st).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(Error::Timeout { op: "receive" });
                    }
                    self.ready
                        .wait_timeout(st, d.duration_since(now))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn read_buffer_len(&self) -> Option<usize> {
        lock(&self.state).read_buffer
    }

    fn pid(&self) -> u32 {
        self.pid
    }

    fn close(&self) -> Result<(), Error> {
        lock(&self.state).closed = true;
        self.ready.notify_all();
        Ok(())
    }
}

/// A connection over a [`FakeSocket`] answering with `handler` (the Go package's
/// `nltest.Dial`).
pub fn dial<F>(handler: F) -> Conn<FakeSocket>
where
    F: FnMut(&[Message]) -> Result<Vec<Message>, Error> + Send + 'static,
{
    Conn::from_socket(FakeSocket::new(handler))
}

/// Marks `msgs` as the parts of a multi-part reply (`NLM_F_MULTI`) and appends the final
/// `NLMSG_DONE` (the Go package's `nltest.Multipart`).
pub fn multipart(msgs: Vec<Message>) -> Vec<Message> {
    let mut out: Vec<Message> = msgs
        .into_iter()
        .map(|mut m| {
            m.header.flags |= HeaderFlags::MULTI;
            m
        })
        .collect();
    out.push(done());
    out
}

/// A successful `NLMSG_DONE` (`NLM_F_MULTI`, a 4-byte 0 payload, as the kernel sends).
pub fn done() -> Message {
    Message::new(HeaderType::DONE, HeaderFlags::MULTI, vec![0; 4])
}

/// An `NLMSG_DONE` that ends a dump with error `errno` (positive) and, when `ext_ack` is not
/// empty, extended-acknowledgement attributes (`NLM_F_ACK_TLVS`).
pub fn done_error(errno: i32, ext_ack: &ExtAck) -> Message {
    let mut data = errno.saturating_neg().to_ne_bytes().to_vec();
    let mut flags = HeaderFlags::MULTI;
    if !ext_ack.is_empty() {
        flags |= HeaderFlags::ACK_TLVS;
        encode_ext_ack(&mut data, ext_ack);
    }
    Message::new(HeaderType::DONE, flags, data)
}

/// An acknowledgement of `request`: an `NLMSG_ERROR` with errno 0 echoing its header
/// (`NLM_F_CAPPED`).
pub fn ack(request: &Message) -> Message {
    error(0, request)
}

/// An `NLMSG_ERROR` reporting `errno` (positive; 0 for an acknowledgement) for `request`,
/// echoing the request's header only (`NLM_F_CAPPED`), with sequence and port id copied
/// (the Go package's `nltest.Error`).
pub fn error(errno: i32, request: &Message) -> Message {
    error_ext(errno, request, &ExtAck::default())
}

/// Like [`error`], with extended-acknowledgement attributes (`NLM_F_ACK_TLVS`) when
/// `ext_ack` is not empty.
pub fn error_ext(errno: i32, request: &Message, ext_ack: &ExtAck) -> Message {
    let mut data = errno.saturating_neg().to_ne_bytes().to_vec();
    let echoed = Header {
        length: u32::try_from(request.encoded_len()).unwrap_or(u32::MAX),
        ..request.header
    };
    data.extend_from_slice(&echoed.to_bytes());
    let mut flags = HeaderFlags::CAPPED;
    if !ext_ack.is_empty() {
        flags |= HeaderFlags::ACK_TLVS;
        encode_ext_ack(&mut data, ext_ack);
    }
    Message {
        header: Header {
            kind: HeaderType::ERROR,
            flags,
            sequence: request.header.sequence,
            pid: request.header.pid,
            length: 0,
        },
        data,
    }
}

/// Appends `NLMSGERR_ATTR_*` attributes.
fn encode_ext_ack(data: &mut Vec<u8>, e: &ExtAck) {
    const MSG: u16 = 1;
    const OFFS: u16 = 2;
    const COOKIE: u16 = 3;
    const POLICY: u16 = 4;
    const MISS_TYPE: u16 = 5;
    const MISS_NEST: u16 = 6;
    let mut ae = AttributeEncoder::new(data);
    if let Some(m) = &e.message {
        ae.string(MSG, m);
    }
    if let Some(o) = e.offset {
        ae.u32(OFFS, o);
    }
    if let Some(c) = &e.cookie {
        ae.bytes(COOKIE, c);
    }
    if let Some(p) = &e.policy {
        ae.raw(POLICY | crate::attr::NLA_F_NESTED, p);
    }
    if let Some(t) = e.missing_type {
        ae.u32(MISS_TYPE, t);
    }
    if let Some(n) = e.missing_nest {
        ae.u32(MISS_NEST, n);
    }
    // Attributes built from an `ExtAck` fit easily; a failure would only drop them.
    let _ = ae.finish();
}

/// Wraps `handler` so that every request is checked against the expected message types and
/// flags, in order (the Go package's `nltest.CheckRequest`).
///
/// Entry `i` of each list describes the `i`-th request message sent. A zero entry
/// (`HeaderType(0)`, [`HeaderFlags::EMPTY`]) is not checked, so a test can check the types
/// only, or the flags only. The two lists must have the same length, and each request must
/// have an entry; two empty lists check nothing.
///
/// ```
/// use netlink::testing::{self, check_request};
/// use netlink::{Conn, HeaderFlags, HeaderType, Message};
///
/// let conn = testing::dial(check_request(
///     vec![HeaderType(0x20), HeaderType(0)],                  // the second: any type
///     vec![HeaderFlags::EMPTY, HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE], // the first: any flags
///     |reqs| Ok(vec![testing::ack(&reqs[0])]),
/// ));
/// let ack = HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE;
/// conn.execute(&Message::new(HeaderType(0x20), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![]))?;
/// conn.execute(&Message::new(HeaderType(0x33), ack, vec![]))?;
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// # Panics
///
/// Like `assert_eq!`: when the lists' lengths differ, when a request does not match its
/// entry, or when there are more requests than entries. This is a test helper.
#[allow(clippy::panic)]
pub fn check_request<F>(
    types: Vec<HeaderType>,
    flags: Vec<HeaderFlags>,
    mut handler: F,
) -> impl FnMut(&[Message]) -> Result<Vec<Message>, Error> + Send + 'static
where
    F: FnMut(&[Message]) -> Result<Vec<Message>, Error> + Send + 'static,
{
    if types.len() != flags.len() {
        panic!(
            "check_request: {} types but {} flags: give one of each per request (0 skips a check)",
            types.len(),
            flags.len()
        );
    }
    let check = !types.is_empty();
    let mut index = 0usize;
    move |requests: &[Message]| {
        for r in requests.iter().filter(|_| check) {
            let (Some(t), Some(f)) = (types.get(index), flags.get(index)) else {
                panic!(
                    "request {index} ({} {}) was not expected: the lists describe {}",
                    r.header.kind,
                    r.header.flags,
                    types.len()
                );
            };
            if *t != HeaderType(0) && r.header.kind != *t {
                panic!("request {index}: type {} but expected {t}", r.header.kind);
            }
            if *f != HeaderFlags::EMPTY && r.header.flags != *f {
                panic!("request {index}: flags {} but expected {f}", r.header.flags);
            }
            index = index.saturating_add(1);
        }
        handler(requests)
    }
}

/// A handler that answers nothing (the Go package's `nltest.Noop`).
pub fn noop(_requests: &[Message]) -> Result<Vec<Message>, Error> {
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(conn: &Conn<FakeSocket>, kind: u16, flags: HeaderFlags) {
        conn.send(&Message::new(HeaderType(kind), flags, vec![]))
            .unwrap();
    }

    #[test]
    fn zero_entries_are_not_checked() {
        let conn = dial(check_request(
            vec![HeaderType(0), HeaderType(0x21)],
            vec![HeaderFlags::REQUEST, HeaderFlags::EMPTY],
            noop,
        ));
        send(&conn, 0x77, HeaderFlags::REQUEST);
        send(&conn, 0x21, HeaderFlags::REQUEST | HeaderFlags::DUMP);
    }

    #[test]
    #[should_panic(expected = "flags request|acknowledge but expected request")]
    fn a_nonzero_entry_is_checked() {
        let conn = dial(check_request(
            vec![HeaderType(0)],
            vec![HeaderFlags::REQUEST],
            noop,
        ));
        send(&conn, 0x77, HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE);
    }

    #[test]
    #[should_panic(expected = "2 types but 1 flags")]
    fn mismatched_list_lengths_fail() {
        let _ = check_request(
            vec![HeaderType(0x10), HeaderType(0x11)],
            vec![HeaderFlags::REQUEST],
            noop,
        );
    }

    #[test]
    #[should_panic(expected = "request 1 (0x11 request) was not expected")]
    fn more_requests_than_entries_fail() {
        let conn = dial(check_request(
            vec![HeaderType(0x10)],
            vec![HeaderFlags::REQUEST],
            noop,
        ));
        send(&conn, 0x10, HeaderFlags::REQUEST);
        send(&conn, 0x11, HeaderFlags::REQUEST);
    }
}
