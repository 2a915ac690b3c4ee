//! Choosing the waves. From the instances farthest on the wrong side of the target (above
//! it first, so they move down; else below it), each wave goes to the farthest release that
//! one step may reach (`max-jump`), that the policy denies to none of the components it
//! moves, and whose wave the policy allows, preferring waves that stop nothing beyond what a
//! lockstep rule forces; the waves in order are the route.

use std::cmp::Ordering;

use compat_runtime::policy::Upgrade;
use compat_runtime::{Policy, Version};

use super::blocked::Blocked;
use super::cohort::{Cohort, name};
use super::denied::wave_denied;
use super::missing::{Gap, Unreached};
use super::op::Op;
use super::order::Way;
use super::request::PlanError;
use super::steps::{Direction, Release};
use super::warnings::crossed_rule_changes;
use super::wave::{Wave, WaveTo};
use crate::releases::Releases;

/// What plans the waves: the policy, the target, and the releases to move through.
pub(super) struct Planner<'a> {
    pub(super) policy: &'a Policy,
    pub(super) target: &'a Version,
    pub(super) releases: &'a Releases,
    /// The same releases, each with what names it, for messages.
    pub(super) known: &'a [Release],
    /// The fleet is assumed (one instance each), so its counts warn of nothing.
    pub(super) assumed: bool,
}

/// The waves from the fleet to the target, in order, with their operations and warnings.
#[derive(Debug, Default)]
pub(super) struct Route {
    pub(super) waves: Vec<Version>,
    pub(super) ops: Vec<Op>,
    pub(super) warnings: Vec<String>,
    went_down: bool,
    went_up: bool,
}

impl Route {
    pub(super) fn direction(&self) -> Direction {
        match (self.went_down, self.went_up) {
            (true, true) => Direction::Both,
            (true, false) => Direction::Down,
            (false, true) => Direction::Up,
            (false, false) => Direction::None,
        }
    }

    /// Notes a move made outside the waves (a repair) in the route's direction.
    pub(super) fn went(&mut self, way: Way) {
        match way {
            Way::Up => self.went_up = true,
            Way::Down => self.went_down = true,
        }
    }

    /// Adds a wave to `r` from `edge`; a downgrade warns of the rule changes it crosses.
    fn push(&mut self, policy: &Policy, way: Way, edge: &Version, r: Version, wave: Wave) {
        match way {
            Way::Up => self.went_up = true,
            Way::Down => {
                self.went_down = true;
                self.warnings.extend(crossed_rule_changes(policy, edge, &r));
            }
        }
        for x in wave.warnings {
            if !self.warnings.contains(&x) {
                self.warnings.push(x);
            }
        }
        self.waves.push(r);
        self.ops.extend(wave.ops);
    }
}

impl Planner<'_> {
    fn cmp(&self, a: &Version, b: &Version) -> Ordering {
        self.policy.scheme().compare(a, b)
    }

    /// The route from `initial` to the target, or why there is none.
    pub(super) fn route(&self, initial: &[Cohort]) -> Result<Route, PlanError> {
        let mut route = Route::default();
        let mut cohorts = initial.to_vec();
        // Each wave moves the lowest (or highest) instances strictly closer, so this ends; the
        // bound only guards against a bug.
        for _ in 0..=2 * self.releases.versions.len() + 2 {
            let Some((way, edge)) = self.edge(&cohorts) else {
                break;
            };
            let (r, wave) = self.next_wave(&cohorts, way, &edge).map_err(|met| {
                Gap {
                    policy: self.policy,
                    releases: self.releases,
                    known: self.known,
                    target: self.target,
                    way,
                    edge: &edge,
                }
                .no_plan(*met)
            })?;
            if wave
                .fleet
                .iter()
                .zip(&cohorts)
                .all(|(a, b)| a.version == b.version)
            {
                return Err(PlanError::NoPlan {
                    reason: format!(
                        "no step moves the fleet towards {}: nothing the policy lets move is on the wrong side of {r}",
                        self.target
                    ),
                    origin: None,
                });
            }
            cohorts = wave.fleet.clone();
            route.push(self.policy, way, &edge, r, wave);
        }
        Ok(route)
    }

    /// The instances farthest on the wrong side of the target: the highest above it (they
    /// move down first), else the lowest below it; `None` when all run the target.
    fn edge(&self, cohorts: &[Cohort]) -> Option<(Way, Version)> {
        let target = self.target;
        let above = cohorts
            .iter()
            .filter(|c| self.cmp(&c.version, target).is_gt())
            .map(|c| c.version.clone())
            .max_by(|a, b| self.cmp(a, b));
        let below = cohorts
            .iter()
            .filter(|c| self.cmp(&c.version, target).is_lt())
            .map(|c| c.version.clone())
            .min_by(|a, b| self.cmp(a, b));
        match (above, below) {
            (Some(v), _) => Some((Way::Down, v)),
            (None, Some(v)) => Some((Way::Up, v)),
            (None, None) => None,
        }
    }

    /// The releases a wave from `edge` may go to, farthest first.
    pub(super) fn candidates(&self, way: Way, edge: &Version) -> Vec<&Version> {
        let target = self.target;
        let mut candidates: Vec<&Version> = self
            .releases
            .versions
            .iter()
            .filter(|r| match way {
                Way::Up => self.cmp(r, edge).is_gt() && self.cmp(r, target).is_le(),
                Way::Down => self.cmp(r, edge).is_lt() && self.cmp(r, target).is_ge(),
            })
            .collect();
        if way == Way::Up {
            candidates.reverse();
        }
        candidates
    }

    /// The farthest wave the policy allows: first among waves that stop nothing beyond what
    /// a lockstep rule forces, then among those that stop instances.
    fn next_wave(
        &self,
        cohorts: &[Cohort],
        way: Way,
        edge: &Version,
    ) -> Result<(Version, Wave), Box<Unreached>> {
        let candidates = self.candidates(way, edge);
        let mut met = Box::<Unreached>::default();
        for allow_stops in [false, true] {
            // The reason the farthest release was not taken, for the steps of a nearer one.
            let mut farther: Option<Blocked> = None;
            for r in &candidates {
                if let Some(denied) = wave_denied(self.policy, cohorts, way, r) {
                    if !allow_stops {
                        met.denied.push(denied);
                    }
                    continue;
                }
                if let Some(b) = self.jump_blocked(cohorts, way, r) {
                    if !allow_stops {
                        met.jump_blocks.push(((*r).clone(), b.clone()));
                    }
                    met.jump_block.get_or_insert(b);
                    continue;
                }
                match self.wave(cohorts, way, r, allow_stops, farther.as_ref()) {
                    Ok(done) => return Ok(((*r).clone(), done)),
                    Err(b) => {
                        if allow_stops {
                            met.first_block.get_or_insert(b.clone());
                        }
                        farther.get_or_insert(b);
                    }
                }
            }
        }
        Err(met)
    }

    /// Whether one step may take every instance on the wrong side of `r` to `r`; when not,
    /// the instance that cannot and the limit.
    fn jump_blocked(&self, cohorts: &[Cohort], way: Way, r: &Version) -> Option<Blocked> {
        let scheme = self.policy.scheme();
        cohorts
            .iter()
            .filter(|c| way.wrong_side(scheme, &c.version, r))
            .find_map(|c| self.jump_blocked_for(c, way, r))
    }

    /// Whether one step may take group `c` to `r`; when not, the limit.
    pub(super) fn jump_blocked_for(&self, c: &Cohort, way: Way, r: &Version) -> Option<Blocked> {
        let scheme = self.policy.scheme();
        let (table, older, newer) = match way {
            Way::Up => (self.policy.upgrade_at(r), &c.version, r),
            Way::Down => (self.policy.upgrade_at(&c.version), r, &c.version),
        };
        let jump = table.and_then(|t| t.max_jump.as_ref())?;
        (!jump.value.admits(scheme, older, newer)).then(|| Blocked {
            reason: format!(
                "{} {} cannot move to {r} in one step: one step may move at most {} (`max-jump = \"{}\"`, {})",
                name(self.policy, c.component),
                c.version,
                jump.value.describe(),
                jump.value,
                jump.origin
            ),
            origin: Some(jump.origin.clone()),
        })
    }

    /// The wave to `r`: everything on the wrong side of `r` moves to `r`, under the settings
    /// of `r` going up, or of the highest release left going down.
    fn wave(
        &self,
        start: &[Cohort],
        way: Way,
        r: &Version,
        allow_stops: bool,
        farther: Option<&Blocked>,
    ) -> Result<Wave, Blocked> {
        let policy = self.policy;
        let leaving = start
            .iter()
            .filter(|c| way.wrong_side(policy.scheme(), &c.version, r))
            .map(|c| c.version.clone())
            .max_by(|a, b| self.cmp(a, b));
        let table = match way {
            Way::Up => policy.upgrade_at(r),
            Way::Down => leaving.as_ref().and_then(|v| policy.upgrade_at(v)),
        };
        WaveTo {
            policy,
            way,
            r,
            table,
            allow_stops,
            counted: !self.assumed,
            step_note: self.step_note(r, table, farther),
        }
        .take(start)
    }

    /// Why a wave to `r` stops short of the target: the farther releases were refused
    /// (`farther`), or one step moves no further (`max-jump`). Nothing for the target.
    fn step_note(&self, r: &Version, table: Option<&Upgrade>, farther: Option<&Blocked>) -> String {
        if r == self.target {
            return String::new();
        }
        let jump = table.and_then(|t| t.max_jump.as_ref());
        match (farther, jump) {
            // Why the farther releases were not taken, when a rule (not the jump) says so.
            (Some(b), _) => format!(
                "; {r} is a step on the way to {}, since {}",
                self.target, b.reason
            ),
            (None, Some(j)) => format!(
                "; {r} is a step on the way to {}: one step moves at most {} (`max-jump`, {})",
                self.target,
                j.value.describe(),
                j.origin
            ),
            (None, None) => format!("; {r} is a step on the way to {}", self.target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_s_direction_is_where_its_waves_went() {
        let route = |went_down, went_up| Route {
            went_down,
            went_up,
            ..Route::default()
        };
        assert_eq!(route(false, false).direction(), Direction::None);
        assert_eq!(route(false, true).direction(), Direction::Up);
        assert_eq!(route(true, false).direction(), Direction::Down);
        assert_eq!(route(true, true).direction(), Direction::Both);
    }
}
