//! Connections: sending requests to the kernel and receiving its replies and events.
//!
//! A [`Conn`] is a netlink socket plus the bookkeeping every caller needs: sequence numbers,
//! port ids, multi-part replies, acknowledgements, error messages, timeouts, and the checks
//! that keep a reply from being mistaken for another's.
//!
//! # A tour
//!
//! Dial a family, build a request and [`execute`](Conn::execute) it: the header's zero fields
//! (length, sequence, port id) are filled in, the replies are gathered until the request is
//! complete (`NLMSG_DONE`, the acknowledgement, or the single reply), checked against the
//! request, and an error message becomes an [`Error::Op`] carrying the errno and the kernel's
//! extended acknowledgement.
//!
//! ```
//! use netlink::{Config, Conn, Family, HeaderFlags, HeaderType, Message};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! // A control message type asks the kernel for nothing but an acknowledgement.
//! let request = Message::new(HeaderType(0), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![]);
//! let replies = conn.execute(&request)?;
//! assert_eq!(replies.len(), 1);
//! assert_eq!(replies[0].header.kind, HeaderType::ERROR); // an ACK is an error message with errno 0
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! Long dumps stream through one reused buffer with [`Conn::dump`], which yields messages one
//! at a time ([`Dump::next_ref`] borrows them, the [`Iterator`] impl copies them):
//!
//! ```
//! use netlink::{Config, Conn, Family, HeaderFlags, HeaderType, Message};
//!
//! let conn = Conn::dial(Family::ROUTE, Config::default())?;
//! // RTM_GETLINK dump: struct ifinfomsg (16 bytes) with family AF_UNSPEC.
//! let request = Message::new(HeaderType(18), HeaderFlags::REQUEST | HeaderFlags::DUMP, vec![0; 16]);
//! let mut dump = conn.dump(&request)?;
//! let mut links = 0;
//! while let Some(msg) = dump.next_ref() {
//!     let msg = msg?;
//!     assert_eq!(msg.header.kind, HeaderType(16)); // RTM_NEWLINK
//!     links += 1;
//! }
//! assert!(links >= 1); // at least the loopback device
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! For hot paths, [`Conn::execute_with`] takes the payload as bytes and hands each reply to a
//! closure: no allocation per request once the connection's buffers have grown.
//!
//! Multicast listeners dial with [`Config::groups`] (or call [`Conn::join_group`]) and call
//! [`Conn::receive`] in a loop; [`Conn::close`] from another thread wakes them.
//!
//! A `Conn` is `Send + Sync`: threads can share one (requests take turns on the receive side,
//! each waiting no longer than its timeout; sends never wait for a receive), though a
//! connection per worker scales better.
//! [`Config::netns`] creates the socket in another network namespace without moving the
//! calling thread. Tests can replace the kernel with the fakes of the `testing` module (cargo
//! feature `testing`) through [`Conn::from_socket`].
//!
//! # Failure handling
//!
//! - Datagrams whose sender port id is not 0 do not come from the kernel: they are dropped and
//!   counted ([`Conn::forged_dropped`]) unless [`Config::disable_sender_check`] is set. A
//!   connection made by [`Conn::dial`] with the check on is also connected to the kernel
//!   ([`NetlinkSocket::connect_kernel`]), so the kernel refuses such datagrams before they
//!   reach it (their sender gets `ECONNREFUSED`).
//! - Replies that do not answer the request being executed (late replies of a request that
//!   timed out, say) are dropped by sequence number and counted ([`Conn::stale_dropped`]).
//! - Unsolicited messages (multicast events, sequence number 0) that arrive while a request
//!   runs are kept, up to [`Config::event_queue_limit`], for the next [`Conn::receive`]; past
//!   the limit the next receive reports [`Error::Overrun`]. Listening and making requests on
//!   one socket loses nothing.
//! - A dump (or multi-part receive) left before its end (dropped, failed, or stopped by its
//!   consumer) is read to its end and discarded by the next call, within that call's
//!   deadline, so the kernel never answers the next dump with `EBUSY`. A finished [`Dump`]
//!   gives the connection back at once, even while still in scope.
//! - An error belongs to the call whose datagram caused it: a datagram cut short
//!   ([`Error::Truncated`]) that answered an earlier, abandoned request does not fail the
//!   current one.
//! - A receive buffer overrun (`ENOBUFS`) is [`Error::Overrun`] for the call that meets it and
//!   for the next receive; the connection keeps working.
//! - `NLM_F_DUMP_INTR` on any message of a dump becomes [`Error::DumpInterrupted`] once the
//!   dump has been drained; [`Conn::execute_consistent`] retries such dumps.
//! - A datagram larger than the read buffer is never lost silently: the first one is reported
//!   as [`Error::Truncated`], after which the socket peeks at sizes and grows its buffer
//!   ([`Config::peek`] does so from the start).
//! - Timeouts ([`Conn::set_read_timeout`]) are [`Error::Timeout`] and a deadline for the whole
//!   call: dropped datagrams do not restart them, waiting for another thread's call counts,
//!   and signals do not cut them short.
//! - No call can deadlock another: a call made on the thread that holds an unfinished [`Dump`]
//!   (or from inside a [`Conn::receive_with`] callback) takes the connection over, and the
//!   older holder fails with [`Error::Superseded`].
//! - Extended acknowledgements are on by default ([`Config::ext_ack`]): kernel errors carry the
//!   kernel's explanation.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::netns::NetNs;
use crate::socket::{
    NetlinkSocket, RecvInfo, Socket, NETLINK_BROADCAST_ERROR, NETLINK_CAP_ACK, NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK, NETLINK_LISTEN_ALL_NSID, NETLINK_NO_ENOBUFS, NETLINK_PKTINFO,
    SOL_NETLINK,
};

use crate::ack;

mod dump;
mod receive;
mod rx;

pub use dump::Dump;
use rx::Rx;

/// The default of [`Config::event_queue_limit`]: unsolicited messages kept for the next
/// receive while requests run.
pub const DEFAULT_EVENT_QUEUE_LIMIT: usize = 4096;

/// A netlink protocol family: the third argument of `socket(AF_NETLINK, SOCK_RAW, family)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Family(pub i32);

impl Family {
    /// `NETLINK_ROUTE`: links, addresses, routes, neighbours, rules, qdiscs (rtnetlink).
    pub const ROUTE: Family = Family(0);
    /// `NETLINK_USERSOCK`: reserved for user-mode socket protocols.
    pub const USERSOCK: Family = Family(2);
    /// `NETLINK_FIREWALL`: unused.
    pub const FIREWALL: Family = Family(3);
    /// `NETLINK_SOCK_DIAG`: socket monitoring.
    pub const SOCK_DIAG: Family = Family(4);
    /// `NETLINK_NFLOG`: netfilter/iptables ULOG.
    pub const NFLOG: Family = Family(5);
    /// `NETLINK_XFRM`: IPsec.
    pub const XFRM: Family = Family(6);
    /// `NETLINK_SELINUX`: SELinux event notifications.
    pub const SELINUX: Family = Family(7);
    /// `NETLINK_ISCSI`: Open-iSCSI.
    pub const ISCSI: Family = Family(8);
    /// `NETLINK_AUDIT`: auditing.
    pub const AUDIT: Family = Family(9);
    /// `NETLINK_FIB_LOOKUP`.
    pub const FIB_LOOKUP: Family = Family(10);
    /// `NETLINK_CONNECTOR`.
    pub const CONNECTOR: Family = Family(11);
    /// `NETLINK_NETFILTER`: netfilter subsystems (nftables, conntrack, ...).
    pub const NETFILTER: Family = Family(12);
    /// `NETLINK_IP6_FW`.
    pub const IP6_FW: Family = Family(13);
    /// `NETLINK_DNRTMSG`: DECnet routing messages.
    pub const DNRTMSG: Family = Family(14);
    /// `NETLINK_KOBJECT_UEVENT`: kernel messages to user space (uevents).
    pub const KOBJECT_UEVENT: Family = Family(15);
    /// `NETLINK_GENERIC`: generic netlink, the multiplexer of named families.
    pub const GENERIC: Family = Family(16);
    /// `NETLINK_SCSITRANSPORT`: SCSI transports.
    pub const SCSITRANSPORT: Family = Family(18);
    /// `NETLINK_ECRYPTFS`.
    pub const ECRYPTFS: Family = Family(19);
    /// `NETLINK_RDMA`.
    pub const RDMA: Family = Family(20);
    /// `NETLINK_CRYPTO`: the crypto layer.
    pub const CRYPTO: Family = Family(21);
    /// `NETLINK_SMC`: SMC monitoring.
    pub const SMC: Family = Family(22);
}

/// A boolean netlink socket option (`SOL_NETLINK` level), for [`Conn::set_option`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnOption {
    /// `NETLINK_PKTINFO`: report the destination multicast group of each datagram in
    /// [`RecvInfo::group`].
    PacketInfo,
    /// `NETLINK_BROADCAST_ERROR`: report delivery failures of broadcasts to the sender.
    BroadcastError,
    /// `NETLINK_NO_ENOBUFS`: do not report receive buffer overruns ([`Error::Overrun`]).
    NoEnobufs,
    /// `NETLINK_LISTEN_ALL_NSID`: receive multicast from every namespace that has an id in this
    /// one, with the id in [`RecvInfo::nsid`].
    ListenAllNsid,
    /// `NETLINK_CAP_ACK`: echo only the request's header in error messages.
    CapAcknowledge,
    /// `NETLINK_EXT_ACK`: extended acknowledgements (error text, offsets) in error messages.
    ExtendedAcknowledge,
    /// `NETLINK_GET_STRICT_CHK`: strict checking of dump requests' headers and attributes.
    GetStrictCheck,
}

impl ConnOption {
    /// The `SOL_NETLINK` option number.
    pub fn name(self) -> i32 {
        match self {
            ConnOption::PacketInfo => NETLINK_PKTINFO,
            ConnOption::BroadcastError => NETLINK_BROADCAST_ERROR,
            ConnOption::NoEnobufs => NETLINK_NO_ENOBUFS,
            ConnOption::ListenAllNsid => NETLINK_LISTEN_ALL_NSID,
            ConnOption::CapAcknowledge => NETLINK_CAP_ACK,
            ConnOption::ExtendedAcknowledge => NETLINK_EXT_ACK,
            ConnOption::GetStrictCheck => NETLINK_GET_STRICT_CHK,
        }
    }
}

/// Options for [`Conn::dial`]. `Config::default()` is a plain socket in the caller's
/// namespace with a kernel-chosen port id and extended acknowledgements on.
#[derive(Debug, Clone)]
pub struct Config {
    /// Multicast groups to join at bind time, as a bitmask (group `n` is bit `n - 1`; groups
    /// above 32 need [`Conn::join_group`]).
    pub groups: u32,
    /// The network namespace to create the socket in. The socket is created on a short-lived
    /// helper thread that enters the namespace, so the caller's thread never changes namespace.
    /// `None`: the calling thread's namespace.
    pub netns: Option<NetNs>,
    /// The port id to bind to; 0 lets the kernel choose.
    pub pid: u32,
    /// Extended acknowledgements (`NETLINK_EXT_ACK`): kernel errors carry the kernel's
    /// explanation and the offset of the offending attribute ([`Error::ext_ack`]), as
    /// iproute2 always asks for. On by default; a kernel without them (before 4.12) is
    /// tolerated.
    pub ext_ack: bool,
    /// Strict checking of dump requests (`NETLINK_GET_STRICT_CHK`): the kernel rejects dump
    /// requests with unknown header fields or attributes instead of ignoring them, and applies
    /// the filters they carry. Dialing fails if the kernel refuses it. Off by default.
    pub strict: bool,
    /// The kernel receive buffer size in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`); 0 keeps the
    /// system default.
    pub read_buffer: usize,
    /// The kernel send buffer size in bytes (`SO_SNDBUFFORCE`, else `SO_SNDBUF`); 0 keeps the
    /// system default.
    pub write_buffer: usize,
    /// Accept datagrams from any sender. By default the socket is connected to the kernel
    /// ([`NetlinkSocket::connect_kernel`]), so the kernel refuses unicast from other sockets,
    /// and any datagram whose sender port id is not 0 is dropped and counted.
    pub disable_sender_check: bool,
    /// The initial size of the user-space read buffer; 0 means
    /// [`DEFAULT_RECV_SIZE`](crate::socket::DEFAULT_RECV_SIZE) (32 KiB).
    pub receive_size: usize,
    /// Peek at every datagram's size before reading it, so that not even the first oversized
    /// datagram is lost (costs a second system call per datagram).
    pub peek: bool,
    /// How many unsolicited messages (multicast events, messages with sequence number 0) that
    /// arrive while a request runs are kept for the next [`Conn::receive`]; past the limit
    /// they are dropped and the next receive reports [`Error::Overrun`]. 0 keeps none (they
    /// are dropped and counted in [`Conn::stale_dropped`], with no overrun reported).
    /// Default: [`DEFAULT_EVENT_QUEUE_LIMIT`].
    pub event_queue_limit: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            groups: 0,
            netns: None,
            pid: 0,
            ext_ack: true,
            strict: false,
            read_buffer: 0,
            write_buffer: 0,
            disable_sender_check: false,
            receive_size: 0,
            peek: false,
            event_queue_limit: DEFAULT_EVENT_QUEUE_LIMIT,
        }
    }
}

/// A connection to a netlink family (the Go package's `Conn`).
///
/// `Conn` is `Send + Sync`: share it between threads with an `Arc` or a scoped borrow.
/// [`execute`](Conn::execute), [`receive`](Conn::receive) and [`dump`](Conn::dump) take turns
/// on the receive side (a caller waits for its turn no longer than its read timeout);
/// [`send`](Conn::send) never waits for them. [`close`](Conn::close) wakes a thread blocked in
/// a receive.
///
/// `S` is the transport: [`NetlinkSocket`] for the kernel (the default, from
/// [`dial`](Conn::dial)), or any [`Socket`] given to [`from_socket`](Conn::from_socket), such as
/// the fakes of the `testing` module.
pub struct Conn<S: Socket = NetlinkSocket> {
    sock: S,
    pid: u32,
    seq: AtomicU32,
    rx: Rx,
    /// The ticket of the current holder of the receive turn (see `rx`).
    ticket: AtomicU64,
    queue_limit: usize,
    tx: Mutex<Vec<u8>>,
    check_sender: bool,
    forged: AtomicU64,
    stale: AtomicU64,
    read_timeout: AtomicU64,
    write_timeout: AtomicU64,
}

const NO_TIMEOUT: u64 = u64::MAX;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn encode_timeout(t: Option<Duration>) -> u64 {
    t.map_or(NO_TIMEOUT, |d| {
        u64::try_from(d.as_nanos()).unwrap_or(NO_TIMEOUT - 1)
    })
}

fn decode_timeout(v: u64) -> Option<Duration> {
    (v != NO_TIMEOUT).then(|| Duration::from_nanos(v))
}

impl<S: Socket> fmt::Debug for Conn<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("pid", &self.pid)
            .field("check_sender", &self.check_sender)
            .field("forged_dropped", &self.forged_dropped())
            .field("stale_dropped", &self.stale_dropped())
            .finish_non_exhaustive()
    }
}

impl Conn<NetlinkSocket> {
    /// Opens a connection to netlink family `family` (the Go package's `Dial`).
    ///
    /// The socket is `SOCK_RAW | SOCK_CLOEXEC`, bound to `config.pid` and `config.groups`; its
    /// port id is read back (see [`pid`](Conn::pid)). See [`Config`] for the rest.
    pub fn dial(family: Family, config: Config) -> Result<Conn<NetlinkSocket>, Error> {
        let open = || NetlinkSocket::open(family.0, config.pid, config.groups);
        let sock = match &config.netns {
            Some(ns) => ns.run(open)??,
            None => open()?,
        };
        if !config.disable_sender_check {
            sock.connect_kernel().map_err(|e| rename_op(e, "dial"))?;
        }
        if config.ext_ack {
            match sock.set_int_option(SOL_NETLINK, NETLINK_EXT_ACK, 1) {
                // A kernel older than 4.12 has no extended acknowledgements: errors are bare.
                Err(e) if e.errno() == Some(libc::ENOPROTOOPT) => {}
                r => r.map_err(|e| rename_op(e, "dial"))?,
            }
        }
        if config.strict {
            sock.set_int_option(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
                .map_err(|e| rename_op(e, "dial"))?;
        }
        if config.read_buffer != 0 {
            sock.set_read_buffer(config.read_buffer)?;
        }
        if config.write_buffer != 0 {
            sock.set_write_buffer(config.write_buffer)?;
        }
        if config.receive_size != 0 {
            sock.set_recv_size(config.receive_size);
        }
        sock.set_peek(config.peek);
        let mut conn = Conn::from_socket(sock);
        conn.check_sender = !config.disable_sender_check;
        conn.queue_limit = config.event_queue_limit;
        Ok(conn)
    }

    /// Joins multicast group `group` by number (`NETLINK_ADD_MEMBERSHIP`; works for groups
    /// above 32).
    pub fn join_group(&self, group: u32) -> Result<(), Error> {
        self.sock.join_group(group)
    }

    /// Leaves multicast group `group`.
    pub fn leave_group(&self, group: u32) -> Result<(), Error> {
        self.sock.leave_group(group)
    }

    /// Attaches a classic BPF program that filters incoming datagrams (`SO_ATTACH_FILTER`).
    pub fn set_bpf(&self, filter: &[libc::sock_filter]) -> Result<(), Error> {
        self.sock.set_bpf(filter)
    }

    /// Removes the BPF program.
    pub fn remove_bpf(&self) -> Result<(), Error> {
        self.sock.remove_bpf()
    }

    /// Turns a boolean netlink socket option on or off.
    pub fn set_option(&self, option: ConnOption, enable: bool) -> Result<(), Error> {
        self.sock
            .set_int_option(SOL_NETLINK, option.name(), i32::from(enable))
    }

    /// Whether a boolean netlink socket option is on.
    pub fn option(&self, option: ConnOption) -> Result<bool, Error> {
        Ok(self.sock.int_option(SOL_NETLINK, option.name())? != 0)
    }

    /// Sets the kernel receive buffer size (`SO_RCVBUFFORCE`, else `SO_RCVBUF`).
    pub fn set_read_buffer(&self, bytes: usize) -> Result<(), Error> {
        self.sock.set_read_buffer(bytes)
    }

    /// Sets the kernel send buffer size (`SO_SNDBUFFORCE`, else `SO_SNDBUF`).
    pub fn set_write_buffer(&self, bytes: usize) -> Result<(), Error> {
        self.sock.set_write_buffer(bytes)
    }

    /// The kernel receive buffer size (the kernel reports twice the value set).
    pub fn read_buffer(&self) -> Result<usize, Error> {
        self.sock.read_buffer()
    }

    /// The kernel send buffer size (the kernel reports twice the value set).
    pub fn write_buffer(&self) -> Result<usize, Error> {
        self.sock.write_buffer()
    }
}

impl AsFd for Conn<NetlinkSocket> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

impl AsRawFd for Conn<NetlinkSocket> {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl<S: Socket> Conn<S> {
    /// Gives up the connection and returns its transport (the async connection takes the
    /// socket that [`dial`](Conn::dial) set up this way).
    pub fn into_socket(self) -> S {
        self.sock
    }
}

fn rename_op(e: Error, op: &'static str) -> Error {
    match e {
        Error::Op(mut o) => {
            o.op = op;
            Error::Op(o)
        }
        other => other,
    }
}

/// What a reply means for the request it answers.
enum Step {
    /// Not an answer to this request: dropped.
    Stale,
    /// A data message.
    Data,
    /// The acknowledgement (error message with errno 0): the request is complete.
    Ack,
    /// `NLMSG_DONE`: the dump is complete.
    Done,
}

impl<S: Socket> Conn<S> {
    /// A connection over any [`Socket`] (the Go package's `NewConn`), mainly for fakes in
    /// tests. The port id is the socket's; the sender check is on.
    pub fn from_socket(sock: S) -> Conn<S> {
        let pid = sock.pid();
        Conn {
            sock,
            pid,
            seq: AtomicU32::new(crate::socket::random_u32()),
            rx: Rx::default(),
            ticket: AtomicU64::new(0),
            queue_limit: DEFAULT_EVENT_QUEUE_LIMIT,
            tx: Mutex::new(Vec::new()),
            check_sender: true,
            forged: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            read_timeout: AtomicU64::new(NO_TIMEOUT),
            write_timeout: AtomicU64::new(NO_TIMEOUT),
        }
    }

    /// Turns the sender check on or off (see [`Config::disable_sender_check`]). This does not
    /// disconnect a socket that [`Conn::dial`] connected to the kernel: to receive from other
    /// sockets, dial with the check off.
    pub fn set_sender_check(&mut self, on: bool) {
        self.check_sender = on;
    }

    /// The transport.
    pub fn socket(&self) -> &S {
        &self.sock
    }

    /// The port id the socket is bound to.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The number of datagrams dropped because their sender was not the kernel.
    pub fn forged_dropped(&self) -> u64 {
        self.forged.load(Ordering::Relaxed)
    }

    /// The number of messages dropped because they did not answer the request being executed
    /// (replies of an earlier request that timed out, the rest of an abandoned dump), and of
    /// unsolicited messages dropped because the queue for the next receive was full (see
    /// [`Config::event_queue_limit`]).
    pub fn stale_dropped(&self) -> u64 {
        self.stale.load(Ordering::Relaxed)
    }

    fn count_stale(&self) {
        self.stale.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets how many unsolicited messages are kept for the next receive while requests run
    /// (see [`Config::event_queue_limit`]).
    pub fn set_event_queue_limit(&mut self, limit: usize) {
        self.queue_limit = limit;
    }

    /// The number of unsolicited messages waiting for the next [`receive`](Conn::receive).
    pub fn queued_events(&self) -> usize {
        self.rx.lock().queued
    }

    /// Sets the sequence number the next request gets. Sequence numbers start at a random
    /// value, count up, wrap, and skip 0.
    pub fn set_next_sequence(&self, seq: u32) {
        self.seq.store(seq, Ordering::Relaxed);
    }

    /// Takes the next sequence number (never 0).
    pub fn next_sequence(&self) -> u32 {
        loop {
            let s = self.seq.fetch_add(1, Ordering::Relaxed);
            if s != 0 {
                return s;
            }
        }
    }

    /// Sets how long a call may wait for the socket (`None`: forever; zero: only what is
    /// already queued). Expiry is [`Error::Timeout`].
    ///
    /// The timeout is a deadline for the whole call ([`execute`](Conn::execute),
    /// [`receive`](Conn::receive), each step of a [`dump`](Conn::dump)), counted from its
    /// start: it covers waiting for the receive turn when threads share the connection,
    /// reading the rest of an abandoned dump, and every datagram dropped meanwhile (forged,
    /// stale or unsolicited ones do not restart it).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.read_timeout
            .store(encode_timeout(timeout), Ordering::Relaxed);
    }

    /// Sets how long a send waits for room in the socket's send buffer (`None`: forever).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.write_timeout
            .store(encode_timeout(timeout), Ordering::Relaxed);
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        decode_timeout(self.read_timeout.load(Ordering::Relaxed))
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        decode_timeout(self.write_timeout.load(Ordering::Relaxed))
    }

    pub(crate) fn read_deadline(&self) -> Option<Instant> {
        self.read_timeout()
            .and_then(|t| Instant::now().checked_add(t))
    }

    fn write_deadline(&self) -> Option<Instant> {
        self.write_timeout()
            .and_then(|t| Instant::now().checked_add(t))
    }

    /// Closes the connection: wakes threads blocked in a receive (within milliseconds), and
    /// makes every later operation fail with [`Error::Closed`]. The descriptors themselves are
    /// released when the `Conn` is dropped, so no thread can ever use a reused descriptor
    /// number. Closing twice is harmless.
    pub fn close(&self) -> Result<(), Error> {
        self.sock.close()
    }

    /// Fills a header's zero fields for a payload of `payload_len` bytes.
    fn fill(&self, mut header: Header, payload_len: usize) -> Result<Header, Error> {
        let len = HEADER_LEN.saturating_add(payload_len);
        header.length = crate::message::checked_length(header.length, len)?;
        if header.sequence == 0 {
            header.sequence = self.next_sequence();
        }
        if header.pid == 0 {
            header.pid = self.pid;
        }
        Ok(header)
    }

    /// Encodes and sends one message from a header and a payload, and returns the filled
    /// header. Allocates nothing once the send buffer has grown.
    fn send_parts(&self, header: Header, payload: &[u8]) -> Result<Header, Error> {
        let header = self.fill(header, payload.len())?;
        self.send_filled(header, payload)
    }

    /// Sends a message whose header is already filled.
    fn send_filled(&self, header: Header, payload: &[u8]) -> Result<Header, Error> {
        let mut tx = lock(&self.tx);
        tx.clear();
        tx.extend_from_slice(&header.to_bytes());
        tx.extend_from_slice(payload);
        crate::message::pad(&mut tx, padding(payload.len()));
        self.sock.send(&tx, self.write_deadline())?;
        Ok(header)
    }

    /// Sends one message (the Go package's `Send`). Zero length, sequence and port id fields
    /// are filled in; the filled copy is returned for later checks with
    /// [`validate`](crate::validate).
    pub fn send(&self, message: &Message) -> Result<Message, Error> {
        let header = self.send_parts(message.header, &message.data)?;
        Ok(Message {
            header,
            data: message.data.clone(),
        })
    }

    /// Sends several messages in one datagram (one system call), filling each as
    /// [`send`](Conn::send) does.
    pub fn send_messages(&self, batch: &[Message]) -> Result<Vec<Message>, Error> {
        let mut filled = Vec::with_capacity(batch.len());
        let mut tx = lock(&self.tx);
        tx.clear();
        for m in batch {
            let header = self.fill(m.header, m.data.len())?;
            tx.extend_from_slice(&header.to_bytes());
            tx.extend_from_slice(&m.data);
            crate::message::pad(&mut tx, padding(m.data.len()));
            filled.push(Message {
                header,
                data: m.data.clone(),
            });
        }
        self.sock.send(&tx, self.write_deadline())?;
        Ok(filled)
    }

    /// Receives one datagram from the kernel into `buf`, dropping (and counting) forged ones,
    /// waiting until `deadline` at most.
    pub(crate) fn recv_datagram(
        &self,
        buf: &mut Vec<u8>,
        deadline: Option<Instant>,
    ) -> Result<RecvInfo, Error> {
        loop {
            let info = self.sock.recv(buf, deadline)?;
            if self.check_sender && info.sender_pid != 0 {
                self.forged.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            return Ok(info);
        }
    }

    /// Sends `request` and gathers its replies (the Go package's `Execute`), checking each
    /// against the request.
    ///
    /// The reply is complete at `NLMSG_DONE` (removed) for a dump, at the acknowledgement for a
    /// request with [`HeaderFlags::ACKNOWLEDGE`] (whether or not data came before it, and with
    /// or without a `NLMSG_DONE`), and after the single reply otherwise. The acknowledgement is
    /// consumed; it is returned only when it is the sole reply, so that its echoed header can
    /// be inspected. Messages with another sequence number (late replies of an earlier request
    /// that timed out, say) are dropped; unsolicited ones (multicast events) are kept for the
    /// next [`receive`](Conn::receive). An error message becomes [`Error::Op`] with the
    /// extended acknowledgement; `NLM_F_DUMP_INTR` on any message becomes
    /// [`Error::DumpInterrupted`] holding every reply, once the dump is drained.
    ///
    /// Calls of `execute`, [`receive`](Conn::receive) and [`dump`](Conn::dump) take turns:
    /// each request gets its own replies even when many threads share the connection. The
    /// read timeout is a deadline for the whole call, waiting for the turn included.
    ///
    /// A command that returns no data and lacks [`HeaderFlags::ACKNOWLEDGE`] gets no answer
    /// at all when it succeeds: `execute` then waits for the read timeout. Set the flag on
    /// such requests.
    pub fn execute(&self, request: &Message) -> Result<Vec<Message>, Error> {
        let mut out = Vec::new();
        let mut dump = self.start(request.header, &request.data, "execute", false)?;
        loop {
            match dump.next_ref() {
                None => return Ok(out),
                Some(Ok(m)) => out.push(m.to_owned()),
                Some(Err(Error::DumpInterrupted { .. })) => {
                    return Err(Error::DumpInterrupted { partial: out })
                }
                Some(Err(e)) => return Err(e),
            }
        }
    }

    /// Like [`execute`](Conn::execute), but the request is a header and an encoded payload,
    /// and each reply is handed to `on_reply` (borrowed from the connection's buffer) instead
    /// of being collected: no allocation per request once the buffers have grown. Returns the
    /// filled request header. On `NLM_F_DUMP_INTR` the replies have all been handed over and
    /// [`Error::DumpInterrupted`] comes with an empty `partial`. An error from `on_reply`
    /// ends the call (a dump it leaves is drained by the next call).
    pub fn execute_with<F>(
        &self,
        header: Header,
        payload: &[u8],
        mut on_reply: F,
    ) -> Result<Header, Error>
    where
        F: FnMut(MessageRef<'_>) -> Result<(), Error>,
    {
        let mut dump = self.start(header, payload, "execute", false)?;
        while let Some(m) = dump.next_ref() {
            on_reply(m?)?;
        }
        Ok(*dump.request())
    }

    /// Sends `request` and streams its replies: a [`Dump`] yields them one at a time from one
    /// reused buffer, so memory stays bounded however long the dump. Completion, checks and
    /// errors are those of [`execute`](Conn::execute).
    ///
    /// The `Dump` holds the receive side of the connection until it ends or is dropped (see
    /// [`Dump`] for what happens to an unfinished one). The read timeout bounds the start
    /// (waiting for the turn and sending) and then each step of the dump separately, so a
    /// long dump read slowly does not time out as a whole.
    pub fn dump(&self, request: &Message) -> Result<Dump<'_, S>, Error> {
        self.start(request.header, &request.data, "dump", true)
    }

    /// [`dump`](Conn::dump) with the request as a header and an encoded payload.
    pub fn dump_parts(&self, header: Header, payload: &[u8]) -> Result<Dump<'_, S>, Error> {
        self.start(header, payload, "dump", true)
    }

    /// Takes the receive turn (draining an abandoned reply first), sends the request and
    /// returns the stream of its replies.
    fn start(
        &self,
        header: Header,
        payload: &[u8],
        op: &'static str,
        per_step: bool,
    ) -> Result<Dump<'_, S>, Error> {
        let deadline = self.read_deadline();
        let header = self.fill(header, payload.len())?;
        let pending = header
            .flags
            .contains(HeaderFlags::DUMP)
            .then_some(header.sequence);
        let turn = self.begin(op, deadline, pending)?;
        let request = self.send_filled(header, payload)?;
        Ok(Dump::new(self, turn, request, deadline, per_step, op))
    }

    /// Executes a dump until one completes without `NLM_F_DUMP_INTR`, at most `attempts`
    /// times (at least once). Each attempt gets a new sequence number. When every attempt was
    /// interrupted, the last [`Error::DumpInterrupted`] (with its partial results) is returned.
    pub fn execute_consistent(
        &self,
        request: &Message,
        attempts: usize,
    ) -> Result<Vec<Message>, Error> {
        let mut last = None;
        for _ in 0..attempts.max(1) {
            match self.execute(request) {
                Err(e @ Error::DumpInterrupted { .. }) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or(Error::DumpInterrupted {
            partial: Vec::new(),
        }))
    }

    /// Classifies a reply to `request`; error messages become errors.
    fn classify(
        &self,
        m: &MessageRef<'_>,
        request: &Header,
        op: &'static str,
    ) -> Result<Step, Error> {
        let h = &m.header;
        if h.sequence != request.sequence
            || (h.pid != 0 && request.pid != 0 && h.pid != request.pid)
        {
            self.count_stale();
            return Ok(Step::Stale);
        }
        match h.kind {
            HeaderType::ERROR => {
                ack::outcome(ack::parse_error(m), op, request.sequence).map(|()| Step::Ack)
            }
            HeaderType::DONE => {
                ack::outcome(ack::parse_done(m), op, request.sequence).map(|()| Step::Done)
            }
            HeaderType::NOOP => Ok(Step::Stale),
            _ => Ok(Step::Data),
        }
    }
}

fn padding(len: usize) -> usize {
    crate::enc::align(len).unwrap_or(len).saturating_sub(len)
}

// What the batch (`crate::batch`) and event (`crate::events`) modules need from a connection.

/// The receive turn, held by a batch while it runs (see `conn::rx`).
pub(crate) struct ReceiveTurn<'c, S: Socket>(rx::Turn<'c, S>);

impl<S: Socket> ReceiveTurn<'_, S> {
    /// Whether the turn is still this holder's (a call on the same thread, from a callback
    /// say, takes it over).
    pub(crate) fn current(&self) -> bool {
        self.0.current()
    }
}

impl<S: Socket> Conn<S> {
    /// Takes the receive turn (no other call receives until it is dropped), waiting until
    /// `deadline` at most, after reading any abandoned reply to its end.
    pub(crate) fn receive_turn(
        &self,
        op: &'static str,
        deadline: Option<Instant>,
    ) -> Result<ReceiveTurn<'_, S>, Error> {
        self.begin(op, deadline, None).map(ReceiveTurn)
    }

    /// The deadline of a receive that starts now, from the read timeout.
    pub(crate) fn receive_deadline(&self) -> Option<Instant> {
        self.read_deadline()
    }

    /// The deadline of a send that starts now, from the write timeout.
    pub(crate) fn send_deadline(&self) -> Option<Instant> {
        self.write_deadline()
    }

    /// Whether a datagram from this sender is accepted; a refused one is counted as forged.
    pub(crate) fn accept_sender(&self, info: &RecvInfo) -> bool {
        if self.check_sender && info.sender_pid != 0 {
            self.forged.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Takes `n` (at least 1) consecutive sequence numbers, none of them 0, and returns the
    /// first.
    pub(crate) fn reserve_sequences(&self, n: u32) -> u32 {
        let n = n.max(1);
        loop {
            let first = self.seq.fetch_add(n, Ordering::Relaxed);
            // Retry when the block would hold 0 (the counter wrapped inside it).
            if first != 0 && first.checked_add(n - 1).is_some() {
                return first;
            }
        }
    }

    /// A message received while answering a request that it does not belong to: kept for the
    /// next receive when unsolicited (a multicast event), counted as stale otherwise (a late
    /// reply of another request).
    pub(crate) fn keep_unsolicited(&self, m: &MessageRef<'_>, info: &RecvInfo) {
        if Self::unsolicited(m, info) {
            self.enqueue(m, info);
        } else {
            self.count_stale();
        }
    }

    /// Takes the oldest datagram's worth of messages kept for the next receive, if any;
    /// [`Error::Overrun`] first when some had to be dropped.
    pub(crate) fn take_kept(&self) -> Result<Option<(Vec<u8>, RecvInfo)>, Error> {
        let mut st = self.rx.lock();
        if std::mem::take(&mut st.overrun) {
            return Err(Error::Overrun { op: "receive" });
        }
        let q = st.queue.pop_front();
        if let Some(q) = &q {
            st.queued = st.queued.saturating_sub(q.count);
        }
        Ok(q.map(|q| (q.bytes, q.info)))
    }
}
