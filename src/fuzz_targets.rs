//! The fuzz targets: one function per decoder, shared by the cargo-fuzz crate in `fuzz/` (run
//! on the nightly toolchain, see `fuzz/README.md`) and by the stable smoke run
//! `tests/fuzz_smoke.rs`, so that `cargo test` exercises exactly what the fuzzer runs.
//!
//! Every target takes arbitrary bytes and panics (which the fuzzer reports as a crash) when
//! the code under test panics or breaks one of its promises. Besides "never panics", each
//! target decodes its input, encodes what it decoded, decodes that again and checks that
//! nothing changed:
//!
//! | target | decodes with | checks |
//! |---|---|---|
//! | [`messages`] | [`netlink::messages`], [`MessageRef::parse`], [`Message::decode`] | offsets and lengths point into the input; re-encoding the messages gives the same bytes at the same offsets, and they parse back to the same messages |
//! | [`attributes`] | [`AttributeDecoder`], recursively into every payload that holds attributes, to [`MAX_NEST_DEPTH`] and past it | typed getters agree with the payload; nesting stops exactly at the limit with [`DecodeError::NestTooDeep`]; the re-encoded tree walks back to the same tree and the same bytes |
//! | [`ack`] | [`parse_error`], [`parse_done`] on every message | an acknowledgement re-encoded from the decoded value decodes to the same value |
//! | [`debug_format`] | [`format_datagram`] at every level and format, [`parse_options`] | one `nl: ` line per message, hex dumps equal to the bytes, the same lines for the re-encoded datagram |
//! | [`derived`] / [`derived_any`] | [`NlAttrs::decode`](netlink::NlAttrs::decode) of each type of [`DERIVED_TYPES`] | `decode(encode(decode(x))) == decode(x)`, also through a whole message; the encoding is stable and passes the type's own policy; strict decoding agrees with lenient decoding, and the policy rejects what decoding rejects |
//!
//! [`seeds`] builds the starting corpus of each target from the datagrams captured from the
//! kernel in `tests/fixtures/`.

use std::fmt::Debug;

use netlink::ack::{
    parse_done, parse_error, Ack, NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_MISS_NEST,
    NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_POLICY,
};
use netlink::attr::{NLA_F_NESTED, NLA_TYPE_MASK};
use netlink::debug::{format_datagram, parse_options, DebugOptions, Direction, Format};
use netlink::message::HEADER_LEN;
use netlink::roundtrip::check_bytes;
use netlink::{
    AttributeDecoder, AttributeEncoder, Attrs, DecodeError, DecodeOptions, EncodeError, Header,
    HeaderFlags, HeaderType, Message, MessageEncoder, MessageRef, NlAttrsOwned, MAX_NEST_DEPTH,
};

/// `len` rounded up to the 4-byte netlink alignment.
fn align(len: usize) -> usize {
    len.div_ceil(4) * 4
}

/// The messages of `data` up to the first error, and that error.
fn parse_all(data: &[u8]) -> (Vec<MessageRef<'_>>, Option<DecodeError>) {
    let mut ok = Vec::new();
    for m in netlink::messages(data) {
        match m {
            Ok(m) => ok.push(m),
            Err(e) => return (ok, Some(e)),
        }
    }
    (ok, None)
}

/// The messages encoded back to back, each padded to 4 bytes.
fn encode_messages(msgs: &[MessageRef<'_>]) -> Vec<u8> {
    let mut buf = Vec::new();
    for m in msgs {
        m.to_owned()
            .encode_into(&mut buf)
            .unwrap_or_else(|e| panic!("a decoded message does not encode: {e}: {m:?}"));
    }
    buf
}

/// The message iterator: [`netlink::messages`], [`MessageRef::parse`] and [`Message::decode`].
///
/// Every message's offset, length and payload must describe the input bytes exactly; an error
/// must name the offset where the iteration stopped, and nothing may follow it. Encoding the
/// messages again must put each at the same offset with the same bytes, and the encoded
/// datagram must parse, without error, to the same messages and encode to the same bytes.
pub fn messages(data: &[u8]) {
    let mut expected_offset = 0usize;
    let mut it = netlink::messages(data);
    let mut msgs = Vec::new();
    let mut error = None;
    for m in it.by_ref() {
        match m {
            Ok(m) => {
                assert_eq!(m.offset, expected_offset, "message offset");
                let len = m.header.length as usize;
                assert_eq!(len, HEADER_LEN + m.data.len(), "length field and payload");
                let bytes = &data[m.offset..m.offset + len];
                assert_eq!(&bytes[..HEADER_LEN], &m.header.to_bytes(), "header bytes");
                assert_eq!(&bytes[HEADER_LEN..], m.data, "payload bytes");
                expected_offset = align(m.offset + len).min(data.len());
                msgs.push(m);
            }
            Err(e) => {
                assert_eq!(e.offset(), Some(expected_offset), "error offset: {e}");
                assert!(expected_offset < data.len(), "error at the end: {e}");
                error = Some(e);
            }
        }
    }
    assert!(it.next().is_none(), "the iterator is fused");
    if error.is_none() {
        assert_eq!(expected_offset, data.len(), "every byte was iterated over");
    }

    // The first message, three ways.
    match (MessageRef::parse(data), msgs.first(), &error) {
        (Ok((m, rest)), Some(first), _) => {
            assert_eq!(m, *first);
            assert_eq!(
                rest.len(),
                data.len() - align(m.data.len() + HEADER_LEN).min(data.len())
            );
            assert_eq!(Message::decode(data), Ok(m.to_owned()));
        }
        (Err(e), None, None) if data.is_empty() => {
            assert!(
                matches!(e, DecodeError::MessageHeaderTruncated { .. }),
                "{e}"
            );
        }
        (Err(e), None, Some(first_error)) => {
            assert_eq!(&e, first_error);
            assert_eq!(Message::decode(data), Err(e));
        }
        (parsed, first, error) => {
            panic!("parse gave {parsed:?}, the iterator {first:?} then {error:?}")
        }
    }

    // The family header split and the attribute iterator of each message keep their offsets
    // inside the message.
    for m in &msgs {
        for header_len in [0, 4, 12, 16] {
            match m.split_family_header(header_len) {
                Ok((head, rest)) => {
                    assert_eq!(head.len(), header_len);
                    assert!(header_len <= m.data.len());
                    assert_eq!(rest, &m.data[align(header_len).min(m.data.len())..]);
                }
                Err(e) => {
                    assert!(header_len > m.data.len(), "{e}");
                    assert_eq!(e.offset(), Some(m.payload_offset()));
                }
            }
            if let Ok(attrs) = m.attrs(header_len) {
                let end = m.offset + m.header.length as usize;
                for a in attrs.flatten() {
                    assert!(a.offset() >= m.payload_offset() && a.offset() + a.len() <= end);
                    check_attr_bytes(data, a.offset(), a.raw_type(), a.payload());
                }
            }
        }
    }

    // Encode, decode again.
    let encoded = encode_messages(&msgs);
    let (again, again_error) = parse_all(&encoded);
    assert_eq!(again_error, None, "the re-encoded datagram parses");
    assert_eq!(again.len(), msgs.len(), "as many messages");
    for (a, m) in again.iter().zip(&msgs) {
        assert_eq!((a.header, a.data, a.offset), (m.header, m.data, m.offset));
        let len = m.header.length as usize;
        assert_eq!(
            &encoded[m.offset..m.offset + len],
            &data[m.offset..m.offset + len]
        );
    }
    if error.is_none() {
        assert_eq!(encoded.len(), align(data.len()));
    }
    assert_eq!(encode_messages(&again), encoded, "the encoding is stable");
}

/// Checks that `data` holds, at `offset`, an attribute header of this length and type
/// followed by `payload`.
fn check_attr_bytes(data: &[u8], offset: usize, raw_type: u16, payload: &[u8]) {
    let len = u16::try_from(4 + payload.len()).expect("an attribute fits its length field");
    assert_eq!(
        &data[offset..offset + 2],
        &len.to_ne_bytes(),
        "length at {offset}"
    );
    assert_eq!(
        &data[offset + 2..offset + 4],
        &raw_type.to_ne_bytes(),
        "type at {offset}"
    );
    assert_eq!(
        &data[offset + 4..offset + 4 + payload.len()],
        payload,
        "payload at {offset}"
    );
}

/// One attribute of a decoded tree.
#[derive(Debug, PartialEq)]
struct Node<'a> {
    /// The type, flags included.
    raw_type: u16,
    body: Body<'a>,
}

#[derive(Debug, PartialEq)]
enum Body<'a> {
    /// A payload that is not a whole set of attributes (or lies past the nesting limit).
    Leaf(&'a [u8]),
    /// A payload made of attributes, each decoded: a nest, whether or not `NLA_F_NESTED` says
    /// so (an empty payload counts as an empty nest).
    Nest(Vec<Node<'a>>),
}

/// The most nests [`attributes`] wraps its input in: past [`MAX_NEST_DEPTH`].
pub const MAX_WRAP: usize = MAX_NEST_DEPTH + 8;

/// The input of [`attributes`]: `data` after its first byte, wrapped in `data[0] %
/// (MAX_WRAP + 1)` nests (when that fits an attribute's length field), so that the fuzzer
/// reaches the nesting limit with a single byte.
pub fn wrap_in_nests(data: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = data.split_first() else {
        return Vec::new();
    };
    let depth = usize::from(first) % (MAX_WRAP + 1);
    if rest.len() + 4 * depth > usize::from(u16::MAX) {
        return rest.to_vec();
    }
    let mut out = Vec::with_capacity(rest.len() + 4 * depth);
    for level in 0..depth {
        let len = u16::try_from(rest.len() + 4 * (depth - level)).expect("checked above");
        out.extend_from_slice(&len.to_ne_bytes());
        // Alternate between flagged and unflagged nests: both are walked.
        let flag = if level % 2 == 0 { NLA_F_NESTED } else { 0 };
        let t = (1 + (level % 3) as u16) | flag;
        out.extend_from_slice(&t.to_ne_bytes());
    }
    out.extend_from_slice(rest);
    out
}

/// Walks the attributes of one level with the decoder, descending into every attribute
/// whose payload decodes as attributes. Checks the typed getters on every attribute.
fn walk<'a>(ad: &mut AttributeDecoder<'a>, buf: &[u8], depth: usize) -> Vec<Node<'a>> {
    let mut nodes = Vec::new();
    let mut last_offset = None;
    while ad.advance() {
        let a = ad
            .attr()
            .expect("advance() is true: there is a current attribute");
        assert_eq!(a.depth(), depth, "depth of {a:?}");
        assert!(last_offset < Some(a.offset()), "offsets grow");
        last_offset = Some(a.offset());
        check_attr_bytes(buf, a.offset(), a.raw_type(), a.payload());
        assert_eq!(ad.attr_type(), a.raw_type() & NLA_TYPE_MASK);
        assert_eq!(ad.type_flags(), a.raw_type() & !NLA_TYPE_MASK);
        check_getters(ad);

        // Try the payload as a nest, on a copy of the decoder: a failure (which the decoder
        // keeps) must not end the walk of this level.
        let mut probe = ad.clone();
        let mut kids = None;
        let result = probe.nested(|inner| {
            kids = Some(walk(inner, buf, depth + 1));
            Ok(())
        });
        let body = match result {
            Ok(()) => {
                assert!(depth < MAX_NEST_DEPTH, "a nest past the limit was decoded");
                Body::Nest(kids.expect("the nested decoder ran"))
            }
            Err(DecodeError::NestTooDeep {
                offset,
                attr_type,
                max,
            }) => {
                assert_eq!(
                    (offset, attr_type, max),
                    (a.offset(), a.attr_type(), MAX_NEST_DEPTH)
                );
                assert_eq!(depth, MAX_NEST_DEPTH, "nesting stops exactly at the limit");
                assert!(kids.is_none(), "the callback ran past the limit");
                Body::Leaf(a.payload())
            }
            Err(e) => {
                assert!(depth < MAX_NEST_DEPTH, "{e}");
                let o = e.offset().expect("a malformed nest error has an offset");
                let start = a.offset() + 4;
                assert!(
                    o >= start && o < start + a.payload().len(),
                    "{e} outside {a:?}"
                );
                Body::Leaf(a.payload())
            }
        };
        nodes.push(Node {
            raw_type: a.raw_type(),
            body,
        });
    }
    assert!(ad.attr().is_none(), "no current attribute after the end");
    assert_eq!(ad.len(), nodes.len(), "len() counts up to the first error");
    nodes
}

/// The typed getters of the decoder against the payload, each on a copy of the decoder.
fn check_getters(ad: &AttributeDecoder<'_>) {
    let a = ad.attr().expect("on an attribute");
    let p = a.payload();
    macro_rules! int {
        ($($t:ident),*) => {$(
            let r = ad.clone().$t();
            match <[u8; core::mem::size_of::<$t>()]>::try_from(p) {
                Ok(b) => assert_eq!(r, Ok($t::from_ne_bytes(b))),
                Err(_) => assert!(
                    matches!(r, Err(DecodeError::PayloadSize { .. })),
                    "{}: {r:?}", stringify!($t)
                ),
            }
        )*};
    }
    int!(u8, u16, u32, u64, i8, i16, i32, i64);
    assert_eq!(ad.clone().bytes(), Ok(p));
    assert_eq!(ad.clone().flag().is_ok(), p.is_empty());
    // Strings end at the first NUL, as the kernel reads them; a string without one is an
    // error, except for the lenient getter, which takes the whole payload.
    let nul = p.iter().position(|&b| b == 0);
    let text = &p[..nul.unwrap_or(p.len())];
    let utf8 = std::str::from_utf8(text);
    let lenient = ad.clone().string_lenient();
    match &utf8 {
        Ok(t) => assert_eq!(lenient, Ok(*t)),
        Err(_) => assert!(
            matches!(lenient, Err(DecodeError::InvalidUtf8 { .. })),
            "{lenient:?}"
        ),
    }
    let s = ad.clone().string();
    match nul {
        Some(_) => assert_eq!(s, lenient),
        None => assert!(
            matches!(s, Err(DecodeError::StringNotTerminated { .. })),
            "{s:?}"
        ),
    }
    // Once the decoder holds an error it runs no callback, every getter returns that error
    // and it moves no further.
    let mut failed = ad.clone();
    if let Err(e) = failed.u64() {
        assert_eq!(failed.error(), Some(&e), "a getter's error is kept");
        assert_eq!(failed.u8(), Err(e.clone()));
        assert_eq!(failed.bytes(), Err(e.clone()));
        assert_eq!(
            failed.with(|_| -> Result<(), DecodeError> { panic!("callback after an error") }),
            Err(e.clone())
        );
        assert_eq!(
            failed.nested(|_| panic!("nested callback after an error")),
            Err(e.clone())
        );
        assert!(!failed.advance(), "no attribute after an error");
        assert_eq!(failed.finish(), Err(e));
    }
}

/// Encodes a tree: nests flagged `NLA_F_NESTED` with the encoder's nests, the others with a
/// payload writer holding an encoder of its own.
fn encode_nodes(ae: &mut AttributeEncoder<'_>, nodes: &[Node<'_>]) {
    for n in nodes {
        match &n.body {
            Body::Leaf(p) => {
                ae.raw(n.raw_type, p);
            }
            Body::Nest(kids) if n.raw_type & NLA_F_NESTED != 0 => {
                ae.nested(n.raw_type, |inner| {
                    encode_nodes(inner, kids);
                    Ok(())
                });
            }
            Body::Nest(kids) => {
                ae.with(n.raw_type, |buf| {
                    let mut inner = AttributeEncoder::new(buf);
                    encode_nodes(&mut inner, kids);
                    inner.finish().map(drop)
                });
            }
        }
    }
}

fn encode_tree(nodes: &[Node<'_>]) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    encode_nodes(&mut ae, nodes);
    ae.finish()?;
    Ok(buf)
}

/// The attribute decoder, walking every attribute recursively: every payload that decodes as
/// attributes is descended into, whether or not it is flagged `NLA_F_NESTED`, down to
/// [`MAX_NEST_DEPTH`], where the decoder must stop with [`DecodeError::NestTooDeep`]. The
/// input is first wrapped in nests by [`wrap_in_nests`] (its first byte says how many).
///
/// Offsets must point at the attributes' bytes and typed getters agree with the payloads.
/// The tree walked is encoded again (payload padding becomes zeros, an unpadded last
/// attribute gets its padding); the encoding must walk back, without error, to the same tree
/// and encode to the same bytes. [`netlink::unmarshal_attributes`] and
/// [`netlink::marshal_attributes`] must round-trip the top level the same way.
pub fn attributes(data: &[u8]) {
    let buf = wrap_in_nests(data);
    let mut ad = AttributeDecoder::new(&buf);
    let tree = walk(&mut ad, &buf, 0);
    let error = ad.finish().err();
    if let Some(e) = &error {
        assert!(e.offset().is_some_and(|o| o < buf.len()), "{e}");
    }

    let encoded = match encode_tree(&tree) {
        Ok(b) => b,
        // Padding added to unpadded last attributes can take a nest near 65,535 bytes over
        // the limit of its length field.
        Err(EncodeError::AttrTooLong { .. }) if buf.len() > usize::from(u16::MAX) - 4 * 64 => {
            return
        }
        Err(e) => panic!("a decoded tree does not encode: {e}"),
    };
    let mut ad = AttributeDecoder::new(&encoded);
    let again = walk(&mut ad, &encoded, 0);
    assert_eq!(ad.finish(), Ok(()), "the re-encoded attributes decode");
    assert_eq!(again, tree, "the same tree");
    assert_eq!(
        encode_tree(&again).as_ref(),
        Ok(&encoded),
        "the encoding is stable"
    );

    // The owned layer over the top level.
    match netlink::unmarshal_attributes(&buf) {
        Ok(attrs) => {
            assert!(error.is_none());
            assert_eq!(attrs.len(), tree.len());
            let b = netlink::marshal_attributes(&attrs).expect("decoded attributes encode");
            assert_eq!(netlink::unmarshal_attributes(&b).as_ref(), Ok(&attrs));
        }
        Err(e) => assert_eq!(Some(e), error),
    }
}

/// An `NLMSG_ERROR` message saying what `ack` says: its code, the echoed request (capped or
/// not) and its extended acknowledgement.
fn encode_error(ack: &Ack<'_>) -> Vec<u8> {
    let mut flags = HeaderFlags::EMPTY;
    if ack.capped {
        flags |= HeaderFlags::CAPPED;
    }
    if !ack.ext_ack.is_empty() {
        flags |= HeaderFlags::ACK_TLVS;
    }
    encode_ack(ack, HeaderType::ERROR, flags)
}

/// An `NLMSG_DONE` message saying what `ack` says.
fn encode_done(ack: &Ack<'_>) -> Vec<u8> {
    let mut flags = HeaderFlags::MULTI;
    if !ack.ext_ack.is_empty() {
        flags |= HeaderFlags::ACK_TLVS;
    }
    encode_ack(ack, HeaderType::DONE, flags)
}

fn encode_ack(ack: &Ack<'_>, kind: HeaderType, flags: HeaderFlags) -> Vec<u8> {
    let mut buf = Vec::new();
    let header = Header {
        kind,
        flags,
        ..Header::default()
    };
    let mut m = MessageEncoder::new(&mut buf, header);
    m.extend(&ack.code.to_ne_bytes());
    if let Some(request) = ack.request {
        m.extend(&request.to_bytes());
        if !ack.capped {
            m.extend_padded(ack.request_payload);
        }
    }
    let e = &ack.ext_ack;
    let mut ae = m.attrs();
    if let Some(text) = &e.message {
        ae.string(NLMSGERR_ATTR_MSG, text);
    }
    if let Some(o) = e.offset {
        ae.u32(NLMSGERR_ATTR_OFFS, o);
    }
    if let Some(c) = &e.cookie {
        ae.bytes(NLMSGERR_ATTR_COOKIE, c);
    }
    if let Some(p) = &e.policy {
        ae.raw(NLMSGERR_ATTR_POLICY | NLA_F_NESTED, p);
    }
    if let Some(t) = e.missing_type {
        ae.u32(NLMSGERR_ATTR_MISS_TYPE, t);
    }
    if let Some(n) = e.missing_nest {
        ae.u32(NLMSGERR_ATTR_MISS_NEST, n);
    }
    m.finish()
        .unwrap_or_else(|err| panic!("an acknowledgement does not encode: {err}: {ack:?}"));
    buf
}

/// The fields of an acknowledgement that its encoding must keep (all but `problem`).
fn ack_fields<'a, 'b>(
    a: &'b Ack<'a>,
) -> (i32, Option<Header>, &'a [u8], bool, &'b netlink::ExtAck) {
    (a.code, a.request, a.request_payload, a.capped, &a.ext_ack)
}

/// Decodes `msg` with `parse`, re-encodes the acknowledgement with `encode` and checks the
/// round trip.
fn ack_round_trip(
    msg: &MessageRef<'_>,
    parse: for<'a> fn(&MessageRef<'a>) -> Result<Ack<'a>, DecodeError>,
    encode: fn(&Ack<'_>) -> Vec<u8>,
) {
    let Ok(first) = parse(msg) else {
        assert!(
            msg.data.len() < 4,
            "only a payload shorter than its code is an error"
        );
        return;
    };
    // Accessors must not panic, and agree with the code.
    assert_eq!(first.is_success(), first.code == 0);
    assert_eq!(first.errno().is_some(), first.code != 0);
    assert_eq!(first.to_op_error("fuzz", 1).is_some(), first.code != 0);
    if let Some(o) = first.ext_ack.offset {
        let _ = first.request_bytes_at(o);
    }
    if let Some(Ok(p)) = first.ext_ack.policy_info() {
        let _ = p.to_string();
    }
    if let Some(p) = &first.problem {
        assert!(p.offset().is_some(), "a problem says where: {p}");
    }

    let bytes = encode(&first);
    let (m2, _) = MessageRef::parse(&bytes).expect("an encoded acknowledgement parses");
    let second = parse(&m2).expect("an encoded acknowledgement decodes");
    if first.problem.is_none() {
        assert_eq!(ack_fields(&second), ack_fields(&first), "round trip");
        assert_eq!(second.problem, None);
    }
    // Whatever the input, the second and third generations agree entirely.
    let bytes3 = encode(&second);
    let (m3, _) = MessageRef::parse(&bytes3).expect("an encoded acknowledgement parses");
    let third = parse(&m3).expect("an encoded acknowledgement decodes");
    assert_eq!(third, second, "stable round trip");
    assert_eq!(encode(&third), bytes3, "stable encoding");
}

/// The acknowledgement decoders [`parse_error`] and [`parse_done`], on every message of the
/// datagram whatever its type (they must not trust the caller's type check): a decoded
/// acknowledgement re-encoded as an `NLMSG_ERROR` (or `NLMSG_DONE`) decodes to the same value
/// when the first decoding found no problem, and always from the second generation on.
pub fn ack(data: &[u8]) {
    for m in netlink::messages(data).map_while(Result::ok) {
        ack_round_trip(&m, parse_error, encode_error);
        ack_round_trip(&m, parse_done, encode_done);
    }
}

/// Every combination of the `NLDEBUG` options.
const DEBUG_OPTIONS: [DebugOptions; 4] = [
    DebugOptions {
        level: 1,
        format: Format::Text,
    },
    DebugOptions {
        level: 2,
        format: Format::Text,
    },
    DebugOptions {
        level: 1,
        format: Format::Hex,
    },
    DebugOptions {
        level: 2,
        format: Format::Hex,
    },
];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `NLDEBUG` formatting: [`format_datagram`] at every level and format, both directions.
///
/// The trace must hold one `nl: <direction>: ` line per message (plus one for an error, one
/// for an empty datagram); a hex line must be exactly the message's bytes and a level-2 text
/// line must end with the payload in hex. The re-encoded datagram must trace the same lines
/// for its messages. The input as text also goes through [`parse_options`], whose result
/// must survive being written back as `level=N,format=F`.
pub fn debug_format(data: &[u8]) {
    let (msgs, error) = parse_all(data);
    let encoded = encode_messages(&msgs);
    for opts in DEBUG_OPTIONS {
        for direction in [Direction::Send, Direction::Recv] {
            let text = format_datagram(&opts, direction, data);
            assert!(text.ends_with('\n'), "{text:?}");
            let prefix = format!("nl: {direction}: ");
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines.iter().all(|l| l.starts_with(&prefix)), "{text:?}");
            let expected = if data.is_empty() {
                1
            } else {
                msgs.len() + usize::from(error.is_some())
            };
            assert_eq!(lines.len(), expected, "{text:?}");
            for (line, m) in lines.iter().zip(&msgs) {
                let line = &line[prefix.len()..];
                match opts.format {
                    Format::Hex => {
                        let len = m.header.length as usize;
                        assert_eq!(line, hex(&data[m.offset..m.offset + len]));
                    }
                    Format::Text if opts.level >= 2 && !m.data.is_empty() => {
                        assert!(
                            line.ends_with(&format!(" payload={}", hex(m.data))),
                            "{line}"
                        );
                    }
                    Format::Text => {}
                }
            }
            let again = format_datagram(&opts, direction, &encoded);
            let again: Vec<&str> = again.lines().collect();
            assert_eq!(&again[..msgs.len()], &lines[..msgs.len()], "same trace");
        }
    }

    let value = String::from_utf8_lossy(data);
    if let Ok(Some(opts)) = parse_options(&value) {
        let format = match opts.format {
            Format::Text => "text",
            Format::Hex => "hex",
        };
        let written = format!("level={},format={format}", opts.level);
        assert_eq!(parse_options(&written), Ok(Some(opts)), "{value:?}");
    }
}

/// A derived attribute set: decode, encode, decode again.
///
/// The oracle is [`check_bytes`]: bytes that `T` decodes must encode (unless the canonical
/// encoding outgrows an attribute's 65,535 bytes), the encoding must pass `T`'s own policy,
/// decode back to the same value and encode to the same bytes, and a strict decoding must
/// agree with the default one. On top of it: `T`'s policy must reject what decoding rejects,
/// and the value must survive a round trip as a whole message.
pub fn derived<T>(data: &[u8])
where
    T: NlAttrsOwned + PartialEq + Debug,
{
    if let Err(e) = check_bytes::<T>(data) {
        panic!("{e}");
    }
    let first = match T::decode(data) {
        Ok(v) => v,
        Err(e) => {
            // A payload shorter than the family header fails before the policy applies.
            if data.len() >= T::HEADER_LEN {
                let policy = T::POLICY.validate_payload(data, false);
                assert!(
                    policy.is_err(),
                    "the policy accepts what decoding rejects: {e}"
                );
            }
            return;
        }
    };
    let mut msg = Vec::new();
    let header = Header {
        kind: HeaderType::MIN_TYPE,
        flags: HeaderFlags::REQUEST,
        sequence: 1,
        ..Header::default()
    };
    let len = match first.encode_message(header, &mut msg) {
        Ok(len) => len,
        Err(EncodeError::AttrTooLong { .. } | EncodeError::MessageTooLong { .. }) => return,
        Err(e) => panic!("a decoded value does not encode as a message: {e}\n  {first:?}"),
    };
    assert_eq!(len, msg.len());
    let (m, rest) = MessageRef::parse(&msg).expect("an encoded message parses");
    assert!(rest.is_empty());
    assert_eq!(
        Ok(m.data),
        first.to_bytes().as_deref(),
        "the message holds the encoding"
    );
    let again = T::decode_message(&m, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("an encoded message does not decode: {e}\n  {first:?}"));
    assert_eq!(again, first, "round trip through a message");
}

/// A derived type the fuzzer checks: see [`DERIVED_TYPES`].
#[derive(Debug, Clone, Copy)]
pub struct DerivedType {
    /// The type's path.
    pub name: &'static str,
    /// [`derived`] for this type.
    pub check: fn(&[u8]),
    /// Whether the type decodes these bytes strictly (to pick seeds for it).
    pub accepts: fn(&[u8]) -> bool,
    /// The encoding of a value generated from a seed (by the derive's
    /// [`Arbitrary`](netlink::roundtrip::Arbitrary)): seeds for types the test machine's
    /// kernel cannot produce.
    pub generate: fn(u64) -> Vec<u8>,
}

fn accepts<T: NlAttrsOwned>(data: &[u8]) -> bool {
    T::decode_with(data, &DecodeOptions::strict()).is_ok()
}

fn generate<T: NlAttrsOwned + netlink::roundtrip::Arbitrary>(seed: u64) -> Vec<u8> {
    let value = T::arbitrary(&mut netlink::roundtrip::Rng::new(seed));
    // A generated value that does not fit a message is no seed.
    value.to_bytes().unwrap_or_default()
}

macro_rules! derived_types {
    ($($t:ty),* $(,)?) => {
        &[$(DerivedType {
            name: stringify!($t),
            check: derived::<$t>,
            accepts: accepts::<$t>,
            generate: generate::<$t>,
        }),*]
    };
}

/// Every derived attribute set that [`derived_any`] checks. A family module adds its types
/// here (one line each, nested types included); nothing else is needed for them to be
/// fuzzed and smoke-tested.
pub static DERIVED_TYPES: &[DerivedType] = derived_types![
    netlink::genl::CtrlMessage,
    netlink::genl::Op,
    netlink::genl::McastGroup,
    netlink::genl::OpPolicy,
    netlink::genl::AttrPolicy,
    netlink::route::LinkMessage,
    netlink::route::LinkInfo,
    netlink::route::LinkXdp,
    netlink::route::AfSpec,
    netlink::route::AfSpecInet,
    netlink::route::AfSpecInet6,
    netlink::route::PropList,
    netlink::route::VethInfo,
    netlink::route::BridgeInfo,
    netlink::route::BridgePortInfo,
    netlink::route::VxlanInfo,
    netlink::route::MacvlanInfo,
    netlink::route::VlanInfo,
    netlink::route::BondInfo,
    netlink::route::BondPortInfo,
    netlink::route::VrfInfo,
    netlink::route::VrfPortInfo,
    netlink::route::TunnelInfo,
    netlink::route::GreInfo,
    netlink::route::AddressMessage,
    netlink::route::RouteMessage,
    netlink::route::RouteMetrics,
    netlink::route::NextHopAttrs,
    netlink::route::NeighbourMessage,
    netlink::route::RuleMessage,
    netlink::genl::ethtool::EthtoolHeader,
    netlink::genl::ethtool::LinkInfo,
    netlink::genl::ethtool::LinkModes,
    netlink::genl::ethtool::LinkState,
    netlink::genl::ethtool::DebugSettings,
    netlink::genl::ethtool::Features,
    netlink::genl::ethtool::Bitset,
    netlink::genl::ethtool::BitsetBits,
    netlink::genl::ethtool::BitsetBit,
    netlink::genl::ethtool::Strset,
    netlink::genl::ethtool::StringSets,
    netlink::genl::ethtool::StringSet,
    netlink::genl::ethtool::EthStrings,
    netlink::genl::ethtool::EthString,
    netlink::genl::ethtool::Rings,
    netlink::genl::ethtool::Channels,
    netlink::genl::ethtool::Coalesce,
    netlink::genl::ethtool::Pause,
    netlink::genl::ethtool::TsInfo,
    netlink::genl::netdev::Dev,
    netlink::genl::netdev::Queue,
    netlink::genl::netdev::Napi,
    netlink::genl::netdev::Qstats,
    netlink::genl::netdev::PagePool,
];

/// The types of [`DERIVED_TYPES`] that no capture of the test machine's kernel holds (veth,
/// the only hardware there, has no rings, coalescing, pause or message level; no page pools
/// or queue statistics): their seeds are generated values only.
pub const UNCAPTURED_TYPES: &[&str] = &[
    "netlink::genl::ethtool::DebugSettings",
    "netlink::genl::ethtool::Rings",
    "netlink::genl::ethtool::Coalesce",
    "netlink::genl::ethtool::Pause",
    "netlink::genl::netdev::Qstats",
    "netlink::genl::netdev::PagePool",
];

/// [`derived`] for the type of [`DERIVED_TYPES`] that the first byte picks (modulo their
/// number), on the bytes after it.
pub fn derived_any(data: &[u8]) {
    if let Some((&pick, rest)) = data.split_first() {
        let t = &DERIVED_TYPES[usize::from(pick) % DERIVED_TYPES.len()];
        (t.check)(rest);
    }
}

/// A fuzz target: its name (that of its file in `fuzz/fuzz_targets/`) and its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// [`messages`].
    Messages,
    /// [`attributes`].
    Attributes,
    /// [`ack`].
    Ack,
    /// [`debug_format`].
    Debug,
    /// [`derived_any`].
    Derived,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 5] = [
        Target::Messages,
        Target::Attributes,
        Target::Ack,
        Target::Debug,
        Target::Derived,
    ];

    /// The name of the target in `fuzz/` (`cargo fuzz run NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Messages => "messages",
            Target::Attributes => "attributes",
            Target::Ack => "ack",
            Target::Debug => "debug",
            Target::Derived => "derived",
        }
    }

    /// Runs the target on `data`.
    pub fn run(self, data: &[u8]) {
        match self {
            Target::Messages => messages(data),
            Target::Attributes => attributes(data),
            Target::Ack => ack(data),
            Target::Debug => debug_format(data),
            Target::Derived => derived_any(data),
        }
    }
}

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../tests/fixtures/", $name)))
    };
}

/// The datagrams captured from the kernel in `tests/fixtures/`: name and bytes.
pub const FIXTURES: &[(&str, &[u8])] = &[
    fixture!("ack_success.reply.bin"),
    fixture!("ack_success.request.bin"),
    fixture!("enodev_capped.reply.bin"),
    fixture!("enodev_capped.request.bin"),
    fixture!("enodev_uncapped.reply.bin"),
    fixture!("enodev_uncapped.request.bin"),
    fixture!("ethtool_enodev.reply.bin"),
    fixture!("ethtool_enodev.request.bin"),
    fixture!("ethtool_enodev_capped.reply.bin"),
    fixture!("ethtool_enodev_capped.request.bin"),
    fixture!("ethtool_missing_nested_attr.reply.bin"),
    fixture!("ethtool_missing_nested_attr.request.bin"),
    fixture!("ethtool_policy_mask.reply.bin"),
    fixture!("ethtool_policy_mask.request.bin"),
    fixture!("getfamily_dump.bin"),
    fixture!("getfamily_nlctrl.bin"),
    fixture!("getpolicy_nlctrl.bin"),
    fixture!("getroute_dump_strict_einval.reply.bin"),
    fixture!("getroute_dump_strict_einval.request.bin"),
    fixture!("getroute_strict_einval.reply.bin"),
    fixture!("getroute_strict_einval.request.bin"),
    fixture!("netdev_missing_attr.reply.bin"),
    fixture!("netdev_missing_attr.request.bin"),
    fixture!("netdev_policy_range.reply.bin"),
    fixture!("netdev_policy_range.request.bin"),
    fixture!("nlctrl_policy_length.reply.bin"),
    fixture!("nlctrl_policy_length.request.bin"),
    fixture!("route_addresses.bin"),
    fixture!("route_links.bin"),
    fixture!("route_neighbours.bin"),
    fixture!("route_routes.bin"),
    fixture!("route_rules.bin"),
    fixture!("ethtool_channels.bin"),
    fixture!("ethtool_features.bin"),
    fixture!("ethtool_features_compact.bin"),
    fixture!("ethtool_linkinfo.bin"),
    fixture!("ethtool_linkinfo_dump.bin"),
    fixture!("ethtool_linkmodes.bin"),
    fixture!("ethtool_linkmodes_compact.bin"),
    fixture!("ethtool_linkstate.bin"),
    fixture!("ethtool_strset_features.bin"),
    fixture!("ethtool_tsinfo.bin"),
    fixture!("netdev_dev_dump.bin"),
    fixture!("netdev_napi_dump.bin"),
    fixture!("netdev_queue_dump.bin"),
];

/// The attribute sets found in the fixtures: for each message, its attributes after the
/// first 4-aligned offset from which the rest of the payload decodes as attributes, and,
/// recursively, every payload inside them that decodes as attributes. Message payloads
/// themselves (family header included) come first.
fn attribute_sets() -> Vec<&'static [u8]> {
    fn nests(buf: &'static [u8], out: &mut Vec<&'static [u8]>) {
        for a in Attrs::new(buf).flatten() {
            let p = a.payload();
            if !p.is_empty() && Attrs::new(p).all(|r| r.is_ok()) {
                out.push(p);
                nests(p, out);
            }
        }
    }
    let mut sets = Vec::new();
    for (_, datagram) in FIXTURES {
        for m in netlink::messages(datagram).map_while(Result::ok) {
            sets.push(m.data);
            let whole = (0..m.data.len())
                .step_by(4)
                .map(|o| &m.data[o..])
                .find(|rest| {
                    let mut it = Attrs::new(rest);
                    it.next().is_some_and(|r| r.is_ok()) && it.all(|r| r.is_ok())
                });
            if let Some(attrs) = whole {
                sets.push(attrs);
                nests(attrs, &mut sets);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    sets.retain(|s| seen.insert(*s));
    sets
}

/// The `derived` seeds taken from the kernel's captures: for each type of
/// [`DERIVED_TYPES`], every payload and attribute set of [`FIXTURES`] that it decodes
/// strictly, after the byte that picks the type.
pub fn captured_derived_seeds() -> Vec<Vec<u8>> {
    let sets = attribute_sets();
    let mut out = Vec::new();
    for (i, t) in DERIVED_TYPES.iter().enumerate() {
        for s in sets.iter().filter(|s| (t.accepts)(s)) {
            out.push([&[i as u8][..], s].concat());
        }
    }
    out
}

/// The seed corpus of `target`, from the kernel's datagrams in [`FIXTURES`]:
///
/// - `messages`, `ack`, `debug`: each datagram;
/// - `attributes`: each attribute set of the fixtures (see the module's source), unwrapped,
///   plus a few wrapped to just under, at and past [`MAX_NEST_DEPTH`];
/// - `derived`: [`captured_derived_seeds`], plus two generated values of each type (the
///   only seeds of [`UNCAPTURED_TYPES`]).
pub fn seeds(target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Messages | Target::Ack | Target::Debug => {
            FIXTURES.iter().map(|(_, b)| b.to_vec()).collect()
        }
        Target::Attributes => {
            let sets = attribute_sets();
            let mut out: Vec<Vec<u8>> = sets.iter().map(|s| [&[0u8][..], s].concat()).collect();
            let small = sets.iter().min_by_key(|s| s.len()).copied().unwrap_or(&[]);
            for depth in [MAX_NEST_DEPTH - 1, MAX_NEST_DEPTH, MAX_NEST_DEPTH + 1] {
                out.push([&[depth as u8][..], small].concat());
            }
            out
        }
        Target::Derived => {
            let mut out = captured_derived_seeds();
            for (i, t) in DERIVED_TYPES.iter().enumerate() {
                for seed in 1..=2 {
                    let value = (t.generate)(seed);
                    if !value.is_empty() {
                        out.push([&[i as u8][..], &value].concat());
                    }
                }
            }
            out
        }
    }
}
