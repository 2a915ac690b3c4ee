//! Denied releases (`[[deny]]`): named bad releases the policy refuses inside an otherwise
//! allowed window (Zed's collab refuses Zed 0.199.0 through 0.199.1; Databend pulled 1.2.163
//! through 1.2.226).
//!
//! A deny is about an instance, not a pair: every peer refuses a release it covers, whatever
//! the rules allow, and no plan ever moves an instance onto one.

use super::{ComponentId, Located, Origin, Policy, Side};
use crate::version::{Scheme, Version};

/// Releases the policy refuses, as written in a `[[deny]]` table.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Policy, RefusalKind};
/// let policy = Policy::from_toml("compat.toml", r#"
///     [components]
///     collab = {}
///     zed = {}
///
///     [[rule]]
///     component = "zed"
///     peer = "collab"
///     skew = "any"
///
///     [[deny]]
///     component = "zed"
///     from = "0.199.0"
///     through = "0.199.1"
///     reason = "still connects to collab just to authenticate"
/// "#).unwrap();
/// let collab = policy.peer("collab@0.200.0").unwrap();
/// assert!(policy.check(&policy.peer("zed@0.199.2").unwrap(), &collab).is_ok());
/// let refusal = policy.check(&policy.peer("zed@0.199.1").unwrap(), &collab).unwrap_err();
/// assert_eq!(refusal.kind(), RefusalKind::Denied);
/// assert_eq!(policy.denies()[0].describe(), "zed 0.199.0 through 0.199.1 are refused");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deny {
    /// The component whose releases are refused: `"*"` (or no `component` key) for every
    /// component.
    pub component: Located<Side>,
    /// The first release refused.
    pub from: Located<Version>,
    /// The last release refused, included (the same as `from` for `version = "..."`).
    pub through: Located<Version>,
    /// Why, in the project's words: the refusal and the guide show it.
    pub reason: String,
    /// Where the `[[deny]]` table starts.
    pub origin: Origin,
}

impl Deny {
    /// Whether the deny is about the component called `name` (a deny of `"*"` is about
    /// every component).
    pub fn names(&self, name: &str) -> bool {
        match &self.component.value {
            Side::Any => true,
            Side::Named(n) => n == name,
        }
    }

    /// Whether `v` lies between `from` and `through`, both included, under the policy's
    /// ordering (so `0.199.1-rc.1` lies in `0.199.0` through `0.199.1`, and `0.199.0-rc.1`
    /// does not).
    pub fn covers(&self, scheme: &Scheme, v: &Version) -> bool {
        scheme.compare(v, &self.from.value).is_ge()
            && scheme.compare(v, &self.through.value).is_le()
    }

    /// Whether the deny names a single release (`version = "..."`).
    pub fn is_one_release(&self) -> bool {
        self.from.value == self.through.value
    }

    /// The releases refused, in words: `0.199.0 through 0.199.1`, or `1.2.3`.
    pub fn releases(&self) -> String {
        if self.is_one_release() {
            self.from.value.to_string()
        } else {
            format!("{} through {}", self.from.value, self.through.value)
        }
    }

    /// The deny in words, without its reason: "zed 0.199.0 through 0.199.1 are refused",
    /// "1.2.3 of every component is refused".
    pub fn describe(&self) -> String {
        let verb = if self.is_one_release() { "is" } else { "are" };
        match &self.component.value {
            Side::Named(name) => format!("{name} {} {verb} refused", self.releases()),
            Side::Any => format!("{} of every component {verb} refused", self.releases()),
        }
    }
}

impl Policy {
    /// The denied releases (`[[deny]]`), in file order.
    pub fn denies(&self) -> &[Deny] {
        &self.parts.denies
    }

    /// The deny that refuses `component` at `version`, if any: a deny naming the component
    /// before one of `"*"`, then the first in the file. Allocation-free.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Policy, Version};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\n\
    ///     [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"any\"\n\
    ///     [[deny]]\nfrom = \"1.2.163\"\nthrough = \"1.2.226\"\nreason = \"pulled\"\n").unwrap();
    /// let server = policy.component("server").unwrap();
    /// assert!(policy.denial(server, &Version::new(1, 2, 200)).is_some());
    /// assert!(policy.denial(server, &Version::new(1, 2, 227)).is_none());
    /// # }
    /// ```
    pub fn denial(&self, component: ComponentId, version: &Version) -> Option<&Deny> {
        let denies = &self.parts.denies;
        if denies.is_empty() {
            return None;
        }
        let name = self.parts.components.get(component.index())?.name.as_str();
        let scheme = self.scheme();
        let covering = |d: &&Deny| d.names(name) && d.covers(scheme, version);
        denies
            .iter()
            .filter(|d| d.component.value != Side::Any)
            .find(covering)
            .or_else(|| denies.iter().find(covering))
    }

    /// Whether `component` at `version` is a denied release.
    pub fn is_denied(&self, component: ComponentId, version: &Version) -> bool {
        self.denial(component, version).is_some()
    }
}
