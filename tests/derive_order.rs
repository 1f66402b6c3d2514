//! `#[nla(order)]`: a derived struct that remembers the order its attributes arrived in and
//! encodes them back in that order.

mod support;

use netlink::roundtrip::{Arbitrary, Rng};
use netlink::{check_nlattrs, AttrOrder, Attrs, Multi, NlAttrs, NlStruct, UnknownAttrs};
use support::attr;

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Inner {
    #[nla(type = 1)]
    a: Option<u32>,
    #[nla(type = 2)]
    b: Option<u16>,
    #[nla(order)]
    order: AttrOrder,
}

#[derive(NlStruct, Debug, Clone, PartialEq, Default)]
struct Head {
    family: u8,
    pad: [u8; 3],
    index: u32,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Ordered {
    #[nla(header)]
    header: Head,
    #[nla(type = 1)]
    number: Option<u32>,
    #[nla(type = 2)]
    name: Option<String>,
    #[nla(type = 3, flag)]
    up: bool,
    #[nla(type = 4, multi)]
    values: Vec<u16>,
    #[nla(type = 5, nested)]
    inner: Option<Inner>,
    #[nla(type = 6)]
    required: u8,
    #[nla(unknown)]
    rest: UnknownAttrs,
    #[nla(order)]
    order: AttrOrder,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct OrderedRef<'a> {
    #[nla(type = 1)]
    name: Option<&'a str>,
    #[nla(type = 2, multi)]
    names: Multi<'a, &'a str>,
    #[nla(type = 3)]
    mtu: Option<u32>,
    #[nla(order)]
    order: AttrOrder,
}

/// An `Ordered` struct without unknown field: unknown attributes are skipped, not recorded.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct NoUnknown {
    #[nla(type = 1)]
    a: Option<u8>,
    #[nla(type = 2)]
    b: Option<u8>,
    #[nla(order)]
    order: AttrOrder,
}

#[test]
fn generated_values_round_trip_in_any_recorded_order() {
    // The generator gives half of the values a random order (repeats and absent fields
    // included): encoding follows it, decoding records what was written, re-encoding matches.
    check_nlattrs!(Ordered, 1000);
    check_nlattrs!(Inner, 1000);
    check_nlattrs!(OrderedRef<'_>, 1000);
    check_nlattrs!(NoUnknown, 300);
}

/// The top-level attributes of an encoding of `Ordered`, shuffled, except that the elements
/// of `values` (type 4) keep their order among themselves, and so do unknown attributes:
/// their order is part of the value.
fn shuffled(rng: &mut Rng, attrs: &[u8]) -> Vec<u8> {
    let class = |t: u16| match t & 0x3fff {
        t @ 1..=6 => t,
        _ => 0,
    };
    let records: Vec<(u16, Vec<u8>)> = Attrs::new(attrs)
        .map(|a| {
            let a = a.unwrap();
            (class(a.raw_type()), attr(a.raw_type(), a.payload()))
        })
        .collect();
    let mut classes: Vec<u16> = records.iter().map(|r| r.0).collect();
    for i in (1..classes.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        classes.swap(i, j);
    }
    let mut taken = vec![false; records.len()];
    let mut out = Vec::new();
    for c in classes {
        let k = (0..records.len())
            .find(|&k| !taken[k] && records[k].0 == c)
            .unwrap();
        taken[k] = true;
        out.extend_from_slice(&records[k].1);
    }
    out
}

#[test]
fn attributes_in_any_order_encode_back_to_the_same_bytes() {
    let mut rng = Rng::new(7);
    let mut reordered = 0;
    for _ in 0..1000 {
        let mut v = Ordered::arbitrary(&mut rng);
        v.order.clear();
        let canonical = v.to_bytes().unwrap();
        let at = (Head::SIZE + 3) & !3;
        let mut bytes = canonical[..at].to_vec();
        bytes.extend(shuffled(&mut rng, &canonical[at..]));
        let d = Ordered::decode(&bytes).unwrap();
        assert_eq!(d, v, "{bytes:?}");
        assert_eq!(d.to_bytes().unwrap(), bytes, "{d:?}");
        if bytes != canonical {
            reordered += 1;
            assert!(d.order.is_recorded());
        } else {
            assert!(!d.order.is_recorded(), "{d:?}");
        }
    }
    assert!(reordered > 500, "{reordered}");
}

#[test]
fn unknown_attributes_keep_their_places() {
    // 9 (unknown), 2, 0x8000|11 (unknown, nested flag), 6, 1.
    let mut bytes = vec![0; 8];
    for a in [
        attr(9, &[1, 2, 3, 4]),
        attr(2, b"lo\0"),
        attr(11 | 0x8000, &[4, 0, 1, 0]),
        attr(6, &[5]),
        attr(1, &[1, 0, 0, 0]),
    ] {
        bytes.extend(a);
    }
    let d = Ordered::decode(&bytes).unwrap();
    assert_eq!(
        (d.number, d.name.as_deref(), d.required),
        (Some(1), Some("lo"), 5)
    );
    assert_eq!(d.rest.len(), 2);
    assert_eq!(d.to_bytes().unwrap(), bytes);

    // Without an unknown field they are dropped, and the rest keeps its order.
    let bytes = [attr(2, &[2]), attr(7, &[0]), attr(1, &[1])].concat();
    let d = NoUnknown::decode(&bytes).unwrap();
    assert_eq!(
        d.to_bytes().unwrap(),
        [attr(2, &[2]), attr(1, &[1])].concat()
    );
}

#[test]
fn declaration_order_records_nothing() {
    let v = Ordered {
        number: Some(1),
        name: Some("x".into()),
        up: true,
        values: vec![1, 2],
        required: 3,
        ..Default::default()
    };
    let bytes = v.to_bytes().unwrap();
    let d = Ordered::decode(&bytes).unwrap();
    assert!(!d.order.is_recorded());
    assert_eq!(format!("{:?}", d.order), "AttrOrder(declared)");
}

#[test]
fn repeated_attributes_interleave_as_they_arrived() {
    // 4, 1, 4, 6, 4: each element of `values` at its own place.
    let mut bytes = vec![0; 8];
    for a in [
        attr(4, &[1, 0]),
        attr(1, &[9, 0, 0, 0]),
        attr(4, &[2, 0]),
        attr(6, &[0]),
        attr(4, &[3, 0]),
    ] {
        bytes.extend(a);
    }
    let d = Ordered::decode(&bytes).unwrap();
    assert_eq!(d.values, [1, 2, 3]);
    assert_eq!(d.to_bytes().unwrap(), bytes);

    // A borrowed struct with a lazy `Multi` too.
    let bytes = [
        attr(2, b"a\0"),
        attr(3, &[1, 0, 0, 0]),
        attr(2, b"b\0"),
        attr(1, b"n\0"),
    ]
    .concat();
    let d = OrderedRef::decode(&bytes).unwrap();
    assert_eq!(d.names.iter().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(d.to_bytes().unwrap(), bytes);
}

#[test]
fn fields_changed_after_decoding() {
    // Arrived as 2, 1 (against declaration).
    let bytes = [attr(6, &[0]), attr(2, b"x\0"), attr(1, &[1, 0, 0, 0])].concat();
    let mut full = vec![0; 8];
    full.extend_from_slice(&bytes);
    let mut d = Ordered::decode(&full).unwrap();
    assert!(d.order.is_recorded());
    // A field the order does not name follows the recorded ones; a cleared one drops out.
    d.up = true;
    d.name = None;
    d.values = vec![7];
    let mut expected = vec![0; 8];
    for a in [
        attr(6, &[0]),
        attr(1, &[1, 0, 0, 0]),
        attr(3, &[]),
        attr(4, &[7, 0]),
    ] {
        expected.extend(a);
    }
    assert_eq!(d.to_bytes().unwrap(), expected);
    // Clearing the order goes back to declaration order.
    d.order.clear();
    let mut declared = vec![0; 8];
    for a in [
        attr(1, &[1, 0, 0, 0]),
        attr(3, &[]),
        attr(4, &[7, 0]),
        attr(6, &[0]),
    ] {
        declared.extend(a);
    }
    assert_eq!(d.to_bytes().unwrap(), declared);
}

#[test]
fn equality_ignores_the_order() {
    let a = Inner::decode(&[attr(2, &[2, 0]), attr(1, &[1, 0, 0, 0])].concat()).unwrap();
    let b = Inner::decode(&[attr(1, &[1, 0, 0, 0]), attr(2, &[2, 0])].concat()).unwrap();
    assert!(a.order.is_recorded() && !b.order.is_recorded());
    assert_eq!(a, b);
    assert_ne!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
    // Nested: the inner set keeps its own order inside the outer one.
    let inner = [attr(2, &[2, 0]), attr(1, &[1, 0, 0, 0])].concat();
    let mut bytes = vec![0; 8];
    bytes.extend(attr(5 | 0x8000, &inner));
    bytes.extend(attr(6, &[0]));
    let d = Ordered::decode(&bytes).unwrap();
    assert!(!d.order.is_recorded());
    assert!(d.inner.as_ref().unwrap().order.is_recorded());
    assert_eq!(d.to_bytes().unwrap(), bytes);
}
