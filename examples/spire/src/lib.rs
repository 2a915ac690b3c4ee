//! SPIRE's node API, agent to server and back, as a compat protocol crate.
//!
//! The messages carry the release that shipped them and every field or variant added since;
//! `build.rs` runs `compat_runtime::build::enforce()`, so the build checks them against
//! `compat.toml` (SPIRE's "Managing Upgrades/Downgrades" page) for this crate's version,
//! 0.9.3:
//!
//! - agents may be one minor older than the server and never newer, so a server at 0.9.3
//!   still reads [`AttestRequest`] and [`RenewSvidRequest`] from 0.8.0 agents: what those
//!   gained after 0.8.0 must default;
//! - servers may be newer than the agents they serve, so what a server sends an agent
//!   ([`ServerMessage`]) needs a catch-all for variants a newer server adds;
//! - an agent at 0.9.3 only talks to servers at 0.9.3 or newer (never newer than the oldest
//!   server), so fields the server sends need no default to reach it.

use std::collections::BTreeMap;

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

pub mod service;

/// Evidence of the node's identity, from a node attestor plugin (`join_token`,
/// `aws_iid`, `k8s_psat`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.6.0")]
pub struct AttestationData {
    /// The attestor plugin that produced the evidence.
    #[serde(rename = "type")]
    pub kind: String,
    /// The evidence, in the plugin's own format.
    pub data: Vec<u8>,
}

/// The agent's first call: attest the node and ask for its SVID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.6.0")]
pub struct AttestRequest {
    /// The node's evidence.
    pub attestation_data: AttestationData,
    /// The certificate signing request for the agent's own SVID (DER).
    pub csr: Vec<u8>,
    /// The answer to the server's challenge, for challenge/response attestors.
    #[since("0.8.0")]
    pub response: Option<Vec<u8>>,
    /// The SPIFFE ID of the agent's previous identity, when it attests again after its
    /// SVID expired.
    ///
    /// Agents from 0.8.x never send it, and a 0.9.3 server must still attest them, so it is
    /// an `Option`. As a plain `String` the build fails right here:
    ///
    /// ```text
    /// error: field `previous_agent_id` arrived in 0.9.0, but server 0.9.3 must still accept
    ///        agent 0.8.0 (compat.toml:20:1, agent may be up to one minor release older than
    ///        server, never newer); make it `Option<_>` or add `#[serde(default)]`
    ///        (`#[compat(default)]` if `Deserialize` is written by hand)
    /// ```
    #[since("0.9.0")]
    pub previous_agent_id: Option<String>,
}

/// A periodic request to renew the agent's SVID and fetch those of its workloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.7.0")]
pub struct RenewSvidRequest {
    /// CSRs keyed by registration entry ID; the agent's own under its SPIFFE ID.
    pub csrs: BTreeMap<String, Vec<u8>>,
    /// Whether the agent can receive JWT-SVIDs in the same update; `false` from agents
    /// older than 0.9.1, which do not send it.
    #[since("0.9.1")]
    #[compat(default)]
    #[serde(default)]
    pub jwt_svids: bool,
}

/// An X.509 SVID the server signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.6.0")]
pub struct X509Svid {
    /// The certificate chain, leaf first (DER).
    pub cert_chain: Vec<u8>,
    /// When the leaf expires, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// SVIDs and trust bundles, sent by the server after attestation and every renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.6.0")]
pub struct SvidUpdate {
    /// The signed SVIDs, keyed by registration entry ID.
    pub svids: BTreeMap<String, X509Svid>,
    /// Trust bundles keyed by trust domain, as PEM.
    pub bundles: BTreeMap<String, String>,
    /// The revision of the registration entries these SVIDs were signed for; agents use
    /// it to skip redundant syncs.
    ///
    /// No default needed: an agent at 0.9.3 is never newer than its servers, so every server
    /// it hears from is at 0.9.3 or later and sends it.
    #[since("0.9.2")]
    pub entries_revision: u64,
}

/// What a SPIRE server answers an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.6.0")]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// A challenge for challenge/response attestors; answer with
    /// [`AttestRequest::response`].
    #[since("0.8.0")]
    Challenge {
        /// The challenge, in the attestor's format.
        challenge: Vec<u8>,
    },
    /// New SVIDs and bundles.
    Update(SvidUpdate),
    /// The server no longer trusts the agent's SVID: attest again.
    #[since("0.9.0")]
    Reattest {
        /// Why, for the agent's log.
        reason: String,
    },
    /// A message from a newer server that this agent does not know. Servers upgrade
    /// first, so an agent meets newer servers during every rollout; without this variant
    /// the build fails ("enum `ServerMessage` has no catch-all variant, but servers may be
    /// newer than agents").
    #[serde(other)]
    Unknown,
}

// Every message of the crate: what the handshake announces and the wire lock records.
// A type deriving `Compat` that is missing here fails the build.
compat_runtime::messages![
    AttestationData,
    AttestRequest,
    RenewSvidRequest,
    X509Svid,
    SvidUpdate,
    ServerMessage,
];

// `cargo test` compares the messages with every release recorded in compat.lock;
// `cargo compat lock` records this one.
#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
