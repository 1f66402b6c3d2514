//! `#[derive(NlEnum)]`: numeric enums with a variant for unknown values.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr;
use crate::ctxt::Ctxt;
use crate::expand::int_lit;

const REPRS: &[(&str, u32, bool)] = &[
    ("u8", 8, false),
    ("u16", 16, false),
    ("u32", 32, false),
    ("u64", 64, false),
    ("i8", 8, true),
    ("i16", 16, true),
    ("i32", 32, true),
    ("i64", 64, true),
];

fn discriminant(cx: &mut Ctxt, e: &syn::Expr) -> Option<i128> {
    let (neg, lit) = match e {
        syn::Expr::Lit(l) => (false, &l.lit),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            syn::Expr::Lit(l) => (true, &l.lit),
            _ => {
                cx.error_spanned(e, "write the value as an integer literal");
                return None;
            }
        },
        _ => {
            cx.error_spanned(e, "write the value as an integer literal");
            return None;
        }
    };
    let syn::Lit::Int(i) = lit else {
        cx.error_spanned(e, "write the value as an integer literal");
        return None;
    };
    match i.base10_parse::<i128>() {
        Ok(v) => Some(if neg { -v } else { v }),
        Err(err) => {
            cx.push(err);
            None
        }
    }
}

/// Checks the discriminant Rust gives the `other` variant `v` (`d`): counted past the largest
/// value of the repr, or equal to a known variant's value, it does not compile; say why, on the
/// variant, and suggest a free one.
fn check_other_discriminant(
    cx: &mut Ctxt,
    v: &syn::Variant,
    d: i128,
    (lo, hi): (i128, i128),
    seen: &BTreeMap<i128, syn::Ident>,
    repr_ty: &syn::Ident,
) {
    let free = (lo.max(0)..=hi)
        .take(seen.len().saturating_add(1))
        .find(|x| !seen.contains_key(x));
    let hint = match free {
        Some(f) => format!(
            "give it a discriminant that no variant uses, such as `#[nla(other)] {}({repr_ty}) = \
             {f}` (it only tells the variants apart: `{}` holds any value without a variant)",
            v.ident, v.ident
        ),
        None => format!(
            "every {repr_ty} value has a variant: `{}` is not needed",
            v.ident
        ),
    };
    let explicit = v.discriminant.is_some();
    if d > hi && !explicit {
        if d != hi.saturating_add(1) {
            // Counted from a value that does not fit: that value's error says it.
            return;
        }
        cx.error_spanned(
            &v.ident,
            format!(
                "the `other` variant `{}` comes after {hi} ({hi:#x}), the largest {repr_ty}, so \
                 Rust cannot count a discriminant for it: {hint}",
                v.ident
            ),
        );
    } else if d < lo || d > hi {
        cx.error_spanned(
            &v.ident,
            format!(
                "discriminant {d} of `{}` does not fit in {repr_ty}",
                v.ident
            ),
        );
    } else if let Some(first) = seen.get(&d) {
        let how = if explicit { "is" } else { "counts to" };
        cx.error_spanned(
            &v.ident,
            format!(
                "the discriminant of the `other` variant `{}` {how} {d}, the value of `{first}`: \
                 {hint}",
                v.ident
            ),
        );
    }
}

/// Expands `#[derive(NlEnum)]`.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let p = attr::private_path(&mut cx, &input.attrs);
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        cx.error_spanned(
            &input.generics,
            "#[derive(NlEnum)] does not support generics",
        );
    }
    let mut repr = None;
    for a in &input.attrs {
        if a.path().is_ident("repr") {
            let _ = a.parse_nested_meta(|m| {
                if let Some(id) = m.path.get_ident() {
                    if let Some(r) = REPRS.iter().find(|r| id == r.0) {
                        repr = Some((id.clone(), r.1, r.2));
                    }
                }
                Ok(())
            });
        }
    }
    let Some((repr_ty, bits, signed)) = repr else {
        cx.error_spanned(
            &input.ident,
            "#[derive(NlEnum)] needs the integer it travels as: add #[repr(u8)] (or u16, u32, \
             u64, i8, i16, i32, i64)",
        );
        return cx.into_compile_errors();
    };
    let data = match &input.data {
        syn::Data::Enum(e) => e,
        _ => {
            cx.error_spanned(&input.ident, "#[derive(NlEnum)] needs an enum");
            return cx.into_compile_errors();
        }
    };
    let (lo, hi) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let mut known: Vec<(syn::Ident, i128)> = Vec::new();
    let mut seen: BTreeMap<i128, syn::Ident> = BTreeMap::new();
    let mut other = None;
    // The `other` variant's discriminant as Rust counts it: explicit, or one past the previous
    // variant's (it is not a value the enum carries, but it must fit and be unique).
    let mut other_discriminant: Option<(&syn::Variant, i128)> = None;
    let mut next: i128 = 0;
    for v in &data.variants {
        let va = attr::parse(&mut cx, &v.attrs, attr::VARIANT_KEYS);
        if va.other.is_some() {
            match &v.fields {
                syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                    if other.is_some() {
                        cx.error_spanned(&v.ident, "only one variant can be `other`");
                    }
                    other = Some(v.ident.clone());
                }
                _ => cx.error_spanned(
                    &v.ident,
                    format!(
                        "the `other` variant holds the value: write `{}({repr_ty})`",
                        v.ident
                    ),
                ),
            }
            let d = match &v.discriminant {
                Some((_, e)) => discriminant(&mut cx, e).unwrap_or(next),
                None => next,
            };
            other_discriminant = Some((v, d));
            next = d.saturating_add(1);
            continue;
        }
        if !matches!(v.fields, syn::Fields::Unit) {
            cx.error_spanned(
                &v.ident,
                "variants are unit variants with a value, except one `#[nla(other)]` variant",
            );
            continue;
        }
        let value = match &v.discriminant {
            Some((_, e)) => discriminant(&mut cx, e).unwrap_or(next),
            None => next,
        };
        if value < lo || value > hi {
            cx.error_spanned(&v.ident, format!("{value} does not fit in {repr_ty}"));
        }
        if let Some(first) = seen.get(&value) {
            cx.error_spanned(&v.ident, format!("value {value} already used by `{first}`"));
        }
        seen.insert(value, v.ident.clone());
        known.push((v.ident.clone(), value));
        next = value.saturating_add(1);
    }
    let Some(other) = other else {
        cx.error_spanned(
            &input.ident,
            format!(
                "#[derive(NlEnum)] needs a variant for values it does not know, so that decoding \
                 a newer kernel's value does not fail: add `#[nla(other)] Other({repr_ty})`"
            ),
        );
        return cx.into_compile_errors();
    };
    if let Some((v, d)) = other_discriminant {
        check_other_discriminant(&mut cx, v, d, (lo, hi), &seen, &repr_ty);
    }
    if !cx.is_ok() {
        return cx.into_compile_errors();
    }

    let idents: Vec<&syn::Ident> = known.iter().map(|(i, _)| i).collect();
    let values: Vec<TokenStream> = known
        .iter()
        .map(|(i, v)| int_lit(*v, i.span(), ""))
        .collect();
    let n = known.len() as u64;

    quote! {
        const _: () = {
            #[automatically_derived]
            impl #p::NlEnum for #name {
                type Repr = #repr_ty;
                #[inline]
                fn from_repr(__v: #repr_ty) -> Self {
                    match __v {
                        #(#values => Self::#idents,)*
                        __v => Self::#other(__v),
                    }
                }
                #[inline]
                fn to_repr(&self) -> #repr_ty {
                    match self {
                        #(Self::#idents => #values,)*
                        Self::#other(__v) => *__v,
                    }
                }
            }

            #[automatically_derived]
            impl<'__nla> #p::NlaValue<'__nla> for #name {
                const KIND: #p::ValueKind = #p::ValueKind::Int {
                    size: #p::size_of::<#repr_ty>(),
                    signed: #signed,
                };
                #[inline]
                fn encode_value(
                    &self,
                    __ae: &mut #p::AttributeEncoder<'_>,
                    __t: u16,
                    __order: #p::ByteOrder,
                ) {
                    __ae.int(__t, <Self as #p::NlEnum>::to_repr(self), __order);
                }
                #[inline]
                fn decode_value(
                    __a: &#p::Attr<'__nla>,
                    __order: #p::ByteOrder,
                ) -> #p::Result<Self, #p::DecodeError> {
                    __a.int::<#repr_ty>(__order).map(<Self as #p::NlEnum>::from_repr)
                }
            }

            #[automatically_derived]
            impl #p::StructField for #name {
                const SIZE: usize = #p::size_of::<#repr_ty>();
                const ALIGN: usize = #p::align_of::<#repr_ty>();
                #[inline]
                fn put(&self, __out: &mut [u8], __order: #p::ByteOrder) {
                    #p::StructField::put(&<Self as #p::NlEnum>::to_repr(self), __out, __order);
                }
                #[inline]
                fn get(__b: &[u8], __order: #p::ByteOrder) -> Self {
                    <Self as #p::NlEnum>::from_repr(<#repr_ty as #p::StructField>::get(__b, __order))
                }
            }

            #p::if_testing! {
                #[automatically_derived]
                impl #p::Arbitrary for #name {
                    fn arbitrary(__rng: &mut #p::Rng) -> Self {
                        let __pick = __rng.below(#n + 1);
                        let mut __i = 0u64;
                        #(
                            if __pick == __i {
                                return Self::#idents;
                            }
                            __i += 1;
                        )*
                        let _ = __i;
                        loop {
                            let __v: #repr_ty = #p::Arbitrary::arbitrary(__rng);
                            let __e = <Self as #p::NlEnum>::from_repr(__v);
                            if let Self::#other(_) = __e {
                                return __e;
                            }
                        }
                    }
                }
            }
        };
    }
}
