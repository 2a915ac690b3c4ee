// `#[compat(default)]` tells compat a receiver fills `retries` in, but serde's derived
// `Deserialize` does not read compat's attributes: a 0.8.0 agent's `{"node":"n"}` would
// fail at run time with "missing field `retries`". The field needs `#[serde(default)]`.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    #[serde(rename = "node")]
    pub node_name: String,
    #[since("0.9.0")]
    #[compat(default)]
    pub retries: u32,
}

fn main() {}
