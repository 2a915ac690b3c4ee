// Through serde with a positional format (bincode 1, postcard), a field left out when sent
// leaves the receiver reading the next field's bytes in its place.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server", codec = "serde-positional")]
#[since("0.8.0")]
pub struct Report {
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub load: u32,
}

fn main() {}
