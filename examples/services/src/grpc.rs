//! The node API over gRPC: a tonic service, written without code generation (no `protoc`):
//! the messages are [`spire_protocol`]'s own serde types, carried by a JSON [`JsonCodec`].
//!
//! | method | request | reply |
//! | --- | --- | --- |
//! | `/spire.Node/Attest` | [`AttestRequest`] | [`ServerMessage`] |
//! | `/spire.Node/Renew` | [`RenewSvidRequest`] | [`ServerMessage`] |
//! | `/spire.Node/Bundle` | `()` | the trust bundle, a `String` |
//! | `/spire.Node/Ping` | `()` | `"pong"`, for health checks (it needs no session) |
//!
//! The server: [`NodeServer`] wrapped by compat's `ServerInterceptor`, on a tonic server
//! carrying its [`identity_layer`](compat_runtime::tonic::ServerInterceptor::identity_layer).
//! The client: [`NodeClient`] over a channel wrapped by
//! [`CompatClientLayer`](compat_runtime::tower::CompatClientLayer), so it checks the server
//! too, or by compat's [`ClientInterceptor`](compat_runtime::tonic::ClientInterceptor).

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut, Bytes};
use compat_runtime::census::Census;
use compat_runtime::tonic::{ServerInterceptor, session};
use serde::Serialize;
use serde::de::DeserializeOwned;
use spire_protocol::{AttestRequest, RenewSvidRequest, ServerMessage};
use tonic::body::Body;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::server::{NamedService, UnaryService};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

/// The service's gRPC name.
pub const SERVICE: &str = "spire.Node";

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'static>>;
type StdError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Messages as JSON in gRPC frames: the protocol crate's serde types as they are.
#[derive(Debug)]
pub struct JsonCodec<E, D>(PhantomData<fn(E) -> D>);

impl<E, D> Default for JsonCodec<E, D> {
    fn default() -> Self {
        JsonCodec(PhantomData)
    }
}

impl<E, D> Codec for JsonCodec<E, D>
where
    E: Serialize + Send + 'static,
    D: DeserializeOwned + Send + 'static,
{
    type Encode = E;
    type Decode = D;
    type Encoder = JsonEncoder<E>;
    type Decoder = JsonDecoder<D>;

    fn encoder(&mut self) -> Self::Encoder {
        JsonEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        JsonDecoder(PhantomData)
    }
}

/// [`JsonCodec`]'s encoder.
#[derive(Debug)]
pub struct JsonEncoder<E>(PhantomData<fn(E)>);

impl<E: Serialize> Encoder for JsonEncoder<E> {
    type Item = E;
    type Error = Status;

    fn encode(&mut self, item: E, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        serde_json::to_writer(dst.writer(), &item)
            .map_err(|e| Status::internal(format!("cannot encode the message as JSON: {e}")))
    }
}

/// [`JsonCodec`]'s decoder.
#[derive(Debug)]
pub struct JsonDecoder<D>(PhantomData<fn() -> D>);

impl<D: DeserializeOwned> Decoder for JsonDecoder<D> {
    type Item = D;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<D>, Status> {
        serde_json::from_reader(src.reader())
            .map(Some)
            .map_err(|e| Status::invalid_argument(format!("the message is not valid JSON: {e}")))
    }
}

/// The node service's handlers.
#[derive(Debug, Default)]
pub struct Node;

impl Node {
    async fn attest(
        &self,
        request: Request<AttestRequest>,
    ) -> Result<Response<ServerMessage>, Status> {
        let session = session(&request)?;
        let id = format!(
            "spiffe://example.org/agent/{}",
            request.get_ref().attestation_data.kind
        );
        Ok(Response::new(crate::svid_update(&session, &id)))
    }

    async fn renew(
        &self,
        request: Request<RenewSvidRequest>,
    ) -> Result<Response<ServerMessage>, Status> {
        let session = session(&request)?;
        let id = request
            .get_ref()
            .csrs
            .keys()
            .next()
            .cloned()
            .unwrap_or_default();
        Ok(Response::new(crate::svid_update(&session, &id)))
    }

    async fn ping(&self, _: Request<()>) -> Result<Response<String>, Status> {
        Ok(Response::new("pong".to_owned()))
    }

    async fn bundle(&self, request: Request<()>) -> Result<Response<String>, Status> {
        let session = session(&request)?;
        Ok(Response::new(format!(
            "-----BEGIN CERTIFICATE----- (for {} {})\n",
            session.peer_component(),
            session.peer_version()
        )))
    }
}

/// The node service as tonic serves it: routes each method to [`Node`].
#[derive(Debug, Clone, Default)]
pub struct NodeServer {
    node: Arc<Node>,
}

impl NodeServer {
    /// The service, behind compat's interceptor.
    pub fn with_interceptor(
        interceptor: ServerInterceptor,
    ) -> InterceptedService<Self, ServerInterceptor> {
        InterceptedService::new(NodeServer::default(), interceptor)
    }
}

impl NamedService for NodeServer {
    const NAME: &'static str = SERVICE;
}

macro_rules! unary {
    ($svc:ident, $method:ident, $req:ty, $res:ty) => {
        struct $svc(Arc<Node>);
        impl UnaryService<$req> for $svc {
            type Response = $res;
            type Future = BoxFuture<Response<$res>, Status>;
            fn call(&mut self, request: Request<$req>) -> Self::Future {
                let node = Arc::clone(&self.0);
                Box::pin(async move { node.$method(request).await })
            }
        }
    };
}

unary!(AttestSvc, attest, AttestRequest, ServerMessage);
unary!(RenewSvc, renew, RenewSvidRequest, ServerMessage);
unary!(BundleSvc, bundle, (), String);
unary!(PingSvc, ping, (), String);

impl tower::Service<http::Request<Body>> for NodeServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let node = Arc::clone(&self.node);
        match request.uri().path() {
            "/spire.Node/Attest" => Box::pin(async move {
                let mut grpc =
                    tonic::server::Grpc::new(JsonCodec::<ServerMessage, AttestRequest>::default());
                Ok(grpc.unary(AttestSvc(node), request).await)
            }),
            "/spire.Node/Renew" => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(
                    JsonCodec::<ServerMessage, RenewSvidRequest>::default(),
                );
                Ok(grpc.unary(RenewSvc(node), request).await)
            }),
            "/spire.Node/Bundle" => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(JsonCodec::<String, ()>::default());
                Ok(grpc.unary(BundleSvc(node), request).await)
            }),
            "/spire.Node/Ping" => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(JsonCodec::<String, ()>::default());
                Ok(grpc.unary(PingSvc(node), request).await)
            }),
            _ => Box::pin(async move {
                Ok(Status::unimplemented("no such method of spire.Node").into_http())
            }),
        }
    }
}

/// Serves the node service behind `interceptor` on `listener` until the task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    interceptor: ServerInterceptor,
) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .layer(interceptor.identity_layer())
        .add_service(NodeServer::with_interceptor(interceptor))
        .serve_with_incoming(incoming(listener))
        .await
}

/// The connections of `listener` as tonic serves them, with Nagle's algorithm off: a
/// unary reply is one small write, and waiting to batch it costs a delayed ACK (40 ms).
pub fn incoming(listener: tokio::net::TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true))
}

/// The interceptor of a SPIRE server at `version`, counting in `census`.
pub fn interceptor(
    version: &str,
    census: Census,
) -> Result<ServerInterceptor, compat_runtime::PeerError> {
    Ok(ServerInterceptor::with_census(
        crate::endpoint("server", version)?,
        census,
    ))
}

/// A client of the node service over any gRPC transport: a channel, a channel wrapped in
/// [`CompatClientLayer`](compat_runtime::tower::CompatClientLayer), or one with compat's
/// [`ClientInterceptor`](compat_runtime::tonic::ClientInterceptor).
#[derive(Debug, Clone)]
pub struct NodeClient<T> {
    inner: tonic::client::Grpc<T>,
}

impl<T> NodeClient<T>
where
    T: tonic::client::GrpcService<Body>,
    T::Error: Into<StdError>,
    T::ResponseBody: http_body::Body<Data = Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<StdError> + Send,
{
    /// The client over `transport`.
    pub fn new(transport: T) -> Self {
        NodeClient {
            inner: tonic::client::Grpc::new(transport),
        }
    }

    async fn unary<Q, R>(&mut self, request: Q, path: &'static str) -> Result<Response<R>, Status>
    where
        Q: Serialize + Send + Sync + 'static,
        R: DeserializeOwned + Send + Sync + 'static,
    {
        self.inner
            .ready()
            .await
            .map_err(|e| Status::from_error(e.into()))?;
        let path = http::uri::PathAndQuery::from_static(path);
        self.inner
            .unary(Request::new(request), path, JsonCodec::<Q, R>::default())
            .await
    }

    /// `Attest`.
    pub async fn attest(
        &mut self,
        request: AttestRequest,
    ) -> Result<Response<ServerMessage>, Status> {
        self.unary(request, "/spire.Node/Attest").await
    }

    /// `Renew`.
    pub async fn renew(
        &mut self,
        request: RenewSvidRequest,
    ) -> Result<Response<ServerMessage>, Status> {
        self.unary(request, "/spire.Node/Renew").await
    }

    /// `Ping`.
    pub async fn ping(&mut self) -> Result<Response<String>, Status> {
        self.unary((), "/spire.Node/Ping").await
    }

    /// `Bundle`.
    pub async fn bundle(&mut self) -> Result<Response<String>, Status> {
        self.unary((), "/spire.Node/Bundle").await
    }
}
