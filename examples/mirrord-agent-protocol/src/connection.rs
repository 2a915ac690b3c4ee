//! The agent protocol over a tokio stream: compat's handshake first (in place of mirrord's
//! `SwitchProtocolVersion` exchange), then length-prefixed bincode frames, each sent
//! through the session, which refuses what the peer's protocol cannot read and degrades
//! what has an older form.
//!
//! A frame is a 4-byte big-endian length and that many bytes of one message in
//! `bincode::config::standard()`. A peer is hostile: a frame longer than [`MAX_FRAME`] is
//! refused before anything is allocated for it, a frame that does not decode (a variant
//! this end does not know: fatal in bincode) ends the connection with an error that says
//! so, and every read and write is bounded by the connection's timeout.

use core::fmt;
use std::time::Duration;

use bincode::error::{DecodeError, EncodeError};
use bincode::{Decode, Encode};
use compat_runtime::Endpoint;
use compat_runtime::census::Census;
use compat_runtime::guard::{Guard, Unreadable};
use compat_runtime::session::Session;
use compat_runtime::tokio::HandshakeError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame either end reads: mirrord's largest messages are file reads and
/// writes, which the layer splits well below this.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// bincode 2's standard configuration, as mirrord's `ProtocolCodec` uses it.
pub const CONFIG: bincode::config::Configuration = bincode::config::standard();

/// [`CONFIG`] for reading: the same bytes, but no length inside a frame may claim more
/// than [`MAX_FRAME`] (bincode's limit), so a hostile `Vec` length allocates nothing.
const READ: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_FRAME>,
> = CONFIG.with_limit::<MAX_FRAME>();

/// One end of an agent-protocol connection after the handshake.
#[derive(Debug)]
pub struct Connection<S> {
    stream: S,
    session: Session,
    timeout: Duration,
    buffer: Vec<u8>,
}

/// Why a message was not sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// The peer's protocol cannot read it and it has no older form: refused locally,
    /// nothing was sent.
    Unreadable(Unreadable),
    /// bincode could not encode it.
    Encode(EncodeError),
    /// Its frame is longer than [`MAX_FRAME`].
    TooLarge(usize),
    /// The stream failed, or the write took longer than the timeout.
    Io(std::io::Error),
}

/// Why no message was received.
#[derive(Debug)]
#[non_exhaustive]
pub enum RecvError {
    /// The peer closed the stream between frames.
    Closed,
    /// The peer announced a frame longer than [`MAX_FRAME`].
    TooLarge(usize),
    /// The frame is not a message this end reads: under bincode the stream cannot go on.
    Decode(DecodeError),
    /// The frame held bytes after its message.
    Trailing(usize),
    /// The stream failed, or the read took longer than the timeout.
    Io(std::io::Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Unreadable(u) => write!(f, "not sent: {u}"),
            SendError::Encode(e) => write!(f, "not sent: bincode could not encode it: {e}"),
            SendError::TooLarge(n) => {
                write!(
                    f,
                    "not sent: a frame of {n} bytes is over the {MAX_FRAME}-byte limit"
                )
            }
            SendError::Io(e) => write!(f, "not sent: {e}"),
        }
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("the peer closed the connection"),
            RecvError::TooLarge(n) => write!(
                f,
                "the peer announced a frame of {n} bytes, over the {MAX_FRAME}-byte limit"
            ),
            RecvError::Decode(e) => write!(
                f,
                "a frame is not a message this end reads ({e}); under bincode the stream \
                 cannot go on"
            ),
            RecvError::Trailing(n) => write!(f, "a frame held {n} bytes after its message"),
            RecvError::Io(e) => write!(f, "the connection failed: {e}"),
        }
    }
}

impl std::error::Error for SendError {}
impl std::error::Error for RecvError {}

fn timed_out(timeout: Duration) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("no progress within {} ms", timeout.as_millis()),
    )
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// A connection over `stream`, whose handshake settled `session`; each read and write
    /// must finish within `timeout`.
    pub fn new(stream: S, session: Session, timeout: Duration) -> Self {
        Connection {
            stream,
            session,
            timeout,
            buffer: Vec::with_capacity(256),
        }
    }

    /// What the handshake settled: the peer, its protocol, the features it has.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Sends `message` as the peer should get it ([`encode`]), in one frame.
    pub async fn send<M: Encode + Guard + Clone>(&mut self, message: &M) -> Result<(), SendError> {
        self.buffer.clear();
        encode(&self.session, message, &mut self.buffer)?;
        let written = tokio::time::timeout(self.timeout, async {
            self.stream.write_all(&self.buffer).await?;
            self.stream.flush().await
        })
        .await;
        match written {
            Err(_) => Err(SendError::Io(timed_out(self.timeout))),
            Ok(Err(e)) => Err(SendError::Io(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Reads one frame and decodes it.
    pub async fn recv<M: Decode<()>>(&mut self) -> Result<M, RecvError> {
        let timeout = self.timeout;
        let read = tokio::time::timeout(timeout, async {
            let mut len = [0u8; 4];
            match self.stream.read_exact(&mut len).await {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(RecvError::Closed);
                }
                Err(e) => return Err(RecvError::Io(e)),
                Ok(_) => {}
            }
            let len = u32::from_be_bytes(len) as usize;
            if len > MAX_FRAME {
                return Err(RecvError::TooLarge(len));
            }
            self.buffer.clear();
            self.buffer.resize(len, 0);
            self.stream
                .read_exact(&mut self.buffer)
                .await
                .map_err(RecvError::Io)?;
            decode(&self.buffer)
        })
        .await;
        read.unwrap_or_else(|_| Err(RecvError::Io(timed_out(timeout))))
    }

    /// The stream back, to close it.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

/// Appends `message` to `out` as one frame, as the session's peer should get it: refused
/// when the peer's protocol cannot read it and it has no older form, degraded to that form
/// when it has one (`StatFsV2` to `StatFs` for an agent before 1.18.0), as it is otherwise.
///
/// ```
/// # use mirrord_agent_protocol::{ClientMessage, connection::encode, endpoint};
/// let agent = endpoint("agent", "3.250.0").unwrap();
/// let layer = endpoint("layer", "3.250.0").unwrap();
/// let session = layer.accept(agent.hello()).unwrap();
/// let mut frame = Vec::new();
/// encode(&session, &ClientMessage::Ping, &mut frame).unwrap();
/// assert_eq!(frame, [0, 0, 0, 1, 7]); // the length, then `Ping`: variant 7, as in mirrord
/// ```
#[inline]
pub fn encode<M: Encode + Guard + Clone>(
    session: &Session,
    message: &M,
    out: &mut Vec<u8>,
) -> Result<(), SendError> {
    // A message the peer knows whole goes as it is after one compare: the check
    // `Session::prepare` starts with, without building the `Cow` it returns (which costs
    // more than the compare: benches/agent.rs, docs/performance.md).
    if M::newest() <= session.peer_packed() {
        return frame(message, out);
    }
    encode_older(session, message, out)
}

/// [`encode`] for a peer older than some part of the message: out of the fast path's way,
/// so that `encode` stays one compare and the frame, inlined where it is called (callgrind
/// counted 11% more instructions than bincode alone while both paths sat in one function).
#[cold]
#[inline(never)]
fn encode_older<M: Encode + Guard + Clone>(
    session: &Session,
    message: &M,
    out: &mut Vec<u8>,
) -> Result<(), SendError> {
    let sent = session.prepare(message).map_err(SendError::Unreadable)?;
    frame(&*sent, out)
}

/// Appends `message` to `out` as one frame, as it is: bincode alone, no session. For a
/// message that must reach any peer as it is written (and for measuring what the session
/// adds: `benches/agent.rs`).
///
/// ```
/// # use mirrord_agent_protocol::{ClientMessage, connection::frame};
/// let mut out = Vec::new();
/// frame(&ClientMessage::Close, &mut out).unwrap();
/// assert_eq!(out, [0, 0, 0, 1, 0]);
/// ```
#[inline]
pub fn frame<M: Encode>(message: &M, out: &mut Vec<u8>) -> Result<(), SendError> {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    bincode::encode_into_std_write(message, &mut *out, CONFIG).map_err(SendError::Encode)?;
    let len = out.len() - at - 4;
    if len > MAX_FRAME {
        out.truncate(at);
        return Err(SendError::TooLarge(len));
    }
    out[at..at + 4].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(())
}

/// Decodes one frame's bytes (without its length) into a message.
///
/// ```
/// use mirrord_agent_protocol::{DaemonMessage, connection::{RecvError, decode}};
/// assert_eq!(decode::<DaemonMessage>(&[7]).unwrap(), DaemonMessage::Pong);
/// // Past the last variant of `DaemonMessage`: fatal under bincode.
/// assert!(matches!(decode::<DaemonMessage>(&[99]), Err(RecvError::Decode(_))));
/// ```
pub fn decode<M: Decode<()>>(frame: &[u8]) -> Result<M, RecvError> {
    let (message, read) = bincode::decode_from_slice(frame, READ).map_err(RecvError::Decode)?;
    if read != frame.len() {
        return Err(RecvError::Trailing(frame.len() - read));
    }
    Ok(message)
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// The agent's side: compat's handshake as the server (mirrord's agent answered
    /// `SwitchProtocolVersion`), then a connection whose session knows the layer's
    /// protocol.
    pub async fn accept(
        mut stream: S,
        endpoint: &Endpoint<'_>,
        timeout: Duration,
    ) -> Result<Self, HandshakeError> {
        let session = compat_runtime::tokio::accept(&mut stream, endpoint, timeout).await?;
        Ok(Connection::new(stream, session, timeout))
    }

    /// [`Connection::accept`], counting the layer in `census`, with every value the agent
    /// sends it in an older form (a fallback).
    pub async fn accept_counted(
        mut stream: S,
        endpoint: &Endpoint<'_>,
        timeout: Duration,
        census: &Census,
    ) -> Result<Self, HandshakeError> {
        let session =
            compat_runtime::tokio::accept_counted(&mut stream, endpoint, timeout, census).await?;
        Ok(Connection::new(stream, session, timeout))
    }

    /// The layer's side: compat's handshake as the client (mirrord's intproxy sent
    /// `SwitchProtocolVersion` as its first message), then a connection whose session knows
    /// the agent's protocol.
    pub async fn connect(
        mut stream: S,
        endpoint: &Endpoint<'_>,
        timeout: Duration,
    ) -> Result<Self, HandshakeError> {
        let session = compat_runtime::tokio::connect(&mut stream, endpoint, timeout).await?;
        Ok(Connection::new(stream, session, timeout))
    }
}
