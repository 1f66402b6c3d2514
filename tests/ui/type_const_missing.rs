use netlink::NlAttrs;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = IFLA_NO_SUCH_CONSTANT)]
    name: Option<String>,
    #[nla(type = 4)]
    mtu: Option<u32>,
}

fn main() {}
