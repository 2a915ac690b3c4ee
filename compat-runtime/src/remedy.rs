//! Remedies: where to move one side of a refused pair (or one instance of a fleet) so that
//! every peer it talks to accepts it, and what `max-jump` makes of the move.
//!
//! The range is the nearest piece of [`Policy::accepted_by`] in the move's direction, in
//! full: exactly the releases every peer accepts, never cut down to what one step reaches.
//! What one step reaches, and the stops on the way when it does not reach the range, are
//! said apart, as [`Steps`]: a step up is governed by the upgrade settings of the release
//! it moves to, a step down by those of the release it leaves (as the planner reads them).

use crate::check::{Direction, Peer, Range, Route, Steps};
use crate::policy::Policy;
use crate::skew::Skew;
use crate::version::{Version, release_before};
use crate::window::{Ranges, Rel, Span, after, rel, releases_where, skew_edges, version};

/// The most stops a route lists: a longer one is [`Route::Long`].
pub(crate) const MAX_STOPS: usize = 100;

impl Policy {
    /// Where to move `p` (up or down) so that every peer in `others` accepts it: the nearest
    /// range of releases they all accept, in full, and what `max-jump` imposes on the way
    /// there. `None` when no release in that direction works.
    pub(crate) fn move_range(
        &self,
        p: &Peer,
        others: &[&Peer],
        direction: Direction,
    ) -> Option<(Range, Option<Steps>)> {
        let fits = self.accepted_by(p.component, others);
        let span = match direction {
            Direction::Upgrade => *fits
                .within(Span {
                    lo: after(&p.version)?,
                    hi: None,
                })
                .spans()
                .first()?,
            Direction::Downgrade | Direction::Redeploy => *fits
                .within(Span {
                    lo: (0, 0, 0),
                    hi: Some(rel(&p.version)),
                })
                .spans()
                .last()?,
        };
        Some((span.range(), self.steps(&p.version, span, direction)))
    }

    /// What `max-jump` imposes on moving from `from` into `target`; `None` when no
    /// `max-jump` governs the move (one step reaches all of it).
    fn steps(&self, from: &Version, target: Span, direction: Direction) -> Option<Steps> {
        let up = match direction {
            Direction::Upgrade => true,
            Direction::Downgrade => false,
            Direction::Redeploy => return None,
        };
        let whole = Ranges::of(target);
        let reach = self.reach(from, up).within(target);
        // The setting that governs the step into the nearest release of the range (up) or
        // out of `from` (down); failing that, the first that cuts the range short.
        let governing = if up {
            self.upgrade_at(&version(target.lo))
        } else {
            self.upgrade_at(from)
        };
        let max_jump = match governing.and_then(|u| u.max_jump.clone()) {
            Some(j) => j,
            None if reach == whole => return None,
            None => self.upgrades().iter().find_map(|u| u.max_jump.clone())?,
        };
        let route = if reach.is_empty() {
            self.route(from, target, up)
        } else {
            Route::OneStep
        };
        Some(Steps {
            max_jump,
            reach,
            route,
        })
    }

    /// The releases one step from `from` reaches, up or down.
    fn reach(&self, from: &Version, up: bool) -> Ranges {
        let scheme = self.scheme();
        let mut cuts: Vec<Rel> = vec![rel(from)];
        cuts.extend(after(from));
        if up {
            for u in self.upgrades() {
                for bound in [&u.from, &u.until].into_iter().flatten() {
                    cuts.push(rel(&bound.value));
                }
                if let Some(j) = &u.max_jump {
                    skew_edges(scheme, j.value, from, &mut cuts);
                }
            }
            releases_where(cuts, |t| {
                scheme.compare(t, from).is_gt() && self.jump_allows(from, t, t)
            })
        } else {
            let jump = self.jump_at(from);
            if let Some(j) = jump {
                skew_edges(scheme, j, from, &mut cuts);
            }
            releases_where(cuts, |t| {
                scheme.compare(t, from).is_lt() && self.jump_allows(t, from, from)
            })
        }
    }

    /// The `max-jump` of the upgrade settings at `v`, if any.
    fn jump_at(&self, v: &Version) -> Option<Skew> {
        self.upgrade_at(v)
            .and_then(|u| u.max_jump.as_ref())
            .map(|j| j.value)
    }

    /// Whether one step between `older` and `newer` is allowed by the settings at `at`.
    fn jump_allows(&self, older: &Version, newer: &Version, at: &Version) -> bool {
        self.jump_at(at)
            .is_none_or(|j| j.admits(self.scheme(), older, newer))
    }

    /// The stops from `from` into `target` when one step does not reach it: each step as far
    /// as the settings allow, so no series has fewer stops.
    fn route(&self, from: &Version, target: Span, up: bool) -> Route {
        if up && !self.enterable(target) {
            return Route::Never;
        }
        let mut at = from.clone();
        let mut stops = Vec::new();
        loop {
            let reach = self.reach(&at, up);
            if !reach.within(target).is_empty() {
                return Route::Through(stops);
            }
            let next = if up {
                // The furthest line one step reaches below the range; its first release
                // reaches as far as any other in it.
                let Some(&Span { lo, hi: Some(hi) }) = reach
                    .within(Span {
                        lo: (0, 0, 0),
                        hi: Some(target.lo),
                    })
                    .spans()
                    .last()
                else {
                    return Route::Never;
                };
                lo.max(line_before(hi))
            } else {
                // The lowest release one step reaches.
                match reach.spans().first() {
                    Some(s) => s.lo,
                    None => return Route::Never,
                }
            };
            if stops.len() == MAX_STOPS {
                return Route::Long;
            }
            at = version(next);
            stops.push(at.clone());
        }
    }

    /// Whether some release of `target` is one step up from the releases just below it: if
    /// not, no series of upgrades enters it (a major that `"1 minor"` steps never cross).
    fn enterable(&self, target: Span) -> bool {
        let Some(below) = release_before(&version(target.lo)) else {
            return true;
        };
        !self.reach(&below, true).within(target).is_empty()
    }
}

/// The first release of the line just below `hi`: `2.2.0` below `2.3.0`, `4.0.0` below
/// `5.0.0`, the patch itself below `2.2.5`.
fn line_before(hi: Rel) -> Rel {
    match hi {
        (m, n, p) if p > 0 => (m, n, p - 1),
        (m, n, _) if n > 0 => (m, n - 1, 0),
        (m, _, _) => (m.saturating_sub(1), 0, 0),
    }
}
