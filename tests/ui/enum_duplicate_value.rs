use netlink::NlEnum;

#[derive(NlEnum, Clone, Copy)]
#[repr(u8)]
enum State {
    Down = 1,
    Up = 1,
    Big = 300,
    #[nla(other)]
    Other(u8),
}

fn main() {}
