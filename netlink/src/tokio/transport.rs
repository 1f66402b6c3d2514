//! The transport under an [`AsyncConn`](super::AsyncConn): the [`Transport`] trait and its
//! implementation over a real netlink socket registered with tokio's reactor, [`AsyncSocket`].

use std::io;
use std::task::{ready, Context, Poll};

use ::tokio::io::unix::AsyncFd;

use crate::error::Error;
use crate::socket::{os_error, NetlinkSocket, RecvInfo};

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
}

/// A [`NetlinkSocket`] registered with tokio's reactor (`tokio::io::unix::AsyncFd`).
///
/// Sends are tried at once (a netlink socket almost always has room, and the kernel handles a
/// request inside `sendmsg`); receives use `recvmmsg(2)` for up to
/// [`Options::recv_batch`](super::Options::recv_batch) datagrams per system call, and wait for
/// readiness only when the socket is empty.
#[derive(Debug)]
pub struct AsyncSocket {
    fd: AsyncFd<NetlinkSocket>,
}

impl AsyncSocket {
    /// Registers `sock` (non-blocking already) with the reactor of the current tokio runtime.
    /// Fails outside a runtime.
    pub fn new(sock: NetlinkSocket) -> Result<AsyncSocket, Error> {
        if ::tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::Op(crate::OpError::new("dial", libc::EINVAL)));
        }
        let fd = sock.register_async().map_err(|e| io_to_error("dial", &e))?;
        Ok(AsyncSocket { fd })
    }

    /// The socket underneath.
    pub fn socket(&self) -> &NetlinkSocket {
        self.fd.get_ref()
    }

    fn recv_now(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, i32> {
        self.fd.get_ref().recv_many_nowait(bufs, infos)
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
        crate::socket::Socket::pid(self.fd.get_ref())
    }

    fn poll_send(&self, cx: &mut Context<'_>, datagram: &[u8]) -> Poll<Result<(), Error>> {
        // Optimistic first try: the socket is writable nearly always.
        match self.fd.get_ref().send_nowait(datagram) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(libc::EAGAIN) => {}
            Err(errno) => return Poll::Ready(Err(os_error("send", errno))),
        }
        loop {
            let mut guard = match ready!(self.fd.poll_write_ready(cx)) {
                Ok(g) => g,
                Err(e) => return Poll::Ready(Err(io_to_error("send", &e))),
            };
            match guard.try_io(|s| {
                s.get_ref()
                    .send_nowait(datagram)
                    .map_err(io::Error::from_raw_os_error)
            }) {
                Ok(Ok(())) => return Poll::Ready(Ok(())),
                Ok(Err(e)) => return Poll::Ready(Err(io_to_error("send", &e))),
                Err(_would_block) => continue,
            }
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
            let mut guard = match ready!(self.fd.poll_read_ready(cx)) {
                Ok(g) => g,
                Err(e) => return Poll::Ready(Err(io_to_error("receive", &e))),
            };
            // `try_io` clears the readiness when the read would block, so that the next poll
            // waits for a new datagram.
            match guard.try_io(|_| {
                self.recv_now(bufs, infos)
                    .map_err(io::Error::from_raw_os_error)
            }) {
                Ok(Ok(n)) => return Poll::Ready(Ok(n)),
                Ok(Err(e)) => {
                    return Poll::Ready(Err(recv_error(e.raw_os_error().unwrap_or(libc::EIO))))
                }
                Err(_would_block) => continue,
            }
        }
    }

    fn netlink_socket(&self) -> Option<&NetlinkSocket> {
        Some(self.fd.get_ref())
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
}
