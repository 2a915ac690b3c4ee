//! The version model: SemVer versions read through a policy's [`Scheme`].
//!
//! A scheme decides two things SemVer alone does not: how pre-release tags rank (Teleport's
//! `-dev` < `-alpha.N` < `-beta.N` < `-rc.N`), and whether a `0.y.z` version's minor acts as
//! its major (SPIRE's pre-1.0 reading).

use core::cmp::Ordering;
use core::fmt;

pub use semver::Version;

/// The longest version text accepted. Versions arrive from the network; nothing longer is
/// ever a real release.
pub const MAX_VERSION_LEN: usize = 128;

/// How a policy reads `0.y.z` versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MajorZero {
    /// Plain SemVer: `0.8.1` and `0.9.0` share the major `0`.
    #[default]
    Semver,
    /// The pre-1.0 reading: in `0.y.z` the minor `y` acts as the major, so `0.8.1` and `0.9.0`
    /// are different majors.
    MinorIsMajor,
}

/// Which pre-release versions may talk to releases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WithReleases {
    /// Every pre-release may talk to releases (the default).
    #[default]
    All,
    /// No pre-release talks to a release.
    None,
    /// Only pre-releases with one of these tags (e.g. `rc`) talk to releases.
    Tags(Vec<String>),
}

/// Which releases may change what travels between peers: `[versioning] wire-changes`. A
/// project whose wire changes only in minor releases (nushell) tells compat so, and then two
/// releases of one line (`0.114.0` and `0.114.1`) read and write the same messages: a peer
/// newer by a patch sends nothing an older one cannot read, so no catch-all or default is
/// demanded for it, and the derive and the wire lock refuse a change inside a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WireChanges {
    /// Any release may change the wire (the default).
    #[default]
    Any,
    /// Only a release that starts a minor line, `X.Y.0`.
    Minor,
    /// Only a release that starts a major line as the scheme reads majors: `X.0.0`, and
    /// `0.Y.0` under the pre-1.0 reading.
    Major,
}

impl WireChanges {
    /// The value as written in `compat.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            WireChanges::Any => "any",
            WireChanges::Minor => "minor",
            WireChanges::Major => "major",
        }
    }
}

/// How a policy orders and reads versions.
///
/// ```
/// use compat_runtime::version::{Scheme, Version};
/// let teleport = Scheme::default().with_prerelease_order(["dev", "alpha", "beta", "rc"]);
/// let dev = Version::parse("6.0.0-dev").unwrap();
/// let alpha = Version::parse("6.0.0-alpha.1").unwrap();
/// assert!(teleport.compare(&dev, &alpha).is_lt()); // plain SemVer would say the opposite
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scheme {
    /// The pre-1.0 reading.
    pub major_zero: MajorZero,
    /// Pre-release tags in rank order; empty means SemVer's own ordering.
    pub prerelease_order: Vec<String>,
    /// Which pre-releases may talk to releases.
    pub with_releases: WithReleases,
    /// Which releases may change what travels.
    pub wire_changes: WireChanges,
}

impl Scheme {
    /// The same scheme with pre-release tags ranked in the given order.
    pub fn with_prerelease_order<I, S>(mut self, order: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.prerelease_order = order.into_iter().map(Into::into).collect();
        self
    }

    /// The same scheme with the given pre-1.0 reading.
    pub fn with_major_zero(mut self, major_zero: MajorZero) -> Self {
        self.major_zero = major_zero;
        self
    }

    /// Orders two versions: numbers first, then pre-release (a release ranks above its
    /// pre-releases), using the scheme's tag order. Build metadata is ignored.
    #[inline]
    pub fn compare(&self, a: &Version, b: &Version) -> Ordering {
        let numbers = (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch));
        if numbers.is_ne() || (a.pre.is_empty() && b.pre.is_empty()) {
            return numbers;
        }
        self.compare_pre(a.pre.as_str(), b.pre.as_str())
    }

    fn compare_pre(&self, a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        if self.prerelease_order.is_empty() {
            return compare_identifiers(a, b);
        }
        let rank = |pre: &str| self.tag_rank(pre).unwrap_or(usize::MAX);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| compare_identifiers(strip_tag(a), strip_tag(b)))
    }

    /// The rank of a pre-release's tag in [`Scheme::prerelease_order`], if it has one.
    pub fn tag_rank(&self, pre: &str) -> Option<usize> {
        let tag = prerelease_tag(pre);
        self.prerelease_order.iter().position(|t| t == tag)
    }

    /// Whether this pre-release text is acceptable to the scheme: always, without an order;
    /// with one, only when its tag is listed.
    pub fn knows_prerelease(&self, pre: &str) -> bool {
        pre.is_empty() || self.prerelease_order.is_empty() || self.tag_rank(pre).is_some()
    }

    /// Whether a pre-release with this pre-release text may talk to releases.
    pub fn prerelease_talks_to_releases(&self, pre: &str) -> bool {
        match &self.with_releases {
            WithReleases::All => true,
            WithReleases::None => false,
            WithReleases::Tags(tags) => {
                let tag = prerelease_tag(pre);
                tags.iter().any(|t| t == tag)
            }
        }
    }

    /// The release that began `v`'s wire line: the last release at or before it that may
    /// change the wire ([`WireChanges`]); `v`'s own release where any may.
    ///
    /// ```
    /// use compat_runtime::version::{MajorZero, Scheme, Version, WireChanges};
    /// let nushell = Scheme {
    ///     wire_changes: WireChanges::Minor,
    ///     ..Scheme::default().with_major_zero(MajorZero::MinorIsMajor)
    /// };
    /// let v = Version::new(0, 114, 1);
    /// assert_eq!(nushell.wire_line(&v), Version::new(0, 114, 0));
    /// assert_eq!(nushell.next_wire_line(&v), Version::new(0, 115, 0));
    /// assert!(!nushell.may_change_wire(&v));
    /// ```
    pub fn wire_line(&self, v: &Version) -> Version {
        match self.wire_changes {
            WireChanges::Any => Version::new(v.major, v.minor, v.patch),
            WireChanges::Minor => Version::new(v.major, v.minor, 0),
            WireChanges::Major => match self.major_line(v) {
                (0, minor) if self.major_zero == MajorZero::MinorIsMajor => {
                    Version::new(0, minor, 0)
                }
                (major, _) => Version::new(major, 0, 0),
            },
        }
    }

    /// The first release of the wire line after `v`'s.
    pub fn next_wire_line(&self, v: &Version) -> Version {
        let line = self.wire_line(v);
        match self.wire_changes {
            WireChanges::Any => Version::new(v.major, v.minor, v.patch.saturating_add(1)),
            WireChanges::Minor => Version::new(line.major, line.minor.saturating_add(1), 0),
            WireChanges::Major if line.major == 0 && line.minor > 0 => {
                Version::new(0, line.minor.saturating_add(1), 0)
            }
            WireChanges::Major => Version::new(line.major.saturating_add(1), 0, 0),
        }
    }

    /// Whether the release `v` may change what travels: it starts a wire line.
    pub fn may_change_wire(&self, v: &Version) -> bool {
        self.wire_line(v) == Version::new(v.major, v.minor, v.patch)
    }

    /// The major release line of a version under this scheme: `(major, 0)` normally, and
    /// `(0, minor)` for a `0.y.z` version under the pre-1.0 reading.
    pub fn major_line(&self, v: &Version) -> (u64, u64) {
        match self.major_zero {
            MajorZero::MinorIsMajor if v.major == 0 => (0, v.minor),
            _ => (v.major, 0),
        }
    }

    /// How many majors apart two versions are (`older` must not be newer than `newer`).
    ///
    /// Under the pre-1.0 reading, a `0.y` line and a `1.x` line are an unknown number of
    /// majors apart (how many `0.y` lines came before 1.0 is not in the versions), so the
    /// distance is `u64::MAX`: only `"any"` admits such a pair.
    pub fn major_distance(&self, older: &Version, newer: &Version) -> u64 {
        let (a, b) = (self.major_line(older), self.major_line(newer));
        match (a.0, b.0) {
            (0, 0) => b.1.saturating_sub(a.1),
            (0, _) | (_, 0) if self.major_zero == MajorZero::MinorIsMajor => u64::MAX,
            _ => b.0.saturating_sub(a.0),
        }
    }

    /// The first version of the major line after `v`'s (`1.0.0` after `0.9.x` under the
    /// pre-1.0 reading is `0.10.0`).
    pub fn next_major(&self, v: &Version) -> Version {
        match self.major_line(v) {
            (0, minor) if self.major_zero == MajorZero::MinorIsMajor => {
                Version::new(0, minor.saturating_add(1), 0)
            }
            (major, _) => Version::new(major.saturating_add(1), 0, 0),
        }
    }

    /// The first version of `v`'s major line.
    pub fn major_start(&self, v: &Version) -> Version {
        match self.major_line(v) {
            (0, minor) if self.major_zero == MajorZero::MinorIsMajor => Version::new(0, minor, 0),
            (major, _) => Version::new(major, 0, 0),
        }
    }

    /// The first version of the major line `n` majors before `v`'s, saturating at zero.
    pub fn majors_back(&self, v: &Version, n: u64) -> Version {
        match self.major_line(v) {
            (0, minor) if self.major_zero == MajorZero::MinorIsMajor => {
                Version::new(0, minor.saturating_sub(n), 0)
            }
            // Under the pre-1.0 reading, counting back from 1.x stops at 1.0.0 (see
            // `major_distance`).
            (major, _) if self.major_zero == MajorZero::MinorIsMajor => {
                Version::new(major.saturating_sub(n).max(1), 0, 0)
            }
            (major, _) => Version::new(major.saturating_sub(n), 0, 0),
        }
    }

    /// The first version of the major line `n` majors after `v`'s.
    pub fn majors_ahead(&self, v: &Version, n: u64) -> Version {
        match self.major_line(v) {
            (0, minor) if self.major_zero == MajorZero::MinorIsMajor => {
                Version::new(0, minor.saturating_add(n), 0)
            }
            (major, _) => Version::new(major.saturating_add(n), 0, 0),
        }
    }
}

/// The release just before `v`'s release: the patch before, or the last patch number of the
/// minor before (of the major before, for a major's first release). `None` before `0.0.0`.
///
/// ```
/// use compat_runtime::version::{Version, release_before};
/// assert_eq!(release_before(&Version::new(2, 4, 1)), Some(Version::new(2, 4, 0)));
/// assert_eq!(release_before(&Version::new(2, 4, 0)), Some(Version::new(2, 3, u64::MAX)));
/// assert_eq!(release_before(&Version::new(0, 0, 0)), None);
/// ```
pub fn release_before(v: &Version) -> Option<Version> {
    let max = u64::MAX;
    match (v.major, v.minor, v.patch) {
        (m, n, p) if p > 0 => Some(Version::new(m, n, p - 1)),
        (m, n, _) if n > 0 => Some(Version::new(m, n - 1, max)),
        (m, _, _) if m > 0 => Some(Version::new(m - 1, max, max)),
        _ => None,
    }
}

/// The tag of a pre-release: the leading letters of its first identifier (`rc` in `rc.3`,
/// `beta` in `beta2`).
pub fn prerelease_tag(pre: &str) -> &str {
    let first = pre.split('.').next().unwrap_or("");
    let end = first
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(first.len());
    if end == 0 { first } else { &first[..end] }
}

fn strip_tag(pre: &str) -> &str {
    let tag = prerelease_tag(pre);
    pre[tag.len()..].trim_start_matches('.')
}

/// SemVer's precedence for dot-separated pre-release identifiers, without allocating.
fn compare_identifiers(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('.').filter(|s| !s.is_empty());
    let mut ys = b.split('.').filter(|s| !s.is_empty());
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
                let ord = match (numeric(x), numeric(y)) {
                    (true, true) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// Why a version string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    /// The offending text, shortened if it was very long.
    pub text: String,
    /// What is wrong with it and how to write it instead.
    pub reason: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid version `{}`: {}", self.text, self.reason)
    }
}

impl std::error::Error for VersionError {}

/// Shortens hostile or huge text for an error message.
pub(crate) fn shorten(text: &str) -> String {
    const KEEP: usize = 40;
    if text.len() <= KEEP {
        return text.escape_debug().to_string();
    }
    let mut end = KEEP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", text[..end].escape_debug(), text.len())
}

/// Parses a version the way an operator writes it, with errors that say how to fix it.
///
/// ```
/// use compat_runtime::version::parse_version;
/// assert_eq!(parse_version("0.9.3").unwrap().minor, 9);
/// let err = parse_version("v1.2.3").unwrap_err();
/// assert_eq!(err.to_string(), "invalid version `v1.2.3`: drop the leading `v`: write 1.2.3");
/// ```
pub fn parse_version(text: &str) -> Result<Version, VersionError> {
    let fail = |reason: String| VersionError {
        text: shorten(text),
        reason,
    };
    if text.is_empty() {
        return Err(fail(
            "the version is empty: write MAJOR.MINOR.PATCH, e.g. 1.4.2".into(),
        ));
    }
    if text.len() > MAX_VERSION_LEN {
        return Err(fail(format!(
            "longer than {MAX_VERSION_LEN} bytes; no release has a version this long"
        )));
    }
    if let Some(rest) = text.strip_prefix(['v', 'V'])
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(fail(format!("drop the leading `v`: write {rest}")));
    }
    match Version::parse(text) {
        Ok(v) => Ok(v),
        Err(err) => {
            let core = text.split(['-', '+']).next().unwrap_or(text);
            let parts: Vec<&str> = core.split('.').collect();
            let all_digits = parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
            let reason = if all_digits && parts.len() < 3 {
                let mut fixed = parts.join(".");
                for _ in parts.len()..3 {
                    fixed.push_str(".0");
                }
                format!("a version has three numbers, MAJOR.MINOR.PATCH: write {fixed}")
            } else if all_digits && parts.len() > 3 {
                format!(
                    "a version has three numbers, MAJOR.MINOR.PATCH, not {}",
                    parts.len()
                )
            } else if all_digits && parts.iter().any(|p| p.parse::<u64>().is_err()) {
                format!("a number is too large ({err})")
            } else if all_digits {
                format!(
                    "{err}; write MAJOR.MINOR.PATCH[-PRE-RELEASE][+BUILD], e.g. 1.4.2 or 1.4.2-rc.1"
                )
            } else {
                format!("{err}; write MAJOR.MINOR.PATCH, e.g. 1.4.2")
            };
            Err(fail(reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn teleport_prereleases_rank_dev_alpha_beta_rc_release() {
        let s = Scheme::default().with_prerelease_order(["dev", "alpha", "beta", "rc"]);
        let order = [
            "6.0.0-dev",
            "6.0.0-alpha.1",
            "6.0.0-alpha.2",
            "6.0.0-beta.1",
            "6.0.0-rc.1",
            "6.0.0-rc.10",
            "6.0.0",
        ];
        for pair in order.windows(2) {
            assert!(s.compare(&v(pair[0]), &v(pair[1])).is_lt(), "{pair:?}");
        }
    }

    #[test]
    fn semver_order_is_used_without_a_tag_order() {
        let s = Scheme::default();
        assert!(s.compare(&v("1.0.0-alpha"), &v("1.0.0-alpha.1")).is_lt());
        assert!(s.compare(&v("1.0.0-alpha.2"), &v("1.0.0-alpha.10")).is_lt());
        assert!(s.compare(&v("1.0.0-beta"), &v("1.0.0-alpha")).is_gt());
        assert!(s.compare(&v("1.0.0+build"), &v("1.0.0")).is_eq());
    }

    #[test]
    fn the_pre_1_0_reading_makes_minors_majors() {
        let s = Scheme::default().with_major_zero(MajorZero::MinorIsMajor);
        assert_eq!(s.major_distance(&v("0.8.1"), &v("0.9.3")), 1);
        assert_eq!(
            Scheme::default().major_distance(&v("0.8.1"), &v("0.9.3")),
            0
        );
        assert_eq!(s.major_distance(&v("1.2.0"), &v("3.0.0")), 2);
        // Across 1.0 the number of 0.y majors before it is unknown.
        assert_eq!(s.major_distance(&v("0.9.0"), &v("1.5.0")), u64::MAX);
        assert_eq!(s.majors_back(&v("1.5.0"), 1), v("1.0.0"));
    }

    #[test]
    fn malformed_versions_say_how_to_write_them() {
        let e = |s: &str| parse_version(s).unwrap_err().to_string();
        assert_eq!(
            e("1.2"),
            "invalid version `1.2`: a version has three numbers, MAJOR.MINOR.PATCH: write 1.2.0"
        );
        assert!(e("1.2.3.4").contains("not 4"), "{}", e("1.2.3.4"));
        assert!(e("").contains("empty"));
        assert!(e("99999999999999999999.0.0").contains("too large"));
        let long = "1".repeat(10_000);
        let msg = e(&long);
        assert!(msg.contains("10000 bytes") && msg.len() < 200, "{msg}");
    }
}
