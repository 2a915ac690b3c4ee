//! gRPC interceptors for tonic (feature `tonic`; tonic 0.14 needs Rust 1.88, as this crate does).
//!
//! The same check as the HTTP layer ([`crate::tower`]), in tonic's terms: the identity
//! travels as metadata (`compat-peer: agent@0.9.2`, optionally `compat-fingerprint`), and
//! a refusal is a [`Status`] with code `FAILED_PRECONDITION`, the refusal in words as its
//! message, the refusal as JSON in the `compat-refusal` metadata entry, and the server's
//! `component@version` in `compat-peer`. [`refusal`] turns such a status back into the
//! typed [`Refused`].
//!
//! - server: [`ServerInterceptor`] on each service
//!   (`NodeServer::with_interceptor(service, interceptor)`), which puts the
//!   [`Session`] in the request's extensions (as `Arc<Session>`), and
//!   [`IdentityLayer`] on the server
//!   (`Server::builder().layer(interceptor.identity_layer())`), which names the server on
//!   every response and sends the advance warning in `compat-notice`: an interceptor sees
//!   requests only.
//! - client: [`ClientInterceptor`] adds the identity; to also check the server's identity
//!   with the client's own policy (both ends decide), wrap the channel in
//!   [`CompatClientLayer`](crate::tower::CompatClientLayer) instead, whose errors
//!   [`refusal`] reads as well. With
//!   [`.methods(METHODS)`](crate::tower::CompatClientLayer::methods) the layer also refuses,
//!   before anything is sent, a call to an RPC method the server predates (it would answer
//!   `UNIMPLEMENTED`): a `FAILED_PRECONDITION` status whose message names the method, the
//!   release that brings it and what to upgrade, with `compat-peer` (the server),
//!   `compat-method` and `compat-since` in its metadata; [`unknown_method`] reads it back.
//! - handlers: [`session`] takes the [`Session`] out of a request.
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use compat_runtime::{Endpoint, Policy};
//! use compat_runtime::tonic::{ClientInterceptor, ServerInterceptor, refusal};
//! use tonic::service::Interceptor;
//!
//! let policy: &'static Policy = Box::leak(Box::new(Policy::from_toml("compat.toml",
//!     "[components]\nserver = {}\nagent = {}\n\
//!      [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n",
//! ).unwrap()));
//! let mut server = ServerInterceptor::new(Endpoint::new(policy, "server", "0.9.3", &[]).unwrap());
//!
//! let mut agent = ClientInterceptor::new(&Endpoint::new(policy, "agent", "0.9.2", &[]).unwrap());
//! let request = agent.call(tonic::Request::new(())).unwrap();
//! let request = server.call(request).unwrap();
//! let session = request.extensions().get::<std::sync::Arc<compat_runtime::Session>>().unwrap();
//! assert_eq!(session.peer_component(), "agent");
//!
//! let mut agent = ClientInterceptor::new(&Endpoint::new(policy, "agent", "0.9.4", &[]).unwrap());
//! let status = server.call(agent.call(tonic::Request::new(())).unwrap()).unwrap_err();
//! assert_eq!(status.code(), tonic::Code::FailedPrecondition);
//! assert_eq!(status.metadata().get("compat-peer").unwrap(), "server@0.9.3");
//! let refused = refusal(&status).unwrap();
//! assert_eq!(refused.kind().as_str(), "too new");
//! assert_eq!(refused.subject(), "agent@0.9.4");
//! # }
//! ```

use std::sync::Arc;

use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::Session;
use crate::census::Census;
use crate::handshake::{Endpoint, Refused};
use crate::tower::gate::{Carried, Gate, Side, Verdict, header_value};
use crate::tower::{
    ClientError, FINGERPRINT_HEADER, IdentityLayer, PEER_HEADER, REFUSAL_HEADER, UnknownMethod,
};

/// The server's interceptor: checks each call's `compat-peer` metadata with this end's
/// policy, refuses with `FAILED_PRECONDITION` and the refusal in metadata, and puts the
/// [`Session`] in the request's extensions (as `Arc<Session>`).
///
/// Cloning is cheap and shares the cache and the census: one interceptor can serve every
/// service of a server.
#[derive(Debug, Clone)]
pub struct ServerInterceptor {
    gate: Arc<Gate>,
    identity: AsciiMetadataValue,
}

impl ServerInterceptor {
    /// The interceptor of `endpoint` (this server), counting in a census of its own.
    pub fn new(endpoint: Endpoint<'static>) -> Self {
        ServerInterceptor::with_census(endpoint, Census::new())
    }

    /// The interceptor of `endpoint`, counting in `census`.
    pub fn with_census(endpoint: Endpoint<'static>, census: Census) -> Self {
        let gate = Gate::new(endpoint, census, "grpc", Side::Server, "metadata entry");
        let identity = ascii(gate.identity().as_bytes());
        ServerInterceptor {
            gate: Arc::new(gate),
            identity,
        }
    }

    /// The layer that names this server in `compat-peer` on every response, and sends the
    /// advance warning in `compat-notice` to a client near the window's edge, for
    /// `Server::builder().layer(..)`.
    pub fn identity_layer(&self) -> IdentityLayer {
        IdentityLayer::with_gate(Arc::clone(&self.gate))
    }

    /// The census this interceptor counts in.
    pub fn census(&self) -> &Census {
        self.gate.census()
    }
}

impl Interceptor for ServerInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let metadata = request.metadata();
        let entry = self.gate.check(
            carried(metadata, PEER_HEADER),
            carried(metadata, FINGERPRINT_HEADER),
        );
        match &entry.verdict {
            Verdict::Accepted { session, .. } => {
                request.extensions_mut().insert(Arc::clone(session));
                Ok(request)
            }
            Verdict::Refused {
                refused, header, ..
            } => {
                let mut status = Status::failed_precondition(refused.to_string());
                let metadata = status.metadata_mut();
                metadata.insert(PEER_HEADER, self.identity.clone());
                metadata.insert(REFUSAL_HEADER, ascii(header.as_bytes()));
                Err(status)
            }
        }
    }
}

fn carried<'a>(metadata: &'a MetadataMap, key: &'static str) -> Carried<'a> {
    Carried::from_iter(metadata.get_all(key).iter().map(|v| v.as_bytes()))
}

fn ascii(bytes: &[u8]) -> AsciiMetadataValue {
    AsciiMetadataValue::try_from(bytes).unwrap_or_else(|_| AsciiMetadataValue::from_static("?"))
}

/// The [`Session`] that [`ServerInterceptor`] put in an accepted request, for the handler
/// to guard its answers with; `INTERNAL` when the request did not come through the
/// interceptor (the service was added without `with_interceptor`), saying so.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Endpoint, Policy};
/// use compat_runtime::tonic::{ClientInterceptor, ServerInterceptor, session};
/// use tonic::service::Interceptor;
///
/// let policy: &'static Policy = Box::leak(Box::new(Policy::from_toml("compat.toml",
///     "[components]\nserver = {}\nagent = {}\n\
///      [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n",
/// ).unwrap()));
/// let mut server = ServerInterceptor::new(Endpoint::new(policy, "server", "0.9.3", &[]).unwrap());
/// let mut agent = ClientInterceptor::new(&Endpoint::new(policy, "agent", "0.8.4", &[]).unwrap());
///
/// // In a handler: `let session = session(&request)?;`
/// let request = server.call(agent.call(tonic::Request::new(())).unwrap()).unwrap();
/// assert_eq!(session(&request).unwrap().peer_version().to_string(), "0.8.4");
///
/// let status = session(&tonic::Request::new(())).unwrap_err();
/// assert_eq!(status.code(), tonic::Code::Internal);
/// assert!(status.message().contains("with_interceptor"));
/// # }
/// ```
///
/// # Errors
///
/// `INTERNAL` when the request carries no session.
pub fn session<T>(request: &Request<T>) -> Result<Arc<Session>, Status> {
    request
        .extensions()
        .get::<Arc<Session>>()
        .cloned()
        .ok_or_else(|| {
            Status::internal(
                "no compat session in the request: serve the service behind compat's \
                 interceptor (`FooServer::with_interceptor(service, ServerInterceptor::new(..))`)",
            )
        })
}

/// The client's interceptor: adds `compat-peer` and `compat-fingerprint` to every call.
#[derive(Debug, Clone)]
pub struct ClientInterceptor {
    identity: AsciiMetadataValue,
    fingerprint: AsciiMetadataValue,
}

impl ClientInterceptor {
    /// The interceptor of `endpoint` (this client).
    pub fn new(endpoint: &Endpoint<'_>) -> Self {
        let hello = endpoint.hello();
        ClientInterceptor {
            identity: ascii(header_value(&hello.peer_text()).as_bytes()),
            fingerprint: ascii(format!("{:016x}", hello.fingerprint()).as_bytes()),
        }
    }
}

impl Interceptor for ClientInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let metadata = request.metadata_mut();
        metadata.insert(PEER_HEADER, self.identity.clone());
        metadata.insert(FINGERPRINT_HEADER, self.fingerprint.clone());
        Ok(request)
    }
}

/// The refusal of an RPC method the server predates that a status carries (from
/// [`CompatClientLayer::methods`](crate::tower::CompatClientLayer::methods)); `None` for
/// any other status.
///
/// ```
/// # #[cfg(feature = "build")] {
/// # use compat_runtime::tonic::unknown_method;
/// # let status = tonic::Status::unimplemented("");
/// // let status = client.fetch_jwt_svid(request).await.unwrap_err();
/// if let Some(refused) = unknown_method(&status) {
///     eprintln!("{} needs {} {} or later", refused.method().path,
///         refused.server_component(), refused.method().since);
/// }
/// # }
/// ```
pub fn unknown_method(status: &Status) -> Option<&UnknownMethod> {
    let mut source = std::error::Error::source(status);
    while let Some(error) = source {
        if let Some(ClientError::UnknownMethod(refused)) = error.downcast_ref::<ClientError>() {
            return Some(refused);
        }
        source = error.source();
    }
    None
}

/// The compat refusal a status carries: the server's (from its `compat-refusal` metadata
/// entry), or, through [`CompatClientLayer`](crate::tower::CompatClientLayer), either
/// end's. `None` for a status that is not about compatibility.
pub fn refusal(status: &Status) -> Option<Refused> {
    if let Some(json) = status.metadata().get(REFUSAL_HEADER) {
        return crate::tower::json::from_json(json.as_bytes()).ok();
    }
    let mut source = std::error::Error::source(status);
    while let Some(error) = source {
        if let Some(client) = error.downcast_ref::<ClientError>() {
            return client.refusal().cloned();
        }
        source = error.source();
    }
    None
}
