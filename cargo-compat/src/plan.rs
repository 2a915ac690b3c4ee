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
//! ([`crate::replay::replay`]) before it is returned.

use std::cmp::Ordering;
use std::fmt;

use compat_runtime::policy::{ComponentId, Form, Origin, Side, Upgrade};
use compat_runtime::{Instance, Peer, Policy, Refusal, Version};

use crate::fleet_file::Fleet;
use crate::releases::Releases;
use crate::replay::replay;

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

/// A group of instances that moves together: a component at a version, running or
/// stopped, its named instances and how many unnamed ones.
#[derive(Debug, Clone)]
struct Cohort {
    component: ComponentId,
    version: Version,
    running: bool,
    names: Vec<String>,
    anonymous: u64,
}

impl Cohort {
    fn size(&self) -> u64 {
        self.names.len() as u64 + self.anonymous
    }
}

/// A reason and its place.
#[derive(Debug, Clone)]
struct Why {
    text: String,
    origin: Option<Origin>,
}

/// One group-level operation.
#[derive(Debug, Clone)]
enum Op {
    Stop(usize, Why),
    Start(usize, Why),
    Move {
        cohort: usize,
        from: Version,
        to: Version,
        one_at_a_time: bool,
        stopped: bool,
        why: Why,
    },
    Redeploy {
        cohort: usize,
        from: Version,
        to: Version,
        via: ComponentId,
        joint: bool,
        /// The instances were stopped: the manager deploys them afresh, running.
        stopped: bool,
        why: Why,
    },
    Verify(ComponentId, Version, Why),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Up,
    Down,
}

/// A wave taken: the fleet after it, its operations, its warnings.
type Wave = (Vec<Cohort>, Vec<Op>, Vec<String>);

/// Why a wave cannot be taken.
#[derive(Debug, Clone)]
struct Blocked {
    reason: String,
    origin: Option<Origin>,
}

impl Blocked {
    /// A managed component whose manager the fleet does not run.
    fn no_manager(policy: &Policy, managed: ComponentId, manager: ComponentId, why: &Why) -> Self {
        Blocked {
            reason: format!(
                "{} is managed by {} ({}, {}), but the fleet runs no {} to redeploy it",
                name(policy, managed),
                name(policy, manager),
                why.text,
                why.origin
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                name(policy, manager)
            ),
            origin: why.origin.clone(),
        }
    }

    fn refusal(context: String, r: &Refusal) -> Self {
        Blocked {
            reason: format!("{context}: {}", brief(r)),
            origin: r.reason().origin.clone(),
        }
    }
}

/// A refusal without its remedy: "web 1.1.5 may not talk to server 1.2.0: web must run
/// exactly the version of server (compat.toml:24:1)".
fn brief(r: &Refusal) -> String {
    let reason = r.reason();
    let place = reason
        .origin
        .as_ref()
        .map_or(String::new(), |o| format!(" ({o})"));
    format!(
        "{} {} may not talk to {} {}: {}{place}",
        r.subject().component,
        r.subject().version,
        r.other().component,
        r.other().version,
        reason.text
    )
}

struct Planner<'a> {
    policy: &'a Policy,
    target: &'a Version,
    releases: Vec<Version>,
}

fn name(policy: &Policy, c: ComponentId) -> &str {
    policy.component_name(c)
}

fn id(policy: &Policy, index: usize) -> ComponentId {
    policy
        .component(&policy.components()[index].name)
        .expect("a component of this policy")
}

/// The running component versions, once each.
fn running_peers(cohorts: &[Cohort]) -> Vec<Peer> {
    let mut out: Vec<Peer> = Vec::new();
    for c in cohorts.iter().filter(|c| c.running && c.size() > 0) {
        let p = Peer {
            component: c.component,
            version: c.version.clone(),
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The runtime's fleet check over a set of running versions: the first refusal, if any.
fn refused(policy: &Policy, peers: &[Peer]) -> Option<Refusal> {
    let instances: Vec<Instance> = peers
        .iter()
        .map(|p| Instance {
            name: None,
            peer: p.clone(),
        })
        .collect();
    policy
        .check_fleet(&instances)
        .into_iter()
        .next()
        .map(|v| v.refusal)
}

/// `server-a`, `3 server instances`: who a group is, for messages.
fn who(policy: &Policy, c: &Cohort) -> String {
    match (c.names.as_slice(), c.anonymous) {
        ([one], 0) => one.clone(),
        (_, n) if n == c.size() && n == 1 => format!("the {} instance", name(policy, c.component)),
        _ => format!("{} {} instances", c.size(), name(policy, c.component)),
    }
}

impl<'a> Planner<'a> {
    fn cmp(&self, a: &Version, b: &Version) -> Ordering {
        self.policy.scheme().compare(a, b)
    }

    /// The component that manages `m` at release `at`, with the rule.
    fn manager_of(&self, m: ComponentId, at: &Version) -> Option<(ComponentId, Why)> {
        let scheme = self.policy.scheme();
        self.policy.rules().iter().find_map(|rule| {
            if rule.form.value != Form::Managed || !rule.applies_at(scheme, at) {
                return None;
            }
            match (&rule.component.value, &rule.peer.value) {
                (Side::Named(c), Side::Named(p)) if self.policy.component(c) == Some(m) => {
                    self.policy.component(p).map(|p| {
                        (
                            p,
                            Why {
                                text: rule.describe(),
                                origin: Some(rule.origin.clone()),
                            },
                        )
                    })
                }
                _ => None,
            }
        })
    }

    /// The unmanaged component at the top of `m`'s chain of managers (an operator that
    /// deploys a controller that deploys agents), with the rule of `m`'s direct manager.
    fn root_manager(&self, m: ComponentId, at: &Version) -> Option<(ComponentId, Why)> {
        let (mut top, why) = self.manager_of(m, at)?;
        for _ in 0..self.policy.components().len() {
            match self.manager_of(top, at) {
                Some((up, _)) if up != m => top = up,
                _ => break,
            }
        }
        Some((top, why))
    }

    /// The components in the order a wave moves them, each with the place that says so;
    /// managed components are left out (they move with their manager).
    fn order(&self, table: Option<&Upgrade>, way: Way, at: &Version) -> Vec<(ComponentId, Why)> {
        let mut out: Vec<(ComponentId, Why)> = Vec::new();
        if let Some(t) = table {
            let listed: Vec<(&str, Origin, &str)> = match (way, &t.downgrade) {
                (Way::Up, _) => t
                    .order
                    .iter()
                    .map(|c| (c.value.as_str(), c.origin.clone(), "`order`"))
                    .collect(),
                (Way::Down, Some(d)) => d
                    .iter()
                    .map(|c| (c.value.as_str(), c.origin.clone(), "`downgrade`"))
                    .collect(),
                (Way::Down, None) => t
                    .order
                    .iter()
                    .rev()
                    .map(|c| (c.value.as_str(), c.origin.clone(), "the reverse of `order`"))
                    .collect(),
            };
            let mut prev: Option<&str> = None;
            for (n, origin, key) in listed {
                let Some(c) = self.policy.component(n) else {
                    continue;
                };
                let text = match prev {
                    None => format!("{n} moves first ({key}, {origin})"),
                    Some(p) => format!("{n} moves after {p} ({key}, {origin})"),
                };
                out.push((
                    c,
                    Why {
                        text,
                        origin: Some(origin),
                    },
                ));
                prev = Some(n);
            }
        }
        for i in 0..self.policy.components().len() {
            let c = id(self.policy, i);
            if out.iter().any(|(o, _)| *o == c) || self.manager_of(c, at).is_some() {
                continue;
            }
            let text = match table {
                Some(t) => format!(
                    "{} is not in the upgrade order ({}), so it moves after those that are",
                    name(self.policy, c),
                    t.origin
                ),
                None => format!(
                    "{} moves in declaration order (the policy has no [upgrade] order)",
                    name(self.policy, c)
                ),
            };
            out.push((
                c,
                Why {
                    text,
                    origin: table.map(|t| t.origin.clone()),
                },
            ));
        }
        out
    }

    fn wrong_side(&self, way: Way, v: &Version, r: &Version) -> bool {
        match way {
            Way::Up => self.cmp(v, r).is_lt(),
            Way::Down => self.cmp(v, r).is_gt(),
        }
    }

    /// Whether one step may take every instance on the wrong side of `r` to `r`; when not,
    /// the instance that cannot and the limit.
    fn jump_blocked(&self, cohorts: &[Cohort], way: Way, r: &Version) -> Option<Blocked> {
        let scheme = self.policy.scheme();
        for c in cohorts
            .iter()
            .filter(|c| self.wrong_side(way, &c.version, r))
        {
            let (table, older, newer) = match way {
                Way::Up => (self.policy.upgrade_at(r), &c.version, r),
                Way::Down => (self.policy.upgrade_at(&c.version), r, &c.version),
            };
            if let Some(jump) = table.and_then(|t| t.max_jump.as_ref())
                && !jump.value.admits(scheme, older, newer)
            {
                return Some(Blocked {
                    reason: format!(
                        "{} {} cannot move to {r} in one step: one step may move at most {} (`max-jump = \"{}\"`, {})",
                        name(self.policy, c.component),
                        c.version,
                        jump.value.describe(),
                        jump.value,
                        jump.origin
                    ),
                    origin: Some(jump.origin.clone()),
                });
            }
        }
        None
    }

    /// One wave: everything on the wrong side of `r` moves to `r`.
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
            .filter(|c| self.wrong_side(way, &c.version, r))
            .map(|c| c.version.clone())
            .max_by(|a, b| self.cmp(a, b));
        let table = match way {
            Way::Up => policy.upgrade_at(r),
            Way::Down => leaving.as_ref().and_then(|v| policy.upgrade_at(v)),
        };
        let order = self.order(table, way, r);
        let mut st: Vec<Cohort> = start.to_vec();
        let mut ops: Vec<Op> = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        let verb = match way {
            Way::Up => "upgrade",
            Way::Down => "downgrade",
        };
        let step_note = if r != self.target {
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
        } else {
            String::new()
        };
        let has_work = |st: &[Cohort], c: ComponentId| {
            st.iter().any(|k| {
                (k.component == c && self.wrong_side(way, &k.version, r))
                    || (k.version != *r
                        && self
                            .root_manager(k.component, r)
                            .is_some_and(|(m, _)| m == c))
            })
        };
        // A managed component moves only when its manager redeploys it.
        for k in st.iter().filter(|k| k.version != *r && k.size() > 0) {
            if let Some((m, why)) = self.manager_of(k.component, r)
                && !st.iter().any(|x| x.component == m && x.size() > 0)
            {
                return Err(Blocked::no_manager(policy, k.component, m, &why));
            }
        }
        for (pos, (c, place)) in order.iter().enumerate() {
            let c = *c;
            if !has_work(&st, c) {
                continue;
            }
            let movers: Vec<usize> = (0..st.len())
                .filter(|&i| st[i].component == c && self.wrong_side(way, &st[i].version, r))
                .collect();
            let managed: Vec<(usize, Why)> = (0..st.len())
                .filter_map(|i| {
                    let (m, why) = self.root_manager(st[i].component, r)?;
                    (m == c && st[i].version != *r && st[i].size() > 0).then_some((i, why))
                })
                .collect();
            if !st.iter().any(|k| k.component == c && k.size() > 0) {
                let (i, why) = &managed[0];
                return Err(Blocked::no_manager(policy, st[*i].component, c, why));
            }
            let arriving: Vec<Peer> = std::iter::once(Peer {
                component: c,
                version: r.clone(),
            })
            .chain(managed.iter().map(|(i, _)| Peer {
                component: st[*i].component,
                version: r.clone(),
            }))
            .collect();
            // Instances that the arriving versions would refuse stop first.
            for (i, k) in st.iter_mut().enumerate() {
                if !k.running
                    || k.size() == 0
                    || k.component == c
                    || managed.iter().any(|(m, _)| *m == i)
                {
                    continue;
                }
                let peer = Peer {
                    component: k.component,
                    version: k.version.clone(),
                };
                let Some(refusal) = arriving.iter().find_map(|a| policy.check(&peer, a).err())
                else {
                    continue;
                };
                let lockstep = policy
                    .rule_between(k.component, c, r)
                    .is_some_and(|(rule, _)| rule.form.value == Form::Exact);
                if !allow_stops && !lockstep {
                    return Err(Blocked::refusal(
                        format!(
                            "{} {} to {r} would need {} stopped",
                            name(policy, c),
                            verb,
                            who(policy, k)
                        ),
                        &refusal,
                    ));
                }
                if !lockstep {
                    let w = format!(
                        "zero downtime is impossible: {} stop while {} moves to {r}, because {}",
                        who(policy, k),
                        name(policy, c),
                        brief(&refusal)
                    );
                    warnings.push(w);
                }
                ops.push(Op::Stop(
                    i,
                    Why {
                        text: format!(
                            "stop before {} moves to {r}: {}",
                            name(policy, c),
                            brief(&refusal)
                        ),
                        origin: refusal.reason().origin.clone(),
                    },
                ));
                k.running = false;
            }
            let rolls = table.is_none_or(|t| t.rolls(name(policy, c)));
            let roll_note = match table {
                Some(t) if rolls => format!(", one at a time (`rolling`, {})", t.origin),
                _ => String::new(),
            };
            // Why the order matters here: a later component moved first would be refused.
            let order_note = order[pos + 1..]
                .iter()
                .find_map(|(d, _)| {
                    let ahead = Peer {
                        component: *d,
                        version: r.clone(),
                    };
                    movers
                        .iter()
                        .find_map(|&i| {
                            let behind = Peer {
                                component: c,
                                version: st[i].version.clone(),
                            };
                            policy.check(&ahead, &behind).err()
                        })
                        .map(|refusal| {
                            format!(
                                "; {} first would be refused, {}",
                                name(policy, *d),
                                brief(&refusal)
                            )
                        })
                })
                .unwrap_or_default();
            let move_why = |extra: &str| Why {
                text: format!("{}{extra}{order_note}{step_note}", place.text),
                origin: place.origin.clone(),
            };
            let total: u64 = movers.iter().map(|&i| st[i].size()).sum();
            let cluster = cluster_rule(policy, c, r).map(|rule| (rule, false));
            if total == 1
                && st
                    .iter()
                    .filter(|k| k.component == c)
                    .map(Cohort::size)
                    .sum::<u64>()
                    == 1
                && rolls
                && let Some((rule, _)) = cluster
            {
                warnings.push(format!(
                    "zero downtime is impossible: the fleet runs a single {n} instance, and {n} instances cover for each other ({}, {}); while it restarts, its peers cannot reach a {n}; run at least two",
                    rule.describe(),
                    rule.origin,
                    n = name(policy, c)
                ));
            }
            // Try rolling first, then everything at once.
            let attempt = |all_at_once: bool| -> Result<(Vec<Cohort>, Vec<Op>), Blocked> {
                let mut s = st.clone();
                let mut o: Vec<Op> = Vec::new();
                let check = |s: &[Cohort], what: &str| -> Result<(), Blocked> {
                    match refused(policy, &running_peers(s)) {
                        Some(refusal) => Err(Blocked::refusal(what.to_string(), &refusal)),
                        None => Ok(()),
                    }
                };
                let redeploy = |s: &mut Vec<Cohort>, o: &mut Vec<Op>, joint: bool| {
                    for (i, why) in &managed {
                        o.push(Op::Redeploy {
                            cohort: *i,
                            from: s[*i].version.clone(),
                            to: r.clone(),
                            via: c,
                            joint,
                            stopped: !s[*i].running,
                            why: Why {
                                text: format!(
                                    "{} ({}): {} redeploys it at {r}{}; never move it by hand",
                                    why.text,
                                    why.origin
                                        .as_ref()
                                        .map_or(String::new(), ToString::to_string),
                                    name(policy, c),
                                    if joint {
                                        " as part of its own move"
                                    } else {
                                        ""
                                    }
                                ),
                                origin: why.origin.clone(),
                            },
                        });
                        s[*i].version = r.clone();
                        s[*i].running = true;
                    }
                };
                let running: Vec<usize> =
                    movers.iter().copied().filter(|&i| s[i].running).collect();
                let single = running.len() == 1 && s[running[0]].size() == 1;
                if all_at_once && !single && !running.is_empty() {
                    for &i in &running {
                        o.push(Op::Stop(
                            i,
                            match table.filter(|_| !rolls) {
                                // The policy says so.
                                Some(t) => Why {
                                    text: format!(
                                        "{} instances stop, move and start together (`rolling`, {})",
                                        name(policy, c),
                                        t.origin
                                    ),
                                    origin: Some(t.origin.clone()),
                                },
                                // Rolling was refused by a rule.
                                None => Why {
                                    text: format!(
                                        "{} instances stop together: they cannot run {} and {r} side by side",
                                        name(policy, c),
                                        s[i].version
                                    ),
                                    origin: place.origin.clone(),
                                },
                            },
                        ));
                        s[i].running = false;
                    }
                }
                let n = movers.len();
                for (k, &i) in movers.iter().enumerate() {
                    let last = k + 1 == n;
                    let from = s[i].version.clone();
                    if s[i].running {
                        let two_sides = s[i].size() > 1;
                        if two_sides {
                            let mut mid = s.clone();
                            mid.push(Cohort {
                                component: c,
                                version: r.clone(),
                                running: true,
                                names: Vec::new(),
                                anonymous: 1,
                            });
                            check(
                                &mid,
                                &format!(
                                    "{} cannot roll from {from} to {r} one instance at a time",
                                    name(policy, c)
                                ),
                            )?;
                        }
                        o.push(Op::Move {
                            cohort: i,
                            from,
                            to: r.clone(),
                            one_at_a_time: two_sides,
                            stopped: false,
                            why: move_why(if two_sides { &roll_note } else { "" }),
                        });
                        s[i].version = r.clone();
                        if last {
                            redeploy(&mut s, &mut o, true);
                        }
                        check(&s, &format!("{} {} to {r}", name(policy, c), verb))?;
                    } else {
                        o.push(Op::Move {
                            cohort: i,
                            from,
                            to: r.clone(),
                            one_at_a_time: false,
                            stopped: true,
                            why: move_why(" (while stopped)"),
                        });
                        s[i].version = r.clone();
                    }
                }
                // Start what is stopped and now at the wave's release.
                let stopped: Vec<usize> = (0..s.len())
                    .filter(|&i| s[i].component == c && !s[i].running && s[i].version == *r)
                    .collect();
                for (k, &i) in stopped.iter().enumerate() {
                    o.push(Op::Start(
                        i,
                        Why {
                            text: format!(
                                "{} runs {r} now and may talk to every running instance",
                                name(policy, c)
                            ),
                            origin: place.origin.clone(),
                        },
                    ));
                    s[i].running = true;
                    if k + 1 == stopped.len() && !managed.iter().all(|(m, _)| s[*m].version == *r) {
                        redeploy(&mut s, &mut o, true);
                    }
                    check(&s, &format!("starting {} at {r}", name(policy, c)))?;
                }
                if !managed.iter().all(|(m, _)| s[*m].version == *r) {
                    redeploy(&mut s, &mut o, movers.is_empty());
                    check(&s, &format!("redeploying what {} manages", name(policy, c)))?;
                }
                Ok((s, o))
            };
            let outcome = if rolls {
                match attempt(false) {
                    Ok(done) => Ok(done),
                    Err(blocked) => match attempt(true) {
                        Ok(done) => {
                            if !allow_stops {
                                return Err(blocked);
                            }
                            warnings.push(format!(
                                "zero downtime is impossible: {} instances cannot roll from one version to {r} ({}); they stop and move together",
                                name(policy, c),
                                blocked.reason
                            ));
                            Ok(done)
                        }
                        Err(e) => Err(e),
                    },
                }
            } else {
                attempt(true)
            };
            let (s, o) = outcome?;
            st = s;
            ops.extend(o);
            // Before the next component moves, the moved ones must be healthy.
            if let Some((next, _)) = order[pos + 1..]
                .iter()
                .find(|(next, _)| has_work(&st, *next))
            {
                ops.push(Op::Verify(
                    c,
                    r.clone(),
                    Why {
                        text: format!(
                            "check that every {} at {r} is healthy before {} moves",
                            name(policy, c),
                            name(policy, *next)
                        ),
                        origin: place.origin.clone(),
                    },
                ));
            }
        }
        // Anything still stopped starts again.
        for i in 0..st.len() {
            if !st[i].running && st[i].size() > 0 {
                ops.push(Op::Start(
                    i,
                    Why {
                        text: format!(
                            "every component has moved; {} {} may talk again",
                            name(policy, st[i].component),
                            st[i].version
                        ),
                        origin: None,
                    },
                ));
                st[i].running = true;
                if let Some(refusal) = refused(policy, &running_peers(&st)) {
                    return Err(Blocked::refusal(
                        format!("{} cannot start again", who(policy, &st[i])),
                        &refusal,
                    ));
                }
            }
        }
        Ok((st, ops, warnings))
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
        return Err(PlanError::Usage(format!(
            "the target {target} is not among the releases ({}: {}); add it, or pick one of them",
            list.source,
            list.listed()
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
        let mut accepted = None;
        'search: for allow_stops in [false, true] {
            // The reason the farthest release was not taken, for the steps of a nearer one.
            let mut farther: Option<Blocked> = None;
            for r in &candidates {
                if let Some(b) = planner.jump_blocked(&cohorts, way, r) {
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
            if never_crosses && way == Way::Up {
                return Err(PlanError::NoPlan {
                    reason: format!(
                        "{}; no release in between helps, since no step may cross into {target}'s line: give the move into it upgrade settings of its own ([[upgrade]] with `from`)",
                        b.reason
                    ),
                    origin: b.origin,
                });
            }
            let wanted = match limit {
                Some(compat_runtime::skew::Limit::Below(v)) => {
                    format!("a release after {edge} and below {v}")
                }
                Some(compat_runtime::skew::Limit::AtMost(v)) => {
                    format!("a release after {edge}, at most {v}")
                }
                None => format!("a release between {edge} and {target}"),
            };
            return Err(PlanError::NoPlan {
                reason: format!(
                    "{}; the releases ({}: {}) have no release in between: {wanted} is missing (pass it in --releases)",
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
/// change.
fn crossed_rule_changes(policy: &Policy, from: &Version, to: &Version) -> Vec<String> {
    let scheme = policy.scheme();
    let mut out = Vec::new();
    for rule in policy.rules() {
        for (bound, key) in [(&rule.from, "from"), (&rule.until, "until")] {
            let Some(b) = bound else { continue };
            if scheme.compare(to, &b.value).is_lt() && scheme.compare(&b.value, from).is_le() {
                let state = if key == "from" {
                    "stops applying below it"
                } else {
                    "applies again below it"
                };
                out.push(format!(
                    "this downgrade crosses {}, where the policy changes: \"{}\" ({}) {state}; check that the fleet may run the older rules",
                    b.value,
                    rule.describe(),
                    rule.origin
                ));
            }
        }
    }
    out
}

/// The summary table: per component, what runs now and the target.
fn summary(policy: &Policy, cohorts: &[Cohort], target: &Version) -> Vec<Row> {
    let mut rows = Vec::new();
    for i in 0..policy.components().len() {
        let c = id(policy, i);
        let mut current: Vec<(Version, u64)> = Vec::new();
        for k in cohorts.iter().filter(|k| k.component == c) {
            match current.iter_mut().find(|(v, _)| *v == k.version) {
                Some((_, n)) => *n += k.size(),
                None => current.push((k.version.clone(), k.size())),
            }
        }
        if current.is_empty() {
            continue;
        }
        current.sort_by(|a, b| policy.scheme().compare(&a.0, &b.0));
        rows.push(Row {
            component: name(policy, c).to_string(),
            current,
            target: target.clone(),
        });
    }
    rows
}

/// Writes the group-level operations out as steps: one row per named instance, one counted
/// row per group of unnamed instances.
fn expand(policy: &Policy, initial: &[Cohort], ops: &[Op]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut versions: Vec<Version> = initial.iter().map(|c| c.version.clone()).collect();
    for op in ops {
        let (cohort, action, from, to, one_at_a_time, stopped, via, joint, why) = match op {
            Op::Verify(c, v, why) => {
                steps.push(Step {
                    action: Action::Verify,
                    component: name(policy, *c).to_string(),
                    component_id: *c,
                    from: None,
                    version: v.clone(),
                    instance: None,
                    count: initial
                        .iter()
                        .filter(|k| k.component == *c)
                        .map(Cohort::size)
                        .sum(),
                    one_at_a_time: false,
                    stopped: false,
                    via: None,
                    joint: false,
                    reason: why.text.clone(),
                    origin: why.origin.clone(),
                });
                continue;
            }
            Op::Stop(i, why) => (
                *i,
                Action::Stop,
                None,
                versions[*i].clone(),
                false,
                false,
                None,
                false,
                why,
            ),
            Op::Start(i, why) => (
                *i,
                Action::Start,
                None,
                versions[*i].clone(),
                false,
                false,
                None,
                false,
                why,
            ),
            Op::Move {
                cohort,
                from,
                to,
                one_at_a_time,
                stopped,
                why,
            } => {
                let action = if policy.scheme().compare(to, from).is_gt() {
                    Action::Upgrade
                } else {
                    Action::Downgrade
                };
                (
                    *cohort,
                    action,
                    Some(from.clone()),
                    to.clone(),
                    *one_at_a_time,
                    *stopped,
                    None,
                    false,
                    why,
                )
            }
            Op::Redeploy {
                cohort,
                from,
                to,
                via,
                joint,
                stopped,
                why,
            } => (
                *cohort,
                Action::Redeploy,
                Some(from.clone()),
                to.clone(),
                false,
                *stopped,
                Some(name(policy, *via).to_string()),
                *joint,
                why,
            ),
        };
        let k = &initial[cohort];
        let component = name(policy, k.component).to_string();
        let mut first = true;
        let mut row = |instance: Option<String>, count: u64, steps: &mut Vec<Step>| {
            steps.push(Step {
                action,
                component: component.clone(),
                component_id: k.component,
                from: from.clone(),
                version: to.clone(),
                instance,
                count,
                one_at_a_time: one_at_a_time && count > 1,
                stopped,
                via: via.clone(),
                // Every row of a managed redeploy belongs to the manager's move, and the
                // instances of a group that starts start together (one transition: starting
                // them one by one could leave a started instance beside a peer that only the
                // redeploy after the last start brings in line).
                joint: match action {
                    Action::Redeploy => joint,
                    Action::Start => !first,
                    _ => false,
                },
                reason: why.text.clone(),
                origin: why.origin.clone(),
            });
            first = false;
        };
        for n in &k.names {
            row(Some(n.clone()), 1, &mut steps);
        }
        if k.anonymous > 0 {
            row(None, k.anonymous, &mut steps);
        }
        versions[cohort] = to;
    }
    steps
}
