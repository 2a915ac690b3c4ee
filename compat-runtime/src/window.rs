//! Windows: for a receiver at a given version, which senders it must still accept.
//!
//! This is what the build script hands the derive: the compile-time checks ask "does an R at
//! this crate's version still have to read messages from an S as old as …?" and "may an S be
//! newer than its R?". Both answers come from [`Policy::window`], the same evaluation the peer
//! check uses.
//!
//! The same question over every release, "which versions of a peer does this component
//! accept?", is [`Policy::accepted`]: exact [`Ranges`], decided by the peer check itself, that
//! the remedies, the generated guide and the command line state.

use core::fmt;

use crate::check::{Agreement, Peer, Range};
use crate::policy::{ComponentId, Origin, Policy, VersionReq};
use crate::skew::{Limit, Skew};
use crate::version::{Scheme, Version};

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

/// A release as `(major, minor, patch)`.
pub(crate) type Rel = (u64, u64, u64);

/// Releases `lo <= r < hi` (`hi: None`: no upper end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) lo: Rel,
    pub(crate) hi: Option<Rel>,
}

impl Span {
    pub(crate) fn is_empty(self) -> bool {
        self.hi.is_some_and(|hi| hi <= self.lo)
    }

    pub(crate) fn meet(self, other: Span) -> Span {
        Span {
            lo: self.lo.max(other.lo),
            hi: match (self.hi, other.hi) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    fn contains(self, r: Rel) -> bool {
        r >= self.lo && self.hi.is_none_or(|hi| r < hi)
    }

    /// The span as a [`Range`]: from its first release (none below `0.0.0`), through the
    /// release before its end when that is a patch (`0.9.2`), or below its end when the end
    /// starts a line (`0.11.0`), whose last release nobody can name.
    pub(crate) fn range(self) -> Range {
        Range {
            lowest: (self.lo != (0, 0, 0)).then(|| version(self.lo)),
            limit: match self.hi {
                None => None,
                Some((m, n, p)) if p > 0 => Some(Limit::AtMost(Version::new(m, n, p - 1))),
                Some(hi) => Some(Limit::Below(version(hi))),
            },
        }
    }
}

pub(crate) fn rel(v: &Version) -> Rel {
    (v.major, v.minor, v.patch)
}

pub(crate) fn version(r: Rel) -> Version {
    Version::new(r.0, r.1, r.2)
}

/// The first release after `v` (a pre-release's own release comes after it; after the last
/// patch number, the next minor); `None` after the very last release.
pub(crate) fn after(v: &Version) -> Option<Rel> {
    if !v.pre.is_empty() {
        return Some(rel(v));
    }
    match (
        v.patch.checked_add(1),
        v.minor.checked_add(1),
        v.major.checked_add(1),
    ) {
        (Some(p), _, _) => Some((v.major, v.minor, p)),
        (None, Some(n), _) => Some((v.major, n, 0)),
        (None, None, m) => m.map(|m| (m, 0, 0)),
    }
}

/// The releases of one component that some peers accept, as disjoint ranges, lowest first.
///
/// Only releases are listed (no pre-releases): between two releases lie unboundedly many
/// pre-releases, so a pre-release has no "next" and no "previous" one an edge could name.
/// Each range's edges are exact: its lowest release is accepted and the release before it
/// refused; its highest (`through 0.9.2`) accepted and the next patch refused, or, for a
/// range `below 0.11.0`, every release up to that one accepted and that one refused.
/// From [`Policy::accepted`] and [`Policy::accepted_by`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ranges {
    spans: Vec<Span>,
}

impl Ranges {
    /// Whether no release at all is accepted.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The ranges, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = Range> + '_ {
        self.spans.iter().map(|s| s.range())
    }

    /// Whether the release `v` is accepted (a pre-release never is: see [`Ranges`]).
    pub fn contains(&self, v: &Version) -> bool {
        v.pre.is_empty() && self.spans.iter().any(|s| s.contains(rel(v)))
    }

    /// Whether these are the releases of `range` and no others.
    pub(crate) fn is_exactly(&self, range: &Range) -> bool {
        matches!(self.spans.as_slice(), [one] if one.range() == *range)
    }

    /// The releases of one span.
    pub(crate) fn of(span: Span) -> Ranges {
        let spans = if span.is_empty() {
            Vec::new()
        } else {
            vec![span]
        };
        Ranges { spans }
    }

    pub(crate) fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The releases in both.
    pub(crate) fn meet(&self, other: &Ranges) -> Ranges {
        let mut spans = Vec::new();
        for a in &self.spans {
            for b in &other.spans {
                let m = a.meet(*b);
                if !m.is_empty() {
                    spans.push(m);
                }
            }
        }
        spans.sort_by_key(|s| s.lo);
        Ranges { spans }
    }

    /// The releases in `span`.
    pub(crate) fn within(&self, span: Span) -> Ranges {
        self.meet(&Ranges::of(span))
    }
}

impl fmt::Display for Ranges {
    /// `0.8.0 through 0.9.2`; several ranges as `5.0.0 or later, below 5.2.0, and 6.0.0 or
    /// later, below 7.0.0`; none as `no version`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.spans.is_empty() {
            return f.write_str("no version");
        }
        for (i, s) in self.spans.iter().enumerate() {
            if i > 0 {
                f.write_str(", and ")?;
            }
            write!(f, "{}", s.range())?;
        }
        Ok(())
    }
}

/// The releases where `keep` holds, given releases between which it cannot change
/// (`cuts`, any order): decided once at each cut, for the releases up to the next.
pub(crate) fn releases_where(mut cuts: Vec<Rel>, keep: impl Fn(&Version) -> bool) -> Ranges {
    cuts.push((0, 0, 0));
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans: Vec<Span> = Vec::new();
    for (i, &lo) in cuts.iter().enumerate() {
        if !keep(&version(lo)) {
            continue;
        }
        let hi = cuts.get(i + 1).copied();
        match spans.last_mut() {
            Some(last) if last.hi == Some(lo) => last.hi = hi,
            _ => spans.push(Span { lo, hi }),
        }
    }
    Ranges { spans }
}

/// Where a verdict facing `v` may change: the first release at or above `v`, and the first
/// above it.
fn around(v: &Version, cuts: &mut Vec<Rel>) {
    cuts.push(rel(v));
    cuts.extend(after(v));
}

/// Where a skew measured from `v` stops admitting, below and above.
pub(crate) fn skew_edges(scheme: &Scheme, skew: Skew, v: &Version, cuts: &mut Vec<Rel>) {
    cuts.extend(skew.lowest_below(scheme, v).as_ref().map(rel));
    match skew.limit_above(scheme, v) {
        Some(Limit::Below(w)) => cuts.push(rel(&w)),
        Some(Limit::AtMost(w)) => cuts.extend(after(&w)),
        None => {}
    }
}

/// Where matching a version requirement may change, over releases: each comparator's
/// version, the patch, minor and major after it, and its major's start.
fn requirement_edges(req: &VersionReq, cuts: &mut Vec<Rel>) {
    for c in &req.comparators {
        let (m, n, p) = (c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
        cuts.extend([
            (m, 0, 0),
            (m, n, p),
            (m, n, p.saturating_add(1)),
            (m, n.saturating_add(1), 0),
            (m.saturating_add(1), 0, 0),
        ]);
    }
}

impl Policy {
    /// The releases of `peer` that `component` at `version` accepts, exactly: what
    /// [`Policy::check`] says of each of them, as ranges.
    ///
    /// The edges come from the policy (each rule's skews measured from `version`, the
    /// `from`/`until` releases where rules change, the support window and floor, the unstable
    /// range, the denied releases, `version` itself) and between two edges no verdict changes, so the check
    /// decides each piece once. Pre-release rules count through the check: facing a
    /// pre-release that may not talk to releases, no release is accepted.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Policy, Version};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nclient = {}\n\
    ///     [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"2 minor\"\n").unwrap();
    /// let (client, server) = (policy.component("client").unwrap(), policy.component("server").unwrap());
    /// // Clients up to two minors older than the server, never newer.
    /// let servers = policy.accepted(client, &Version::new(2, 4, 0), server);
    /// assert_eq!(servers.to_string(), "2.4.0 or later, below 2.7.0");
    /// assert!(servers.contains(&Version::new(2, 6, 9)) && !servers.contains(&Version::new(2, 7, 0)));
    /// let clients = policy.accepted(server, &Version::new(2, 4, 0), client);
    /// assert_eq!(clients.to_string(), "2.2.0 through 2.4.0");
    /// # }
    /// ```
    pub fn accepted(&self, component: ComponentId, version: &Version, peer: ComponentId) -> Ranges {
        let at = Peer {
            component,
            version: version.clone(),
        };
        self.accepted_by(peer, &[&at])
    }

    /// The releases of `component` that every one of `peers` accepts ([`Policy::accepted`]
    /// for several peers at once): the releases an instance may move to without being
    /// refused by any of them. A release of `component` that the policy denies is never
    /// among them, even for no peers at all.
    pub fn accepted_by(&self, component: ComponentId, peers: &[&Peer]) -> Ranges {
        self.accepted_where(component, peers, |_| true)
    }

    /// [`Policy::accepted_by`], keeping only the releases where the rule at `rule` (an index
    /// in [`Policy::rules`]) decides every pair: what that rule, and not another from
    /// another release on, accepts. `None` keeps those where no rule relates the pairs.
    pub fn accepted_under(
        &self,
        component: ComponentId,
        peers: &[&Peer],
        rule: Option<usize>,
    ) -> Ranges {
        self.accepted_where(component, peers, |a| a.rule() == rule)
    }

    fn accepted_where(
        &self,
        component: ComponentId,
        peers: &[&Peer],
        keep: impl Fn(Agreement) -> bool,
    ) -> Ranges {
        releases_where(self.verdict_edges(peers), |x| {
            let at_x = Peer {
                component,
                version: x.clone(),
            };
            // A denied release is accepted by nobody, even when nobody is asked.
            !self.is_denied(component, x)
                && peers
                    .iter()
                    .all(|q| self.decide(&at_x, q, false).is_ok_and(&keep))
        })
    }

    /// Every release at which the check of some release against one of `peers` may change
    /// its verdict (a superset: more edges only cost time).
    fn verdict_edges(&self, peers: &[&Peer]) -> Vec<Rel> {
        let scheme = self.scheme();
        // Under the pre-1.0 reading, 0.y and 1.x are an unknown number of majors apart.
        let mut cuts = vec![(1, 0, 0)];
        for rule in self.rules() {
            for bound in [&rule.from, &rule.until].into_iter().flatten() {
                cuts.push(rel(&bound.value));
            }
        }
        if let Some(min) = &self.support().minimum {
            cuts.push(rel(&min.value));
        }
        for deny in self.denies() {
            cuts.push(rel(&deny.from.value));
            around(&deny.through.value, &mut cuts);
        }
        if let Some(unstable) = self.unstable() {
            requirement_edges(&unstable.value, &mut cuts);
        }
        let window = self.support().window.as_ref().map(|w| w.value);
        for q in peers {
            around(&q.version, &mut cuts);
            let skews = self.rules().iter().flat_map(|r| {
                let (newer, older) = r.form.value.skews();
                [newer, older]
            });
            for skew in skews.chain(window) {
                skew_edges(scheme, skew, &q.version, &mut cuts);
            }
        }
        cuts
    }
}
