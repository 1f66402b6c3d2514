//! Many datagrams per system call: [`Datagrams`], the buffer that
//! [`Socket::recv_batch`](crate::Socket::recv_batch) fills.
//!
//! A `Datagrams` is a row of fixed-size slots in one allocation, one slot per datagram. The
//! real socket fills up to [`MAX_SLOTS`] of them with one `recvmmsg(2)`; other sockets (the
//! fakes of the `testing` module) fill one per call. The buffer is allocated zeroed once, so
//! the pages the kernel never writes are never touched: a row of 32 slots of 32 KiB costs
//! 1 MiB of address space but only the pages that datagrams actually used.
//!
//! A datagram longer than its slot is lost (the kernel truncates it): it is reported as an
//! [`Error::Truncated`] in its place, and [`Datagrams::grow_slots`] makes the next receives
//! use larger slots.
//!
//! ```
//! use netlink::datagrams::Datagrams;
//!
//! let d = Datagrams::new(8, 4096);
//! assert_eq!(d.slots(), 8);
//! assert_eq!(d.slot_size(), 4096);
//! assert!(d.is_empty());
//! ```

use crate::error::Error;
use crate::socket::RecvInfo;

/// The most datagrams one [`Socket::recv_batch`](crate::Socket::recv_batch) call reads.
pub const MAX_SLOTS: usize = 64;

/// What one slot holds after a receive.
#[derive(Debug, Clone, Copy, Default)]
struct Filled {
    /// Bytes of the datagram in the slot.
    len: usize,
    /// The datagram's full length: more than `len` when it was truncated.
    full: usize,
    info: RecvInfo,
}

/// A reusable buffer for many datagrams (see the module documentation).
#[derive(Debug, Clone)]
pub struct Datagrams {
    buf: Vec<u8>,
    slot_size: usize,
    filled: Vec<Filled>,
    /// Room for sockets that receive one datagram at a time into a `Vec`.
    pub(crate) scratch: Vec<u8>,
}

/// One received datagram: its bytes and what the socket reported about it.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<'a> {
    /// The datagram's bytes (one or more netlink messages).
    pub data: &'a [u8],
    /// The sender and ancillary data.
    pub info: RecvInfo,
}

impl Datagrams {
    /// A buffer of `slots` slots (1 to [`MAX_SLOTS`]) of `slot_size` bytes (at least 4 KiB).
    pub fn new(slots: usize, slot_size: usize) -> Datagrams {
        let slots = slots.clamp(1, MAX_SLOTS);
        let slot_size = slot_size.max(4096);
        Datagrams {
            buf: vec![0; slots.saturating_mul(slot_size)],
            slot_size,
            filled: Vec::with_capacity(slots),
            scratch: Vec::new(),
        }
    }

    /// The number of slots.
    pub fn slots(&self) -> usize {
        self.buf.len().checked_div(self.slot_size).unwrap_or(0)
    }

    /// The size of each slot: the longest datagram that is received whole.
    pub fn slot_size(&self) -> usize {
        self.slot_size
    }

    /// Makes every slot at least `len` bytes long (rounded up to 4 KiB). Received datagrams
    /// are discarded.
    pub fn grow_slots(&mut self, len: usize) {
        let want = len.div_ceil(4096).saturating_mul(4096);
        if want > self.slot_size {
            let slots = self.slots();
            self.slot_size = want;
            self.buf = vec![0; slots.saturating_mul(want)];
            self.filled.clear();
        }
    }

    /// The number of datagrams received by the last receive.
    pub fn len(&self) -> usize {
        self.filled.len()
    }

    /// Whether the last receive left nothing.
    pub fn is_empty(&self) -> bool {
        self.filled.is_empty()
    }

    /// Forgets the received datagrams.
    pub fn clear(&mut self) {
        self.filled.clear();
    }

    /// Datagram `i` of the last receive; [`Error::Truncated`] when it did not fit its slot.
    pub fn get(&self, i: usize) -> Option<Result<Datagram<'_>, Error>> {
        let f = self.filled.get(i)?;
        let start = i.saturating_mul(self.slot_size);
        if f.full > f.len {
            // The kept part names the datagram's first message, when it holds its header.
            let header = self
                .buf
                .get(start..start.saturating_add(f.len))
                .and_then(|b| crate::message::Header::from_bytes(b).ok());
            return Some(Err(Error::Truncated {
                len: f.full,
                capacity: self.slot_size,
                header,
            }));
        }
        let data = self
            .buf
            .get(start..start.saturating_add(f.len))
            .unwrap_or_default();
        Some(Ok(Datagram { data, info: f.info }))
    }

    /// Datagram `i` of the last receive without building an error: its bytes, or its full
    /// length when it did not fit its slot; and what the socket reported about it.
    pub(crate) fn bytes(&self, i: usize) -> Option<(Result<&[u8], usize>, &RecvInfo)> {
        let f = self.filled.get(i)?;
        if f.full > f.len {
            return Some((Err(f.full), &f.info));
        }
        let start = i.saturating_mul(self.slot_size);
        let data = self
            .buf
            .get(start..start.saturating_add(f.len))
            .unwrap_or_default();
        Some((Ok(data), &f.info))
    }

    /// The datagrams of the last receive, in order.
    pub fn iter(&self) -> impl Iterator<Item = Result<Datagram<'_>, Error>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// The whole buffer, for the socket layer to point its I/O vectors into.
    pub(crate) fn buffer_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    /// Records that slot `len()` now holds a datagram of `full` bytes (of which at most the
    /// slot size were kept). Returns false when every slot is taken.
    pub(crate) fn push_filled(&mut self, full: usize, info: RecvInfo) -> bool {
        if self.filled.len() >= self.slots() {
            return false;
        }
        let len = full.min(self.slot_size);
        self.filled.push(Filled {
            len,
            full,
            info: RecvInfo { len, ..info },
        });
        true
    }

    /// Copies `data` into the next free slot (for sockets that receive into a `Vec`).
    /// Returns false when every slot is taken.
    pub(crate) fn push_copy(&mut self, data: &[u8], info: RecvInfo) -> bool {
        let i = self.filled.len();
        if i >= self.slots() {
            return false;
        }
        let start = i.saturating_mul(self.slot_size);
        let n = data.len().min(self.slot_size);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(start..start.saturating_add(n)),
            data.get(..n),
        ) {
            dst.copy_from_slice(src);
        }
        self.push_filled(data.len(), info)
    }
}

impl Default for Datagrams {
    /// 32 slots of 32 KiB ([`DEFAULT_RECV_SIZE`](crate::socket::DEFAULT_RECV_SIZE)).
    fn default() -> Datagrams {
        Datagrams::new(32, crate::socket::DEFAULT_RECV_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_hold_copies_and_report_truncation() {
        let mut d = Datagrams::new(2, 4096);
        assert!(d.push_copy(&[1, 2, 3], RecvInfo::default()));
        assert!(d.push_copy(&vec![7; 5000], RecvInfo::default()));
        assert!(!d.push_copy(&[9], RecvInfo::default()));
        assert_eq!(d.len(), 2);
        let first = d.get(0).unwrap().unwrap();
        assert_eq!(first.data, &[1, 2, 3]);
        assert_eq!(first.info.len, 3);
        match d.get(1).unwrap() {
            Err(Error::Truncated {
                len,
                capacity,
                header,
            }) => {
                assert_eq!((len, capacity), (5000, 4096));
                // The first 16 kept bytes are read as the first message's header.
                assert!(header.is_some());
            }
            other => panic!("{other:?}"),
        }
        d.grow_slots(5000);
        assert_eq!(d.slot_size(), 8192);
        assert!(d.is_empty());
    }

    #[test]
    fn sizes_are_clamped() {
        let d = Datagrams::new(0, 1);
        assert_eq!((d.slots(), d.slot_size()), (1, 4096));
        let d = Datagrams::new(1000, 4096);
        assert_eq!(d.slots(), MAX_SLOTS);
    }
}
