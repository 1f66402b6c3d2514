use netlink::{NlAttrs, UnknownAttrs};

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1)]
    index: u32,
    #[nla(unknown)]
    rest: UnknownAttrs,
    #[nla(unknown)]
    more: UnknownAttrs,
}

fn main() {}
