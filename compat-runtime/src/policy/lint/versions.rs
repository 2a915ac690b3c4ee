//! Rules about versions and `[versioning]`: the pre-release tags the policy ranks, the
//! versions it writes, and the support window.

use crate::policy::diagnostic::Diagnostic;
use crate::policy::{Located, PolicyParts};
use crate::skew::Skew;
use crate::version::{Version, WithReleases};

/// Versions written in the policy itself (a rule's `from` and `until`, the support minimum,
/// a deny's releases) use pre-release tags the policy ranks.
pub(super) fn policy_versions_use_ranked_tags(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    let scheme = &parts.scheme;
    let mut versions: Vec<&Located<Version>> = Vec::new();
    for rule in &parts.rules {
        versions.extend(rule.from.iter().chain(rule.until.iter()));
    }
    versions.extend(parts.support.minimum.iter());
    for deny in &parts.denies {
        versions.push(&deny.from);
        if !deny.is_one_release() {
            versions.push(&deny.through);
        }
    }
    for v in versions {
        if !scheme.knows_prerelease(v.value.pre.as_str()) {
            out.push(
                Diagnostic::error(
                    Some(v.origin.clone()),
                    format!(
                        "pre-release tag of `{}` is not in `prerelease.order`",
                        v.value
                    ),
                )
                .help(format!("use one of {:?}", scheme.prerelease_order)),
            );
        }
    }
}

/// Each tag of `prerelease.order` (the `i`th) is listed once: the order ranks it.
pub(super) fn prerelease_tag_is_listed_once(
    parts: &PolicyParts,
    i: usize,
    out: &mut Vec<Diagnostic>,
) {
    let order = &parts.scheme.prerelease_order;
    let tag = &order[i];
    if order[..i].contains(tag) {
        out.push(Diagnostic::error(
            parts.scheme_origin.clone(),
            format!("pre-release tag `{tag}` is listed twice in `prerelease.order`"),
        ));
    }
}

/// A tag of `prerelease.order` (the `i`th) is letters only: it is the leading letters of a
/// pre-release, `rc` in `1.0.0-rc.2`.
pub(super) fn prerelease_tag_is_letters_only(
    parts: &PolicyParts,
    i: usize,
    out: &mut Vec<Diagnostic>,
) {
    let tag = &parts.scheme.prerelease_order[i];
    if tag.is_empty() || !tag.bytes().all(|c| c.is_ascii_alphabetic()) {
        out.push(
            Diagnostic::error(
                parts.scheme_origin.clone(),
                format!("pre-release tag `{tag}` must be letters only"),
            )
            .help("a tag is the leading letters of a pre-release: `rc` in `1.0.0-rc.2`"),
        );
    }
}

/// The tags `prerelease.with-releases` lets meet releases are tags `prerelease.order`
/// ranks, when it ranks any.
pub(super) fn releases_meet_only_ranked_tags(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    let scheme = &parts.scheme;
    if let WithReleases::Tags(tags) = &scheme.with_releases {
        for tag in tags {
            if !scheme.prerelease_order.is_empty() && !scheme.prerelease_order.contains(tag) {
                out.push(
                    Diagnostic::error(parts.scheme_origin.clone(), format!("`prerelease.with-releases` names `{tag}`, which is not in `prerelease.order`"))
                        .help(format!("use one of {:?}", scheme.prerelease_order)),
                );
            }
        }
    }
}

/// `window = "any"` beside a `minimum` has no effect: the minimum alone decides what is
/// supported (a warning).
pub(super) fn support_window_has_an_effect(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    if let (Some(window), Some(_)) = (&parts.support.window, &parts.support.minimum)
        && window.value == Skew::Any
    {
        out.push(Diagnostic::warning(
            Some(window.origin.clone()),
            "`window = \"any\"` has no effect",
        ));
    }
}
