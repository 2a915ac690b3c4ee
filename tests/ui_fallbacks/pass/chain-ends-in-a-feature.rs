// mirrord's `StatFsV2` falls back to `StatFs`, which arrived in 1.16.0 while a layer at
// 1.19.0 still talks to agents from 1.14.0: `StatFs` is the `statfs` feature, so an agent
// before 1.16.0 is refused it by name, and the chain may end there.
use compat_runtime::Compat;

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.16.0")]
pub struct StatFsRequest {
    pub path: String,
}

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.18.0")]
pub struct StatFsRequestV2 {
    pub path: String,
}

fn statfs_v1(v2: &StatFsRequestV2) -> StatFsRequest {
    StatFsRequest { path: v2.path.clone() }
}

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature = "statfs")]
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {
    assert_eq!(FileRequest::MESSAGE.variant("StatFs").unwrap().since, "1.16.0");
}
