//! mirrord's component APIs (license server, operator, agent, CLI) as a compat protocol
//! crate.
//!
//! `build.rs` runs `compat_runtime::build::enforce()`, so the messages are checked against
//! `compat.toml` (mirrord's "Versioning" page) for this crate's version, 3.118.0:
//!
//! - every pair of components is compatible within the same major, both ways: an operator
//!   at 3.118.0 still hears from license servers and CLIs back to 3.0.0, and from newer
//!   ones, so what they gained since 3.0.0 must default and enums need a catch-all;
//! - the agent is deployed and managed by the operator, at the identical release: what the
//!   operator and its agents exchange ([`AgentRequest`], [`AgentStatus`]) may change in any
//!   release without defaults or catch-alls.
//!
//! These are the serde JSON messages of mirrord's operator side (Kubernetes resources, the
//! license server), under the release promise of mirrord's versioning page. The agent
//! protocol itself (layer and agent, bincode 2, a protocol version 1.x of its own beside
//! the 3.x releases, mirrord's `VersionReq` gates as features and fallbacks) is the crate
//! `examples/mirrord-agent-protocol`.

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

// ---- operator and license server: same major, either may be newer ----------------------

/// The operator's periodic check-in with the license server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "operator", to = "license-server")]
#[since("3.0.0")]
pub struct LicenseCheckIn {
    /// The operator installation, stable across restarts.
    pub operator_id: String,
    /// The fingerprint of the license the operator was installed with.
    pub license_fingerprint: String,
    /// The operator's release.
    pub operator_version: String,
    /// Users with a session in the last period, for seat accounting; empty from
    /// operators older than 3.73.0, which do not report them.
    ///
    /// A license server at 3.118.0 still serves 3.0.0 operators. Without the defaults the
    /// build fails here:
    ///
    /// ```text
    /// error: field `active_users` arrived in 3.73.0, but license-server 3.118.0 must still
    ///        accept operator 3.0.0 (compat.toml:10:1, any two components must be in the same
    ///        major); make it `Option<_>` or add `#[serde(default)]` (`#[compat(default)]` if
    ///        `Deserialize` is written by hand)
    /// ```
    #[since("3.73.0")]
    #[compat(default)]
    #[serde(default)]
    pub active_users: Vec<String>,
    /// The Kubernetes cluster's name, shown on the license dashboard.
    #[since("3.98.0")]
    pub cluster_name: Option<String>,
}

/// The license server's answer to a [`LicenseCheckIn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "license-server", to = "operator")]
#[since("3.0.0")]
pub struct LicenseStatus {
    /// The license's tier.
    pub tier: LicenseTier,
    /// The last day the license is valid, `YYYY-MM-DD`.
    pub valid_until: String,
    /// How many users the license admits; `None` for unlimited, and from license servers
    /// older than 3.88.0.
    #[since("3.88.0")]
    pub seats: Option<u32>,
}

/// The tier of a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "license-server", to = "operator")]
#[since("3.0.0")]
#[serde(rename_all = "snake_case")]
pub enum LicenseTier {
    /// mirrord for Teams.
    Team,
    /// mirrord Enterprise.
    Enterprise,
    /// A time-limited trial.
    #[since("3.104.0")]
    Trial,
    /// A tier from a newer license server; the operator treats it as the most limited one.
    #[serde(other)]
    Unknown,
}

// ---- CLI and operator: same major, either may be newer ---------------------------------

/// The CLI asks the operator for a session against a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "cli", to = "operator")]
#[since("3.0.0")]
pub struct SessionRequest {
    /// The target, e.g. `deployment/api` or `pod/api-7d9c`.
    pub target: String,
    /// The target's namespace.
    pub namespace: String,
    /// Steal the target's incoming traffic instead of mirroring it.
    #[since("3.60.0")]
    #[serde(default)]
    pub steal: bool,
    /// Run against a copy of the target rather than the target itself.
    #[since("3.106.0")]
    #[serde(default)]
    pub copy_target: bool,
}

/// The operator's answer to a [`SessionRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "operator", to = "cli")]
#[since("3.0.0")]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SessionResponse {
    /// The session is up; the CLI connects through the operator.
    Started {
        /// The session, for `mirrord operator status`.
        session_id: String,
    },
    /// The operator refused the session.
    Rejected {
        /// Why, in words.
        reason: String,
    },
    /// Another user holds the target's traffic; retry later or mirror instead.
    #[since("3.91.0")]
    TargetLocked {
        /// Who holds the lock.
        holder: String,
    },
    /// An answer from a newer operator this CLI does not know.
    #[serde(other)]
    Unknown,
}

// ---- operator and agent: managed, the identical release --------------------------------

/// What the operator asks of an agent it deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "operator", to = "agent")]
#[since("3.0.0")]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentRequest {
    /// Liveness.
    Ping,
    /// Mirror a port's traffic to the session.
    Mirror {
        /// The port in the target's network namespace.
        port: u16,
    },
    /// Steal a port's traffic.
    Steal {
        /// The port in the target's network namespace.
        port: u16,
    },
    /// Steal only the HTTP requests whose header matches a filter.
    #[since("3.95.0")]
    StealHttp {
        /// The port in the target's network namespace.
        port: u16,
        /// A regular expression over `Name: value` header lines.
        header_filter: String,
    },
    /// Steal only the HTTP requests whose path matches a filter.
    #[since("3.112.0")]
    StealHttpPath {
        /// The port in the target's network namespace.
        port: u16,
        /// A regular expression over the request path.
        path_filter: String,
    },
}

/// An agent's report to its operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "operator")]
#[since("3.0.0")]
pub struct AgentStatus {
    /// The agent's release; always the operator's own.
    pub version: String,
    /// The target's process ID, seen from the agent.
    pub pid: u32,
    /// Connections the agent currently steals.
    ///
    /// No default: the operator deploys its agents at its own release (`managed = true`),
    /// so every agent an operator at 3.118.0 hears from sends it.
    #[since("3.110.0")]
    pub stolen_connections: u32,
    /// The agent's steal backend (`iptables`, `iptables-nft`, `ebpf`).
    #[since("3.117.0")]
    pub steal_backend: String,
}

// Every message of the crate: what the handshake announces and the wire lock records.
// A type deriving `Compat` that is missing here fails the build.
compat_runtime::messages![
    LicenseCheckIn,
    LicenseStatus,
    LicenseTier,
    SessionRequest,
    SessionResponse,
    AgentRequest,
    AgentStatus,
];

// `cargo test` compares the messages with every release recorded in compat.lock;
// `cargo compat lock` records this one.
#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
