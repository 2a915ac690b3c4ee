//! `#[derive(ProstCompat)]`, validate: proto3's compatibility rules, one function each,
//! each with a fix that fits protobuf (never "make it `Option<_>`": the `.proto` file is
//! what changes, and prost follows it).

use crate::ctxt::Ctxt;
use crate::env::{Env, Policy};
use crate::env_window::Window;
use crate::prost_ast::{Body, Cardinality, Field, Item, Kind, Since};
use semver::Version;

/// Every rule, against the policy's windows when the build script handed them over.
pub(crate) fn check(cx: &Ctxt, item: &Item<'_>, env: &Env) {
    type_has_since(cx, item);
    releases_in_order(cx, item, env.version.as_ref());
    numbers_unique_and_unreserved(cx, item);
    within_covers_the_type(cx, item);
    for problem in &env.problems {
        cx.error_at(item.ident.span(), problem);
    }
    let Some(policy) = &env.policy else {
        return;
    };
    let (Some(version), Some(since)) = (&env.version, item.notes.since.as_ref()) else {
        return;
    };
    for window in windows(cx, item, policy) {
        let inside = Inside {
            since: &since.version,
            built: version,
            window,
        };
        new_fields_have_presence(cx, item, &inside);
        no_required_fields_after_the_oldest_sender(cx, item, &inside);
        if window.newer {
            enum_receivers_handle_unknown_values(cx, item, window);
        }
    }
}

/// One route's window, for the release being built and the item's own `@since`.
#[derive(Clone, Copy)]
struct Inside<'a> {
    since: &'a Version,
    built: &'a Version,
    window: &'a Window,
}

/// The windows of the item's routes; a route whose components the policy does not relate
/// is an error.
fn windows<'p>(cx: &Ctxt, item: &Item<'_>, policy: &'p Policy) -> Vec<&'p Window> {
    let mut out = Vec::new();
    for (from, to) in &item.routes {
        for name in [from, to] {
            if !policy.components.contains(name) {
                cx.error_at(
                    item.routes_span,
                    format!(
                        "unknown component `{name}`: {} declares {}",
                        policy.path,
                        policy.components.join(", ")
                    ),
                );
            }
        }
        match policy.window(from, to) {
            Some(window) => out.push(window),
            None if policy.components.contains(from) && policy.components.contains(to) => {
                cx.error_at(item.routes_span, format!(
                    "no rule in {} relates `{from}` and `{to}`, so `{}` cannot go from {from} to {to}; add a [[rule]] with component = \"{from}\" and peer = \"{to}\"",
                    policy.path, item.ident
                ));
            }
            None => {}
        }
    }
    out
}

/// A message and an enum name the release that first shipped them; a oneof travels as
/// its message does.
fn type_has_since(cx: &Ctxt, item: &Item<'_>) {
    if item.notes.since.is_some() {
        return;
    }
    let what = match item.body {
        Body::Message(_) => "message",
        Body::Enum(_) => "enum",
        Body::Oneof(_) => return,
    };
    // The `.proto` name's last part; without one (hand-written code, or a `proto` the
    // derive could not read), the Rust name, which prost-build takes from it.
    let rust = item.ident.to_string();
    let name = match item
        .proto
        .as_deref()
        .and_then(|full| full.rsplit('.').next())
    {
        Some(last) if !last.is_empty() => last,
        _ => &rust,
    };
    cx.error_at(item.ident.span(), format!(
        "prost {what} `{rust}` has no `@since`: add `// @since X.Y.Z` (the release that first shipped it) on the line above `{what} {name}` in the .proto file (prost-build copies the comment into the docs), or `#[since(\"X.Y.Z\")]` on hand-written code",
    ));
}

/// No `@since` is newer than the version being built, nor older than its type's.
fn releases_in_order(cx: &Ctxt, item: &Item<'_>, built: Option<&Version>) {
    let check = |since: &Since, floor: Option<&Since>| {
        if let Some(built) = built
            && since.version > crate::since::release_of(built)
            && since.version > *built
        {
            cx.error_at(since.span, format!(
                "`{}` is newer than the version being built, {built}: `@since` names a release that has shipped (or this one)",
                since.text
            ));
        }
        if let Some(floor) = floor
            && since.version < floor.version
        {
            cx.error_at(since.span, format!(
                "`{}` is older than its type's `@since {}`: a part cannot arrive before its type",
                since.text, floor.text
            ));
        }
    };
    let own = item.notes.since.as_ref();
    if let Some(since) = own {
        check(since, None);
    }
    let parts: Vec<Option<&Since>> = match &item.body {
        Body::Message(fields) | Body::Oneof(fields) => {
            fields.iter().map(|f| f.notes.since.as_ref()).collect()
        }
        Body::Enum(values) => values.iter().map(|v| v.notes.since.as_ref()).collect(),
    };
    for since in parts.into_iter().flatten() {
        check(since, own);
    }
}

/// The newest `@since` of the item and its parts, as the docs say (none: the item names
/// none).
pub(crate) fn newest_since<'i>(item: &'i Item<'_>) -> Option<&'i Since> {
    let parts: Vec<&Since> = match &item.body {
        Body::Message(fields) | Body::Oneof(fields) => fields
            .iter()
            .filter_map(|f| f.notes.since.as_ref())
            .collect(),
        Body::Enum(values) => values
            .iter()
            .filter_map(|v| v.notes.since.as_ref())
            .collect(),
    };
    item.notes
        .since
        .iter()
        .chain(parts)
        .fold(None, |newest: Option<&Since>, since| match newest {
            Some(n) if n.version >= since.version => Some(n),
            _ => Some(since),
        })
}

/// The build helper's `within` (the newest release of the type and of all it may hold) is
/// a release, and no older than the newest `@since` the type's own docs name: the helper
/// reads the comments prost-build copies into those docs, so an older figure means the two
/// read them differently, and the send guard's fast path, which trusts the figure, would
/// pass what a peer cannot read.
fn within_covers_the_type(cx: &Ctxt, item: &Item<'_>) {
    let Some(within) = &item.within else {
        return;
    };
    let text = &within.text;
    let version = match crate::since::parse_release(text) {
        Ok(version) => version,
        Err(why) => return cx.error_at(within.span, why),
    };
    if let Some(newest) = newest_since(item)
        && version < newest.version
    {
        cx.error_at(within.span, format!(
            "`within = \"{text}\"` is older than `@since {}` in the docs of `{}`: compat's build helper and the derive read the comments differently; regenerate the code with the helper that matches this derive, or drop `within` (the derive then folds the types the fields hold)",
            newest.text, item.ident
        ));
    }
}

/// Field numbers are unique and none is reserved (protoc refuses both; code written by
/// hand is checked here).
fn numbers_unique_and_unreserved(cx: &Ctxt, item: &Item<'_>) {
    let numbers: Vec<(i64, proc_macro2::Span, String)> = match &item.body {
        Body::Message(fields) | Body::Oneof(fields) => fields
            .iter()
            .flat_map(|f| {
                let tags = if f.tags.is_empty() {
                    vec![f.number]
                } else {
                    f.tags.clone()
                };
                tags.into_iter()
                    .filter(|n| *n != 0)
                    .map(move |n| (i64::from(n), f.span, f.name.clone()))
            })
            .collect(),
        Body::Enum(values) => values
            .iter()
            .map(|v| (i64::from(v.number), v.ident.span(), v.ident.to_string()))
            .collect(),
    };
    for (i, (number, span, name)) in numbers.iter().enumerate() {
        if let Some((_, _, first)) = numbers[..i].iter().find(|(n, _, _)| n == number) {
            cx.error_at(*span, format!("`{name}` takes number {number}, which `{first}` already has: a number is a field's identity on the wire"));
        }
        if item
            .reserved
            .iter()
            .any(|&(a, b)| i64::from(a) <= *number && *number <= i64::from(b))
        {
            cx.error_at(*span, format!("`{name}` takes number {number}, which is reserved: a peer inside the window may still send or read the field that had it; give it a new number"));
        }
    }
}

/// Fields of this message (not the oneofs' members, which have presence).
fn new_fields<'f>(item: &'f Item<'_>, since: &Version, window: &Window) -> Vec<&'f Field> {
    let Body::Message(fields) = &item.body else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|f| {
            let arrived = f.notes.since.as_ref().map_or(since, |s| &s.version);
            arrived > since && window.oldest.as_ref().is_none_or(|oldest| oldest < arrived)
        })
        .collect()
}

/// A singular scalar that arrived after the oldest sender a receiver must accept reads as
/// zero from that sender, which never sets it. Where the receiver must tell "old sender"
/// from zero, the field needs presence: `optional`. Enums are exempt (their zero value is
/// their "unspecified"); so are fields whose comment says `@zero-means-absent`.
fn new_fields_have_presence(cx: &Ctxt, item: &Item<'_>, inside: &Inside<'_>) {
    let Inside {
        since,
        built,
        window,
    } = *inside;
    for field in new_fields(item, since, window) {
        if field.cardinality != Cardinality::Implicit || field.notes.zero_means_absent {
            continue;
        }
        let Kind::Scalar(scalar) = &field.kind else {
            continue;
        };
        let arrived = field.notes.since.as_ref().map_or(since, |s| &s.version);
        let oldest = oldest(window);
        cx.error_at(field.span, format!(
            "field `{}` (number {}) arrived in {arrived}, but {} {built} must still accept {} {oldest} ({}, {}), which never sets it, so the receiver reads {} and cannot tell an old {} from a real zero; declare it `optional {scalar} {} = {};` in the .proto file (prost then holds `None` for an old sender's message), or, if zero means the same as unset, add `@zero-means-absent` to its comment",
            field.name, field.number, window.receiver, window.sender, window.origin, window.text,
            zero_of(scalar), window.sender, field.name, field.number
        ));
    }
}

/// The oldest sender of the window, in words.
fn oldest(window: &Window) -> String {
    window
        .oldest
        .as_ref()
        .map_or_else(|| "any".to_owned(), ToString::to_string)
}

fn zero_of(scalar: &str) -> &'static str {
    match scalar {
        "string" => "\"\"",
        "bytes" => "empty bytes",
        "bool" => "false",
        _ => "0",
    }
}

/// A proto2 `required` field that arrived after the oldest sender breaks every message
/// that sender writes.
fn no_required_fields_after_the_oldest_sender(cx: &Ctxt, item: &Item<'_>, inside: &Inside<'_>) {
    let Inside {
        since,
        built,
        window,
    } = *inside;
    for field in new_fields(item, since, window) {
        if field.cardinality == Cardinality::Required {
            let oldest = oldest(window);
            cx.error_at(field.span, format!(
                "required field `{}` (number {}) is newer than {} {oldest}, which {} {built} must still accept ({}), and whose messages lack it, so they fail to decode; declare it `optional`",
                field.name, field.number, window.sender, window.receiver, window.origin
            ));
        }
    }
}

/// An enum whose senders may be newer than its receivers may reach them with values they
/// do not know; prost keeps the `i32`, and its accessor reads an unknown number as the
/// zero value. That zero must mean "unknown", or the receivers must read the raw number.
fn enum_receivers_handle_unknown_values(cx: &Ctxt, item: &Item<'_>, window: &Window) {
    let Body::Enum(values) = &item.body else {
        return;
    };
    if item.notes.unknown_handled {
        return;
    }
    let Some(zero) = values.iter().find(|v| v.number == 0) else {
        cx.error_at(
            item.ident.span(),
            format!(
                "enum `{}` has no zero value, which proto3 needs: add `{}_UNSPECIFIED = 0;`",
                item.ident,
                screaming(&item.ident.to_string())
            ),
        );
        return;
    };
    let name = zero.ident.to_string().to_lowercase();
    if name.contains("unspecified") || name.contains("unknown") {
        return;
    }
    cx.error_at(zero.ident.span(), format!(
        "{} may be newer than {} ({}, {}), so values added to enum `{}` reach receivers that do not know them, and prost's accessor reads an unknown number as the zero value `{}`, a real answer; in a new enum make the zero value mean unknown (`{}_UNSPECIFIED = 0;`), or have receivers read the raw `i32` (`{}::try_from(value)`) and say so with `@unknown-handled` in the enum's comment",
        window.sender, window.receiver, window.origin, window.text, item.ident, zero.ident,
        screaming(&item.ident.to_string()), item.ident
    ));
}

fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}
