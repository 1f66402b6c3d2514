//! The async connection (cargo feature `tokio`): many requests in flight on one socket from
//! many tasks, replies routed to their callers by sequence number, dumps and multicast events
//! as streams.
//!
//! ```
//! use netlink::tokio::AsyncConn;
//! use netlink::{Config, Family, HeaderFlags, HeaderType, Message};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), netlink::Error> {
//! let conn = AsyncConn::dial(Family::GENERIC, Config::default()).await?;
//! // A control message type asks the kernel for nothing but an acknowledgement.
//! let request = Message::new(HeaderType(0), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![]);
//! let (a, b) = tokio::join!(conn.execute(&request), conn.execute(&request));
//! assert_eq!(a?[0].header.kind, HeaderType::ERROR); // each call gets its own acknowledgement
//! assert_eq!(b?[0].header.kind, HeaderType::ERROR);
//! # Ok(())
//! # }
//! ```
//!
//! # How it works
//!
//! An [`AsyncConn`] is a cheap handle (clone it into every task) on a socket shared by the
//! callers and one driver task, spawned when the connection is made. A request is encoded
//! into the batch the next `sendmsg` carries and waits on a slot keyed by its sequence
//! number. Whoever sends a batch reads every datagram already queued (up to
//! [`Options::recv_batch`] per `recvmmsg`), checks the sender (datagrams whose sender port id
//! is not 0 are dropped and counted, as with [`Conn`]) and the port id, and hands each
//! message to its slot, waking its caller once the request is complete. One reader at a time
//! holds the receive buffers, so datagrams are routed in the order they arrived; it holds them
//! only while it reads and routes, never while it sends or waits, so on a multi-thread runtime
//! a task on one worker sends its batch while a task on another reads, and a task that finds
//! another reading waits awake a little ([`Options::read_spin`]) rather than park its worker.
//!
//! Who sends: a request that finds no batch queued makes one and its own task sends it after
//! yielding once (and again while more requests join), so that the requests the other tasks
//! are about to make leave in the same `sendmsg` (up to [`Options::max_batch`]); the kernel
//! answers most requests inside `sendmsg`, so that task reads the replies at once, and no
//! other task is involved. Requests that find a batch queued join it. The driver task sends
//! what a caller could not (a dump waiting for the one before, a batch whose task went away)
//! and reads whatever is still due: replies the kernel did not write inside `sendmsg`, the
//! rest of a dump, multicast events.
//!
//! Waiting for the socket: the runtime's reactor watches a one-shot `epoll` instance, not the
//! socket itself, and that instance holds the socket only while the driver waits for a
//! datagram. The kernel signals readiness for every datagram it queues; watched directly,
//! every reply read at once after `sendmsg` would still wake a reactor thread parked in
//! `epoll_wait` (on a multi-thread runtime, a thread wake-up per datagram), and a socket in
//! any `epoll` set costs the kernel epoll's callback for every datagram. The driver waits only while a
//! request sent is not complete, or when the connection listens for events
//! ([`Config::groups`], [`AsyncConn::join_group`], [`AsyncConn::events`]).
//!
//! Dumps are sent one at a time (the kernel runs one dump per socket and answers `EBUSY` to a
//! second); other requests go out while a dump runs.
//!
//! Replies are decoded by the same codecs as [`Conn`]: [`ack::parse_error`] and
//! [`ack::parse_done`] for acknowledgements and errors (so errors are the same
//! [`Error::Op`] with the kernel's extended acknowledgement, and the same
//! predicates apply), [`NlAttrs`] for typed replies ([`AsyncConn::execute_as`],
//! [`DumpStream::next_as`], [`TypedDump`]).
//!
//! # Cancellation, shutdown, back-pressure
//!
//! - Every future and stream may be dropped at any await point. The request stays in flight;
//!   its late replies are discarded and counted ([`AsyncConn::late_dropped`]) and never reach
//!   another caller. An abandoned dump is drained by the driver, and the next dump waits for
//!   it, so it never gets `EBUSY`.
//! - [`AsyncConn::close`] (or dropping the last handle and stream) ends every pending request
//!   with [`Error::Closed`] and ends the event stream.
//! - At most [`Options::max_in_flight`] requests are in flight; more wait for room. Events
//!   are kept up to [`Options::event_capacity`]; past it they are dropped and the event stream
//!   yields an [`Error::Overrun`] item, as it does when the kernel
//!   reports `ENOBUFS` (then every request still waiting for replies fails with `Overrun` as
//!   well, since its replies may be among what was lost; dumps are unaffected, the kernel
//!   never drops them).
//! - A dump's replies are kept for its stream up to [`Options::dump_buffer`] bytes; past it
//!   the connection stops reading the socket for that dump until the stream catches up (the
//!   kernel makes the next part of a dump only when the socket is read, so it waits), unless
//!   other requests' replies or events are due meanwhile.
//! - [`Options::timeout`] (or [`AsyncConn::set_timeout`]) bounds each request, and each dump
//!   as a whole, with `tokio::time`: expiry is [`Error::Timeout`].
//!
//! [`ack::parse_error`]: crate::ack::parse_error
//! [`ack::parse_done`]: crate::ack::parse_done
//! [`NlAttrs`]: crate::NlAttrs

mod batch;
mod driver;
#[cfg(feature = "testing")]
mod fake;
mod permits;
mod receive;
mod request;
mod slots;
mod stream;
mod transport;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::conn::{Config, Conn, Family};
use crate::error::Error;
use crate::message::{Header, Message, MessageRef};
use crate::nlattrs::{DecodeOptions, NlAttrsOwned};
use crate::socket::NetlinkSocket;
use driver::{Shared, Submitted};
use slots::Mode;

#[cfg(feature = "testing")]
pub use fake::FakeTransport;
pub use request::RequestStream;
pub use stream::{DumpStream, Events, TypedDump};
pub use transport::{AsyncSocket, Transport};

/// Settings of an [`AsyncConn`] beyond the socket's [`Config`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The most requests (and dumps) in flight at once; more wait for room. Default 256.
    pub max_in_flight: usize,
    /// The most requests one `sendmsg` carries. The kernel handles every request of a
    /// `sendmsg` and queues all their replies before the driver reads one, so this times the
    /// datagrams per request (2 for a request with an acknowledgement and a reply) must fit
    /// the socket's receive queue (256 small datagrams with the default buffer). Default 64.
    pub max_batch: usize,
    /// The most bytes one `sendmsg` carries. Default 32 KiB.
    pub max_batch_bytes: usize,
    /// The most datagrams one `recvmmsg` reads (at most 32). Default 16.
    pub recv_batch: usize,
    /// The most multicast events kept for [`AsyncConn::events`]; past it events are dropped
    /// and an overrun is reported. Default 4096.
    pub event_capacity: usize,
    /// The most bytes of a dump's replies kept for its stream before the stream reads them.
    /// Past it the connection stops reading the socket for that dump (the kernel makes the
    /// next part of a dump only when the socket is read, so it waits) until the stream
    /// catches up; the memory a slow reader of a large dump costs stays about this size. The
    /// socket is still read while other requests' replies are due, events are taken, or
    /// other dumps wait for this one, and what arrives for the dump then is kept. Default
    /// 1 MiB.
    pub dump_buffer: usize,
    /// The time limit of each request (and of each dump as a whole); `None`: no limit.
    pub timeout: Option<Duration>,
    /// When a request finds nothing else in flight or queued, send it and read its replies
    /// in the caller's task at once, without first yielding to let other tasks' requests
    /// join the batch (see the [module documentation](self)): a little lower latency and CPU
    /// for one request at a time. It gives up batching for tasks that issue requests one
    /// after another on a current-thread runtime (each completes before the next is issued),
    /// so it is off by default. Default `false`.
    pub direct: bool,
    /// How long a task waits awake for the socket when another task is reading it (only
    /// tasks on different worker threads of a multi-thread runtime meet there) before it
    /// sleeps until that read is done. It waits by giving the CPU up (`sched_yield`) to any
    /// other thread ready to run on its CPU, so other work is not held up, and its worker
    /// stays awake to read its replies as soon as the other read ends. A worker that parked
    /// instead would have to be woken for the tasks those replies make runnable: a
    /// cross-CPU interrupt per batch. On 2 cores, with 64 tasks making requests on the
    /// multi-thread runtime, this made the connection about 1.1x faster (at or above the
    /// current-thread runtime's rate), using about 1.85 CPUs instead of 1.5.
    /// `Duration::ZERO`: sleep at once. Default 100 µs.
    pub read_spin: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_in_flight: 256,
            max_batch: 64,
            max_batch_bytes: 32 * 1024,
            recv_batch: 16,
            event_capacity: 4096,
            dump_buffer: 1024 * 1024,
            timeout: None,
            direct: false,
            read_spin: Duration::from_micros(100),
        }
    }
}

/// An async netlink connection: a handle on a socket driven by a tokio task.
///
/// Clones share the connection; the connection closes when [`close`](AsyncConn::close) is
/// called or when the last clone and the last stream made from it are gone. See the
/// [module documentation](self) for how requests, dumps, events, cancellation and
/// back-pressure work.
#[derive(Clone)]
pub struct AsyncConn {
    inner: Arc<Inner>,
}

/// Closes the connection when the last handle goes.
pub(crate) struct Inner {
    pub(crate) shared: Arc<Shared>,
    timeout: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.close();
    }
}

const NO_TIMEOUT: u64 = u64::MAX;

impl std::fmt::Debug for AsyncConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncConn")
            .field("pid", &self.pid())
            .field("forged_dropped", &self.forged_dropped())
            .field("late_dropped", &self.late_dropped())
            .finish_non_exhaustive()
    }
}

/// The replies to one request, in wire form in one buffer (see [`AsyncConn::execute_raw`]).
///
/// The buffer is recycled when the `Replies` is dropped: it holds the replies of a later
/// request (kept per thread, so that recycling takes no lock).
#[derive(Default)]
pub struct Replies {
    buf: Vec<u8>,
    /// Whether the buffer goes back to the reply-buffer pool when dropped.
    pooled: bool,
}

impl Clone for Replies {
    fn clone(&self) -> Replies {
        Replies {
            buf: self.buf.clone(),
            pooled: false,
        }
    }
}

impl PartialEq for Replies {
    fn eq(&self, other: &Replies) -> bool {
        self.buf == other.buf
    }
}

impl Eq for Replies {}

impl std::fmt::Debug for Replies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replies").field("buf", &self.buf).finish()
    }
}

impl Drop for Replies {
    fn drop(&mut self) {
        if self.pooled {
            slots::give_buf(std::mem::take(&mut self.buf));
        }
    }
}

impl Replies {
    /// The replies, borrowed from the buffer.
    pub fn iter(&self) -> impl Iterator<Item = MessageRef<'_>> {
        // The driver wrote every message itself after parsing it: they parse again.
        crate::message::messages(&self.buf).filter_map(Result::ok)
    }

    /// The number of replies.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Owned copies of the replies.
    pub fn to_messages(&self) -> Vec<Message> {
        self.iter().map(|m| m.to_owned()).collect()
    }

    /// The replies in wire form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Each reply decoded as `T` with the default [`DecodeOptions`], the acknowledgement
    /// (an `NLMSG_ERROR` message) left out.
    fn decode_all<T: NlAttrsOwned>(&self) -> Result<Vec<T>, Error> {
        let opts = DecodeOptions::default();
        self.iter()
            .filter(|m| m.header.kind != crate::HeaderType::ERROR)
            .map(|m| T::decode_message(&m, &opts).map_err(Error::from))
            .collect()
    }
}

impl AsyncConn {
    /// Opens a connection to netlink family `family`, set up as [`Conn::dial`] sets up its
    /// socket (namespace, port id, groups, buffers, strict checking), with the default
    /// [`Options`]. Must run inside a tokio runtime; a socket in another namespace is made on
    /// a blocking-pool thread, so no runtime thread ever changes namespace or blocks.
    pub async fn dial(family: Family, config: Config) -> Result<AsyncConn, Error> {
        AsyncConn::dial_with(family, config, Options::default()).await
    }

    /// [`dial`](AsyncConn::dial) with [`Options`].
    pub async fn dial_with(
        family: Family,
        config: Config,
        options: Options,
    ) -> Result<AsyncConn, Error> {
        let check_sender = !config.disable_sender_check;
        let groups = config.groups;
        let sock = if config.netns.is_some() {
            ::tokio::task::spawn_blocking(move || Conn::dial(family, config))
                .await
                .map_err(|_| Error::Op(crate::OpError::new("dial", libc::EIO)))??
                .into_socket()
        } else {
            // Without a namespace dialing is a few non-blocking system calls.
            Conn::dial(family, config)?.into_socket()
        };
        let transport = AsyncSocket::new(sock)?;
        let conn = AsyncConn::from_transport_with(transport, check_sender, options)?;
        if groups != 0 {
            conn.shared().listen();
        }
        Ok(conn)
    }

    /// A connection over any [`Transport`] (the fakes of the `testing` feature, say), with the
    /// sender check on and the default [`Options`]. Spawns the driver task, so it must run
    /// inside a tokio runtime.
    pub fn from_transport(transport: impl Transport) -> Result<AsyncConn, Error> {
        AsyncConn::from_transport_with(transport, true, Options::default())
    }

    /// [`from_transport`](AsyncConn::from_transport) with the sender check and [`Options`].
    pub fn from_transport_with(
        transport: impl Transport,
        check_sender: bool,
        options: Options,
    ) -> Result<AsyncConn, Error> {
        let handle = ::tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Op(crate::OpError::new("dial", libc::EINVAL)))?;
        let timeout = encode_timeout(options.timeout);
        let shared = Arc::new(Shared::new(Box::new(transport), check_sender, options));
        handle.spawn(driver::drive(Arc::clone(&shared)));
        Ok(AsyncConn {
            inner: Arc::new(Inner {
                shared,
                timeout: AtomicU64::new(timeout),
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The port id the socket is bound to.
    pub fn pid(&self) -> u32 {
        self.shared().pid
    }

    /// The kernel socket, for socket options (`None` over a fake transport).
    pub fn socket(&self) -> Option<&NetlinkSocket> {
        self.shared().transport.netlink_socket()
    }

    /// Joins multicast group `group` (`NETLINK_ADD_MEMBERSHIP`); its messages arrive on
    /// [`events`](AsyncConn::events).
    pub fn join_group(&self, group: u32) -> Result<(), Error> {
        match self.socket() {
            Some(s) => {
                s.join_group(group)?;
                self.shared().listen();
                Ok(())
            }
            None => Err(Error::Op(crate::OpError::new(
                "join_group",
                libc::EOPNOTSUPP,
            ))),
        }
    }

    /// Leaves multicast group `group`.
    pub fn leave_group(&self, group: u32) -> Result<(), Error> {
        match self.socket() {
            Some(s) => s.leave_group(group),
            None => Err(Error::Op(crate::OpError::new(
                "leave_group",
                libc::EOPNOTSUPP,
            ))),
        }
    }

    /// The number of datagrams dropped because their sender was not the kernel.
    pub fn forged_dropped(&self) -> u64 {
        self.shared().forged.load(Ordering::Relaxed)
    }

    /// The number of messages dropped because no caller waited for them: replies to requests
    /// whose future or stream was dropped (cancelled, timed out), or that arrived after their
    /// request had completed or failed.
    pub fn late_dropped(&self) -> u64 {
        self.shared().late.load(Ordering::Relaxed)
    }

    /// The number of `sendmsg` calls made so far (each carries one or more requests).
    pub fn datagrams_sent(&self) -> u64 {
        self.shared().sent_datagrams.load(Ordering::Relaxed)
    }

    /// The number of overruns reported to the event stream so far (kernel `ENOBUFS`, or the
    /// event queue full).
    pub fn event_overruns(&self) -> u64 {
        self.shared().lock().events.overruns
    }

    /// Sets the time limit of each later request and dump (`None`: none).
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        self.inner
            .timeout
            .store(encode_timeout(timeout), Ordering::Relaxed);
    }

    /// The time limit of each request.
    pub fn timeout(&self) -> Option<Duration> {
        let v = self.inner.timeout.load(Ordering::Relaxed);
        (v != NO_TIMEOUT).then(|| Duration::from_nanos(v))
    }

    /// Sets the sequence number the next request gets (they count up, wrap, and skip 0 and
    /// the numbers in flight).
    pub fn set_next_sequence(&self, seq: u32) {
        self.shared().set_next_sequence(seq);
    }

    /// Closes the connection: every pending request and dump ends with
    /// [`Error::Closed`], the event stream ends, later calls fail with
    /// `Closed`, and the driver task stops (the socket is released with the last handle).
    pub fn close(&self) {
        self.shared().close();
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.shared().lock().closed
    }

    async fn with_timeout<T>(&self, f: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        match self.timeout() {
            None => f.await,
            Some(t) => ::tokio::time::timeout(t, f)
                .await
                .unwrap_or(Err(Error::Timeout { op: "execute" })),
        }
    }

    async fn permit(&self) -> Result<permits::Permit<'_>, Error> {
        self.shared()
            .permits
            .take()
            .await
            .map_err(|_| Error::Closed { op: "execute" })
    }

    /// Sends a request given as a header and an encoded payload and waits for its replies:
    /// complete at `NLMSG_DONE` for a dump, at the acknowledgement for a request with
    /// [`HeaderFlags::ACKNOWLEDGE`](crate::HeaderFlags::ACKNOWLEDGE), after the single reply
    /// otherwise (as [`Conn::execute`]). The acknowledgement is consumed, and returned only
    /// when it is the sole reply. Zero length, sequence and port id fields are filled in.
    ///
    /// Errors are those of [`Conn::execute`]: [`Error::Op`] with the
    /// extended acknowledgement, [`Error::DumpInterrupted`]
    /// holding every reply, and [`Error::Timeout`],
    /// [`Error::Closed`], [`Error::Overrun`].
    /// Cancel-safe: dropping the future leaves the connection working.
    pub async fn execute_raw(&self, header: Header, payload: &[u8]) -> Result<Replies, Error> {
        // Without a timeout the request's future runs in place, not moved into a wrapper.
        match self.timeout() {
            None => self.execute_inner(header, payload, true).await,
            Some(t) => ::tokio::time::timeout(t, self.execute_inner(header, payload, true))
                .await
                .unwrap_or(Err(Error::Timeout { op: "execute" })),
        }
    }

    /// One request; `yield_budget`: take a unit of the task's cooperative budget first in
    /// direct mode (batches do not, so that their requests are submitted in order).
    async fn execute_inner(
        &self,
        header: Header,
        payload: &[u8],
        yield_budget: bool,
    ) -> Result<Replies, Error> {
        if yield_budget && self.shared().options.direct {
            // The request may complete without ever waiting (see `Options::direct`): take a
            // unit of the task's cooperative budget so that a loop of requests lets others run.
            ::tokio::task::consume_budget().await;
        }
        let _permit = self.permit().await?;
        let mut submitted: Option<u32> = None;
        // Whether this request's task is to send the queued batch on its next poll.
        let mut flusher = false;
        // The size of the batch when this flusher last looked.
        let mut seen = 1usize;
        let mut pending = PendingSlot {
            shared: self.shared(),
            seq: 0,
            armed: false,
        };
        let result = std::future::poll_fn(|cx| {
            let seq = match submitted {
                Some(seq) => {
                    if flusher {
                        if pending.shared.flush(cx, seq, &mut seen) {
                            // More requests joined the batch since the last look: wait
                            // one more turn for the rest.
                            cx.waker().wake_by_ref();
                            return std::task::Poll::Pending;
                        }
                        flusher = false;
                    }
                    seq
                }
                None => {
                    let submitted_now = if pending.shared.options.direct {
                        pending
                            .shared
                            .submit_direct(cx, header, payload)
                            .map(|h| (h, Submitted::Sent))
                    } else {
                        pending.shared.submit_combined(cx, header, payload)
                    };
                    let (sent, how) = match submitted_now {
                        Ok(x) => x,
                        Err(e) => return std::task::Poll::Ready(Err(e)),
                    };
                    submitted = Some(sent.sequence);
                    pending.seq = sent.sequence;
                    pending.armed = true;
                    match how {
                        Submitted::Flush => {
                            // Let the tasks about to make requests add them to the batch
                            // first.
                            flusher = true;
                            cx.waker().wake_by_ref();
                            return std::task::Poll::Pending;
                        }
                        // The slot holds our waker already; the batch is not sent yet.
                        Submitted::Queued => return std::task::Poll::Pending,
                        // Sent and read here: look at the slot now.
                        Submitted::Sent => {}
                    }
                    sent.sequence
                }
            };
            let mut st = pending.shared.lock();
            let std::collections::hash_map::Entry::Occupied(mut entry) = st.slots.entry(seq) else {
                return std::task::Poll::Ready(Err(Error::Closed { op: "execute" }));
            };
            let slot = entry.get_mut();
            match slot.done.take() {
                Some(r) => {
                    let slot = entry.remove();
                    drop(st);
                    let (interrupted, buf) = (slot.interrupted, slot.buf);

                    std::task::Poll::Ready(r.map_err(|e| *e).and_then(|()| {
                        let replies = Replies { buf, pooled: true };
                        if interrupted {
                            Err(Error::DumpInterrupted {
                                partial: replies.to_messages(),
                            })
                        } else {
                            Ok(replies)
                        }
                    }))
                }
                None => {
                    if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        slot.waker = Some(cx.waker().clone());
                    }
                    std::task::Poll::Pending
                }
            }
        })
        .await;
        pending.armed = false;
        result
    }

    /// Sends `request` and waits for its replies (see [`execute_raw`](AsyncConn::execute_raw)).
    pub async fn execute(&self, request: &Message) -> Result<Vec<Message>, Error> {
        self.execute_raw(request.header, &request.data)
            .await
            .map(|r| r.to_messages())
    }

    /// Sends `request` and decodes each reply as `T` with the default [`DecodeOptions`]
    /// (a sole acknowledgement is not a reply here: a request that only gets one yields an
    /// empty list).
    pub async fn execute_as<T: NlAttrsOwned>(&self, request: &Message) -> Result<Vec<T>, Error> {
        self.execute_raw(request.header, &request.data)
            .await?
            .decode_all()
    }

    /// Sends a typed request ([`Request`](crate::Request), a route or generic netlink request
    /// builder, any [`NlRequest`](crate::NlRequest)) and decodes each reply as `T`, as
    /// [`Conn::request_all`](crate::Conn::request_all) does: `REQUEST` is added, and a kernel
    /// error names the Rust field its extended acknowledgement points at
    /// ([`ExtAck::field`](crate::ExtAck::field)). A sole acknowledgement yields an empty list.
    pub async fn request_all<T: NlAttrsOwned, R: crate::NlRequest>(
        &self,
        request: &R,
    ) -> Result<Vec<T>, Error> {
        let (header, payload) = typed_parts(request, crate::HeaderFlags::EMPTY)?;
        let replies = self
            .execute_raw(header, &payload)
            .await
            .map_err(|e| crate::typed::name_field(e, &payload, request.policy()))?;
        replies.decode_all()
    }

    /// Sends a typed request with `NLM_F_ACK` and waits for its acknowledgement (the async
    /// [`Conn::request_ack`](crate::Conn::request_ack)); errors name the Rust field as in
    /// [`request_all`](AsyncConn::request_all).
    pub async fn request_ack<R: crate::NlRequest>(&self, request: &R) -> Result<(), Error> {
        let (header, payload) = typed_parts(request, crate::HeaderFlags::ACKNOWLEDGE)?;
        self.execute_raw(header, &payload)
            .await
            .map(|_| ())
            .map_err(|e| crate::typed::name_field(e, &payload, request.policy()))
    }

    /// Sends a dump (or any request) and streams its replies as they arrive. The stream ends
    /// after the last reply; errors are those of [`execute_raw`](AsyncConn::execute_raw), and
    /// `NLM_F_DUMP_INTR` becomes one [`Error::DumpInterrupted`]
    /// item (with an empty `partial`) after the last reply. Dropping the stream part way is
    /// safe: the driver drains the rest.
    pub async fn dump(&self, request: &Message) -> Result<DumpStream, Error> {
        self.dump_raw(request.header, &request.data).await
    }

    /// [`dump`](AsyncConn::dump) with the request as a header and an encoded payload.
    pub async fn dump_raw(&self, header: Header, payload: &[u8]) -> Result<DumpStream, Error> {
        let deadline = self
            .timeout()
            .and_then(|t| ::tokio::time::Instant::now().checked_add(t));
        let wait = Arc::clone(&self.inner.shared.permits).take_owned();
        let permit = match deadline {
            None => wait.await,
            Some(d) => ::tokio::time::timeout_at(d, wait)
                .await
                .map_err(|_| Error::Timeout { op: "execute" })?,
        }
        .map_err(|_| Error::Closed { op: "execute" })?;
        let sent = self.shared().submit(header, payload, Mode::Stream, None)?;
        Ok(DumpStream::new(
            Arc::clone(&self.inner),
            sent,
            permit,
            deadline,
        ))
    }

    /// Sends a dump and streams its replies decoded as `T` (see [`dump`](AsyncConn::dump)).
    pub async fn dump_as<T: NlAttrsOwned>(&self, request: &Message) -> Result<TypedDump<T>, Error> {
        Ok(self.dump(request).await?.typed())
    }

    /// The stream of multicast messages (and unsolicited kernel messages): those of the
    /// groups in [`Config::groups`] and those joined with [`join_group`](AsyncConn::join_group).
    /// Overruns are items of the stream ([`Error::Overrun`]), not its
    /// end; it ends when the connection closes. One stream at a time: a second call while
    /// the first is alive fails with `EBUSY`.
    pub fn events(&self) -> Result<Events, Error> {
        {
            let mut st = self.shared().lock();
            if st.events.taken {
                return Err(Error::Op(crate::OpError::new("events", libc::EBUSY)));
            }
            st.events.taken = true;
        }
        self.shared().listen();
        Ok(Events::new(Arc::clone(&self.inner)))
    }
}

/// Abandons a request whose future is dropped before it took its result.
struct PendingSlot<'a> {
    shared: &'a Shared,
    seq: u32,
    armed: bool,
}

impl Drop for PendingSlot<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.abandon(self.seq);
        }
    }
}

fn encode_timeout(t: Option<Duration>) -> u64 {
    t.map_or(NO_TIMEOUT, |d| {
        u64::try_from(d.as_nanos()).unwrap_or(NO_TIMEOUT - 1)
    })
}

/// The header (with `REQUEST` and `extra` flags) and encoded payload of a typed request.
fn typed_parts<R: crate::NlRequest>(
    request: &R,
    extra: crate::HeaderFlags,
) -> Result<(Header, Vec<u8>), Error> {
    let mut payload = Vec::new();
    request.encode_payload(&mut payload)?;
    let mut header = request.header();
    header.flags |= crate::HeaderFlags::REQUEST | extra;
    Ok((header, payload))
}
