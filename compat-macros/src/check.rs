//! The compatibility rules, one function each. The first group needs only the item; the
//! second needs the policy the build script handed over ([`Env::policy`]).

use crate::ast::{Data, Field, Input, Variant};
use crate::attr::{Route, Since};
use crate::ctxt::Ctxt;
use crate::env::{Env, Policy};
use crate::since::release_of;
use crate::suggest;
use crate::window::Window;
use proc_macro2::Span;
use semver::Version;

pub(crate) fn check(cx: &Ctxt, input: &Input<'_>, env: &Env) {
    for problem in &env.problems {
        cx.error_at(Span::call_site(), problem);
    }
    message_has_since(cx, input);
    versions_not_after_the_build(cx, input, env);
    members_not_older_than_their_container(cx, input);
    deprecation_not_before_arrival(cx, input);
    note_comes_with_deprecated(cx, input);
    one_catch_all(cx, input);
    if let Some(policy) = &env.policy {
        let version = env.version.as_ref();
        components_are_declared(cx, input, policy);
        direction_is_declared(cx, input, policy);
        let windows: Vec<&Window> = routes_with_rules(cx, input, policy)
            .into_iter()
            .filter_map(|route| policy.window(&route.from, &route.to))
            .collect();
        // One report per field is enough: the first window that requires a default.
        for window in &windows {
            if new_fields_can_default(cx, input, version, window) {
                break;
            }
        }
        if let Some(window) = windows.iter().find(|window| window.newer) {
            no_deny_unknown_fields_for_newer_senders(cx, input, window);
            enum_has_catch_all_for_newer_senders(cx, input, window);
        }
    }
}

// ---- Rules that need only the item ----------------------------------------------------

/// A message needs `#[since]`: its first release is the baseline every field and
/// variant is measured against.
fn message_has_since(cx: &Ctxt, input: &Input<'_>) {
    if !input.attrs.since_written {
        cx.error_spanned_by(
            input.ident,
            format!(
                "`{}` needs #[since(\"X.Y.Z\")]: the release that first shipped it, against which \
                 its fields and variants are checked; add it next to #[derive(Compat)]",
                input.ident
            ),
        );
    }
}

/// No `since` or `deprecated` may name a release after the version being built: it
/// names a release that has shipped (or is being built now).
fn versions_not_after_the_build(cx: &Ctxt, input: &Input<'_>, env: &Env) {
    let Some(built) = &env.version else { return };
    // Building 1.0.0-rc.1 is working towards 1.0.0, which may be named already.
    let limit = release_of(built);
    for since in all_versions(input) {
        if since.version > limit {
            cx.error_spanned_by(
                &since.lit,
                format!(
                    "`{}` is newer than the version being built, {built}: this names the release that \
                     shipped the change, so it cannot be a later one; correct it, or raise `version` \
                     in Cargo.toml first",
                    since.version
                ),
            );
        }
    }
}

/// A field cannot be older than its message, nor a variant than its enum, nor a
/// variant's field than its variant: nothing shipped before its container did.
fn members_not_older_than_their_container(cx: &Ctxt, input: &Input<'_>) {
    let Some(message) = &input.attrs.since else {
        return;
    };
    let container = format!("`{}` first shipped in {}", input.ident, message.version);
    match &input.data {
        Data::Struct(_, fields) => {
            fields_not_older(cx, fields, &message.version, "its message", &container)
        }
        Data::Enum(variants) => {
            for variant in variants {
                let since = match &variant.attrs.since {
                    Some(since) if since.version < message.version => {
                        older(
                            cx,
                            since,
                            &format!("variant `{}`", variant.ident),
                            "its enum",
                            &container,
                            &message.version,
                        );
                        &message.version
                    }
                    Some(since) => &since.version,
                    None => &message.version,
                };
                let container = format!("variant `{}` first shipped in {since}", variant.ident);
                fields_not_older(cx, &variant.fields, since, "its variant", &container);
            }
        }
    }
}

fn fields_not_older(
    cx: &Ctxt,
    fields: &[Field<'_>],
    container: &Version,
    whose: &str,
    shipped: &str,
) {
    for field in fields {
        if let Some(since) = &field.attrs.since
            && since.version < *container
        {
            older(cx, since, &field.describe(), whose, shipped, container);
        }
    }
}

fn older(cx: &Ctxt, since: &Since, what: &str, whose: &str, shipped: &str, container: &Version) {
    cx.error_spanned_by(
        &since.lit,
        format!(
            "{what} cannot be older than {whose}: {shipped}; write #[since(\"{container}\")] \
             or later, or drop #[since] if it shipped with {whose}"
        ),
    );
}

/// A field is deprecated after it arrived, never before.
fn deprecation_not_before_arrival(cx: &Ctxt, input: &Input<'_>) {
    for (field, arrived) in fields_with_arrival(input) {
        if let Some(deprecated) = &field.attrs.deprecated
            && arrived.is_some_and(|arrived| deprecated.version < *arrived)
        {
            cx.error_spanned_by(
                &deprecated.lit,
                format!(
                    "{} is deprecated in {} but arrived in {}: a field can only be deprecated \
                     in its release or later",
                    field.describe(),
                    deprecated.version,
                    arrived.map(ToString::to_string).unwrap_or_default()
                ),
            );
        }
    }
}

/// `note` explains a deprecation, so it needs `deprecated`.
fn note_comes_with_deprecated(cx: &Ctxt, input: &Input<'_>) {
    for (field, _) in fields_with_arrival(input) {
        if let Some((key, _)) = &field.attrs.note
            && field.attrs.deprecated.is_none()
        {
            cx.error_spanned_by(
                key,
                "`note` explains a deprecation: add `deprecated = \"X.Y.Z\"` (the release that deprecated the field) next to it",
            );
        }
    }
}

/// Unknown variants can land in one variant only.
fn one_catch_all(cx: &Ctxt, input: &Input<'_>) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    let mut first: Option<&Variant<'_>> = None;
    for variant in variants {
        if let Some(marker) = &variant.attrs.other {
            match first {
                Some(first) => cx.error_spanned_by(
                    marker,
                    format!(
                        "`{}` already receives unknown variants as `{}`; keep one catch-all variant",
                        input.ident, first.ident
                    ),
                ),
                None => first = Some(variant),
            }
        }
    }
}

// ---- Rules that need the policy -------------------------------------------------------

/// Every component named in `from`, `to` or `between` is one the policy declares.
fn components_are_declared(cx: &Ctxt, input: &Input<'_>, policy: &Policy) {
    for component in &input.attrs.components {
        if !policy.components.contains(&component.name) {
            let hint = suggest::closest(
                &component.name,
                policy.components.iter().map(String::as_str),
            )
            .map(|near| format!(" (did you mean `{near}`?)"))
            .unwrap_or_default();
            cx.error_spanned_by(
                &component.lit,
                format!(
                    "unknown component `{}`{hint}; {} declares: {}",
                    component.name,
                    policy.path,
                    sorted(&policy.components)
                ),
            );
        }
    }
}

/// Under a policy, a message says who sends it to whom: the window depends on it.
fn direction_is_declared(cx: &Ctxt, input: &Input<'_>, policy: &Policy) {
    if !input.attrs.direction_written {
        cx.error_spanned_by(
            input.ident,
            format!(
                "`{}` does not say which components exchange it, so {} cannot be checked; add \
                 #[compat(from = \"...\", to = \"...\")], or #[compat(between = [\"...\", \"...\"])] \
                 when it flows both ways (components: {})",
                input.ident,
                policy.path,
                sorted(&policy.components)
            ),
        );
    }
}

/// Every direction a message travels in is one a rule relates; reports the others and
/// returns the routes that the remaining rules can check.
fn routes_with_rules<'a>(cx: &Ctxt, input: &'a Input<'_>, policy: &Policy) -> Vec<&'a Route> {
    let known = |name: &String| policy.components.contains(name);
    input
        .attrs
        .routes
        .iter()
        .filter(|route| known(&route.from) && known(&route.to))
        .filter(|route| {
            let related = policy.window(&route.from, &route.to).is_some();
            if !related {
                let (from, to) = (&route.from, &route.to);
                let message = if from == to {
                    format!(
                        "no rule in {} relates `{from}` with itself, so `{}` cannot go from one {from} to another; \
                         add a [[rule]] with component = \"{from}\", peer = \"{from}\" and a `skew`",
                        policy.path, input.ident
                    )
                } else {
                    format!(
                        "no rule in {} relates `{from}` and `{to}`, so `{}` cannot go from {from} to {to}; \
                         add a [[rule]] with component = \"{from}\" and peer = \"{to}\"",
                        policy.path, input.ident
                    )
                };
                cx.error_spanned_by(&route.at, message);
            }
            related
        })
        .collect()
}

/// A field that arrived after the oldest sender a receiver must still accept is missing
/// from that sender's messages, so the receiver must be able to fill it in: `Option<_>`,
/// `#[compat(default)]` or `#[serde(default)]`. Returns whether it reported anything, so
/// a field is reported once, not once per route.
fn new_fields_can_default(
    cx: &Ctxt,
    input: &Input<'_>,
    version: Option<&Version>,
    window: &Window,
) -> bool {
    let Some(message) = &input.attrs.since else {
        return false;
    };
    let mut reported = false;
    let mut check = |fields: &[Field<'_>],
                     container: &Version,
                     container_default: bool,
                     of: String| {
        for field in fields {
            let Some(since) = &field.attrs.since else {
                continue;
            };
            if field.attrs.malformed {
                continue;
            }
            let missing_from_oldest = since.version > *container
                && window
                    .oldest
                    .as_ref()
                    .is_none_or(|oldest| since.version > *oldest);
            if missing_from_oldest && !field.can_default(container_default) {
                reported = true;
                let receiver_at =
                    version.map_or_else(|| "this version".to_owned(), ToString::to_string);
                let senders = match &window.oldest {
                    Some(oldest) => format!("{} from {oldest}", plural(&window.sender)),
                    None => format!("{} of any older version", plural(&window.sender)),
                };
                cx.error_spanned_by(
                    &field.at,
                    format!(
                        "{}{of} arrived in {}, but {} at {receiver_at} must still accept {senders} ({}, {}); \
                         make it `Option<_>` or add `#[compat(default)]`",
                        field.describe(),
                        since.version,
                        with_article(&window.receiver),
                        window.origin,
                        window.text
                    ),
                );
            }
        }
    };
    match &input.data {
        Data::Struct(_, fields) => check(
            fields,
            &message.version,
            input.attrs.serde_default,
            String::new(),
        ),
        Data::Enum(variants) => {
            for variant in variants {
                let since = variant
                    .attrs
                    .since
                    .as_ref()
                    .map_or(&message.version, |since| &since.version);
                check(
                    &variant.fields,
                    since,
                    false,
                    format!(" of variant `{}`", variant.ident),
                );
            }
        }
    }
    reported
}

/// `#[serde(deny_unknown_fields)]` makes a receiver refuse every field added after its
/// release, so it cannot stand where a sender may be newer than its receiver.
fn no_deny_unknown_fields_for_newer_senders(cx: &Ctxt, input: &Input<'_>, window: &Window) {
    if let Some(key) = &input.attrs.deny_unknown_fields {
        cx.error_spanned_by(
            key,
            format!(
                "#[serde(deny_unknown_fields)] makes {a_receiver} refuse `{}` from any newer {sender} that added a field, \
                 but {senders} may be newer than {receivers} ({}, {}); remove `deny_unknown_fields`",
                input.ident,
                window.origin,
                window.text,
                a_receiver = with_article(&window.receiver),
                sender = window.sender,
                senders = plural(&window.sender),
                receivers = plural(&window.receiver),
            ),
        );
    }
}

/// An enum that a newer sender may extend needs a variant that receives the variants an
/// older receiver does not know.
fn enum_has_catch_all_for_newer_senders(cx: &Ctxt, input: &Input<'_>, window: &Window) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    if variants.iter().all(|variant| variant.attrs.other.is_none()) {
        cx.error_spanned_by(
            input.ident,
            format!(
                "enum `{}` has no catch-all variant, but {senders} may be newer than {receivers} ({}, {}), \
                 and {a_receiver} cannot decode a variant added after its release; add \
                 `#[serde(other)] Unknown` as the last variant (a unit variant; in an enum with \
                 #[serde(tag = \"...\")] it also catches unknown variants that carry data)",
                input.ident,
                window.origin,
                window.text,
                senders = plural(&window.sender),
                receivers = plural(&window.receiver),
                a_receiver = with_article(&window.receiver),
            ),
        );
    }
}

// ---- Helpers --------------------------------------------------------------------------

/// Every version written on the item.
fn all_versions<'a>(input: &'a Input<'_>) -> Vec<&'a Since> {
    let mut versions: Vec<&Since> = input.attrs.since.iter().collect();
    if let Data::Enum(variants) = &input.data {
        versions.extend(
            variants
                .iter()
                .filter_map(|variant| variant.attrs.since.as_ref()),
        );
    }
    for (field, _) in fields_with_arrival(input) {
        versions.extend(field.attrs.since.iter().chain(&field.attrs.deprecated));
    }
    versions
}

/// Every field with the release it arrived in, when known.
fn fields_with_arrival<'a>(input: &'a Input<'_>) -> Vec<(&'a Field<'a>, Option<&'a Version>)> {
    let message = input.attrs.since.as_ref().map(|since| &since.version);
    let arrival = |field: &'a Field<'a>, container: Option<&'a Version>| {
        (
            field,
            field
                .attrs
                .since
                .as_ref()
                .map(|since| &since.version)
                .or(container),
        )
    };
    match &input.data {
        Data::Struct(_, fields) => fields.iter().map(|field| arrival(field, message)).collect(),
        Data::Enum(variants) => variants
            .iter()
            .flat_map(|variant| {
                let container = variant
                    .attrs
                    .since
                    .as_ref()
                    .map(|since| &since.version)
                    .or(message);
                variant
                    .fields
                    .iter()
                    .map(move |field| arrival(field, container))
            })
            .collect(),
    }
}

/// `a server`, `an agent`.
fn with_article(component: &str) -> String {
    let article = if component.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {component}")
}

fn plural(component: &str) -> String {
    if component.ends_with('s') {
        component.to_owned()
    } else {
        format!("{component}s")
    }
}

fn sorted(names: &[String]) -> String {
    let mut names = names.to_vec();
    names.sort();
    names.join(", ")
}
