// A unit fallback carries nothing, so there is nothing for `via` to make.
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

fn ping(_: &StatFsRequestV2) -> StatFsRequest {
    unreachable!()
}

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Ping,
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "Ping", via = "ping")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
