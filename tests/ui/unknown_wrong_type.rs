use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(unknown)]
    rest: Vec<u8>,
    #[nla(unknown, type = 4)]
    other: netlink::UnknownAttrs,
}

fn main() {}
