use netlink::NlEnum;

// The `other` variant follows 0xff: Rust cannot count a discriminant for it.
#[derive(NlEnum, Clone, Copy)]
#[repr(u8)]
enum Kind {
    Zero = 0,
    All = 0xff,
    #[nla(other)]
    Other(u8),
}

// The `other` variant counts to 1, which `B` uses.
#[derive(NlEnum, Clone, Copy)]
#[repr(u8)]
enum Mode {
    A = 0,
    #[nla(other)]
    Other(u8),
    B = 1,
}

fn main() {}
