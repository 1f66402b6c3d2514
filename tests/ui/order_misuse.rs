use netlink::{AttrOrder, NlAttrs};

#[derive(NlAttrs)]
struct WrongType {
    #[nla(type = 1)]
    a: u32,
    #[nla(order)]
    order: Vec<u16>,
}

#[derive(NlAttrs)]
struct TwoOrders {
    #[nla(order)]
    first: AttrOrder,
    #[nla(order)]
    second: AttrOrder,
}

#[derive(NlAttrs)]
struct Combined {
    #[nla(order, type = 2)]
    order: AttrOrder,
}

#[derive(NlAttrs)]
struct WithoutKey {
    #[nla(type = 1)]
    a: u32,
    order: AttrOrder,
}

#[derive(NlAttrs)]
struct WithValue {
    #[nla(order = 1)]
    order: AttrOrder,
}

fn main() {}
