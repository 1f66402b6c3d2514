//! Replies of the `ethtool` and `netdev` families captured from a real kernel
//! (`tests/fixtures/capture_genl_families.py`) decoded with the derived types and re-encoded
//! byte for byte; their truncations and mutations decode to values that re-encode, or to
//! typed errors, never a panic.

use std::fmt::Debug;

use netlink::genl::ethtool as et;
use netlink::genl::netdev as nd;
use netlink::genl::GenlMessage;
use netlink::roundtrip::{check_bytes, mutations, with_nested_flags, Rng};
use netlink::{messages, DecodeOptions, HeaderType, MessageRef, NlAttrs, NlAttrsOwned};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes every data message of the capture as `T` strictly (every attribute the kernel sent
/// must be declared), checks the exact re-encoding, and returns the values.
fn replay<T: NlAttrsOwned + Debug + PartialEq>(name: &str) -> Vec<T> {
    let bytes = fixture(name);
    let mut out = Vec::new();
    for m in messages(&bytes) {
        let m: MessageRef<'_> = m.unwrap();
        if m.header.kind == HeaderType::DONE {
            continue;
        }
        let v = GenlMessage::<T>::decode_message(&m, &DecodeOptions::strict())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (head, attrs) = m.data.split_at(4);
        let mut want = head.to_vec();
        want.extend(with_nested_flags(attrs, <T as NlAttrs>::POLICY));
        assert_eq!(v.to_bytes().unwrap(), want, "{name}: {v:?}");
        // Truncations and mutations: each decodes to a value that encodes and decodes back
        // to itself, or is an error; never a panic.
        for cut in 0..m.data.len() {
            check_bytes::<GenlMessage<T>>(&m.data[..cut]).unwrap();
        }
        let mut rng = Rng::new(0x6765_6e6c);
        for _ in 0..200 {
            check_bytes::<GenlMessage<T>>(&mutations(&mut rng, m.data)).unwrap();
        }
        out.push(v.body);
    }
    assert!(!out.is_empty(), "{name}: no message");
    out
}

#[test]
fn ethtool_replies_re_encode_exactly() {
    let info = replay::<et::LinkInfo>("ethtool_linkinfo.bin");
    assert_eq!(
        info[0].header.as_ref().unwrap().dev_name.as_deref(),
        Some("va")
    );
    assert_eq!(info[0].port, Some(0));

    let modes = replay::<et::LinkModes>("ethtool_linkmodes.bin");
    assert_eq!(modes[0].speed, Some(10000));
    assert!(!modes[0].ours.as_ref().unwrap().is_compact());
    let compact = replay::<et::LinkModes>("ethtool_linkmodes_compact.bin");
    assert!(compact[0].ours.as_ref().unwrap().is_compact());
    assert_eq!(
        compact[0].ours.as_ref().unwrap().value_bits(),
        modes[0].ours.as_ref().unwrap().value_bits()
    );

    assert_eq!(
        replay::<et::LinkState>("ethtool_linkstate.bin")[0].link,
        Some(1)
    );

    let verbose = replay::<et::Features>("ethtool_features.bin");
    let compact = replay::<et::Features>("ethtool_features_compact.bin");
    let names = replay::<et::Strset>("ethtool_strset_features.bin");
    let names = names[0].set(et::string_set::FEATURES).unwrap().to_vec();
    let active = compact[0].active.as_ref().unwrap();
    let gro = names.iter().position(|n| n == "rx-gro").unwrap() as u32;
    assert!(active.test(gro), "GRO was turned on before the capture");
    let named: Vec<u32> = verbose[0]
        .active
        .as_ref()
        .unwrap()
        .named_bits()
        .into_iter()
        .map(|(i, name, _)| {
            assert_eq!(names[i as usize], name);
            i
        })
        .collect();
    assert_eq!(named, active.value_bits());

    let ch = replay::<et::Channels>("ethtool_channels.bin");
    assert!(ch[0].rx_max.is_some() && ch[0].rx_count.is_some());
    let ts = replay::<et::TsInfo>("ethtool_tsinfo.bin");
    assert!(ts[0].timestamping.is_some());
    let all = replay::<et::LinkInfo>("ethtool_linkinfo_dump.bin");
    assert_eq!(all.len(), 2);
}

#[test]
fn netdev_replies_re_encode_exactly() {
    let devs = replay::<nd::Dev>("netdev_dev_dump.bin");
    assert_eq!(devs.len(), 3);
    assert_eq!(devs[0].ifindex, Some(1));
    let queues = replay::<nd::Queue>("netdev_queue_dump.bin");
    assert!(queues.iter().any(|q| q.kind == Some(nd::queue_type::TX)));
    let napis = replay::<nd::Napi>("netdev_napi_dump.bin");
    assert!(napis.iter().all(|n| n.id.is_some() && n.ifindex.is_some()));
}
