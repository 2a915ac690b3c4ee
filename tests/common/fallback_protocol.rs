//! The messages of `tests/fallbacks.rs` and `benches/fallback.rs`: a slice of mirrord's agent
//! protocol with its fallbacks, mirrord's protocol versions read as `0.0.x` (the workspace
//! package builds at 0.1.0, and a `#[since]` cannot name a later release): `StatFsV2`
//! arrived in 0.0.18 as it did in 1.18.0. Included by `#[path]` from both.

use compat_runtime::handshake::Endpoint;
use compat_runtime::{Compat, Message, Policy, Session};

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
pub(crate) struct StatFsRequest {
    pub(crate) path: String,
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.18")]
pub(crate) struct StatFsRequestV2 {
    pub(crate) path: String,
}

pub(crate) fn statfs_v1(v2: &StatFsRequestV2) -> StatFsRequest {
    StatFsRequest {
        path: v2.path.clone(),
    }
}

fn batch_of_64(v3: &(u64, u64)) -> (u64, u64) {
    (v3.0, v3.1.min(64))
}

fn one_entry(batch: &(u64, u64)) -> u64 {
    batch.0
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
#[allow(dead_code, reason = "the shapes the guard walks; the tests build some")]
pub(crate) enum FileRequest {
    StatFs(StatFsRequest),
    #[since("0.0.18")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    ReadDir(u64),
    #[since("0.0.9")]
    #[compat(
        fallback = "ReadDir",
        via = "one_entry",
        warn = "one entry per request"
    )]
    ReadDirBatch((u64, u64)),
    #[since("0.0.17")]
    #[compat(
        fallback = "ReadDirBatch",
        via = "batch_of_64",
        warn = "at most 64 entries"
    )]
    ReadDirV3((u64, u64)),
    Flush,
    #[since("0.0.16")]
    #[compat(fallback = "Flush", warn = "the agent flushes every file")]
    FlushOne {
        fd: u64,
    },
    // As mirrord's `StatFs` (1.16.0, the `statfs` feature) for `StatFsV2`: the chain ends
    // in a variant an agent before 0.0.16 does not know either.
    #[since("0.0.16")]
    Xstat(u64),
    #[since("0.0.18")]
    #[compat(fallback = "Xstat", via = "same_fd")]
    XstatV2(u64),
    #[compat(other)]
    Unknown,
}

fn same_fd(fd: &u64) -> u64 {
    *fd
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
#[allow(dead_code, reason = "the shapes the guard walks; the tests build some")]
pub(crate) enum DnsRequest {
    GetAddrInfoRequest {
        node: String,
    },
    #[since("0.0.15")]
    #[compat(
        fallback = "GetAddrInfoRequest",
        via = "ipv4_only",
        warn = "IPv6 will not be resolved"
    )]
    GetAddrInfoRequestV2 {
        node: String,
        family: u8,
    },
    #[compat(other)]
    Unknown,
}

pub(crate) fn ipv4_only(v2: &DnsRequest) -> DnsRequest {
    match v2 {
        DnsRequest::GetAddrInfoRequestV2 { node, .. } => {
            DnsRequest::GetAddrInfoRequest { node: node.clone() }
        }
        other => other.clone(),
    }
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
#[allow(dead_code, reason = "the shapes the guard walks; the tests build some")]
pub(crate) enum ClientMessage {
    FileRequest(FileRequest),
    GetAddrInfo(DnsRequest),
    Batch(Vec<FileRequest>),
    #[since("0.0.20")]
    Ping,
    #[compat(other)]
    Unknown,
}

pub(crate) static MESSAGES: &[&Message] = &[
    ClientMessage::MESSAGE,
    FileRequest::MESSAGE,
    DnsRequest::MESSAGE,
    StatFsRequest::MESSAGE,
    StatFsRequestV2::MESSAGE,
];

/// A layer at 0.1.0 that accepted an agent at `agent`.
pub(crate) fn layer_to(agent: &str) -> Session {
    let policy = Policy::from_toml(
        "compat.toml",
        "[components]\nlayer = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
         peer = \"layer\"\nnewer = \"none\"\nolder = \"any\"\n",
    )
    .unwrap();
    let layer = Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap();
    let agent = Endpoint::new(&policy, "agent", agent, MESSAGES).unwrap();
    layer.accept(agent.hello()).unwrap()
}
