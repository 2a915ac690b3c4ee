//! The handshake's cost, each against what a service does without compat, in the same run:
//!
//! - `handshake/in memory`: the client's hello encoded, decoded by the server and checked,
//!   the accept encoded, decoded by the client and checked; against `handshake/bare check`,
//!   `Policy::check` on two parsed peers;
//! - `guard/fast path`: `Session::guard` on a reply the peer fully knows, and the reply
//!   encoded with and without the guard;
//! - `loopback/…`: a new TCP connection on 127.0.0.1, the first request and its reply:
//!   without compat, without compat but with the timeouts a production service has (on the
//!   client's wait and the server's read), with the handshake in front (the same server code
//!   otherwise), and the demo service (which also reports every connection). The
//!   `loopback/interleaved` line, printed first, measures them in alternating rounds.
//!
//! Run with `cargo bench --bench handshake` (`-- loopback/zzz` for the interleaved line
//! alone). With `COMPAT_PROFILE_SIDE=N` (0 to 3, in the order above) the binary runs one
//! loopback side alone for 20,000 connections and exits, for `perf record` or `strace -c`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::task::Poll;
use std::time::Duration;

use compat_runtime::Endpoint;
use compat_runtime::handshake::Frame;
use criterion::{Criterion, criterion_group, criterion_main};
use spire_protocol::service::{self, Incoming};
use spire_protocol::{RELEASES, ServerMessage, SvidUpdate, X509Svid, messages, policy};
use tokio::io::AsyncWriteExt;
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
    // The two halves, for where the time goes.
    let mut hello_bytes = Vec::new();
    agent.hello().encode(&mut hello_bytes);
    let mut out = Vec::with_capacity(256);
    group.bench_function("server side", |b| {
        b.iter(|| {
            let Ok(Some((Frame::Hello(hello), _))) = Frame::decode(black_box(&hello_bytes)) else {
                unreachable!()
            };
            out.clear();
            server.reply_into(hello, &mut out).is_ok()
        })
    });
    let mut accept_bytes = Vec::new();
    let _ = server.reply_into(agent.hello(), &mut accept_bytes);
    group.bench_function("client side", |b| {
        b.iter(|| {
            out.clear();
            agent.hello().encode(&mut out);
            let Ok(Some((Frame::Accept(hello, notice), _))) =
                Frame::decode(black_box(&accept_bytes))
            else {
                unreachable!()
            };
            agent.admit(hello, notice).is_ok()
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

/// The same server without compat: read the request, send the same reply (built as the
/// handshake's server builds it, without the guard).
async fn plain_server(listener: TcpListener) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let mut socket = tokio::io::BufReader::new(socket);
            if let Ok(Incoming::Request(bytes)) = service::read_request(&mut socket).await {
                let request = serde_json::from_slice(&bytes).unwrap();
                let out = service::frame(&service::update(&request, service::REVISION)).unwrap();
                let _ = socket.write_all(&out).await;
            }
        });
    }
}

/// The plain server with a timeout on reading the request, as a production server has (the
/// handshake has one on reading the hello).
async fn plain_timed_server(listener: TcpListener) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let mut socket = tokio::io::BufReader::new(socket);
            let read = tokio::time::timeout(service::TIMEOUT, service::read_request(&mut socket));
            if let Ok(Ok(Incoming::Request(bytes))) = read.await {
                let request = serde_json::from_slice(&bytes).unwrap();
                let out = service::frame(&service::update(&request, service::REVISION)).unwrap();
                let _ = socket.write_all(&out).await;
            }
        });
    }
}

/// The same server with only the handshake added: no reporting, no timeouts of its own.
async fn lean_server(listener: TcpListener, endpoint: Endpoint<'static>) {
    let endpoint = std::sync::Arc::new(endpoint);
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let endpoint = std::sync::Arc::clone(&endpoint);
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let mut socket = tokio::io::BufReader::new(socket);
            let mut out = Vec::with_capacity(512);
            let Ok(session) = compat_runtime::tokio::accept_into(
                &mut socket,
                &endpoint,
                service::TIMEOUT,
                &mut out,
            )
            .await
            else {
                return;
            };
            if let Ok(Incoming::Request(bytes)) = service::read_request(&mut socket).await {
                let request: spire_protocol::AttestRequest =
                    serde_json::from_slice(&bytes).unwrap();
                let (reply, _) = service::answer(&session, &request);
                service::frame_onto(&reply, &mut out).unwrap();
                let _ = socket.write_all(&out).await;
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
    let request = service::frame(&spire_protocol::AttestRequest {
        attestation_data: spire_protocol::AttestationData {
            kind: "join_token".into(),
            data: node.as_bytes().to_vec(),
        },
        csr: vec![0x30, 0x82],
        response: None,
        previous_agent_id: None,
    })
    .unwrap();
    socket.write_all(&request).await.unwrap();
    let Ok(Incoming::Request(bytes)) = service::read_request(&mut socket).await else {
        panic!("no reply")
    };
    serde_json::from_slice(&bytes).unwrap()
}

/// The plain client with a timeout, armed before connecting as `service::attest` arms its
/// deadline: the same timer discipline, without the handshake.
async fn plain_attest_timed(addr: SocketAddr, node: &str) -> ServerMessage {
    let mut deadline = std::pin::pin!(tokio::time::sleep(service::TIMEOUT));
    let mut attest = std::pin::pin!(plain_attest(addr, node));
    std::future::poll_fn(|cx| {
        let _ = deadline.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(reply) = attest.as_mut().poll(cx) {
            return Poll::Ready(reply);
        }
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => panic!("no reply within the timeout"),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

fn loopback(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (compat_addr, plain_addr, lean_addr, timed_addr) = runtime.block_on(async {
        let compat = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let lean = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let timed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addrs = (
            compat.local_addr().unwrap(),
            plain.local_addr().unwrap(),
            lean.local_addr().unwrap(),
            timed.local_addr().unwrap(),
        );
        tokio::spawn(plain_timed_server(timed));
        tokio::spawn(lean_server(lean, end("server", "0.9.3")));
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
    let addrs = [plain_addr, timed_addr, lean_addr, compat_addr];
    if let Ok(side) = std::env::var("COMPAT_PROFILE_SIDE") {
        // One side alone, long enough for `perf record`: no criterion, no other side.
        let side: usize = side.parse().expect("COMPAT_PROFILE_SIDE is a side, 0 to 3");
        let start = std::time::Instant::now();
        runtime.block_on(one_side(side, addrs, &agent, 20_000));
        println!(
            "side {side}: {:.1?} per connection",
            start.elapsed() / 20_000
        );
        std::process::exit(0);
    }
    interleaved(&runtime, addrs, &agent);
    let mut group = c.benchmark_group("loopback");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("without compat", |b| {
        b.iter(|| runtime.block_on(plain_attest(plain_addr, "node-1")))
    });
    group.bench_function("without compat, with timeouts", |b| {
        b.iter(|| runtime.block_on(async { plain_attest_timed(timed_addr, "node-1").await }))
    });
    group.bench_function("with the handshake", |b| {
        b.iter(|| {
            runtime
                .block_on(service::attest(
                    lean_addr,
                    &agent,
                    "node-1",
                    service::TIMEOUT,
                ))
                .unwrap()
        })
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

/// The loopback comparison in alternating rounds, so that load from outside (other builds on
/// the machine) falls on both sides alike: the median time per connection of each side over
/// the rounds, and their ratio. Criterion's groups measure one side after the other, which on
/// a busy machine can differ by more than the effect measured.
fn interleaved(
    runtime: &tokio::runtime::Runtime,
    addrs: [SocketAddr; 4],
    agent: &Endpoint<'static>,
) {
    const ROUNDS: usize = 101;
    const CONNECTIONS: u32 = 100;
    const SIDES: [&str; 4] = [
        "without compat",
        "without compat, with timeouts on both ends",
        "with the handshake",
        "with compat (the demo service, reporting each connection)",
    ];
    let mut times: [Vec<Duration>; 4] = Default::default();
    for round in 0..ROUNDS {
        let mut sides = [0usize, 1, 2, 3];
        sides.rotate_left(round % 4);
        for side in sides {
            let start = std::time::Instant::now();
            runtime.block_on(one_side(side, addrs, agent, CONNECTIONS));
            times[side].push(start.elapsed() / CONNECTIONS);
        }
    }
    // Each round's ratio to the bare side in the same round (measured next to it, under the
    // same load), and the median of those: a paired comparison, steadier than the ratio of
    // two medians when the machine's load changes during the run.
    let paired = |side: usize, base: usize| {
        let mut ratios: Vec<f64> = times[side]
            .iter()
            .zip(&times[base])
            .map(|(t, b)| t.as_secs_f64() / b.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    };
    let ratios: Vec<(f64, f64)> = (0..SIDES.len())
        .map(|side| (paired(side, 0), paired(side, 1)))
        .collect();
    let medians: Vec<Duration> = times
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.sort();
            v[v.len() / 2]
        })
        .collect();
    println!(
        "loopback/interleaved: {ROUNDS} rounds of {CONNECTIONS} connections per side, medians per connection"
    );
    for ((name, median), (bare, timed)) in SIDES.iter().zip(&medians).zip(&ratios) {
        println!(
            "  {name}: {median:.1?} ({:.3} of without compat, {:.3} of without compat with timeouts; \
             paired per round: {bare:.3}, {timed:.3})",
            median.as_secs_f64() / medians[0].as_secs_f64(),
            median.as_secs_f64() / medians[1].as_secs_f64(),
        );
    }
}

/// `connections` connections of one side, one after the other.
async fn one_side(
    side: usize,
    addrs: [SocketAddr; 4],
    agent: &Endpoint<'static>,
    connections: u32,
) {
    let [plain, timed, lean, compat] = addrs;
    for _ in 0..connections {
        match side {
            0 => {
                black_box(plain_attest(plain, "node-1").await);
            }
            1 => {
                black_box(plain_attest_timed(timed, "node-1").await);
            }
            2 => {
                let attest = service::attest(lean, agent, "node-1", service::TIMEOUT);
                black_box(attest.await.unwrap());
            }
            _ => {
                let attest = service::attest(compat, agent, "node-1", service::TIMEOUT);
                black_box(attest.await.unwrap());
            }
        }
    }
}

criterion_group!(benches, in_memory, guard, loopback);
criterion_main!(benches);
