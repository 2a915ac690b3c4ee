//! The checks a policy passes before it is used. Each rule is one function, named after what
//! it requires and with a doc comment stating it, in a file by what it is about: the
//! components, the rules, the versions, the upgrade settings, the denied releases. Each
//! diagnostic points at the text that breaks the rule.

mod components;
mod denies;
mod protocol;
mod rules;
mod upgrades;
mod versions;

use super::diagnostic::Diagnostic;
use super::pairs::{self, PairEntry};
use super::{Located, PolicyParts};
use crate::version::{Scheme, Version};

/// Checks `parts` against every rule, in a fixed order, and builds the pair table (none when
/// the policy is too large for one). The diagnostics come errors first, then by place; two
/// at one place keep the order the rules ran in.
pub(super) fn lint(parts: &PolicyParts) -> (Vec<Vec<PairEntry>>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    components::policy_declares_components(parts, &mut out);
    if !components::policy_is_within_the_limits(parts, &mut out) {
        return (Vec::new(), out);
    }
    for i in 0..parts.components.len() {
        components::component_name_is_valid(&parts.components[i], &mut out);
        components::component_is_declared_once(parts, i, &mut out);
    }
    // The components a misspelt name in a rule was probably meant for: they are not then
    // reported as unrelated as well.
    let mut meant = Vec::new();
    for rule in &parts.rules {
        rules::rule_names_declared_components(parts, rule, &mut meant, &mut out);
        rules::rule_range_is_not_empty(&parts.scheme, rule, &mut out);
        rules::rule_of_a_component_with_itself_is_symmetric(rule, &mut out);
        rules::managed_rule_names_two_components(rule, &mut out);
    }
    for i in 0..parts.rules.len() {
        rules::managed_component_has_one_manager(parts, i, &mut out);
    }
    let pairs = pairs::table(parts);
    rules::pair_has_one_rule_at_a_time(parts, &pairs, &mut out);
    for i in 0..parts.components.len() {
        components::component_appears_in_a_rule(parts, &pairs, i, &meant, &mut out);
    }
    versions::policy_versions_use_ranked_tags(parts, &mut out);
    for i in 0..parts.scheme.prerelease_order.len() {
        versions::prerelease_tag_is_listed_once(parts, i, &mut out);
        versions::prerelease_tag_is_letters_only(parts, i, &mut out);
    }
    versions::releases_meet_only_ranked_tags(parts, &mut out);
    versions::support_window_has_an_effect(parts, &mut out);
    for upgrade in &parts.upgrades {
        upgrades::lint_table(parts, upgrade, &pairs, &mut out);
    }
    for i in 0..parts.upgrades.len() {
        upgrades::upgrade_tables_do_not_overlap(parts, i, &mut out);
    }
    for (i, deny) in parts.denies.iter().enumerate() {
        denies::deny_names_a_declared_component(parts, deny, &mut out);
        denies::deny_range_is_not_empty(&parts.scheme, deny, &mut out);
        denies::deny_reaches_above_the_floor(parts, deny, &mut out);
        denies::deny_of_every_component_is_not_a_floor(parts, deny, &mut out);
        denies::denies_do_not_overlap(parts, i, &mut out);
    }
    lint_protocol(parts, &mut out);
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.origin.cmp(&b.origin))
    });
    (pairs, out)
}

/// The rules of `[protocol]` and `[[feature]]`.
fn lint_protocol(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    if let Some(p) = &parts.protocol {
        for i in 0..p.releases.len() {
            protocol::protocol_releases_increase(p, i, out);
        }
        protocol::protocol_version_is_carried(p, out);
        protocol::assumed_is_below_the_releases(p, out);
    }
    if !protocol::features_are_within_the_limit(parts, out) {
        return;
    }
    for (i, f) in parts.features.iter().enumerate() {
        protocol::feature_name_is_valid(f, out);
        protocol::feature_is_declared_once(parts, i, out);
        protocol::feature_since_is_before_until(parts, f, out);
        protocol::feature_is_not_newer_than_this_crate(parts, f, out);
    }
}

/// `: did you mean `server`?`, or nothing.
fn did_you_mean(guess: Option<&str>) -> String {
    guess.map_or_else(String::new, |g| format!(": did you mean `{g}`?"))
}

/// The declared components, for a message: `` `server`, `agent` ``.
fn known_names(parts: &PolicyParts) -> String {
    parts
        .components
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The releases from `from` until (not including) `until`; a missing end is open.
type Period<'a> = (&'a Option<Located<Version>>, &'a Option<Located<Version>>);

/// Whether two periods share a release.
fn periods_overlap(
    scheme: &Scheme,
    (a_from, a_until): Period<'_>,
    (b_from, b_until): Period<'_>,
) -> bool {
    // [a_from, a_until) and [b_from, b_until) overlap unless one ends before the other starts.
    let ends_before =
        |until: &Option<Located<Version>>, from: &Option<Located<Version>>| match (until, from) {
            (Some(u), Some(f)) => scheme.compare(&u.value, &f.value).is_le(),
            _ => false,
        };
    !(ends_before(a_until, b_from) || ends_before(b_until, a_from))
}
