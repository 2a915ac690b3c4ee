//! `## Compatibility`: each rule in words, with examples of the versions it supports.

use std::fmt::Write as _;

use compat_runtime::policy::{ComponentId, Form, Rule, Side};
use compat_runtime::{Peer, Version};

use super::context::Guide;
use super::window::supported;
use crate::english::{list_and, sentence};
use crate::plan::cluster_rule;

/// The two components a rule speaks of, wildcards read as the first components they
/// cover.
pub(super) fn sides(g: &Guide<'_>, rule: &Rule) -> Option<(ComponentId, ComponentId)> {
    let all: Vec<ComponentId> = g
        .policy
        .components()
        .iter()
        .filter_map(|c| g.id(&c.name))
        .collect();
    let a = match &rule.component.value {
        Side::Named(n) => g.id(n)?,
        Side::Any => *all.first()?,
    };
    let b = match &rule.peer.value {
        Side::Named(n) => g.id(n)?,
        Side::Any => *all.iter().find(|c| **c != a).unwrap_or(&a),
    };
    Some((a, b))
}

/// The newest release at which `rule` decides between `a` and `b`.
pub(super) fn reference<'a>(
    g: &Guide<'a>,
    rule: &Rule,
    a: ComponentId,
    b: ComponentId,
) -> Option<&'a Version> {
    g.releases.iter().rev().find(|r| {
        g.policy
            .rule_between(a, b, r)
            .is_some_and(|(x, _)| core::ptr::eq(x, rule))
    })
}

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    out.push_str("\n## Compatibility\n");
    for rule in g.policy.rules() {
        let Some((a, b)) = sides(g, rule) else {
            continue;
        };
        statement(out, rule);
        let Some(r) = reference(g, rule, a, b) else {
            continue;
        };
        let ranged = (rule.from.is_some() || rule.until.is_some()).then_some(rule);
        let mut examples = if a == b {
            vec![among_themselves(g, a, r, ranged)]
        } else {
            with_peer(g, rule, a, b, r, ranged)
        };
        // Pairs of releases this rule decides, when it does not decide at the newest.
        if ranged.is_some() {
            examples.extend(decided_pairs(g, rule, a, b));
        }
        out.push_str("\nFor example:\n\n");
        for e in examples {
            let _ = writeln!(out, "- {}.", sentence(&e));
        }
    }
}

/// The rule's heading (its sides and the releases it covers), the rule in words with its
/// place, and its note.
fn statement(out: &mut String, rule: &Rule) {
    let heading = match (&rule.component.value, &rule.peer.value) {
        (Side::Any, Side::Any) => "any two components".to_string(),
        (Side::Named(x), Side::Named(y)) if x == y => format!("`{x}` with `{x}`"),
        (x, y) => format!("`{x}` with `{y}`").replace("`*`", "any component"),
    };
    let range = match (&rule.from, &rule.until) {
        (Some(f), Some(u)) => format!(" (from {} until {})", f.value, u.value),
        (Some(f), None) => format!(" (from {} on)", f.value),
        (None, Some(u)) => format!(" (before {})", u.value),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "\n### {}{range}\n", sentence(&heading));
    let words = without_range(rule.describe());
    let _ = writeln!(out, "{} ({}).", sentence(&words), rule.origin);
    if let Some(note) = &rule.note {
        let _ = writeln!(out, "\n> {}", sentence(note));
    }
}

/// A rule's words without the range at their end (` (before 6.0.0-dev)`, ` (from ... on)`),
/// which the heading already gives.
fn without_range(words: String) -> String {
    match words.rfind(" (") {
        Some(i) if words[i..].starts_with(" (before ") || words[i..].starts_with(" (from ") => {
            words[..i].to_string()
        }
        _ => words,
    }
}

/// ` (0.8.x and 0.9.x)`: a range `lo through r` that starts a minor line and ends at `r`,
/// read as whole minor lines; nothing for any other range.
fn minor_lines(range: &str, r: &Version) -> String {
    range
        .split_once(" through ")
        .and_then(|(lo, hi)| Some((Version::parse(lo).ok()?, Version::parse(hi).ok()?)))
        .filter(|(lo, hi)| lo.patch == 0 && lo.major == hi.major && hi == r)
        .map(|(lo, hi)| {
            let l: Vec<String> = (lo.minor..=hi.minor)
                .map(|m| format!("{}.{m}.x", lo.major))
                .collect();
            format!(" ({})", list_and(&l))
        })
        .unwrap_or_default()
}

/// A rule of a component with itself: the versions the other instances may run beside the
/// newest at `r`.
fn among_themselves(g: &Guide<'_>, a: ComponentId, r: &Version, ranged: Option<&Rule>) -> String {
    let at_r = Peer {
        component: a,
        version: r.clone(),
    };
    let range = supported(g, a, &[at_r], Some(r), ranged);
    format!(
        "with the newest `{n}` at {r}, the other `{n}` instances are supported at {range}{}",
        minor_lines(&range, r),
        n = g.name(a)
    )
}

/// A rule between two components: what each supports of the other at `r`, seen from the
/// peer possibly mid-rollout (when its instances cover for each other); for a managed
/// component, that its manager deploys it.
fn with_peer(
    g: &Guide<'_>,
    rule: &Rule,
    a: ComponentId,
    b: ComponentId,
    r: &Version,
    ranged: Option<&Rule>,
) -> Vec<String> {
    if rule.form.value == Form::Managed {
        return vec![format!(
            "`{}` at {r} runs `{}` {r}, which it deploys itself; never set `{}` versions by hand",
            g.name(b),
            g.name(a),
            g.name(a)
        )];
    }
    let mut peers = vec![Peer {
        component: b,
        version: r.clone(),
    }];
    let clustered = cluster_rule(g.policy, b, r).is_some();
    let previous = g
        .releases
        .iter()
        .rev()
        .find(|x| x.major == r.major && x.minor == r.minor && x.patch < r.patch);
    let during = match previous {
        Some(p) if clustered => {
            peers.push(Peer {
                component: b,
                version: p.clone(),
            });
            format!("`{}` instances at both {r} and {p}", g.name(b))
        }
        _ => format!("`{}` at {r}", g.name(b)),
    };
    let a_at_r = Peer {
        component: a,
        version: r.clone(),
    };
    vec![
        format!(
            "with {during}, `{}` is supported at {}",
            g.name(a),
            supported(g, a, &peers, None, ranged)
        ),
        format!(
            "with `{}` at {r}, `{}` is supported at {}",
            g.name(a),
            g.name(b),
            supported(g, b, &[a_at_r], None, ranged)
        ),
    ]
}

/// The first pair of releases the rule decides that may talk, and the first that may not.
fn decided_pairs(g: &Guide<'_>, rule: &Rule, a: ComponentId, b: ComponentId) -> Vec<String> {
    let (mut yes, mut no) = (None, None);
    for (i, x) in g.releases.iter().enumerate() {
        for y in &g.releases[i + 1..] {
            if !g
                .policy
                .rule_between(a, b, y)
                .is_some_and(|(q, _)| core::ptr::eq(q, rule))
            {
                continue;
            }
            let pa = Peer {
                component: a,
                version: x.clone(),
            };
            let pb = Peer {
                component: b,
                version: y.clone(),
            };
            match g.policy.check(&pa, &pb) {
                Ok(_) if yes.is_none() => yes = Some((x, y)),
                Err(e) if no.is_none() => no = Some((x, y, e.kind())),
                _ => {}
            }
        }
    }
    let mut pairs = Vec::new();
    if let Some((x, y)) = yes {
        pairs.push(format!(
            "`{}` {x} and `{}` {y} may talk",
            g.name(a),
            g.name(b)
        ));
    }
    if let Some((x, y, kind)) = no {
        pairs.push(format!(
            "`{}` {x} and `{}` {y} may not ({} is {kind})",
            g.name(a),
            g.name(b),
            g.name(a)
        ));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_from_a_line_start_to_the_newest_reads_as_minor_lines() {
        let r = Version::new(0, 9, 3);
        assert_eq!(minor_lines("0.8.0 through 0.9.3", &r), " (0.8.x and 0.9.x)");
        assert_eq!(minor_lines("0.9.0 through 0.9.3", &r), " (0.9.x)");
    }

    #[test]
    fn other_ranges_read_as_written() {
        let r = Version::new(0, 9, 3);
        assert_eq!(minor_lines("0.8.1 through 0.9.3", &r), "");
        assert_eq!(minor_lines("0.8.0 through 0.9.2", &r), "");
        assert_eq!(minor_lines("exactly 0.9.3", &r), "");
        assert_eq!(minor_lines("0.8.0 or later, below 1.0.0", &r), "");
    }

    #[test]
    fn a_rule_s_words_lose_the_range_the_heading_gives() {
        assert_eq!(
            without_range("tsh may be one minor apart (before 6.0.0-dev)".into()),
            "tsh may be one minor apart"
        );
        assert_eq!(
            without_range("any two may be one major apart (from 6.0.0-dev on)".into()),
            "any two may be one major apart"
        );
        assert_eq!(
            without_range("web must run exactly the version of server (any patch)".into()),
            "web must run exactly the version of server (any patch)"
        );
    }
}
