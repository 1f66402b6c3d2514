//! `#[derive(NlSubMessage)]`: an attribute set chosen by the value of another attribute.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr;
use crate::ctxt::Ctxt;

struct Variant {
    ident: syn::Ident,
    ty: syn::Type,
    selector: Option<String>,
}

/// Expands `#[derive(NlSubMessage)]`.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let p = attr::private_path(&mut cx, &input.attrs);
    let name = &input.ident;

    let mut lifetime = None;
    for g in &input.generics.params {
        match g {
            syn::GenericParam::Lifetime(l) if lifetime.is_none() => {
                lifetime = Some(l.lifetime.clone())
            }
            _ => cx.error_spanned(
                g,
                "#[derive(NlSubMessage)] supports one lifetime parameter and no other generics",
            ),
        }
    }
    let data = match &input.data {
        syn::Data::Enum(e) => Some(e),
        _ => {
            cx.error_spanned(
                &input.ident,
                "#[derive(NlSubMessage)] needs an enum: one variant per selector and one \
                 `#[nla(other)]` variant",
            );
            None
        }
    };
    let mut variants = Vec::new();
    let mut other: Option<Variant> = None;
    let mut seen: Vec<(String, syn::Ident)> = Vec::new();
    for v in data.map(|d| d.variants.iter()).into_iter().flatten() {
        let va = attr::parse(&mut cx, &v.attrs, attr::SUB_VARIANT_KEYS);
        let ty = match &v.fields {
            syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                u.unnamed.first().map(|f| f.ty.clone())
            }
            _ => None,
        };
        let Some(ty) = ty else {
            cx.error_spanned(
                &v.ident,
                format!(
                    "a sub-message variant holds one value: write `{}(Type)` (an attribute set \
                     deriving NlAttrs; `Vec<u8>` or `&'a [u8]` for the `other` variant)",
                    v.ident
                ),
            );
            continue;
        };
        match (&va.selector, va.other) {
            (Some(s), Some(o)) => {
                let _ = s;
                cx.error_at(o, "`other` cannot be combined with `selector`");
            }
            (None, Some(_)) => {
                if let Some(first) = &other {
                    cx.error_spanned(
                        &v.ident,
                        format!(
                            "only one variant can be `other`; `{}` already is",
                            first.ident
                        ),
                    );
                }
                other = Some(Variant {
                    ident: v.ident.clone(),
                    ty,
                    selector: None,
                });
            }
            (Some(s), None) => {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == s.value) {
                    cx.error_at(
                        s.span,
                        format!("selector \"{}\" already used by `{first}`", s.value),
                    );
                }
                seen.push((s.value.clone(), v.ident.clone()));
                variants.push(Variant {
                    ident: v.ident.clone(),
                    ty,
                    selector: Some(s.value.clone()),
                });
            }
            (None, None) => cx.error_spanned(
                &v.ident,
                "a sub-message variant needs `#[nla(selector = \"name\")]` (the selector \
                 value that chooses it) or `#[nla(other)]`",
            ),
        }
    }
    if data.is_some() && other.is_none() {
        cx.error_spanned(
            &input.ident,
            "#[derive(NlSubMessage)] needs a variant for selectors it does not know, so that a \
             newer kernel's kind keeps its bytes: add `#[nla(other)] Other(Vec<u8>)`",
        );
    }
    let Some(other) = other.filter(|_| cx.is_ok()) else {
        return cx.into_compile_errors();
    };

    let l = lifetime
        .clone()
        .unwrap_or_else(|| syn::Lifetime::new("'__nla", proc_macro2::Span::call_site()));
    let (impl_head, arbitrary_head) = match &lifetime {
        Some(l) => (
            quote!(impl<#l> #p::NlSubMessage<#l> for #name<#l>),
            quote!(impl<#l> #p::Arbitrary for #name<#l>),
        ),
        None => (
            quote!(impl<#l> #p::NlSubMessage<#l> for #name),
            quote!(impl #p::Arbitrary for #name),
        ),
    };
    let idents: Vec<&syn::Ident> = variants.iter().map(|v| &v.ident).collect();
    let tys: Vec<&syn::Type> = variants.iter().map(|v| &v.ty).collect();
    let sels: Vec<&String> = variants
        .iter()
        .filter_map(|v| v.selector.as_ref())
        .collect();
    let oi = &other.ident;
    let ot = &other.ty;
    let n = variants.len() as u64;

    quote! {
        const _: () = {
            #[automatically_derived]
            #impl_head {
                const SELECTORS: &'static [#p::Selector] = &[
                    #((#sels, <#tys as #p::NlAttrs<#l>>::policy)),*
                ];

                fn selector(&self) -> #p::Option<&'static str> {
                    match self {
                        #(Self::#idents(_) => #p::Some(#sels),)*
                        Self::#oi(_) => #p::None,
                    }
                }

                fn encode_sub(
                    &self,
                    __ae: &mut #p::AttributeEncoder<'_>,
                    __t: u16,
                    __flag: bool,
                ) {
                    match self {
                        #(Self::#idents(__v) => if __flag {
                            #p::encode_nested::<#tys>(__v, __ae, __t)
                        } else {
                            #p::encode_nested_no_flag::<#tys>(__v, __ae, __t)
                        },)*
                        Self::#oi(__v) => {
                            <#ot as #p::OpaqueValue<#l>>::encode_opaque(__v, __ae, __t)
                        }
                    }
                }

                fn decode_sub(
                    __sel: #p::Option<&str>,
                    __a: &#p::Attr<#l>,
                    __opts: &#p::DecodeOptions,
                ) -> #p::Result<Self, #p::DecodeError> {
                    match __sel {
                        #(#p::Some(#sels) => #p::Ok(Self::#idents(
                            #p::decode_nested::<#tys>(__a, __opts)?,
                        )),)*
                        _ => #p::Ok(Self::#oi(
                            <#ot as #p::OpaqueValue<#l>>::from_attr(__a),
                        )),
                    }
                }
            }

            #p::if_testing! {
                #[automatically_derived]
                #arbitrary_head {
                    fn arbitrary(__rng: &mut #p::Rng) -> Self {
                        let __pick = __rng.below(#n + 1);
                        let mut __i = 0u64;
                        #(
                            if __pick == __i {
                                return Self::#idents(#p::Arbitrary::arbitrary(__rng));
                            }
                            __i += 1;
                        )*
                        let _ = __i;
                        Self::#oi(#p::Arbitrary::arbitrary(__rng))
                    }
                }
            }
        };
    }
}
