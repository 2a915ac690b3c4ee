//! Windows: for a receiver at a given version, which senders it must still accept.
//!
//! This is what the build script hands the derive: the compile-time checks ask "does an R at
//! this crate's version still have to read messages from an S as old as …?" and "may an S be
//! newer than its R?". Both answers come from [`Policy::window`], the same evaluation the peer
//! check uses.

use crate::policy::{ComponentId, Origin, Policy};
use crate::skew::Skew;
use crate::version::Version;

/// What a receiver at one version must accept from one sender component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The sender component.
    pub sender: ComponentId,
    /// The receiver component.
    pub receiver: ComponentId,
    /// The receiver's version the window was computed for.
    pub version: Version,
    /// The oldest sender version the receiver must still accept; `None` for no limit.
    pub oldest_sender: Option<Version>,
    /// Whether a sender may be newer than the receiver.
    pub newer_senders: bool,
    /// The rule that sets the window.
    pub origin: Origin,
    /// The rule in words.
    pub text: String,
}

impl Policy {
    /// The window of messages from `sender` to `receiver` for a receiver at `version`, or
    /// `None` when no rule relates the two components.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Policy, Version};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
    /// let (agent, server) = (policy.component("agent").unwrap(), policy.component("server").unwrap());
    /// let w = policy.window(agent, server, &Version::new(0, 9, 3)).unwrap();
    /// assert_eq!(w.oldest_sender, Some(Version::new(0, 8, 0)));
    /// assert!(!w.newer_senders);
    /// # }
    /// ```
    pub fn window(
        &self,
        sender: ComponentId,
        receiver: ComponentId,
        version: &Version,
    ) -> Option<Window> {
        let scheme = self.scheme();
        let (rule, flipped) = self.rule_between(sender, receiver, version)?;
        // How far the sender may be newer and older than the receiver.
        let (newer, older) = {
            let (n, o) = rule.form.value.skews();
            if flipped { (o, n) } else { (n, o) }
        };
        let mut oldest = older.lowest_below(scheme, version);
        // The floor and the support window cut the range further.
        let mut raise = |floor: Option<Version>| {
            if let Some(floor) = floor {
                match &oldest {
                    Some(o) if scheme.compare(o, &floor).is_ge() => {}
                    _ => oldest = Some(floor),
                }
            }
        };
        raise(self.support().minimum.as_ref().map(|m| m.value.clone()));
        raise(
            self.support()
                .window
                .as_ref()
                .and_then(|w| w.value.lowest_below(scheme, version)),
        );
        let unstable = self.is_unstable(version);
        if unstable {
            oldest = Some(version.clone());
        }
        Some(Window {
            sender,
            receiver,
            version: version.clone(),
            oldest_sender: oldest,
            newer_senders: !unstable && newer != Skew::None,
            origin: rule.origin.clone(),
            text: rule.describe(),
        })
    }

    /// Every window for a receiver at `version`: each ordered pair of components a rule
    /// relates, in component order.
    pub fn windows(&self, version: &Version) -> Vec<Window> {
        let n = self.components().len();
        let mut out = Vec::new();
        for s in 0..n {
            for r in 0..n {
                let (s, r) = (ComponentId(s as u16), ComponentId(r as u16));
                out.extend(self.window(s, r, version));
            }
        }
        out
    }
}
