//! The socket layer: the [`Socket`] trait that a [`Conn`](crate::Conn) drives, and (the only
//! place in the crate with `unsafe`) its implementation over real `AF_NETLINK` sockets,
//! [`NetlinkSocket`].
//!
//! The descriptor is non-blocking; waiting happens in `poll(2)` on the socket and on an
//! `eventfd(2)`, so that [`Socket::close`] (netlink sockets ignore `shutdown(2)`) wakes a
//! receiver blocked in another thread at once, and so that timeouts are exact. `EINTR` is
//! retried within the remaining time. Every read checks `MSG_TRUNC`.
//!
//! Reads use `recvmmsg(2)` for up to two datagrams at once: a reply and the acknowledgement
//! that follows it (or two parts of a dump) cost one system call. The second datagram waits in
//! the socket's read-ahead slot for the next [`Socket::recv`].

use std::ffi::c_void;
use std::mem::size_of;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::datagrams::Datagrams;
use crate::debug;
use crate::error::{Error, OpError};

mod control;
#[cfg(feature = "tokio")]
mod nonblocking;
mod recv;
#[cfg(feature = "tokio")]
pub(crate) use nonblocking::{ReadinessGate, MAX_RECV_BATCH};

/// What [`Socket::recv`] learned about a datagram besides its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecvInfo {
    /// Length of the datagram now in the buffer.
    pub len: usize,
    /// Port id of the sender (`nl_pid` of its address): 0 for the kernel.
    pub sender_pid: u32,
    /// Multicast group bitmask of the sender address (`nl_groups`).
    pub sender_groups: u32,
    /// The multicast group the datagram was sent to (`NETLINK_PKTINFO`), when enabled.
    pub group: Option<u32>,
    /// The id of the namespace the datagram came from (`NETLINK_LISTEN_ALL_NSID`), when enabled.
    pub nsid: Option<i32>,
}

/// A netlink socket: the transport under a [`Conn`](crate::Conn) (the Go package's `Socket`).
///
/// The real one, [`NetlinkSocket`], talks to the kernel; the `testing` module (cargo feature
/// `testing`) offers fakes for tests.
pub trait Socket: Send + Sync {
    /// Sends one datagram holding one or more encoded messages, waiting for room in the
    /// socket's send buffer until `deadline` if one is given.
    fn send(&self, datagram: &[u8], deadline: Option<Instant>) -> Result<(), Error>;

    /// Receives one datagram into `buf` (replacing its contents, growing it when the datagram
    /// is larger), waiting until `deadline` if one is given ([`Error::Timeout`] then).
    ///
    /// A datagram that did not fit is lost; it is reported as [`Error::Truncated`] with the
    /// header of its first message when the part read holds one, so that the connection can
    /// tell which call it answered. `ENOBUFS` is [`Error::Overrun`].
    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error>;

    /// The port id the socket is bound to.
    fn pid(&self) -> u32;

    /// Closes the socket, waking any receiver blocked in another thread. Later calls fail with
    /// [`Error::Closed`].
    fn close(&self) -> Result<(), Error>;

    /// Receives one or more datagrams into the slots of `batch` (replacing what it held),
    /// waiting until `deadline` for the first one; returns how many. The real socket reads up
    /// to [`MAX_SLOTS`](crate::datagrams::MAX_SLOTS) with one `recvmmsg(2)`; this default reads
    /// one with [`recv`](Socket::recv).
    fn recv_batch(&self, batch: &mut Datagrams, deadline: Option<Instant>) -> Result<usize, Error> {
        batch.clear();
        let mut scratch = std::mem::take(&mut batch.scratch);
        let result = self.recv(&mut scratch, deadline);
        let out = result.map(|info| usize::from(batch.push_copy(&scratch, info)));
        batch.scratch = scratch;
        out
    }

    /// The kernel receive buffer in bytes as `getsockopt(SO_RCVBUF)` reports it, when the
    /// socket has one (the batch window is sized from it).
    fn read_buffer_len(&self) -> Option<usize> {
        None
    }

    /// The kernel send buffer in bytes (`SO_SNDBUF`), when the socket has one: a datagram may
    /// be at most this long, less 32 bytes.
    fn write_buffer_len(&self) -> Option<usize> {
        None
    }

    /// Whether error messages echo only the request's header (`NETLINK_CAP_ACK`), when known.
    fn acks_capped(&self) -> Option<bool> {
        None
    }
}

impl<T: Socket + ?Sized> Socket for Box<T> {
    fn recv_batch(&self, batch: &mut Datagrams, deadline: Option<Instant>) -> Result<usize, Error> {
        (**self).recv_batch(batch, deadline)
    }
    fn read_buffer_len(&self) -> Option<usize> {
        (**self).read_buffer_len()
    }
    fn write_buffer_len(&self) -> Option<usize> {
        (**self).write_buffer_len()
    }
    fn acks_capped(&self) -> Option<bool> {
        (**self).acks_capped()
    }
    fn send(&self, datagram: &[u8], deadline: Option<Instant>) -> Result<(), Error> {
        (**self).send(datagram, deadline)
    }
    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error> {
        (**self).recv(buf, deadline)
    }
    fn pid(&self) -> u32 {
        (**self).pid()
    }
    fn close(&self) -> Result<(), Error> {
        (**self).close()
    }
}

impl<T: Socket + ?Sized> Socket for Arc<T> {
    fn recv_batch(&self, batch: &mut Datagrams, deadline: Option<Instant>) -> Result<usize, Error> {
        (**self).recv_batch(batch, deadline)
    }
    fn read_buffer_len(&self) -> Option<usize> {
        (**self).read_buffer_len()
    }
    fn write_buffer_len(&self) -> Option<usize> {
        (**self).write_buffer_len()
    }
    fn acks_capped(&self) -> Option<bool> {
        (**self).acks_capped()
    }
    fn send(&self, datagram: &[u8], deadline: Option<Instant>) -> Result<(), Error> {
        (**self).send(datagram, deadline)
    }
    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error> {
        (**self).recv(buf, deadline)
    }
    fn pid(&self) -> u32 {
        (**self).pid()
    }
    fn close(&self) -> Result<(), Error> {
        (**self).close()
    }
}

// Constants of <linux/netlink.h> and <asm-generic/socket.h>, spelled out here because not every
// libc target exports them.
pub(crate) const SOL_NETLINK: i32 = 270;
pub(crate) const NETLINK_ADD_MEMBERSHIP: i32 = 1;
pub(crate) const NETLINK_DROP_MEMBERSHIP: i32 = 2;
pub(crate) const NETLINK_PKTINFO: i32 = 3;
pub(crate) const NETLINK_BROADCAST_ERROR: i32 = 4;
pub(crate) const NETLINK_NO_ENOBUFS: i32 = 5;
pub(crate) const NETLINK_LISTEN_ALL_NSID: i32 = 8;
pub(crate) const NETLINK_CAP_ACK: i32 = 10;
pub(crate) const NETLINK_EXT_ACK: i32 = 11;
pub(crate) const NETLINK_GET_STRICT_CHK: i32 = 12;
const SO_SNDBUFFORCE: i32 = 32;
const SO_RCVBUFFORCE: i32 = 33;
const SO_ATTACH_FILTER: i32 = 26;
const SO_DETACH_FILTER: i32 = 27;

/// The default size of the user-space receive buffer: the largest datagram the kernel builds
/// for a dump (it sizes dump datagrams from the reader's buffer, up to 32 KiB).
pub const DEFAULT_RECV_SIZE: usize = 32 * 1024;

/// An operation error for a failed system call.
pub(crate) fn os_error(op: &'static str, errno: i32) -> Error {
    Error::Op(OpError {
        op,
        errno,
        sequence: 0,
        capped: false,
        ext_ack: Default::default(),
    })
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Converts a `-1`-on-error return value.
fn check(op: &'static str, r: libc::c_int) -> Result<libc::c_int, Error> {
    if r < 0 {
        Err(os_error(op, last_errno()))
    } else {
        Ok(r)
    }
}

/// Wraps a freshly returned descriptor.
fn owned_fd(op: &'static str, fd: libc::c_int) -> Result<OwnedFd, Error> {
    let fd = check(op, fd)?;
    // SAFETY: `fd` was just returned by the kernel, is valid and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(size_of::<T>()).unwrap_or(libc::socklen_t::MAX)
}

fn zeroed_sockaddr_nl() -> libc::sockaddr_nl {
    // SAFETY: `sockaddr_nl` is plain old data (integers and padding); all zeroes is a valid value.
    unsafe { std::mem::zeroed() }
}

/// A real `AF_NETLINK` socket.
///
/// Created by [`Conn::dial`](crate::Conn::dial) (or [`NetlinkSocket::open`]): non-blocking,
/// close-on-exec, bound, with an `eventfd` that [`close`](Socket::close) signals. The
/// descriptors stay open until the value is dropped, so that a closed socket can never read
/// from a descriptor number the process has since reused.
///
/// A receive may read one datagram ahead (see the module documentation); code that reads the
/// descriptor itself (through [`AsFd`]) does not see that datagram.
///
/// Join multicast groups through [`join_group`](NetlinkSocket::join_group) (or
/// [`set_int_option`](NetlinkSocket::set_int_option), or the bind groups of
/// [`open`](NetlinkSocket::open)), not with `setsockopt` on the descriptor: a socket that
/// [only takes unicast from the kernel](NetlinkSocket::connect_kernel) and joined no group
/// receives many datagrams at a time without asking for their sender addresses.
#[derive(Debug)]
pub struct NetlinkSocket {
    fd: OwnedFd,
    wake: OwnedFd,
    closed: AtomicBool,
    pid: u32,
    family: i32,
    recv_size: AtomicUsize,
    peek: AtomicBool,
    ahead: std::sync::Mutex<ReadAhead>,
    /// Connected to the kernel's port 0: the kernel refuses unicast from any other sender.
    kernel_only: AtomicBool,
    /// Bound to or joined a multicast group at some point.
    multicast: AtomicBool,
}

impl NetlinkSocket {
    /// Opens a socket of protocol `family` (`NETLINK_ROUTE`, ...) in the calling thread's
    /// network namespace, binds it to port id `pid` (0: the kernel picks one) and to the
    /// multicast `groups` bitmask, and reads back the port id.
    pub fn open(family: i32, pid: u32, groups: u32) -> Result<NetlinkSocket, Error> {
        // SAFETY: plain system call with integer arguments.
        let fd = owned_fd("dial", unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                family,
            )
        })?;
        // SAFETY: plain system call with integer arguments.
        let wake = owned_fd("dial", unsafe {
            libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK)
        })?;

        let mut addr = zeroed_sockaddr_nl();
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_pid = pid;
        addr.nl_groups = groups;
        // SAFETY: `addr` is a valid `sockaddr_nl` and the length passed is its size.
        check("dial", unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const addr).cast::<libc::sockaddr>(),
                socklen::<libc::sockaddr_nl>(),
            )
        })?;

        let mut bound = zeroed_sockaddr_nl();
        let mut len = socklen::<libc::sockaddr_nl>();
        // SAFETY: `bound` is writable for `len` bytes and `len` is a valid in/out length.
        check("dial", unsafe {
            libc::getsockname(
                fd.as_raw_fd(),
                (&raw mut bound).cast::<libc::sockaddr>(),
                &mut len,
            )
        })?;

        Ok(NetlinkSocket {
            fd,
            wake,
            closed: AtomicBool::new(false),
            pid: bound.nl_pid,
            family,
            recv_size: AtomicUsize::new(DEFAULT_RECV_SIZE),
            peek: AtomicBool::new(false),
            ahead: std::sync::Mutex::new(ReadAhead::default()),
            kernel_only: AtomicBool::new(false),
            multicast: AtomicBool::new(groups != 0),
        })
    }

    /// Connects the socket to the kernel (`connect(2)` to port id 0): from then on the kernel
    /// refuses unicast datagrams from every other socket (their sender gets `ECONNREFUSED`),
    /// so everything unicast that arrives comes from the kernel. Multicast still arrives for
    /// the groups joined, and sending is unchanged (datagrams without an address go to the
    /// kernel either way). A socket in this state that joined no group receives without
    /// asking for sender addresses ([`RecvInfo`] then reports port 0 and no groups, which is
    /// what every such datagram has): 40-odd nanoseconds less kernel work per datagram.
    /// [`Conn::dial`](crate::Conn::dial) does this unless the sender check is off.
    pub fn connect_kernel(&self) -> Result<(), Error> {
        let mut addr = zeroed_sockaddr_nl();
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `addr` is a valid `sockaddr_nl` and the length passed is its size.
        check("connect", unsafe {
            libc::connect(
                self.fd.as_raw_fd(),
                (&raw const addr).cast::<libc::sockaddr>(),
                socklen::<libc::sockaddr_nl>(),
            )
        })?;
        self.kernel_only.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether the socket is [connected to the kernel](NetlinkSocket::connect_kernel).
    pub fn is_kernel_only(&self) -> bool {
        self.kernel_only.load(Ordering::Acquire)
    }

    /// Whether received datagrams need their sender address: unless the kernel is the only
    /// possible sender (connected to it, no multicast group ever joined).
    fn needs_sender(&self) -> bool {
        !self.kernel_only.load(Ordering::Acquire) || self.multicast.load(Ordering::Acquire)
    }

    /// The protocol family the socket was opened with.
    pub fn family(&self) -> i32 {
        self.family
    }

    /// Sets the smallest user-space buffer a read uses (the buffer grows past it when a
    /// datagram is larger).
    pub fn set_recv_size(&self, bytes: usize) {
        self.recv_size.store(bytes.max(1), Ordering::Relaxed);
    }

    /// The smallest user-space buffer a read uses.
    pub fn recv_size(&self) -> usize {
        self.recv_size.load(Ordering::Relaxed)
    }

    /// Makes every read peek at the datagram's size first (`MSG_PEEK | MSG_TRUNC`), so that an
    /// oversized datagram grows the buffer and is read again instead of being lost. This costs
    /// a second system call per datagram; it turns itself on after the first truncation.
    pub fn set_peek(&self, on: bool) {
        self.peek.store(on, Ordering::Relaxed);
    }

    /// Whether reads peek at the datagram's size first.
    pub fn peek(&self) -> bool {
        self.peek.load(Ordering::Relaxed)
    }

    /// Sets an integer socket option.
    pub fn set_int_option(&self, level: i32, name: i32, value: i32) -> Result<(), Error> {
        self.setsockopt("set_option", level, name, &value)
    }

    /// Reads an integer socket option.
    pub fn int_option(&self, level: i32, name: i32) -> Result<i32, Error> {
        let mut value: libc::c_int = 0;
        let mut len = socklen::<libc::c_int>();
        // SAFETY: `value` is writable for `len` bytes and `len` is a valid in/out length.
        check("get_option", unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw mut value).cast::<c_void>(),
                &mut len,
            )
        })?;
        Ok(value)
    }

    fn setsockopt<T>(
        &self,
        op: &'static str,
        level: i32,
        name: i32,
        value: &T,
    ) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed { op });
        }
        if level == SOL_NETLINK && name == NETLINK_ADD_MEMBERSHIP {
            // Every way of joining a group passes here. Before the call: a group event may
            // arrive as soon as it returns, and must be read with its sender address.
            self.multicast.store(true, Ordering::Release);
        }
        // SAFETY: `value` points to a live `T` of exactly the length passed.
        check(op, unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (value as *const T).cast::<c_void>(),
                socklen::<T>(),
            )
        })
        .map(|_| ())
    }

    /// Joins multicast group `group` (`NETLINK_ADD_MEMBERSHIP`; any group number, including
    /// those above 32 that the bind bitmask cannot name).
    pub fn join_group(&self, group: u32) -> Result<(), Error> {
        self.setsockopt("join_group", SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group)
    }

    /// Leaves multicast group `group` (`NETLINK_DROP_MEMBERSHIP`).
    pub fn leave_group(&self, group: u32) -> Result<(), Error> {
        self.setsockopt("leave_group", SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &group)
    }

    /// Attaches a classic BPF program (`SO_ATTACH_FILTER`).
    pub fn set_bpf(&self, filter: &[libc::sock_filter]) -> Result<(), Error> {
        let len = u16::try_from(filter.len()).map_err(|_| os_error("set_bpf", libc::EINVAL))?;
        let prog = libc::sock_fprog {
            len,
            filter: filter.as_ptr().cast_mut(),
        };
        // The kernel copies the program during the call and never writes through the pointer.
        self.setsockopt("set_bpf", libc::SOL_SOCKET, SO_ATTACH_FILTER, &prog)
    }

    /// Detaches the BPF program (`SO_DETACH_FILTER`).
    pub fn remove_bpf(&self) -> Result<(), Error> {
        self.setsockopt("remove_bpf", libc::SOL_SOCKET, SO_DETACH_FILTER, &0i32)
    }

    /// Sets the kernel's receive buffer size: `SO_RCVBUFFORCE` (which lifts the `rmem_max`
    /// limit for privileged processes) and `SO_RCVBUF` when that is refused.
    pub fn set_read_buffer(&self, bytes: usize) -> Result<(), Error> {
        let v = i32::try_from(bytes).unwrap_or(i32::MAX);
        self.setsockopt("set_read_buffer", libc::SOL_SOCKET, SO_RCVBUFFORCE, &v)
            .or_else(|_| self.setsockopt("set_read_buffer", libc::SOL_SOCKET, libc::SO_RCVBUF, &v))
    }

    /// Sets the kernel's send buffer size: `SO_SNDBUFFORCE`, then `SO_SNDBUF`.
    pub fn set_write_buffer(&self, bytes: usize) -> Result<(), Error> {
        let v = i32::try_from(bytes).unwrap_or(i32::MAX);
        self.setsockopt("set_write_buffer", libc::SOL_SOCKET, SO_SNDBUFFORCE, &v)
            .or_else(|_| self.setsockopt("set_write_buffer", libc::SOL_SOCKET, libc::SO_SNDBUF, &v))
    }

    /// The kernel's receive buffer size (`SO_RCVBUF`; the kernel doubles the requested value
    /// for its bookkeeping).
    pub fn read_buffer(&self) -> Result<usize, Error> {
        let v = self.int_option(libc::SOL_SOCKET, libc::SO_RCVBUF)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// The kernel's send buffer size (`SO_SNDBUF`).
    pub fn write_buffer(&self) -> Result<usize, Error> {
        let v = self.int_option(libc::SOL_SOCKET, libc::SO_SNDBUF)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// Sends one datagram to another netlink socket: port id `pid` (0: the kernel) and the
    /// multicast `groups` bitmask (sending to groups needs privileges). Does not wait.
    pub fn send_to(&self, datagram: &[u8], pid: u32, groups: u32) -> Result<(), Error> {
        if self.is_closed() {
            return Err(Error::Closed { op: "send" });
        }
        debug::on_send(datagram);
        let mut addr = zeroed_sockaddr_nl();
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_pid = pid;
        addr.nl_groups = groups;
        self.send_raw(datagram, Some(&addr))
            .map_err(|errno| os_error("send", errno))
    }

    /// One `sendto(2)` of `datagram` with `MSG_DONTWAIT`, to `to` or (without an address) to
    /// the kernel, retried on `EINTR`; other failures (`EAGAIN` included) are returned as
    /// their errno. Every send of the socket is this call.
    #[inline]
    fn send_raw(&self, datagram: &[u8], to: Option<&libc::sockaddr_nl>) -> Result<(), i32> {
        let (addr, addr_len) = match to {
            Some(a) => (
                (a as *const libc::sockaddr_nl).cast::<libc::sockaddr>(),
                socklen::<libc::sockaddr_nl>(),
            ),
            None => (std::ptr::null(), 0),
        };
        loop {
            // SAFETY: `datagram` is a live slice of the length passed; `addr` is null with a
            // zero length, or points to a live `sockaddr_nl` of the length passed.
            let r = unsafe {
                libc::sendto(
                    self.fd.as_raw_fd(),
                    datagram.as_ptr().cast::<c_void>(),
                    datagram.len(),
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
                    addr,
                    addr_len,
                )
            };
            if r >= 0 {
                return Ok(());
            }
            match last_errno() {
                libc::EINTR => continue,
                errno => return Err(errno),
            }
        }
    }

    /// Whether [`close`](Socket::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Waits until the socket is ready for `events` (or in error), the socket is closed, or the
    /// deadline passes. `EINTR` is retried with the remaining time.
    fn wait(&self, op: &'static str, events: i16, deadline: Option<Instant>) -> Result<(), Error> {
        loop {
            if self.is_closed() {
                return Err(Error::Closed { op });
            }
            let timeout_ms: libc::c_int = match deadline {
                None => -1,
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(Error::Timeout { op });
                    }
                    let left = d.duration_since(now);
                    // Round up so that the wait never ends before the deadline.
                    let ms = left.as_micros().div_ceil(1000);
                    libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
                }
            };
            let mut fds = [
                libc::pollfd {
                    fd: self.fd.as_raw_fd(),
                    events,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.wake.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: `fds` is a live array of two `pollfd`s, and 2 is its length.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout_ms) };
            if r < 0 {
                match last_errno() {
                    libc::EINTR => continue,
                    errno => return Err(os_error(op, errno)),
                }
            }
            let [sock, wake] = fds;
            if wake.revents != 0 || self.is_closed() {
                return Err(Error::Closed { op });
            }
            if sock.revents != 0 {
                return Ok(());
            }
        }
    }

    /// Notes a truncated datagram of `full` bytes: later reads use a buffer that fits it and
    /// peek at sizes first.
    fn grow_after_truncation(&self, full: usize) {
        let grown = full
            .div_ceil(4096)
            .saturating_mul(4096)
            .max(self.recv_size());
        self.recv_size.store(grown, Ordering::Relaxed);
        self.set_peek(true);
    }

    /// The peeking receive: learn the datagram's size without consuming it, grow the buffer
    /// if needed, then read it.
    fn recv_peeking(&self, buf: &mut Vec<u8>) -> Result<Result<RecvInfo, Error>, i32> {
        loop {
            let peeked = self.recvmsg(buf, libc::MSG_PEEK)?;
            if peeked.truncated {
                self.grow_after_truncation(peeked.full);
                buf.clear();
                continue;
            }
            // The datagram fits: consume it for real.
            match self.recvmsg(buf, 0) {
                Ok(r) if !r.truncated => return Ok(Ok(r.info)),
                // Another reader took the peeked datagram, and the one consumed instead was
                // larger: it is lost, and that is an error, never a silent drop.
                Ok(r) => {
                    self.grow_after_truncation(r.full);
                    let capacity = buf.capacity();
                    let header = first_header(buf);
                    buf.clear();
                    return Ok(Err(Error::Truncated {
                        len: r.full,
                        capacity,
                        header,
                    }));
                }
                // Another reader took it first: start over.
                Err(libc::EAGAIN) => continue,
                Err(errno) => return Err(errno),
            }
        }
    }
}

/// The header of the first message in a (possibly cut) datagram, if it holds one.
fn first_header(datagram: &[u8]) -> Option<crate::message::Header> {
    crate::message::Header::from_bytes(datagram).ok()
}

/// A datagram (or the error that replaced it) read ahead by [`NetlinkSocket::recvmmsg2`] and
/// handed out by the next receive.
#[derive(Debug, Default)]
struct ReadAhead {
    buf: Vec<u8>,
    info: Option<RecvInfo>,
    error: Option<Error>,
}

impl Socket for NetlinkSocket {
    fn send(&self, datagram: &[u8], deadline: Option<Instant>) -> Result<(), Error> {
        debug::on_send(datagram);
        let mut again = 0u32;
        loop {
            if self.is_closed() {
                return Err(Error::Closed { op: "send" });
            }
            match self.send_raw(datagram, None) {
                Ok(()) => return Ok(()),
                Err(libc::EAGAIN) => {
                    self.wait("send", libc::POLLOUT, deadline)?;
                    // Our socket may be writable while the receiver is not: back off rather
                    // than spin when a retry fails again.
                    if again > 0 {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    again = again.saturating_add(1);
                }
                Err(errno) => return Err(os_error("send", errno)),
            }
        }
    }

    fn recv(&self, buf: &mut Vec<u8>, deadline: Option<Instant>) -> Result<RecvInfo, Error> {
        loop {
            if self.is_closed() {
                return Err(Error::Closed { op: "receive" });
            }
            // Holding the read-ahead lock across the (non-blocking) calls keeps datagrams in
            // order when several threads receive.
            let mut ahead = self
                .ahead
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(info) = ahead.info.take() {
                // Hand over the datagram read ahead by swapping buffers: no copy.
                std::mem::swap(buf, &mut ahead.buf);
                debug::on_recv(buf);
                return Ok(info);
            }
            if let Some(e) = ahead.error.take() {
                return Err(e);
            }
            let result = if self.peek() {
                match self.recv_peeking(buf) {
                    Ok(Err(e)) => return Err(e),
                    Ok(Ok(info)) => Ok(info),
                    Err(errno) => Err(errno),
                }
            } else {
                match self.recvmmsg2(buf, &mut ahead.buf) {
                    Ok((first, second)) => {
                        if let Some(second) = second {
                            if second.truncated {
                                self.grow_after_truncation(second.full);
                                ahead.error = Some(Error::Truncated {
                                    len: second.full,
                                    capacity: ahead.buf.capacity(),
                                    header: first_header(&ahead.buf),
                                });
                                ahead.buf.clear();
                            } else {
                                ahead.info = Some(second.info);
                            }
                        }
                        if first.truncated {
                            self.grow_after_truncation(first.full);
                            let capacity = buf.capacity();
                            let header = first_header(buf);
                            buf.clear();
                            return Err(Error::Truncated {
                                len: first.full,
                                capacity,
                                header,
                            });
                        }
                        Ok(first.info)
                    }
                    Err(errno) => Err(errno),
                }
            };
            drop(ahead);
            match result {
                Ok(info) => {
                    debug::on_recv(buf);
                    return Ok(info);
                }
                Err(libc::EINTR) => continue,
                Err(libc::EAGAIN) => self.wait("receive", libc::POLLIN, deadline)?,
                Err(libc::ENOBUFS) => return Err(Error::Overrun { op: "receive" }),
                Err(errno) => return Err(os_error("receive", errno)),
            }
        }
    }

    fn recv_batch(&self, batch: &mut Datagrams, deadline: Option<Instant>) -> Result<usize, Error> {
        batch.clear();
        loop {
            if self.is_closed() {
                return Err(Error::Closed { op: "receive" });
            }
            // The read-ahead lock keeps datagrams in order with other receivers; a datagram
            // read ahead by `recv` comes first.
            let mut ahead = self
                .ahead
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(info) = ahead.info.take() {
                debug::on_recv(&ahead.buf);
                return Ok(usize::from(batch.push_copy(&ahead.buf, info)));
            }
            if let Some(e) = ahead.error.take() {
                return Err(e);
            }
            let result = self.recvmmsg_into(batch);
            drop(ahead);
            match result {
                Ok(n) => {
                    if debug::enabled() {
                        for d in batch.iter().flatten() {
                            debug::on_recv(d.data);
                        }
                    }
                    return Ok(n);
                }
                Err(libc::EINTR) => continue,
                Err(libc::EAGAIN) => self.wait("receive", libc::POLLIN, deadline)?,
                Err(libc::ENOBUFS) => return Err(Error::Overrun { op: "receive" }),
                Err(errno) => return Err(os_error("receive", errno)),
            }
        }
    }

    fn read_buffer_len(&self) -> Option<usize> {
        self.read_buffer().ok()
    }

    fn write_buffer_len(&self) -> Option<usize> {
        self.write_buffer().ok()
    }

    fn acks_capped(&self) -> Option<bool> {
        self.int_option(SOL_NETLINK, NETLINK_CAP_ACK)
            .ok()
            .map(|v| v != 0)
    }

    fn pid(&self) -> u32 {
        self.pid
    }

    fn close(&self) -> Result<(), Error> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.wake_waiters()
    }
}

impl NetlinkSocket {
    /// Signals the eventfd that every wait polls, so that blocked receivers see the close.
    fn wake_waiters(&self) -> Result<(), Error> {
        let one: u64 = 1;
        loop {
            // SAFETY: `one` is a live 8-byte value, the size an eventfd write takes. The
            // counter is never read, so the eventfd stays readable and every later poll wakes
            // at once.
            let r = unsafe {
                libc::write(
                    self.wake.as_raw_fd(),
                    (&raw const one).cast::<c_void>(),
                    size_of::<u64>(),
                )
            };
            match check_wake_write(r, last_errno) {
                WakeWrite::Done => return Ok(()),
                WakeWrite::Retry => continue,
                // Blocked receivers were not woken: report it. They still see the closed flag
                // as soon as their poll returns (at their deadline at the latest).
                WakeWrite::Failed(errno) => return Err(os_error("close", errno)),
            }
        }
    }
}

/// What an eventfd write's return value means.
#[derive(Debug, PartialEq, Eq)]
enum WakeWrite {
    Done,
    Retry,
    Failed(i32),
}

/// Classifies the result `r` of an 8-byte eventfd write (`errno` is read only on failure).
fn check_wake_write(r: isize, errno: impl FnOnce() -> i32) -> WakeWrite {
    match usize::try_from(r) {
        Ok(8) => WakeWrite::Done,
        // An eventfd write is all or nothing: a short count is a failure too.
        Ok(_) => WakeWrite::Failed(libc::EIO),
        Err(_) => match errno() {
            libc::EINTR => WakeWrite::Retry,
            e => WakeWrite::Failed(e),
        },
    }
}

impl AsFd for NetlinkSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for NetlinkSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Moves the calling thread into the network namespace `ns` (`setns(2)`). Only the calling
/// thread changes; callers run this on a short-lived helper thread.
pub(crate) fn enter_netns(ns: BorrowedFd<'_>) -> Result<(), Error> {
    // SAFETY: plain system call on a live descriptor.
    check("netns", unsafe {
        libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET)
    })
    .map(|_| ())
}

/// Moves the calling thread into a new, empty network namespace (`unshare(CLONE_NEWNET)`).
pub(crate) fn unshare_netns() -> Result<(), Error> {
    // SAFETY: plain system call with an integer argument.
    check("netns", unsafe { libc::unshare(libc::CLONE_NEWNET) }).map(|_| ())
}

/// A random 32-bit value from `getrandom(2)`, or a mix of the time and process id when that
/// fails.
pub(crate) fn random_u32() -> u32 {
    let mut v: u32 = 0;
    // SAFETY: `v` is writable for the 4 bytes passed.
    let r = unsafe { libc::getrandom((&raw mut v).cast::<c_void>(), size_of::<u32>(), 0) };
    if r == 4 {
        return v;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or(0);
    nanos.rotate_left(13) ^ std::process::id().wrapping_mul(0x9E37_79B9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::thread::JoinHandleExt;
    use std::time::Duration;

    extern "C" fn ignore_signal(_: libc::c_int) {}

    #[test]
    fn every_way_of_joining_a_group_asks_for_sender_addresses() {
        // Connected to the kernel, no group: receives skip the sender address.
        type Join = fn(&NetlinkSocket) -> Result<(), Error>;
        let joins: [Join; 2] = [
            |s| s.join_group(1),
            |s| s.set_int_option(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1),
        ];
        for join in joins {
            let sock = NetlinkSocket::open(0, 0, 0).unwrap();
            sock.connect_kernel().unwrap();
            assert!(sock.is_kernel_only());
            assert!(!sock.needs_sender());
            join(&sock).unwrap();
            assert!(sock.needs_sender());
        }
        // Bound to a group from the start.
        let sock = NetlinkSocket::open(0, 0, 1).unwrap();
        sock.connect_kernel().unwrap();
        assert!(sock.needs_sender());
    }

    #[test]
    fn eintr_is_retried_within_the_deadline() {
        // SAFETY: installs a handler that does nothing, without SA_RESTART, so that a blocked
        // poll(2) returns EINTR; `sa` is fully initialised before use.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = ignore_signal as *const () as libc::sighandler_t;
            sa.sa_flags = 0;
            libc::sigemptyset(&mut sa.sa_mask);
            assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
        }
        let sock = Arc::new(NetlinkSocket::open(0, 0, 0).unwrap());
        let waiter = Arc::clone(&sock);
        let start = Instant::now();
        let handle = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let deadline = Instant::now() + Duration::from_millis(300);
            waiter.recv(&mut buf, Some(deadline))
        });
        let tid = handle.as_pthread_t();
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(20));
            // SAFETY: `tid` names a thread that is not joined yet, so it is still valid.
            unsafe { libc::pthread_kill(tid, libc::SIGUSR1) };
        }
        let res = handle.join().unwrap();
        assert!(
            matches!(res, Err(Error::Timeout { op: "receive" })),
            "{res:?}"
        );
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn user_to_user_datagram_reports_the_sender() {
        let a = NetlinkSocket::open(0, 0, 0).unwrap();
        let b = NetlinkSocket::open(0, 0, 0).unwrap();
        a.send_to(&[0u8; 20], b.pid(), 0).unwrap();
        let mut buf = Vec::new();
        let info = b
            .recv(&mut buf, Some(Instant::now() + Duration::from_secs(1)))
            .unwrap();
        assert_eq!(info.sender_pid, a.pid());
        assert_eq!(info.len, 20);
        assert_eq!(buf, vec![0u8; 20]);
    }

    #[test]
    fn closed_socket_refuses_work() {
        let s = NetlinkSocket::open(0, 0, 0).unwrap();
        s.close().unwrap();
        s.close().unwrap();
        assert!(s.is_closed());
        let mut buf = Vec::new();
        assert!(matches!(s.recv(&mut buf, None), Err(Error::Closed { .. })));
        assert!(matches!(s.send(&[0; 16], None), Err(Error::Closed { .. })));
        assert!(matches!(s.join_group(1), Err(Error::Closed { .. })));
    }

    #[test]
    fn a_failed_or_short_eventfd_write_is_an_error() {
        assert_eq!(check_wake_write(8, || 0), WakeWrite::Done);
        assert_eq!(check_wake_write(-1, || libc::EINTR), WakeWrite::Retry);
        assert_eq!(
            check_wake_write(-1, || libc::EAGAIN),
            WakeWrite::Failed(libc::EAGAIN)
        );
        assert_eq!(check_wake_write(4, || 0), WakeWrite::Failed(libc::EIO));
    }

    #[test]
    fn random_values_differ() {
        let v: std::collections::BTreeSet<u32> = (0..8).map(|_| random_u32()).collect();
        assert!(v.len() > 1);
    }
}
