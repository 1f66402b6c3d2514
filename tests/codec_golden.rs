//! Golden bytes: every encoder method and the message layout, checked against byte vectors
//! written from the kernel's `struct nlmsghdr` and `struct nlattr` (`linux/netlink.h`), in
//! native and big-endian byte order. Native values are built with `to_ne_bytes`, so the
//! vectors hold on any host.

use core::mem::{offset_of, size_of};

use netlink::attr::{ATTR_HEADER_LEN, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK};
use netlink::enc::{self, ByteOrder};
use netlink::message::HEADER_LEN;
use netlink::{
    marshal_attributes, messages, unmarshal_attributes, Attribute, AttributeDecoder,
    AttributeEncoder, Attrs, EncodeError, Header, HeaderFlags, HeaderType, Message, MessageEncoder,
    MessageRef,
};

/// `struct nlattr { __u16 nla_len; __u16 nla_type; }` in native order.
fn nla(len: u16, attr_type: u16) -> Vec<u8> {
    let mut v = len.to_ne_bytes().to_vec();
    v.extend_from_slice(&attr_type.to_ne_bytes());
    v
}

/// `struct nlmsghdr` in native order.
fn nlmsghdr(len: u32, kind: u16, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&len.to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&seq.to_ne_bytes());
    v.extend_from_slice(&pid.to_ne_bytes());
    v
}

/// The bytes of an integer in `order`.
macro_rules! bytes_in {
    ($v:expr, $order:expr) => {
        match $order {
            ByteOrder::Native => $v.to_ne_bytes().to_vec(),
            ByteOrder::Big => $v.to_be_bytes().to_vec(),
            ByteOrder::Little => $v.to_le_bytes().to_vec(),
        }
    };
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn sizes_and_constants_match_the_kernel() {
    assert_eq!(HEADER_LEN, size_of::<libc::nlmsghdr>());
    assert_eq!(HEADER_LEN, 16);
    assert_eq!(ATTR_HEADER_LEN, size_of::<libc::nlattr>());
    assert_eq!(i32::from(NLA_F_NESTED), libc::NLA_F_NESTED);
    assert_eq!(i32::from(NLA_F_NET_BYTEORDER), libc::NLA_F_NET_BYTEORDER);
    assert_eq!(NLA_TYPE_MASK, 0x3fff);
    assert_eq!(netlink::attr::MAX_ATTR_LEN, 65_535);

    assert_eq!(i32::from(HeaderType::NOOP.0), libc::NLMSG_NOOP);
    assert_eq!(i32::from(HeaderType::ERROR.0), libc::NLMSG_ERROR);
    assert_eq!(i32::from(HeaderType::DONE.0), libc::NLMSG_DONE);
    assert_eq!(i32::from(HeaderType::OVERRUN.0), libc::NLMSG_OVERRUN);
    assert_eq!(i32::from(HeaderType::MIN_TYPE.0), libc::NLMSG_MIN_TYPE);

    let flags = [
        (HeaderFlags::REQUEST, libc::NLM_F_REQUEST),
        (HeaderFlags::MULTI, libc::NLM_F_MULTI),
        (HeaderFlags::ACKNOWLEDGE, libc::NLM_F_ACK),
        (HeaderFlags::ECHO, libc::NLM_F_ECHO),
        (HeaderFlags::DUMP_INTERRUPTED, libc::NLM_F_DUMP_INTR),
        (HeaderFlags::DUMP_FILTERED, libc::NLM_F_DUMP_FILTERED),
        (HeaderFlags::ROOT, libc::NLM_F_ROOT),
        (HeaderFlags::MATCH, libc::NLM_F_MATCH),
        (HeaderFlags::ATOMIC, libc::NLM_F_ATOMIC),
        (HeaderFlags::DUMP, libc::NLM_F_DUMP),
        (HeaderFlags::REPLACE, libc::NLM_F_REPLACE),
        (HeaderFlags::EXCL, libc::NLM_F_EXCL),
        (HeaderFlags::CREATE, libc::NLM_F_CREATE),
        (HeaderFlags::APPEND, libc::NLM_F_APPEND),
        (HeaderFlags::NONREC, libc::NLM_F_NONREC),
        (HeaderFlags::BULK, libc::NLM_F_BULK),
        (HeaderFlags::CAPPED, libc::NLM_F_CAPPED),
        (HeaderFlags::ACK_TLVS, libc::NLM_F_ACK_TLVS),
    ];
    for (ours, kernel) in flags {
        assert_eq!(i32::from(ours.bits()), kernel, "{ours}");
    }
}

#[test]
fn header_is_laid_out_like_struct_nlmsghdr() {
    let h = Header {
        length: 0x1122_3344,
        kind: HeaderType(0x5566),
        flags: HeaderFlags(0x7788),
        sequence: 0x99aa_bbcc,
        pid: 0xddee_ff01,
    };
    let b = h.to_bytes();
    assert_eq!(
        b.to_vec(),
        nlmsghdr(0x1122_3344, 0x5566, 0x7788, 0x99aa_bbcc, 0xddee_ff01)
    );
    // Each field sits where the C structure puts it.
    let field = |off: usize, len: usize| b[off..off + len].to_vec();
    assert_eq!(
        field(offset_of!(libc::nlmsghdr, nlmsg_len), 4),
        0x1122_3344u32.to_ne_bytes()
    );
    assert_eq!(
        field(offset_of!(libc::nlmsghdr, nlmsg_type), 2),
        0x5566u16.to_ne_bytes()
    );
    assert_eq!(
        field(offset_of!(libc::nlmsghdr, nlmsg_flags), 2),
        0x7788u16.to_ne_bytes()
    );
    assert_eq!(
        field(offset_of!(libc::nlmsghdr, nlmsg_seq), 4),
        0x99aa_bbccu32.to_ne_bytes()
    );
    assert_eq!(
        field(offset_of!(libc::nlmsghdr, nlmsg_pid), 4),
        0xddee_ff01u32.to_ne_bytes()
    );
    assert_eq!(Header::from_bytes(&b), Ok(h));
    // Extra bytes after the header are not part of it.
    let mut longer = b.to_vec();
    longer.extend_from_slice(&[9; 7]);
    assert_eq!(Header::from_bytes(&longer), Ok(h));
}

#[test]
fn header_type_display() {
    assert_eq!(HeaderType::NOOP.to_string(), "noop");
    assert_eq!(HeaderType::ERROR.to_string(), "error");
    assert_eq!(HeaderType::DONE.to_string(), "done");
    assert_eq!(HeaderType::OVERRUN.to_string(), "overrun");
    assert_eq!(HeaderType(0).to_string(), "0x0");
    assert_eq!(HeaderType(0x10).to_string(), "0x10");
    assert_eq!(HeaderType(0xffff).to_string(), "0xffff");
    assert_eq!(format!("{:?}", HeaderType::ERROR), "error");
    assert_eq!(HeaderType::from(3u16), HeaderType::DONE);
    assert_eq!(u16::from(HeaderType::OVERRUN), 4);
    assert_eq!(HeaderType(5).name(), None);
}

#[test]
fn header_flags_display() {
    let cases = [
        (HeaderFlags::EMPTY, "0"),
        (HeaderFlags::REQUEST, "request"),
        (
            HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE | HeaderFlags(0x1000),
            "request|acknowledge|0x1000",
        ),
        (
            HeaderFlags(0x3f),
            "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered",
        ),
        (HeaderFlags::DUMP, "0x300"),
        (HeaderFlags::REQUEST | HeaderFlags::DUMP, "request|0x300"),
        (
            HeaderFlags::MULTI | HeaderFlags::DUMP_INTERRUPTED,
            "multi|dumpinterrupted",
        ),
        (HeaderFlags(0x40), "0x40"),
        (
            HeaderFlags(0xffff),
            "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered|0xffc0",
        ),
    ];
    for (flags, text) in cases {
        assert_eq!(flags.to_string(), text);
        assert_eq!(format!("{flags:?}"), text);
    }
}

#[test]
fn header_flags_bit_operations() {
    let mut f = HeaderFlags::REQUEST;
    f |= HeaderFlags::ACKNOWLEDGE;
    assert_eq!(f.bits(), 0x5);
    assert!(f.contains(HeaderFlags::REQUEST));
    assert!(f.contains(HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE));
    assert!(!f.contains(HeaderFlags::REQUEST | HeaderFlags::ECHO));
    assert!(f.intersects(HeaderFlags::REQUEST | HeaderFlags::ECHO));
    assert!(!f.intersects(HeaderFlags::ECHO));
    f &= !HeaderFlags::REQUEST;
    assert_eq!(f, HeaderFlags::ACKNOWLEDGE);
    assert_eq!(f & HeaderFlags::ACKNOWLEDGE, HeaderFlags::ACKNOWLEDGE);
    assert_eq!(f & HeaderFlags::REQUEST, HeaderFlags::EMPTY);
    assert!((f & HeaderFlags::REQUEST).is_empty());
    assert_eq!((!HeaderFlags::EMPTY).bits(), 0xffff);
    assert_eq!(HeaderFlags::from(0x300u16), HeaderFlags::DUMP);
    assert_eq!(u16::from(HeaderFlags::ROOT | HeaderFlags::MATCH), 0x300);
    assert_eq!(HeaderFlags::CREATE | HeaderFlags::EXCL, HeaderFlags(0x600));
}

#[test]
fn message_encode_layout() {
    let mut msg = Message::new(
        HeaderType(0x10),
        HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
        vec![1, 2, 3, 4, 5],
    );
    msg.header.sequence = 1;
    msg.header.pid = 2;
    let expected = cat(&[&nlmsghdr(21, 0x10, 0x5, 1, 2), &[1, 2, 3, 4, 5, 0, 0, 0]]);
    assert_eq!(msg.to_bytes().unwrap(), expected);
    assert_eq!(msg.encoded_len(), 21);

    // A matching length is accepted as given.
    msg.header.length = 21;
    assert_eq!(msg.to_bytes().unwrap(), expected);

    // Appends after what the buffer holds, without reallocating when it has room.
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(&[0xee; 4]);
    let ptr = buf.as_ptr();
    msg.encode_into(&mut buf).unwrap();
    msg.encode_into(&mut buf).unwrap();
    assert_eq!(buf.as_ptr(), ptr);
    assert_eq!(buf.capacity(), 128);
    assert_eq!(buf, cat(&[&[0xee; 4], &expected, &expected]));
}

#[test]
fn message_without_payload_and_aligned_payload() {
    let msg = Message::new(HeaderType::DONE, HeaderFlags::MULTI, vec![]);
    assert_eq!(msg.to_bytes().unwrap(), nlmsghdr(16, 3, 2, 0, 0));
    let msg = Message::new(HeaderType::ERROR, HeaderFlags::EMPTY, vec![7; 8]);
    assert_eq!(
        msg.to_bytes().unwrap(),
        cat(&[&nlmsghdr(24, 2, 0, 0, 0), &[7; 8]])
    );
}

#[test]
fn message_decode_and_iterate() {
    // Two messages; the last one unpadded, as the kernel may send it.
    let first = cat(&[&nlmsghdr(20, 0x10, 0x2, 5, 0), &[1, 2, 3, 4]]);
    let second = cat(&[&nlmsghdr(19, 0x10, 0x2, 5, 0), &[9, 8, 7]]);
    let datagram = cat(&[&first, &second]);
    let all: Vec<MessageRef<'_>> = messages(&datagram).collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].offset, 0);
    assert_eq!(all[0].data, &[1, 2, 3, 4]);
    assert_eq!(all[1].offset, 20);
    assert_eq!(all[1].data, &[9, 8, 7]);
    assert_eq!(all[1].header.length, 19);
    assert_eq!(all[1].payload_offset(), 36);

    // A padded second message iterates the same, padding skipped.
    let padded = cat(&[&first, &second, &[0]]);
    let all: Vec<MessageRef<'_>> = messages(&padded).collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].data, &[9, 8, 7]);

    let m = Message::decode(&datagram).unwrap();
    assert_eq!(m.header.sequence, 5);
    assert_eq!(m.data, vec![1, 2, 3, 4]);
    assert_eq!(m.as_message_ref().to_owned(), m);

    let (m, rest) = MessageRef::parse(&datagram).unwrap();
    assert_eq!(m.header.kind, HeaderType(0x10));
    assert_eq!(rest, &second[..]);
}

#[test]
fn family_header_split() {
    // genlmsghdr (4 bytes), then a u16 attribute; and a 5-byte family header padded to 8.
    let attr = cat(&[&nla(6, 1), &7u16.to_ne_bytes(), &[0, 0]]);
    let msg = cat(&[&nlmsghdr(28, 0x10, 1, 0, 0), &[3, 1, 0, 0], &attr]);
    let (m, _) = MessageRef::parse(&msg).unwrap();
    let (head, rest) = m.split_family_header(4).unwrap();
    assert_eq!(head, &[3, 1, 0, 0]);
    assert_eq!(rest, &attr[..]);
    let a = m.attrs(4).unwrap().next().unwrap().unwrap();
    assert_eq!((a.attr_type(), a.u16().unwrap(), a.offset()), (1, 7, 20));

    let msg = cat(&[
        &nlmsghdr(32, 0x10, 1, 0, 0),
        &[1, 2, 3, 4, 5, 0, 0, 0],
        &attr,
    ]);
    let (m, _) = MessageRef::parse(&msg).unwrap();
    let (head, rest) = m.split_family_header(5).unwrap();
    assert_eq!(head, &[1, 2, 3, 4, 5]);
    assert_eq!(rest, &attr[..]);
    assert_eq!(m.attrs(5).unwrap().next().unwrap().unwrap().offset(), 24);
}

#[test]
fn message_encoder_layout() {
    let mut buf = vec![0xaa; 3]; // the message starts after what is there
    let mut m = MessageEncoder::new(
        &mut buf,
        Header {
            length: 0,
            kind: HeaderType(0x10),
            flags: HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE,
            sequence: 7,
            pid: 9,
        },
    );
    m.extend(&[3, 1, 0, 0]);
    m.attrs().string(2, "nlctrl").u16(1, 0x10);
    assert_eq!(m.payload().len(), 4 + 12 + 8);
    assert_eq!(m.error(), None);
    assert_eq!(m.finish(), Ok(40));
    let expected = cat(&[
        &[0xaa; 3],
        &nlmsghdr(40, 0x10, 0x5, 7, 9),
        &[3, 1, 0, 0],
        &nla(11, 2),
        b"nlctrl\0\0",
        &nla(6, 1),
        &0x10u16.to_ne_bytes(),
        &[0, 0],
    ]);
    assert_eq!(buf, expected);

    // An unaligned family header is padded by extend_padded, and an unaligned message end
    // by finish.
    let mut buf = Vec::new();
    let mut m = MessageEncoder::new(&mut buf, Header::default());
    m.extend_padded(&[1, 2, 3, 4, 5]);
    m.extend(&[6]);
    assert_eq!(m.finish(), Ok(25));
    assert_eq!(
        buf,
        cat(&[
            &nlmsghdr(25, 0, 0, 0, 0),
            &[1, 2, 3, 4, 5, 0, 0, 0, 6, 0, 0, 0]
        ])
    );
}

#[test]
fn message_encoder_matches_message_encode() {
    let mut data = vec![4, 2, 0, 0];
    data.extend(
        marshal_attributes(&[Attribute {
            length: 0,
            attr_type: 3,
            data: b"abc\0".to_vec(),
        }])
        .unwrap(),
    );
    let mut msg = Message::new(HeaderType(0x1c), HeaderFlags::REQUEST, data.clone());
    msg.header.sequence = 11;
    let mut buf = Vec::new();
    let mut m = MessageEncoder::new(&mut buf, msg.header);
    m.extend(&data[..4]);
    m.attrs().string(3, "abc");
    m.finish().unwrap();
    assert_eq!(buf, msg.to_bytes().unwrap());
}

/// Every encoder method, in `order`, and the bytes the kernel layout gives for it.
fn encode_all(order: ByteOrder) -> (Vec<u8>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf).with_byte_order(order);
    assert_eq!(ae.byte_order(), order);
    ae.u8(1, 0xab)
        .u16(2, 0x1234)
        .u32(3, 0x1234_5678)
        .u64(4, 0x0102_0304_0506_0708)
        .i8(5, -2)
        .i16(6, -300)
        .i32(7, -70_000)
        .i64(8, -5_000_000_000)
        .string(9, "abc")
        .string(10, "abcd")
        .string(11, "")
        .bytes(12, &[])
        .bytes(13, &[1])
        .bytes(14, &[1, 2, 3, 4, 5])
        .flag(15, true)
        .flag(16, false)
        .nested(17, |n| {
            n.u16(1, 0x0102).nested(2, |nn| {
                nn.u32(3, 0x0a0b_0c0d);
                Ok(())
            });
            Ok(())
        })
        .with(18, |b| {
            b.extend_from_slice(&[0xde, 0xad, 0xbe]);
            Ok(())
        })
        .raw(19 | NLA_F_NET_BYTEORDER, &0x0800u16.to_be_bytes())
        .int(20, 0x0102u16, ByteOrder::Big)
        .int(21, 0x0102u16, ByteOrder::Little);
    assert_eq!(ae.count(), 20, "flag(false) writes nothing");
    let len = ae.len();
    assert_eq!(ae.finish(), Ok(len));

    let pad = |n: usize| vec![0u8; n];
    let expected = cat(&[
        &nla(5, 1),
        &[0xab],
        &pad(3),
        &nla(6, 2),
        &bytes_in!(0x1234u16, order),
        &pad(2),
        &nla(8, 3),
        &bytes_in!(0x1234_5678u32, order),
        &nla(12, 4),
        &bytes_in!(0x0102_0304_0506_0708u64, order),
        &nla(5, 5),
        &[0xfe],
        &pad(3),
        &nla(6, 6),
        &bytes_in!(-300i16, order),
        &pad(2),
        &nla(8, 7),
        &bytes_in!(-70_000i32, order),
        &nla(12, 8),
        &bytes_in!(-5_000_000_000i64, order),
        &nla(8, 9),
        b"abc\0",
        &nla(9, 10),
        b"abcd\0",
        &pad(3),
        &nla(5, 11),
        &pad(4),
        &nla(4, 12),
        &nla(5, 13),
        &[1],
        &pad(3),
        &nla(9, 14),
        &[1, 2, 3, 4, 5],
        &pad(3),
        &nla(4, 15),
        // nest 17: u16 (8 bytes) + nest 2 (4 + 8 bytes)
        &nla(24, 17 | NLA_F_NESTED),
        &nla(6, 1),
        &bytes_in!(0x0102u16, order),
        &pad(2),
        &nla(12, 2 | NLA_F_NESTED),
        &nla(8, 3),
        &bytes_in!(0x0a0b_0c0du32, order),
        &nla(7, 18),
        &[0xde, 0xad, 0xbe],
        &pad(1),
        &nla(6, 19 | NLA_F_NET_BYTEORDER),
        &[0x08, 0x00],
        &pad(2),
        &nla(6, 20),
        &[0x01, 0x02],
        &pad(2),
        &nla(6, 21),
        &[0x02, 0x01],
        &pad(2),
    ]);
    (buf, expected)
}

#[test]
fn encoder_golden_native() {
    let (got, expected) = encode_all(ByteOrder::Native);
    assert_eq!(got, expected);
}

#[test]
fn encoder_golden_big_endian() {
    let (got, expected) = encode_all(ByteOrder::Big);
    assert_eq!(got, expected);
    // The big-endian integers really are big-endian, whatever the host.
    assert_eq!(&got[12..14], &[0x12, 0x34]);
    assert_eq!(&got[20..24], &[0x12, 0x34, 0x56, 0x78]);
}

#[cfg(target_endian = "little")]
#[test]
fn encoder_golden_native_is_little_endian_here() {
    let (got, _) = encode_all(ByteOrder::Native);
    assert_eq!(&got[..8], &[5, 0, 1, 0, 0xab, 0, 0, 0]);
    assert_eq!(&got[8..16], &[6, 0, 2, 0, 0x34, 0x12, 0, 0]);
    assert_eq!(&got[16..24], &[8, 0, 3, 0, 0x78, 0x56, 0x34, 0x12]);
}

fn decode_all(b: &[u8], order: ByteOrder) {
    let mut ad = AttributeDecoder::new(b).with_byte_order(order);
    assert_eq!(ad.byte_order(), order);
    assert_eq!(ad.len(), 20);
    assert!(!ad.is_empty());
    let mut seen = Vec::new();
    while ad.advance() {
        let t = ad.attr_type();
        seen.push(t);
        match t {
            1 => assert_eq!(ad.u8(), Ok(0xab)),
            2 => assert_eq!(ad.u16(), Ok(0x1234)),
            3 => assert_eq!(ad.u32(), Ok(0x1234_5678)),
            4 => assert_eq!(ad.u64(), Ok(0x0102_0304_0506_0708)),
            5 => assert_eq!(ad.i8(), Ok(-2)),
            6 => assert_eq!(ad.i16(), Ok(-300)),
            7 => assert_eq!(ad.i32(), Ok(-70_000)),
            8 => assert_eq!(ad.i64(), Ok(-5_000_000_000)),
            9 => assert_eq!(ad.string(), Ok("abc")),
            10 => assert_eq!(ad.string(), Ok("abcd")),
            11 => assert_eq!(ad.string(), Ok("")),
            12 => assert_eq!(ad.bytes(), Ok(&[][..])),
            13 => assert_eq!(ad.bytes(), Ok(&[1][..])),
            14 => assert_eq!(ad.bytes(), Ok(&[1, 2, 3, 4, 5][..])),
            15 => assert_eq!(ad.flag(), Ok(true)),
            17 => {
                assert_eq!(ad.type_flags(), NLA_F_NESTED);
                let mut inner = (0, 0);
                ad.nested(|n| {
                    assert_eq!(n.byte_order(), order, "nested decoders inherit the order");
                    while n.advance() {
                        match n.attr_type() {
                            1 => inner.0 = n.u16()?,
                            2 => n.nested(|nn| {
                                assert!(nn.advance());
                                assert_eq!(nn.attr().unwrap().offset(), 144);
                                inner.1 = nn.u32()?;
                                assert!(!nn.advance());
                                Ok(())
                            })?,
                            other => panic!("unexpected nested type {other}"),
                        }
                    }
                    Ok(())
                })
                .unwrap();
                assert_eq!(inner, (0x0102, 0x0a0b_0c0d));
            }
            18 => assert_eq!(
                ad.with(|p| Ok(p.iter().map(|&b| u32::from(b)).sum::<u32>())),
                Ok(0xde + 0xad + 0xbe)
            ),
            19 => {
                assert_eq!(ad.type_flags(), NLA_F_NET_BYTEORDER);
                assert_eq!(ad.attr().unwrap().raw_type(), 19 | NLA_F_NET_BYTEORDER);
                assert_eq!(ad.attr().unwrap().u16_be(), Ok(0x0800));
            }
            20 => assert_eq!(ad.attr().unwrap().int::<u16>(ByteOrder::Big), Ok(0x0102)),
            21 => assert_eq!(ad.attr().unwrap().int::<u16>(ByteOrder::Little), Ok(0x0102)),
            other => panic!("unexpected type {other}"),
        }
    }
    assert_eq!(ad.finish(), Ok(()));
    let mut expected: Vec<u16> = (1..=21).collect();
    expected.retain(|&t| t != 16);
    assert_eq!(seen, expected);
}

#[test]
fn decoder_golden_native() {
    let (_, bytes) = encode_all(ByteOrder::Native);
    decode_all(&bytes, ByteOrder::Native);
}

#[test]
fn decoder_golden_big_endian() {
    let (_, bytes) = encode_all(ByteOrder::Big);
    decode_all(&bytes, ByteOrder::Big);
}

#[test]
fn byte_order_changes_the_value_read() {
    let b = cat(&[&nla(8, 1), &0x0102_0304u32.to_be_bytes()]);
    let a = Attrs::new(&b).next().unwrap().unwrap();
    assert_eq!(a.u32_be(), Ok(0x0102_0304));
    assert_eq!(a.u32(), Ok(u32::from_ne_bytes([1, 2, 3, 4])));
    let mut ad = AttributeDecoder::new(&b);
    ad.set_byte_order(ByteOrder::NETWORK);
    assert!(ad.advance());
    assert_eq!(ad.u32(), Ok(0x0102_0304));
}

#[test]
fn nest_start_and_end_match_nested() {
    let mut a = Vec::new();
    let mut ae = AttributeEncoder::new(&mut a);
    ae.nested(1, |n| {
        n.u32(2, 3).string(4, "x");
        Ok(())
    });
    ae.finish().unwrap();

    let mut b = Vec::new();
    let mut ae = AttributeEncoder::new(&mut b);
    let nest = ae.nest_start(1);
    ae.u32(2, 3).string(4, "x");
    ae.nest_end(nest);
    assert_eq!(
        ae.count(),
        3,
        "closure-free nests count their members at this level"
    );
    ae.finish().unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a,
        cat(&[
            &nla(20, 1 | NLA_F_NESTED),
            &nla(8, 2),
            &3u32.to_ne_bytes(),
            &nla(6, 4),
            b"x\0\0\0"
        ])
    );
}

#[test]
fn empty_nest_and_empty_encoder() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    assert!(ae.is_empty());
    ae.nested(7, |_| Ok(()));
    assert_eq!(ae.finish(), Ok(4));
    assert_eq!(buf, nla(4, 7 | NLA_F_NESTED));
    let mut ad = AttributeDecoder::new(&[]);
    assert!(ad.is_empty());
    assert!(!ad.advance());
    assert_eq!(ad.finish(), Ok(()));
}

#[test]
fn largest_attribute_fits() {
    // 4 + 65,531 = 65,535 bytes: the largest length a u16 holds.
    let payload = vec![0x5a; 65_531];
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.bytes(1, &payload);
    assert_eq!(ae.finish(), Ok(65_536));
    assert_eq!(&buf[..4], &nla(65_535, 1)[..]);
    let a = Attrs::new(&buf).next().unwrap().unwrap();
    assert_eq!(a.payload().len(), 65_531);
    assert_eq!(a.len(), 65_535);
}

#[test]
fn string_decoding_trims_trailing_nuls() {
    let b = cat(&[&nla(11, 1), b"eth0\0\0\0", &[0]]);
    let a = Attrs::new(&b).next().unwrap().unwrap();
    assert_eq!(a.string(), Ok("eth0"));
    assert_eq!(a.cstr().unwrap().to_bytes(), b"eth0");
    // Without any NUL, only the lenient reader accepts it.
    let b = cat(&[&nla(6, 1), b"lo", &[0, 0]]);
    let a = Attrs::new(&b).next().unwrap().unwrap();
    assert_eq!(a.string_lenient(), Ok("lo"));
    assert!(a.string().is_err());
}

#[test]
fn marshal_and_unmarshal_golden() {
    let attrs = vec![
        Attribute {
            length: 0,
            attr_type: 1,
            data: vec![0xaa, 0xbb],
        },
        Attribute {
            length: 8,
            attr_type: 2 | NLA_F_NESTED,
            data: cat(&[&nla(4, 3)]),
        },
        Attribute {
            length: 0,
            attr_type: 4,
            data: vec![],
        },
    ];
    let b = marshal_attributes(&attrs).unwrap();
    let expected = cat(&[
        &nla(6, 1),
        &[0xaa, 0xbb, 0, 0],
        &nla(8, 2 | NLA_F_NESTED),
        &nla(4, 3),
        &nla(4, 4),
    ]);
    assert_eq!(b, expected);
    let back = unmarshal_attributes(&b).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].length, 6);
    assert_eq!(back[1].attr_type, 2 | NLA_F_NESTED, "flags are kept");
    assert_eq!(back[1], attrs[1]);
    assert_eq!(back[2].length, 4);
    assert_eq!(unmarshal_attributes(&[]).unwrap(), vec![]);
}

#[test]
fn attr_accessors() {
    let b = cat(&[&nla(6, 3 | NLA_F_NET_BYTEORDER), &[1, 2], &[0, 0]]);
    let a = Attrs::with_offset(&b, 40).next().unwrap().unwrap();
    assert_eq!(a.attr_type(), 3);
    assert_eq!(a.raw_type(), 3 | NLA_F_NET_BYTEORDER);
    assert_eq!(a.type_flags(), NLA_F_NET_BYTEORDER);
    assert!(a.is_net_byteorder());
    assert!(!a.is_nested());
    assert_eq!(a.offset(), 40);
    assert_eq!(a.depth(), 0);
    assert_eq!(a.len(), 6);
    assert!(!a.is_empty());
    assert_eq!(a.array::<2>(), Ok([1, 2]));
    assert_eq!(a.expect_len(2), Ok(()));
    assert_eq!(
        a.to_owned(),
        Attribute {
            length: 6,
            attr_type: 3 | NLA_F_NET_BYTEORDER,
            data: vec![1, 2]
        }
    );
    let owned = netlink::Attr::new(5, &[9], 0);
    assert_eq!(owned.u8(), Ok(9));
}

#[test]
fn enc_helpers_golden() {
    assert_eq!(
        enc::to_bytes(0x0102u16, ByteOrder::Native),
        0x0102u16.to_ne_bytes()
    );
    assert_eq!(enc::to_bytes(0x0102u16, ByteOrder::Big), [1, 2]);
    assert_eq!(enc::to_bytes(0x0102u16, ByteOrder::Little), [2, 1]);
    assert_eq!(enc::u8(&[7]), Ok(7));
    assert_eq!(enc::u16(&0xbeefu16.to_ne_bytes()), Ok(0xbeef));
    assert_eq!(enc::u32(&0xdead_beefu32.to_ne_bytes()), Ok(0xdead_beef));
    assert_eq!(enc::u64(&u64::MAX.to_ne_bytes()), Ok(u64::MAX));
    assert_eq!(enc::i32(&(-1i32).to_ne_bytes()), Ok(-1));
    assert_eq!(enc::i64(&(-9i64).to_ne_bytes()), Ok(-9));
    let mut b = [0u8; 4];
    enc::put_u32(&mut b, 0x0a0b_0c0d).unwrap();
    assert_eq!(b, 0x0a0b_0c0du32.to_ne_bytes());
    enc::put_i32(&mut b, -2).unwrap();
    assert_eq!(b, (-2i32).to_ne_bytes());
    let mut b = [0u8; 8];
    enc::put_u64(&mut b, 5).unwrap();
    assert_eq!(b, 5u64.to_ne_bytes());
    let mut b = [0u8; 2];
    enc::put_u16(&mut b, 0x0102).unwrap();
    assert_eq!(b, 0x0102u16.to_ne_bytes());
    let mut b = [0u8; 1];
    enc::put_u8(&mut b, 3).unwrap();
    assert_eq!(b, [3]);
    assert_eq!(enc::nul_terminated("nl"), b"nl\0");
    assert_eq!(enc::string(b"nl\0junk"), "nl");
    assert_eq!(enc::align(13), Some(16));
    assert_eq!(enc::align(16), Some(16));
}

#[test]
fn go_example_bytes() {
    // The attributes of the Go package's encoder example, byte for byte.
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.u16(1, 1).string(2, "hello world").nested(3, |n| {
        n.u32(1, 2).u32(2, 3);
        Ok(())
    });
    assert_eq!(ae.finish(), Ok(44));
    let expected = cat(&[
        &nla(6, 1),
        &1u16.to_ne_bytes(),
        &[0, 0],
        &nla(16, 2),
        b"hello world\0",
        &nla(20, 3 | NLA_F_NESTED),
        &nla(8, 1),
        &2u32.to_ne_bytes(),
        &nla(8, 2),
        &3u32.to_ne_bytes(),
    ]);
    assert_eq!(buf, expected);
}

#[test]
fn encoder_error_is_kept_and_later_calls_do_nothing() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.u8(1, 1).string(2, "a\0b").u8(3, 3);
    assert_eq!(
        ae.error(),
        Some(&EncodeError::InteriorNul {
            attr_type: 2,
            position: 1
        })
    );
    assert_eq!(ae.count(), 1);
    assert!(ae.finish().is_err());
    assert_eq!(buf, cat(&[&nla(5, 1), &[1, 0, 0, 0]]));
}
