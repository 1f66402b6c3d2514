use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, nestd)]
    inner: Option<u32>,
}

fn main() {}
