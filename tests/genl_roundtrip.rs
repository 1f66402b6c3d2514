//! Round trips of every derived type of the `ethtool` and `netdev` families (1,000 generated
//! values each: decode(encode(x)) == x, bytes stable, policy-valid), and arbitrary bytes
//! decoded into each without panicking.

use netlink::check_nlattrs;
use netlink::genl::ethtool as et;
use netlink::genl::netdev as nd;

const COUNT: usize = 1000;

#[test]
fn ethtool_messages() {
    check_nlattrs!(et::EthtoolHeader, COUNT);
    check_nlattrs!(et::EthtoolRequest, COUNT);
    check_nlattrs!(et::BitsetBit, COUNT);
    check_nlattrs!(et::BitsetBits, COUNT);
    check_nlattrs!(et::Bitset, COUNT);
    check_nlattrs!(et::EthString, COUNT);
    check_nlattrs!(et::EthStrings, COUNT);
    check_nlattrs!(et::StringSet, COUNT);
    check_nlattrs!(et::StringSets, COUNT);
    check_nlattrs!(et::Strset, COUNT);
    check_nlattrs!(et::LinkInfo, COUNT);
    check_nlattrs!(et::LinkModes, COUNT);
    check_nlattrs!(et::LinkState, COUNT);
    check_nlattrs!(et::DebugSettings, COUNT);
    check_nlattrs!(et::DebugSet, COUNT);
    check_nlattrs!(et::Features, COUNT);
    check_nlattrs!(et::FeaturesSet, COUNT);
    check_nlattrs!(et::Rings, COUNT);
    check_nlattrs!(et::RingsSet, COUNT);
    check_nlattrs!(et::Channels, COUNT);
    check_nlattrs!(et::ChannelsSet, COUNT);
    check_nlattrs!(et::IrqModeration, COUNT);
    check_nlattrs!(et::IrqProfile, COUNT);
    check_nlattrs!(et::Coalesce, COUNT);
    check_nlattrs!(et::PauseStats, COUNT);
    check_nlattrs!(et::Pause, COUNT);
    check_nlattrs!(et::TsProvider, COUNT);
    check_nlattrs!(et::TsInfo, COUNT);
    check_nlattrs!(et::NoReply, COUNT);
}

#[test]
fn netdev_messages() {
    check_nlattrs!(nd::Dev, COUNT);
    check_nlattrs!(nd::DevGet, COUNT);
    check_nlattrs!(nd::PagePool, COUNT);
    check_nlattrs!(nd::PagePoolGet, COUNT);
    check_nlattrs!(nd::Queue, COUNT);
    check_nlattrs!(nd::QueueGet, COUNT);
    check_nlattrs!(nd::QueueDump, COUNT);
    check_nlattrs!(nd::Napi, COUNT);
    check_nlattrs!(nd::NapiGet, COUNT);
    check_nlattrs!(nd::NapiDump, COUNT);
    check_nlattrs!(nd::Qstats, COUNT);
    check_nlattrs!(nd::QstatsGet, COUNT);
}

mod arbitrary_bytes {
    //! Any bytes, as a whole generic netlink payload or as attributes, decode into every
    //! family type as a value or an error.
    use super::*;
    use netlink::genl::GenlMessage;
    use netlink::NlAttrs;
    use proptest::prelude::*;

    fn all(bytes: &[u8]) {
        let _ = et::Strset::decode(bytes);
        let _ = et::LinkInfo::decode(bytes);
        let _ = et::LinkModes::decode(bytes);
        let _ = et::LinkState::decode(bytes);
        let _ = et::DebugSettings::decode(bytes);
        let _ = et::Features::decode(bytes);
        let _ = et::Rings::decode(bytes);
        let _ = et::Channels::decode(bytes);
        let _ = et::Coalesce::decode(bytes);
        let _ = et::Pause::decode(bytes);
        let _ = et::TsInfo::decode(bytes);
        let _ = nd::Dev::decode(bytes);
        let _ = nd::PagePool::decode(bytes);
        let _ = nd::Queue::decode(bytes);
        let _ = nd::Napi::decode(bytes);
        let _ = nd::Qstats::decode(bytes);
        let _ = GenlMessage::<et::Features>::decode(bytes);
        let _ = GenlMessage::<et::Strset>::decode_with(bytes, &netlink::DecodeOptions::strict());
        if let Ok(b) = et::Bitset::decode(bytes) {
            let _ = (b.value_bits(), b.mask_bits(), b.test(7), b.named_bits());
        }
        if let Ok(s) = et::StringSet::decode(bytes) {
            let _ = s.to_vec();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            all(&bytes);
        }

        #[test]
        fn attribute_shaped_bytes_never_panic(
            attrs in proptest::collection::vec(
                (0u16..32, any::<bool>(), proptest::collection::vec(any::<u8>(), 0..24)),
                0..8,
            )
        ) {
            let mut bytes = Vec::new();
            netlink::roundtrip::frame_attributes(
                &mut bytes,
                attrs.iter().map(|(t, nested, payload)| (*t, *nested, payload.as_slice())),
            );
            all(&bytes);
            let _ = et::Bitset::decode(&bytes);
            let _ = et::StringSets::decode(&bytes);
        }
    }
}

mod bitsets {
    //! The compact bit set helpers against a plain set of indices.
    use netlink::genl::ethtool::Bitset;
    use netlink::NlAttrs;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn compact_sets_read_back(
            size in 0u32..200,
            value in proptest::collection::vec(0u32..256, 0..40),
            mask in proptest::option::of(proptest::collection::vec(0u32..256, 0..40)),
        ) {
            let b = Bitset::compact(size, value.iter().copied(), mask.as_deref());
            let want: BTreeSet<u32> = value.iter().copied().filter(|i| *i < size).collect();
            prop_assert_eq!(b.value_bits(), want.iter().copied().collect::<Vec<_>>());
            for i in 0..256 {
                prop_assert_eq!(b.test(i), want.contains(&i));
            }
            match &mask {
                None => prop_assert!(b.mask_bits().is_none()),
                Some(m) => {
                    let want: BTreeSet<u32> = m.iter().copied().filter(|i| *i < size).collect();
                    prop_assert_eq!(b.mask_bits().unwrap(), want.into_iter().collect::<Vec<_>>());
                }
            }
            // Whole 32-bit words, in host order, as the kernel reads them.
            prop_assert_eq!(b.value.as_ref().unwrap().len() as u32, size.div_ceil(32) * 4);
            let back = Bitset::decode(&b.to_bytes().unwrap()).unwrap();
            prop_assert_eq!(back, b);
        }
    }
}
