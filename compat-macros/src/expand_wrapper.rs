//! `#[derive(Compat)]` on a type that is no message of its own, only a way a value travels:
//!
//! - a `#[compat(transparent)]` wrapper, a struct of one field whose hand-written
//!   `Serialize` writes that field alone (nushell's `SharedCow<T>`, an `Arc` that clones on
//!   write);
//! - a type described with `#[compat(wire(...))]`, whose hand-written `Serialize` always
//!   writes the shape it names (nushell's `ShellError`, always written as a
//!   `LabeledError`): its own fields are not the wire, the described shape is.
//!
//! Neither gets a table: only the `Travels` impl that says what it writes (so the tables of
//! the messages holding it record that, and wrapping a field is no change on the wire) and
//! walks it for the send guard: a wrapper's one field, a described type's value as `via`
//! makes it.

use crate::ast::{Data, Field, Input};
use crate::attr::{Described, Wire};
use crate::ctxt::Ctxt;
use crate::expand_guard::via_read;
use crate::expand_table::{WRITES_IN_SCOPE, described_text, recorded};
use crate::type_text::type_text;
use crate::wire_type::wire_type;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

/// The impl of a wrapper or a described type, or the errors that keep it from being one.
pub(crate) fn derive(cx: Ctxt, node: &DeriveInput, input: &Input<'_>) -> TokenStream {
    if let Some((key, wire)) = &input.attrs.described {
        return described(cx, node, input, key, wire);
    }
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
                     `transparent`), or describe what it writes: #[compat(wire(as = \"...\"))] on the type",
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
    wrapper(node, field)
}

/// The `Travels` impl of a wrapper of `field`.
fn wrapper(node: &DeriveInput, field: &Field<'_>) -> TokenStream {
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
    // A generic wrapper's holders splice the wrapped type's text themselves; a wrapper of
    // one type names its text, which they record in its place.
    let writes = (node.generics.type_params().next().is_none()).then(|| {
        let wire = wire_type(ty);
        let text = type_text(&wire);
        let writes = match recorded(&wire, &text, &[]) {
            Some(recorded) => {
                let in_scope: TokenStream = WRITES_IN_SCOPE.parse().expect("a `use` item");
                quote!({ #in_scope #recorded })
            }
            None => quote!(#text),
        };
        quote!(const WRITES: &'static str = #writes;)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::message::Travels for #ident #ty_generics #where_clause {
            const WRAPS: bool = true;
            const NAME: &'static str = #travels::NAME;
            #writes

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

/// The `Travels` impl of a type described with `#[compat(wire(...))]` (`key`): it records
/// the described shape, and, with `via`, the guard walks the value `via` makes from it.
fn described(
    cx: Ctxt,
    node: &DeriveInput,
    input: &Input<'_>,
    key: &syn::Path,
    wire: &Wire,
) -> TokenStream {
    let ident = &input.ident;
    if let Some(transparent) = &input.attrs.wrapper {
        cx.error_spanned_by(
            transparent,
            format!(
                "`{ident}` is described with #[compat(wire(...))] and marked `transparent`: a \
                 wrapper writes the value it holds, a described type the shape it names; keep one"
            ),
        );
    }
    if input.attrs.since_written || input.attrs.direction_written {
        let what = if input.attrs.since_written {
            "#[since]"
        } else {
            "direction (`from`, `to`, `between`, `routes`)"
        };
        cx.error_spanned_by(
            key,
            format!(
                "`{ident}` is described with #[compat(wire(...))], so it is no message of its own \
                 and takes no {what}: the shape it writes is checked where it travels; remove it, \
                 or drop `wire` to make `{ident}` a message"
            ),
        );
    }
    if let Some(errors) = cx.finish() {
        return errors.to_compile_error();
    }
    let text = described_text(&wire.shape);
    let walks = match (wire.shape.carried(), &wire.via) {
        (Some(ty), Some(via)) => walks(&wire.shape, ty, via),
        _ => TokenStream::new(),
    };
    let (impl_generics, ty_generics, where_clause) = node.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::message::Travels for #ident #ty_generics #where_clause {
            const WRAPS: bool = true;
            const NAME: &'static str = #text;
            const WRITES: &'static str = #text;
            #walks
        }
    }
}

/// A described type's walk: the newest release the described type may hold, and its value
/// as `via` makes it (nothing to strip in place: that value is made anew for each look).
fn walks(shape: &Described, ty: &syn::Type, via: &syn::ExprPath) -> TokenStream {
    if matches!(shape, Described::Scalar(_)) {
        return TokenStream::new();
    }
    let travels = quote_spanned!(ty.span()=> <#ty as ::compat_runtime::message::Travels>);
    let read = via_read(shape, ty, via, &quote!(self));
    quote! {
        #[inline]
        fn __walk_newest(depth: u32) -> u64 {
            #travels::__walk_newest(depth)
        }

        #[inline]
        fn __walk_unreadable(&self, peer: u64) -> ::compat_runtime::__g::Found {
            #read
        }
    }
}
