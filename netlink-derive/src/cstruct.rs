//! `#[derive(NlStruct)]`: fixed-layout C structures, encoded field by field.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::{self, simple_name};
use crate::attr;
use crate::ctxt::Ctxt;

/// Expands `#[derive(NlStruct)]`.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let p = attr::private_path(&mut cx, &input.attrs);
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        cx.error_spanned(
            &input.generics,
            "#[derive(NlStruct)] describes one fixed C layout: generics are not supported",
        );
    }
    let fields = match &input.data {
        syn::Data::Struct(s) => match &s.fields {
            syn::Fields::Named(n) => Some(&n.named),
            _ => {
                cx.error_spanned(&input.ident, "#[derive(NlStruct)] needs named fields");
                None
            }
        },
        syn::Data::Enum(e) => {
            cx.error_spanned(
                e.enum_token,
                "#[derive(NlStruct)] needs a struct (for a numeric enum use #[derive(NlEnum)])",
            );
            None
        }
        syn::Data::Union(u) => {
            cx.error_spanned(
                u.union_token,
                "#[derive(NlStruct)] needs a struct, not a union",
            );
            None
        }
    };
    let mut layout = Vec::new();
    let mut tail = None;
    if let Some(fields) = fields {
        let n = fields.len();
        for (i, f) in fields.iter().enumerate() {
            let fa = attr::parse(&mut cx, &f.attrs, attr::STRUCT_FIELD_KEYS);
            let Some(ident) = &f.ident else { continue };
            if let Some(span) = fa.tail {
                if i + 1 != n {
                    cx.error_at(span, "the `tail` field must be the last one");
                }
                if ast::generic_arg(&f.ty, "Vec")
                    .and_then(|t| simple_name(&t))
                    .as_deref()
                    != Some("u8")
                {
                    cx.error_spanned(&f.ty, "the `tail` field must be a `Vec<u8>`");
                }
                if let Some(be) = fa.be {
                    cx.error_at(be, "`be` cannot be combined with `tail`");
                }
                tail = Some(ident.clone());
                continue;
            }
            let bad = match &f.ty {
                syn::Type::Path(_) => match simple_name(&f.ty).as_deref() {
                    Some(
                        "bool" | "String" | "CString" | "usize" | "isize" | "f32" | "f64" | "u128"
                        | "i128" | "char",
                    ) => true,
                    _ => {
                        ast::generic_arg(&f.ty, "Vec").is_some()
                            || ast::generic_arg(&f.ty, "Option").is_some()
                    }
                },
                syn::Type::Array(a) => simple_name(&a.elem).as_deref() != Some("u8"),
                _ => true,
            };
            if bad {
                cx.error_spanned(
                    &f.ty,
                    "a C structure field is a fixed-width integer, `[u8; N]`, a numeric enum \
                     (NlEnum) or another NlStruct (the last field may be `#[nla(tail)] \
                     Vec<u8>`)",
                );
            }
            layout.push((ident.clone(), f.ty.clone(), fa.be.is_some()));
        }
    }
    if !cx.is_ok() {
        return cx.into_compile_errors();
    }

    let count = layout.len();
    let mut steps = Vec::new();
    let mut puts = Vec::new();
    let mut gets = Vec::new();
    let mut gens = Vec::new();
    for (i, (ident, ty, be)) in layout.iter().enumerate() {
        let idx = syn::Index::from(i);
        let order = if *be {
            quote!(#p::ByteOrder::Big)
        } else {
            quote!(#p::ByteOrder::Native)
        };
        steps.push(quote! {
            let a = <#ty as #p::StructField>::ALIGN;
            off[#idx] = #p::align_up(end, a);
            end = off[#idx] + <#ty as #p::StructField>::SIZE;
            if a > align {
                align = a;
            }
        });
        puts.push(quote! {
            #p::put_field(__out, 0, __LAYOUT.0[#idx], &self.#ident, #order);
        });
        gets.push(quote! {
            #ident: #p::get_field::<#ty>(__b, __LAYOUT.0[#idx], #order)
        });
        gens.push(quote!(#ident: #p::Arbitrary::arbitrary(__rng)));
    }
    let (tail_get, tail_fn, tail_gen) = match &tail {
        Some(t) => (
            quote!(#t: #p::tail(__whole, __LAYOUT.1),),
            quote! {
                fn tail(&self) -> &[u8] {
                    &self.#t
                }
            },
            quote!(#t: #p::Arbitrary::arbitrary_max_len(__rng, 16),),
        ),
        None => (TokenStream::new(), TokenStream::new(), TokenStream::new()),
    };

    quote! {
        const _: () = {
            #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
            const __LAYOUT: ([usize; #count], usize, usize) = {
                let mut off = [0usize; #count];
                let mut end = 0usize;
                let mut align = 1usize;
                #(#steps)*
                let _ = &mut off;
                (off, #p::align_up(end, align), align)
            };

            #[automatically_derived]
            impl #p::NlStruct for #name {
                const SIZE: usize = __LAYOUT.1;
                const ALIGN: usize = __LAYOUT.2;

                #[inline]
                fn put(&self, __out: &mut [u8]) {
                    let _ = &__out;
                    #(#puts)*
                }

                #[inline]
                fn read_from(__b: &[u8]) -> Self {
                    let __whole = __b;
                    let _ = __whole;
                    // The whole structure is there (what the kernel sends): the same reads
                    // from an array of known size, whose bounds checks the compiler drops.
                    if let #p::Some(__full) = __b.first_chunk::<{ __LAYOUT.1 }>() {
                        let __b: &[u8] = __full;
                        let _ = __b;
                        return Self {
                            #(#gets,)*
                            #tail_get
                        };
                    }
                    Self {
                        #(#gets,)*
                        #tail_get
                    }
                }

                #tail_fn
            }

            #[automatically_derived]
            impl<'__nla> #p::NlaValue<'__nla> for #name {
                const KIND: #p::ValueKind = #p::struct_kind(__LAYOUT.1);
                #[inline]
                fn encode_value(
                    &self,
                    __ae: &mut #p::AttributeEncoder<'_>,
                    __t: u16,
                    _: #p::ByteOrder,
                ) {
                    #p::encode_struct(self, __ae, __t);
                }
                #[inline]
                fn decode_value(
                    __a: &#p::Attr<'__nla>,
                    _: #p::ByteOrder,
                ) -> #p::Result<Self, #p::DecodeError> {
                    #p::Ok(<Self as #p::NlStruct>::read_from(__a.payload()))
                }
            }

            #p::if_testing! {
                #[automatically_derived]
                impl #p::Arbitrary for #name {
                    fn arbitrary(__rng: &mut #p::Rng) -> Self {
                        let _ = &__rng;
                        Self {
                            #(#gens,)*
                            #tail_gen
                        }
                    }
                }
            }
        };
    }
}
