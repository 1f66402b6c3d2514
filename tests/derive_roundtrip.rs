//! Generated round-trip tests: every derived type of the workspace, 1,000 generated values
//! each through `decode(encode(x)) == x` (with its policy checked on the encoded bytes), and
//! 1,000 arbitrary byte strings each through the decoder, which must not panic.

mod support;

use netlink::check_nlattrs;
use support::*;

const COUNT: usize = 1000;

#[test]
fn example() {
    check_nlattrs!(Example, COUNT);
}

#[test]
fn inner() {
    check_nlattrs!(Inner, COUNT);
}

#[test]
fn integers() {
    check_nlattrs!(Integers, COUNT);
}

#[test]
fn texts() {
    check_nlattrs!(Texts, COUNT);
}

#[test]
fn tree() {
    check_nlattrs!(Tree, COUNT);
}

#[test]
fn link_message() {
    check_nlattrs!(LinkMessage, COUNT);
}

#[test]
fn with_indexed() {
    check_nlattrs!(WithIndexed, COUNT);
}

#[test]
fn borrowed() {
    check_nlattrs!(Borrowed<'_>, COUNT);
}

#[test]
fn borrowed_inner() {
    check_nlattrs!(BorrowedInner<'_>, COUNT);
}
