//! Rules about the `[components]` table: there are some, not too many, each with a usable
//! name, each related to something.

use crate::policy::diagnostic::Diagnostic;
use crate::policy::pairs::PairEntry;
use crate::policy::{Component, PolicyParts, Side};

/// The most components a policy may declare; real ones have a handful.
const MAX_COMPONENTS: usize = 64;
/// The most rules a policy may hold.
const MAX_RULES: usize = 256;

/// A policy declares at least one component: one without any is almost certainly an empty
/// file.
pub(super) fn policy_declares_components(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    if parts.components.is_empty() {
        out.push(
            Diagnostic::error(None, format!("{}: the policy declares no components", parts.source))
                .help("add a [components] table, e.g. `server = {}` and `agent = {}`, and a [[rule]] relating them"),
        );
    }
}

/// A policy holds at most [`MAX_COMPONENTS`] components and [`MAX_RULES`] rules: the pair
/// table grows with the square of the components, so both are bounded before it is built.
/// Returns whether the policy is within both.
pub(super) fn policy_is_within_the_limits(parts: &PolicyParts, out: &mut Vec<Diagnostic>) -> bool {
    let n = parts.components.len();
    if n > MAX_COMPONENTS || parts.rules.len() > MAX_RULES {
        out.push(Diagnostic::error(
            None,
            format!(
                "{}: {n} components and {} rules; a policy may hold at most {MAX_COMPONENTS} components and {MAX_RULES} rules",
                parts.source,
                parts.rules.len()
            ),
        ));
        return false;
    }
    true
}

/// A component's name is never empty, never `*` (which stands for every component in a
/// rule), and holds none of `@ , ; | >`, which separate names in peers and windows.
pub(super) fn component_name_is_valid(c: &Component, out: &mut Vec<Diagnostic>) {
    if c.name == "*" || c.name.is_empty() || c.name.contains(['@', ',', ';', '|', '>']) {
        out.push(
            Diagnostic::error(
                Some(c.origin.clone()),
                format!("invalid component name `{}`", c.name),
            )
            .help("use letters, digits, `-` and `_`; `*` means every component in a rule"),
        );
    }
}

/// Each component (the `i`th) is declared once.
pub(super) fn component_is_declared_once(parts: &PolicyParts, i: usize, out: &mut Vec<Diagnostic>) {
    let c = &parts.components[i];
    if parts.components[..i].iter().any(|d| d.name == c.name) {
        out.push(Diagnostic::error(
            Some(c.origin.clone()),
            format!("component `{}` is declared twice", c.name),
        ));
    }
}

/// Every component (the `i`th) is related to something: one that no rule relates is never
/// checked. A component a rule names beside an unknown peer, or one a misspelt name was
/// probably `meant` for, is reported as that instead.
pub(super) fn component_appears_in_a_rule(
    parts: &PolicyParts,
    pairs: &[Vec<PairEntry>],
    i: usize,
    meant: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    let n = parts.components.len();
    let c = &parts.components[i];
    let related = (0..n).any(|j| !pairs[i * n + j].is_empty());
    let named = parts.rules.iter().any(|r| {
        [&r.component.value, &r.peer.value]
            .iter()
            .any(|s| matches!(s, Side::Named(name) if *name == c.name))
    });
    if !related && !named && !meant.contains(&c.name.as_str()) {
        out.push(
            Diagnostic::error(
                Some(c.origin.clone()),
                format!("component `{}` appears in no rule", c.name),
            )
            .help(format!(
                "add a [[rule]] with `component = \"{}\"` and the peer it talks to, or remove it",
                c.name
            )),
        );
    }
}
