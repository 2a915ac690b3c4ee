//! One wave of a plan: every instance on the wrong side of one release moves to it,
//! component by component, with the stops, rolls and redeploys the policy requires, each
//! state checked with the runtime's fleet check.

use std::cmp::Ordering;

use compat_runtime::policy::{ComponentId, Form, Origin, Side, Upgrade};
use compat_runtime::{Instance, Peer, Policy, Refusal, Version};

use super::cluster_rule;
use crate::english::list_and;

/// A group of instances that moves together: a component at a version, running or
/// stopped, its named instances and how many unnamed ones.
#[derive(Debug, Clone)]
pub(super) struct Cohort {
    pub(super) component: ComponentId,
    pub(super) version: Version,
    pub(super) running: bool,
    pub(super) names: Vec<String>,
    pub(super) anonymous: u64,
}

impl Cohort {
    pub(super) fn size(&self) -> u64 {
        self.names.len() as u64 + self.anonymous
    }
}

/// A reason and its place.
#[derive(Debug, Clone)]
pub(super) struct Why {
    pub(super) text: String,
    pub(super) origin: Option<Origin>,
}

/// One group-level operation.
#[derive(Debug, Clone)]
pub(super) enum Op {
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
pub(super) enum Way {
    Up,
    Down,
}

/// A wave taken: the fleet after it, its operations, its warnings.
pub(super) type Wave = (Vec<Cohort>, Vec<Op>, Vec<String>);

/// Why a wave cannot be taken.
#[derive(Debug, Clone)]
pub(super) struct Blocked {
    pub(super) reason: String,
    pub(super) origin: Option<Origin>,
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
pub(super) fn brief(r: &Refusal) -> String {
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

/// The warning for the instances that stop while `mover` moves to `r`: the whole refusal
/// for one, and for several their names, then each rule once.
fn stop_warning(mover: &str, r: &Version, stopping: &[(String, Refusal)]) -> Option<String> {
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

pub(super) struct Planner<'a> {
    pub(super) policy: &'a Policy,
    pub(super) target: &'a Version,
    pub(super) releases: Vec<Version>,
}

pub(super) fn name(policy: &Policy, c: ComponentId) -> &str {
    policy.component_name(c)
}

pub(super) fn id(policy: &Policy, index: usize) -> ComponentId {
    policy
        .component(&policy.components()[index].name)
        .expect("a component of this policy")
}

/// The running component versions, once each.
pub(super) fn running_peers(cohorts: &[Cohort]) -> Vec<Peer> {
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
pub(super) fn refused(policy: &Policy, peers: &[Peer]) -> Option<Refusal> {
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
    pub(super) fn manager_of(&self, m: ComponentId, at: &Version) -> Option<(ComponentId, Why)> {
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
    pub(super) fn jump_blocked(
        &self,
        cohorts: &[Cohort],
        way: Way,
        r: &Version,
    ) -> Option<Blocked> {
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
    pub(super) fn wave(
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
            // Instances that the arriving versions would refuse stop first; one warning for
            // all of them.
            let mut stopping: Vec<(String, Refusal)> = Vec::new();
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
                    stopping.push((who(policy, k), refusal.clone()));
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
            if let Some(w) = stop_warning(name(policy, c), r, &stopping) {
                warnings.push(w);
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
