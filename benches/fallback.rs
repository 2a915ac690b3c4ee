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
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/common/fallback_protocol.rs"]
#[allow(dead_code, reason = "the tests' messages; the benchmark sends some")]
mod protocol;

use protocol::{ClientMessage, FileRequest, StatFsRequestV2, statfs_v1};

fn fallback(c: &mut Criterion) {
    let census = Census::new();
    let (old, new) = (protocol::layer_to("0.0.14"), protocol::layer_to("0.0.18"));
    census.count_fallbacks_of(&old);
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
