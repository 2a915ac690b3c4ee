//! What a fallback costs on the send path, each against what a service does without compat,
//! in the same run:
//!
//! - `fallback/convert by hand`: the conversion alone, as a hand-written gate runs it
//!   (mirrord's `if agent < 1.18.0 { StatFs(v1(&v2)) } else { StatFsV2(v2) }`), against
//!   `fallback/prepare, old agent`: `Session::prepare` of the same `StatFsV2` for an agent
//!   that predates it, which finds the fallback, runs the same conversion, notes it (census
//!   and, with no subscriber, a skipped event) and guards the result;
//! - `fallback/nested …`: the same inside `ClientMessage::FileRequest`;
//! - `fallback/prepare, new agent`: the same value for an agent that knows `StatFsV2`, the
//!   guard's fast path (one compare, the value itself);
//! - `fallback/getaddrinfo, gate by hand`: the whole gate a service writes without compat,
//!   as mirrord's layer writes it for `GetAddrInfoRequestV2`: the agent's version against a
//!   `VersionReq`, the conversion (`ipv4_only`, of the whole enum) and a `tracing::warn!`
//!   that IPv6 will not be resolved (here with no subscriber), against
//!   `fallback/getaddrinfo, prepare, old agent`: `Session::prepare` of the same value, which
//!   does all of that (its event rate-limited, and counted in the census). The baseline of
//!   the first rows is the conversion alone, which `prepare` must add the least to; this
//!   one is what `prepare` replaces.
//!
//! Then `fallback/interleaved`: the seven in one loop, in rounds of 100,000 calls each, the
//! order rotating every round (so none always runs on a cache another warmed), with each
//! one's median and the medians of each round's ratios of `prepare` to its baseline (the
//! two run within milliseconds of each other, so the machine's load moves both). Under
//! callgrind the instructions of each named `run_*` function are the figures that compare:
//! `CALLS=2000 valgrind --tool=callgrind target/release/deps/fallback-<hash> --bench
//! interleaved`, then `callgrind_annotate --inclusive=yes` (docs/performance.md).
//!
//! Run with `nice -n 10 cargo bench --bench fallback -- --quick` (criterion's groups
//! short, then the interleaved rounds); `-- interleaved` runs the rounds alone.

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Instant;

use compat_runtime::Session;
use compat_runtime::census::Census;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/common/fallback_protocol.rs"]
#[allow(dead_code, reason = "the tests' messages; the benchmark sends some")]
mod protocol;

use protocol::{ClientMessage, DnsRequest, FileRequest, StatFsRequestV2, ipv4_only, statfs_v1};
use semver::{Version, VersionReq};

fn fallback(c: &mut Criterion) {
    let census = Census::new();
    let (old, new) = (protocol::layer_to("0.0.14"), protocol::layer_to("0.0.18"));
    assert!(census.count_fallbacks_of(&old));
    let v2 = StatFsRequestV2 {
        path: "/var/lib/postgresql/data".into(),
    };
    let request = FileRequest::StatFsV2(v2.clone());
    let nested = ClientMessage::FileRequest(request.clone());
    let mut group = c.benchmark_group("fallback");
    group.bench_function("convert by hand", |b| {
        b.iter(|| by_hand(black_box(&request)))
    });
    group.bench_function("prepare, old agent", |b| {
        b.iter(|| old.prepare(black_box(&request)).unwrap())
    });
    group.bench_function("nested, convert by hand", |b| {
        b.iter(|| nested_by_hand(black_box(&nested)))
    });
    group.bench_function("nested, prepare, old agent", |b| {
        b.iter(|| old.prepare(black_box(&nested)).unwrap())
    });
    group.bench_function("prepare, new agent", |b| {
        b.iter(|| new.prepare(black_box(&request)).unwrap())
    });
    let (agent, lookup) = (old.peer_version().clone(), lookup());
    group.bench_function("getaddrinfo, gate by hand", |b| {
        b.iter(|| gate_by_hand(black_box(&agent), black_box(&lookup)))
    });
    group.bench_function("getaddrinfo, prepare, old agent", |b| {
        b.iter(|| old.prepare(black_box(&lookup)).unwrap())
    });
    group.finish();
}

fn lookup() -> DnsRequest {
    DnsRequest::GetAddrInfoRequestV2 {
        node: "db.internal.svc.cluster.local".into(),
        family: 10,
    }
}

/// mirrord's gate for `GetAddrInfoRequestV2`, as its layer writes it without compat: the
/// agent's protocol version against the `VersionReq` of the release that brought it, the
/// older request made by hand for an older agent, and a warning that IPv6 is lost.
fn gate_by_hand<'r>(agent: &Version, request: &'r DnsRequest) -> Cow<'r, DnsRequest> {
    static GETADDRINFO_V2: LazyLock<VersionReq> =
        LazyLock::new(|| VersionReq::parse(">=0.0.15").unwrap());
    match request {
        DnsRequest::GetAddrInfoRequestV2 { node, .. } if !GETADDRINFO_V2.matches(agent) => {
            tracing::warn!(
                node = node.as_str(),
                "agent {agent} predates GetAddrInfoRequestV2: IPv6 will not be resolved"
            );
            Cow::Owned(ipv4_only(request))
        }
        other => Cow::Borrowed(other),
    }
}

/// The conversion as a hand-written gate runs it.
fn by_hand(request: &FileRequest) -> Cow<'_, FileRequest> {
    match request {
        FileRequest::StatFsV2(v2) => Cow::Owned(FileRequest::StatFs(statfs_v1(v2))),
        other => Cow::Borrowed(other),
    }
}

/// The same, inside the message that carries it.
fn nested_by_hand(message: &ClientMessage) -> Cow<'_, ClientMessage> {
    match message {
        ClientMessage::FileRequest(FileRequest::StatFsV2(v2)) => Cow::Owned(
            ClientMessage::FileRequest(FileRequest::StatFs(statfs_v1(v2))),
        ),
        other => Cow::Borrowed(other),
    }
}

#[inline(never)]
fn run_by_hand(request: &FileRequest) {
    drop(black_box(by_hand(black_box(request))));
}

#[inline(never)]
fn run_prepare_old(old: &Session, request: &FileRequest) {
    drop(black_box(old.prepare(black_box(request)).unwrap()));
}

#[inline(never)]
fn run_nested_by_hand(nested: &ClientMessage) {
    drop(black_box(nested_by_hand(black_box(nested))));
}

#[inline(never)]
fn run_nested_prepare_old(old: &Session, nested: &ClientMessage) {
    drop(black_box(old.prepare(black_box(nested)).unwrap()));
}

#[inline(never)]
fn run_prepare_new(new: &Session, request: &FileRequest) {
    drop(black_box(new.prepare(black_box(request)).unwrap()));
}

#[inline(never)]
fn run_gate_by_hand(agent: &Version, lookup: &DnsRequest) {
    drop(black_box(gate_by_hand(black_box(agent), black_box(lookup))));
}

#[inline(never)]
fn run_getaddrinfo_prepare_old(old: &Session, lookup: &DnsRequest) {
    drop(black_box(old.prepare(black_box(lookup)).unwrap()));
}

/// Nanoseconds per call of `f`, over `n` calls.
fn timed(n: u32, f: &mut dyn FnMut()) -> f64 {
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

/// The seven of [`fallback`], interleaved: each one's median, and the medians of the rounds'
/// ratios of `prepare` to its baseline (the conversion it runs, top level and nested; the
/// gate mirrord writes by hand).
fn interleaved(_: &mut Criterion) {
    const ROUNDS: usize = 21;
    // Fewer under callgrind (instructions are the same every call): `CALLS=1000`.
    let calls: u32 = std::env::var("CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    // Criterion's filter, as it reads it (a substring of the name), for these rounds too.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| "fallback/interleaved".contains(f)) {
        return;
    }
    let (old, new) = (protocol::layer_to("0.0.14"), protocol::layer_to("0.0.18"));
    let census = Census::new();
    census.count_fallbacks_of(&old);
    let request = FileRequest::StatFsV2(StatFsRequestV2 {
        path: "/var/lib/postgresql/data".into(),
    });
    let nested = ClientMessage::FileRequest(request.clone());
    let (agent, lookup) = (old.peer_version().clone(), lookup());
    let names = [
        "convert by hand",
        "prepare, old agent",
        "nested, convert by hand",
        "nested, prepare, old agent",
        "prepare, new agent",
        "getaddrinfo, gate by hand",
        "getaddrinfo, prepare, old agent",
    ];
    // Named functions, not inlined: `callgrind_annotate --inclusive=yes` gives each one's
    // instructions, which this machine's load does not move.
    let runs: [&mut dyn FnMut(); 7] = [
        &mut || run_by_hand(&request),
        &mut || run_prepare_old(&old, &request),
        &mut || run_nested_by_hand(&nested),
        &mut || run_nested_prepare_old(&old, &nested),
        &mut || run_prepare_new(&new, &request),
        &mut || run_gate_by_hand(&agent, &lookup),
        &mut || run_getaddrinfo_prepare_old(&old, &lookup),
    ];
    let mut times = vec![Vec::with_capacity(ROUNDS); names.len()];
    let (mut top, mut inside, mut gate) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let mut this = [0.0; 7];
        for k in 0..names.len() {
            let i = (round + k) % names.len();
            this[i] = timed(calls, runs[i]);
        }
        top.push(this[1] / this[0]);
        inside.push(this[3] / this[2]);
        gate.push(this[6] / this[5]);
        for (i, t) in this.iter().enumerate() {
            times[i].push(*t);
        }
    }
    println!("fallback/interleaved: {ROUNDS} rounds of {calls} calls each, medians:");
    for (name, times) in names.iter().zip(&mut times) {
        println!("  {name:<31} {:>7.1} ns", median(times));
    }
    println!(
        "  prepare / conversion: top level {:.2}, nested {:.2}; getaddrinfo, prepare / gate by \
         hand {:.2} (medians of the rounds' ratios)",
        median(&mut top),
        median(&mut inside),
        median(&mut gate)
    );
    assert!(census.snapshot().total().fallbacks > 0);
}

criterion_group!(benches, fallback, interleaved);
criterion_main!(benches);
