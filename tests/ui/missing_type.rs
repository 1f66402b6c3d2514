use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1)]
    index: u32,
    #[nla(be)]
    port: u16,
    untagged: Option<String>,
}

fn main() {}
