// `#[serde(other)]` under a positional format maps an unknown index to `Unknown` but cannot
// skip the unknown variant's data.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", codec = "serde-positional")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[serde(other)]
    Unknown,
}

fn main() {}
