//! The node API over HTTP: an axum app behind [`CompatServerLayer`], and an agent calling it
//! through [`CompatClientLayer`] over hyper's client.
//!
//! | route | body | answer |
//! | --- | --- | --- |
//! | `POST /attest` | [`AttestRequest`] (JSON) | [`ServerMessage`] (JSON) |
//! | `POST /renew` | [`RenewSvidRequest`] (JSON) | [`ServerMessage`] (JSON) |
//! | `GET /bundle` | | the trust bundle (text) |
//! | `GET /census`, `GET /census.json` | | the census of agents, outside the layer |
//!
//! ```text
//! $ curl -si -X POST localhost:8081/attest -H 'compat-peer: agent@0.9.4' -d '{}'
//! HTTP/1.1 412 Precondition Failed
//! content-type: application/json
//! compat-peer: server@0.9.3
//! compat-refusal: {"message":"refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3: ...
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, Json};
use axum::routing::{get, post};
use bytes::Bytes;
use compat_runtime::census::Census;
use compat_runtime::tower::{ClientError, CompatClient, CompatClientLayer, CompatServerLayer};
use compat_runtime::{Endpoint, Session};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use spire_protocol::{AttestRequest, RenewSvidRequest, ServerMessage};
use tower::{Layer, ServiceExt};

/// The node routes behind `layer`, and the census routes beside them (an operator's, not
/// an agent's: outside the layer).
pub fn app(layer: CompatServerLayer) -> Router {
    let census = layer.census().clone();
    let text = census.clone();
    Router::new()
        .route("/attest", post(attest))
        .route("/renew", post(renew))
        .route("/bundle", get(bundle))
        .layer(layer)
        .route(
            "/census",
            get(move || async move { text.snapshot().to_string() }),
        )
        .route(
            "/census.json",
            get(move || async move { axum::Json(census.snapshot()) }),
        )
}

/// The app of a SPIRE server at `version`, counting in `census`.
pub fn server(version: &str, census: Census) -> Result<Router, compat_runtime::PeerError> {
    Ok(app(CompatServerLayer::with_census(
        crate::endpoint("server", version)?,
        census,
    )))
}

/// Serves `app` on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}

async fn attest(
    Extension(session): Extension<Arc<Session>>,
    Json(request): Json<AttestRequest>,
) -> Json<ServerMessage> {
    let id = format!(
        "spiffe://example.org/agent/{}",
        request.attestation_data.kind
    );
    Json(crate::svid_update(&session, &id))
}

async fn renew(
    Extension(session): Extension<Arc<Session>>,
    Json(request): Json<RenewSvidRequest>,
) -> Json<ServerMessage> {
    let id = request.csrs.keys().next().cloned().unwrap_or_default();
    Json(crate::svid_update(&session, &id))
}

async fn bundle(Extension(session): Extension<Arc<Session>>) -> String {
    format!(
        "-----BEGIN CERTIFICATE----- (for {} {})\n",
        session.peer_component(),
        session.peer_version()
    )
}

/// The HTTP client an agent uses: hyper's, through [`CompatClientLayer`].
pub type AgentClient = CompatClient<Client<HttpConnector, Full<Bytes>>>;

/// An agent talking to one server over HTTP.
#[derive(Debug, Clone)]
pub struct Agent {
    client: AgentClient,
    base: String,
}

/// Why an agent's call produced no answer.
#[derive(Debug)]
pub enum AgentError {
    /// Compat stopped it: a refusal by either end, or a server without identity.
    Compat(ClientError),
    /// The server answered with an error status.
    Status(StatusCode, String),
    /// The answer could not be read.
    Body(String),
}

impl std::fmt::Display for AgentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentError::Compat(e) => e.fmt(f),
            AgentError::Status(status, body) => write!(f, "the server answered {status}: {body}"),
            AgentError::Body(e) => write!(f, "the answer cannot be read: {e}"),
        }
    }
}

impl std::error::Error for AgentError {}

impl Agent {
    /// An agent at `endpoint`, calling the server at `addr`.
    pub fn new(endpoint: Endpoint<'static>, addr: SocketAddr) -> Self {
        Agent::with_layer(CompatClientLayer::new(endpoint), addr)
    }

    /// An agent calling `addr` through `layer` (to share its census).
    pub fn with_layer(layer: CompatClientLayer, addr: SocketAddr) -> Self {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Agent {
            client: layer.layer(client),
            base: format!("http://{addr}"),
        }
    }

    /// Sends `request` (its headers are the caller's; the layer adds compat's) and reads the
    /// whole answer.
    pub async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<http::Response<Bytes>, ClientError> {
        let response = self.client.clone().oneshot(request).await?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| ClientError::Service(e.into()))?
            .to_bytes();
        Ok(http::Response::from_parts(parts, body))
    }

    /// `POST path` with `body` as JSON, the answer read as JSON.
    pub async fn post<T: Serialize, U: DeserializeOwned>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<U, AgentError> {
        let json = serde_json::to_vec(body).map_err(|e| AgentError::Body(e.to_string()))?;
        let request = Request::post(format!("{}{path}", self.base))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(json)))
            .map_err(|e| AgentError::Body(e.to_string()))?;
        let response = self.send(request).await.map_err(AgentError::Compat)?;
        if !response.status().is_success() {
            return Err(AgentError::Status(
                response.status(),
                String::from_utf8_lossy(response.body()).into_owned(),
            ));
        }
        serde_json::from_slice(response.body()).map_err(|e| AgentError::Body(e.to_string()))
    }

    /// `GET path`, the answer as text.
    pub async fn get(&self, path: &str) -> Result<String, AgentError> {
        let request = Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .map_err(|e| AgentError::Body(e.to_string()))?;
        let response = self.send(request).await.map_err(AgentError::Compat)?;
        let text = String::from_utf8_lossy(response.body()).into_owned();
        if response.status().is_success() {
            Ok(text)
        } else {
            Err(AgentError::Status(response.status(), text))
        }
    }
}
