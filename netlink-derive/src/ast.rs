//! The derive input as a model: the container, its fields and what their types look like.

use syn::{GenericArgument, Ident, Lifetime, PathArguments, Type};

use crate::attr::{self, NlaAttrs};
use crate::ctxt::Ctxt;

/// How a field's type wraps its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// `T`: required.
    None,
    /// `Option<T>`: optional.
    Option,
    /// `Vec<T>` with `multi`.
    Vec,
    /// `Multi<'a, T>` with `multi`.
    Multi,
}

/// What kind of value a type is, as far as syntax tells.
#[derive(Clone, PartialEq, Eq)]
pub enum Class {
    /// `u8`..`u64`, `i8`..`i64`: bits and signedness.
    Int { bits: u32, signed: bool },
    /// `bool`.
    Bool,
    /// `String`, `CString`, `&'a str`, `&'a CStr`.
    Str,
    /// `Vec<u8>`, `&'a [u8]`, `[u8; N]`.
    Bytes,
    /// `Ipv4Addr`, `Ipv6Addr`, `IpAddr`.
    Ip,
    /// `UnknownAttrs`.
    Unknown,
    /// `AttrOrder`.
    Order,
    /// Any other path type: a nested set, an enum, a C structure.
    Other,
    /// A type the derive cannot carry, with the reason and a hint.
    Unsupported(String),
}

/// One field of a `#[derive(NlAttrs)]` struct.
pub struct Field {
    pub ident: Ident,
    pub attrs: NlaAttrs,
    pub wrapper: Wrapper,
    pub boxed: bool,
    /// The value type after `Option`/`Vec`/`Multi`/`Box` are taken off.
    pub inner: Type,
    pub class: Class,
}

/// A `#[derive(NlAttrs)]` struct.
pub struct Container<'a> {
    pub input: &'a syn::DeriveInput,
    pub attrs: NlaAttrs,
    pub fields: Vec<Field>,
    /// The struct's lifetime parameter, if it borrows.
    pub lifetime: Option<Lifetime>,
}

/// Builds the model of a derive input, reporting what cannot be modelled.
pub fn container<'a>(cx: &mut Ctxt, input: &'a syn::DeriveInput) -> Option<Container<'a>> {
    let attrs = attr::parse(cx, &input.attrs, attr::CONTAINER_KEYS);
    let lifetime = generics(cx, &input.generics);
    let data = match &input.data {
        syn::Data::Struct(s) => s,
        syn::Data::Enum(e) => {
            cx.error_spanned(
                e.enum_token,
                "#[derive(NlAttrs)] needs a struct with named fields: an enum is not an \
                 attribute set (for a numeric enum carried in an attribute, use \
                 #[derive(NlEnum)])",
            );
            return None;
        }
        syn::Data::Union(u) => {
            cx.error_spanned(
                u.union_token,
                "#[derive(NlAttrs)] needs a struct with named fields, not a union",
            );
            return None;
        }
    };
    let named = match &data.fields {
        syn::Fields::Named(n) => n,
        syn::Fields::Unnamed(u) => {
            cx.error_spanned(
                u,
                "#[derive(NlAttrs)] needs named fields: a tuple struct cannot name its \
                 attributes",
            );
            return None;
        }
        syn::Fields::Unit => {
            cx.error_spanned(
                &input.ident,
                "#[derive(NlAttrs)] needs a struct with named fields, not a unit struct",
            );
            return None;
        }
    };
    let mut fields = Vec::new();
    for f in &named.named {
        let Some(ident) = f.ident.clone() else {
            continue;
        };
        let fattrs = attr::parse(cx, &f.attrs, attr::FIELD_KEYS);
        fields.push(field(cx, ident, &f.ty, fattrs, lifetime.as_ref()));
    }
    Some(Container {
        input,
        attrs,
        fields,
        lifetime,
    })
}

/// Checks the generics: at most one lifetime, no type or const parameters. Returns the
/// lifetime.
pub fn generics(cx: &mut Ctxt, g: &syn::Generics) -> Option<Lifetime> {
    let mut lifetime = None;
    for p in &g.params {
        match p {
            syn::GenericParam::Lifetime(l) => {
                if lifetime.is_some() {
                    cx.error_spanned(
                        &l.lifetime,
                        "the derive supports one lifetime (that of the buffer decoded from)",
                    );
                } else {
                    lifetime = Some(l.lifetime.clone());
                }
            }
            syn::GenericParam::Type(t) => cx.error_spanned(
                &t.ident,
                "the derive cannot handle type parameters: declare one struct per payload \
                 type (only a lifetime parameter is supported)",
            ),
            syn::GenericParam::Const(c) => cx.error_spanned(
                &c.ident,
                "the derive cannot handle const parameters (only a lifetime parameter is \
                 supported)",
            ),
        }
    }
    if let Some(w) = &g.where_clause {
        cx.error_spanned(w, "the derive does not support where clauses");
    }
    lifetime
}

fn field(
    cx: &mut Ctxt,
    ident: Ident,
    ty: &Type,
    attrs: NlaAttrs,
    lifetime: Option<&Lifetime>,
) -> Field {
    let ty = &ungroup(ty);
    let mut wrapper = Wrapper::None;
    let mut inner = ty.clone();
    if attrs.multi.is_some() {
        if let Some(t) = generic_arg(ty, "Vec") {
            wrapper = Wrapper::Vec;
            inner = t;
        } else if let Some(t) = generic_arg(ty, "Multi") {
            wrapper = Wrapper::Multi;
            inner = t;
        }
    } else if let Some(t) = generic_arg(ty, "Option") {
        wrapper = Wrapper::Option;
        inner = t;
    }
    let mut boxed = false;
    if let Some(t) = generic_arg(&inner, "Box") {
        boxed = true;
        inner = t;
    }
    let class = classify(cx, &inner, lifetime, attrs.multi.is_some());
    Field {
        ident,
        attrs,
        wrapper,
        boxed,
        inner,
        class,
    }
}

/// `T` of `Name<T>` (or of `Name<'a, T>`), when `ty` is a path ending in `Name`.
pub fn generic_arg(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// The last identifier of a plain path type without generic arguments.
pub fn simple_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    match last.arguments {
        PathArguments::None => Some(last.ident.to_string()),
        _ => None,
    }
}

fn classify(cx: &mut Ctxt, ty: &Type, lifetime: Option<&Lifetime>, multi: bool) -> Class {
    match ty {
        Type::Reference(r) => {
            match (&r.lifetime, lifetime) {
                (None, _) => {
                    let hint = match lifetime {
                        Some(l) => format!("write `&{l} ...`"),
                        None => "add a lifetime to the struct (`struct Name<'a>`) and write \
                                 `&'a ...`"
                            .to_string(),
                    };
                    cx.error_spanned(
                        r.and_token,
                        format!(
                            "a borrowed field needs the struct's lifetime: it borrows from the \
                             buffer decoded from; {hint}"
                        ),
                    );
                }
                (Some(l), None) => cx.error_spanned(
                    l,
                    "a borrowed field needs the struct to declare this lifetime \
                     (`struct Name<'a>`)",
                ),
                (Some(l), Some(own)) if l != own && l.ident != "static" => cx.error_spanned(
                    l,
                    format!("a borrowed field must use the struct's lifetime `{own}`"),
                ),
                _ => {}
            }
            if r.mutability.is_some() {
                return Class::Unsupported("a mutable reference cannot be decoded".into());
            }
            match &*r.elem {
                Type::Slice(s) if simple_name(&s.elem).as_deref() == Some("u8") => Class::Bytes,
                e => match simple_name(e).as_deref() {
                    Some("str") | Some("CStr") => Class::Str,
                    _ => Class::Unsupported(
                        "borrowed fields are `&'a str`, `&'a CStr` and `&'a [u8]`".into(),
                    ),
                },
            }
        }
        Type::Array(a) => {
            if simple_name(&a.elem).as_deref() == Some("u8") {
                Class::Bytes
            } else {
                Class::Unsupported(
                    "arrays are `[u8; N]`; for repeated attributes use `multi` \
                                    with `Vec<T>`"
                        .into(),
                )
            }
        }
        Type::Path(_) => {
            if let Some(t) = generic_arg(ty, "Vec") {
                if simple_name(&t).as_deref() == Some("u8") {
                    return Class::Bytes;
                }
                return Class::Unsupported(if multi {
                    "`multi` takes `Vec<T>` or `Multi<'a, T>` of one value type".into()
                } else {
                    "a `Vec` of values is a repeated attribute: add `multi`".into()
                });
            }
            let Some(name) = last_ident(ty) else {
                return Class::Other;
            };
            match name.as_str() {
                "u8" => Class::Int {
                    bits: 8,
                    signed: false,
                },
                "u16" => Class::Int {
                    bits: 16,
                    signed: false,
                },
                "u32" => Class::Int {
                    bits: 32,
                    signed: false,
                },
                "u64" => Class::Int {
                    bits: 64,
                    signed: false,
                },
                "i8" => Class::Int {
                    bits: 8,
                    signed: true,
                },
                "i16" => Class::Int {
                    bits: 16,
                    signed: true,
                },
                "i32" => Class::Int {
                    bits: 32,
                    signed: true,
                },
                "i64" => Class::Int {
                    bits: 64,
                    signed: true,
                },
                "bool" => Class::Bool,
                "String" | "CString" => Class::Str,
                "Ipv4Addr" | "Ipv6Addr" | "IpAddr" => Class::Ip,
                "UnknownAttrs" => Class::Unknown,
                "AttrOrder" => Class::Order,
                "usize" | "isize" => Class::Unsupported(
                    "its size depends on the platform: use a fixed-width integer such as `u32` \
                     or `u64`"
                        .into(),
                ),
                "u128" | "i128" => Class::Unsupported(
                    "netlink has no 128-bit integers: use `[u8; 16]` or two `u64` attributes"
                        .into(),
                ),
                "f32" | "f64" => Class::Unsupported(
                    "netlink has no floating-point attributes: carry an integer (e.g. fixed \
                     point) or bytes"
                        .into(),
                ),
                "char" => Class::Unsupported("use `u8`, `u32` or `String`".into()),
                "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet" => Class::Unsupported(
                    "use `multi` with `Vec<T>`, or `Indexed<T>` for a nest keyed by type".into(),
                ),
                "Rc" | "Arc" | "Cow" | "RefCell" | "Cell" => Class::Unsupported(
                    "use the value type itself (or `Box<T>` for a recursive nested set)".into(),
                ),
                "str" | "CStr" => Class::Unsupported(
                    "an unsized type cannot be a field: use `String` or `&'a str`".into(),
                ),
                _ => Class::Other,
            }
        }
        Type::Tuple(t) if t.elems.is_empty() => {
            Class::Unsupported("`()` carries nothing: use `bool` with `flag`".into())
        }
        Type::Tuple(_) => Class::Unsupported(
            "a tuple is not an attribute: use a struct deriving NlAttrs (with `nested`) or \
             NlStruct"
                .into(),
        ),
        Type::Paren(p) => classify(cx, &p.elem, lifetime, multi),
        Type::Group(g) => classify(cx, &g.elem, lifetime, multi),
        _ => Class::Unsupported("this kind of type cannot be carried in an attribute".into()),
    }
}

fn last_ident(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// `ty` without the invisible groups (a type passed through a `macro_rules!` fragment) and
/// parentheses around it or its generic arguments.
fn ungroup(ty: &Type) -> Type {
    match ty {
        Type::Group(g) => ungroup(&g.elem),
        Type::Paren(p) => ungroup(&p.elem),
        Type::Path(p) => {
            let mut p = p.clone();
            for seg in &mut p.path.segments {
                if let PathArguments::AngleBracketed(args) = &mut seg.arguments {
                    for a in &mut args.args {
                        if let GenericArgument::Type(t) = a {
                            *t = ungroup(t);
                        }
                    }
                }
            }
            Type::Path(p)
        }
        Type::Reference(r) => {
            let mut r = r.clone();
            *r.elem = ungroup(&r.elem);
            Type::Reference(r)
        }
        other => other.clone(),
    }
}
