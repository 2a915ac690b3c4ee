// serde reads tuple elements by position: a 0.8.0 agent sends `["node", "zone"]`, and a
// 0.9.3 server would take "zone" for the new field 1.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Placement(pub String, #[since("0.9.0")] pub String, pub String);

fn main() {}
