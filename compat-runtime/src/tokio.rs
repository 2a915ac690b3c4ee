//! The handshake over a tokio stream (feature `tokio`): [`accept`] on the server's side,
//! [`connect`] or [`connect_with`] on the client's, each under a timeout, each returning the
//! [`Session`]; [`connect_until`] runs it under the caller's own deadline.
//!
//! Each side reads exactly the handshake frame and nothing past it (wrap a socket in a
//! `tokio::io::BufReader` to read it in one system call; the rest stays buffered), so what
//! the client sent right behind its hello (its first request, with [`connect_with`]) is still
//! in the stream for the server to read: the handshake adds no round trip. A refusal is written to the refused
//! peer before the error is returned, and every wait is bounded: a peer that sends nothing,
//! or a byte at a time, is cut off when the timeout expires, holding nothing afterwards.
//!
//! ```no_run
//! # async fn serve(listener: tokio::net::TcpListener, endpoint: compat_runtime::Endpoint<'static>) -> std::io::Result<()> {
//! use std::time::Duration;
//! loop {
//!     let (mut socket, _) = listener.accept().await?;
//!     let endpoint = endpoint.clone();
//!     tokio::spawn(async move {
//!         match compat_runtime::tokio::accept(&mut socket, &endpoint, Duration::from_secs(5)).await {
//!             Ok(session) => { /* read the first request, reply through session.guard(..) */ }
//!             Err(refused) => eprintln!("{refused}"), // the peer was told the same
//!         }
//!     });
//! }
//! # }
//! ```

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::Poll;
use core::time::Duration;

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ::tokio::time::{Instant, Sleep};

use crate::census::Census;
use crate::handshake::{Endpoint, Frame, HEADER_LEN, HelloError, MAX_BODY, Refused};
use crate::session::Session;

/// Why a handshake over a stream did not produce a session.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The peer refused this end; its refusal says why.
    RefusedByPeer(Refused),
    /// This end refused the peer, and sent it the refusal: by its policy, or, on the
    /// server's side, for handshake bytes it could not read (`bad hello`, `layout`) or for
    /// no complete hello in time (`timeout`).
    Refused(Refused),
    /// The peer's handshake bytes could not be read and no refusal went back: the server's
    /// answer, on the client's side; on the server's, a peer that closed inside its hello.
    Hello(HelloError),
    /// No complete handshake within the timeout: the client's wait for the server's answer,
    /// or the server's for its accept to be taken. (A server that got no hello in time
    /// refuses the peer: [`HandshakeError::Refused`], kind `timeout`.)
    Timeout(Duration),
    /// The stream failed.
    Io(std::io::Error),
}

impl HandshakeError {
    /// The refusal, whichever end made it.
    pub fn refusal(&self) -> Option<&Refused> {
        match self {
            HandshakeError::RefusedByPeer(r) | HandshakeError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::RefusedByPeer(r) | HandshakeError::Refused(r) => r.fmt(f),
            HandshakeError::Hello(e) => e.fmt(f),
            HandshakeError::Timeout(d) => write!(
                f,
                "no complete handshake within {} ms; the peer sent nothing or too slowly",
                d.as_millis()
            ),
            HandshakeError::Io(e) => write!(f, "the connection failed during the handshake: {e}"),
        }
    }
}

impl std::error::Error for HandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandshakeError::RefusedByPeer(r) | HandshakeError::Refused(r) => Some(r),
            HandshakeError::Hello(e) => Some(e),
            HandshakeError::Io(e) => Some(e),
            HandshakeError::Timeout(_) => None,
        }
    }
}

/// The server's side: reads the client's hello, checks it with this end's policy, and
/// answers with the accept (this end's hello and any notice) or the refusal. On refusal the
/// write side is shut down and the error returned: [`HandshakeError::Refused`] whenever a
/// refusal went to the peer, for its version as for unreadable bytes or a hello that did not
/// come in time. `timeout` bounds the whole handshake, reading the hello and writing the
/// answer.
pub async fn accept<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    timeout: Duration,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = Instant::now() + timeout;
    let mut out = Vec::with_capacity(64);
    let session = accept_until(stream, endpoint, deadline, timeout, &mut out).await?;
    let written = ::tokio::time::timeout_at(deadline, async {
        stream.write_all(&out).await?;
        stream.flush().await
    })
    .await;
    match written {
        Err(_) => Err(HandshakeError::Timeout(timeout)),
        Ok(Err(e)) => Err(HandshakeError::Io(e)),
        Ok(Ok(())) => Ok(session),
    }
}

/// [`accept`], appending the accept frame to `out` instead of writing it, so a server can
/// send it in the same write as its reply to a first request that came with the hello (one
/// segment instead of two). Only hold it back when that request is already there (e.g. in
/// a `BufReader`'s buffer): a client that sends no request waits for the accept. A refusal
/// is still written at once.
///
/// The accept is the verdict: whatever becomes of the request, send `out` before the
/// connection closes. A server that cannot read the request and closes without it leaves an
/// admitted client unable to tell that it was admitted, not refused.
///
/// The hello is read into `out` behind what it already holds (and taken out again), so
/// the handshake needs no buffer of its own: give it one with room for the reply.
pub async fn accept_into<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    timeout: Duration,
    out: &mut Vec<u8>,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    accept_until(stream, endpoint, Instant::now() + timeout, timeout, out).await
}

async fn accept_until<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    deadline: Instant,
    timeout: Duration,
    out: &mut Vec<u8>,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let read = ::tokio::time::timeout_at(deadline, read_frame(stream, out)).await;
    // Every failure is settled here, without waiting, and the refusal (if any) written at
    // one await point below: the future holds one write's state, not one per outcome.
    let refused = match read {
        Ok(Ok(Frame::Hello(hello))) => match endpoint.accept(hello) {
            Ok(session) => {
                crate::handshake::encode_accept(out, endpoint.hello(), session.notice_about_peer());
                return Ok(session);
            }
            Err(refused) => refused,
        },
        Ok(Ok(other)) => endpoint.refuse_bytes(&HelloError::Unexpected {
            got: other.frame_type(),
            expected: "a hello",
        }),
        Ok(Err(Failure::Io(e))) => return Err(HandshakeError::Io(e)),
        // A peer that closed mid-frame cannot read a refusal.
        Ok(Err(Failure::Hello(e @ HelloError::Truncated { .. }))) => {
            return Err(HandshakeError::Hello(e));
        }
        Ok(Err(Failure::Hello(e))) => endpoint.refuse_bytes(&e),
        Err(_) => endpoint.refuse_timeout(timeout),
    };
    // The peer is told, so the error is a refusal whatever its kind: reported and counted as
    // one, not as a failure.
    let at = out.len();
    crate::handshake::encode_refusal(out, &refused);
    // The refusal gets its own bound: after a timeout the deadline has passed already.
    refuse(stream, &out[at..], timeout).await;
    out.truncate(at);
    Err(HandshakeError::Refused(refused))
}

/// The client's side: sends this end's hello, reads the server's answer, and checks the
/// server with this end's policy (sending back a refusal if it fails).
pub async fn connect<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    timeout: Duration,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    connect_with(stream, endpoint, &[], timeout).await
}

/// [`connect`], sending `first_request` (already framed by the application) in the same
/// write as the hello, so the server's reply can follow its accept with no round trip in
/// between. The request goes out before the server's version is known: make it one every
/// server this end's policy admits can read. `timeout` bounds sending both and reading the
/// server's answer.
pub async fn connect_with<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    first_request: &[u8],
    timeout: Duration,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = core::pin::pin!(::tokio::time::sleep(timeout));
    connect_before(stream, endpoint, first_request, deadline, timeout).await
}

/// [`connect_with`] under the caller's deadline, a [`Sleep`] it may also read its reply
/// (or connect) under: one timer for the handshake and the first exchange, where a timeout
/// for each would register a timer for each. Registering a timer is not free in tokio (the
/// first one of an idle runtime wakes its driver); a caller that arms its deadline before
/// connecting pays for that while nothing else is waiting.
///
/// ```no_run
/// # async fn attest(addr: std::net::SocketAddr, endpoint: compat_runtime::Endpoint<'static>, request: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use tokio::io::AsyncReadExt;
///
/// let mut deadline = std::pin::pin!(tokio::time::sleep(Duration::from_secs(5)));
/// let mut socket = tokio::io::BufReader::new(tokio::net::TcpStream::connect(addr).await?);
/// let session =
///     compat_runtime::tokio::connect_until(&mut socket, &endpoint, &request, deadline.as_mut())
///         .await?;
/// // The reply to `request` follows the accept, under the same deadline.
/// let mut len = [0u8; 4];
/// tokio::select! {
///     read = socket.read_exact(&mut len) => { read?; }
///     () = deadline.as_mut() => return Err("no reply in time".into()),
/// }
/// # Ok(()) }
/// ```
pub async fn connect_until<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    first_request: &[u8],
    deadline: Pin<&mut Sleep>,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // A timeout reports the time that was left for the handshake.
    let given = deadline
        .deadline()
        .saturating_duration_since(Instant::now());
    connect_before(stream, endpoint, first_request, deadline, given).await
}

async fn connect_before<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    first_request: &[u8],
    mut deadline: Pin<&mut Sleep>,
    given: Duration,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = Vec::with_capacity(64 + first_request.len());
    endpoint.hello().encode(&mut buf);
    buf.extend_from_slice(first_request);
    let answer = {
        let mut exchange = core::pin::pin!(async {
            stream.write_all(&buf).await.map_err(Failure::Io)?;
            stream.flush().await.map_err(Failure::Io)?;
            buf.clear();
            read_frame(stream, &mut buf).await
        });
        core::future::poll_fn(|cx| {
            if let Poll::Ready(answer) = exchange.as_mut().poll(cx) {
                return Poll::Ready(Some(answer));
            }
            deadline.as_mut().poll(cx).map(|()| None)
        })
        .await
    };
    let (error, refusal) = match answer {
        Some(Ok(Frame::Accept(hello, notice))) => match endpoint.admit(hello, notice) {
            Ok(session) => return Ok(session),
            Err(refused) => {
                crate::handshake::encode_refusal(&mut buf, &refused);
                (HandshakeError::Refused(refused), true)
            }
        },
        Some(Ok(Frame::Refusal(refused))) => (HandshakeError::RefusedByPeer(refused), false),
        Some(Ok(Frame::Hello(_))) => (
            HandshakeError::Hello(HelloError::Unexpected {
                got: crate::handshake::FrameType::Hello,
                expected: "the server's accept or refusal",
            }),
            false,
        ),
        Some(Err(Failure::Io(e))) => (HandshakeError::Io(e), false),
        Some(Err(Failure::Hello(e))) => (HandshakeError::Hello(e), false),
        None => (HandshakeError::Timeout(given), false),
    };
    if refusal {
        refuse(stream, &buf, given).await;
    }
    Err(error)
}

enum Failure {
    Io(std::io::Error),
    Hello(HelloError),
}

/// Reads one frame, exactly: the header, then the body its length declares (bounded by
/// [`MAX_BODY`]), checking the magic from the first byte on. The bytes go to `buf`'s spare
/// room, and `buf` is as it was when this returns.
async fn read_frame<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Result<Frame, Failure> {
    let start = buf.len();
    let read = read_frame_at(stream, buf, start).await;
    buf.truncate(start);
    read
}

async fn read_frame_at<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    start: usize,
) -> Result<Frame, Failure> {
    loop {
        let need = Frame::needs(&buf[start..]).map_err(Failure::Hello)?;
        if need == 0 {
            break;
        }
        let have = buf.len();
        buf.resize(have + need, 0);
        let n = stream.read(&mut buf[have..]).await.map_err(Failure::Io)?;
        buf.truncate(have + n);
        if n == 0 {
            let frame = &buf[start..];
            let total = match crate::handshake::Header::peek(frame) {
                Ok(Some(h)) => HEADER_LEN + h.len,
                _ => HEADER_LEN,
            };
            return Err(Failure::Hello(HelloError::Truncated {
                have: frame.len(),
                need: total.min(HEADER_LEN + MAX_BODY),
            }));
        }
    }
    let frame = &buf[start..];
    match Frame::decode(frame) {
        Ok(Some((frame, _))) => Ok(frame),
        Ok(None) => Err(Failure::Hello(HelloError::Truncated {
            have: frame.len(),
            need: frame.len() + 1,
        })),
        Err(e) => Err(Failure::Hello(e)),
    }
}

/// Sends a refusal frame's bytes and shuts the write side, best effort: the peer may be
/// gone already.
async fn refuse<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8], timeout: Duration) {
    let _ = ::tokio::time::timeout(timeout, async {
        stream.write_all(bytes).await?;
        stream.flush().await?;
        stream.shutdown().await
    })
    .await;
}

/// [`accept`], counting the verdict in `census` (see [`Census::record_verdict`]) and, with
/// feature `tracing`, reporting it (`via = "tcp"`; refusals at `warn`, rate-limited per
/// peer). Every refusal sent is counted and reported as one: a peer that sent unreadable
/// bytes or nothing in time is refused (kind `bad hello`, `layout` or `timeout`) and counts
/// as unidentified. A connection whose verdict never reached the peer is not counted: an
/// I/O error, a peer that closed inside its hello, an accept not taken in time. The session
/// returned counts its fallbacks in `census` too ([`Census::count_fallbacks_of`]).
///
/// ```no_run
/// # async fn serve(listener: tokio::net::TcpListener, endpoint: compat_runtime::Endpoint<'static>) -> std::io::Result<()> {
/// use compat_runtime::census::Census;
/// let census = Census::new();
/// loop {
///     let (mut socket, _) = listener.accept().await?;
///     let (endpoint, census) = (endpoint.clone(), census.clone());
///     tokio::spawn(async move {
///         let timeout = std::time::Duration::from_secs(5);
///         if let Ok(session) = compat_runtime::tokio::accept_counted(&mut socket, &endpoint, timeout, &census).await {
///             // serve the peer
///         }
///     });
/// }
/// # }
/// ```
pub async fn accept_counted<S>(
    stream: &mut S,
    endpoint: &Endpoint<'_>,
    timeout: Duration,
    census: &Census,
) -> Result<Session, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let verdict = accept(stream, endpoint, timeout).await;
    let local = endpoint.hello().peer_text();
    match &verdict {
        Ok(session) => {
            observe(census, &local, Ok(session));
            census.count_fallbacks_of(session);
        }
        Err(HandshakeError::Refused(refused)) => observe(census, &local, Err(refused)),
        Err(_) => {}
    }
    verdict
}

/// Counts a verdict in `census` and, with feature `tracing`, reports it (`via = "tcp"`,
/// `local` this end), rate-limited by the peer's census row.
#[cfg_attr(
    not(feature = "tracing"),
    allow(unused_variables, reason = "the events'")
)]
fn observe(census: &Census, local: &str, verdict: Result<&Session, &Refused>) {
    let row = census.count_verdict(verdict);
    #[cfg(feature = "tracing")]
    match verdict {
        Ok(session) => crate::events::accepted("tcp", local, session, &row.throttle),
        Err(refused) => crate::events::refused(
            "tcp",
            local,
            crate::census::refused_peer(refused).and_then(|p| p.rsplit_once('@')),
            refused,
            &row.throttle,
        ),
    }
    #[cfg(not(feature = "tracing"))]
    drop(row);
}
