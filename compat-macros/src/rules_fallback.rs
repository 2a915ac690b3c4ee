//! The rules of fallbacks, one function each: `#[compat(fallback = "StatFs", via = "...",
//! warn = "...")]` on a variant names the older sibling a sender sends instead to a peer that
//! predates the variant (mirrord sends `StatFs` where the agent is older than `StatFsV2`).
//! The first group needs only the item; [`fallbacks_reach_every_receiver`] needs the windows.
//! The guard applies the fallback (`expand_guard.rs`); a `via` of the wrong type is the
//! compiler's type error, at the `via` string, where the guard coerces it to the signature
//! [`Conversion`] names.

use crate::ast::{Data, Input, Style, Variant};
use crate::ctxt::Ctxt;
use crate::rules::Newer;
use crate::suggest;
use semver::Version;

/// How a variant's payload becomes its fallback's: what `via` must be.
pub(crate) enum Conversion {
    /// The fallback carries nothing: no `via`.
    Unit,
    /// Both are newtype variants, `V2(A)` and `V1(B)`: `via` is `fn(&A) -> B`.
    Payload,
    /// Any other pair (struct variants, tuples of several fields, a unit variant falling back
    /// to one with data): `via` is `fn(&Enum) -> Enum`, called only with this variant; it
    /// must return the fallback, and the guard checks what it returns like any value.
    Whole,
}

impl Conversion {
    pub(crate) fn of(from: &Variant<'_>, to: &Variant<'_>) -> Self {
        let newtype = |v: &Variant<'_>| matches!(v.style, Style::Tuple) && v.fields.len() == 1;
        if matches!(to.style, Style::Unit) {
            Conversion::Unit
        } else if newtype(from) && newtype(to) {
            Conversion::Payload
        } else {
            Conversion::Whole
        }
    }
}

/// The rules that need only the item; returns, per variant, the index of the sibling its
/// fallback names when the rules hold (the windows' rule follows those links only).
pub(crate) fn check(cx: &Ctxt, input: &Input<'_>) -> Vec<Option<usize>> {
    let Data::Enum(variants) = &input.data else {
        return Vec::new();
    };
    let links = fallbacks_name_a_sibling(cx, input, variants);
    let links = fallbacks_are_older(cx, input, variants, links);
    via_fits_the_two_variants(cx, input, variants, &links);
    links
}

/// A fallback names another variant of the same enum, one that travels and is not the
/// catch-all (which receives, and is never what a sender means to send); a catch-all has no
/// fallback, since it is never sent.
fn fallbacks_name_a_sibling(
    cx: &Ctxt,
    input: &Input<'_>,
    variants: &[Variant<'_>],
) -> Vec<Option<usize>> {
    let names: Vec<String> = variants
        .iter()
        .map(|v| v.ident.to_string().trim_start_matches("r#").to_owned())
        .collect();
    variants
        .iter()
        .map(|variant| {
            let fallback = variant.attrs.fallback.as_ref()?;
            let to = fallback.to.value();
            if input.catch_all(variant).is_some() {
                cx.error_spanned_by(
                    &fallback.to,
                    format!(
                        "`{}` is the catch-all of `{}`: it receives variants this release does not know and is \
                         never sent, so it needs no fallback; remove `fallback`",
                        variant.ident, input.ident
                    ),
                );
                return None;
            }
            let Some(index) = names.iter().position(|name| *name == to) else {
                let hint = suggest::closest(&to, names.iter().map(String::as_str))
                    .map(|near| format!(" (did you mean `{near}`?)"))
                    .unwrap_or_default();
                cx.error_spanned_by(
                    &fallback.to,
                    format!(
                        "`{to}` is not a variant of `{}`{hint}: a fallback names the older variant of the \
                         same enum that a sender sends instead of `{}` to a peer that predates it",
                        input.ident, variant.ident
                    ),
                );
                return None;
            };
            let target = &variants[index];
            if std::ptr::eq(target, variant) {
                cx.error_spanned_by(
                    &fallback.to,
                    format!(
                        "`{}` falls back to itself: a peer that predates it cannot read it either; name an \
                         older variant of `{}`",
                        variant.ident, input.ident
                    ),
                );
                return None;
            }
            if input.catch_all(target).is_some() {
                cx.error_spanned_by(
                    &fallback.to,
                    format!(
                        "`{to}` is the catch-all of `{}`, which stands for variants a receiver does not know; \
                         a fallback must be a variant a sender means: name an older one",
                        input.ident
                    ),
                );
                return None;
            }
            Some(index)
        })
        .collect()
}

/// A fallback is older than the variant it replaces: it serves the peers that predate the
/// variant, and a peer that predates both can read neither. Following older links only,
/// every chain (V3 to V2 to V1) ends.
fn fallbacks_are_older(
    cx: &Ctxt,
    input: &Input<'_>,
    variants: &[Variant<'_>],
    links: Vec<Option<usize>>,
) -> Vec<Option<usize>> {
    let message = input.since();
    links
        .into_iter()
        .zip(variants)
        .map(|(link, variant)| {
            let target = &variants[link?];
            let (Some(since), Some(to_since)) = (variant.arrival(message), target.arrival(message))
            else {
                return None;
            };
            if to_since < since {
                return link;
            }
            let fallback = variant.attrs.fallback.as_ref()?;
            cx.error_spanned_by(
                &fallback.to,
                format!(
                    "the fallback `{}` arrived in {to_since}, not before `{}` ({since}): a peer that predates \
                     `{}` predates `{}` too and can read neither; fall back to a variant that arrived \
                     before {since}",
                    target.ident, variant.ident, variant.ident, target.ident
                ),
            );
            None
        })
        .collect()
}

/// `via` is what the two variants' shapes call for ([`Conversion`]): none for a fallback
/// that carries nothing, and one for any other (there is nothing to make its data from).
fn via_fits_the_two_variants(
    cx: &Ctxt,
    input: &Input<'_>,
    variants: &[Variant<'_>],
    links: &[Option<usize>],
) {
    for (variant, link) in variants.iter().zip(links) {
        let (Some(fallback), Some(index)) = (&variant.attrs.fallback, link) else {
            continue;
        };
        let target = &variants[*index];
        match (Conversion::of(variant, target), &fallback.via) {
            (Conversion::Unit, Some((key, _))) => cx.error_spanned_by(
                key,
                format!(
                    "the fallback `{}` carries nothing, so there is nothing to convert: remove `via`",
                    target.ident
                ),
            ),
            (Conversion::Payload, None) => cx.error_spanned_by(
                &fallback.to,
                format!(
                    "the fallback `{}` carries data: name the function that makes it from `{}`'s with \
                     via = \"...\", a `fn(&{}) -> {}`",
                    target.ident,
                    variant.ident,
                    payload(variant),
                    payload(target),
                ),
            ),
            (Conversion::Whole, None) => cx.error_spanned_by(
                &fallback.to,
                format!(
                    "the fallback `{}` carries data: name the function that makes it from `{}` with \
                     via = \"...\", a `fn(&{name}) -> {name}` that returns `{name}::{}`",
                    target.ident,
                    variant.ident,
                    target.ident,
                    name = input.ident,
                ),
            ),
            _ => {}
        }
    }
}

/// The type a newtype variant carries, as written.
fn payload(variant: &Variant<'_>) -> String {
    variant
        .fields
        .first()
        .map(|field| crate::type_text::type_text(field.ty))
        .unwrap_or_default()
}

/// An old peer inside the window must get something it can read: on every route the enum is
/// sent on, the last variant of each fallback chain is one that the oldest receiver a sender
/// at this release still reaches knows, or one tied to a named feature
/// (`#[compat(feature = "statfs")]`), which the peers without it are refused by name (as
/// mirrord's `StatFsV2` falls back to `StatFs` from 1.16.0, and an older agent is refused
/// `statfs` altogether). Reported once per chain end, at the `fallback` string of the last
/// link (where the fix goes), naming the route, the rule and its place in `compat.toml`,
/// both versions and the fix.
pub(crate) fn fallbacks_reach_every_receiver(
    cx: &Ctxt,
    input: &Input<'_>,
    links: &[Option<usize>],
    newer: &[Newer<'_>],
) {
    let (Data::Enum(variants), Some(message)) = (&input.data, input.since()) else {
        return;
    };
    let mut reported: Vec<usize> = Vec::new();
    for (start, variant) in variants.iter().enumerate() {
        let Some(first) = links.get(start).copied().flatten() else {
            continue;
        };
        // Older links only (`fallbacks_are_older`), so the chain ends; the bound is for safety.
        let mut chain = vec![start, first];
        while let Some(next) = links
            .get(*chain.last().unwrap_or(&start))
            .copied()
            .flatten()
        {
            if chain.len() > variants.len() {
                break;
            }
            chain.push(next);
        }
        let (end, last_link) = (chain[chain.len() - 1], chain[chain.len() - 2]);
        if variants[end].attrs.feature.is_some() {
            continue;
        }
        let (Some(since), Some(end_since)) = (
            variant.arrival(Some(message)),
            variants[end].arrival(Some(message)),
        ) else {
            continue;
        };
        let Some(route) = newer
            .iter()
            .find(|route| route.predates(since, message) && route.predates(end_since, message))
        else {
            continue;
        };
        if reported.contains(&last_link) {
            continue;
        }
        reported.push(last_link);
        report_short_chain(cx, input, variants, &chain, end_since, route);
    }
}

fn report_short_chain(
    cx: &Ctxt,
    input: &Input<'_>,
    variants: &[Variant<'_>],
    chain: &[usize],
    end_since: &Version,
    route: &Newer<'_>,
) {
    let last_link = &variants[chain[chain.len() - 2]];
    let end = &variants[chain[chain.len() - 1]];
    let Some(fallback) = &last_link.attrs.fallback else {
        return;
    };
    // `StatFsV3` to `StatFsV2` to `StatFs`, when the chain is longer than one link.
    let path = if chain.len() > 2 {
        let names: Vec<String> = chain
            .iter()
            .map(|&i| format!("`{}`", variants[i].ident))
            .collect();
        format!(" (the chain {})", names.join(" to "))
    } else {
        String::new()
    };
    let (neither, oldest) = (
        if chain.len() > 2 {
            "none of them"
        } else {
            "neither"
        },
        route
            .oldest_receiver
            .map_or_else(|| "the oldest".to_owned(), ToString::to_string),
    );
    let receiver = &route.window.receiver;
    cx.error_spanned_by(
        &fallback.to,
        format!(
            "`{}` falls back to `{}`{path}, which arrived in {end_since}, but {}: {receiver} releases \
             before {end_since} can read {neither}; fall back to a variant that {receiver} {oldest} \
             knows, give `{}` a fallback of its own, tie it to the feature that brings it \
             (#[compat(feature = \"...\")]: older peers are then refused by name), or raise the \
             floor in {} to {end_since} ([support] minimum = \"{end_since}\")",
            last_link.ident,
            end.ident,
            route.reach(input.ident),
            end.ident,
            route.window.origin.split(':').next().unwrap_or("compat.toml"),
        ),
    );
}
