// A variant tied to a feature (statfs-v2, 1.18.0) inserted before an older one under
// bincode: layers from 3.100.0 (mirrord-protocol 1.14.0) know `Close` as index 2. The
// error names the feature beside the version it set.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "layer", to = "agent", codec = "bincode")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature = "statfs-v2")]
    StatFsV2(String),
    Close(u64),
}

fn main() {}
