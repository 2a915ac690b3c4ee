// `#[compat(other)]` marks a catch-all only where deserialization is written by hand; next
// to `#[serde(other)]`, serde still routes every unknown variant to `Unknown`.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Command {
    Stop,
    #[compat(other)]
    Unsupported,
    #[serde(other)]
    Unknown,
}

fn main() {}
