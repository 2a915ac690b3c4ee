//! `#[derive(Compat)]` on a `#[compat(transparent)]` wrapper: a struct of one field whose
//! hand-written `Serialize` writes that field alone (nushell's `SharedCow<T>`, an `Arc`
//! that clones on write). It is no message of its own: it gets no table, only the
//! `Travels` impl that says it wraps (so the tables of the messages holding it record the
//! wrapped type, and wrapping a field is no change on the wire) and walks its one field for
//! the send guard.

use crate::ast::{Data, Input};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::DeriveInput;

/// The impl of a wrapper, or the errors that keep it from being one.
pub(crate) fn derive(cx: Ctxt, node: &DeriveInput, input: &Input<'_>) -> TokenStream {
    let Some(key) = &input.attrs.wrapper else {
        return TokenStream::new();
    };
    let field = match &input.data {
        Data::Struct(_, fields) if fields.len() == 1 => Some(&fields[0]),
        _ => {
            cx.error_spanned_by(
                key,
                format!(
                    "`#[compat(transparent)]` is for a wrapper that writes the one value it holds, but \
                     `{}` is not a struct of one field; derive `Compat` on it as a message (without \
                     `transparent`), or describe what it writes where it is used \
                     (#[compat(wire(as = \"...\"))] on the field)",
                    input.ident
                ),
            );
            None
        }
    };
    if let Some(errors) = cx.finish() {
        return errors.to_compile_error();
    }
    let Some(field) = field else {
        return TokenStream::new();
    };
    let ty = field.ty;
    let member = if field.named {
        field.at.clone()
    } else {
        syn::Index::from(0).into_token_stream()
    };
    let ident = &node.ident;
    let mut generics = node.generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#ty: ::compat_runtime::message::Travels));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let travels = quote!(<#ty as ::compat_runtime::message::Travels>);
    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::message::Travels for #ident #ty_generics #where_clause {
            const WRAPS: bool = true;
            const NAME: &'static str = #travels::NAME;

            #[inline]
            fn __walk_newest(depth: u32) -> u64 {
                #travels::__walk_newest(depth)
            }

            #[inline]
            fn __walk_unreadable(&self, peer: u64) -> ::compat_runtime::__g::Found {
                #travels::__walk_unreadable(&self.#member, peer)
            }

            #[inline]
            fn __walk_needs_strip(&self, peer: u64) -> bool {
                #travels::__walk_needs_strip(&self.#member, peer)
            }

            #[inline]
            fn __walk_strip(&mut self, peer: u64) {
                #travels::__walk_strip(&mut self.#member, peer)
            }
        }
    }
}
