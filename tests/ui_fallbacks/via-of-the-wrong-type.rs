// `via` converts the wrong way round: a newtype variant's fallback is made by a
// `fn(&StatFsRequestV2) -> StatFsRequest`, and the type error lands on the `via` string.
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

fn statfs_v1(v1: &StatFsRequest) -> StatFsRequestV2 {
    StatFsRequestV2 { path: v1.path.clone() }
}

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
