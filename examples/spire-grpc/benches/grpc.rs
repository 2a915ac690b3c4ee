//! The costs of compat on the generated prost types (issue 18's targets):
//!
//! - `guard/*`: `Session::guard` on an `AttestResponse` the peer fully knows (one integer
//!   compare), beside prost's own `encode` of the same message into a reused buffer; and
//!   the walk for a peer that predates a part, for scale. `guard/interleaved` (printed
//!   first) alternates guard and encode in rounds and prints the median ratio.
//! - `grpc/interleaved`: `Attest` calls per second over loopback, [`BATCH`] in flight, to a
//!   server without compat (a plain `NodeServer` whose handler builds the same answer) and
//!   to one behind compat's interceptor and identity layer whose handler guards its answer;
//!   the client names itself with `ClientInterceptor` either way. Alternating rounds, median
//!   rates and their ratio, from one run.
//!
//! ```text
//! nice -n 10 cargo bench -p spire-grpc --bench grpc
//! ```

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use compat_runtime::tonic::{ClientInterceptor, ServerInterceptor};
use compat_runtime::{Endpoint, Session};
use criterion::{Criterion, criterion_group, criterion_main};
use prost::Message as _;
use spire_grpc::node::attest_response::Bundle;
use spire_grpc::node::node_client::NodeClient;
use spire_grpc::node::node_server::{Node, NodeServer};
use spire_grpc::node::{
    AgentStatus, AttestRequest, AttestResponse, AttestationData, FetchJwtSvidRequest,
    FetchJwtSvidResponse, RenewSvidRequest, X509Svid,
};
use spire_grpc::{BUNDLE_URL, policy};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Server};
use tonic::{Request, Response, Status};

/// Requests in flight per batch.
const BATCH: usize = 32;

fn session(agent: &str) -> Session {
    let server = Endpoint::new(policy(), "server", "0.9.3", &[]).unwrap();
    let agent = Endpoint::new(policy(), "agent", agent, &[]).unwrap();
    server.accept(agent.hello()).unwrap()
}

fn response() -> AttestResponse {
    AttestResponse {
        svid: Some(X509Svid {
            spiffe_id: "spiffe://example.org/agent/join_token".into(),
            cert_chain: vec![0x30; 512],
            expires_at: 3_600,
            issued_at: None,
        }),
        status: AgentStatus::Active as i32,
        bundle: Some(Bundle::Url(BUNDLE_URL.into())),
    }
}

/// Nanoseconds per call of `f`, over `n` calls.
fn timed(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn guard(c: &mut Criterion) {
    let current = session("0.9.3");
    let old = session("0.8.4");
    let message = response();
    let mut buf = Vec::with_capacity(1024);
    let (mut guards, mut encodes) = (Vec::new(), Vec::new());
    for _ in 0..31 {
        guards.push(timed(200_000, || {
            black_box(black_box(&current).guard(black_box(&message))).unwrap();
        }));
        encodes.push(timed(200_000, || {
            buf.clear();
            black_box(&message).encode(&mut buf).unwrap();
            black_box(&buf);
        }));
    }
    let (g, e) = (median(&mut guards), median(&mut encodes));
    println!(
        "guard/interleaved: 31 rounds of 200000 calls, medians: guard {g:.2} ns, encode {e:.1} ns, guard/encode {:.4}",
        g / e
    );
    let mut group = c.benchmark_group("guard");
    group.bench_function("prost encode", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&message).encode(&mut buf).unwrap();
        });
    });
    // What criterion's loop costs by itself, to subtract from the guard's figure.
    group.bench_function("loop alone", |b| b.iter(|| black_box(&message)));
    group.bench_function("guard, peer knows all", |b| {
        b.iter(|| black_box(&current).guard(black_box(&message)));
    });
    group.bench_function("guard, peer predates a member", |b| {
        b.iter(|| old.guard(black_box(&message)));
    });
    group.finish();
}

/// The node API without compat: the same answers, no session, no guard.
struct Plain;

#[tonic::async_trait]
impl Node for Plain {
    async fn attest(&self, _: Request<AttestRequest>) -> Result<Response<AttestResponse>, Status> {
        Ok(Response::new(response()))
    }
    async fn renew_svid(
        &self,
        _: Request<RenewSvidRequest>,
    ) -> Result<Response<AttestResponse>, Status> {
        Ok(Response::new(response()))
    }
    async fn fetch_jwt_svid(
        &self,
        _: Request<FetchJwtSvidRequest>,
    ) -> Result<Response<FetchJwtSvidResponse>, Status> {
        Ok(Response::new(FetchJwtSvidResponse::default()))
    }
}

async fn server(with_compat: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    if with_compat {
        let interceptor =
            ServerInterceptor::new(Endpoint::new(policy(), "server", "0.9.3", &[]).unwrap());
        tokio::spawn(spire_grpc::serve(listener, interceptor));
    } else {
        let incoming =
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        tokio::spawn(
            Server::builder()
                .add_service(NodeServer::new(Plain))
                .serve_with_incoming(incoming),
        );
    }
    addr
}

type Client = NodeClient<InterceptedService<Channel, ClientInterceptor>>;

async fn batch(client: &Client) {
    let calls: Vec<_> = (0..BATCH)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let request = AttestRequest {
                    attestation_data: Some(AttestationData {
                        r#type: "join_token".into(),
                        payload: vec![1; 64],
                    }),
                    ..AttestRequest::default()
                };
                client.attest(request).await.unwrap();
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
}

fn grpc(_: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let agent = Endpoint::new(policy(), "agent", "0.9.3", &[]).unwrap();
    let client = |with_compat: bool| {
        rt.block_on(async {
            let addr = server(with_compat).await;
            let channel = Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap();
            NodeClient::with_interceptor(channel, ClientInterceptor::new(&agent))
        })
    };
    let sides = [client(false), client(true)];
    const ROUNDS: usize = 31;
    const BATCHES: u32 = 40;
    let mut rates: [Vec<f64>; 2] = Default::default();
    for round in 0..ROUNDS {
        for side in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let start = Instant::now();
            rt.block_on(async {
                for _ in 0..BATCHES {
                    batch(&sides[side]).await;
                }
            });
            rates[side].push(f64::from(BATCHES) * BATCH as f64 / start.elapsed().as_secs_f64());
        }
    }
    let (without, with) = (median(&mut rates[0]), median(&mut rates[1]));
    println!(
        "grpc/interleaved: {ROUNDS} rounds of {BATCHES} batches of {BATCH} Attest calls per side, medians: without compat {without:.0} req/s, with compat {with:.0} req/s ({:.3} of without)",
        with / without
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = guard, grpc }
criterion_main!(benches);
