//! Property tests: arbitrary bytes never panic and every iterator ends after its first error;
//! arbitrary attribute sets and messages round-trip.

use netlink::attr::{NLA_F_NESTED, NLA_TYPE_MASK};
use netlink::enc::ByteOrder;
use netlink::{
    marshal_attributes, messages, unmarshal_attributes, Attr, Attribute, AttributeDecoder,
    AttributeEncoder, Attrs, DecodeError, Header, HeaderFlags, HeaderType, Message, MAX_NEST_DEPTH,
};
use proptest::prelude::*;

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 512;

/// The configuration of every property here: `PROPTEST_CASES` from the environment (which
/// `ProptestConfig::default()` reads), or [`DEFAULT_CASES`] when it is not set.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = DEFAULT_CASES;
    }
    c
}

/// Checks that an iterator of results yields only `Ok`s, then at most one `Err`, then nothing.
fn ends_after_first_error<T, I: Iterator<Item = Result<T, DecodeError>>>(mut it: I) -> usize {
    let mut n = 0;
    while let Some(item) = it.next() {
        n += 1;
        if item.is_err() {
            assert!(it.next().is_none(), "item after an error");
            assert!(it.next().is_none(), "item after an error");
            break;
        }
    }
    n
}

/// Visits every attribute, descending into each as if it were a nest; returns how many
/// attributes were seen. Errors are fine; panics and unbounded depth are not.
fn walk(attrs: Attrs<'_>, seen: &mut usize) {
    let mut attrs = attrs;
    let mut failed = false;
    for a in attrs.by_ref() {
        assert!(!failed, "attribute after an error");
        match a {
            Ok(a) => {
                *seen += 1;
                assert!(a.depth() <= MAX_NEST_DEPTH);
                exercise(&a);
                match a.nested() {
                    Ok(inner) => walk(inner, seen),
                    Err(e) => assert!(matches!(e, DecodeError::NestTooDeep { .. })),
                }
            }
            Err(e) => {
                assert!(e.offset().is_some());
                failed = true;
            }
        }
    }
}

/// Calls every getter; each returns a value or a typed error.
fn exercise(a: &Attr<'_>) {
    let len = a.payload().len();
    assert_eq!(a.u8().is_ok(), len == 1);
    assert_eq!(a.u16().is_ok(), len == 2);
    assert_eq!(a.u32().is_ok(), len == 4);
    assert_eq!(a.u64().is_ok(), len == 8);
    assert_eq!(a.i8().is_ok(), len == 1);
    assert_eq!(a.i16_be().is_ok(), len == 2);
    assert_eq!(a.i32().is_ok(), len == 4);
    assert_eq!(a.i64_be().is_ok(), len == 8);
    assert_eq!(a.flag().is_ok(), len == 0);
    assert_eq!(a.array::<16>().is_ok(), len == 16);
    let _ = a.string();
    let _ = a.string_lenient();
    let _ = a.cstr();
    assert_eq!(a.attr_type() | a.type_flags(), a.raw_type());
    assert_eq!(a.attr_type() & !NLA_TYPE_MASK, 0);
}

/// Drives a decoder over everything, recursing into every attribute.
fn drive(ad: &mut AttributeDecoder<'_>) -> Result<(), DecodeError> {
    while ad.advance() {
        let _ = ad.u8();
        let _ = ad.u16();
        let _ = ad.u32();
        let _ = ad.u64();
        let _ = ad.i8();
        let _ = ad.i16();
        let _ = ad.i32();
        let _ = ad.i64();
        let _ = ad.flag();
        let _ = ad.string();
        let _ = ad.bytes();
        let _ = ad.with(|b| Ok(b.len()));
        let _ = ad.nested(drive);
        let _ = ad.type_flags();
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn message_iterator_never_panics(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        let n = ends_after_first_error(messages(&b));
        prop_assert!(n <= b.len() / 16 + 1);
        for m in messages(&b).flatten() {
            prop_assert!(m.header.length as usize >= 16);
            prop_assert_eq!(m.data.len() + 16, m.header.length as usize);
            // Payloads of messages feed the attribute iterators too.
            for fam in [0, 4, 16] {
                if let Ok(attrs) = m.attrs(fam) {
                    let mut seen = 0;
                    walk(attrs, &mut seen);
                }
            }
        }
        let _ = Message::decode(&b);
    }

    #[test]
    fn message_iterator_over_mostly_valid_datagrams(
        lens in proptest::collection::vec(0u32..64, 1..6),
        tail in proptest::collection::vec(any::<u8>(), 0..24),
    ) {
        // Headers with small, often valid lengths, and random bytes after.
        let mut b = Vec::new();
        for len in &lens {
            b.extend_from_slice(&len.to_ne_bytes());
            b.extend_from_slice(&[0; 12]);
            b.resize(b.len() + (*len as usize).saturating_sub(16), 0xab);
            while b.len() % 4 != 0 {
                b.push(0);
            }
        }
        b.extend_from_slice(&tail);
        ends_after_first_error(messages(&b));
    }

    #[test]
    fn attribute_iterator_never_panics(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        ends_after_first_error(Attrs::new(&b));
        let mut seen = 0;
        walk(Attrs::new(&b), &mut seen);
        let _ = unmarshal_attributes(&b);
    }

    #[test]
    fn nested_recursion_never_panics(
        lens in proptest::collection::vec((0u16..80, any::<u16>()), 1..40),
        junk in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        // Headers whose lengths often fit, so that the walk goes deep.
        let mut b = Vec::new();
        for (len, t) in &lens {
            b.extend_from_slice(&len.to_ne_bytes());
            b.extend_from_slice(&(t | NLA_F_NESTED).to_ne_bytes());
        }
        b.extend_from_slice(&junk);
        let mut seen = 0;
        walk(Attrs::new(&b), &mut seen);
        let mut ad = AttributeDecoder::new(&b);
        let _ = drive(&mut ad);
        let _ = ad.finish();
    }

    #[test]
    fn attribute_decoder_never_panics(
        b in proptest::collection::vec(any::<u8>(), 0..512),
        big in any::<bool>(),
    ) {
        let order = if big { ByteOrder::Big } else { ByteOrder::Native };
        let mut ad = AttributeDecoder::new(&b).with_byte_order(order);
        let _ = ad.len();
        let _ = drive(&mut ad);
        let failed = ad.error().is_some();
        // After the end or an error, the decoder stays put.
        prop_assert!(!ad.advance());
        prop_assert_eq!(ad.error().is_some(), failed);
        let _ = ad.finish();
    }

    #[test]
    fn attributes_round_trip(
        attrs in proptest::collection::vec(
            (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..70)),
            0..20,
        ),
    ) {
        let input: Vec<Attribute> = attrs
            .iter()
            .map(|(t, d)| Attribute { length: 0, attr_type: *t, data: d.clone() })
            .collect();
        let b = marshal_attributes(&input).unwrap();
        prop_assert_eq!(b.len() % 4, 0);
        let back = unmarshal_attributes(&b).unwrap();
        prop_assert_eq!(back.len(), input.len());
        for (got, want) in back.iter().zip(&input) {
            prop_assert_eq!(got.length as usize, 4 + want.data.len());
            prop_assert_eq!(got.attr_type, want.attr_type);
            prop_assert_eq!(&got.data, &want.data);
        }
        // With the lengths filled in, the owned values are equal and re-encode identically.
        prop_assert_eq!(marshal_attributes(&back).unwrap(), b);
    }

    #[test]
    fn typed_attributes_round_trip(values in proptest::collection::vec(value(), 0..12), big in any::<bool>()) {
        let order = if big { ByteOrder::Big } else { ByteOrder::Native };
        let mut buf = Vec::new();
        let mut ae = AttributeEncoder::new(&mut buf).with_byte_order(order);
        encode_values(&mut ae, &values);
        let len = ae.finish().unwrap();
        prop_assert_eq!(len, buf.len());
        let mut ad = AttributeDecoder::new(&buf).with_byte_order(order);
        let decoded = decode_values(&mut ad, &values).unwrap();
        ad.finish().unwrap();
        prop_assert_eq!(decoded, values);
    }

    #[test]
    fn messages_round_trip(
        msgs in proptest::collection::vec(
            (any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>(),
             proptest::collection::vec(any::<u8>(), 0..40)),
            1..8,
        ),
    ) {
        let input: Vec<Message> = msgs
            .iter()
            .map(|(kind, flags, seq, pid, data)| Message {
                header: Header {
                    length: 0,
                    kind: HeaderType(*kind),
                    flags: HeaderFlags(*flags),
                    sequence: *seq,
                    pid: *pid,
                },
                data: data.clone(),
            })
            .collect();
        let mut b = Vec::new();
        for m in &input {
            m.encode_into(&mut b).unwrap();
        }
        // The final message may come unpadded.
        let last_len = input.last().map(|m| m.encoded_len()).unwrap_or(0);
        let unpadded = b.len() - netlink::enc::align(last_len).unwrap() + last_len;
        for datagram in [&b[..], &b[..unpadded]] {
            let back: Vec<Message> = messages(datagram)
                .map(|m| m.map(|m| m.to_owned()))
                .collect::<Result<_, _>>()
                .unwrap();
            prop_assert_eq!(back.len(), input.len());
            for (got, want) in back.iter().zip(&input) {
                prop_assert_eq!(got.header.length as usize, want.encoded_len());
                let mut want = want.clone();
                want.header.length = got.header.length;
                prop_assert_eq!(got, &want);
            }
        }
    }

    #[test]
    fn header_round_trip(len in any::<u32>(), kind in any::<u16>(), flags in any::<u16>(), seq in any::<u32>(), pid in any::<u32>()) {
        let h = Header { length: len, kind: HeaderType(kind), flags: HeaderFlags(flags), sequence: seq, pid };
        prop_assert_eq!(Header::from_bytes(&h.to_bytes()), Ok(h));
    }

    #[test]
    fn header_flags_display_names_every_bit(bits in any::<u16>()) {
        let text = HeaderFlags(bits).to_string();
        let mut back = 0u16;
        for part in text.split('|') {
            back |= match part {
                "request" => 0x1,
                "multi" => 0x2,
                "acknowledge" => 0x4,
                "echo" => 0x8,
                "dumpinterrupted" => 0x10,
                "dumpfiltered" => 0x20,
                "0" => 0,
                hex => u16::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap(),
            };
        }
        prop_assert_eq!(back, bits);
    }
}

/// A typed attribute value for round trips.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    U8(u16, u8),
    U16(u16, u16),
    U32(u16, u32),
    U64(u16, u64),
    I8(u16, i8),
    I16(u16, i16),
    I32(u16, i32),
    I64(u16, i64),
    Str(u16, String),
    Bytes(u16, Vec<u8>),
    Flag(u16),
    Nest(u16, Vec<Value>),
}

fn attr_type() -> impl Strategy<Value = u16> {
    0..=NLA_TYPE_MASK
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (attr_type(), any::<u8>()).prop_map(|(t, v)| Value::U8(t, v)),
        (attr_type(), any::<u16>()).prop_map(|(t, v)| Value::U16(t, v)),
        (attr_type(), any::<u32>()).prop_map(|(t, v)| Value::U32(t, v)),
        (attr_type(), any::<u64>()).prop_map(|(t, v)| Value::U64(t, v)),
        (attr_type(), any::<i8>()).prop_map(|(t, v)| Value::I8(t, v)),
        (attr_type(), any::<i16>()).prop_map(|(t, v)| Value::I16(t, v)),
        (attr_type(), any::<i32>()).prop_map(|(t, v)| Value::I32(t, v)),
        (attr_type(), any::<i64>()).prop_map(|(t, v)| Value::I64(t, v)),
        (attr_type(), "[^\u{0}]{0,20}").prop_map(|(t, v)| Value::Str(t, v)),
        (attr_type(), proptest::collection::vec(any::<u8>(), 0..24))
            .prop_map(|(t, v)| Value::Bytes(t, v)),
        attr_type().prop_map(Value::Flag),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        (attr_type(), proptest::collection::vec(inner, 0..6)).prop_map(|(t, v)| Value::Nest(t, v))
    })
}

fn encode_values(ae: &mut AttributeEncoder<'_>, values: &[Value]) {
    for v in values {
        match v {
            Value::U8(t, x) => ae.u8(*t, *x),
            Value::U16(t, x) => ae.u16(*t, *x),
            Value::U32(t, x) => ae.u32(*t, *x),
            Value::U64(t, x) => ae.u64(*t, *x),
            Value::I8(t, x) => ae.i8(*t, *x),
            Value::I16(t, x) => ae.i16(*t, *x),
            Value::I32(t, x) => ae.i32(*t, *x),
            Value::I64(t, x) => ae.i64(*t, *x),
            Value::Str(t, x) => ae.string(*t, x),
            Value::Bytes(t, x) => ae.bytes(*t, x),
            Value::Flag(t) => ae.flag(*t, true),
            Value::Nest(t, inner) => ae.nested(*t, |n| {
                encode_values(n, inner);
                Ok(())
            }),
        };
    }
}

/// Decodes the attributes `ad` holds following the shape of `like`.
fn decode_values(ad: &mut AttributeDecoder<'_>, like: &[Value]) -> Result<Vec<Value>, DecodeError> {
    let mut out = Vec::new();
    for want in like {
        assert!(ad.advance(), "missing attribute for {want:?}");
        let t = ad.attr_type();
        out.push(match want {
            Value::U8(..) => Value::U8(t, ad.u8()?),
            Value::U16(..) => Value::U16(t, ad.u16()?),
            Value::U32(..) => Value::U32(t, ad.u32()?),
            Value::U64(..) => Value::U64(t, ad.u64()?),
            Value::I8(..) => Value::I8(t, ad.i8()?),
            Value::I16(..) => Value::I16(t, ad.i16()?),
            Value::I32(..) => Value::I32(t, ad.i32()?),
            Value::I64(..) => Value::I64(t, ad.i64()?),
            Value::Str(..) => Value::Str(t, ad.string()?.to_owned()),
            Value::Bytes(..) => Value::Bytes(t, ad.bytes()?.to_vec()),
            Value::Flag(..) => {
                assert!(ad.flag()?);
                Value::Flag(t)
            }
            Value::Nest(_, inner) => {
                assert_eq!(ad.type_flags(), NLA_F_NESTED);
                let mut got = Vec::new();
                ad.nested(|n| {
                    got = decode_values(n, inner)?;
                    Ok(())
                })?;
                Value::Nest(t, got)
            }
        });
    }
    assert!(!ad.advance(), "extra attribute");
    Ok(out)
}

/// Runs a property through the configuration the properties above use and counts its cases.
#[test]
fn case_count_follows_proptest_cases() {
    let want = match std::env::var("PROPTEST_CASES") {
        Ok(v) => v.parse().expect("PROPTEST_CASES is a number"),
        Err(_) => DEFAULT_CASES,
    };
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let count = std::cell::Cell::new(0u32);
    runner
        .run(&any::<u8>(), |_| {
            count.set(count.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(count.get(), want);
}

/// `PROPTEST_CASES=N` sets the number of cases (the test above, run again with it set).
#[test]
fn proptest_cases_from_the_environment() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "case_count_follows_proptest_cases",
            "--exact",
            "--test-threads=1",
        ])
        .env("PROPTEST_CASES", "37")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}
