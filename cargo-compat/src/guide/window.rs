//! The versions of a component that its peers accept, found with the runtime's own check
//! over candidate versions around the peers, and said in words ("0.8.0 through 0.9.2").

use compat_runtime::policy::{ComponentId, Rule};
use compat_runtime::{Peer, Version};

use super::context::{Guide, v};
use crate::english::list_and;

/// The versions the guide scans around some reference versions: every `major.minor.patch`
/// from three majors below the lowest to two above the highest, with minors up to two past
/// the highest and patches up to one past it. A run that reaches the top minor or patch
/// goes on past what was scanned.
struct Candidates {
    versions: Vec<Version>,
    top_minor: u64,
    top_patch: u64,
}

impl Candidates {
    fn around(refs: &[&Version]) -> Self {
        let lo_major = refs
            .iter()
            .map(|r| r.major)
            .min()
            .unwrap_or(0)
            .saturating_sub(3);
        let hi_major = refs.iter().map(|r| r.major).max().unwrap_or(0) + 2;
        let top_minor = refs.iter().map(|r| r.minor).max().unwrap_or(0) + 2;
        let top_patch = refs.iter().map(|r| r.patch).max().unwrap_or(0) + 1;
        let mut versions = Vec::new();
        for major in lo_major..=hi_major {
            for minor in 0..=top_minor {
                for patch in 0..=top_patch {
                    versions.push(v(major, minor, patch));
                }
            }
        }
        Candidates {
            versions,
            top_minor,
            top_patch,
        }
    }

    /// The accepted candidates (`accepted[i]` for `versions[i]`) in words, run by run.
    fn words(&self, accepted: &[bool]) -> String {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, &yes) in accepted.iter().enumerate() {
            if !yes {
                continue;
            }
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == i => *end = i,
                _ => runs.push((i, i)),
            }
        }
        if runs.is_empty() {
            return "no version".into();
        }
        let words: Vec<String> = runs.iter().map(|&(a, b)| self.run_words(a, b)).collect();
        list_and(&words)
    }

    /// One run of accepted candidates, `a` to `b`: "exactly 1.1.5", "0.8.0 through 0.9.2",
    /// "1.1.5 or later, below 2.0.0", "3.0.0 or later".
    fn run_words(&self, a: usize, b: usize) -> String {
        let (lo, hi) = (&self.versions[a], &self.versions[b]);
        if b + 1 == self.versions.len() {
            format!("{lo} or later")
        } else if hi.patch == self.top_patch {
            let next = if hi.minor == self.top_minor {
                v(hi.major + 1, 0, 0)
            } else {
                v(hi.major, hi.minor + 1, 0)
            };
            format!("{lo} or later, below {next}")
        } else if a == b {
            format!("exactly {lo}")
        } else {
            format!("{lo} through {hi}")
        }
    }
}

/// The versions of `c` that every peer accepts, in words: "0.8.0 through 0.9.2",
/// "1.1.5 or later, below 2.0.0", "exactly 1.1.5". `at_most` caps them; `only` keeps those
/// whose pairs with every peer that rule decides (a rule that changes at a release).
pub(super) fn supported(
    g: &Guide<'_>,
    c: ComponentId,
    peers: &[Peer],
    at_most: Option<&Version>,
    only: Option<&Rule>,
) -> String {
    let refs: Vec<&Version> = peers.iter().map(|p| &p.version).collect();
    let candidates = Candidates::around(&refs);
    let scheme = g.policy.scheme();
    let decided_by = |x: &Version, rule: &Rule| {
        peers.iter().all(|p| {
            let newest = if scheme.compare(x, &p.version).is_gt() {
                x
            } else {
                &p.version
            };
            g.policy
                .rule_between(c, p.component, newest)
                .is_some_and(|(q, _)| core::ptr::eq(q, rule))
        })
    };
    let talks = |x: &Version| {
        let at_x = Peer {
            component: c,
            version: x.clone(),
        };
        peers.iter().all(|p| g.policy.check(&at_x, p).is_ok())
    };
    let accepted: Vec<bool> = candidates
        .versions
        .iter()
        .map(|x| {
            at_most.is_none_or(|m| scheme.compare(x, m).is_le())
                && only.is_none_or(|rule| decided_by(x, rule))
                && talks(x)
        })
        .collect();
    candidates.words(&accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates around 0.9.3, with the versions from `lo` through `hi` accepted.
    fn words(lo: &str, hi: &str) -> String {
        let r = v(0, 9, 3);
        let c = Candidates::around(&[&r]);
        let (lo, hi) = (Version::parse(lo).unwrap(), Version::parse(hi).unwrap());
        let accepted: Vec<bool> = c.versions.iter().map(|x| *x >= lo && *x <= hi).collect();
        c.words(&accepted)
    }

    #[test]
    fn candidates_reach_past_the_reference() {
        let r = v(0, 9, 3);
        let c = Candidates::around(&[&r]);
        assert_eq!((c.top_minor, c.top_patch), (11, 4));
        assert_eq!(c.versions.first(), Some(&v(0, 0, 0)));
        assert_eq!(c.versions.last(), Some(&v(2, 11, 4)));
    }

    #[test]
    fn a_run_inside_the_scan_is_through_or_exactly() {
        assert_eq!(words("0.8.0", "0.9.2"), "0.8.0 through 0.9.2");
        assert_eq!(words("0.9.3", "0.9.3"), "exactly 0.9.3");
    }

    #[test]
    fn a_run_to_the_top_patch_or_the_end_goes_on() {
        assert_eq!(words("0.9.0", "0.9.4"), "0.9.0 or later, below 0.10.0");
        assert_eq!(words("0.9.0", "0.11.4"), "0.9.0 or later, below 1.0.0");
        assert_eq!(words("1.0.0", "2.11.4"), "1.0.0 or later");
    }

    #[test]
    fn runs_are_listed_and_none_is_no_version() {
        let r = v(0, 9, 3);
        let c = Candidates::around(&[&r]);
        let accepted: Vec<bool> = c
            .versions
            .iter()
            .map(|x| *x == v(0, 8, 1) || *x == v(0, 9, 2))
            .collect();
        assert_eq!(c.words(&accepted), "exactly 0.8.1 and exactly 0.9.2");
        assert_eq!(c.words(&vec![false; c.versions.len()]), "no version");
    }
}
