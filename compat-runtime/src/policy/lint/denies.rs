//! Rules about the `[[deny]]` tables: each names a declared component, refuses some
//! release, refuses releases the floor does not already refuse, is no floor in disguise,
//! and refuses no release another deny of the same components already refuses.

use super::{did_you_mean, known_names};
use crate::policy::diagnostic::Diagnostic;
use crate::policy::{Deny, PolicyParts, Side};
use crate::version::{Scheme, Version};

/// A deny names a declared component (or `"*"`): one with an unknown name refuses nothing.
pub(super) fn deny_names_a_declared_component(
    parts: &PolicyParts,
    deny: &Deny,
    out: &mut Vec<Diagnostic>,
) {
    if let Side::Named(name) = &deny.component.value
        && parts.component(name).is_none()
    {
        let guess = parts.suggest_component(name);
        out.push(
            Diagnostic::error(
                Some(deny.component.origin.clone()),
                format!("unknown component `{name}` in deny{}", did_you_mean(guess)),
            )
            .help(format!(
                "declare it under [components], use one of {}, or leave `component` out to refuse these releases of every component",
                known_names(parts)
            )),
        );
    }
}

/// A deny refuses some release: its `through` is not before its `from`.
pub(super) fn deny_range_is_not_empty(scheme: &Scheme, deny: &Deny, out: &mut Vec<Diagnostic>) {
    let (from, through) = (&deny.from, &deny.through);
    if scheme.compare(&through.value, &from.value).is_lt() {
        out.push(
            Diagnostic::error(
                Some(through.origin.clone()),
                format!(
                    "`through = \"{}\"` is before `from = \"{}\"`: the deny refuses no release",
                    through.value, from.value
                ),
            )
            .help("`from` is the first release refused and `through` the last, both included"),
        );
    }
}

/// A deny refuses some release the support floor does not: one wholly below `[support]
/// minimum` has no effect, since the floor refuses those releases first (a warning).
pub(super) fn deny_reaches_above_the_floor(
    parts: &PolicyParts,
    deny: &Deny,
    out: &mut Vec<Diagnostic>,
) {
    let Some(min) = &parts.support.minimum else {
        return;
    };
    if parts
        .scheme
        .compare(&deny.through.value, &min.value)
        .is_lt()
    {
        out.push(
            Diagnostic::warning(
                Some(deny.origin.clone()),
                format!(
                    "deny of {} has no effect: every release it refuses is below `minimum = \"{}\"` ({})",
                    deny.releases(),
                    min.value,
                    min.origin
                ),
            )
            .help("the floor already refuses them: remove the deny"),
        );
    }
}

/// A deny of every component that starts at the very first release (or at the floor) is a
/// floor: `[support] minimum` says it, and refusals and the guide then call it one (a
/// warning). A deny of one component may start anywhere: no floor is per component.
pub(super) fn deny_of_every_component_is_not_a_floor(
    parts: &PolicyParts,
    deny: &Deny,
    out: &mut Vec<Diagnostic>,
) {
    let scheme = &parts.scheme;
    let floor = parts
        .support
        .minimum
        .as_ref()
        .map_or(Version::new(0, 0, 0), |m| m.value.clone());
    // Wholly below the floor, the deny has no effect at all (said above).
    if deny.component.value != Side::Any
        || scheme.compare(&deny.from.value, &floor).is_gt()
        || scheme.compare(&deny.through.value, &floor).is_lt()
    {
        return;
    }
    // The first release after `through`: its own release after a pre-release.
    let t = &deny.through.value;
    let next = if t.pre.is_empty() {
        Version::new(t.major, t.minor, t.patch.saturating_add(1))
    } else {
        Version::new(t.major, t.minor, t.patch)
    };
    let help =
        format!("write `[support] minimum = \"{next}\"` instead: nothing older is supported");
    out.push(
        Diagnostic::warning(
            Some(deny.origin.clone()),
            format!(
                "deny of every component from {} is a support floor",
                deny.from.value
            ),
        )
        .help(help),
    );
}

/// Two denies of the same components (one component, or `"*"`) share no release: which
/// one's reason a refusal gives would depend on their order in the file. Reported at the
/// later of the two (the `i`th). A deny of one component inside a deny of `"*"` is allowed:
/// the deny naming the component gives the reason.
pub(super) fn denies_do_not_overlap(parts: &PolicyParts, i: usize, out: &mut Vec<Diagnostic>) {
    let scheme = &parts.scheme;
    let deny = &parts.denies[i];
    let earlier = parts.denies[..i].iter().find(|d| {
        d.component.value == deny.component.value
            && scheme.compare(&d.from.value, &deny.through.value).is_le()
            && scheme.compare(&deny.from.value, &d.through.value).is_le()
    });
    if let Some(first) = earlier {
        let who = match &deny.component.value {
            Side::Named(name) => format!("`{name}`"),
            Side::Any => "every component".to_string(),
        };
        out.push(
            Diagnostic::error(
                Some(deny.origin.clone()),
                format!(
                    "deny of {} overlaps the deny of {} at {}: both refuse releases of {who}",
                    deny.releases(),
                    first.releases(),
                    first.origin
                ),
            )
            .help("merge the two into one [[deny]], or make their ranges meet without sharing a release"),
        );
    }
}
