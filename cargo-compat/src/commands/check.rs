//! `check`: may these peers talk? The verdict for a pair, or every refused pair of a fleet,
//! for a person or (`--format json`) for a script.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cargo_compat::fleet_file::Fleet;
use compat_runtime::check::{Move, Named, Range, Reason, Route, Steps};
use compat_runtime::skew::Limit;
use compat_runtime::{Instance, Policy, Refusal};
use serde_json::{Value, json};

use super::{Format, PolicyArg, count, formats};
use crate::failure::{Failure, load, print_json};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    policy: PolicyArg,
    /// Output format. `json` prints one object on stdout, errors (exit 2) included.
    #[arg(long, default_value = "human", value_parser = formats(&["human", "json"]))]
    format: Format,
    /// A fleet file (fleet.toml) whose instances are checked too.
    #[arg(long, value_name = "FILE")]
    fleet: Option<PathBuf>,
    /// Peers as COMPONENT@VERSION; at least two, unless --fleet is given.
    #[arg(value_name = "COMPONENT@VERSION", required_unless_present = "fleet", num_args = 2..)]
    peers: Vec<String>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let format = args.format;
    let policy = match load(args.policy.path()) {
        Ok(p) => p,
        Err(failure) => return failure.report(format),
    };
    let (instances, texts) = match peers(&policy, args.fleet.as_deref(), &args.peers) {
        Ok(found) => found,
        Err(failure) => return failure.report(format),
    };
    let verdict = if let ([a, b], None) = (instances.as_slice(), &args.fleet) {
        Verdict::Pair(policy.check(&a.peer, &b.peer))
    } else {
        Verdict::Fleet(policy.check_fleet(&instances))
    };
    match format {
        Format::Json => print_json(&verdict.json(&policy, &texts)),
        _ => print!("{}", verdict.human(&policy, &texts)),
    }
    if verdict.compatible() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The instances to check, the fleet's first, and the labels that name them: a counted
/// group of a fleet is one instance to the check (which checks each pair of versions
/// once), labelled with how many it stands for.
fn peers(
    policy: &Policy,
    fleet: Option<&Path>,
    given: &[String],
) -> Result<(Vec<Instance>, Vec<String>), Failure> {
    let mut instances = Vec::new();
    let mut texts = given.to_vec();
    if let Some(file) = fleet {
        let f = Fleet::from_path(policy, file).map_err(|e| Failure::fleet(&e))?;
        for (m, i) in f.members.iter().zip(f.instances(policy)) {
            let peer = format!(
                "{}@{}",
                policy.component_name(m.peer.component),
                m.peer.version
            );
            texts.push(match (&m.name, m.count) {
                (Some(n), _) => format!("{n}={peer}"),
                (None, 1) => peer,
                (None, n) => format!("{peer} x{n}"),
            });
            let name = match m.count {
                1 => i.name.clone(),
                n => i.name.as_ref().map(|l| format!("{n} x {l}")),
            };
            instances.push(Instance { name, peer: i.peer });
        }
    }
    for text in given {
        let peer = policy
            .peer(text)
            .map_err(|e| Failure::usage(e.to_string()))?;
        instances.push(Instance { name: None, peer });
    }
    if instances.len() < 2 {
        return Err(Failure::usage(
            "give at least two peers, or a fleet with at least two instances (--fleet FILE)",
        ));
    }
    Ok((instances, texts))
}

enum Verdict {
    Pair(Result<compat_runtime::Agreement, Refusal>),
    Fleet(Vec<compat_runtime::Violation>),
}

fn reason_json(reason: &Reason) -> Value {
    json!({
        "origin": reason.origin.as_ref().map(|o| o.to_string()),
        "text": reason.text,
        "note": reason.note,
    })
}

/// A range as JSON: `to` (in prose), `lowest`, `at_most` and `below`.
fn range_fields(range: &Range) -> (Value, Value, Value, Value) {
    let (at_most, below) = match &range.limit {
        Some(Limit::AtMost(v)) => (Some(v.to_string()), None),
        Some(Limit::Below(v)) => (None, Some(v.to_string())),
        None => (None, None),
    };
    (
        json!(range.to_string()),
        json!(range.lowest.as_ref().map(ToString::to_string)),
        json!(at_most),
        json!(below),
    )
}

/// What `max-jump` imposes on a move, as JSON (see docs/commands.md).
fn steps_json(steps: &Steps) -> Value {
    let stops = match &steps.route {
        Route::OneStep => Some(Vec::new()),
        Route::Through(stops) => Some(stops.iter().map(ToString::to_string).collect()),
        _ => None,
    };
    json!({
        "max_jump": steps.max_jump.value.to_string(),
        "origin": steps.max_jump.origin.to_string(),
        "reach": (!steps.reach.is_empty()).then(|| steps.reach.to_string()),
        "count": steps.count(),
        "stops": stops,
        "reachable": !matches!(steps.route, Route::Never),
    })
}

fn move_json(m: &Move) -> Value {
    let (to, lowest, at_most, below) = range_fields(&m.to);
    json!({
        "action": match m.direction {
            compat_runtime::check::Direction::Upgrade => "upgrade",
            compat_runtime::check::Direction::Downgrade => "downgrade",
            compat_runtime::check::Direction::Redeploy => "redeploy",
        },
        "component": m.who.component,
        "from": m.who.version.to_string(),
        "to": to,
        "lowest": lowest,
        "at_most": at_most,
        "below": below,
        "via": m.via,
        "steps": m.steps.as_ref().map(steps_json),
    })
}

fn refusal_json(r: &Refusal) -> Value {
    json!({
        "kind": r.kind().as_str(),
        "subject": { "component": r.subject().component, "version": r.subject().version.to_string() },
        "other": { "component": r.other().component, "version": r.other().version.to_string() },
        "reason": r.to_string(),
        "rule": reason_json(r.reason()),
        "remedy": r.remedy(),
        "moves": r.moves().iter().map(move_json).collect::<Vec<_>>(),
    })
}

fn rule_of(policy: &Policy, agreement: &compat_runtime::Agreement) -> Option<Reason> {
    agreement.rule().map(|i| {
        let rule = &policy.rules()[i];
        Reason {
            origin: Some(rule.origin.clone()),
            text: rule.describe(),
            note: rule.note.clone(),
        }
    })
}

impl Verdict {
    fn compatible(&self) -> bool {
        match self {
            Verdict::Pair(r) => r.is_ok(),
            Verdict::Fleet(v) => v.is_empty(),
        }
    }

    fn json(&self, policy: &Policy, texts: &[String]) -> Value {
        match self {
            Verdict::Pair(Ok(agreement)) => {
                let rule = rule_of(policy, agreement);
                json!({
                    "compatible": true,
                    "peers": texts,
                    "reason": agreed_sentence(texts, rule.as_ref()),
                    "rule": rule.as_ref().map(reason_json),
                    "violations": [],
                })
            }
            Verdict::Pair(Err(refusal)) => {
                // The one violation's fields, also at the top level for convenience.
                let mut obj = refusal_json(refusal);
                obj["compatible"] = json!(false);
                obj["peers"] = json!(texts);
                let mut violation = refusal_json(refusal);
                violation["subjects"] = json!([label(refusal.subject())]);
                violation["others"] = json!([label(refusal.other())]);
                obj["violations"] = json!([violation]);
                obj
            }
            Verdict::Fleet(violations) => json!({
                "compatible": violations.is_empty(),
                "peers": texts,
                "reason": fleet_sentence(violations, instances_in(texts)),
                "violations": violations.iter().map(|v| {
                    let mut obj = refusal_json(&v.refusal);
                    obj["subjects"] = json!(v.subjects);
                    obj["others"] = json!(v.others);
                    obj
                }).collect::<Vec<_>>(),
            }),
        }
    }

    fn human(&self, policy: &Policy, texts: &[String]) -> String {
        match self {
            Verdict::Pair(Ok(agreement)) => {
                let rule = rule_of(policy, agreement);
                format!("compatible: {}\n", agreed_sentence(texts, rule.as_ref()))
            }
            Verdict::Pair(Err(refusal)) => refusal_human(refusal),
            Verdict::Fleet(violations) if violations.is_empty() => {
                format!(
                    "compatible: {}\n",
                    fleet_sentence(violations, instances_in(texts))
                )
            }
            Verdict::Fleet(violations) => {
                let mut out = format!(
                    "refused: {}\n",
                    fleet_sentence(violations, instances_in(texts))
                );
                for v in violations {
                    out.push('\n');
                    let row = refusal_human(&v.refusal);
                    let (first, rest) = row.split_once('\n').unwrap_or((&row, ""));
                    out.push_str(first);
                    out.push('\n');
                    let subjects = format!(
                        "{} of {}",
                        count(instances_in(&v.subjects), "instance", "instances"),
                        v.refusal.subject()
                    );
                    // A denied release is refused on its own: no other side.
                    if v.others.is_empty() {
                        out.push_str(&format!("  covers: {subjects}\n"));
                    } else {
                        out.push_str(&format!(
                            "  covers: {subjects}, {} of {}\n",
                            count(instances_in(&v.others), "instance", "instances"),
                            v.refusal.other(),
                        ));
                    }
                    out.push_str(rest);
                }
                out
            }
        }
    }
}

/// How many instances labels stand for: a counted fleet group is labelled `1200 x agent@0.8.1`
/// (or `agent@0.8.1 x1200` among the peers), anything else is one instance.
fn instances_in(labels: &[String]) -> usize {
    labels
        .iter()
        .map(|l| {
            let lead = l.split_once(" x ").and_then(|(n, _)| n.parse().ok());
            let tail = l.rsplit_once(" x").and_then(|(_, n)| n.parse().ok());
            lead.or(tail).unwrap_or(1)
        })
        .sum()
}

/// `all 5 instances may talk to each other`, `3 pairs of versions in this fleet may not talk`.
fn fleet_sentence(violations: &[compat_runtime::Violation], instances: usize) -> String {
    if violations.is_empty() {
        format!("all {instances} instances may talk to each other")
    } else {
        format!(
            "{} of versions in this fleet may not talk",
            count(violations.len(), "pair", "pairs")
        )
    }
}

fn agreed_sentence(texts: &[String], rule: Option<&Reason>) -> String {
    let pair = texts.join(" and ");
    match rule {
        Some(reason) => match &reason.origin {
            Some(origin) => format!("{pair} may talk: {} ({origin})", reason.text),
            None => format!("{pair} may talk: {}", reason.text),
        },
        None => {
            format!("{pair} may talk: no rule relates these components, so nothing constrains them")
        }
    }
}

fn refusal_human(r: &Refusal) -> String {
    let what = match r.kind() {
        compat_runtime::RefusalKind::TooOld => {
            format!("{} is too old for {}", r.subject(), r.other())
        }
        compat_runtime::RefusalKind::TooNew => {
            format!("{} is too new for {}", r.subject(), r.other())
        }
        compat_runtime::RefusalKind::Unstable => {
            format!(
                "{} is an unstable release and {} is not the identical version",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::PreRelease => {
            format!(
                "{} is a pre-release and may not talk to {}",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::BelowFloor => {
            format!(
                "{} is below the minimum supported version (talking to {})",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::Unsupported => {
            format!(
                "{} is outside the support window (talking to {})",
                r.subject(),
                r.other()
            )
        }
        compat_runtime::RefusalKind::Denied => r.headline(),
        kind => format!("{} and {}: {kind}", r.subject(), r.other()),
    };
    let mut out = format!("refused: {what}\n");
    let reason = r.reason();
    match &reason.origin {
        Some(origin) => out.push_str(&format!("  rule: {} ({origin})\n", reason.text)),
        None => out.push_str(&format!("  rule: {}\n", reason.text)),
    }
    if let Some(note) = &reason.note {
        out.push_str(&format!("  note: \"{note}\"\n"));
    }
    for (i, m) in r.moves().iter().enumerate() {
        let lead = if i == 0 { "  fix:  " } else { "    or  " };
        out.push_str(&format!("{lead}{m}\n"));
    }
    out
}

/// `agent@0.9.3`, as a fleet labels an unnamed instance.
fn label(named: &Named) -> String {
    format!("{}@{}", named.component, named.version)
}
