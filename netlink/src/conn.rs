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
//! sends never wait for a receive), though a connection per worker scales better.
//! [`Config::netns`] creates the socket in another network namespace without moving the
//! calling thread. Tests can replace the kernel with the fakes of the `testing` module (cargo
//! feature `testing`) through [`Conn::from_socket`].
//!
//! # Failure handling
//!
//! - Datagrams whose sender port id is not 0 do not come from the kernel: they are dropped and
//!   counted ([`Conn::forged_dropped`]) unless [`Config::disable_sender_check`] is set.
//! - Replies that do not answer the request being executed (late replies of a request that
//!   timed out, say) are dropped by sequence number and counted ([`Conn::stale_dropped`]).
//! - A receive buffer overrun (`ENOBUFS`) is [`Error::Overrun`]; the connection keeps working.
//! - `NLM_F_DUMP_INTR` on any message of a dump becomes [`Error::DumpInterrupted`] once the
//!   dump has been drained; [`Conn::execute_consistent`] retries such dumps.
//! - A datagram larger than the read buffer is never lost silently: the first one is reported
//!   as [`Error::Truncated`], after which the socket peeks at sizes and grows its buffer
//!   ([`Config::peek`] does so from the start).
//! - Timeouts ([`Conn::set_read_timeout`]) are [`Error::Timeout`]; signals do not cut them short.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{EncodeError, Error};
use crate::message::{messages, Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::netns::NetNs;
use crate::socket::{
    NetlinkSocket, RecvInfo, Socket, NETLINK_BROADCAST_ERROR, NETLINK_CAP_ACK, NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK, NETLINK_LISTEN_ALL_NSID, NETLINK_NO_ENOBUFS, NETLINK_PKTINFO,
    SOL_NETLINK,
};

use crate::ack;

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
/// namespace with a kernel-chosen port id.
#[derive(Debug, Clone, Default)]
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
    /// Turn on extended acknowledgements and strict checking (`NETLINK_EXT_ACK` and
    /// `NETLINK_GET_STRICT_CHK`); dialing fails if the kernel refuses either.
    pub strict: bool,
    /// The kernel receive buffer size in bytes (`SO_RCVBUFFORCE`, else `SO_RCVBUF`); 0 keeps the
    /// system default.
    pub read_buffer: usize,
    /// The kernel send buffer size in bytes (`SO_SNDBUFFORCE`, else `SO_SNDBUF`); 0 keeps the
    /// system default.
    pub write_buffer: usize,
    /// Accept datagrams from any sender. By default those whose sender port id is not 0 (not
    /// the kernel) are dropped and counted.
    pub disable_sender_check: bool,
    /// The initial size of the user-space read buffer; 0 means
    /// [`DEFAULT_RECV_SIZE`](crate::socket::DEFAULT_RECV_SIZE) (32 KiB).
    pub receive_size: usize,
    /// Peek at every datagram's size before reading it, so that not even the first oversized
    /// datagram is lost (costs a second system call per datagram).
    pub peek: bool,
}

/// A connection to a netlink family (the Go package's `Conn`).
///
/// `Conn` is `Send + Sync`: share it between threads with an `Arc` or a scoped borrow.
/// [`execute`](Conn::execute), [`receive`](Conn::receive) and [`dump`](Conn::dump) take turns
/// on the receive side; [`send`](Conn::send) never waits for them. [`close`](Conn::close)
/// wakes a thread blocked in a receive.
///
/// `S` is the transport: [`NetlinkSocket`] for the kernel (the default, from
/// [`dial`](Conn::dial)), or any [`Socket`] given to [`from_socket`](Conn::from_socket), such as
/// the fakes of the `testing` module.
pub struct Conn<S: Socket = NetlinkSocket> {
    sock: S,
    pid: u32,
    seq: AtomicU32,
    rx: Mutex<Vec<u8>>,
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
        if config.strict {
            for opt in [ConnOption::ExtendedAcknowledge, ConnOption::GetStrictCheck] {
                sock.set_int_option(SOL_NETLINK, opt.name(), 1)
                    .map_err(|e| rename_op(e, "dial"))?;
            }
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
            rx: Mutex::new(Vec::new()),
            tx: Mutex::new(Vec::new()),
            check_sender: true,
            forged: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            read_timeout: AtomicU64::new(NO_TIMEOUT),
            write_timeout: AtomicU64::new(NO_TIMEOUT),
        }
    }

    /// Turns the sender check on or off (see [`Config::disable_sender_check`]).
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
    /// (replies of an earlier request that timed out or was abandoned, multicast events).
    pub fn stale_dropped(&self) -> u64 {
        self.stale.load(Ordering::Relaxed)
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

    /// Sets how long a receive waits for each datagram (`None`: forever; zero: only what is
    /// already queued). Expiry is [`Error::Timeout`].
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

    fn read_deadline(&self) -> Option<Instant> {
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

    /// Receives one datagram from the kernel into `buf`, dropping (and counting) forged ones.
    fn recv_datagram(&self, buf: &mut Vec<u8>) -> Result<RecvInfo, Error> {
        loop {
            let info = self.sock.recv(buf, self.read_deadline())?;
            if self.check_sender && info.sender_pid != 0 {
                self.forged.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            return Ok(info);
        }
    }

    /// Receives messages (the Go package's `Receive`): one datagram, or all the datagrams of a
    /// multi-part message up to its `NLMSG_DONE`, which is removed. An error message becomes
    /// [`Error::Op`]; an acknowledgement (errno 0) is returned as a message.
    pub fn receive(&self) -> Result<Vec<Message>, Error> {
        self.receive_with_info().map(|(m, _)| m)
    }

    /// Like [`receive`](Conn::receive), and also returns what the socket reported about the
    /// (last) datagram: the multicast group with [`ConnOption::PacketInfo`], the namespace id
    /// with [`ConnOption::ListenAllNsid`], the sender's address.
    pub fn receive_with_info(&self) -> Result<(Vec<Message>, RecvInfo), Error> {
        let mut out = Vec::new();
        let info = self.receive_with(|m, _| {
            out.push(m.to_owned());
            Ok(())
        })?;
        Ok((out, info))
    }

    /// Like [`receive`](Conn::receive), handing each message (borrowed from the connection's
    /// buffer) and its datagram's [`RecvInfo`] to `f` instead of collecting them. Returns the
    /// last datagram's `RecvInfo`.
    pub fn receive_with<F>(&self, mut f: F) -> Result<RecvInfo, Error>
    where
        F: FnMut(MessageRef<'_>, &RecvInfo) -> Result<(), Error>,
    {
        let mut rx = lock(&self.rx);
        loop {
            let info = self.recv_datagram(&mut rx)?;
            let mut more = false;
            for m in messages(&rx) {
                let m = m?;
                more = false;
                match m.header.kind {
                    HeaderType::DONE => {
                        let done = ack::parse_done(&m)?;
                        if let Some(e) = done.to_op_error("receive", m.header.sequence) {
                            return Err(e.into());
                        }
                    }
                    HeaderType::ERROR => {
                        let a = ack::parse_error(&m)?;
                        if let Some(e) = a.to_op_error("receive", m.header.sequence) {
                            return Err(e.into());
                        }
                        f(m, &info)?;
                    }
                    _ => {
                        more = m.header.flags.contains(HeaderFlags::MULTI);
                        f(m, &info)?;
                    }
                }
            }
            if !more {
                return Ok(info);
            }
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
    /// that timed out, say) are dropped. An error message becomes [`Error::Op`] with the
    /// extended acknowledgement; `NLM_F_DUMP_INTR` on any message becomes
    /// [`Error::DumpInterrupted`] holding every reply, once the dump is drained.
    ///
    /// Calls of `execute`, [`receive`](Conn::receive) and [`dump`](Conn::dump) are serialised:
    /// each request gets its own replies even when many threads share the connection.
    ///
    /// A command that returns no data and lacks [`HeaderFlags::ACKNOWLEDGE`] gets no answer
    /// at all when it succeeds: `execute` then waits for the read timeout. Set the flag on
    /// such requests.
    pub fn execute(&self, request: &Message) -> Result<Vec<Message>, Error> {
        let mut out = Vec::new();
        let mut dump = self.dump(request)?;
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
    /// [`Error::DumpInterrupted`] comes with an empty `partial`.
    pub fn execute_with<F>(
        &self,
        header: Header,
        payload: &[u8],
        mut on_reply: F,
    ) -> Result<Header, Error>
    where
        F: FnMut(MessageRef<'_>) -> Result<(), Error>,
    {
        let mut dump = self.dump_parts(header, payload)?;
        while let Some(m) = dump.next_ref() {
            on_reply(m?)?;
        }
        Ok(dump.request)
    }

    /// Sends `request` and streams its replies: a [`Dump`] yields them one at a time from one
    /// reused buffer, so memory stays bounded however long the dump. Completion, checks and
    /// errors are those of [`execute`](Conn::execute).
    ///
    /// The `Dump` holds the receive side of the connection until it is dropped; replies it
    /// leaves unread are dropped by sequence number later.
    pub fn dump(&self, request: &Message) -> Result<Dump<'_, S>, Error> {
        self.dump_parts(request.header, &request.data)
    }

    /// [`dump`](Conn::dump) with the request as a header and an encoded payload.
    pub fn dump_parts(&self, header: Header, payload: &[u8]) -> Result<Dump<'_, S>, Error> {
        let mut rx = lock(&self.rx);
        // Whatever an earlier call left in the buffer is not an answer to this request.
        rx.clear();
        let request = self.send_parts(header, payload)?;
        Ok(Dump {
            conn: self,
            rx,
            request,
            pos: 0,
            state: DumpState::Receiving,
            interrupted: false,
            got_data: false,
        })
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
    fn classify(&self, m: &MessageRef<'_>, request: &Header) -> Result<Step, Error> {
        let h = &m.header;
        if h.sequence != request.sequence
            || (h.pid != 0 && request.pid != 0 && h.pid != request.pid)
        {
            self.stale.fetch_add(1, Ordering::Relaxed);
            return Ok(Step::Stale);
        }
        match h.kind {
            HeaderType::ERROR => {
                let a = ack::parse_error(m)?;
                match a.to_op_error("execute", request.sequence) {
                    Some(e) => Err(e.into()),
                    None => Ok(Step::Ack),
                }
            }
            HeaderType::DONE => {
                let d = ack::parse_done(m)?;
                match d.to_op_error("execute", request.sequence) {
                    Some(e) => Err(e.into()),
                    None => Ok(Step::Done),
                }
            }
            HeaderType::NOOP => Ok(Step::Stale),
            _ => Ok(Step::Data),
        }
    }
}

fn padding(len: usize) -> usize {
    crate::enc::align(len).unwrap_or(len).saturating_sub(len)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DumpState {
    /// More replies are expected.
    Receiving,
    /// The reply is complete; what is left of the buffer is still read.
    Finished,
    /// An error ended the stream.
    Failed,
}

/// The replies to one request, streamed from one reused buffer (see [`Conn::dump`]).
///
/// [`next_ref`](Dump::next_ref) borrows each message from the buffer; the [`Iterator`] impl
/// yields owned copies. After the last reply, a dump that saw `NLM_F_DUMP_INTR` yields one
/// [`Error::DumpInterrupted`] (with an empty `partial`: the messages were already yielded).
pub struct Dump<'c, S: Socket = NetlinkSocket> {
    conn: &'c Conn<S>,
    rx: MutexGuard<'c, Vec<u8>>,
    request: Header,
    pos: usize,
    state: DumpState,
    interrupted: bool,
    got_data: bool,
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

impl<S: Socket> Dump<'_, S> {
    /// The request as it was sent (length, sequence and port id filled in).
    pub fn request(&self) -> &Header {
        &self.request
    }

    /// Whether a reply so far carried `NLM_F_DUMP_INTR`.
    pub fn interrupted(&self) -> bool {
        self.interrupted
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
                    data: self.rx.get(data_start..end).unwrap_or_default(),
                    offset: 0,
                }))
            }
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }

    fn fail(&mut self, e: Error) -> Result<Option<(usize, Header)>, Error> {
        self.state = DumpState::Failed;
        self.rx.clear();
        self.pos = 0;
        Err(e)
    }

    /// Moves to the next reply to hand out and returns its offset in the buffer and its
    /// (already validated) header.
    fn advance(&mut self) -> Result<Option<(usize, Header)>, Error> {
        loop {
            if self.pos >= self.rx.len() {
                match self.state {
                    DumpState::Failed => return Ok(None),
                    DumpState::Finished if self.interrupted => {
                        self.state = DumpState::Failed;
                        return Err(Error::DumpInterrupted {
                            partial: Vec::new(),
                        });
                    }
                    DumpState::Finished => return Ok(None),
                    DumpState::Receiving => {}
                }
                self.pos = 0;
                if let Err(e) = self.conn.recv_datagram(&mut self.rx) {
                    return self.fail(e);
                }
                continue;
            }
            let rest = self.rx.get(self.pos..).unwrap_or_default();
            let (m, tail) = match MessageRef::parse(rest) {
                Ok(x) => x,
                Err(e) => return self.fail(e.into()),
            };
            let start = self.pos;
            self.pos = self.rx.len().saturating_sub(tail.len());
            if m.header.flags.contains(HeaderFlags::DUMP_INTERRUPTED)
                && m.header.sequence == self.request.sequence
            {
                self.interrupted = true;
            }
            match self.conn.classify(&m, &self.request) {
                Err(e) => return self.fail(e),
                Ok(Step::Stale) => {}
                Ok(Step::Done) => self.state = DumpState::Finished,
                Ok(Step::Ack) => {
                    self.state = DumpState::Finished;
                    if !self.got_data {
                        return Ok(Some((start, m.header)));
                    }
                }
                Ok(Step::Data) => {
                    self.got_data = true;
                    if !m.header.flags.contains(HeaderFlags::MULTI)
                        && !self.request.flags.contains(HeaderFlags::ACKNOWLEDGE)
                    {
                        self.state = DumpState::Finished;
                    }
                    return Ok(Some((start, m.header)));
                }
            }
        }
    }
}

impl<S: Socket> Iterator for Dump<'_, S> {
    type Item = Result<Message, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|m| m.to_owned()))
    }
}

impl<S: Socket> std::iter::FusedIterator for Dump<'_, S> {}
