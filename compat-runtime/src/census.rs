//! The census: how many connections or requests each `component@version` made, how many
//! were refused, and how many were accepted at the edge of the window (the peer got an
//! advance-warning notice). An operator reads it before raising the floor: who still runs
//! the old versions, and how much traffic they carry.
//!
//! Counting is cheap: the first sight of a peer takes a lock to find its row, and the HTTP
//! and gRPC layers keep that row with the identity they cached, so a peer already seen costs
//! one atomic increment. The census is bounded: past [`MAX_ROWS`] distinct peers (a hostile
//! client can invent names), further ones are counted together under `(other)`.
//!
//! ```
//! use compat_runtime::census::{Census, Outcome};
//!
//! let census = Census::new();
//! census.record("agent@0.9.2", Outcome::Accepted);
//! census.record("agent@0.8.4", Outcome::NearEdge);
//! census.record("agent@0.10.0", Outcome::Refused);
//! census.record_unidentified();
//!
//! let snapshot = census.snapshot();
//! assert_eq!(snapshot.get("agent@0.8.4").unwrap().near_edge, 1);
//! assert_eq!(snapshot.total().refused, 2);
//! print!("{snapshot}");
//! // peer            accepted  near edge  refused
//! // agent@0.8.4            1          1        0
//! // agent@0.9.2            1          0        0
//! // agent@0.10.0           0          0        1
//! // (unidentified)         0          0        1
//! # assert_eq!(snapshot.to_string(), "peer            accepted  near edge  refused\nagent@0.8.4            1          1        0\nagent@0.9.2            1          0        0\nagent@0.10.0           0          0        1\n(unidentified)         0          0        1\n");
//! ```

use core::fmt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::fallback::Sent;
use crate::session::Session;
use crate::version::parse_version;

/// The most distinct peers the census keeps a row for; the rest share `(other)`.
pub const MAX_ROWS: usize = 512;

/// The row of peers that sent no identity, or one that could not be read.
pub const UNIDENTIFIED: &str = "(unidentified)";

/// The row of peers past [`MAX_ROWS`].
pub const OTHER: &str = "(other)";

/// What happened to one connection or request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Accepted.
    Accepted,
    /// Accepted, with a notice: the next release of this end will refuse the peer.
    NearEdge,
    /// Refused.
    Refused,
}

impl Outcome {
    /// The outcome of a session: near the edge when this end warned the peer.
    pub fn of(session: &Session) -> Self {
        if session.notice_about_peer().is_some() {
            Outcome::NearEdge
        } else {
            Outcome::Accepted
        }
    }

    /// `accepted`, `near edge` or `refused`: the `outcome` field of the tracing events.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::NearEdge => "near edge",
            Outcome::Refused => "refused",
        }
    }
}

/// The counters of one peer. Shared by the census and the layers' caches.
#[derive(Debug, Default)]
pub(crate) struct Row {
    accepted: AtomicU64,
    near_edge: AtomicU64,
    refused: AtomicU64,
    /// For the rate limit of the tracing events about this peer.
    #[cfg_attr(
        not(all(feature = "tracing", any(feature = "tokio", feature = "tower"))),
        allow(dead_code, reason = "read by the integrations' events")
    )]
    pub(crate) throttle: crate::throttle::Throttle,
    /// The values sent to this peer in an older form, which the sessions with it share
    /// ([`Census::count_fallbacks_of`]).
    fallbacks: Arc<Sent>,
}

impl Row {
    #[inline]
    pub(crate) fn count(&self, outcome: Outcome) {
        // Relaxed: each counter is read on its own; a snapshot is not a transaction.
        match outcome {
            Outcome::Accepted => self.accepted.fetch_add(1, Ordering::Relaxed),
            Outcome::NearEdge => {
                self.accepted.fetch_add(1, Ordering::Relaxed);
                self.near_edge.fetch_add(1, Ordering::Relaxed)
            }
            Outcome::Refused => self.refused.fetch_add(1, Ordering::Relaxed),
        };
    }

    fn counts(&self) -> Counts {
        Counts {
            accepted: self.accepted.load(Ordering::Relaxed),
            near_edge: self.near_edge.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            fallbacks: self.fallbacks.count(),
        }
    }
}

/// Counts per `component@version` of accepted, near-the-edge and refused connections or
/// requests. Cloning shares the same counts: give one census to every layer and listener
/// of a service, and read it from an admin endpoint.
#[derive(Debug, Clone, Default)]
pub struct Census {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    rows: Mutex<BTreeMap<String, Arc<Row>>>,
    unidentified: Arc<Row>,
    other: Arc<Row>,
}

impl Census {
    /// An empty census.
    pub fn new() -> Self {
        Census::default()
    }

    /// Counts one connection or request of `peer` (`component@version`).
    pub fn record(&self, peer: &str, outcome: Outcome) {
        self.row(peer).count(outcome);
    }

    /// Counts one connection or request that named no peer, or one that could not be read.
    pub fn record_unidentified(&self) {
        self.inner.unidentified.count(Outcome::Refused);
    }

    /// Counts a handshake's verdict: the session's peer, or the refused peer (a refusal of
    /// unreadable bytes, or of a peer that sent nothing, counts as unidentified).
    pub fn record_verdict(&self, verdict: Result<&Session, &crate::Refused>) {
        self.count_verdict(verdict);
    }

    /// [`Census::record_verdict`], returning the row it counted in (whose throttle rates
    /// the events about that peer).
    pub(crate) fn count_verdict(&self, verdict: Result<&Session, &crate::Refused>) -> Arc<Row> {
        let (row, outcome) = match verdict {
            Ok(session) => (
                self.row(&format!(
                    "{}@{}",
                    session.peer_component(),
                    session.peer_version()
                )),
                Outcome::of(session),
            ),
            Err(refused) => match refused_peer(refused) {
                Some(peer) => (self.row(peer), Outcome::Refused),
                None => (self.unidentified_row(), Outcome::Refused),
            },
        };
        row.count(outcome);
        row
    }

    /// Counts, from now on, the values `session` sends in an older form (a variant's
    /// fallback, `#[compat(fallback = "...")]`) in its peer's row ([`Counts::fallbacks`]),
    /// and rates the events about them with the other sessions with that peer. Returns
    /// `false`, counting nothing here, when the session already counts them elsewhere or
    /// has already sent one. `tokio::accept_counted` (feature `tokio`) does
    /// this for each session it returns.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::census::Census;
    /// use compat_runtime::handshake::Endpoint;
    /// use compat_runtime::{Compat, Policy};
    ///
    /// #[derive(Clone, Compat)]
    /// #[compat(between = ["layer"])]
    /// #[since("0.0.1")]
    /// pub enum Request {
    ///     StatFs(String),
    ///     #[since("0.1.0")]
    ///     #[compat(fallback = "StatFs", via = "path_only")]
    ///     StatFsV2((String, bool)),
    /// }
    /// fn path_only(v2: &(String, bool)) -> String { v2.0.clone() }
    ///
    /// let policy = Policy::from_toml("compat.toml", "[components]\nlayer = {}\n\
    ///     [[rule]]\ncomponent = \"layer\"\npeer = \"layer\"\nskew = \"1 minor\"\n").unwrap();
    /// static MESSAGES: &[&compat_runtime::Message] = &[Request::MESSAGE];
    /// let new = Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap();
    /// let old = Endpoint::new(&policy, "layer", "0.0.5", MESSAGES).unwrap();
    /// let session = new.accept(old.hello()).unwrap();
    ///
    /// let census = Census::new();
    /// assert!(census.count_fallbacks_of(&session));
    /// session.prepare(&Request::StatFsV2(("/".into(), true))).unwrap();
    /// assert_eq!(census.snapshot().get("layer@0.0.5").unwrap().fallbacks, 1);
    /// # }
    /// ```
    pub fn count_fallbacks_of(&self, session: &Session) -> bool {
        let peer = format!("{}@{}", session.peer_component(), session.peer_version());
        let row = self.row(&peer);
        session.count_fallbacks_in(Arc::clone(&row.fallbacks))
    }

    /// The row of `peer`, made on first sight; `(other)` once the census is full.
    pub(crate) fn row(&self, peer: &str) -> Arc<Row> {
        let mut rows = self
            .inner
            .rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(row) = rows.get(peer) {
            return Arc::clone(row);
        }
        if rows.len() >= MAX_ROWS {
            return Arc::clone(&self.inner.other);
        }
        let row = Arc::new(Row::default());
        rows.insert(peer.to_owned(), Arc::clone(&row));
        row
    }

    #[cfg_attr(
        not(feature = "tower"),
        allow(dead_code, reason = "used by the layers")
    )]
    pub(crate) fn unidentified_row(&self) -> Arc<Row> {
        Arc::clone(&self.inner.unidentified)
    }

    /// The counts as they are now, ordered by component, then by version (0.9 before 0.10).
    pub fn snapshot(&self) -> Snapshot {
        let rows = self
            .inner
            .rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut peers: Vec<PeerCounts> = rows
            .iter()
            .map(|(peer, row)| PeerCounts {
                peer: peer.clone(),
                counts: row.counts(),
            })
            .collect();
        drop(rows);
        peers.sort_by(|a, b| order_key(&a.peer).cmp(&order_key(&b.peer)));
        for (name, row) in [
            (OTHER, &self.inner.other),
            (UNIDENTIFIED, &self.inner.unidentified),
        ] {
            let counts = row.counts();
            if counts != Counts::default() {
                peers.push(PeerCounts {
                    peer: name.to_owned(),
                    counts,
                });
            }
        }
        Snapshot { peers }
    }
}

/// The peer a refusal is about: the side that is not the refusing end.
pub(crate) fn refused_peer(refused: &crate::Refused) -> Option<&str> {
    use crate::handshake::RefusedKind;
    match refused.kind() {
        RefusedKind::BadHello | RefusedKind::Layout | RefusedKind::Timeout => None,
        _ if refused.subject() == refused.by() => Some(refused.other()),
        _ => Some(refused.subject()),
    }
}

fn order_key(peer: &str) -> (&str, Option<crate::Version>, &str) {
    match peer.rsplit_once('@') {
        Some((component, version)) => (component, parse_version(version).ok(), version),
        None => (peer, None, ""),
    }
}

/// The counts of one peer, or of all of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Counts {
    /// Connections or requests accepted (near the edge or not).
    pub accepted: u64,
    /// Of those, the ones accepted with an advance-warning notice.
    pub near_edge: u64,
    /// Connections or requests refused.
    pub refused: u64,
    /// Variants sent to the peer in an older form, its fallback
    /// (`#[compat(fallback = "...")]`), because the peer predates them: counted by a
    /// [`Session`] given this census with [`Census::count_fallbacks_of`]. Left out of the JSON
    /// while 0.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_zero"))]
    pub fallbacks: u64,
}

#[cfg(feature = "serde")]
#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One row of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PeerCounts {
    /// `component@version`, [`UNIDENTIFIED`] or [`OTHER`].
    pub peer: String,
    /// Its counts.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub counts: Counts,
}

/// The census at one moment: a row per peer, ordered by component and version, then
/// `(other)` and `(unidentified)` when they counted anything. With feature `serde` it
/// serializes as `{"peers": [{"peer": "agent@0.9.2", "accepted": 3, ...}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    /// The rows.
    pub peers: Vec<PeerCounts>,
}

impl Snapshot {
    /// The counts of one peer (`component@version`).
    pub fn get(&self, peer: &str) -> Option<Counts> {
        self.peers.iter().find(|p| p.peer == peer).map(|p| p.counts)
    }

    /// The counts of every peer together.
    pub fn total(&self) -> Counts {
        self.peers.iter().fold(Counts::default(), |t, p| Counts {
            accepted: t.accepted + p.counts.accepted,
            near_edge: t.near_edge + p.counts.near_edge,
            refused: t.refused + p.counts.refused,
            fallbacks: t.fallbacks + p.counts.fallbacks,
        })
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .peers
            .iter()
            .map(|p| p.peer.len())
            .max()
            .unwrap_or(0)
            .max("peer".len());
        // The fallbacks' column only where a session counted one, so the common table
        // stays as it was.
        let fallbacks = self.peers.iter().any(|p| p.counts.fallbacks > 0);
        write!(f, "{:width$}  accepted  near edge  refused", "peer")?;
        writeln!(f, "{}", if fallbacks { "  fallbacks" } else { "" })?;
        for p in &self.peers {
            write!(
                f,
                "{:width$}  {:>8}  {:>9}  {:>7}",
                p.peer, p.counts.accepted, p.counts.near_edge, p.counts.refused
            )?;
            if fallbacks {
                write!(f, "  {:>9}", p.counts.fallbacks)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_census_counts_newcomers_under_other() {
        let census = Census::new();
        for i in 0..MAX_ROWS + 10 {
            census.record(&format!("agent@0.0.{i}"), Outcome::Accepted);
        }
        let snapshot = census.snapshot();
        assert_eq!(snapshot.peers.len(), MAX_ROWS + 1);
        assert_eq!(snapshot.get(OTHER).unwrap().accepted, 10);
        assert_eq!(snapshot.total().accepted, (MAX_ROWS + 10) as u64);
    }

    #[test]
    fn versions_sort_as_versions_not_as_text() {
        let census = Census::new();
        for peer in [
            "agent@0.10.0",
            "agent@0.9.0",
            "server@0.1.0",
            "agent@not-a-version",
        ] {
            census.record(peer, Outcome::Refused);
        }
        let order: Vec<_> = census
            .snapshot()
            .peers
            .into_iter()
            .map(|p| p.peer)
            .collect();
        assert_eq!(
            order,
            [
                "agent@not-a-version",
                "agent@0.9.0",
                "agent@0.10.0",
                "server@0.1.0"
            ]
        );
    }
}
