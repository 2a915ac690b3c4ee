// `#[serde(skip)]` binds serde alone: bincode 2's own derive writes `selectors` all the same,
// so agents from 0.8.0, whose `AttestRequest` ends after `node`, read it as a new field.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    pub node: String,
    #[since("0.9.0")]
    #[serde(skip)]
    pub selectors: Vec<String>,
}

fn main() {}
