//! `ip route`, `ip neigh` and `ip rule`: show (text, `-j`), add, replace, del.

use super::link::scope_name;
use super::*;

pub(crate) fn table_name(t: u32) -> String {
    match t {
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        t => t.to_string(),
    }
}

pub(crate) fn parse_table(s: &str) -> Res<u32> {
    match s {
        "main" => Ok(254),
        "local" => Ok(255),
        "default" => Ok(253),
        t => parse("table", t),
    }
}

pub(crate) fn protocol_name(p: RouteProtocol) -> String {
    match p {
        RouteProtocol::Kernel => "kernel".into(),
        RouteProtocol::Boot => "boot".into(),
        RouteProtocol::Static => "static".into(),
        RouteProtocol::Redirect => "redirect".into(),
        RouteProtocol::Ra => "ra".into(),
        RouteProtocol::Dhcp => "dhcp".into(),
        p => netlink::NlEnum::to_repr(&p).to_string(),
    }
}

pub(crate) fn type_name(t: RouteType) -> &'static str {
    match t {
        RouteType::Unicast => "unicast",
        RouteType::Local => "local",
        RouteType::Broadcast => "broadcast",
        RouteType::Anycast => "anycast",
        RouteType::Multicast => "multicast",
        RouteType::Blackhole => "blackhole",
        RouteType::Unreachable => "unreachable",
        RouteType::Prohibit => "prohibit",
        RouteType::Throw => "throw",
        RouteType::Nat => "nat",
        _ => "unspec",
    }
}

/// `RTNH_F_*` names as iproute2 prints them.
pub(crate) fn route_flags(f: u32) -> Vec<&'static str> {
    [
        (0x1, "dead"),
        (0x2, "pervasive"),
        (0x4, "onlink"),
        (0x8, "offload"),
        (0x10, "linkdown"),
        (0x20, "unresolved"),
        (0x40, "trap"),
    ]
    .iter()
    .filter(|(b, _)| f & b != 0)
    .map(|(_, n)| *n)
    .collect()
}

/// `RTA_PREF` (`ICMPV6_ROUTER_PREF_*`).
pub(crate) fn pref_name(p: u8) -> String {
    match p {
        0 => "medium".into(),
        1 => "high".into(),
        3 => "low".into(),
        p => p.to_string(),
    }
}

pub(crate) fn route_dst(r: &RouteMessage) -> String {
    let max = if i32::from(r.header.family) == libc::AF_INET6 {
        128
    } else {
        32
    };
    match r.dst {
        None => "default".into(),
        Some(d) if r.header.dst_len == max => d.to_string(),
        Some(d) => format!("{d}/{}", r.header.dst_len),
    }
}

pub(crate) fn route_json(c: &Ctx<'_>, r: &RouteMessage, show_table: bool) -> Value {
    let mut m = Map::new();
    if r.header.kind != RouteType::Unicast {
        m.insert("type".into(), json!(type_name(r.header.kind)));
    }
    m.insert("dst".into(), json!(route_dst(r)));
    if let Some(g) = r.gateway {
        m.insert("gateway".into(), json!(g.to_string()));
    }
    if let Some(o) = r.oif {
        m.insert("dev".into(), json!(c.name(o)));
    }
    let t = r.table_id();
    if show_table && t != 254 {
        m.insert("table".into(), json!(table_name(t)));
    }
    // iproute2 leaves out what is usual: protocol boot, scope global.
    if r.header.protocol != RouteProtocol::Boot {
        m.insert("protocol".into(), json!(protocol_name(r.header.protocol)));
    }
    if r.header.scope != RouteScope::Universe {
        m.insert("scope".into(), json!(scope_name(r.header.scope)));
    }
    if let Some(p) = r.priority {
        m.insert("metric".into(), json!(p));
    }
    if let Some(s) = r.prefsrc {
        m.insert("prefsrc".into(), json!(s.to_string()));
    }
    m.insert("flags".into(), json!(route_flags(r.header.flags.bits())));
    if let Some(p) = r.pref {
        m.insert("pref".into(), json!(pref_name(p)));
    }
    if !r.next_hops().is_empty() {
        let hops: Vec<Value> = r
            .next_hops()
            .iter()
            .map(|h| {
                let mut n = Map::new();
                if let Some(g) = h.attrs.gateway {
                    n.insert("gateway".into(), json!(g.to_string()));
                }
                n.insert(
                    "dev".into(),
                    json!(c.name(u32::try_from(h.ifindex).unwrap_or(0))),
                );
                n.insert("weight".into(), json!(h.weight()));
                n.insert(
                    "flags".into(),
                    json!(route_flags(u32::from(h.flags.bits()))),
                );
                Value::Object(n)
            })
            .collect();
        m.insert("nexthops".into(), Value::Array(hops));
    }
    Value::Object(m)
}

pub(crate) fn route_text(c: &Ctx<'_>, r: &RouteMessage, show_table: bool) -> String {
    let mut s = String::new();
    if r.header.kind != RouteType::Unicast {
        let _ = write!(s, "{} ", type_name(r.header.kind));
    }
    s.push_str(&route_dst(r));
    if let Some(g) = r.gateway {
        let _ = write!(s, " via {g}");
    }
    if let Some(o) = r.oif {
        let _ = write!(s, " dev {}", c.name(o));
    }
    let t = r.table_id();
    if show_table && t != 254 {
        let _ = write!(s, " table {}", table_name(t));
    }
    if r.header.protocol != RouteProtocol::Boot {
        let _ = write!(s, " proto {}", protocol_name(r.header.protocol));
    }
    if r.header.scope != RouteScope::Universe {
        let _ = write!(s, " scope {}", scope_name(r.header.scope));
    }
    if let Some(src) = r.prefsrc {
        let _ = write!(s, " src {src}");
    }
    if let Some(p) = r.priority {
        let _ = write!(s, " metric {p}");
    }
    for h in r.next_hops() {
        let _ = write!(s, "\n\tnexthop");
        if let Some(g) = h.attrs.gateway {
            let _ = write!(s, " via {g}");
        }
        let _ = write!(
            s,
            " dev {} weight {}",
            c.name(u32::try_from(h.ifindex).unwrap_or(0)),
            h.weight()
        );
    }
    s
}

pub(crate) fn route_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, _) = keywords(args, &["table", "dev"], &["all"])?;
    // iproute2: the main table by default, IPv4 unless `-6`; `table all`: every table and
    // family.
    let (table, family) = match kv.get("table").copied() {
        Some("all") => (None, c.family()),
        Some(t) => (Some(parse_table(t)?), c.family()),
        None => (Some(254), c.family()),
    };
    let family = if family == 0 && table.is_some() {
        libc::AF_INET as u8
    } else {
        family
    };
    let dev = match kv.get("dev") {
        Some(d) => Some(c.index(d)?),
        None => None,
    };
    // A namespace that never had an address or a route has no main table yet: the kernel
    // answers a dump of it with ENOENT, which iproute2 shows as no routes (a missing table
    // named with `table ID` stays an error, as in iproute2).
    let routes = match c.rt.routes(RouteFilter { family, table }) {
        Err(e) if table == Some(254) && e.errno() == Some(libc::ENOENT) => Vec::new(),
        r => ctx("route dump", r)?,
    };
    let routes: Vec<RouteMessage> = routes
        .into_iter()
        .filter(|r| !r.header.flags.contains(netlink::route::RouteFlags::CLONED))
        .filter(|r| dev.is_none() || r.oif == dev)
        .collect();
    let show_table = table.is_none();
    if c.cli.json {
        print_json(Value::Array(
            routes
                .iter()
                .map(|r| route_json(c, r, show_table))
                .collect(),
        ));
    } else {
        for r in &routes {
            println!("{}", route_text(c, r, show_table));
        }
    }
    Ok(())
}

pub(crate) fn route_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let Some((dst, rest)) = args.split_first() else {
        return usage(format!("route {cmd} needs a destination"));
    };
    // `default` is IPv6 with -6 or an IPv6 gateway.
    let v6 = c.cli.ipv6
        || rest
            .iter()
            .any(|a| a.contains(':') && a.parse::<IpAddr>().is_ok());
    let dst_net = parse_net(dst, v6)?;
    // Split off `nexthop ...` groups.
    let mut groups = rest.split(|a| a == "nexthop");
    let head = groups.next().unwrap_or(&[]);
    let (kv, _) = keywords(
        head,
        &["via", "dev", "table", "metric", "src", "proto"],
        &[],
    )?;
    let mut route = Route::new(dst_net);
    if let Some(g) = kv.get("via") {
        route = route.gateway(parse("gateway", g)?);
    }
    if let Some(d) = kv.get("dev") {
        route = route.dev(c.index(d)?);
    }
    if let Some(t) = kv.get("table") {
        route = route.table(parse_table(t)?);
    }
    if let Some(m) = kv.get("metric") {
        route = route.metric(parse("metric", m)?);
    }
    if let Some(s) = kv.get("src") {
        route = route.prefsrc(parse("src", s)?);
    }
    for g in groups {
        let (hk, _) = keywords(g, &["via", "dev", "weight"], &[])?;
        let Some(d) = hk.get("dev") else {
            return usage("nexthop needs `dev DEV`");
        };
        let gateway = match hk.get("via") {
            Some(v) => Some(parse("gateway", v)?),
            None => None,
        };
        let weight: u16 = match hk.get("weight") {
            Some(w) => parse("weight", w)?,
            None => 1,
        };
        if !(1..=256).contains(&weight) {
            return usage(format!("weight {weight} is not in 1..=256"));
        }
        route = route.next_hop(NextHopSpec {
            gateway,
            dev: c.index(d)?,
            weight,
        });
    }
    let r = match cmd {
        "add" => c.rt.add_route(&route),
        "replace" => c.rt.replace_route(&route),
        _ => c.rt.delete_route(&route),
    };
    ctx(&format!("route {dst}"), r)
}

// ---------- neighbours ----------

pub(crate) const NUD_NAMES: [(NeighbourState, &str); 8] = [
    (NeighbourState::INCOMPLETE, "INCOMPLETE"),
    (NeighbourState::REACHABLE, "REACHABLE"),
    (NeighbourState::STALE, "STALE"),
    (NeighbourState::DELAY, "DELAY"),
    (NeighbourState::PROBE, "PROBE"),
    (NeighbourState::FAILED, "FAILED"),
    (NeighbourState::NOARP, "NOARP"),
    (NeighbourState::PERMANENT, "PERMANENT"),
];

pub(crate) fn nud(s: NeighbourState) -> Vec<&'static str> {
    NUD_NAMES
        .iter()
        .filter(|(b, _)| s.contains(*b))
        .map(|(_, n)| *n)
        .collect()
}

pub(crate) fn neigh_show(c: &mut Ctx<'_>, args: &[String]) -> Res<()> {
    c.load_names()?;
    let (kv, _) = keywords(args, &["dev"], &[])?;
    let family = c.family();
    let list: Vec<NeighbourMessage> = match kv.get("dev") {
        Some(d) => ctx(&format!("dev {d}"), c.rt.neighbours_of(*d))?,
        None => ctx("neighbour dump", c.rt.neighbours())?,
    }
    .into_iter()
    // iproute2 hides NOARP entries (and the empty state) unless asked.
    .filter(|n| !n.header.state.contains(NeighbourState::NOARP) && n.header.state.bits() != 0)
    .filter(|n| family == 0 || n.header.family == family)
    .collect();
    let dev = |n: &NeighbourMessage| c.name(u32::try_from(n.header.ifindex).unwrap_or(0));
    if c.cli.json {
        let v: Vec<Value> = list
            .iter()
            .map(|n| {
                let mut m = Map::new();
                if let Some(d) = n.dst {
                    m.insert("dst".into(), json!(d.to_string()));
                }
                m.insert("dev".into(), json!(dev(n)));
                if let Some(l) = &n.lladdr {
                    m.insert("lladdr".into(), json!(mac(l)));
                }
                m.insert("state".into(), json!(nud(n.header.state)));
                Value::Object(m)
            })
            .collect();
        print_json(Value::Array(v));
    } else {
        for n in &list {
            let mut s = format!(
                "{} dev {}",
                n.dst.map(|d| d.to_string()).unwrap_or_default(),
                dev(n)
            );
            if let Some(l) = &n.lladdr {
                let _ = write!(s, " lladdr {}", mac(l));
            }
            let _ = write!(s, " {}", nud(n.header.state).join(" "));
            println!("{s}");
        }
    }
    Ok(())
}

pub(crate) fn neigh_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, pos) = keywords(args, &["dev", "lladdr", "to"], &[])?;
    let Some(dst) = kv.get("to").copied().or(pos.first().copied()) else {
        return usage(format!("neigh {cmd} needs an address"));
    };
    let Some(dev) = kv.get("dev") else {
        return usage(format!("neigh {cmd} needs `dev DEV`"));
    };
    let dst: IpAddr = parse("address", dst)?;
    let r = if cmd == "add" {
        let Some(ll) = kv.get("lladdr") else {
            return usage("neigh add needs `lladdr MAC`");
        };
        c.rt.add_neighbour(*dev, dst, &parse_mac(ll)?)
    } else {
        c.rt.delete_neighbour(*dev, dst)
    };
    ctx(&format!("dev {dev}: {dst}"), r)
}

// ---------- rules ----------

pub(crate) fn rule_json(r: &RuleMessage) -> Value {
    let mut m = Map::new();
    m.insert("priority".into(), json!(r.priority.unwrap_or(0)));
    match r.src {
        Some(s) if r.header.src_len > 0 => {
            m.insert("src".into(), json!(s.to_string()));
            m.insert("srclen".into(), json!(r.header.src_len));
        }
        _ => {
            m.insert("src".into(), json!("all"));
        }
    }
    if let Some(d) = r.dst {
        m.insert("dst".into(), json!(d.to_string()));
        m.insert("dstlen".into(), json!(r.header.dst_len));
    }
    if let Some(i) = &r.iifname {
        m.insert("iif".into(), json!(i));
    }
    if let Some(f) = r.fwmark {
        m.insert("fwmark".into(), json!(format!("{f:#x}")));
    }
    if r.header.action == 1 {
        m.insert("table".into(), json!(table_name(r.table())));
    }
    Value::Object(m)
}

pub(crate) fn rule_show(c: &Ctx<'_>, args: &[String]) -> Res<()> {
    keywords(args, &[], &[])?;
    let family = match c.family() {
        0 => libc::AF_INET as u8,
        f => f,
    };
    let rules = ctx("rule dump", c.rt.rules(family))?;
    if c.cli.json {
        print_json(Value::Array(rules.iter().map(rule_json).collect()));
        return Ok(());
    }
    for r in &rules {
        let mut s = format!("{}:\tfrom ", r.priority.unwrap_or(0));
        match r.src {
            Some(src) if r.header.src_len > 0 => {
                let _ = write!(s, "{src}/{}", r.header.src_len);
            }
            _ => s.push_str("all"),
        }
        if let Some(d) = r.dst {
            let _ = write!(s, " to {d}/{}", r.header.dst_len);
        }
        if let Some(i) = &r.iifname {
            let _ = write!(s, " iif {i}");
        }
        if let Some(f) = r.fwmark {
            let _ = write!(s, " fwmark {f:#x}");
        }
        if r.header.action == 1 {
            let _ = write!(s, " lookup {}", table_name(r.table()));
        }
        println!("{s}");
    }
    Ok(())
}

pub(crate) fn rule_change(c: &Ctx<'_>, cmd: &str, args: &[String]) -> Res<()> {
    let (kv, _) = keywords(
        args,
        &[
            "from", "to", "fwmark", "iif", "priority", "pref", "table", "lookup",
        ],
        &[],
    )?;
    let Some(table) = kv.get("table").or(kv.get("lookup")) else {
        return usage(format!("rule {cmd} needs `table ID`"));
    };
    let from = kv
        .get("from")
        .map(|f| parse_net(f, c.cli.ipv6))
        .transpose()?;
    let to = kv.get("to").map(|f| parse_net(f, c.cli.ipv6)).transpose()?;
    let family = match (from.or(to), c.cli.ipv6) {
        (Some(n), _) => n.family(),
        (None, true) => libc::AF_INET6 as u8,
        (None, false) => libc::AF_INET as u8,
    };
    let mut rule = Rule::new(family, parse_table(table)?);
    if let Some(p) = kv.get("priority").or(kv.get("pref")) {
        rule = rule.priority(parse("priority", p)?);
    }
    if let Some(f) = from {
        rule = rule.from(f);
    }
    if let Some(t) = to {
        rule = rule.to(t);
    }
    if let Some(m) = kv.get("fwmark") {
        let m = m.strip_prefix("0x").map_or_else(
            || parse("fwmark", m),
            |h| u32::from_str_radix(h, 16).map_err(|e| Failure::Usage(format!("fwmark: {e}"))),
        )?;
        rule = rule.fwmark(m);
    }
    if let Some(i) = kv.get("iif") {
        rule = rule.iif(i);
    }
    let r = if cmd == "add" {
        c.rt.add_rule(&rule)
    } else {
        c.rt.delete_rule(&rule)
    };
    ctx("rule", r)
}
