use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link<'a, 'b, T, const N: usize> {
    #[nla(type = 1)]
    name: &'a str,
    #[nla(type = 2)]
    alias: &'b str,
    #[nla(type = 3)]
    value: Option<T>,
}

fn main() {}
