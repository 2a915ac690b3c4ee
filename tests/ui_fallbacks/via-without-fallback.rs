// `via` and `warn` belong to a fallback: written alone they say nothing.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct StatFsRequest {
    pub path: String,
}

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.18.0")]
pub struct StatFsRequestV2 {
    pub path: String,
}

fn statfs_v1(v2: &StatFsRequestV2) -> StatFsRequest {
    StatFsRequest { path: v2.path.clone() }
}

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(via = "statfs_v1", warn = "the block size is lost")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
