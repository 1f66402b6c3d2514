use netlink::NlAttrs;

#[derive(NlAttrs)]
union Raw {
    a: u32,
    b: f32,
}

fn main() {}
