//! Teleport's node heartbeats and client requests as a compat protocol crate.
//!
//! `build.rs` runs `compat_runtime::build::enforce()`, so the messages are checked against
//! `compat.toml` (RFD 12, "Teleport versioning") for this crate's version, 8.1.0:
//!
//! - RFD 12 has every vN binary, client or server alike, work with any other vN or vN-1
//!   binary: an auth server at 8.1.0 still reads heartbeats from v7 nodes, a proxy at
//!   8.1.0 still serves v7 `tsh`, and either side may be the newer one. So everything added
//!   after 7.0.0 must default, and every enum needs a catch-all;
//! - what arrived in v6 or early v7 needs no default any more: no v6 binary talks to a v8
//!   one.

use std::collections::BTreeMap;

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

// ---- node to auth -----------------------------------------------------------------------

/// The SSH node's periodic heartbeat: it upserts the node's server resource in the
/// auth service (through the proxy, for nodes dialing in over a reverse tunnel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "node", to = ["auth", "proxy"])]
#[since("6.0.0")]
pub struct NodeHeartbeat {
    /// The node's host UUID.
    pub name: String,
    /// The host's name.
    pub hostname: String,
    /// The address the node's SSH service listens on; empty for tunnel nodes.
    pub addr: String,
    /// Static labels from the node's configuration.
    pub labels: BTreeMap<String, String>,
    /// Whether the node dials in over a reverse tunnel. No default needed: it arrived in
    /// 6.2.0, and no node older than 7.0.0 talks to an 8.1.0 auth server.
    #[since("6.2.0")]
    pub use_tunnel: bool,
    /// The node's Teleport release, for `tctl nodes ls`.
    #[since("7.0.0")]
    pub version: String,
    /// The address users reach the node at, when it differs from [`Self::addr`].
    #[since("8.0.0")]
    pub public_addr: Option<String>,
}

/// A node's connection state, in [`ClusterEvent`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "auth", to = ["proxy", "node"])]
#[since("6.0.0")]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Heartbeats arrive.
    Online,
    /// Heartbeats stopped.
    Offline,
    /// The node is going through a CA rotation.
    #[since("8.0.0")]
    Rotating,
    /// A state from a newer auth service.
    #[serde(other)]
    Unknown,
}

/// What the auth service tells the proxies and nodes watching the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "auth", to = ["proxy", "node"])]
#[since("6.0.0")]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClusterEvent {
    /// A node's state changed.
    Node {
        /// The node's host UUID.
        name: String,
        /// Its state now.
        state: ConnectionState,
    },
    /// A certificate authority rotation moved to a new phase.
    CaRotation {
        /// `init`, `update_clients`, `update_servers` or `standby`.
        phase: String,
    },
    /// The cluster's session recording mode changed.
    #[since("7.2.0")]
    RecordingMode {
        /// `node`, `proxy`, `node-sync` or `proxy-sync`.
        mode: String,
    },
    /// An event from a newer auth service, which the watcher skips. Auth upgrades first,
    /// so a v9 auth service will send these to v8 proxies and nodes; without this variant
    /// the build fails:
    ///
    /// ```text
    /// error: enum `ClusterEvent` has no catch-all variant, but auth may be newer than
    ///        proxy (compat.toml:50:1, any two components may be up to one major release
    ///        apart (from 6.0.0-dev on)), and proxy cannot decode a variant added after
    ///        its release; add `#[serde(other)] Unknown` as the last variant ...
    /// ```
    #[serde(other)]
    Unknown,
}

// ---- tsh to proxy -----------------------------------------------------------------------

/// `tsh login`: credentials for a user certificate (`/webapi/ssh/certs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "tsh", to = "proxy")]
#[since("6.0.0")]
pub struct LoginRequest {
    /// The Teleport user.
    pub user: String,
    /// The user's password.
    pub password: String,
    /// The second factor: a TOTP code.
    pub otp_token: Option<String>,
    /// The public key to sign (OpenSSH format).
    pub pub_key: String,
    /// How long the certificates should last, in nanoseconds.
    pub ttl: u64,
    /// The leaf cluster to issue certificates for; empty for the root cluster.
    #[since("7.0.0")]
    pub route_to_cluster: String,
    /// The Kubernetes cluster to route to after login; empty (none) from `tsh` before
    /// 7.3.0, which an 8.1.0 proxy still serves.
    #[since("7.3.0")]
    #[serde(default)]
    pub kubernetes_cluster: String,
    /// Whether to attest the key with a hardware token; `false` from older `tsh`.
    #[since("8.1.0")]
    #[compat(default, ignorable)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attest_key: bool,
}

/// The proxy's answer to a [`LoginRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "proxy", to = "tsh")]
#[since("6.0.0")]
pub struct LoginResponse {
    /// The signed SSH certificate.
    pub cert: String,
    /// The signed TLS certificate.
    pub tls_cert: String,
    /// The host certificate authorities to trust.
    pub host_signers: Vec<String>,
    /// The user's roles, for the prompt.
    #[since("7.1.0")]
    pub roles: Option<Vec<String>>,
}

/// How users authenticate, as `tsh` learns it from the proxy's ping endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "proxy", to = "tsh")]
#[since("6.0.0")]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuthMethod {
    /// Username and password, with an optional second factor.
    Local {
        /// `off`, `otp`, `u2f`, `on` or `optional`.
        second_factor: String,
    },
    /// An OIDC connector.
    Oidc {
        /// The connector's name.
        connector: String,
    },
    /// A SAML connector.
    Saml {
        /// The connector's name.
        connector: String,
    },
    /// A GitHub connector.
    Github {
        /// The connector's name.
        connector: String,
    },
    /// Passwordless login with a WebAuthn key.
    #[since("8.0.0")]
    Passwordless,
    /// A method from a newer proxy; `tsh` offers the methods it knows.
    #[serde(other)]
    Unknown,
}

// ---- tctl to auth -----------------------------------------------------------------------

/// `tctl tokens add`: a join token for a new node or service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "tctl", to = "auth")]
#[since("6.0.0")]
pub struct TokenRequest {
    /// The system roles the token admits: `node`, `proxy`, `app`, ...
    pub roles: Vec<String>,
    /// How long the token lives, in nanoseconds.
    pub ttl: u64,
    /// Labels for the resources that join with it.
    #[since("7.0.0")]
    pub labels: BTreeMap<String, String>,
}

// Every message of the crate: what the handshake announces and the wire lock records.
// A type deriving `Compat` that is missing here fails the build.
compat_runtime::messages![
    NodeHeartbeat,
    ConnectionState,
    ClusterEvent,
    LoginRequest,
    LoginResponse,
    AuthMethod,
    TokenRequest,
];

// `cargo test` compares the messages with every release recorded in compat.lock;
// `cargo compat lock` records this one.
#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
