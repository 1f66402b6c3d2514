use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Node {
    #[nla(type = 1)]
    next: Option<Box<Node>>,
}

fn main() {}
