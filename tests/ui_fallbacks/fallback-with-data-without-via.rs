// The fallback carries data, so the derive needs the function that makes it: the error
// names the signature.
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

#[derive(Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFs")]
    StatFsV2(StatFsRequestV2),
    #[compat(other)]
    Unknown,
}

fn main() {}
