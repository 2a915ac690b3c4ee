//! Repairing a fleet that already breaks the policy, before any wave: instances move
//! toward the target one group at a time, each move refusing no pair that talks (the rule
//! of [`super::breaks`]), until the fleet satisfies the policy. Groups in a refused pair move
//! first: of their moves, the one that leaves the fewest refused pairs, then the one earlier
//! in the upgrade order, then the farthest. Where none of them may move without refusing a
//! pair that talks, the first other group that may move toward the target goes first (SPIRE
//! agents at 0.7.0 before their server leaves 0.8.0). A managed group is redeployed by its
//! manager at the manager's version, never moved by hand. No group moves onto a release the
//! policy denies it. Where no move is allowed, the reason, and the instance to move first.

use std::collections::BTreeSet;

use compat_runtime::Version;
use compat_runtime::policy::ComponentId;

use super::blocked::{Blocked, brief};
use super::breaks::{Breaks, Key, NewlyRefused};
use super::cluster::cluster_rule;
use super::cohort::{Cohort, name, who};
use super::denied::may_land;
use super::missing::{Gap, Unreached};
use super::op::{Op, Why};
use super::order::{Way, manager_of, order, root_manager};
use super::request::PlanError;
use super::search::{Planner, Route};
use super::warnings::single_instance;

/// A fleet repaired: the fleet after, the operations, which ways they went, and what the
/// fleet broke before them.
#[derive(Debug)]
pub(super) struct Repaired {
    pub(super) fleet: Vec<Cohort>,
    pub(super) ops: Vec<Op>,
    pub(super) ways: Vec<Way>,
    /// The pairs the fleet broke before the first step, in words.
    pub(super) broken: Vec<String>,
    /// Where a single instance moves whose peers need one: downtime.
    pub(super) warnings: Vec<String>,
}

impl Repaired {
    /// Puts the repair before `route`: its operations first, then its warnings, and the
    /// ways it went. Returns how many operations it put there, and what the fleet broke.
    pub(super) fn before(self, route: &mut Route) -> (usize, Vec<String>) {
        self.ways.iter().for_each(|way| route.went(*way));
        let n = self.ops.len();
        route.ops.splice(0..0, self.ops);
        for w in self.warnings.into_iter().rev() {
            if !route.warnings.contains(&w) {
                route.warnings.insert(0, w);
            }
        }
        (n, self.broken)
    }
}

/// One move tried on a copy of the fleet.
#[derive(Clone)]
struct Draft {
    fleet: Vec<Cohort>,
    ops: Vec<Op>,
    breaks: Breaks,
}

/// A move chosen: its group, which way it went, the fleet after it.
struct Chosen {
    cohort: usize,
    way: Way,
    draft: Draft,
}

/// A group that may move to repair the fleet, and where.
struct Candidate {
    cohort: usize,
    /// It is in a refused pair.
    refused: bool,
    way: Way,
    /// The releases it may move to, farthest first; or, for a managed group, its manager's
    /// version with the manager.
    to: Vec<Version>,
    via: Option<(ComponentId, Why)>,
    /// Why it may move no further than `to` allows: a release too far for one step.
    jump: Option<Blocked>,
}

fn key(k: &Cohort) -> Key {
    (k.component.index(), k.version.clone())
}

/// The running component versions.
fn running_keys(cohorts: &[Cohort]) -> BTreeSet<Key> {
    cohorts
        .iter()
        .filter(|k| k.running && k.size() > 0)
        .map(key)
        .collect()
}

fn blocked(what: String) -> impl FnOnce(NewlyRefused) -> Blocked {
    move |e| Blocked::refusal(what, &e.refusal)
}

impl Planner<'_> {
    /// The steps that repair `initial`, or `None` when it satisfies the policy.
    pub(super) fn repair(&self, initial: &[Cohort]) -> Result<Option<Repaired>, PlanError> {
        let start = Breaks::start(self.policy, running_keys(initial));
        if !start.is_broken() {
            return Ok(None);
        }
        let mut done = Repaired {
            fleet: initial.to_vec(),
            ops: Vec::new(),
            ways: Vec::new(),
            broken: start.refusals().map(brief).collect(),
            warnings: Vec::new(),
        };
        let mut breaks = start;
        // Every move takes a group strictly toward the target (or to its manager's version),
        // so this ends; the bound only guards against a bug.
        for _ in 0..4 * (done.fleet.len() + 1) * (self.releases.versions.len() + 1) {
            if !breaks.is_broken() {
                return Ok(Some(done));
            }
            let chosen = self.best_move(&done.fleet, &breaks)?;
            if let Some(w) = self.single_instance(&done.fleet, &chosen) {
                done.warnings.push(w);
            }
            done.fleet = chosen.draft.fleet;
            done.ops.extend(chosen.draft.ops);
            done.ways.push(chosen.way);
            breaks = chosen.draft.breaks;
        }
        Err(self.unrepaired(&done.fleet, &breaks, None))
    }

    /// Of the moves of groups in a refused pair, the one that leaves the fewest refused
    /// pairs (the first in preference order among equals). When none may move because it
    /// would refuse a pair that talks, the first other group that may move toward the
    /// target moves first, so that it can. Else why no move repairs the fleet.
    fn best_move(&self, fleet: &[Cohort], breaks: &Breaks) -> Result<Chosen, PlanError> {
        let candidates = self.repair_candidates(fleet, breaks);
        let (refused, others): (Vec<&Candidate>, Vec<&Candidate>) =
            candidates.iter().partition(|c| c.refused);
        // The first reason a move was refused: its group, and whether the jump was too far.
        let mut first_block: Option<(usize, Blocked, bool)> = None;
        let mut best: Option<Chosen> = None;
        'all: for c in &refused {
            for r in &c.to {
                let why = self.repair_why(breaks, &fleet[c.cohort]);
                match self.try_repair(fleet, breaks, c, r, why) {
                    Ok(d)
                        if best
                            .as_ref()
                            .is_none_or(|b| d.breaks.count() < b.draft.breaks.count()) =>
                    {
                        let whole = !d.breaks.is_broken();
                        best = Some(Chosen {
                            cohort: c.cohort,
                            way: c.way,
                            draft: d,
                        });
                        if whole {
                            break 'all;
                        }
                    }
                    Ok(_) => {}
                    Err(b) => {
                        first_block.get_or_insert((c.cohort, b, false));
                    }
                }
            }
            if let (None, Some(j)) = (&first_block, &c.jump) {
                first_block = Some((c.cohort, j.clone(), true));
            }
        }
        if let Some(best) = best {
            return Ok(best);
        }
        if let Some((_, b, false)) = &first_block {
            for c in &others {
                let why = Why {
                    text: format!(
                        "repair first: {} {} moves first, since {}",
                        name(self.policy, fleet[c.cohort].component),
                        fleet[c.cohort].version,
                        b.reason
                    ),
                    origin: b.origin.clone(),
                };
                for r in &c.to {
                    if let Ok(draft) = self.try_repair(fleet, breaks, c, r, why.clone()) {
                        return Ok(Chosen {
                            cohort: c.cohort,
                            way: c.way,
                            draft,
                        });
                    }
                }
            }
        }
        let first = first_block.or_else(|| {
            refused.first().map(|c| {
                let b = Blocked {
                    reason: format!("no release lies between it and {}", self.target),
                    origin: None,
                };
                (c.cohort, b, true)
            })
        });
        Err(self.unrepaired(fleet, breaks, first))
    }

    /// The groups that may move toward the target (those in a refused pair, and the others),
    /// in preference order (the upgrade or downgrade order, then the farthest from the
    /// target), each with the releases it may move to.
    fn repair_candidates(&self, fleet: &[Cohort], breaks: &Breaks) -> Vec<Candidate> {
        let (policy, target) = (self.policy, self.target);
        let scheme = policy.scheme();
        let mut out: Vec<(usize, Version, Candidate)> = Vec::new();
        for (i, k) in fleet.iter().enumerate() {
            if !k.running || k.size() == 0 {
                continue;
            }
            let refused = breaks.refusal_of(&key(k)).is_some();
            let way = if scheme.compare(&k.version, target).is_lt() {
                Way::Up
            } else {
                Way::Down
            };
            let place = order(policy, policy.upgrade_at(target), way, target)
                .iter()
                .position(|(c, _)| *c == k.component)
                .unwrap_or(usize::MAX);
            let candidate = match manager_of(policy, k.component, target) {
                Some((m, why)) => {
                    let at: BTreeSet<&Version> = fleet
                        .iter()
                        .filter(|x| x.component == m && x.running && x.size() > 0)
                        .map(|x| &x.version)
                        .collect();
                    let [v] = at.into_iter().collect::<Vec<_>>()[..] else {
                        continue;
                    };
                    if *v == k.version || !may_land(policy, fleet, k.component, v) {
                        continue;
                    }
                    Candidate {
                        cohort: i,
                        refused,
                        way,
                        to: vec![v.clone()],
                        via: Some((m, why)),
                        jump: None,
                    }
                }
                None if k.version == *target => continue,
                None => {
                    let mut jump = None;
                    let to = self
                        .candidates(way, &k.version)
                        .into_iter()
                        .filter(|r| may_land(policy, fleet, k.component, r))
                        .filter(|r| match self.jump_blocked_for(k, way, r) {
                            Some(b) => {
                                jump.get_or_insert(b);
                                false
                            }
                            None => true,
                        })
                        .cloned()
                        .collect();
                    Candidate {
                        cohort: i,
                        refused,
                        way,
                        to,
                        via: None,
                        jump,
                    }
                }
            };
            let distance = k.version.clone();
            out.push((place, distance, candidate));
        }
        out.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                // Farthest from the target first.
                let (x, y) = (&a.1, &b.1);
                match a.2.way {
                    Way::Up => scheme.compare(x, y),
                    Way::Down => scheme.compare(y, x),
                }
            })
        });
        out.into_iter().map(|(_, _, c)| c).collect()
    }

    /// The warning for a move of the only instance of a component whose instances cover for
    /// each other, in a fleet whose counts are known.
    fn single_instance(&self, fleet: &[Cohort], chosen: &Chosen) -> Option<String> {
        let c = fleet[chosen.cohort].component;
        let to = &chosen.draft.fleet[chosen.cohort].version;
        let rule = cluster_rule(self.policy, c, to)?;
        let all: u64 = fleet
            .iter()
            .filter(|k| k.component == c)
            .map(Cohort::size)
            .sum();
        (!self.assumed && all == 1).then(|| single_instance(self.policy, c, rule))
    }

    /// Why a repair move is made: the pair it repairs.
    fn repair_why(&self, breaks: &Breaks, k: &Cohort) -> Why {
        let refusal = breaks.refusal_of(&key(k));
        Why {
            text: refusal.map_or_else(
                || "repair first: the fleet breaks the policy".to_string(),
                |r| format!("repair first: {}", brief(r)),
            ),
            origin: refusal.and_then(|r| r.reason().origin.clone()),
        }
    }

    /// Moves group `c.cohort` to `r` on a copy of the fleet, checked as the replay checks it:
    /// rolling where it rolls (or has one instance), else stopped, moved and started
    /// together; what it manages is redeployed with it.
    fn try_repair(
        &self,
        fleet: &[Cohort],
        breaks: &Breaks,
        c: &Candidate,
        r: &Version,
        why: Why,
    ) -> Result<Draft, Blocked> {
        let (policy, i) = (self.policy, c.cohort);
        let k = &fleet[i];
        let mut d = Draft {
            fleet: fleet.to_vec(),
            ops: Vec::new(),
            breaks: breaks.clone(),
        };
        if let Some((m, rule)) = &c.via {
            return self.repair_redeploy(d, i, r, *m, rule, why);
        }
        let what = format!(
            "moving {} {} to {r} would refuse a pair that talks",
            name(policy, k.component),
            k.version
        );
        let table = match c.way {
            Way::Up => policy.upgrade_at(r),
            Way::Down => policy.upgrade_at(&k.version),
        };
        let rolls = k.size() == 1 || table.is_none_or(|t| t.rolls(name(policy, k.component)));
        let mut cannot_roll = None;
        if rolls {
            let mut roll = d.clone();
            match self.roll(&mut roll, i, r, why.clone()) {
                Ok(()) => d = roll,
                // One instance moves alone: stopping it first refuses no less.
                Err(e) if k.size() == 1 => return Err(blocked(what)(e)),
                Err(e) => {
                    cannot_roll = Some(blocked(format!(
                        "moving {} {} to {r} one at a time would refuse a pair that talks",
                        name(policy, k.component),
                        k.version
                    ))(e));
                }
            }
        }
        if !rolls || cannot_roll.is_some() {
            self.together(&mut d, i, r, why, cannot_roll.as_ref())
                .map_err(blocked(what.clone()))?;
        }
        self.redeploy_managed(&mut d, i, r).map_err(blocked(what))?;
        Ok(d)
    }

    /// Group `i` rolls to `r`, checked after its first instance and after the last (the
    /// redeploys of what it manages follow with the last; see `redeploy_managed`).
    fn roll(&self, d: &mut Draft, i: usize, r: &Version, why: Why) -> Result<(), NewlyRefused> {
        let k = d.fleet[i].clone();
        let to: Key = (k.component.index(), r.clone());
        if k.size() > 1 {
            let mut mid = d.fleet.clone();
            mid.push(Cohort {
                version: r.clone(),
                names: Vec::new(),
                anonymous: 1,
                ..k.clone()
            });
            d.breaks.moved(&key(&k), &to);
            d.breaks.check(self.policy, running_keys(&mid))?;
        }
        d.breaks.moved(&key(&k), &to);
        d.ops.push(Op::Move {
            cohort: i,
            from: k.version.clone(),
            to: r.clone(),
            one_at_a_time: k.size() > 1,
            stopped: false,
            why,
        });
        d.fleet[i].version = r.clone();
        Ok(())
    }

    /// Group `i` stops, moves to `r` and starts together (`cannot_roll`: why it could not
    /// roll, when it tried).
    fn together(
        &self,
        d: &mut Draft,
        i: usize,
        r: &Version,
        why: Why,
        cannot_roll: Option<&Blocked>,
    ) -> Result<(), NewlyRefused> {
        let k = d.fleet[i].clone();
        let n = name(self.policy, k.component);
        let stop_why = Why {
            text: match cannot_roll {
                Some(b) => format!(
                    "{}; {n} instances cannot roll from {} to {r} ({}), so they stop, move and start together",
                    why.text, k.version, b.reason
                ),
                None => format!(
                    "{}; {n} instances stop, move and start together (`rolling`)",
                    why.text
                ),
            },
            origin: why.origin.clone(),
        };
        d.ops.push(Op::Stop(i, stop_why));
        d.fleet[i].running = false;
        d.breaks.check(self.policy, running_keys(&d.fleet))?;
        d.ops.push(Op::Move {
            cohort: i,
            from: k.version.clone(),
            to: r.clone(),
            one_at_a_time: false,
            stopped: true,
            why: why.clone(),
        });
        d.fleet[i].version = r.clone();
        d.breaks.check(self.policy, running_keys(&d.fleet))?;
        d.ops.push(Op::Start(
            i,
            Why {
                text: format!("{n} runs {r} now"),
                origin: why.origin,
            },
        ));
        d.fleet[i].running = true;
        d.breaks.started(&(k.component.index(), r.clone()));
        Ok(())
    }

    /// What group `i`'s component manages is redeployed at `r` with its move; then the
    /// fleet is checked.
    fn redeploy_managed(&self, d: &mut Draft, i: usize, r: &Version) -> Result<(), NewlyRefused> {
        let c = d.fleet[i].component;
        for j in 0..d.fleet.len() {
            let k = d.fleet[j].clone();
            let Some((m, rule)) = root_manager(self.policy, k.component, r) else {
                continue;
            };
            if m != c || k.version == *r || k.size() == 0 {
                continue;
            }
            let why = Why {
                text: format!(
                    "{} ({}): {} redeploys it at {r} as part of its own move; never move it by hand",
                    rule.text,
                    rule.origin
                        .as_ref()
                        .map_or(String::new(), ToString::to_string),
                    name(self.policy, c)
                ),
                origin: rule.origin.clone(),
            };
            self.redeployed(d, j, r, c, true, why);
        }
        d.breaks.check(self.policy, running_keys(&d.fleet))
    }

    /// Group `j` redeployed at `r` by `via` (`joint`: as part of the step before).
    fn redeployed(
        &self,
        d: &mut Draft,
        j: usize,
        r: &Version,
        via: ComponentId,
        joint: bool,
        why: Why,
    ) {
        let k = d.fleet[j].clone();
        let to: Key = (k.component.index(), r.clone());
        if k.running {
            d.breaks.moved(&key(&k), &to);
        } else {
            d.breaks.started(&to);
        }
        d.ops.push(Op::Redeploy {
            cohort: j,
            from: k.version.clone(),
            to: r.clone(),
            via,
            joint,
            stopped: !k.running,
            why,
        });
        d.fleet[j].version = r.clone();
        d.fleet[j].running = true;
    }

    /// A managed group in a refused pair, redeployed by its manager `m` at the manager's
    /// version `r`.
    fn repair_redeploy(
        &self,
        mut d: Draft,
        j: usize,
        r: &Version,
        m: ComponentId,
        rule: &Why,
        why: Why,
    ) -> Result<Draft, Blocked> {
        let why = Why {
            text: format!(
                "{}; {} ({}): {} redeploys it at {r}, its own version; never move it by hand",
                why.text,
                rule.text,
                rule.origin
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                name(self.policy, m)
            ),
            origin: why.origin,
        };
        let what = format!(
            "{} redeploying {}",
            name(self.policy, m),
            who(self.policy, &d.fleet[j])
        );
        self.redeployed(&mut d, j, r, m, false, why);
        d.breaks
            .check(self.policy, running_keys(&d.fleet))
            .map_err(blocked(what))?;
        Ok(d)
    }

    /// No move repairs the fleet: what it breaks, why the first instance to move cannot, and
    /// which instance that is.
    fn unrepaired(
        &self,
        fleet: &[Cohort],
        breaks: &Breaks,
        first: Option<(usize, Blocked, bool)>,
    ) -> PlanError {
        let broken = breaks
            .refusals()
            .next()
            .map_or_else(String::new, |r| format!(" ({})", brief(r)));
        let Some((i, b, too_far)) = first else {
            return PlanError::NoPlan {
                reason: format!(
                    "the fleet already breaks the policy{broken}, and no instance that breaks it may move toward {}: each runs it already, or is managed by a component the fleet does not run at one version; fix that first (see `check --fleet`)",
                    self.target
                ),
                origin: breaks
                    .refusals()
                    .next()
                    .and_then(|r| r.reason().origin.clone()),
            };
        };
        let k = &fleet[i];
        let way = if self
            .policy
            .scheme()
            .compare(&k.version, self.target)
            .is_lt()
        {
            Way::Up
        } else {
            Way::Down
        };
        // A release too far for one step: say which release is missing, as a wave would.
        let gap = Gap {
            policy: self.policy,
            releases: self.releases,
            known: self.known,
            target: self.target,
            way,
            edge: &k.version,
        };
        let (reason, origin) = match too_far {
            true => match gap.no_plan(Unreached {
                jump_block: Some(b.clone()),
                ..Unreached::default()
            }) {
                PlanError::NoPlan { reason, origin } => (reason, origin),
                _ => (b.reason, b.origin),
            },
            false => (b.reason, b.origin),
        };
        PlanError::NoPlan {
            reason: format!(
                "the fleet already breaks the policy{broken}, and no move toward {} repairs it without refusing a pair that talks: {reason}; the instance to move first is {} ({} {})",
                self.target,
                who(self.policy, k),
                name(self.policy, k.component),
                k.version
            ),
            origin,
        }
    }
}
