// mirrord's `StatFsRequestV2` (1.18.0) with a field marked as arriving in 1.29.0: under
// bincode every agent before 1.29.0 reads the old fields only, and the stream goes wrong.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.18.0")]
pub struct StatFsRequestV2 {
    pub path: std::path::PathBuf,
    #[since("1.29.0")]
    pub follow_symlinks: bool,
}

fn main() {}
