use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 0)]
    unspec: Option<u32>,
}

fn main() {}
