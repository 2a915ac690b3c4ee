//! The versions of a component that its peers accept, in words: the runtime's own exact
//! ranges ([`Policy::accepted_by`](compat_runtime::Policy::accepted_by)), "0.8.0 through
//! 0.9.2", "4.3.0 or later, below 4.6.0", with the parts another rule decides named after
//! them; and the releases no peer accepts (`[[deny]]`).

use compat_runtime::Peer;
use compat_runtime::check::Range;
use compat_runtime::policy::{ComponentId, Deny, Side};
use compat_runtime::skew::Limit;
use compat_runtime::window::Ranges;

use super::context::Guide;
use crate::english::list_and;

/// The versions of `c` that every one of `peers` accepts, in words: "0.8.0 through 0.9.2",
/// "4.3.0 or later, below 4.6.0", "exactly 1.1.5". When a rule other than `rule` (an index
/// in the policy's rules) decides some of them, those follow in parentheses with the rule's
/// place; otherwise, with `lines`, a range of whole minor lines is named as such ("(0.8.x
/// and 0.9.x)").
pub(super) fn supported(
    g: &Guide<'_>,
    c: ComponentId,
    peers: &[Peer],
    rule: usize,
    lines: bool,
) -> String {
    let refs: Vec<&Peer> = peers.iter().collect();
    let all = g.policy.accepted_by(c, &refs);
    let mut others = Vec::new();
    for other in (0..g.policy.rules().len()).filter(|&i| i != rule) {
        let decided = g.policy.accepted_under(c, &refs, Some(other));
        if !decided.is_empty() {
            others.push(format!(
                "{decided} under the rule at {}",
                g.policy.rules()[other].origin
            ));
        }
    }
    let unrelated = g.policy.accepted_under(c, &refs, None);
    if !unrelated.is_empty() {
        others.push(format!("{unrelated} where no rule relates them"));
    }
    if others.is_empty() && lines {
        format!("{all}{}", whole_lines(&all))
    } else if others.is_empty() {
        all.to_string()
    } else {
        format!("{all} ({})", list_and(&others))
    }
}

/// The releases a deny refuses, by component: "`zed` 0.199.0 through 0.199.1", "1.2.163
/// through 1.2.226 of every component".
pub(super) fn denied_releases(deny: &Deny) -> String {
    match &deny.component.value {
        Side::Named(name) => format!("`{name}` {}", deny.releases()),
        Side::Any => format!("{} of every component", deny.releases()),
    }
}

/// ` (0.8.x, 0.9.x and 0.10.x)`, ` (all of 4.x)`: one range that is exactly some whole minor
/// lines of one major (at most five), or one whole major; nothing for any other.
fn whole_lines(ranges: &Ranges) -> String {
    let mut it = ranges.iter();
    let (Some(Range { lowest, limit }), None) = (it.next(), it.next()) else {
        return String::new();
    };
    let (Some(lo), Some(Limit::Below(hi))) = (lowest, limit) else {
        return String::new();
    };
    if lo.patch != 0 || hi.patch != 0 {
        return String::new();
    }
    if lo.minor == 0 && hi.minor == 0 && hi.major == lo.major + 1 {
        return format!(" (all of {}.x)", lo.major);
    }
    if hi.major != lo.major || hi.minor <= lo.minor || hi.minor - lo.minor > 5 {
        return String::new();
    }
    let names: Vec<String> = (lo.minor..hi.minor)
        .map(|m| format!("{}.{m}.x", lo.major))
        .collect();
    format!(" ({})", list_and(&names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use compat_runtime::Policy;

    fn policy(rules: &str) -> Policy {
        Policy::from_toml(
            "compat.toml",
            &format!("[components]\nserver = {{}}\nclient = {{}}\n{rules}"),
        )
        .unwrap()
    }

    fn said(p: &Policy, peer: &str, of: &str) -> String {
        let g = Guide {
            policy: p,
            releases: &[],
        };
        let peer = p.peer(peer).unwrap();
        supported(&g, p.component(of).unwrap(), &[peer], 0, true)
    }

    #[test]
    fn a_range_is_the_runtime_s_own_and_says_its_whole_lines() {
        let p = policy(
            "[[rule]]\ncomponent = \"client\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"2 minor\"\n",
        );
        assert_eq!(
            said(&p, "client@2.4.0", "server"),
            "2.4.0 or later, below 2.7.0 (2.4.x, 2.5.x and 2.6.x)"
        );
        assert_eq!(said(&p, "server@2.4.0", "client"), "2.2.0 through 2.4.0");
        assert_eq!(said(&p, "server@2.0.0", "client"), "exactly 2.0.0");
    }

    #[test]
    fn the_part_another_rule_decides_is_named_with_its_place() {
        let p = policy(
            "[[rule]]\ncomponent = \"client\"\npeer = \"server\"\nskew = \"1 minor\"\nuntil = \"3.0.0\"\n\
             [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nskew = \"1 major\"\nfrom = \"3.0.0\"\n",
        );
        assert_eq!(
            said(&p, "client@2.4.0", "server"),
            "2.3.0 or later, below 2.6.0, and 3.0.0 or later, below 4.0.0 \
             (3.0.0 or later, below 4.0.0 under the rule at compat.toml:9:1)"
        );
    }
}
