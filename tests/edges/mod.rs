//! A stated range held against the check: at its edges (the lowest release stated accepted and
//! the one just before it refused, the highest accepted and the next refused, or for "below X"
//! X refused and the release just below it accepted), and across a scan of releases (each
//! accepted exactly when a range states it). Shared by the tests of stated ranges.

#![allow(
    dead_code,
    reason = "each test binary includes this module and uses only part of it"
)]

use compat_runtime::Version;
use compat_runtime::check::Range;
use compat_runtime::skew::Limit;

/// The release just before `v` (`1.3.18446744073709551615` before `1.4.0`).
pub(crate) use compat_runtime::version::release_before as before;

/// The release just after `v` (after the last patch of a minor, the next minor).
pub(crate) fn after(v: &Version) -> Version {
    match v.patch.checked_add(1) {
        Some(p) => Version::new(v.major, v.minor, p),
        None => Version::new(v.major, v.minor.saturating_add(1), 0),
    }
}

/// Whether `range` states the release `v`.
pub(crate) fn states(range: &Range, v: &Version) -> bool {
    range.lowest.as_ref().is_none_or(|lo| v >= lo)
        && match &range.limit {
            None => true,
            Some(Limit::AtMost(h)) => v <= h,
            Some(Limit::Below(x)) => v < x,
        }
}

/// Every release with majors, minors and patches from these lists.
pub(crate) fn grid(majors: &[u64], minors: &[u64], patches: &[u64]) -> Vec<Version> {
    let mut out = Vec::new();
    for &m in majors {
        for &n in minors {
            for &p in patches {
                out.push(Version::new(m, n, p));
            }
        }
    }
    out
}

/// Checks `range` at its edges against `accepted` (what the check says of a release), and
/// for an open end ("below X") that the highest release of `scan` below X is accepted.
pub(crate) fn check_edges(
    range: &Range,
    accepted: &dyn Fn(&Version) -> bool,
    scan: &[Version],
) -> Result<(), String> {
    let fail = |what: String| Err(format!("`{range}`: {what}"));
    if let Some(lo) = &range.lowest {
        if !accepted(lo) {
            return fail(format!("its lowest, {lo}, is refused"));
        }
        if let Some(b) = before(lo)
            && accepted(&b)
        {
            return fail(format!("{b}, just before its lowest, is accepted"));
        }
    } else if !accepted(&Version::new(0, 0, 0)) {
        return fail("it states every release from 0.0.0, which is refused".into());
    }
    match &range.limit {
        Some(Limit::AtMost(h)) => {
            if !accepted(h) {
                return fail(format!("its highest, {h}, is refused"));
            }
            if accepted(&after(h)) {
                return fail(format!("{}, just after its highest, is accepted", after(h)));
            }
            if let Some(lo) = &range.lowest
                && range.to_string().starts_with("exactly")
                && lo != h
            {
                return fail("\"exactly\" names two versions".into());
            }
        }
        Some(Limit::Below(x)) => {
            if accepted(x) {
                return fail(format!("{x}, which it is below, is accepted"));
            }
            if let Some(b) = before(x)
                && !accepted(&b)
            {
                return fail(format!("{b}, the release just below {x}, is refused"));
            }
            if let Some(top) = scan.iter().filter(|v| *v < x && states(range, v)).max()
                && !accepted(top)
            {
                return fail(format!(
                    "{top}, the highest scanned release below {x}, is refused"
                ));
            }
        }
        None => {}
    }
    Ok(())
}

/// Checks that each release of `scan` is accepted exactly when one of `ranges` states it.
pub(crate) fn check_scan(
    ranges: &[Range],
    accepted: &dyn Fn(&Version) -> bool,
    scan: &[Version],
) -> Result<(), String> {
    for v in scan {
        let stated = ranges.iter().any(|r| states(r, v));
        if stated != accepted(v) {
            let said: Vec<String> = ranges.iter().map(ToString::to_string).collect();
            return Err(format!(
                "`{}` {} {v}, which the check {}",
                said.join(", and "),
                if stated { "states" } else { "leaves out" },
                if stated { "refuses" } else { "accepts" },
            ));
        }
    }
    Ok(())
}

/// Checks `ranges` at each one's edges, then across `scan`.
pub(crate) fn check_ranges(
    ranges: &[Range],
    accepted: &dyn Fn(&Version) -> bool,
    scan: &[Version],
) -> Result<(), String> {
    ranges
        .iter()
        .try_for_each(|r| check_edges(r, accepted, scan))
        .and_then(|()| check_scan(ranges, accepted, scan))
}

/// Reads ranges as compat writes them: `0.8.0 through 0.9.2`, `4.3.0 or later, below
/// 4.6.0`, `exactly 1.1.5`, `3.0.0 or later`, `anything below 2.0.0`, `0.9.2 or earlier`,
/// `any version`, several joined by `, and `, or `no version`.
pub(crate) fn parse_ranges(text: &str) -> Option<Vec<Range>> {
    if text == "no version" {
        return Some(Vec::new());
    }
    text.split(", and ").map(parse_range).collect()
}

fn parse_range(text: &str) -> Option<Range> {
    let v = |s: &str| Version::parse(s).ok();
    let range = |lowest: Option<Version>, limit: Option<Limit>| Some(Range { lowest, limit });
    if text == "any version" {
        return range(None, None);
    }
    if let Some(x) = text.strip_prefix("exactly ") {
        return range(v(x), Some(Limit::AtMost(v(x)?)));
    }
    if let Some(x) = text.strip_prefix("anything below ") {
        return range(None, Some(Limit::Below(v(x)?)));
    }
    if let Some(x) = text.strip_suffix(" or earlier") {
        return range(None, Some(Limit::AtMost(v(x)?)));
    }
    if let Some((lo, hi)) = text.split_once(" or later, below ") {
        return range(v(lo), Some(Limit::Below(v(hi)?)));
    }
    if let Some(lo) = text.strip_suffix(" or later") {
        return range(v(lo), None);
    }
    let (lo, hi) = text.split_once(" through ")?;
    range(v(lo), Some(Limit::AtMost(v(hi)?)))
}
