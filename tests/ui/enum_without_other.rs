use netlink::NlEnum;

#[derive(NlEnum, Clone, Copy)]
#[repr(u8)]
enum State {
    Down = 0,
    Up = 1,
}

fn main() {}
