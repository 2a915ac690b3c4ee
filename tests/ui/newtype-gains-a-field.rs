// In 0.8.0 `Reading` was a newtype, which serde writes as its field alone (`"x"`); with a
// second field it is written as a sequence (`["x",3]`), so a 0.9.3 server cannot read a
// 0.8.0 agent's `Reading` ("invalid type: string \"x\", expected tuple struct Reading"),
// whatever the new field's default.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Reading(pub String, #[since("0.9.0")] pub Option<u32>);

fn main() {}
