//! Borrowed structs: one-pass decoding into `&'a str`, `&'a CStr`, `&'a [u8]`, nested borrowed
//! structs and lazily iterated repeated attributes, all pointing into the decoded buffer.
#![deny(warnings)]

mod support;

use netlink::{DecodeError, DecodeOptions, Multi, NlAttrs};
use support::{Borrowed, BorrowedInner, Example};

fn inside(buf: &[u8], part: &[u8]) -> bool {
    let range = buf.as_ptr_range();
    let p = part.as_ptr_range();
    range.start <= p.start && p.end <= range.end
}

fn sample<'a>(names: &'a [&'a str], inners: &'a [BorrowedInner<'a>]) -> Borrowed<'a> {
    Borrowed {
        name: "eth0",
        cname: Some(c"veth"),
        bytes: Some(&[1, 2, 3, 4, 5]),
        inner: Some(BorrowedInner {
            label: Some("inner"),
            id: 7,
        }),
        names: Multi::from_slice(names),
        inners: Multi::from_slice(inners),
        number: Some(42),
        owned_multi: vec![b"ab", b"cde"],
        flag: true,
    }
}

#[test]
fn decodes_without_copying() {
    let names = ["a", "bb", "ccc"];
    let inners = [
        BorrowedInner { label: None, id: 1 },
        BorrowedInner {
            label: Some("two"),
            id: 2,
        },
    ];
    let x = sample(&names, &inners);
    let buf = x.to_bytes().unwrap();
    let d = Borrowed::decode(&buf).unwrap();
    assert_eq!(d, x);

    // Every borrowed value points into the buffer.
    assert!(inside(&buf, d.name.as_bytes()));
    assert!(inside(&buf, d.cname.unwrap().to_bytes_with_nul()));
    assert!(inside(&buf, d.bytes.unwrap()));
    assert!(inside(
        &buf,
        d.inner.as_ref().unwrap().label.unwrap().as_bytes()
    ));
    for n in d.names.iter() {
        assert!(inside(&buf, n.as_bytes()));
    }
    for i in d.inners.iter() {
        if let Some(l) = i.label {
            assert!(inside(&buf, l.as_bytes()));
        }
    }

    // The repeated attributes iterate lazily, in order, as often as asked.
    assert_eq!(d.names.len(), 3);
    assert_eq!(d.names.iter().collect::<Vec<_>>(), names);
    assert_eq!((&d.names).into_iter().count(), 3);
    assert_eq!(d.inners.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(d.owned_multi, [&b"ab"[..], &b"cde"[..]]);
}

#[test]
fn multi_and_vec_encode_alike() {
    // A borrowed struct and an owned one with the same declarations write the same bytes.
    let names = ["x", "y"];
    let b = Borrowed {
        name: "n",
        names: Multi::from_slice(&names),
        ..Default::default()
    }
    .to_bytes()
    .unwrap();
    let mut want = Vec::new();
    for (t, s) in [(1u16, "n"), (5, "x"), (5, "y")] {
        let mut a = Vec::new();
        a.extend_from_slice(&(5 + s.len() as u16).to_ne_bytes());
        a.extend_from_slice(&t.to_ne_bytes());
        a.extend_from_slice(s.as_bytes());
        a.push(0);
        while a.len() % 4 != 0 {
            a.push(0);
        }
        want.extend(a);
    }
    assert_eq!(b, want);
}

#[test]
fn repeated_values_are_checked_when_the_struct_is_decoded() {
    // The second occurrence of the repeated nest lacks its required `id`: the error surfaces
    // from `decode`, not later from the iterator.
    let inners = [BorrowedInner { label: None, id: 1 }];
    let mut buf = Borrowed {
        name: "n",
        inners: Multi::from_slice(&inners),
        ..Default::default()
    }
    .to_bytes()
    .unwrap();
    let at = buf.len();
    buf.extend_from_slice(&[4, 0, 6, 0x80]);
    match Borrowed::decode(&buf).unwrap_err() {
        DecodeError::MissingAttribute {
            offset,
            attr_type,
            field,
        } => assert_eq!((offset, attr_type, field), (at + 4, 2, "BorrowedInner.id")),
        e => panic!("{e:?}"),
    }
}

#[test]
fn borrowed_errors_and_checks() {
    // `bytes` has max_len = 40.
    let long = [0u8; 41];
    let x = Borrowed {
        name: "n",
        bytes: Some(&long),
        ..Default::default()
    };
    assert!(x.to_bytes().is_err());
    // A C string needs its NUL.
    let buf = [8, 0, 1, 0, b'a', 0, 0, 0, 6, 0, 2, 0, b'x', b'y', 0, 0];
    assert!(matches!(
        Borrowed::decode(&buf),
        Err(DecodeError::StringNotTerminated {
            offset: 8,
            attr_type: 2
        })
    ));
    // Strict mode applies to borrowed structs too.
    let buf = [6, 0, 1, 0, b'a', 0, 0, 0, 4, 0, 99, 0];
    assert!(Borrowed::decode(&buf).is_ok());
    assert!(Borrowed::decode_with(&buf, &DecodeOptions::strict()).is_err());
}

#[test]
fn owned_and_borrowed_views_of_the_same_bytes() {
    // An owned struct's bytes decode as a borrowed struct with the same declarations.
    #[derive(NlAttrs, Debug, PartialEq)]
    struct NameRef<'a> {
        #[nla(type = 2)]
        name: Option<&'a str>,
        #[nla(type = 1)]
        number: u16,
    }
    let owned = Example {
        number: 3,
        name: Some("shared".into()),
        ..Default::default()
    };
    let buf = owned.to_bytes().unwrap();
    let view = NameRef::decode(&buf).unwrap();
    assert_eq!(view.name, Some("shared"));
    assert_eq!(view.number, 3);
    netlink::check_nlattrs!(NameRef<'_>, 1000);
}

#[test]
fn borrowed_strings_end_at_the_first_nul() {
    let mut buf = Vec::new();
    for (t, payload) in [(1u16, &b"a\0b\0"[..]), (2, b"c\0d\0"), (5, b"e\0f")] {
        buf.extend_from_slice(&(4 + payload.len() as u16).to_ne_bytes());
        buf.extend_from_slice(&t.to_ne_bytes());
        buf.extend_from_slice(payload);
        buf.resize(buf.len().next_multiple_of(4), 0);
    }
    let d = Borrowed::decode(&buf).unwrap();
    assert_eq!(d.name, "a");
    assert_eq!(d.cname, Some(c"c"));
    assert_eq!(d.names.iter().collect::<Vec<_>>(), ["e"]);
    let again = d.to_bytes().unwrap();
    assert_eq!(Borrowed::decode(&again).unwrap(), d);
}
