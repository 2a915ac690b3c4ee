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
/// row per group of unnamed instances.
pub(super) fn expand(policy: &Policy, initial: &[Cohort], ops: &[Op]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut versions: Vec<Version> = initial.iter().map(|c| c.version.clone()).collect();
    for op in ops {
        let rows = match op {
            Op::Verify(c, v, why) => {
                steps.push(verify(policy, initial, *c, v, why));
                continue;
            }
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
                action: if policy.scheme().compare(to, from).is_gt() {
                    Action::Upgrade
                } else {
                    Action::Downgrade
                },
                from: Some(from.clone()),
                one_at_a_time: *one_at_a_time,
                stopped: *stopped,
                ..Rows::new(*cohort, Action::Upgrade, to.clone(), why)
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
        };
        rows.write(policy, &initial[rows.cohort], &mut steps);
        versions[rows.cohort] = rows.to;
    }
    steps
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

/// What every row written for one operation on a group shares.
struct Rows<'a> {
    cohort: usize,
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
            cohort,
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

    /// One row per named instance of `k`, then one counted row for its unnamed ones.
    fn write(&self, policy: &Policy, k: &Cohort, steps: &mut Vec<Step>) {
        let component = name(policy, k.component).to_string();
        let mut first = true;
        let mut row = |instance: Option<String>, count: u64, steps: &mut Vec<Step>| {
            steps.push(Step {
                action: self.action,
                component: component.clone(),
                component_id: k.component,
                from: self.from.clone(),
                version: self.to.clone(),
                instance,
                count,
                one_at_a_time: self.one_at_a_time && count > 1,
                stopped: self.stopped,
                via: self.via.clone(),
                // Every row of a managed redeploy belongs to the manager's move, and the
                // instances of a group that starts start together (one transition: starting
                // them one by one could leave a started instance beside a peer that only the
                // redeploy after the last start brings in line).
                joint: match self.action {
                    Action::Redeploy => self.joint,
                    Action::Start => !first,
                    _ => false,
                },
                reason: self.why.text.clone(),
                origin: self.why.origin.clone(),
            });
            first = false;
        };
        for n in &k.names {
            row(Some(n.clone()), 1, steps);
        }
        if k.anonymous > 0 {
            row(None, k.anonymous, steps);
        }
    }
}
