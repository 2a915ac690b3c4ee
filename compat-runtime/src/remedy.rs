//! Remedies: where to move one side of a refused pair (or one instance of a fleet) so that
//! every peer it talks to accepts it.
//!
//! Targets are releases. The rule that applies to a pair depends on the newer of the two
//! (`from`/`until`), so the admissible targets are worked out piece by piece between those
//! boundaries, intersected over every peer, and the nearest piece is offered; it is then
//! checked again against every peer, so a remedy is never one that the policy would refuse.

use crate::check::{Direction, Peer, Range};
use crate::policy::Policy;
use crate::skew::{Limit, Skew};
use crate::version::Version;

/// A release as `(major, minor, patch)`.
type Rel = (u64, u64, u64);

/// Releases `lo <= r < hi` (`hi: None`: no upper end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    lo: Rel,
    hi: Option<Rel>,
}

impl Span {
    const ALL: Span = Span {
        lo: (0, 0, 0),
        hi: None,
    };

    fn is_empty(self) -> bool {
        self.hi.is_some_and(|hi| hi <= self.lo)
    }

    fn meet(self, other: Span) -> Span {
        Span {
            lo: self.lo.max(other.lo),
            hi: match (self.hi, other.hi) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

fn rel(v: &Version) -> Rel {
    (v.major, v.minor, v.patch)
}

fn version(r: Rel) -> Version {
    Version::new(r.0, r.1, r.2)
}

/// The first release after `v` (a pre-release's own release comes after it).
fn after(v: &Version) -> Option<Rel> {
    if v.pre.is_empty() {
        v.patch.checked_add(1).map(|p| (v.major, v.minor, p))
    } else {
        Some(rel(v))
    }
}

/// Releases at or above `lowest`, and within `limit`.
fn span_of(lowest: Option<&Version>, limit: Option<&Limit>) -> Span {
    Span {
        lo: lowest.map_or((0, 0, 0), rel),
        hi: match limit {
            None => None,
            // Releases at most `v`: below the first release after it. Past u64::MAX there
            // is no release after it, so no upper end.
            Some(Limit::AtMost(v)) => after(v),
            Some(Limit::Below(v)) => Some(rel(v)),
        },
    }
}

/// Intersects two sorted lists of disjoint spans.
fn meet_all(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let m = x.meet(*y);
            if !m.is_empty() {
                out.push(m);
            }
        }
    }
    out.sort_by_key(|s| s.lo);
    // Pieces that touch are one range: [0.9.3, 0.9.4) and [0.9.4, 0.11.0) read as
    // "0.9.3 or later, below 0.11.0".
    let mut merged: Vec<Span> = Vec::with_capacity(out.len());
    for span in out {
        match merged.last_mut() {
            Some(last) if last.hi.is_none_or(|hi| span.lo <= hi) => {
                last.hi = match (last.hi, span.hi) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push(span),
        }
    }
    merged
}

impl Policy {
    /// The releases `p`'s component may run against `q` under the rules, piece by piece.
    fn admissible(&self, p: &Peer, q: &Peer) -> Vec<Span> {
        let scheme = self.scheme();
        // Below or at `q`, the rule in force is the one at `q`; above it, the one at the
        // target itself, which changes only at the `from`/`until` boundaries.
        let q_after = after(&q.version);
        let mut cuts: Vec<Rel> = Vec::new();
        for rule in self.rules() {
            for bound in [&rule.from, &rule.until].into_iter().flatten() {
                cuts.push(rel(&bound.value));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = vec![(
            Span {
                lo: (0, 0, 0),
                hi: q_after,
            },
            q.version.clone(),
        )];
        if let Some(start) = q_after {
            let mut lo = start;
            for &cut in cuts.iter().filter(|&&c| c > start) {
                pieces.push((Span { lo, hi: Some(cut) }, version(lo)));
                lo = cut;
            }
            pieces.push((Span { lo, hi: None }, version(lo)));
        }
        let mut out = Vec::new();
        for (piece, newest) in pieces {
            let allowed = match self.rule_between(p.component, q.component, &newest) {
                None => Span::ALL,
                Some((rule, flipped)) => {
                    let (newer, older) = rule.form.value.skews();
                    // Unflipped, `p` is the rule's `component`: it may be newer than `q` by
                    // `newer` and older by `older`.
                    let (p_newer, p_older) = if flipped {
                        (older, newer)
                    } else {
                        (newer, older)
                    };
                    span_of(
                        p_older.lowest_below(scheme, &q.version).as_ref(),
                        p_newer.limit_above(scheme, &q.version).as_ref(),
                    )
                }
            };
            let mut span = piece.meet(allowed);
            // Support: the floor, and the window around `q`.
            if let Some(min) = &self.support().minimum {
                span = span.meet(span_of(Some(&min.value), None));
            }
            if let Some(window) = &self.support().window {
                span = span.meet(span_of(
                    window.value.lowest_below(scheme, &q.version).as_ref(),
                    window.value.limit_above(scheme, &q.version).as_ref(),
                ));
            }
            if !span.is_empty() {
                out.push(span);
            }
        }
        out
    }

    /// Where to move `p` (up or down) so that every peer in `others` accepts it: the nearest
    /// admissible releases, capped by the upgrade's `max-jump` when a single step can reach
    /// them (otherwise the step limit is returned with the range). `None` when no release
    /// in that direction works.
    pub(crate) fn move_range(
        &self,
        p: &Peer,
        others: &[&Peer],
        direction: Direction,
    ) -> Option<(Range, Option<Skew>)> {
        let scheme = self.scheme();
        let half = match direction {
            Direction::Upgrade => Span {
                lo: after(&p.version)?,
                hi: None,
            },
            Direction::Downgrade | Direction::Redeploy => Span {
                lo: (0, 0, 0),
                hi: Some(rel(&p.version)),
            },
        };
        let mut spans = vec![half];
        for q in others {
            spans = meet_all(&spans, &self.admissible(p, q));
        }
        let mut span = match direction {
            Direction::Upgrade => *spans.first()?,
            _ => *spans.last()?,
        };
        // Moving one instance of a component down to meet its siblings, stop at their
        // version: going further back than the instances it joins helps nobody.
        if direction != Direction::Upgrade
            && others.iter().all(|q| q.component == p.component)
            && let Some(matched) = others.iter().map(|q| rel(&q.version)).max()
        {
            let clamped = span.meet(Span {
                lo: matched,
                hi: None,
            });
            if !clamped.is_empty() {
                span = clamped;
            }
        }
        // The largest step one instance may take.
        let mut steps = None;
        if let Some(jump) = self
            .upgrade_at(&version(span.lo))
            .and_then(|u| u.max_jump.as_ref())
            .map(|j| j.value)
        {
            let reach = match direction {
                Direction::Upgrade => span_of(None, jump.limit_above(scheme, &p.version).as_ref()),
                _ => span_of(jump.lowest_below(scheme, &p.version).as_ref(), None),
            };
            let capped = span.meet(reach);
            if capped.is_empty() {
                steps = Some(jump);
            } else {
                span = capped;
            }
        }
        // Check the nearest end against every peer: a remedy the policy refuses is worse than
        // none.
        let probe = match direction {
            Direction::Upgrade => span.lo,
            _ => match span.hi {
                Some((m, n, p)) if p > 0 => (m, n, p - 1),
                _ => span.lo,
            },
        };
        let moved = Peer {
            component: p.component,
            version: version(probe),
        };
        if others
            .iter()
            .any(|q| self.decide(&moved, q, false).is_err())
        {
            return None;
        }
        let limit = match span.hi {
            None => None,
            Some((m, n, p)) if p > 0 => Some(Limit::AtMost(Version::new(m, n, p - 1))),
            Some(hi) => Some(Limit::Below(version(hi))),
        };
        Some((
            Range {
                lowest: Some(version(span.lo)),
                limit,
            },
            steps,
        ))
    }
}
