//! A protocol version of its own (`[protocol]`) and named features (`[[feature]]`).
//!
//! Many protocols keep the version of what travels apart from their releases: mirrord's
//! releases are 3.x while `mirrord-protocol` is at 1.29.0, bumped a minor for each
//! capability. With `[protocol]`, `#[since]`, the handshake and the send guard speak the
//! protocol's version; the skew rules, the planner and the guide keep speaking releases, and
//! `[protocol.releases]` says which release carried which protocol version.

use crate::policy::{Located, Origin};
use crate::version::{Scheme, Version};

/// The longest feature name (the hello carries them).
pub const MAX_FEATURE_NAME: usize = 64;

/// `[protocol]`: the protocol's name, the version this crate speaks, which releases carry
/// which protocol versions, and what a peer that states none speaks.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Policy, Version};
/// let policy = Policy::from_toml("compat.toml", r#"
///     [components]
///     agent = {}
///     layer = {}
///     [[rule]]
///     component = "layer"
///     peer = "agent"
///     skew = "any"
///     [protocol]
///     name = "mirrord-protocol"
///     version = "1.6.0"
///     [protocol.releases]
///     "1.5.0" = "3.30.0"
///     "1.6.0" = "3.41.0"
/// "#).unwrap();
/// let protocol = policy.protocol().unwrap();
/// assert_eq!(protocol.name.value, "mirrord-protocol");
/// // A release speaks the protocol of the greatest entry at or below it.
/// assert_eq!(protocol.carried_by(&Version::new(3, 40, 2)), Some(&Version::new(1, 5, 0)));
/// assert_eq!(protocol.first_carrying(&Version::new(1, 6, 0)), Some(&Version::new(3, 41, 0)));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    /// How messages name the protocol: `mirrord-protocol`.
    pub name: Located<String>,
    /// The protocol version this crate speaks (`version`, or read from `version-from`).
    pub version: Located<Version>,
    /// Each protocol version and the first release that carried it (`[protocol.releases]`),
    /// in file order.
    pub releases: Vec<Carried>,
    /// What a peer whose hello states no protocol speaks (`assumed`).
    pub assumed: Option<Located<Version>>,
    /// The environment variable `version` was read from (`version-from = "env:NAME"`), which
    /// the build script watches.
    pub version_from: Option<String>,
    /// Where the `[protocol]` table starts.
    pub origin: Origin,
}

/// One entry of `[protocol.releases]`: `"1.6.0" = "3.41.0"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// The protocol version.
    pub protocol: Located<Version>,
    /// The first release that carried it.
    pub release: Located<Version>,
}

impl Protocol {
    /// The protocol `release` speaks: the greatest entry of `[protocol.releases]` whose
    /// release is at or below it; below every entry, the `assumed` protocol; `None` when
    /// the policy does not say (no entries, or none that low and no `assumed`).
    pub fn carried_by(&self, release: &Version) -> Option<&Version> {
        let at = |c: &&Carried| cmp_release(&c.release.value, release).is_le();
        self.releases
            .iter()
            .filter(at)
            .max_by(|a, b| cmp_release(&a.release.value, &b.release.value))
            .map(|c| &c.protocol.value)
            .or_else(|| self.assumed.as_ref().map(|a| &a.value))
    }

    /// The first release that carried `protocol` or a newer one, if the policy says.
    pub fn first_carrying(&self, protocol: &Version) -> Option<&Version> {
        self.releases
            .iter()
            .filter(|c| cmp_release(&c.protocol.value, protocol).is_ge())
            .min_by(|a, b| cmp_release(&a.release.value, &b.release.value))
            .map(|c| &c.release.value)
    }

    /// The protocol an end at `release` speaks when it states none of its own: what
    /// `[protocol.releases]` says the release carries; at or past the newest listed release,
    /// at least the version this crate speaks (its own release may not be listed yet); with
    /// no entries, the version this crate speaks; below every entry, `assumed`, else the
    /// lowest listed protocol.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// # use compat_runtime::{Policy, Version};
    /// # let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
    /// #     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
    /// #     [protocol]\nname = \"p\"\nversion = \"1.29.0\"\n\
    /// #     [protocol.releases]\n\"1.5.0\" = \"3.30.0\"\n\"1.29.0\" = \"3.120.0\"\n").unwrap();
    /// let p = policy.protocol().unwrap();
    /// assert_eq!(p.spoken_by(&Version::new(3, 31, 0)), Version::new(1, 5, 0));
    /// assert_eq!(p.spoken_by(&Version::new(3, 121, 0)), Version::new(1, 29, 0));
    /// assert_eq!(p.spoken_by(&Version::new(2, 0, 0)), Version::new(1, 5, 0));
    /// # }
    /// ```
    pub fn spoken_by(&self, release: &Version) -> Version {
        let newest = self
            .releases
            .iter()
            .max_by(|a, b| cmp_release(&a.release.value, &b.release.value));
        let own = &self.version.value;
        match (self.carried_by(release), newest) {
            (_, None) => own.clone(),
            (Some(p), Some(n)) if cmp_release(release, &n.release.value).is_lt() => p.clone(),
            (Some(p), Some(_)) => core::cmp::max_by(p, own, |a, b| cmp_release(a, b)).clone(),
            (None, Some(_)) => self
                .releases
                .iter()
                .map(|c| &c.protocol.value)
                .min_by(|a, b| cmp_release(a, b))
                .unwrap_or(own)
                .clone(),
        }
    }
}

/// One `[[feature]]`: a named capability, its protocol version (or release, without
/// `[protocol]`) and, for a capability no version implies, `advertised = true`.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Policy, Version};
/// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
///     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
///     [[feature]]\nname = \"statfs-v1\"\nsince = \"1.2.2\"\nuntil = \"1.18.0\"\n\
///     [[feature]]\nname = \"pro\"\nadvertised = true\n").unwrap();
/// let statfs = policy.feature("statfs-v1").unwrap();
/// assert!(statfs.implied_by(policy.scheme(), &Version::new(1, 17, 3)));
/// assert!(!statfs.implied_by(policy.scheme(), &Version::new(1, 18, 0)));
/// // Only a peer's hello says it has a capability no version implies.
/// assert!(!policy.feature("pro").unwrap().implied_by(policy.scheme(), &Version::new(9, 0, 0)));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// Its name: `readlink`.
    pub name: Located<String>,
    /// The first version that has it; `None` for an advertised capability no version
    /// implies.
    pub since: Option<Located<Version>>,
    /// The version that removed it.
    pub until: Option<Located<Version>>,
    /// What it is, in a few words.
    pub note: Option<String>,
    /// Whether only a peer's advertisement says it has it (licence tier, a configuration
    /// flag).
    pub advertised: bool,
    /// Where the `[[feature]]` table starts.
    pub origin: Origin,
}

impl Feature {
    /// Whether a peer at `version` has the feature by its version alone: at or above
    /// `since` and below `until`; never for an advertised capability.
    pub fn implied_by(&self, scheme: &Scheme, version: &Version) -> bool {
        !self.advertised
            && self
                .since
                .as_ref()
                .is_some_and(|s| scheme.compare(version, &s.value).is_ge())
            && self
                .until
                .as_ref()
                .is_none_or(|u| scheme.compare(version, &u.value).is_lt())
    }
}

/// Releases compared by number and pre-release, as a mapping is written.
fn cmp_release(a: &Version, b: &Version) -> core::cmp::Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}
