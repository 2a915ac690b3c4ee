//! Worked examples: a plan for an example fleet, in the runbook's words.

use std::fmt::Write as _;

use compat_runtime::policy::{Form, Side};
use compat_runtime::skew::Skew;
use compat_runtime::{Peer, Version};

use super::context::Guide;
use super::runbook::{runbook, subjects};
use crate::english::{list_and, plural, sentence};
use crate::fleet_file::{Fleet, Member};
use crate::plan::{Action, Plan, PlanError, Request, Step, plan};
use crate::releases::Releases;

/// The fleet of a worked example: three unnamed instances of every component at `at`,
/// and one of each manager (an operator that deploys agents runs once).
pub(super) fn example_fleet(g: &Guide<'_>, at: &Version) -> Fleet {
    let manages = |name: &str| {
        g.policy
            .rules()
            .iter()
            .any(|r| r.form.value == Form::Managed && r.peer.value == Side::Named(name.to_string()))
    };
    Fleet {
        source: "example".into(),
        members: g
            .policy
            .components()
            .iter()
            .filter_map(|c| {
                Some(Member {
                    name: None,
                    peer: Peer {
                        component: g.id(&c.name)?,
                        version: at.clone(),
                    },
                    count: if manages(&c.name) { 1 } else { 3 },
                    origin: compat_runtime::policy::Origin::code(),
                })
            })
            .collect(),
    }
}

pub(super) fn planned(
    g: &Guide<'_>,
    from: &Version,
    to: &Version,
    extra: &[Version],
) -> Result<Plan, String> {
    let releases = Releases {
        versions: g.releases.to_vec(),
        source: "releases".into(),
    }
    .with(g.policy, extra.iter().cloned());
    plan(
        g.policy,
        &example_fleet(g, from),
        &Request::to(to.clone()).through(releases),
    )
    .map_err(|e| match e {
        // The guide's sentences say there is no plan; the reason follows, not "no plan" again.
        PlanError::NoPlan { reason, .. } => reason,
        e => e.to_string(),
    })
}

/// From the newest release of the line before the newest release's (one the policy denies
/// to no component), to the newest.
pub(super) fn example_upgrade(g: &Guide<'_>) -> Option<(Version, Version)> {
    let to = g.newest()?.clone();
    let scheme = g.policy.scheme();
    let jump = g
        .policy
        .upgrade_at(&to)
        .and_then(|u| u.max_jump.as_ref())
        .map(|j| j.value);
    let line = |x: &Version| match jump {
        Some(Skew::Major(_)) => (scheme.major_line(x), 0),
        _ => (scheme.major_line(x), x.minor),
    };
    let from = g.releases.iter().rev().find(|x| {
        line(x) != line(&to) && !g.denied_somewhere(x) && planned(g, x, &to, &[]).is_ok()
    })?;
    Some((from.clone(), to))
}

/// A worked plan, in the guide's words.
pub(super) fn example(
    g: &Guide<'_>,
    out: &mut String,
    from: &Version,
    to: &Version,
    title: &str,
    extra: &[Version],
) {
    let _ = writeln!(out, "\n### {title} from {from} to {to}\n");
    match planned(g, from, to, extra) {
        Ok(plan) => {
            let lines = runbook(&plan);
            // The stop lines say why each stops: the note only points at them.
            let (zero, others): (Vec<&String>, Vec<&String>) = plan
                .warnings
                .iter()
                .partition(|w| w.starts_with("zero downtime is impossible: "));
            let stops: Vec<String> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.starts_with("Stop "))
                .map(|(n, _)| (n + 1).to_string())
                .collect();
            match (zero.as_slice(), stops.as_slice()) {
                ([], _) => {}
                (_, []) => {
                    for w in &zero {
                        let _ = writeln!(out, "> **Note:** {}\n", sentence(w));
                    }
                }
                (_, where_) => {
                    let mut stopped: Vec<&Step> = Vec::new();
                    for s in plan.steps.iter().filter(|s| s.action == Action::Stop) {
                        if !stopped.iter().any(|x| x.component == s.component) {
                            stopped.push(s);
                        }
                    }
                    let n = where_.len() as u64;
                    let (steps, say) = (plural(n, "step", "steps"), plural(n, "says", "say"));
                    let _ = writeln!(
                        out,
                        "> **Note:** Zero downtime is impossible: {} stop ({steps} {} {say} why).\n",
                        subjects(&stopped),
                        list_and(where_)
                    );
                }
            }
            for w in others {
                let _ = writeln!(out, "> **Note:** {}\n", sentence(w));
            }
            if plan.waves.len() > 1 {
                let waves: Vec<String> = plan.waves.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "The move goes through {}.\n", waves.join(", then "));
            }
            for (i, line) in lines.iter().enumerate() {
                let _ = writeln!(out, "{}. {line}", i + 1);
            }
        }
        Err(e) => {
            let _ = writeln!(out, "There is no such plan: {e}");
        }
    }
}
