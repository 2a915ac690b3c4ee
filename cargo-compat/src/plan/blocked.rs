//! Why a wave cannot be taken: the refusal or the missing manager that blocks it, in words.

use compat_runtime::policy::{ComponentId, Origin};
use compat_runtime::{Policy, Refusal, RefusalKind};

use super::cohort::name;
use super::op::Why;

/// Why a wave cannot be taken.
#[derive(Debug, Clone)]
pub(super) struct Blocked {
    pub(super) reason: String,
    pub(super) origin: Option<Origin>,
}

impl Blocked {
    /// A managed component whose manager the fleet does not run.
    pub(super) fn no_manager(
        policy: &Policy,
        managed: ComponentId,
        manager: ComponentId,
        why: &Why,
    ) -> Self {
        Blocked {
            reason: format!(
                "{} is managed by {} ({}, {}), but the fleet runs no {} to redeploy it",
                name(policy, managed),
                name(policy, manager),
                why.text,
                why.origin
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                name(policy, manager)
            ),
            origin: why.origin.clone(),
        }
    }

    pub(super) fn refusal(context: String, r: &Refusal) -> Self {
        Blocked {
            reason: format!("{context}: {}", brief(r)),
            origin: r.reason().origin.clone(),
        }
    }
}

/// A refusal without its remedy: "web 1.1.5 may not talk to server 1.2.0: web must run
/// exactly the version of server (compat.toml:24:1)"; a denied release is refused on its own
/// ("zed 0.199.1 is a denied release: ...").
pub(super) fn brief(r: &Refusal) -> String {
    let reason = r.reason();
    let place = reason
        .origin
        .as_ref()
        .map_or(String::new(), |o| format!(" ({o})"));
    if r.kind() == RefusalKind::Denied {
        return format!(
            "{} {} is a denied release: {}{place}",
            r.subject().component,
            r.subject().version,
            reason.text
        );
    }
    format!(
        "{} {} may not talk to {} {}: {}{place}",
        r.subject().component,
        r.subject().version,
        r.other().component,
        r.other().version,
        reason.text
    )
}
