use netlink::{NlAttrs, NlSubMessage};

#[derive(NlAttrs, Default)]
struct Veth {
    #[nla(type = 1)]
    peer: Option<u32>,
}

#[derive(NlSubMessage)]
enum NoOther {
    #[nla(selector = "veth")]
    Veth(Veth),
}

#[derive(NlSubMessage)]
enum Mistakes {
    #[nla(selector = "veth")]
    Veth(Veth),
    #[nla(selector = "veth")]
    Again(Veth),
    Unmarked(Veth),
    #[nla(selector = "unit")]
    Unit,
    #[nla(other)]
    Other(Vec<u8>),
}

fn main() {}
