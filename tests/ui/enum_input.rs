use netlink::NlAttrs;

#[derive(NlAttrs)]
enum Kind {
    A,
    B,
}

fn main() {}
