use std::net::IpAddr;

use netlink::{NlAttrs, NlStruct};

#[derive(NlStruct, Default)]
struct Hdr {
    family: u8,
    prefix_len: u8,
}

#[derive(NlAttrs)]
struct Msg {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 1, family = header.famly)]
    address: Option<IpAddr>,
    #[nla(type = 2, family = header.famly)]
    local: Option<IpAddr>,
}

fn main() {}
