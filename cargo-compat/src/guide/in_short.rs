//! `## In short`: the rules and settings in force at the newest release, and the denied
//! releases, one line each.

use std::fmt::Write as _;

use super::context::Guide;
use super::window::denied_releases;
use crate::english::sentence;

/// The rules and settings in force at the newest release, one line each.
pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    let Some(r) = g.newest() else { return };
    let policy = g.policy;
    out.push_str("\n## In short\n\n");
    let scheme = policy.scheme();
    for rule in policy.rules() {
        if rule.applies_at(scheme, r) {
            let _ = writeln!(out, "- {}.", sentence(&rule.describe()));
        }
    }
    if let Some(u) = policy.upgrade_at(r) {
        let up: Vec<String> = u.order.iter().map(|c| format!("`{}`", c.value)).collect();
        let down: Vec<String> = u
            .downgrade_order()
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        if !up.is_empty() {
            let _ = writeln!(
                out,
                "- Upgrade {}; downgrade {}.",
                up.join(", then "),
                down.join(", then ")
            );
        }
        if let Some(j) = &u.max_jump {
            let _ = writeln!(out, "- One step moves at most {}.", j.value.describe());
        }
    }
    if let Some(w) = &policy.support().window {
        let _ = writeln!(
            out,
            "- Supported: versions at most {} behind the newest.",
            w.value.describe()
        );
    }
    if let Some(u) = policy.unstable() {
        let _ = writeln!(out, "- No guarantee for versions matching `{}`.", u.value);
    }
    for deny in policy.denies() {
        let _ = writeln!(
            out,
            "- Denied: {}, refused by every peer.",
            denied_releases(deny)
        );
    }
}
