use std::net::Ipv4Addr;
use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1)]
    addrs: Vec<Ipv4Addr>,
    #[nla(type = 2, multi)]
    one: Option<u32>,
}

fn main() {}
