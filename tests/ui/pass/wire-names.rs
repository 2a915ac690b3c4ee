// Renames, aliases, conventions, skips and flattened fields (of a message, an optional
// message, a map and a type parameter) compile clean under strict lints.
#![deny(warnings, missing_docs, unreachable_pub, unused_qualifications)]
//! A protocol crate.

use std::collections::BTreeMap;

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

/// Facts about a host, flattened into reports.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Its name.
    pub host_name: String,
    /// Its kernel, from 0.9.0.
    #[since("0.9.0")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
}

/// A report.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(rename_all(serialize = "camelCase", deserialize = "camelCase"))]
pub struct Report<T> {
    /// The agent.
    #[serde(rename = "id", alias = "ident")]
    pub agent_id: String,
    /// The host.
    #[serde(flatten)]
    pub host: Host,
    /// Another host.
    #[since("0.9.0")]
    #[serde(flatten)]
    pub other: Option<Host2>,
    /// Anything else.
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
    /// Extension.
    #[serde(flatten)]
    pub extension: T,
    /// Labels, left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Another host.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Host2 {
    /// Its name.
    pub name2: String,
}

/// Commands.
#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Command {
    /// Drain.
    DrainNow {
        /// For how long.
        timeout_ms: u64,
    },
    /// Stop.
    #[serde(rename = "halt", alias = "stop")]
    Stop,
}

fn main() {
    let _ = <Report<Host2> as Compat>::MESSAGE;
    let _ = Command::MESSAGE;
}
