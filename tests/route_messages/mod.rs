//! rtnetlink messages for the fake-kernel tests: what a dump or a notification carries.

#![allow(dead_code)]

use netlink::route::{AddressMessage, LinkMessage, RTM_NEWADDR, RTM_NEWLINK};
use netlink::{HeaderFlags, Message, NlAttrs};

/// `RTM_NEWLINK` for link `index` named `name`.
pub fn link(index: i32, name: &str) -> Message {
    let mut l = LinkMessage::default();
    l.header.index = index;
    l.name = Some(name.into());
    Message::new(RTM_NEWLINK, HeaderFlags::EMPTY, l.to_bytes().unwrap())
}

/// `RTM_NEWADDR` for an address on link `index`.
pub fn address(index: u32) -> Message {
    let mut a = AddressMessage::default();
    a.header.index = index;
    Message::new(RTM_NEWADDR, HeaderFlags::EMPTY, a.to_bytes().unwrap())
}
