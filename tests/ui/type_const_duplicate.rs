use netlink::NlAttrs;

const IFLA_IFNAME: u16 = 3;
const IFLA_ALIAS: u16 = 3;

#[derive(NlAttrs)]
struct Link {
    #[nla(type = IFLA_IFNAME)]
    name: Option<String>,
    #[nla(type = 4)]
    mtu: Option<u32>,
    #[nla(type = IFLA_ALIAS)]
    alias: Option<String>,
}

fn main() {}
