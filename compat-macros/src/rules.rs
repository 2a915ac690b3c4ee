//! The compatibility rules of `#[derive(Compat)]`, one function each, named as the rule it
//! keeps: the validate pass, between parsing (`ast`) and generating (`expand`). The first
//! group needs only the item; the second needs the policy the build script handed over
//! ([`Env::policy`]).

use crate::ast::{self, Data, Field, Input, Style, Variant, Wire};
use crate::attr::{self, Route, Since, SkipSerializing, Tagging};
use crate::ctxt::Ctxt;
use crate::env::{Env, Policy};
use crate::env_window::Window;
use crate::since::release_of;
use crate::suggest;
use crate::type_text::type_text;
use proc_macro2::Span;
use quote::ToTokens;
use semver::Version;

/// Checks `input` against every rule, in this order, recording each broken one in `cx`; the
/// rules that need the policy run only when the build script handed one over.
pub(crate) fn check(cx: &Ctxt, input: &Input<'_>, env: &Env) {
    for problem in &env.problems {
        cx.error_at(Span::call_site(), problem);
    }
    message_has_since(cx, input);
    versions_not_after_the_build(cx, input, env);
    members_not_older_than_their_container(cx, input);
    deprecation_not_before_arrival(cx, input);
    note_comes_with_deprecated(cx, input);
    let codec = env.codec(input);
    if codec.is_positional() {
        // Names never travel and no catch-all exists: the positional rules replace the ones
        // that assume a self-describing format (rules_positional.rs).
        crate::rules_positional::check_item(cx, input, codec);
    } else {
        one_catch_all(cx, input);
        catch_all_is_where_serde_routes_unknown_variants(cx, input);
        compat_default_comes_with_serde_default(cx, input);
        fields_left_out_when_sent_can_default(cx, input);
        wire_names_are_distinct(cx, input);
    }
    frozen_is_for_enums(cx, input);
    let fallbacks = crate::rules_fallback::check(cx, input);
    if let Some(policy) = &env.policy {
        let version = env.version.as_ref();
        components_are_declared(cx, input, policy);
        releases_change_the_wire_where_the_policy_allows(cx, input, policy);
        direction_is_declared(cx, input, policy);
        let windows: Vec<&Window> = routes_with_rules(cx, input, policy)
            .into_iter()
            .filter_map(|route| policy.window(&route.from, &route.to))
            .collect();
        let newer: Vec<Newer<'_>> = windows
            .iter()
            .filter(|window| window.newer)
            .map(|window| Newer::of(policy, window, version))
            .collect();
        if codec.is_positional() {
            let positional = crate::rules_positional::Positional::new(input, env, policy, &windows);
            crate::rules_positional::check_with_policy(cx, input, &positional);
        } else {
            new_fields_can_default(cx, input, version, &windows);
            if let Some(first) = newer.first() {
                no_deny_unknown_fields_for_newer_senders(cx, input, first.window);
                enum_has_catch_all_for_newer_senders(cx, input, first);
            }
            frozen_variants_reach_every_receiver(cx, input, &newer);
            let late = catch_all_reaches_every_receiver(cx, input, &newer);
            new_variants_with_data_reach_the_catch_all(cx, input, &newer, &late);
        }
        crate::rules_fallback::fallbacks_reach_every_receiver(cx, input, &fallbacks, &newer);
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
                    "`{}`{} is newer than the version being built, {built}: this names the release that \
                     shipped the change, so it cannot be a later one; correct it, or raise `version` \
                     in Cargo.toml first",
                    since.version,
                    Since::feature_note(Some(since)),
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
                            &variant.describe(),
                            "its enum",
                            &container,
                            &message.version,
                        );
                        &message.version
                    }
                    Some(since) => &since.version,
                    None => &message.version,
                };
                let container = format!("{} first shipped in {since}", variant.describe());
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
        if let Some(marker) = input.catch_all(variant) {
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

/// `#[compat(other)]` promises that a variant receives the variants this release does not
/// know; on an enum that serde decodes, only `#[serde(other)]` (on a unit variant) keeps
/// that promise, except in an untagged enum, which takes no `#[serde(other)]`: there serde
/// tries the variants in order, so the `#[compat(other)]` variant must come last. As for
/// `#[compat(default)]`, any `#[serde(...)]` on the item stands for serde.
fn catch_all_is_where_serde_routes_unknown_variants(cx: &Ctxt, input: &Input<'_>) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    if !input.serde {
        return;
    }
    let untagged = input.attrs.tagging == Tagging::Untagged;
    let routed = variants
        .iter()
        .find(|variant| variant.attrs.serde_other.is_some());
    for (index, variant) in variants.iter().enumerate() {
        let Some(key) = &variant.attrs.compat_other else {
            continue;
        };
        if variant.attrs.serde_other.is_some() {
            continue;
        }
        let (name, ident) = (input.ident, variant.ident);
        let message = if untagged {
            if index + 1 == variants.len() {
                continue;
            }
            format!(
                "serde tries the variants of an untagged enum in order and keeps the first that \
                 fits, so a variant after the catch-all `{ident}` is never decoded when `{ident}` \
                 accepts anything; make `{ident}` the last variant of `{name}`"
            )
        } else if let Some(routed) = routed {
            format!(
                "serde routes the variants `{name}` does not know to `{}` (#[serde(other)]), never to \
                 `{ident}`; remove #[compat(other)] here (it marks the catch-all of a hand-written \
                 `Deserialize`)",
                routed.ident
            )
        } else if matches!(variant.style, Style::Unit) {
            format!(
                "`#[compat(other)]` says `{ident}` receives the variants `{name}` does not know, but \
                 serde never routes them there: it rejects them (\"unknown variant\"); write \
                 `#[serde(other)]` instead (`#[compat(other)]` alone only fits a hand-written \
                 `Deserialize`, and this item has `#[serde(...)]` attributes)"
            )
        } else {
            format!(
                "`#[compat(other)]` says `{ident}` receives the variants `{name}` does not know, but \
                 serde never routes them there: it rejects them (\"unknown variant\"); serde's \
                 catch-all is a unit variant marked `#[serde(other)]`, which keeps neither the \
                 unknown variant's name nor its data: write `#[serde(other)] {ident},` without \
                 fields (`#[compat(other)]` alone only fits a hand-written `Deserialize`, and this \
                 item has `#[serde(...)]` attributes)"
            )
        };
        cx.error_spanned_by(key, message);
    }
}

/// `#[compat(default)]` promises that a receiver fills the field in; on an item that serde
/// decodes, only serde can keep that promise. A derive cannot see `#[derive(Deserialize)]`,
/// so any `#[serde(...)]` on the item stands for it; without one, `Deserialize` is taken to
/// be hand-written and to honour `#[compat(default)]` itself.
fn compat_default_comes_with_serde_default(cx: &Ctxt, input: &Input<'_>) {
    if !input.serde {
        return;
    }
    let check = |fields: &[Field<'_>], container_default: bool| {
        for field in fields {
            let Some(key) = &field.attrs.default else {
                continue;
            };
            if field.attrs.malformed || field.serde_can_default(container_default) {
                continue;
            }
            let missing = if field.named {
                format!(" (missing field `{}`)", field.name)
            } else {
                " (\"invalid length\": serde fills a missing tuple element only from \
                 `#[serde(default)]`, never from `Option<_>` alone)"
                    .to_owned()
            };
            cx.error_spanned_by(
                key,
                format!(
                    "`#[compat(default)]` says a receiver fills in {} when an older sender leaves it out, \
                     but serde will reject such a message{missing}; add `#[serde(default)]` to the field \
                     as well (`#[compat(default)]` alone only fits a hand-written `Deserialize`, and this \
                     item has `#[serde(...)]` attributes)",
                    field.describe()
                ),
            );
        }
    };
    match &input.data {
        Data::Struct(_, fields) => check(fields, input.attrs.serde_default),
        Data::Enum(variants) => {
            for variant in variants {
                check(&variant.fields, false);
            }
        }
    }
}

/// A field that a sender may leave out (`skip_serializing_if`, `skip_serializing`) must be
/// one a receiver can fill in: otherwise serde rejects the messages it writes itself, from
/// a sender of the very same release ("missing field").
fn fields_left_out_when_sent_can_default(cx: &Ctxt, input: &Input<'_>) {
    let check = |fields: &[Field<'_>], container_default: bool| {
        for field in fields {
            if !field.left_out_without_default(container_default) {
                continue;
            }
            let name = &field.wire.deserialize;
            match &field.attrs.skip_serializing {
                SkipSerializing::If(path) => cx.error_spanned_by(
                    path,
                    format!(
                        "{} is left out when sent whenever `{}` says so (#[serde(skip_serializing_if)]), but a \
                         receiver cannot fill it in: serde rejects such a message, even from a sender of this \
                         very release (\"missing field `{name}`\"); add `#[serde(default)]` to the field, or \
                         make it `Option<_>`",
                        field.describe(),
                        path.value()
                    ),
                ),
                SkipSerializing::Always(key) => cx.error_spanned_by(
                    key,
                    format!(
                        "{} is never sent (#[serde(skip_serializing)]), but a receiver cannot fill it in: \
                         serde rejects every message (\"missing field `{name}`\"); add `#[serde(default)]` \
                         to it, or `#[serde(skip)]` if it does not travel at all",
                        field.describe()
                    ),
                ),
                SkipSerializing::Never => {}
            }
        }
    };
    match &input.data {
        Data::Struct(_, fields) => check(fields, input.attrs.serde_default),
        Data::Enum(variants) => {
            for variant in variants {
                check(&variant.fields, false);
            }
        }
    }
}

/// Two fields (or variants) of one message cannot travel under one name: a sender would
/// write the key twice, and a receiver decodes a name as the first member that takes it,
/// so an alias or rename that another member already takes is dead.
fn wire_names_are_distinct(cx: &Ctxt, input: &Input<'_>) {
    match &input.data {
        Data::Struct(_, fields) => distinct_fields(cx, fields, &format!("`{}`", input.ident)),
        Data::Enum(variants) => {
            for variant in variants {
                let owner = format!("variant `{}::{}`", input.ident, variant.ident);
                distinct_fields(cx, &variant.fields, &owner);
            }
            // An untagged enum writes no variant names.
            if input.attrs.tagging == Tagging::Untagged {
                return;
            }
            let members: Vec<Member<'_>> = variants
                .iter()
                .map(|variant| Member {
                    what: format!("variant `{}`", variant.ident),
                    wire: &variant.wire,
                    rename: &variant.attrs.rename,
                    aliases: &variant.attrs.aliases,
                    at: variant.ident.to_token_stream(),
                })
                .collect();
            distinct(cx, &members, &format!("`{}`", input.ident));
        }
    }
}

/// A field or variant, with the tokens that gave it its names.
struct Member<'a> {
    what: String,
    wire: &'a Wire,
    rename: &'a attr::Rename,
    aliases: &'a [syn::LitStr],
    at: proc_macro2::TokenStream,
}

impl Member<'_> {
    /// The literal that gave this member `name`, or else its identifier.
    fn token_for(&self, name: &str) -> proc_macro2::TokenStream {
        [&self.rename.serialize, &self.rename.deserialize]
            .into_iter()
            .flatten()
            .chain(self.aliases)
            .find(|lit| lit.value() == name)
            .map_or_else(|| self.at.clone(), ToTokens::to_token_stream)
    }
}

fn distinct_fields(cx: &Ctxt, fields: &[Field<'_>], owner: &str) {
    let members: Vec<Member<'_>> = fields
        .iter()
        .filter(|field| field.named && field.flatten.is_none())
        .map(|field| Member {
            what: field.describe(),
            wire: &field.wire,
            rename: &field.attrs.rename,
            aliases: &field.attrs.aliases,
            at: field.at.clone(),
        })
        .collect();
    distinct(cx, &members, owner);
}

fn distinct(cx: &Ctxt, members: &[Member<'_>], owner: &str) {
    for (index, later) in members.iter().enumerate() {
        for earlier in &members[..index] {
            let sent = &later.wire.serialize;
            if *sent == earlier.wire.serialize {
                cx.error_spanned_by(
                    later.token_for(sent),
                    format!(
                        "{} of {owner} is sent as `{sent}`, and so is {}: the message would carry `{sent}` \
                         twice and a receiver cannot tell them apart; give one of them another name \
                         (#[serde(rename = \"...\")])",
                        later.what, earlier.what
                    ),
                );
                break;
            }
            if let Some(name) = later
                .wire
                .accepted()
                .find(|name| earlier.wire.accepted().any(|taken| taken == *name))
            {
                cx.error_spanned_by(
                    later.token_for(name),
                    format!(
                        "{} of {owner} is read from `{name}`, which {} already takes: serde decodes \
                         `{name}` as {} and never as {}, so this name is dead; remove it, or pick a name \
                         no other member of {owner} takes",
                        later.what, earlier.what, earlier.what, later.what
                    ),
                );
                break;
            }
        }
    }
}

// ---- Rules that need the policy -------------------------------------------------------

/// Every component named in `from`, `to`, `between` or `routes` is one the policy
/// declares.
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

/// Under `[versioning] wire-changes` only the first release of a line changes what
/// travels: the rules take two releases of one line (`0.114.0` and `0.114.1`, under
/// `"minor"`) to read the same messages, so a message, field or variant cannot arrive in
/// any other release.
fn releases_change_the_wire_where_the_policy_allows(cx: &Ctxt, input: &Input<'_>, policy: &Policy) {
    let Some(lines) = policy.wire else {
        return;
    };
    let mut arrivals: Vec<&Since> = input.attrs.since.iter().collect();
    if let Data::Enum(variants) = &input.data {
        arrivals.extend(
            variants
                .iter()
                .filter_map(|variant| variant.attrs.since.as_ref()),
        );
    }
    arrivals.extend(
        input
            .fields()
            .into_iter()
            .filter_map(|field| field.attrs.since.as_ref()),
    );
    for since in arrivals {
        let line = lines.line(&since.version);
        if line == since.version {
            continue;
        }
        cx.error_spanned_by(
            &since.lit,
            format!(
                "`{}`{} does not start a {unit} line, but {} says the wire changes only in {unit} \
                 releases ([versioning] wire-changes = \"{unit}\"), so peers of {line} and {} \
                 take each other to read the same messages; ship it in {} (the next release that \
                 may change the wire), or let every release change it (wire-changes = \"any\")",
                since.version,
                Since::feature_note(Some(since)),
                policy.path,
                since.version,
                lines.next(&since.version),
                unit = lines.unit,
            ),
        );
    }
}

/// Under a policy, a message says who sends it to whom: the window depends on it.
fn direction_is_declared(cx: &Ctxt, input: &Input<'_>, policy: &Policy) {
    if !input.attrs.direction_written {
        cx.error_spanned_by(
            input.ident,
            format!(
                "`{}` does not say which components exchange it, so {} cannot be checked; add \
                 #[compat(from = \"...\", to = \"...\")], #[compat(between = [\"...\", \"...\"])] \
                 when it flows both ways, or #[compat(routes = [\"... > ...\", \"... > ...\"])] to \
                 name each direction (components: {})",
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
    let (related, unrelated): (Vec<&Route>, Vec<&Route>) = input
        .attrs
        .routes
        .iter()
        .filter(|route| known(&route.from) && known(&route.to))
        .partition(|route| policy.window(&route.from, &route.to).is_some());
    for route in unrelated {
        let (from, to) = (&route.from, &route.to);
        let mut message = if from == to {
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
        // `from`/`to` lists (and `between`) make every combination, and the message may
        // never take this one: suggest `routes` with the others. The suggestion leaves
        // out a component talking to itself, which a name in both `from` and `to` makes
        // but a message passed along rarely means.
        let suggested: Vec<&&Route> = related
            .iter()
            .filter(|route| route.from != route.to)
            .collect();
        if input.attrs.crossed && !suggested.is_empty() {
            let routes = suggested
                .iter()
                .map(|route| format!("\"{} > {}\"", route.from, route.to))
                .collect::<Vec<_>>()
                .join(", ");
            message.push_str(&format!(
                ", or, if it never goes from {from} to {to}, name only the directions it takes \
                 instead of every combination: #[compat(routes = [{routes}])]"
            ));
        }
        cx.error_spanned_by(&route.at, message);
    }
    related
}

/// A field that arrived after the oldest sender a receiver must still accept is missing
/// from that sender's messages, so the receiver must be able to fill it in: `Option<_>`,
/// `#[serde(default)]` or `#[compat(default)]`. Each named field is checked on every route
/// and reported once, for the first route that needs it to default. The fields of a tuple
/// struct or tuple variant follow serde's rules for sequences:
/// [`tuple_fields_survive_older_senders`].
fn new_fields_can_default(
    cx: &Ctxt,
    input: &Input<'_>,
    version: Option<&Version>,
    windows: &[&Window],
) {
    let Some(message) = &input.attrs.since else {
        return;
    };
    let check = |style: Style, members: Members<'_, '_>| {
        if matches!(style, Style::Tuple) {
            tuple_fields_survive_older_senders(cx, &members, version, windows);
        } else {
            named_fields_can_default(cx, &members, version, windows);
        }
    };
    match &input.data {
        Data::Struct(style, fields) => check(
            *style,
            Members {
                fields,
                since: &message.version,
                default: input.attrs.serde_default,
                owner: format!("`{}`", input.ident),
                of: String::new(),
            },
        ),
        Data::Enum(variants) => {
            for variant in variants {
                let since = variant
                    .attrs
                    .since
                    .as_ref()
                    .map_or(&message.version, |since| &since.version);
                check(
                    variant.style,
                    Members {
                        fields: &variant.fields,
                        since,
                        default: false,
                        owner: format!("variant `{}`", variant.ident),
                        of: format!(" of variant `{}`", variant.ident),
                    },
                );
            }
        }
    }
}

/// The fields of a struct or of one variant, with what they inherit from it.
struct Members<'a, 'b> {
    fields: &'a [Field<'b>],
    /// The release the struct or variant arrived in.
    since: &'a Version,
    /// `#[serde(default)]` on the struct.
    default: bool,
    /// "`Reading`", "variant `Moved`".
    owner: String,
    /// "", " of variant `Moved`".
    of: String,
}

impl Members<'_, '_> {
    fn arrival<'f>(&'f self, field: &'f Field<'_>) -> &'f Version {
        field
            .attrs
            .since
            .as_ref()
            .map_or(self.since, |since| &since.version)
    }
}

/// `server 0.9.3`, or `server at this version`.
pub(crate) fn receiver_at(window: &Window, version: Option<&Version>) -> String {
    match version {
        Some(version) => format!("{} {version}", window.receiver),
        None => format!("{} at this version", window.receiver),
    }
}

/// `agent 0.8.0`, or `any older agent`.
pub(crate) fn oldest_sender(window: &Window) -> String {
    match &window.oldest {
        Some(oldest) => format!("{} {oldest}", window.sender),
        None => format!("any older {}", window.sender),
    }
}

const DEFAULT_REMEDY: &str = "make it `Option<_>` or add `#[serde(default)]` (`#[compat(default)]` if \
     `Deserialize` is written by hand)";

/// Named fields: `Option<_>` (the standard one, not decoded `with` a function),
/// `#[serde(default)]` or `#[compat(default)]`.
fn named_fields_can_default(
    cx: &Ctxt,
    members: &Members<'_, '_>,
    version: Option<&Version>,
    windows: &[&Window],
) {
    for field in members.fields {
        let Some(since) = &field.attrs.since else {
            continue;
        };
        if field.attrs.malformed
            || since.version <= *members.since
            || field.can_default(members.default)
            // Reported as a field left out when sent, with the same fix.
            || field.left_out_without_default(members.default)
        {
            continue;
        }
        let missing_from_oldest = |window: &&&Window| {
            window
                .oldest
                .as_ref()
                .is_none_or(|oldest| since.version > *oldest)
        };
        let Some(window) = windows.iter().find(missing_from_oldest) else {
            continue;
        };
        let problem = format!(
            "{}{} arrived in {}, but {} must still accept {} ({}, {})",
            field.describe(),
            members.of,
            since.version,
            receiver_at(window, version),
            oldest_sender(window),
            window.origin,
            window.text
        );
        match &field.attrs.serde_with {
            // Serde decodes a missing field by asking the type for its "missing" value, which
            // an `Option` answers with `None`; a `with` function is never asked.
            Some(key) if ast::is_option(field.ty) => {
                let word = quote::quote!(#key).to_string();
                cx.error_spanned_by(
                    key,
                    format!(
                        "{problem}; it is an `Option<_>`, but `#[serde({word} = \"...\")]` decodes it, \
                         and serde calls no function for a missing field: it rejects the message \
                         (\"missing field `{}`\"); add `#[serde(default)]` next to `{word}`",
                        field.name
                    ),
                );
            }
            _ if ast::may_be_an_option(field.ty) => {
                let ty = type_text(field.ty);
                cx.error_spanned_by(
                    field.ty,
                    format!(
                        "{problem}; {DEFAULT_REMEDY} (if `{ty}` is an `Option`: a derive cannot see \
                         through type aliases or other paths, so only `Option<_>`, \
                         `std::option::Option<_>` and `core::option::Option<_>` count)"
                    ),
                );
            }
            _ => cx.error_spanned_by(&field.at, format!("{problem}; {DEFAULT_REMEDY}")),
        }
    }
}

/// The fields of a tuple struct or tuple variant travel as a sequence, which serde reads by
/// position: a one-field tuple (a newtype) is written as its field alone, so it cannot grow
/// ([`tuple_keeps_its_newtype_form`]); new fields go last ([`new_tuple_fields_go_last`]);
/// and serde fills a missing trailing element from `#[serde(default)]` only, never from
/// `Option<_>` alone ([`new_tuple_fields_have_serde_default`]). Checked against the route
/// whose oldest sender is oldest, which finds every problem any route has.
fn tuple_fields_survive_older_senders(
    cx: &Ctxt,
    members: &Members<'_, '_>,
    version: Option<&Version>,
    windows: &[&Window],
) {
    let fields = members.fields;
    // The oldest release of the container a receiver still hears from on each route.
    fn base<'v>(window: &'v Window, since: &'v Version) -> &'v Version {
        match &window.oldest {
            Some(oldest) if oldest > since => oldest,
            _ => since,
        }
    }
    let Some((window, base)) = windows
        .iter()
        .map(|window| (*window, base(window, members.since)))
        .filter(|(_, base)| fields.iter().any(|field| members.arrival(field) > *base))
        .min_by(|(_, a), (_, b)| a.cmp(b))
    else {
        return;
    };
    if fields.iter().any(|field| field.attrs.malformed) {
        return;
    }
    let route = TupleRoute {
        window,
        base,
        receiver: receiver_at(window, version),
        rule: format!("{}, {}", window.origin, window.text),
    };
    if !tuple_keeps_its_newtype_form(cx, members, &route) {
        return;
    }
    let misplaced = new_tuple_fields_go_last(cx, members, &route);
    new_tuple_fields_have_serde_default(cx, members, &route, &misplaced);
}

/// The route the tuple rules are checked against, and how their errors name it.
struct TupleRoute<'a> {
    window: &'a Window,
    /// The oldest release of the container a receiver on this route still hears from.
    base: &'a Version,
    /// `server 0.9.3`, see [`receiver_at`].
    receiver: String,
    /// Where the rule is written and what it says.
    rule: String,
}

/// A tuple that was a newtype for an older sender stays one, and one that was not never
/// becomes one: serde writes a newtype as its field alone, and any other tuple as a
/// sequence, so the receiver could not read the other form. Returns whether the rule holds
/// (the other tuple rules are only worth checking then).
fn tuple_keeps_its_newtype_form(
    cx: &Ctxt,
    members: &Members<'_, '_>,
    route: &TupleRoute<'_>,
) -> bool {
    let fields = members.fields;
    let (window, base, receiver, rule) = (route.window, route.base, &route.receiver, &route.rule);
    let count_at = |release: &Version| {
        fields
            .iter()
            .filter(|field| members.arrival(field) <= release)
            .count()
    };
    let mut releases: Vec<&Version> = fields
        .iter()
        .map(|field| members.arrival(field))
        .filter(|arrival| *arrival > base)
        .collect();
    releases.push(base);
    releases.sort();
    releases.dedup();
    let newtype_now = fields.len() == 1;
    let Some(then) = releases
        .iter()
        .find(|release| (count_at(release) == 1) != newtype_now)
    else {
        return true;
    };
    let sender = format!("{} {then}", window.sender);
    let owner = &members.owner;
    let (field, message) = if newtype_now {
        let field = &fields[0];
        (
            field,
            format!(
                "{owner} had no fields for {sender}, and serde writes it as an empty sequence, but \
                 {}, arrived in {}, makes it a newtype, which serde writes as that field alone: \
                 {receiver} must still accept {sender} ({rule}) and cannot read the empty \
                 sequence (\"invalid type\"); use a struct with named fields",
                field.describe(),
                members.arrival(field)
            ),
        )
    } else {
        let Some(field) = fields.iter().find(|field| members.arrival(field) > *then) else {
            return false;
        };
        (
            field,
            format!(
                "{owner} was a newtype for {sender} (a tuple of one field, which serde writes as that \
                 field alone), and {}, arrived in {}, makes it a sequence: {receiver} must still \
                 accept {sender} ({rule}) and cannot read the bare field as a sequence, whatever \
                 the default (\"invalid type\"); a newtype cannot gain fields: keep {owner} as it \
                 was and carry the new value in a struct with named fields",
                field.describe(),
                members.arrival(field)
            ),
        )
    };
    cx.error_spanned_by(&field.at, message);
    false
}

/// New elements of a tuple go after the older ones: serde reads a tuple by position, so an
/// older sender's elements would land in the wrong fields. Returns, per field, whether it
/// was reported here.
fn new_tuple_fields_go_last(
    cx: &Ctxt,
    members: &Members<'_, '_>,
    route: &TupleRoute<'_>,
) -> Vec<bool> {
    let fields = members.fields;
    let (window, base, receiver, rule) = (route.window, route.base, &route.receiver, &route.rule);
    let mut misplaced = vec![false; fields.len()];
    for (index, field) in fields.iter().enumerate() {
        let since = members.arrival(field);
        if since <= base {
            continue;
        }
        let Some(later) = fields[index + 1..]
            .iter()
            .find(|later| members.arrival(later) < since)
        else {
            continue;
        };
        misplaced[index] = true;
        let sender = format!("{} {}", window.sender, members.arrival(later).max(base));
        cx.error_spanned_by(
            &field.at,
            format!(
                "{}{} arrived in {since}, but {} after it is older ({}): serde reads a tuple by \
                 position, so {receiver} would read the elements {sender} sends into the wrong \
                 fields ({rule}); put new fields after the older ones",
                field.describe(),
                members.of,
                later.describe(),
                members.arrival(later)
            ),
        );
    }
    misplaced
}

/// A tuple element an older sender leaves out needs `#[serde(default)]` (or
/// `#[compat(default)]`): serde fills a missing element only from it, never from
/// `Option<_>` alone ("invalid length"). Fields already reported as `misplaced` are left
/// alone.
fn new_tuple_fields_have_serde_default(
    cx: &Ctxt,
    members: &Members<'_, '_>,
    route: &TupleRoute<'_>,
    misplaced: &[bool],
) {
    let (base, receiver, rule) = (route.base, &route.receiver, &route.rule);
    for (index, field) in members.fields.iter().enumerate() {
        let since = members.arrival(field);
        if misplaced[index] || since <= base || field.can_default(members.default) {
            continue;
        }
        cx.error_spanned_by(
            &field.at,
            format!(
                "{}{} arrived in {since}, but {receiver} must still accept {} ({rule}); serde fills a \
                 missing element of a tuple only from `#[serde(default)]`, never from `Option<_>` \
                 alone (\"invalid length\"): add `#[serde(default)]` to it and to every field after \
                 it, or use a struct with named fields (`#[compat(default)]` if `Deserialize` is \
                 written by hand)",
                field.describe(),
                members.of,
                oldest_sender(route.window)
            ),
        );
    }
}

/// A route on which a sender may be newer than its receiver, with the oldest receiver a
/// sender at this release still reaches: the oldest peer of the receiving component that the
/// policy admits for this release (the window of the opposite direction). A variant is
/// compared with it, as a field is compared with the oldest sender.
pub(crate) struct Newer<'a> {
    pub(crate) window: &'a Window,
    /// The oldest receiver release still inside the window; `None` for any older one.
    pub(crate) oldest_receiver: Option<&'a Version>,
    /// `server 0.9.3`, or `server at this version`: the sender at the release being built.
    sender: String,
}

impl<'a> Newer<'a> {
    fn of(policy: &'a Policy, window: &'a Window, version: Option<&Version>) -> Self {
        let oldest_receiver = policy
            .window(&window.receiver, &window.sender)
            .and_then(|back| back.oldest.as_ref());
        let sender = match version {
            Some(version) => format!("{} {version}", window.sender),
            None => format!("{} at this version", window.sender),
        };
        Newer {
            window,
            oldest_receiver,
            sender,
        }
    }

    /// Whether a receiver inside the window predates `release`: `release` is after the oldest
    /// receiver (or after `container`, the enum's own release, when any older receiver
    /// counts).
    pub(crate) fn predates(&self, release: &Version, container: &Version) -> bool {
        release > self.oldest_receiver.unwrap_or(container).max(container)
    }

    /// `agent 0.8.0`, or `any older agent`.
    fn receiver(&self) -> String {
        match self.oldest_receiver {
            Some(oldest) => format!("{} {oldest}", self.window.receiver),
            None => format!("any older {}", self.window.receiver),
        }
    }

    /// `server 0.9.3 still sends `Command` to agent 0.8.0 (compat.toml:10:1, ...)`.
    pub(crate) fn reach(&self, message: &syn::Ident) -> String {
        format!(
            "{} still sends `{message}` to {} ({}, {})",
            self.sender,
            self.receiver(),
            self.window.origin,
            self.window.text
        )
    }
}

/// Whether serde reads `#[serde(deny_unknown_fields)]` where it stands: on a struct with named
/// fields, and on an enum with a variant that has named fields (serde applies it to those).
/// A tuple, unit or newtype struct or variant, or a transparent struct, never looks at field
/// names: serde ignores the attribute there, so a newer sender's added field cannot trip it.
fn deny_unknown_fields_applies(input: &Input<'_>) -> bool {
    match &input.data {
        Data::Struct(style, _) => matches!(style, Style::Named) && !input.attrs.transparent,
        Data::Enum(variants) => variants
            .iter()
            .any(|variant| matches!(variant.style, Style::Named)),
    }
}

/// `#[serde(deny_unknown_fields)]` makes a receiver refuse every field added after its
/// release, so it cannot stand where a sender may be newer than its receiver, unless serde
/// ignores it there ([`deny_unknown_fields_applies`]).
fn no_deny_unknown_fields_for_newer_senders(cx: &Ctxt, input: &Input<'_>, window: &Window) {
    if let Some(key) = &input.attrs.deny_unknown_fields
        && deny_unknown_fields_applies(input)
    {
        cx.error_spanned_by(
            key,
            format!(
                "#[serde(deny_unknown_fields)] makes {receiver} refuse `{}` from a newer {sender} that added a field, \
                 but {} ({}, {}); remove `deny_unknown_fields`",
                input.ident,
                may_be_newer(window),
                window.origin,
                window.text,
                receiver = window.receiver,
                sender = window.sender,
            ),
        );
    }
}

/// An enum that a newer sender may extend needs a variant that receives the variants an
/// older receiver does not know. The remedy says what serde's `#[serde(other)]` receives,
/// which depends on how the enum is tagged (see [`new_variants_with_data_reach_the_catch_all`]).
fn enum_has_catch_all_for_newer_senders(cx: &Ctxt, input: &Input<'_>, newer: &Newer<'_>) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    // A `#[compat(other)]` that serde ignores is reported where it is written; a frozen
    // enum never gains a variant ([`frozen_variants_reach_every_receiver`]).
    if input.attrs.frozen.is_some()
        || variants.iter().any(|variant| {
            input.catch_all(variant).is_some() || variant.attrs.compat_other.is_some()
        })
    {
        return;
    }
    let window = newer.window;
    let hand = "(`#[compat(other)]` if `Deserialize` is written by hand)";
    let remedy = match &input.attrs.tagging {
        Tagging::Internal(tag) => format!(
            "add `#[serde(other)] Unknown` as the last variant: in an enum with \
             #[serde(tag = \"{tag}\")] it receives every unknown variant, with or without data {hand}"
        ),
        Tagging::Untagged => "an untagged enum has no tag to tell an unknown variant by, and serde takes \
             no `#[serde(other)]` on it: add a last variant whose field accepts any input (for JSON, \
             `Unknown(serde_json::Value)`) and mark it `#[compat(other)]`"
            .to_owned(),
        tagging => {
            let only = match tagging {
                Tagging::Adjacent(tag, content) => format!(
                    "with #[serde(tag = \"{tag}\", content = \"{content}\")] it receives only unknown \
                     variants without content"
                ),
                _ => "unless the enum is internally tagged (#[serde(tag = \"...\")]) it receives only \
                      unknown unit variants"
                    .to_owned(),
            };
            match new_variants_with_data(input, variants, newer).first() {
                Some(variant) => format!(
                    "add `#[serde(other)] Unknown` as the last variant {hand}; but {only}, and `{}` carries \
                     data: make it a unit variant, or make the enum internally tagged before it first ships",
                    variant.ident
                ),
                None => format!(
                    "add `#[serde(other)] Unknown` as the last variant {hand}; {only}, so variants added \
                     later must carry no data"
                ),
            }
        }
    };
    cx.error_spanned_by(
        input.ident,
        format!(
            "enum `{}` has no catch-all variant, but {} ({}, {}), and {receiver} cannot decode a \
             variant added after its release; {remedy}",
            input.ident,
            may_be_newer(window),
            window.origin,
            window.text,
            receiver = window.receiver,
        ),
    );
}

/// A frozen enum (`#[compat(frozen)]`) promises that no release adds a variant to it, so it
/// needs no catch-all for the variants to come; but a variant it already gained after a
/// receiver still inside the window is one that receiver cannot decode, catch-all or not.
fn frozen_variants_reach_every_receiver(cx: &Ctxt, input: &Input<'_>, newer: &[Newer<'_>]) {
    let (Data::Enum(variants), Some(message), Some(_)) =
        (&input.data, input.since(), &input.attrs.frozen)
    else {
        return;
    };
    if variants
        .iter()
        .any(|variant| input.catch_all(variant).is_some())
    {
        return;
    }
    for variant in variants {
        let Some(since) = variant.arrival(Some(message)) else {
            continue;
        };
        // A variant with a fallback never reaches those receivers (rules_fallback.rs).
        if variant.attrs.fallback.is_some() {
            continue;
        }
        let Some(route) = newer.iter().find(|route| route.predates(since, message)) else {
            continue;
        };
        let (ident, name) = (variant.ident, input.ident);
        cx.error_spanned_by(
            ident,
            format!(
                "`{name}` is frozen (#[compat(frozen)]: it never gains a variant, so it has no catch-all), \
                 but {} arrived in {since}, and {}: {} releases before {since} fail on \
                 `{ident}` (\"unknown variant\"); send it in a message of its own, or give `{name}` a \
                 catch-all before it first ships",
                variant.describe(),
                route.reach(name),
                route.window.receiver,
            ),
        );
    }
}

/// `#[compat(frozen)]` says an enum never gains a variant; a struct has none.
fn frozen_is_for_enums(cx: &Ctxt, input: &Input<'_>) {
    if let (Some(key), Data::Struct(..)) = (&input.attrs.frozen, &input.data) {
        cx.error_spanned_by(
            key,
            format!(
                "`#[compat(frozen)]` says an enum never gains a variant, but `{}` is a struct; remove it",
                input.ident
            ),
        );
    }
}

/// The variants that carry data and that a receiver inside `newer`'s window predates.
fn new_variants_with_data<'a, 'b>(
    input: &Input<'_>,
    variants: &'a [Variant<'b>],
    newer: &Newer<'_>,
) -> Vec<&'a Variant<'b>> {
    let Some(message) = input.since() else {
        return Vec::new();
    };
    variants
        .iter()
        .filter(|variant| {
            !matches!(variant.style, Style::Unit)
                && input.catch_all(variant).is_none()
                // A sender sends its fallback to those receivers (rules_fallback.rs).
                && variant.attrs.fallback.is_none()
                && variant
                    .arrival(Some(message))
                    .is_some_and(|since| newer.predates(since, message))
        })
        .collect()
}

/// A catch-all receives unknown variants only in the releases that have it: one added after
/// its enum (mirrord's `Target` gained `Unknown` in 3.109.0) is missing from the receivers
/// before it, and those still inside the window fail on any variant they do not know
/// ("unknown variant"). So a variant that a receiver inside the window predates needs a
/// catch-all that every such receiver has. Returns the variants reported here, which the
/// rule on data-carrying variants then leaves alone.
fn catch_all_reaches_every_receiver<'a>(
    cx: &Ctxt,
    input: &'a Input<'_>,
    newer: &[Newer<'_>],
) -> Vec<&'a syn::Ident> {
    let mut reported = Vec::new();
    let (Data::Enum(variants), Some(message)) = (&input.data, input.since()) else {
        return reported;
    };
    let Some(catch_all) = variants
        .iter()
        .find(|variant| input.catch_all(variant).is_some())
    else {
        return reported;
    };
    let Some(added) = catch_all
        .arrival(Some(message))
        .filter(|added| *added > message)
    else {
        return reported;
    };
    for variant in variants {
        let Some(since) = variant.arrival(Some(message)) else {
            continue;
        };
        // A variant with a fallback never reaches those receivers (rules_fallback.rs).
        if input.catch_all(variant).is_some() || variant.attrs.fallback.is_some() {
            continue;
        }
        let Some(route) = newer
            .iter()
            .find(|route| route.predates(since, message) && route.predates(added, message))
        else {
            continue;
        };
        let (ident, name) = (variant.ident, input.ident);
        let before = since.min(added);
        cx.error_spanned_by(
            ident,
            format!(
                "{} arrived in {since}, but the catch-all `{}` of `{name}` only arrived in \
                 {added}, and {}: {} releases before {before} have no catch-all and fail on `{ident}` \
                 (\"unknown variant\"); keep `{ident}` out of `{name}` (send it in a message of its own) \
                 until {} releases before {added} leave the window, or raise the floor in {} to \
                 the catch-all's release ([support] minimum = \"{added}\")",
                variant.describe(),
                catch_all.ident,
                route.reach(name),
                route.window.receiver,
                route.window.receiver,
                route.window.origin.split(':').next().unwrap_or("compat.toml"),
            ),
        );
        reported.push(ident);
    }
    reported
}

/// serde's `#[serde(other)]` is a unit variant, and it receives an unknown variant that
/// carries data only in an internally tagged enum (`#[serde(tag = "type")]`, where the data
/// sits next to the tag). In an externally tagged enum (serde's default) an older receiver
/// fails on `{"Drain":{"ms":5}}` with "invalid type: map, expected unit", and in an
/// adjacently tagged one on `{"t":"Drain","c":{"ms":5}}` with "expected unit variant". So a
/// variant that carries data must not be newer than the oldest receiver a sender at this
/// release still reaches (not merely newer than its enum: receivers that have left the window
/// no longer count). `reported` are the variants a missing catch-all already explains.
fn new_variants_with_data_reach_the_catch_all(
    cx: &Ctxt,
    input: &Input<'_>,
    newer: &[Newer<'_>],
    reported: &[&syn::Ident],
) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    let (Some(message), Some(catch_all)) = (
        input.since(),
        variants
            .iter()
            .find(|variant| variant.attrs.serde_other.is_some()),
    ) else {
        return;
    };
    if !input.serde {
        return;
    }
    let (tagging, error) = match &input.attrs.tagging {
        Tagging::External => (
            "an externally tagged enum (no #[serde(tag = \"...\")])".to_owned(),
            "invalid type: ..., expected unit",
        ),
        Tagging::Adjacent(tag, content) => (
            format!(
                "an adjacently tagged enum (#[serde(tag = \"{tag}\", content = \"{content}\")])"
            ),
            "invalid type: ..., expected unit variant",
        ),
        Tagging::Internal(_) | Tagging::Untagged => return,
    };
    for variant in variants {
        let ident = variant.ident;
        if reported.contains(&ident) {
            continue;
        }
        let Some(route) = newer.iter().find(|route| {
            new_variants_with_data(input, core::slice::from_ref(variant), route).len() == 1
        }) else {
            continue;
        };
        let written = match &input.attrs.tagging {
            Tagging::Adjacent(tag, content) => {
                format!("{{\"{tag}\":\"{ident}\",\"{content}\":...}}")
            }
            _ => format!("{{\"{ident}\":...}}"),
        };
        let since = variant.arrival(Some(message)).unwrap_or(message);
        cx.error_spanned_by(
            ident,
            format!(
                "{} carries data and arrived in {since}, but {}, and in {tagging} \
                 `#[serde(other)]` receives only unknown variants without data: {receiver} releases \
                 before {since} fail on `{written}` (\"{error}\") instead of reading `{}`; make `{ident}` \
                 a unit variant and send its data in a message of its own, or make `{name}` internally \
                 tagged with #[serde(tag = \"type\")] before it first ships (that changes how every \
                 variant is written)",
                variant.describe(),
                route.reach(input.ident),
                catch_all.ident,
                name = input.ident,
                receiver = route.window.receiver,
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
    let message = input.since();
    let arrival =
        |field: &'a Field<'a>, container: Option<&'a Version>| (field, field.arrival(container));
    match &input.data {
        Data::Struct(_, fields) => fields.iter().map(|field| arrival(field, message)).collect(),
        Data::Enum(variants) => variants
            .iter()
            .flat_map(|variant| {
                let container = variant.arrival(message);
                variant
                    .fields
                    .iter()
                    .map(move |field| arrival(field, container))
            })
            .collect(),
    }
}

/// `server may be newer than agent`. Component names are identifiers, not English
/// nouns, so messages use them as names: never pluralised, never given an article.
pub(crate) fn may_be_newer(window: &Window) -> String {
    if window.sender == window.receiver {
        format!("one {} may be newer than another", window.sender)
    } else {
        format!("{} may be newer than {}", window.sender, window.receiver)
    }
}

fn sorted(names: &[String]) -> String {
    let mut names = names.to_vec();
    names.sort();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::ast::Input;
    use crate::ctxt::Ctxt;
    use crate::env::Env;

    /// The error messages of one derive, in order.
    fn errors(source: &str, vars: &[(&str, &str)]) -> Vec<String> {
        let node: syn::DeriveInput = syn::parse_str(source).unwrap();
        let env = Env::read(
            |name| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            },
            None,
        );
        let cx = Ctxt::new();
        if let Some(input) = Input::from_syn(&cx, &node) {
            check(&cx, &input, &env);
        }
        cx.finish()
            .into_iter()
            .flat_map(|error| error.into_iter().map(|error| error.to_string()))
            .collect()
    }

    const NO_POLICY: [(&str, &str); 1] = [("CARGO_PKG_VERSION", "0.9.3")];

    /// SPIRE's policy at 0.9.3, with a web dashboard that runs the server's exact release.
    const SPIRE: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "0.9.3"),
        ("COMPAT_POLICY", "compat.toml"),
        ("COMPAT_COMPONENTS", "server,agent,web"),
        (
            "COMPAT_WINDOWS",
            "agent>server|0.8.0|0|compat.toml:14:1|agent may be one minor older than server;\
             server>agent|*|1|compat.toml:14:1|agent may be one minor older than server;\
             server>web|0.9.3|0|compat.toml:20:1|web runs the exact version of server;\
             web>server|0.9.3|0|compat.toml:20:1|web runs the exact version of server",
        ),
    ];

    // ---- #[compat(default)] on an item serde decodes -----------------------------------

    #[test]
    fn compat_default_without_serde_default_is_an_error_when_serde_is_used() {
        let errors = errors(
            r#"
            #[compat(from = "agent", to = "server")]
            #[since("0.8.0")]
            struct AttestRequest {
                #[serde(rename = "n")]
                node: String,
                #[since("0.9.0")]
                #[compat(default)]
                retries: u32,
            }
            "#,
            &SPIRE,
        );
        assert_eq!(
            errors,
            [
                "`#[compat(default)]` says a receiver fills in field `retries` when an older sender leaves it \
                 out, but serde will reject such a message (missing field `retries`); add `#[serde(default)]` \
                 to the field as well (`#[compat(default)]` alone only fits a hand-written `Deserialize`, and \
                 this item has `#[serde(...)]` attributes)"
            ]
        );
    }

    #[test]
    fn any_serde_attribute_counts_even_on_a_skipped_field_or_a_variant() {
        for source in [
            r#"#[serde(rename_all = "camelCase")] struct A { #[compat(default)] a: u32 }"#,
            r#"struct A { #[compat(default)] a: u32, #[serde(skip)] cache: u8 }"#,
            r#"struct A(#[compat(default)] u32, #[serde(with = "x")] u8);"#,
            r#"enum A { #[serde(rename = "b")] B { #[compat(default)] a: u32 } }"#,
            r#"enum A { B { #[compat(default)] a: u32 }, #[serde(other)] C }"#,
            r#"enum A { B { #[compat(default)] a: u32 }, #[serde(skip)] C }"#,
        ] {
            let source = format!("#[since(\"0.8.0\")] {source}");
            let errors = errors(&source, &NO_POLICY);
            assert_eq!(errors.len(), 1, "{source}: {errors:?}");
            assert!(
                errors[0].starts_with("`#[compat(default)]` says"),
                "{source}: {errors:?}"
            );
        }
    }

    #[test]
    fn compat_default_is_fine_where_serde_fills_the_field_in_or_serde_is_not_used() {
        for source in [
            // paired with #[serde(default)] on the field, in either form, or on the struct
            r#"struct A { #[compat(default)] #[serde(default)] a: u32 }"#,
            r#"struct A { #[compat(default)] #[serde(default = "three")] a: u32 }"#,
            r#"struct A { #[compat(default, ignorable)] #[serde(default, skip_serializing_if = "x")] a: u32 }"#,
            r#"#[serde(default)] struct A { #[compat(default)] a: u32 }"#,
            r#"struct A { #[compat(default)] #[serde(skip_deserializing)] a: u32 }"#,
            // serde fills a missing `Option` with `None`
            r#"struct A { #[compat(default)] #[serde(rename = "b")] a: Option<u32> }"#,
            r#"enum A { B { #[compat(default)] #[serde(default)] a: u32 } }"#,
            // no serde attribute anywhere: a hand-written `Deserialize` is assumed
            r#"struct A { #[compat(default)] a: u32 }"#,
            r#"enum A { B(#[compat(default)] u32) }"#,
        ] {
            let source = format!("#[since(\"0.8.0\")] {source}");
            let errors = errors(&source, &NO_POLICY);
            assert!(errors.is_empty(), "{source}: {errors:?}");
        }
    }

    #[test]
    fn tuple_and_variant_fields_are_named_as_such() {
        let errors = errors(
            r#"#[since("0.8.0")] #[serde(tag = "t")] enum A { B { #[compat(default)] load: f32 } }"#,
            &NO_POLICY,
        );
        assert!(errors[0].contains("fills in field `load`"), "{errors:?}");
        let errors = errors_of_tuple();
        assert!(
            errors[0].contains("fills in tuple field `1` when"),
            "{errors:?}"
        );
        assert!(!errors[0].contains("missing field"), "{errors:?}");
        assert!(errors[0].contains("\"invalid length\""), "{errors:?}");
    }

    fn errors_of_tuple() -> Vec<String> {
        errors(
            r#"#[since("0.8.0")] struct A(#[serde(rename = "x")] u8, #[compat(default)] u32);"#,
            &NO_POLICY,
        )
    }

    #[test]
    fn the_new_field_error_recommends_serde_default_first() {
        let errors = errors(
            r#"
            #[compat(from = "agent", to = "server")]
            #[since("0.8.0")]
            struct AttestRequest { node: String, #[since("0.9.0")] retries: u32 }
            "#,
            &SPIRE,
        );
        assert_eq!(
            errors,
            [
                "field `retries` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0 \
                 (compat.toml:14:1, agent may be one minor older than server); make it `Option<_>` or \
                 add `#[serde(default)]` (`#[compat(default)]` if `Deserialize` is written by hand)"
            ]
        );
    }

    // ---- Tuple fields: serde reads a sequence by position ---------------------------------

    /// Errors of one derive with `agent > server` under SPIRE's policy at 0.9.3.
    fn agent_to_server(item: &str) -> Vec<String> {
        errors(
            &format!(r#"#[compat(from = "agent", to = "server")] #[since("0.8.0")] {item}"#),
            &SPIRE,
        )
    }

    #[test]
    fn an_option_does_not_fill_a_missing_tuple_element() {
        let errors =
            agent_to_server(r#"struct Reading(f64, String, #[since("0.9.0")] Option<u32>);"#);
        assert_eq!(
            errors,
            [
                "tuple field `2` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0 \
                 (compat.toml:14:1, agent may be one minor older than server); serde fills a missing \
                 element of a tuple only from `#[serde(default)]`, never from `Option<_>` alone \
                 (\"invalid length\"): add `#[serde(default)]` to it and to every field after it, or \
                 use a struct with named fields (`#[compat(default)]` if `Deserialize` is written by \
                 hand)"
            ]
        );
        let errors = agent_to_server(
            r#"#[serde(tag = "t")] enum Report { Moved(u32, String, #[since("0.9.0")] Option<u32>) }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("tuple field `2` of variant `Moved` arrived in 0.9.0"),
            "{errors:?}"
        );
    }

    #[test]
    fn serde_default_fills_a_missing_trailing_tuple_element() {
        for item in [
            r#"struct R(f64, String, #[since("0.9.0")] #[serde(default)] Option<u32>);"#,
            r#"struct R(f64, String, #[since("0.9.0")] #[serde(default)] u32, #[since("0.9.1")] #[serde(default = "x")] u8);"#,
            r#"#[serde(default)] struct R(f64, String, #[since("0.9.0")] u32);"#,
            r#"struct R(f64, String, #[since("0.9.0")] #[serde(skip_deserializing)] u32);"#,
            r#"enum R { A(f64, String, #[since("0.9.0")] #[serde(default)] u32) }"#,
            // hand-written `Deserialize`: `#[compat(default)]` is the promise
            r#"struct R(f64, String, #[since("0.9.0")] #[compat(default)] u32);"#,
            // an old tuple field needs nothing
            r#"struct R(f64, #[since("0.8.0")] Option<u32>);"#,
        ] {
            let errors = agent_to_server(item);
            assert!(errors.is_empty(), "{item}: {errors:?}");
        }
    }

    #[test]
    fn a_newtype_cannot_gain_fields() {
        for (item, owner, field) in [
            (
                r#"struct Reading(pub f64, #[since("0.9.0")] #[serde(default)] pub Option<String>);"#,
                "`Reading`",
                "tuple field `1`",
            ),
            (
                r#"#[serde(tag = "t")] enum Event { Tick(u64), #[since("0.8.1")] Moved(u32, #[since("0.9.0")] #[serde(default)] u32, #[since("0.9.0")] #[serde(default)] u32) }"#,
                "variant `Moved`",
                "tuple field `1`",
            ),
            (
                r#"struct Empty(#[since("0.9.0")] #[serde(default)] u32);"#,
                "`Empty`",
                "tuple field `0`",
            ),
        ] {
            let errors = agent_to_server(item);
            assert_eq!(errors.len(), 1, "{item}: {errors:?}");
            assert!(errors[0].starts_with(owner), "{item}: {errors:?}");
            assert!(errors[0].contains(field), "{item}: {errors:?}");
            assert!(
                errors[0].contains("(\"invalid type\")"),
                "{item}: {errors:?}"
            );
        }
        let errors = agent_to_server(
            r#"struct Reading(pub f64, #[since("0.9.0")] #[serde(default)] pub Option<String>);"#,
        );
        assert!(
            errors[0].starts_with(
                "`Reading` was a newtype for agent 0.8.0 (a tuple of one field, which serde writes as \
                 that field alone), and tuple field `1`, arrived in 0.9.0, makes it a sequence: server \
                 0.9.3 must still accept agent 0.8.0"
            ),
            "{errors:?}"
        );
        // The variant arrived in 0.8.1 as `Moved(u32)`: a newtype for senders from 0.8.1.
        let errors = agent_to_server(
            r#"#[serde(tag = "t")] enum Event { #[since("0.8.1")] Moved(u32, #[since("0.9.0")] #[serde(default)] u32) }"#,
        );
        assert!(
            errors[0].starts_with("variant `Moved` was a newtype for agent 0.8.1"),
            "{errors:?}"
        );
    }

    #[test]
    fn new_tuple_fields_go_last() {
        let errors = agent_to_server(
            r#"struct R(String, #[since("0.9.0")] #[serde(default)] u32, String);"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "tuple field `1` arrived in 0.9.0, but tuple field `2` after it is older (0.8.0): \
                 serde reads a tuple by position"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn tuple_fields_the_oldest_sender_has_need_nothing() {
        // web and server run the same release, so a field from 0.9.3 reaches no older peer.
        let same = errors(
            r#"#[compat(from = "server", to = "web")] #[since("0.8.0")] struct R(f64, #[since("0.9.3")] u32);"#,
            &SPIRE,
        );
        assert!(same.is_empty(), "{same:?}");
        // Every route is checked: the oldest sender decides.
        let errors = errors(
            r#"#[compat(routes = ["server > web", "agent > server"])] #[since("0.8.0")] struct R(f64, u8, #[since("0.9.0")] u32);"#,
            &SPIRE,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("server 0.9.3 must still accept agent 0.8.0"),
            "{errors:?}"
        );
    }

    // ---- What counts as an `Option` ----------------------------------------------------------

    #[test]
    fn an_option_decoded_with_a_function_needs_serde_default() {
        for key in ["with", "deserialize_with"] {
            let errors = agent_to_server(&format!(
                r#"struct A {{ node: String, #[since("0.9.0")] #[serde({key} = "opt")] b: Option<u32> }}"#
            ));
            assert_eq!(errors.len(), 1, "{key}: {errors:?}");
            assert!(
                errors[0].starts_with(
                    "field `b` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0"
                ),
                "{errors:?}"
            );
            assert!(
                errors[0].ends_with(&format!(
                    "; it is an `Option<_>`, but `#[serde({key} = \"...\")]` decodes it, and serde calls \
                     no function for a missing field: it rejects the message (\"missing field `b`\"); \
                     add `#[serde(default)]` next to `{key}`"
                )),
                "{errors:?}"
            );
            let errors = agent_to_server(&format!(
                r#"struct A {{ node: String, #[since("0.9.0")] #[serde({key} = "opt", default)] b: Option<u32> }}"#
            ));
            assert!(errors.is_empty(), "{key}: {errors:?}");
        }
        // `#[compat(default)]` next to it is not enough either.
        let errors = agent_to_server(
            r#"struct A { #[since("0.9.0")] #[compat(default)] #[serde(with = "opt")] b: Option<u32> }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("`#[compat(default)]` says"),
            "{errors:?}"
        );
    }

    #[test]
    fn only_the_standard_option_paths_count() {
        for ty in [
            "Option<u32>",
            "std::option::Option<u32>",
            "::std::option::Option<u32>",
            "core::option::Option<u32>",
            "::core::option::Option<u32>",
        ] {
            let errors = agent_to_server(&format!(r#"struct A {{ #[since("0.9.0")] b: {ty} }}"#));
            assert!(errors.is_empty(), "{ty}: {errors:?}");
        }
        for ty in ["my::Option<u32>", "Maybe<u32>"] {
            let errors = agent_to_server(&format!(r#"struct A {{ #[since("0.9.0")] b: {ty} }}"#));
            assert_eq!(errors.len(), 1, "{ty}: {errors:?}");
            assert!(
                errors[0].ends_with(&format!(
                    "make it `Option<_>` or add `#[serde(default)]` (`#[compat(default)]` if \
                     `Deserialize` is written by hand) (if `{ty}` is an `Option`: a derive cannot see \
                     through type aliases or other paths, so only `Option<_>`, \
                     `std::option::Option<_>` and `core::option::Option<_>` count)"
                )),
                "{errors:?}"
            );
        }
        let errors = agent_to_server(r#"struct A { #[since("0.9.0")] b: Vec<u32> }"#);
        assert!(!errors[0].contains("type aliases"), "{errors:?}");
    }

    // ---- Catch-all variants ----------------------------------------------------------------

    /// Errors of one derive with `server > agent` (servers may be newer) under SPIRE's policy.
    fn server_to_agent(item: &str) -> Vec<String> {
        errors(
            &format!(r#"#[compat(from = "server", to = "agent")] #[since("0.8.0")] {item}"#),
            &SPIRE,
        )
    }

    #[test]
    fn compat_other_alone_is_an_error_when_serde_decodes_the_enum() {
        // policy or not
        for vars in [&NO_POLICY[..], &SPIRE[..]] {
            let found = errors(
                r#"#[compat(from = "server", to = "agent")] #[since("0.8.0")] #[serde(rename_all = "snake_case")]
                   enum Command { Stop, #[compat(other)] Unknown }"#,
                vars,
            );
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(
                found[0].starts_with(
                    "`#[compat(other)]` says `Unknown` receives the variants `Command` does not know, \
                     but serde never routes them there"
                ),
                "{found:?}"
            );
            assert!(
                found[0].contains("write `#[serde(other)]` instead"),
                "{found:?}"
            );
        }
        let errors = server_to_agent(
            r#"#[serde(tag = "type")] enum Command { Stop, #[compat(other)] Unknown(String) }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("write `#[serde(other)] Unknown,` without fields"),
            "{errors:?}"
        );
        let errors = server_to_agent(
            r#"#[serde(tag = "type")] enum Command { Stop, #[compat(other)] Unsupported, #[serde(other)] Unknown }"#,
        );
        assert_eq!(
            errors,
            [
                "serde routes the variants `Command` does not know to `Unknown` (#[serde(other)]), never \
                 to `Unsupported`; remove #[compat(other)] here (it marks the catch-all of a hand-written \
                 `Deserialize`)"
            ]
        );
    }

    #[test]
    fn compat_other_is_the_catch_all_of_hand_written_and_untagged_enums() {
        for item in [
            // hand-written `Deserialize`: any shape may keep what it did not know
            r#"enum Command { Stop, #[compat(other)] Unknown(String) }"#,
            r#"enum Command { Stop, #[compat(other)] Unknown }"#,
            // serde takes no `#[serde(other)]` on an untagged enum and tries variants in order
            r#"#[serde(untagged)] enum Value { Int(i64), #[compat(other)] Unknown(Raw) }"#,
            // both on one variant: serde's counts
            r#"#[serde(tag = "type")] enum Command { Stop, #[compat(other)] #[serde(other)] Unknown }"#,
        ] {
            let errors = server_to_agent(item);
            assert!(errors.is_empty(), "{item}: {errors:?}");
        }
        let errors = server_to_agent(
            r#"#[serde(untagged)] enum Value { #[compat(other)] Unknown(Raw), Int(i64) }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].ends_with("make `Unknown` the last variant of `Value`"),
            "{errors:?}"
        );
    }

    #[test]
    fn the_missing_catch_all_error_says_what_serde_can_catch() {
        let internal = server_to_agent(r#"#[serde(tag = "kind")] enum C { Stop, Go { ms: u32 } }"#);
        assert!(
            internal[0].ends_with(
                "add `#[serde(other)] Unknown` as the last variant: in an enum with #[serde(tag = \
                 \"kind\")] it receives every unknown variant, with or without data (`#[compat(other)]` \
                 if `Deserialize` is written by hand)"
            ),
            "{internal:?}"
        );
        let unit = server_to_agent(r#"enum C { Stop, #[since("0.9.0")] Go }"#);
        assert!(
            unit[0].ends_with(
                "unless the enum is internally tagged (#[serde(tag = \"...\")]) it receives only unknown \
                 unit variants, so variants added later must carry no data"
            ),
            "{unit:?}"
        );
        let data = server_to_agent(r#"enum C { Stop, #[since("0.9.0")] Drain { ms: u64 } }"#);
        assert!(
            data[0].contains("and `Drain` carries data: make it a unit variant, or make the enum internally tagged"),
            "{data:?}"
        );
        let adjacent = server_to_agent(r#"#[serde(tag = "t", content = "c")] enum C { Stop }"#);
        assert!(
            adjacent[0].contains("with #[serde(tag = \"t\", content = \"c\")] it receives only unknown variants without content"),
            "{adjacent:?}"
        );
        let untagged = server_to_agent(r#"#[serde(untagged)] enum C { A(u32) }"#);
        assert!(
            untagged[0].contains("serde takes no `#[serde(other)]` on it"),
            "{untagged:?}"
        );
        assert!(
            !untagged[0].contains("add `#[serde(other)]"),
            "{untagged:?}"
        );
    }

    #[test]
    fn a_new_variant_with_data_needs_an_internally_tagged_enum() {
        let errors = server_to_agent(
            r#"enum Command { Stop, Go(u32), #[since("0.9.0")] Drain { ms: u64 }, #[serde(other)] Unknown }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "variant `Drain` carries data and arrived in 0.9.0, but server 0.9.3 still sends \
                 `Command` to agent 0.8.0 (compat.toml:14:1, agent may be one minor older than server)"
            ),
            "{errors:?}"
        );
        assert!(
            errors[0].contains(
                "and in an externally tagged enum (no #[serde(tag = \"...\")]) `#[serde(other)]` receives \
                 only unknown variants without data: agent releases before 0.9.0 fail on `{\"Drain\":...}` \
                 (\"invalid type: ..., expected unit\") instead of reading `Unknown`"
            ),
            "{errors:?}"
        );
        let errors = server_to_agent(
            r#"#[serde(tag = "t", content = "c")] enum Command { Stop, #[since("0.9.0")] Drain(u64), #[serde(other)] Unknown }"#,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("fail on `{\"t\":\"Drain\",\"c\":...}`"),
            "{errors:?}"
        );
        for item in [
            // internally tagged: `Unknown` receives `{"type":"Drain","ms":5}`
            r#"#[serde(tag = "type")] enum Command { Stop, #[since("0.9.0")] Drain { ms: u64 }, #[serde(other)] Unknown }"#,
            // data-carrying variants from the enum's first release reach no older receiver
            r#"enum Command { Stop, Go(u32), #[since("0.9.0")] Pause, #[serde(other)] Unknown }"#,
        ] {
            let errors = server_to_agent(item);
            assert!(errors.is_empty(), "{item}: {errors:?}");
        }
        // No newer senders, no problem.
        let errors = agent_to_server(
            r#"enum Report { Ok, #[since("0.9.0")] Drain { ms: u64 }, #[serde(other)] Unknown }"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    /// nushell's caret rule at 0.114.1: engine and plugin of the same 0.114 line, the plugin
    /// possibly newer (a patch).
    const CARET: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "0.114.1"),
        ("COMPAT_POLICY", "compat.toml"),
        ("COMPAT_COMPONENTS", "engine,plugin"),
        (
            "COMPAT_WINDOWS",
            "engine>plugin|0.114.0|1|compat.toml:9:1|same 0.114 line;\
             plugin>engine|0.114.0|1|compat.toml:9:1|same 0.114 line",
        ),
    ];

    #[test]
    fn a_variant_with_data_is_compared_with_the_oldest_receiver_inside_the_window() {
        // `GetCompletion` arrived long after `PluginCall`, but every plugin inside the window
        // knows it: nushell's real history, which the enum's own release would refuse.
        let found = errors(
            r#"#[compat(from = "engine", to = "plugin")] #[since("0.84.0")]
               enum PluginCall { Signature, #[since("0.109.0")] GetCompletion(u32), #[since("0.114.0")] Run { n: u8 }, #[serde(other)] Unknown }"#,
            &CARET,
        );
        assert!(found.is_empty(), "{found:?}");
        // A receiver inside the window that predates it still counts.
        let errors = errors(
            r#"#[compat(from = "engine", to = "plugin")] #[since("0.84.0")]
               enum PluginCall { Signature, #[since("0.114.1")] Run { n: u8 }, #[serde(other)] Unknown }"#,
            &CARET,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "variant `Run` carries data and arrived in 0.114.1, but engine 0.114.1 still sends \
                 `PluginCall` to plugin 0.114.0"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn under_wire_changes_only_the_first_release_of_a_line_brings_anything() {
        let mut minor = CARET.to_vec();
        minor.push(("COMPAT_WIRE_CHANGES", "minor"));
        // No newer peer on the wire (NEWER 0): no catch-all demanded of an enum.
        minor[3].1 = "engine>plugin|0.114.0|0|compat.toml:9:1|same 0.114 line;\
                      plugin>engine|0.114.0|0|compat.toml:9:1|same 0.114 line";
        let found = errors(
            r#"#[compat(from = "engine", to = "plugin")] #[since("0.84.0")]
               enum PluginCall { Signature, #[since("0.109.0")] GetCompletion(u32) }"#,
            &minor,
        );
        assert!(found.is_empty(), "{found:?}");
        let found = errors(
            r#"#[compat(from = "engine", to = "plugin")] #[since("0.84.0")]
               struct CallInfo { name: String, #[since("0.114.1")] #[serde(default)] flag: bool }"#,
            &minor,
        );
        assert_eq!(
            found,
            [
                "`0.114.1` does not start a minor line, but compat.toml says the wire changes only \
                 in minor releases ([versioning] wire-changes = \"minor\"), so peers of 0.114.0 \
                 and 0.114.1 take each other to read the same messages; ship it in 0.115.0 (the \
                 next release that may change the wire), or let every release change it \
                 (wire-changes = \"any\")"
            ]
        );
        minor[4].1 = "major,minor-is-major";
        let found = errors(
            r#"#[compat(from = "engine", to = "plugin")] #[since("0.84.0")] struct Hello { #[since("0.114.0")] #[serde(default)] flag: bool }"#,
            &minor,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_catch_all_added_later_reaches_no_receiver_before_it() {
        // mirrord's `Target` gained its catch-all in 3.109.0; clients back to 3.0.0 are still
        // inside "same major".
        let same_major = [
            ("COMPAT_VERSION", "3.118.0"),
            ("COMPAT_POLICY", "compat.toml"),
            ("COMPAT_COMPONENTS", "operator,cli"),
            (
                "COMPAT_WINDOWS",
                "operator>cli|3.0.0|1|compat.toml:10:1|same major;\
                 cli>operator|3.0.0|1|compat.toml:10:1|same major",
            ),
        ];
        let source = |variant: &str| {
            format!(
                r#"#[compat(from = "operator", to = "cli")] #[since("3.0.0")] #[serde(tag = "kind")]
                   enum Target {{ Pod {{ name: String }}, {variant} #[since("3.109.0")] #[serde(other)] Unknown }}"#
            )
        };
        let found = errors(
            &source(r#"#[since("3.110.0")] Rollout { name: String },"#),
            &same_major,
        );
        assert_eq!(
            found,
            [
                "variant `Rollout` arrived in 3.110.0, but the catch-all `Unknown` of `Target` only \
                 arrived in 3.109.0, and operator 3.118.0 still sends `Target` to cli 3.0.0 \
                 (compat.toml:10:1, same major): cli releases before 3.109.0 have no catch-all and \
                 fail on `Rollout` (\"unknown variant\"); keep `Rollout` out of `Target` (send it in \
                 a message of its own) until cli releases before 3.109.0 leave the window, or raise \
                 the floor in compat.toml to the catch-all's release ([support] minimum = \"3.109.0\")"
            ]
        );
        // A variant older than every receiver, or a catch-all every receiver has, is fine.
        assert!(errors(&source("Job { name: String },"), &same_major).is_empty());
        let later_window = same_major.map(|(key, value)| {
            (
                key,
                if key == "COMPAT_WINDOWS" {
                    "operator>cli|3.109.0|1|o|t;cli>operator|3.109.0|1|o|t"
                } else {
                    value
                },
            )
        });
        let found = errors(
            &source(r#"#[since("3.110.0")] Rollout { name: String },"#),
            &later_window,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn deny_unknown_fields_raises_nothing_where_serde_ignores_it() {
        for item in [
            // serde reads no field names in these, so it never looks at the attribute
            r#"#[serde(untagged, deny_unknown_fields)] enum Input { Text(String), Table(Vec<u8>), Empty, #[compat(other)] Other(Raw) }"#,
            r#"#[serde(deny_unknown_fields)] struct Id(u64);"#,
            r#"#[serde(deny_unknown_fields)] struct Marker;"#,
            r#"#[serde(transparent, deny_unknown_fields)] struct Name { inner: String }"#,
        ] {
            let errors = server_to_agent(item);
            assert!(errors.is_empty(), "{item}: {errors:?}");
        }
        for item in [
            r#"#[serde(deny_unknown_fields)] struct Config { poll: u64 }"#,
            r#"#[serde(untagged, deny_unknown_fields)] enum Input { Text(String), Table { rows: u8 }, #[compat(other)] Other(Raw) }"#,
        ] {
            let errors = server_to_agent(item);
            assert_eq!(errors.len(), 1, "{item}: {errors:?}");
            assert!(
                errors[0].starts_with("#[serde(deny_unknown_fields)] makes agent refuse"),
                "{errors:?}"
            );
        }
    }

    // ---- Fields left out when sent, names that collide --------------------------------------

    #[test]
    fn a_field_left_out_when_sent_needs_a_default_and_is_reported_once() {
        let found = errors(
            r#"#[compat(from = "agent", to = "server")] #[since("0.8.0")] struct S {
                #[serde(skip_serializing)] secret: String,
                #[since("0.9.0")] #[serde(skip_serializing_if = "Vec::is_empty")] tags: Vec<String>,
            }"#,
            &SPIRE,
        );
        assert_eq!(
            found,
            [
                "field `secret` is never sent (#[serde(skip_serializing)]), but a receiver cannot fill it \
                 in: serde rejects every message (\"missing field `secret`\"); add `#[serde(default)]` to \
                 it, or `#[serde(skip)]` if it does not travel at all",
                "field `tags` is left out when sent whenever `Vec::is_empty` says so \
                 (#[serde(skip_serializing_if)]), but a receiver cannot fill it in: serde rejects such a \
                 message, even from a sender of this very release (\"missing field `tags`\"); add \
                 `#[serde(default)]` to the field, or make it `Option<_>`",
            ]
        );
        for fine in [
            r#"struct S { #[serde(skip_serializing_if = "Option::is_none")] a: Option<u8> }"#,
            r#"struct S { #[serde(default, skip_serializing_if = "Vec::is_empty")] a: Vec<u8> }"#,
            r#"#[serde(default)] struct S { #[serde(skip_serializing_if = "Vec::is_empty")] a: Vec<u8> }"#,
            r#"struct S { #[serde(skip_serializing, skip_deserializing)] a: u8 }"#,
        ] {
            let source = format!("#[since(\"0.8.0\")] {fine}");
            assert!(errors(&source, &NO_POLICY).is_empty(), "{fine}");
        }
    }

    #[test]
    fn two_members_cannot_travel_under_one_name() {
        let found = errors(
            r#"#[since("0.8.0")] #[serde(rename_all = "lowercase")] enum Level { Info, INFO, #[serde(alias = "info")] Notice }"#,
            &NO_POLICY,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with(
                "variant `INFO` of `Level` is sent as `info`, and so is variant `Info`"
            ),
            "{found:?}"
        );
        assert!(
            found[1].starts_with(
                "variant `Notice` of `Level` is read from `info`, which variant `Info` already takes"
            ),
            "{found:?}"
        );
        let found = errors(
            r#"#[since("0.8.0")] #[serde(tag = "type", rename_all_fields = "camelCase")] enum E { A { node_id: u8, #[serde(rename = "nodeId")] id: u8 } }"#,
            &NO_POLICY,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(
                "field `id` of variant `E::A` is sent as `nodeId`, and so is field `node_id`"
            ),
            "{found:?}"
        );
        for fine in [
            // serialize and deserialize names may swap between fields
            r#"struct S { #[serde(rename(serialize = "a", deserialize = "b"))] x: u8, #[serde(rename(serialize = "b", deserialize = "a"))] y: u8 }"#,
            // an untagged enum writes no variant names
            r#"#[serde(untagged, rename_all = "lowercase")] enum E { A(u8), #[allow(non_camel_case_types)] a(String) }"#,
            // flattened fields are their type's business
            r#"struct S { meta: u8, #[serde(flatten)] inner: Inner }"#,
        ] {
            let source = format!("#[since(\"0.8.0\")] {fine}");
            assert!(errors(&source, &NO_POLICY).is_empty(), "{fine}");
        }
    }

    // ---- Component names are never pluralised nor given an article ------------------------

    /// Teleport's and mirrord's names, and one that would take the wrong article.
    const AWKWARD: [(&str, &str); 4] = [
        ("COMPAT_VERSION", "8.1.0"),
        ("COMPAT_POLICY", "compat.toml"),
        (
            "COMPAT_COMPONENTS",
            "auth,proxy,tsh,cli,license-server,user",
        ),
        (
            "COMPAT_WINDOWS",
            "auth>proxy|*|1|compat.toml:50:1|one major apart;\
             tsh>proxy|7.0.0|1|compat.toml:50:1|one major apart;\
             cli>license-server|*|1|compat.toml:9:1|same major;\
             user>user|*|1|compat.toml:3:1|any",
        ),
    ];

    #[test]
    fn component_names_are_used_as_written() {
        let mut all = Vec::new();
        for source in [
            r#"#[compat(from = "auth", to = "proxy")] #[since("8.0.0")] enum E { A }"#,
            r#"#[compat(from = "auth", to = "proxy")] #[since("8.0.0")] #[serde(deny_unknown_fields)] struct S { a: u8 }"#,
            r#"#[compat(from = "tsh", to = "proxy")] #[since("6.0.0")] struct S { #[since("8.0.0")] a: u32 }"#,
            r#"#[compat(from = "cli", to = "license-server")] #[since("6.0.0")] struct S { #[since("8.0.0")] a: u32 }"#,
            r#"#[compat(from = "cli", to = "license-server")] #[since("6.0.0")] enum E { A }"#,
            r#"#[compat(between = ["user"])] #[since("6.0.0")] enum E { A }"#,
        ] {
            all.extend(errors(source, &AWKWARD));
        }
        let all = all.join("\n");
        assert!(
            all.contains("but auth may be newer than proxy (compat.toml:50:1"),
            "{all}"
        );
        assert!(all.contains("and proxy cannot decode"), "{all}");
        assert!(
            all.contains("makes proxy refuse `S` from a newer auth"),
            "{all}"
        );
        assert!(
            all.contains("but proxy 8.1.0 must still accept tsh 7.0.0 ("),
            "{all}"
        );
        assert!(
            all.contains("but license-server 8.1.0 must still accept any older cli ("),
            "{all}"
        );
        assert!(
            all.contains("but one user may be newer than another ("),
            "{all}"
        );
        for wrong in [
            "auths",
            "proxys",
            "tshs",
            "clis",
            "license-servers",
            "users",
            "an user",
        ] {
            assert!(!all.contains(wrong), "{wrong:?} in:\n{all}");
        }
    }

    // ---- routes -------------------------------------------------------------------------

    #[test]
    fn routes_name_each_direction_and_are_checked_one_by_one() {
        // Sent agent > server, and nested in what the server sends the web dashboard.
        let source = r#"
            #[compat(routes = ["agent > server", "server>web"])]
            #[since("0.8.0")]
            enum HealthState { Ok, #[since("0.9.0")] Unknown }
        "#;
        assert!(errors(source, &SPIRE).is_empty());
        let node: syn::DeriveInput = syn::parse_str(source).unwrap();
        let input = Input::from_syn(&Ctxt::new(), &node).unwrap();
        let routes: Vec<_> = input
            .attrs
            .routes
            .iter()
            .map(|route| (route.from.as_str(), route.to.as_str()))
            .collect();
        assert_eq!(routes, [("agent", "server"), ("server", "web")]);

        // server > agent: a newer server may send a variant an older agent does not know.
        let errors = errors(
            r#"
            #[compat(routes = ["agent > server", "server > agent"])]
            #[since("0.8.0")]
            enum HealthState { Ok, #[since("0.9.0")] Unknown }
            "#,
            &SPIRE,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("but server may be newer than agent"),
            "{errors:?}"
        );
    }

    #[test]
    fn each_field_is_reported_once_for_the_first_route_that_needs_a_default() {
        // The web route is checked first and needs only `late` to default; `early` is
        // still reported, for the agent route.
        let errors = errors(
            r#"
            #[compat(routes = ["server > web", "agent > server"])]
            #[since("0.8.0")]
            struct S { #[since("0.9.0")] early: u32, #[since("0.9.3")] late: u32 }
            "#,
            &[
                ("COMPAT_VERSION", "0.9.3"),
                ("COMPAT_POLICY", "compat.toml"),
                ("COMPAT_COMPONENTS", "server,agent,web"),
                (
                    "COMPAT_WINDOWS",
                    "agent>server|0.8.0|0|compat.toml:14:1|one minor;server>web|0.9.2|0|compat.toml:20:1|one patch",
                ),
            ],
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "field `early` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0"
            ),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with(
                "field `late` arrived in 0.9.3, but web 0.9.3 must still accept server 0.9.2"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn routes_components_are_validated_like_from_and_to() {
        let errors = errors(
            r#"#[compat(routes = ["agnet > server", "server > server", "agent > web"])] #[since("0.8.0")] struct S;"#,
            &SPIRE,
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("unknown component `agnet` (did you mean `agent`?)"));
        assert!(errors[1].starts_with("no rule in compat.toml relates `server` with itself"));
        assert!(errors[2].starts_with("no rule in compat.toml relates `agent` and `web`"));
        assert!(
            !errors[2].contains("every combination"),
            "routes are written out, so no hint: {errors:?}"
        );
    }

    #[test]
    fn malformed_routes_say_how_to_write_one() {
        let errors = errors(
            r#"#[compat(routes = ["agent -> server", "agent->server", "agent", "a > b > c", " > web", "agent \u{2192} server"])]
               #[since("0.8.0")] struct S;"#,
            &NO_POLICY,
        );
        assert_eq!(errors.len(), 6, "{errors:?}");
        for error in &errors {
            assert!(
                error.contains("write each route as \"sender > receiver\""),
                "{error}"
            );
        }
        assert!(
            errors[0].contains("(did you mean \"agent > server\"?)"),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("(did you mean \"agent > server\"?)"),
            "{errors:?}"
        );
        assert!(!errors[2].contains("did you mean"), "{errors:?}");
        assert!(
            errors[5].contains("(did you mean \"agent > server\"?)"),
            "{errors:?}"
        );
    }

    #[test]
    fn routes_do_not_mix_with_from_to_or_between() {
        for keys in [
            r#"from = "agent", routes = ["agent > server"]"#,
            r#"routes = "agent > server", to = "server""#,
            r#"between = ["server"], routes = ["server > server"]"#,
        ] {
            let source = format!("#[compat({keys})] #[since(\"0.8.0\")] struct S;");
            let errors = errors(&source, &NO_POLICY);
            assert_eq!(errors.len(), 1, "{source}: {errors:?}");
            assert!(
                errors[0].starts_with("use either `routes` or `from`/`to`/`between`, not both"),
                "{errors:?}"
            );
        }
        let errors = errors(
            r#"#[compat(routes = [])] #[since("0.8.0")] struct S;"#,
            &NO_POLICY,
        );
        assert_eq!(
            errors,
            ["`routes` needs at least one entry, e.g. routes = [\"agent > server\"]"]
        );
    }

    #[test]
    fn an_unrelated_combination_of_from_and_to_suggests_routes() {
        let errors = errors(
            r#"#[compat(from = ["agent", "server"], to = ["server", "web"])] #[since("0.8.0")] struct S;"#,
            &SPIRE,
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].ends_with(
                "or, if it never goes from agent to web, name only the directions it takes instead of \
                 every combination: #[compat(routes = [\"agent > server\", \"server > web\"])]"
            ),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("relates `server` with itself"),
            "{errors:?}"
        );
    }
}
