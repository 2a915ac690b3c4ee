// Names never travel under a positional codec: serde names two fields alike, or renames one,
// and nothing on the wire changes. (Under JSON the second `id` would be an error.) serde's
// attributes do not matter to bincode's native derive at all, nor does
// `deny_unknown_fields` where no name travels.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(deny_unknown_fields)]
pub struct Hello {
    #[serde(rename = "id")]
    pub node_id: u64,
    #[serde(rename = "id")]
    pub session: u64,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Notice {
    Restart,
    #[since("0.9.0")]
    Upgrade { to: String },
}

fn main() {}
