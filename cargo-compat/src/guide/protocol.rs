//! `## Protocol versions`: under `[protocol]`, the protocol each release carries, and the
//! release that brings each named feature (`[[feature]]`). The rest of the guide speaks
//! releases; this section says what travels between them.

use std::fmt::Write as _;

use compat_runtime::policy::Feature;

use super::context::Guide;

pub(super) fn section(g: &Guide<'_>, out: &mut String) {
    let Some(p) = g.policy.protocol() else {
        return;
    };
    let name = &p.name.value;
    out.push_str("\n## Protocol versions\n\n");
    let _ = writeln!(
        out,
        "What travels is versioned apart from the releases, as {name} ({}): a connection \
         speaks the lower of the two ends' versions, and what arrived in a newer one is not \
         sent to a peer that speaks an older one.\n",
        p.origin
    );
    for release in g.releases {
        let _ = writeln!(out, "- {release} speaks {name} {}", p.spoken_by(release));
    }
    let features: Vec<String> = g
        .policy
        .features()
        .iter()
        .map(|f| feature_line(g, f))
        .collect();
    if !features.is_empty() {
        out.push_str("\nNamed features:\n\n");
        for line in features {
            let _ = writeln!(out, "- {line}");
        }
    }
}

/// "`readlink` arrives in mirrord-protocol 1.6.0, first carried by 3.41.0".
fn feature_line(g: &Guide<'_>, f: &Feature) -> String {
    let Some(p) = g.policy.protocol() else {
        return String::new();
    };
    let name = &f.name.value;
    let mut line = match &f.since {
        None => format!("`{name}`: advertised by the peers that have it (no version implies it)"),
        Some(since) => match p.first_carrying(&since.value) {
            Some(release) => format!(
                "`{name}` arrives in {} {}, first carried by {release}",
                p.name.value, since.value
            ),
            None => format!("`{name}` arrives in {} {}", p.name.value, since.value),
        },
    };
    if let Some(until) = &f.until {
        let _ = write!(line, "; {} {} removed it", p.name.value, until.value);
    }
    if let Some(note) = &f.note {
        let _ = write!(line, " ({note})");
    }
    line
}
