//! Components whose instances cover for each other: a single instance of one means downtime
//! while it restarts.

use compat_runtime::policy::{ComponentId, Rule, Side};
use compat_runtime::{Policy, Version};

/// The rule that makes `c`'s instances a cluster at release `at`, if any: a rule naming `c`
/// on both sides (a wildcard does not), for a component that other components talk to (the
/// peer of a rule with another component). Its instances cover for each other while one
/// restarts, so a single instance means downtime.
///
/// ```
/// use cargo_compat::plan::cluster_rule;
/// use compat_runtime::{Policy, Version};
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let at = Version::new(0, 9, 3);
/// assert!(cluster_rule(&policy, policy.component("server").unwrap(), &at).is_some());
/// assert!(cluster_rule(&policy, policy.component("agent").unwrap(), &at).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cluster_rule<'p>(policy: &'p Policy, c: ComponentId, at: &Version) -> Option<&'p Rule> {
    let own = policy.component_name(c);
    let served = policy.rules().iter().any(|r| {
        r.peer.value == Side::Named(own.to_string())
            && r.component.value != Side::Named(own.to_string())
    });
    let (rule, _) = policy.rule_between(c, c, at)?;
    let named = matches!((&rule.component.value, &rule.peer.value),
        (Side::Named(a), Side::Named(b)) if a == b);
    (served && named).then_some(rule)
}
