//! What the integrations tell `tracing` (feature `tracing`): one event per verdict, with
//! structured fields, rate-limited per peer so a busy client does not flood the log.
//!
//! Every event has `via` (`http`, `grpc`, `tcp`), `local` (this end, `component@version`),
//! `component` and `peer_version` (the peer as it named itself), and `outcome` (`accepted`,
//! `near edge`, `refused`). A refusal (at `warn`) adds `kind`, `by`, `rule`, `origin` and
//! `remedy`; a notice (at `info`) adds `refused_from`, `rule`, `origin` and `remedy`; a plain
//! accept is at `debug`. A client told by the server that it will be refused logs that at
//! `warn`, with `server`. Per peer and per [`INTERVAL`], the first event goes out and the
//! others are counted: the next one that goes out carries `repeated`, how many were held
//! back since.

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

#[cfg(feature = "tracing")]
pub(crate) use events::*;

#[cfg(feature = "tracing")]
mod events {
    use super::Throttle;
    use crate::census::Outcome;
    use crate::handshake::Refused;
    use crate::session::Session;

    /// An accepted peer: at `info` with the notice when this end warned it, else `debug`.
    pub(crate) fn accepted(via: &'static str, local: &str, session: &Session, throttle: &Throttle) {
        let component = session.peer_component();
        let peer_version = session.peer_hello().version();
        match session.notice_about_peer() {
            Some(notice) => {
                if !tracing::enabled!(tracing::Level::INFO) {
                    return;
                }
                let Some(repeated) = throttle.admit() else {
                    return;
                };
                tracing::info!(
                    via,
                    local,
                    component,
                    peer_version,
                    outcome = Outcome::NearEdge.as_str(),
                    refused_from = notice.refused_from(),
                    rule = notice.rule(),
                    origin = notice.origin(),
                    remedy = notice.remedy(),
                    repeated,
                    "compat: {notice}"
                );
            }
            None => {
                if !tracing::enabled!(tracing::Level::DEBUG) {
                    return;
                }
                let Some(repeated) = throttle.admit() else {
                    return;
                };
                tracing::debug!(
                    via,
                    local,
                    component,
                    peer_version,
                    outcome = Outcome::Accepted.as_str(),
                    repeated,
                    "compat: accepted {component} {peer_version}"
                );
            }
        }
    }

    /// The advance warning a server sent this client, at `warn`: this end is the one that
    /// must move.
    #[cfg_attr(
        not(feature = "tower"),
        allow(dead_code, reason = "the client layer's")
    )]
    ///
    /// Takes the server's hello and the header's bytes rather than text: the text is only
    /// built for an event that goes out, so a response from a server already seen (held
    /// back by the throttle) allocates nothing here.
    pub(crate) fn told(
        via: &'static str,
        local: &str,
        server: &crate::handshake::Hello,
        notice: &[u8],
        throttle: &Throttle,
    ) {
        if !tracing::enabled!(tracing::Level::WARN) {
            return;
        }
        let Some(repeated) = throttle.admit() else {
            return;
        };
        let server = server.peer_text();
        let server = server.as_str();
        let notice = String::from_utf8_lossy(notice);
        tracing::warn!(
            via,
            local,
            server,
            outcome = Outcome::NearEdge.as_str(),
            repeated,
            "compat: the server warns: {notice}"
        );
    }

    /// A refused peer, at `warn`. `peer` is the identity as it arrived, when there was one.
    pub(crate) fn refused(
        via: &'static str,
        local: &str,
        peer: Option<(&str, &str)>,
        refused: &Refused,
        throttle: &Throttle,
    ) {
        if !tracing::enabled!(tracing::Level::WARN) {
            return;
        }
        let Some(repeated) = throttle.admit() else {
            return;
        };
        let (component, peer_version) = peer.unwrap_or(("", ""));
        tracing::warn!(
            via,
            local,
            component,
            peer_version,
            outcome = Outcome::Refused.as_str(),
            kind = refused.kind().as_str(),
            by = refused.by(),
            rule = refused.rule(),
            origin = refused.origin(),
            remedy = refused.remedy(),
            repeated,
            "compat: {refused}"
        );
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
