//! Why no wave can be taken, in words the operator can act on: the rule that blocks, or
//! the release missing between the fleet and the target, with an example to pass in
//! `--releases`, and the releases in between that the policy denies.

use compat_runtime::policy::Upgrade;
use compat_runtime::skew::{Limit, Skew};
use compat_runtime::{Policy, Version};

use super::blocked::Blocked;
use super::denied::{Denied, denied_words};
use super::order::Way;
use super::request::PlanError;
use super::steps::{Release, releases_words};
use crate::releases::Releases;

/// What the search for the next wave met instead.
#[derive(Debug, Default)]
pub(super) struct Unreached {
    /// The first refusal of a wave that was allowed to stop instances.
    pub(super) first_block: Option<Blocked>,
    /// The first release too far for one step.
    pub(super) jump_block: Option<Blocked>,
    /// Each release too far for one step, nearest last.
    pub(super) jump_blocks: Vec<(Version, Blocked)>,
    /// Each release passed over because the policy denies it to a component the wave moves.
    pub(super) denied: Vec<Denied>,
}

/// Between the fleet's `edge` (its instances farthest from the target) and the target.
pub(super) struct Gap<'a> {
    pub(super) policy: &'a Policy,
    pub(super) releases: &'a Releases,
    /// The same releases, each with what names it, for messages.
    pub(super) known: &'a [Release],
    pub(super) target: &'a Version,
    pub(super) way: Way,
    pub(super) edge: &'a Version,
}

/// The first release of the line just below `v` (`7.0.0` below `8.0.0`, `0.8.0` below
/// `0.9.0`): a release a missing-release message can offer as an example.
fn line_below(v: &Version) -> Option<Version> {
    match (v.major, v.minor, v.patch) {
        (_, _, p) if p > 0 => None,
        (x, y, 0) if y > 0 => Some(Version::new(x, y - 1, 0)),
        (x, 0, 0) if x > 0 => Some(Version::new(x - 1, 0, 0)),
        _ => None,
    }
}

fn no_plan(reason: String, blocked: Blocked) -> PlanError {
    PlanError::NoPlan {
        reason,
        origin: blocked.origin,
    }
}

impl Gap<'_> {
    /// Why no plan crosses the gap, given what the search met: the reason, and the releases
    /// in between that the policy denies, when it passed over some.
    pub(super) fn no_plan(&self, met: Unreached) -> PlanError {
        let denied = denied_words(&met.denied);
        match (self.reason(met), denied) {
            (PlanError::NoPlan { reason, origin }, Some(denied)) => PlanError::NoPlan {
                reason: format!("{reason}; {denied}"),
                origin,
            },
            (e, _) => e,
        }
    }

    fn reason(&self, met: Unreached) -> PlanError {
        let denied = !met.denied.is_empty();
        if let Some(b) = met.first_block {
            return PlanError::NoPlan {
                reason: b.reason,
                origin: b.origin,
            };
        }
        let b = met.jump_block.unwrap_or(Blocked {
            reason: "no release lies between the fleet and the target".into(),
            origin: None,
        });
        if self.way == Way::Down {
            return self.missing(b, None, denied);
        }
        let limit = self.limit();
        if self.never_crosses() {
            return match self.entry() {
                Some((f, u)) => self.own_settings(b, &f, u),
                None => no_plan(
                    format!(
                        "{}; no release in between helps, since no step may cross into {}'s line: give the move into it upgrade settings of its own ([[upgrade]] with `from`)",
                        b.reason, self.target
                    ),
                    b,
                ),
            };
        }
        // A release inside the limit was given but its own settings refuse the step
        // (Teleport's 5.0.0 from 4.0.1, under the pre-6.0 one-minor jump): say that, not
        // that one is missing.
        if let Some((nearer, nb)) = met
            .jump_blocks
            .iter()
            .rev()
            .find(|(x, _)| x != self.target && self.inside(limit.as_ref(), x))
        {
            return no_plan(
                format!(
                    "{}; and the release nearer, {nearer}, cannot be reached either: {}",
                    b.reason, nb.reason
                ),
                b,
            );
        }
        self.missing(b, limit, denied)
    }

    /// The farthest one step from the edge may reach under the target's `max-jump`.
    fn limit(&self) -> Option<Limit> {
        self.policy
            .upgrade_at(self.target)
            .and_then(|t| t.max_jump.as_ref())
            .and_then(|j| j.value.limit_above(self.policy.scheme(), self.edge))
    }

    fn inside(&self, limit: Option<&Limit>, x: &Version) -> bool {
        let scheme = self.policy.scheme();
        match limit {
            Some(Limit::Below(v)) => scheme.compare(x, v).is_lt(),
            Some(Limit::AtMost(v)) => scheme.compare(x, v).is_le(),
            None => true,
        }
    }

    /// Whether the target's `max-jump` never leaves a minor or a major that the move must
    /// cross, whatever the releases.
    fn never_crosses(&self) -> bool {
        let (edge, target) = (self.edge, self.target);
        let scheme = self.policy.scheme();
        self.policy
            .upgrade_at(target)
            .and_then(|t| t.max_jump.as_ref())
            .is_some_and(|j| match j.value {
                Skew::None => true,
                Skew::Patch(_) => (edge.major, edge.minor) != (target.major, target.minor),
                Skew::Minor(_) => edge.major != target.major,
                Skew::Major(0) => scheme.major_line(edge) != scheme.major_line(target),
                _ => false,
            })
    }

    /// Settings of their own for a release on the way (Phoenix's move into 5.0.0), which may
    /// cross what the target's settings cannot: the release they start at, when the
    /// releases lack it and one step from the edge reaches it.
    fn entry(&self) -> Option<(Version, &Upgrade)> {
        let scheme = self.policy.scheme();
        self.policy.upgrades().iter().find_map(|u| {
            let f = &u.from.as_ref()?.value;
            let reachable = match u.max_jump.as_ref()?.value.limit_above(scheme, self.edge) {
                None => true,
                Some(Limit::Below(v)) => scheme.compare(f, &v).is_lt(),
                Some(Limit::AtMost(v)) => scheme.compare(f, &v).is_le(),
            };
            (reachable
                && scheme.compare(f, self.edge).is_gt()
                && scheme.compare(f, self.target).is_lt()
                && !self.releases.versions.contains(f))
            .then_some((f.clone(), u))
        })
    }

    /// The move into `f` has settings of its own (`u`), but the releases lack `f`.
    fn own_settings(&self, b: Blocked, f: &Version, u: &Upgrade) -> PlanError {
        let within = u
            .until
            .as_ref()
            .map(|t| format!(", below {}", t.value))
            .unwrap_or_default();
        let with = self.releases.clone().with(self.policy, [f.clone()]);
        no_plan(
            format!(
                "{}; the move into {f} has upgrade settings of its own ({}), but of the releases known, {}, none is from {f}{within}: pass one in --releases, e.g. `--releases {}` if {f} is one",
                b.reason,
                u.origin,
                releases_words(self.known),
                with.listed().replace(", ", ",")
            ),
            b,
        )
    }

    /// A release between the edge and the target (within `limit`) is missing; when the
    /// policy `denied` those in between, one it does not deny.
    fn missing(&self, b: Blocked, limit: Option<Limit>, denied: bool) -> PlanError {
        let (edge, target) = (self.edge, self.target);
        let wanted = match &limit {
            Some(Limit::Below(v)) => format!("a release after {edge} and below {v}"),
            Some(Limit::AtMost(v)) => format!("a release after {edge}, at most {v}"),
            None => format!("a release between {edge} and {target}"),
        };
        let example = self.example(limit).unwrap_or_default();
        let (between, wanted) = if denied {
            (
                "none in between may be used",
                format!("{wanted} that no deny refuses"),
            )
        } else {
            ("none lies in between", wanted)
        };
        no_plan(
            format!(
                "{}; of the releases known, {}, {between}: {wanted} is missing (pass one in --releases{example})",
                b.reason,
                releases_words(self.known)
            ),
            b,
        )
    }

    /// `, e.g. `--releases ...` if 7.0.0 is one`: the release at the limit, when the
    /// releases lack it.
    fn example(&self, limit: Option<Limit>) -> Option<String> {
        let scheme = self.policy.scheme();
        let c = match limit? {
            Limit::Below(v) => line_below(&v)?,
            Limit::AtMost(v) => v,
        };
        let denied = (0..self.policy.components().len())
            .filter_map(|i| self.policy.component(&self.policy.components()[i].name))
            .any(|id| self.policy.is_denied(id, &c));
        if !scheme.compare(&c, self.edge).is_gt() || self.releases.versions.contains(&c) || denied {
            return None;
        }
        let with = self.releases.clone().with(self.policy, [c.clone()]);
        Some(format!(
            ", e.g. `--releases {}` if {c} is one",
            with.listed().replace(", ", ",")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_below_a_line_start_is_the_line_before() {
        assert_eq!(
            line_below(&Version::new(8, 0, 0)),
            Some(Version::new(7, 0, 0))
        );
        assert_eq!(
            line_below(&Version::new(0, 9, 0)),
            Some(Version::new(0, 8, 0))
        );
        assert_eq!(
            line_below(&Version::new(4, 3, 0)),
            Some(Version::new(4, 2, 0))
        );
    }

    #[test]
    fn a_patch_release_or_zero_has_no_line_below() {
        assert_eq!(line_below(&Version::new(8, 0, 1)), None);
        assert_eq!(line_below(&Version::new(0, 0, 0)), None);
    }
}
