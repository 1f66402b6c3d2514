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
use netlink::roundtrip::{check_enum, check_struct};
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
            for (t, nested, payload) in attrs {
                let t = if nested { t | netlink::attr::NLA_F_NESTED } else { t };
                bytes.extend_from_slice(&(4 + payload.len() as u16).to_ne_bytes());
                bytes.extend_from_slice(&t.to_ne_bytes());
                bytes.extend_from_slice(&payload);
                while bytes.len() % 4 != 0 {
                    bytes.push(0);
                }
            }
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
        }
    }
}
