use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, min = -1)]
    mtu: u32,
    #[nla(type = 2, max = 300)]
    ttl: u8,
    #[nla(type = 3, max_len = 4, min = 1)]
    name: String,
}

fn main() {}
