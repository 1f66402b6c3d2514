use netlink::{NlAttrs, NlSubMessage};

#[derive(NlAttrs, Default)]
struct Veth {
    #[nla(type = 1)]
    peer: Option<u32>,
}

#[derive(NlSubMessage)]
enum Data {
    #[nla(selector = "veth")]
    Veth(Veth),
    #[nla(other)]
    Other(Vec<u8>),
}

#[derive(NlAttrs)]
struct MissingSelector {
    #[nla(type = 1)]
    kind: Option<String>,
    #[nla(type = 2, sub_message = knd)]
    data: Option<Data>,
}

#[derive(NlAttrs)]
struct IntegerSelector {
    #[nla(type = 1)]
    kind: Option<u32>,
    #[nla(type = 2, sub_message = kind, nested)]
    data: Option<Data>,
}

fn main() {}
