// Servers may be newer than agents, and a newer server may add fields.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    pub poll_interval: u64,
}

fn main() {}
