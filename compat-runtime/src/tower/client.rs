//! The client's side: [`CompatClientLayer`] names this end on every request and checks the
//! server's answer. It wraps a client in a [`CompatClient`], whose answer is a
//! [`ResponseFuture`] and whose errors are [`ClientError`]s.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::gate::{Carried, Gate, Side, Verdict};
use super::{FINGERPRINT, PEER, PEER_HEADER, REFUSAL, carried};
use crate::census::Census;
use crate::handshake::{Endpoint, Refused};

/// An error a service may return, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The client's layer: adds `compat-peer` (and `compat-fingerprint`) to every request,
/// turns the server's refusal into [`ClientError::RefusedByServer`], and checks the
/// server's `compat-peer` with this end's policy ([`ClientError::RefusedServer`] when it
/// fails, [`ClientError::Anonymous`] when the server sent none). An accepted response
/// carries the [`Session`](crate::Session) in its extensions (as `Arc<Session>`).
///
/// Works on any `Service<http::Request<B>, Response = http::Response<R>>`: hyper-util's
/// client, a tonic `Channel`. The verdicts on servers are cached like the server layer's.
#[derive(Debug, Clone)]
pub struct CompatClientLayer {
    gate: Arc<Gate>,
}

impl CompatClientLayer {
    /// The layer of `endpoint` (this client), counting servers in a census of its own.
    pub fn new(endpoint: Endpoint<'static>) -> Self {
        CompatClientLayer::with_census(endpoint, Census::new())
    }

    /// The layer of `endpoint`, counting the servers it met in `census`.
    pub fn with_census(endpoint: Endpoint<'static>, census: Census) -> Self {
        CompatClientLayer {
            gate: Arc::new(Gate::new(endpoint, census, "http", Side::Client, "header")),
        }
    }

    /// The census of the servers this client met.
    pub fn census(&self) -> &Census {
        self.gate.census()
    }
}

impl<S> Layer<S> for CompatClientLayer {
    type Service = CompatClient<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CompatClient {
            inner,
            gate: Arc::clone(&self.gate),
        }
    }
}

/// The service [`CompatClientLayer`] wraps around a client.
#[derive(Debug, Clone)]
pub struct CompatClient<S> {
    inner: S,
    gate: Arc<Gate>,
}

impl<S, B, R> Service<Request<B>> for CompatClient<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: Into<BoxError>,
{
    type Response = Response<R>;
    type Error = ClientError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| ClientError::Service(e.into()))
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let headers = request.headers_mut();
        headers.insert(PEER, self.gate.identity().clone());
        headers.insert(FINGERPRINT, self.gate.fingerprint().clone());
        ResponseFuture {
            future: self.inner.call(request),
            gate: Arc::clone(&self.gate),
        }
    }
}

pin_project! {
    /// The answer of a [`CompatClient`]: the server's response once both ends accepted.
    pub struct ResponseFuture<F> {
        #[pin]
        future: F,
        gate: Arc<Gate>,
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<Response<R>, ClientError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response =
            ready!(this.future.poll(cx)).map_err(|e| ClientError::Service(e.into()))?;
        Poll::Ready(check(this.gate, &mut response).map(|()| response))
    }
}

/// The client's verdict on a response: the server's refusal, the server's identity.
fn check<R>(gate: &Gate, response: &mut Response<R>) -> Result<(), ClientError> {
    let headers = response.headers();
    let grpc = headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/grpc"));
    if grpc && headers.contains_key(REFUSAL) {
        // tonic reads the refusal as the `FAILED_PRECONDITION` status it is, metadata
        // included, and `compat_runtime::tonic::refusal` reads it from there.
        return Ok(());
    }
    if let Some(refusal) = headers.get(REFUSAL) {
        return Err(match super::json::from_json(refusal.as_bytes()) {
            Ok(refused) => ClientError::RefusedByServer(refused),
            Err(reason) => ClientError::BadRefusal {
                status: response.status(),
                reason,
            },
        });
    }
    let peer = carried(headers, &PEER);
    if matches!(peer, Carried::Nothing) {
        gate.census().record_unidentified();
        return Err(ClientError::Anonymous {
            status: response.status(),
        });
    }
    let entry = gate.check(peer, carried(headers, &FINGERPRINT));
    match &entry.verdict {
        Verdict::Accepted { session, .. } => {
            #[cfg(feature = "tracing")]
            if let Some(notice) = response.headers().get(super::NOTICE) {
                crate::events::told(
                    gate.via(),
                    gate.local(),
                    session.peer_hello(),
                    notice.as_bytes(),
                    &entry.told,
                );
            }
            response.extensions_mut().insert(Arc::clone(session));
            Ok(())
        }
        Verdict::Refused { refused, .. } => Err(ClientError::RefusedServer((**refused).clone())),
    }
}

/// Why a request through [`CompatClient`] produced no response.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server refused this client; its refusal says why and what to do.
    RefusedByServer(Refused),
    /// This client refused the server: its identity is outside this end's window, or
    /// could not be read. The server did handle the request.
    RefusedServer(Refused),
    /// The server answered without `compat-peer`, so this end cannot check it.
    Anonymous {
        /// The status it answered with.
        status: StatusCode,
    },
    /// The server sent a `compat-refusal` that is not a compat refusal.
    BadRefusal {
        /// The status it answered with.
        status: StatusCode,
        /// What is wrong with it.
        reason: String,
    },
    /// The inner service failed.
    Service(BoxError),
}

impl ClientError {
    /// The refusal, whichever end made it.
    pub fn refusal(&self) -> Option<&Refused> {
        match self {
            ClientError::RefusedByServer(r) | ClientError::RefusedServer(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::RefusedByServer(r) | ClientError::RefusedServer(r) => r.fmt(f),
            ClientError::Anonymous { status } => write!(
                f,
                "the server answered ({status}) without a `{PEER_HEADER}` header, so this client \
                 cannot check that it is compatible: run compat's server layer there, or let the \
                 proxy in between pass `{PEER_HEADER}` through"
            ),
            ClientError::BadRefusal { status, reason } => write!(
                f,
                "the server refused this client ({status}), but its refusal cannot be read: {reason}"
            ),
            ClientError::Service(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::RefusedByServer(r) | ClientError::RefusedServer(r) => Some(r),
            ClientError::Service(e) => Some(&**e),
            _ => None,
        }
    }
}
