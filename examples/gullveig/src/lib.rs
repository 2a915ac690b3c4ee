//! Gullveig's agent reports and web API as a compat protocol crate.
//!
//! `build.rs` runs `compat_runtime::build::enforce()`, so the messages are checked against
//! `compat.toml` (the "Upgrading Gullveig" page) for this crate's version, 1.1.5:
//!
//! - a reporting server at 1.1.5 reads reports from agents back to 1.0.0, and agents are
//!   never newer than their server: what [`AgentReport`] gained in 1.1 must default, but
//!   its enums need no catch-all;
//! - an agent at 1.1.5 hears from servers at 1.1.5 or newer (any 1.x), so
//!   [`ReportAck`] and its enums must survive a newer server;
//! - the web interface and the server run the identical release, so their API
//!   ([`WebRequest`], [`NodeSummary`]) changes freely between releases.
//!
//! All of 0.x carries no guarantee: a 0.x build only talks to the identical version.

use std::collections::BTreeMap;

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

compat_runtime::include_policy!();

// ---- agent to server: agents may be any minor older, never newer -----------------------

/// One measurement from an agent module (`mod_fs`, `mod_res`, `mod_systemd`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("1.0.0")]
pub struct Metric {
    /// The module that took it.
    #[serde(rename = "s")]
    pub source: String,
    /// The metric's name within the module, e.g. `/var:used`.
    #[serde(rename = "m")]
    pub metric: String,
    /// The value.
    #[serde(rename = "v")]
    pub value: f64,
    /// Its unit, e.g. `%` or `B`.
    #[serde(rename = "u")]
    pub unit: String,
    /// The lowest value the metric can take, for charts.
    #[since("1.1.0")]
    #[serde(rename = "f")]
    pub from: Option<f64>,
    /// The highest value the metric can take, for charts.
    #[since("1.1.0")]
    #[serde(rename = "t")]
    pub to: Option<f64>,
}

/// The state of a health check. Agents send it in [`HealthCheck`], and the server passes
/// it on to the web interface in [`NodeSummary`]: `routes` names those two directions, and
/// not agent to web, which no rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(routes = ["agent > server", "server > web"])]
#[since("1.0.0")]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthState {
    /// Within limits.
    Ok,
    /// Past the warning threshold.
    Warning,
    /// Past the error threshold.
    Error,
    /// The check could not run. No catch-all is needed: an agent is never newer than its
    /// server, and the server never newer than its web interface, so each receiver knows
    /// every state it can be sent.
    #[since("1.1.0")]
    Unknown,
}

/// A health check result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("1.0.0")]
pub struct HealthCheck {
    /// The module that ran it.
    pub source: String,
    /// What was checked, e.g. `nginx.service`.
    pub subject: String,
    /// The outcome.
    pub state: HealthState,
    /// Details for the web interface.
    pub message: String,
    /// Whether the web interface should page someone about it; `false` from 1.0 agents.
    #[since("1.1.0")]
    #[serde(default)]
    pub is_pending: bool,
}

/// What an agent sends its reporting server every reporting interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("1.0.0")]
pub struct AgentReport {
    /// The agent's identity, its client certificate's common name.
    pub ident: String,
    /// When the report was taken, in seconds since the Unix epoch.
    pub time: u64,
    /// Static facts about the host: OS, kernel, agent version.
    pub meta: BTreeMap<String, String>,
    /// The measurements.
    pub metrics: Vec<Metric>,
    /// Health check results; empty from 1.0 agents, which had no health checks.
    ///
    /// Gullveig's page: a reporting server is promised to work with agents at its version or
    /// older, within its major version: without the default the build says
    ///
    /// ```text
    /// error: field `health` arrived in 1.1.0, but server 1.1.5 must still accept agent
    ///        1.0.0 (compat.toml:14:1, agent may be older than server within the same major,
    ///        never newer); make it `Option<_>` or add `#[serde(default)]`
    ///        (`#[compat(default)]` if `Deserialize` is written by hand)
    /// ```
    #[since("1.1.0")]
    #[compat(default)]
    #[serde(default)]
    pub health: Vec<HealthCheck>,
    /// Seconds since the host booted.
    #[since("1.1.4")]
    pub uptime: Option<u64>,
}

// ---- server to agent: servers may be newer --------------------------------------------

/// How the server took a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("1.0.0")]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Stored.
    Accepted,
    /// Dropped: the agent reports too often.
    #[since("1.1.0")]
    Throttled,
    /// A status from a newer server: servers upgrade before agents, so an agent meets
    /// newer servers on every upgrade.
    #[serde(other)]
    Unknown,
}

/// The server's answer to an [`AgentReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("1.0.0")]
pub struct ReportAck {
    /// How the report was taken.
    pub status: ReportStatus,
    /// When to send the next report, in seconds.
    #[since("1.1.0")]
    pub next_report_in: Option<u32>,
}

// ---- web and server: the identical release --------------------------------------------

/// A call of the web interface to the reporting server's API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "web", to = "server")]
#[since("1.0.0")]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum WebRequest {
    /// Every node the server knows, with its latest state.
    Nodes,
    /// One node's metrics over a period.
    Node {
        /// The node's identity.
        ident: String,
        /// The period's start, in seconds since the Unix epoch.
        since: u64,
    },
    /// The open incidents.
    #[since("1.1.0")]
    Incidents {
        /// Include incidents already acknowledged.
        acknowledged: bool,
    },
}

/// One node, as the server reports it to the web interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "web")]
#[since("1.0.0")]
pub struct NodeSummary {
    /// The node's identity.
    pub ident: String,
    /// When its last report arrived, in seconds since the Unix epoch.
    pub last_seen: u64,
    /// The worst state among its health checks.
    #[since("1.1.0")]
    pub health: HealthState,
    /// Open incidents on the node. No default: the web interface only talks to a server
    /// of its own release, which always sends it.
    #[since("1.1.3")]
    pub incidents: u32,
}

// Every message of the crate: what the handshake announces and the wire lock records.
// A type deriving `Compat` that is missing here fails the build.
compat_runtime::messages![
    Metric,
    HealthState,
    HealthCheck,
    AgentReport,
    ReportStatus,
    ReportAck,
    WebRequest,
    NodeSummary,
];

// `cargo test` compares the messages with every release recorded in compat.lock;
// `cargo compat lock` records this one.
#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
