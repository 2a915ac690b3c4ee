//! Which way a wave goes, and the order its components move in: the upgrade `order` (or the
//! `downgrade` order), then the components it leaves out; a managed component moves with
//! the manager that deploys it, never on its own.

use compat_runtime::policy::{ComponentId, Form, Origin, Side, Upgrade};
use compat_runtime::version::Scheme;
use compat_runtime::{Policy, Version};

use super::cohort::{id, name};
use super::op::Why;

/// Up to a newer release, or down to an older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Way {
    Up,
    Down,
}

impl Way {
    /// Whether `v` is on the wrong side of `r` for this way: below it going up, above it
    /// going down.
    pub(super) fn wrong_side(self, scheme: &Scheme, v: &Version, r: &Version) -> bool {
        let ord = scheme.compare(v, r);
        match self {
            Way::Up => ord.is_lt(),
            Way::Down => ord.is_gt(),
        }
    }

    /// `upgrade` or `downgrade`.
    pub(super) fn verb(self) -> &'static str {
        match self {
            Way::Up => "upgrade",
            Way::Down => "downgrade",
        }
    }
}

/// The component that manages `m` at release `at`, with the rule.
pub(super) fn manager_of(
    policy: &Policy,
    m: ComponentId,
    at: &Version,
) -> Option<(ComponentId, Why)> {
    let scheme = policy.scheme();
    policy.rules().iter().find_map(|rule| {
        if rule.form.value != Form::Managed || !rule.applies_at(scheme, at) {
            return None;
        }
        match (&rule.component.value, &rule.peer.value) {
            (Side::Named(c), Side::Named(p)) if policy.component(c) == Some(m) => {
                policy.component(p).map(|p| {
                    (
                        p,
                        Why {
                            text: rule.describe(),
                            origin: Some(rule.origin.clone()),
                        },
                    )
                })
            }
            _ => None,
        }
    })
}

/// The unmanaged component at the top of `m`'s chain of managers (an operator that deploys
/// a controller that deploys agents), with the rule of `m`'s direct manager.
pub(super) fn root_manager(
    policy: &Policy,
    m: ComponentId,
    at: &Version,
) -> Option<(ComponentId, Why)> {
    let (mut top, why) = manager_of(policy, m, at)?;
    for _ in 0..policy.components().len() {
        match manager_of(policy, top, at) {
            Some((up, _)) if up != m => top = up,
            _ => break,
        }
    }
    Some((top, why))
}

/// The components in the order a wave moves them, each with the place that says so;
/// managed components are left out (they move with their manager).
pub(super) fn order(
    policy: &Policy,
    table: Option<&Upgrade>,
    way: Way,
    at: &Version,
) -> Vec<(ComponentId, Why)> {
    let mut out = table.map_or_else(Vec::new, |t| listed(policy, t, way));
    for i in 0..policy.components().len() {
        let c = id(policy, i);
        if out.iter().any(|(o, _)| *o == c) || manager_of(policy, c, at).is_some() {
            continue;
        }
        let text = match table {
            Some(t) => format!(
                "{} is not in the upgrade order ({}), so it moves after those that are",
                name(policy, c),
                t.origin
            ),
            None => format!(
                "{} moves in declaration order (the policy has no [upgrade] order)",
                name(policy, c)
            ),
        };
        out.push((
            c,
            Why {
                text,
                origin: table.map(|t| t.origin.clone()),
            },
        ));
    }
    out
}

/// The components an upgrade table orders for this way: its `order` up, its `downgrade`
/// (or the reverse of its `order`) down.
fn listed(policy: &Policy, t: &Upgrade, way: Way) -> Vec<(ComponentId, Why)> {
    let listed: Vec<(&str, Origin, &str)> = match (way, &t.downgrade) {
        (Way::Up, _) => t
            .order
            .iter()
            .map(|c| (c.value.as_str(), c.origin.clone(), "`order`"))
            .collect(),
        (Way::Down, Some(d)) => d
            .iter()
            .map(|c| (c.value.as_str(), c.origin.clone(), "`downgrade`"))
            .collect(),
        (Way::Down, None) => t
            .order
            .iter()
            .rev()
            .map(|c| (c.value.as_str(), c.origin.clone(), "the reverse of `order`"))
            .collect(),
    };
    let mut out: Vec<(ComponentId, Why)> = Vec::new();
    let mut prev: Option<&str> = None;
    for (n, origin, key) in listed {
        let Some(c) = policy.component(n) else {
            continue;
        };
        let text = match prev {
            None => format!("{n} moves first ({key}, {origin})"),
            Some(p) => format!("{n} moves after {p} ({key}, {origin})"),
        };
        out.push((
            c,
            Why {
                text,
                origin: Some(origin),
            },
        ));
        prev = Some(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrong_side_is_below_going_up_and_above_going_down() {
        let scheme = Scheme::default();
        let (old, r, new) = (
            Version::new(0, 8, 1),
            Version::new(0, 9, 0),
            Version::new(1, 0, 0),
        );
        assert!(Way::Up.wrong_side(&scheme, &old, &r));
        assert!(!Way::Up.wrong_side(&scheme, &new, &r));
        assert!(Way::Down.wrong_side(&scheme, &new, &r));
        assert!(!Way::Down.wrong_side(&scheme, &old, &r));
        assert!(!Way::Up.wrong_side(&scheme, &r, &r) && !Way::Down.wrong_side(&scheme, &r, &r));
    }

    #[test]
    fn a_pre_release_is_below_its_release() {
        let scheme = Scheme::default().with_prerelease_order(["dev", "rc"]);
        let dev = Version::parse("6.0.0-dev").unwrap();
        assert!(Way::Up.wrong_side(&scheme, &dev, &Version::new(6, 0, 0)));
    }
}
