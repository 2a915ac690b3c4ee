//! The server's side: [`CompatServerLayer`] refuses a client outside the window before the
//! handler runs, and [`IdentityLayer`] only names this end on every response (for a tonic
//! server, whose interceptor refuses). Each wraps the app in its service, [`CompatServer`]
//! or [`Identity`], whose answer is a [`ResponseFuture`].

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use http::{HeaderValue, Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::gate::{Gate, Side, Verdict};
use super::{FINGERPRINT, NOTICE, PEER, REFUSAL, REFUSAL_STATUS, carried};
use crate::census::Census;
use crate::handshake::Endpoint;

/// The server's layer: checks each request's `compat-peer` with this end's policy, puts the
/// [`Session`](crate::Session) in the request's extensions (as `Arc<Session>`), answers a
/// refused request with 412 and the refusal as JSON, and names this end in `compat-peer` on
/// every response.
///
/// Cloning is cheap and shares the cache and the census. The response body must be
/// constructible from the refusal's JSON (`From<String>`: axum's `Body`, hyper's
/// `Full<Bytes>`, `String` all are).
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Endpoint, Policy};
/// use compat_runtime::census::Census;
/// use compat_runtime::tower::CompatServerLayer;
/// let policy: &'static Policy = Box::leak(Box::new(
///     Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
///         [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap(),
/// ));
/// let census = Census::new();
/// let layer = CompatServerLayer::with_census(Endpoint::new(policy, "server", "0.9.3", &[]).unwrap(), census.clone());
/// // axum: Router::new().route(..).layer(layer)
/// # let _ = layer;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CompatServerLayer {
    gate: Arc<Gate>,
}

impl CompatServerLayer {
    /// The layer of `endpoint` (this server: its policy, component, version and messages),
    /// counting in a census of its own.
    pub fn new(endpoint: Endpoint<'static>) -> Self {
        CompatServerLayer::with_census(endpoint, Census::new())
    }

    /// The layer of `endpoint`, counting in `census` (shared with other layers or listeners).
    pub fn with_census(endpoint: Endpoint<'static>, census: Census) -> Self {
        CompatServerLayer {
            gate: Arc::new(Gate::new(endpoint, census, "http", Side::Server, "header")),
        }
    }

    /// The census this layer counts in.
    pub fn census(&self) -> &Census {
        self.gate.census()
    }

    /// This end.
    pub fn endpoint(&self) -> &Endpoint<'static> {
        self.gate.endpoint()
    }
}

impl<S> Layer<S> for CompatServerLayer {
    type Service = CompatServer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CompatServer {
            inner,
            gate: Arc::clone(&self.gate),
        }
    }
}

/// The service [`CompatServerLayer`] wraps around the app.
#[derive(Debug, Clone)]
pub struct CompatServer<S> {
    inner: S,
    gate: Arc<Gate>,
}

impl<S, B, R> Service<Request<B>> for CompatServer<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    R: From<String>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let headers = request.headers();
        let entry = self
            .gate
            .check(carried(headers, &PEER), carried(headers, &FINGERPRINT));
        match &entry.verdict {
            Verdict::Accepted { session, notice } => {
                request.extensions_mut().insert(Arc::clone(session));
                ResponseFuture {
                    state: State::Inner {
                        future: self.inner.call(request),
                        identity: self.gate.identity().clone(),
                        fingerprint: self.gate.fingerprint().clone(),
                        notice: notice.clone(),
                    },
                }
            }
            Verdict::Refused { json, header, .. } => {
                let mut response = Response::new(R::from(json.clone()));
                *response.status_mut() = REFUSAL_STATUS;
                let headers = response.headers_mut();
                headers.insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                headers.insert(PEER, self.gate.identity().clone());
                headers.insert(FINGERPRINT, self.gate.fingerprint().clone());
                headers.insert(REFUSAL, header.clone());
                ResponseFuture {
                    state: State::Refused {
                        response: Some(response),
                    },
                }
            }
        }
    }
}

/// Names this end in `compat-peer` (and `compat-fingerprint`) on every response, refusing
/// nothing: for a tonic server, whose [`ServerInterceptor`](crate::tonic::ServerInterceptor)
/// refuses calls but cannot touch responses, so that clients can check the server. Made by
/// [`ServerInterceptor::identity_layer`](crate::tonic::ServerInterceptor::identity_layer),
/// it also sends the interceptor's advance warning in `compat-notice`.
#[derive(Debug, Clone)]
pub struct IdentityLayer {
    identity: HeaderValue,
    fingerprint: HeaderValue,
    /// The interceptor's gate, whose verdicts (cached, not counted) carry the notices.
    gate: Option<Arc<Gate>>,
}

impl IdentityLayer {
    /// The layer naming `endpoint`.
    pub fn new(endpoint: &Endpoint<'_>) -> Self {
        let hello = endpoint.hello();
        IdentityLayer {
            identity: super::gate::header_value(&hello.peer_text()),
            fingerprint: super::gate::header_value(&format!("{:016x}", hello.fingerprint())),
            gate: None,
        }
    }

    /// The layer naming the end of `gate`, with its notices.
    #[cfg_attr(not(feature = "tonic"), allow(dead_code, reason = "the interceptor's"))]
    pub(crate) fn with_gate(gate: Arc<Gate>) -> Self {
        IdentityLayer {
            gate: Some(Arc::clone(&gate)),
            ..IdentityLayer::new(gate.endpoint())
        }
    }
}

impl<S> Layer<S> for IdentityLayer {
    type Service = Identity<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Identity {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`IdentityLayer`] wraps around the app.
#[derive(Debug, Clone)]
pub struct Identity<S> {
    inner: S,
    layer: IdentityLayer,
}

impl<S, B, R> Service<Request<B>> for Identity<S>
where
    S: Service<Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let notice = self.layer.gate.as_ref().and_then(|gate| {
            let headers = request.headers();
            match &gate
                .peek(carried(headers, &PEER), carried(headers, &FINGERPRINT))
                .verdict
            {
                Verdict::Accepted { notice, .. } => notice.clone(),
                Verdict::Refused { .. } => None,
            }
        });
        ResponseFuture {
            state: State::Inner {
                future: self.inner.call(request),
                identity: self.layer.identity.clone(),
                fingerprint: self.layer.fingerprint.clone(),
                notice,
            },
        }
    }
}

pin_project! {
    /// The answer of a [`CompatServer`] or an [`Identity`]: the app's, with this end's
    /// identity added, or the refusal.
    pub struct ResponseFuture<F, R> {
        #[pin]
        state: State<F, R>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, R> {
        Inner {
            #[pin]
            future: F,
            identity: HeaderValue,
            fingerprint: HeaderValue,
            notice: Option<HeaderValue>,
        },
        Refused {
            response: Option<Response<R>>,
        },
    }
}

impl<F, R, E> Future for ResponseFuture<F, R>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner {
                future,
                identity,
                fingerprint,
                notice,
            } => {
                let mut response = ready!(future.poll(cx))?;
                let headers = response.headers_mut();
                headers.insert(PEER, identity.clone());
                headers.insert(FINGERPRINT, fingerprint.clone());
                if let Some(notice) = notice.take() {
                    headers.insert(NOTICE, notice);
                }
                Poll::Ready(Ok(response))
            }
            StateProj::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => panic!("`ResponseFuture` polled after it completed"),
            },
        }
    }
}
