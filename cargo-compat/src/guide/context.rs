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
}
