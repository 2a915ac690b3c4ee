//! Denied releases (`[[deny]]`): no step of a plan lands on one. A target the policy denies
//! for a component the fleet runs has no plan; a wave to a denied release is never taken
//! (another release is, or the answer names the deny); a repair never moves a group onto
//! one.

use compat_runtime::policy::{ComponentId, Deny, Origin};
use compat_runtime::{Policy, Version};

use super::cohort::{Cohort, name};
use super::order::{Way, root_manager};
use super::request::PlanError;

/// A release a wave could not go to because the policy denies it for a component the wave
/// moves.
#[derive(Debug, Clone)]
pub(super) struct Denied {
    pub(super) release: Version,
    /// The deny in words, with its reason: `zed 0.199.0 through 0.199.1 are refused: ...`.
    pub(super) words: String,
    pub(super) origin: Origin,
}

impl Denied {
    fn new(release: &Version, deny: &Deny) -> Self {
        Denied {
            release: release.clone(),
            words: format!("{}: {}", deny.describe(), deny.reason),
            origin: deny.origin.clone(),
        }
    }
}

/// The denies met, in words, for a "no plan" reason: `0.199.0 and 0.199.1 are denied (zed
/// 0.199.0 through 0.199.1 are refused: ..., compat.toml:12:1)`; nothing when none was.
pub(super) fn denied_words(denied: &[Denied]) -> Option<String> {
    if denied.is_empty() {
        return None;
    }
    let mut releases: Vec<&Version> = denied.iter().map(|d| &d.release).collect();
    releases.sort();
    releases.dedup();
    let listed: Vec<String> = releases.iter().map(ToString::to_string).collect();
    let verb = if listed.len() == 1 { "is" } else { "are" };
    let mut denies: Vec<String> = Vec::new();
    for d in denied {
        let one = format!("{}, {}", d.words, d.origin);
        if !denies.contains(&one) {
            denies.push(one);
        }
    }
    Some(format!(
        "{} {verb} denied ({})",
        crate::english::list_and(&listed),
        denies.join("; ")
    ))
}

/// The first group a wave to `r` would move (on the wrong side of `r`, or redeployed by a
/// manager that moves) whose component the policy denies at `r`.
pub(super) fn wave_denied(
    policy: &Policy,
    cohorts: &[Cohort],
    way: Way,
    r: &Version,
) -> Option<Denied> {
    let scheme = policy.scheme();
    cohorts
        .iter()
        .filter(|c| c.size() > 0)
        .filter(|c| {
            way.wrong_side(scheme, &c.version, r)
                || (c.version != *r && root_manager(policy, c.component, r).is_some())
        })
        .find_map(|c| policy.denial(c.component, r).map(|d| Denied::new(r, d)))
}

/// Whether `component` may move to `r`: the policy denies `r` neither to it nor to any
/// group of the fleet that it redeploys there.
pub(super) fn may_land(
    policy: &Policy,
    cohorts: &[Cohort],
    component: ComponentId,
    r: &Version,
) -> bool {
    !policy.is_denied(component, r)
        && !cohorts.iter().any(|k| {
            k.size() > 0
                && root_manager(policy, k.component, r).is_some_and(|(m, _)| m == component)
                && policy.is_denied(k.component, r)
        })
}

/// No plan when the target is a release the policy denies for a component the fleet runs:
/// the deny, and the nearest releases outside it.
pub(super) fn target_denied(
    policy: &Policy,
    cohorts: &[Cohort],
    target: &Version,
) -> Result<(), PlanError> {
    let Some((c, deny)) = cohorts
        .iter()
        .filter(|c| c.size() > 0)
        .find_map(|c| Some((c.component, policy.denial(c.component, target)?)))
    else {
        return Ok(());
    };
    let allowed = policy.accepted_by(c, &[]);
    Err(PlanError::NoPlan {
        reason: format!(
            "the target {target} is a denied release of {n}: {}: {} ({}); choose a target the policy does not deny ({n} may run {allowed})",
            deny.describe(),
            deny.reason,
            deny.origin,
            n = name(policy, c),
        ),
        origin: Some(deny.origin.clone()),
    })
}
