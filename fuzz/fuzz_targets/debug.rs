#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| netlink_suite::fuzz_targets::debug_format(data));
