//! The planner and the matrix at scale.
//!
//! - `plan/named/N`: Teleport's five components, N named instances (one row per instance),
//!   7.1.2 to 8.1.0, the plan verified by its replay; against `write_steps/N`, the baseline:
//!   only writing N rows of steps, which no plan can avoid.
//! - `plan/counted/N`: the same fleet as counts per version (one counted row per group).
//! - `matrix/50x5`: the matrix of 50 releases of five components, rendered as HTML.
//!
//! Run with `cargo bench --bench plan`.

use std::hint::black_box;

use cargo_compat::fleet_file::{Fleet, Member};
use cargo_compat::matrix::Matrix;
use cargo_compat::plan::{Request, Step, plan};
use cargo_compat::releases::Releases;
use compat_runtime::policy::Origin;
use compat_runtime::{Peer, Policy, Version};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const TELEPORT: &str = include_str!("../examples/teleport/compat.toml");
const COMPONENTS: [&str; 5] = ["auth", "proxy", "node", "tsh", "tctl"];
const SIZES: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];

fn policy() -> Policy {
    Policy::from_toml("compat.toml", TELEPORT).unwrap()
}

/// `n` instances spread over the five components (most of them nodes, as in a real
/// cluster), all at 7.1.2.
fn fleet(policy: &Policy, n: u64, named: bool) -> Fleet {
    let v = Version::new(7, 1, 2);
    let share = |i: usize| match i {
        2 => n - 4 * (n / 100),
        _ => n / 100,
    };
    let mut members = Vec::new();
    for (i, c) in COMPONENTS.iter().enumerate() {
        let component = policy.component(c).unwrap();
        let peer = Peer {
            component,
            version: v.clone(),
        };
        if named {
            for k in 0..share(i) {
                members.push(Member {
                    name: Some(format!("{c}-{k:07}")),
                    peer: peer.clone(),
                    count: 1,
                    origin: Origin::code(),
                });
            }
        } else {
            members.push(Member {
                name: None,
                peer,
                count: share(i),
                origin: Origin::code(),
            });
        }
    }
    Fleet {
        source: "bench".into(),
        members,
    }
}

fn bench_plan(c: &mut Criterion) {
    let policy = policy();
    let request = Request::to(Version::new(8, 1, 0))
        .through(Releases::parse(&policy, "7.1.2,8.1.0").unwrap());
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for n in SIZES {
        let named = fleet(&policy, n, true);
        group.bench_with_input(BenchmarkId::new("named", n), &named, |b, f| {
            b.iter(|| black_box(plan(&policy, f, &request).unwrap().steps.len()))
        });
        let counted = fleet(&policy, n, false);
        group.bench_with_input(BenchmarkId::new("counted", n), &counted, |b, f| {
            b.iter(|| black_box(plan(&policy, f, &request).unwrap().steps.len()))
        });
    }
    group.finish();

    // The baseline: writing one step row per instance, and nothing else.
    let template = plan(&policy, &fleet(&policy, 1_000, true), &request)
        .unwrap()
        .steps[0]
        .clone();
    let mut group = c.benchmark_group("write_steps");
    group.sample_size(10);
    for n in SIZES {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let steps: Vec<Step> = (0..n)
                    .map(|k| Step {
                        instance: Some(format!("node-{k:07}")),
                        ..template.clone()
                    })
                    .collect();
                black_box(steps.len())
            })
        });
    }
    group.finish();
}

fn bench_matrix(c: &mut Criterion) {
    let policy = policy();
    // 50 releases from 4.0.0: minors and patches across five majors.
    let releases: Vec<Version> = (0..50u64)
        .map(|i| Version::new(4 + i / 10, (i % 10) / 2, i % 2))
        .collect();
    let mut group = c.benchmark_group("matrix");
    group.sample_size(10);
    group.bench_function("50x5/html", |b| {
        b.iter(|| black_box(Matrix::new(&policy, &releases).html().len()))
    });
    group.bench_function("50x5/svg", |b| {
        b.iter(|| black_box(Matrix::new(&policy, &releases).svg().len()))
    });
    group.finish();
}

criterion_group!(benches, bench_plan, bench_matrix);
criterion_main!(benches);
