//! `## Downgrading`: the downgrade order for each range of releases, why it matters, and a
//! worked example.

use std::fmt::Write as _;

use compat_runtime::policy::{ComponentId, Upgrade};

use super::context::Guide;
use super::examples::{example, example_upgrade};
use super::order::{in_force_at_newest, order_reasons, tables};
use crate::english::{list_and, same_file};

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    out.push_str("\n## Downgrading\n\n");
    let tables = tables(g);
    if !one_order(g, out, &tables) {
        for (u, range) in &tables {
            order(g, out, u, range);
        }
    }
    if let Some((from, to)) = example_upgrade(g) {
        example(g, out, &to, &from, "Example: downgrading", &[]);
    }
}

/// One downgrade order for every range, the reverse of one upgrade order: said once.
fn one_order(g: &Guide<'_>, out: &mut String, tables: &[(&Upgrade, String)]) -> bool {
    let orders: Vec<Vec<&str>> = tables.iter().map(|(u, _)| u.downgrade_order()).collect();
    if !(tables.len() > 1
        && !orders[0].is_empty()
        && orders.iter().all(|o| *o == orders[0])
        && tables.iter().all(|(u, _)| u.downgrade.is_none()))
    {
        return false;
    }
    let names: Vec<String> = orders[0].iter().map(|c| format!("`{c}`")).collect();
    let origins = same_file(tables.iter().map(|(u, _)| u.origin.to_string()));
    let _ = writeln!(
        out,
        "- Downgrade {}, in that order, for every release (the reverse of the upgrade order, {}).",
        list_and(&names),
        list_and(&origins)
    );
    let ids: Vec<ComponentId> = orders[0].iter().filter_map(|c| g.id(c)).collect();
    order_reasons(g, out, &ids, true);
    true
}

/// The downgrade order of one upgrade table, for the range it covers; for the settings in
/// force at the newest release, why it matters.
fn order(g: &Guide<'_>, out: &mut String, u: &Upgrade, range: &str) {
    let order = u.downgrade_order();
    let origin = u
        .downgrade
        .as_ref()
        .and_then(|d| d.first())
        .map(|d| d.origin.to_string());
    let names: Vec<String> = order.iter().map(|c| format!("`{c}`")).collect();
    if names.is_empty() {
        return;
    }
    let lead = if range.is_empty() {
        "D".to_string()
    } else {
        format!("{range}: d")
    };
    let _ = writeln!(
        out,
        "- {lead}owngrade {}, in that order ({}).",
        list_and(&names),
        origin.unwrap_or_else(|| format!("the reverse of the upgrade order, {}", u.origin))
    );
    if in_force_at_newest(g, u) {
        let ids: Vec<ComponentId> = order.iter().filter_map(|c| g.id(c)).collect();
        order_reasons(g, out, &ids, true);
    }
}
