//! Generated round-trip tests: every derived type of the workspace, 1,000 generated values
//! each through `decode(encode(x)) == x` (with its policy checked on the encoded bytes), and
//! 1,000 arbitrary byte strings each through the decoder, which must not panic.

mod support;

/// The benchmark's derived message types.
#[allow(dead_code)]
#[path = "../examples/nlbench/codec_derived.rs"]
mod codec_derived;

use netlink::check_nlattrs;
use netlink::genl;
use netlink::roundtrip::{check_bytes, check_enum, check_struct, mutations, Rng};
use support::*;

const COUNT: usize = 1000;

#[test]
fn example() {
    check_nlattrs!(Example, COUNT);
}

#[test]
fn inner() {
    check_nlattrs!(Inner, COUNT);
}

#[test]
fn integers() {
    check_nlattrs!(Integers, COUNT);
}

#[test]
fn texts() {
    check_nlattrs!(Texts, COUNT);
}

#[test]
fn tree() {
    check_nlattrs!(Tree, COUNT);
}

#[test]
fn link_message() {
    check_nlattrs!(LinkMessage, COUNT);
}

#[test]
fn link_stats_message() {
    check_nlattrs!(LinkStatsMessage, COUNT);
}

#[test]
fn variable() {
    check_nlattrs!(Variable, COUNT);
}

#[test]
fn with_indexed() {
    check_nlattrs!(WithIndexed, COUNT);
}

#[test]
fn borrowed() {
    check_nlattrs!(Borrowed<'_>, COUNT);
}

#[test]
fn borrowed_inner() {
    check_nlattrs!(BorrowedInner<'_>, COUNT);
}

#[test]
fn benchmark_messages() {
    check_nlattrs!(codec_derived::CodecRef<'_>, COUNT);
    check_nlattrs!(codec_derived::CodecOwned, COUNT);
    check_nlattrs!(codec_derived::CodecNest, COUNT);
}

#[test]
fn nlctrl_messages() {
    check_nlattrs!(genl::CtrlMessage, COUNT);
    check_nlattrs!(genl::Op, COUNT);
    check_nlattrs!(genl::McastGroup, COUNT);
    check_nlattrs!(genl::OpPolicy, COUNT);
    check_nlattrs!(genl::AttrPolicy, COUNT);
}

#[test]
fn c_structures() {
    check_struct::<IfInfoMsg>(COUNT).unwrap();
    check_struct::<LinkStats64>(COUNT).unwrap();
    check_struct::<Mixed>(COUNT).unwrap();
    check_struct::<RtnlLinkStats64>(COUNT).unwrap();
    check_struct::<genl::GenlHeader>(COUNT).unwrap();
    check_struct::<netlink::Bitfield32>(COUNT).unwrap();
}

#[test]
fn enums() {
    check_enum::<OperState>(COUNT).unwrap();
    check_enum::<Signed>(COUNT).unwrap();
    check_enum::<genl::CtrlCommand>(COUNT).unwrap();
}

mod arbitrary_bytes {
    //! Decoding any byte string into any derived type returns a value or an error.
    use super::*;
    use netlink::NlAttrs;
    use proptest::prelude::*;

    /// `PROPTEST_CASES` from the environment, or 1,000 cases.
    fn config() -> ProptestConfig {
        let mut c = ProptestConfig::default();
        if std::env::var_os("PROPTEST_CASES").is_none() {
            c.cases = 1000;
        }
        c
    }

    proptest! {
        #![proptest_config(config())]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Example::decode(&bytes);
            let _ = Integers::decode(&bytes);
            let _ = Texts::decode(&bytes);
            let _ = Tree::decode(&bytes);
            let _ = LinkMessage::decode(&bytes);
            let _ = WithIndexed::decode(&bytes);
            let _ = Borrowed::decode(&bytes);
            let _ = genl::CtrlMessage::decode(&bytes);
            let _ = genl::CtrlMessage::decode_with(&bytes, &netlink::DecodeOptions::strict());
            check_owned(&bytes).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn attribute_shaped_bytes_never_panic(
            attrs in proptest::collection::vec(
                (0u16..12, any::<bool>(), proptest::collection::vec(any::<u8>(), 0..24)),
                0..8,
            )
        ) {
            // Well-formed attribute framing with arbitrary types, flags and payloads reaches
            // the typed decoders rather than stopping at the framing.
            let mut bytes = Vec::new();
            netlink::roundtrip::frame_attributes(
                &mut bytes,
                attrs.iter().map(|(t, nested, payload)| (*t, *nested, payload.as_slice())),
            );
            let _ = Example::decode(&bytes);
            let _ = Integers::decode(&bytes);
            let _ = Texts::decode(&bytes);
            let _ = Tree::decode(&bytes);
            let _ = WithIndexed::decode(&bytes);
            let _ = Borrowed::decode(&bytes);
            let _ = genl::Op::decode(&bytes);
            let _ = genl::AttrPolicy::decode(&bytes);
            if let Ok(b) = Borrowed::decode(&bytes) {
                let _ = b.names.iter().count();
                let _ = b.inners.iter().count();
            }
            check_owned(&bytes).map_err(TestCaseError::fail)?;
        }
    }
}

/// Decode, encode, decode again for every owned derived type of the workspace.
fn check_owned(bytes: &[u8]) -> Result<(), String> {
    check_bytes::<Example>(bytes)?;
    check_bytes::<Inner>(bytes)?;
    check_bytes::<Integers>(bytes)?;
    check_bytes::<Texts>(bytes)?;
    check_bytes::<Tree>(bytes)?;
    check_bytes::<LinkMessage>(bytes)?;
    check_bytes::<LinkStatsMessage>(bytes)?;
    check_bytes::<Variable>(bytes)?;
    check_bytes::<WithIndexed>(bytes)?;
    check_bytes::<codec_derived::CodecOwned>(bytes)?;
    check_bytes::<genl::CtrlMessage>(bytes)?;
    check_bytes::<genl::Op>(bytes)?;
    check_bytes::<genl::McastGroup>(bytes)?;
    check_bytes::<genl::OpPolicy>(bytes)?;
    check_bytes::<genl::AttrPolicy>(bytes)?;
    Ok(())
}

/// The payloads of the captured `nlctrl` replies, and a few thousand mutations of them, go
/// through decode, encode, decode for every owned derived type.
#[test]
fn captured_replies_and_their_mutations() {
    let mut seeds = Vec::new();
    for capture in [
        &include_bytes!("fixtures/getfamily_nlctrl.bin")[..],
        include_bytes!("fixtures/getfamily_dump.bin"),
        include_bytes!("fixtures/getpolicy_nlctrl.bin"),
    ] {
        for m in netlink::messages(capture) {
            let m = m.unwrap();
            if m.header.kind == netlink::HeaderType(genl::GENL_ID_CTRL) {
                // Every reply decodes strictly and round-trips.
                assert!(<genl::CtrlMessage as netlink::NlAttrs>::decode_with(
                    m.data,
                    &netlink::DecodeOptions::strict()
                )
                .is_ok());
                check_bytes::<genl::CtrlMessage>(m.data).unwrap();
                seeds.push(m.data.to_vec());
                // The attributes after the family header, as another type's would be.
                seeds.push(m.data[4..].to_vec());
            }
        }
    }
    let mut rng = Rng::new(0x6669_7874_7572_6573);
    for seed in &seeds {
        check_owned(seed).unwrap();
        for _ in 0..200 {
            let b = mutations(&mut rng, seed);
            if let Err(e) = check_owned(&b) {
                panic!("{e}");
            }
        }
    }
}

/// Defect 9 of issue 7: a string with a NUL inside decoded, then failed to encode.
#[test]
fn string_with_a_nul_inside_round_trips() {
    check_bytes::<genl::McastGroup>(&[8, 0, 1, 0, b'a', 0, b'b', 0]).unwrap();
    check_bytes::<Texts>(&[8, 0, 9, 0, b'a', 0, b'b', 0]).unwrap();
}
