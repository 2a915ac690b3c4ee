//! mirrord's agent protocol, the way it really is, as a compat protocol crate: a faithful
//! slice of the `mirrord-protocol` crate at protocol 1.29.0 (inside mirrord 3.250.0),
//! written from mirrord's sources (our own code), its bincode 2 messages between the layer
//! (with its internal proxy, intproxy) and the agent, its `VersionReq` gates expressed with
//! compat, and its negotiation replaced by compat's handshake over tokio.
//!
//! Three things make it a different kind of protocol from the serde JSON ones of the other
//! examples, and `compat.toml` says each:
//!
//! - **bincode 2, native `Encode`/`Decode`** (`[wire] codec = "bincode"`): field order and
//!   variant index are the wire and names never travel, so a struct never gains a field, a
//!   new variant goes at the end, and an unknown variant is a fatal decode error. The
//!   derive checks mirrord's own rules (its contributor notes) instead of serde's, and the
//!   wire lock compares positions. Every variant kept here sits at mirrord's index, so the
//!   frames are mirrord's bytes (`tests/bytes.rs`).
//! - **a protocol version of its own** (`[protocol]`): releases are 3.x, the protocol is
//!   1.x, and `#[since]` speaks the protocol. `[protocol.releases]` maps each protocol
//!   minor to the first release that carried it, read from mirrord's tags (3.105.0 carried
//!   1.6.0, 3.130.0 1.14.0, 3.247.0 1.29.0): the rule (same major, either end newer)
//!   speaks releases, the wire speaks protocols, and the handshake settles the lower.
//! - **named features** (`[[feature]]`): mirrord's gates, each a name and a `since`,
//!   including one no message carries (filtered HTTP upgrades).
//!
//! # The gates
//!
//! mirrord guards its protocol with `LazyLock<VersionReq>` constants, read by hand before
//! each send. Here each is a `#[since]` on the variant (and a feature), and the session
//! reacts on the send path:
//!
//! | mirrord's gate | since | what | reaction for an older peer |
//! |---|---|---|---|
//! | `HTTP_FILTERED_UPGRADE_VERSION` | 1.5.0 | behaviour only: data after a filtered connection upgrades | skipped with a warning ([`agent::Agent::forwards_upgrades`]) |
//! | `READLINK_VERSION` | 1.6.0 | `FileRequest::ReadLink` | refused locally, naming `readlink` and 3.105.0 |
//! | `READDIR_BATCH_VERSION` | 1.9.0 | `FileRequest::ReadDirBatch` | refused locally (mirrord's intproxy batches `ReadDir` only for agents that read it) |
//! | (none: PR #2830) | 1.11.6 | `ResolveErrorKindInternal::{NotFound, PermissionDenied}` | the agent refuses to send them (mirrord sent them ungated) |
//! | `MKDIR_VERSION` | 1.13.0 | `MakeDir`, `MakeDirAt` | refused locally |
//! | `INFO_LOG_VERSION` | 1.13.4 | `LogLevel::Info` | the agent refuses to send it |
//! | `RMDIR_VERSION` | 1.14.0 | `RemoveDir`, `Unlink`, `UnlinkAt` | refused locally |
//! | `ADDRINFO_V2_VERSION` | 1.15.0 | `ClientMessage::GetAddrInfoRequestV2` | falls back to `GetAddrInfoRequest`, warning that IPv6 will not be resolved |
//! | `STATFS_VERSION` | 1.16.0 | `FileRequest::StatFs` | refused locally |
//! | `MIRROR_POLICY_REASON_VERSION` | 1.17.0 | `ResponseError::ForbiddenWithReason` | falls back to `Forbidden`, warning that the reason is not shown |
//! | `STATFS_V2_VERSION` | 1.18.0 | `XstatFsV2`, `StatFsV2` | fall back to `XstatFs` and `StatFs` |
//! | `RENAME_VERSION` | 1.21.0 | `FileRequest::Rename` | refused locally |
//! | `COPYFILE_VERSION` | 1.24.0 | `Ftruncate`, `Futimens`, `Fchown`, `Fchmod` | refused locally |
//! | `SYSTEM_FAILURE_VERSION` | 1.28.0 | `ResponseError::SystemFailure` | the agent refuses to send it |
//!
//! "Refused locally" is the session's guard: nothing is sent, and the error names the
//! variant, the feature, the protocol version and the release that brings it. mirrord
//! answers the same requests with `ResponseError::NotImplemented`, which says none of it.
//!
//! # Over tokio
//!
//! [`connection::Connection`] runs compat's handshake (in place of mirrord's
//! `SwitchProtocolVersion` exchange), then carries length-prefixed bincode frames, each
//! sent through the session. [`layer::Layer`] and [`agent::Agent`] are the two ends, the
//! agent a toy that answers from fixed data; `tests/loopback.rs` runs them over loopback.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::time::Duration;
//! use mirrord_agent_protocol::{agent::Agent, connection::Connection, endpoint, layer::Layer};
//!
//! let (layer_side, agent_side) = tokio::io::duplex(1 << 16);
//! let timeout = Duration::from_secs(5);
//! let agent = endpoint("agent", "3.87.0").unwrap(); // protocol 1.5.0
//! let serving = tokio::spawn(async move {
//!     let connection = Connection::accept(agent_side, &agent, timeout).await.unwrap();
//!     Agent::new(connection).serve().await
//! });
//! let layer = endpoint("layer", "3.250.0").unwrap(); // protocol 1.29.0
//! let mut layer = Layer::new(Connection::connect(layer_side, &layer, timeout).await.unwrap());
//! let refused = layer.readlink("/app/current").await.unwrap_err();
//! assert!(refused.to_string().contains("readlink"));
//! layer.close().await.unwrap();
//! serving.await.unwrap().unwrap();
//! # }
//! ```
//!
//! The operator's side speaks releases, as ever: `cargo compat check --policy
//! examples/mirrord-agent-protocol/compat.toml layer@3.250.0 agent@3.87.0` answers from the
//! rule, and `cargo compat doc` (with `--releases 3.87.0,3.250.0`) writes a guide that lists
//! the protocol each release speaks and the release that first carries each feature.
//!
//! # What is left out
//!
//! Each enum keeps its variants up to the last one this slice needs and leaves out those
//! after it (in `ClientMessage`, everything after `GetAddrInfoRequestV2`; in
//! `DaemonMessage`, everything after `SwitchProtocolVersionResponse`), so the indexes of
//! what is kept are mirrord's. The traffic enums of [`tcp`] keep only their first variants
//! (no HTTP requests or filters), and file payloads (mirrord's `Payload`, a byte buffer
//! bincode writes as a `Vec<u8>`) are `Vec<u8>`.

pub mod agent;
pub mod codec;
pub mod connection;
pub mod dns;
pub mod error;
pub mod file;
pub mod layer;
pub mod tcp;

pub use codec::{ClientMessage, DaemonMessage};

compat_runtime::include_policy!();

/// An end of this protocol: `component` is `"layer"` or `"agent"`, `release` the mirrord
/// release it runs (3.x), whose protocol the policy's mapping gives.
///
/// ```
/// use compat_runtime::Version;
/// let agent = mirrord_agent_protocol::endpoint("agent", "3.130.0").unwrap();
/// assert_eq!(agent.protocol(), Some(&Version::new(1, 14, 0)));
/// assert!(mirrord_agent_protocol::endpoint("operator", "3.130.0").is_err());
/// ```
pub fn endpoint(
    component: &str,
    release: &str,
) -> Result<compat_runtime::Endpoint<'static>, compat_runtime::PeerError> {
    compat_runtime::Endpoint::new(policy(), component, release, messages())
}

compat_runtime::messages![
    codec::ClientMessage,
    codec::DaemonMessage,
    codec::GetEnvVarsRequest,
    codec::RemoteEnvVars,
    codec::LogMessage,
    codec::LogLevel,
    codec::DaemonPauseTarget,
    file::FileRequest,
    file::FileResponse,
    file::OpenFileRequest,
    file::OpenRelativeFileRequest,
    file::ReadFileRequest,
    file::ReadLimitedFileRequest,
    file::SeekFileRequest,
    file::WriteFileRequest,
    file::WriteLimitedFileRequest,
    file::CloseFileRequest,
    file::AccessFileRequest,
    file::XstatRequest,
    file::XstatFsRequest,
    file::FdOpenDirRequest,
    file::ReadDirRequest,
    file::CloseDirRequest,
    file::GetDEnts64Request,
    file::ReadLinkFileRequest,
    file::ReadDirBatchRequest,
    file::MakeDirRequest,
    file::MakeDirAtRequest,
    file::RemoveDirRequest,
    file::UnlinkRequest,
    file::UnlinkAtRequest,
    file::StatFsRequest,
    file::XstatFsRequestV2,
    file::StatFsRequestV2,
    file::RenameRequest,
    file::FtruncateRequest,
    file::FutimensRequest,
    file::Timespec,
    file::FchownRequest,
    file::FchmodRequest,
    file::OpenOptionsInternal,
    file::OpenFileResponse,
    file::ReadFileResponse,
    file::WriteFileResponse,
    file::SeekFileResponse,
    file::XstatResponse,
    file::XstatFsResponse,
    file::XstatFsResponseV2,
    file::OpenDirResponse,
    file::ReadDirResponse,
    file::ReadDirBatchResponse,
    file::GetDEnts64Response,
    file::ReadLinkFileResponse,
    file::DirEntryInternal,
    file::MetadataInternal,
    file::FsMetadataInternal,
    file::FsMetadataInternalV2,
    file::AccessFileResponse,
    file::SeekFromInternal,
    dns::GetAddrInfoRequest,
    dns::GetAddrInfoRequestV2,
    dns::AddressFamily,
    dns::SockType,
    dns::LookupRecord,
    dns::DnsLookup,
    dns::GetAddrInfoResponse,
    error::ResponseError,
    error::RemoteError,
    error::RemoteIOError,
    error::DnsLookupError,
    error::ErrorKindInternal,
    error::ResolveErrorKindInternal,
    error::BlockedAction,
    error::SocketAddress,
    error::UnixAddr,
    tcp::LayerTcp,
    tcp::LayerTcpSteal,
    tcp::StealType,
    tcp::Filter,
    tcp::DaemonTcp,
    tcp::NewTcpConnectionV1,
    tcp::TcpData,
    tcp::TcpClose,
    tcp::LayerOutgoing,
    tcp::LayerConnect,
    tcp::DaemonOutgoing,
    tcp::DaemonConnect,
    tcp::ClientVpn,
];

#[cfg(test)]
compat_runtime::wire_lock!(policy(), VERSION, messages());
