//! The rate limit of the `tracing` events about one peer: per peer and per [`INTERVAL`], the
//! first event goes out and the others are counted, and the next one that goes out says how
//! many were held back. A census row and a layer's cache entry each hold one.

use core::time::Duration;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The shortest time between two events about one peer.
pub(crate) const INTERVAL: Duration = Duration::from_secs(60);

/// The rate limit of one peer's events.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    /// Milliseconds since [`start`] from which the next event may go out.
    next: AtomicU64,
    held: AtomicU64,
}

fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl Throttle {
    /// `Some(held back since the last one)` when an event may go out now.
    #[cfg_attr(
        not(feature = "tracing"),
        allow(dead_code, reason = "used by the events")
    )]
    pub(crate) fn admit(&self) -> Option<u64> {
        let now = u64::try_from(start().elapsed().as_millis()).unwrap_or(u64::MAX);
        let next = self.next.load(Ordering::Relaxed);
        let later = now.saturating_add(u64::try_from(INTERVAL.as_millis()).unwrap_or(u64::MAX));
        if now < next
            || self
                .next
                .compare_exchange(next, later, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            self.held.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(self.held.swap(0, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_lets_one_event_through_per_interval_and_counts_the_rest() {
        let throttle = Throttle::default();
        assert_eq!(throttle.admit(), Some(0));
        assert_eq!(throttle.admit(), None);
        assert_eq!(throttle.admit(), None);
        // As if the interval had passed: the next event carries the two held back.
        throttle.next.store(0, Ordering::Relaxed);
        assert_eq!(throttle.admit(), Some(2));
    }
}
