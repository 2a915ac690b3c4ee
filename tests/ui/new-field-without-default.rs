// A server at 0.9.3 must accept agents from 0.8.0, which do not send `retries`.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    pub node: String,
    #[since("0.9.0")]
    pub selectors: Option<Vec<String>>,
    #[since("0.9.0")]
    pub retries: u32,
}

fn main() {}
