//! `messages![A, B, C]`: the list of every message of a crate, checked against the types the
//! build script found deriving `Compat`, so that the handshake and the wire lock never miss
//! one.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Token, Type};

/// The variable the build script fills with `Name@file:line` for every type it saw deriving
/// `Compat`, comma-separated.
const FOUND: &str = "COMPAT_MESSAGES";

pub(crate) fn expand(input: TokenStream, found: Option<String>) -> TokenStream {
    let types = match Punctuated::<Type, Token![,]>::parse_terminated.parse2(input) {
        Ok(types) => types,
        Err(err) => return err.to_compile_error(),
    };
    let listed: Vec<String> = types.iter().filter_map(last_segment).collect();
    let mut errors = TokenStream::new();
    // Every type that derives `Compat` in this crate is listed: a message missing here would
    // be unknown to the handshake and to the wire lock.
    for entry in found
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|e| !e.is_empty())
    {
        let (name, place) = entry.split_once('@').unwrap_or((entry, "src"));
        if !listed.iter().any(|l| l == name) {
            let message = format!(
                "`{name}` derives Compat ({place}) but is missing from `messages![...]`, so the handshake and the wire lock would not know it; add `{name}` to the list"
            );
            errors.extend(syn::Error::new(Span::call_site(), message).to_compile_error());
        }
    }
    let entries = types
        .iter()
        .map(|ty| quote!(<#ty as ::compat_runtime::message::Compat>::MESSAGE));
    quote! {
        #errors
        /// Every message of this crate, in the order listed: what the handshake announces and
        /// the wire lock records.
        pub fn messages() -> &'static [&'static ::compat_runtime::message::Message] {
            const ALL: &[&::compat_runtime::message::Message] = &[#(#entries),*];
            ALL
        }
    }
}

pub(crate) fn found() -> Option<String> {
    std::env::var(FOUND).ok()
}

fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_missing_from_the_list_is_an_error_naming_it() {
        let out = expand(
            quote!(Hello, Bye),
            Some("Hello@src/lib.rs:3,Ping@src/ping.rs:9".into()),
        );
        let text = out.to_string();
        assert!(
            text.contains("`Ping` derives Compat (src/ping.rs:9) but is missing"),
            "{text}"
        );
        assert!(!text.contains("`Hello` derives"), "{text}");
    }

    #[test]
    fn a_complete_list_expands_to_the_function() {
        let text = expand(quote!(a::Hello), Some("Hello@src/lib.rs:3".into())).to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert!(text.contains("fn messages"), "{text}");
    }
}
