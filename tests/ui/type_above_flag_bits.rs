use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 16384)]
    too_big: Option<u32>,
}

fn main() {}
