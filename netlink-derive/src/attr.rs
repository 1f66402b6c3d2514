//! Parsing of `#[nla(...)]` attributes into plain values with their spans.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitInt, LitStr, Path, Token};

use crate::ctxt::Ctxt;

/// A value and where it was written.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    /// The tokens written, for errors spanning all of them.
    pub tokens: proc_macro2::TokenStream,
}

/// Keys of `#[nla(...)]` on a field of `#[derive(NlAttrs)]`.
pub const FIELD_KEYS: &[&str] = &[
    "type",
    "nested",
    "no_nested_flag",
    "flag",
    "be",
    "multi",
    "unknown",
    "header",
    "max_len",
    "min",
    "max",
    "sub_message",
    "order",
    "family",
];
/// Keys of `#[nla(...)]` on the container of any derive.
pub const CONTAINER_KEYS: &[&str] = &["crate"];
/// Keys of `#[nla(...)]` on a field of `#[derive(NlStruct)]`.
pub const STRUCT_FIELD_KEYS: &[&str] = &["be", "tail"];
/// Keys of `#[nla(...)]` on a variant of `#[derive(NlEnum)]`.
pub const VARIANT_KEYS: &[&str] = &["other"];
/// Keys of `#[nla(...)]` on a variant of `#[derive(NlSubMessage)]`.
pub const SUB_VARIANT_KEYS: &[&str] = &["selector", "other"];

/// Everything `#[nla(...)]` said about one item.
#[derive(Default)]
pub struct NlaAttrs {
    pub attr_type: Option<Spanned<u64>>,
    /// `type = PATH` (or any constant expression): checked at compile time by the generated
    /// code.
    pub type_expr: Option<Spanned<syn::Expr>>,
    /// `sub_message = field`: the field whose value selects this field's attribute set.
    pub sub_message: Option<Spanned<syn::Ident>>,
    /// `family = header.FIELD` or `family = outer`: the address family deciding the payload.
    pub family: Option<Spanned<FamilySource>>,
    /// `selector = "name"` on a sub-message variant.
    pub selector: Option<Spanned<String>>,
    pub nested: Option<Span>,
    pub no_nested_flag: Option<Span>,
    pub flag: Option<Span>,
    pub be: Option<Span>,
    pub multi: Option<Span>,
    pub unknown: Option<Span>,
    pub header: Option<Span>,
    /// `order`: the field keeps the order attributes arrived in.
    pub order: Option<Span>,
    pub tail: Option<Span>,
    pub other: Option<Span>,
    pub max_len: Option<Spanned<u64>>,
    pub min: Option<Spanned<i128>>,
    pub max: Option<Spanned<i128>>,
    pub krate: Option<Spanned<Path>>,
}

impl NlaAttrs {
    /// Whether any key other than the given ones was set (for "can't combine" checks).
    pub fn keys_set(&self) -> Vec<(&'static str, Span)> {
        let mut v = Vec::new();
        if let Some(t) = &self.attr_type {
            v.push(("type", t.span));
        }
        if let Some(t) = &self.type_expr {
            v.push(("type", t.span));
        }
        if let Some(t) = &self.sub_message {
            v.push(("sub_message", t.span));
        }
        if let Some(t) = &self.family {
            v.push(("family", t.span));
        }
        for (name, s) in [
            ("nested", self.nested),
            ("no_nested_flag", self.no_nested_flag),
            ("flag", self.flag),
            ("be", self.be),
            ("multi", self.multi),
            ("unknown", self.unknown),
            ("header", self.header),
            ("order", self.order),
        ] {
            if let Some(s) = s {
                v.push((name, s));
            }
        }
        if let Some(m) = &self.max_len {
            v.push(("max_len", m.span));
        }
        if let Some(m) = &self.min {
            v.push(("min", m.span));
        }
        if let Some(m) = &self.max {
            v.push(("max", m.span));
        }
        v
    }
}

/// Parses every `#[nla(...)]` of `attrs` accepting `keys`; errors go to `cx`.
pub fn parse(cx: &mut Ctxt, attrs: &[Attribute], keys: &'static [&'static str]) -> NlaAttrs {
    let mut out = NlaAttrs::default();
    for attr in attrs {
        if !attr.path().is_ident("nla") {
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            parse_one(cx, &mut out, &meta, keys);
            Ok(())
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    out
}

fn set<T>(cx: &mut Ctxt, slot: &mut Option<T>, value: T, key: &str, span: Span) {
    if slot.is_some() {
        cx.error_at(span, format!("duplicate key `{key}`"));
    } else {
        *slot = Some(value);
    }
}

fn parse_one(cx: &mut Ctxt, out: &mut NlaAttrs, meta: &ParseNestedMeta<'_>, keys: &[&str]) {
    let Some(ident) = meta.path.get_ident() else {
        cx.error_spanned(&meta.path, unknown_key_msg("this key", keys));
        return;
    };
    let key = ident.to_string();
    let span = ident.span();
    if !keys.contains(&key.as_str()) {
        cx.error_at(span, unknown_key_msg(&format!("`{key}`"), keys));
        skip_value(meta);
        return;
    }
    let result = match key.as_str() {
        "type" => parse_type(meta).map(|v| match v {
            TypeValue::Lit(v) => {
                if out.type_expr.is_some() {
                    cx.error_at(span, "duplicate key `type`");
                } else {
                    set(cx, &mut out.attr_type, v, &key, span);
                }
            }
            TypeValue::Expr(e) => {
                if out.attr_type.is_some() {
                    cx.error_at(span, "duplicate key `type`");
                } else {
                    set(cx, &mut out.type_expr, e, &key, span);
                }
            }
        }),
        "sub_message" => parse_ident(meta).map(|v| set(cx, &mut out.sub_message, v, &key, span)),
        "family" => parse_family(meta).map(|v| set(cx, &mut out.family, v, &key, span)),
        "selector" => parse_str(meta).map(|v| set(cx, &mut out.selector, v, &key, span)),
        "max_len" => parse_uint(meta).map(|v| set(cx, &mut out.max_len, v, &key, span)),
        "min" => parse_int(meta).map(|v| set(cx, &mut out.min, v, &key, span)),
        "max" => parse_int(meta).map(|v| set(cx, &mut out.max, v, &key, span)),
        "crate" => parse_path(meta).map(|v| set(cx, &mut out.krate, v, &key, span)),
        _ => {
            if meta.input.peek(Token![=]) {
                cx.error_at(span, format!("`{key}` takes no value"));
                skip_value(meta);
            }
            {
                // Kept even when given a value, so that the mistake is reported once.
                let slot = match key.as_str() {
                    "nested" => &mut out.nested,
                    "no_nested_flag" => &mut out.no_nested_flag,
                    "flag" => &mut out.flag,
                    "be" => &mut out.be,
                    "multi" => &mut out.multi,
                    "unknown" => &mut out.unknown,
                    "header" => &mut out.header,
                    "order" => &mut out.order,
                    "tail" => &mut out.tail,
                    _ => &mut out.other,
                };
                set(cx, slot, span, &key, span);
                Ok(())
            }
        }
    };
    if let Err(e) = result {
        cx.push(e);
    }
}

/// Skips `= value`, if any, so that the keys after it still parse.
fn skip_value(meta: &ParseNestedMeta<'_>) {
    if meta.input.peek(Token![=]) {
        if let Ok(v) = meta.value() {
            let _ = v.parse::<proc_macro2::TokenTree>();
            let _ = v.parse::<proc_macro2::TokenTree>();
        }
    }
}

fn unknown_key_msg(what: &str, keys: &[&str]) -> String {
    let list: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "unknown key {what} in #[nla(...)]; valid keys here: {}",
        list.join(", ")
    )
}

fn parse_uint(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<u64>> {
    let lit: LitInt = meta.value()?.parse()?;
    let value = lit.base10_parse::<u64>()?;
    Ok(Spanned {
        value,
        span: lit.span(),
        tokens: quote::ToTokens::to_token_stream(&lit),
    })
}

/// The value of `type`: a literal, or a constant the generated code checks.
enum TypeValue {
    Lit(Spanned<u64>),
    Expr(Spanned<syn::Expr>),
}

fn parse_type(meta: &ParseNestedMeta<'_>) -> syn::Result<TypeValue> {
    let input = meta.value()?;
    let expr: syn::Expr = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`type` takes an integer literal or a constant (`type = 3`, `type = IFLA_IFNAME`)",
        )
    })?;
    if let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(lit),
        ..
    }) = &expr
    {
        let value = lit.base10_parse::<u64>()?;
        return Ok(TypeValue::Lit(Spanned {
            value,
            span: lit.span(),
            tokens: quote::ToTokens::to_token_stream(lit),
        }));
    }
    let tokens = quote::ToTokens::to_token_stream(&expr);
    let span = {
        use syn::spanned::Spanned as _;
        expr.span()
    };
    Ok(TypeValue::Expr(Spanned {
        value: expr,
        span,
        tokens,
    }))
}

fn parse_ident(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<syn::Ident>> {
    let id: syn::Ident = meta.value()?.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`sub_message` names the field holding the selector: `sub_message = kind`",
        )
    })?;
    Ok(Spanned {
        span: id.span(),
        tokens: quote::ToTokens::to_token_stream(&id),
        value: id,
    })
}

/// Where a field's address family comes from.
#[derive(Clone)]
pub enum FamilySource {
    /// `family = header.family`: a field of the struct's header.
    Header {
        /// The header field (`header`).
        base: syn::Ident,
        /// Its field holding the family (`family`).
        field: syn::Ident,
    },
    /// `family = outer`: the family of the enclosing message, from `DecodeOptions::family`.
    Outer,
}

const FAMILY_HELP: &str = "`family` takes the header's family field (`family = header.family`), \
     or `outer` for the family of the enclosing message (`DecodeOptions::family`)";

fn parse_family(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<FamilySource>> {
    use syn::spanned::Spanned as _;
    let expr: syn::Expr = meta
        .value()?
        .parse()
        .map_err(|e| syn::Error::new(e.span(), FAMILY_HELP))?;
    let span = expr.span();
    let tokens = quote::ToTokens::to_token_stream(&expr);
    let value = match &expr {
        syn::Expr::Path(p) if p.path.is_ident("outer") => FamilySource::Outer,
        syn::Expr::Field(f) => {
            let base = match &*f.base {
                syn::Expr::Path(p) => p.path.get_ident().cloned(),
                _ => None,
            };
            match (base, &f.member) {
                (Some(base), syn::Member::Named(field)) => FamilySource::Header {
                    base,
                    field: field.clone(),
                },
                _ => return Err(syn::Error::new(span, FAMILY_HELP)),
            }
        }
        _ => return Err(syn::Error::new(span, FAMILY_HELP)),
    };
    Ok(Spanned {
        value,
        span,
        tokens,
    })
}

fn parse_str(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<String>> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(Spanned {
        value: lit.value(),
        span: lit.span(),
        tokens: quote::ToTokens::to_token_stream(&lit),
    })
}

fn parse_int(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<i128>> {
    let input = meta.value()?;
    let neg: Option<Token![-]> = input.parse()?;
    let lit: LitInt = input.parse()?;
    let abs = lit.base10_parse::<i128>()?;
    let span = match &neg {
        Some(m) => {
            use syn::spanned::Spanned as _;
            m.span().join(lit.span()).unwrap_or(lit.span())
        }
        None => lit.span(),
    };
    let mut tokens = quote::ToTokens::to_token_stream(&neg);
    quote::ToTokens::to_tokens(&lit, &mut tokens);
    Ok(Spanned {
        value: if neg.is_some() { -abs } else { abs },
        span,
        tokens,
    })
}

fn parse_path(meta: &ParseNestedMeta<'_>) -> syn::Result<Spanned<Path>> {
    let lit: LitStr = meta.value()?.parse()?;
    let value = lit.parse::<Path>()?;
    Ok(Spanned {
        value,
        span: lit.span(),
        tokens: quote::ToTokens::to_token_stream(&lit),
    })
}

/// The path of the runtime crate: `#[nla(crate = "...")]` or `::netlink`.
pub fn crate_path(attrs: &NlaAttrs) -> Path {
    match &attrs.krate {
        Some(p) => p.value.clone(),
        None => syn::parse_quote!(::netlink),
    }
}

/// The prologue of the derives without field attributes (`NlStruct`, `NlEnum`,
/// `NlSubMessage`): parses the container's `#[nla(...)]` keys (mistakes go to `cx`) and
/// returns the path of the library's `__private` module the generated code names.
pub fn private_path(cx: &mut Ctxt, attrs: &[Attribute]) -> proc_macro2::TokenStream {
    let krate = crate_path(&parse(cx, attrs, CONTAINER_KEYS));
    quote::quote!(#krate::__private)
}
