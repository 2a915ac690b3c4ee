//! The planner: the ordered steps that take a fleet to a target release, up or down, such
//! that every fleet in between satisfies the policy.
//!
//! The plan moves in waves. Each wave takes every instance on the wrong side of one release
//! to that release, component by component in the upgrade `order` (or the `downgrade`
//! order): the farthest release that one step may reach (`max-jump`) and that keeps the
//! fleet valid throughout, preferring waves that stop nothing except what a lockstep rule
//! (`exact`) forces. Within a wave, for each component:
//!
//! - instances of other components that the component's new version would refuse are
//!   stopped first (Gullveig stops web before the server restarts) and started again once
//!   they have moved;
//! - instances roll one at a time where `rolling` says so and the policy allows both versions
//!   side by side; otherwise they stop, move and start together, with a warning;
//! - managed components are redeployed by their manager as part of its move, never by hand;
//! - a `verify` step follows before the next component moves.
//!
//! Planning works on groups of instances (a component at a version), so its cost does not
//! grow with the fleet; only writing the steps does (one row per named instance, one counted
//! row per group of unnamed ones). Every plan is replayed through the runtime's fleet check
//! ([`replay::replay`]) before it is returned.

mod expand;
pub mod output;
pub mod replay;
mod wave;

use std::fmt;

use compat_runtime::policy::{ComponentId, Origin, Side};
use compat_runtime::{Policy, Version};

use crate::fleet_file::Fleet;
use crate::releases::Releases;
use expand::{expand, summary};
use replay::replay;
use wave::{Blocked, Cohort, Op, Planner, Way, refused, running_peers};

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Move instances to a newer release.
    Upgrade,
    /// Move instances to an older release.
    Downgrade,
    /// Stop instances (they no longer talk).
    Stop,
    /// Start stopped instances.
    Start,
    /// A managed component, deployed again by its manager at the manager's version.
    Redeploy,
    /// Check that the moved instances are healthy before the next component moves.
    Verify,
}

impl Action {
    /// `upgrade`, `downgrade`, `stop`, `start`, `redeploy`, `verify`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Upgrade => "upgrade",
            Action::Downgrade => "downgrade",
            Action::Stop => "stop",
            Action::Start => "start",
            Action::Redeploy => "redeploy",
            Action::Verify => "verify",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What it does.
    pub action: Action,
    /// The component it acts on, by name.
    pub component: String,
    /// The same component, as the policy numbers it.
    pub component_id: ComponentId,
    /// The version the instances leave (moves only).
    pub from: Option<Version>,
    /// The version the instances run after the step (or run while stopped, started,
    /// verified).
    pub version: Version,
    /// The instance it acts on, where the fleet names instances.
    pub instance: Option<String>,
    /// How many instances the step covers: 1 for a named instance.
    pub count: u64,
    /// For a counted step: the instances move one at a time (a rolling move).
    pub one_at_a_time: bool,
    /// The instances are stopped while they move.
    pub stopped: bool,
    /// For a redeploy: the manager that does it.
    pub via: Option<String>,
    /// Part of the step before it (a managed redeploy happens within its manager's move).
    pub joint: bool,
    /// Why, in words.
    pub reason: String,
    /// The rule or setting behind it, with its place in `compat.toml`.
    pub origin: Option<Origin>,
}

/// An upgrade or a downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Every instance moves up (or already runs the target).
    Up,
    /// Every instance moves down (or already runs the target).
    Down,
    /// Some move down, then others up.
    Both,
    /// Nothing moves.
    None,
}

/// One row of the summary table: a component, what it runs now, where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The component.
    pub component: String,
    /// Versions it runs now with their instance counts, oldest first.
    pub current: Vec<(Version, u64)>,
    /// The target.
    pub target: Version,
}

/// The ordered steps from a fleet to a target release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The release every instance ends at.
    pub target: Version,
    /// Up, down, or nothing to do.
    pub direction: Direction,
    /// The releases each wave moves to, in order; the last is the target.
    pub waves: Vec<Version>,
    /// Per component: what runs now and the target.
    pub rows: Vec<Row>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Things the operator must know: where zero downtime is impossible, where a
    /// downgrade crosses a rule change.
    pub warnings: Vec<String>,
    /// Where the releases came from and which they are.
    pub releases: String,
}

impl Plan {
    /// Whether the fleet already runs the target everywhere.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The request itself is wrong (exit 2): a target that is not a release.
    Usage(String),
    /// No plan exists under the policy (exit 1): the rule that blocks or the release that is
    /// missing.
    NoPlan {
        /// The reason, in words.
        reason: String,
        /// The rule or setting that blocks, with its place.
        origin: Option<Origin>,
    },
    /// The planner produced a plan that its replay refused: a bug, never shown as a plan.
    Unverified(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Usage(m) => f.write_str(m),
            PlanError::NoPlan { reason, .. } => write!(f, "no plan: {reason}"),
            PlanError::Unverified(m) => write!(
                f,
                "internal error: the plan failed its own replay ({m}); please report this"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// What to plan: the target, and the releases that exist.
#[derive(Debug, Clone)]
pub struct Request {
    /// The release every instance should end at.
    pub target: Version,
    /// The releases instances may move through; `None`: only the fleet's versions and the
    /// target.
    pub releases: Option<Releases>,
}

impl Request {
    /// A request for `target`, with no release list.
    pub fn to(target: Version) -> Self {
        Request {
            target,
            releases: None,
        }
    }

    /// The same request, moving only through these releases.
    pub fn through(mut self, releases: Releases) -> Self {
        self.releases = Some(releases);
        self
    }
}

/// The rule that makes `c`'s instances a cluster at release `at`, if any: a rule naming `c`
/// on both sides (a wildcard does not), for a component that other components talk to (the
/// peer of a rule with another component). Its instances cover for each other while one
/// restarts, so a single instance means downtime.
///
/// ```
/// use cargo_compat::plan::cluster_rule;
/// use compat_runtime::{Policy, Version};
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let at = Version::new(0, 9, 3);
/// assert!(cluster_rule(&policy, policy.component("server").unwrap(), &at).is_some());
/// assert!(cluster_rule(&policy, policy.component("agent").unwrap(), &at).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cluster_rule<'p>(
    policy: &'p Policy,
    c: ComponentId,
    at: &Version,
) -> Option<&'p compat_runtime::policy::Rule> {
    let own = policy.component_name(c);
    let served = policy.rules().iter().any(|r| {
        r.peer.value == Side::Named(own.to_string())
            && r.component.value != Side::Named(own.to_string())
    });
    let (rule, _) = policy.rule_between(c, c, at)?;
    let named = matches!((&rule.component.value, &rule.peer.value),
        (Side::Named(a), Side::Named(b)) if a == b);
    (served && named).then_some(rule)
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

/// Plans the steps that take `fleet` to `request.target`, verified by replay.
///
/// ```
/// use cargo_compat::{fleet_file::Fleet, plan::{plan, Action, Request}};
/// use compat_runtime::Policy;
///
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let fleet = Fleet::from_toml(&policy, "fleet.toml", r#"
///     [instances]
///     server-a = "server@0.8.1"
///     server-b = "server@0.8.1"
///     agent-1 = "agent@0.8.1"
/// "#)?;
/// let plan = plan(&policy, &fleet, &Request::to("0.9.3".parse()?))?;
/// let moves: Vec<String> = plan.steps.iter()
///     .map(|s| format!("{} {}", s.action, s.instance.as_deref().unwrap_or(&s.component)))
///     .collect();
/// assert_eq!(moves, ["upgrade server-a", "upgrade server-b", "verify server", "upgrade agent-1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(policy: &Policy, fleet: &Fleet, request: &Request) -> Result<Plan, PlanError> {
    let target = &request.target;
    let scheme = policy.scheme();
    if let Some(list) = &request.releases
        && !list.contains(target)
    {
        // What to pass: the releases known so far, what the fleet runs, and the target.
        let suggested = list.clone().with(
            policy,
            fleet
                .members
                .iter()
                .map(|m| m.peer.version.clone())
                .chain([target.clone()]),
        );
        return Err(PlanError::Usage(format!(
            "the target {target} is not among the releases ({}: {}); pass the releases you ship, with it, e.g. `--releases {}`, or pick one of them",
            list.source,
            list.listed(),
            suggested.listed().replace(", ", ",")
        )));
    }
    let fleet_versions = fleet.members.iter().map(|m| m.peer.version.clone());
    let releases = match &request.releases {
        Some(list) => list.clone().with(policy, fleet_versions),
        None => Releases {
            versions: Vec::new(),
            source: "the fleet's versions and the target".into(),
        }
        .with(policy, fleet_versions.chain([target.clone()])),
    };
    let planner = Planner {
        policy,
        target,
        releases: releases.versions.clone(),
    };

    // Group the fleet: one cohort per component version.
    let mut cohorts: Vec<Cohort> = Vec::new();
    for m in &fleet.members {
        let k = match cohorts
            .iter()
            .position(|c| c.component == m.peer.component && c.version == m.peer.version)
        {
            Some(k) => k,
            None => {
                cohorts.push(Cohort {
                    component: m.peer.component,
                    version: m.peer.version.clone(),
                    running: true,
                    names: Vec::new(),
                    anonymous: 0,
                });
                cohorts.len() - 1
            }
        };
        match &m.name {
            Some(n) => cohorts[k].names.push(n.clone()),
            None => cohorts[k].anonymous += m.count,
        }
    }
    if let Some(refusal) = refused(policy, &running_peers(&cohorts)) {
        return Err(PlanError::NoPlan {
            reason: format!(
                "the fleet already breaks the policy, so no step can start from it: {refusal}; fix that first (see `check --fleet`)"
            ),
            origin: refusal.reason().origin.clone(),
        });
    }
    let rows = summary(policy, &cohorts, target);

    let mut ops: Vec<Op> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut waves: Vec<Version> = Vec::new();
    let (mut went_down, mut went_up) = (false, false);
    let initial = cohorts.clone();
    // Each wave moves the lowest (or highest) instances strictly closer, so this ends; the
    // bound only guards against a bug.
    for _ in 0..=2 * planner.releases.len() + 2 {
        let above = cohorts
            .iter()
            .filter(|c| scheme.compare(&c.version, target).is_gt())
            .map(|c| c.version.clone())
            .max_by(|a, b| scheme.compare(a, b));
        let below = cohorts
            .iter()
            .filter(|c| scheme.compare(&c.version, target).is_lt())
            .map(|c| c.version.clone())
            .min_by(|a, b| scheme.compare(a, b));
        let (way, edge) = match (above, below) {
            (Some(v), _) => (Way::Down, v),
            (None, Some(v)) => (Way::Up, v),
            (None, None) => break,
        };
        // Candidates, farthest first.
        let mut candidates: Vec<&Version> = planner
            .releases
            .iter()
            .filter(|r| match way {
                Way::Up => scheme.compare(r, &edge).is_gt() && scheme.compare(r, target).is_le(),
                Way::Down => scheme.compare(r, &edge).is_lt() && scheme.compare(r, target).is_ge(),
            })
            .collect();
        if way == Way::Up {
            candidates.reverse();
        }
        let mut first_block: Option<Blocked> = None;
        let mut jump_block: Option<Blocked> = None;
        // Each candidate refused for its jump, nearest last.
        let mut jump_blocks: Vec<(Version, Blocked)> = Vec::new();
        let mut accepted = None;
        'search: for allow_stops in [false, true] {
            // The reason the farthest release was not taken, for the steps of a nearer one.
            let mut farther: Option<Blocked> = None;
            for r in &candidates {
                if let Some(b) = planner.jump_blocked(&cohorts, way, r) {
                    if !allow_stops {
                        jump_blocks.push(((*r).clone(), b.clone()));
                    }
                    jump_block.get_or_insert(b);
                    continue;
                }
                match planner.wave(&cohorts, way, r, allow_stops, farther.as_ref()) {
                    Ok(done) => {
                        accepted = Some(((*r).clone(), done));
                        break 'search;
                    }
                    Err(b) => {
                        if allow_stops {
                            first_block.get_or_insert(b.clone());
                        }
                        farther.get_or_insert(b);
                    }
                }
            }
        }
        let Some((r, (next, o, w))) = accepted else {
            if let Some(b) = first_block {
                return Err(PlanError::NoPlan {
                    reason: b.reason,
                    origin: b.origin,
                });
            }
            let b = jump_block.unwrap_or(Blocked {
                reason: "no release lies between the fleet and the target".into(),
                origin: None,
            });
            let limit = match way {
                Way::Up => policy
                    .upgrade_at(target)
                    .and_then(|t| t.max_jump.as_ref())
                    .and_then(|j| j.value.limit_above(scheme, &edge)),
                Way::Down => None,
            };
            // Skews that never leave a minor or a major cannot cross one, whatever the releases.
            let never_crosses = policy
                .upgrade_at(target)
                .and_then(|t| t.max_jump.as_ref())
                .is_some_and(|j| match j.value {
                    compat_runtime::Skew::None => true,
                    compat_runtime::Skew::Patch(_) => {
                        (edge.major, edge.minor) != (target.major, target.minor)
                    }
                    compat_runtime::Skew::Minor(_) => edge.major != target.major,
                    compat_runtime::Skew::Major(0) => {
                        scheme.major_line(&edge) != scheme.major_line(target)
                    }
                    _ => false,
                });
            // Settings of their own for a release on the way (Phoenix's move into 5.0.0) may
            // cross what the target's settings cannot: then that release is what is missing.
            let entry = policy.upgrades().iter().find_map(|u| {
                let f = &u.from.as_ref()?.value;
                let reachable = match u.max_jump.as_ref()?.value.limit_above(scheme, &edge) {
                    None => true,
                    Some(compat_runtime::skew::Limit::Below(v)) => scheme.compare(f, &v).is_lt(),
                    Some(compat_runtime::skew::Limit::AtMost(v)) => scheme.compare(f, &v).is_le(),
                };
                (reachable
                    && scheme.compare(f, &edge).is_gt()
                    && scheme.compare(f, target).is_lt()
                    && !releases.versions.contains(f))
                .then_some((f.clone(), u))
            });
            if let (true, Way::Up, Some((f, u))) = (never_crosses, way, entry) {
                let within = u
                    .until
                    .as_ref()
                    .map(|t| format!(", below {}", t.value))
                    .unwrap_or_default();
                let with = releases.clone().with(policy, [f.clone()]);
                return Err(PlanError::NoPlan {
                    reason: format!(
                        "{}; the move into {f} has upgrade settings of its own ({}), but the releases ({}: {}) have no release from {f}{within}: pass one in --releases, e.g. `--releases {}` if {f} is one",
                        b.reason,
                        u.origin,
                        releases.source,
                        releases.listed(),
                        with.listed().replace(", ", ",")
                    ),
                    origin: b.origin,
                });
            }
            if never_crosses && way == Way::Up {
                return Err(PlanError::NoPlan {
                    reason: format!(
                        "{}; no release in between helps, since no step may cross into {target}'s line: give the move into it upgrade settings of its own ([[upgrade]] with `from`)",
                        b.reason
                    ),
                    origin: b.origin,
                });
            }
            // A release inside the limit was given but its own settings refuse the step
            // (Teleport's 5.0.0 from 4.0.1, under the pre-6.0 one-minor jump): say that, not
            // that one is missing.
            let inside = |x: &Version| match &limit {
                Some(compat_runtime::skew::Limit::Below(v)) => scheme.compare(x, v).is_lt(),
                Some(compat_runtime::skew::Limit::AtMost(v)) => scheme.compare(x, v).is_le(),
                None => true,
            };
            if way == Way::Up
                && let Some((nearer, nb)) = jump_blocks
                    .iter()
                    .rev()
                    .find(|(x, _)| x != target && inside(x))
            {
                return Err(PlanError::NoPlan {
                    reason: format!(
                        "{}; and the release nearer, {nearer}, cannot be reached either: {}",
                        b.reason, nb.reason
                    ),
                    origin: b.origin,
                });
            }
            let wanted = match &limit {
                Some(compat_runtime::skew::Limit::Below(v)) => {
                    format!("a release after {edge} and below {v}")
                }
                Some(compat_runtime::skew::Limit::AtMost(v)) => {
                    format!("a release after {edge}, at most {v}")
                }
                None => format!("a release between {edge} and {target}"),
            };
            let example = match &limit {
                Some(compat_runtime::skew::Limit::Below(v)) => line_below(v),
                Some(compat_runtime::skew::Limit::AtMost(v)) => Some(v.clone()),
                None => None,
            }
            .filter(|c| scheme.compare(c, &edge).is_gt() && !releases.versions.contains(c))
            .map(|c| {
                let with = releases.clone().with(policy, [c.clone()]);
                format!(
                    ", e.g. `--releases {}` if {c} is one",
                    with.listed().replace(", ", ",")
                )
            })
            .unwrap_or_default();
            return Err(PlanError::NoPlan {
                reason: format!(
                    "{}; the releases ({}: {}) have no release in between: {wanted} is missing (pass one in --releases{example})",
                    b.reason,
                    releases.source,
                    releases.listed()
                ),
                origin: b.origin,
            });
        };
        if next
            .iter()
            .zip(&cohorts)
            .all(|(a, b)| a.version == b.version)
        {
            return Err(PlanError::NoPlan {
                reason: format!(
                    "no step moves the fleet towards {target}: nothing the policy lets move is on the wrong side of {r}"
                ),
                origin: None,
            });
        }
        match way {
            Way::Up => went_up = true,
            Way::Down => went_down = true,
        }
        if way == Way::Down {
            warnings.extend(crossed_rule_changes(policy, &edge, &r));
        }
        for x in w {
            if !warnings.contains(&x) {
                warnings.push(x);
            }
        }
        waves.push(r);
        ops.extend(o);
        cohorts = next;
    }
    let steps = expand(policy, &initial, &ops);
    let direction = match (went_down, went_up) {
        (true, true) => Direction::Both,
        (true, false) => Direction::Down,
        (false, true) => Direction::Up,
        (false, false) => Direction::None,
    };
    let plan = Plan {
        target: target.clone(),
        direction,
        waves,
        rows,
        steps,
        warnings,
        releases: format!("{}: {}", releases.source, releases.listed()),
    };
    // The plan is only returned once its replay through the fleet check passes.
    let end =
        replay(policy, fleet, &plan.steps).map_err(|e| PlanError::Unverified(e.to_string()))?;
    if !end.all_running(target) {
        return Err(PlanError::Unverified(format!(
            "after the last step, not every instance runs {target}"
        )));
    }
    Ok(plan)
}

/// Warnings for a downgrade from `from` to `to` that crosses a release where the rules
/// change: one per release crossed, naming each rule that changes there.
fn crossed_rule_changes(policy: &Policy, from: &Version, to: &Version) -> Vec<String> {
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
