//! `ip monitor`: a snapshot, then every change, through `netlink::route::Monitor`.

use super::link::{family_name, link_flags, operstate};
use super::route::{nud, route_dst, rule_json, table_name};
use super::*;

pub(crate) fn monitor(cli: &Cli, config: Config, args: &[String]) -> Res<()> {
    let mut watch = Watch::NONE;
    for a in args {
        match a.as_str() {
            "link" => watch.links = true,
            "address" | "addr" => watch.addresses = true,
            "route" => watch.routes = true,
            "neigh" => watch.neighbours = true,
            "rule" => watch.rules = true,
            "all" => watch = Watch::ALL,
            other => return usage(format!("monitor: unknown object `{other}`")),
        }
    }
    if watch == Watch::NONE {
        watch = Watch::ALL;
    }
    let mut mon = ctx("monitor", Monitor::new(watch, config))?;
    let mut names: HashMap<u32, String> = HashMap::new();
    loop {
        let ev = ctx("monitor", mon.next_event())?;
        match ev {
            MonitorEvent::Snapshot(s) => {
                names = s
                    .links
                    .iter()
                    .filter_map(|l| Some((l.index(), l.name.clone()?)))
                    .collect();
                if cli.json {
                    print_json(json!({ "snapshot": {
                        "links": s.links.len(), "addresses": s.addresses.len(),
                        "routes": s.routes.len(), "neighbours": s.neighbours.len(),
                        "rules": s.rules.len() } }));
                }
            }
            MonitorEvent::Event(e) => {
                if let RouteEvent::NewLink(l) = &e {
                    if let Some(n) = &l.name {
                        names.insert(l.index(), n.clone());
                    }
                }
                if cli.json {
                    // The typed event itself, through the crate's `serde` feature.
                    let v = serde_json::to_value(&e)
                        .map_err(|err| Failure::Run(format!("monitor: {err}")))?;
                    print_json(v);
                } else {
                    println!("{}", event_line(&names, &e));
                }
            }
        }
    }
}

pub(crate) fn event_line(names: &HashMap<u32, String>, e: &RouteEvent) -> String {
    let name = |i: u32| names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"));
    let addr = |a: &AddressMessage| {
        format!(
            "{}: {} {}/{}",
            name(a.header.index),
            family_name(a.header.family),
            a.local().map(|x| x.to_string()).unwrap_or_default(),
            a.header.prefix_len
        )
    };
    let route = |r: &RouteMessage| {
        let mut s = route_dst(r);
        if let Some(g) = r.gateway {
            let _ = write!(s, " via {g}");
        }
        if let Some(o) = r.oif {
            let _ = write!(s, " dev {}", name(o));
        }
        let _ = write!(s, " table {}", table_name(r.table_id()));
        s
    };
    let neigh = |n: &NeighbourMessage| {
        format!(
            "{} dev {} {}",
            n.dst.map(|d| d.to_string()).unwrap_or_default(),
            name(u32::try_from(n.header.ifindex).unwrap_or(0)),
            nud(n.header.state).join(" ")
        )
    };
    let rule = |r: &RuleMessage| format!("{}", rule_json(r));
    let link = |l: &LinkMessage| {
        format!(
            "{}: {}: <{}> state {}",
            l.index(),
            l.name.clone().unwrap_or_default(),
            link_flags(l.header.flags).join(","),
            operstate(l.operstate)
        )
    };
    match e {
        RouteEvent::NewLink(l) => format!("[LINK] {}", link(l)),
        RouteEvent::DelLink(l) => format!("[LINK] Deleted {}", link(l)),
        RouteEvent::NewAddress(a) => format!("[ADDR] {}", addr(a)),
        RouteEvent::DelAddress(a) => format!("[ADDR] Deleted {}", addr(a)),
        RouteEvent::NewRoute(r) => format!("[ROUTE] {}", route(r)),
        RouteEvent::DelRoute(r) => format!("[ROUTE] Deleted {}", route(r)),
        RouteEvent::NewNeighbour(n) => format!("[NEIGH] {}", neigh(n)),
        RouteEvent::DelNeighbour(n) => format!("[NEIGH] Deleted {}", neigh(n)),
        RouteEvent::NewRule(r) => format!("[RULE] {}", rule(r)),
        RouteEvent::DelRule(r) => format!("[RULE] Deleted {}", rule(r)),
        _ => "[?] unknown event".into(),
    }
}
