//! The handshake's cost, each against what a service does without compat, in the same run:
//!
//! - `handshake/in memory`: the client's hello encoded, decoded by the server and checked,
//!   the accept encoded, decoded by the client and checked; against `handshake/bare check`,
//!   `Policy::check` on two parsed peers;
//! - `guard/fast path`: `Session::guard` on a reply the peer fully knows, and the reply
//!   encoded with and without the guard;
//! - `loopback/…`: a new TCP connection on 127.0.0.1, the first request and its reply, with
//!   the compat handshake in front (`with compat`) and without (`without compat`), the same
//!   server code otherwise.
//!
//! Run with `cargo bench --bench handshake`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use compat_runtime::Endpoint;
use compat_runtime::handshake::Frame;
use criterion::{Criterion, criterion_group, criterion_main};
use spire_protocol::service::{self, Incoming};
use spire_protocol::{RELEASES, ServerMessage, SvidUpdate, X509Svid, messages, policy};
use tokio::net::{TcpListener, TcpStream};

fn end(component: &str, version: &str) -> Endpoint<'static> {
    Endpoint::new(policy(), component, version, messages())
        .unwrap()
        .with_releases(RELEASES)
}

fn in_memory(c: &mut Criterion) {
    let server = end("server", "0.9.3");
    let agent = end("agent", "0.9.2");
    let policy = policy();
    let (a, s) = (agent.me().clone(), server.me().clone());
    let mut group = c.benchmark_group("handshake");
    group.bench_function("bare check", |b| {
        b.iter(|| policy.check(black_box(&a), black_box(&s)).is_ok())
    });
    let mut wire = Vec::with_capacity(256);
    group.bench_function("in memory", |b| {
        b.iter(|| {
            wire.clear();
            agent.hello().encode(&mut wire);
            let Ok(Some((Frame::Hello(hello), _))) = Frame::decode(black_box(&wire)) else {
                unreachable!()
            };
            wire.clear();
            let verdict = server.reply_into(hello, &mut wire);
            let Ok(Some((Frame::Accept(hello, notice), _))) = Frame::decode(black_box(&wire))
            else {
                unreachable!()
            };
            let session = agent.admit(hello, notice).unwrap();
            (verdict.is_ok(), session.peer_packed())
        })
    });
    group.finish();
}

fn reply() -> ServerMessage {
    ServerMessage::Update(SvidUpdate {
        svids: BTreeMap::from([(
            "spiffe://example.org/agent/node-1".to_string(),
            X509Svid {
                cert_chain: vec![0x30, 0x82, 0x01, 0x0a],
                expires_at: 1_767_225_600,
            },
        )]),
        bundles: BTreeMap::from([("example.org".into(), "-----BEGIN CERTIFICATE-----".into())]),
        entries_revision: 42,
    })
}

fn guard(c: &mut Criterion) {
    let session = end("server", "0.9.3")
        .accept(end("agent", "0.9.3").hello())
        .unwrap();
    let value = reply();
    let mut group = c.benchmark_group("guard");
    group.bench_function("fast path", |b| {
        b.iter(|| session.guard(black_box(&value)).is_ok())
    });
    let mut out = Vec::with_capacity(512);
    group.bench_function("encode without guard", |b| {
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&value)).unwrap();
            out.len()
        })
    });
    group.bench_function("encode with guard", |b| {
        b.iter(|| {
            out.clear();
            session.guard(black_box(&value)).unwrap();
            serde_json::to_writer(&mut out, black_box(&value)).unwrap();
            out.len()
        })
    });
    group.finish();
}

/// The same server without compat: read the request, send the same reply.
async fn plain_server(listener: TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let mut socket = tokio::io::BufReader::new(socket);
            if let Ok(Incoming::Request(bytes)) = service::read_request(&mut socket).await {
                let _request: spire_protocol::AttestRequest =
                    serde_json::from_slice(&bytes).unwrap();
                let bytes = serde_json::to_vec(&reply()).unwrap();
                let _ = service::write_frame(&mut socket, &bytes).await;
            }
        });
    }
}

/// The plain client: connect, send the request (built and encoded as `service::attest` does),
/// read the reply.
async fn plain_attest(addr: SocketAddr, node: &str) -> ServerMessage {
    let socket = TcpStream::connect(addr).await.unwrap();
    socket.set_nodelay(true).unwrap();
    let mut socket = tokio::io::BufReader::new(socket);
    let request = serde_json::to_vec(&spire_protocol::AttestRequest {
        attestation_data: spire_protocol::AttestationData {
            kind: "join_token".into(),
            data: node.as_bytes().to_vec(),
        },
        csr: vec![0x30, 0x82],
        response: None,
        previous_agent_id: None,
    })
    .unwrap();
    service::write_frame(&mut socket, &request).await.unwrap();
    let Ok(Incoming::Request(bytes)) = service::read_request(&mut socket).await else {
        panic!("no reply")
    };
    serde_json::from_slice(&bytes).unwrap()
}

fn loopback(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (compat_addr, plain_addr) = runtime.block_on(async {
        let compat = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addrs = (compat.local_addr().unwrap(), plain.local_addr().unwrap());
        let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(service::serve(
            compat,
            end("server", "0.9.3"),
            events,
            service::TIMEOUT,
        ));
        tokio::spawn(async move { while seen.recv().await.is_some() {} });
        tokio::spawn(plain_server(plain));
        addrs
    });
    let agent = end("agent", "0.9.3");
    let mut group = c.benchmark_group("loopback");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("without compat", |b| {
        b.iter(|| runtime.block_on(plain_attest(plain_addr, "node-1")))
    });
    group.bench_function("with compat", |b| {
        b.iter(|| {
            runtime
                .block_on(service::attest(
                    compat_addr,
                    &agent,
                    "node-1",
                    service::TIMEOUT,
                ))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, in_memory, guard, loopback);
criterion_main!(benches);
