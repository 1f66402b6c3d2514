use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Pair(u32, u32);

fn main() {}
