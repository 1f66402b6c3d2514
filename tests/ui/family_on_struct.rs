use netlink::{NlAttrs, NlStruct};

#[derive(NlStruct, Default)]
struct Hdr {
    family: u8,
}

#[derive(NlStruct, Default)]
struct CacheInfo {
    a: u32,
}

// A C structure does not depend on the address family.
#[derive(NlAttrs)]
struct Msg {
    #[nla(header)]
    header: Hdr,
    #[nla(type = 1, family = header.family)]
    cacheinfo: Option<CacheInfo>,
}

fn main() {}
