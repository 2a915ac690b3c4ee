use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Reading(pub f64, #[since("0.9.0")] pub String);

fn main() {}
