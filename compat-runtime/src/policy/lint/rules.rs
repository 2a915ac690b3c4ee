//! Rules about the `[[rule]]` tables: each names declared components, applies to some
//! release, reads the same from both ends when it relates a component to itself, and says
//! nothing another rule already says about the same pair.

use std::collections::BTreeSet;

use super::{did_you_mean, known_names, periods_overlap};
use crate::policy::diagnostic::Diagnostic;
use crate::policy::pairs::{PairEntry, specificity};
use crate::policy::{Form, PolicyParts, Rule, Side};
use crate::skew::Skew;
use crate::version::Scheme;

/// Every name in a rule is a declared component. A rule with an unknown name relates
/// nothing; the component it was probably meant for is added to `meant`, so it is not also
/// reported as unrelated.
pub(super) fn rule_names_declared_components<'p>(
    parts: &'p PolicyParts,
    rule: &Rule,
    meant: &mut Vec<&'p str>,
    out: &mut Vec<Diagnostic>,
) {
    for side in [&rule.component, &rule.peer] {
        if let Side::Named(name) = &side.value
            && parts.component(name).is_none()
        {
            let guess = parts.suggest_component(name);
            meant.extend(guess);
            out.push(
                Diagnostic::error(
                    Some(side.origin.clone()),
                    format!("unknown component `{name}` in rule{}", did_you_mean(guess)),
                )
                .help(format!(
                    "declare it under [components], or use one of {}",
                    known_names(parts)
                )),
            );
        }
    }
}

/// A rule applies to some release: its `until` comes after its `from`.
pub(super) fn rule_range_is_not_empty(scheme: &Scheme, rule: &Rule, out: &mut Vec<Diagnostic>) {
    if let (Some(f), Some(u)) = (&rule.from, &rule.until)
        && scheme.compare(&f.value, &u.value).is_ge()
    {
        out.push(
            Diagnostic::error(
                Some(u.origin.clone()),
                format!("`until = \"{}\"` is not after `from = \"{}\"`: the rule never applies", u.value, f.value),
            )
            .help("`from` is the first release the rule applies to, `until` the first it no longer does"),
        );
    }
}

/// A rule of a component with itself (or of every component with every other) reads the same
/// from both ends, so it cannot allow more in one direction than the other: its `newer` and
/// `older` are the same.
pub(super) fn rule_of_a_component_with_itself_is_symmetric(rule: &Rule, out: &mut Vec<Diagnostic>) {
    if rule.component.value == rule.peer.value
        && let Form::Skew { newer, older } = rule.form.value
        && newer != older
    {
        out.push(
            Diagnostic::error(
                Some(rule.form.origin.clone()),
                format!(
                    "a rule of `{}` with itself cannot be asymmetric (newer = \"{newer}\", older = \"{older}\")",
                    rule.component.value
                ),
            )
            .help("use `skew = \"...\"` for how far apart two instances may be"),
        );
    }
}

/// A `managed = true` rule names two different components, neither of them `"*"`: the peer
/// deploys the component.
pub(super) fn managed_rule_names_two_components(rule: &Rule, out: &mut Vec<Diagnostic>) {
    if rule.form.value == Form::Managed
        && (rule.component.value == Side::Any
            || rule.peer.value == Side::Any
            || rule.component.value == rule.peer.value)
    {
        out.push(
            Diagnostic::error(Some(rule.form.origin.clone()), "`managed = true` needs two different named components")
                .help("write `component = \"agent\"` and `peer = \"operator\"`: the peer deploys the component"),
        );
    }
}

/// A managed component has one manager at a time: two would each redeploy it at their own
/// version. Reported at the later of two `managed = true` rules (the `i`th) whose periods
/// overlap.
pub(super) fn managed_component_has_one_manager(
    parts: &PolicyParts,
    i: usize,
    out: &mut Vec<Diagnostic>,
) {
    let rule = &parts.rules[i];
    let (Form::Managed, Side::Named(managed), Side::Named(manager)) =
        (rule.form.value, &rule.component.value, &rule.peer.value)
    else {
        return;
    };
    let other = parts.rules[..i].iter().find(|r| {
        r.form.value == Form::Managed
            && r.component.value == rule.component.value
            && r.peer.value != rule.peer.value
            && periods_overlap(
                &parts.scheme,
                (&r.from, &r.until),
                (&rule.from, &rule.until),
            )
    });
    if let Some(first) = other {
        out.push(
            Diagnostic::error(
                Some(rule.form.origin.clone()),
                format!(
                    "component `{managed}` is managed by both `{}` (rule at {}) and `{manager}`",
                    first.peer.value, first.origin
                ),
            )
            .help(format!(
                "a component has one manager: keep one `managed = true` rule for `{managed}`, and relate it to the other with `exact = true` or a skew"
            )),
        );
    }
}

/// Two rules of the same specificity for the same pair do not apply at once: the policy
/// would say two things about one pair. Rules written for the same two sides are
/// duplicates; rules for other sides (`"*"` beside either) that happen to meet on a pair
/// conflict when they disagree on it. Each two rules are reported once, at the later.
pub(super) fn pair_has_one_rule_at_a_time(
    parts: &PolicyParts,
    pairs: &[Vec<PairEntry>],
    out: &mut Vec<Diagnostic>,
) {
    let n = parts.components.len();
    let mut reported = BTreeSet::new();
    for a in 0..n {
        for b in a..n {
            let entries = &pairs[a * n + b];
            for (i, x) in entries.iter().enumerate() {
                for y in &entries[i + 1..] {
                    let (rx, ry) = (
                        &parts.rules[usize::from(x.rule)],
                        &parts.rules[usize::from(y.rule)],
                    );
                    if specificity(rx) != specificity(ry)
                        || x.rule == y.rule
                        || !periods_overlap(
                            &parts.scheme,
                            (&rx.from, &rx.until),
                            (&ry.from, &ry.until),
                        )
                    {
                        continue;
                    }
                    let same_sides = (rx.component.value == ry.component.value
                        && rx.peer.value == ry.peer.value)
                        || (rx.component.value == ry.peer.value
                            && rx.peer.value == ry.component.value);
                    let agree = read_from_first(rx, x.flipped) == read_from_first(ry, y.flipped)
                        && rx.form.value == ry.form.value;
                    if (same_sides || !agree)
                        && reported.insert((x.rule.min(y.rule), x.rule.max(y.rule)))
                    {
                        let (first, second) = if x.rule < y.rule { (rx, ry) } else { (ry, rx) };
                        let what = if same_sides {
                            "duplicate rule"
                        } else {
                            "conflicting rules"
                        };
                        out.push(
                            Diagnostic::error(
                                Some(second.origin.clone()),
                                format!(
                                    "{what} for `{}` and `{}`: the rule at {} already covers this pair",
                                    parts.components[a].name, parts.components[b].name, first.origin
                                ),
                            )
                            .help("merge the two rules, or give them `from`/`until` ranges that do not overlap"),
                        );
                    }
                }
            }
        }
    }
}

/// What a rule allows, read from the pair's first component: whether the two move in
/// lockstep, and how far the first may be newer and older.
fn read_from_first(rule: &Rule, flipped: bool) -> (bool, (Skew, Skew)) {
    let (newer, older) = rule.form.value.skews();
    (
        rule.form.value.is_lockstep(),
        if flipped {
            (older, newer)
        } else {
            (newer, older)
        },
    )
}
