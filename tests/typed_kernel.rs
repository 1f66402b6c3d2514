//! Typed requests over a real socket: `Conn::request`, `request_one`, `request_all`, and
//! kernel errors naming the Rust field the extended acknowledgement points at.

mod conn_support;

use netlink::genl::{CtrlCommand, CtrlMessage, GenlHeader, CTRL_VERSION, GENL_ID_CTRL};
use netlink::{Config, Conn, Family, HeaderType, NlAttrs, NlEnum, Request};

fn dial() -> Conn {
    let config = Config {
        strict: true,
        ..Config::default()
    };
    Conn::dial(Family::GENERIC, config).expect("dial generic netlink")
}

#[test]
fn typed_get_and_dump_agree_with_raw() {
    let conn = dial();
    let one: CtrlMessage = conn
        .request_one(&Request::get(
            HeaderType(GENL_ID_CTRL),
            CtrlMessage::get_family("nlctrl"),
        ))
        .unwrap();
    assert_eq!(one.family_name.as_deref(), Some("nlctrl"));
    assert_eq!(one.family_id, Some(GENL_ID_CTRL));

    let dump_req = Request::dump(
        HeaderType(GENL_ID_CTRL),
        CtrlMessage::new(CtrlCommand::GetFamily),
    );
    let owned: Vec<CtrlMessage> = conn.request_all(&dump_req).unwrap();
    assert!(owned
        .iter()
        .any(|f| f.family_name.as_deref() == Some("nlctrl")));

    // Borrowed decoding through next_decoded sees the same families in the same order.
    let mut names = Vec::new();
    {
        let mut replies = conn.request(&dump_req).unwrap();
        while let Some(f) = replies.next_decoded::<CtrlMessage>() {
            names.push(f.unwrap().family_name.unwrap());
        }
    }
    let owned_names: Vec<String> = owned.into_iter().map(|f| f.family_name.unwrap()).collect();
    assert_eq!(names, owned_names);

    // The raw dump has as many messages.
    let raw = conn
        .execute(
            &CtrlMessage::new(CtrlCommand::GetFamily)
                .to_request(netlink::HeaderFlags::DUMP)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(raw.len(), names.len());
}

#[test]
fn missing_family_is_not_found() {
    let conn = dial();
    let err = conn
        .request_one::<CtrlMessage, _>(&Request::get(
            HeaderType(GENL_ID_CTRL),
            CtrlMessage::get_family("no-such-family"),
        ))
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// A GETFAMILY request whose name is not length-checked by the encoder, so the kernel's
/// policy (at most 15 bytes) refuses it.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct LongName {
    #[nla(header)]
    header: GenlHeader,
    #[nla(type = 2)]
    name: String,
}

#[test]
fn kernel_error_names_the_rust_field() {
    let conn = dial();
    let body = LongName {
        header: GenlHeader {
            cmd: CtrlCommand::GetFamily.to_repr(),
            version: CTRL_VERSION,
            reserved: 0,
        },
        name: "x".repeat(40),
    };
    let err = conn
        .request_ack(&Request::get(HeaderType(GENL_ID_CTRL), body))
        .unwrap_err();
    let op = err.op_error().expect("a kernel error");
    assert_eq!(op.errno, libc::EINVAL, "{err}");
    assert_eq!(op.ext_ack.field.as_deref(), Some("LongName.name"), "{err}");
    assert!(err.to_string().contains("(field LongName.name)"), "{err}");
}
