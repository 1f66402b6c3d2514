use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, nested)]
    index: u32,
    #[nla(type = 2, nested)]
    name: Option<String>,
}

fn main() {}
