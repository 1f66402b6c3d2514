//! Cross-field rules of `#[derive(NlAttrs)]`: every mistake found is reported.

use std::collections::BTreeMap;

use crate::ast::{Class, Container, Field, Wrapper};
use crate::ctxt::Ctxt;

/// The largest attribute type: the two top bits of the type are `NLA_F_NESTED` and
/// `NLA_F_NET_BYTEORDER`.
pub const MAX_TYPE: u64 = 0x3fff;

/// Checks the container; errors go to `cx`.
pub fn check(cx: &mut Ctxt, c: &Container<'_>) {
    let mut types: BTreeMap<u64, &Field> = BTreeMap::new();
    let mut unknown: Option<&Field> = None;
    let mut header: Option<&Field> = None;
    let mut order: Option<&Field> = None;
    check_family_sources(cx, c);
    for f in &c.fields {
        check_field(cx, f);
        let a = &f.attrs;
        if a.unknown.is_some() {
            if let Some(first) = unknown {
                cx.error_spanned(
                    &f.ident,
                    "a second `unknown` field: one field keeps every unknown attribute",
                );
                cx.error_spanned(&first.ident, "the first `unknown` field is here");
            }
            unknown = Some(f);
        }
        if a.header.is_some() {
            if let Some(first) = header {
                cx.error_spanned(
                    &f.ident,
                    "a second `header` field: a message has one family header",
                );
                cx.error_spanned(&first.ident, "the first `header` field is here");
            }
            header = Some(f);
        }
        if a.order.is_some() {
            if let Some(first) = order {
                cx.error_spanned(
                    &f.ident,
                    "a second `order` field: one field keeps the order of every attribute",
                );
                cx.error_spanned(&first.ident, "the first `order` field is here");
            }
            order = Some(f);
        }
        if let Some(sel) = &a.sub_message {
            check_selector(cx, c, sel);
        }
        if let Some(fam) = &a.family {
            check_family_source(cx, c, fam);
        }
        if let Some(t) = &a.attr_type {
            if let Some(first) = types.get(&t.value) {
                cx.error_at(
                    t.span,
                    format!(
                        "duplicate attribute type {}: `{}` already uses it",
                        t.value, first.ident
                    ),
                );
                if let Some(ft) = &first.attrs.attr_type {
                    cx.error_at(
                        ft.span,
                        format!(
                            "attribute type {} first used here, by `{}`",
                            t.value, first.ident
                        ),
                    );
                }
            } else {
                types.insert(t.value, f);
            }
        }
    }
}

fn kind_name(c: &Class) -> &'static str {
    match c {
        Class::Int { .. } => "an integer",
        Class::Bool => "`bool`",
        Class::Str => "a string",
        Class::Bytes => "bytes",
        Class::Ip => "an IP address",
        Class::Unknown => "`UnknownAttrs`",
        Class::Order => "`AttrOrder`",
        Class::Other => "a struct or enum",
        Class::Unsupported(_) => "an unsupported type",
    }
}

fn check_field(cx: &mut Ctxt, f: &Field) {
    let a = &f.attrs;
    let name = &f.ident;

    // Fields that are not attributes.
    for (role, span) in [
        ("unknown", a.unknown),
        ("header", a.header),
        ("order", a.order),
    ] {
        let Some(span) = span else { continue };
        for (key, kspan) in a.keys_set() {
            if key != role {
                cx.error_at(kspan, format!("`{key}` cannot be combined with `{role}`"));
            }
        }
        if role == "unknown" && (f.class != Class::Unknown || f.wrapper != Wrapper::None) {
            cx.error_spanned(
                &f.inner,
                "an `unknown` field must have type `UnknownAttrs` (it keeps every unknown \
                 attribute, in order, byte-exact)",
            );
        }
        if role == "header" && (f.class != Class::Other || f.wrapper != Wrapper::None || f.boxed) {
            cx.error_spanned(
                &f.inner,
                "a `header` field must be a C structure deriving NlStruct (such as \
                 `struct genlmsghdr`)",
            );
        }
        if role == "order" && (f.class != Class::Order || f.wrapper != Wrapper::None || f.boxed) {
            cx.error_spanned(
                &f.inner,
                "an `order` field must have type `AttrOrder` (it keeps the order in which the \
                 attributes arrived, to encode them back in that order)",
            );
        }
        let _ = span;
        return;
    }

    if let Class::Unsupported(why) = &f.class {
        cx.error_spanned(&f.inner, format!("unsupported field type: {why}"));
        return;
    }
    if f.class == Class::Unknown {
        cx.error_spanned(&f.inner, "an `UnknownAttrs` field needs `#[nla(unknown)]`");
        return;
    }
    if f.class == Class::Order {
        cx.error_spanned(
            &f.inner,
            "an `AttrOrder` field needs `#[nla(order)]` (it is not an attribute)",
        );
        return;
    }

    if a.attr_type.is_none() && a.type_expr.is_none() {
        cx.error_spanned(
            name,
            format!(
                "field `{name}` needs `#[nla(type = N)]` (its attribute type number or a \
                 constant), or `#[nla(unknown)]` / `#[nla(header)]`"
            ),
        );
        return;
    }
    if a.sub_message.is_some() {
        check_sub_message_field(cx, f);
        return;
    }
    let Some(t) = &a.attr_type else {
        // `type = CONSTANT`: its range is checked by the generated code.
        return check_value_keys(cx, f);
    };
    if t.value == 0 {
        cx.error_at(
            t.span,
            "attribute type 0 is reserved (the `_UNSPEC` of every family): types start at 1",
        );
    } else if t.value > MAX_TYPE {
        cx.error_at(
            t.span,
            format!(
                "attribute type {} is above 16383: the two top bits of the type are the \
                 NLA_F_NESTED and NLA_F_NET_BYTEORDER flags",
                t.value
            ),
        );
    }
    check_value_keys(cx, f);
}

/// The rules of the keys besides `type`.
fn check_value_keys(cx: &mut Ctxt, f: &Field) {
    let a = &f.attrs;
    if let Some(s) = a.multi {
        if !matches!(f.wrapper, Wrapper::Vec | Wrapper::Multi) {
            cx.error_at(
                s,
                "`multi` needs a `Vec<T>` field (or `Multi<'a, T>` in a borrowed struct)",
            );
        }
        if let Some(fs) = a.flag {
            cx.error_at(fs, "`flag` cannot be combined with `multi`");
        }
    }

    if let Some(s) = a.flag {
        if f.class != Class::Bool || f.wrapper != Wrapper::None {
            cx.error_at(
                s,
                format!("`flag` needs a `bool` field, not {}", kind_name(&f.class)),
            );
        }
        for (key, kspan) in a.keys_set() {
            if !matches!(key, "type" | "flag" | "multi") {
                cx.error_at(kspan, format!("`{key}` cannot be combined with `flag`"));
            }
        }
        return;
    }
    if f.class == Class::Bool {
        cx.error_spanned(
            &f.inner,
            "a `bool` field is a flag attribute: add `flag` (present = true, absent = false)",
        );
        return;
    }

    if a.family.is_some() {
        check_family_field(cx, f);
        return;
    }

    if let (Some(s), None) = (a.no_nested_flag, a.nested) {
        cx.error_at(
            s,
            "`no_nested_flag` needs `nested`: it writes a nested attribute without \
             NLA_F_NESTED, as the kernel does for some older nests",
        );
    }

    if let Some(s) = a.nested {
        if f.class != Class::Other {
            cx.error_at(
                s,
                format!(
                    "`nested` needs a struct deriving NlAttrs (an attribute set), not {}",
                    kind_name(&f.class)
                ),
            );
        }
        for (key, kspan) in a.keys_set() {
            if matches!(key, "be" | "max_len" | "min" | "max") {
                cx.error_at(kspan, format!("`{key}` cannot be combined with `nested`"));
            }
        }
    } else if f.boxed {
        cx.error_spanned(
            &f.inner,
            "`Box` is for nested sets (recursive types): add `nested`, or drop the `Box`",
        );
    }

    if let Some(s) = a.be {
        if !matches!(f.class, Class::Int { .. } | Class::Other) {
            cx.error_at(
                s,
                format!(
                    "`be` (network byte order) applies to integers, not {}",
                    kind_name(&f.class)
                ),
            );
        }
    }

    if let Some(m) = &a.max_len {
        if !matches!(f.class, Class::Str | Class::Bytes) {
            cx.error_at(
                m.span,
                format!(
                    "`max_len` applies to strings and bytes, not {}",
                    kind_name(&f.class)
                ),
            );
        }
    }

    for bound in [&a.min, &a.max].into_iter().flatten() {
        match f.class {
            Class::Int { bits, signed } => {
                let (lo, hi) = if signed {
                    (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
                } else {
                    (0, (1i128 << bits) - 1)
                };
                if bound.value < lo || bound.value > hi {
                    cx.error_spanned(
                        &bound.tokens,
                        format!(
                            "{} is out of range for the field's integer type",
                            bound.value
                        ),
                    );
                }
            }
            _ => cx.error_at(
                bound.span,
                format!(
                    "`min` and `max` apply to integers, not {}",
                    kind_name(&f.class)
                ),
            ),
        }
    }
    if let (Some(lo), Some(hi)) = (&a.min, &a.max) {
        if lo.value > hi.value {
            cx.error_spanned(
                &lo.tokens,
                format!("`min = {}` is above `max = {}`", lo.value, hi.value),
            );
        }
    }
}

/// A sub-message field: an enum deriving NlSubMessage, alone or in an `Option`.
fn check_sub_message_field(cx: &mut Ctxt, f: &Field) {
    let a = &f.attrs;
    for (key, kspan) in a.keys_set() {
        if !matches!(key, "type" | "sub_message" | "no_nested_flag") {
            cx.error_at(
                kspan,
                format!("`{key}` cannot be combined with `sub_message`"),
            );
        }
    }
    if f.class != Class::Other || !matches!(f.wrapper, Wrapper::None | Wrapper::Option) || f.boxed {
        cx.error_spanned(
            &f.inner,
            "a `sub_message` field must be an enum deriving NlSubMessage (or an `Option` of \
             one)",
        );
    }
}

/// The selector named by `sub_message = NAME`: a string field of the same struct.
fn check_selector(cx: &mut Ctxt, c: &Container<'_>, sel: &crate::attr::Spanned<syn::Ident>) {
    let Some(target) = c.fields.iter().find(|g| g.ident == sel.value) else {
        let names: Vec<String> = c
            .fields
            .iter()
            .filter(|g| g.class == Class::Str && g.attrs.sub_message.is_none())
            .map(|g| format!("`{}`", g.ident))
            .collect();
        let hint = if names.is_empty() {
            "the struct has no string field".to_string()
        } else {
            format!("string fields: {}", names.join(", "))
        };
        cx.error_at(
            sel.span,
            format!(
                "`sub_message = {}`: no field of that name holds the selector; {hint}",
                sel.value
            ),
        );
        return;
    };
    let is_string_attr = target.class == Class::Str
        && matches!(target.wrapper, Wrapper::None | Wrapper::Option)
        && (target.attrs.attr_type.is_some() || target.attrs.type_expr.is_some());
    if !is_string_attr {
        cx.error_at(
            sel.span,
            format!(
                "`sub_message = {}`: the selector must be a string attribute (`String`, \
                 `&'a str`, or an `Option` of one)",
                sel.value
            ),
        );
    }
}

/// A field declared `family = ...`: an `IpAddr` (or a value implementing `NlaFamilyValue`),
/// alone, in an `Option` or repeated in a `Vec`.
fn check_family_field(cx: &mut Ctxt, f: &Field) {
    let a = &f.attrs;
    for (key, kspan) in a.keys_set() {
        if !matches!(key, "type" | "family" | "multi") {
            cx.error_at(kspan, format!("`{key}` cannot be combined with `family`"));
        }
    }
    let name = crate::ast::simple_name(&f.inner);
    match &f.class {
        Class::Ip if name.as_deref() != Some("IpAddr") => cx.error_spanned(
            &f.inner,
            "`family` needs an `IpAddr` field: the message's family decides between IPv4 and \
             IPv6 (drop `family` to keep an address of one fixed version)",
        ),
        Class::Ip | Class::Other => {}
        other => cx.error_spanned(
            &f.inner,
            format!(
                "`family` applies to addresses (`IpAddr`, or a value implementing \
                 `NlaFamilyValue`), not {}",
                kind_name(other)
            ),
        ),
    }
    if f.boxed || f.wrapper == Wrapper::Multi {
        cx.error_spanned(
            &f.inner,
            "a `family` field is `T`, `Option<T>` or (with `multi`) `Vec<T>`",
        );
    }
}

/// The source of `family = header.FIELD`: the struct's `header` field.
fn check_family_source(
    cx: &mut Ctxt,
    c: &Container<'_>,
    fam: &crate::attr::Spanned<crate::attr::FamilySource>,
) {
    let crate::attr::FamilySource::Header { base, .. } = &fam.value else {
        return;
    };
    match c.fields.iter().find(|g| g.attrs.header.is_some()) {
        None => cx.error_spanned(
            &fam.tokens,
            format!(
                "`family = {base}.…` needs a family header: the struct has no \
                 `#[nla(header)]` field (for a set inside a message, `family = outer` takes \
                 the enclosing message's family)"
            ),
        ),
        Some(h) if h.ident != *base => cx.error_spanned(
            base,
            format!(
                "`{base}` is not the header: the family is a field of the `#[nla(header)]` \
                 field, `{}` (`family = {}.family`)",
                h.ident, h.ident
            ),
        ),
        Some(_) => {}
    }
}

/// The `family` fields of one struct take their family from one place: one field of the
/// header, or the enclosing message (`outer`), not both.
fn check_family_sources(cx: &mut Ctxt, c: &Container<'_>) {
    use crate::attr::FamilySource;
    let mut first_header: Option<&syn::Ident> = None;
    let mut first_outer = false;
    let mut mixed = false;
    for f in &c.fields {
        let Some(fam) = &f.attrs.family else { continue };
        match &fam.value {
            FamilySource::Header { field, .. } => {
                if first_outer && !mixed {
                    mixed = true;
                    cx.error_spanned(
                        &fam.tokens,
                        "`family = header.…` and `family = outer` in one struct: its addresses \
                         follow one family",
                    );
                }
                match first_header {
                    Some(first) if first != field => cx.error_spanned(
                        field,
                        format!(
                            "a second family field, `{field}`: the addresses of a struct follow \
                             one family field of its header (`{first}`)"
                        ),
                    ),
                    _ => first_header = Some(field),
                }
            }
            FamilySource::Outer => {
                if first_header.is_some() && !mixed {
                    mixed = true;
                    cx.error_spanned(
                        &fam.tokens,
                        "`family = outer` and `family = header.…` in one struct: its addresses \
                         follow one family",
                    );
                }
                first_outer = true;
            }
        }
    }
}
