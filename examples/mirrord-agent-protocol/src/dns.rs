//! Name resolution in the target's network (mirrord-protocol's `dns.rs`): the layer's
//! `getaddrinfo` asked of the agent.
//!
//! `GetAddrInfoRequestV2` (1.15.0, mirrord's `ADDRINFO_V2_VERSION`) carries the address
//! family; an agent that predates it gets `GetAddrInfoRequest` with the node alone, and
//! answers with IPv4 addresses only: the fallback warns that IPv6 will not be resolved.

use std::net::IpAddr;

use bincode::{Decode, Encode};
use compat_runtime::Compat;

use crate::error::RemoteResult;

/// `getaddrinfo` of a node, as the first agents answered it (IPv4 only).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct GetAddrInfoRequest {
    /// The host name to resolve.
    pub node: String,
}

/// `getaddrinfo` with its hints (1.15.0).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.15.0")]
pub struct GetAddrInfoRequestV2 {
    /// The host name to resolve.
    pub node: String,
    /// The service's port (not yet respected by the agent).
    pub service_port: u16,
    /// Which addresses to resolve.
    pub family: AddressFamily,
    /// Which sockets the addresses are for.
    pub socktype: SockType,
    /// `ai_flags`, in Linux's values.
    pub flags: i32,
    /// `ai_protocol`.
    pub protocol: i32,
}

/// Which addresses a lookup resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.15.0")]
pub enum AddressFamily {
    /// `AF_INET`.
    Ipv4Only,
    /// `AF_INET6`.
    Ipv6Only,
    /// Both.
    Both,
    /// `AF_UNSPEC`.
    Any,
    /// What mirrord's serde side reads a newer family as (never sent; bincode has no such
    /// catch-all, and an agent that reads an unknown index fails the whole stream).
    UnknownAddressFamilyFromNewerClient,
}

/// Which sockets a lookup's addresses are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.15.0")]
pub enum SockType {
    /// `SOCK_STREAM`.
    Stream,
    /// `SOCK_DGRAM`.
    Dgram,
    /// Any.
    Any,
    /// As [`AddressFamily::UnknownAddressFamilyFromNewerClient`].
    UnknownSockTypeFromNewerClient,
}

/// One resolved address.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct LookupRecord {
    /// The canonical name.
    pub name: String,
    /// The address.
    pub ip: IpAddr,
}

/// The addresses a lookup resolved.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct DnsLookup(pub Vec<LookupRecord>);

/// The agent's answer to either request.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct GetAddrInfoResponse(pub RemoteResult<DnsLookup>);

/// The conversion mirrord runs when the agent predates `GetAddrInfoRequestV2`: the node
/// alone, so the agent resolves IPv4 addresses only.
///
/// ```
/// use mirrord_agent_protocol::dns::*;
/// let v2 = GetAddrInfoRequestV2 {
///     node: "db".into(), service_port: 0, family: AddressFamily::Both,
///     socktype: SockType::Any, flags: 0, protocol: 0,
/// };
/// assert_eq!(getaddrinfo_v1(&v2), GetAddrInfoRequest { node: "db".into() });
/// ```
pub fn getaddrinfo_v1(request: &GetAddrInfoRequestV2) -> GetAddrInfoRequest {
    GetAddrInfoRequest {
        node: request.node.clone(),
    }
}
