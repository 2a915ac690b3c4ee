// serde reads a tuple struct as a sequence and fills a missing trailing element only from
// `#[serde(default)]`: `Option` alone is not enough. A 0.8.0 agent's `[1.5,"n"]` would fail
// at run time with "invalid length 2, expected tuple struct Reading with 3 elements".
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Reading(pub f64, pub String, #[since("0.9.0")] pub Option<u32>);

fn main() {}
