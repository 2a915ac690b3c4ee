//! HTTP middleware (feature `tower`): the handshake's two-sided check, for any tower stack
//! (axum, hyper, tonic's transport). It depends on `tower-layer`, `tower-service` and
//! `http` only, so an app that uses axum and tonic compiles one copy of each.
//!
//! Every message names its sender in a header, in both directions:
//!
//! | header | carries | sent by |
//! | --- | --- | --- |
//! | `compat-peer` | `component@version`, e.g. `agent@0.9.2` | the client on every request, the server on every response |
//! | `compat-fingerprint` | the 16 hexadecimal digits of the message tables' fingerprint (optional) | both |
//! | `compat-refusal` | the refusal as one line of ASCII JSON | the server, when it refuses |
//! | `compat-notice` | the advance warning, in words | the server, when the next release of it will refuse the client |
//!
//! On the server, [`CompatServerLayer`] checks the client's identity with the server's own
//! policy.
//! An accepted request reaches the handler with the [`Session`](crate::Session) in its
//! extensions (as `Arc<Session>`). A refused one never reaches it: the answer is
//! **412 Precondition Failed** with the refusal as JSON in the body and in `compat-refusal`.
//! 412, because the request fails a precondition the server states (a compatible peer), as
//! gRPC's `FAILED_PRECONDITION` says for the interceptor; not 426, which demands an
//! `Upgrade` header naming a protocol to switch to, nor 409, which is about the state of a
//! resource. A missing, empty, oversize or malformed identity is refused the same way, with
//! kind `bad hello`. Nothing a client sends makes the layer panic or answer 500.
//!
//! On the client, [`CompatClientLayer`] adds the headers, turns a refusal into
//! [`ClientError::RefusedByServer`], and checks the server's `compat-peer` with the
//! client's own policy: both ends decide, as in the handshake. A server that answers
//! without its identity is [`ClientError::Anonymous`].
//!
//! A verdict is cached by the identity's bytes (bounded), so a peer already seen costs a
//! lookup, not a parse. Both layers count in a [`Census`](crate::census::Census) and report
//! each verdict through `tracing`, rate-limited per peer (the events and their fields:
//! `docs/services.md`, "Census and tracing").
//!
//! Each side is a module, as tower-http writes a middleware: [`server`] (the layer, the
//! service it wraps the app in, its [`ResponseFuture`](server::ResponseFuture); and
//! [`IdentityLayer`], which only names the server, for tonic) and [`client`] (likewise, and
//! [`ClientError`]). The layers and services are re-exported here.
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use std::sync::Arc;
//! use compat_runtime::{Endpoint, Policy, Session};
//! use compat_runtime::tower::{ClientError, CompatClientLayer, CompatServerLayer};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! let policy: &'static Policy = Box::leak(Box::new(Policy::from_toml("compat.toml",
//!     "[components]\nserver = {}\nagent = {}\n\
//!      [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n",
//! ).unwrap()));
//! let server = CompatServerLayer::new(Endpoint::new(policy, "server", "0.9.3", &[]).unwrap());
//! let app = server.layer(service_fn(|request: http::Request<String>| async move {
//!     let session = request.extensions().get::<Arc<Session>>().unwrap();
//!     Ok::<_, std::convert::Infallible>(http::Response::new(format!("hello, {}", session.peer_component())))
//! }));
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // An agent one minor behind gets in.
//! let agent = CompatClientLayer::new(Endpoint::new(policy, "agent", "0.8.4", &[]).unwrap());
//! let response = agent.layer(app.clone()).oneshot(http::Request::new(String::new())).await.unwrap();
//! assert_eq!(response.headers()["compat-peer"], "server@0.9.3");
//! assert_eq!(response.into_body(), "hello, agent");
//!
//! // An agent newer than the server is refused, and says so in its own type.
//! let agent = CompatClientLayer::new(Endpoint::new(policy, "agent", "0.9.4", &[]).unwrap());
//! let err = agent.layer(app.clone()).oneshot(http::Request::new(String::new())).await.unwrap_err();
//! let ClientError::RefusedByServer(refused) = err else { panic!("{err}") };
//! assert_eq!(refused.kind().as_str(), "too new");
//! assert_eq!(refused.by(), "server@0.9.3");
//!
//! // Without the client layer, the answer is a 412 with the refusal as JSON.
//! let response = app.oneshot(http::Request::new(String::new())).await.unwrap();
//! assert_eq!(response.status(), 412);
//! assert!(response.into_body().contains("the request has no `compat-peer` header"));
//! # });
//! assert_eq!(server.census().snapshot().total().refused, 2);
//! # }
//! ```

pub mod client;
pub(crate) mod gate;
pub(crate) mod json;
mod methods;
pub mod server;

use http::{HeaderName, StatusCode};

pub use client::{BoxError, ClientError, CompatClient, CompatClientLayer, UnknownMethod};
pub use gate::{FINGERPRINT_LEN, MAX_CACHED, MAX_IDENTITY};
pub use json::MAX_REFUSAL_JSON;
pub use server::{CompatServer, CompatServerLayer, Identity, IdentityLayer};

// The names before tower-http's convention (a `FooLayer` wraps a service in a `Foo`, whose
// answer is its module's `ResponseFuture`), kept so that code written against them compiles.

/// The server's layer, under its former name.
#[deprecated(note = "renamed to `CompatServerLayer`")]
pub type CompatLayer = CompatServerLayer;

/// The service of the server's layer, under its former name.
#[deprecated(note = "renamed to `CompatServer`")]
pub type CompatService<S> = CompatServer<S>;

/// The service of [`IdentityLayer`], under its former name.
#[deprecated(note = "renamed to `Identity`")]
pub type IdentityService<S> = Identity<S>;

/// The answer of the server's services, under its former path.
#[deprecated(note = "moved to `compat_runtime::tower::server::ResponseFuture`")]
pub type ResponseFuture<F, R> = server::ResponseFuture<F, R>;

/// The answer of the client's service, under its former name.
#[deprecated(note = "renamed to `compat_runtime::tower::client::ResponseFuture`")]
pub type ClientFuture<F> = client::ResponseFuture<F>;

/// The sender's `component@version`, on every request and every response.
pub const PEER_HEADER: &str = "compat-peer";
/// The fingerprint of the sender's message tables, 16 hexadecimal digits; optional.
pub const FINGERPRINT_HEADER: &str = "compat-fingerprint";
/// The refusal, as ASCII JSON, on a refused request's answer.
pub const REFUSAL_HEADER: &str = "compat-refusal";
/// The advance-warning notice for the client, in words.
pub const NOTICE_HEADER: &str = "compat-notice";
/// On a client's refusal of an RPC method the server predates ([`UnknownMethod`]): the
/// method's path.
pub const METHOD_HEADER: &str = "compat-method";
/// On a client's refusal of an RPC method the server predates: the release that brings it.
pub const SINCE_HEADER: &str = "compat-since";

/// [`PEER_HEADER`] as a header name.
pub const PEER: HeaderName = HeaderName::from_static(PEER_HEADER);
/// [`FINGERPRINT_HEADER`] as a header name.
pub const FINGERPRINT: HeaderName = HeaderName::from_static(FINGERPRINT_HEADER);
/// [`REFUSAL_HEADER`] as a header name.
pub const REFUSAL: HeaderName = HeaderName::from_static(REFUSAL_HEADER);
/// [`NOTICE_HEADER`] as a header name.
pub const NOTICE: HeaderName = HeaderName::from_static(NOTICE_HEADER);

/// The status of a refused request: 412 Precondition Failed.
pub const REFUSAL_STATUS: StatusCode = StatusCode::PRECONDITION_FAILED;

/// Every value of one header, as bytes.
pub(crate) fn carried<'a>(headers: &'a http::HeaderMap, name: &HeaderName) -> gate::Carried<'a> {
    gate::Carried::from_iter(
        headers
            .get_all(name)
            .iter()
            .map(http::HeaderValue::as_bytes),
    )
}

#[cfg(all(test, feature = "build"))]
mod tests {
    use super::*;
    use crate::{Endpoint, Policy};

    /// Code written against the names before the rename compiles (with a deprecation
    /// warning) and gets the same types.
    #[test]
    #[expect(deprecated, reason = "the former names, which must warn")]
    fn the_former_names_still_compile() {
        let policy: &'static Policy = Box::leak(Box::new(
            Policy::from_toml(
                "compat.toml",
                "[components]\nserver = {}\n\
                 [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\n",
            )
            .unwrap(),
        ));
        let endpoint = Endpoint::new(policy, "server", "0.1.0", &[]).unwrap();
        let layer: CompatLayer = CompatLayer::new(endpoint);
        let _: CompatServerLayer = layer;
        let _ = core::marker::PhantomData::<(
            CompatService<()>,
            IdentityService<()>,
            ResponseFuture<core::future::Ready<()>, String>,
            ClientFuture<core::future::Ready<()>>,
        )>;
    }
}
