//! One `#[derive(Compat)]` from start to end: parse ([`Input::from_syn`]), validate
//! ([`rules::check`]), generate (the one `impl Compat`, holding the table of
//! [`crate::expand_table`] and the send guard's methods of [`expand_guard`], and beside it
//! the constant of [`expand_carried`] that checks the routes of the messages it carries).

use crate::ast::{Flattened, Input};
use crate::ctxt::Ctxt;
use crate::env::Env;
use crate::expand_carried::{self, mentions};
use crate::expand_guard;
use crate::expand_table::{stub, table};
use crate::expand_wrapper;
use crate::rules;
use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

/// Parses, checks and expands one `#[derive(Compat)]`. With errors, the impl is still
/// emitted (with an empty table) so that code using it compiles and the user sees only
/// the real errors.
pub(crate) fn derive(node: &DeriveInput, env: &Env) -> TokenStream {
    let cx = Ctxt::new();
    let mut input = Input::from_syn_under(&cx, node, env.crate_codec());
    // A wrapper or a described type: no message, only how its values travel.
    if let Some(input) = input
        .as_ref()
        .filter(|input| input.attrs.wrapper.is_some() || input.attrs.described.is_some())
    {
        return expand_wrapper::derive(cx, node, input);
    }
    if let Some(input) = input.as_mut() {
        // `#[compat(feature = "...")]` stands for the feature's `since` (features.rs).
        crate::features::apply(&cx, input, env);
    }
    if let Some(input) = &input {
        rules::check(&cx, input, env);
    }
    match (cx.finish(), input) {
        (None, Some(input)) => {
            let params = walked_params(&input);
            let generics = bounded(node, &flattened_types(&input), &params);
            let guard = expand_guard::guard_items(node, &input);
            let carried = expand_carried::carried_check(&input, env);
            let impl_compat = impl_compat(
                node,
                &table(&input, &params, env.codec(&input)),
                &guard,
                &generics,
            );
            quote!(#impl_compat #carried)
        }
        (errors, _) => {
            // Nothing to guard in an item that failed to check: the trait's defaults.
            let errors = errors.map(|errors| errors.to_compile_error());
            let stub = impl_compat(node, &stub(node), &TokenStream::new(), &node.generics);
            quote!(#errors #stub)
        }
    }
}

/// The item's generics, with `T: Compat` for each flattened type that mentions a type
/// parameter (`flattened`, see [`flattened_types`]): its fields are part of this table, so
/// it must have a table too; and `P: Travels` for each type parameter a walked field uses
/// (`walked`, see [`walked_params`]), so the send guard walks what `P` carries in each
/// concrete use (`CallInfo<PipelineDataHeader>`).
fn bounded(node: &DeriveInput, flattened: &[&syn::Type], walked: &[&syn::Ident]) -> syn::Generics {
    let mut generics = node.generics.clone();
    if !flattened.is_empty() || !walked.is_empty() {
        let clause = generics.make_where_clause();
        for ty in flattened {
            clause
                .predicates
                .push(syn::parse_quote!(#ty: ::compat_runtime::message::Compat));
        }
        for param in walked {
            clause
                .predicates
                .push(syn::parse_quote!(#param: ::compat_runtime::message::Travels));
        }
    }
    generics
}

/// The type parameters that the fields the send guard walks use ([`Field::walked`]).
fn walked_params<'a>(input: &'a Input<'_>) -> Vec<&'a syn::Ident> {
    let params: Vec<&syn::Ident> = input
        .generics
        .type_params()
        .map(|param| &param.ident)
        .collect();
    if params.is_empty() {
        return Vec::new();
    }
    let fields = input.fields();
    params
        .into_iter()
        .filter(|param| {
            let name = [param.to_string()];
            fields.iter().any(|field| {
                let (walked, _) = crate::ast::walked_type(field.ty);
                field.walked() && mentions(quote!(#walked), &name)
            })
        })
        .collect()
}

/// The one impl a message gets: its table, and the send guard's code for it (which
/// `compat_runtime::Guard` uses; writing it here rather than in an impl of its own spares
/// the compiler an impl per message).
fn impl_compat(
    node: &DeriveInput,
    table: &TokenStream,
    guard: &TokenStream,
    generics: &syn::Generics,
) -> TokenStream {
    let ident = &node.ident;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::compat_runtime::message::Compat for #ident #ty_generics #where_clause {
            const MESSAGE: &'static ::compat_runtime::message::Message = #table;
            #guard
        }
    }
}

/// The flattened types that mention one of the item's type parameters: the impl needs
/// them to have tables, which only a bound can promise.
fn flattened_types<'a>(input: &'a Input<'_>) -> Vec<&'a syn::Type> {
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|param| param.ident.to_string())
        .collect();
    if params.is_empty() {
        return Vec::new();
    }
    input
        .fields()
        .into_iter()
        .filter_map(|field| match &field.flatten {
            Some(Flattened::Message(ty)) => Some(*ty),
            _ => None,
        })
        .filter(|ty| mentions(quote!(#ty), &params))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::derive;
    use crate::env::Env;

    const REQUEST: &str = r#"
        #[compat(from = "agent", to = "server")]
        #[since("0.8.0")]
        struct AttestRequest {
            node: String,
            #[since("0.9.0")]
            retries: u32,
        }
    "#;

    const POLICY: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "0.9.3"),
        ("COMPAT_POLICY", "compat.toml"),
        ("COMPAT_COMPONENTS", "server,agent"),
        (
            "COMPAT_WINDOWS",
            "agent>server|0.8.0|0|compat.toml:14:1|agent may be one minor older than server",
        ),
    ];

    fn expand(source: &str, vars: &[(&str, &str)]) -> String {
        let node = syn::parse_str(source).unwrap();
        let env = Env::read(
            |name| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            },
            None,
        );
        derive(&node, &env).to_string()
    }

    #[test]
    fn a_policy_turns_a_new_field_without_default_into_an_error() {
        let output = expand(REQUEST, &POLICY);
        assert!(output.contains("compile_error"), "{output}");
        assert!(output.contains(
            "field `retries` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0 \
             (compat.toml:14:1, agent may be one minor older than server); make it `Option<_>` or add \
             `#[serde(default)]` (`#[compat(default)]` if `Deserialize` is written by hand)"
        ), "{output}");
        assert!(
            output.contains("impl :: compat_runtime :: message :: Compat for AttestRequest"),
            "a stub impl follows the errors"
        );
    }

    #[test]
    fn without_a_policy_only_the_item_is_checked() {
        let output = expand(REQUEST, &[("CARGO_PKG_VERSION", "0.9.3")]);
        assert!(!output.contains("compile_error"), "{output}");
        let output = expand(REQUEST, &[("CARGO_PKG_VERSION", "0.8.5")]);
        assert!(
            output.contains("`0.9.0` is newer than the version being built, 0.8.5"),
            "{output}"
        );
    }

    #[test]
    fn a_malformed_environment_is_an_error_not_a_panic() {
        let mut vars = POLICY;
        vars[3].1 = "agent>server|0.8|0|x|y";
        let output = expand(REQUEST, &vars);
        assert!(output.contains("COMPAT_WINDOWS is malformed"), "{output}");
        assert!(output.contains("rebuild"), "{output}");
    }

    #[test]
    fn each_carried_type_gets_a_constant_of_its_own_but_generic_ones() {
        let output = expand(
            r#"
            #[compat(from = "agent", to = "server")]
            #[since("0.8.0")]
            struct Upload<'a, T> {
                files: Vec<Attachment>,
                named: (String, Box<Labels>),
                items: Vec<T>,
                borrowed: &'a Note<'a>,
                children: Vec<Upload<'a, T>>,
                size: u64,
            }
            "#,
            &POLICY,
        );
        assert!(!output.contains("compile_error"), "{output}");
        let probes: Vec<&str> = output
            .split("Probe <")
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap().trim())
            .collect();
        assert_eq!(probes, ["Attachment", "Labels"], "{output}");
        assert!(output.contains("\"field `files`\""), "{output}");
        assert!(
            output.contains(
                "window : \"server 0.9.3 must still accept agent 0.8.0 (compat.toml:14:1, agent may be \
                 one minor older than server)\""
            ),
            "{output}"
        );
        // Nothing to check without a route, or without a carried type.
        let plain = expand(
            r#"#[since("0.8.0")] struct Ping { files: Vec<Attachment> }"#,
            &[],
        );
        assert!(!plain.contains("Probe"), "{plain}");
        let plain = expand(
            r#"#[compat(from = "agent", to = "server")] #[since("0.8.0")] struct Ping { id: u64 }"#,
            &POLICY,
        );
        assert!(!plain.contains("Probe"), "{plain}");
    }

    #[test]
    fn a_pre_release_build_may_name_its_release() {
        let output = expand(REQUEST, &[("CARGO_PKG_VERSION", "0.9.0-rc.2")]);
        assert!(!output.contains("compile_error"), "{output}");
    }
}
