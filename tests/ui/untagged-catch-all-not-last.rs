// serde tries the variants of an untagged enum in order, so a catch-all that accepts
// anything must come last; here `Count` would never be decoded.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(untagged)]
pub enum Setting {
    Flag(bool),
    #[compat(other)]
    Unknown(serde_json::Value),
    Count(u64),
}

fn main() {}
