use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link<'a> {
    #[nla(type = 1)]
    name: &'a str,
    #[nla(type = 2)]
    alias: Option<&'b str>,
}

#[derive(NlAttrs)]
struct Owned {
    #[nla(type = 1)]
    name: &'a str,
}

fn main() {}
