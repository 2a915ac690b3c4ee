//! `#[compat(feature = "readlink")]`: a type, variant or field tied to a `[[feature]]` of
//! the policy takes the feature's `since` as its own, before the rules run, so that it is
//! then checked like any item with a `#[since]` against the windows.
//!
//! Rules, one function each: the name is a declared feature (else an error at the string,
//! with did-you-mean); a `#[since]` beside it agrees with the feature's; a feature only
//! advertised (no version implies it) leaves the item to state its own `#[since]`.

use crate::ast::{Data, Input};
use crate::attr::Since;
use crate::ctxt::Ctxt;
use crate::env::{Env, Policy};
use crate::env_features::Feature;
use syn::LitStr;

/// Gives each item tied to a feature the feature's `since`; reports the mistakes.
pub(crate) fn apply(cx: &Ctxt, input: &mut Input<'_>, env: &Env) {
    let policy = env.policy.as_ref();
    let name = input.ident.to_string();
    if let Some(lit) = input.attrs.feature.clone() {
        let since = &mut input.attrs.since;
        if tie(cx, policy, &lit, since, &format!("`{name}`")) {
            input.attrs.since_written = true;
        }
    }
    match &mut input.data {
        Data::Struct(_, fields) => {
            for field in fields {
                tie_field(cx, policy, &mut field.attrs, &field.name);
            }
        }
        Data::Enum(variants) => {
            for variant in variants {
                let ident = variant.ident.to_string();
                if let Some(lit) = variant.attrs.feature.clone() {
                    tie(
                        cx,
                        policy,
                        &lit,
                        &mut variant.attrs.since,
                        &format!("variant `{ident}`"),
                    );
                }
                for field in &mut variant.fields {
                    tie_field(cx, policy, &mut field.attrs, &field.name);
                }
            }
        }
    }
}

fn tie_field(cx: &Ctxt, policy: Option<&Policy>, attrs: &mut crate::attr::Field, name: &str) {
    if let Some(lit) = attrs.feature.clone() {
        tie(
            cx,
            policy,
            &lit,
            &mut attrs.since,
            &format!("field `{name}`"),
        );
    }
}

/// Ties one item (`what`) to the feature `lit` names; returns whether it now has a `since`
/// from the feature.
fn tie(
    cx: &Ctxt,
    policy: Option<&Policy>,
    lit: &LitStr,
    since: &mut Option<Since>,
    what: &str,
) -> bool {
    let Some(feature) = feature_is_declared(cx, policy, lit) else {
        return false;
    };
    let Some(arrives) = &feature.since else {
        advertised_feature_leaves_since_to_the_item(cx, lit, feature, since.is_some(), what);
        return false;
    };
    match since {
        Some(written) => {
            since_agrees_with_the_feature(cx, policy, written, feature, arrives, what);
            false
        }
        None => {
            *since = Some(Since {
                version: arrives.clone(),
                lit: lit.clone(),
                feature: Some(feature.name.clone()),
            });
            true
        }
    }
}

/// The name is one of the policy's `[[feature]]` tables: an unknown one is an error at the
/// string, with the name it most likely stands for.
fn feature_is_declared<'p>(
    cx: &Ctxt,
    policy: Option<&'p Policy>,
    lit: &LitStr,
) -> Option<&'p Feature> {
    let name = lit.value();
    let Some(policy) = policy else {
        cx.error_spanned_by(
            lit,
            format!(
                "feature `{name}` cannot be looked up: no build script handed this crate a policy; \
                 declare it as a [[feature]] in compat.toml and call `compat_runtime::build::enforce()` from build.rs"
            ),
        );
        return None;
    };
    if let Some(feature) = policy.features.iter().find(|f| f.name == name) {
        return Some(feature);
    }
    let hint = crate::suggest::closest(&name, policy.features.iter().map(|f| f.name.as_str()))
        .map(|near| format!(" (did you mean `{near}`?)"))
        .unwrap_or_default();
    let declared = if policy.features.is_empty() {
        format!("{} declares no [[feature]]", policy.path)
    } else {
        let names: Vec<String> = policy
            .features
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect();
        format!("{} declares {}", policy.path, names.join(", "))
    };
    cx.error_spanned_by(
        lit,
        format!(
            "unknown feature `{name}`{hint}: {declared}; declare it as a [[feature]] with its `since`, or name a declared one"
        ),
    );
    None
}

/// A `#[since]` beside `feature = "..."` agrees with the feature's `since`: the two say when
/// the same thing arrived.
fn since_agrees_with_the_feature(
    cx: &Ctxt,
    policy: Option<&Policy>,
    written: &Since,
    feature: &Feature,
    arrives: &semver::Version,
    what: &str,
) {
    if written.version == *arrives {
        return;
    }
    let protocol = policy
        .and_then(|p| p.protocol.as_deref())
        .map(|name| format!("{name} "))
        .unwrap_or_default();
    cx.error_spanned_by(
        &written.lit,
        format!(
            "#[since(\"{}\")] on {what} disagrees with feature `{}`, which arrives in {protocol}{arrives} ({}); \
             remove #[since] (the feature's `since` applies), or correct one of the two",
            written.version, feature.name, feature.origin
        ),
    );
}

/// A feature only advertised (no version implies it) gives no first version: the item
/// states its own `#[since]`.
fn advertised_feature_leaves_since_to_the_item(
    cx: &Ctxt,
    lit: &LitStr,
    feature: &Feature,
    has_since: bool,
    what: &str,
) {
    if has_since {
        return;
    }
    cx.error_spanned_by(
        lit,
        format!(
            "feature `{}` is only advertised ({}: no version implies it), so it gives {what} no first version; \
             add #[since(\"X.Y.Z\")] beside it, the version that first carried {what}",
            feature.name, feature.origin
        ),
    );
}
