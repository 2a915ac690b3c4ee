//! `## Upgrading`: the upgrade order for each range of releases, how far one step goes,
//! which components roll, why the order matters, and worked examples.

use std::fmt::Write as _;

use compat_runtime::Version;
use compat_runtime::policy::{ComponentId, Form, Upgrade};

use super::context::Guide;
use super::examples::{example, example_upgrade, planned};
use super::order::{in_force_at_newest, order_reasons, tables};
use crate::english::{list_and, same_file};
use crate::plan::cluster_rule;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    out.push_str("\n## Upgrading\n");
    let tables = tables(g);
    // One order for every range: said once, above the ranges.
    let one_order = tables.len() > 1
        && !tables[0].0.order.is_empty()
        && tables.iter().all(|(u, _)| names(u) == names(tables[0].0));
    if one_order {
        let _ = writeln!(
            out,
            "\n- Upgrade {}, in that order, for every release ({}).",
            list_and(&names(tables[0].0)),
            list_and(&same_file(tables.iter().map(|(u, _)| u.origin.to_string())))
        );
    }
    for (u, range) in &tables {
        settings(g, out, u, range, one_order);
    }
    if let Some((from, to)) = example_upgrade(g) {
        example(g, out, &from, &to, "Example: upgrading", &[]);
    }
    for (u, _) in &tables {
        no_release_skipped(g, out, u);
    }
    next_major(g, out);
}

/// The components an upgrade table orders, as code: `` `server` ``, `` `agent` ``.
fn names(u: &Upgrade) -> Vec<String> {
    u.order.iter().map(|c| format!("`{}`", c.value)).collect()
}

/// One upgrade table as bullets under the range it covers: its order (unless one order
/// holds for every range), managed components, the largest step, which components roll;
/// and for the settings in force at the newest release, why the order matters and which
/// components need more than one instance.
fn settings(g: &Guide<'_>, out: &mut String, u: &Upgrade, range: &str, one_order: bool) {
    if !range.is_empty() {
        let _ = write!(out, "\n### {range}\n");
    }
    out.push('\n');
    let order = names(u);
    if !order.is_empty() && !one_order {
        let _ = writeln!(
            out,
            "- Upgrade {}, in that order ({}).",
            list_and(&order),
            u.origin
        );
    }
    managed(g, out);
    match &u.max_jump {
        Some(j) => {
            let _ = writeln!(
                out,
                "- One step moves an instance at most {} (`max-jump`, {}); further targets go through intermediate releases.",
                j.value.describe(),
                j.origin
            );
        }
        None => out.push_str("- One step may move an instance any distance the rules allow.\n"),
    }
    rolling(g, out, u);
    // Why the order matters (and where it does not), shown at the newest release for the
    // settings in force there.
    if !in_force_at_newest(g, u) {
        return;
    }
    let ids: Vec<ComponentId> = u.order.iter().filter_map(|c| g.id(&c.value)).collect();
    order_reasons(g, out, &ids, false);
    clusters(g, out, u);
}

/// Managed components move with their managers.
fn managed(g: &Guide<'_>, out: &mut String) {
    for rule in g
        .policy
        .rules()
        .iter()
        .filter(|r| r.form.value == Form::Managed)
    {
        let _ = writeln!(
            out,
            "- `{}` is deployed by `{}` and moves with it: upgrading `{}` redeploys `{}` at its own version ({}).",
            rule.component.value,
            rule.peer.value,
            rule.peer.value,
            rule.component.value,
            rule.origin
        );
    }
}

/// Which components roll one at a time under `u`, and which move together.
fn rolling(g: &Guide<'_>, out: &mut String, u: &Upgrade) {
    let components = g.policy.components();
    let rolling: Vec<String> = components
        .iter()
        .filter(|c| u.rolls(&c.name))
        .map(|c| format!("`{}`", c.name))
        .collect();
    if rolling.is_empty() {
        out.push_str(
            "- Instances of a component stop, move and start together (`rolling = false`).\n",
        );
    } else {
        let _ = writeln!(
            out,
            "- {} instances upgrade one at a time (rolling).",
            list_and(&rolling)
        );
    }
    let partial: Vec<String> = components
        .iter()
        .filter(|c| !u.rolls(&c.name) && !rolling.is_empty())
        .map(|c| format!("`{}`", c.name))
        .collect();
    if !partial.is_empty() {
        let _ = writeln!(out, "- {} instances move together.", list_and(&partial));
    }
}

/// Rolling components whose instances cover for each other: one instance means downtime.
fn clusters(g: &Guide<'_>, out: &mut String, u: &Upgrade) {
    for c in g.policy.components() {
        let Some(id) = g.id(&c.name) else { continue };
        if let Some(rule) = g.newest().and_then(|r| cluster_rule(g.policy, id, r))
            && u.rolls(&c.name)
        {
            let _ = writeln!(
                out,
                "- `{n}` instances cover for each other while one restarts ({}): with more than one `{n}` instance an upgrade needs no downtime; a single `{n}` instance cannot restart without it.",
                rule.origin,
                n = c.name
            );
        }
    }
}

/// For an upgrade table with a `max-jump`: a move within its range that needs
/// intermediate releases, where the releases show one.
fn no_release_skipped(g: &Guide<'_>, out: &mut String, u: &Upgrade) {
    if u.max_jump.is_none() {
        return;
    }
    let scheme = g.policy.scheme();
    let inside = |x: &Version| {
        u.from
            .as_ref()
            .is_none_or(|f| scheme.compare(x, &f.value).is_ge())
            && u.until
                .as_ref()
                .is_none_or(|t| scheme.compare(x, &t.value).is_lt())
    };
    let found = g
        .releases
        .iter()
        .rev()
        .filter(|t| inside(t))
        .find_map(|to| {
            g.releases
                .iter()
                .rev()
                .filter(|f| scheme.compare(f, to).is_lt() && !g.denied_somewhere(f))
                .find(|f| planned(g, f, to, &[]).is_ok_and(|p| p.waves.len() > 1))
                .map(|f| (f.clone(), to.clone()))
        });
    if let Some((from, to)) = found {
        example(g, out, &from, &to, "Example: no release skipped,", &[]);
    }
}

/// The move to the next major release, which the releases do not hold yet.
fn next_major(g: &Guide<'_>, out: &mut String) {
    if let Some(r) = g.newest() {
        let next = g.policy.scheme().next_major(r);
        example(
            g,
            out,
            r,
            &next,
            "Example: the next major release,",
            std::slice::from_ref(&next),
        );
    }
}
