use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, be)]
    name: String,
}

fn main() {}
