//! Policy conformance: every derived generic netlink type of the crate (nlctrl, ethtool,
//! netdev) against the policies the running kernel reports, with zero disagreements; and a
//! deliberately wrong declaration showing each kind of disagreement caught.

use netlink::genl::ethtool::{self as et, Ethtool};
use netlink::genl::policy::{Direction, Disagreement, KernelPolicy, NlAttrType};
use netlink::genl::{Command, CtrlMessage, GenlFamily};
use netlink::{Config, Conn, Family, NlAttrs, Policy};

fn conn() -> Conn {
    Conn::dial(Family::GENERIC, Config::default()).expect("generic netlink socket")
}

struct Case {
    name: &'static str,
    policy: &'static Policy,
    cmd: u8,
    direction: Direction,
}

fn request<F, Req: for<'a> NlAttrs<'a>, Rep>(name: &'static str, c: Command<F, Req, Rep>) -> Case {
    Case {
        name,
        policy: <Req as NlAttrs>::POLICY,
        cmd: c.cmd(),
        direction: Direction::Request,
    }
}

fn reply<T: for<'a> NlAttrs<'a>, F, Req, Rep>(name: &'static str, c: Command<F, Req, Rep>) -> Case {
    Case {
        name,
        policy: <T as NlAttrs>::POLICY,
        cmd: c.cmd(),
        direction: Direction::Reply,
    }
}

fn check_all(family: &str, cases: &[Case]) {
    let kernel = KernelPolicy::dump(&conn(), family).unwrap();
    let mut failures = String::new();
    for c in cases {
        assert!(
            kernel.op(c.cmd).is_some(),
            "{family}: no op {} for {}",
            c.cmd,
            c.name
        );
        let report = kernel.check(c.policy, c.cmd, c.direction);
        if !report.disagreements.is_empty() {
            failures.push_str(&format!("{}: {report}", c.name));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn ethtool_types_agree_with_the_kernel() {
    check_all(
        Ethtool::NAME,
        &[
            request("Strset", et::STRSET_GET),
            request("EthtoolRequest (LINKINFO_GET)", et::LINKINFO_GET),
            request("EthtoolRequest (LINKMODES_GET)", et::LINKMODES_GET),
            request("EthtoolRequest (LINKSTATE_GET)", et::LINKSTATE_GET),
            request("EthtoolRequest (DEBUG_GET)", et::DEBUG_GET),
            request("EthtoolRequest (FEATURES_GET)", et::FEATURES_GET),
            request("EthtoolRequest (RINGS_GET)", et::RINGS_GET),
            request("EthtoolRequest (CHANNELS_GET)", et::CHANNELS_GET),
            request("EthtoolRequest (COALESCE_GET)", et::COALESCE_GET),
            request("EthtoolRequest (PAUSE_GET)", et::PAUSE_GET),
            request("EthtoolRequest (TSINFO_GET)", et::TSINFO_GET),
            request("DebugSet", et::DEBUG_SET),
            request("FeaturesSet", et::FEATURES_SET),
            request("RingsSet", et::RINGS_SET),
            request("ChannelsSet", et::CHANNELS_SET),
            reply::<et::Strset, _, _, _>("Strset reply", et::STRSET_GET),
            reply::<et::LinkInfo, _, _, _>(
                "LinkInfo",
                Command::<Ethtool, (), ()>::new(3, "LINKINFO_SET"),
            ),
            reply::<et::LinkModes, _, _, _>(
                "LinkModes",
                Command::<Ethtool, (), ()>::new(5, "LINKMODES_SET"),
            ),
            reply::<et::LinkState, _, _, _>("LinkState", et::LINKSTATE_GET),
            reply::<et::DebugSettings, _, _, _>("DebugSettings", et::DEBUG_SET),
            reply::<et::Features, _, _, _>("Features", et::FEATURES_SET),
            reply::<et::Rings, _, _, _>("Rings", et::RINGS_SET),
            reply::<et::Channels, _, _, _>("Channels", et::CHANNELS_SET),
            reply::<et::Coalesce, _, _, _>(
                "Coalesce",
                Command::<Ethtool, (), ()>::new(20, "COALESCE_SET"),
            ),
            reply::<et::Pause, _, _, _>("Pause", Command::<Ethtool, (), ()>::new(22, "PAUSE_SET")),
            reply::<et::TsInfo, _, _, _>("TsInfo", et::TSINFO_GET),
        ],
    );
}

#[test]
fn nlctrl_types_agree_with_the_kernel() {
    let kernel = KernelPolicy::dump(&conn(), "nlctrl").unwrap();
    for cmd in [3, 10] {
        let report = kernel.check(<CtrlMessage as NlAttrs>::POLICY, cmd, Direction::Reply);
        assert!(report.disagreements.is_empty(), "command {cmd}: {report}");
    }
}

/// A header nest declared wrongly on purpose.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct WrongHeader {
    /// The kernel's maximum is 127.
    #[nla(type = 2, max_len = 200)]
    dev_name: Option<String>,
    /// A u32 declared as a flag.
    #[nla(type = 3, flag)]
    flags: bool,
}

#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct Inner {
    #[nla(type = 1)]
    x: Option<u32>,
}

/// `RINGS_SET` declared wrongly on purpose: one mistake of each kind.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct WrongRings {
    #[nla(type = 1, nested)]
    header: WrongHeader,
    /// u32 in the kernel: width.
    #[nla(type = 6)]
    rx: Option<u16>,
    /// u32 in the kernel: signedness.
    #[nla(type = 7)]
    rx_mini: Option<i32>,
    /// Read-only (`ETHTOOL_A_RINGS_RX_MAX`): not accepted in a request.
    #[nla(type = 2)]
    rx_max: Option<u32>,
    /// u32 in the kernel: not a nest.
    #[nla(type = 9, nested)]
    tx: Option<Inner>,
    /// u32 in the kernel: a string is another kind.
    #[nla(type = 10)]
    rx_buf_len: Option<String>,
    /// Unsigned variable width: u32 in the kernel.
    #[nla(type = 12)]
    cqe_size: Option<netlink::Uint>,
    /// 0..=2 in the kernel; the type lets any u8 through.
    #[nla(type = 11)]
    tcp_data_split: Option<u8>,
    /// 0..=1 in the kernel; the declared maximum is 3.
    #[nla(type = 13, max = 3)]
    tx_push: Option<u8>,
}

/// `STRSET_GET` with its flag declared as a value.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct WrongStrset {
    #[nla(type = 3)]
    counts_only: Option<u8>,
}

#[test]
fn wrong_declarations_are_caught() {
    let kernel = KernelPolicy::dump(&conn(), "ethtool").unwrap();
    let report = kernel.check(
        <WrongRings as NlAttrs>::POLICY,
        et::RINGS_SET.cmd(),
        Direction::Request,
    );
    let d = &report.disagreements;
    let has = |want: &Disagreement| d.contains(want);
    assert!(
        has(&Disagreement::IntMismatch {
            path: "WrongRings.rx".into(),
            attr_type: 6,
            declared: "u16".into(),
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::IntMismatch {
            path: "WrongRings.rx_mini".into(),
            attr_type: 7,
            declared: "i32".into(),
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::IntMismatch {
            path: "WrongRings.cqe_size".into(),
            attr_type: 12,
            declared: "uint".into(),
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::NotAccepted {
            path: "WrongRings.rx_max".into(),
            attr_type: 2,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::NotNested {
            path: "WrongRings.tx".into(),
            attr_type: 9,
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::KindMismatch {
            path: "WrongRings.rx_buf_len".into(),
            attr_type: 10,
            declared: "string".into(),
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    // Inside the nest: the header's own policy.
    assert!(
        has(&Disagreement::MaxLenExceeds {
            path: "WrongRings.header.dev_name".into(),
            attr_type: 2,
            declared: Some(200),
            kernel: 127,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::KindMismatch {
            path: "WrongRings.header.flags".into(),
            attr_type: 3,
            declared: "flag".into(),
            kernel: NlAttrType::U32,
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::RangeWider {
            path: "WrongRings.tcp_data_split".into(),
            attr_type: 11,
            declared: (0, 255),
            kernel: (0, 2),
        }),
        "{report}"
    );
    assert!(
        has(&Disagreement::RangeWider {
            path: "WrongRings.tx_push".into(),
            attr_type: 13,
            declared: (0, 3),
            kernel: (0, 1),
        }),
        "{report}"
    );
    assert_eq!(d.len(), 10, "{report}");
    // What the kernel accepts beyond the type: information only.
    assert!(report
        .kernel_only
        .iter()
        .any(|k| k.path == "WrongRings" && k.attr_type == 8 && k.kernel == NlAttrType::U32));
    assert!(report
        .kernel_only
        .iter()
        .any(|k| k.path == "WrongRings.header" && k.attr_type == 1));

    let report = kernel.check(
        <WrongStrset as NlAttrs>::POLICY,
        et::STRSET_GET.cmd(),
        Direction::Request,
    );
    assert_eq!(
        report.disagreements,
        [Disagreement::FlagAsValue {
            path: "WrongStrset.counts_only".into(),
            attr_type: 3,
        }]
    );
    // The same types as replies: attributes the kernel does not read are no longer errors.
    let report = kernel.check(
        <WrongRings as NlAttrs>::POLICY,
        et::RINGS_SET.cmd(),
        Direction::Reply,
    );
    assert!(!report
        .disagreements
        .iter()
        .any(|d| matches!(d, Disagreement::NotAccepted { .. })));
    assert_eq!(report.reply_only, ["WrongRings.rx_max"]);
}

#[test]
fn unknown_family_is_a_typed_error() {
    let err = KernelPolicy::dump(&conn(), "no-such-family").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(
        err.to_string(),
        "generic netlink family \"no-such-family\" not found in the kernel"
    );
}

#[test]
fn netdev_types_agree_with_the_kernel() {
    use netlink::genl::netdev as nd;
    let kernel = KernelPolicy::dump(&conn(), "netdev").unwrap();
    let mut failures = String::new();
    let mut check = |name: &str, report: netlink::genl::policy::Report| {
        if !report.disagreements.is_empty() {
            failures.push_str(&format!("{name}: {report}"));
        }
    };
    let req = Direction::Request;
    let rep = Direction::Reply;
    check(
        "DevGet",
        kernel.check(<nd::DevGet as NlAttrs>::POLICY, nd::DEV_GET.cmd(), req),
    );
    check(
        "Dev",
        kernel.check(<nd::Dev as NlAttrs>::POLICY, nd::DEV_GET.cmd(), rep),
    );
    check(
        "PagePoolGet",
        kernel.check(
            <nd::PagePoolGet as NlAttrs>::POLICY,
            nd::PAGE_POOL_GET.cmd(),
            req,
        ),
    );
    check(
        "PagePool",
        kernel.check(
            <nd::PagePool as NlAttrs>::POLICY,
            nd::PAGE_POOL_GET.cmd(),
            rep,
        ),
    );
    check(
        "QueueGet",
        kernel.check(<nd::QueueGet as NlAttrs>::POLICY, nd::QUEUE_GET.cmd(), req),
    );
    check(
        "QueueDump",
        kernel.check_dump(
            <nd::QueueDump as NlAttrs>::POLICY,
            nd::QUEUE_DUMP.cmd(),
            req,
        ),
    );
    check(
        "Queue",
        kernel.check(<nd::Queue as NlAttrs>::POLICY, nd::QUEUE_GET.cmd(), rep),
    );
    check(
        "NapiGet",
        kernel.check(<nd::NapiGet as NlAttrs>::POLICY, nd::NAPI_GET.cmd(), req),
    );
    check(
        "NapiDump",
        kernel.check_dump(<nd::NapiDump as NlAttrs>::POLICY, nd::NAPI_DUMP.cmd(), req),
    );
    // NAPI_SET (14) accepts the settable NAPI attributes: the reply type's kinds checked there.
    check("Napi", kernel.check(<nd::Napi as NlAttrs>::POLICY, 14, rep));
    // QSTATS_GET has only a dump form, which this kernel's policy dump lists under command 0
    // (the do form's number); look it up by the table it names.
    let qstats = kernel
        .ops
        .iter()
        .find(|(c, p)| (*c == 12 || *c == 0) && p.do_policy.is_none())
        .and_then(|(_, p)| p.dump_policy);
    assert!(qstats.is_some(), "{:?}", kernel.ops);
    check(
        "QstatsGet",
        kernel.check_table(<nd::QstatsGet as NlAttrs>::POLICY, qstats, req),
    );
    check(
        "Qstats",
        kernel.check_table(<nd::Qstats as NlAttrs>::POLICY, qstats, rep),
    );
    assert!(failures.is_empty(), "{failures}");
}

/// `CTRL_CMD_GETFAMILY` with the family name declared as a u32 (the id is right: a u16 of
/// any value).
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
struct WrongGetFamily {
    #[nla(type = 2)]
    family_name: Option<u32>,
    #[nla(type = 1)]
    family_id: Option<u16>,
}

#[test]
fn captured_policy_dump_without_a_kernel() {
    // tests/fixtures/getpolicy_nlctrl.bin: nlctrl's own policy dump, captured.
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/getpolicy_nlctrl.bin"
    ))
    .unwrap();
    let mut kernel = KernelPolicy::default();
    for m in netlink::messages(&bytes) {
        let m = m.unwrap();
        if m.header.kind == netlink::HeaderType::DONE {
            continue;
        }
        kernel.add(&CtrlMessage::from_message(&m).unwrap());
    }
    assert_eq!(kernel.family_id, 0x10);
    let get_family = kernel.op(3).unwrap();
    assert!(get_family.do_policy.is_some() && get_family.dump_policy.is_some());
    let ok = kernel.check(<CtrlMessage as NlAttrs>::POLICY, 3, Direction::Reply);
    assert!(ok.disagreements.is_empty(), "{ok}");
    let wrong = kernel.check(<WrongGetFamily as NlAttrs>::POLICY, 3, Direction::Request);
    assert_eq!(
        wrong.disagreements,
        [Disagreement::KindMismatch {
            path: "WrongGetFamily.family_name".into(),
            attr_type: 2,
            declared: "u32".into(),
            kernel: NlAttrType::NUL_STRING,
        }],
        "{wrong}"
    );
    assert_eq!(
        wrong.to_string().lines().nth(1).unwrap().trim(),
        "WrongGetFamily.family_name (attribute 2): declared u32, kernel expects NUL_STRING"
    );
}
