//! Derives for the `netlink` crate: `#[derive(NlAttrs)]` (attribute sets),
//! `#[derive(NlEnum)]` (numeric enums) and `#[derive(NlStruct)]` (C structures).
//!
//! Use them through the `netlink` crate (feature `derive`, on by default), which re-exports
//! them next to the traits they implement: the generated code names `::netlink::__private`
//! only (or the path given with `#[nla(crate = "...")]`).
//!
//! Each derive runs in three steps: parse the `#[nla(...)]` attributes (`attr`, `ast`), check
//! the rules between fields (`check`), generate (`expand`, `enums`, `cstruct`). Every mistake
//! becomes a `syn::Error` on the offending token; all of them are reported in one run, and a
//! stub impl keeps the rest of the user's code from adding a cascade of errors.

mod ast;
mod attr;
mod check;
mod cstruct;
mod ctxt;
mod enums;
mod expand;
mod submsg;

use proc_macro::TokenStream;

/// Derives `NlAttrs`: the struct's fields are netlink attributes.
///
/// The derive writes an encoder (into a caller's `Vec<u8>`, no intermediate allocation), a
/// one-pass decoder (from a borrowed buffer) and a validation policy from one declaration.
///
/// ```
/// use std::net::Ipv4Addr;
/// use netlink::{NlAttrs, UnknownAttrs};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct Inner {
///     #[nla(type = 1)] a: u32,
/// }
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct Example {
///     #[nla(type = 1)]          number: u16,              // required: missing -> error
///     #[nla(type = 2)]          name: Option<String>,     // optional
///     #[nla(type = 3, nested)]  inner: Option<Inner>,     // nested attribute set
///     #[nla(type = 4, flag)]    enabled: bool,            // present / absent
///     #[nla(type = 5, be)]      port: u16,                // network byte order
///     #[nla(type = 6, multi)]   addrs: Vec<Ipv4Addr>,     // repeated attribute
///     #[nla(unknown)]           rest: UnknownAttrs,       // unknown attributes, byte-exact
/// }
///
/// let x = Example { number: 7, port: 80, addrs: vec![Ipv4Addr::LOCALHOST], ..Default::default() };
/// let mut buf = Vec::new();
/// x.encode(&mut buf)?;
/// assert_eq!(Example::decode(&buf)?, x);
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// # Attribute reference
///
/// On a field (`#[nla(key, key = value, ...)]`):
///
/// | key | meaning | field types |
/// |---|---|---|
/// | `type = N` | the attribute type, 1..=16383 (the two top bits are flags): a literal, or a constant (`type = IFLA_IFNAME`, `type = libc::IFLA_MTU`) checked at compile time (range, and no two fields with one type); required on every attribute field | all below |
/// | *(none)* | a value attribute: required when the type is `T`, optional with `Option<T>` | `u8`..`u64`, `i8`..`i64`, `Uint`/`Sint` (variable width), `String`, `CString`, `Vec<u8>`, `[u8; N]`, `Ipv4Addr`, `Ipv6Addr`, `IpAddr`, an `NlEnum`, an `NlStruct` (e.g. `Bitfield32`), any `NlaValue`; borrowed: `&'a str`, `&'a CStr`, `&'a [u8]` |
/// | `be` | integers travel in network byte order (big-endian) | integers, `Uint`/`Sint`, `NlEnum`s |
/// | `flag` | a flag attribute: present (empty payload) means `true` | `bool` |
/// | `nested` | a nested attribute set, encoded with `NLA_F_NESTED`; `Box<T>` for recursive types; a set with a `header` starts the nest with that header (a whole message inside an attribute) | a struct deriving `NlAttrs` (or `Indexed<T>`), `Option<T>`, `Box<T>` |
/// | `no_nested_flag` | with `nested`: the nest is written without `NLA_F_NESTED`, as the kernel writes its older nests (`nla_nest_start_noflag`: `CTRL_ATTR_OPS`, `CTRL_ATTR_MCAST_GROUPS`, `IFLA_LINKINFO`, ...), so that re-encoding a kernel reply gives its bytes back; an `Indexed<T>` field writes its entries without the flag too. Decoding accepts either | as `nested` |
/// | `sub_message = field` | an attribute set chosen by the value of the string attribute `field` of the same struct (`IFLA_INFO_DATA` by `IFLA_INFO_KIND`), with a fallback keeping the bytes of unknown selectors | an enum deriving `NlSubMessage`, `Option<T>` |
/// | `family = header.FIELD` | an address whose version the message's address family decides: `FIELD` is the `u8` or `u16` family field of the `header` (`ifa_family`, `rtm_family`, ...). `AF_INET` (and `RTNL_FAMILY_IPMR`) requires 4 bytes, `AF_INET6` (and `RTNL_FAMILY_IP6MR`) 16, anything else being `DecodeError::AddressFamily` naming the field and the family; `AF_UNSPEC` and `AF_BRIDGE` read either by its length; in any other family (`AF_MPLS`, whose `RTA_DST` is a label) the attribute is not an IP address and is kept byte-exact with the unknown ones (strict decoding too). Encoding refuses an address the family rules out, naming the field (see `netlink::AddrFamily`) | `IpAddr`, `Option<IpAddr>`, `Vec<IpAddr>` with `multi`; any `NlaFamilyValue` (such as `netlink::route::Multipath`, whose next hops' gateways follow the route's family) |
/// | `family = outer` | as `family = header.FIELD`, for a set without a header of its own whose addresses follow the enclosing message's family: the family comes from `DecodeOptions::family`, which the value decoding the set passes down (`AF_UNSPEC`, read by length, when not known); encoding writes the address as it is | as above |
/// | `multi` | a repeated attribute: every occurrence, in order | `Vec<T>`; in borrowed structs also `Multi<'a, T>` (lazy, no allocation) |
/// | `max_len = N` | longest string (bytes, without the NUL) or binary payload; checked on encode and decode | strings, bytes |
/// | `min = N`, `max = N` | smallest / largest integer; checked on encode and decode | integers |
/// | `unknown` | keeps every attribute of an undeclared type, in order, byte-exact with its type flags; encoded after the declared ones | `UnknownAttrs` |
/// | `header` | a fixed family header before the attributes (`struct genlmsghdr`, `struct ifinfomsg`, ...) | a struct deriving `NlStruct` |
/// | `order` | not an attribute: remembers the order in which a decoded value's attributes arrived when it was not declaration order, and encodes them back in that order, unknown ones at their places (the kernel orders some sets by address family: `IFA_CACHEINFO` and `IFA_FLAGS`, `RTA_METRICS` and `RTA_PRIORITY`); ignored by equality; see `AttrOrder` | `AttrOrder` |
///
/// On the struct: `#[nla(crate = "path")]` names the runtime crate when it is not `::netlink`
/// (a rename, or a re-export).
///
/// Decoding rules:
/// - attribute types are matched with the flag bits (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`)
///   masked off; nests are accepted with or without `NLA_F_NESTED`;
/// - a non-repeated attribute sent twice: the last one wins, as in the kernel's own parser;
/// - an undeclared type is kept by the `unknown` field, or skipped; with
///   `DecodeOptions::strict()` it is an error (`DecodeError::UnknownAttribute`);
/// - an address of a `family` field is read by the header's family (see the table), before
///   any attribute: the header is decoded first;
/// - a missing required attribute is `DecodeError::MissingAttribute` naming the field;
///   a failed check is `DecodeError::Invalid` naming the field; every error carries the
///   offset and the attribute type, which `Policy::path_at` turns into a field path
///   (`Link.info.data.port`).
///
/// Encoding writes the header, then the fields in declaration order, then the unknown
/// attributes. Declared in the kernel's order, with `no_nested_flag` where the kernel omits
/// the flag, a decoded kernel message encodes back to the kernel's bytes (strings excepted
/// when their payload holds bytes after the first NUL, which decoding drops, as the kernel's
/// own reading does). Where the kernel writes one set in more than one order, an `order`
/// field keeps each decoded message's own: it costs a comparison per attribute, and one
/// allocation only for a message that arrived against declaration order. Fields set after
/// decoding that the recorded order does not name follow the recorded ones, in declaration
/// order.
///
/// The struct may have one lifetime parameter: it then borrows its strings and bytes from the
/// buffer it is decoded from, in one pass and without allocating:
///
/// ```
/// use netlink::{Multi, NlAttrs};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct LinkRef<'a> {
///     #[nla(type = 3)] name: &'a str,
///     #[nla(type = 1)] address: Option<&'a [u8]>,
///     #[nla(type = 9, multi)] alt_names: Multi<'a, &'a str>,
/// }
///
/// let buf = LinkRef { name: "eth0", ..Default::default() }.to_bytes()?;
/// let link = LinkRef::decode(&buf)?;
/// assert_eq!(link.name, "eth0");
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// Mistakes are compile errors on the offending token: a duplicate type (pointing at both
/// fields), type 0 or above 16383, a missing `type`, an unknown or repeated key (the message
/// lists the valid keys), `nested` on a non-struct, `no_nested_flag` without `nested`, `flag`
/// on a non-`bool`, `be` on a string, `max_len` on an integer, `min` above `max`, two
/// `unknown` fields, an `order` field not of type `AttrOrder` (or an `AttrOrder` field without
/// `order`), two `order` fields, `family` on anything but an address (or with no header
/// to take the family from, or naming a field other than the header; a header field that
/// does not exist or is not a `u8`/`u16` is one compiler error on that field), an
/// unsupported type (with a hint), an enum, union or tuple struct, a borrowed field without
/// the struct's lifetime, type or const generics.
///
/// With the `netlink` feature `testing`, the derive also implements
/// `netlink::roundtrip::Arbitrary`, a generator of values obeying the checks, used by
/// `netlink::check_nlattrs!`.
#[proc_macro_derive(NlAttrs, attributes(nla))]
pub fn derive_nl_attrs(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    let mut cx = ctxt::Ctxt::default();
    let Some(container) = ast::container(&mut cx, &input) else {
        let krate = attr::crate_path(&attr::parse(
            &mut ctxt::Ctxt::default(),
            &input.attrs,
            attr::CONTAINER_KEYS,
        ));
        let mut out = cx.into_compile_errors();
        out.extend(expand::stub(&input, &krate));
        return out.into();
    };
    let krate = attr::crate_path(&container.attrs);
    check::check(&mut cx, &container);
    if cx.is_ok() {
        expand::expand(&container, &krate).into()
    } else {
        let mut out = cx.into_compile_errors();
        out.extend(expand::stub(&input, &krate));
        out.into()
    }
}

/// Derives `NlEnum` (and `NlaValue`, so it can be an attribute, and `StructField`, so it can
/// be a field of an `NlStruct`): a numeric enum with a variant for unknown values.
///
/// Needs `#[repr(u8)]` (or `u16`, `u32`, `u64`, `i8`..`i64`), unit variants whose values are
/// their discriminants (explicit or counted from the previous one), and one
/// `#[nla(other)]` variant holding any value without a variant of its own, so that decoding
/// never fails on a value a newer kernel added. `Other(v)` with a known `v` encodes as that
/// known value (and decodes to its variant).
///
/// Rust counts a discriminant for the `other` variant too, as for any variant (and the
/// variants after it count on from there). It only tells the variants apart, but it must fit
/// the repr and differ from every value: after a variant valued at the repr's largest value
/// (`0xff` for `u8`), or where it would count to a variant's value, give it an explicit one
/// that no variant uses, such as `#[nla(other)] Other(u8) = 1`; the derive says so on the
/// variant.
///
/// ```
/// use netlink::{NlAttrs, NlEnum};
///
/// #[derive(NlEnum, Debug, Clone, Copy, PartialEq, Eq)]
/// #[repr(u8)]
/// enum OperState {
///     Unknown = 0,
///     Down = 2,
///     Up = 6,
///     #[nla(other)]
///     Other(u8),
/// }
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq)]
/// struct Link {
///     #[nla(type = 16)] operstate: OperState,
/// }
///
/// let buf = Link { operstate: OperState::Up }.to_bytes()?;
/// assert_eq!(Link::decode(&buf)?.operstate, OperState::Up);
/// assert_eq!(OperState::from_repr(4), OperState::Other(4));
/// # Ok::<(), netlink::Error>(())
/// ```
#[proc_macro_derive(NlEnum, attributes(nla))]
pub fn derive_nl_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    enums::derive(&input).into()
}

/// Derives `NlStruct` (and `NlaValue`, so it can be an attribute's payload): a fixed-layout C
/// structure, encoded field by field without `unsafe`.
///
/// Fields are fixed-width integers (`#[nla(be)]` for network byte order), `[u8; N]`, numeric
/// enums (`NlEnum`) and other `NlStruct`s, laid out as C would (each at a multiple of its
/// alignment; declare explicit padding fields for readability if you like). The last field
/// may be `#[nla(tail)] Vec<u8>`: bytes past the known size, which newer kernels add, are
/// kept there so the round trip is byte-exact. A shorter payload (an older kernel) is read as
/// if zero-filled.
///
/// Use it as a family header with `#[nla(header)]`, or as an attribute payload:
///
/// ```
/// use netlink::{NlAttrs, NlStruct};
///
/// #[derive(NlStruct, Debug, Clone, PartialEq, Default)]
/// struct IfInfoMsg {          // struct ifinfomsg
///     family: u8,
///     pad: u8,
///     kind: u16,
///     index: i32,
///     flags: u32,
///     change: u32,
/// }
///
/// #[derive(NlStruct, Debug, Clone, PartialEq, Default)]
/// struct Stats {
///     rx_packets: u64,
///     tx_packets: u64,
///     #[nla(tail)] newer: Vec<u8>,
/// }
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct LinkMessage {
///     #[nla(header)] header: IfInfoMsg,
///     #[nla(type = 3)] name: Option<String>,
///     #[nla(type = 23)] stats: Option<Stats>,
/// }
///
/// assert_eq!(<IfInfoMsg as NlStruct>::SIZE, 16);
/// let msg = LinkMessage { header: IfInfoMsg { index: 1, ..Default::default() }, ..Default::default() };
/// let buf = msg.to_bytes()?;
/// assert_eq!(buf.len(), 16);
/// assert_eq!(LinkMessage::decode(&buf)?, msg);
/// # Ok::<(), netlink::Error>(())
/// ```
#[proc_macro_derive(NlStruct, attributes(nla))]
pub fn derive_nl_struct(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    cstruct::derive(&input).into()
}

/// Derives `NlSubMessage`: an attribute whose attribute set is chosen by the value of another
/// attribute of the same set (the kernel specs' `sub-message`), such as `IFLA_INFO_DATA`
/// chosen by `IFLA_INFO_KIND`.
///
/// Each variant holds the attribute set (a struct deriving `NlAttrs`, with or without a
/// family header) that one selector value chooses, `#[nla(selector = "name")]`; one
/// `#[nla(other)]` variant holding `netlink::submsg::Opaque` (or `Opaque<&'a [u8]>`) keeps the
/// payload of any other selector, and of a missing one, byte for byte, with the type flags it
/// arrived with (`NLA_F_NESTED`). The payload alone (`Vec<u8>`, `&'a [u8]`) is accepted too,
/// but is written back without type flags. The enum may have one lifetime parameter.
///
/// The field that carries it names its selector field: `#[nla(type = N, sub_message = kind)]`,
/// where `kind` is a string attribute (`String`, `&'a str`, or an `Option` of one) of the same
/// struct. The two attributes may arrive in either order. Known variants are encoded as nests
/// (with `NLA_F_NESTED`, unless the field also says `no_nested_flag`); the `other` variant's
/// bytes are written back unchanged, with the flags it kept.
///
/// ```
/// use netlink::submsg::Opaque;
/// use netlink::{NlAttrs, NlSubMessage};
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct MacvlanData {
///     #[nla(type = 1)] mode: Option<u32>,
/// }
///
/// #[derive(NlSubMessage, Debug, Clone, PartialEq)]
/// enum InfoData {
///     #[nla(selector = "macvlan")] Macvlan(MacvlanData),
///     #[nla(other)] Other(Opaque),
/// }
///
/// #[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
/// struct LinkInfo {
///     #[nla(type = 1)] kind: Option<String>,
///     #[nla(type = 2, sub_message = kind)] data: Option<InfoData>,
/// }
///
/// let info = LinkInfo {
///     kind: Some("macvlan".into()),
///     data: Some(InfoData::Macvlan(MacvlanData { mode: Some(4) })),
/// };
/// assert_eq!(LinkInfo::decode(&info.to_bytes()?)?, info);
/// # Ok::<(), netlink::Error>(())
/// ```
///
/// Mistakes are compile errors: a variant without `selector` or `other`, two variants with
/// one selector, no `other` variant, a variant that does not hold exactly one value; on the
/// field, `sub_message` naming a field that does not exist or is not a string attribute.
#[proc_macro_derive(NlSubMessage, attributes(nla))]
pub fn derive_nl_sub_message(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    submsg::derive(&input).into()
}

#[cfg(test)]
mod tests {
    //! Expansion tests: what the generated code looks like, independent of the compiler.

    use proc_macro2::{TokenStream, TokenTree};

    fn expand_nl_attrs(src: &str) -> String {
        let input: syn::DeriveInput = syn::parse_str(src).expect("valid input");
        let mut cx = crate::ctxt::Ctxt::default();
        let c = crate::ast::container(&mut cx, &input).expect("a struct");
        crate::check::check(&mut cx, &c);
        assert!(cx.is_ok());
        let krate = crate::attr::crate_path(&c.attrs);
        crate::expand::expand(&c, &krate).to_string()
    }

    /// Every absolute path (`::a::b`) of a token stream, as its first two segments.
    fn absolute_paths(ts: TokenStream, out: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = ts.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            match t {
                TokenTree::Group(g) => absolute_paths(g.stream(), out),
                TokenTree::Punct(p) if p.as_char() == ':' => {
                    // `::` not preceded by an identifier, `>` or `:` starts an absolute path.
                    let prev = i.checked_sub(1).and_then(|j| tokens.get(j));
                    let next = tokens.get(i + 1);
                    let starts = matches!(next, Some(TokenTree::Punct(n)) if n.as_char() == ':')
                        && !matches!(prev, Some(TokenTree::Ident(_)))
                        && !matches!(prev, Some(TokenTree::Punct(q)) if q.as_char() == ':' || q.as_char() == '>');
                    if starts {
                        let seg = |k: usize| match tokens.get(k) {
                            Some(TokenTree::Ident(id)) => id.to_string(),
                            _ => String::new(),
                        };
                        out.push(format!("::{}::{}", seg(i + 2), seg(i + 5)));
                    }
                }
                _ => {}
            }
        }
    }

    const EXAMPLE: &str = r#"
        struct Example<'a> {
            #[nla(type = 1, min = 1, max = 9)] number: u16,
            #[nla(type = 2, max_len = 15)] name: Option<&'a str>,
            #[nla(type = 3, nested)] inner: Option<Box<Inner>>,
            #[nla(type = 4, flag)] enabled: bool,
            #[nla(type = 5, be)] port: u16,
            #[nla(type = 6, multi)] addrs: Multi<'a, Ipv4Addr>,
            #[nla(unknown)] rest: UnknownAttrs,
            #[nla(header)] header: GenlHeader,
            #[nla(type = consts::SEVEN)] seven: Option<u32>,
            #[nla(type = 8, sub_message = name)] data: Option<Data<'a>>,
            #[nla(type = 9, family = header.family)] addr: Option<IpAddr>,
            #[nla(type = 10, multi, family = header.family)] peers: Vec<IpAddr>,
        }
    "#;

    #[test]
    fn generated_code_names_only_the_private_module() {
        let out: TokenStream = expand_nl_attrs(EXAMPLE).parse().expect("tokens");
        let mut paths = Vec::new();
        absolute_paths(out, &mut paths);
        assert!(!paths.is_empty());
        for p in &paths {
            assert_eq!(p, "::netlink::__private", "{paths:?}");
        }
    }

    #[test]
    fn generated_code_is_wrapped_in_an_anonymous_const() {
        let out = expand_nl_attrs(EXAMPLE);
        assert!(out.starts_with("const _ : () = {"), "{out}");
        assert!(
            out.contains(
                "impl < 'a > :: netlink :: __private :: NlAttrs < 'a > for Example < 'a >"
            ),
            "{out}"
        );
        assert!(
            out.contains(":: netlink :: __private :: if_testing !"),
            "{out}"
        );
    }

    #[test]
    fn crate_path_is_honoured() {
        let src = EXAMPLE.replace(
            "struct Example",
            "#[nla(crate = \"my::nl\")] struct Example",
        );
        let out = expand_nl_attrs(&src);
        assert!(!out.contains(":: netlink"), "{out}");
        assert!(out.contains("my :: nl :: __private :: NlAttrs"), "{out}");
        let enum_src: syn::DeriveInput = syn::parse_str(
            "#[nla(crate = \"nl\")] #[repr(u8)] enum E { A = 1, #[nla(other)] Other(u8) }",
        )
        .expect("enum");
        let out = crate::enums::derive(&enum_src).to_string();
        assert!(
            !out.contains(":: netlink") && !out.contains(":: core"),
            "{out}"
        );
        let struct_src: syn::DeriveInput =
            syn::parse_str("#[nla(crate = \"nl\")] struct S { a: u8, #[nla(be)] b: u32 }")
                .expect("struct");
        let out = crate::cstruct::derive(&struct_src).to_string();
        assert!(
            !out.contains(":: netlink") && !out.contains(":: core"),
            "{out}"
        );
        let sub_src: syn::DeriveInput = syn::parse_str(
            "#[nla(crate = \"nl\")] enum D<'a> { #[nla(selector = \"a\")] A(X), #[nla(other)] O(&'a [u8]) }",
        )
        .expect("enum");
        let out = crate::submsg::derive(&sub_src).to_string();
        assert!(
            !out.contains(":: netlink") && !out.contains(":: core"),
            "{out}"
        );
    }

    #[test]
    fn no_nested_flag_writes_an_unflagged_nest() {
        let out = expand_nl_attrs(
            "struct S { #[nla(type = 7, nested, no_nested_flag)] legacy: Option<Inner>, \
             #[nla(type = 8, nested)] modern: Option<Inner> }",
        );
        // Both through the header-aware helpers of the runtime crate.
        assert!(
            out.contains("encode_nested_no_flag :: < Inner > (__v , __ae , 7)"),
            "{out}"
        );
        assert!(
            out.contains("encode_nested :: < Inner > (__v , __ae , 8)"),
            "{out}"
        );
        assert_eq!(out.matches("nested_flag : false").count(), 1, "{out}");
        assert_eq!(out.matches("nested_flag : true").count(), 1, "{out}");
    }

    #[test]
    fn family_fields_read_the_header_before_the_attributes() {
        let out = expand_nl_attrs(
            "struct S { #[nla(header)] header: H, #[nla(type = 1, family = header.family)] \
             a: Option<IpAddr>, #[nla(type = 2, family = header.family)] b: Option<IpAddr> }",
        );
        // One helper names the header's field; the decoder reads the header once, first.
        assert_eq!(out.matches("fn __nla_family_family").count(), 1, "{out}");
        assert_eq!(out.matches("(* __h) . family").count(), 2, "{out}");
        let hdr = out.find("let __hdr = < H as").expect("header read first");
        let fam = out.find("let __fam_family : u16 = __nla_family_family (& __hdr)");
        let lp = out.find("for __a in __attrs").expect("the loop");
        assert!(fam.is_some_and(|f| hdr < f && f < lp), "{out}");
        assert!(out.contains("header : __hdr"), "{out}");
        assert_eq!(out.matches("in_family (__fam_family)").count(), 2, "{out}");
        // `outer`: the family of the decode options, no header needed.
        let outer = expand_nl_attrs("struct N { #[nla(type = 1, family = outer)] gw: IpAddr }");
        assert_eq!(
            outer.matches("in_family (__opts . family)").count(),
            1,
            "{outer}"
        );
        let mut paths = Vec::new();
        absolute_paths(outer.parse().expect("tokens"), &mut paths);
        assert!(
            paths.iter().all(|p| p == "::netlink::__private"),
            "{paths:?}"
        );
        // Without a family field, the header is read where it always was.
        let plain =
            expand_nl_attrs("struct S { #[nla(header)] header: H, #[nla(type = 1)] a: u8 }");
        assert!(!plain.contains("__hdr"), "{plain}");
    }

    #[test]
    fn errors_are_collected_not_panicked() {
        let input: syn::DeriveInput = syn::parse_str(
            "struct S { #[nla(type = 0)] a: u32, #[nla(type = 0, flag)] b: u8, #[nla(bogus)] c: u8 }",
        )
        .expect("input");
        let mut cx = crate::ctxt::Ctxt::default();
        let c = crate::ast::container(&mut cx, &input).expect("a struct");
        crate::check::check(&mut cx, &c);
        let errors = cx.into_compile_errors().to_string();
        // type 0 (twice), flag on u8, the duplicate (both fields), the unknown key, missing type.
        assert_eq!(errors.matches("compile_error").count(), 7, "{errors}");
    }
}
