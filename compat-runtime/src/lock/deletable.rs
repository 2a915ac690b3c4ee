//! The deprecated fields a release may delete: those no peer inside the window still
//! needs, reported by a passing check.

use crate::message::Message;
use crate::policy::Policy;
use crate::version::{Version, parse_version};

/// Deprecated fields whose every route's oldest peer inside the window is at or after the
/// deprecation.
pub(super) fn deletable(
    policy: &Policy,
    current: &Version,
    messages: &[&Message],
    out: &mut Vec<String>,
) {
    for m in messages {
        let fields =
            m.fields
                .iter()
                .map(|f| (f, m.name.to_string()))
                .chain(m.variants.iter().flat_map(|v| {
                    v.fields
                        .iter()
                        .map(move |f| (f, format!("{}::{}", m.name, v.name)))
                }));
        for (field, owner) in fields {
            let Some(dep) = &field.deprecated else {
                continue;
            };
            let Ok(since) = parse_version(dep.since) else {
                continue;
            };
            let mut oldest_peer: Option<Version> = None;
            let mut all_past = !m.routes.is_empty();
            for route in m.routes {
                // The oldest receiver a sender at `current` still serves.
                let (Some(s), Some(r)) = (policy.component(route.from), policy.component(route.to))
                else {
                    all_past = false;
                    continue;
                };
                let oldest = policy.window(r, s, current).and_then(|w| w.oldest_sender);
                match oldest {
                    Some(v) if policy.scheme().compare(&v, &since).is_ge() => {
                        if oldest_peer
                            .as_ref()
                            .is_none_or(|o| policy.scheme().compare(&v, o).is_lt())
                        {
                            oldest_peer = Some(v);
                        }
                    }
                    _ => all_past = false,
                }
            }
            if all_past && let Some(oldest) = oldest_peer {
                out.push(format!(
                    "field `{}` of `{owner}` is deprecated since {since} and no peer inside the window predates it (the oldest is {oldest}): it can now be deleted",
                    field.name
                ));
            }
        }
    }
}
