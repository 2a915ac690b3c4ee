// serde writes a flattened field as entries of a map of unknown length, which a positional
// format cannot carry.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server", codec = "serde-positional")]
#[since("0.8.0")]
pub struct Labels {
    pub zone: String,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server", codec = "serde-positional")]
#[since("0.8.0")]
pub struct Report {
    pub node: String,
    #[serde(flatten)]
    pub labels: Labels,
}

fn main() {}
