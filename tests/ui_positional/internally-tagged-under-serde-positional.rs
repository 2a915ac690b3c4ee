// An internally tagged enum is decoded by looking at the input first, which a positional
// format cannot answer.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", codec = "serde-positional")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Command {
    Stop,
    Drain { node: String },
}

fn main() {}
