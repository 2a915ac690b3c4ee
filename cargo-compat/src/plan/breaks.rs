//! What a fleet breaks, and the rule every step of a plan keeps: a step never makes two
//! instances refuse each other that talked before it.
//!
//! For a fleet that satisfies the policy, that is the runtime's fleet check after every
//! step. The fleet check reports a group at a denied release as a pair of its own (the
//! version with itself). A fleet that already breaks the policy starts with pairs that refuse each other; the
//! steps that repair it may leave such a pair refused for a while (its instances move
//! toward the target one group at a time), never refuse a pair that talks.
//!
//! The check sees versions, not instances: the instances a step moves from `A` to `B` take
//! `A`'s pairs with them, so a refused pair `(B, X)` after the step is kept only where every
//! version its instances ran before, `A` and `B` itself, was refused by `X`'s before. The
//! planner's repair ([`super::repair`]) and the verifier ([`super::replay`]) both ask this
//! one check.

use std::collections::{BTreeMap, BTreeSet};

use compat_runtime::{Instance, Peer, Policy, Refusal, Version};

/// A component version, as the check sees it: the component's index in the policy.
pub(super) type Key = (usize, Version);

/// The refused pairs of the fleet at its last check, and the moves since.
#[derive(Debug, Clone, Default)]
pub(super) struct Breaks {
    /// The running versions at the last check.
    running: BTreeSet<Key>,
    /// Their pairs that refuse each other (the lower key first), with the refusal.
    refused: BTreeMap<(Key, Key), Refusal>,
    /// Since the last check, for a version that gained running instances: the versions they
    /// ran then (`None`: they were not running).
    came_from: BTreeMap<Key, BTreeSet<Option<Key>>>,
}

/// A state the rule refuses: the pair, and whether the fleet broke nothing before.
#[derive(Debug, Clone)]
pub(super) struct NewlyRefused {
    pub(super) refusal: Refusal,
    /// The fleet satisfied the policy before the step.
    pub(super) was_whole: bool,
}

impl std::fmt::Display for NewlyRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.was_whole {
            write!(f, "the fleet breaks the policy: {}", self.refusal)
        } else {
            write!(
                f,
                "the fleet breaks the policy where it did not before: {}",
                self.refusal
            )
        }
    }
}

fn pair(a: Key, b: Key) -> (Key, Key) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The runtime's fleet check over a set of running versions: each refused pair with its
/// refusal.
fn refused_pairs(policy: &Policy, running: &BTreeSet<Key>) -> Vec<((Key, Key), Refusal)> {
    let components = policy.components();
    let instances: Vec<Instance> = running
        .iter()
        .filter_map(|(c, v)| {
            Some(Instance {
                name: None,
                peer: Peer {
                    component: policy.component(&components.get(*c)?.name)?,
                    version: v.clone(),
                },
            })
        })
        .collect();
    let key = |component: &str, version: &Version| -> Option<Key> {
        Some((policy.component(component)?.index(), version.clone()))
    };
    policy
        .check_fleet(&instances)
        .into_iter()
        .filter_map(|v| {
            let (s, o) = (v.refusal.subject(), v.refusal.other());
            let a = key(&s.component, &s.version)?;
            let b = key(&o.component, &o.version)?;
            Some((pair(a, b), v.refusal))
        })
        .collect()
}

impl Breaks {
    /// The fleet as it starts, with the pairs it already breaks.
    pub(super) fn start(policy: &Policy, running: BTreeSet<Key>) -> Self {
        let refused = refused_pairs(policy, &running).into_iter().collect();
        Breaks {
            running,
            refused,
            came_from: BTreeMap::new(),
        }
    }

    /// Whether the fleet broke the policy at its last check.
    pub(super) fn is_broken(&self) -> bool {
        !self.refused.is_empty()
    }

    /// How many pairs of versions refused each other at the last check.
    pub(super) fn count(&self) -> usize {
        self.refused.len()
    }

    /// The refusals at the last check, in a stable order.
    pub(super) fn refusals(&self) -> impl Iterator<Item = &Refusal> {
        self.refused.values()
    }

    /// The first refusal at the last check that involves `key`.
    pub(super) fn refusal_of(&self, key: &Key) -> Option<&Refusal> {
        self.refused
            .iter()
            .find(|((a, b), _)| a == key || b == key)
            .map(|(_, r)| r)
    }

    /// Running instances moved from `from` to `to` since the last check.
    pub(super) fn moved(&mut self, from: &Key, to: &Key) {
        let before = self.before(from);
        self.came_from.entry(to.clone()).or_default().extend(before);
    }

    /// Stopped instances of `at` started since the last check: they talked to nobody.
    pub(super) fn started(&mut self, at: &Key) {
        self.came_from.entry(at.clone()).or_default().insert(None);
    }

    /// The versions the running instances of `key` ran at the last check.
    fn before(&self, key: &Key) -> BTreeSet<Option<Key>> {
        let mut out = self.came_from.get(key).cloned().unwrap_or_default();
        if self.running.contains(key) {
            out.insert(Some(key.clone()));
        }
        out
    }

    /// Whether the pair of versions `(a, b)` may refuse each other now: every pair of the
    /// versions their instances ran before did. A version refused on its own (`a == b`, a
    /// denied release) stays so only where its instances ran it, or another denied release,
    /// before.
    fn kept(&self, a: &Key, b: &Key) -> bool {
        let (xs, ys) = (self.before(a), self.before(b));
        xs.iter().all(|x| {
            ys.iter().all(|y| match (x, y) {
                (Some(x), Some(y)) => {
                    (x != y || a == b) && self.refused.contains_key(&pair(x.clone(), y.clone()))
                }
                _ => false,
            })
        })
    }

    /// Checks the fleet now running `running` against the last check: no pair refused that
    /// talked then. On success this state is the one the next check compares with.
    pub(super) fn check(
        &mut self,
        policy: &Policy,
        running: BTreeSet<Key>,
    ) -> Result<(), NewlyRefused> {
        // Nothing refused and nothing new running: nothing can be refused now.
        if !self.is_broken() && running.is_subset(&self.running) {
            self.running = running;
            self.came_from.clear();
            return Ok(());
        }
        let now = refused_pairs(policy, &running);
        if let Some((_, refusal)) = now.iter().find(|((a, b), _)| !self.kept(a, b)) {
            return Err(NewlyRefused {
                refusal: refusal.clone(),
                was_whole: !self.is_broken(),
            });
        }
        self.running = running;
        self.refused = now.into_iter().collect();
        self.came_from.clear();
        Ok(())
    }
}
