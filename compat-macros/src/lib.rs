//! The `#[derive(Compat)]` macro and `messages![...]`. Use them through `compat-runtime`,
//! which re-exports them together with the `Compat` trait and the table types they fill in.
//!
//! # Layering
//!
//! A module uses only the modules of the layers before its own and, within its layer, the
//! ones named before it, so the imports between sibling modules point one way:
//!
//! 1. shared pieces, which use no other module: `error` (a compile error, syn-free),
//!    `ctxt` (every error of one derive),
//!    `symbol` (the attribute names), `case` (serde's `rename_all` conventions), `codec`
//!    (how a message travels), `since`
//!    (the release a `#[since]` names), `suggest` ("did you mean"), `type_text` (a type as
//!    text), `wire_type` (a type as it travels), `carriers` (the containers a message travels inside) and `env_escape` (the
//!    percent-escaping of the build script's variables);
//! 2. parse: `attr` reads the attributes, `ast` builds the typed tree with them;
//! 3. the build's environment: `env_window` decodes `COMPAT_WINDOWS`, `env_features`
//!    `COMPAT_FEATURES`, `env` reads every variable the build script hands over (the macro
//!    never evaluates `compat.toml`);
//! 4. validate: `features` first gives each item tied to a `[[feature]]` the feature's
//!    `since`; then `rules`, the compatibility rules, one function each (`rules_positional`
//!    those of a positional codec, which replace the ones that assume names travel;
//!    `rules_fallback` those of `#[compat(fallback = "...")]`);
//! 5. generate: `expand_guard` writes the send guard's methods (`expand_fallback` the
//!    fallbacks in them), `expand_carried` the
//!    constant that makes each message a field carries declare the routes of the message
//!    holding it, `expand_table` the `'static` table (with the guard's `newest`),
//!    `expand_wrapper` the `Travels` impl of a `#[compat(transparent)]` wrapper, and
//!    `expand` runs parse, validate and generate for one derive and writes the
//!    `impl Compat` that holds the table and the guard, and the constant beside it;
//! 6. `messages![...]`: `messages_scan` finds the types deriving `Compat` in the crate's
//!    source, `messages_memo` keeps its result between builds, `messages` checks the list
//!    against it and writes `messages()`.
//! 7. `#[derive(ProstCompat)]`, the companion for prost types, in the same passes:
//!    `prost_parse` reads attribute arguments, literals and paths off the token trees
//!    with syn's rules and words, `prost_ast` parses prost's attributes and the `.proto`
//!    comments' conventions with it,
//!    `prost_rules` checks proto3's rules against the windows (`env`), `prost_expand`
//!    writes the `impl Compat` and the `impl Proto`, and `prost` runs them.
//!
//! Only the `serde` feature (on by default) compiles syn: `#[derive(ProstCompat)]` and the
//! modules it uses (`error`, `ctxt`, `codec`, `since`, `env*`, `prost*`) read token trees
//! themselves, so that a prost user, whose prost-derive brings its own syn major, builds
//! one syn. The modules of the serde derive and `messages!` are compiled with the feature.
//!
//! As serde and thiserror do, parsing collects every attribute error before validating, and
//! an item with errors still gets an impl (with a stub table), so the user sees only the
//! real errors.

#![allow(
    clippy::module_name_repetitions,
    reason = "names such as `attr::Field` read better qualified"
)]

#[cfg(feature = "serde")]
mod ast;
#[cfg(feature = "serde")]
mod attr;
#[cfg(feature = "serde")]
mod carriers;
#[cfg(feature = "serde")]
mod case;
#[allow(
    unreachable_pub,
    reason = "one file with compat-runtime's `codec.rs` (a symlink), where `Codec` is public"
)]
#[cfg_attr(
    not(feature = "serde"),
    allow(dead_code, reason = "the prost derive reads only the policy's codec")
)]
mod codec;
mod ctxt;
#[cfg_attr(
    not(feature = "serde"),
    allow(
        dead_code,
        reason = "the environment is read whole; the serde derive reads more of it"
    )
)]
mod env;
mod env_escape;
mod env_features;
mod env_window;
mod error;
#[cfg(feature = "serde")]
mod expand;
#[cfg(feature = "serde")]
mod expand_carried;
#[cfg(feature = "serde")]
mod expand_fallback;
#[cfg(feature = "serde")]
mod expand_guard;
#[cfg(feature = "serde")]
mod expand_table;
#[cfg(feature = "serde")]
mod expand_wrapper;
#[cfg(feature = "serde")]
mod features;
#[cfg(feature = "serde")]
mod messages;
#[cfg(feature = "serde")]
mod messages_memo;
#[cfg(feature = "serde")]
mod messages_scan;
mod prost;
mod prost_ast;
mod prost_expand;
mod prost_parse;
mod prost_rules;
#[cfg(feature = "serde")]
mod rules;
#[cfg(feature = "serde")]
mod rules_fallback;
#[cfg(feature = "serde")]
mod rules_positional;
mod since;
#[cfg(feature = "serde")]
mod suggest;
#[cfg(feature = "serde")]
mod symbol;
#[cfg(feature = "serde")]
mod type_text;
#[cfg(feature = "serde")]
mod wire_type;

use proc_macro::TokenStream;

#[cfg(feature = "serde")]
#[doc = include_str!("derive.md")]
#[proc_macro_derive(Compat, attributes(compat, since))]
pub fn derive_compat(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input, &env::Env::from_process()).into()
}

/// `#[derive(ProstCompat)]`: the compatibility tables of a prost type (a message, an
/// enum or a oneof), read from prost's own `#[prost(...)]` attributes with the field number
/// as the identity, and proto3's rules checked against the crate's policy. See
/// `compat_runtime::proto`.
#[proc_macro_derive(ProstCompat, attributes(compat, since, prost))]
pub fn derive_prost_compat(input: TokenStream) -> TokenStream {
    let input = match prost_ast::Input::parse(input.into()) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error().into(),
    };
    prost::derive(&input, &env::Env::from_process()).into()
}

/// `messages![A, B, C]`: defines `pub fn messages() -> &'static [&'static Message]`, every
/// message of the crate, for the handshake and the wire lock. With the build script in
/// place, a type that derives `Compat` but is missing from the list is a compile error.
///
/// It finds those types by reading the library target: `src/lib.rs` and the modules it
/// declares, lexed by `proc-macro2` into token trees whose item headers it reads (bodies are
/// skipped whole; `syn` parses the attributes), with `#[cfg(...)]` and `#[cfg_attr(...)]` evaluated for the build
/// (the build script hands over the features and target cfgs; `test` is off). A macro at
/// module level that generates types deriving `Compat` is refused, since source is not
/// what it expands to. List each by its name or by its module path (`v1::Hello`); two
/// types of the same name need their paths, and `v1::Hello` never stands for `v2::Hello`.
#[cfg(feature = "serde")]
#[proc_macro]
pub fn messages(input: TokenStream) -> TokenStream {
    messages::expand(input.into(), messages::found()).into()
}
