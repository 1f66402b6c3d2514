//! Code generation of `#[derive(NlAttrs)]`: encoder, decoder, policy, value generator.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Lifetime, Path};

use crate::ast::{Container, Field, Wrapper};
use crate::attr::{FamilySource, Spanned};

/// Tokens of an integer literal (negative ones as `-` and the literal), at `span`.
pub fn int_lit(v: i128, span: Span, suffix: &str) -> TokenStream {
    let mut lit = if suffix.is_empty() {
        Literal::u128_unsuffixed(v.unsigned_abs())
    } else {
        Literal::u128_suffixed(v.unsigned_abs())
    };
    if !suffix.is_empty() {
        lit = match suffix {
            "i128" => Literal::i128_suffixed(v.unsigned_abs() as i128),
            "usize" => Literal::usize_suffixed(v.unsigned_abs() as usize),
            _ => lit,
        };
    }
    lit.set_span(span);
    if v < 0 {
        quote_spanned!(span=> -#lit)
    } else {
        quote!(#lit)
    }
}

fn opt_int(p: &TokenStream, b: &Option<Spanned<i128>>, suffix: &str) -> TokenStream {
    match b {
        Some(b) => {
            let lit = int_lit(b.value, b.span, suffix);
            quote!(#p::Some(#lit))
        }
        None => quote!(#p::None),
    }
}

/// The lifetime used in the impl: the struct's own, or a fresh one.
fn impl_lifetime(c: &Container<'_>) -> Lifetime {
    c.lifetime
        .clone()
        .unwrap_or_else(|| Lifetime::new("'__nla", Span::call_site()))
}

/// `impl<'l> NlAttrs<'l> for Name<'l>` (or `for Name`) of any derive input, and the type
/// with `'static` for the value generator.
fn impl_header(
    input: &syn::DeriveInput,
    l: &Lifetime,
    own: bool,
    p: &TokenStream,
) -> (TokenStream, TokenStream) {
    let name = &input.ident;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let mut generics = input.generics.clone();
    if !own {
        generics.params.insert(
            0,
            syn::GenericParam::Lifetime(syn::LifetimeParam::new(l.clone())),
        );
    }
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let head = quote! {
        #[automatically_derived]
        impl #impl_generics #p::NlAttrs<#l> for #name #ty_generics #where_clause
    };
    let arbitrary_head = if own {
        quote!(impl<#l> #p::Arbitrary for #name<#l>)
    } else {
        quote!(impl #p::Arbitrary for #name)
    };
    (head, arbitrary_head)
}

/// Impls that let the user's code compile when the input was wrong, so that only the derive's
/// own errors show.
pub fn stub(input: &syn::DeriveInput, krate: &Path) -> TokenStream {
    let p = quote!(#krate::__private);
    let own = input
        .generics
        .lifetimes()
        .next()
        .map(|l| l.lifetime.clone());
    let l = own
        .clone()
        .unwrap_or_else(|| Lifetime::new("'__nla", Span::call_site()));
    let (head, _) = impl_header(input, &l, own.is_some(), &p);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = input.ident.to_string();
    quote! {
        const _: () = {
            #head {
                const POLICY: &'static #p::Policy = &#p::Policy {
                    name: #name,
                    header_len: 0,
                    fields: &[],
                    elements: #p::None,
                    captures_unknown: false,
                    header_family: #p::None,
                };
                fn encode_attrs(&self, _: &mut #p::AttributeEncoder<'_>) -> #p::Result<(), #p::EncodeError> {
                    #p::Ok(())
                }
                fn decode_parts(
                    _: &#l [u8],
                    _: #p::Attrs<#l>,
                    _: &#p::DecodeOptions,
                ) -> #p::Result<Self, #p::DecodeError> {
                    #p::Err(#p::derive_failed())
                }
            }

            #p::if_testing! {
                #[automatically_derived]
                impl #impl_generics #p::Arbitrary for #ident #ty_generics #where_clause {
                    fn arbitrary(_: &mut #p::Rng) -> Self {
                        // Never runs: the crate does not compile.
                        loop {}
                    }
                }
            }
        };
    }
}

struct Gen<'c> {
    p: TokenStream,
    l: Lifetime,
    c: &'c Container<'c>,
}

impl Gen<'_> {
    /// The initialiser of a required field decoded into the `Option` `var`: its value, or the
    /// missing-attribute error naming the field.
    fn required_init(&self, f: &Field, var: &syn::Ident) -> TokenStream {
        let p = &self.p;
        let ident = &f.ident;
        let t = Self::attr_type(f);
        let fname = self.fname(f);
        quote! {
            #ident: match #var {
                #p::Some(__v) => __v,
                #p::None => return #p::Err(#p::missing(__set, #t, #fname)),
            }
        }
    }

    fn fname(&self, f: &Field) -> String {
        use syn::ext::IdentExt as _;
        format!("{}.{}", self.c.input.ident, f.ident.unraw())
    }

    fn order(&self, f: &Field) -> TokenStream {
        let p = &self.p;
        if f.attrs.be.is_some() {
            quote!(#p::ByteOrder::Big)
        } else {
            quote!(#p::ByteOrder::Native)
        }
    }

    fn attr_type(f: &Field) -> TokenStream {
        if f.attrs.type_expr.is_some() {
            let c = type_const(f);
            return quote!(#c);
        }
        let t = f.attrs.attr_type.as_ref().map_or(0, |t| t.value);
        let lit = Literal::u16_unsuffixed(u16::try_from(t).unwrap_or(0));
        quote!(#lit)
    }

    /// Checks of a value `__v` (a reference); `fail` builds the error from `__r`.
    fn checks(&self, f: &Field, fail: &TokenStream) -> TokenStream {
        let p = &self.p;
        let mut out = TokenStream::new();
        if f.attrs.min.is_some() || f.attrs.max.is_some() {
            let min = opt_int(p, &f.attrs.min, "");
            let max = opt_int(p, &f.attrs.max, "");
            out.extend(quote! {
                if let #p::Some(__r) = #p::range_error(__v, #min, #max) {
                    return #p::Err(#fail);
                }
            });
        }
        if let Some(m) = &f.attrs.max_len {
            let n = Literal::usize_unsuffixed(usize::try_from(m.value).unwrap_or(usize::MAX));
            out.extend(quote! {
                if let #p::Some(__r) = #p::len_error(__v, #n) {
                    return #p::Err(#fail);
                }
            });
        }
        out
    }

    fn encode_field(&self, f: &Field) -> TokenStream {
        let p = &self.p;
        let l = &self.l;
        let ident = &f.ident;
        let a = &f.attrs;
        if a.header.is_some() || a.order.is_some() {
            return TokenStream::new();
        }
        if a.unknown.is_some() {
            return quote!(self.#ident.encode_into(__ae););
        }
        let t = Self::attr_type(f);
        if a.flag.is_some() {
            return quote!(__ae.flag(#t, self.#ident););
        }
        let inner = &f.inner;
        if a.sub_message.is_some() {
            let flag = a.no_nested_flag.is_none();
            let one = quote!(<#inner as #p::NlSubMessage<#l>>::encode_sub(__v, __ae, #t, #flag););
            return match f.wrapper {
                Wrapper::Option => quote! { if let #p::Some(__v) = &self.#ident { #one } },
                _ => quote! { { let __v = &self.#ident; #one } },
            };
        }
        let one = self.encode_one(f);
        match f.wrapper {
            Wrapper::None => quote! { { let __v = &self.#ident; #one } },
            Wrapper::Option => quote! { if let #p::Some(__v) = &self.#ident { #one } },
            Wrapper::Vec => quote! { for __v in &self.#ident { #one } },
            Wrapper::Multi => quote! { for __v in self.#ident.iter() { let __v = &__v; #one } },
        }
    }

    /// Encoding of one value `__v` (a reference) of a value or nested field.
    fn encode_one(&self, f: &Field) -> TokenStream {
        let p = &self.p;
        let l = &self.l;
        let a = &f.attrs;
        let t = Self::attr_type(f);
        let inner = &f.inner;
        let fname = self.fname(f);
        if a.nested.is_some() && a.no_nested_flag.is_some() {
            quote! {
                #p::encode_nested_no_flag::<#inner>(__v, __ae, #t);
            }
        } else if a.nested.is_some() {
            quote! {
                #p::encode_nested::<#inner>(__v, __ae, #t);
            }
        } else {
            let fail = quote!(#p::encode_invalid(#t, #fname, __r));
            let mut checks = self.checks(f, &fail);
            if let Some(FamilySource::Header { base, field }) = family_source(f) {
                let get = family_getter(field);
                checks.extend(quote! {
                    if let #p::Some(__r) = <#inner as #p::NlaFamilyValue<#l>>::family_mismatch(
                        __v,
                        #get(&self.#base),
                    ) {
                        return #p::Err(#fail);
                    }
                });
            }
            let order = self.order(f);
            quote! {
                #checks
                <#inner as #p::NlaValue<#l>>::encode_value(__v, __ae, #t, #order);
            }
        }
    }

    /// The header fields named by `family = header.FIELD` fields, each once, in the order of
    /// their first use: `(header, FIELD)`.
    fn header_family_fields(&self) -> Vec<(&syn::Ident, &syn::Ident)> {
        let mut out: Vec<(&syn::Ident, &syn::Ident)> = Vec::new();
        for f in &self.c.fields {
            if let Some(FamilySource::Header { base, field }) = family_source(f) {
                if !out.iter().any(|(_, x)| *x == field) {
                    out.push((base, field));
                }
            }
        }
        out
    }

    /// Helpers reading (and, for value generators, setting) the header field that holds the
    /// family of `family = header.FIELD` fields: the one place naming that field, so that a
    /// mistake in it is reported once.
    fn family_helpers(&self) -> TokenStream {
        let p = &self.p;
        let Some(h) = self.c.fields.iter().find(|f| f.attrs.header.is_some()) else {
            return TokenStream::new();
        };
        let hty = &h.inner;
        let mut out = TokenStream::new();
        for (k, (_, field)) in self.header_family_fields().into_iter().enumerate() {
            let get = family_getter(field);
            let set = family_setter(field);
            if k == 0 {
                // The policy's reader of the family (one family field per header).
                out.extend(quote! {
                    fn __nla_header_family(__b: &[u8]) -> u16 {
                        #get(&<#hty as #p::NlStruct>::read_from(__b))
                    }
                });
            }
            out.extend(quote! {
                #[inline]
                #[allow(non_snake_case)]
                fn #get(__h: &#hty) -> u16 {
                    #p::FamilyNumber::family(&(*__h).#field)
                }
                #p::if_testing! {
                    #[allow(non_snake_case)]
                    fn #set(__h: &mut #hty, __f: u16) {
                        #p::FamilyNumber::set_family(&mut (*__h).#field, __f)
                    }
                }
            });
        }
        out
    }

    /// Statements before the decoder's loop: the header, read first, and the family of each
    /// `family = header.FIELD`.
    fn decode_families(&self) -> TokenStream {
        let p = &self.p;
        let Some(h) = self.c.fields.iter().find(|f| f.attrs.header.is_some()) else {
            return TokenStream::new();
        };
        let fields = self.header_family_fields();
        if fields.is_empty() {
            return TokenStream::new();
        }
        let hty = &h.inner;
        let mut out = quote!(let __hdr = <#hty as #p::NlStruct>::read_from(__header););
        for (_, field) in fields {
            let get = family_getter(field);
            let var = family_var(field);
            out.extend(quote!(let #var: u16 = #get(&__hdr);));
        }
        out
    }

    /// Value generators: the header's family drawn among the interesting ones, and every
    /// `family` field made to agree with it.
    fn family_fixups(&self) -> TokenStream {
        let p = &self.p;
        let mut out = TokenStream::new();
        for (base, field) in self.header_family_fields() {
            // A required address needs an IP family.
            let ip_only = self.c.fields.iter().any(|g| {
                g.wrapper == Wrapper::None
                    && matches!(family_source(g), Some(FamilySource::Header { field: x, .. }) if x == field)
            });
            let set = family_setter(field);
            out.extend(quote!(#set(&mut __v.#base, #p::arbitrary_family(__rng, #ip_only));));
        }
        // The trait is named as in the decoder (`<T as NlaFamilyValue<'l>>`), so that a type
        // that does not implement it is reported once.
        let l = &self.l;
        for f in &self.c.fields {
            let Some(FamilySource::Header { base, field }) = family_source(f) else {
                continue;
            };
            let get = family_getter(field);
            let ident = &f.ident;
            let inner = &f.inner;
            let fix = quote!(<#inner as #p::NlaFamilyValue<#l>>::fix_family);
            let body = match f.wrapper {
                Wrapper::Option => quote! {
                    if let #p::Some(__x) = __f {
                        if !#fix(__x, __fam) {
                            *__f = #p::None;
                        }
                    }
                },
                Wrapper::Vec | Wrapper::Multi => quote!(__f.retain_mut(|__x| #fix(__x, __fam));),
                Wrapper::None => quote!(let _ = #fix(__f, __fam);),
            };
            let ty = match f.wrapper {
                Wrapper::Option => quote!(#p::Option<#inner>),
                Wrapper::Vec | Wrapper::Multi => quote!(#p::Vec<#inner>),
                Wrapper::None => quote!(#inner),
            };
            out.extend(if self.c.lifetime.is_some() {
                quote! {{
                    let __fam = #get(&__v.#base);
                    let __f: &mut #ty = &mut __v.#ident;
                    #body
                }}
            } else {
                quote! {{
                    #[allow(clippy::needless_lifetimes, clippy::extra_unused_lifetimes)]
                    fn __fix<#l>(__f: &mut #ty, __fam: u16) {
                        #body
                    }
                    __fix(&mut __v.#ident, #get(&__v.#base));
                }}
            });
        }
        out
    }

    /// The field keeping the arrival order, if any.
    fn order_field(&self) -> Option<&Field> {
        self.c.fields.iter().find(|f| f.attrs.order.is_some())
    }

    /// Whether field `f` is an attribute (it has a slot in an `AttrOrder`).
    fn is_attribute(f: &Field) -> bool {
        f.attrs.header.is_none() && f.attrs.unknown.is_none() && f.attrs.order.is_none()
    }

    /// The slot of field number `i` in an `AttrOrder`.
    fn slot(i: usize) -> Literal {
        Literal::u16_suffixed(u16::try_from(i).unwrap_or(u16::MAX - 1))
    }

    /// With an `order` field: statements encoding the attributes in the recorded order (when
    /// one was recorded) and returning. Each attribute field is written at its first slot (a
    /// repeated one, one element per slot; the unknown field, one attribute per
    /// `AttrOrder::UNKNOWN` slot); what the order does not name follows in declaration order.
    fn encode_ordered(&self) -> TokenStream {
        let p = &self.p;
        let Some(order) = self.order_field() else {
            return TokenStream::new();
        };
        let order = &order.ident;
        let mut setup = Vec::new();
        let mut arms = Vec::new();
        let mut rest = Vec::new();
        for (i, f) in self.c.fields.iter().enumerate() {
            let ident = &f.ident;
            let k = Self::slot(i);
            if f.attrs.unknown.is_some() {
                setup.push(quote!(let mut __unk = self.#ident.iter();));
                arms.push(quote! {
                    0xffff => {
                        if let #p::Some(#p::Ok(__a)) = __unk.next() {
                            __ae.raw(__a.raw_type(), __a.payload());
                        }
                    }
                });
                rest.push(quote! {
                    for __a in __unk.flatten() {
                        __ae.raw(__a.raw_type(), __a.payload());
                    }
                });
                continue;
            }
            if !Self::is_attribute(f) {
                continue;
            }
            match f.wrapper {
                Wrapper::Vec | Wrapper::Multi => {
                    let it = format_ident!("__it{}", i);
                    let one = self.encode_one(f);
                    let one = if f.wrapper == Wrapper::Multi {
                        quote!(let __v = &__v; #one)
                    } else {
                        one
                    };
                    setup.push(quote!(let mut #it = self.#ident.iter();));
                    arms.push(quote! {
                        #k => {
                            if let #p::Some(__v) = #it.next() { #one }
                        }
                    });
                    rest.push(quote!(for __v in #it { #one }));
                }
                Wrapper::None | Wrapper::Option => {
                    let done = format_ident!("__done{}", i);
                    let all = self.encode_field(f);
                    setup.push(quote!(let mut #done = false;));
                    arms.push(quote! {
                        #k => {
                            if !#done {
                                #done = true;
                                #all
                            }
                        }
                    });
                    rest.push(quote!(if !#done { #all }));
                }
            }
        }
        quote! {
            if self.#order.is_recorded() {
                #(#setup)*
                for __s in self.#order.slots() {
                    match *__s {
                        #(#arms)*
                        _ => {}
                    }
                }
                #(#rest)*
                return #p::encoder_result(__ae);
            }
        }
    }

    /// With an `order` field: what an arm of the decoder does first for field number `i`
    /// (`None`: an unknown attribute): notice an attribute against declaration order.
    fn track(&self, i: Option<usize>) -> TokenStream {
        if self.order_field().is_none() {
            return TokenStream::new();
        }
        match i {
            Some(i) => {
                let k = Self::slot(i);
                quote! {
                    if #k < __last {
                        __disordered = true;
                    }
                    __last = #k;
                }
            }
            None => quote!(__last = 0xffff;),
        }
    }

    /// The expression decoding one occurrence from `__a`, checks included, as a `Result`.
    fn decode_one(&self, f: &Field) -> TokenStream {
        let p = &self.p;
        let l = &self.l;
        let inner = &f.inner;
        if f.attrs.nested.is_some() {
            let v = quote!(#p::decode_nested::<#inner>(__a, __opts));
            return if f.boxed {
                quote!(#v.map(#p::Box::new))
            } else {
                v
            };
        }
        let order = self.order(f);
        let fname = self.fname(f);
        let fail = quote!(#p::decode_invalid(__a, #fname, __r));
        let checks = self.checks(f, &fail);
        quote! {{
            let __value = <#inner as #p::NlaValue<#l>>::decode_value(__a, #order)?;
            {
                let __v = &__value;
                #checks
            }
            #p::Ok(__value)
        }}
    }

    fn expand(&self) -> TokenStream {
        let p = &self.p;
        let l = &self.l;
        let c = self.c;
        let name = &c.input.ident;
        let name_str = name.to_string();
        let own = c.lifetime.is_some();
        let (head, arbitrary_head) = impl_header(c.input, l, own, p);

        let header = c.fields.iter().find(|f| f.attrs.header.is_some());
        let (header_len, encode_header) = match header {
            Some(h) => {
                let ty = &h.inner;
                let ident = &h.ident;
                (
                    quote!(<#ty as #p::NlStruct>::SIZE),
                    quote! {
                        fn encode_header(&self, __buf: &mut #p::Vec<u8>) {
                            <#ty as #p::NlStruct>::write_to(&self.#ident, __buf);
                        }
                    },
                )
            }
            None => (quote!(0), TokenStream::new()),
        };

        let encodes: Vec<TokenStream> = c.fields.iter().map(|f| self.encode_field(f)).collect();
        let encode_ordered = self.encode_ordered();

        // Decoder.
        let mut locals = Vec::new();
        let mut subs = Vec::new();
        let mut arms = Vec::new();
        let mut inits = Vec::new();
        let mut unknown_arm = quote! {
            if __opts.strict {
                return #p::Err(#p::unknown(&__a));
            }
        };
        let mut needs_all = false;
        let families = self.decode_families();
        let unknown_var = c
            .fields
            .iter()
            .position(|f| f.attrs.unknown.is_some())
            .map(|k| format_ident!("__f{}", k));
        for (i, f) in c.fields.iter().enumerate() {
            let ident = &f.ident;
            let var = format_ident!("__f{}", i);
            let a = &f.attrs;
            if a.header.is_some() {
                let ty = &f.inner;
                if families.is_empty() {
                    inits.push(quote!(#ident: <#ty as #p::NlStruct>::read_from(__header)));
                } else {
                    inits.push(quote!(#ident: __hdr));
                }
                continue;
            }
            if a.unknown.is_some() {
                locals.push(quote!(let mut #var = #p::UnknownAttrs::new();));
                unknown_arm.extend(self.track(None));
                unknown_arm.extend(quote!(#p::keep(&mut #var, &__a);));
                inits.push(quote!(#ident: #var));
                continue;
            }
            if a.order.is_some() {
                inits.push(quote!(#ident: __order));
                continue;
            }
            let t = Self::attr_type(f);
            let track = self.track(Some(i));
            if let Some(sel) = &a.sub_message {
                let inner = &f.inner;
                let raw = format_ident!("__r{}", i);
                let sel_var = c
                    .fields
                    .iter()
                    .position(|g| g.ident == sel.value)
                    .map(|k| format_ident!("__f{}", k))
                    .unwrap_or_else(|| format_ident!("__f0"));
                locals.push(quote!(let mut #raw: #p::Option<#p::Attr<#l>> = #p::None;));
                arms.push(quote!(#t => { #track #raw = #p::Some(__a); }));
                let dec = quote! {
                    match &#raw {
                        #p::Some(__a) => #p::Some(
                            <#inner as #p::NlSubMessage<#l>>::decode_sub(
                                #p::selector(&#sel_var),
                                __a,
                                __opts,
                            )?,
                        ),
                        #p::None => #p::None,
                    }
                };
                if f.wrapper == Wrapper::Option {
                    subs.push(quote!(let #var = #dec;));
                    inits.push(quote!(#ident: #var));
                } else {
                    subs.push(quote!(let #var = #dec;));
                    inits.push(self.required_init(f, &var));
                }
                continue;
            }
            if a.flag.is_some() {
                locals.push(quote!(let mut #var = false;));
                arms.push(quote!(#t => { #track __a.flag()?; #var = true; }));
                inits.push(quote!(#ident: #var));
                continue;
            }
            if let Some(src) = family_source(f) {
                let inner = &f.inner;
                let fname = self.fname(f);
                let fam = match src {
                    FamilySource::Header { field, .. } => {
                        let v = family_var(field);
                        quote!(#v)
                    }
                    FamilySource::Outer => quote!(__opts.family),
                };
                let keep = match &unknown_var {
                    Some(u) => quote!(#p::keep(&mut #u, &__a);),
                    None => TokenStream::new(),
                };
                let other = self.track(None);
                let store = match f.wrapper {
                    Wrapper::Vec | Wrapper::Multi => quote!(#var.push(__v);),
                    _ => quote!(#var = #p::Some(__v);),
                };
                arms.push(quote! {
                    #t => {
                        if <#inner as #p::NlaFamilyValue<#l>>::in_family(#fam) {
                            #track
                            let __v = <#inner as #p::NlaFamilyValue<#l>>::decode_family(
                                &__a, #fam, __opts, #fname,
                            )?;
                            #store
                        } else {
                            #other
                            #keep
                        }
                    }
                });
                match f.wrapper {
                    Wrapper::None => {
                        locals.push(quote!(let mut #var = #p::None;));
                        inits.push(self.required_init(f, &var));
                    }
                    Wrapper::Option => {
                        locals.push(quote!(let mut #var = #p::None;));
                        inits.push(quote!(#ident: #var));
                    }
                    Wrapper::Vec | Wrapper::Multi => {
                        locals.push(quote!(let mut #var = #p::Vec::new();));
                        inits.push(quote!(#ident: #var));
                    }
                }
                continue;
            }
            let one = self.decode_one(f);
            let dec =
                quote! {{ let __a = &__a; let __r: #p::Result<_, #p::DecodeError> = #one; __r? }};
            match f.wrapper {
                Wrapper::None => {
                    locals.push(quote!(let mut #var = #p::None;));
                    arms.push(quote!(#t => { #track #var = #p::Some(#dec); }));
                    inits.push(self.required_init(f, &var));
                }
                Wrapper::Option => {
                    locals.push(quote!(let mut #var = #p::None;));
                    arms.push(quote!(#t => { #track #var = #p::Some(#dec); }));
                    inits.push(quote!(#ident: #var));
                }
                Wrapper::Vec => {
                    locals.push(quote!(let mut #var = #p::Vec::new();));
                    arms.push(quote!(#t => { #track #var.push(#dec); }));
                    inits.push(quote!(#ident: #var));
                }
                Wrapper::Multi => {
                    needs_all = true;
                    let inner = &f.inner;
                    let dfn = format_ident!("__d{}", i);
                    locals.push(quote! {
                        let mut #var: usize = 0;
                        let #dfn: #p::DecodeFn<#l, #inner> = |__a, __opts| #one;
                    });
                    arms.push(quote!(#t => { #track let _ = #dfn(&__a, __opts)?; #var += 1; }));
                    inits.push(quote! {
                        #ident: #p::Multi::from_attrs(__all.clone(), #t, #var, #dfn, *__opts)
                    });
                }
            }
        }
        let all = if needs_all {
            quote!(let __all = __attrs.clone();)
        } else {
            TokenStream::new()
        };
        let (order_setup, order_record) = self.decode_order();

        // Policy.
        let mut fps = Vec::new();
        for f in &c.fields {
            let a = &f.attrs;
            if !Self::is_attribute(f) {
                continue;
            }
            let t = Self::attr_type(f);
            let fname = self.fname(f);
            let inner = &f.inner;
            let kind = if a.flag.is_some() {
                quote!(#p::FieldKind::Flag)
            } else if let Some(sel) = &a.sub_message {
                let sel_t = c
                    .fields
                    .iter()
                    .find(|g| g.ident == sel.value)
                    .map_or_else(|| quote!(0), Self::attr_type);
                quote!(#p::FieldKind::SubMessage {
                    selector: #sel_t,
                    policy_for: <#inner as #p::NlSubMessage<#l>>::policy_for,
                })
            } else if a.family.is_some() {
                quote!(#p::FieldKind::Value(<#inner as #p::NlaFamilyValue<#l>>::FAMILY_KIND))
            } else if a.nested.is_some() {
                quote!(#p::FieldKind::Nested(<#inner as #p::NlAttrs<#l>>::policy))
            } else {
                quote!(#p::FieldKind::Value(<#inner as #p::NlaValue<#l>>::KIND))
            };
            let required = f.wrapper == Wrapper::None && a.flag.is_none();
            let _ = inner;
            let multi = matches!(f.wrapper, Wrapper::Vec | Wrapper::Multi);
            let be = a.be.is_some();
            let nested_flag = a.no_nested_flag.is_none();
            let max_len = match &a.max_len {
                Some(m) => {
                    let n = Literal::usize_suffixed(usize::try_from(m.value).unwrap_or(usize::MAX));
                    quote!(#p::Some(#n))
                }
                None => quote!(#p::None),
            };
            let min = opt_int(p, &a.min, "i128");
            let max = opt_int(p, &a.max, "i128");
            fps.push(quote! {
                #p::FieldPolicy {
                    name: #fname,
                    attr_type: #t,
                    kind: #kind,
                    required: #required,
                    multi: #multi,
                    big_endian: #be,
                    max_len: #max_len,
                    min: #min,
                    max: #max,
                    nested_flag: #nested_flag,
                }
            });
        }
        let captures = c.fields.iter().any(|f| f.attrs.unknown.is_some());

        // Value generator.
        let gens: Vec<TokenStream> = c.fields.iter().map(|f| self.arbitrary_field(f)).collect();

        let type_consts = type_consts(c, p);
        let mut fixups = self.selector_fixups();
        fixups.extend(self.family_fixups());
        let family_helpers = self.family_helpers();
        let header_family = if family_helpers.is_empty() {
            quote!(#p::None)
        } else {
            quote!(#p::Some(__nla_header_family))
        };

        quote! {
            const _: () = {
                #type_consts
                #family_helpers

                #head {
                    const POLICY: &'static #p::Policy = &#p::Policy {
                        name: #name_str,
                        header_len: #header_len,
                        fields: &[#(#fps),*],
                        elements: #p::None,
                        captures_unknown: #captures,
                        header_family: #header_family,
                    };
                    const HEADER_LEN: usize = #header_len;

                    #encode_header

                    #[inline]
                    fn encode_attrs(
                        &self,
                        __ae: &mut #p::AttributeEncoder<'_>,
                    ) -> #p::Result<(), #p::EncodeError> {
                        #encode_ordered
                        #(#encodes)*
                        #p::encoder_result(__ae)
                    }

                    #[inline]
                    fn decode_parts(
                        __header: &#l [u8],
                        __attrs: #p::Attrs<#l>,
                        __opts: &#p::DecodeOptions,
                    ) -> #p::Result<Self, #p::DecodeError> {
                        let __set = #p::set_offset(&__attrs);
                        #all
                        #order_setup
                        #families
                        #(#locals)*
                        for __a in __attrs {
                            let __a = __a?;
                            match __a.attr_type() {
                                #(#arms)*
                                _ => { #unknown_arm }
                            }
                        }
                        #order_record
                        #(#subs)*
                        #p::Ok(Self { #(#inits),* })
                    }
                }

                #p::if_testing! {
                    #[automatically_derived]
                    #arbitrary_head {
                        fn arbitrary(__rng: &mut #p::Rng) -> Self {
                            __rng.enter();
                            #[allow(unused_mut)]
                            let mut __v = Self { #(#gens),* };
                            __rng.leave();
                            #fixups
                            __v
                        }
                    }
                }
            };
        }
    }

    /// With an `order` field: the decoder's locals noticing disorder, and the statement that
    /// records the order (a second pass over the attributes, only when they arrived against
    /// declaration order).
    fn decode_order(&self) -> (TokenStream, TokenStream) {
        let p = &self.p;
        if self.order_field().is_none() {
            return (TokenStream::new(), TokenStream::new());
        }
        let l = &self.l;
        let other = if self.c.fields.iter().any(|f| f.attrs.unknown.is_some()) {
            quote!(#p::Some(0xffff))
        } else {
            quote!(#p::None)
        };
        let mut arms = Vec::new();
        for (i, f) in self.c.fields.iter().enumerate() {
            if Self::is_attribute(f) {
                let t = Self::attr_type(f);
                let k = Self::slot(i);
                // An address attribute of a family without such addresses went to the
                // unknown ones.
                let fam = match family_source(f) {
                    Some(FamilySource::Header { field, .. }) => {
                        let v = family_var(field);
                        Some(quote!(#v))
                    }
                    Some(FamilySource::Outer) => Some(quote!(__opts.family)),
                    None => None,
                };
                arms.push(match fam {
                    Some(fam) => {
                        let inner = &f.inner;
                        quote! {
                            #t => if <#inner as #p::NlaFamilyValue<#l>>::in_family(#fam) {
                                #p::Some(#k)
                            } else {
                                #other
                            },
                        }
                    }
                    None => quote!(#t => #p::Some(#k),),
                });
            }
        }
        (
            quote! {
                let __again = __attrs.clone();
                #[allow(unused_mut)]
                let mut __last: u16 = 0;
                #[allow(unused_mut)]
                let mut __disordered = false;
            },
            quote! {
                let __order = if __disordered {
                    #p::AttrOrder::record(__again, |__t| match __t {
                        #(#arms)*
                        _ => #other,
                    })
                } else {
                    let _ = (__again, __last);
                    #p::AttrOrder::new()
                };
            },
        )
    }

    /// Generated values of sub-message fields agree with their selectors.
    fn selector_fixups(&self) -> TokenStream {
        let p = &self.p;
        let mut out = TokenStream::new();
        for f in &self.c.fields {
            let Some(sel) = &f.attrs.sub_message else {
                continue;
            };
            let Some(target) = self.c.fields.iter().find(|g| g.ident == sel.value) else {
                continue;
            };
            let data = &f.ident;
            let kind = &target.ident;
            let data = if f.wrapper == Wrapper::Option {
                quote!(__v.#data.as_ref())
            } else {
                quote!(#p::Some(&__v.#data))
            };
            out.extend(if target.wrapper == Wrapper::Option {
                quote!(#p::fix_selector(#data, &mut __v.#kind);)
            } else {
                quote!(#p::fix_selector_required(#data, &mut __v.#kind);)
            });
        }
        out
    }

    fn arbitrary_field(&self, f: &Field) -> TokenStream {
        let p = &self.p;
        let l = match &self.c.lifetime {
            Some(l) => quote!(#l),
            None => quote!('static),
        };
        let ident = &f.ident;
        let a = &f.attrs;
        if a.header.is_some() {
            return quote!(#ident: #p::Arbitrary::arbitrary(__rng));
        }
        if a.unknown.is_some() {
            return quote! {
                #ident: #p::arbitrary_unknown(__rng, <Self as #p::NlAttrs<#l>>::POLICY)
            };
        }
        if a.order.is_some() {
            let slots = self.c.fields.iter().enumerate().filter_map(|(i, g)| {
                if g.attrs.unknown.is_some() {
                    Some(Literal::u16_suffixed(0xffff))
                } else {
                    Self::is_attribute(g).then(|| Self::slot(i))
                }
            });
            return quote!(#ident: #p::arbitrary_order(__rng, &[#(#slots),*]));
        }
        if a.flag.is_some() {
            return quote!(#ident: __rng.coin());
        }
        let one = if a.min.is_some() || a.max.is_some() {
            let min = opt_int(p, &a.min, "");
            let max = opt_int(p, &a.max, "");
            quote!(#p::Arbitrary::arbitrary_range(__rng, #min, #max))
        } else if let Some(m) = &a.max_len {
            let n = Literal::usize_unsuffixed(usize::try_from(m.value).unwrap_or(usize::MAX));
            quote!(#p::Arbitrary::arbitrary_max_len(__rng, #n))
        } else {
            quote!(#p::Arbitrary::arbitrary(__rng))
        };
        let one = if f.boxed {
            quote!(#p::Box::new(#one))
        } else {
            one
        };
        let v = match f.wrapper {
            Wrapper::None => one,
            Wrapper::Option => quote! {
                if __rng.deep() || __rng.below(4) == 0 { #p::None } else { #p::Some(#one) }
            },
            Wrapper::Vec => quote!(#p::arbitrary_vec(__rng, |__rng| #one)),
            Wrapper::Multi => quote!(#p::arbitrary_multi(__rng, |__rng| #one)),
        };
        quote!(#ident: #v)
    }
}

/// The impls of a checked container.
pub fn expand(c: &Container<'_>, krate: &Path) -> TokenStream {
    let g = Gen {
        p: quote!(#krate::__private),
        l: impl_lifetime(c),
        c,
    };
    g.expand()
}

/// Where the family of a `family = ...` field comes from.
fn family_source(f: &Field) -> Option<&FamilySource> {
    f.attrs.family.as_ref().map(|s| &s.value)
}

/// The helper reading the header's family field `field`.
fn family_getter(field: &syn::Ident) -> syn::Ident {
    use syn::ext::IdentExt as _;
    format_ident!("__nla_family_{}", field.unraw())
}

/// The helper setting the header's family field `field` (value generators).
fn family_setter(field: &syn::Ident) -> syn::Ident {
    use syn::ext::IdentExt as _;
    format_ident!("__nla_set_family_{}", field.unraw())
}

/// The decoder's local holding the family read from the header's field `field`.
fn family_var(field: &syn::Ident) -> syn::Ident {
    use syn::ext::IdentExt as _;
    format_ident!("__fam_{}", field.unraw())
}

/// The name of the constant holding a field's `type = CONSTANT`.
fn type_const(f: &Field) -> syn::Ident {
    use syn::ext::IdentExt as _;
    format_ident!("__NLA_TYPE_{}", f.ident.unraw().to_string().to_uppercase())
}

/// One checked `u16` constant per `type = CONSTANT`, and compile-time assertions that no two
/// attribute fields share a type where a constant is involved (literal pairs are checked by
/// the derive itself).
fn type_consts(c: &Container<'_>, p: &TokenStream) -> TokenStream {
    use syn::ext::IdentExt as _;
    let mut out = TokenStream::new();
    let attrs: Vec<&Field> = c
        .fields
        .iter()
        .filter(|f| f.attrs.attr_type.is_some() || f.attrs.type_expr.is_some())
        .collect();
    for f in &attrs {
        if let Some(e) = &f.attrs.type_expr {
            let name = type_const(f);
            let expr = &e.value;
            let msg = format!(
                "the attribute type of `{}` must be 1..=16383: 0 is reserved and the two top \
                 bits are the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags",
                f.ident.unraw()
            );
            out.extend(respan(
                quote! {
                    #[allow(non_upper_case_globals, clippy::unnecessary_cast)]
                    const #name: u16 = {
                        let __t = (#expr) as u64;
                        #p::assert!(#p::valid_attr_type(__t), #msg);
                        __t as u16
                    };
                },
                e.span,
            ));
        }
    }
    for (i, fi) in attrs.iter().enumerate() {
        for fj in attrs.iter().take(i) {
            let (Some(ei), ej) = (&fi.attrs.type_expr, &fj.attrs.type_expr) else {
                if let (None, Some(_)) = (&fi.attrs.type_expr, &fj.attrs.type_expr) {
                    // A literal after a constant: reported on the literal.
                    let ti = Gen::attr_type(fi);
                    let tj = Gen::attr_type(fj);
                    let span = fi
                        .attrs
                        .attr_type
                        .as_ref()
                        .map_or(Span::call_site(), |t| t.span);
                    let msg = format!(
                        "duplicate attribute type: `{}` has the type of `{}`",
                        fi.ident.unraw(),
                        fj.ident.unraw()
                    );
                    out.extend(respan(
                        quote!(const _: () = #p::assert!(#ti != #tj, #msg);),
                        span,
                    ));
                }
                continue;
            };
            let _ = ej;
            let ti = Gen::attr_type(fi);
            let tj = Gen::attr_type(fj);
            let msg = format!(
                "duplicate attribute type: `{}` has the type of `{}`",
                fi.ident.unraw(),
                fj.ident.unraw()
            );
            out.extend(respan(
                quote!(const _: () = #p::assert!(#ti != #tj, #msg);),
                ei.span,
            ));
        }
    }
    out
}

/// `tokens` with every span set to `span`, so that compile-time errors of generated constants
/// point at the user's tokens.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut n = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                n.set_span(span);
                t = proc_macro2::TokenTree::Group(n);
            } else {
                t.set_span(span);
            }
            t
        })
        .collect()
}
