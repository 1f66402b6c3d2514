//! Malformed input: each case asserts the exact error variant, with its offset and attribute
//! type, that the codec reports instead of panicking or misreading.

use netlink::attr::NLA_F_NESTED;
use netlink::enc::{self, ByteOrder, SizeError};
use netlink::{
    marshal_attributes, messages, unmarshal_attributes, Attr, Attribute, AttributeDecoder,
    AttributeEncoder, Attrs, DecodeError, EncodeError, Header, HeaderFlags, HeaderType, Message,
    MessageEncoder, MessageRef, MAX_NEST_DEPTH,
};

fn nla(len: u16, attr_type: u16) -> Vec<u8> {
    let mut v = len.to_ne_bytes().to_vec();
    v.extend_from_slice(&attr_type.to_ne_bytes());
    v
}

fn nlmsghdr(len: u32) -> Vec<u8> {
    let mut v = len.to_ne_bytes().to_vec();
    v.extend_from_slice(&0x10u16.to_ne_bytes());
    v.extend_from_slice(&1u16.to_ne_bytes());
    v.extend_from_slice(&[0; 8]);
    v
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The first item of the message iterator, which must be an error, and checks that the
/// iterator then ends.
fn first_message_error(b: &[u8]) -> DecodeError {
    let mut it = messages(b);
    let e = it.next().expect("an item").expect_err("an error");
    assert!(it.next().is_none(), "the iterator ends after an error");
    e
}

/// The first attribute error of `b`, checking the iterator ends after it.
fn attr_error(b: &[u8]) -> DecodeError {
    let mut it = Attrs::new(b);
    let e = loop {
        match it.next() {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e,
            None => panic!("no error in {b:?}"),
        }
    };
    assert!(it.next().is_none(), "the iterator ends after an error");
    e
}

/// The one attribute of `b`.
fn one(b: &[u8]) -> Attr<'_> {
    Attrs::new(b).next().unwrap().unwrap()
}

// ---- messages -------------------------------------------------------------------------------

#[test]
fn message_length_0() {
    let b = nlmsghdr(0);
    assert_eq!(
        first_message_error(&b),
        DecodeError::MessageTooShort { offset: 0, len: 0 }
    );
}

#[test]
fn message_length_15() {
    let b = nlmsghdr(15);
    assert_eq!(
        first_message_error(&b),
        DecodeError::MessageTooShort { offset: 0, len: 15 }
    );
}

#[test]
fn message_length_larger_than_buffer() {
    let b = cat(&[&nlmsghdr(40), &[0; 4]]);
    assert_eq!(
        first_message_error(&b),
        DecodeError::MessageTruncated {
            offset: 0,
            len: 40,
            available: 20
        }
    );
}

#[test]
fn message_length_u32_max() {
    let b = nlmsghdr(u32::MAX);
    assert_eq!(
        first_message_error(&b),
        DecodeError::MessageTruncated {
            offset: 0,
            len: u32::MAX,
            available: 16
        }
    );
    assert_eq!(
        Message::decode(&b),
        Err(DecodeError::MessageTruncated {
            offset: 0,
            len: u32::MAX,
            available: 16
        })
    );
}

#[test]
fn message_header_cut_short() {
    let b = nlmsghdr(16);
    assert_eq!(
        first_message_error(&b[..15]),
        DecodeError::MessageHeaderTruncated {
            offset: 0,
            available: 15
        }
    );
    assert_eq!(
        Message::decode(&[]),
        Err(DecodeError::MessageHeaderTruncated {
            offset: 0,
            available: 0
        })
    );
    assert_eq!(
        Header::from_bytes(&b[..3]),
        Err(DecodeError::MessageHeaderTruncated {
            offset: 0,
            available: 3
        })
    );
}

#[test]
fn second_message_too_short_names_its_offset() {
    let b = cat(&[&nlmsghdr(16), &nlmsghdr(3)]);
    let mut it = messages(&b);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next().unwrap(),
        Err(DecodeError::MessageTooShort { offset: 16, len: 3 })
    );
    assert!(it.next().is_none());
    assert!(it.next().is_none());
}

#[test]
fn second_message_past_the_end() {
    let b = cat(&[&nlmsghdr(20), &[1, 2, 3, 4], &nlmsghdr(64), &[0; 8]]);
    let mut it = messages(&b);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next().unwrap(),
        Err(DecodeError::MessageTruncated {
            offset: 20,
            len: 64,
            available: 24
        })
    );
    assert!(it.next().is_none());
}

#[test]
fn trailing_bytes_after_a_message() {
    let b = cat(&[&nlmsghdr(16), &[0; 5]]);
    let mut it = messages(&b);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next().unwrap(),
        Err(DecodeError::MessageHeaderTruncated {
            offset: 16,
            available: 5
        })
    );
}

#[test]
fn unaligned_message_followed_by_a_partial_header() {
    // A 17-byte message, its padding, then 2 stray bytes.
    let b = cat(&[&nlmsghdr(17), &[0xff, 0, 0, 0], &[1, 2]]);
    let mut it = messages(&b);
    assert_eq!(it.next().unwrap().unwrap().data, &[0xff]);
    assert_eq!(
        it.next().unwrap(),
        Err(DecodeError::MessageHeaderTruncated {
            offset: 20,
            available: 2
        })
    );
}

#[test]
fn family_header_longer_than_payload() {
    let b = cat(&[&nlmsghdr(18), &[1, 2]]);
    let (m, _) = MessageRef::parse(&b).unwrap();
    let expected = DecodeError::FamilyHeaderTruncated {
        offset: 16,
        expected: 4,
        actual: 2,
    };
    assert_eq!(m.split_family_header(4), Err(expected.clone()));
    assert_eq!(m.attrs(4).err(), Some(expected));
}

#[test]
fn attribute_error_inside_a_later_message_has_datagram_offset() {
    // Second message at offset 20: genl header, then an attribute of length 2 at 40.
    let second = cat(&[&nlmsghdr(24), &[1, 1, 0, 0], &nla(2, 9)]);
    let b = cat(&[&nlmsghdr(20), &[0; 4], &second]);
    let ms: Vec<_> = messages(&b).collect::<Result<_, _>>().unwrap();
    let e = ms[1].attrs(4).unwrap().next().unwrap().unwrap_err();
    assert_eq!(
        e,
        DecodeError::AttrTooShort {
            offset: 40,
            attr_type: 9,
            len: 2
        }
    );
}

// ---- attributes -----------------------------------------------------------------------------

#[test]
fn attribute_length_0() {
    assert_eq!(
        attr_error(&nla(0, 1)),
        DecodeError::AttrTooShort {
            offset: 0,
            attr_type: 1,
            len: 0
        }
    );
}

#[test]
fn attribute_length_1() {
    assert_eq!(
        attr_error(&nla(1, 2)),
        DecodeError::AttrTooShort {
            offset: 0,
            attr_type: 2,
            len: 1
        }
    );
}

#[test]
fn attribute_length_2() {
    assert_eq!(
        attr_error(&nla(2, 3)),
        DecodeError::AttrTooShort {
            offset: 0,
            attr_type: 3,
            len: 2
        }
    );
}

#[test]
fn attribute_length_3() {
    assert_eq!(
        attr_error(&nla(3, 4)),
        DecodeError::AttrTooShort {
            offset: 0,
            attr_type: 4,
            len: 3
        }
    );
}

#[test]
fn attribute_too_short_masks_flags_off_its_type() {
    assert_eq!(
        attr_error(&nla(2, 5 | NLA_F_NESTED)),
        DecodeError::AttrTooShort {
            offset: 0,
            attr_type: 5,
            len: 2
        }
    );
}

#[test]
fn attribute_length_past_the_end() {
    let b = cat(&[&nla(8, 6), &[1, 2]]);
    assert_eq!(
        attr_error(&b),
        DecodeError::AttrTruncated {
            offset: 0,
            attr_type: 6,
            len: 8,
            available: 6
        }
    );
}

#[test]
fn attribute_length_u16_max_past_the_end() {
    let b = cat(&[&nla(u16::MAX, 7), &[0; 12]]);
    assert_eq!(
        attr_error(&b),
        DecodeError::AttrTruncated {
            offset: 0,
            attr_type: 7,
            len: u16::MAX,
            available: 16
        }
    );
}

#[test]
fn attribute_header_cut_short() {
    assert_eq!(
        attr_error(&[4, 0, 1]),
        DecodeError::AttrHeaderTruncated {
            offset: 0,
            available: 3
        }
    );
    assert_eq!(
        attr_error(&[9]),
        DecodeError::AttrHeaderTruncated {
            offset: 0,
            available: 1
        }
    );
}

#[test]
fn second_attribute_error_names_its_offset() {
    let b = cat(&[&nla(5, 1), &[1, 0, 0, 0], &nla(12, 2), &[0; 4]]);
    assert_eq!(
        attr_error(&b),
        DecodeError::AttrTruncated {
            offset: 8,
            attr_type: 2,
            len: 12,
            available: 8
        }
    );
}

#[test]
fn padding_missing_between_attributes() {
    // A 5-byte attribute without padding: the next header is read at offset 8, which holds
    // the start of what was meant as the next attribute minus 3 bytes.
    let b = cat(&[&nla(5, 1), &[1], &nla(4, 2)]);
    assert_eq!(
        attr_error(&b),
        DecodeError::AttrHeaderTruncated {
            offset: 8,
            available: 1
        }
    );
}

#[test]
fn attribute_errors_count_from_the_given_offset() {
    let b = nla(1, 3);
    let e = Attrs::with_offset(&b, 100).next().unwrap().unwrap_err();
    assert_eq!(
        e,
        DecodeError::AttrTooShort {
            offset: 100,
            attr_type: 3,
            len: 1
        }
    );
    assert_eq!(e.offset(), Some(100));
    assert_eq!(e.attr_type(), Some(3));
}

#[test]
fn nested_attribute_overflowing_its_parent() {
    // The nest holds 8 bytes, but its child claims 12: bytes after the nest do not count.
    let b = cat(&[
        &nla(12, 1 | NLA_F_NESTED),
        &nla(12, 2),
        &[0; 4],
        &nla(8, 3),
        &[0; 4],
    ]);
    let nest = Attrs::new(&b).next().unwrap().unwrap();
    let e = nest.nested().unwrap().next().unwrap().unwrap_err();
    assert_eq!(
        e,
        DecodeError::AttrTruncated {
            offset: 4,
            attr_type: 2,
            len: 12,
            available: 8
        }
    );
}

#[test]
fn nested_attribute_too_short() {
    let b = cat(&[&nla(12, 1 | NLA_F_NESTED), &[0; 4], &nla(2, 6)]);
    let nest = Attrs::new(&b).next().unwrap().unwrap();
    let mut inner = nest.nested().unwrap();
    assert_eq!(
        inner.next().unwrap().unwrap_err(),
        DecodeError::AttrTooShort {
            offset: 4,
            attr_type: 0,
            len: 0
        }
    );
    assert!(inner.next().is_none());
}

#[test]
fn nested_error_reaches_the_outer_decoder() {
    let b = cat(&[
        &nla(8, 1),
        &[0; 4],
        &nla(12, 2 | NLA_F_NESTED),
        &nla(9, 5),
        &[0; 4],
    ]);
    let mut ad = AttributeDecoder::new(&b);
    let mut result = Ok(());
    while ad.advance() {
        if ad.attr_type() == 2 {
            result = ad.nested(|n| {
                while n.advance() {}
                Ok(())
            });
        }
    }
    let expected = DecodeError::AttrTruncated {
        offset: 12,
        attr_type: 5,
        len: 9,
        available: 8,
    };
    assert_eq!(result, Err(expected.clone()));
    assert_eq!(ad.finish(), Err(expected));
}

// ---- typed reads of the wrong size ----------------------------------------------------------

fn size_error(attr_type: u16, expected: usize, actual: usize) -> DecodeError {
    DecodeError::PayloadSize {
        offset: 0,
        attr_type,
        expected,
        actual,
    }
}

#[test]
fn u8_of_two_bytes() {
    let b = cat(&[&nla(6, 1), &[1, 2, 0, 0]]);
    assert_eq!(one(&b).u8(), Err(size_error(1, 1, 2)));
}

#[test]
fn u16_of_one_byte() {
    let b = cat(&[&nla(5, 2), &[1, 0, 0, 0]]);
    assert_eq!(one(&b).u16(), Err(size_error(2, 2, 1)));
}

#[test]
fn u32_of_two_bytes() {
    let b = cat(&[&nla(6, 3), &[1, 2, 0, 0]]);
    assert_eq!(one(&b).u32(), Err(size_error(3, 4, 2)));
}

#[test]
fn u64_of_four_bytes() {
    let b = cat(&[&nla(8, 4), &[1, 2, 3, 4]]);
    assert_eq!(one(&b).u64(), Err(size_error(4, 8, 4)));
}

#[test]
fn i8_of_nothing() {
    let b = nla(4, 5);
    assert_eq!(one(&b).i8(), Err(size_error(5, 1, 0)));
}

#[test]
fn i16_of_four_bytes() {
    let b = cat(&[&nla(8, 6), &[0; 4]]);
    assert_eq!(one(&b).i16(), Err(size_error(6, 2, 4)));
}

#[test]
fn i32_of_eight_bytes() {
    let b = cat(&[&nla(12, 7), &[0; 8]]);
    assert_eq!(one(&b).i32(), Err(size_error(7, 4, 8)));
}

#[test]
fn i64_of_seven_bytes() {
    let b = cat(&[&nla(11, 8), &[0; 8]]);
    assert_eq!(one(&b).i64(), Err(size_error(8, 8, 7)));
}

#[test]
fn big_endian_u16_of_three_bytes() {
    let b = cat(&[&nla(7, 9), &[0; 4]]);
    assert_eq!(one(&b).u16_be(), Err(size_error(9, 2, 3)));
}

#[test]
fn flag_with_a_payload() {
    let b = cat(&[&nla(5, 10), &[1, 0, 0, 0]]);
    assert_eq!(one(&b).flag(), Err(size_error(10, 0, 1)));
}

#[test]
fn array_of_the_wrong_size() {
    let b = cat(&[&nla(35, 11), &[0; 32]]);
    assert_eq!(one(&b).array::<32>(), Err(size_error(11, 32, 31)));
}

#[test]
fn size_error_message_names_type_expected_and_actual() {
    let b = cat(&[&nla(6, 3), &[1, 2, 0, 0]]);
    let e = one(&b).u32().unwrap_err();
    assert_eq!(
        e.to_string(),
        "attribute 3 at offset 0: payload of 2 bytes, expected 4"
    );
}

#[test]
fn decoder_typed_read_of_the_wrong_size_is_returned_and_kept() {
    let b = cat(&[&nla(6, 1), &[1, 2, 0, 0], &nla(8, 2), &[0; 4]]);
    let mut ad = AttributeDecoder::new(&b).with_byte_order(ByteOrder::Big);
    assert!(ad.advance());
    assert_eq!(ad.u32(), Err(size_error(1, 4, 2)));
    // Decoding goes on, but the first error is what finish reports.
    assert!(!ad.advance());
    assert_eq!(ad.error(), Some(&size_error(1, 4, 2)));
    assert_eq!(ad.finish(), Err(size_error(1, 4, 2)));
}

#[test]
fn decoder_read_before_advance() {
    let b = cat(&[&nla(8, 1), &[0; 4]]);
    let mut ad = AttributeDecoder::new(&b);
    assert_eq!(ad.u32(), Err(DecodeError::NoCurrentAttr));
    assert_eq!(ad.attr_type(), 0);
    assert_eq!(ad.finish(), Err(DecodeError::NoCurrentAttr));
}

#[test]
fn decoder_stops_at_malformed_attribute() {
    let b = cat(&[&nla(8, 1), &[0; 4], &nla(3, 2)]);
    let mut ad = AttributeDecoder::new(&b);
    assert_eq!(ad.len(), 1);
    assert!(ad.advance());
    assert!(!ad.advance());
    assert!(!ad.advance());
    assert_eq!(ad.attr(), None);
    assert_eq!(
        ad.finish(),
        Err(DecodeError::AttrTooShort {
            offset: 8,
            attr_type: 2,
            len: 3
        })
    );
}

#[test]
fn decoder_with_closure_error_is_kept() {
    let b = cat(&[&nla(8, 4), &[0; 4]]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance());
    let e = ad.attr().unwrap().invalid("not a known structure");
    let got: Result<(), _> = ad.with(|_| Err(e.clone()));
    assert_eq!(got, Err(e.clone()));
    assert_eq!(
        e,
        DecodeError::Invalid {
            offset: 0,
            attr_type: 4,
            reason: "not a known structure".into()
        }
    );
    assert_eq!(ad.finish(), Err(e));
}

/// A decoder that holds the error of a typed read of the wrong size (attribute 1), positioned
/// on that attribute; attribute 2 after it is a valid `u32`.
fn failed_decoder(b: &[u8]) -> AttributeDecoder<'_> {
    let mut ad = AttributeDecoder::new(b);
    assert!(ad.advance());
    assert_eq!(ad.u16(), Err(size_error(1, 2, 4)));
    ad
}

fn two_attrs() -> Vec<u8> {
    cat(&[&nla(8, 1), &[0; 4], &nla(8, 2), &[0; 4]])
}

#[test]
fn decoder_with_error_runs_no_with_callback() {
    let b = two_attrs();
    let mut ad = failed_decoder(&b);
    let mut called = false;
    let got = ad.with(|p| {
        called = true;
        Ok(p.len())
    });
    assert!(!called, "`with` ran its callback after an error");
    assert_eq!(got, Err(size_error(1, 2, 4)));
    assert_eq!(ad.finish(), Err(size_error(1, 2, 4)));
}

#[test]
fn decoder_with_error_runs_no_nested_callback() {
    let b = two_attrs();
    let mut ad = failed_decoder(&b);
    let mut called = false;
    let got = ad.nested(|_| {
        called = true;
        Ok(())
    });
    assert!(!called, "`nested` ran its callback after an error");
    assert_eq!(got, Err(size_error(1, 2, 4)));
}

#[test]
fn decoder_with_error_getters_return_it_without_reading() {
    let b = two_attrs();
    let mut ad = failed_decoder(&b);
    // The current payload is a valid u32 and valid bytes: the held error still wins.
    assert_eq!(ad.u32(), Err(size_error(1, 2, 4)));
    assert_eq!(ad.bytes(), Err(size_error(1, 2, 4)));
    assert_eq!(ad.string_lenient(), Err(size_error(1, 2, 4)));
    assert_eq!(ad.flag(), Err(size_error(1, 2, 4)));
    // No more attributes: attribute 2 is never reached.
    assert!(!ad.advance());
    assert_eq!(ad.attr(), None);
    assert_eq!(ad.u32(), Err(size_error(1, 2, 4)));
    assert_eq!(ad.finish(), Err(size_error(1, 2, 4)));
}

#[test]
fn nested_decoder_error_stops_the_outer_callbacks() {
    // Attribute 1 is a nest whose only attribute is a 2-byte payload read as a u32.
    let b = cat(&[
        &nla(12, 1 | NLA_F_NESTED),
        &nla(6, 7),
        &[0; 4],
        &nla(8, 2),
        &[0; 4],
    ]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance());
    let inner_error = DecodeError::PayloadSize {
        offset: 4,
        attr_type: 7,
        expected: 4,
        actual: 2,
    };
    let got = ad.nested(|n| {
        assert!(n.advance());
        n.u32().map(|_| ())
    });
    assert_eq!(got, Err(inner_error.clone()));
    let mut called = false;
    let _ = ad.with(|_| {
        called = true;
        Ok(())
    });
    assert!(!called);
    assert!(!ad.advance());
    assert_eq!(ad.finish(), Err(inner_error));
}

// ---- strings --------------------------------------------------------------------------------

#[test]
fn string_without_nul() {
    let b = cat(&[&nla(8, 12), b"eth0"]);
    assert_eq!(
        one(&b).string(),
        Err(DecodeError::StringNotTerminated {
            offset: 0,
            attr_type: 12
        })
    );
    assert_eq!(
        one(&b).cstr(),
        Err(DecodeError::StringNotTerminated {
            offset: 0,
            attr_type: 12
        })
    );
}

#[test]
fn empty_string_payload_has_no_nul() {
    let b = nla(4, 13);
    assert_eq!(
        one(&b).string(),
        Err(DecodeError::StringNotTerminated {
            offset: 0,
            attr_type: 13
        })
    );
}

#[test]
fn string_without_nul_in_decoder() {
    let b = cat(&[&nla(8, 1), &[0; 4], &nla(6, 14), b"ab\0\0"]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance() && ad.advance());
    let e = DecodeError::StringNotTerminated {
        offset: 8,
        attr_type: 14,
    };
    assert_eq!(ad.string(), Err(e.clone()));
    assert_eq!(ad.finish(), Err(e));

    // The lenient reader takes it as it is.
    let b = cat(&[&nla(7, 14), b"ab\0\0"]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance());
    assert_eq!(ad.string_lenient(), Ok("ab"));
    let b = cat(&[&nla(6, 14), b"ab", &[0, 0]]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance());
    assert_eq!(ad.string_lenient(), Ok("ab"));
    assert_eq!(ad.finish(), Ok(()));
}

#[test]
fn strings_end_at_the_first_nul() {
    let b = cat(&[&nla(8, 16), b"a\0b\0"]);
    assert_eq!(one(&b).string(), Ok("a"));
    assert_eq!(one(&b).string_lenient(), Ok("a"));
    assert_eq!(one(&b).cstr().map(|c| c.to_bytes()), Ok(&b"a"[..]));
    // A NUL anywhere terminates the string, even without one at the end.
    let b = cat(&[&nla(7, 16), b"a\0b", &[0]]);
    assert_eq!(one(&b).string(), Ok("a"));
    // Bytes after the NUL are not read: they need not be UTF-8.
    let b = cat(&[&nla(7, 16), &[b'a', 0, 0xff], &[0]]);
    assert_eq!(one(&b).string(), Ok("a"));
    let b = cat(&[&nla(8, 16), b"a\0b\0", &nla(8, 17), b"cd\0e"]);
    let mut ad = AttributeDecoder::new(&b);
    assert!(ad.advance());
    assert_eq!(ad.string(), Ok("a"));
    assert!(ad.advance());
    assert_eq!(ad.string_lenient(), Ok("cd"));
    assert_eq!(ad.finish(), Ok(()));
}

#[test]
fn string_not_utf8() {
    let b = cat(&[&nla(7, 15), &[b'a', 0xff, 0], &[0]]);
    assert_eq!(
        one(&b).string(),
        Err(DecodeError::InvalidUtf8 {
            offset: 0,
            attr_type: 15,
            valid_up_to: 1
        })
    );
}

// ---- nesting depth --------------------------------------------------------------------------

/// `depth` nests of type 1, each holding the next; the innermost is empty.
fn deep_nest(depth: usize) -> Vec<u8> {
    let mut b: Vec<u8> = Vec::with_capacity(4 * depth);
    for level in 0..depth {
        let len = u16::try_from(4 * (depth - level)).unwrap();
        b.extend_from_slice(&nla(len, 1 | NLA_F_NESTED));
    }
    b
}

/// Walks every nest recursively, as a naive recursive decoder would.
fn walk(a: Attr<'_>) -> Result<usize, DecodeError> {
    let mut deepest = a.depth();
    for child in a.nested()? {
        deepest = deepest.max(walk(child?)?);
    }
    Ok(deepest)
}

#[test]
fn nesting_10000_deep_on_decode_is_bounded() {
    let b = deep_nest(10_000);
    assert_eq!(b.len(), 40_000);
    let top = Attrs::new(&b).next().unwrap().unwrap();
    // The attribute at depth MAX_NEST_DEPTH sits at 4 bytes per level.
    assert_eq!(
        walk(top),
        Err(DecodeError::NestTooDeep {
            offset: 4 * MAX_NEST_DEPTH,
            attr_type: 1,
            max: MAX_NEST_DEPTH
        })
    );
    // MAX_NEST_DEPTH levels of nests, as the encoder writes at most, are fine: the innermost
    // sits at depth MAX_NEST_DEPTH - 1.
    let b = deep_nest(MAX_NEST_DEPTH);
    let top = Attrs::new(&b).next().unwrap().unwrap();
    assert_eq!(walk(top), Ok(MAX_NEST_DEPTH - 1));
    // One more level can be read, but not opened.
    let b = deep_nest(MAX_NEST_DEPTH + 1);
    let top = Attrs::new(&b).next().unwrap().unwrap();
    assert!(matches!(walk(top), Err(DecodeError::NestTooDeep { .. })));
}

fn decode_recursively(
    ad: &mut AttributeDecoder<'_>,
    levels: &mut usize,
) -> Result<(), DecodeError> {
    while ad.advance() {
        *levels += 1;
        ad.nested(|n| decode_recursively(n, levels))?;
    }
    Ok(())
}

#[test]
fn nesting_10000_deep_in_the_decoder_is_bounded() {
    let b = deep_nest(10_000);
    let mut ad = AttributeDecoder::new(&b);
    let mut levels = 0;
    let e = DecodeError::NestTooDeep {
        offset: 4 * MAX_NEST_DEPTH,
        attr_type: 1,
        max: MAX_NEST_DEPTH,
    };
    assert_eq!(decode_recursively(&mut ad, &mut levels), Err(e.clone()));
    assert_eq!(levels, MAX_NEST_DEPTH + 1);
    assert_eq!(ad.finish(), Err(e));
}

fn encode_recursively(ae: &mut AttributeEncoder<'_>, left: usize, calls: &mut usize) {
    *calls += 1;
    if left == 0 {
        return;
    }
    ae.nested(1, |n| {
        encode_recursively(n, left - 1, calls);
        Ok(())
    });
}

#[test]
fn nesting_10000_deep_on_encode_is_bounded() {
    let mut buf = vec![0xee];
    let mut ae = AttributeEncoder::new(&mut buf);
    let mut calls = 0;
    encode_recursively(&mut ae, 10_000, &mut calls);
    assert_eq!(calls, MAX_NEST_DEPTH + 1, "recursion stops at the bound");
    assert_eq!(
        ae.finish(),
        Err(EncodeError::NestTooDeep {
            attr_type: 1,
            max: MAX_NEST_DEPTH
        })
    );
    assert_eq!(buf, [0xee], "every partial nest is cut back out");

    // The bound itself encodes and decodes.
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    let mut calls = 0;
    encode_recursively(&mut ae, MAX_NEST_DEPTH, &mut calls);
    assert_eq!(ae.finish(), Ok(4 * MAX_NEST_DEPTH));
    assert_eq!(buf, deep_nest(MAX_NEST_DEPTH));
}

#[test]
fn nesting_10000_deep_with_nest_start_is_bounded() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    let nests: Vec<_> = (0..10_000).map(|_| ae.nest_start(2)).collect();
    assert_eq!(ae.depth(), MAX_NEST_DEPTH);
    for n in nests.into_iter().rev() {
        ae.nest_end(n);
    }
    assert_eq!(ae.depth(), 0);
    assert_eq!(
        ae.finish(),
        Err(EncodeError::NestTooDeep {
            attr_type: 2,
            max: MAX_NEST_DEPTH
        })
    );
    assert!(buf.is_empty());
}

// ---- encoding -------------------------------------------------------------------------------

#[test]
fn attribute_of_65536_bytes_on_encode() {
    let mut buf = vec![1, 2, 3, 4];
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.bytes(3, &vec![0; 65_532]);
    assert_eq!(
        ae.finish(),
        Err(EncodeError::AttrTooLong {
            attr_type: 3,
            len: 65_536
        })
    );
    assert_eq!(buf, [1, 2, 3, 4], "nothing written");
}

#[test]
fn string_attribute_of_65536_bytes() {
    let s = "x".repeat(65_531); // + header + NUL = 65,536
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(4 | NLA_F_NESTED, &s);
    assert_eq!(
        ae.finish(),
        Err(EncodeError::AttrTooLong {
            attr_type: 4,
            len: 65_536
        })
    );
    assert!(buf.is_empty());
}

#[test]
fn nest_growing_past_65535_bytes() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.u32(1, 7);
    ae.nested(5, |n| {
        for _ in 0..3 {
            n.bytes(1, &[0; 30_000]);
        }
        Ok(())
    });
    ae.u32(2, 8); // ignored after the error
    let err = ae.finish().unwrap_err();
    assert_eq!(
        err,
        EncodeError::AttrTooLong {
            attr_type: 5,
            len: 4 + 3 * 30_004
        }
    );
    assert!(err.to_string().contains("65535"));
    assert_eq!(
        buf,
        cat(&[&nla(8, 1), &7u32.to_ne_bytes()]),
        "the nest is cut back out"
    );
}

#[test]
fn nest_end_past_65535_bytes() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    let n = ae.nest_start(6);
    ae.bytes(1, &[0; 40_000]).bytes(2, &[0; 40_000]);
    ae.nest_end(n);
    assert_eq!(
        ae.finish(),
        Err(EncodeError::AttrTooLong {
            attr_type: 6,
            len: 80_012
        })
    );
    assert!(buf.is_empty());
}

#[test]
fn with_payload_past_65535_bytes() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.with(7, |b| {
        b.resize(b.len() + 70_000, 0);
        Ok(())
    });
    assert_eq!(
        ae.finish(),
        Err(EncodeError::AttrTooLong {
            attr_type: 7,
            len: 70_004
        })
    );
    assert!(buf.is_empty());
}

#[test]
fn with_closure_that_removes_the_header() {
    let mut buf = vec![9; 8];
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.with(8, |b| {
        b.truncate(2);
        Ok(())
    });
    assert!(matches!(
        ae.finish(),
        Err(EncodeError::Invalid { attr_type: 8, .. })
    ));
}

#[test]
fn with_closure_error_cuts_the_attribute() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    let e = EncodeError::Invalid {
        attr_type: 9,
        reason: "value out of range".into(),
    };
    ae.with(9, |b| {
        b.push(1);
        Err(e.clone())
    });
    assert_eq!(ae.finish(), Err(e));
    assert!(buf.is_empty());
}

#[test]
fn nested_closure_error_cuts_the_nest() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.u8(1, 1);
    ae.nested(2, |n| {
        n.u32(1, 1);
        n.string(2, "bad\0");
        Ok(())
    });
    assert_eq!(
        ae.finish(),
        Err(EncodeError::InteriorNul {
            attr_type: 2,
            position: 3
        })
    );
    assert_eq!(buf.len(), 8);
}

#[test]
fn string_with_interior_nul() {
    let mut buf = Vec::new();
    let mut ae = AttributeEncoder::new(&mut buf);
    ae.string(10, "a\0b");
    assert_eq!(
        ae.finish(),
        Err(EncodeError::InteriorNul {
            attr_type: 10,
            position: 1
        })
    );
}

#[test]
fn message_length_mismatch() {
    let mut m = Message::new(HeaderType(0x10), HeaderFlags::REQUEST, vec![1, 2, 3]);
    m.header.length = 20;
    assert_eq!(
        m.to_bytes(),
        Err(EncodeError::LengthMismatch {
            header_len: 20,
            actual: 19
        })
    );
    let mut buf = vec![7];
    assert!(m.encode_into(&mut buf).is_err());
    assert_eq!(buf, [7]);
}

#[test]
fn message_encoder_reports_attribute_errors_and_cuts_the_message() {
    let mut buf = vec![1, 2, 3, 4];
    let mut m = MessageEncoder::new(&mut buf, Header::default());
    m.extend(&[0; 4]);
    m.attrs().u8(1, 1).string(2, "x\0");
    // Once the message has an error, later attribute encoders write nothing.
    m.attrs().u32(3, 3);
    assert_eq!(
        m.error(),
        Some(&EncodeError::InteriorNul {
            attr_type: 2,
            position: 1
        })
    );
    assert_eq!(
        m.finish(),
        Err(EncodeError::InteriorNul {
            attr_type: 2,
            position: 1
        })
    );
    assert_eq!(buf, [1, 2, 3, 4]);
}

#[test]
fn message_encoder_reports_oversized_attribute() {
    let mut buf = Vec::new();
    let mut m = MessageEncoder::new(&mut buf, Header::default());
    let mut ae = m.attrs();
    ae.bytes(1, &[0; 70_000]);
    assert_eq!(
        ae.finish(),
        Err(EncodeError::AttrTooLong {
            attr_type: 1,
            len: 70_004
        })
    );
    assert!(m.finish().is_err());
    assert!(buf.is_empty());
}

#[test]
fn message_encoder_set_error() {
    let mut buf = Vec::new();
    let mut m = MessageEncoder::new(&mut buf, Header::default());
    m.set_error(EncodeError::MessageTooLong { len: 1 });
    assert_eq!(m.finish(), Err(EncodeError::MessageTooLong { len: 1 }));
}

#[test]
fn marshal_with_a_wrong_length() {
    let attrs = [Attribute {
        length: 9,
        attr_type: 1,
        data: vec![0; 4],
    }];
    assert!(matches!(
        marshal_attributes(&attrs),
        Err(EncodeError::Invalid { attr_type: 1, .. })
    ));
}

#[test]
fn marshal_an_attribute_of_65536_bytes() {
    let attrs = [Attribute {
        length: 0,
        attr_type: 2,
        data: vec![0; 65_532],
    }];
    assert_eq!(
        marshal_attributes(&attrs),
        Err(EncodeError::AttrTooLong {
            attr_type: 2,
            len: 65_536
        })
    );
}

#[test]
fn unmarshal_malformed() {
    let b = cat(&[&nla(5, 1), &[1, 0, 0, 0], &nla(0, 2)]);
    assert_eq!(
        unmarshal_attributes(&b),
        Err(DecodeError::AttrTooShort {
            offset: 8,
            attr_type: 2,
            len: 0
        })
    );
}

#[test]
fn enc_wrong_sizes() {
    assert_eq!(
        enc::u16(&[1]),
        Err(SizeError {
            expected: 2,
            actual: 1
        })
    );
    assert_eq!(
        enc::u64(&[0; 9]),
        Err(SizeError {
            expected: 8,
            actual: 9
        })
    );
    let mut b = [0u8; 3];
    assert_eq!(
        enc::put_u32(&mut b, 1),
        Err(SizeError {
            expected: 4,
            actual: 3
        })
    );
    assert_eq!(b, [0; 3]);
}

#[test]
fn error_messages_say_what_and_where() {
    let cases: Vec<(DecodeError, &str)> = vec![
        (
            DecodeError::AttrTooShort {
                offset: 40,
                attr_type: 3,
                len: 2,
            },
            "attribute 3 at offset 40: length 2 shorter than its 4-byte header",
        ),
        (
            DecodeError::MessageTooShort { offset: 0, len: 15 },
            "message at offset 0: length 15 shorter than its 16-byte header",
        ),
        (
            DecodeError::NestTooDeep {
                offset: 128,
                attr_type: 1,
                max: 32,
            },
            "attribute 1 at offset 128: nested deeper than 32 levels",
        ),
    ];
    for (e, text) in cases {
        assert_eq!(e.to_string(), text);
    }
    let e: netlink::Error = DecodeError::NoCurrentAttr.into();
    assert!(matches!(
        e,
        netlink::Error::Decode(DecodeError::NoCurrentAttr)
    ));
}
