// `StatFsV2` falls back to `StatFsV1`, but `StatFsV1` arrived in 1.16.0 and a layer at
// 1.19.0 still talks to agents from 1.14.0: those can read neither. The error names the
// route, the rule and where it is written, both versions and the fixes, at the last
// fallback of the chain.
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
    #[since("1.16.0")]
    StatFsV1(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFsV1", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
