//! The costs of compat on mirrord's bincode messages (issue 17's targets):
//!
//! - `encode/interleaved`: a `ClientMessage::FileRequest(StatFsV2)` framed and encoded
//!   through the session (`connection::encode`: `Session::prepare`, then bincode) for a
//!   current agent, beside the same frame written by bincode alone (`connection::frame`,
//!   the same framing code without the session); alternating rounds,
//!   medians and their ratio from one run (target: within 5%).
//! - `guard/*`: the positional guard's fast path, `Session::guard` on a message the agent
//!   fully knows (one integer compare; target: at most about 0.5 ns), and criterion's loop
//!   alone to subtract.
//! - `fallback/interleaved`: `Session::prepare` of `GetAddrInfoRequestV2` for an agent at
//!   1.14.0, which degrades it to `GetAddrInfoRequest`, beside the conversion it runs
//!   (`dns::getaddrinfo_v1` and the clone of the message around it).
//!
//! ```text
//! nice -n 10 cargo bench -p mirrord-agent-protocol
//! ```

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use compat_runtime::Session;
use criterion::{Criterion, criterion_group, criterion_main};
use mirrord_agent_protocol::connection::{encode, frame};
use mirrord_agent_protocol::dns::{AddressFamily, GetAddrInfoRequestV2, SockType, getaddrinfo_v1};
use mirrord_agent_protocol::file::{FileRequest, StatFsRequestV2};
use mirrord_agent_protocol::{ClientMessage, endpoint};

/// The layer's session with an agent at `release`.
fn session(release: &str) -> Session {
    let layer = endpoint("layer", "3.250.0").unwrap();
    layer
        .accept(endpoint("agent", release).unwrap().hello())
        .unwrap()
}

fn statfs() -> ClientMessage {
    ClientMessage::FileRequest(FileRequest::StatFsV2(StatFsRequestV2 {
        path: PathBuf::from("/var/lib/postgresql/data"),
    }))
}

fn lookup() -> ClientMessage {
    ClientMessage::GetAddrInfoRequestV2(GetAddrInfoRequestV2 {
        node: "db.internal.svc.cluster.local".into(),
        service_port: 5432,
        family: AddressFamily::Both,
        socktype: SockType::Stream,
        flags: 0,
        protocol: 0,
    })
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

/// Alternates `a` and `b` in 31 rounds of `n` calls each, which goes first changing every
/// round (so neither always runs on a cache the other warmed); their medians.
fn interleaved(n: u32, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for round in 0..31 {
        if round % 2 == 0 {
            first.push(timed(n, &mut a));
            second.push(timed(n, &mut b));
        } else {
            second.push(timed(n, &mut b));
            first.push(timed(n, &mut a));
        }
    }
    (median(&mut first), median(&mut second))
}

fn encoding(c: &mut Criterion) {
    let current = session("3.250.0");
    let message = statfs();
    let mut buf = Vec::with_capacity(256);
    let mut other = Vec::with_capacity(256);
    let (through, alone) = interleaved(
        200_000,
        || {
            buf.clear();
            encode(black_box(&current), black_box(&message), &mut buf).unwrap();
            black_box(&buf);
        },
        || {
            other.clear();
            frame(black_box(&message), &mut other).unwrap();
            black_box(&other);
        },
    );
    assert_eq!(buf, other, "both write mirrord's frame");
    println!(
        "encode/interleaved: 31 rounds of 200000 frames, medians: through the session {through:.1} ns, bincode alone {alone:.1} ns, ratio {:.4}",
        through / alone
    );
    let mut group = c.benchmark_group("guard");
    group.bench_function("loop alone", |b| b.iter(|| black_box(&message)));
    group.bench_function("peer knows all", |b| {
        b.iter(|| black_box(&current).guard(black_box(&message)));
    });
    group.bench_function("prepare, peer knows all", |b| {
        b.iter(|| black_box(black_box(&current).prepare(black_box(&message)).is_ok()));
    });
    group.finish();
}

fn fallback(c: &mut Criterion) {
    let old = session("3.130.0");
    let message = lookup();
    let (prepared, converted) = interleaved(
        200_000,
        || {
            black_box(black_box(&old).prepare(black_box(&message)).unwrap());
        },
        || {
            let converted = match black_box(&message) {
                ClientMessage::GetAddrInfoRequestV2(v2) => {
                    ClientMessage::GetAddrInfoRequest(getaddrinfo_v1(v2))
                }
                other => other.clone(),
            };
            black_box(converted);
        },
    );
    println!(
        "fallback/interleaved: 31 rounds of 200000 calls, medians: prepare (degrades) {prepared:.1} ns, the conversion alone {converted:.1} ns, ratio {:.3}",
        prepared / converted
    );
    let mut group = c.benchmark_group("fallback");
    // What `prepare` must do besides the conversion: copy the message it degrades.
    group.bench_function("clone of the message", |b| {
        b.iter(|| black_box(black_box(&message).clone()));
    });
    group.bench_function("the conversion alone", |b| {
        b.iter(|| match black_box(&message) {
            ClientMessage::GetAddrInfoRequestV2(v2) => {
                black_box(ClientMessage::GetAddrInfoRequest(getaddrinfo_v1(v2)))
            }
            other => black_box(other.clone()),
        });
    });
    group.bench_function("prepare, agent at 1.14.0", |b| {
        b.iter(|| {
            black_box(&old)
                .prepare(black_box(&message))
                .map(|m| black_box(m.into_owned()))
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = encoding, fallback
}
criterion_main!(benches);
