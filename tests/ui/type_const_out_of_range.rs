use netlink::NlAttrs;

const BIG: u32 = 0x8003;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = BIG)]
    name: Option<String>,
}

fn main() {}
