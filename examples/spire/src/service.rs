//! A SPIRE-like node service over TCP: agents attest to a server after a compat handshake.
//!
//! The agent sends its hello and, right behind it, its first request ([`AttestRequest`]);
//! the server answers with its accept (or its refusal) and then the reply, a
//! [`ServerMessage`] checked by the send guard against the agent's version. Requests and
//! replies are JSON, each behind a 4-byte big-endian length.
//!
//! A peer that refuses the server (its own policy is stricter) sends a compat refusal frame
//! where its next request would be; the server recognizes it by the frame's magic and logs
//! it as [`Event::RefusedByPeer`].

use std::collections::BTreeMap;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use compat_runtime::handshake::{Frame, HEADER_LEN, MAGIC};
use compat_runtime::tokio::{HandshakeError, accept_into, connect_until};
use compat_runtime::{Endpoint, Notice, Refused, Session};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::{AttestRequest, AttestationData, ServerMessage, SvidUpdate, X509Svid};

/// How long either end waits for the other during the handshake and for a frame.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The largest request or reply accepted, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;

/// The entries revision this demo server signs SVIDs for.
pub const REVISION: u64 = 42;

/// What the server saw on one connection.
#[derive(Debug)]
pub enum Event {
    /// The peer got in: who, by which rule, the notice it was given, and what the send
    /// guard changed in the reply, if anything.
    Admitted {
        /// The peer, `component@version`.
        peer: String,
        /// The rule of the server's policy that admitted it, with its place.
        rule: Option<String>,
        /// The advance warning sent with the accept.
        notice: Option<Notice>,
        /// The guard's refusal of the first reply, when the server had to send another.
        guarded: Option<String>,
    },
    /// The server refused the peer, and told it this: for its version, for handshake bytes
    /// it could not read, or for no hello in time.
    Refused(Refused),
    /// The peer refused the server.
    RefusedByPeer(Refused),
    /// The connection failed without a refusal: a peer that hung up inside its hello, a
    /// broken connection, or a first request the server could not read or answer (an
    /// admitted peer still reads its accept first).
    Failed(String),
}

/// Accepts connections until the listener fails, handling each in its own task and
/// reporting what happened on `events`.
pub async fn serve(
    listener: TcpListener,
    endpoint: Endpoint<'static>,
    events: mpsc::UnboundedSender<Event>,
    timeout: Duration,
) -> std::io::Result<()> {
    // Shared, not copied per connection.
    let endpoint = std::sync::Arc::new(endpoint);
    loop {
        let (socket, _) = listener.accept().await?;
        let endpoint = std::sync::Arc::clone(&endpoint);
        let events = events.clone();
        tokio::spawn(async move {
            let event = handle(socket, &endpoint, timeout).await;
            let _ = events.send(event);
        });
    }
}

/// One connection, from the handshake to the first reply.
pub async fn handle<S>(socket: S, endpoint: &Endpoint<'_>, timeout: Duration) -> Event
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // Buffered, the hello and the request behind it arrive in one read.
    let mut socket = BufReader::new(socket);
    let mut out = Vec::with_capacity(512);
    let session = match accept_into(&mut socket, endpoint, timeout, &mut out).await {
        Ok(session) => session,
        // Refused by policy, for unreadable bytes or for no hello in time: the peer was told.
        Err(HandshakeError::Refused(refused)) => return Event::Refused(refused),
        Err(e) => return Event::Failed(e.to_string()),
    };
    // With the first request already here, the accept goes out with the reply, in one
    // segment; a client that sent only its hello gets the accept now.
    if socket.buffer().is_empty() {
        if !send(&mut socket, &out, timeout).await {
            return Event::Failed("the peer did not take the accept".into());
        }
        out.clear();
    }
    let event = first_exchange(&mut socket, endpoint, &session, &mut out, timeout).await;
    if !out.is_empty() {
        // The accept held back for a reply that is not coming still goes first: the client
        // reads that it was admitted, then the connection closes, and never mistakes the
        // server's trouble with its request for a refusal.
        if send(&mut socket, &out, timeout).await {
            let _ = tokio::time::timeout(timeout, socket.shutdown()).await;
        }
    }
    event
}

/// The first request of an admitted peer and the reply to it, written behind what `out`
/// holds (the accept, when it was held back). `out` is emptied once written; what it still
/// holds on return was never sent.
async fn first_exchange<S>(
    socket: &mut BufReader<S>,
    endpoint: &Endpoint<'_>,
    session: &Session,
    out: &mut Vec<u8>,
    timeout: Duration,
) -> Event
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let rule = session.rule().map(|i| {
        let rule = &endpoint.policy().rules()[i];
        format!("{} ({})", rule.describe(), rule.origin)
    });
    let peer = format!("{}@{}", session.peer_component(), session.peer_version());
    let admitted = |guarded| Event::Admitted {
        peer: peer.clone(),
        rule: rule.clone(),
        notice: session.notice_about_peer().cloned(),
        guarded,
    };
    let request = match tokio::time::timeout(timeout, read_request(socket)).await {
        Err(_) => return Event::Failed(format!("{peer} sent no request within the timeout")),
        Ok(Err(e)) => return Event::Failed(format!("{peer}: {e}")),
        Ok(Ok(Incoming::Refused(refused))) => return Event::RefusedByPeer(refused),
        Ok(Ok(Incoming::Closed)) => return admitted(None),
        Ok(Ok(Incoming::Request(bytes))) => bytes,
    };
    let request: AttestRequest = match serde_json::from_slice(&request) {
        Ok(request) => request,
        Err(e) => return Event::Failed(format!("{peer} sent an invalid request: {e}")),
    };
    let (reply, guarded) = answer(session, &request);
    if let Err(e) = frame_onto(&reply, out) {
        return Event::Failed(format!("the reply to {peer} did not serialize: {e}"));
    }
    let sent = send(socket, out, timeout).await;
    out.clear();
    if !sent {
        return Event::Failed(format!("{peer} did not take the reply"));
    }
    admitted(guarded)
}

/// Writes `bytes` within `timeout`; whether they went out.
async fn send<S: AsyncWrite + Unpin>(socket: &mut S, bytes: &[u8], timeout: Duration) -> bool {
    let sent = tokio::time::timeout(timeout, async {
        socket.write_all(bytes).await?;
        socket.flush().await
    })
    .await;
    matches!(sent, Ok(Ok(())))
}

/// The server's reply to an attestation, as the guard lets it go to this peer: with the
/// entries revision (0.9.2) for agents that read it; for older agents, which would lose it,
/// without.
pub fn answer(session: &Session, request: &AttestRequest) -> (ServerMessage, Option<String>) {
    let reply = update(request, REVISION);
    match session.guard(&reply) {
        Ok(()) => (reply, None),
        Err(unreadable) => {
            let fallback = update(request, 0);
            debug_assert!(session.guard(&fallback).is_ok());
            (fallback, Some(unreadable.to_string()))
        }
    }
}

/// The update an attestation earns, signed for `entries_revision` (what [`answer`] sends,
/// before the guard).
pub fn update(request: &AttestRequest, entries_revision: u64) -> ServerMessage {
    let node = String::from_utf8_lossy(&request.attestation_data.data);
    ServerMessage::Update(SvidUpdate {
        svids: BTreeMap::from([(
            format!("spiffe://example.org/agent/{node}"),
            X509Svid {
                cert_chain: request.csr.clone(),
                expires_at: 1_767_225_600,
            },
        )]),
        bundles: BTreeMap::from([("example.org".into(), "-----BEGIN CERTIFICATE-----".into())]),
        entries_revision,
    })
}

/// An agent's attestation: the handshake with the request right behind the hello, then the
/// server's reply, connect included all under one deadline of `timeout`.
///
/// The deadline is one timer, armed before connecting; the handshake
/// ([`connect_until`]) and the reply are read under it instead of under a timer each.
pub async fn attest(
    addr: std::net::SocketAddr,
    endpoint: &Endpoint<'_>,
    node: &str,
    timeout: Duration,
) -> Result<(Session, ServerMessage), AgentError> {
    let mut deadline = std::pin::pin!(tokio::time::sleep(timeout));
    // Registered now, while no I/O of this attestation waits on the runtime.
    std::future::poll_fn(|cx| {
        let _ = deadline.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await;
    let socket = tokio::select! {
        biased;
        connected = TcpStream::connect(addr) => connected.map_err(AgentError::Io)?,
        () = deadline.as_mut() => return Err(AgentError::Io(std::io::ErrorKind::TimedOut.into())),
    };
    socket.set_nodelay(true).map_err(AgentError::Io)?;
    let mut socket = BufReader::new(socket);
    let request = AttestRequest {
        attestation_data: AttestationData {
            kind: "join_token".into(),
            data: node.as_bytes().to_vec(),
        },
        csr: vec![0x30, 0x82],
        response: None,
        previous_agent_id: None,
    };
    let framed = frame(&request).map_err(AgentError::Json)?;
    let session = connect_until(&mut socket, endpoint, &framed, deadline.as_mut())
        .await
        .map_err(AgentError::Handshake)?;
    let reply = tokio::select! {
        biased;
        read = read_request(&mut socket) => read,
        () = deadline.as_mut() => return Err(AgentError::Closed),
    };
    let reply = match reply {
        Ok(Incoming::Request(bytes)) => serde_json::from_slice(&bytes).map_err(AgentError::Json)?,
        Ok(_) => return Err(AgentError::Closed),
        Err(e) => return Err(AgentError::Io(e)),
    };
    Ok((session, reply))
}

/// Why an agent did not get its reply.
#[derive(Debug)]
pub enum AgentError {
    /// The handshake failed or refused.
    Handshake(HandshakeError),
    /// The connection failed.
    Io(std::io::Error),
    /// The reply was not valid JSON.
    Json(serde_json::Error),
    /// The server closed the connection without a reply.
    Closed,
}

impl std::fmt::Display for AgentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentError::Handshake(e) => e.fmt(f),
            AgentError::Io(e) => write!(f, "connection failed: {e}"),
            AgentError::Json(e) => write!(f, "invalid reply: {e}"),
            AgentError::Closed => f.write_str("the server closed the connection without a reply"),
        }
    }
}

impl std::error::Error for AgentError {}

/// What arrived where a request (or reply) was expected.
pub enum Incoming {
    /// A request's bytes.
    Request(Vec<u8>),
    /// The peer's compat refusal.
    Refused(Refused),
    /// The peer closed the connection.
    Closed,
}

/// Reads one length-prefixed frame, or the peer's refusal frame in its place.
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<Incoming> {
    let mut head = [0u8; 4];
    match stream.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(Incoming::Closed),
        Err(e) => return Err(e),
    }
    if head == MAGIC {
        let mut frame = head.to_vec();
        loop {
            let need = Frame::needs(&frame).map_err(invalid)?;
            if need == 0 {
                break;
            }
            let have = frame.len();
            frame.resize(have + need, 0);
            stream.read_exact(&mut frame[have..]).await?;
        }
        debug_assert!(frame.len() >= HEADER_LEN);
        return match Frame::decode(&frame).map_err(invalid)? {
            Some((Frame::Refusal(refused), _)) => Ok(Incoming::Refused(refused)),
            _ => Err(invalid(
                "a handshake frame other than a refusal after the handshake",
            )),
        };
    }
    let len = u32::from_be_bytes(head) as usize;
    if len > MAX_FRAME {
        return Err(invalid(format!(
            "a frame of {len} bytes; at most {MAX_FRAME} are accepted"
        )));
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(Incoming::Request(body))
}

/// Writes one length-prefixed frame.
pub async fn write_frame<S: AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(bytes.len() + 4);
    frame_into(bytes, &mut out);
    stream.write_all(&out).await?;
    stream.flush().await
}

/// `value` as JSON behind its 4-byte length, in one buffer.
pub fn frame<T: serde::Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    frame_onto(value, &mut out)?;
    Ok(out)
}

/// Appends `value` as JSON behind its 4-byte length, serialized in place.
pub fn frame_onto<T: serde::Serialize>(value: &T, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        out.truncate(start);
        return Err(e);
    }
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// Appends `bytes` behind their 4-byte length.
pub fn frame_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn invalid(e: impl ToString) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}
