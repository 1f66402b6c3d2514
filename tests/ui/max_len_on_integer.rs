use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, max_len = 16)]
    mtu: u32,
}

fn main() {}
