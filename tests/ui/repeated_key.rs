use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1, type = 2)]
    index: u32,
    #[nla(type = 3, be, be)]
    port: u16,
}

fn main() {}
