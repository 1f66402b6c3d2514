use netlink::NlEnum;

#[derive(NlEnum, Clone, Copy)]
enum State {
    Down,
    Up,
    #[nla(other)]
    Other(u8),
}

fn main() {}
