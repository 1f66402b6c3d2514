use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link<'a> {
    #[nla(type = 1)]
    name: &'a str,
    #[nla(type = 2)]
    address: &[u8],
}

fn main() {}
