//! Writing a plan out: the summary table, and the group-level operations as steps (one row
//! per named instance, one counted row per group of unnamed instances).

use compat_runtime::policy::ComponentId;
use compat_runtime::{Policy, Version};

use super::cohort::{Cohort, id, name};
use super::op::{Op, Why};
use super::steps::{Action, Row, Step};

/// The summary table: per component, what runs now and the target.
pub(super) fn summary(policy: &Policy, cohorts: &[Cohort], target: &Version) -> Vec<Row> {
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
/// row per move of unnamed instances. Groups that make the same move (a component from one
/// version to another, the same way) are written as one: their named instances, then one
/// row with all their unnamed ones. The first `part` operations (a repair) are written
/// apart from the rest; with the steps comes how many they are.
pub(super) fn expand(
    policy: &Policy,
    initial: &[Cohort],
    ops: &[Op],
    part: usize,
) -> (Vec<Step>, usize) {
    let mut steps: Vec<Step> = Vec::new();
    let mut run: Vec<Rows> = Vec::new();
    let mut versions: Vec<Version> = initial.iter().map(|c| c.version.clone()).collect();
    let mut first_part = 0;
    for (n, op) in ops.iter().enumerate() {
        if n == part {
            flush(policy, initial, &mut run, &mut steps);
            first_part = steps.len();
        }
        let Some(rows) = Rows::of(policy, op, &versions) else {
            flush(policy, initial, &mut run, &mut steps);
            if let Op::Verify(c, v, why) = op {
                steps.push(verify(policy, initial, *c, v, why));
            }
            continue;
        };
        versions[rows.cohorts[0]] = rows.to.clone();
        if run.first().is_some_and(|r| r.action != rows.action) {
            flush(policy, initial, &mut run, &mut steps);
        }
        // Stops (or starts) of one component version within a run are one transition,
        // whatever lies between them; moves only when they follow each other.
        let same = match rows.action {
            Action::Stop | Action::Start => run.iter_mut().find(|r| r.same_move(&rows, initial)),
            _ => run.last_mut().filter(|r| r.same_move(&rows, initial)),
        };
        match same {
            Some(r) => r.cohorts.extend(rows.cohorts),
            None => run.push(rows),
        }
    }
    flush(policy, initial, &mut run, &mut steps);
    if part >= ops.len() {
        first_part = steps.len();
    }
    (steps, first_part)
}

/// Writes a run of operations out and empties it.
fn flush(policy: &Policy, initial: &[Cohort], run: &mut Vec<Rows>, steps: &mut Vec<Step>) {
    for rows in run.drain(..) {
        rows.write(policy, initial, steps);
    }
}

/// The step of a health check: it covers every instance of the component.
fn verify(policy: &Policy, initial: &[Cohort], c: ComponentId, v: &Version, why: &Why) -> Step {
    Step {
        action: Action::Verify,
        component: name(policy, c).to_string(),
        component_id: c,
        from: None,
        version: v.clone(),
        instance: None,
        count: initial
            .iter()
            .filter(|k| k.component == c)
            .map(Cohort::size)
            .sum(),
        one_at_a_time: false,
        stopped: false,
        via: None,
        joint: false,
        reason: why.text.clone(),
        origin: why.origin.clone(),
    }
}

/// What every row written for one operation on groups of instances shares.
struct Rows<'a> {
    cohorts: Vec<usize>,
    action: Action,
    from: Option<Version>,
    to: Version,
    one_at_a_time: bool,
    stopped: bool,
    via: Option<String>,
    joint: bool,
    why: &'a Why,
}

impl<'a> Rows<'a> {
    fn new(cohort: usize, action: Action, to: Version, why: &'a Why) -> Self {
        Rows {
            cohorts: vec![cohort],
            action,
            from: None,
            to,
            one_at_a_time: false,
            stopped: false,
            via: None,
            joint: false,
            why,
        }
    }

    /// The rows of an operation on a group, given the version each group runs; `None` for a
    /// health check, which covers a component rather than a group.
    fn of(policy: &Policy, op: &'a Op, versions: &[Version]) -> Option<Self> {
        Some(match op {
            Op::Verify(..) => return None,
            Op::Stop(i, why) => Rows::new(*i, Action::Stop, versions[*i].clone(), why),
            Op::Start(i, why) => Rows::new(*i, Action::Start, versions[*i].clone(), why),
            Op::Move {
                cohort,
                from,
                to,
                one_at_a_time,
                stopped,
                why,
            } => Rows {
                from: Some(from.clone()),
                one_at_a_time: *one_at_a_time,
                stopped: *stopped,
                ..Rows::new(*cohort, action_of(policy, from, to), to.clone(), why)
            },
            Op::Redeploy {
                cohort,
                from,
                to,
                via,
                joint,
                stopped,
                why,
            } => Rows {
                from: Some(from.clone()),
                stopped: *stopped,
                via: Some(name(policy, *via).to_string()),
                joint: *joint,
                ..Rows::new(*cohort, Action::Redeploy, to.clone(), why)
            },
        })
    }

    /// Whether `other` makes the same move: the same component, from and to the same
    /// versions, the same way.
    fn same_move(&self, other: &Rows<'_>, initial: &[Cohort]) -> bool {
        initial[self.cohorts[0]].component == initial[other.cohorts[0]].component
            && (
                &self.action,
                &self.from,
                &self.to,
                self.one_at_a_time,
                self.stopped,
            ) == (
                &other.action,
                &other.from,
                &other.to,
                other.one_at_a_time,
                other.stopped,
            )
            && (&self.via, self.joint) == (&other.via, other.joint)
    }

    /// One row per named instance of the groups, then one counted row for all their unnamed
    /// ones.
    fn write(&self, policy: &Policy, initial: &[Cohort], steps: &mut Vec<Step>) {
        let c = initial[self.cohorts[0]].component;
        let component = name(policy, c).to_string();
        let mut first = true;
        let mut row = |instance: Option<String>, count: u64, steps: &mut Vec<Step>| {
            steps.push(Step {
                action: self.action,
                component: component.clone(),
                component_id: c,
                from: self.from.clone(),
                version: self.to.clone(),
                instance,
                count,
                one_at_a_time: self.one_at_a_time && count > 1,
                stopped: self.stopped,
                via: self.via.clone(),
                // Every row of a managed redeploy belongs to the manager's move (or, on its
                // own, to its first row: a manager redeploys what it manages at once), and
                // the instances of a group that starts start together (one transition:
                // starting them one by one could leave a started instance beside a peer that
                // only the redeploy after the last start brings in line).
                joint: match self.action {
                    Action::Redeploy => self.joint || !first,
                    Action::Start => !first,
                    _ => false,
                },
                reason: self.why.text.clone(),
                origin: self.why.origin.clone(),
            });
            first = false;
        };
        let groups = || self.cohorts.iter().map(|&i| &initial[i]);
        for n in groups().flat_map(|k| &k.names) {
            row(Some(n.clone()), 1, steps);
        }
        let anonymous: u64 = groups().map(|k| k.anonymous).sum();
        if anonymous > 0 {
            row(None, anonymous, steps);
        }
    }
}

/// A move's action: up or down.
fn action_of(policy: &Policy, from: &Version, to: &Version) -> Action {
    if policy.scheme().compare(to, from).is_gt() {
        Action::Upgrade
    } else {
        Action::Downgrade
    }
}
