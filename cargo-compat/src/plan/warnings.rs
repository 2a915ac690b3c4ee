//! The warnings a plan carries, one function each: where zero downtime is impossible, and
//! where a downgrade crosses a release at which the rules change.

use compat_runtime::policy::{ComponentId, Rule};
use compat_runtime::{Policy, Refusal, Version};

use super::blocked::{Blocked, brief};
use super::cohort::name;
use crate::english::list_and;

/// The warning for the instances that stop while `mover` moves to `r`: the whole refusal
/// for one, and for several their names, then each rule once.
pub(super) fn stop_warning(
    mover: &str,
    r: &Version,
    stopping: &[(String, Refusal)],
) -> Option<String> {
    let lead =
        |whom: &str| format!("zero downtime is impossible: {whom} stop while {mover} moves to {r}");
    match stopping {
        [] => None,
        [(whom, refusal)] => Some(format!("{}, because {}", lead(whom), brief(refusal))),
        _ => {
            let whom: Vec<String> = stopping.iter().map(|(w, _)| w.clone()).collect();
            let mut rules: Vec<String> = Vec::new();
            for (_, refusal) in stopping {
                let reason = refusal.reason();
                let place = reason
                    .origin
                    .as_ref()
                    .map_or(String::new(), |o| format!(" ({o})"));
                let rule = format!("{}{place}", reason.text);
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
            Some(format!(
                "{}, because none of them may talk to {mover} {r}: {}",
                lead(&list_and(&whom)),
                rules.join("; ")
            ))
        }
    }
}

/// The warning for a fleet that already breaks the policy (`broken`, each refused pair in
/// words), which the plan's first `steps` steps repair.
pub(super) fn broken_fleet(broken: &[String], steps: usize) -> String {
    let which = match steps {
        1 => "step 1 repairs it".to_string(),
        n => format!("steps 1 to {n} repair it"),
    };
    format!(
        "the fleet breaks the policy: {}; {which} first, moving instances toward the target (those in a refused pair first) and refusing no pair that talks",
        broken.join("; ")
    )
}

/// The warning for a component that the fleet runs once although its instances cover for
/// each other (`rule`): while it restarts, its peers cannot reach it.
pub(super) fn single_instance(policy: &Policy, c: ComponentId, rule: &Rule) -> String {
    format!(
        "zero downtime is impossible: the fleet runs a single {n} instance, and {n} instances cover for each other ({}, {}); while it restarts, its peers cannot reach a {n}; run at least two",
        rule.describe(),
        rule.origin,
        n = name(policy, c)
    )
}

/// The warning for a component whose instances could not roll to `r` (`blocked` says why)
/// and so stop and move together.
pub(super) fn cannot_roll(
    policy: &Policy,
    c: ComponentId,
    r: &Version,
    blocked: &Blocked,
) -> String {
    format!(
        "zero downtime is impossible: {} instances cannot roll from one version to {r} ({}); they stop and move together",
        name(policy, c),
        blocked.reason
    )
}

/// Warnings for a downgrade from `from` to `to` that crosses a release where the rules
/// change: one per release crossed, naming each rule that changes there.
pub(super) fn crossed_rule_changes(policy: &Policy, from: &Version, to: &Version) -> Vec<String> {
    let scheme = policy.scheme();
    let mut at: Vec<(Version, Vec<String>)> = Vec::new();
    for rule in policy.rules() {
        for (bound, key) in [(&rule.from, "from"), (&rule.until, "until")] {
            let Some(b) = bound else { continue };
            if scheme.compare(to, &b.value).is_lt() && scheme.compare(&b.value, from).is_le() {
                let state = if key == "from" {
                    "stops applying below it"
                } else {
                    "applies again below it"
                };
                let change = format!("\"{}\" ({}) {state}", rule.describe(), rule.origin);
                match at.iter_mut().find(|(v, _)| *v == b.value) {
                    Some((_, changes)) => changes.push(change),
                    None => at.push((b.value.clone(), vec![change])),
                }
            }
        }
    }
    at.sort_by(|a, b| scheme.compare(&b.0, &a.0));
    at.into_iter()
        .map(|(v, changes)| {
            format!(
                "this downgrade crosses {v}, where the policy changes: {}; check that the fleet may run the older rules",
                changes.join("; ")
            )
        })
        .collect()
}
