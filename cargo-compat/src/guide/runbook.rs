//! A worked plan as runbook lines, as concise as the seed documents' procedures.

use crate::english::{list_and, plural, sentence};
use crate::plan::{Action, Direction, Plan, Step};

/// `the `server` instances`, or `` `operator` `` for the one instance of a manager.
fn subject(s: &Step) -> String {
    if s.count == 1 {
        format!("`{}`", s.component)
    } else {
        format!("the `{}` instances", s.component)
    }
}

/// Several subjects in one: `the `tsh` and `tctl` instances`.
pub(super) fn subjects(steps: &[&Step]) -> String {
    if steps.iter().all(|s| s.count > 1) {
        let names: Vec<String> = steps.iter().map(|s| format!("`{}`", s.component)).collect();
        format!("the {} instances", list_and(&names))
    } else {
        list_and(&steps.iter().map(|s| subject(s)).collect::<Vec<_>>())
    }
}

/// `Check that every `server` instance at 0.9.3 is healthy before the `agent` instances move.`
fn verify_words(s: &Step) -> String {
    format!(
        "Check that every `{}` instance at {} is healthy before the `{}` instances move.",
        s.component,
        s.version,
        s.reason
            .rsplit_once(" before ")
            .map_or("next", |(_, next)| next.trim_end_matches(" moves"))
    )
}

/// How a move goes: `, one at a time`, ` together`, or nothing for a single instance.
fn pace(s: &Step) -> &'static str {
    match (s.one_at_a_time, s.count) {
        (true, _) => ", one at a time",
        (false, 1) => "",
        (false, _) => " together",
    }
}

/// `Upgrade`, `Downgrade`, ...: the step's action starting a line.
fn verb(s: &Step) -> String {
    sentence(s.action.as_str())
}

/// A move of running, unnamed instances: one that several components may share a line for.
fn plain_move(s: &Step) -> bool {
    matches!(s.action, Action::Upgrade | Action::Downgrade) && !s.stopped && s.instance.is_none()
}

/// A worked plan as runbook lines, as concise as the seed documents' procedures: three or
/// more components that move alike in one line (with their health checks), stops with the
/// same cause together and each rule once, a stopped move with its start, a managed
/// redeploy with its manager's move.
pub(super) fn runbook(plan: &Plan) -> Vec<String> {
    let steps = &plan.steps;
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let s = &steps[i];
        let (line, next) = match s.action {
            Action::Stop if stops_to_move(steps, i) => stopped_move(steps, i),
            Action::Stop => stops(steps, i),
            Action::Upgrade | Action::Downgrade if plain_move(s) => plain_moves(steps, i),
            Action::Upgrade | Action::Downgrade => move_and_start(steps, i),
            Action::Redeploy => {
                let words = redeploy_words(plan, s);
                match lines.last_mut() {
                    Some(l) if s.joint => {
                        l.push(' ');
                        l.push_str(&words);
                    }
                    _ => lines.push(words),
                }
                i += 1;
                continue;
            }
            Action::Start => (format!("Start {} at {}.", subject(s), s.version), i + 1),
            Action::Verify => (verify_words(s), i + 1),
        };
        lines.push(line);
        i = next;
    }
    lines
}

/// Whether the stop at `i` is a component stopping to move (`rolling = false`): its move
/// while stopped and its start follow.
fn stops_to_move(steps: &[Step], i: usize) -> bool {
    let s = &steps[i];
    steps.get(i + 1).is_some_and(|n| {
        n.stopped
            && n.component == s.component
            && matches!(n.action, Action::Upgrade | Action::Downgrade)
    }) && steps
        .get(i + 2)
        .is_some_and(|n| n.action == Action::Start && n.component == s.component)
        && !s.reason.starts_with("stop before ")
}

/// A component that stops to move, in one line as the seeds' "restart the server"; the
/// line and the step after its starts.
fn stopped_move(steps: &[Step], i: usize) -> (String, usize) {
    let s = &steps[i];
    let moved = &steps[i + 1];
    let mut next = i + 2;
    while steps
        .get(next)
        .is_some_and(|n| n.action == Action::Start && n.component == s.component)
    {
        next += 1;
    }
    let why = match (
        s.reason.split_once(" stop, move and start together ("),
        s.reason.split_once(" stop together: "),
    ) {
        (Some((_, paren)), _) => format!(" ({paren}"),
        (None, Some((_, why))) => format!(": {why}"),
        (None, None) => format!(": {}", s.reason),
    };
    let them = plural(s.count, "it", "them");
    let line = format!(
        "Stop {} (at {}), {} {them} to {} and start {them}, all together{why}.",
        subject(s),
        s.version,
        moved.action,
        moved.version
    );
    (line, next)
}

/// What a stop is for: `stop before server moves to 1.2.0` for the stops a move needs,
/// else its whole reason.
fn stop_cause(x: &Step) -> String {
    x.reason
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("stop before "))
        .map_or(x.reason.clone(), |(head, _)| head.to_string())
}

/// Stops for the same move (or the same reason) in one line; the line and the step after
/// them.
fn stops(steps: &[Step], i: usize) -> (String, usize) {
    let s = &steps[i];
    let cause = stop_cause(s);
    let mut group = vec![s];
    while let Some(n) = steps.get(i + group.len()) {
        if n.action == Action::Stop && n.version == s.version && stop_cause(n) == cause {
            group.push(n);
        } else {
            break;
        }
    }
    let line = match cause.strip_prefix("stop ") {
        Some(head) => format!(
            "Stop {} (at {}) {head}: {}.",
            subjects(&group),
            s.version,
            refusals(&group)
        ),
        None => format!(
            "Stop {} (at {}): {}.",
            subjects(&group),
            s.version,
            s.reason
        ),
    };
    (line, i + group.len())
}

/// `a 1 and b 1 may not talk to c 2: rule`: the refusals behind stops, once per rule with
/// every subject.
fn refusals(group: &[&Step]) -> String {
    let mut rests: Vec<(Vec<String>, &str)> = Vec::new();
    for g in group {
        let rest = g.reason.split_once(": ").map_or("", |(_, r)| r);
        let (who, tail) = rest.split_once(" may not talk to ").unwrap_or((rest, ""));
        match rests.iter_mut().find(|(_, t)| *t == tail && !t.is_empty()) {
            Some((whom, _)) => whom.push(who.to_string()),
            None => rests.push((vec![who.to_string()], tail)),
        }
    }
    let rests: Vec<String> = rests
        .iter()
        .map(|(whom, tail)| match *tail {
            "" => list_and(whom),
            t => format!("{} may not talk to {t}", list_and(whom)),
        })
        .collect();
    rests.join("; ")
}

/// Components that move alike, each checked before the next, in one line; the line and
/// the step after it.
fn plain_moves(steps: &[Step], i: usize) -> (String, usize) {
    let s = &steps[i];
    let (group, last_verify, next) = alike(steps, i);
    let from = s.from.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut line = if group.len() == 1 {
        format!(
            "{} {} from {from} to {}{}.",
            verb(s),
            subject(s),
            s.version,
            pace(s)
        )
    } else {
        let names: Vec<String> = group.iter().map(|g| format!("`{}`", g.component)).collect();
        let each = match (s.one_at_a_time, s.count) {
            (true, _) => "the instances of each one at a time, ",
            (false, 1) => "",
            (false, _) => "the instances of each together, ",
        };
        format!(
            "{} {}, in that order, from {from} to {}: {each}each checked healthy before the next moves.",
            verb(s),
            list_and(&names),
            s.version
        )
    };
    if let Some(v) = last_verify {
        line.push(' ');
        line.push_str(&verify_words(v));
    }
    (line, next)
}

/// The moves from `i` that go alike (same action, versions and pace), with the health
/// check after the last, and the step after them. Two components read better as the seed
/// documents write them, a line each with the health check between: then only the first.
fn alike(steps: &[Step], i: usize) -> (Vec<&Step>, Option<&Step>, usize) {
    let s = &steps[i];
    let next = |j: usize| steps.get(j);
    let same = |n: &Step| {
        plain_move(n)
            && n.action == s.action
            && n.from == s.from
            && n.version == s.version
            && n.one_at_a_time == s.one_at_a_time
            && (n.count == 1) == (s.count == 1)
    };
    let redeploys = |j: usize| next(j + 1).is_some_and(|n| n.action == Action::Redeploy);
    let mut group = vec![s];
    let mut j = i + 1;
    let mut last_verify = None;
    while !redeploys(j - 1) {
        match (next(j), next(j + 1)) {
            (Some(v), Some(n)) if v.action == Action::Verify && same(n) && !redeploys(j + 1) => {
                group.push(n);
                j += 2;
            }
            (Some(v), _) if v.action == Action::Verify => {
                last_verify = Some(v);
                j += 1;
                break;
            }
            _ => break,
        }
    }
    if group.len() < 3 {
        return (vec![s], None, i + 1);
    }
    (group, last_verify, j)
}

/// A stopped or named move, with the starts that follow it; the line and the step after.
fn move_and_start(steps: &[Step], i: usize) -> (String, usize) {
    let s = &steps[i];
    let from = s.from.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut line = format!(
        "{} {}{} from {from} to {}{}",
        verb(s),
        subject(s),
        if s.stopped { " (stopped)" } else { "" },
        s.version,
        pace(s)
    );
    let mut next = i + 1;
    // A stopped move and the start that follows it are one line.
    let mut started = false;
    while let Some(n) = steps.get(next) {
        if n.action == Action::Start && n.component == s.component {
            started = true;
            next += 1;
        } else {
            break;
        }
    }
    line.push_str(if started { ", and start them." } else { "." });
    if s.count == 1 && started {
        line = line.replace(", and start them.", ", and start it.");
    }
    (line, next)
}

/// `` `operator` redeploys `agent` at 2.0.0 as part of its own upgrade.``
fn redeploy_words(plan: &Plan, s: &Step) -> String {
    let moves = if plan.direction == Direction::Down {
        "downgrade"
    } else {
        "upgrade"
    };
    format!(
        "`{}` redeploys {} at {} as part of its own {moves}.",
        s.via.as_deref().unwrap_or("the manager"),
        subject(s),
        s.version
    )
}

#[cfg(test)]
mod tests {
    use compat_runtime::{Policy, Version};

    use super::*;

    fn step(action: Action, component: &str, count: u64, reason: &str) -> Step {
        let policy = Policy::from_toml(
            "compat.toml",
            "[components]\nserver = {}\nweb = {}\ncli = {}\n\n[[rule]]\ncomponent = \"*\"\npeer = \"*\"\nskew = \"1 minor\"\n",
        )
        .unwrap();
        Step {
            action,
            component: component.into(),
            component_id: policy.component(component).unwrap(),
            from: None,
            version: Version::new(1, 1, 5),
            instance: None,
            count,
            one_at_a_time: false,
            stopped: false,
            via: None,
            joint: false,
            reason: reason.into(),
            origin: None,
        }
    }

    #[test]
    fn the_pace_of_a_move_depends_on_rolling_and_count() {
        let mut s = step(Action::Upgrade, "server", 3, "");
        assert_eq!(pace(&s), " together");
        s.one_at_a_time = true;
        assert_eq!(pace(&s), ", one at a time");
        assert_eq!(pace(&step(Action::Upgrade, "server", 1, "")), "");
    }

    #[test]
    fn subjects_share_instances_when_all_are_groups() {
        let web = step(Action::Stop, "web", 3, "");
        let cli = step(Action::Stop, "cli", 2, "");
        let server = step(Action::Stop, "server", 1, "");
        assert_eq!(subjects(&[&web, &cli]), "the `web` and `cli` instances");
        assert_eq!(
            subjects(&[&server, &web]),
            "`server` and the `web` instances"
        );
    }

    #[test]
    fn stops_for_one_move_share_a_cause_and_each_rule_once() {
        let reason = |who: &str| {
            format!(
                "stop before server moves to 1.2.0: {who} 1.1.5 may not talk to server 1.2.0: exact (compat.toml:24:1)"
            )
        };
        let web = step(Action::Stop, "web", 3, &reason("web"));
        let cli = step(Action::Stop, "cli", 2, &reason("cli"));
        assert_eq!(stop_cause(&web), "stop before server moves to 1.2.0");
        assert_eq!(stop_cause(&cli), stop_cause(&web));
        assert_eq!(
            refusals(&[&web, &cli]),
            "web 1.1.5 and cli 1.1.5 may not talk to server 1.2.0: exact (compat.toml:24:1)"
        );
        let together = step(Action::Stop, "web", 3, "web instances stop together: no");
        assert_eq!(stop_cause(&together), "web instances stop together: no");
    }

    #[test]
    fn a_health_check_names_what_waits_for_it() {
        let v = step(
            Action::Verify,
            "server",
            3,
            "check that every server at 1.1.5 is healthy before web moves",
        );
        assert_eq!(
            verify_words(&v),
            "Check that every `server` instance at 1.1.5 is healthy before the `web` instances move."
        );
    }
}
