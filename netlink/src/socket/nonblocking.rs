//! Non-blocking single system calls of [`NetlinkSocket`] for the async connection
//! (`crate::tokio`, feature `tokio`): part of the socket layer, the only place with `unsafe`.

use super::*;

/// The most datagrams [`NetlinkSocket::recv_many_nowait`] reads in one system call.
pub(crate) const MAX_RECV_BATCH: usize = 32;

/// Non-blocking single system calls for the async connection (`crate::tokio`), which waits for
/// readiness in the runtime's reactor instead of `poll(2)`. Errors are raw errnos (`EAGAIN`
/// included) so that the caller can tell "try again later" from a failure.
impl NetlinkSocket {
    /// Registers the socket with the reactor of the current tokio runtime (which must exist).
    pub(crate) fn register_async(
        self,
    ) -> Result<::tokio::io::unix::AsyncFd<NetlinkSocket>, std::io::Error> {
        // SAFETY: a `NetlinkSocket` owns its descriptor (`OwnedFd`), closes it only when
        // dropped, and `as_raw_fd` always returns that descriptor; the `AsyncFd` owns the
        // socket, so the descriptor stays open and the same for the `AsyncFd`'s whole life.
        unsafe { ::tokio::io::unix::AsyncFd::register(self) }.map_err(|e| e.into_parts().1)
    }

    /// One `send(2)` of `datagram` to the kernel with `MSG_DONTWAIT`, retried on `EINTR`.
    pub(crate) fn send_nowait(&self, datagram: &[u8]) -> Result<(), i32> {
        debug::on_send(datagram);
        loop {
            // SAFETY: `datagram` is a live slice of the length passed.
            let r = unsafe {
                libc::send(
                    self.fd.as_raw_fd(),
                    datagram.as_ptr().cast::<c_void>(),
                    datagram.len(),
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
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

    /// One `recvmmsg(2)` of up to `bufs.len()` (at most [`MAX_RECV_BATCH`]) datagrams without
    /// waiting, retried on `EINTR`. Each buffer is first given room for
    /// [`recv_size`](NetlinkSocket::recv_size) bytes; `out[i]` gets the `RecvInfo` of datagram
    /// `i` with `len` set to its full length (more than `bufs[i].len()` when it was
    /// truncated). Returns how many datagrams were read (at least one).
    pub(crate) fn recv_many_nowait(
        &self,
        bufs: &mut [Vec<u8>],
        out: &mut [RecvInfo],
    ) -> Result<usize, i32> {
        let n = bufs.len().min(out.len()).min(MAX_RECV_BATCH);
        if n == 0 {
            return Ok(0);
        }
        let want = self.recv_size();
        // Arrays on the stack, only the first `n` entries initialised: no allocation and no
        // clearing per call.
        let mut slots: [MaybeUninit<Slot>; MAX_RECV_BATCH] =
            [const { MaybeUninit::uninit() }; MAX_RECV_BATCH];
        let mut msgs: [MaybeUninit<libc::mmsghdr>; MAX_RECV_BATCH] =
            [const { MaybeUninit::uninit() }; MAX_RECV_BATCH];
        for ((slot, msg), b) in slots
            .iter_mut()
            .zip(msgs.iter_mut())
            .zip(bufs.iter_mut())
            .take(n)
        {
            if b.capacity() < want {
                b.clear();
                b.reserve(want);
            }
            let slot = slot.write(Slot::new(b));
            // `slots` does not move below, so the pointers this `msghdr` holds stay valid.
            msg.write(libc::mmsghdr {
                msg_hdr: slot.msghdr(),
                msg_len: 0,
            });
        }
        let vlen = libc::c_uint::try_from(n).unwrap_or(1);
        let r = loop {
            // SAFETY: the first `vlen` entries of `msgs` are initialised `mmsghdr`s whose
            // pointers refer to live parts of `slots` and to the spare capacities of the first
            // `vlen` buffers (`iov_len` bytes each, written by the kernel before we read them);
            // no timeout pointer.
            let r = unsafe {
                libc::recvmmsg(
                    self.fd.as_raw_fd(),
                    msgs.as_mut_ptr().cast::<libc::mmsghdr>(),
                    vlen,
                    (libc::MSG_DONTWAIT | libc::MSG_TRUNC) as _,
                    std::ptr::null_mut(),
                )
            };
            if r >= 0 {
                break r;
            }
            match last_errno() {
                libc::EINTR => continue,
                errno => return Err(errno),
            }
        };
        let got = usize::try_from(r).unwrap_or(0).min(n);
        for (((slot, msg), buf), o) in slots
            .iter()
            .zip(&msgs)
            .zip(bufs.iter_mut())
            .zip(out.iter_mut())
            .take(got)
        {
            // SAFETY: the first `n` (>= `got`) entries of both arrays were initialised above.
            let (slot, msg) = unsafe { (slot.assume_init_ref(), msg.assume_init_ref()) };
            let received = slot.finish(&msg.msg_hdr, msg.msg_len as usize, buf);
            debug::on_recv(buf);
            *o = RecvInfo {
                len: received.full,
                ..received.info
            };
        }
        Ok(got)
    }
}
