// A field tied to a feature newer than the window's oldest layer (3.100.0 carries 1.14.0;
// statfs-v2 arrives in 1.18.0) that cannot default: the agent would fail to decode an older
// layer's message. The error lands on the feature's string.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct StatFsRequest {
    pub path: String,
    #[compat(feature = "statfs-v2")]
    pub block_size: u64,
}

fn main() {}
