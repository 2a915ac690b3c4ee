//! The client's side: [`CompatClientLayer`] names this end on every request and checks the
//! server's answer. It wraps a client in a [`CompatClient`], whose answer is a
//! [`ResponseFuture`] and whose errors are [`ClientError`]s. With
//! [`methods`](CompatClientLayer::methods), it also refuses to call an RPC method the server
//! predates ([`UnknownMethod`]).

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
use super::methods::Methods;
pub use super::methods::UnknownMethod;
use super::{FINGERPRINT, PEER, PEER_HEADER, REFUSAL, carried};
use crate::census::Census;
use crate::handshake::{Endpoint, Refused};
use crate::proto::Method;

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
    methods: Option<Arc<Methods>>,
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
            methods: None,
        }
    }

    /// Also refuses, before anything is sent, a call to an RPC method of `table` that the
    /// server predates (an old server would answer `UNIMPLEMENTED`): the error is
    /// [`ClientError::UnknownMethod`], which names the method, the release that brings it
    /// and what to upgrade, and which tonic hands the caller as a `FAILED_PRECONDITION`
    /// status. `table` is the `METHODS` that compat's build-script helper writes
    /// (`compat_runtime::proto::build`). The server's version is the one its last answer
    /// through this layer named; the first call to a method a server lacks is refused on its
    /// `UNIMPLEMENTED` answer, with the same error.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::proto::Method;
    /// use compat_runtime::tower::{ClientError, CompatClientLayer, CompatServerLayer};
    /// use compat_runtime::{Endpoint, Policy};
    /// use tower::{Layer, ServiceExt, service_fn};
    ///
    /// const METHODS: &[Method] = &[
    ///     Method { path: "/spire.Node/Attest", since: "0.8.0" },
    ///     Method { path: "/spire.Node/FetchJwtSvid", since: "0.9.0" },
    /// ];
    /// let policy: &'static Policy = Box::leak(Box::new(Policy::from_toml("compat.toml",
    ///     "[components]\nserver = {}\nagent = {}\n\
    ///      [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"1 minor\"\nolder = \"1 minor\"\n",
    /// ).unwrap()));
    /// let server = CompatServerLayer::new(Endpoint::new(policy, "server", "0.8.5", &[]).unwrap())
    ///     .layer(service_fn(|_: http::Request<String>| async {
    ///         Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
    ///     }));
    /// let agent = CompatClientLayer::new(Endpoint::new(policy, "agent", "0.9.3", &[]).unwrap())
    ///     .methods(METHODS)
    ///     .layer(server);
    /// let call = |path: &str| http::Request::builder().uri(path).body(String::new()).unwrap();
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // The first answer names the server: 0.8.5.
    /// agent.clone().oneshot(call("/spire.Node/Attest")).await.unwrap();
    /// let err = agent.clone().oneshot(call("/spire.Node/FetchJwtSvid")).await.unwrap_err();
    /// let ClientError::UnknownMethod(refused) = err else { panic!("{err}") };
    /// assert_eq!(refused.method().since, "0.9.0");
    /// assert_eq!(refused.server_version().to_string(), "0.8.5");
    /// assert!(refused.to_string().contains("upgrade server to 0.9.0 or later"));
    /// # });
    /// # }
    /// ```
    #[must_use]
    pub fn methods(mut self, table: &'static [Method]) -> Self {
        self.methods = Some(Arc::new(Methods::new(table)));
        self
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
            methods: self.methods.clone(),
        }
    }
}

/// The service [`CompatClientLayer`] wraps around a client.
#[derive(Debug, Clone)]
pub struct CompatClient<S> {
    inner: S,
    gate: Arc<Gate>,
    methods: Option<Arc<Methods>>,
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
        let called = self
            .methods
            .as_ref()
            .and_then(|methods| methods.find(request.uri().path()).cloned());
        if let (Some(methods), Some(method)) = (&self.methods, &called)
            && let Some(refused) = methods.refuse(method)
        {
            return ResponseFuture {
                future: None,
                refused: Some(Box::new(refused)),
                gate: Arc::clone(&self.gate),
                methods: None,
                called: None,
            };
        }
        let headers = request.headers_mut();
        headers.insert(PEER, self.gate.identity().clone());
        headers.insert(FINGERPRINT, self.gate.fingerprint().clone());
        ResponseFuture {
            future: Some(self.inner.call(request)),
            refused: None,
            gate: Arc::clone(&self.gate),
            methods: self.methods.clone(),
            called,
        }
    }
}

pin_project! {
    /// The answer of a [`CompatClient`]: the server's response once both ends accepted, or
    /// the refusal of a method the server predates, made without a call.
    pub struct ResponseFuture<F> {
        #[pin]
        future: Option<F>,
        refused: Option<Box<UnknownMethod>>,
        gate: Arc<Gate>,
        // The guard of the methods, and this call's method when its table lists it.
        methods: Option<Arc<Methods>>,
        called: Option<(Method, crate::Version)>,
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
        if let Some(refused) = this.refused.take() {
            return Poll::Ready(Err(ClientError::UnknownMethod(refused)));
        }
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Ready(Err(ClientError::Service(
                "compat's client future polled after it was refused".into(),
            )));
        };
        let mut response = ready!(future.poll(cx)).map_err(|e| ClientError::Service(e.into()))?;
        check(this.gate, &mut response)?;
        if let Some(methods) = this.methods {
            if let Some(session) = response.extensions().get::<Arc<crate::Session>>() {
                methods.learn(session);
            }
            if let Some(method) = this.called {
                unimplemented_on(methods, method, &response)?;
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// The server's `UNIMPLEMENTED` answer to a method it predates (a first call, made before
/// the layer knew the server's version) as the refusal the layer would have made.
fn unimplemented_on<R>(
    methods: &Methods,
    method: &(Method, crate::Version),
    response: &Response<R>,
) -> Result<(), ClientError> {
    let unimplemented = response
        .headers()
        .get("grpc-status")
        .is_some_and(|code| code.as_bytes() == b"12");
    match methods.refuse(method) {
        Some(refused) if unimplemented => Err(ClientError::UnknownMethod(Box::new(refused))),
        _ => Ok(()),
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
    /// This client refused to call an RPC method the server predates
    /// ([`CompatClientLayer::methods`]); nothing was sent, or the server answered
    /// `UNIMPLEMENTED`.
    UnknownMethod(Box<UnknownMethod>),
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
            ClientError::UnknownMethod(m) => m.fmt(f),
            ClientError::Service(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::RefusedByServer(r) | ClientError::RefusedServer(r) => Some(r),
            ClientError::UnknownMethod(m) => Some(&**m),
            ClientError::Service(e) => Some(&**e),
            _ => None,
        }
    }
}
