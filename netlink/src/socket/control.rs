//! The control messages (ancillary data) of a received datagram, parsed from the bytes the
//! kernel wrote, checked before anything is read.

use std::mem::size_of;

use super::{NETLINK_LISTEN_ALL_NSID, NETLINK_PKTINFO, SOL_NETLINK};

/// What the control messages of a datagram said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Control {
    /// `NETLINK_PKTINFO`: the destination group.
    pub(super) group: Option<u32>,
    /// `NETLINK_LISTEN_ALL_NSID`: the source namespace id.
    pub(super) nsid: Option<i32>,
    /// Control messages that were skipped as malformed or cut (counted for tests).
    pub(super) skipped: usize,
}

/// `CMSG_ALIGN`: control messages are aligned to `size_t`.
fn cmsg_align(len: usize) -> usize {
    let a = size_of::<usize>();
    len.div_ceil(a).saturating_mul(a)
}

/// Parses the control messages (`struct cmsghdr` + data, `CMSG_ALIGN`ed) in `control`, the
/// bytes the kernel wrote. Nothing is read on trust: a header that does not fit, a length
/// shorter than `CMSG_LEN(0)` or past the end stops the walk, and a `NETLINK_PKTINFO` or
/// `NETLINK_LISTEN_ALL_NSID` message shorter than `CMSG_LEN(4)` is skipped.
pub(super) fn parse_control(control: &[u8]) -> Control {
    let hdr_len = size_of::<libc::cmsghdr>();
    let data_at = cmsg_align(hdr_len);
    let mut out = Control::default();
    let mut at = 0usize;
    while let Some(rest) = control.get(at..) {
        if rest.len() < hdr_len {
            if !rest.is_empty() {
                out.skipped = out.skipped.saturating_add(1);
            }
            break;
        }
        // SAFETY: `rest` holds at least `size_of::<cmsghdr>()` bytes, `cmsghdr` is plain old
        // data (integers), and the read is unaligned.
        let hdr: libc::cmsghdr = unsafe { std::ptr::read_unaligned(rest.as_ptr().cast()) };
        // `size_t` on glibc, `socklen_t` on musl: the conversion is needed on one of them.
        #[allow(clippy::useless_conversion)]
        let len = usize::try_from(hdr.cmsg_len).unwrap_or(usize::MAX);
        if len < data_at || len > rest.len() {
            out.skipped = out.skipped.saturating_add(1);
            break;
        }
        let data = rest.get(data_at..len).unwrap_or_default();
        let word = data.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok());
        if hdr.cmsg_level == SOL_NETLINK {
            match (hdr.cmsg_type, word) {
                (NETLINK_PKTINFO, Some(w)) => out.group = Some(u32::from_ne_bytes(w)),
                (NETLINK_LISTEN_ALL_NSID, Some(w)) => out.nsid = Some(i32::from_ne_bytes(w)),
                (NETLINK_PKTINFO | NETLINK_LISTEN_ALL_NSID, None) => {
                    out.skipped = out.skipped.saturating_add(1);
                }
                _ => {}
            }
        }
        at = at.saturating_add(cmsg_align(len));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One control message as the kernel lays it out: `cmsghdr` with `cmsg_len` = `len`
    /// (normally `CMSG_LEN(data.len())`), the data, padding to `CMSG_ALIGN`.
    fn cmsg(level: i32, kind: i32, data: &[u8], len: Option<usize>) -> Vec<u8> {
        let hdr_len = size_of::<libc::cmsghdr>();
        let mut out = vec![0u8; hdr_len];
        let cmsg_len = len.unwrap_or(cmsg_align(hdr_len) + data.len());
        // `cmsghdr` is { cmsg_len: size_t, cmsg_level: c_int, cmsg_type: c_int } on Linux.
        out[..size_of::<usize>()].copy_from_slice(&cmsg_len.to_ne_bytes());
        let l = size_of::<usize>();
        out[l..l + 4].copy_from_slice(&level.to_ne_bytes());
        out[l + 4..l + 8].copy_from_slice(&kind.to_ne_bytes());
        out.resize(cmsg_align(hdr_len), 0);
        out.extend_from_slice(data);
        out.resize(cmsg_align(out.len()), 0);
        out
    }

    #[test]
    fn control_messages_are_parsed_from_bytes() {
        let mut buf = cmsg(SOL_NETLINK, NETLINK_PKTINFO, &5u32.to_ne_bytes(), None);
        buf.extend(cmsg(
            SOL_NETLINK,
            NETLINK_LISTEN_ALL_NSID,
            &(-3i32).to_ne_bytes(),
            None,
        ));
        let c = parse_control(&buf);
        assert_eq!((c.group, c.nsid, c.skipped), (Some(5), Some(-3), 0));
        // Another level's message is passed over.
        let mut other = cmsg(libc::SOL_SOCKET, 1, &[1, 2, 3, 4, 5, 6, 7, 8], None);
        other.extend(cmsg(
            SOL_NETLINK,
            NETLINK_PKTINFO,
            &9u32.to_ne_bytes(),
            None,
        ));
        assert_eq!(parse_control(&other).group, Some(9));
        assert_eq!(parse_control(&[]), Control::default());
    }

    #[test]
    fn control_messages_are_not_read_on_trust() {
        let hdr = cmsg_align(size_of::<libc::cmsghdr>());
        // cmsg_len below CMSG_LEN(4): the data is not read.
        let short = cmsg(SOL_NETLINK, NETLINK_PKTINFO, &[7, 0], Some(hdr + 2));
        let c = parse_control(&short);
        assert_eq!((c.group, c.skipped), (None, 1));
        // cmsg_len under the header itself, or past the end (as when MSG_CTRUNC cut it).
        for bad in [0, 4, hdr - 1, 4096] {
            let b = cmsg(SOL_NETLINK, NETLINK_PKTINFO, &1u32.to_ne_bytes(), Some(bad));
            let c = parse_control(&b);
            assert_eq!((c.group, c.skipped), (None, 1), "cmsg_len {bad}");
        }
        // A buffer cut before the end of the message (its padding aside).
        let full = cmsg(SOL_NETLINK, NETLINK_PKTINFO, &1u32.to_ne_bytes(), None);
        for cut in 1..hdr + 4 {
            let c = parse_control(&full[..cut]);
            assert_eq!(c.group, None, "cut at {cut}");
            assert_eq!(c.skipped, 1, "cut at {cut}");
        }
        // A good message after a bad one is not reached (the walk cannot resynchronise).
        let mut two = cmsg(SOL_NETLINK, NETLINK_PKTINFO, &1u32.to_ne_bytes(), Some(2));
        two.extend(cmsg(
            SOL_NETLINK,
            NETLINK_LISTEN_ALL_NSID,
            &1i32.to_ne_bytes(),
            None,
        ));
        assert_eq!(parse_control(&two).nsid, None);
    }
}
