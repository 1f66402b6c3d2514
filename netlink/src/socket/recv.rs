//! Receiving with `recvmmsg(2)`, written once: [`NetlinkSocket::recv_rooms`] reads up to `N`
//! datagrams into [`Rooms`] (a row of `Vec`s, or the slots of a [`Datagrams`]) and decodes
//! each one's length, truncation, sender address and control messages. Every receive of the
//! socket goes through it: the peeking read (one datagram), the synchronous read of a reply and
//! the datagram after it (two), a batch (up to [`MAX_SLOTS`]) and the async connection's reads
//! (up to `MAX_RECV_BATCH`, in `nonblocking.rs`).

use std::borrow::BorrowMut;
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;

use super::control::parse_control;
use super::{last_errno, socklen, zeroed_sockaddr_nl, NetlinkSocket, RecvInfo};
use crate::datagrams::{Datagrams, MAX_SLOTS};

const CONTROL_LEN: usize = 64;

/// Room for the `NETLINK_PKTINFO` and `NETLINK_LISTEN_ALL_NSID` control messages, aligned for
/// `cmsghdr`.
#[repr(C, align(8))]
struct ControlBuf([MaybeUninit<u8>; CONTROL_LEN]);

/// One datagram received by [`NetlinkSocket::recv_rooms`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Received {
    /// Its full length: more than its room held (at least the room's length plus one) when it
    /// was truncated.
    pub(super) full: usize,
    /// What was learned about it; `len` is the number of bytes now in its room.
    pub(super) info: RecvInfo,
    /// Whether it did not fit its room (its tail is lost).
    pub(super) truncated: bool,
}

/// The memory one `recvmmsg(2)` writes datagrams into: one room per datagram, in order.
///
/// # Safety
///
/// Every I/O vector that [`iovecs`](Rooms::iovecs) yields must describe `iov_len` bytes that
/// are valid for writes, disjoint from the other rooms, and neither read, written, moved nor
/// freed by anything but the kernel until [`filled`](Rooms::filled) is next called or the value
/// is next borrowed (the receive makes its system call in between and nothing else).
pub(super) unsafe trait Rooms {
    /// The rooms' I/O vectors, in order. A receive of up to `N` datagrams asks for at most
    /// `N` of them (later rooms are left as they are).
    fn iovecs(&mut self) -> impl Iterator<Item = libc::iovec>;

    /// Records that room `i` holds `received`, in order (`i` = 0, 1, ... for each datagram).
    ///
    /// # Safety
    ///
    /// The kernel wrote the first `received.info.len` bytes of room `i` (at most its
    /// `iov_len`) since its I/O vector was taken.
    unsafe fn filled(&mut self, i: usize, received: &Received);
}

/// A row of buffers as [`Rooms`]: each is emptied and given capacity for at least `want`
/// bytes (its capacity is its room), and its length is set to the datagram it received.
pub(super) struct Bufs<'a, B> {
    pub(super) bufs: &'a mut [B],
    pub(super) want: usize,
}

// SAFETY: each room is the spare capacity of one buffer, emptied first (`capacity` bytes from
// the start of its allocation, which that buffer alone owns); the buffers are distinct values,
// so the rooms are disjoint, and `&mut self` keeps every buffer from being touched until the
// receive borrows it again for `filled`.
unsafe impl<B: BorrowMut<Vec<u8>>> Rooms for Bufs<'_, B> {
    #[inline]
    fn iovecs(&mut self) -> impl Iterator<Item = libc::iovec> {
        let want = self.want;
        self.bufs.iter_mut().map(move |b| {
            let b = b.borrow_mut();
            b.clear();
            if b.capacity() < want {
                b.reserve(want);
            }
            libc::iovec {
                iov_base: b.as_mut_ptr().cast::<c_void>(),
                iov_len: b.capacity(),
            }
        })
    }

    #[inline]
    unsafe fn filled(&mut self, i: usize, received: &Received) {
        if let Some(b) = self.bufs.get_mut(i) {
            let b = b.borrow_mut();
            let len = received.info.len.min(b.capacity());
            // SAFETY: the buffer was emptied when its room was taken and has not changed
            // since; the kernel initialised its first `len` bytes (the caller's promise), and
            // `len` is within its capacity.
            unsafe { b.set_len(len) };
        }
    }
}

// SAFETY: the rooms are the disjoint `slot_size`-byte chunks of the batch's own buffer, which
// `&mut self` keeps from being touched (or reallocated) until the receive borrows the batch
// again for `filled`.
unsafe impl Rooms for Datagrams {
    #[inline]
    fn iovecs(&mut self) -> impl Iterator<Item = libc::iovec> {
        // At least 4 KiB (`Datagrams::new`): never zero, which `chunks_exact_mut` refuses.
        let size = self.slot_size();
        self.buffer_mut()
            .chunks_exact_mut(size)
            .map(|c| libc::iovec {
                iov_base: c.as_mut_ptr().cast::<c_void>(),
                iov_len: c.len(),
            })
    }

    #[inline]
    unsafe fn filled(&mut self, _: usize, received: &Received) {
        // The buffer is initialised (zeroed once), so nothing here depends on what the kernel
        // wrote; slots are filled in order, as `push_filled` counts them.
        self.push_filled(received.full, received.info);
    }
}

/// An empty `msghdr`.
#[inline]
fn empty_msghdr() -> libc::msghdr {
    // SAFETY: `msghdr` is plain old data (integers, pointers, padding); all zeroes is a valid
    // (empty) value.
    unsafe { std::mem::zeroed() }
}

impl NetlinkSocket {
    /// One `recvmmsg(2)` of up to `N` datagrams into `rooms` (as many as it has, at most `N`),
    /// without waiting and with `flags` added (`MSG_PEEK`); `EINTR` and `EAGAIN` are returned
    /// to the caller. For each datagram, in order, `rooms` records it and `each` sees it.
    /// Returns how many were read: 0 only when `rooms` has none.
    ///
    /// Every datagram's full length is learned (`MSG_TRUNC`), so a truncated one is reported
    /// as such with its length. The sender address is asked for only when the socket
    /// [needs it](NetlinkSocket::needs_sender) (otherwise it reads as port 0, no groups, which
    /// is what the kernel would have written); control messages are parsed only when the
    /// kernel wrote some.
    #[inline]
    pub(super) fn recv_rooms<const N: usize, R: Rooms>(
        &self,
        rooms: &mut R,
        flags: i32,
        mut each: impl FnMut(usize, &Received),
    ) -> Result<usize, i32> {
        let names = self.needs_sender();
        // On the stack and left uninitialised: only the first `used` entries are written (in
        // full) and handed to the kernel, so a call costs nothing for the entries it does not
        // use and allocates nothing.
        let mut addrs: [MaybeUninit<libc::sockaddr_nl>; N] = [const { MaybeUninit::uninit() }; N];
        let mut iovs: [MaybeUninit<libc::iovec>; N] = [const { MaybeUninit::uninit() }; N];
        let mut controls: [MaybeUninit<ControlBuf>; N] = [const { MaybeUninit::uninit() }; N];
        let mut msgs: [MaybeUninit<libc::mmsghdr>; N] = [const { MaybeUninit::uninit() }; N];
        let mut used = 0usize;
        // The arrays come first in the zip, so that no room past the `N`th is asked for.
        for ((((iov, addr), control), m), room) in iovs
            .iter_mut()
            .zip(addrs.iter_mut())
            .zip(controls.iter_mut())
            .zip(msgs.iter_mut())
            .zip(rooms.iovecs())
        {
            let iov = iov.write(room);
            let mut hdr = empty_msghdr();
            // Without a name the kernel skips the address, and so does the receive: the entry
            // in `addrs` stays uninitialised and is never read.
            if names {
                let addr = addr.write(zeroed_sockaddr_nl());
                hdr.msg_name = (addr as *mut libc::sockaddr_nl).cast::<c_void>();
                hdr.msg_namelen = socklen::<libc::sockaddr_nl>();
            }
            hdr.msg_iov = iov as *mut libc::iovec;
            hdr.msg_iovlen = 1;
            hdr.msg_control = control.as_mut_ptr().cast::<c_void>();
            hdr.msg_controllen = CONTROL_LEN as _;
            m.write(libc::mmsghdr {
                msg_hdr: hdr,
                msg_len: 0,
            });
            used = used.saturating_add(1);
        }
        if used == 0 {
            return Ok(0);
        }
        let vlen = libc::c_uint::try_from(used).unwrap_or(0);
        // SAFETY: the first `used` (= `vlen`) entries of `msgs` are initialised and point to
        // initialised entries of `iovs`, to initialised entries of `addrs` (or to none,
        // without `names`) and to entries of `controls` (locals that do not move during the
        // call; the kernel only writes the control buffers, up to the `CONTROL_LEN` bytes
        // given) and, through the I/O vectors, to rooms valid for writes of `iov_len` bytes
        // that nothing else touches during the call (the contract of `Rooms`); the kernel
        // reads no entry past `vlen`; no timeout pointer.
        let r = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                msgs.as_mut_ptr().cast::<libc::mmsghdr>(),
                vlen,
                (flags | libc::MSG_DONTWAIT | libc::MSG_TRUNC) as _,
                std::ptr::null_mut(),
            )
        };
        if r < 0 {
            return Err(last_errno());
        }
        let got = usize::try_from(r).unwrap_or(0).min(used);
        // Indexed up to the constant `N` (rather than zipped), so that the compiler unrolls
        // the loop when `N` is small: a receive of two datagrams then decodes each in line.
        for i in 0..N {
            if i >= got {
                break;
            }
            let (Some(m), Some(addr), Some(iov), Some(control)) =
                (msgs.get(i), addrs.get(i), iovs.get(i), controls.get(i))
            else {
                break;
            };
            // SAFETY: entries below `got <= used` of `msgs` and `iovs` were initialised above
            // (and updated in place by the kernel).
            let (m, iov) = unsafe { (m.assume_init_ref(), iov.assume_init_ref()) };
            let sender = if names {
                // SAFETY: with `names`, entries below `got <= used` of `addrs` were initialised
                // above too (and the kernel wrote the sender's address over them).
                let addr = unsafe { addr.assume_init_ref() };
                (addr.nl_pid, addr.nl_groups)
            } else {
                // The kernel is the only possible sender: port 0, no groups.
                (0, 0)
            };
            let received = decode(&m.msg_hdr, m.msg_len, sender, iov.iov_len, control);
            // SAFETY: the kernel wrote datagram `i` into room `i` during the call above, and
            // `decode` counts at most `iov_len` of its bytes as received.
            unsafe { rooms.filled(i, &received) };
            each(i, &received);
        }
        Ok(got)
    }

    /// One receive of one datagram into `buf` (emptied, with room for at least
    /// [`recv_size`](NetlinkSocket::recv_size) bytes), peeking when `flags` holds `MSG_PEEK`,
    /// without waiting.
    pub(super) fn recvmsg(&self, buf: &mut Vec<u8>, flags: i32) -> Result<Received, i32> {
        let mut one = None;
        let mut rooms = Bufs {
            bufs: &mut [buf],
            want: self.recv_size(),
        };
        self.recv_rooms::<1, _>(&mut rooms, flags, |_, r| one = Some(*r))?;
        one.ok_or(libc::EAGAIN)
    }

    /// One `recvmmsg(2)` of up to two datagrams, into `first` and `second` (emptied, with room
    /// for at least [`recv_size`](NetlinkSocket::recv_size) bytes each), without waiting: a
    /// reply and its acknowledgement (or two parts of a dump) in one system call. Returns the
    /// first datagram and, when there was one, the second.
    pub(super) fn recvmmsg2(
        &self,
        first: &mut Vec<u8>,
        second: &mut Vec<u8>,
    ) -> Result<(Received, Option<Received>), i32> {
        let mut got: [Option<Received>; 2] = [None, None];
        let mut rooms = Bufs {
            bufs: &mut [first, second],
            want: self.recv_size(),
        };
        self.recv_rooms::<2, _>(&mut rooms, 0, |i, r| {
            if let Some(g) = got.get_mut(i) {
                *g = Some(*r);
            }
        })?;
        let [one, two] = got;
        one.map(|one| (one, two)).ok_or(libc::EAGAIN)
    }

    /// One `recvmmsg(2)` of up to [`MAX_SLOTS`] datagrams into the slots of `batch` (which
    /// the caller emptied), without waiting. Returns how many were received; a datagram
    /// longer than its slot is recorded as truncated (its full length from `MSG_TRUNC`).
    pub(super) fn recvmmsg_into(&self, batch: &mut Datagrams) -> Result<usize, i32> {
        self.recv_rooms::<MAX_SLOTS, _>(batch, 0, |_, _| {})
    }
}

/// What the kernel reported in `msg` (and `len`, the `msg_len` of its `mmsghdr`) about a
/// datagram received into a room of `room` bytes, from `sender` (port id and groups of its
/// address), with control buffer `control`.
#[inline]
fn decode(
    msg: &libc::msghdr,
    len: libc::c_uint,
    (sender_pid, sender_groups): (u32, u32),
    room: usize,
    control: &MaybeUninit<ControlBuf>,
) -> Received {
    // With `MSG_TRUNC` among the flags the kernel returns the datagram's full length.
    let mut full = len as usize;
    let truncated = full > room || msg.msg_flags & libc::MSG_TRUNC != 0;
    if truncated {
        full = full.max(room.saturating_add(1));
    }
    let mut info = RecvInfo {
        len: full.min(room),
        sender_pid,
        sender_groups,
        group: None,
        nsid: None,
    };
    // Control messages come only with `NETLINK_PKTINFO` or `NETLINK_LISTEN_ALL_NSID` (or
    // options like `SO_PASSCRED` set through the descriptor): most datagrams have none.
    if msg.msg_controllen != 0 {
        // `size_t` on glibc, `socklen_t` on musl: the conversion is needed on one of them.
        #[allow(clippy::useless_conversion)]
        let written = usize::try_from(msg.msg_controllen)
            .unwrap_or(0)
            .min(CONTROL_LEN);
        // SAFETY: the kernel initialised the first `msg_controllen` bytes of the control
        // buffer (never more than the `CONTROL_LEN` bytes it was given, and clamped to that
        // anyway); `ControlBuf` is `repr(C)` around `MaybeUninit<u8>`s, laid out as bytes.
        let bytes: &[u8] =
            unsafe { std::slice::from_raw_parts(control.as_ptr().cast::<u8>(), written) };
        // With `MSG_CTRUNC` the last control message may be cut: the parser skips whatever is
        // incomplete, so the datagram is still delivered, with `group`/`nsid` unknown only
        // when their own message was cut.
        let control = parse_control(bytes);
        info.group = control.group;
        info.nsid = control.nsid;
    }
    Received {
        full,
        info,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::socket::{Socket, NETLINK_PKTINFO, SOL_NETLINK};

    /// Two unconnected sockets (so that receives ask for the sender): `b` receives what `a`
    /// sends it, with `NETLINK_PKTINFO` on when `pktinfo`.
    fn pair(pktinfo: bool) -> (NetlinkSocket, NetlinkSocket) {
        let a = NetlinkSocket::open(0, 0, 0).unwrap();
        let b = NetlinkSocket::open(0, 0, 0).unwrap();
        if pktinfo {
            b.set_int_option(SOL_NETLINK, NETLINK_PKTINFO, 1).unwrap();
        }
        (a, b)
    }

    /// Sends `b` datagrams of the lengths given, each filled with its index.
    fn send(a: &NetlinkSocket, b: &NetlinkSocket, lens: &[usize]) {
        for (i, &len) in lens.iter().enumerate() {
            a.send_to(&vec![i as u8 + 1; len], b.pid(), 0).unwrap();
        }
    }

    #[test]
    fn two_buffers_get_the_reply_and_the_one_after_it_truncation_with_its_full_length() {
        for pktinfo in [false, true] {
            let (a, b) = pair(pktinfo);
            b.set_recv_size(64);
            send(&a, &b, &[20, 100, 30]);
            let (mut first, mut second) = (Vec::new(), Vec::new());
            let (one, two) = b.recvmmsg2(&mut first, &mut second).unwrap();
            let two = two.expect("two datagrams were queued");
            assert_eq!(first, vec![1u8; 20]);
            assert!(!one.truncated);
            assert_eq!((one.full, one.info.len), (20, 20));
            assert_eq!((one.info.sender_pid, one.info.sender_groups), (a.pid(), 0));
            // Unicast: destination group 0, reported only with NETLINK_PKTINFO.
            assert_eq!(one.info.group, pktinfo.then_some(0));
            assert!(two.truncated);
            assert_eq!(two.full, 100);
            assert_eq!(two.info.len, second.len());
            assert!(second.len() >= 64 && second.len() < 100, "{}", second.len());
            assert!(second.iter().all(|&x| x == 2));
            assert_eq!(two.info.sender_pid, a.pid());
            assert_eq!(two.info.group, pktinfo.then_some(0));
            // The third waits for the next receive, alone.
            let (three, none) = b.recvmmsg2(&mut first, &mut second).unwrap();
            assert!(none.is_none());
            assert_eq!((three.full, first.len()), (30, 30));
            assert_eq!(
                b.recvmmsg2(&mut first, &mut second).unwrap_err(),
                libc::EAGAIN
            );
        }
    }

    #[test]
    fn a_peek_leaves_the_datagram_and_reports_its_full_length() {
        let (a, b) = pair(true);
        b.set_recv_size(64);
        send(&a, &b, &[200]);
        let mut buf = Vec::new();
        let peeked = b.recvmsg(&mut buf, libc::MSG_PEEK).unwrap();
        assert!(peeked.truncated);
        assert_eq!(peeked.full, 200);
        assert_eq!(peeked.info.group, Some(0));
        b.set_recv_size(256);
        let got = b.recvmsg(&mut buf, 0).unwrap();
        assert!(!got.truncated);
        assert_eq!(
            (got.full, buf.len(), got.info.sender_pid),
            (200, 200, a.pid())
        );
        assert_eq!(b.recvmsg(&mut buf, 0).unwrap_err(), libc::EAGAIN);
    }

    #[test]
    fn batch_slots_get_one_datagram_each_truncation_with_its_full_length() {
        for pktinfo in [false, true] {
            let (a, b) = pair(pktinfo);
            send(&a, &b, &[16, 5000, 24]);
            let mut batch = Datagrams::new(2, 4096);
            assert_eq!(b.recvmmsg_into(&mut batch).unwrap(), 2);
            let first = batch.get(0).unwrap().unwrap();
            assert_eq!(first.data, &[1u8; 16][..]);
            assert_eq!(first.info.len, 16);
            assert_eq!(first.info.sender_pid, a.pid());
            assert_eq!(first.info.group, pktinfo.then_some(0));
            match batch.get(1).unwrap() {
                Err(Error::Truncated { len, capacity, .. }) => {
                    assert_eq!((len, capacity), (5000, 4096));
                }
                other => panic!("{other:?}"),
            }
            batch.clear();
            assert_eq!(b.recvmmsg_into(&mut batch).unwrap(), 1);
            assert_eq!(batch.get(0).unwrap().unwrap().data, &[3u8; 24][..]);
        }
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn many_buffers_report_full_lengths() {
        let (a, b) = pair(true);
        b.set_recv_size(64);
        send(&a, &b, &[10, 100, 12]);
        let mut bufs = vec![Vec::new(); 4];
        let mut out = [RecvInfo::default(); 4];
        assert_eq!(b.recv_many_nowait(&mut bufs, &mut out).unwrap(), 3);
        assert_eq!(out.map(|o| o.len), [10, 100, 12, 0]);
        assert_eq!(bufs[0], vec![1u8; 10]);
        assert!(bufs[1].len() >= 64 && bufs[1].len() < 100);
        assert_eq!(bufs[2], vec![3u8; 12]);
        assert!(out[..3]
            .iter()
            .all(|o| o.sender_pid == a.pid() && o.group == Some(0)));
        // No more buffers than `out` has entries are filled.
        send(&a, &b, &[5, 6]);
        assert_eq!(b.recv_many_nowait(&mut bufs, &mut out[..1]).unwrap(), 1);
        assert_eq!(bufs[0], vec![1u8; 5]);
    }
}
