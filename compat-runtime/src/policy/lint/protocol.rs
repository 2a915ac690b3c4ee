//! Rules about `[protocol]` and the `[[feature]]` tables: the mapping of protocol versions to
//! releases only rises, holds the version this crate speaks, and starts above what an
//! unstated peer is assumed to speak; each feature has a usable name, declared once, a
//! `since` before its `until`, and none newer than this crate.

use crate::policy::diagnostic::Diagnostic;
use crate::policy::{Feature, MAX_FEATURE_NAME, PolicyParts, Protocol};

/// The most features a policy may declare (the hello carries their names).
pub(crate) const MAX_FEATURES: usize = 256;

/// Each entry of `[protocol.releases]` (the `i`th, in file order) rises with the others: a
/// greater protocol version was first carried by a later release. Otherwise a release would
/// speak an older protocol than one before it.
pub(super) fn protocol_releases_increase(p: &Protocol, i: usize, out: &mut Vec<Diagnostic>) {
    let c = &p.releases[i];
    for d in &p.releases[..i] {
        let by_protocol = c.protocol.value.cmp_precedence(&d.protocol.value);
        let by_release = c.release.value.cmp_precedence(&d.release.value);
        if by_protocol.is_eq() {
            out.push(
                Diagnostic::error(
                    Some(c.protocol.origin.clone()),
                    format!(
                        "protocol {} appears twice in [protocol.releases]",
                        c.protocol.value
                    ),
                )
                .help("keep the entry naming the first release that carried it"),
            );
        } else if by_release.is_eq() || by_protocol != by_release {
            out.push(
                Diagnostic::error(
                    Some(c.release.origin.clone()),
                    format!(
                        "[protocol.releases] does not rise: protocol {} is first carried by {}, and protocol {} by {}",
                        d.protocol.value, d.release.value, c.protocol.value, c.release.value
                    ),
                )
                .help("each greater protocol version is first carried by a later release; map each protocol version to the first release that carried it"),
            );
        }
    }
}

/// When `[protocol.releases]` has entries, one of them is the version this crate speaks:
/// otherwise no release carries it, and the guide and refusals cannot say which to run.
pub(super) fn protocol_version_is_carried(p: &Protocol, out: &mut Vec<Diagnostic>) {
    if p.releases.is_empty()
        || p.releases
            .iter()
            .any(|c| c.protocol.value.cmp_precedence(&p.version.value).is_eq())
    {
        return;
    }
    out.push(
        Diagnostic::error(
            Some(p.version.origin.clone()),
            format!(
                "this crate speaks {} {}, which [protocol.releases] does not list",
                p.name.value, p.version.value
            ),
        )
        .help(format!(
            "add `\"{}\" = \"...\"` under [protocol.releases], naming the first release that carries it",
            p.version.value
        )),
    );
}

/// `assumed` (what a peer that states no protocol speaks) is at or below every protocol in
/// `[protocol.releases]`: such a peer predates the first release that stated one.
pub(super) fn assumed_is_below_the_releases(p: &Protocol, out: &mut Vec<Diagnostic>) {
    let Some(assumed) = &p.assumed else {
        return;
    };
    if let Some(lowest) = p
        .releases
        .iter()
        .min_by(|a, b| a.protocol.value.cmp_precedence(&b.protocol.value))
        && assumed.value.cmp_precedence(&lowest.protocol.value).is_gt()
    {
        out.push(
            Diagnostic::error(
                Some(assumed.origin.clone()),
                format!(
                    "`assumed = \"{}\"` is above protocol {}, the lowest of [protocol.releases]",
                    assumed.value, lowest.protocol.value
                ),
            )
            .help("`assumed` is what peers older than every listed release speak: lower it, or list the release that carried it"),
        );
    }
}

/// A policy declares at most [`MAX_FEATURES`] features. Returns whether it is within.
pub(super) fn features_are_within_the_limit(
    parts: &PolicyParts,
    out: &mut Vec<Diagnostic>,
) -> bool {
    if parts.features.len() <= MAX_FEATURES {
        return true;
    }
    out.push(Diagnostic::error(
        Some(parts.features[MAX_FEATURES].origin.clone()),
        format!(
            "{} features; a policy may declare at most {MAX_FEATURES}",
            parts.features.len()
        ),
    ));
    false
}

/// A feature's name is 1 to [`MAX_FEATURE_NAME`] letters, digits, `-`, `_` or `.`: it
/// travels in hellos and in the build's environment.
pub(super) fn feature_name_is_valid(f: &Feature, out: &mut Vec<Diagnostic>) {
    let name = &f.name.value;
    let valid = !name.is_empty()
        && name.len() <= MAX_FEATURE_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        out.push(
            Diagnostic::error(
                Some(f.name.origin.clone()),
                format!("invalid feature name `{name}`"),
            )
            .help(format!(
                "use 1 to {MAX_FEATURE_NAME} letters, digits, `-`, `_` and `.`, e.g. `readlink`"
            )),
        );
    }
}

/// Each feature (the `i`th) is declared once.
pub(super) fn feature_is_declared_once(parts: &PolicyParts, i: usize, out: &mut Vec<Diagnostic>) {
    let f = &parts.features[i];
    if let Some(first) = parts.features[..i]
        .iter()
        .find(|g| g.name.value == f.name.value)
    {
        out.push(
            Diagnostic::error(
                Some(f.name.origin.clone()),
                format!(
                    "feature `{}` is declared twice (first at {})",
                    f.name.value, first.origin
                ),
            )
            .help("keep one [[feature]] table per name"),
        );
    }
}

/// A feature's `since` is before its `until`: otherwise no version has it.
pub(super) fn feature_since_is_before_until(
    parts: &PolicyParts,
    f: &Feature,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(since), Some(until)) = (&f.since, &f.until) else {
        return;
    };
    if parts.scheme.compare(&since.value, &until.value).is_ge() {
        out.push(
            Diagnostic::error(
                Some(until.origin.clone()),
                format!(
                    "feature `{}`: `until = \"{}\"` is not after `since = \"{}\"`, so no version has it",
                    f.name.value, until.value, since.value
                ),
            )
            .help("`since` is the first version that has the feature and `until` the first that no longer does"),
        );
    }
}

/// Under `[protocol]`, a feature's `since` is not newer than the protocol this crate speaks:
/// no peer could have it yet. (Without `[protocol]`, the build script checks `since` against
/// the crate's release.)
pub(super) fn feature_is_not_newer_than_this_crate(
    parts: &PolicyParts,
    f: &Feature,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(p), Some(since)) = (&parts.protocol, &f.since) else {
        return;
    };
    if parts.scheme.compare(&since.value, &p.version.value).is_gt() {
        out.push(
            Diagnostic::error(
                Some(since.origin.clone()),
                format!(
                    "feature `{}` arrives in {} {}, newer than {}, which this crate speaks",
                    f.name.value, p.name.value, since.value, p.version.value
                ),
            )
            .help(format!(
                "raise [protocol] version to {} when the crate ships the feature, or correct `since`",
                since.value
            )),
        );
    }
}
