// Externally tagged (serde's default), `#[serde(other)]` receives only unknown unit variants:
// a 0.8.0 agent fails on a newer server's `{"Drain":{"timeout_ms":5}}` with "invalid type:
// map, expected unit" instead of reading `Unknown`.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[since("0.9.0")]
    Drain {
        timeout_ms: u64,
    },
    #[serde(other)]
    Unknown,
}

fn main() {}
