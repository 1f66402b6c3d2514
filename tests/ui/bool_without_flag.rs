use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1)]
    up: bool,
}

fn main() {}
