//! `## Denied releases`: the releases the policy refuses whatever its rules allow (`[[deny]]`),
//! why, and where an instance at one of them moves to.

use std::fmt::Write as _;

use compat_runtime::check::Range;
use compat_runtime::policy::{ComponentId, Deny, Side};
use compat_runtime::skew::Limit;

use super::context::Guide;
use super::window::denied_releases;
use crate::english::sentence;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    let denies = g.policy.denies();
    if denies.is_empty() {
        return;
    }
    out.push_str("\n## Denied releases\n\n");
    out.push_str(
        "These releases are refused by every peer, whatever the rules above allow, and no \
         upgrade or downgrade plan stops at them:\n\n",
    );
    for deny in denies {
        let _ = write!(
            out,
            "- {} ({}): {}.",
            denied_releases(deny),
            deny.origin,
            sentence(deny.reason.trim_end_matches('.'))
        );
        if let Some(ways) = ways_off(g, deny) {
            let _ = write!(out, " {ways}.");
        }
        out.push('\n');
    }
}

/// Where an instance at a denied release moves to: the nearest releases the policy does not
/// deny above it and below it, "Move off them to 0.199.2 or later, or back to 0.198.4 or
/// later, below 0.199.0". For a deny of every component, as a component no other deny
/// names sees them.
fn ways_off(g: &Guide<'_>, deny: &Deny) -> Option<String> {
    let scheme = g.policy.scheme();
    let c = component_of(g, deny)?;
    let allowed: Vec<Range> = g.policy.accepted_by(c, &[]).iter().collect();
    let up = allowed.iter().find(|r| {
        r.lowest
            .as_ref()
            .is_some_and(|lo| scheme.compare(lo, &deny.through.value).is_gt())
    });
    let down = allowed.iter().rev().find(|r| match &r.limit {
        Some(Limit::Below(hi)) => scheme.compare(hi, &deny.from.value).is_le(),
        Some(Limit::AtMost(hi)) => scheme.compare(hi, &deny.from.value).is_lt(),
        None => false,
    });
    let them = if deny.is_one_release() { "it" } else { "them" };
    match (up, down) {
        (Some(up), Some(down)) => Some(format!("Move off {them} to {up}, or back to {down}")),
        (Some(up), None) => Some(format!("Move off {them} to {up}")),
        (None, Some(down)) => Some(format!("Move off {them} back to {down}")),
        (None, None) => None,
    }
}

/// The component whose releases a deny refuses: the one it names, or for `"*"` the first
/// that no other deny names.
fn component_of(g: &Guide<'_>, deny: &Deny) -> Option<ComponentId> {
    match &deny.component.value {
        Side::Named(name) => g.id(name),
        Side::Any => {
            let named = |c: &str| {
                g.policy
                    .denies()
                    .iter()
                    .any(|d| d.component.value == Side::Named(c.to_string()))
            };
            let components = g.policy.components();
            components
                .iter()
                .find(|c| !named(&c.name))
                .or(components.first())
                .and_then(|c| g.id(&c.name))
        }
    }
}
