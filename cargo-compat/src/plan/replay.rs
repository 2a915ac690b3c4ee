//! Replaying a plan through the runtime's fleet check: every state the fleet passes through,
//! step by step, must satisfy the policy; a fleet that already breaks it may only be
//! repaired, never break a pair that talks (the rule of the planner's `breaks`); and no step
//! moves an instance onto a release the policy denies.
//!
//! The fleet check's verdict depends only on which component versions are running (it checks
//! each distinct pair of versions once), so the replay keeps counts per component version
//! and asks [`Policy::check_fleet`] again whenever that set changes (or instances moved
//! while the fleet breaks the policy). A counted step that rolls `n` instances one at a time
//! passes through two distinct sets (after the first instance, both versions run; after the
//! last, only the new one), and both are checked. Stopped instances do not talk, so they are
//! left out of the check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use compat_runtime::{Policy, Version};

use super::breaks::{Breaks, Key};
use super::steps::{Action, Step};
use crate::fleet_file::Fleet;

/// A step that cannot be taken, or after which the fleet breaks the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    /// The step, counted from 1 (0: the fleet before the first step).
    pub step: usize,
    /// What went wrong, with the refusal when the policy refuses.
    pub message: String,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.step == 0 {
            write!(f, "before the first step: {}", self.message)
        } else {
            write!(f, "step {}: {}", self.step, self.message)
        }
    }
}

impl std::error::Error for ReplayError {}

/// The fleet as a replay sees it.
struct Replay<'a> {
    policy: &'a Policy,
    /// Named instances: component, version, running. Keyed by the fleet's own names (a
    /// million named instances are a million lookups, not a million copies).
    named: HashMap<&'a str, (Key, bool)>,
    /// Unnamed instances per component version: (running, stopped).
    counted: BTreeMap<Key, (u64, u64)>,
    /// Running instances per component version, named and counted together.
    running: BTreeMap<Key, u64>,
    /// What the fleet broke at the last check, and the moves since.
    breaks: Breaks,
}

/// Where the fleet stands after a replay: running and stopped instances per component
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replayed {
    /// `(component index, version)` to (running, stopped) instances.
    pub versions: BTreeMap<(usize, Version), (u64, u64)>,
    /// The first pair the fleet still breaks, for a fleet that broke the policy and was not
    /// repaired; `None` when it satisfies the policy.
    pub broken: Option<String>,
}

impl Replayed {
    /// Whether every instance runs `version`.
    pub fn all_running(&self, version: &Version) -> bool {
        self.versions
            .iter()
            .all(|((_, v), (_, stopped))| v == version && *stopped == 0)
    }
}

impl<'a> Replay<'a> {
    fn new(policy: &'a Policy, fleet: &'a Fleet) -> Self {
        let mut r = Replay {
            policy,
            named: HashMap::with_capacity(fleet.members.len()),
            counted: BTreeMap::new(),
            running: BTreeMap::new(),
            breaks: Breaks::default(),
        };
        for m in &fleet.members {
            let key = (m.peer.component.index(), m.peer.version.clone());
            match &m.name {
                Some(name) => {
                    r.named.insert(name.as_str(), (key.clone(), true));
                }
                None => r.counted.entry(key.clone()).or_default().0 += m.count,
            }
            *r.running.entry(key).or_default() += m.count;
        }
        r.breaks = Breaks::start(policy, r.set());
        r
    }

    fn set(&self) -> BTreeSet<Key> {
        self.running
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Checks the fleet now against the fleet at the last check.
    fn check(&mut self, step: usize) -> Result<(), ReplayError> {
        let set = self.set();
        self.breaks
            .check(self.policy, set)
            .map_err(|e| ReplayError {
                step,
                message: e.to_string(),
            })
    }

    fn add_running(&mut self, key: &Key, n: i128) {
        let e = self.running.entry(key.clone()).or_default();
        *e = (i128::from(*e) + n) as u64;
    }

    /// Applies one step (without checking the result).
    fn apply(&mut self, index: usize, step: &Step) -> Result<(), ReplayError> {
        let at: Key = (step.component_id.index(), step.version.clone());
        let applied = match step.action {
            Action::Verify => Ok(()),
            Action::Stop | Action::Start => self.stop_or_start(step, &at),
            Action::Upgrade | Action::Downgrade | Action::Redeploy => self.move_to(step, &at),
        };
        applied.map_err(|message| ReplayError {
            step: index,
            message,
        })
    }

    /// Stops or starts the step's instances, which run (or are stopped at) `key`.
    fn stop_or_start(&mut self, step: &Step, key: &Key) -> Result<(), String> {
        let start = step.action == Action::Start;
        match &step.instance {
            Some(name) => {
                let (k, running) = self
                    .named
                    .get_mut(name.as_str())
                    .ok_or_else(|| format!("no instance named `{name}`"))?;
                if k != key || *running == start {
                    return Err(format!(
                        "`{name}` is not a {} instance of {} {}",
                        if start { "stopped" } else { "running" },
                        step.component,
                        step.version
                    ));
                }
                *running = start;
            }
            None => {
                let (running, stopped) = self.counted.entry(key.clone()).or_default();
                let (from, into) = if start {
                    (stopped, running)
                } else {
                    (running, stopped)
                };
                if *from < step.count {
                    return Err(format!(
                        "fewer than {} unnamed instances of {} {} to {}",
                        step.count,
                        step.component,
                        step.version,
                        step.action.as_str()
                    ));
                }
                *from -= step.count;
                *into += step.count;
            }
        }
        let n = i128::from(step.count);
        self.add_running(key, if start { n } else { -n });
        if start {
            self.breaks.started(key);
        }
        Ok(())
    }

    /// Moves the step's instances from the version it leaves to `to`, in its direction.
    fn move_to(&mut self, step: &Step, to: &Key) -> Result<(), String> {
        let from_v = step
            .from
            .clone()
            .ok_or_else(|| "a move without the version it leaves".to_string())?;
        let ord = self.policy.scheme().compare(&from_v, &step.version);
        let direction_ok = match step.action {
            Action::Upgrade => ord.is_lt(),
            Action::Downgrade => ord.is_gt(),
            _ => true,
        };
        if !direction_ok {
            return Err(format!(
                "cannot {} {} from {from_v} to {}",
                step.action.as_str(),
                step.component,
                step.version
            ));
        }
        // No step lands on a release the policy denies, running or not.
        if let Some(deny) = self.policy.denial(step.component_id, &step.version) {
            return Err(format!(
                "{} {} to {}, a denied release: {}: {} ({})",
                step.action.as_str(),
                step.component,
                step.version,
                deny.describe(),
                deny.reason,
                deny.origin
            ));
        }
        let from: Key = (to.0, from_v);
        let running = match &step.instance {
            Some(name) => self.move_named(step, name, &from, to)?,
            None => self.move_counted(step, &from, to)?,
        };
        if running {
            let n = i128::from(step.count);
            self.add_running(&from, -n);
            self.add_running(to, n);
            self.breaks.moved(&from, to);
        } else if Self::revives(step) {
            self.breaks.started(to);
        }
        Ok(())
    }

    /// Whether a redeploy deploys stopped managed instances afresh: they run afterwards.
    fn revives(step: &Step) -> bool {
        step.action == Action::Redeploy && step.stopped
    }

    /// Moves a named instance; whether it ran through the move (so its running count moves
    /// too). A revived instance is counted running here.
    fn move_named(
        &mut self,
        step: &Step,
        name: &str,
        from: &Key,
        to: &Key,
    ) -> Result<bool, String> {
        let (k, running) = self
            .named
            .get_mut(name)
            .ok_or_else(|| format!("no instance named `{name}`"))?;
        if k != from || *running == step.stopped {
            return Err(format!(
                "`{name}` is not a {} instance of {} {}",
                if step.stopped { "stopped" } else { "running" },
                step.component,
                from.1
            ));
        }
        *k = to.clone();
        if Self::revives(step) {
            *running = true;
            self.add_running(to, 1);
            return Ok(false);
        }
        Ok(*running)
    }

    /// Moves unnamed instances; whether they ran through the move (so their running count
    /// moves too). Revived instances are counted running here.
    fn move_counted(&mut self, step: &Step, from: &Key, to: &Key) -> Result<bool, String> {
        let (r, s) = self.counted.entry(from.clone()).or_default();
        let have = if step.stopped { s } else { r };
        if *have < step.count {
            return Err(format!(
                "fewer than {} {} unnamed instances of {} {}",
                step.count,
                if step.stopped { "stopped" } else { "running" },
                step.component,
                from.1
            ));
        }
        *have -= step.count;
        let (r, s) = self.counted.entry(to.clone()).or_default();
        if Self::revives(step) {
            *r += step.count;
            self.add_running(to, i128::from(step.count));
            return Ok(false);
        }
        if step.stopped {
            *s += step.count;
        } else {
            *r += step.count;
        }
        Ok(!step.stopped)
    }

    fn finish(self) -> Replayed {
        let mut versions: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
        for (key, running) in self.named.values() {
            let e = versions.entry(key.clone()).or_default();
            if *running {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        for (key, (r, s)) in self.counted {
            if r + s > 0 {
                let e = versions.entry(key).or_default();
                e.0 += r;
                e.1 += s;
            }
        }
        Replayed {
            versions,
            broken: self.breaks.refusals().next().map(ToString::to_string),
        }
    }
}

/// Replays `steps` on `fleet`, checking the fleet after every step (a managed component's
/// redeploy, marked `joint`, belongs to the step before it) against the fleet before it: a
/// fleet that satisfies the policy must go on satisfying it, and one that breaks it may
/// refuse no pair that talked. [`Replayed::broken`] says whether it still breaks it at the
/// end.
///
/// ```
/// use cargo_compat::{fleet_file::Fleet, plan::{plan, replay::replay, Request}};
/// use compat_runtime::Policy;
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let fleet = Fleet::from_toml(&policy, "fleet.toml", "[counts]\n\"server@0.8.1\" = 2\n\"agent@0.8.1\" = 5\n")?;
/// let plan = plan(&policy, &fleet, &Request::to("0.9.3".parse()?))?;
/// let end = replay(&policy, &fleet, &plan.steps)?;
/// assert!(end.all_running(&"0.9.3".parse()?) && end.broken.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replay(policy: &Policy, fleet: &Fleet, steps: &[Step]) -> Result<Replayed, ReplayError> {
    let mut r = Replay::new(policy, fleet);
    let mut i = 0;
    while i < steps.len() {
        let step = &steps[i];
        let rolls =
            step.one_at_a_time && step.count > 1 && !step.stopped && step.instance.is_none();
        if rolls {
            let from = step.from.clone().map(|v| (step.component_id.index(), v));
            let have = from
                .and_then(|k| r.counted.get(&k).map(|(running, _)| *running))
                .unwrap_or(0);
            if have < step.count {
                return Err(ReplayError {
                    step: i + 1,
                    message: format!(
                        "fewer than {} running unnamed instances of {} {}",
                        step.count,
                        step.component,
                        step.from
                            .as_ref()
                            .map_or(String::new(), ToString::to_string)
                    ),
                });
            }
            // One instance, then the rest: the two distinct states of the roll.
            let mut first = step.clone();
            first.count = 1;
            r.apply(i + 1, &first)?;
            r.check(i + 1)?;
            let mut rest = step.clone();
            rest.count = step.count - 1;
            r.apply(i + 1, &rest)?;
        } else {
            r.apply(i + 1, step)?;
        }
        let mut j = i + 1;
        while j < steps.len() && steps[j].joint {
            r.apply(j + 1, &steps[j])?;
            j += 1;
        }
        r.check(j)?;
        i = j;
    }
    Ok(r.finish())
}
