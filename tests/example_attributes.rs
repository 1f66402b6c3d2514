//! The `attributes` example: the encode and decode path it runs, and the text it prints.

#[allow(dead_code)]
#[path = "../examples/attributes.rs"]
mod attributes;

#[test]
fn prints_the_go_example_output() {
    let text = attributes::run().unwrap();
    let decoded = "Number: 1\nString: \"hello world\"\nNested:\n   - A: 2\n   - B: 3\n";
    assert!(text.starts_with("netlink attributes:\n"), "{text}");
    assert!(text.ends_with(decoded), "{text}");
    #[cfg(target_endian = "little")]
    assert_eq!(
        text,
        "netlink attributes:\n\
         00000000  06 00 01 00 01 00 00 00  10 00 02 00 68 65 6c 6c  |............hell|\n\
         00000010  6f 20 77 6f 72 6c 64 00  14 00 03 80 08 00 01 00  |o world.........|\n\
         00000020  02 00 00 00 08 00 02 00  03 00 00 00              |............|\n\
         \n\
         Number: 1\n\
         String: \"hello world\"\n\
         Nested:\n   - A: 2\n   - B: 3\n"
    );
}

#[test]
fn encode_then_decode_gives_the_values_back() {
    let values = attributes::example_values();
    let bytes = attributes::encode(&values).unwrap();
    assert_eq!(bytes.len(), 44);
    assert_eq!(attributes::decode(&bytes).unwrap(), values);
    // A cut-off buffer is an error, not a partial value.
    assert!(attributes::decode(&bytes[..bytes.len() - 2]).is_err());
}

#[test]
fn hex_dump_matches_go_format() {
    assert_eq!(attributes::hex_dump(&[]), "");
    assert_eq!(
        attributes::hex_dump(b"0123456789abcdef"),
        "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
    );
    assert_eq!(
        attributes::hex_dump(&[0, 1, 2]),
        "00000000  00 01 02                                          |...|\n"
    );
    assert_eq!(
        attributes::hex_dump(&[0x7e, 0x7f, b' ', 0x1f, 0, 1, 2, 3, 4]),
        "00000000  7e 7f 20 1f 00 01 02 03  04                       |~. ......|\n"
    );
    let seventeen: Vec<u8> = (0..17).collect();
    assert_eq!(
        attributes::hex_dump(&seventeen),
        "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|\n\
         00000010  10                                                |.|\n"
    );
}
