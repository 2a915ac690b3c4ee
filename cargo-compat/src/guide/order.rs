//! The upgrade tables with the range each covers, and why the order matters: moving a later
//! component first would be refused.

use std::fmt::Write as _;

use compat_runtime::policy::{ComponentId, Upgrade};
use compat_runtime::{Peer, Version};

use super::context::{Guide, v};

/// The upgrade tables in file order, with the range each covers in words.
pub(super) fn tables<'a>(g: &Guide<'a>) -> Vec<(&'a Upgrade, String)> {
    g.policy
        .upgrades()
        .iter()
        .map(|u| {
            let range = match (&u.from, &u.until) {
                // Settings for one release alone (the move into a major).
                (Some(f), Some(t))
                    if f.value.pre.is_empty()
                        && t.value.pre.is_empty()
                        && (t.value.major, t.value.minor, t.value.patch)
                            == (f.value.major, f.value.minor, f.value.patch + 1) =>
                {
                    format!("Moving to {}", f.value)
                }
                (Some(f), Some(t)) => {
                    format!("Moving to {} up to (not including) {}", f.value, t.value)
                }
                (Some(f), None) => format!("From {} on", f.value),
                (None, Some(t)) => format!("Before {}", t.value),
                (None, None) => String::new(),
            };
            (u, range)
        })
        .collect()
}

/// Whether `u` holds the settings in force at the newest release: the ones the guide
/// explains with examples.
pub(super) fn in_force_at_newest(g: &Guide<'_>, u: &Upgrade) -> bool {
    g.newest()
        .and_then(|r| g.policy.upgrade_at(r))
        .is_some_and(|t| core::ptr::eq(t, u))
}

/// Why `A` goes before `B`: moving `B` first would be refused; and where the order does
/// not matter (a patch release). Downwards, `B` first means `B` one line lower.
pub(super) fn order_reasons(g: &Guide<'_>, out: &mut String, ids: &[ComponentId], down: bool) {
    let Some(r) = g.newest() else { return };
    let scheme = g.policy.scheme();
    let lower = |x: &Version| {
        g.releases
            .iter()
            .rev()
            .find(|y| scheme.major_line(y) != scheme.major_line(x) || y.minor != x.minor)
            .filter(|y| scheme.compare(y, x).is_lt())
            .cloned()
    };
    let pairs = ids
        .iter()
        .enumerate()
        .flat_map(|(i, a)| ids[i + 1..].iter().map(move |b| (*a, *b)));
    for (a, b) in pairs {
        let check = |bv: &Version| {
            g.policy.check(
                &Peer {
                    component: b,
                    version: bv.clone(),
                },
                &Peer {
                    component: a,
                    version: r.clone(),
                },
            )
        };
        let (line, patch) = if down {
            let Some(l) = lower(r) else { continue };
            (l, (r.patch > 0).then(|| v(r.major, r.minor, r.patch - 1)))
        } else {
            (
                v(r.major, r.minor + 1, 0),
                Some(v(r.major, r.minor, r.patch + 1)),
            )
        };
        let Err(refusal) = check(&line) else { continue };
        let o = refusal
            .reason()
            .origin
            .as_ref()
            .map_or(String::new(), |o| format!(", {o}"));
        let _ = write!(
            out,
            "- `{}` moves {} `{}`: `{}` {line} may not talk to `{}` {r} ({}{o}).",
            g.name(a),
            if down { "down before" } else { "before" },
            g.name(b),
            g.name(b),
            g.name(a),
            refusal.reason().text
        );
        if let Some(p) = patch
            && check(&p).is_ok()
        {
            let _ = write!(
                out,
                " For a patch release the order does not matter: `{}` {p} may talk to `{}` {r}, so either may go first.",
                g.name(b),
                g.name(a),
            );
        }
        out.push('\n');
    }
}
