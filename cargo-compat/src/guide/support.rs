//! `## Support`: the support window and the oldest supported version.

use std::fmt::Write as _;

use compat_runtime::skew::Skew;

use super::context::Guide;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    let support = g.policy.support();
    if support.window.is_none() && support.minimum.is_none() {
        return;
    }
    out.push_str("\n## Support\n\n");
    if let Some(w) = &support.window {
        let _ = write!(
            out,
            "Supported versions are at most {} behind the newest ({}).",
            w.value.describe(),
            w.origin
        );
        if let (Some(r), Skew::Major(n)) = (g.newest(), w.value) {
            let lines: Vec<String> = (0..=n)
                .map(|k| {
                    format!(
                        "`v{}.*.*`{}",
                        r.major.saturating_sub(k),
                        if k == 0 { " (latest)" } else { "" }
                    )
                })
                .collect();
            let _ = write!(out, " With {r} the newest: {}.", lines.join(", "));
        }
        out.push('\n');
    }
    if let Some(m) = &support.minimum {
        let _ = writeln!(
            out,
            "\nNothing older than {} is supported ({}).",
            m.value, m.origin
        );
    }
}
