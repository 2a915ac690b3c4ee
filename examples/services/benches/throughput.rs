//! Requests per second over loopback, with compat and without, in the same run:
//!
//! - `http/*`: an axum app answering `GET /ping`, bare or behind `CompatServerLayer`; the client
//!   sends `compat-peer` either way (so the bytes on the wire are the same), through
//!   hyper's client, or through `CompatClientLayer` as well (`both-ends`).
//! - `grpc/*`: the node service's `Ping`, bare or behind `ServerInterceptor` and the
//!   identity layer; the client names itself with `ClientInterceptor` either way, or goes
//!   through `CompatClientLayer` (`both-ends`).
//!
//! Each iteration is [`BATCH`] requests in flight at once over kept-alive connections, so
//! the figure is throughput, not one request's latency. `in memory/*` is the CPU the layers
//! add to one request, without sockets.
//!
//! The variants of a criterion group run one after the other, so on a shared machine a
//! change of load between them shows as a difference; `grpc/interleaved` (printed before the
//! `grpc` group) alternates the three gRPC sides in rounds and reports median ratios from
//! the same run: compare those.
//!
//! ```text
//! nice -n 10 cargo bench -p spire-services --bench throughput
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use compat_runtime::census::Census;
use compat_runtime::tonic::ClientInterceptor;
use compat_runtime::tower::{CompatClientLayer, CompatServerLayer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use spire_services::endpoint;
use spire_services::grpc::{NodeClient, NodeServer, interceptor};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Server};
use tower::{Layer, Service, ServiceExt};

/// Requests in flight per iteration.
const BATCH: usize = 32;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn listen() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

async fn http_server(with_compat: bool) -> SocketAddr {
    let app = Router::new().route("/ping", get(|| async { "pong" }));
    let app = if with_compat {
        app.layer(CompatServerLayer::with_census(
            endpoint("server", "0.9.3").unwrap(),
            Census::new(),
        ))
    } else {
        app
    };
    let (listener, addr) = listen().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn grpc_server(with_compat: bool) -> SocketAddr {
    let (listener, addr) = listen().await;
    let incoming = spire_services::grpc::incoming(listener);
    if with_compat {
        let interceptor = interceptor("0.9.3", Census::new()).unwrap();
        tokio::spawn(
            Server::builder()
                .layer(interceptor.identity_layer())
                .add_service(NodeServer::with_interceptor(interceptor))
                .serve_with_incoming(incoming),
        );
    } else {
        tokio::spawn(
            Server::builder()
                .add_service(NodeServer::default())
                .serve_with_incoming(incoming),
        );
    }
    addr
}

/// `BATCH` requests through `service` at once; each must succeed.
async fn batch<S, F>(service: &S, request: F)
where
    S: Service<Request<Full<Bytes>>, Response = http::Response<hyper::body::Incoming>>
        + Clone
        + Send
        + 'static,
    S::Error: std::fmt::Debug,
    S::Future: Send,
    F: Fn() -> Request<Full<Bytes>>,
{
    let mut calls = Vec::with_capacity(BATCH);
    for _ in 0..BATCH {
        let call = service.clone().oneshot(request());
        calls.push(async move {
            let response = call.await.unwrap();
            assert!(response.status().is_success());
            response.into_body().collect().await.unwrap();
        });
    }
    futures_join(calls).await;
}

async fn futures_join<F: Future<Output = ()> + Send + 'static>(calls: Vec<F>) {
    let tasks: Vec<_> = calls.into_iter().map(tokio::spawn).collect();
    for task in tasks {
        task.await.unwrap();
    }
}

fn http(c: &mut Criterion) {
    let rt = runtime();
    let bare = rt.block_on(http_server(false));
    let compat = rt.block_on(http_server(true));
    let client =
        rt.block_on(async { Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>() });
    let both = CompatClientLayer::new(endpoint("agent", "0.9.2").unwrap()).layer(client.clone());
    let request = |addr: SocketAddr| {
        move || {
            Request::get(format!("http://{addr}/ping"))
                .header("compat-peer", "agent@0.9.2")
                .body(Full::new(Bytes::new()))
                .unwrap()
        }
    };

    let mut group = c.benchmark_group("http");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("without compat", |b| {
        b.to_async(&rt).iter(|| batch(&client, request(bare)))
    });
    group.bench_function("server layer", |b| {
        b.to_async(&rt).iter(|| batch(&client, request(compat)))
    });
    group.bench_function("both ends", |b| {
        b.to_async(&rt).iter(|| batch(&both, request(compat)))
    });
    group.finish();
}

async fn grpc_batch<T>(client: &NodeClient<T>)
where
    T: tonic::client::GrpcService<tonic::body::Body> + Clone + Send + 'static,
    T::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    T::ResponseBody: http_body::Body<Data = Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error:
        Into<Box<dyn std::error::Error + Send + Sync>> + Send,
    T::Future: Send,
{
    let mut calls = Vec::with_capacity(BATCH);
    for _ in 0..BATCH {
        let mut client = client.clone();
        calls.push(async move {
            let pong = client.ping().await.unwrap().into_inner();
            assert_eq!(pong, "pong");
        });
    }
    futures_join(calls).await;
}

fn grpc(c: &mut Criterion) {
    let rt = runtime();
    let connect = |addr: SocketAddr| {
        rt.block_on(async move {
            Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap()
        })
    };
    let bare = connect(rt.block_on(grpc_server(false)));
    let compat = connect(rt.block_on(grpc_server(true)));
    let agent = endpoint("agent", "0.9.2").unwrap();
    let named = |channel: &Channel| {
        NodeClient::new(InterceptedService::new(
            channel.clone(),
            ClientInterceptor::new(&agent),
        ))
    };
    let without = named(&bare);
    let server = named(&compat);
    let both = NodeClient::new(CompatClientLayer::new(agent.clone()).layer(compat.clone()));
    grpc_interleaved(&rt, |side| match side {
        0 => Box::pin(grpc_batch(&without)),
        1 => Box::pin(grpc_batch(&server)),
        _ => Box::pin(grpc_batch(&both)),
    });

    let mut group = c.benchmark_group("grpc");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("without compat", |b| {
        b.to_async(&rt).iter(|| grpc_batch(&without))
    });
    group.bench_function("server interceptor", |b| {
        b.to_async(&rt).iter(|| grpc_batch(&server))
    });
    group.bench_function("both ends", |b| b.to_async(&rt).iter(|| grpc_batch(&both)));
    group.finish();
}

/// The gRPC comparison in alternating rounds, so that load from outside (other builds on the
/// machine) falls on every side alike: the median requests per second of each side over the
/// rounds, and its ratio to the side without compat. Criterion's groups measure one side
/// after the other, which on a busy machine can differ by more than the effect measured.
fn grpc_interleaved<'a>(
    rt: &tokio::runtime::Runtime,
    batch: impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>,
) {
    const ROUNDS: usize = 31;
    const BATCHES: u32 = 40;
    const NAMES: [&str; 3] = ["without compat", "server interceptor", "both ends"];
    let mut rates: [Vec<f64>; 3] = Default::default();
    for round in 0..ROUNDS {
        let mut order = [0usize, 1, 2];
        order.rotate_left(round % 3);
        for side in order {
            let start = std::time::Instant::now();
            rt.block_on(async {
                for _ in 0..BATCHES {
                    batch(side).await;
                }
            });
            let requests = f64::from(BATCHES) * BATCH as f64;
            rates[side].push(requests / start.elapsed().as_secs_f64());
        }
    }
    let medians: Vec<f64> = rates
        .iter_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect();
    println!("grpc/interleaved: {ROUNDS} rounds of {BATCHES} batches of {BATCH} per side, medians");
    for (name, median) in NAMES.iter().zip(&medians) {
        println!(
            "  {name}: {median:.0} req/s ({:.3} of without compat)",
            median / medians[0]
        );
    }
}

/// The CPU the layers add to one request, without sockets: an app that answers at once,
/// bare, behind `CompatServerLayer`, and behind both layers.
fn in_memory(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let app = tower::service_fn(|_: Request<String>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(String::from("pong")))
    });
    let server = CompatServerLayer::new(endpoint("server", "0.9.3").unwrap()).layer(app);
    let both = CompatClientLayer::new(endpoint("agent", "0.9.2").unwrap()).layer(server.clone());
    let request = || {
        Request::get("/ping")
            .header("compat-peer", "agent@0.9.2")
            .body(String::new())
            .unwrap()
    };
    let mut group = c.benchmark_group("in memory");
    group.bench_function("without compat", |b| {
        b.iter(|| rt.block_on(app.oneshot(request())).unwrap())
    });
    group.bench_function("server layer", |b| {
        b.iter(|| rt.block_on(server.clone().oneshot(request())).unwrap())
    });
    group.bench_function("both ends", |b| {
        b.iter(|| rt.block_on(both.clone().oneshot(request())).unwrap())
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! { name = benches; config = config(); targets = in_memory, http, grpc }
criterion_main!(benches);
