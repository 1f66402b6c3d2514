//! The async typed handles against the kernel, each test in its own network namespace:
//! `AsyncRouteHandle` (links, addresses, routes with bulk, neighbours, rules, typed events)
//! and `AsyncGenlHandle` (netdev dump, get, events; ethtool errors naming the field), each
//! operation group with an error case.

mod conn_support;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use conn_support::{privileged, TestNs};
use netlink::events::Event;
use netlink::genl::ethtool::{Ethtool, EthtoolRequest, LINKINFO_GET, LINKSTATE_GET};
use netlink::genl::netdev::{DevGet, Netdev, NetdevEvent, DEV_GET, MGMT_GROUP};
use netlink::genl::{AsyncGenlHandle, FamilyInfo, GenlFamily, GenlHandle};
use netlink::route::{
    AsyncRouteHandle, IfFlags, IpNet, LinkFilter, LinkMessage, NeighbourState, NewLink,
    NextHopSpec, Route, RouteEvent, RouteFilter, Rule, Watch,
};
use netlink::tokio::AsyncConn;
use netlink::{Error, Family};

async fn handle(ns: &TestNs) -> AsyncRouteHandle {
    AsyncRouteHandle::in_netns(ns.netns())
        .await
        .expect("async route handle in the test namespace")
}

/// Adds the veth pair `a`/`b` and brings the links `up` up.
async fn veth(rt: &AsyncRouteHandle, a: &str, b: &str, up: &[&str]) {
    rt.add_link(&NewLink::veth(a, b)).await.unwrap();
    for &d in up {
        rt.set_up(d).await.unwrap();
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn names(links: &[LinkMessage]) -> Vec<String> {
    let mut v: Vec<String> = links.iter().filter_map(|l| l.name.clone()).collect();
    v.sort();
    v
}

fn field(e: &Error) -> Option<&str> {
    e.op_error().and_then(|op| op.ext_ack.field.as_deref())
}

/// A bound on every wait for an event: generous, the machine is loaded.
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("timed out")
}

const V4: u8 = libc::AF_INET as u8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_add_get_set_delete_and_errors() {
    if !privileged("async links") {
        return;
    }
    let ns = TestNs::new("ah-link");
    let rt = handle(&ns).await;
    rt.add_link(&NewLink::veth("va", "vb").mtu(1400))
        .await
        .unwrap();
    rt.add_link(&NewLink::bridge("br0")).await.unwrap();
    let va = rt.link("va").await.unwrap();
    assert_eq!((va.kind(), va.mtu), (Some("veth"), Some(1400)));
    assert_eq!(
        rt.link(va.index()).await.unwrap().name.as_deref(),
        Some("va")
    );
    assert_eq!(names(&rt.links().await.unwrap()), ["br0", "lo", "va", "vb"]);

    // The same dump streamed, and filtered by the kernel.
    let mut stream = rt.link_stream(&LinkFilter::default()).await.unwrap();
    let mut streamed = Vec::new();
    while let Some(l) = stream.next().await {
        streamed.push(l.unwrap());
    }
    assert_eq!(names(&streamed), ["br0", "lo", "va", "vb"]);
    let veths = rt
        .links_filtered(&LinkFilter {
            kind: Some("veth".into()),
            ..LinkFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(names(&veths), ["va", "vb"]);

    rt.set_mtu("va", 1300).await.unwrap();
    rt.set_up("va").await.unwrap();
    let va2 = rt.link("va").await.unwrap();
    assert_eq!(va2.mtu, Some(1300));
    assert!(va2.header.flags.contains(IfFlags::UP));
    rt.set_down(va.index()).await.unwrap();
    assert!(!rt
        .link("va")
        .await
        .unwrap()
        .header
        .flags
        .contains(IfFlags::UP));
    let br = rt.index_of("br0").await.unwrap();
    rt.set_master("va", "br0").await.unwrap();
    assert_eq!(rt.link("va").await.unwrap().master, Some(br));
    rt.clear_master("va").await.unwrap();
    assert_eq!(rt.link("va").await.unwrap().master, None);
    rt.set_name("va", "va-renamed").await.unwrap();
    assert_eq!(
        rt.link(va.index()).await.unwrap().name.as_deref(),
        Some("va-renamed")
    );
    rt.delete_link("va-renamed").await.unwrap();
    assert!(rt.link("vb").await.unwrap_err().is_not_found());

    // Errors: a missing device, by name and by index; a duplicate; a field named.
    let e = rt.link("nosuchdev").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.set_up("nosuchdev").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.delete_link(4242).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.add_link(&NewLink::bridge("br0")).await.unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let e = rt
        .add_link(&NewLink::veth("ok0", "a-name-longer-than-ifnamsiz"))
        .await
        .unwrap_err();
    assert_eq!(
        field(&e),
        Some("LinkMessage.linkinfo.data.peer.name"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_handle() {
    if !privileged("async many tasks") {
        return;
    }
    let ns = TestNs::new("ah-tasks");
    let rt = handle(&ns).await;
    for i in 0..8 {
        rt.add_link(&NewLink::bridge(&format!("tb{i}")))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for t in 0..16u32 {
        let rt = rt.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..50u32 {
                let name = format!("tb{}", (t + i) % 8);
                let link = rt.link(name.as_str()).await.unwrap();
                assert_eq!(link.name.as_deref(), Some(name.as_str()));
                if i % 10 == 0 {
                    assert_eq!(rt.links().await.unwrap().len(), 9);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn addresses_add_list_delete_and_errors() {
    if !privileged("async addresses") {
        return;
    }
    let ns = TestNs::new("ah-addr");
    let rt = handle(&ns).await;
    veth(&rt, "a0", "a1", &["a0"]).await;
    rt.add_address("a0", net("10.7.0.1/24")).await.unwrap();
    rt.add_address("a0", net("2001:db8:7::1/64")).await.unwrap();
    rt.add_address("a1", net("10.8.0.1/16")).await.unwrap();
    let a0 = rt.index_of("a0").await.unwrap();
    let mine = rt.addresses_of("a0").await.unwrap();
    assert!(mine.iter().all(|a| a.header.index == a0));
    assert!(mine
        .iter()
        .any(|a| a.local() == Some(ip("10.7.0.1")) && a.header.prefix_len == 24));
    assert!(mine.iter().any(|a| a.local() == Some(ip("2001:db8:7::1"))));
    let all = rt.addresses().await.unwrap();
    assert!(all.iter().any(|a| a.local() == Some(ip("10.8.0.1"))));
    // Streamed, IPv4 of a0 only (the kernel filters).
    let mut s = rt.address_stream(V4, a0).await.unwrap();
    let mut v4 = Vec::new();
    while let Some(a) = s.next().await {
        let a = a.unwrap();
        v4.push((a.header.index, a.local()));
    }
    assert_eq!(v4, [(a0, Some(ip("10.7.0.1")))]);
    rt.delete_address("a0", net("10.7.0.1/24")).await.unwrap();
    assert!(!rt
        .addresses_of(a0)
        .await
        .unwrap()
        .iter()
        .any(|a| a.local() == Some(ip("10.7.0.1"))));

    // Errors: missing device by name (the lookup) and by index (the kernel says which).
    let e = rt
        .add_address("nosuchdev", net("10.0.0.1/24"))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.add_address(4242, net("10.0.0.1/24")).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains("Device not found"), "{e}");
    let bad = IpNet::new_unchecked(ip("10.0.0.1"), 33);
    let e = rt.add_address("lo", bad).await.unwrap_err();
    assert_eq!(field(&e), Some("AddressMessage.header.prefix_len"), "{e}");
    assert!(
        e.to_string()
            .contains("(field AddressMessage.header.prefix_len)"),
        "{e}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn routes_add_replace_delete_filter_and_bulk() {
    if !privileged("async routes") {
        return;
    }
    let ns = TestNs::new("ah-route");
    let rt = handle(&ns).await;
    veth(&rt, "r0", "r1", &["r0", "r1"]).await;
    rt.add_address("r0", net("10.1.0.1/24")).await.unwrap();
    let r0 = rt.index_of("r0").await.unwrap();

    let via_gw = Route::new(net("10.50.0.0/16"))
        .gateway(ip("10.1.0.254"))
        .metric(20);
    rt.add_route(&via_gw).await.unwrap();
    let e = rt.add_route(&via_gw).await.unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let dev_route = Route::new(net("10.60.0.0/24")).dev(r0).table(1000);
    rt.add_route(&dev_route).await.unwrap();
    let mp = Route::new(net("10.70.0.0/24"))
        .next_hop(NextHopSpec {
            gateway: Some(ip("10.1.0.2")),
            dev: r0,
            weight: 1,
        })
        .next_hop(NextHopSpec {
            gateway: Some(ip("10.1.0.3")),
            dev: r0,
            weight: 2,
        });
    rt.add_route(&mp).await.unwrap();

    let main = rt
        .routes(RouteFilter {
            family: V4,
            table: Some(254),
        })
        .await
        .unwrap();
    assert!(main.iter().all(|r| r.table_id() == 254));
    let gw = main
        .iter()
        .find(|r| r.dst == Some(ip("10.50.0.0")))
        .unwrap();
    assert_eq!(
        (gw.gateway, gw.priority),
        (Some(ip("10.1.0.254")), Some(20))
    );
    let m = main
        .iter()
        .find(|r| r.dst == Some(ip("10.70.0.0")))
        .unwrap();
    assert_eq!(m.next_hops().len(), 2);
    // The stream of table 1000: filtered by the kernel (strict checking).
    let mut s = rt
        .route_stream(RouteFilter {
            family: V4,
            table: Some(1000),
        })
        .await
        .unwrap();
    let mut t1000 = Vec::new();
    while let Some(r) = s.next().await {
        t1000.push(r.unwrap());
    }
    assert_eq!(t1000.len(), 1, "{t1000:?}");
    assert_eq!(
        (t1000[0].dst, t1000[0].oif),
        (Some(ip("10.60.0.0")), Some(r0))
    );

    rt.replace_route(
        &Route::new(net("10.50.0.0/16"))
            .gateway(ip("10.1.0.253"))
            .metric(20),
    )
    .await
    .unwrap();
    let gws: Vec<_> = rt
        .routes(RouteFilter {
            family: V4,
            table: Some(254),
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.dst == Some(ip("10.50.0.0")))
        .map(|r| r.gateway)
        .collect();
    assert_eq!(gws, [Some(ip("10.1.0.253"))]);
    rt.delete_route(&Route::new(net("10.50.0.0/16")).metric(20))
        .await
        .unwrap();
    rt.delete_route(&dev_route).await.unwrap();
    let e = rt.delete_route(&dev_route).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let bad = IpNet::new_unchecked(ip("10.9.0.0"), 33);
    let e = rt.add_route(&Route::new(bad).dev(r0)).await.unwrap_err();
    assert_eq!(field(&e), Some("RouteMessage.header.dst_len"), "{e}");

    // Bulk: 300 routes and a duplicate in the middle, refused alone.
    let mut routes: Vec<Route> = (0..300u32)
        .map(|i| {
            Route::new(net(&format!("10.{}.{}.0/24", 100 + i / 256, i % 256)))
                .dev(r0)
                .table(2000)
        })
        .collect();
    routes.insert(150, routes[10].clone());
    let results = rt.add_routes(&routes).await;
    assert_eq!(results.len(), 301);
    for (i, r) in results.iter().enumerate() {
        if i == 150 {
            assert_eq!(r.as_ref().unwrap_err().errno(), Some(libc::EEXIST));
        } else {
            assert!(r.is_ok(), "route {i}: {r:?}");
        }
    }
    let table = RouteFilter {
        family: V4,
        table: Some(2000),
    };
    assert_eq!(rt.routes(table).await.unwrap().len(), 300);
    routes.remove(150);
    assert!(rt.delete_routes(&routes).await.iter().all(Result::is_ok));
    assert!(rt.routes(table).await.unwrap().is_empty());
    // Deleting them again: every one refused with its own error.
    let again = rt.delete_routes(&routes[..3]).await;
    assert!(
        again.iter().all(|r| r.as_ref().unwrap_err().is_not_found()),
        "{again:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn neighbours_add_list_delete_and_errors() {
    if !privileged("async neighbours") {
        return;
    }
    let ns = TestNs::new("ah-neigh");
    let rt = handle(&ns).await;
    veth(&rt, "n0", "n1", &["n0"]).await;
    let mac = [0x02, 0, 0, 0, 0, 0x42];
    rt.add_neighbour("n0", ip("10.3.0.9"), &mac).await.unwrap();
    let n = rt.neighbours_of("n0").await.unwrap();
    let v4 = n.iter().find(|x| x.dst == Some(ip("10.3.0.9"))).unwrap();
    assert_eq!(v4.lladdr.as_deref(), Some(&mac[..]));
    assert!(v4.header.state.contains(NeighbourState::PERMANENT));
    assert!(rt
        .neighbours()
        .await
        .unwrap()
        .iter()
        .any(|x| x.dst == Some(ip("10.3.0.9"))));
    let n0 = rt.index_of("n0").await.unwrap();
    let mut s = rt.neighbour_stream(V4, n0).await.unwrap();
    let mut streamed = Vec::new();
    while let Some(x) = s.next().await {
        streamed.push(x.unwrap().dst);
    }
    assert_eq!(streamed, [Some(ip("10.3.0.9"))]);
    rt.delete_neighbour("n0", ip("10.3.0.9")).await.unwrap();
    let e = rt.delete_neighbour("n0", ip("10.3.0.9")).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt
        .add_neighbour("nosuchdev", ip("10.3.0.1"), &mac)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test(flavor = "current_thread")]
async fn rules_add_list_delete_and_errors() {
    if !privileged("async rules") {
        return;
    }
    let ns = TestNs::new("ah-rule");
    let rt = handle(&ns).await;
    let rule = Rule::new(V4, 1000).priority(100).from(net("10.0.0.0/8"));
    rt.add_rule(&rule).await.unwrap();
    let e = rt.add_rule(&rule).await.unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let rules = rt.rules(V4).await.unwrap();
    let r = rules.iter().find(|r| r.priority == Some(100)).unwrap();
    assert_eq!((r.table(), r.src), (1000, Some(ip("10.0.0.0"))));
    let mut s = rt.rule_stream(V4).await.unwrap();
    let mut priorities = Vec::new();
    while let Some(r) = s.next().await {
        priorities.push(r.unwrap().priority.unwrap_or(0));
    }
    assert!(priorities.contains(&100), "{priorities:?}");
    assert_eq!(priorities.len(), rules.len());
    rt.delete_rule(&rule).await.unwrap();
    let e = rt.delete_rule(&rule).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_events_while_requests_run() {
    if !privileged("async route events") {
        return;
    }
    let ns = TestNs::new("ah-ev");
    let rt = handle(&ns).await;
    let mut events = rt.events(Watch::ALL).unwrap();
    // A second stream on the same connection is refused.
    assert_eq!(
        rt.events(Watch::ALL).unwrap_err().errno(),
        Some(libc::EBUSY)
    );
    // Changes from another task, on another handle.
    let changer = handle(&ns).await;
    let task = tokio::spawn(async move {
        changer.add_link(&NewLink::bridge("bre")).await.unwrap();
        changer.set_up("bre").await.unwrap();
        changer
            .add_address("bre", net("10.4.0.1/24"))
            .await
            .unwrap();
        changer
            .add_route(&Route::new(net("10.44.0.0/16")).gateway(ip("10.4.0.254")))
            .await
            .unwrap();
        changer.delete_link("bre").await.unwrap();
    });
    let (mut link, mut addr, mut route, mut gone) = (false, false, false, false);
    while !(link && addr && route && gone) {
        // Requests on the subscribed handle go on meanwhile. (The other task changes the
        // links, so the kernel may mark a dump interrupted: that is its answer, not a fault.)
        match rt.links().await {
            Ok(links) => assert!(!links.is_empty()),
            Err(e) => assert!(e.is_dump_interrupted(), "{e}"),
        }
        match within(events.next()).await.expect("stream open").unwrap() {
            Event::Message(RouteEvent::NewLink(l)) if l.name.as_deref() == Some("bre") => {
                link = true
            }
            Event::Message(RouteEvent::NewAddress(a)) if a.local() == Some(ip("10.4.0.1")) => {
                addr = true
            }
            Event::Message(RouteEvent::NewRoute(r)) if r.dst == Some(ip("10.44.0.0")) => {
                assert_eq!(r.gateway, Some(ip("10.4.0.254")));
                route = true
            }
            Event::Message(RouteEvent::DelLink(l)) if l.name.as_deref() == Some("bre") => {
                gone = true
            }
            Event::Message(_) => {}
            Event::Overrun => panic!("no overrun expected with a handful of events"),
        }
    }
    task.await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn route_events_report_an_overrun_as_an_item() {
    if !privileged("async route overrun") {
        return;
    }
    let ns = TestNs::new("ah-ovr");
    // A small receive buffer and a small event queue: the queue overflows first.
    let options = netlink::tokio::Options {
        event_capacity: 4,
        ..Default::default()
    };
    let conn = AsyncConn::dial_with(
        Family::ROUTE,
        netlink::Config {
            strict: true,
            ..ns.config()
        },
        options,
    )
    .await
    .unwrap();
    let listener = AsyncRouteHandle::from_conn(conn);
    let mut events = listener
        .events(Watch {
            addresses: true,
            ..Watch::NONE
        })
        .unwrap();
    let rt = handle(&ns).await;
    rt.add_link(&NewLink::bridge("bro")).await.unwrap();
    let addrs: Vec<_> = (1..=40u32)
        .map(|i| ("bro", net(&format!("10.5.0.{i}/32"))))
        .collect();
    for (dev, a) in &addrs {
        rt.add_address(*dev, *a).await.unwrap();
    }
    let mut overruns = 0;
    let mut seen = 0;
    // Let the driver read every notification before the stream is polled.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while overruns == 0 || seen == 0 {
        match within(events.next()).await.unwrap().unwrap() {
            Event::Overrun => overruns += 1,
            Event::Message(RouteEvent::NewAddress(_)) => seen += 1,
            Event::Message(_) => {}
        }
    }
    assert!(listener.conn().event_overruns() >= 1);
    // The stream goes on after the overrun: a later change still arrives.
    rt.add_address("bro", net("10.6.0.1/32")).await.unwrap();
    loop {
        if let Event::Message(RouteEvent::NewAddress(a)) =
            within(events.next()).await.unwrap().unwrap()
        {
            if a.local() == Some(ip("10.6.0.1")) {
                break;
            }
        }
    }
}

/// A family the kernel does not have.
struct NoSuchFamily;
impl GenlFamily for NoSuchFamily {
    const NAME: &'static str = "nosuchfamily0";
    const VERSION: u8 = 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genl_dump_get_and_errors() {
    if !privileged("async genl") {
        return;
    }
    let ns = TestNs::new("ah-genl");
    ns.ip(&["link", "add", "ga", "type", "veth", "peer", "name", "gb"]);
    let conn = AsyncConn::dial(Family::GENERIC, ns.config()).await.unwrap();
    let (netdev, ethtool, missing) = tokio::join!(
        AsyncGenlHandle::<Netdev>::resolve(conn.clone()),
        AsyncGenlHandle::<Ethtool>::resolve(conn.clone()),
        AsyncGenlHandle::<NoSuchFamily>::resolve(conn.clone()),
    );
    let (netdev, ethtool) = (netdev.unwrap(), ethtool.unwrap());
    let e = missing.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains("nosuchfamily0"), "{e}");

    // The dump: lo and the veth pair (the kernel sends these replies without NLM_F_MULTI).
    let devs = netdev
        .dump(DEV_GET, &DevGet::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let indices: BTreeSet<u32> = devs.iter().map(|d| d.ifindex.unwrap()).collect();
    assert_eq!(indices.len(), 3, "{devs:?}");
    // The same as the synchronous handle's.
    let sync_conn = ns.dial(Family::GENERIC);
    let sync = GenlHandle::<Netdev>::resolve(&sync_conn).unwrap();
    let sync_devs: BTreeSet<u32> = sync
        .dump(&sync_conn, DEV_GET, &DevGet::default())
        .unwrap()
        .map(|d| d.unwrap().ifindex.unwrap())
        .collect();
    assert_eq!(sync_devs, indices);
    let ga = *indices.iter().find(|&&i| i != 1).unwrap();
    let one = netdev
        .get(DEV_GET, &DevGet { ifindex: Some(ga) })
        .await
        .unwrap();
    assert_eq!(one.ifindex, Some(ga));
    let e = netdev
        .get(
            DEV_GET,
            &DevGet {
                ifindex: Some(4242),
            },
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // ethtool: concurrent gets on the one socket; a missing device names the field.
    let (ga_req, gb_req) = (EthtoolRequest::dev("ga"), EthtoolRequest::dev("gb"));
    let (state, info) = tokio::join!(
        ethtool.get(LINKSTATE_GET, &ga_req),
        ethtool.get(LINKINFO_GET, &gb_req),
    );
    assert_eq!(state.unwrap().link, Some(0), "veth without its peer up");
    assert!(info.is_ok());
    let e = ethtool
        .get(LINKINFO_GET, &EthtoolRequest::dev("nosuchdev0"))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(field(&e), Some("EthtoolRequest.header.dev_name"), "{e}");

    // The family list has both.
    let all = FamilyInfo::list_async(&conn).await.unwrap();
    assert!(all.iter().any(|f| f.name == "netdev"));
    assert!(all.iter().any(|f| f.name == "ethtool"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genl_events_of_a_joined_group() {
    if !privileged("async genl events") {
        return;
    }
    let ns = TestNs::new("ah-gev");
    let netdev = AsyncGenlHandle::<Netdev>::dial(ns.config()).await.unwrap();
    let e = netdev.events::<NetdevEvent>(&["nosuchgroup"]).unwrap_err();
    assert!(e.to_string().contains("nosuchgroup"), "{e}");
    let mut events = netdev.events::<NetdevEvent>(&[MGMT_GROUP]).unwrap();
    ns.ip(&["link", "add", "ea", "type", "veth", "peer", "name", "eb"]);
    let mut added = BTreeSet::new();
    while added.len() < 2 {
        match within(events.next()).await.unwrap().unwrap() {
            Event::Message(n) => {
                assert_eq!(n.family, netdev.id());
                if let Some(NetdevEvent::DevAdd(d)) = n.event {
                    added.insert(d.ifindex.unwrap());
                }
            }
            Event::Overrun => panic!("no overrun expected"),
        }
    }
    // Requests on the same connection go on while subscribed.
    let devs = netdev
        .dump(DEV_GET, &DevGet::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let all: BTreeSet<u32> = devs.iter().map(|d| d.ifindex.unwrap()).collect();
    assert!(added.is_subset(&all), "{added:?} {all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_and_neighbours_in_bulk_and_a_snapshot() {
    if !privileged("async bulk addresses") {
        return;
    }
    let ns = TestNs::new("ah-bulk");
    let rt = handle(&ns).await;
    veth(&rt, "k0", "k1", &["k0"]).await;
    let k0 = rt.index_of("k0").await.unwrap();
    let nets: Vec<IpNet> = (1..=100u32)
        .map(|i| net(&format!("10.20.{}.{}/32", i / 200, i % 200)))
        .collect();
    // On another task (the futures are Send); a missing device fails its own items only,
    // a duplicate only itself.
    let items: Vec<(String, IpNet)> = nets
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let dev = if i == 7 { "nosuchdev" } else { "k0" };
            (dev.to_owned(), *n)
        })
        .chain([("k0".to_owned(), nets[3])])
        .collect();
    let task_rt = rt.clone();
    let results = tokio::spawn(async move {
        task_rt
            .add_addresses(items.iter().map(|(d, n)| (d.as_str(), *n)))
            .await
    })
    .await
    .unwrap();
    assert_eq!(results.len(), 101);
    for (i, r) in results.iter().enumerate() {
        match i {
            7 => assert!(r.as_ref().unwrap_err().is_not_found(), "{r:?}"),
            100 => assert_eq!(r.as_ref().unwrap_err().errno(), Some(libc::EEXIST)),
            _ => assert!(r.is_ok(), "address {i}: {r:?}"),
        }
    }
    let snap = rt
        .snapshot(Watch {
            links: true,
            addresses: true,
            ..Watch::NONE
        })
        .await
        .unwrap();
    assert!(snap.routes.is_empty() && snap.rules.is_empty());
    assert_eq!(names(&snap.links), ["k0", "k1", "lo"]);
    let ours = snap
        .addresses
        .iter()
        .filter(|a| a.header.index == k0 && a.header.prefix_len == 32)
        .count();
    assert_eq!(ours, 99);
    let gone = rt.delete_addresses(nets.iter().map(|n| (k0, *n))).await;
    assert_eq!(gone.iter().filter(|r| r.is_ok()).count(), 99);
    assert!(gone[7].as_ref().unwrap_err().errno().is_some());

    let mac = [0x02, 0, 0, 0, 0, 0x07];
    let dsts: Vec<IpAddr> = (1..=20u32).map(|i| ip(&format!("10.21.0.{i}"))).collect();
    let added = rt
        .add_neighbours(dsts.iter().map(|d| ("k0", *d, &mac[..])))
        .await;
    assert!(added.iter().all(Result::is_ok), "{added:?}");
    assert_eq!(rt.neighbours_of(k0).await.unwrap().len(), 20);
    let deleted = rt
        .delete_neighbours(
            dsts.iter()
                .map(|d| ("k0", *d))
                .chain([("nosuchdev", dsts[0])]),
        )
        .await;
    assert!(deleted[..20].iter().all(Result::is_ok), "{deleted:?}");
    assert!(deleted[20].as_ref().unwrap_err().is_not_found());
    assert!(rt.neighbours_of(k0).await.unwrap().is_empty());
}

/// The async handle lists a missing main table as empty too (the sync handle's rule).
#[tokio::test(flavor = "current_thread")]
async fn missing_main_table_lists_as_empty() {
    if !privileged("async missing main table") {
        return;
    }
    let ns = TestNs::bare("ah-nomain");
    let rt = handle(&ns).await;
    let filter = RouteFilter {
        family: libc::AF_INET as u8,
        table: Some(netlink::route::constants::RT_TABLE_MAIN),
    };
    let main = within(rt.routes(filter))
        .await
        .expect("the main table lists as empty");
    assert!(main.is_empty(), "{main:?}");
    // What the kernel answers: the main table does not exist yet.
    let raw = within(rt.conn().request_all::<netlink::route::RouteMessage, _>(
        &netlink::route::request::dump_routes(filter),
    ))
    .await;
    assert_eq!(raw.err().and_then(|e| e.errno()), Some(libc::ENOENT));
}
