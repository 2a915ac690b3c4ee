//! What every section of the guide reads: the policy and the releases, with lookups on them.

use compat_runtime::policy::ComponentId;
use compat_runtime::{Policy, Version};

/// The policy the guide is written from, and the releases its worked examples use (oldest
/// first).
pub(super) struct Guide<'a> {
    pub(super) policy: &'a Policy,
    pub(super) releases: &'a [Version],
}

pub(super) fn v(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

impl Guide<'_> {
    pub(super) fn name(&self, c: ComponentId) -> &str {
        self.policy.component_name(c)
    }

    pub(super) fn id(&self, name: &str) -> Option<ComponentId> {
        self.policy.component(name)
    }

    pub(super) fn newest(&self) -> Option<&Version> {
        self.releases.last()
    }

    /// Whether the policy denies `v` to some component (`[[deny]]`): a worked example, which
    /// runs every component at one release, never starts there.
    pub(super) fn denied_somewhere(&self, v: &Version) -> bool {
        self.policy
            .components()
            .iter()
            .filter_map(|c| self.id(&c.name))
            .any(|c| self.policy.is_denied(c, v))
    }
}
