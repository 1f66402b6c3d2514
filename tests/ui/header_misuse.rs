use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Msg {
    #[nla(header, type = 1)]
    header: u32,
    #[nla(type = 2)]
    name: Option<String>,
}

fn main() {}
