//! `messages![A, B, C]`: the list of every message of a crate, checked against the types the
//! build script found deriving `Compat`, so that the handshake and the wire lock never miss
//! one.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Token, Type};

/// The variable the build script fills with `path@file:line` for every type of the library
/// target it saw deriving `Compat`, comma-separated; `path` is the type's module path from the
/// crate root (`v1::Hello`, or `Hello` at the root).
const FOUND: &str = "COMPAT_MESSAGES";

/// Every found type must be listed. A listed path of several segments names the found types
/// whose module path it ends with or that end with it: `v1::Hello` and `crate::v1::Hello`
/// name `v1::Hello` (and `my_crate::v1::Hello` too, or `v1::Hello` listed in module
/// `proto` names `proto::v1::Hello`), but never `v2::Hello`. A bare name (`Hello`, perhaps
/// imported with `use`) names the one found type of that name that no longer path already
/// names, so two types called `Hello` need their paths. Re-exports are not followed: list a
/// type by the path it is defined at, or by its bare name.
pub(crate) fn expand(input: TokenStream, found: Option<String>) -> TokenStream {
    let types = match Punctuated::<Type, Token![,]>::parse_terminated.parse2(input) {
        Ok(types) => types,
        Err(err) => return err.to_compile_error(),
    };
    let listed: Vec<Vec<String>> = types.iter().filter_map(segments).collect();
    let found: Vec<(Vec<String>, &str)> = found
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (path, place) = entry.split_once('@').unwrap_or((entry, "src"));
            (path.split("::").map(str::to_owned).collect(), place)
        })
        .collect();
    let mut named = vec![false; found.len()];
    for path in listed.iter().filter(|path| path.len() > 1) {
        for (index, (found, _)) in found.iter().enumerate() {
            named[index] |= found.ends_with(path) || path.ends_with(found);
        }
    }
    for path in listed.iter().filter(|path| path.len() == 1) {
        let candidates: Vec<usize> = (0..found.len())
            .filter(|&index| !named[index] && found[index].0.last() == path.last())
            .collect();
        if let [only] = candidates.as_slice() {
            named[*only] = true;
        }
    }
    let mut errors = TokenStream::new();
    // Every type that derives `Compat` in this crate is listed: a message missing here would
    // be unknown to the handshake and to the wire lock.
    for ((path, place), named) in found.iter().zip(named) {
        if named {
            continue;
        }
        let full = path.join("::");
        let name = path.last().map_or("", String::as_str);
        let namesakes: Vec<String> = found
            .iter()
            .filter(|(other, _)| other != path && other.last() == path.last())
            .map(|(other, _)| format!("`{}`", other.join("::")))
            .collect();
        let ambiguous = if namesakes.is_empty() || path.len() == 1 {
            String::new()
        } else {
            format!(
                " (`{name}` alone cannot tell it from {}: list each by its module path)",
                namesakes.join(", ")
            )
        };
        let message = format!(
            "`{full}` derives Compat ({place}) but is missing from `messages![...]`, so the handshake \
             and the wire lock would not know it; add `{full}` to the list{ambiguous}"
        );
        errors.extend(syn::Error::new(Span::call_site(), message).to_compile_error());
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

/// The segments of a listed type's path, without generics and without a leading `crate`,
/// `self` or `super`.
fn segments(ty: &Type) -> Option<Vec<String>> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(
            p.path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .skip_while(|segment| matches!(segment.as_str(), "crate" | "self" | "super"))
                .collect(),
        ),
        Type::Group(group) => segments(&group.elem),
        Type::Paren(paren) => segments(&paren.elem),
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
    fn listed_paths_are_matched_by_their_segments() {
        let found = Some("v1::Hello@src/v1.rs:3,v2::Hello@src/v2.rs:5".to_owned());
        // `v1::Hello` does not stand for `v2::Hello`.
        let text = expand(quote!(v1::Hello), found.clone()).to_string();
        assert!(
            text.contains("`v2::Hello` derives Compat (src/v2.rs:5) but is missing"),
            "{text}"
        );
        assert!(
            text.contains(
                "add `v2::Hello` to the list (`Hello` alone cannot tell it from `v1::Hello`"
            ),
            "{text}"
        );
        assert!(!text.contains("`v1::Hello` derives"), "{text}");
        // Both listed, by path or with one bare name for the other.
        for listed in [
            quote!(v1::Hello, v2::Hello),
            quote!(crate::v1::Hello, self::v2::Hello<u8>),
            quote!(Hello, v2::Hello),
            quote!(proto::v1::Hello, v2::Hello),
        ] {
            let text = expand(listed.clone(), found.clone()).to_string();
            assert!(!text.contains("compile_error"), "{listed}: {text}");
        }
        // One bare name cannot stand for two types.
        let text = expand(quote!(Hello), found).to_string();
        assert_eq!(text.matches("compile_error").count(), 2, "{text}");
        // Paths that differ before the name never match.
        let text = expand(quote!(x::Hello), Some("v1::Hello@src/v1.rs:1".to_owned())).to_string();
        assert!(text.contains("`v1::Hello` derives Compat"), "{text}");
    }

    #[test]
    fn a_complete_list_expands_to_the_function() {
        let text = expand(quote!(a::Hello), Some("Hello@src/lib.rs:3".into())).to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert!(text.contains("fn messages"), "{text}");
    }
}
