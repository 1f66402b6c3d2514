//! Generic netlink: the families reached through the `nlctrl` controller.
//!
//! [`nlctrl`] declares the controller itself; its items are re-exported here.

pub mod nlctrl;

pub use nlctrl::*;
