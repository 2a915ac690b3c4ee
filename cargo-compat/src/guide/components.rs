//! `## Components`: each component and what it is.

use std::fmt::Write as _;

use super::context::Guide;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    out.push_str("\n## Components\n\n| component | what it is |\n|---|---|\n");
    for c in g.policy.components() {
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            c.name,
            c.description.as_deref().unwrap_or("")
        );
    }
}
