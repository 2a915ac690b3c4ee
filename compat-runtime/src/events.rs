//! What the integrations tell `tracing` (feature `tracing`): one event per verdict, with
//! structured fields, rate-limited per peer so a busy client does not flood the log.
//!
//! Every event has `via` (`http`, `grpc`, `tcp`), `local` (this end, `component@version`),
//! `component` and `peer_version` (the peer as it named itself), and `outcome` (`accepted`,
//! `near edge`, `refused`). A refusal (at `warn`) adds `kind`, `by`, `rule`, `origin` and
//! `remedy`; a notice (at `info`) adds `refused_from`, `rule`, `origin` and `remedy`; a plain
//! accept is at `debug`. A client told by the server that it will be refused logs that at
//! `warn`, with `server`. Per peer and per [`INTERVAL`](crate::throttle::INTERVAL), the
//! first event goes out and the others are counted: the next one that goes out carries
//! `repeated`, how many were held back since (see `throttle.rs`).
//!
//! A value a session sends in an older form (a variant's fallback) is reported by
//! `fallback.rs`, in the same style (`outcome = "fallback"`), since the send path, not an
//! integration, sees it.

// Called by the integrations (the tokio listener, the tower layers and tonic interceptors).
#![cfg_attr(
    not(any(feature = "tokio", feature = "tower")),
    allow(dead_code, reason = "the integrations' events")
)]

use crate::census::Outcome;
use crate::handshake::{Hello, Refused};
use crate::session::Session;
use crate::throttle::Throttle;

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
///
/// Takes the server's hello and the header's bytes rather than text: the text is only
/// built for an event that goes out, so a response from a server already seen (held
/// back by the throttle) allocates nothing here.
#[cfg_attr(
    not(feature = "tower"),
    allow(dead_code, reason = "the client layer's")
)]
pub(crate) fn told(
    via: &'static str,
    local: &str,
    server: &Hello,
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
