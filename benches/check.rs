//! `check` on parsed peers and from wire strings, against the same decision written by hand
//! with `semver`, the way a user would today.
//!
//! Run with `cargo bench --bench check`.

use std::hint::black_box;

use compat_runtime::Policy;
use criterion::{Criterion, criterion_group, criterion_main};
use semver::{Version, VersionReq};

const SPIRE: &str = include_str!("../examples/spire/compat.toml");
const TELEPORT: &str = include_str!("../examples/teleport/compat.toml");

/// SPIRE's agent rule by hand: never newer than the server, at most one minor older.
fn hand_check(agent: &Version, server: &Version) -> bool {
    agent <= server && agent.major == server.major && server.minor - agent.minor <= 1
}

/// The same, from wire strings, with a `VersionReq` built for the server.
fn hand_wire(agent: &str, server: &str) -> bool {
    let (Ok(agent), Ok(server)) = (Version::parse(agent), Version::parse(server)) else {
        return false;
    };
    let low = server.minor.saturating_sub(1);
    let Ok(req) = VersionReq::parse(&format!(">={}.{low}.0, <={server}", server.major)) else {
        return false;
    };
    req.matches(&agent)
}

fn benches(c: &mut Criterion) {
    let spire = Policy::from_toml("compat.toml", SPIRE).expect("spire policy");
    let teleport = Policy::from_toml("compat.toml", TELEPORT).expect("teleport policy");
    let agent = spire.peer("agent@0.8.4").unwrap();
    let server = spire.peer("server@0.9.3").unwrap();
    assert!(spire.check(&agent, &server).is_ok());
    let node = teleport.peer("node@7.3.1").unwrap();
    let auth = teleport.peer("auth@8.0.2").unwrap();
    assert!(teleport.check(&node, &auth).is_ok());

    let mut g = c.benchmark_group("parsed");
    g.bench_function("compat/spire", |b| {
        b.iter(|| spire.check(black_box(&agent), black_box(&server)).is_ok())
    });
    g.bench_function("compat/teleport", |b| {
        b.iter(|| teleport.check(black_box(&node), black_box(&auth)).is_ok())
    });
    let (va, vs) = (agent.version.clone(), server.version.clone());
    g.bench_function("hand/spire", |b| {
        b.iter(|| hand_check(black_box(&va), black_box(&vs)))
    });
    g.finish();

    let mut g = c.benchmark_group("wire");
    g.bench_function("compat/spire", |b| {
        b.iter(|| {
            let a = spire.peer(black_box("agent@0.8.4")).unwrap();
            let s = spire.peer(black_box("server@0.9.3")).unwrap();
            spire.check(&a, &s).is_ok()
        })
    });
    g.bench_function("hand/spire", |b| {
        b.iter(|| hand_wire(black_box("0.8.4"), black_box("0.9.3")))
    });
    g.finish();
}

criterion_group!(check, benches);
criterion_main!(check);
