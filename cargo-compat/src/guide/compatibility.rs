//! `## Compatibility`: each rule in words, with examples of the versions it supports.

use std::fmt::Write as _;

use compat_runtime::policy::{ComponentId, Form, Rule, Side};
use compat_runtime::{Peer, RefusalKind, Version};

use super::context::Guide;
use super::window::supported;
use crate::english::sentence;
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
    for (index, rule) in g.policy.rules().iter().enumerate() {
        let Some((a, b)) = sides(g, rule) else {
            continue;
        };
        statement(out, rule);
        let Some(r) = reference(g, rule, a, b) else {
            continue;
        };
        let mut examples = if a == b {
            vec![among_themselves(g, a, r, index)]
        } else {
            with_peer(g, index, a, b, r)
        };
        // Pairs of releases this rule decides, when it does not decide at the newest.
        if rule.from.is_some() || rule.until.is_some() {
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

/// A rule of a component with itself: the versions the other instances may run beside one
/// at `r`, the rule at `index` deciding.
fn among_themselves(g: &Guide<'_>, a: ComponentId, r: &Version, index: usize) -> String {
    let at_r = Peer {
        component: a,
        version: r.clone(),
    };
    format!(
        "with one `{n}` at {r}, the other `{n}` instances are supported at {}",
        supported(g, a, &[at_r], index, true),
        n = g.name(a)
    )
}

/// A rule between two components: what each supports of the other at `r`, seen from the
/// peer possibly mid-rollout (when its instances cover for each other); for a managed
/// component, that its manager deploys it.
fn with_peer(
    g: &Guide<'_>,
    index: usize,
    a: ComponentId,
    b: ComponentId,
    r: &Version,
) -> Vec<String> {
    if g.policy.rules()[index].form.value == Form::Managed {
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
            supported(g, a, &peers, index, false)
        ),
        format!(
            "with `{}` at {r}, `{}` is supported at {}",
            g.name(a),
            g.name(b),
            supported(g, b, &[a_at_r], index, false)
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
                // A denied release is refused by the deny, not by this rule.
                Err(e) if no.is_none() && e.kind() != RefusalKind::Denied => {
                    no = Some((x, y, e.kind()));
                }
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
