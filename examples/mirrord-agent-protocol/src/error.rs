//! What the agent answers when an operation fails (mirrord-protocol's `error.rs`).
//!
//! bincode lets a message gain a field one way only: a new variant at the end. mirrord did
//! exactly that twice in [`ResponseError`]: `ForbiddenWithReason` (1.17.0) is `Forbidden`
//! with a reason, and `SystemFailure` (1.28.0) says whether the layer may retry. Neither may
//! reach a layer that predates it.

use std::net::SocketAddr;
use std::path::PathBuf;

use bincode::{Decode, Encode};
use compat_runtime::Compat;

/// The result the agent answers a request with.
pub type RemoteResult<T> = Result<T, ResponseError>;

/// Why the agent could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum ResponseError {
    /// File or connection ids ran out for the named operation.
    IdsExhausted(String),
    /// No resource of that id.
    NotFound(u64),
    /// The descriptor is a file, not a directory.
    NotDirectory(u64),
    /// The descriptor is a directory, not a file.
    NotFile(u64),
    /// The operation failed in the target.
    RemoteIO(RemoteIOError),
    /// The lookup failed.
    DnsLookup(DnsLookupError),
    /// The agent failed on its side.
    Remote(RemoteError),
    /// Another client steals this port.
    PortAlreadyStolen(u16),
    /// The agent does not do this.
    NotImplemented,
    /// A mirrord policy forbids the action.
    Forbidden {
        /// What was blocked.
        blocked_action: BlockedAction,
        /// The policy that blocked it.
        policy_name: Option<String>,
    },
    /// A path outside the allowed prefix.
    StripPrefix(String),
    /// The layer must open this file locally.
    OpenLocal,
    /// `Forbidden` with the policy's reason: the field bincode could only add as a new
    /// variant (mirrord's `MIRROR_POLICY_REASON_VERSION`). A layer before 1.17.0 gets
    /// `Forbidden`, without the reason.
    #[compat(feature = "forbidden-with-reason")]
    #[since("1.17.0")]
    #[compat(
        fallback = "Forbidden",
        via = "crate::error::without_reason",
        warn = "the policy's reason is not shown"
    )]
    ForbiddenWithReason {
        /// What was blocked.
        blocked_action: BlockedAction,
        /// The policy that blocked it.
        policy_name: Option<String>,
        /// Why, in the policy's words.
        reason: String,
    },
    /// mirrord's own failure, with whether the layer may retry (`SYSTEM_FAILURE_VERSION`).
    #[compat(feature = "system-failure")]
    #[since("1.28.0")]
    SystemFailure {
        /// Whether the request may be sent again.
        can_retry: bool,
        /// `SYSTEM_FAILURE_AGENT_LOST` (1) and others.
        code: u32,
        /// For people.
        message: String,
    },
}

/// `ForbiddenWithReason` as a layer before 1.17.0 reads it: `Forbidden`, the same action
/// and policy, without the reason. Any other error is returned as it is.
///
/// ```
/// use mirrord_agent_protocol::error::{BlockedAction, ResponseError, without_reason};
/// let with = ResponseError::ForbiddenWithReason {
///     blocked_action: BlockedAction::Mirror(80),
///     policy_name: None,
///     reason: "no mirroring in prod".into(),
/// };
/// let without = ResponseError::Forbidden { blocked_action: BlockedAction::Mirror(80), policy_name: None };
/// assert_eq!(without_reason(&with), without);
/// ```
pub fn without_reason(error: &ResponseError) -> ResponseError {
    match error {
        ResponseError::ForbiddenWithReason {
            blocked_action,
            policy_name,
            ..
        } => ResponseError::Forbidden {
            blocked_action: blocked_action.clone(),
            policy_name: policy_name.clone(),
        },
        other => other.clone(),
    }
}

/// A failure of the agent itself.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum RemoteError {
    /// No nameserver to resolve with.
    NameserverNotFound,
}

/// An I/O error in the target.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct RemoteIOError {
    /// `errno`, when there was one.
    pub raw_os_error: Option<i32>,
    /// `std::io::ErrorKind`, as mirrord encodes it.
    pub kind: ErrorKindInternal,
}

/// A failed lookup.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct DnsLookupError {
    /// Why.
    pub kind: ResolveErrorKindInternal,
}

/// `std::io::ErrorKind`, one variant each (and `Unknown` for the rest).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
#[allow(
    missing_docs,
    reason = "each variant is the `std::io::ErrorKind` of its name"
)]
pub enum ErrorKindInternal {
    NotFound,
    PermissionDenied,
    ConnectionRefused,
    ConnectionReset,
    HostUnreachable,
    NetworkUnreachable,
    ConnectionAborted,
    NotConnected,
    AddrInUse,
    AddrNotAvailable,
    NetworkDown,
    BrokenPipe,
    AlreadyExists,
    WouldBlock,
    NotADirectory,
    IsADirectory,
    DirectoryNotEmpty,
    ReadOnlyFilesystem,
    FilesystemLoop,
    StaleNetworkFileHandle,
    InvalidInput,
    InvalidData,
    TimedOut,
    WriteZero,
    StorageFull,
    NotSeekable,
    FilesystemQuotaExceeded,
    FileTooLarge,
    ResourceBusy,
    ExecutableFileBusy,
    Deadlock,
    CrossesDevices,
    TooManyLinks,
    InvalidFilename,
    ArgumentListTooLong,
    Interrupted,
    Unsupported,
    UnexpectedEof,
    OutOfMemory,
    Other,
    /// A kind this list does not name, by its text.
    Unknown(String),
}

/// Why a lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum ResolveErrorKindInternal {
    /// The resolver's message.
    Message(String),
    /// No connection to a nameserver.
    NoConnections,
    /// No records, with the response code.
    NoRecordsFound(u16),
    /// A protocol error.
    Proto,
    /// No answer in time.
    Timeout,
    /// Anything else.
    Unknown,
    /// `resolv.conf` is missing. mirrord appended this and the next variant in a patch
    /// release (1.11.6, PR #2830) with no gate, so an agent at 1.11.6 could send a layer
    /// at 1.11.5 a variant it fails to decode; compat's guard refuses to.
    #[since("1.11.6")]
    NotFound,
    /// `resolv.conf` could not be read.
    #[since("1.11.6")]
    PermissionDenied,
}

/// What a mirrord policy blocked.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum BlockedAction {
    /// Stealing traffic.
    Steal(crate::tcp::StealType),
    /// Mirroring a port.
    Mirror(u16),
    /// An outgoing TCP connection.
    OutgoingTcp(SocketAddress),
    /// Outgoing UDP traffic.
    OutgoingUdp(SocketAddress),
}

/// An address of either family of sockets mirrord forwards.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub enum SocketAddress {
    /// An IP socket.
    Ip(SocketAddr),
    /// A Unix socket.
    Unix(UnixAddr),
}

/// A Unix socket's address.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub enum UnixAddr {
    /// Bound to a path.
    Pathname(PathBuf),
    /// Linux's abstract namespace.
    Abstract(Vec<u8>),
    /// Not bound.
    Unnamed,
}
