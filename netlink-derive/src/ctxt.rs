//! The error collector: every mistake of one derive input, reported together.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects `syn::Error`s while parsing and checking.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// An error spanned on `tokens`.
    pub fn error_spanned(&mut self, tokens: impl ToTokens, msg: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }

    /// An error at `span`.
    pub fn error_at(&mut self, span: proc_macro2::Span, msg: impl Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    /// Records an error built elsewhere.
    pub fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    /// Whether nothing went wrong so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors
            .into_iter()
            .map(syn::Error::into_compile_error)
            .collect()
    }
}
