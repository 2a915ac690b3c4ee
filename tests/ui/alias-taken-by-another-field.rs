// An alias meant to keep reading an old name, when another field already reads that
// name: serde decodes `node` as `node` and never as `host`, so the alias is dead.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[serde(rename = "hostname", alias = "node")]
    pub host: String,
}

fn main() {}
