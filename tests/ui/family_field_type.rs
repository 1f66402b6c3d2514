use std::net::IpAddr;

use netlink::{NlAttrs, NlStruct};

#[derive(NlStruct, Default)]
struct Hdr {
    family: u8,
    prefix_len: u8,
    index: u32,
}

// The family must be a `u8` or `u16` field of the header.
#[derive(NlAttrs)]
struct Msg {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 1, family = header.index)]
    address: Option<IpAddr>,
}

fn main() {}
