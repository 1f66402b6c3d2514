use netlink::NlAttrs;

// A wrong declaration still implements NlAttrs (as a stub), so code using the type shows
// only the derive's own error.
#[derive(NlAttrs, Debug)]
struct Link {
    #[nla(type = 0)]
    index: u32,
}

#[derive(NlAttrs, Debug)]
struct Outer {
    #[nla(type = 1, nested)]
    link: Option<Link>,
}

fn main() {
    let bytes = Link { index: 1 }.to_bytes().unwrap_or_default();
    let _ = Link::decode(&bytes);
    let _ = Outer::decode(&bytes);
}
