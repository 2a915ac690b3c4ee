// An untagged enum is decoded by trying each variant against the input, which a positional
// format cannot do.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server", codec = "serde-positional")]
#[since("0.8.0")]
#[serde(untagged)]
pub enum Reading {
    Count(u64),
    Label(String),
}

fn main() {}
