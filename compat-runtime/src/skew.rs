//! Skew: how far apart two versions may be, written `"1 minor"`, `"none"`, `"same major"`.

use core::fmt;
use core::str::FromStr;

use crate::version::{Scheme, Version};

/// How far apart two versions may be in one direction.
///
/// ```
/// use compat_runtime::Skew;
/// let skew: Skew = "1 minor".parse().unwrap();
/// assert_eq!(skew, Skew::Minor(Some(1)));
/// assert_eq!(skew.to_string(), "1 minor");
/// assert!("2 hours".parse::<Skew>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skew {
    /// Not at all: the versions must be equal in this direction.
    None,
    /// No limit.
    Any,
    /// Same major and minor, at most this many patch releases apart (`None`: any patch).
    Patch(Option<u64>),
    /// Same major, at most this many minor releases apart (`None`: any minor).
    Minor(Option<u64>),
    /// At most this many majors apart; `Major(0)` is "same major".
    Major(u64),
}

impl Skew {
    /// Whether `newer` may be ahead of `older` by this skew (`older` ≤ `newer` in the
    /// scheme's order). Allocation-free.
    pub fn admits(self, scheme: &Scheme, older: &Version, newer: &Version) -> bool {
        match self {
            Skew::None => scheme.compare(older, newer).is_eq(),
            Skew::Any => true,
            Skew::Patch(n) => {
                older.major == newer.major
                    && older.minor == newer.minor
                    && n.is_none_or(|n| newer.patch.saturating_sub(older.patch) <= n)
            }
            Skew::Minor(n) => {
                older.major == newer.major
                    && n.is_none_or(|n| newer.minor.saturating_sub(older.minor) <= n)
            }
            Skew::Major(n) => scheme.major_distance(older, newer) <= n,
        }
    }

    /// The oldest version this skew admits below `v` (`None`: no lower limit).
    pub fn lowest_below(self, scheme: &Scheme, v: &Version) -> Option<Version> {
        let release = Version::new(v.major, v.minor, v.patch);
        match self {
            Skew::None => Some(v.clone()),
            Skew::Any => None,
            Skew::Patch(None) => Some(Version::new(v.major, v.minor, 0)),
            Skew::Patch(Some(n)) => Some(Version::new(v.major, v.minor, v.patch.saturating_sub(n))),
            Skew::Minor(None) => Some(Version::new(v.major, 0, 0)),
            Skew::Minor(Some(n)) => Some(Version::new(v.major, v.minor.saturating_sub(n), 0)),
            Skew::Major(n) => {
                let floor = scheme.majors_back(&release, n);
                Some(floor)
            }
        }
    }

    /// The first version this skew no longer admits above `v`, or `v` itself when the skew
    /// is `none` (then `v` is the newest admitted). `None`: no upper limit.
    pub fn limit_above(self, scheme: &Scheme, v: &Version) -> Option<Limit> {
        match self {
            Skew::None => Some(Limit::AtMost(v.clone())),
            Skew::Any => None,
            Skew::Patch(None) => Some(Limit::Below(Version::new(
                v.major,
                v.minor.saturating_add(1),
                0,
            ))),
            Skew::Patch(Some(n)) => Some(Limit::Below(Version::new(
                v.major,
                v.minor,
                v.patch.saturating_add(n).saturating_add(1),
            ))),
            Skew::Minor(None) => Some(Limit::Below(Version::new(v.major.saturating_add(1), 0, 0))),
            Skew::Minor(Some(n)) => Some(Limit::Below(Version::new(
                v.major,
                v.minor.saturating_add(n).saturating_add(1),
                0,
            ))),
            Skew::Major(n) => Some(Limit::Below(scheme.majors_ahead(v, n.saturating_add(1)))),
        }
    }

    /// The skew in words, for messages: "one minor", "never", "any number of".
    pub fn describe(self) -> String {
        fn count(n: u64, unit: &str) -> String {
            let word = match n {
                1 => "one".to_string(),
                2 => "two".to_string(),
                3 => "three".to_string(),
                n => n.to_string(),
            };
            if n == 1 {
                format!("{word} {unit} release")
            } else {
                format!("{word} {unit} releases")
            }
        }
        match self {
            Skew::None => "not at all".into(),
            Skew::Any => "any amount".into(),
            Skew::Patch(None) => "any number of patch releases within the same minor".into(),
            Skew::Patch(Some(n)) => count(n, "patch"),
            Skew::Minor(None) => "any number of minor releases within the same major".into(),
            Skew::Minor(Some(n)) => count(n, "minor"),
            Skew::Major(0) => "within the same major".into(),
            Skew::Major(n) => count(n, "major"),
        }
    }
}

/// An upper limit on versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// At most this version.
    AtMost(Version),
    /// Strictly below this version.
    Below(Version),
}

impl fmt::Display for Skew {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skew::None => f.write_str("none"),
            Skew::Any => f.write_str("any"),
            Skew::Patch(None) => f.write_str("any patch"),
            Skew::Patch(Some(n)) => write!(f, "{n} patch"),
            Skew::Minor(None) => f.write_str("any minor"),
            Skew::Minor(Some(n)) => write!(f, "{n} minor"),
            Skew::Major(0) => f.write_str("same major"),
            Skew::Major(n) => write!(f, "{n} major"),
        }
    }
}

/// Why a skew could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkewError(pub String);

impl fmt::Display for SkewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SkewError {}

impl FromStr for Skew {
    type Err = SkewError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let fail = || {
            SkewError(format!(
                "invalid skew `{}`: expected \"none\", \"any\", \"N patch\", \"N minor\", \"N major\", \
                 \"any patch\", \"any minor\" or \"same major\"",
                crate::version::shorten(text)
            ))
        };
        let unit = |w: &str| match w {
            "patch" | "patches" => Some(0),
            "minor" | "minors" => Some(1),
            "major" | "majors" => Some(2),
            _ => None,
        };
        match words.as_slice() {
            ["none"] | ["never"] => Ok(Skew::None),
            ["any"] => Ok(Skew::Any),
            ["same", "major"] => Ok(Skew::Major(0)),
            ["same", "minor"] => Ok(Skew::Patch(None)),
            ["any", u] => match unit(u).ok_or_else(fail)? {
                0 => Ok(Skew::Patch(None)),
                1 => Ok(Skew::Minor(None)),
                _ => Ok(Skew::Any),
            },
            [n, u] => {
                let n: u64 = n.parse().map_err(|_| fail())?;
                match unit(u).ok_or_else(fail)? {
                    0 if n == 0 => Ok(Skew::None),
                    0 => Ok(Skew::Patch(Some(n))),
                    1 if n == 0 => Ok(Skew::Patch(None)),
                    1 => Ok(Skew::Minor(Some(n))),
                    _ => Ok(Skew::Major(n)),
                }
            }
            _ => Err(fail()),
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
    fn skews_read_and_print_back() {
        for text in [
            "none",
            "any",
            "1 patch",
            "any patch",
            "2 minor",
            "any minor",
            "1 major",
            "same major",
        ] {
            assert_eq!(text.parse::<Skew>().unwrap().to_string(), text);
        }
        assert_eq!("2 minors".parse::<Skew>().unwrap(), Skew::Minor(Some(2)));
        assert_eq!("any major".parse::<Skew>().unwrap(), Skew::Any);
    }

    #[test]
    fn minor_skew_needs_the_same_major() {
        let s = Scheme::default();
        assert!(Skew::Minor(Some(1)).admits(&s, &v("0.8.0"), &v("0.9.3")));
        assert!(!Skew::Minor(Some(1)).admits(&s, &v("0.7.9"), &v("0.9.0")));
        assert!(!Skew::Minor(None).admits(&s, &v("1.9.0"), &v("2.0.0")));
        assert!(Skew::Major(1).admits(&s, &v("5.9.0"), &v("6.2.1")));
        assert!(!Skew::Major(1).admits(&s, &v("4.9.0"), &v("6.0.0")));
    }

    #[test]
    fn bad_skews_name_the_text() {
        let err = "2 hours".parse::<Skew>().unwrap_err().to_string();
        assert!(err.starts_with("invalid skew `2 hours`"), "{err}");
    }
}
