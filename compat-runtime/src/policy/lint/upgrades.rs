//! Rules about the `[upgrade]` tables: the lists name each component the operator moves by
//! hand once, the order of moves never breaks a rule, a rolling jump stays within the rules,
//! and no two tables apply to one release.

use super::{did_you_mean, known_names, periods_overlap};
use crate::policy::diagnostic::Diagnostic;
use crate::policy::pairs::PairEntry;
use crate::policy::{Form, Located, PolicyParts, Rolling, Rule, Side, Upgrade};
use crate::skew::Skew;
use crate::version::{MajorZero, Version, release_before};

/// One upgrade table, with what its rules look up: the policy, its pair table, and who
/// manages whom.
struct Upgrading<'p> {
    parts: &'p PolicyParts,
    upgrade: &'p Upgrade,
    pairs: &'p [Vec<PairEntry>],
    /// `(managed, manager)` for each `managed = true` rule: a managed component moves with
    /// its manager, never on its own.
    managers: Vec<(&'p str, &'p str)>,
}

impl<'p> Upgrading<'p> {
    fn new(parts: &'p PolicyParts, upgrade: &'p Upgrade, pairs: &'p [Vec<PairEntry>]) -> Self {
        let managers = parts
            .rules
            .iter()
            .filter(|r| r.form.value == Form::Managed)
            .filter_map(|r| match (&r.component.value, &r.peer.value) {
                (Side::Named(managed), Side::Named(manager)) => {
                    Some((managed.as_str(), manager.as_str()))
                }
                _ => None,
            })
            .collect();
        Upgrading {
            parts,
            upgrade,
            pairs,
            managers,
        }
    }

    /// The component that deploys `name`, if a `managed = true` rule says one does.
    fn manager_of(&self, name: &str) -> Option<&'p str> {
        self.managers
            .iter()
            .find(|(m, _)| *m == name)
            .map(|(_, by)| *by)
    }

    /// The rule relating components `a` and `b` (by index) while these settings apply, with
    /// whether it reads from `b`'s side.
    fn rule_for(&self, a: usize, b: usize) -> Option<(&'p Rule, bool)> {
        let n = self.parts.components.len();
        self.pairs[a * n + b].iter().find_map(|e| {
            let rule = &self.parts.rules[usize::from(e.rule)];
            let in_force = periods_overlap(
                &self.parts.scheme,
                (&rule.from, &rule.until),
                (&self.upgrade.from, &self.upgrade.until),
            );
            in_force.then_some((rule, e.flipped))
        })
    }
}

/// How far the pair's first component may be newer than its second under `rule`.
fn newer_allowed(rule: &Rule, flipped: bool) -> Skew {
    let (newer, older) = rule.form.value.skews();
    if flipped { older } else { newer }
}

/// A rank for comparing how wide two skews are: `None` < patches < minors < majors < `Any`.
fn width(skew: Skew) -> (u8, u64) {
    match skew {
        Skew::None => (0, 0),
        Skew::Patch(Some(n)) => (1, n),
        Skew::Patch(None) => (1, u64::MAX),
        Skew::Minor(Some(n)) => (2, n),
        Skew::Minor(None) | Skew::Major(0) => (2, u64::MAX),
        Skew::Major(n) => (3, n),
        Skew::Any => (4, 0),
    }
}

/// The rules of one upgrade table, in order.
pub(super) fn lint_table(
    parts: &PolicyParts,
    upgrade: &Upgrade,
    pairs: &[Vec<PairEntry>],
    out: &mut Vec<Diagnostic>,
) {
    let table = Upgrading::new(parts, upgrade, pairs);
    let meant = list_names(&table, &upgrade.order, "order", out);
    upgrade_list_has_every_component(&table, &upgrade.order, "order", &meant, out);
    if let Some(down) = &upgrade.downgrade {
        let meant = list_names(&table, down, "downgrade", out);
        upgrade_list_has_every_component(&table, down, "downgrade", &meant, out);
    }
    if let Rolling::Only(list) = &upgrade.rolling {
        list_names(&table, list, "rolling", out);
    }
    for up in [true, false] {
        upgrade_order_keeps_each_pair_within_its_rule(&table, up, out);
    }
    if let Some(jump) = &upgrade.max_jump {
        rolling_jump_stays_within_the_components_rule(&table, jump, out);
        jump_stays_within_the_rules_between_components(&table, jump, out);
        jump_reaches_every_release(parts, upgrade, jump, out);
    }
}

/// Checks each name of the list under `key` (`order`, `downgrade` or `rolling`) against the
/// rules on names, up to the first it breaks; returns the components misspelt names were
/// probably meant for.
fn list_names<'p>(
    table: &Upgrading<'p>,
    list: &[Located<String>],
    key: &str,
    out: &mut Vec<Diagnostic>,
) -> Vec<&'p str> {
    let mut meant = Vec::new();
    for i in 0..list.len() {
        if upgrade_name_is_a_component(table.parts, &list[i], key, &mut meant, out)
            && upgrade_name_is_listed_once(list, i, key, out)
        {
            managed_component_has_no_place_in_an_order(table, list, i, key, out);
        }
    }
    meant
}

/// Every name in `order`, `downgrade` and `rolling` is a declared component; the component
/// a misspelt name was probably meant for is added to `meant`. Returns whether it is one.
fn upgrade_name_is_a_component<'p>(
    parts: &'p PolicyParts,
    name: &Located<String>,
    key: &str,
    meant: &mut Vec<&'p str>,
    out: &mut Vec<Diagnostic>,
) -> bool {
    if parts.component(&name.value).is_some() {
        return true;
    }
    let guess = parts.suggest_component(&name.value);
    meant.extend(guess);
    out.push(
        Diagnostic::error(
            Some(name.origin.clone()),
            format!(
                "unknown component `{}` in upgrade `{key}`{}",
                name.value,
                did_you_mean(guess)
            ),
        )
        .help(format!("use one of {}", known_names(parts))),
    );
    false
}

/// A list names each component (the `i`th name) once. Returns whether it does.
fn upgrade_name_is_listed_once(
    list: &[Located<String>],
    i: usize,
    key: &str,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let name = &list[i];
    if !list[..i].iter().any(|m| m.value == name.value) {
        return true;
    }
    out.push(Diagnostic::error(
        Some(name.origin.clone()),
        format!(
            "component `{}` is listed twice in upgrade `{key}`",
            name.value
        ),
    ));
    false
}

/// A managed component moves with its manager, so it has no place in `order` or `downgrade`
/// (the `i`th name); listed before its manager, it would move ahead of it. `rolling` may
/// name it.
fn managed_component_has_no_place_in_an_order(
    table: &Upgrading<'_>,
    list: &[Located<String>],
    i: usize,
    key: &str,
    out: &mut Vec<Diagnostic>,
) {
    let name = &list[i];
    if key == "rolling" {
        return;
    }
    let Some(manager) = table.manager_of(&name.value) else {
        return;
    };
    let early = list[i + 1..].iter().any(|m| m.value == manager);
    out.push(
        Diagnostic::error(
            Some(name.origin.clone()),
            format!(
                "component `{}` is managed by `{manager}` and moves with it, so it has no place in upgrade `{key}`{}",
                name.value,
                if early {
                    format!(" (listed before `{manager}`, it would move ahead of its manager)")
                } else {
                    String::new()
                }
            ),
        )
        .help(format!(
            "remove `{}` from `{key}`: moving `{manager}` redeploys it at `{manager}`'s version",
            name.value
        )),
    );
}

/// An order that is written (`order`, or `downgrade` under `key`) has a place for every
/// component the operator moves by hand: every one no other manages, and none a misspelt
/// name was probably `meant` for (that is reported as the misspelling). Reported at the
/// list's first name.
fn upgrade_list_has_every_component(
    table: &Upgrading<'_>,
    list: &[Located<String>],
    key: &str,
    meant: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    if list.is_empty() {
        return;
    }
    for c in &table.parts.components {
        if table.manager_of(&c.name).is_none()
            && !list.iter().any(|o| o.value == c.name)
            && !meant.contains(&c.name.as_str())
        {
            let (what, help) = if key == "order" {
                (
                    "the upgrade order".to_string(),
                    "list every component that is not managed by another, in the order they move",
                )
            } else {
                (
                    format!("upgrade `{key}`"),
                    "list every component that is not managed by another, in the order they move down, or leave `downgrade` out to use the reverse of `order`",
                )
            };
            let origin = list
                .first()
                .map_or_else(|| table.upgrade.origin.clone(), |o| o.origin.clone());
            out.push(
                Diagnostic::error(
                    Some(origin),
                    format!("component `{}` is missing from {what}", c.name),
                )
                .help(help),
            );
        }
    }
}

/// An order that moves `a` before `b` leaves `a` newer than `b` for a while (older, on the
/// way down, `up` false): the rule relating them allows that, unless the two move in
/// lockstep (exact or managed). The default downgrade order mirrors `order`, so it is
/// consistent exactly when `order` is, and only a written `downgrade` is checked.
fn upgrade_order_keeps_each_pair_within_its_rule(
    table: &Upgrading<'_>,
    up: bool,
    out: &mut Vec<Diagnostic>,
) {
    let upgrade = table.upgrade;
    let (key, order): (&str, Vec<&str>) = if up {
        (
            "order",
            upgrade.order.iter().map(|o| o.value.as_str()).collect(),
        )
    } else if upgrade.downgrade.is_some() {
        ("downgrade", upgrade.downgrade_order())
    } else {
        return;
    };
    let parts = table.parts;
    for (i, first) in order.iter().enumerate() {
        for second in &order[i + 1..] {
            let (Some(a), Some(b)) = (parts.component(first), parts.component(second)) else {
                continue;
            };
            let Some((rule, flipped)) = table.rule_for(a.index(), b.index()) else {
                continue;
            };
            if rule.form.value.is_lockstep() {
                continue;
            }
            // Upgrading `first` first makes it newer than `second`; downgrading it first
            // makes it older.
            let allowed = if up {
                newer_allowed(rule, flipped)
            } else {
                newer_allowed(rule, !flipped)
            };
            if allowed == Skew::None {
                let (moved, direction) = if up {
                    ("newer", "upgrades")
                } else {
                    ("older", "downgrades")
                };
                let origin = match key {
                    "order" => upgrade.order.first().map(|o| o.origin.clone()),
                    _ => upgrade
                        .downgrade
                        .as_ref()
                        .and_then(|d| d.first().map(|o| o.origin.clone())),
                }
                .unwrap_or_else(|| upgrade.origin.clone());
                out.push(
                    Diagnostic::error(
                        Some(origin),
                        format!(
                            "upgrade `{key}` {direction} `{first}` before `{second}`, but `{first}` may never be {moved} than `{second}` (rule at {})",
                            rule.origin
                        ),
                    )
                    .help(format!("move `{second}` before `{first}` in `{key}`, or allow the skew in the rule")),
                );
            }
        }
    }
}

/// A rolling upgrade leaves instances of one component at both ends of a jump: `max-jump`
/// stays within the component's own rule, for each component that rolls.
fn rolling_jump_stays_within_the_components_rule(
    table: &Upgrading<'_>,
    jump: &Located<Skew>,
    out: &mut Vec<Diagnostic>,
) {
    for (i, c) in table.parts.components.iter().enumerate() {
        if let Some((rule, _)) = table.rule_for(i, i) {
            let (skew, _) = rule.form.value.skews();
            if table.upgrade.rolls(&c.name) && width(jump.value) > width(skew) {
                out.push(
                    Diagnostic::error(
                        Some(jump.origin.clone()),
                        format!(
                            "`max-jump = \"{}\"` with a rolling upgrade leaves `{}` instances further apart than the rule at {} allows (\"{skew}\")",
                            jump.value, c.name, rule.origin
                        ),
                    )
                    .help(format!("lower `max-jump` to \"{skew}\", or leave `{}` out of `rolling`", c.name)),
                );
            }
        }
    }
}

/// Moving a component a whole `max-jump` ahead of one that moves later in `order` stays
/// inside the rule relating them (a warning: each later component must follow before the
/// next step). One warning per jump lists every pair it strains, so a policy with many
/// components reads as one finding.
fn jump_stays_within_the_rules_between_components(
    table: &Upgrading<'_>,
    jump: &Located<Skew>,
    out: &mut Vec<Diagnostic>,
) {
    let parts = table.parts;
    let order: Vec<usize> = table
        .upgrade
        .order
        .iter()
        .filter_map(|o| parts.component(&o.value))
        .map(|c| c.index())
        .collect();
    let mut strained: Vec<String> = Vec::new();
    for (i, &a) in order.iter().enumerate() {
        for &b in &order[i + 1..] {
            let Some((rule, flipped)) = table.rule_for(a, b) else {
                continue;
            };
            if rule.form.value.is_lockstep() {
                continue;
            }
            let allowed = newer_allowed(rule, flipped);
            if width(jump.value) > width(allowed) && allowed != Skew::None {
                strained.push(format!(
                    "`{}` ahead of `{}` (\"{allowed}\", rule at {})",
                    parts.components[a].name, parts.components[b].name, rule.origin
                ));
            }
        }
    }
    if !strained.is_empty() {
        out.push(
            Diagnostic::warning(
                Some(jump.origin.clone()),
                format!(
                    "`max-jump = \"{}\"` moves components further apart than their rules allow: {}",
                    jump.value,
                    strained.join("; ")
                ),
            )
            .help("each later component must follow before the next step, or the skew is broken in between"),
        );
    }
}

/// Every release a table governs can be reached by an upgrade: the step into a release is
/// governed by the settings of the release moved to, and from the release just below it
/// (the nearest it could start from) that step is no larger than `max-jump`. A jump that
/// never leaves a minor or a major (`"1 minor"`, `"any minor"`, `"same major"`) leaves the
/// first release of each next major out of reach of every plan. A warning at the table's
/// `max-jump`, naming the first such release (and the next, when there is one), since a
/// policy may mean to give each major settings of its own when it comes (Phoenix settles the
/// move into 5.0.0 alone).
fn jump_reaches_every_release(
    parts: &PolicyParts,
    upgrade: &Upgrade,
    jump: &Located<Skew>,
    out: &mut Vec<Diagnostic>,
) {
    let scheme = &parts.scheme;
    let governs = |s: &Version| upgrade.applies_at(scheme, s);
    // The first release of each line after `v`, and `v`'s own release: where a step that
    // stays within a line cannot come from below.
    let starts = |v: &Version| {
        [
            Version::new(v.major, v.minor, v.patch),
            Version::new(v.major, v.minor, v.patch.saturating_add(1)),
            Version::new(v.major, v.minor.saturating_add(1), 0),
            Version::new(v.major.saturating_add(1), 0, 0),
            Version::new(1, 0, 0),
        ]
    };
    let unreachable = |s: &Version| {
        governs(s) && release_before(s).is_some_and(|b| !jump.value.admits(scheme, &b, s))
    };
    let first_release = upgrade
        .from
        .as_ref()
        .map_or_else(|| Version::new(0, 0, 0), |f| f.value.clone());
    let Some(first) = starts(&first_release).into_iter().filter(unreachable).min() else {
        return;
    };
    let next = starts(&first)
        .into_iter()
        .filter(|s| *s > first && unreachable(s))
        .min();
    let unit = match (first.major, first.minor, first.patch) {
        (_, _, p) if p > 0 => "release",
        (0, _, _) if scheme.major_zero == MajorZero::MinorIsMajor => "major",
        (_, 0, _) => "major",
        _ => "minor",
    };
    let later = if unit == "release" {
        "any later release".to_string()
    } else {
        format!("any later {unit}'s first release")
    };
    let nor = match (&next, &upgrade.until) {
        (None, _) => String::new(),
        (Some(n), None) => format!(" (nor {n}, nor {later})"),
        (Some(n), Some(u)) => format!(" (nor {n}, nor {later} before {})", u.value),
    };
    out.push(
        Diagnostic::warning(
            Some(jump.origin.clone()),
            format!(
                "no upgrade can reach {first}{nor}: these upgrade settings govern the step into it, which comes from an older {unit}, and one step may move {} (`max-jump = \"{}\"`)",
                match jump.value {
                    Skew::None => "not at all".to_string(),
                    step => format!("at most {}", step.describe()),
                },
                jump.value
            ),
        )
        .help(format!(
            "give the move into {first} upgrade settings of its own ([[upgrade]] with from = \"{first}\", until = \"{}\" and max-jump = \"1 {}\"), or allow a larger `max-jump`",
            Version::new(first.major, first.minor, first.patch + 1),
            if unit == "release" { "patch" } else { unit }
        )),
    );
}

/// No two upgrade tables apply to the same release: the `i`th is reported once for each
/// earlier one its `from`/`until` range overlaps.
pub(super) fn upgrade_tables_do_not_overlap(
    parts: &PolicyParts,
    i: usize,
    out: &mut Vec<Diagnostic>,
) {
    let u = &parts.upgrades[i];
    for earlier in &parts.upgrades[..i] {
        if periods_overlap(
            &parts.scheme,
            (&earlier.from, &earlier.until),
            (&u.from, &u.until),
        ) {
            out.push(
                Diagnostic::error(
                    Some(u.origin.clone()),
                    format!("upgrade settings overlap those at {}", earlier.origin),
                )
                .help("give each [[upgrade]] table `from`/`until` ranges that do not overlap"),
            );
        }
    }
}
