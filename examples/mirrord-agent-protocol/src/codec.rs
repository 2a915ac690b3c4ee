//! The two streams of the agent protocol (mirrord-protocol's `codec.rs`):
//! [`ClientMessage`], layer to agent, and [`DaemonMessage`], agent to layer, each frame one
//! message in bincode 2's standard configuration.
//!
//! Both enums keep every variant up to the last one this slice needs, at mirrord's index:
//! `ClientMessage::FileRequest` is variant 5 and `GetAddrInfoRequestV2` variant 13, as in
//! mirrord, so the frames of this slice are mirrord's bytes.

use std::collections::{HashMap, HashSet};

use bincode::{Decode, Encode};
use compat_runtime::Compat;

use crate::dns::{GetAddrInfoRequest, GetAddrInfoRequestV2, GetAddrInfoResponse};
use crate::error::RemoteResult;
use crate::file::{FileRequest, FileResponse};
use crate::tcp::{ClientVpn, DaemonOutgoing, DaemonTcp, LayerOutgoing, LayerTcp, LayerTcpSteal};

/// Layer to agent.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum ClientMessage {
    /// The layer is done.
    Close,
    /// Mirroring.
    Tcp(LayerTcp),
    /// Stealing.
    TcpSteal(LayerTcpSteal),
    /// Outgoing TCP.
    TcpOutgoing(LayerOutgoing),
    /// Outgoing UDP.
    UdpOutgoing(LayerOutgoing),
    /// A file operation.
    FileRequest(FileRequest),
    /// The target's environment.
    GetEnvVarsRequest(GetEnvVarsRequest),
    /// Keep-alive.
    Ping,
    /// `getaddrinfo`, IPv4 only.
    GetAddrInfoRequest(GetAddrInfoRequest),
    /// Pause or unpause the target (deprecated, kept for its index).
    PauseTargetRequest(bool),
    /// mirrord's negotiation: the layer's protocol version, as text. compat's handshake
    /// settles the protocol before the first frame, so this slice never sends it; it stays
    /// for the indexes after it.
    #[since("1.3.0")]
    SwitchProtocolVersion(String),
    /// The layer reads the agent's log messages (`CLIENT_READY_FOR_LOGS`: not sent to an
    /// older agent).
    #[since("1.3.1")]
    ReadyForLogs,
    /// `mirrord vpn`.
    #[since("1.10.0")]
    Vpn(ClientVpn),
    /// `getaddrinfo` with its hints (`ADDRINFO_V2_VERSION`); an older agent gets
    /// `GetAddrInfoRequest`, and IPv6 will not be resolved.
    #[compat(feature = "getaddrinfo-v2")]
    #[since("1.15.0")]
    #[compat(
        fallback = "GetAddrInfoRequest",
        via = "crate::dns::getaddrinfo_v1",
        warn = "IPv6 will not be resolved"
    )]
    GetAddrInfoRequestV2(GetAddrInfoRequestV2),
}

/// Agent to layer.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum DaemonMessage {
    /// The agent is done, and why.
    Close(String),
    /// Mirrored traffic.
    Tcp(DaemonTcp),
    /// Stolen traffic.
    TcpSteal(DaemonTcp),
    /// Outgoing TCP.
    TcpOutgoing(DaemonOutgoing),
    /// Outgoing UDP.
    UdpOutgoing(DaemonOutgoing),
    /// A message for the user.
    LogMessage(LogMessage),
    /// A file operation's answer.
    File(FileResponse),
    /// Keep-alive.
    Pong,
    /// The target's environment.
    GetEnvVarsResponse(RemoteResult<RemoteEnvVars>),
    /// A lookup's answer.
    GetAddrInfoResponse(GetAddrInfoResponse),
    /// The target paused or not (deprecated, kept for its index).
    PauseTarget(DaemonPauseTarget),
    /// mirrord's negotiation: the lower of the two protocol versions. Never sent here.
    #[since("1.3.0")]
    SwitchProtocolVersionResponse(String),
}

/// Which environment variables to read.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct GetEnvVarsRequest {
    /// Leave these out.
    pub env_vars_filter: HashSet<String>,
    /// Only these.
    pub env_vars_select: HashSet<String>,
}

/// The target's environment.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct RemoteEnvVars(pub HashMap<String, String>);

/// A message the agent wants the user to see.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct LogMessage {
    /// The text.
    pub message: String,
    /// How loud.
    pub level: LogLevel,
}

/// How loud a [`LogMessage`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum LogLevel {
    /// A warning.
    Warn,
    /// An error.
    Error,
    /// Information (`INFO_LOG_VERSION`).
    #[since("1.13.4")]
    Info,
}

/// The answer to a pause request.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum DaemonPauseTarget {
    /// Whether anything changed, and whether the target is paused now.
    PauseResponse {
        /// The container changed its state.
        changed: bool,
        /// It is paused now.
        container_paused: bool,
    },
}
