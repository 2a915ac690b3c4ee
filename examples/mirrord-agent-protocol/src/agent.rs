//! A toy agent: it answers the requests of this slice from a fixed file system and a fixed
//! name service, through the session, so what it sends a layer is what that layer's
//! protocol reads. The tests and benchmarks run it over loopback.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::codec::{ClientMessage, DaemonMessage, LogLevel, LogMessage};
use crate::connection::{Connection, RecvError, SendError};
use crate::dns::{AddressFamily, DnsLookup, GetAddrInfoResponse, LookupRecord};
use crate::error::{BlockedAction, ResponseError};
use crate::file::{
    FileRequest, FileResponse, FsMetadataInternal, FsMetadataInternalV2, ReadLinkFileResponse,
    XstatFsResponse, XstatFsResponseV2,
};

/// The address the toy name service resolves every node to, IPv4.
pub const V4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
/// The address the toy name service resolves every node to, IPv6.
pub const V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 7));
/// Where every symbolic link of the toy file system points.
pub const LINK_TARGET: &str = "/app/releases/current";
/// The path a mirrord policy forbids in the toy file system.
pub const FORBIDDEN: &str = "/var/run/secrets";

/// The agent's end of one connection.
#[derive(Debug)]
pub struct Agent<S> {
    connection: Connection<S>,
}

/// Why an agent stopped serving a layer.
#[derive(Debug)]
pub enum ServeError {
    /// A frame from the layer could not be read.
    Recv(RecvError),
    /// An answer could not be sent.
    Send(SendError),
}

impl core::fmt::Display for ServeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ServeError::Recv(e) => write!(f, "the agent stopped reading: {e}"),
            ServeError::Send(e) => write!(f, "the agent stopped answering: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl<S: AsyncRead + AsyncWrite + Unpin> Agent<S> {
    /// An agent serving `connection`, which the handshake opened.
    pub fn new(connection: Connection<S>) -> Self {
        Agent { connection }
    }

    /// The connection, and through it the session.
    pub fn connection(&self) -> &Connection<S> {
        &self.connection
    }

    /// Whether this layer is sent the data of a connection that carried filtered HTTP
    /// requests after the connection upgrades (feature `http-filtered-upgrade`, 1.5.0:
    /// mirrord's `HTTP_FILTERED_UPGRADE_VERSION`). No message changes, so no guard can see
    /// it: the agent asks the session. mirrord skips it silently for an older layer (its
    /// issue #3119 asks for a warning); this agent warns.
    pub fn forwards_upgrades(&self) -> bool {
        let session = self.connection.session();
        if let Err(unsupported) = session.require("http-filtered-upgrade") {
            tracing::warn!(
                layer = %session.peer_version(),
                "an upgraded connection's data is not forwarded: {unsupported}"
            );
            return false;
        }
        true
    }

    /// Answers until the layer sends `Close` or closes the stream.
    pub async fn serve(mut self) -> Result<(), ServeError> {
        loop {
            let request = match self.connection.recv::<ClientMessage>().await {
                Ok(ClientMessage::Close) | Err(RecvError::Closed) => return Ok(()),
                Ok(request) => request,
                Err(e) => return Err(ServeError::Recv(e)),
            };
            let answer = answer(request);
            self.connection
                .send(&answer)
                .await
                .map_err(ServeError::Send)?;
        }
    }
}

/// The toy agent's answer to one request.
///
/// ```
/// use mirrord_agent_protocol::{ClientMessage, DaemonMessage, agent::answer};
/// assert_eq!(answer(ClientMessage::Ping), DaemonMessage::Pong);
/// ```
pub fn answer(request: ClientMessage) -> DaemonMessage {
    match request {
        ClientMessage::FileRequest(file) => DaemonMessage::File(file_answer(file)),
        ClientMessage::GetAddrInfoRequest(_) => lookup(&[V4]),
        ClientMessage::GetAddrInfoRequestV2(request) => match request.family {
            AddressFamily::Ipv4Only => lookup(&[V4]),
            AddressFamily::Ipv6Only => lookup(&[V6]),
            _ => lookup(&[V4, V6]),
        },
        ClientMessage::Ping => DaemonMessage::Pong,
        other => DaemonMessage::LogMessage(LogMessage {
            message: format!("this agent answers no {}", variant_name(&other)),
            level: LogLevel::Warn,
        }),
    }
}

fn file_answer(request: FileRequest) -> FileResponse {
    match request {
        FileRequest::ReadLink(link) if link.path.starts_with(FORBIDDEN) => {
            FileResponse::ReadLink(Err(forbidden()))
        }
        FileRequest::ReadLink(_) => FileResponse::ReadLink(Ok(ReadLinkFileResponse {
            path: PathBuf::from(LINK_TARGET),
        })),
        FileRequest::StatFs(_) | FileRequest::XstatFs(_) => {
            FileResponse::XstatFs(Ok(XstatFsResponse { metadata: fs() }))
        }
        FileRequest::StatFsV2(_) | FileRequest::XstatFsV2(_) => {
            FileResponse::XstatFsV2(Ok(XstatFsResponseV2 { metadata: fs_v2() }))
        }
        FileRequest::RemoveDir(_) => FileResponse::RemoveDir(Ok(())),
        FileRequest::Unlink(_) | FileRequest::UnlinkAt(_) => FileResponse::Unlink(Ok(())),
        _ => FileResponse::Access(Err(ResponseError::NotImplemented)),
    }
}

/// What the toy agent answers a read of a forbidden path: the policy's reason, which a
/// layer before 1.17.0 cannot read (it gets `Forbidden`, the fallback, without it).
pub fn forbidden() -> ResponseError {
    ResponseError::ForbiddenWithReason {
        blocked_action: BlockedAction::Mirror(80),
        policy_name: Some("no-secrets".into()),
        reason: "secrets stay in the cluster".into(),
    }
}

fn lookup(ips: &[IpAddr]) -> DaemonMessage {
    let records = ips
        .iter()
        .map(|&ip| LookupRecord {
            name: "db.internal".into(),
            ip,
        })
        .collect();
    DaemonMessage::GetAddrInfoResponse(GetAddrInfoResponse(Ok(DnsLookup(records))))
}

/// The toy file system's `statfs`, as the first agents answered it.
pub fn fs() -> FsMetadataInternal {
    FsMetadataInternal {
        filesystem_type: 0x794c_7630, // overlayfs
        block_size: 4096,
        blocks: 1 << 20,
        blocks_free: 1 << 19,
        blocks_available: 1 << 19,
        files: 1 << 16,
        files_free: 1 << 15,
    }
}

/// The toy file system's `statfs`, with the fields V2 adds.
pub fn fs_v2() -> FsMetadataInternalV2 {
    FsMetadataInternalV2 {
        filesystem_id: [7, 0],
        name_len: 255,
        fragment_size: 4096,
        flags: 2, // ST_NOSUID
        ..fs().into()
    }
}

fn variant_name(message: &ClientMessage) -> &'static str {
    match message {
        ClientMessage::Tcp(_) => "Tcp",
        ClientMessage::TcpSteal(_) => "TcpSteal",
        ClientMessage::TcpOutgoing(_) => "TcpOutgoing",
        ClientMessage::UdpOutgoing(_) => "UdpOutgoing",
        ClientMessage::GetEnvVarsRequest(_) => "GetEnvVarsRequest",
        ClientMessage::PauseTargetRequest(_) => "PauseTargetRequest",
        ClientMessage::SwitchProtocolVersion(_) => "SwitchProtocolVersion",
        ClientMessage::ReadyForLogs => "ReadyForLogs",
        ClientMessage::Vpn(_) => "Vpn",
        _ => "such request",
    }
}
