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
//!   guard's fast path (one compare, the value itself).
//!
//! Run with `cargo bench --bench fallback` (`-- --quick` for a short run).

use std::borrow::Cow;
use std::hint::black_box;

use compat_runtime::census::Census;
use compat_runtime::handshake::Endpoint;
use compat_runtime::{Compat, Message, Policy, Session};
use criterion::{Criterion, criterion_group, criterion_main};

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
struct StatFsRequest {
    path: String,
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.18")]
struct StatFsRequestV2 {
    path: String,
}

fn statfs_v1(v2: &StatFsRequestV2) -> StatFsRequest {
    StatFsRequest {
        path: v2.path.clone(),
    }
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
#[allow(
    dead_code,
    reason = "the shapes the guard walks; the benchmark builds some"
)]
enum FileRequest {
    StatFs(StatFsRequest),
    #[since("0.0.18")]
    #[compat(fallback = "StatFs", via = "statfs_v1")]
    StatFsV2(StatFsRequestV2),
    Close(u64),
    #[compat(other)]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("0.0.1")]
#[allow(
    dead_code,
    reason = "the shapes the guard walks; the benchmark builds some"
)]
enum ClientMessage {
    FileRequest(FileRequest),
    Ping,
    #[compat(other)]
    Unknown,
}

static MESSAGES: &[&Message] = &[
    ClientMessage::MESSAGE,
    FileRequest::MESSAGE,
    StatFsRequest::MESSAGE,
    StatFsRequestV2::MESSAGE,
];

fn layer_to(agent: &str, census: &Census) -> Session {
    let policy = Policy::from_toml(
        "compat.toml",
        "[components]\nlayer = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
         peer = \"layer\"\nnewer = \"none\"\nolder = \"any\"\n",
    )
    .unwrap();
    let layer = Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap();
    let agent = Endpoint::new(&policy, "agent", agent, MESSAGES).unwrap();
    let session = layer.accept(agent.hello()).unwrap();
    census.count_fallbacks_of(&session);
    session
}

fn fallback(c: &mut Criterion) {
    let census = Census::new();
    let old = layer_to("0.0.14", &census);
    let new = layer_to("0.0.18", &census);
    let v2 = StatFsRequestV2 {
        path: "/var/lib/postgresql/data".into(),
    };
    let request = FileRequest::StatFsV2(v2.clone());
    let nested = ClientMessage::FileRequest(request.clone());
    let mut group = c.benchmark_group("fallback");
    group.bench_function("convert by hand", |b| {
        b.iter(|| {
            let sent: Cow<'_, FileRequest> = match black_box(&request) {
                FileRequest::StatFsV2(v2) => Cow::Owned(FileRequest::StatFs(statfs_v1(v2))),
                other => Cow::Borrowed(other),
            };
            sent
        })
    });
    group.bench_function("prepare, old agent", |b| {
        b.iter(|| old.prepare(black_box(&request)).unwrap())
    });
    group.bench_function("nested, convert by hand", |b| {
        b.iter(|| {
            let sent: Cow<'_, ClientMessage> = match black_box(&nested) {
                ClientMessage::FileRequest(FileRequest::StatFsV2(v2)) => Cow::Owned(
                    ClientMessage::FileRequest(FileRequest::StatFs(statfs_v1(v2))),
                ),
                other => Cow::Borrowed(other),
            };
            sent
        })
    });
    group.bench_function("nested, prepare, old agent", |b| {
        b.iter(|| old.prepare(black_box(&nested)).unwrap())
    });
    group.bench_function("prepare, new agent", |b| {
        b.iter(|| new.prepare(black_box(&request)).unwrap())
    });
    group.finish();
    assert!(census.snapshot().total().fallbacks > 0);
}

criterion_group!(benches, fallback);
criterion_main!(benches);
