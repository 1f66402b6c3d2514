use std::net::{IpAddr, Ipv4Addr};

use netlink::{NlAttrs, NlStruct};

#[derive(NlStruct, Default)]
struct Hdr {
    family: u8,
    prefix_len: u8,
}

// No header to take the family from.
#[derive(NlAttrs)]
struct NoHeader {
    #[nla(type = 1, family = header.family)]
    address: Option<IpAddr>,
}

#[derive(NlAttrs)]
struct Misuses {
    #[nla(header)]
    header: Hdr,
    // Not an address.
    #[nla(type = 1, family = header.family)]
    mtu: Option<u32>,
    // An address of one fixed version.
    #[nla(type = 2, family = header.family)]
    v4: Option<Ipv4Addr>,
    // Not the header.
    #[nla(type = 3, family = hdr.family)]
    local: Option<IpAddr>,
    // Not a family source.
    #[nla(type = 4, family = 2)]
    peer: Option<IpAddr>,
    // A second family field of the header.
    #[nla(type = 5, family = header.prefix_len)]
    broadcast: Option<IpAddr>,
    // The enclosing message's family, beside the header's.
    #[nla(type = 6, family = outer)]
    gateway: Option<IpAddr>,
    // Not with other value keys.
    #[nla(type = 7, family = header.family, max_len = 4)]
    anycast: Option<IpAddr>,
}

fn main() {}
