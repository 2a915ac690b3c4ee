//! Writing the constant that makes every message a message carries declare the routes it
//! travels in: `Attachment`, in a field of `Post`, goes wherever `Post` goes, and only the
//! routes it declares are checked (its own derive checks its fields and variants on them).
//!
//! The derive of `Post` cannot read `Attachment`'s attributes, so it writes, next to its
//! impl, a constant that the compiler evaluates in `Post`'s crate: for each type a field may
//! carry a message as (itself, or inside an `Option`, a `Vec`, a `Box`, a map, a tuple;
//! flattened or not; in a struct or in a variant, see [`ast::carried_types`]), it asks
//! `compat_runtime::__c::uncovered` with that type's table, if it has one, and `Post`'s
//! routes with the words of their windows: one constant per distinct type, at its first
//! place. A route `Attachment` does not declare makes the constant panic, at the field's
//! type, with an error that names `Post`, every field holding `Attachment`, the route, what
//! `compat.toml` requires on it, what already breaks there and the routes to declare. A carried type that mentions the item's generic parameters (or `Self`) cannot
//! be named outside the impl and is not checked.

use crate::ast::{Data, Field, Input};
use crate::attr::Route;
use crate::env::Env;
use crate::rules::{may_be_newer, oldest_sender, receiver_at};
use crate::since::pack;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

/// The constant that checks the messages `input` carries, or nothing when it declares no
/// route or carries nothing that may be a message.
pub(crate) fn carried_check(input: &Input<'_>, env: &Env) -> TokenStream {
    if input.attrs.routes.is_empty() {
        return TokenStream::new();
    }
    let container = input.ident.to_string();
    let container = container.trim_start_matches("r#");
    let names = generic_names(input);
    // One constant per distinct carried type, spanned at its first place and naming every
    // place it holds: one error for each type that lacks a route (declaring the route is
    // one fix, whichever field it is in), and one item for the compiler to check per type
    // rather than per place (benches/compile_time.sh).
    let mut carried: Vec<(&syn::Type, String, Vec<String>)> = Vec::new();
    for (field, place) in places(input) {
        for ty in field.carried() {
            if mentions(ty.to_token_stream(), &names) || is(ty, input.ident) {
                continue;
            }
            let text = ty.to_token_stream().to_string();
            match carried.iter_mut().find(|(_, known, _)| *known == text) {
                Some((_, _, places)) => places.push(place.clone()),
                None => carried.push((ty, text, vec![place.clone()])),
            }
        }
    }
    let checks: Vec<TokenStream> = carried
        .into_iter()
        .map(|(ty, _, places)| {
            let place = list(&places);
            // A constant of its own for each type, so that each is reported: evaluating a
            // constant stops at its first panic.
            quote_spanned! {ty.span()=>
                const _: () = if let ::core::option::Option::Some(text) =
                    ::compat_runtime::__c::uncovered(
                        <::compat_runtime::__c::Probe<#ty>>::HELD, #container, #place, __LEGS,
                    )
                {
                    ::core::panic!("{}", text.as_str());
                };
            }
        })
        .collect();
    if checks.is_empty() {
        return TokenStream::new();
    }
    let legs = input.attrs.routes.iter().map(|route| leg(route, env));
    quote! {
        const _: () = {
            // Used only where a carried type has no table.
            #[allow(unused_imports)]
            use ::compat_runtime::__c::NotAMessage as _;
            const __LEGS: &[::compat_runtime::__c::Leg] = &[#(#legs),*];
            #(#checks)*
        };
    }
}

/// The item's generic parameters, and `Self`: a type that mentions one of them cannot be
/// named outside the item's impl.
pub(crate) fn generic_names(input: &Input<'_>) -> Vec<String> {
    let mut names: Vec<String> = input
        .generics
        .params
        .iter()
        .map(|param| match param {
            syn::GenericParam::Type(param) => param.ident.to_string(),
            syn::GenericParam::Lifetime(param) => param.lifetime.ident.to_string(),
            syn::GenericParam::Const(param) => param.ident.to_string(),
        })
        .collect();
    names.push("Self".to_owned());
    names
}

/// Every field with the words that place it in the message: `` field `attachments` ``,
/// `` tuple field `0` of variant `Upload` ``.
fn places<'a>(input: &'a Input<'_>) -> Vec<(&'a Field<'a>, String)> {
    match &input.data {
        Data::Struct(_, fields) => fields
            .iter()
            .map(|field| (field, field.describe()))
            .collect(),
        Data::Enum(variants) => variants
            .iter()
            .flat_map(|variant| {
                variant.fields.iter().map(move |field| {
                    let place = format!("{} of variant `{}`", field.describe(), variant.ident);
                    (field, place)
                })
            })
            .collect(),
    }
}

/// `` field `first` ``, `` field `first` and field `largest` ``, `` a, b and c ``.
fn list(places: &[String]) -> String {
    match places {
        [] => String::new(),
        [one] => one.clone(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}

/// One route of the container, with what its window requires in words.
fn leg(route: &Route, env: &Env) -> TokenStream {
    let (from, to) = (&route.from, &route.to);
    let version = env.version.as_ref();
    let window = env
        .policy
        .as_ref()
        .and_then(|policy| policy.window(from, to));
    let (text, oldest, reader, sender, newer) = match window {
        Some(window) => {
            let reader = receiver_at(window, version);
            let sender = oldest_sender(window);
            let accepts = format!("{reader} must still accept {sender}");
            let text = match (window.newer, window.oldest.as_ref() == version) {
                (true, true) => may_be_newer(window),
                (true, false) => format!("{accepts}, and {}", may_be_newer(window)),
                (false, _) => accepts,
            };
            let text = format!("{text} ({}, {})", window.origin, window.text);
            let oldest = window.oldest.as_ref().map_or(0, pack);
            (text, oldest, reader, sender, window.newer)
        }
        None => (String::new(), u64::MAX, String::new(), String::new(), false),
    };
    quote!(::compat_runtime::__c::Leg {
        from: #from,
        to: #to,
        window: #text,
        oldest: #oldest,
        reader: #reader,
        oldest_sender: #sender,
        newer: #newer,
    })
}

/// Whether `ty` is the item itself, written as its name (`children: Vec<Tree>` in `Tree`),
/// which declares its own routes.
fn is(ty: &syn::Type, ident: &syn::Ident) -> bool {
    matches!(ty, syn::Type::Path(path) if path.qself.is_none() && path.path.is_ident(ident))
}

/// Whether `tokens` name any of `names` (an identifier, or a lifetime's).
pub(crate) fn mentions(tokens: TokenStream, names: &[String]) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => names.iter().any(|name| ident == name),
        proc_macro2::TokenTree::Group(group) => mentions(group.stream(), names),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::env::Env;

    #[test]
    fn a_type_in_several_places_gets_one_constant_naming_each() {
        let node = syn::parse_str(
            r#"
            #[compat(from = "agent", to = "server")]
            #[since("0.8.0")]
            struct Bundle {
                first: Option<Attachment>,
                largest: Box<Attachment>,
                labels: Labels,
            }
            "#,
        )
        .unwrap();
        let env = Env::read(|_| None, None);
        let output = crate::expand::derive(&node, &env).to_string();
        assert_eq!(
            output.matches("Probe < Attachment >").count(),
            1,
            "{output}"
        );
        assert_eq!(output.matches("Probe < Labels >").count(), 1, "{output}");
        assert!(
            output.contains("\"field `first` and field `largest`\""),
            "{output}"
        );
        assert_eq!(
            super::list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
