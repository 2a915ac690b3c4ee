//! One `#[derive(ProstCompat)]` from start to end: parse ([`Item::from_input`]), validate
//! ([`prost_rules::check`]), generate ([`prost_expand::impls`]).
//!
//! A companion to `#[derive(Compat)]` rather than a mode of it: on a prost type the field
//! number is the identity and every serde rule gives the wrong advice (proto3 fields always
//! default, enums are open `i32`s, names do not travel), so the rules, the tables and the
//! fixes are protobuf's own.

use crate::ctxt::Ctxt;
use crate::env::Env;
use crate::prost_ast::{Input, Item};
use crate::{prost_expand, prost_rules};
use proc_macro2::TokenStream;
use quote::quote;

/// Parses, checks and expands one `#[derive(ProstCompat)]`; with errors, stub impls follow
/// them.
pub(crate) fn derive(node: &Input, env: &Env) -> TokenStream {
    let cx = Ctxt::new();
    let item = Item::from_input(&cx, node);
    if let Some(item) = &item {
        prost_rules::check(&cx, item, env);
    }
    match (cx.finish(), item) {
        (None, Some(item)) => prost_expand::impls(&item),
        (errors, _) => {
            let errors = errors.map(|errors| errors.to_compile_error());
            let stubs = prost_expand::stubs(&node.ident);
            quote!(#errors #stubs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::derive;
    use crate::env::Env;
    use crate::prost_ast::Input;

    const POLICY: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "0.9.3"),
        ("COMPAT_POLICY", "compat.toml"),
        ("COMPAT_COMPONENTS", "server,agent"),
        (
            "COMPAT_WINDOWS",
            "agent>server|0.8.0|0|compat.toml:14:1|agent may be one minor older than server;server>agent|*|1|compat.toml:14:1|agent may be one minor older than server",
        ),
    ];

    /// The derive's output for `source`, with the build script's variables `vars`.
    fn expand(source: &str, vars: &[(&str, &str)]) -> String {
        let vars: std::collections::HashMap<&str, &str> = vars.iter().copied().collect();
        let env = Env::read(|name| vars.get(name).map(|v| (*v).to_owned()), None);
        derive(&Input::parse(source.parse().unwrap()).unwrap(), &env).to_string()
    }

    const REQUEST: &str = r#"
        #[compat(proto = "spire.AttestRequest", from = "agent", to = "server")]
        /// An agent's request.
        /// @since 0.8.0
        pub struct AttestRequest {
            #[prost(string, tag = "1")]
            pub node: String,
            /// @since 0.9.0
            #[prost(uint32, tag = "2")]
            pub retries: u32,
        }
    "#;

    #[test]
    fn a_new_scalar_without_presence_inside_the_window_is_an_error_with_a_proto_fix() {
        let output = expand(REQUEST, &POLICY);
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains("declare it `optional uint32 retries = 2;`"),
            "{output}"
        );
        assert!(!output.contains("Option<_>"), "{output}");
    }

    #[test]
    fn presence_or_the_comment_satisfies_it() {
        let optional = REQUEST.replace("uint32, tag", "uint32, optional, tag");
        assert!(!expand(&optional, &POLICY).contains("compile_error"));
        let noted = REQUEST.replace("@since 0.9.0", "@since 0.9.0 @zero-means-absent");
        let output = expand(&noted, &POLICY);
        assert!(!output.contains("compile_error"), "{output}");
        assert!(
            output.contains("\"2\""),
            "the number is the wire name: {output}"
        );
    }

    /// `source` with an `optional` `retries` and a field holding the message `Svid`.
    fn held(source: &str) -> String {
        source.replace(
            "pub retries: u32,",
            "pub retries: Option<u32>,\n#[prost(message, optional, tag = \"3\")]\npub svid: Option<Svid>,",
        )
    }

    #[test]
    fn the_walk_is_imported_only_where_the_fast_path_folds() {
        // An unused import would warn in the user's crate: `retries` is newer, but nothing
        // is nested, so the guard has no fold to write.
        let optional = REQUEST.replace("uint32, tag", "uint32, optional, tag");
        let output = expand(&optional, &POLICY);
        assert!(output.contains("const __WIRE"), "{output}");
        assert!(!output.contains("Walk"), "{output}");
        let output = expand(&held(&optional), &POLICY);
        assert!(
            output.contains("use :: compat_runtime :: __p :: Walk as _"),
            "{output}"
        );
        assert!(
            output.contains("None :: < :: compat_runtime :: __p :: W < Svid >>"),
            "{output}"
        );
    }

    #[test]
    fn the_slow_path_is_one_constant_stripping_only_where_something_may_be_ignorable() {
        // Nothing newer, nothing held: the trait's defaults are the whole guard.
        let output = expand(&REQUEST.replace("/// @since 0.9.0", ""), &POLICY);
        assert!(!output.contains("__WIRE"), "{output}");
        let optional = REQUEST.replace("uint32, tag", "uint32, optional, tag");
        let output = expand(&optional, &POLICY);
        assert!(
            output.contains("const __WIRE : :: compat_runtime :: __p :: Slow < Self > = :: compat_runtime :: __p :: Wire :: < Self > :: FIND ;"),
            "{output}"
        );
        assert!(
            !output.contains("fn __"),
            "no method walks the fields: {output}"
        );
        let ignorable = optional.replace("@since 0.9.0", "@since 0.9.0 @ignorable");
        let output = expand(&ignorable, &POLICY);
        assert!(
            output.contains("__p :: Wire :: < Self > :: STRIP"),
            "{output}"
        );
        // A message held may have ignorable parts of its own: the walk strips inside it.
        let output = expand(&held(&optional), &POLICY);
        assert!(
            output.contains("__p :: Wire :: < Self > :: STRIP"),
            "{output}"
        );
    }

    #[test]
    fn compat_keys_read_off_the_tokens_and_through_the_general_reading_agree() {
        // Plain strings are read off the tokens; a raw string sends the whole attribute
        // through the general reading (`prost_parse`): the tables and the errors are the
        // same.
        let request = |compat: &str| {
            REQUEST.replace(
                r#"#[compat(proto = "spire.AttestRequest", from = "agent", to = "server")]"#,
                compat,
            )
        };
        let cases = [
            (
                r#"#[compat(proto = "spire.AttestRequest", routes = ["agent > server"], reserved = ["3", "9 to max"], reserved_names = ["old"],)]"#,
                r#"#[compat(proto = r"spire.AttestRequest", routes = ["agent > server"], reserved = ["3", "9 to max"], reserved_names = ["old"],)]"#,
            ),
            (
                r#"#[compat(routes = ["agent server"], reserved = ["9 to 3"])]"#,
                r#"#[compat(routes = [r"agent server"], reserved = ["9 to 3"])]"#,
            ),
            (
                r#"#[compat(between = ["agent", "server"], unknown_handled)]"#,
                r#"#[compat(between = [r"agent", "server"], unknown_handled)]"#,
            ),
            (
                r#"#[compat(from = "agent", sent = "server")]"#,
                r#"#[compat(from = r"agent", sent = "server")]"#,
            ),
        ];
        for (plain, raw) in cases {
            let plain = expand(&request(plain), &POLICY);
            assert_eq!(plain, expand(&request(raw), &POLICY));
        }
        let output = expand(&request(cases[1].0), &POLICY);
        assert!(
            output.contains("route `agent server` is not written"),
            "{output}"
        );
        assert!(output.contains("reserved range `9 to 3`"), "{output}");
        let output = expand(&request(cases[3].0), &POLICY);
        assert!(
            output.contains("unknown key `sent` for a prost type"),
            "{output}"
        );
        let valid = request(cases[0].0).replace("uint32, tag", "uint32, optional, tag");
        let output = expand(&valid, &POLICY);
        assert!(output.contains("reserved_names : & [\"old\"]"), "{output}");
    }

    #[test]
    fn an_enum_newer_senders_grow_needs_an_unknown_zero() {
        let status = r#"
            #[compat(from = "server", to = "agent")]
            /// @since 0.8.0
            #[repr(i32)]
            pub enum Status { Ok = 0, Failed = 1 }
        "#;
        let output = expand(status, &POLICY);
        assert!(output.contains("`STATUS_UNSPECIFIED = 0;`"), "{output}");
        let handled = status.replace("@since 0.8.0", "@since 0.8.0 @unknown-handled");
        assert!(!expand(&handled, &POLICY).contains("compile_error"));
    }

    #[test]
    fn a_message_without_since_says_where_to_write_it() {
        let output = expand(
            &REQUEST.replace("/// @since 0.8.0", ""),
            &[("CARGO_PKG_VERSION", "0.9.3")],
        );
        assert!(output.contains("add `// @since X.Y.Z`"), "{output}");
        assert!(output.contains("`message AttestRequest`"), "{output}");
    }

    /// `REQUEST` with a `Svid` field (which folds into the fast path) and the build
    /// helper's `within`.
    fn within(within: &str) -> String {
        let optional = REQUEST.replace("uint32, tag", "uint32, optional, tag");
        held(&optional).replace(
            r#"to = "server")]"#,
            &format!(r#"to = "server", within = "{within}")]"#),
        )
    }

    #[test]
    fn the_helpers_within_is_the_fast_path_and_nothing_is_folded() {
        let output = expand(&within("1.0.0"), &POLICY);
        assert!(!output.contains("compile_error"), "{output}");
        assert!(
            output.contains(&format!(
                "const __NEWEST_WITHIN : u64 = {}u64 ;",
                (1u64 << 40)
            )),
            "{output}"
        );
        assert!(!output.contains("fn __newest_within"), "{output}");
        assert!(!output.contains("Walk"), "{output}");
        assert!(
            output.contains("const __WIRE"),
            "the slow path stays: {output}"
        );
    }

    #[test]
    fn a_within_equal_to_the_types_own_newest_writes_nothing_the_defaults_say_it() {
        let output = expand(&within("0.9.0"), &POLICY);
        assert!(!output.contains("compile_error"), "{output}");
        assert!(!output.contains("__NEWEST_WITHIN"), "{output}");
        assert!(!output.contains("fn __newest_within"), "{output}");
        assert!(output.contains("const __WIRE"), "{output}");
    }

    #[test]
    fn a_within_older_than_the_types_docs_is_an_error_naming_both() {
        let output = expand(&within("0.8.5"), &POLICY);
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains(r#"`within = \"0.8.5\"` is older than `@since 0.9.0` in the docs of `AttestRequest`"#),
            "{output}"
        );
        let output = expand(&within("1.0"), &POLICY);
        assert!(output.contains("compile_error"), "{output}");
    }

    #[test]
    fn a_nested_type_takes_its_own_within_not_its_parents() {
        // prost-build's `type_attribute` matches by prefix: a nested type also gets its
        // parent's attribute.
        let svid = r#"
            #[compat(proto = "spire.AttestRequest", from = "agent", to = "server", within = "0.9.0")]
            #[compat(proto = "spire.AttestRequest.Svid", from = "agent", to = "server", within = "1.1.0")]
            /// @since 0.8.0
            pub struct Svid {
                #[prost(message, optional, tag = "1")]
                pub inner: Option<Inner>,
            }
        "#;
        let output = expand(svid, &POLICY);
        assert!(!output.contains("compile_error"), "{output}");
        let packed = (1u64 << 40) | (1 << 20);
        assert!(
            output.contains(&format!("const __NEWEST_WITHIN : u64 = {packed}u64 ;")),
            "{output}"
        );
        let older = svid.replace(r#"within = "1.1.0""#, r#"within = "0.8.0""#);
        let output = expand(&older, &POLICY);
        assert!(!output.contains("__NEWEST_WITHIN"), "{output}");
    }

    #[test]
    fn without_within_the_derive_folds_the_types_the_fields_hold() {
        let optional = REQUEST.replace("uint32, tag", "uint32, optional, tag");
        let output = expand(&held(&optional), &POLICY);
        assert!(output.contains("fn __newest_within"), "{output}");
        assert!(!output.contains("__NEWEST_WITHIN"), "{output}");
    }
}
