//! Incoming and outgoing traffic (mirrord-protocol's `tcp.rs`, `outgoing/` and `vpn.rs`),
//! trimmed: each enum keeps its first variants, in mirrord's order, and leaves out those
//! after them (HTTP requests, chunked bodies, V2 connections), so the variants kept are at
//! mirrord's indexes and the enums holding them ([`crate::ClientMessage`],
//! [`crate::DaemonMessage`]) keep every index.
//!
//! Filtered HTTP upgrades (mirrord's `HTTP_FILTERED_UPGRADE_VERSION`, 1.5.0) change no
//! message: a layer from 1.5.0 on is sent the data of a connection that carried filtered
//! HTTP requests after it upgrades, an older one is not. It is the feature
//! `http-filtered-upgrade` of `compat.toml`, which the agent asks the session about
//! ([`crate::agent::Agent::forwards_upgrades`]).

use std::net::IpAddr;

use bincode::{Decode, Encode};
use compat_runtime::Compat;

use crate::error::{RemoteResult, SocketAddress};

/// Mirroring (the `mirror` mode): the layer's subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum LayerTcp {
    /// Mirror this port.
    PortSubscribe(u16),
    /// Stop mirroring this connection.
    ConnectionUnsubscribe(u64),
    /// Stop mirroring this port.
    PortUnsubscribe(u16),
}

/// Stealing (the `steal` mode): the layer's subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum LayerTcpSteal {
    /// Steal this port's traffic, all of it or what a filter matches.
    PortSubscribe(StealType),
    /// Stop stealing this connection.
    ConnectionUnsubscribe(u64),
    /// Stop stealing this port.
    PortUnsubscribe(u16),
    /// Data for a stolen connection.
    Data(TcpData),
}

/// What to steal of a port.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub enum StealType {
    /// All its traffic.
    All(u16),
    /// HTTP requests whose headers match a regular expression.
    FilteredHttp(u16, Filter),
}

/// A regular expression an HTTP request is matched with.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub struct Filter(pub String);

/// Traffic of a port the layer mirrors or steals.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum DaemonTcp {
    /// A new connection.
    NewConnectionV1(NewTcpConnectionV1),
    /// Its bytes (after an HTTP upgrade too, for a layer with `http-filtered-upgrade`).
    Data(TcpData),
    /// It closed.
    Close(TcpClose),
    /// The subscription to this port took.
    SubscribeResult(RemoteResult<u16>),
}

/// A connection to a port the layer subscribed to.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct NewTcpConnectionV1 {
    /// Its id.
    pub connection_id: u64,
    /// Where it came from.
    pub remote_address: IpAddr,
    /// The port it reached.
    pub destination_port: u16,
    /// The port it came from.
    pub source_port: u16,
    /// The address it reached.
    pub local_address: IpAddr,
}

/// Bytes of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub struct TcpData {
    /// The connection.
    pub connection_id: u64,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A connection closed.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(between = ["layer", "agent"])]
#[since("1.0.0")]
pub struct TcpClose {
    /// The connection.
    pub connection_id: u64,
}

/// An outgoing connection the layer asks the agent to make, TCP or UDP.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum LayerOutgoing {
    /// Connect there.
    Connect(LayerConnect),
    /// Write to the connection.
    Write(TcpData),
    /// Close it.
    Close(TcpClose),
}

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct LayerConnect {
    /// The remote address.
    pub remote_address: SocketAddress,
}

/// An outgoing connection's news.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum DaemonOutgoing {
    /// The connection was made, or not.
    Connect(RemoteResult<DaemonConnect>),
    /// Bytes read from it.
    Read(RemoteResult<TcpData>),
}

/// A connection the agent made.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct DaemonConnect {
    /// Its id.
    pub connection_id: u64,
    /// Where it goes.
    pub remote_address: SocketAddress,
    /// Where it comes from, in the target.
    pub local_address: SocketAddress,
}

/// The VPN's requests (`mirrord vpn`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum ClientVpn {
    /// The target's network configuration.
    GetNetworkConfiguration,
    /// Open the raw socket.
    OpenSocket,
    /// An IP packet to send.
    Packet(Vec<u8>),
}
