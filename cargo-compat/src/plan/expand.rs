//! Writing a plan out: the summary table, and the group-level operations as steps (one row
//! per named instance, one counted row per group of unnamed instances).

use compat_runtime::{Policy, Version};

use super::wave::{Cohort, Op, id, name};
use super::{Action, Row, Step};

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
