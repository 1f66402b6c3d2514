//! `ip link` and `ip addr`: show (text, `-j`, `-br`), add, set, del.

use super::*;

/// `IFF_*` names in the order iproute2 prints them.
pub(crate) const IFF_ORDER: [(IfFlags, &str); 18] = [
    (IfFlags::LOOPBACK, "LOOPBACK"),
    (IfFlags::BROADCAST, "BROADCAST"),
    (IfFlags::POINTOPOINT, "POINTOPOINT"),
    (IfFlags::MULTICAST, "MULTICAST"),
    (IfFlags::NOARP, "NOARP"),
    (IfFlags::ALLMULTI, "ALLMULTI"),
    (IfFlags::PROMISC, "PROMISC"),
    (IfFlags::NOTRAILERS, "NOTRAILERS"),
    (IfFlags::DEBUG, "DEBUG"),
    (IfFlags::DYNAMIC, "DYNAMIC"),
    (IfFlags::AUTOMEDIA, "AUTOMEDIA"),
    (IfFlags::PORTSEL, "PORTSEL"),
    (IfFlags::SLAVE, "SLAVE"),
    (IfFlags::MASTER, "MASTER"),
    (IfFlags::UP, "UP"),
    (IfFlags::LOWER_UP, "LOWER_UP"),
    (IfFlags::DORMANT, "DORMANT"),
    (IfFlags::ECHO, "ECHO"),
];

pub(crate) fn link_flags(f: IfFlags) -> Vec<&'static str> {
    let mut v = Vec::new();
    if f.contains(IfFlags::UP) && !f.contains(IfFlags::RUNNING) {
        v.push("NO-CARRIER");
    }
    v.extend(
        IFF_ORDER
            .iter()
            .filter(|(b, _)| f.contains(*b))
            .map(|(_, n)| *n),
    );
    v
}

pub(crate) fn operstate(s: Option<OperState>) -> &'static str {
    match s {
        Some(OperState::NotPresent) => "NOTPRESENT",
        Some(OperState::Down) => "DOWN",
        Some(OperState::LowerLayerDown) => "LOWERLAYERDOWN",
        Some(OperState::Testing) => "TESTING",
        Some(OperState::Dormant) => "DORMANT",
        Some(OperState::Up) => "UP",
        _ => "UNKNOWN",
    }
}

pub(crate) fn link_type(t: u16) -> String {
    match t {
        1 => "ether".into(),
        772 => "loopback".into(),
        768 => "ipip".into(),
        776 => "sit".into(),
        778 => "gre".into(),
        65534 => "none".into(),
        t => format!("[{t}]"),
    }
}

/// The name as `ip` shows it: `va@vb` for a link with a lower device.
pub(crate) fn display_name(c: &Ctx<'_>, l: &LinkMessage) -> String {
    let name = l.name.clone().unwrap_or_default();
    match l.link {
        Some(i) if i != 0 && l.link_netnsid.is_none() => format!("{name}@{}", c.name(i)),
        Some(_) if l.link_netnsid.is_some() => format!("{name}@if{}", l.link.unwrap_or(0)),
        _ => name,
    }
}

pub(crate) fn link_json(c: &Ctx<'_>, l: &LinkMessage) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ifindex".into(), json!(l.index()));
    if let Some(i) = l.link {
        if l.link_netnsid.is_some() {
            m.insert("link_index".into(), json!(i));
        } else if i != 0 {
            m.insert("link".into(), json!(c.name(i)));
        }
    }
    m.insert("ifname".into(), json!(l.name.clone().unwrap_or_default()));
    m.insert("flags".into(), json!(link_flags(l.header.flags)));
    if let Some(mtu) = l.mtu {
        m.insert("mtu".into(), json!(mtu));
    }
    if let Some(q) = &l.qdisc {
        m.insert("qdisc".into(), json!(q));
    }
    if let Some(master) = l.master {
        m.insert("master".into(), json!(c.name(master)));
    }
    m.insert("operstate".into(), json!(operstate(l.operstate)));
    if let Some(mode) = l.linkmode {
        m.insert(
            "linkmode".into(),
            json!(match mode {
                0 => "DEFAULT".to_owned(),
                1 => "DORMANT".to_owned(),
                n => n.to_string(),
            }),
        );
    }
    if let Some(g) = l.group {
        m.insert(
            "group".into(),
            json!(if g == 0 {
                "default".to_owned()
            } else {
                g.to_string()
            }),
        );
    }
    if let Some(t) = l.txqlen {
        m.insert("txqlen".into(), json!(t));
    }
    m.insert("link_type".into(), json!(link_type(l.header.link_type)));
    if let Some(a) = &l.address {
        m.insert("address".into(), json!(mac(a)));
    }
    if let Some(b) = &l.broadcast {
        m.insert("broadcast".into(), json!(mac(b)));
    }
    if let Some(n) = l.link_netnsid {
        m.insert("link_netnsid".into(), json!(n));
    }
    m
}

pub(crate) fn link_text(c: &Ctx<'_>, l: &LinkMessage) -> String {
    let mut s = format!(
        "{}: {}: <{}> mtu {}",
        l.index(),
        display_name(c, l),
        link_flags(l.header.flags).join(","),
        l.mtu.unwrap_or(0)
    );
    if let Some(q) = &l.qdisc {
        let _ = write!(s, " qdisc {q}");
    }
    if let Some(m) = l.master {
        let _ = write!(s, " master {}", c.name(m));
    }
    let _ = write!(s, " state {}", operstate(l.operstate));
    if let Some(t) = l.txqlen {
        let _ = write!(s, " qlen {t}");
    }
    let _ = write!(s, "\n    link/{}", link_type(l.header.link_type));
    if let Some(a) = &l.address {
        let _ = write!(s, " {}", mac(a));
    }
    if let Some(b) = &l.broadcast {
        let _ = write!(s, " brd {}", mac(b));
    }
    if let Some(k) = l.kind() {
        let _ = write!(s, "\n    {k}");
    }
    s
}

pub(crate) fn link_brief(c: &Ctx<'_>, l: &LinkMessage) -> String {
    format!(
        "{:<16} {:<14} {} <{}>",
        display_name(c, l),
        operstate(l.operstate),
        l.address.as_deref().map(mac).unwrap_or_default(),
        link_flags(l.header.flags).join(",")
    )
}

pub(crate) fn link_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, pos) = keywords(args, &["dev", "master", "type"], &[])?;
    let dev = kv.get("dev").copied().or(pos.first().copied());
    let mut filter = LinkFilter::default();
    if let Some(m) = kv.get("master") {
        filter.master = Some(c.index(m)?);
    }
    filter.kind = kv.get("type").map(|t| (*t).to_owned());
    let links = match dev {
        Some(d) => vec![ctx(&format!("dev {d}"), c.rt.link(d))?],
        None => ctx("link dump", c.rt.links_filtered(&filter))?,
    };
    if c.cli.json {
        print_json(Value::Array(
            links
                .iter()
                .map(|l| Value::Object(link_json(c, l)))
                .collect(),
        ));
    } else {
        for l in &links {
            println!(
                "{}",
                if c.cli.brief {
                    link_brief(c, l)
                } else {
                    link_text(c, l)
                }
            );
        }
    }
    Ok(())
}

pub(crate) fn link_add(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    // link add [name] NAME [link DEV] [mtu N] [address MAC] [master DEV] type KIND [kind args]
    let Some(t) = args.iter().position(|a| a == "type") else {
        return usage("link add needs `type KIND`");
    };
    let (head, tail) = args.split_at(t);
    let Some((kind, kind_args)) = tail[1..].split_first() else {
        return usage("`type` needs a kind");
    };
    let (kv, pos) = keywords(head, &["name", "link", "mtu", "address", "master"], &[])?;
    let Some(name) = kv.get("name").copied().or(pos.first().copied()) else {
        return usage("link add needs a name");
    };
    let parent = |kv: &HashMap<&str, &str>| -> Res<u32> {
        match kv.get("link") {
            Some(d) => c.index(d),
            None => usage(format!("type {kind} needs `link DEV`")),
        }
    };
    let mut link = match kind.as_str() {
        "veth" => {
            let peer = match kind_args {
                [p, n, peer] if p == "peer" && n == "name" => peer,
                [p, peer] if p == "peer" => peer,
                _ => return usage("type veth needs `peer name PEER`"),
            };
            NewLink::veth(name, peer)
        }
        "bridge" => {
            keywords(kind_args, &[], &[])?;
            NewLink::bridge(name)
        }
        "macvlan" => {
            let (kk, _) = keywords(kind_args, &["mode"], &[])?;
            let mode = match kk.get("mode").copied().unwrap_or("vepa") {
                "private" => 1,
                "vepa" => 2,
                "bridge" => 4,
                "passthru" => 8,
                "source" => 16,
                m => return usage(format!("macvlan mode `{m}`")),
            };
            NewLink::macvlan(name, parent(&kv)?, mode)
        }
        "vxlan" => {
            let (kk, _) = keywords(kind_args, &["id", "dstport", "dev"], &[])?;
            let Some(id) = kk.get("id") else {
                return usage("type vxlan needs `id VNI`");
            };
            let port = match kk.get("dstport") {
                Some(p) => parse("dstport", p)?,
                None => 4789,
            };
            let mut l = NewLink::vxlan(name, parse("vxlan id", id)?, port);
            if let Some(d) = kk.get("dev") {
                if let Some(netlink::route::InfoData::Vxlan(v)) = l
                    .message_mut()
                    .linkinfo
                    .as_mut()
                    .and_then(|i| i.data.as_mut())
                {
                    v.link = Some(c.index(d)?);
                }
            }
            l
        }
        "vlan" => {
            let (kk, _) = keywords(kind_args, &["id"], &[])?;
            let Some(id) = kk.get("id") else {
                return usage("type vlan needs `id ID`");
            };
            NewLink::vlan(name, parent(&kv)?, parse("vlan id", id)?)
        }
        "bond" => {
            let (kk, _) = keywords(kind_args, &["mode"], &[])?;
            let mode = match kk.get("mode").copied().unwrap_or("balance-rr") {
                "balance-rr" => 0,
                "active-backup" => 1,
                "balance-xor" => 2,
                "broadcast" => 3,
                "802.3ad" => 4,
                "balance-tlb" => 5,
                "balance-alb" => 6,
                m => parse("bond mode", m)?,
            };
            NewLink::bond(name, mode)
        }
        "vrf" => {
            let (kk, _) = keywords(kind_args, &["table"], &[])?;
            let Some(t) = kk.get("table") else {
                return usage("type vrf needs `table ID`");
            };
            NewLink::vrf(name, parse("table", t)?)
        }
        other => {
            keywords(kind_args, &[], &[])?;
            NewLink::new(name, other, None)
        }
    };
    if let Some(m) = kv.get("mtu") {
        link = link.mtu(parse("mtu", m)?);
    }
    if let Some(a) = kv.get("address") {
        link = link.address(&parse_mac(a)?);
    }
    if let Some(m) = kv.get("master") {
        link = link.master(c.index(m)?);
    }
    ctx(&format!("dev {name}"), c.rt.add_link(&link))
}

pub(crate) fn link_set(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    let mut it = args.iter().map(String::as_str);
    let dev = match it.next() {
        Some("dev") => it.next(),
        d => d,
    };
    let Some(dev) = dev else {
        return usage("link set needs a device");
    };
    let index = c.index(dev)?;
    let mut change = SetLink::new(index.into());
    let mut any = false;
    while let Some(a) = it.next() {
        any = true;
        let mut value = |k: &str| match it.next() {
            Some(v) => Ok(v),
            None => usage(format!("`{k}` needs a value")),
        };
        change = match a {
            "up" => change.up(true),
            "down" => change.up(false),
            "mtu" => change.mtu(parse("mtu", value("mtu")?)?),
            "master" => {
                let m = value("master")?;
                change.master(c.index(m)?)
            }
            "nomaster" => change.master(0),
            "name" => change.name(value("name")?),
            "netns" => {
                let ns = value("netns")?;
                match ns.parse::<u32>() {
                    Ok(pid) => change.netns(NetnsTarget::Pid(pid)),
                    Err(_) => {
                        let path = format!("/run/netns/{ns}");
                        let file = std::fs::File::open(&path)
                            .map_err(|e| Failure::Run(format!("netns {ns}: {e}")))?;
                        use std::os::fd::AsRawFd;
                        let r =
                            c.rt.set_link(&change.netns(NetnsTarget::Fd(file.as_raw_fd())));
                        return ctx(&format!("dev {dev}"), r);
                    }
                }
            }
            other => return usage(format!("link set: unknown setting `{other}`")),
        };
    }
    if !any {
        return usage("link set needs a setting (up, down, mtu, master, nomaster, name, netns)");
    }
    ctx(&format!("dev {dev}"), c.rt.set_link(&change))
}

// ---------- addresses ----------

pub(crate) fn family_name(f: u8) -> &'static str {
    match i32::from(f) {
        libc::AF_INET => "inet",
        libc::AF_INET6 => "inet6",
        _ => "unknown",
    }
}

pub(crate) fn scope_name(s: RouteScope) -> String {
    match s {
        RouteScope::Universe => "global".into(),
        RouteScope::Site => "site".into(),
        RouteScope::Link => "link".into(),
        RouteScope::Host => "host".into(),
        RouteScope::Nowhere => "nowhere".into(),
        RouteScope::Other(n) => n.to_string(),
    }
}

pub(crate) fn addr_json(a: &AddressMessage) -> Value {
    let mut m = Map::new();
    m.insert("family".into(), json!(family_name(a.header.family)));
    if let Some(l) = a.local() {
        m.insert("local".into(), json!(l.to_string()));
    }
    if let (Some(p), Some(l)) = (a.address, a.local) {
        if p != l {
            m.insert("address".into(), json!(p.to_string()));
        }
    }
    m.insert("prefixlen".into(), json!(a.header.prefix_len));
    if let Some(b) = a.broadcast {
        m.insert("broadcast".into(), json!(b.to_string()));
    }
    m.insert("scope".into(), json!(scope_name(a.header.scope)));
    if let Some(l) = &a.label {
        m.insert("label".into(), json!(l));
    }
    if let Some(ci) = &a.cacheinfo {
        m.insert("valid_life_time".into(), json!(ci.valid));
        m.insert("preferred_life_time".into(), json!(ci.preferred));
    }
    Value::Object(m)
}

pub(crate) fn addr_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, pos) = keywords(args, &["dev"], &[])?;
    let dev = kv.get("dev").copied().or(pos.first().copied());
    let links = match dev {
        Some(d) => vec![ctx(&format!("dev {d}"), c.rt.link(d))?],
        None => ctx("link dump", c.rt.links())?,
    };
    let family = c.family();
    let addrs: Vec<AddressMessage> = match dev {
        Some(d) => ctx(&format!("dev {d}"), c.rt.addresses_of(d))?,
        None => ctx("address dump", c.rt.addresses())?,
    }
    .into_iter()
    .filter(|a| family == 0 || a.header.family == family)
    .collect();
    let of = |l: &LinkMessage| -> Vec<&AddressMessage> {
        addrs
            .iter()
            .filter(|a| a.header.index == l.index())
            .collect()
    };
    if c.cli.json {
        let v: Vec<Value> = links
            .iter()
            .map(|l| {
                let mut m = link_json(c, l);
                m.insert(
                    "addr_info".into(),
                    Value::Array(of(l).into_iter().map(addr_json).collect()),
                );
                Value::Object(m)
            })
            .collect();
        print_json(Value::Array(v));
        return Ok(());
    }
    for l in &links {
        if c.cli.brief {
            let list: Vec<String> = of(l)
                .iter()
                .filter_map(|a| Some(format!("{}/{}", a.local()?, a.header.prefix_len)))
                .collect();
            println!(
                "{:<16} {:<14} {}",
                display_name(c, l),
                operstate(l.operstate),
                list.join(" ")
            );
            continue;
        }
        println!("{}", link_text(c, l));
        for a in of(l) {
            let mut s = format!(
                "    {} {}/{}",
                family_name(a.header.family),
                a.local().map(|x| x.to_string()).unwrap_or_default(),
                a.header.prefix_len
            );
            if let Some(b) = a.broadcast {
                let _ = write!(s, " brd {b}");
            }
            let _ = write!(s, " scope {}", scope_name(a.header.scope));
            if let Some(lb) = &a.label {
                let _ = write!(s, " {lb}");
            }
            println!("{s}");
        }
    }
    Ok(())
}

pub(crate) fn addr_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, pos) = keywords(args, &["dev", "local"], &[])?;
    let Some(addr) = kv.get("local").copied().or(pos.first().copied()) else {
        return usage(format!("addr {cmd} needs an address"));
    };
    let Some(dev) = kv.get("dev") else {
        return usage(format!("addr {cmd} needs `dev DEV`"));
    };
    let net: IpNet = parse("address", addr)?;
    let r = if cmd == "add" {
        c.rt.add_address(*dev, net)
    } else {
        c.rt.delete_address(*dev, net)
    };
    ctx(&format!("dev {dev}: {net}"), r)
}
