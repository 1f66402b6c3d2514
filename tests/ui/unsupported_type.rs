use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = 1)]
    ratio: f64,
    #[nla(type = 2)]
    count: usize,
    #[nla(type = 3)]
    pair: (u32, u32),
}

fn main() {}
