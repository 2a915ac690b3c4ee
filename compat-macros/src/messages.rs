//! `messages![A, B, C]`: the list of every message of a crate, checked against the types
//! deriving `Compat` that [`crate::messages_scan`] finds in the crate's source (with the
//! build's configuration, which the build script hands over), so that the handshake and the
//! wire lock never miss one.

use crate::env_escape::unescape;
use crate::messages_memo;
use crate::messages_scan::{Scanned, scan_unlocated, scan_with_inputs};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Token, Type};

/// The variable the build script fills with the build's configuration (`NAME=VALUE;...`,
/// percent-escaped), for evaluating `#[cfg(...)]` as the compiler does.
const CFG: &str = "COMPAT_CFG";

/// Every found type must be listed. A listed path of several segments names the found types
/// whose module path it ends with or that end with it: `v1::Hello` and `crate::v1::Hello`
/// name `v1::Hello` (and `my_crate::v1::Hello` too, or `v1::Hello` listed in module
/// `proto` names `proto::v1::Hello`), but never `v2::Hello`. A bare name (`Hello`, perhaps
/// imported with `use`) names the one found type of that name that no longer path already
/// names, so two types called `Hello` need their paths. Re-exports are not followed: list a
/// type by the path it is defined at, or by its bare name.
///
/// `found` holds each type found, as `(module path, file:line)`, and what the scan refused;
/// `None` without a build script, when there is nothing to check against.
pub(crate) fn expand(input: TokenStream, found: Option<Scanned>) -> TokenStream {
    let types = match Punctuated::<Type, Token![,]>::parse_terminated.parse2(input) {
        Ok(types) => types,
        Err(err) => return err.to_compile_error(),
    };
    let listed: Vec<Vec<String>> = types.iter().filter_map(segments).collect();
    let mut scanned = found.unwrap_or_default();
    let mut missing = unlisted(&listed, &scanned);
    if missing.iter().any(|&(_, place)| place.is_empty()) {
        // The error names where each missing type is: scan again, with places.
        if let Some(located) = found_located() {
            scanned = located;
            missing = unlisted(&listed, &scanned);
        }
    }
    let mut errors = TokenStream::new();
    for refusal in &scanned.refusals {
        errors.extend(syn::Error::new(Span::call_site(), refusal).to_compile_error());
    }
    // Every type that derives `Compat` in this crate is listed: a message missing here would
    // be unknown to the handshake and to the wire lock.
    for (path, place) in missing {
        let full = path.join("::");
        let name = path.last().map_or("", String::as_str);
        let namesakes: Vec<String> = scanned
            .messages
            .iter()
            .map(|(other, _)| other.split("::").map(str::to_owned).collect::<Vec<_>>())
            .filter(|other| *other != path && other.last() == path.last())
            .map(|other| format!("`{}`", other.join("::")))
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
            static ALL: ::compat_runtime::message::__private::List =
                ::compat_runtime::message::__private::List::new();
            ALL.get(|| [#(#entries),*])
        }
    }
}

/// The types found that `listed` does not name, as their paths' segments and places.
fn unlisted<'a>(listed: &[Vec<String>], scanned: &'a Scanned) -> Vec<(Vec<String>, &'a str)> {
    let found: Vec<(Vec<String>, &str)> = scanned
        .messages
        .iter()
        .map(|(path, place)| {
            (
                path.split("::").map(str::to_owned).collect(),
                place.as_str(),
            )
        })
        .collect();
    let mut named = vec![false; found.len()];
    for path in listed.iter().filter(|path| path.len() > 1) {
        for (index, (found, _)) in found.iter().enumerate() {
            named[index] |= found.ends_with(path) || path.ends_with(found);
        }
    }
    // The found types by name, so that a bare name looks at its namesakes only.
    let mut by_name: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (index, (path, _)) in found.iter().enumerate() {
        if let Some(name) = path.last() {
            by_name.entry(name.as_str()).or_default().push(index);
        }
    }
    for path in listed.iter().filter(|path| path.len() == 1) {
        let namesakes = by_name.get(path[0].as_str()).map_or(&[][..], Vec::as_slice);
        let candidates: Vec<usize> = namesakes
            .iter()
            .copied()
            .filter(|&index| !named[index])
            .collect();
        if let [only] = candidates.as_slice() {
            named[*only] = true;
        }
    }
    found
        .into_iter()
        .zip(named)
        .filter_map(|(found, named)| (!named).then_some(found))
        .collect()
}

/// What the scan of this crate's library finds, when a build script handed over the
/// configuration; a malformed configuration is a refusal. The places of the types found may
/// be empty (see [`scan_unlocated`]): [`expand`] asks [`found_located`] for them when it
/// reports one.
pub(crate) fn found() -> Option<Scanned> {
    found_with(false)
}

/// [`found`], with every type's place: what an error naming one needs.
fn found_located() -> Option<Scanned> {
    found_with(true)
}

fn found_with(located: bool) -> Option<Scanned> {
    let cfg = std::env::var(CFG).ok()?;
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?).join("src");
    let mut vars = std::collections::BTreeMap::new();
    for entry in cfg.split(';').filter(|entry| !entry.is_empty()) {
        let decoded = entry
            .split_once('=')
            .ok_or_else(|| format!("entry `{entry}` has no `=`"))
            .and_then(|(name, value)| Ok((unescape(name)?, unescape(value)?)));
        match decoded {
            Ok((name, value)) => {
                vars.insert(name, value);
            }
            Err(why) => {
                return Some(Scanned {
                    refusals: vec![format!(
                        "{CFG} is malformed ({why}); it is written by `compat_runtime::build::enforce()`: \
                         run `cargo clean -p` on this crate and rebuild, and if it persists, report it"
                    )],
                    ..Scanned::default()
                });
            }
        }
    }
    // The scan's result is kept between builds and reused while its inputs read the same.
    let memo = messages_memo::place();
    if let Some(found) = memo
        .as_deref()
        .and_then(|memo| messages_memo::load(memo, &dir, &cfg))
        .filter(|found| !located || is_located(found))
    {
        return Some(found);
    }
    let env = |name: &str| vars.get(name).cloned();
    let (mut found, mut inputs) = if located {
        scan_with_inputs(&dir, &env)
    } else {
        scan_unlocated(&dir, &env)
    };
    if !located && !found.refusals.is_empty() {
        // A refusal is an error the user reads: it names its line.
        (found, inputs) = scan_with_inputs(&dir, &env);
    }
    if let Some(memo) = &memo {
        messages_memo::store(memo, &dir, &cfg, &inputs, &found);
    }
    Some(found)
}

/// Whether every type found has its place (an unlocated scan leaves them empty).
fn is_located(found: &Scanned) -> bool {
    found.messages.iter().all(|(_, place)| !place.is_empty())
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

    /// `path@place,...` as what a scan finds.
    fn scanned(list: &str) -> Option<Scanned> {
        Some(Scanned {
            messages: list
                .split(',')
                .map(|entry| {
                    let (path, place) = entry.split_once('@').unwrap();
                    (path.to_owned(), place.to_owned())
                })
                .collect(),
            ..Scanned::default()
        })
    }

    #[test]
    fn a_message_missing_from_the_list_is_an_error_naming_it() {
        let out = expand(
            quote!(Hello, Bye),
            scanned("Hello@src/lib.rs:3,Ping@src/ping.rs:9"),
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
        let found = scanned("v1::Hello@src/v1.rs:3,v2::Hello@src/v2.rs:5");
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
        let text = expand(quote!(x::Hello), scanned("v1::Hello@src/v1.rs:1")).to_string();
        assert!(text.contains("`v1::Hello` derives Compat"), "{text}");
    }

    #[test]
    fn a_complete_list_expands_to_the_function() {
        let text = expand(quote!(a::Hello), scanned("Hello@src/lib.rs:3")).to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert!(text.contains("fn messages"), "{text}");
    }
}
