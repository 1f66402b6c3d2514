use netlink::NlAttrs;

// One run reports every mistake.
#[derive(NlAttrs)]
struct Link {
    #[nla(type = 0)]
    a: u32,
    #[nla(type = 1, flag)]
    b: u32,
    #[nla(type = 1, colour = "red")]
    c: u32,
}

fn main() {}
