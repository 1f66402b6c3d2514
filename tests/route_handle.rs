//! `RouteHandle` against the kernel, each test in its own network namespace: every handle
//! operation, and the errors (missing devices, a refused prefix length naming its field).

mod conn_support;

use std::net::IpAddr;

use conn_support::{privileged, TestNs};
use netlink::route::{
    IpNet, LinkFilter, Monitor, MonitorEvent, NetnsTarget, NewLink, NextHopSpec, Route, RouteEvent,
    RouteFilter, RouteHandle, Rule, Watch,
};
use netlink::Error;

fn handle(ns: &TestNs) -> RouteHandle {
    RouteHandle::in_netns(ns.netns()).expect("route handle in the test namespace")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn names(links: &[netlink::route::LinkMessage]) -> Vec<String> {
    let mut v: Vec<String> = links.iter().filter_map(|l| l.name.clone()).collect();
    v.sort();
    v
}

#[test]
fn links_add_get_set_delete() {
    if !privileged("links_add_get_set_delete") {
        return;
    }
    let ns = TestNs::new("rh-link");
    let rt = handle(&ns);
    rt.add_link(&NewLink::veth("va", "vb").mtu(1400)).unwrap();
    rt.add_link(&NewLink::bridge("br0")).unwrap();
    let va = rt.link("va").unwrap();
    assert_eq!(va.kind(), Some("veth"));
    assert_eq!(va.mtu, Some(1400));
    let by_index = rt.link(va.index()).unwrap();
    assert_eq!(by_index.name.as_deref(), Some("va"));
    assert_eq!(names(&rt.links().unwrap()), ["br0", "lo", "va", "vb"]);

    let br = rt.index_of("br0").unwrap();
    let vb = rt.index_of("vb").unwrap();
    rt.add_link(&NewLink::macvlan("mv0", vb, 4)).unwrap();
    rt.add_link(&NewLink::vxlan("vx0", 42, 4789)).unwrap();
    assert_eq!(rt.link("mv0").unwrap().link, Some(vb));
    assert_eq!(rt.link("vx0").unwrap().kind(), Some("vxlan"));

    rt.set_mtu("va", 1300).unwrap();
    rt.set_up("va").unwrap();
    let va2 = rt.link("va").unwrap();
    assert_eq!(va2.mtu, Some(1300));
    assert!(va2.header.flags.contains(netlink::route::IfFlags::UP));
    rt.set_down(va.index()).unwrap();
    assert!(!rt
        .link("va")
        .unwrap()
        .header
        .flags
        .contains(netlink::route::IfFlags::UP));

    rt.set_master("va", "br0").unwrap();
    assert_eq!(rt.link("va").unwrap().master, Some(br));
    // Kernel-side filters: ports of br0, links of kind veth.
    let ports = rt
        .links_filtered(&LinkFilter {
            master: Some(br),
            ..LinkFilter::default()
        })
        .unwrap();
    assert_eq!(names(&ports), ["va"]);
    let veths = rt
        .links_filtered(&LinkFilter {
            kind: Some("veth".into()),
            ..LinkFilter::default()
        })
        .unwrap();
    assert_eq!(names(&veths), ["va", "vb"]);
    rt.clear_master("va").unwrap();
    assert_eq!(rt.link("va").unwrap().master, None);

    rt.set_name("va", "va-renamed").unwrap();
    assert_eq!(
        rt.link(va.index()).unwrap().name.as_deref(),
        Some("va-renamed")
    );

    rt.delete_link("va-renamed").unwrap();
    assert!(
        rt.link("vb").unwrap_err().is_not_found(),
        "veth peer gone too"
    );
    rt.delete_link(br).unwrap();
    assert_eq!(names(&rt.links().unwrap()), ["lo", "vx0"]);
}

#[test]
fn link_errors_say_what_is_missing() {
    if !privileged("link_errors_say_what_is_missing") {
        return;
    }
    let ns = TestNs::new("rh-lerr");
    let rt = handle(&ns);
    let e = rt.link("nosuchdev").unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.link(4242).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.set_up("nosuchdev").unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt.delete_link("nosuchdev").unwrap_err();
    assert!(e.is_not_found(), "{e}");
    rt.add_link(&NewLink::bridge("br0")).unwrap();
    let e = rt.add_link(&NewLink::bridge("br0")).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    // A macvlan on a missing parent.
    let e = rt.add_link(&NewLink::macvlan("mv0", 4242, 4)).unwrap_err();
    assert!(e.errno().is_some(), "{e}");
    // A kind this kernel lacks is refused, not ignored.
    let e = rt
        .add_link(&NewLink::new("x0", "no-such-kind", None))
        .unwrap_err();
    assert!(e.errno().is_some(), "{e}");
}

#[test]
fn link_to_another_namespace() {
    if !privileged("link_to_another_namespace") {
        return;
    }
    let a = TestNs::new("rh-nsa");
    let b = TestNs::new("rh-nsb");
    let rta = handle(&a);
    let rtb = handle(&b);
    rta.add_link(&NewLink::veth("m0", "m1")).unwrap();
    let file = std::fs::File::open(format!("/run/netns/{}", b.name)).unwrap();
    use std::os::fd::AsRawFd;
    rta.set_netns("m1", NetnsTarget::Fd(file.as_raw_fd()))
        .unwrap();
    assert!(rta.link("m1").unwrap_err().is_not_found());
    assert_eq!(rtb.link("m1").unwrap().kind(), Some("veth"));
    // By pid: our own namespace is the host's; move it back into `a` through a process
    // living there instead.
    let mut child = std::process::Command::new("ip")
        .args(["netns", "exec", &a.name, "sleep", "30"])
        .spawn()
        .unwrap();
    // Wait until the child has entered the namespace.
    let pid = child.id();
    let target = std::fs::read_link(format!("/run/netns/{}", a.name)).ok();
    let _ = target;
    let a_ino = std::fs::metadata(format!("/run/netns/{}", a.name))
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    for _ in 0..200 {
        let ino = std::fs::metadata(format!("/proc/{pid}/ns/net"))
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .unwrap_or(0);
        if ino == a_ino {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    rtb.set_netns("m1", NetnsTarget::Pid(pid)).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(rtb.link("m1").unwrap_err().is_not_found());
    assert_eq!(rta.link("m1").unwrap().kind(), Some("veth"));
}

#[test]
fn addresses_add_list_delete() {
    if !privileged("addresses_add_list_delete") {
        return;
    }
    let ns = TestNs::new("rh-addr");
    let rt = handle(&ns);
    rt.add_link(&NewLink::veth("a0", "a1")).unwrap();
    rt.set_up("a0").unwrap();
    rt.add_address("a0", net("10.7.0.1/24")).unwrap();
    rt.add_address("a0", net("2001:db8:7::1/64")).unwrap();
    rt.add_address("a1", net("10.8.0.1/16")).unwrap();
    let a0 = rt.index_of("a0").unwrap();
    let mine = rt.addresses_of("a0").unwrap();
    assert!(
        mine.iter().all(|a| a.header.index == a0),
        "filtered by the kernel"
    );
    let v4: Vec<_> = mine
        .iter()
        .filter(|a| a.header.family == libc::AF_INET as u8)
        .map(|a| (a.local(), a.header.prefix_len))
        .collect();
    assert_eq!(v4, [(Some(ip("10.7.0.1")), 24)]);
    assert!(mine
        .iter()
        .any(|a| a.local() == Some(ip("2001:db8:7::1")) && a.header.prefix_len == 64));
    let all = rt.addresses().unwrap();
    assert!(all.iter().any(|a| a.local() == Some(ip("10.8.0.1"))));
    assert!(all.iter().any(|a| a.local() == Some(ip("127.0.0.1"))));

    let e = rt.add_address("a0", net("10.7.0.1/24")).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    rt.delete_address("a0", net("10.7.0.1/24")).unwrap();
    assert!(!rt
        .addresses_of(a0)
        .unwrap()
        .iter()
        .any(|a| a.local() == Some(ip("10.7.0.1"))));
    let e = rt.delete_address("a0", net("10.7.0.1/24")).unwrap_err();
    assert!(e.errno().is_some(), "{e}");
}

#[test]
fn address_errors_name_the_device_and_the_field() {
    if !privileged("address_errors_name_the_device_and_the_field") {
        return;
    }
    let ns = TestNs::new("rh-aerr");
    let rt = handle(&ns);
    // A missing device, by name: the lookup fails, not the address request.
    let e = rt.add_address("nosuchdev", net("10.0.0.1/24")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // A missing device, by index: the kernel refuses the address request.
    let e = rt.add_address(4242, net("10.0.0.1/24")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains("Device not found"), "{e}");
    // Prefix length 33: the kernel refuses it; the error names the header field.
    let bad = IpNet::new_unchecked(ip("10.0.0.1"), 33);
    let e = rt.add_address("lo", bad).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    assert_eq!(field(&e), Some("AddressMessage.header.prefix_len"), "{e}");
    assert!(
        e.to_string().contains("Invalid prefix length")
            && e.to_string()
                .contains("(field AddressMessage.header.prefix_len)"),
        "{e}"
    );
    // IPv6: 129.
    let bad = IpNet::new_unchecked(ip("2001:db8::1"), 129);
    let e = rt.add_address("lo", bad).unwrap_err();
    assert_eq!(field(&e), Some("AddressMessage.header.prefix_len"), "{e}");
    // A good length on a missing device names no field.
    let e = rt.add_address(4242, net("10.0.0.1/24")).unwrap_err();
    assert_eq!(field(&e), None, "{e}");
}

#[test]
fn routes_add_replace_delete_and_filter_by_table() {
    if !privileged("routes_add_replace_delete_and_filter_by_table") {
        return;
    }
    let ns = TestNs::new("rh-route");
    let rt = handle(&ns);
    rt.add_link(&NewLink::veth("r0", "r1")).unwrap();
    rt.add_link(&NewLink::veth("s0", "s1")).unwrap();
    for d in ["r0", "r1", "s0", "s1"] {
        rt.set_up(d).unwrap();
    }
    rt.add_address("r0", net("10.1.0.1/24")).unwrap();
    rt.add_address("s0", net("10.2.0.1/24")).unwrap();
    let r0 = rt.index_of("r0").unwrap();
    let s0 = rt.index_of("s0").unwrap();

    // Gateway + metric in main.
    let via_gw = Route::new(net("10.50.0.0/16"))
        .gateway(ip("10.1.0.254"))
        .metric(20);
    rt.add_route(&via_gw).unwrap();
    let e = rt.add_route(&via_gw).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    // Device route in a table above 255.
    let dev_route = Route::new(net("10.60.0.0/24")).dev(s0).table(1000);
    rt.add_route(&dev_route).unwrap();
    // Multipath.
    let mp = Route::new(net("10.70.0.0/24"))
        .next_hop(NextHopSpec {
            gateway: Some(ip("10.1.0.2")),
            dev: r0,
            weight: 1,
        })
        .next_hop(NextHopSpec {
            gateway: Some(ip("10.2.0.2")),
            dev: s0,
            weight: 3,
        });
    rt.add_route(&mp).unwrap();

    let main = rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(254),
        })
        .unwrap();
    assert!(main.iter().all(|r| r.table_id() == 254));
    let gw = main
        .iter()
        .find(|r| r.dst == Some(ip("10.50.0.0")))
        .expect("gateway route");
    assert_eq!(
        (gw.gateway, gw.priority, gw.header.dst_len),
        (Some(ip("10.1.0.254")), Some(20), 16)
    );
    let m = main
        .iter()
        .find(|r| r.dst == Some(ip("10.70.0.0")))
        .expect("multipath route");
    let hops: Vec<_> = m
        .next_hops()
        .iter()
        .map(|h| (h.attrs.gateway, h.ifindex, h.weight()))
        .collect();
    assert_eq!(
        hops,
        [
            (Some(ip("10.1.0.2")), r0 as i32, 1),
            (Some(ip("10.2.0.2")), s0 as i32, 3)
        ]
    );
    assert!(!main.iter().any(|r| r.dst == Some(ip("10.60.0.0"))));
    let t1000 = rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(1000),
        })
        .unwrap();
    assert_eq!(t1000.len(), 1, "{t1000:?}");
    assert_eq!(
        (t1000[0].dst, t1000[0].oif, t1000[0].header.table),
        (Some(ip("10.60.0.0")), Some(s0), 252)
    );
    // The kernel filters (strict checking): the raw dump holds table 1000 only.
    let raw: Vec<netlink::route::RouteMessage> = rt
        .conn()
        .request_all(&netlink::route::request::dump_routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(1000),
        }))
        .unwrap();
    assert_eq!(raw.len(), 1, "{raw:?}");
    assert_eq!(raw[0].table_id(), 1000);
    let all = rt.routes(RouteFilter::default()).unwrap();
    assert!(
        all.iter().any(|r| r.table_id() == 255),
        "local table in the full dump"
    );
    assert!(all.iter().any(|r| r.table_id() == 1000));

    // Replace changes the gateway of the same route.
    rt.replace_route(
        &Route::new(net("10.50.0.0/16"))
            .gateway(ip("10.2.0.254"))
            .metric(20),
    )
    .unwrap();
    let main = rt
        .routes(RouteFilter {
            family: 2,
            table: Some(254),
        })
        .unwrap();
    let gw: Vec<_> = main
        .iter()
        .filter(|r| r.dst == Some(ip("10.50.0.0")))
        .map(|r| r.gateway)
        .collect();
    assert_eq!(gw, [Some(ip("10.2.0.254"))]);

    rt.delete_route(&Route::new(net("10.50.0.0/16")).metric(20))
        .unwrap();
    rt.delete_route(&dev_route).unwrap();
    let e = rt.delete_route(&dev_route).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // An unreachable gateway is refused.
    let e = rt
        .add_route(&Route::new(net("10.90.0.0/16")).gateway(ip("192.0.2.1")))
        .unwrap_err();
    assert!(e.errno().is_some(), "{e}");
    eprintln!("unreachable gateway: {e}");
}

#[test]
fn neighbours_add_list_delete() {
    if !privileged("neighbours_add_list_delete") {
        return;
    }
    let ns = TestNs::new("rh-neigh");
    let rt = handle(&ns);
    rt.add_link(&NewLink::veth("n0", "n1")).unwrap();
    rt.set_up("n0").unwrap();
    let mac = [0x02, 0, 0, 0, 0, 0x42];
    rt.add_neighbour("n0", ip("10.3.0.9"), &mac).unwrap();
    rt.add_neighbour("n0", ip("2001:db8::9"), &mac).unwrap();
    let e = rt.add_neighbour("n0", ip("10.3.0.9"), &mac).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let n = rt.neighbours_of("n0").unwrap();
    let v4 = n
        .iter()
        .find(|x| x.dst == Some(ip("10.3.0.9")))
        .expect("v4 neighbour");
    assert_eq!(v4.lladdr.as_deref(), Some(&mac[..]));
    assert!(v4
        .header
        .state
        .contains(netlink::route::NeighbourState::PERMANENT));
    assert!(rt
        .neighbours()
        .unwrap()
        .iter()
        .any(|x| x.dst == Some(ip("2001:db8::9"))));
    rt.delete_neighbour("n0", ip("10.3.0.9")).unwrap();
    assert!(!rt
        .neighbours_of("n0")
        .unwrap()
        .iter()
        .any(|x| x.dst == Some(ip("10.3.0.9"))));
    let e = rt.delete_neighbour("n0", ip("10.3.0.9")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = rt
        .add_neighbour("nosuchdev", ip("10.3.0.1"), &mac)
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn rules_add_list_delete() {
    if !privileged("rules_add_list_delete") {
        return;
    }
    let ns = TestNs::new("rh-rule");
    let rt = handle(&ns);
    let rule = Rule::new(libc::AF_INET as u8, 1000)
        .priority(100)
        .from(net("10.0.0.0/8"));
    rt.add_rule(&rule).unwrap();
    let e = rt.add_rule(&rule).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let rules = rt.rules(libc::AF_INET as u8).unwrap();
    let r = rules
        .iter()
        .find(|r| r.priority == Some(100))
        .expect("our rule");
    assert_eq!(
        (r.table(), r.src, r.header.src_len),
        (1000, Some(ip("10.0.0.0")), 8)
    );
    // The three default rules are there too.
    assert!(rules.iter().any(|r| r.table() == 255));
    rt.delete_rule(&rule).unwrap();
    assert!(!rt
        .rules(libc::AF_INET as u8)
        .unwrap()
        .iter()
        .any(|r| r.priority == Some(100)));
    let e = rt.delete_rule(&rule).unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn monitor_snapshot_then_events() {
    if !privileged("monitor_snapshot_then_events") {
        return;
    }
    let ns = TestNs::new("rh-mon");
    let mut mon = Monitor::new(Watch::ALL, ns.config()).unwrap();
    mon.events()
        .set_read_timeout(Some(std::time::Duration::from_secs(20)));
    // A change made after subscribing but before the first event is read: not missed.
    let rt = handle(&ns);
    rt.add_link(&NewLink::bridge("brm")).unwrap();
    let MonitorEvent::Snapshot(s) = mon.next_event().unwrap() else {
        panic!("first event is the snapshot")
    };
    assert!(s.links.iter().any(|l| l.name.as_deref() == Some("lo")));
    rt.add_address("brm", net("10.4.0.1/24")).unwrap();
    let mut saw_link = false;
    let mut saw_addr = false;
    while !(saw_link && saw_addr) {
        match mon.next_event().unwrap() {
            MonitorEvent::Event(RouteEvent::NewLink(l)) if l.name.as_deref() == Some("brm") => {
                saw_link = true
            }
            MonitorEvent::Event(RouteEvent::NewAddress(a)) if a.local() == Some(ip("10.4.0.1")) => {
                saw_addr = true
            }
            _ => {}
        }
    }
    rt.delete_link("brm").unwrap();
    loop {
        if let MonitorEvent::Event(RouteEvent::DelLink(l)) = mon.next_event().unwrap() {
            assert_eq!(l.name.as_deref(), Some("brm"));
            break;
        }
    }
}

#[test]
fn monitor_dumps_again_after_an_overrun() {
    if !privileged("monitor_dumps_again_after_an_overrun") {
        return;
    }
    let ns = TestNs::new("rh-ovr");
    let config = netlink::Config {
        read_buffer: 4096,
        ..ns.config()
    };
    let mut mon = Monitor::new(Watch::ALL, config).unwrap();
    mon.events()
        .set_read_timeout(Some(std::time::Duration::from_secs(20)));
    assert!(matches!(
        mon.next_event().unwrap(),
        MonitorEvent::Snapshot(_)
    ));
    // Far more notifications than a 4 KiB buffer holds, none read meanwhile.
    let rt = handle(&ns);
    rt.add_link(&NewLink::bridge("bro")).unwrap();
    for i in 0..200u32 {
        rt.add_address("bro", net(&format!("10.5.{}.{}/32", i / 200, i % 200 + 1)))
            .unwrap();
    }
    let snap = loop {
        match mon.next_event() {
            Ok(MonitorEvent::Snapshot(s)) => break s,
            Ok(MonitorEvent::Event(_)) => {}
            Err(e) => panic!("{e}"),
        }
    };
    assert!(mon.resyncs() >= 1);
    let n = snap
        .addresses
        .iter()
        .filter(|a| matches!(a.local(), Some(IpAddr::V4(v)) if v.octets()[..2] == [10, 5]))
        .count();
    assert_eq!(n, 200, "the new snapshot holds every address");
    let _: Option<Error> = None;
}

fn field(e: &Error) -> Option<&str> {
    e.op_error().and_then(|op| op.ext_ack.field.as_deref())
}

#[test]
fn kernel_errors_name_the_rust_field() {
    if !privileged("kernel_errors_name_the_rust_field") {
        return;
    }
    let ns = TestNs::new("rh-field");
    let rt = handle(&ns);
    let long = "a-name-longer-than-ifnamsiz";
    // The kernel's policy points at the attribute; the derived policy names the field.
    let e = rt.add_link(&NewLink::bridge(long)).unwrap_err();
    assert_eq!(field(&e), Some("LinkMessage.name"), "{e}");
    assert!(e.to_string().contains("(field LinkMessage.name)"), "{e}");
    // Inside IFLA_LINKINFO, through the kind's sub-message, into the veth peer's own link
    // message.
    let e = rt.add_link(&NewLink::veth("ok0", long)).unwrap_err();
    assert_eq!(
        field(&e),
        Some("LinkMessage.linkinfo.data.peer.name"),
        "{e}"
    );
    let mut m = netlink::route::request::address_message(1, net("10.0.0.1/24"));
    m.label = Some(long.into());
    let e = rt
        .conn()
        .request_ack(&netlink::Request::change(
            netlink::route::RTM_NEWADDR,
            netlink::HeaderFlags::CREATE | netlink::HeaderFlags::EXCL,
            m,
        ))
        .unwrap_err();
    assert_eq!(field(&e), Some("AddressMessage.label"), "{e}");
    // A route prefix longer than its address: the header field.
    let bad = IpNet::new_unchecked(ip("10.9.0.0"), 33);
    let e = rt.add_route(&Route::new(bad).dev(1)).unwrap_err();
    assert_eq!(field(&e), Some("RouteMessage.header.dst_len"), "{e}");
    // Errors without a pointer into the request name no field.
    let e = rt
        .add_route(
            &Route::new(net("10.9.0.0/16"))
                .gateway(ip("10.1.1.1"))
                .dev(4242),
        )
        .unwrap_err();
    assert_eq!(field(&e), None, "{e}");
}

#[test]
fn routes_in_bulk() {
    if !privileged("routes_in_bulk") {
        return;
    }
    let ns = TestNs::new("rh-bulk");
    let rt = handle(&ns);
    rt.add_link(&NewLink::bridge("bb0")).unwrap();
    rt.set_up("bb0").unwrap();
    let dev = rt.index_of("bb0").unwrap();
    let mut routes: Vec<Route> = (0..500u32)
        .map(|i| {
            Route::new(net(&format!("10.{}.{}.0/24", 100 + i / 256, i % 256)))
                .dev(dev)
                .table(2000)
        })
        .collect();
    // One duplicate in the middle: refused alone.
    routes.insert(250, routes[10].clone());
    let results = rt.add_routes(&routes);
    assert_eq!(results.len(), 501);
    for (i, r) in results.iter().enumerate() {
        if i == 250 {
            let e = r.as_ref().unwrap_err();
            assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
        } else {
            assert!(r.is_ok(), "route {i}: {r:?}");
        }
    }
    let table = rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(2000),
        })
        .unwrap();
    assert_eq!(table.len(), 500);
    routes.remove(250);
    assert!(rt.delete_routes(&routes).iter().all(Result::is_ok));
    assert!(rt
        .routes(RouteFilter {
            family: libc::AF_INET as u8,
            table: Some(2000),
        })
        .unwrap()
        .is_empty());
}

/// A namespace that never had a route has no main table: the kernel refuses a strict IPv4
/// dump of it with ENOENT. The handle lists it as empty.
#[test]
fn missing_main_table_lists_as_empty() {
    if !privileged("missing_main_table_lists_as_empty") {
        return;
    }
    let ns = TestNs::bare("rh-nomain");
    let rt = handle(&ns);
    let filter = RouteFilter {
        family: libc::AF_INET as u8,
        table: Some(netlink::route::constants::RT_TABLE_MAIN),
    };
    let main = rt.routes(filter).expect("the main table lists as empty");
    assert!(main.is_empty(), "{main:?}");
    // What the kernel answers: the main table does not exist yet.
    let raw = rt.conn().request_all::<netlink::route::RouteMessage, _>(
        &netlink::route::request::dump_routes(filter),
    );
    assert_eq!(raw.err().and_then(|e| e.errno()), Some(libc::ENOENT));
}
