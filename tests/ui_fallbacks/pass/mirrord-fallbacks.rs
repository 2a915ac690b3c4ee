// The fallbacks of mirrord's agent protocol, and the shapes a fallback takes: newtype to
// newtype through a payload conversion (`StatFsV2` to `StatFs`), a chain (`ReadDirV3` to
// `ReadDirBatch` to `ReadDir`), a struct variant through a whole-enum conversion with a
// warning (`GetAddrInfoV2`), and a unit fallback without `via`. The enums are nested
// (`ClientMessage::FileRequest`), as mirrord's are; the guard walks into them.
// The generated code is clean under the strictest lints a protocol crate may set.
#![deny(warnings, unused_qualifications, unsafe_code)]
#![deny(rust_2018_idioms, future_incompatible, nonstandard_style)]
use compat_runtime::Compat;

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
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

fn batch_of_one(v3: &(u64, u64)) -> (u64, u64) {
    (v3.0, v3.1.min(64))
}

fn one_by_one(batch: &(u64, u64)) -> u64 {
    batch.0
}

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    StatFs(StatFsRequest),
    #[since("1.18.0")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    ReadDir(u64),
    #[since("1.9.0")]
    #[compat(fallback = "ReadDir", via = "one_by_one")]
    ReadDirBatch((u64, u64)),
    #[since("1.17.0")]
    #[compat(fallback = "ReadDirBatch", via = "batch_of_one")]
    ReadDirV3((u64, u64)),
    Flush,
    #[since("1.16.0")]
    #[compat(fallback = "Flush", warn = "the agent flushes every file")]
    FlushOne { fd: u64 },
    #[compat(other)]
    Unknown,
}

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum DnsRequest {
    GetAddrInfo { node: String },
    #[since("1.15.0")]
    #[compat(fallback = "GetAddrInfo", via = "dns::ipv4_only", warn = "IPv6 will not be resolved")]
    GetAddrInfoV2 { node: String, family: u8 },
    #[compat(other)]
    Unknown,
}

mod dns {
    use super::DnsRequest;

    pub fn ipv4_only(v2: &DnsRequest) -> DnsRequest {
        match v2 {
            DnsRequest::GetAddrInfoV2 { node, .. } => DnsRequest::GetAddrInfo { node: node.clone() },
            other => other.clone(),
        }
    }
}

#[derive(Clone, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum ClientMessage {
    FileRequest(FileRequest),
    GetAddrInfoRequest(DnsRequest),
    #[compat(other)]
    Unknown,
}

fn main() {
    let v2 = FileRequest::MESSAGE.variant("StatFsV2").unwrap();
    assert_eq!(v2.fallback.unwrap().to, "StatFs");
    let dns = DnsRequest::MESSAGE.variant("GetAddrInfoV2").unwrap();
    assert_eq!(dns.fallback.unwrap().warn, Some("IPv6 will not be resolved"));
}
