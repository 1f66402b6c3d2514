use netlink::NlStruct;

#[derive(NlStruct)]
struct Hdr {
    cmd: u8,
    name: String,
    #[nla(tail)]
    rest: Vec<u8>,
    version: u8,
}

fn main() {}
