//! The `#[derive(Compat)]` macro. Use it through `compat-runtime`, which re-exports it
//! together with the `Compat` trait and the table types it fills in.
//!
//! The macro works in three passes, as serde and thiserror do: `ast` parses the input
//! and its attributes into a typed tree (collecting every attribute error), `check`
//! applies the compatibility rules, and `expand` writes the `'static` table. The
//! policy reaches the macro through environment variables set by the build script
//! (`env`, `window`); the macro never evaluates `compat.toml` itself.

#![allow(
    clippy::module_name_repetitions,
    reason = "names such as `attr::Field` read better qualified"
)]

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod env;
mod expand;
mod guard;
mod memo;
mod messages;
mod scan;
mod since;
mod suggest;
mod symbol;
mod type_text;
mod window;

use proc_macro::TokenStream;

#[doc = include_str!("derive.md")]
#[proc_macro_derive(Compat, attributes(compat, since))]
pub fn derive_compat(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input, &env::Env::from_process()).into()
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
#[proc_macro]
pub fn messages(input: TokenStream) -> TokenStream {
    messages::expand(input.into(), messages::found()).into()
}
