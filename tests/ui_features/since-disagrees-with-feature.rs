// A #[since] beside the feature that says another version: both are named.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[since("1.5.0")]
    #[compat(feature = "readlink")]
    ReadLink(String),
}

fn main() {}
