//! The transport under an [`AsyncConn`](super::AsyncConn): the [`Transport`] trait and its
//! implementation over a real netlink socket registered with tokio's reactor, [`AsyncSocket`].

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{ready, Context, Poll};

use ::tokio::io::unix::AsyncFd;

use crate::error::Error;
use crate::socket::{os_error, NetlinkSocket, ReadinessGate, RecvInfo};

/// What an [`AsyncConn`](super::AsyncConn) sends through and receives from: a non-blocking
/// datagram socket whose waits go through the async runtime.
///
/// [`AsyncSocket`] talks to the kernel; the `testing` feature adds a fake,
/// `FakeTransport`. Every method returns at once: "nothing yet" is
/// `Ok(0)` from [`try_recv`](Transport::try_recv) and `Poll::Pending` (with `cx` registered for
/// a wake-up) from the `poll_*` methods.
///
/// The receive methods fill `bufs[i]` with datagram `i` (replacing its contents) and `infos[i]`
/// with what the socket said about it; a datagram larger than its buffer is cut to the buffer
/// and reported with `infos[i].len` set to its full length, larger than `bufs[i].len()`.
pub trait Transport: Send + Sync + 'static {
    /// The port id the socket is bound to.
    fn pid(&self) -> u32;

    /// Sends one datagram holding one or more messages, or registers `cx` to be woken when the
    /// socket has room for it.
    fn poll_send(&self, cx: &mut Context<'_>, datagram: &[u8]) -> Poll<Result<(), Error>>;

    /// Receives the datagrams already queued (at most `bufs.len()`), without waiting and
    /// without registering for a wake-up: `Ok(0)` when there are none.
    fn try_recv(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, Error>;

    /// Receives at least one datagram (at most `bufs.len()`), or registers `cx` to be woken
    /// when one arrives.
    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Poll<Result<usize, Error>>;

    /// The kernel socket underneath, for socket options; `None` for fakes.
    fn netlink_socket(&self) -> Option<&NetlinkSocket> {
        None
    }

    /// The connection waits for no datagram now (nothing it sent is due, nobody listens for
    /// events): a wake-up registered by an earlier [`poll_recv`](Transport::poll_recv) that
    /// has not fired may be dropped, and the transport may stop watching the socket until
    /// `poll_recv` next waits. The default does nothing.
    fn idle(&self) {}
}

/// A [`NetlinkSocket`] registered with tokio's reactor (`tokio::io::unix::AsyncFd`).
///
/// Sends are tried at once (a netlink socket almost always has room, and the kernel handles a
/// request inside `sendmsg`); receives use `recvmmsg(2)` for up to
/// [`Options::recv_batch`](super::Options::recv_batch) datagrams per system call, and wait for
/// readiness only when the socket is empty.
///
/// The reactor does not watch the socket itself but a one-shot `epoll` instance that holds
/// it only while the connection waits for a datagram (until [`Transport::idle`]): the kernel
/// signals readiness for every datagram it queues, and the replies the kernel writes inside
/// `sendmsg` are read at once, so watching the socket directly would wake a parked reactor
/// thread for each of them for nothing (a thread wake-up per datagram on a multi-thread
/// runtime), and a socket in any `epoll` set costs the kernel epoll's callback for each.
#[derive(Debug)]
pub struct AsyncSocket {
    /// What the reactor watches (declared first: dropped before the socket it watches).
    gate: AsyncFd<ReadinessGate>,
    sock: NetlinkSocket,
    /// The gate is armed and has not been seen firing.
    armed: AtomicBool,
}

impl AsyncSocket {
    /// Registers `sock` (non-blocking already) with the reactor of the current tokio runtime.
    /// Fails outside a runtime.
    pub fn new(sock: NetlinkSocket) -> Result<AsyncSocket, Error> {
        if ::tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::Op(crate::OpError::new("dial", libc::EINVAL)));
        }
        let gate = ReadinessGate::new(&sock).map_err(|e| os_error("dial", e))?;
        let gate = gate.register_async().map_err(|e| io_to_error("dial", &e))?;
        Ok(AsyncSocket {
            gate,
            sock,
            armed: AtomicBool::new(false),
        })
    }

    /// The socket underneath.
    pub fn socket(&self) -> &NetlinkSocket {
        &self.sock
    }

    fn recv_now(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, i32> {
        self.sock.recv_many_nowait(bufs, infos)
    }
}

fn io_to_error(op: &'static str, e: &io::Error) -> Error {
    os_error(op, e.raw_os_error().unwrap_or(libc::EIO))
}

fn recv_error(errno: i32) -> Error {
    match errno {
        libc::ENOBUFS => Error::Overrun { op: "receive" },
        errno => os_error("receive", errno),
    }
}

impl Transport for AsyncSocket {
    fn pid(&self) -> u32 {
        crate::socket::Socket::pid(&self.sock)
    }

    fn poll_send(&self, cx: &mut Context<'_>, datagram: &[u8]) -> Poll<Result<(), Error>> {
        match self.sock.send_nowait(datagram) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(libc::EAGAIN) => {
                // The send buffer is full. The kernel handles a request inside `sendmsg` and
                // frees its buffer then, so this takes concurrent senders filling it at once:
                // try again on the next turn (waiting on the gate would take the receive
                // side's single wake-up slot).
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Err(errno) => Poll::Ready(Err(os_error("send", errno))),
        }
    }

    fn try_recv(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, Error> {
        match self.recv_now(bufs, infos) {
            Ok(n) => Ok(n),
            Err(libc::EAGAIN) => Ok(0),
            Err(errno) => Err(recv_error(errno)),
        }
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Poll<Result<usize, Error>> {
        loop {
            match self.recv_now(bufs, infos) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(libc::EAGAIN) => {}
                Err(errno) => return Poll::Ready(Err(recv_error(errno))),
            }
            // Nothing queued: arm the gate (it fires at once if a datagram came meanwhile).
            if !self.armed.swap(true, Ordering::AcqRel) {
                if let Err(errno) = self.gate.get_ref().arm(true, false) {
                    self.armed.store(false, Ordering::Release);
                    return Poll::Ready(Err(os_error("receive", errno)));
                }
            }
            let mut guard = match ready!(self.gate.poll_read_ready(cx)) {
                Ok(g) => g,
                Err(e) => return Poll::Ready(Err(io_to_error("receive", &e))),
            };
            // The gate fired: take its event so that the next arming wakes the reactor anew,
            // and read again.
            guard.clear_ready();
            self.gate.get_ref().reset();
            self.armed.store(false, Ordering::Release);
        }
    }

    fn netlink_socket(&self) -> Option<&NetlinkSocket> {
        Some(&self.sock)
    }

    fn idle(&self) {
        // Out of the gate's epoll set: the kernel no longer runs epoll's callback for every
        // datagram it queues (the connection reads the replies right after `sendmsg`).
        if self.armed.swap(false, Ordering::AcqRel) {
            self.gate.get_ref().reset();
        }
    }
}

impl<T: Transport> Transport for std::sync::Arc<T> {
    fn pid(&self) -> u32 {
        (**self).pid()
    }
    fn poll_send(&self, cx: &mut Context<'_>, datagram: &[u8]) -> Poll<Result<(), Error>> {
        (**self).poll_send(cx, datagram)
    }
    fn try_recv(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, Error> {
        (**self).try_recv(bufs, infos)
    }
    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Poll<Result<usize, Error>> {
        (**self).poll_recv(cx, bufs, infos)
    }
    fn netlink_socket(&self) -> Option<&NetlinkSocket> {
        (**self).netlink_socket()
    }
    fn idle(&self) {
        (**self).idle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Conn, Family};
    use std::os::fd::AsRawFd;

    /// How many epoll sets of this process hold the descriptor `fd` (the `tfd:` lines of the
    /// epoll instances in fdinfo).
    fn watchers(fd: i32) -> usize {
        let mut n = 0;
        for e in std::fs::read_dir("/proc/self/fdinfo").unwrap().flatten() {
            let Ok(info) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            n += info
                .lines()
                .filter(|l| {
                    l.strip_prefix("tfd:")
                        .and_then(|r| r.split_whitespace().next())
                        .and_then(|v| v.parse::<i32>().ok())
                        == Some(fd)
                })
                .count();
        }
        n
    }

    #[tokio::test]
    async fn an_idle_socket_is_not_watched_by_epoll() {
        // A socket in an epoll set costs the kernel epoll's callback for every datagram
        // queued to it: watched only while the connection waits for a datagram.
        let sock = Conn::dial(Family::GENERIC, Config::default())
            .unwrap()
            .into_socket();
        let fd = sock.as_raw_fd();
        let t = AsyncSocket::new(sock).unwrap();
        assert_eq!(watchers(fd), 0, "registered, not waiting");
        let (mut bufs, mut infos) = (vec![Vec::new()], vec![RecvInfo::default()]);
        let pending = std::future::poll_fn(|cx| {
            Poll::Ready(t.poll_recv(cx, &mut bufs, &mut infos).is_pending())
        })
        .await;
        assert!(pending, "nothing to read");
        assert_eq!(watchers(fd), 1, "waiting for a datagram");
        t.idle();
        assert_eq!(watchers(fd), 0, "idle");
        t.idle();
        assert_eq!(watchers(fd), 0, "idle twice");
    }
}
