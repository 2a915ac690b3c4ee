// The surface from the issue: an agent's request, with fields added in later releases.
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
    #[compat(default)]
    #[serde(default)]
    pub retries: u32,
}

fn main() {
    let message = AttestRequest::MESSAGE;
    assert_eq!(message.name, "AttestRequest");
    assert_eq!(message.since, "0.8.0");
    assert!(message.sends("agent", "server"));
    assert_eq!(message.fields.len(), 3);
    assert_eq!(message.field("node").unwrap().since, "0.8.0");
    assert!(!message.field("node").unwrap().default);
    assert_eq!(message.field("retries").unwrap().since, "0.9.0");
    assert!(message.field("retries").unwrap().default);
}
