use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, min = 9000, max = 68)]
    mtu: u32,
}

fn main() {}
