use netlink::{NlAttrs, UnknownAttrs};

#[derive(NlAttrs, Default)]
struct Op {
    #[nla(type = 1)]
    id: Option<u32>,
}

#[derive(NlAttrs)]
struct Family {
    // Not a nest: the key has nothing to apply to.
    #[nla(type = 1, no_nested_flag)]
    id: Option<u16>,
    #[nla(type = 2, flag, no_nested_flag)]
    legacy: bool,
    #[nla(type = 3, nested, no_nested_flag, no_nested_flag)]
    op: Option<Op>,
    #[nla(unknown, no_nested_flag)]
    rest: UnknownAttrs,
    #[nla(type = 4, no_nested_flag = true)]
    other: Option<Op>,
}

fn main() {}
