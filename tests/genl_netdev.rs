//! The derived `netdev` family against the kernel, on a veth pair in a fresh namespace:
//! devices (do and dump), queues, NAPI instances and page pools (which veth creates once GRO
//! is on), statistics, and the `mgmt` group's notifications; every reply re-encoded byte for
//! byte.

mod conn_support;

use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::genl::ethtool::{self as et, Bitset, Ethtool, EthtoolHeader};
use netlink::genl::netdev::{self as nd, Netdev, NetdevEvent};
use netlink::genl::{decode_reply, Command, GenlHandle, GenlMessage};
use netlink::{Conn, DecodeOptions, Family, HeaderFlags, NlAttrs, NlAttrsOwned};

fn ifindex(ns: &TestNs, conn: &Conn, name: &str) -> u32 {
    let eth = GenlHandle::<Ethtool>::resolve(conn).unwrap();
    let _ = ns;
    eth.get(conn, et::LINKINFO_GET, &et::EthtoolRequest::dev(name))
        .unwrap()
        .header
        .unwrap()
        .dev_index
        .unwrap()
}

/// Every reply of `req` as `cmd` (a dump with `dump`), each checked to re-encode exactly.
fn exact<Req: for<'a> NlAttrs<'a>, Rep: NlAttrsOwned + std::fmt::Debug>(
    conn: &Conn,
    nd: &GenlHandle<Netdev>,
    cmd: Command<Netdev, Req, Rep>,
    req: &Req,
    dump: bool,
) -> Vec<Rep> {
    let flags = if dump {
        HeaderFlags::DUMP
    } else {
        HeaderFlags::EMPTY
    };
    let replies = conn.execute(&nd.message(cmd, req, flags).unwrap()).unwrap();
    replies
        .iter()
        .map(|m| {
            let m = m.as_message_ref();
            let decoded =
                GenlMessage::<Rep>::decode_message(&m, &DecodeOptions::default()).unwrap();
            assert_eq!(decoded.to_bytes().unwrap(), m.data, "{cmd:?}: {decoded:?}");
            decode_reply::<Rep>(&m).unwrap().unwrap()
        })
        .collect()
}

#[test]
fn devices_and_queues() {
    if !privileged("devices_and_queues") {
        return;
    }
    let ns = TestNs::with_veth("nddev");
    let conn = ns.dial(Family::GENERIC);
    let nd = GenlHandle::<Netdev>::resolve(&conn).unwrap();
    let va = ifindex(&ns, &conn, "va");

    let all = exact(&conn, &nd, nd::DEV_GET, &nd::DevGet::default(), true);
    let mut indices: Vec<u32> = all.iter().map(|d| d.ifindex.unwrap()).collect();
    indices.sort();
    assert_eq!(indices.len(), 3, "{all:?}");
    assert!(indices.contains(&1) && indices.contains(&va));

    let one = exact(
        &conn,
        &nd,
        nd::DEV_GET,
        &nd::DevGet { ifindex: Some(va) },
        false,
    );
    assert_eq!(one.len(), 1);
    let dev = &one[0];
    assert_eq!(dev.ifindex, Some(va));
    let xdp = dev.xdp_features.unwrap();
    assert_eq!(
        xdp & (nd::xdp_act::BASIC | nd::xdp_act::REDIRECT),
        3,
        "{xdp:#x}"
    );
    assert!(dev.xdp_rx_metadata_features.is_some() && dev.xsk_features.is_some());
    assert_eq!(
        nd.get(&conn, nd::DEV_GET, &nd::DevGet { ifindex: Some(va) })
            .unwrap(),
        *dev
    );

    // One rx and one tx queue per channel.
    let queues = exact(
        &conn,
        &nd,
        nd::QUEUE_DUMP,
        &nd::QueueDump { ifindex: Some(va) },
        true,
    );
    assert!(queues.iter().all(|q| q.ifindex == Some(va)));
    assert!(queues.iter().any(|q| q.kind == Some(nd::queue_type::RX)));
    assert!(queues.iter().any(|q| q.kind == Some(nd::queue_type::TX)));
    let q = exact(
        &conn,
        &nd,
        nd::QUEUE_GET,
        &nd::QueueGet {
            id: Some(0),
            ifindex: Some(va),
            kind: Some(nd::queue_type::RX),
        },
        false,
    );
    assert_eq!(q.len(), 1);
    assert_eq!((q[0].id, q[0].kind), (Some(0), Some(nd::queue_type::RX)));

    // Statistics: veth has none to report per queue, so the dump is empty or refused;
    // either way it parses.
    match nd
        .dump(
            &conn,
            nd::QSTATS_GET,
            &nd::QstatsGet {
                ifindex: Some(va),
                scope: None,
            },
        )
        .and_then(|d| d.collect::<Result<Vec<_>, _>>())
    {
        Ok(stats) => assert!(stats.iter().all(|s| s.ifindex == Some(va))),
        Err(e) => assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}"),
    }
}

#[test]
fn napi_and_page_pools_with_gro() {
    if !privileged("napi_and_page_pools_with_gro") {
        return;
    }
    let ns = TestNs::with_veth("ndnapi");
    let conn = ns.dial(Family::GENERIC);
    let nd = GenlHandle::<Netdev>::resolve(&conn).unwrap();
    let eth = GenlHandle::<Ethtool>::resolve(&conn).unwrap();
    let va = ifindex(&ns, &conn, "va");
    // GRO on a veth gives it NAPI instances (and page pools for them).
    eth.execute(
        &conn,
        et::FEATURES_SET,
        &et::FeaturesSet {
            header: EthtoolHeader::dev("va"),
            wanted: Some(Bitset::named([("rx-gro", true)])),
        },
    )
    .unwrap();
    let napis = exact(
        &conn,
        &nd,
        nd::NAPI_DUMP,
        &nd::NapiDump { ifindex: Some(va) },
        true,
    );
    assert!(!napis.is_empty());
    assert!(napis.iter().all(|n| n.ifindex == Some(va)));
    let id = napis[0].id.unwrap();
    let one = exact(
        &conn,
        &nd,
        nd::NAPI_GET,
        &nd::NapiGet { id: Some(id) },
        false,
    );
    assert_eq!(one[0].id, Some(id));

    let pools = exact(
        &conn,
        &nd,
        nd::PAGE_POOL_GET,
        &nd::PagePoolGet::default(),
        true,
    );
    // veth makes page pools only for XDP; whatever pools the namespace has read back by id,
    // and an id that does not exist is "not found".
    for p in &pools {
        assert!(p.id.is_some());
        let again = exact(
            &conn,
            &nd,
            nd::PAGE_POOL_GET,
            &nd::PagePoolGet { id: p.id },
            false,
        );
        assert_eq!(again[0].id, p.id);
    }
    let err = nd
        .get(
            &conn,
            nd::PAGE_POOL_GET,
            &nd::PagePoolGet {
                id: Some(netlink::Uint(u64::from(u32::MAX))),
            },
        )
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn mgmt_notifications() {
    if !privileged("mgmt_notifications") {
        return;
    }
    let ns = TestNs::new("ndmgmt");
    let conn = ns.dial(Family::GENERIC);
    let nd = GenlHandle::<Netdev>::resolve(&conn).unwrap();
    let monitor = ns.dial(Family::GENERIC);
    nd.join(&monitor, nd::MGMT_GROUP).unwrap();
    monitor.set_read_timeout(Some(Duration::from_secs(10)));
    ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"]);
    let va = ifindex(&ns, &conn, "va");
    let vb = ifindex(&ns, &conn, "vb");
    let mut added = Vec::new();
    while added.len() < 2 {
        for msg in monitor.receive().unwrap() {
            match nd
                .decode_event::<NetdevEvent>(&msg.as_message_ref())
                .unwrap()
            {
                Some(NetdevEvent::DevAdd(d)) => added.push(d.ifindex.unwrap()),
                Some(NetdevEvent::DevChange(_)) | None => {}
                Some(other) => panic!("unexpected {other:?}"),
            }
        }
    }
    added.sort();
    let mut want = vec![va, vb];
    want.sort();
    assert_eq!(added, want);
    ns.ip(&["link", "del", "va"]);
    let mut deleted = Vec::new();
    while deleted.len() < 2 {
        for msg in monitor.receive().unwrap() {
            if let Some(NetdevEvent::DevDel(d)) = nd
                .decode_event::<NetdevEvent>(&msg.as_message_ref())
                .unwrap()
            {
                deleted.push(d.ifindex.unwrap());
            }
        }
    }
    deleted.sort();
    assert_eq!(deleted, want);
}
