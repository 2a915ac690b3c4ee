//! A plan as people and scripts read it: text (a kubeadm-like table, then the steps), JSON
//! and Markdown, with the same facts in each.
//!
//! Text and Markdown give a reason once, at the first step it explains: the steps that
//! follow for the same reason (the other instances of a rolling move, say) do not repeat it.
//! JSON gives every step its reason.

use std::fmt::Write as _;

use serde_json::{Value, json};

use compat_runtime::Version;

use super::steps::{Action, Direction, Plan, Row, Step, releases_words};
use crate::english::capital;

/// `server-a (server)`, `1200 agent instances, one at a time`, `server`.
fn subject(step: &Step) -> String {
    let stopped = if step.stopped { ", stopped" } else { "" };
    match &step.instance {
        Some(name) => format!("{name} ({}{stopped})", step.component),
        None if step.action == Action::Verify => step.component.clone(),
        None if step.count == 1 && step.stopped => format!("{} (stopped)", step.component),
        None if step.count == 1 => step.component.clone(),
        None if step.stopped => format!("{} stopped {} instances", step.count, step.component),
        None => format!("{} {} instances", step.count, step.component),
    }
}

/// The step in one line, without its reason.
pub fn describe(step: &Step) -> String {
    let who = subject(step);
    match step.action {
        Action::Upgrade | Action::Downgrade => {
            let from = step
                .from
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let rolling = if step.one_at_a_time {
                ", one at a time"
            } else {
                ""
            };
            format!(
                "{} {who} from {from} to {}{rolling}",
                step.action, step.version
            )
        }
        Action::Redeploy => {
            let from = step
                .from
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!(
                "redeploy {who} from {from} to {}, by {}",
                step.version,
                step.via.as_deref().unwrap_or("its manager")
            )
        }
        Action::Stop => format!("stop {who} at {}", step.version),
        Action::Start => format!("start {who} at {}", step.version),
        Action::Verify => {
            // The reason says what waits for the check: "... before agent moves".
            let before = step
                .reason
                .rsplit_once(" before ")
                .map(|(_, next)| format!(" before {next}"))
                .unwrap_or_default();
            format!("verify {who} at {} is healthy{before}", step.version)
        }
    }
}

/// What a plan assumes of a fleet given by its version alone, and how to give the real one;
/// `tick` quotes the flags (Markdown's backtick, or nothing).
fn assumption(assumed: &str, tick: &str) -> String {
    format!(
        "{assumed} ({tick}--from{tick} gives a version, not a fleet); for the instances you run, and where a single one means downtime, pass {tick}--fleet FILE{tick} (docs/fleet.md)"
    )
}

fn title(plan: &Plan) -> String {
    match plan.direction {
        Direction::Up => format!("upgrade to {}", plan.target),
        Direction::Down => format!("downgrade to {}", plan.target),
        Direction::Both => format!("move to {}", plan.target),
        Direction::None => format!("nothing to do: every instance already runs {}", plan.target),
    }
}

fn current(row: &Row) -> String {
    row.current
        .iter()
        .map(|(v, n)| {
            if *n == 1 {
                v.to_string()
            } else {
                format!("{v} x{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each step's reason, or `None` where an earlier step already gave the same one or the
/// step says it all (a health check). Without `wave` notes: those go in the wave's heading.
fn first_reasons(steps: &[Step]) -> Vec<Option<&str>> {
    let mut given = std::collections::BTreeSet::new();
    steps
        .iter()
        .map(|s| {
            let why = wave_note(s).map_or(s.reason.as_str(), |(head, _)| head);
            (s.action != Action::Verify && given.insert(why)).then_some(why)
        })
        .collect()
}

/// A move's reason split into its own part and the wave's: `7.1.2 is a step on the way to
/// 8.1.0: ...`, which every move of an intermediate wave carries.
fn wave_note(step: &Step) -> Option<(&str, &str)> {
    let marker = format!("; {} is a step on the way to ", step.version);
    let at = step.reason.find(&marker)?;
    Some((&step.reason[..at], &step.reason[at + 2..]))
}

/// Where each wave starts, when there are several or a repair comes first: the index of its
/// first step (the stops before its first move belong to it) and its heading.
fn wave_heads(plan: &Plan) -> Vec<(usize, String)> {
    let repaired = plan.repair.as_ref().map_or(0, |r| r.steps);
    if plan.waves.len() < 2 && repaired == 0 {
        return Vec::new();
    }
    let moves = |s: &Step| {
        matches!(
            s.action,
            Action::Upgrade | Action::Downgrade | Action::Redeploy
        )
    };
    let mut heads = Vec::new();
    if repaired > 0 {
        heads.push((
            0,
            format!(
                "repair: the instances in a refused pair move toward {}",
                plan.target
            ),
        ));
    }
    let mut from = repaired;
    // Moving down to a release then up to it (a fleet on both sides) is two waves to one
    // version: the second starts where the action turns.
    let mut last: Option<(&Version, Action)> = None;
    for (k, r) in plan.waves.iter().enumerate() {
        let Some(first) = plan.steps[from..]
            .iter()
            .position(|s| {
                moves(s)
                    && s.version == *r
                    && last.is_none_or(|(v, a)| {
                        v != r || (s.action != a && s.action != Action::Redeploy)
                    })
            })
            .map(|p| p + from)
        else {
            continue;
        };
        last = Some((r, plan.steps[first].action));
        let mut start = first;
        while start > from && plan.steps[start - 1].action == Action::Stop {
            start -= 1;
        }
        let prefix = format!("{r} is ");
        let note = wave_note(&plan.steps[first]).map_or(String::new(), |(_, n)| {
            format!(", {}", n.strip_prefix(&prefix).unwrap_or(n))
        });
        let way = match plan.steps[first].action {
            Action::Downgrade => "down",
            _ => "up",
        };
        heads.push((
            start,
            format!("wave {} of {}: {way} to {r}{note}", k + 1, plan.waves.len()),
        ));
        from = first + 1;
    }
    heads
}

/// ` (with step 3)` for a step that is part of the one before it.
fn joints(steps: &[Step]) -> Vec<String> {
    let mut lead = 0;
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            if step.joint {
                format!(" (with step {lead})")
            } else {
                lead = i + 1;
                String::new()
            }
        })
        .collect()
}

/// The plan for people: the summary table, warnings, the numbered steps (each reason once),
/// then the one step to take next.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "plan: {}", title(plan));
    let _ = writeln!(out, "releases: {}", releases_words(&plan.releases));
    if let Some(assumed) = plan.assumed {
        let _ = writeln!(out, "assumed: {}", assumption(assumed, ""));
    }
    if plan.waves.len() > 1 {
        let waves: Vec<String> = plan.waves.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "through: {}", waves.join(" -> "));
    }
    out.push('\n');
    let width = plan
        .rows
        .iter()
        .map(|r| r.component.len())
        .max()
        .unwrap_or(0)
        .max("COMPONENT".len());
    let cur_width = plan
        .rows
        .iter()
        .map(|r| current(r).len())
        .max()
        .unwrap_or(0)
        .max("CURRENT".len());
    let _ = writeln!(
        out,
        "{:width$}  {:cur_width$}  TARGET",
        "COMPONENT", "CURRENT"
    );
    for row in &plan.rows {
        let _ = writeln!(
            out,
            "{:width$}  {:cur_width$}  {}",
            row.component,
            current(row),
            row.target
        );
    }
    for w in &plan.warnings {
        let _ = write!(out, "\nwarning: {w}\n");
    }
    let Some(first) = plan.steps.first() else {
        return out;
    };
    out.push_str("\nsteps:\n");
    let digits = plan.steps.len().to_string().len();
    let pad = " ".repeat(digits + 2);
    let reasons = first_reasons(&plan.steps);
    let heads = wave_heads(plan);
    for (i, ((step, with), why)) in plan
        .steps
        .iter()
        .zip(joints(&plan.steps))
        .zip(reasons)
        .enumerate()
    {
        if let Some((_, head)) = heads.iter().find(|(at, _)| *at == i) {
            let _ = writeln!(out, "{head}");
        }
        let _ = writeln!(out, "{:>digits$}. {}{with}", i + 1, describe(step));
        if let Some(why) = why {
            let _ = writeln!(out, "{pad}why: {why}");
        }
    }
    let _ = writeln!(
        out,
        "\nnext: {} (step 1 of {})",
        describe(first),
        plan.steps.len()
    );
    out
}

/// The plan for scripts: an object with `steps`, each with `action`, `component`,
/// `version`, `instance` (where named), `reason` and `origin`; `releases`, each with its
/// `version` and the `sources` that name it; and `assumed`, what the plan assumes of a fleet
/// given by `--from` (`"one instance per component"`), or `null` for a fleet file; and
/// `repair`, for a fleet that already breaks the policy, how many of the first `steps`
/// repair it and the pairs it `broken` (else `null`).
pub fn json(plan: &Plan) -> Value {
    json!({
        "target": plan.target.to_string(),
        "direction": match plan.direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
            Direction::Both => "both",
            Direction::None => "none",
        },
        "nothing_to_do": plan.steps.is_empty(),
        "releases": plan.releases.iter().map(|r| json!({
            "version": r.version.to_string(),
            "sources": r.sources,
        })).collect::<Vec<_>>(),
        "assumed": plan.assumed,
        "repair": plan.repair.as_ref().map(|r| json!({
            "steps": r.steps,
            "broken": r.broken,
        })),
        "waves": plan.waves.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "components": plan.rows.iter().map(|r| json!({
            "component": r.component,
            "current": r.current.iter().map(|(v, n)| json!({"version": v.to_string(), "count": n})).collect::<Vec<_>>(),
            "target": r.target.to_string(),
        })).collect::<Vec<_>>(),
        "warnings": plan.warnings,
        "steps": plan.steps.iter().enumerate().map(|(i, s)| json!({
            "number": i + 1,
            "action": s.action.as_str(),
            "component": s.component,
            "version": s.version.to_string(),
            "from": s.from.as_ref().map(ToString::to_string),
            "instance": s.instance,
            "count": s.count,
            "one_at_a_time": s.one_at_a_time,
            "stopped": s.stopped,
            "via": s.via,
            "joint": s.joint,
            "reason": s.reason,
            "origin": s.origin.as_ref().map(ToString::to_string),
        })).collect::<Vec<_>>(),
    })
}

/// The plan as a Markdown section, for a change ticket or a runbook.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let t = capital(&title(plan));
    let _ = writeln!(out, "## {t}\n");
    let _ = writeln!(out, "Releases: {}.\n", releases_words(&plan.releases));
    if let Some(assumed) = plan.assumed {
        let _ = writeln!(out, "Assumed: {}.\n", assumption(assumed, "`"));
    }
    out.push_str("| component | current | target |\n|---|---|---|\n");
    for row in &plan.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            row.component,
            current(row),
            row.target
        );
    }
    for w in &plan.warnings {
        let _ = write!(out, "\n> **Warning:** {w}\n");
    }
    if !plan.steps.is_empty() {
        out.push('\n');
    }
    let reasons = first_reasons(&plan.steps);
    let heads = wave_heads(plan);
    for (i, ((step, with), why)) in plan
        .steps
        .iter()
        .zip(joints(&plan.steps))
        .zip(reasons)
        .enumerate()
    {
        if let Some((_, head)) = heads.iter().find(|(at, _)| *at == i) {
            let _ = writeln!(out, "\n**{}**\n", capital(head));
        }
        match why {
            Some(why) => {
                let _ = writeln!(out, "{}. {}{with}  \n   {why}", i + 1, describe(step));
            }
            None => {
                let _ = writeln!(out, "{}. {}{with}", i + 1, describe(step));
            }
        }
    }
    out
}
