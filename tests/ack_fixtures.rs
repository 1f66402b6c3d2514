//! Decoding of acknowledgements and errors captured from a real kernel.
//!
//! Each fixture in `tests/fixtures/` is a request and the datagram the kernel answered it
//! with; `tests/fixtures/README.md` says how each was made.

use netlink::ack::{parse_done, parse_error, Ack, PolicyType};
use netlink::{messages, Error, Header, HeaderFlags, HeaderType, MessageRef, OpError};
use proptest::prelude::*;

struct Fixture {
    name: &'static str,
    request: &'static [u8],
    reply: &'static [u8],
}

macro_rules! fixture {
    ($name:literal) => {
        Fixture {
            name: $name,
            request: include_bytes!(concat!("fixtures/", $name, ".request.bin")),
            reply: include_bytes!(concat!("fixtures/", $name, ".reply.bin")),
        }
    };
}

const ACK_SUCCESS: Fixture = fixture!("ack_success");
const ENODEV_UNCAPPED: Fixture = fixture!("enodev_uncapped");
const ENODEV_CAPPED: Fixture = fixture!("enodev_capped");
const GETROUTE_STRICT: Fixture = fixture!("getroute_strict_einval");
const GETROUTE_DUMP_STRICT: Fixture = fixture!("getroute_dump_strict_einval");
const ETHTOOL_ENODEV: Fixture = fixture!("ethtool_enodev");
const ETHTOOL_ENODEV_CAPPED: Fixture = fixture!("ethtool_enodev_capped");
const ETHTOOL_MISSING_NESTED: Fixture = fixture!("ethtool_missing_nested_attr");
const ETHTOOL_POLICY_MASK: Fixture = fixture!("ethtool_policy_mask");
const NETDEV_MISSING: Fixture = fixture!("netdev_missing_attr");
const NETDEV_POLICY_RANGE: Fixture = fixture!("netdev_policy_range");
const NLCTRL_POLICY_LENGTH: Fixture = fixture!("nlctrl_policy_length");

const ALL: [&Fixture; 12] = [
    &ACK_SUCCESS,
    &ENODEV_UNCAPPED,
    &ENODEV_CAPPED,
    &GETROUTE_STRICT,
    &GETROUTE_DUMP_STRICT,
    &ETHTOOL_ENODEV,
    &ETHTOOL_ENODEV_CAPPED,
    &ETHTOOL_MISSING_NESTED,
    &ETHTOOL_POLICY_MASK,
    &NETDEV_MISSING,
    &NETDEV_POLICY_RANGE,
    &NLCTRL_POLICY_LENGTH,
];

impl Fixture {
    /// The NLMSG_ERROR or NLMSG_DONE message of the reply.
    fn message(&self) -> MessageRef<'static> {
        messages(self.reply)
            .map(|m| m.unwrap_or_else(|e| panic!("{}: {e}", self.name)))
            .find(|m| matches!(m.header.kind, HeaderType::ERROR | HeaderType::DONE))
            .unwrap_or_else(|| panic!("{}: no ERROR or DONE message", self.name))
    }

    fn ack(&self) -> Ack<'static> {
        let m = self.message();
        let ack = match m.header.kind {
            HeaderType::DONE => parse_done(&m),
            _ => parse_error(&m),
        }
        .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        assert_eq!(ack.problem, None, "{}", self.name);
        ack
    }

    fn request_header(&self) -> Header {
        Header::from_bytes(self.request).unwrap()
    }

    fn op_error(&self) -> OpError {
        let seq = self.request_header().sequence;
        self.ack()
            .to_op_error("execute", seq)
            .unwrap_or_else(|| panic!("{}: expected an error", self.name))
    }

    /// The attribute header (length, raw type) at `offset` of the request.
    fn request_attr_at(&self, offset: u32) -> (u16, u16) {
        let o = offset as usize;
        let b = &self.request[o..o + 4];
        (
            u16::from_ne_bytes([b[0], b[1]]),
            u16::from_ne_bytes([b[2], b[3]]),
        )
    }
}

#[test]
fn success_ack_is_capped_and_empty() {
    let m = ACK_SUCCESS.message();
    assert_eq!(m.header.kind, HeaderType::ERROR);
    // The kernel flags every success as capped.
    assert_eq!(m.header.flags, HeaderFlags::CAPPED);
    let ack = ACK_SUCCESS.ack();
    assert_eq!(ack.code, 0);
    assert!(ack.is_success());
    assert!(ack.capped);
    assert_eq!(ack.request, Some(ACK_SUCCESS.request_header()));
    assert!(ack.request_payload.is_empty());
    assert!(ack.ext_ack.is_empty());
    assert_eq!(ack.to_op_error("execute", 1), None);
}

#[test]
fn error_uncapped_echoes_the_whole_request() {
    let ack = ENODEV_UNCAPPED.ack();
    assert_eq!(ack.code, -libc::ENODEV);
    assert!(!ack.capped);
    assert_eq!(ack.request, Some(ENODEV_UNCAPPED.request_header()));
    assert_eq!(ack.request_payload, &ENODEV_UNCAPPED.request[16..]);
    assert!(ack.ext_ack.is_empty());

    let e = ENODEV_UNCAPPED.op_error();
    assert_eq!(e.errno, libc::ENODEV);
    assert!(!e.capped);
    assert!(e.is_not_found());
    let s = e.to_string();
    assert!(s.starts_with("netlink execute: No such device"), "{s}");
    assert!(!s.contains("[seq"), "{s}");
    assert_eq!(e.sequence, ENODEV_UNCAPPED.request_header().sequence);
}

#[test]
fn error_capped_echoes_only_the_header() {
    let m = ENODEV_CAPPED.message();
    assert_eq!(m.header.flags, HeaderFlags::CAPPED);
    let ack = ENODEV_CAPPED.ack();
    assert_eq!(ack.code, -libc::ENODEV);
    assert!(ack.capped);
    assert_eq!(ack.request, Some(ENODEV_CAPPED.request_header()));
    assert!(ack.request_payload.is_empty());
    assert!(ENODEV_CAPPED.op_error().capped);
}

#[test]
fn strict_route_get_error_carries_a_message_after_the_echo() {
    let m = GETROUTE_STRICT.message();
    assert_eq!(m.header.flags, HeaderFlags::ACK_TLVS);
    let ack = GETROUTE_STRICT.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert!(!ack.capped);
    assert_eq!(ack.request_payload, &GETROUTE_STRICT.request[16..]);
    assert_eq!(
        ack.ext_ack.message.as_deref(),
        Some("ipv4: Invalid values in header for route get request")
    );
    assert_eq!(ack.ext_ack.offset, None);

    let err = Error::from(GETROUTE_STRICT.op_error());
    assert_eq!(err.errno(), Some(libc::EINVAL));
    assert!(!err.is_not_found());
    assert!(!err.is_temporary());
    assert!(err.to_string().contains(
        "Invalid argument (os error 22): ipv4: Invalid values in header for route get request"
    ));
}

#[test]
fn dump_error_arrives_in_done_with_a_message() {
    let m = GETROUTE_DUMP_STRICT.message();
    assert_eq!(m.header.kind, HeaderType::DONE);
    assert_eq!(m.header.flags, HeaderFlags::MULTI | HeaderFlags::ACK_TLVS);
    let ack = GETROUTE_DUMP_STRICT.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert_eq!(ack.request, None);
    assert!(!ack.capped);
    assert_eq!(
        ack.ext_ack.message.as_deref(),
        Some("Invalid values in header for FIB dump request")
    );
    let e = GETROUTE_DUMP_STRICT.op_error();
    assert_eq!(e.errno, libc::EINVAL);
}

/// The offset points at the `ETHTOOL_A_HEADER_DEV_NAME` attribute of the request.
fn check_ethtool_enodev(f: &Fixture, capped: bool) {
    let ack = f.ack();
    assert_eq!(ack.code, -libc::ENODEV);
    assert_eq!(ack.capped, capped);
    assert_eq!(
        ack.ext_ack.message.as_deref(),
        Some("no device matches name")
    );
    let offset = ack.ext_ack.offset.expect("an offset");
    assert_eq!(offset, 24);
    // struct nlattr { len 15, type ETHTOOL_A_HEADER_DEV_NAME } then "nosuchdev0\0".
    assert_eq!(f.request_attr_at(offset), (15, 2));
    if capped {
        assert_eq!(ack.request_bytes_at(offset), None);
    } else {
        let at = ack.request_bytes_at(offset).unwrap();
        assert_eq!(&at[4..15], b"nosuchdev0\0");
    }
    let e = f.op_error();
    assert!(e.is_not_found());
    assert!(Error::from(e.clone()).is_not_found());
    let s = e.to_string();
    assert!(
        s.starts_with(
            "netlink execute: No such device (os error 19): no device matches name \
             (at offset 24 of the request)"
        ),
        "{s}"
    );
}

#[test]
fn ethtool_missing_device_gives_message_and_offset() {
    check_ethtool_enodev(&ETHTOOL_ENODEV, false);
    check_ethtool_enodev(&ETHTOOL_ENODEV_CAPPED, true);
    assert_eq!(
        ETHTOOL_ENODEV.ack().ext_ack,
        ETHTOOL_ENODEV_CAPPED.ack().ext_ack
    );
}

#[test]
fn missing_attribute_in_a_nest() {
    let ack = ETHTOOL_MISSING_NESTED.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert!(!ack.capped);
    assert_eq!(ack.ext_ack.message, None);
    // ETHTOOL_A_STRINGSET_ID is missing from the ETHTOOL_A_STRINGSETS_STRINGSET nest.
    assert_eq!(ack.ext_ack.missing_type, Some(1));
    let nest = ack.ext_ack.missing_nest.expect("a nest offset");
    assert_eq!(nest, 36);
    assert_eq!(ETHTOOL_MISSING_NESTED.request_attr_at(nest), (4, 0x8001));
    assert_eq!(ack.request_bytes_at(nest), Some(&[4u8, 0, 1, 0x80][..]));
    let s = ETHTOOL_MISSING_NESTED.op_error().to_string();
    assert!(
        s.contains("Invalid argument (os error 22) (missing attribute 1 in the nest at offset 36)"),
        "{s}"
    );
}

#[test]
fn missing_attribute_at_the_top_level() {
    let ack = NETDEV_MISSING.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert!(ack.capped);
    // NETDEV_A_DEV_IFINDEX, missing at the message level: no nest.
    assert_eq!(ack.ext_ack.missing_type, Some(1));
    assert_eq!(ack.ext_ack.missing_nest, None);
    let s = NETDEV_MISSING.op_error().to_string();
    assert!(s.contains("(missing attribute 1)"), "{s}");
}

#[test]
fn reserved_bit_message_and_offset() {
    let ack = ETHTOOL_POLICY_MASK.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert!(ack.capped);
    assert_eq!(ack.ext_ack.message.as_deref(), Some("reserved bit set"));
    let offset = ack.ext_ack.offset.unwrap();
    // ETHTOOL_A_HEADER_FLAGS, a u32.
    assert_eq!(ETHTOOL_POLICY_MASK.request_attr_at(offset), (8, 3));
}

#[test]
fn range_policy_is_decoded() {
    let ack = NETDEV_POLICY_RANGE.ack();
    assert_eq!(ack.code, -libc::ERANGE);
    assert_eq!(ack.ext_ack.message.as_deref(), Some("integer out of range"));
    assert_eq!(ack.ext_ack.offset, Some(20));
    assert_eq!(NETDEV_POLICY_RANGE.request_attr_at(20), (8, 1));
    let p = ack.ext_ack.policy_info().expect("a policy").unwrap();
    assert_eq!(p.kind, Some(PolicyType::U32));
    assert_eq!(p.min_value_unsigned, Some(1));
    assert_eq!(p.max_value_unsigned, Some(u64::from(u32::MAX)));
    assert_eq!(p.to_string(), "u32, range 1..=4294967295");
    let s = NETDEV_POLICY_RANGE.op_error().to_string();
    assert!(
        s.contains(
            "Numerical result out of range (os error 34): integer out of range \
             (at offset 20 of the request) (expected u32, range 1..=4294967295)"
        ),
        "{s}"
    );
}

#[test]
fn length_policy_is_decoded() {
    let ack = NLCTRL_POLICY_LENGTH.ack();
    assert_eq!(ack.code, -libc::EINVAL);
    assert_eq!(
        ack.ext_ack.message.as_deref(),
        Some("Attribute failed policy validation")
    );
    assert_eq!(ack.ext_ack.offset, Some(20));
    // CTRL_ATTR_FAMILY_NAME: 40 bytes and a NUL.
    assert_eq!(NLCTRL_POLICY_LENGTH.request_attr_at(20), (45, 2));
    let p = ack.ext_ack.policy_info().expect("a policy").unwrap();
    assert_eq!(p.kind, Some(PolicyType::NUL_STRING));
    assert_eq!(p.max_length, Some(15));
    assert_eq!(p.min_length, None);
    assert_eq!(p.to_string(), "nul-string, length ..=15");
}

#[test]
fn sequence_numbers_and_ports_match_the_requests() {
    for f in ALL {
        let m = f.message();
        let req = f.request_header();
        assert_eq!(m.header.sequence, req.sequence, "{}", f.name);
        if let Some(echo) = f.ack().request {
            assert_eq!(echo, req, "{}", f.name);
        }
    }
}

/// Rewrites the length of the message at the start of `b` to `b.len()`.
fn with_length(mut b: Vec<u8>) -> Vec<u8> {
    let len = b.len() as u32;
    b[..4].copy_from_slice(&len.to_ne_bytes());
    b
}

fn parse(b: &[u8]) -> Result<Ack<'_>, netlink::DecodeError> {
    let (m, _) = MessageRef::parse(b).unwrap();
    match m.header.kind {
        HeaderType::DONE => parse_done(&m),
        _ => parse_error(&m),
    }
}

#[test]
fn every_truncation_keeps_the_code() {
    for f in ALL {
        let m = f.message();
        let whole = &f.reply[m.offset..m.offset + m.header.length as usize];
        let expected = f.ack();
        for cut in 16..=whole.len() {
            let b = with_length(whole[..cut].to_vec());
            match parse(&b) {
                Ok(ack) => {
                    assert!(cut >= 20 || (cut == 16 && m.header.kind == HeaderType::DONE));
                    if cut >= 20 {
                        assert_eq!(ack.code, expected.code, "{} cut at {cut}", f.name);
                        assert_eq!(
                            ack.to_op_error("x", 0).map(|e| e.errno),
                            expected.errno(),
                            "{} cut at {cut}",
                            f.name
                        );
                    }
                    if cut == whole.len() {
                        assert_eq!(ack, expected);
                    }
                }
                Err(e) => {
                    assert!(cut < 20, "{} cut at {cut}: {e}", f.name);
                    assert_eq!(e.offset(), Some(16));
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn corrupting_fixture_bytes_never_panics_nor_loses_the_code(
        which in 0..ALL.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        extra in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let f = ALL[which];
        let m = f.message();
        let mut b = f.reply[m.offset..m.offset + m.header.length as usize].to_vec();
        // Keep the outer header and the code; corrupt anything after them.
        for (pos, v) in edits {
            if b.len() > 20 {
                let i = 20 + pos % (b.len() - 20);
                b[i] = v;
            }
        }
        b.extend_from_slice(&extra);
        let b = with_length(b);
        let ack = parse(&b).unwrap();
        prop_assert_eq!(ack.code, f.ack().code);
        if let Some(e) = ack.to_op_error("execute", 1) {
            let _ = e.to_string();
        }
        if let Some(Ok(p)) = ack.ext_ack.policy_info() {
            let _ = p.to_string();
        }
    }
}

#[test]
fn nldebug_trace_of_kernel_replies() {
    use netlink::debug::{format_datagram, DebugOptions, Direction};
    let opts = DebugOptions::default();
    let cases: [(&Fixture, &str); 5] = [
        (
            &ACK_SUCCESS,
            "nl: recv: type=error flags=capped seq=24257 pid=10506 len=36 error=0\n",
        ),
        (
            &ETHTOOL_ENODEV,
            "nl: recv: type=error flags=acktlvs seq=24262 pid=10506 len=96 error=-19 \
             (No such device) msg=\"no device matches name\" offset=24\n",
        ),
        (
            &ETHTOOL_MISSING_NESTED,
            "nl: recv: type=error flags=acktlvs seq=24264 pid=10506 len=76 error=-22 \
             (Invalid argument) missing_type=1 missing_nest=36\n",
        ),
        (
            &GETROUTE_DUMP_STRICT,
            "nl: recv: type=done flags=multi|acktlvs seq=24261 pid=10506 len=72 error=-22 \
             (Invalid argument) msg=\"Invalid values in header for FIB dump request\"\n",
        ),
        (
            &NETDEV_POLICY_RANGE,
            "nl: recv: type=error flags=capped|acktlvs seq=24267 pid=10506 len=108 error=-34 \
             (Numerical result out of range) msg=\"integer out of range\" offset=20 \
             policy=\"u32, range 1..=4294967295\"\n",
        ),
    ];
    for (f, want) in cases {
        // The reply goes to the capturing socket's port id, which differs between captures.
        let want = want.replace("pid=10506", &format!("pid={}", f.message().header.pid));
        assert_eq!(
            format_datagram(&opts, Direction::Recv, f.reply),
            want,
            "{}",
            f.name
        );
    }
    assert_eq!(
        format_datagram(&opts, Direction::Send, GETROUTE_DUMP_STRICT.request),
        "nl: send: type=0x1a flags=request|dump seq=24261 pid=0 len=28\n"
    );
    // Every fixture traces to one line per message, whatever the options.
    for f in ALL {
        for level in 1..=2 {
            for format in [netlink::debug::Format::Text, netlink::debug::Format::Hex] {
                let opts = DebugOptions { level, format };
                for (dir, bytes) in [(Direction::Send, f.request), (Direction::Recv, f.reply)] {
                    let s = format_datagram(&opts, dir, bytes);
                    assert_eq!(s.lines().count(), messages(bytes).count(), "{}", f.name);
                    assert!(!s.contains("malformed"), "{}: {s}", f.name);
                }
            }
        }
    }
}
