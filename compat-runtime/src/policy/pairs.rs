//! The pair table: for each ordered pair of components, the rules that may relate them, most
//! specific first. It is built once, when the policy is made, so checking two peers looks
//! their rule up instead of searching the rules.

use super::{PolicyParts, Rule, Side};

/// One rule on one ordered pair of components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PairEntry {
    pub(crate) rule: u16,
    /// The rule's `component` is the pair's second element.
    pub(crate) flipped: bool,
}

/// Specificity of a rule: both sides named (2), one `"*"` (1), both `"*"` (0).
pub(super) fn specificity(rule: &Rule) -> u8 {
    u8::from(rule.component.value != Side::Any) + u8::from(rule.peer.value != Side::Any)
}

/// The ids a side stands for.
fn ids(parts: &PolicyParts, side: &Side) -> Vec<usize> {
    match side {
        Side::Any => (0..parts.components.len()).collect(),
        Side::Named(name) => parts
            .component(name)
            .map(|c| c.index())
            .into_iter()
            .collect(),
    }
}

/// The table, indexed `a * n + b` for `n` components: every rule lands on each ordered pair
/// of components it covers, the most specific rules first.
pub(super) fn table(parts: &PolicyParts) -> Vec<Vec<PairEntry>> {
    let n = parts.components.len();
    let mut pairs: Vec<Vec<PairEntry>> = vec![Vec::new(); n * n];
    for (r, rule) in parts.rules.iter().enumerate() {
        let Ok(r16) = u16::try_from(r) else { break };
        // `"*"` against a named component means every *other* component; only `"*"` with
        // `"*"` (or a component named on both sides) relates a component to itself.
        let one_wildcard = specificity(rule) == 1;
        for a in ids(parts, &rule.component.value) {
            for b in ids(parts, &rule.peer.value) {
                if one_wildcard && a == b {
                    continue;
                }
                pairs[a * n + b].push(PairEntry {
                    rule: r16,
                    flipped: false,
                });
                if a != b {
                    pairs[b * n + a].push(PairEntry {
                        rule: r16,
                        flipped: true,
                    });
                }
            }
        }
    }
    for entries in &mut pairs {
        entries.sort_by_key(|e| core::cmp::Reverse(specificity(&parts.rules[usize::from(e.rule)])));
        // A rule covering both orders of a pair lands on it twice; the first entry decides.
        entries.dedup_by_key(|e| e.rule);
    }
    pairs
}
