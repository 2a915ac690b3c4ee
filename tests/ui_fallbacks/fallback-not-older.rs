// The fallback arrived in the same release as the variant it replaces: a peer that
// predates one predates the other, so it can read neither.
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
    #[since("1.18.0")]
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
