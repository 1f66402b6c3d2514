//! Non-blocking single system calls of [`NetlinkSocket`] for the async connection
//! (`crate::tokio`, feature `tokio`): part of the socket layer, the only place with `unsafe`.

use super::recv::Bufs;
use super::*;

/// The most datagrams [`NetlinkSocket::recv_many_nowait`] reads in one system call.
pub(crate) const MAX_RECV_BATCH: usize = 32;

/// Non-blocking single system calls for the async connection (`crate::tokio`), which waits for
/// readiness in the runtime's reactor instead of `poll(2)`. Errors are raw errnos (`EAGAIN`
/// included) so that the caller can tell "try again later" from a failure.
impl NetlinkSocket {
    /// One `send(2)` of `datagram` to the kernel with `MSG_DONTWAIT`, retried on `EINTR`.
    pub(crate) fn send_nowait(&self, datagram: &[u8]) -> Result<(), i32> {
        debug::on_send(datagram);
        self.send_raw(datagram, None)
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
        let mut rooms = Bufs {
            bufs: bufs.get_mut(..n).unwrap_or_default(),
            want: self.recv_size(),
        };
        let got = loop {
            let r = self.recv_rooms::<MAX_RECV_BATCH, _>(&mut rooms, 0, |i, r| {
                if let Some(o) = out.get_mut(i) {
                    *o = RecvInfo {
                        len: r.full,
                        ..r.info
                    };
                }
            });
            match r {
                Err(libc::EINTR) => continue,
                r => break r?,
            }
        };
        if debug::enabled() {
            for buf in rooms.bufs.iter().take(got) {
                debug::on_recv(buf);
            }
        }
        Ok(got)
    }
}

/// An `epoll(7)` instance that watches one netlink socket only while armed, with one-shot
/// interest: what the async connection registers with tokio's reactor instead of the socket
/// itself.
///
/// The kernel signals a socket's readiness on every datagram it queues (and on every send
/// whose buffer it frees), and a reactor thread parked in `epoll_wait` wakes up for each,
/// even when the datagram is one the connection reads at once because the kernel answered
/// inside `sendmsg`. On a multi-thread runtime that is a thread wake-up per datagram. The
/// gate becomes readable only once it is [armed](ReadinessGate::arm) and then the socket
/// becomes ready, so the reactor hears of the socket only when the connection waits for it.
///
/// While disarmed the socket is not in the epoll set at all (armed is `EPOLL_CTL_ADD`,
/// [`reset`](ReadinessGate::reset) is `EPOLL_CTL_DEL`): a socket in an epoll set, even with no
/// events asked for, runs epoll's wake-up callback under two locks for every datagram queued
/// to it, about 5% of the kernel's time per request when the kernel answers many small
/// requests, all for nothing when the connection reads the replies right after `sendmsg`.
#[derive(Debug)]
pub(crate) struct ReadinessGate {
    ep: OwnedFd,
    /// The socket watched (owned by whoever owns the gate; closing it removes it from `ep`).
    sock: RawFd,
}

impl AsRawFd for ReadinessGate {
    fn as_raw_fd(&self) -> RawFd {
        self.ep.as_raw_fd()
    }
}

impl ReadinessGate {
    /// An epoll instance for `sock`, disarmed (not holding it). The gate must not outlive the
    /// socket's descriptor being open (the kernel then forgets the socket; the gate stays
    /// silent).
    pub(crate) fn new(sock: &NetlinkSocket) -> Result<ReadinessGate, i32> {
        // SAFETY: no pointer arguments.
        let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if ep < 0 {
            return Err(last_errno());
        }
        // SAFETY: `epoll_create1` returned a new descriptor that nothing else owns.
        let ep = unsafe { OwnedFd::from_raw_fd(ep) };
        Ok(ReadinessGate {
            ep,
            sock: sock.fd.as_raw_fd(),
        })
    }

    fn ctl(&self, op: libc::c_int, events: u32) -> Result<(), i32> {
        let mut ev = libc::epoll_event {
            events: events | libc::EPOLLONESHOT as u32,
            u64: 0,
        };
        // SAFETY: `ev` is a live `epoll_event` for the duration of the call; both descriptors
        // are open (the socket's owner outlives the gate).
        let r = unsafe { libc::epoll_ctl(self.ep.as_raw_fd(), op, self.sock, &mut ev) };
        if r < 0 {
            return Err(last_errno());
        }
        Ok(())
    }

    /// Arms the gate for one event: it becomes readable when the socket has a datagram
    /// (`read`) or room to send (`write`), at once when it has already.
    pub(crate) fn arm(&self, read: bool, write: bool) -> Result<(), i32> {
        let mut events = 0;
        if read {
            events |= libc::EPOLLIN as u32;
        }
        if write {
            events |= libc::EPOLLOUT as u32;
        }
        match self.ctl(libc::EPOLL_CTL_ADD, events) {
            // Armed before and not reset since (its event may have been taken): arm anew.
            Err(libc::EEXIST) => self.ctl(libc::EPOLL_CTL_MOD, events),
            r => r,
        }
    }

    /// Takes the socket out of the epoll set, and with it the gate's pending event if any,
    /// so that the gate is quiet until armed again and a later event wakes the reactor anew.
    pub(crate) fn reset(&self) {
        // `ENOENT` (not armed) is the only failure possible with both descriptors open, and
        // it leaves the gate as wanted.
        let _ = self.ctl(libc::EPOLL_CTL_DEL, 0);
    }

    /// Registers the gate with the reactor of the current tokio runtime (which must exist),
    /// for readability only.
    pub(crate) fn register_async(
        self,
    ) -> Result<::tokio::io::unix::AsyncFd<ReadinessGate>, std::io::Error> {
        // SAFETY: a `ReadinessGate` owns its epoll descriptor (`OwnedFd`), closes it only when
        // dropped, and `as_raw_fd` always returns that descriptor; the `AsyncFd` owns the
        // gate, so the descriptor stays open and the same for the `AsyncFd`'s whole life.
        unsafe {
            ::tokio::io::unix::AsyncFd::register_with_interest(
                self,
                ::tokio::io::Interest::READABLE,
            )
        }
        .map_err(|e| e.into_parts().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Header, HeaderFlags, HeaderType, HEADER_LEN};

    /// How many descriptors the epoll instance `ep` watches (its `tfd:` lines in fdinfo).
    fn watched(ep: &OwnedFd) -> usize {
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", ep.as_raw_fd()))
            .expect("read the gate's fdinfo");
        info.lines().filter(|l| l.starts_with("tfd:")).count()
    }

    #[test]
    fn a_disarmed_gate_does_not_hold_the_socket() {
        // A socket in an epoll set runs epoll's callback for every datagram queued to it, so
        // the gate holds the socket only while armed.
        let sock = NetlinkSocket::open(0, 0, 0).unwrap();
        let gate = ReadinessGate::new(&sock).unwrap();
        assert_eq!(watched(&gate.ep), 0, "new gate");
        gate.arm(true, false).unwrap();
        assert_eq!(watched(&gate.ep), 1, "armed");
        // Armed twice without a reset (its event taken meanwhile): armed anew, not an error.
        gate.arm(true, false).unwrap();
        assert_eq!(watched(&gate.ep), 1, "armed again");
        gate.reset();
        assert_eq!(watched(&gate.ep), 0, "reset");
        // A reset of a disarmed gate is harmless.
        gate.reset();
        assert_eq!(watched(&gate.ep), 0, "reset twice");
    }

    #[test]
    fn an_armed_gate_fires_for_a_datagram_queued_before_arming() {
        let sock = NetlinkSocket::open(0, 0, 0).unwrap();
        sock.connect_kernel().unwrap();
        let gate = ReadinessGate::new(&sock).unwrap();
        // A request whose acknowledgement is queued while the gate is disarmed.
        let mut req = [0u8; HEADER_LEN];
        let header = Header {
            length: HEADER_LEN as u32,
            kind: HeaderType::NOOP,
            flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
            sequence: 1,
            pid: 0,
        };
        req.copy_from_slice(&header.to_bytes());
        sock.send_nowait(&req).unwrap();
        gate.arm(true, false).unwrap();
        let mut ev = [libc::epoll_event { events: 0, u64: 0 }];
        // SAFETY: `ev` has room for the one event asked for; zero timeout.
        let n = unsafe { libc::epoll_wait(gate.ep.as_raw_fd(), ev.as_mut_ptr(), 1, 0) };
        assert_eq!(
            n, 1,
            "the gate fires at once for the queued acknowledgement"
        );
        gate.reset();
        // SAFETY: as above.
        let n = unsafe { libc::epoll_wait(gate.ep.as_raw_fd(), ev.as_mut_ptr(), 1, 0) };
        assert_eq!(n, 0, "quiet once reset");
    }
}
