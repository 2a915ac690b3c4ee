// A catch-all that keeps the unknown variant's name: serde has none. `#[serde(other)]` takes
// only a unit variant, and serde never routes anything to a `#[compat(other)]` variant.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Command {
    Stop,
    #[compat(other)]
    Unknown(String),
}

fn main() {}
