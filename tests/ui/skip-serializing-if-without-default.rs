// `skip_serializing_if` leaves the field out of the message, and without a default serde
// then rejects it on the other side: a server fails on an agent's `{"node":"n"}` with
// "missing field `labels`", even when both run the same release.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

fn main() {}
