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
//! - `counted`: the same four (encode through the session, bincode alone, prepare for the
//!   old agent, the conversion alone) as named functions, `CALLS` calls each (100,000
//!   unless set) in rotating rounds, for callgrind to count their instructions, which the
//!   machine's load does not move (the timed ratios above move by more than 5% with it):
//!
//! ```text
//! nice -n 10 cargo bench -p mirrord-agent-protocol
//! CALLS=20000 valgrind --tool=callgrind target/release/deps/agent-<hash> --bench counted
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep run_
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

/// Whether criterion's filter (a substring of the name, as it reads it) selects `name`:
/// the timed rounds below run outside criterion's groups, so they check it themselves.
fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
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
    if !selected("encode/interleaved guard/") {
        return;
    }
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
    if !selected("fallback/interleaved fallback/") {
        return;
    }
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

/// Frames `message` through the session (its check, then bincode).
#[inline(never)]
fn run_encode(session: &Session, message: &ClientMessage, out: &mut Vec<u8>) {
    out.clear();
    encode(black_box(session), black_box(message), out).unwrap();
    black_box(&*out);
}

/// Frames `message` with bincode alone: the same framing, no session.
#[inline(never)]
fn run_frame(message: &ClientMessage, out: &mut Vec<u8>) {
    out.clear();
    frame(black_box(message), out).unwrap();
    black_box(&*out);
}

/// `Session::prepare` for an agent that predates the value's variant.
#[inline(never)]
fn run_prepare_old(session: &Session, message: &ClientMessage) {
    drop(black_box(
        black_box(session).prepare(black_box(message)).unwrap(),
    ));
}

/// The conversion `prepare` runs, by hand.
#[inline(never)]
fn run_convert(message: &ClientMessage) {
    let converted = match black_box(message) {
        ClientMessage::GetAddrInfoRequestV2(v2) => {
            ClientMessage::GetAddrInfoRequest(getaddrinfo_v1(v2))
        }
        other => other.clone(),
    };
    drop(black_box(converted));
}

/// The four named functions above, `CALLS` calls each in rounds whose order rotates, for
/// callgrind (`--bench counted`): their inclusive instructions divided by the calls.
fn counted(_: &mut Criterion) {
    const ROUNDS: u32 = 5;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args
        .iter()
        .any(|a| "counted".contains(a.as_str()) && !a.starts_with('-'))
    {
        return;
    }
    let calls: u32 = std::env::var("CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let (current, old) = (session("3.250.0"), session("3.130.0"));
    let (message, request) = (statfs(), lookup());
    let (mut buf, mut other) = (Vec::with_capacity(256), Vec::with_capacity(256));
    let mut runs: [&mut dyn FnMut(); 4] = [
        &mut || run_encode(&current, &message, &mut buf),
        &mut || run_frame(&message, &mut other),
        &mut || run_prepare_old(&old, &request),
        &mut || run_convert(&request),
    ];
    for round in 0..ROUNDS as usize {
        for k in 0..runs.len() {
            let run = &mut runs[(round + k) % runs.len()];
            for _ in 0..calls {
                run();
            }
        }
    }
    assert_eq!(buf, other, "both write mirrord's frame");
    println!(
        "counted: {ROUNDS} rounds of {calls} calls of each of run_encode, run_frame, \
         run_prepare_old, run_convert"
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = encoding, fallback, counted
}
criterion_main!(benches);
