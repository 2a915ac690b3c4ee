// A rename that lands on another field's wire name (here through `rename_all`): the
// message would carry `nodeId` twice.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(rename_all = "camelCase")]
pub struct Register {
    pub node_id: String,
    #[serde(rename = "nodeId")]
    pub legacy_id: String,
}

fn main() {}
