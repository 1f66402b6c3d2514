//! The derived `ethtool` family against the kernel, on a veth pair in a fresh namespace: every
//! `GET` decoded and re-encoded byte for byte, `SET`s of features, channels and debug, the
//! `monitor` group's notifications, and the typed errors of a missing operation or group.

mod conn_support;

use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::genl::ethtool::{
    self as et, Bitset, Ethtool, EthtoolEvent, EthtoolHeader, EthtoolRequest,
};
use netlink::genl::{Command, GenlHandle, GenlMessage};
use netlink::roundtrip::with_nested_flags;
use netlink::{Conn, DecodeOptions, Error, Family, GenlError, HeaderFlags, NlAttrs, NlAttrsOwned};

/// Sends `req` as `cmd` and checks that the one reply re-encodes to the kernel's bytes.
fn exact<Req: for<'a> NlAttrs<'a>, Rep: NlAttrsOwned + PartialEq + std::fmt::Debug>(
    conn: &Conn,
    eth: &GenlHandle<Ethtool>,
    cmd: Command<Ethtool, Req, Rep>,
    req: &Req,
) -> Result<Rep, Error> {
    let replies = conn.execute(&eth.message(cmd, req, HeaderFlags::EMPTY)?)?;
    assert_eq!(replies.len(), 1, "{cmd:?}");
    let msg = replies[0].as_message_ref();
    let decoded = GenlMessage::<Rep>::decode_message(&msg, &DecodeOptions::default())?;
    let (head, attrs) = msg.data.split_at(4);
    let mut want = head.to_vec();
    want.extend(with_nested_flags(attrs, <Rep as NlAttrs>::POLICY));
    assert_eq!(decoded.to_bytes().unwrap(), want, "{cmd:?}: {decoded:?}");
    assert_eq!(
        decoded.body.to_bytes().unwrap().len() + 4,
        msg.data.len(),
        "{cmd:?}: nothing lost"
    );
    Ok(decoded.body)
}

#[test]
fn every_get_on_a_veth() {
    if !privileged("every_get_on_a_veth") {
        return;
    }
    let ns = TestNs::with_veth("etget");
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let dev = EthtoolRequest::dev("va");

    let info = exact(&conn, &eth, et::LINKINFO_GET, &dev).unwrap();
    let header = info.header.as_ref().unwrap();
    assert_eq!(header.dev_name.as_deref(), Some("va"));
    let ifindex = header.dev_index.unwrap();
    assert_eq!(
        (info.port, info.phyaddr, info.transceiver),
        (Some(0), Some(0), Some(0))
    );

    // By index, the same device.
    let by_index = exact(
        &conn,
        &eth,
        et::LINKINFO_GET,
        &EthtoolRequest::index(ifindex),
    )
    .unwrap();
    assert_eq!(by_index, info);

    for req in [dev.clone(), EthtoolRequest::compact("va")] {
        let modes = exact(&conn, &eth, et::LINKMODES_GET, &req).unwrap();
        assert_eq!(
            (modes.speed, modes.duplex, modes.autoneg),
            (Some(10000), Some(1), Some(0))
        );
        assert!(modes.ours.is_some());
    }

    let state = exact(&conn, &eth, et::LINKSTATE_GET, &dev).unwrap();
    assert_eq!(state.link, Some(1));

    // Verbose and compact feature sets say the same.
    let verbose = exact(&conn, &eth, et::FEATURES_GET, &dev).unwrap();
    let compact = exact(
        &conn,
        &eth,
        et::FEATURES_GET,
        &EthtoolRequest::compact("va"),
    )
    .unwrap();
    let (v, c) = (verbose.active.unwrap(), compact.active.unwrap());
    assert!(!v.is_compact() && c.is_compact());
    assert_eq!(v.value_bits(), c.value_bits());
    assert!(!c.value_bits().is_empty());

    // The feature names, by index, from the device's string set.
    let strset = exact(
        &conn,
        &eth,
        et::STRSET_GET,
        &et::Strset::request(EthtoolHeader::dev("va"), &[et::string_set::FEATURES]),
    )
    .unwrap();
    let names = strset.set(et::string_set::FEATURES).unwrap().to_vec();
    for (i, name, _) in v.named_bits() {
        assert_eq!(names[i as usize], name);
    }
    // Global sets need no device.
    let modes = exact(
        &conn,
        &eth,
        et::STRSET_GET,
        &et::Strset::request(EthtoolHeader::default(), &[et::string_set::LINK_MODES]),
    )
    .unwrap();
    let modes = modes.set(et::string_set::LINK_MODES).unwrap().to_vec();
    assert_eq!(modes[1], "10baseT/Full");
    assert_eq!(modes[13], "Pause");

    let ch = exact(&conn, &eth, et::CHANNELS_GET, &dev).unwrap();
    assert!(ch.rx_max.unwrap() >= 1);

    let ts = exact(&conn, &eth, et::TSINFO_GET, &dev).unwrap();
    assert!(ts.timestamping.is_some());

    // veth has no rings, coalescing, pause or message level: typed kernel errors.
    for err in [
        exact(&conn, &eth, et::RINGS_GET, &dev)
            .map(drop)
            .unwrap_err(),
        exact(&conn, &eth, et::COALESCE_GET, &dev)
            .map(drop)
            .unwrap_err(),
        exact(&conn, &eth, et::PAUSE_GET, &dev)
            .map(drop)
            .unwrap_err(),
        exact(&conn, &eth, et::DEBUG_GET, &dev)
            .map(drop)
            .unwrap_err(),
    ] {
        assert_eq!(err.errno(), Some(libc::EOPNOTSUPP), "{err}");
    }
    let err = eth
        .execute(
            &conn,
            et::RINGS_SET,
            &et::RingsSet {
                header: EthtoolHeader::dev("va"),
                rx: Some(64),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.errno(), Some(libc::EOPNOTSUPP), "{err}");
    let err = eth
        .get(&conn, et::LINKINFO_GET, &EthtoolRequest::dev("nosuchdev0"))
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn missing_operation_and_group_are_typed_errors() {
    if !privileged("missing_operation_and_group_are_typed_errors") {
        return;
    }
    let ns = TestNs::with_veth("eterr");
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    const BOGUS: Command<Ethtool, EthtoolRequest, et::NoReply> = Command::new(250, "BOGUS_GET");
    let err = eth
        .execute(&conn, BOGUS, &EthtoolRequest::dev("va"))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Genl(GenlError::UnsupportedOperation {
                cmd: 250,
                form: "do",
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "generic netlink family \"ethtool\" has no do operation BOGUS_GET (command 250)"
    );
    // RINGS_SET has no dump form.
    let err = eth
        .dump(&conn, et::RINGS_SET, &et::RingsSet::default())
        .map(drop)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Genl(GenlError::UnsupportedOperation { form: "dump", .. })
        ),
        "{err:?}"
    );
    let err = eth.join(&conn, "no-such-group").unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "generic netlink family \"ethtool\" has no multicast group \"no-such-group\""
    );
}

#[test]
fn dump_every_device() {
    if !privileged("dump_every_device") {
        return;
    }
    let ns = TestNs::with_veth("etdump");
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let mut names: Vec<String> = eth
        .dump(&conn, et::LINKINFO_GET, &EthtoolRequest::default())
        .unwrap()
        .map(|r| r.unwrap().header.unwrap().dev_name.unwrap())
        .collect();
    names.sort();
    // `lo` has no link settings: the dump leaves it out.
    assert_eq!(names, ["va", "vb"]);
}

#[test]
fn monitor_notifications() {
    if !privileged("monitor_notifications") {
        return;
    }
    let ns = TestNs::with_veth("etmon");
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let monitor = ns.dial(Family::GENERIC);
    eth.join(&monitor, et::MONITOR_GROUP).unwrap();
    monitor.set_read_timeout(Some(Duration::from_secs(10)));

    let features = eth
        .get(&conn, et::FEATURES_GET, &EthtoolRequest::compact("va"))
        .unwrap();
    let gro_index = {
        let strset = eth
            .get(
                &conn,
                et::STRSET_GET,
                &et::Strset::request(EthtoolHeader::dev("va"), &[et::string_set::FEATURES]),
            )
            .unwrap();
        let names = strset.set(et::string_set::FEATURES).unwrap().to_vec();
        names.iter().position(|n| n == "rx-gro").unwrap() as u32
    };
    let gro_on = features.active.as_ref().unwrap().test(gro_index);
    eth.execute(
        &conn,
        et::FEATURES_SET,
        &et::FeaturesSet {
            header: EthtoolHeader::dev("va"),
            wanted: Some(Bitset::named([("rx-gro", !gro_on)])),
        },
    )
    .unwrap();
    let ch = eth
        .get(&conn, et::CHANNELS_GET, &EthtoolRequest::dev("va"))
        .unwrap();
    let want = if ch.rx_count == Some(1) {
        ch.rx_max.unwrap()
    } else {
        1
    };
    eth.execute(
        &conn,
        et::CHANNELS_SET,
        &et::ChannelsSet {
            header: EthtoolHeader::dev("va"),
            rx_count: Some(want),
            ..Default::default()
        },
    )
    .unwrap();

    let (mut saw_features, mut saw_channels) = (false, false);
    while !(saw_features && saw_channels) {
        for event in eth.receive_events::<_, EthtoolEvent>(&monitor).unwrap() {
            match event {
                EthtoolEvent::Features(f) => {
                    assert_eq!(f.header.unwrap().dev_name.as_deref(), Some("va"));
                    let active = f.active.unwrap();
                    let on = active
                        .named_bits()
                        .iter()
                        .any(|(_, n, on)| *n == "rx-gro" && *on)
                        || (active.is_compact() && active.test(gro_index));
                    assert_eq!(on, !gro_on);
                    saw_features = true;
                }
                EthtoolEvent::Channels(c) => {
                    assert_eq!(c.rx_count, Some(want));
                    saw_channels = true;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn kernel_errors_name_the_rust_field() {
    if !privileged("kernel_errors_name_the_rust_field") {
        return;
    }
    let ns = TestNs::with_veth("etfield");
    // Extended acknowledgements are on by default.
    let conn = ns.dial(Family::GENERIC);
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let err = eth
        .get(&conn, et::LINKINFO_GET, &EthtoolRequest::dev("nosuchdev0"))
        .unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENODEV), "{err}");
    let field = err.ext_ack().and_then(|a| a.field.as_deref());
    assert_eq!(field, Some("EthtoolRequest.header.dev_name"), "{err}");
    assert!(
        err.to_string().contains("EthtoolRequest.header.dev_name"),
        "{err}"
    );
}
