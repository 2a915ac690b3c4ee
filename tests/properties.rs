//! Invariants of the peer check over the five seed policies, with random peers.
//!
//! - **Symmetry**: `check(a, b)` and `check(b, a)` give the same verdict, and on refusal the
//!   same kind, subject, rule and remedy.
//! - **Monotonicity**: a peer accepted against a local version stays accepted when moved
//!   toward it, one major, minor or patch step at a time, through versions that lie between
//!   the two. Precisely, as implemented: a rule applies by the *newer* version of a pair
//!   (`from`/`until`), so the invariant holds while the rule in force stays the same. When the
//!   peer is the older side, the newer side is the local version all along and the rule never
//!   changes; when the peer is the newer side, moving it down can cross a `from` boundary into
//!   an older, stricter rule (Teleport's pre-6.0 scheme, Phoenix's clients before 4.3): the
//!   seeds say so themselves, see `crossing_a_rule_boundary_can_refuse_a_closer_peer`. Unstable
//!   ranges (Gullveig's `<1.0.0`) are closed downward, so a path between two accepted
//!   different versions, both stable, stays stable.
//! - **No panic** on any input: peer text, policy text, and seed policies mutated at random.

use std::sync::LazyLock;

use compat_runtime::{Peer, Policy, RefusalKind, Version};
use proptest::prelude::*;
use proptest::sample::Index;

const SYSTEMS: [&str; 5] = ["spire", "mirrord", "gullveig", "teleport", "phoenix"];

const SOURCES: [&str; 5] = [
    include_str!("../examples/spire/compat.toml"),
    include_str!("../examples/mirrord/compat.toml"),
    include_str!("../examples/gullveig/compat.toml"),
    include_str!("../examples/teleport/compat.toml"),
    include_str!("../examples/phoenix/compat.toml"),
];

static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    SYSTEMS
        .iter()
        .map(|s| {
            let path = format!("{}/examples/{s}/compat.toml", env!("CARGO_MANIFEST_DIR"));
            Policy::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
});

/// Versions as the seeds write them, with Teleport's pre-release tags, tags no policy ranks,
/// and build metadata now and then.
fn version() -> impl Strategy<Value = String> {
    let pre = prop_oneof![
        12 => Just(String::new()),
        1 => Just("-dev".to_string()),
        1 => (1u8..4).prop_map(|n| format!("-alpha.{n}")),
        1 => (1u8..4).prop_map(|n| format!("-beta.{n}")),
        2 => (1u8..12).prop_map(|n| format!("-rc.{n}")),
        1 => prop_oneof![Just("-nightly.1"), Just("-rc"), Just("-7"), Just("-rc.1.x"), Just("-dev.2")]
            .prop_map(String::from),
    ];
    let build = prop_oneof![9 => Just(""), 1 => Just("+build.5"), 1 => Just("+sha.abc")];
    (0u64..10, 0u64..13, 0u64..13, pre, build).prop_map(|(major, minor, patch, pre, build)| {
        format!("{major}.{minor}.{patch}{pre}{build}")
    })
}

/// A version near `base`: a few majors, minors and patches away, perhaps with a pre-release.
fn near(base: &str, (d_major, d_minor, d_patch): (i64, i64, i64), pre: &str) -> String {
    let v = Version::parse(base.split(['-', '+']).next().unwrap_or(base))
        .unwrap_or(Version::new(1, 0, 0));
    let shift = |n: u64, d: i64| n.saturating_add_signed(d);
    format!(
        "{}.{}.{}{pre}",
        shift(v.major, d_major),
        shift(v.minor, d_minor),
        shift(v.patch, d_patch)
    )
}

/// How far [`near`] moves, mostly not at all in the more significant numbers.
fn offsets() -> impl Strategy<Value = (i64, i64, i64)> {
    let major = prop_oneof![6 => Just(0i64), 1 => -2i64..=2];
    let minor = prop_oneof![3 => Just(0i64), 2 => -3i64..=3];
    (major, minor, -4i64..=4)
}

fn pre_tag() -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => Just(""), 1 => Just("-rc.2"), 1 => Just("-beta.1"), 1 => Just("-dev")]
}

/// A release version: numbers only.
fn release() -> impl Strategy<Value = String> {
    (0u64..10, 0u64..13, 0u64..13).prop_map(|(a, b, c)| format!("{a}.{b}.{c}"))
}

fn peer_of(policy: &Policy, component: Index, version: &str) -> Peer {
    let names = policy.components();
    let name = &names[component.index(names.len())].name;
    policy
        .peer(&format!("{name}@{version}"))
        .unwrap_or_else(|e| panic!("{name}@{version}: {e}"))
}

/// The steps from `from` toward `to`: change the most significant number that differs by
/// one; going up, reset the less significant ones to 0; going down, keep them unless that
/// would pass `to`. Every step lies between the two in the policy's order. The pre-release
/// of `from` is kept until the numbers meet; the last step is `to` itself.
fn path_toward(policy: &Policy, from: &Version, to: &Version) -> Vec<Version> {
    let scheme = policy.scheme();
    let mut steps = Vec::new();
    let mut cur = from.clone();
    let target = (to.major, to.minor, to.patch);
    while (cur.major, cur.minor, cur.patch) != target {
        let mut fields = [cur.major, cur.minor, cur.patch];
        let goal = [to.major, to.minor, to.patch];
        let f = (0..3)
            .find(|&i| fields[i] != goal[i])
            .expect("a differing field");
        if fields[f] < goal[f] {
            fields[f] += 1;
            for lower in &mut fields[f + 1..] {
                *lower = 0;
            }
        } else {
            fields[f] -= 1;
        }
        let mut next = Version::new(fields[0], fields[1], fields[2]);
        next.pre = cur.pre.clone();
        let going_up = scheme.compare(from, to).is_lt();
        let passed = if going_up {
            scheme.compare(&next, to).is_gt()
        } else {
            scheme.compare(&next, to).is_lt()
        };
        if passed {
            next = Version::new(to.major, to.minor, to.patch);
            next.pre = cur.pre.clone();
            let still_passed = if going_up {
                scheme.compare(&next, to).is_gt()
            } else {
                scheme.compare(&next, to).is_lt()
            };
            if still_passed {
                break;
            }
        }
        cur = next;
        steps.push(cur.clone());
    }
    if steps.last() != Some(to) {
        steps.push(to.clone());
    }
    steps
}

/// The rule in force for a pair (by the newer of the two), as an index into the rules.
fn rule_in_force(policy: &Policy, a: &Peer, b: &Peer) -> Option<usize> {
    let newer = if policy.scheme().compare(&a.version, &b.version).is_ge() {
        &a.version
    } else {
        &b.version
    };
    policy
        .rule_between(a.component, b.component, newer)
        .map(|(rule, _)| {
            policy
                .rules()
                .iter()
                .position(|r| core::ptr::eq(r, rule))
                .expect("a rule of the policy")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, max_global_rejects: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn the_verdict_does_not_depend_on_which_side_asks(
        system in 0usize..5,
        ca in any::<Index>(),
        cb in any::<Index>(),
        va in version(),
        vb in version(),
    ) {
        let policy = &POLICIES[system];
        let a = peer_of(policy, ca, &va);
        let b = peer_of(policy, cb, &vb);
        let ab = policy.check(&a, &b);
        let ba = policy.check(&b, &a);
        prop_assert_eq!(&ab, &ba, "{}: {}@{} and {}@{}", SYSTEMS[system], a.component.index(), va, b.component.index(), vb);
        if let Err(refusal) = &ab {
            // The subject is one of the two, and the other is the other one.
            let names = [refusal.subject().to_string(), refusal.other().to_string()];
            let given = [
                format!("{} {}", policy.component_name(a.component), a.version),
                format!("{} {}", policy.component_name(b.component), b.version),
            ];
            prop_assert!(names == given || names == [given[1].clone(), given[0].clone()], "{names:?} vs {given:?}");
        }
    }

    #[test]
    fn every_remedy_offered_is_accepted_when_followed(
        system in 0usize..5,
        ca in any::<Index>(),
        cb in any::<Index>(),
        va in version(),
        vb in version(),
    ) {
        use compat_runtime::check::Direction;
        use compat_runtime::skew::Limit;
        let policy = &POLICIES[system];
        let a = peer_of(policy, ca, &va);
        let b = peer_of(policy, cb, &vb);
        if let Err(refusal) = policy.check(&a, &b) {
            for m in refusal.moves() {
                if m.direction == Direction::Redeploy {
                    continue;
                }
                // The moved side keeps its component; the other side stays where it is.
                let (moved, fixed) = if policy.component_name(a.component) == m.who.component
                    && a.version == m.who.version
                {
                    (&a, &b)
                } else {
                    (&b, &a)
                };
                let mut targets = Vec::new();
                targets.extend(m.to.lowest.clone());
                if let Some(Limit::AtMost(v)) = &m.to.limit {
                    targets.push(v.clone());
                }
                for target in targets {
                    let after = Peer { component: moved.component, version: target.clone() };
                    prop_assert!(
                        policy.check(&after, fixed).is_ok(),
                        "{}: {refusal}\n  but {} {target} with {} {} is refused: {}",
                        SYSTEMS[system],
                        m.who.component,
                        policy.component_name(fixed.component),
                        fixed.version,
                        policy.check(&after, fixed).unwrap_err()
                    );
                }
            }
        }
    }

    #[test]
    fn a_peer_moved_toward_the_local_version_stays_accepted_under_the_same_rule(
        system in 0usize..5,
        cl in any::<Index>(),
        cp in any::<Index>(),
        local in version(),
        offset in offsets(),
        pre in pre_tag(),
    ) {
        let policy = &POLICIES[system];
        let remote = near(&local, offset, pre);
        let l = peer_of(policy, cl, &local);
        let p = peer_of(policy, cp, &remote);
        prop_assume!(policy.check(&p, &l).is_ok());
        let rule = rule_in_force(policy, &p, &l);
        let peer_is_older = policy.scheme().compare(&p.version, &l.version).is_lt();
        for step in path_toward(policy, &p.version, &l.version) {
            let moved = Peer { component: p.component, version: step.clone() };
            if let Err(refusal) = policy.check(&moved, &l) {
                let same_rule = rule_in_force(policy, &moved, &l) == rule;
                // Moving the older side up never changes the newer version, so the rule.
                prop_assert!(!peer_is_older, "{}: {remote} accepted, {step} refused: {refusal}", SYSTEMS[system]);
                prop_assert!(!same_rule, "{}: {remote} accepted, {step} refused under the same rule: {refusal}", SYSTEMS[system]);
            }
        }
    }

    #[test]
    fn releases_moved_toward_each_other_stay_accepted_when_the_peer_is_older(
        system in 0usize..5,
        cl in any::<Index>(),
        cp in any::<Index>(),
        local in release(),
        offset in offsets(),
    ) {
        let policy = &POLICIES[system];
        let remote = near(&local, offset, "");
        let l = peer_of(policy, cl, &local);
        let p = peer_of(policy, cp, &remote);
        prop_assume!(policy.scheme().compare(&p.version, &l.version).is_lt());
        prop_assume!(policy.check(&p, &l).is_ok());
        for step in path_toward(policy, &p.version, &l.version) {
            let moved = Peer { component: p.component, version: step.clone() };
            let verdict = policy.check(&moved, &l);
            prop_assert!(verdict.is_ok(), "{}: {remote} accepted against {local}, {step} refused: {}", SYSTEMS[system], verdict.unwrap_err());
        }
    }

    #[test]
    fn peer_text_never_panics(system in 0usize..5, text in "\\PC{0,300}") {
        let policy = &POLICIES[system];
        let _ = policy.peer(&text).map_err(|e| e.to_string());
    }

    #[test]
    fn peer_text_after_a_known_component_never_panics(
        system in 0usize..5,
        c in any::<Index>(),
        junk in prop_oneof![
            "\\PC{0,200}",
            "[0-9.]{0,40}",
            "[0-9]{15,30}\\.[0-9]{1,30}\\.[0-9]{1,30}",
            "[0-9]\\.[0-9]\\.[0-9]-[a-z0-9.]{0,30}(\\+[a-z0-9.]{0,20})?",
            "@{0,5}[0-9.@]{0,20}",
            "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,5}",
        ],
        other in version(),
    ) {
        let policy = &POLICIES[system];
        let names = policy.components();
        let name = &names[c.index(names.len())].name;
        let text = format!("{name}@{junk}");
        match policy.peer(&text) {
            Ok(peer) => {
                let other = peer_of(policy, c, &other);
                let _ = policy.check(&peer, &other).map_err(|r| (r.to_string(), r.remedy()));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn huge_peer_text_never_panics(
        system in 0usize..5,
        c in any::<Index>(),
        body in prop::collection::vec(any::<char>(), 100..12_000),
    ) {
        let policy = &POLICIES[system];
        let names = policy.components();
        let body: String = body.into_iter().collect();
        let text = format!("{}@{body}", names[c.index(names.len())].name);
        let shown = policy.peer(&text).unwrap_err().to_string();
        prop_assert!(shown.len() < 300, "{shown}");
        let _ = policy.peer(&body).map_err(|e| e.to_string());
    }

    #[test]
    fn policy_text_never_panics(text in "\\PC{0,400}") {
        let _ = Policy::from_toml("compat.toml", &text).map_err(|e| e.to_string());
    }

    #[test]
    fn toml_shaped_policy_text_never_panics(
        text in "(\\[(components|versioning|upgrade|support|\\[rule\\]|\\[upgrade\\])\\]\n|[a-z-]{1,12} = (\"[a-z0-9 .<>=*-]{0,12}\"|true|false|\\[\"[a-z]{0,5}\"\\]|\\{\\})\n){0,20}"
    ) {
        let _ = Policy::from_toml("compat.toml", &text).map_err(|e| e.to_string());
    }

    #[test]
    fn mutated_seed_policies_never_panic(
        system in 0usize..5,
        mutations in prop::collection::vec(mutation(), 1..5),
        peers in prop::collection::vec((any::<Index>(), version()), 2..4),
    ) {
        let mut lines: Vec<String> = SOURCES[system].lines().map(String::from).collect();
        for m in &mutations {
            m.apply(&mut lines);
        }
        let text = lines.join("\n");
        match Policy::from_toml("compat.toml", &text) {
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(!shown.is_empty());
                prop_assert!(e.diagnostics.iter().any(|d| d.is_error()), "{shown}");
            }
            Ok(policy) => {
                // A policy that parses still checks every pair without panicking, and the
                // verdict still does not depend on the order.
                let parsed: Vec<Peer> = peers
                    .iter()
                    .filter_map(|(c, v)| {
                        let names = policy.components();
                        policy.peer(&format!("{}@{v}", names[c.index(names.len())].name)).ok()
                    })
                    .collect();
                for a in &parsed {
                    for b in &parsed {
                        let ab = policy.check(a, b);
                        prop_assert_eq!(&ab, &policy.check(b, a));
                        let _ = ab.map_err(|r| r.to_string());
                    }
                }
            }
        }
    }
}

/// One random edit of a policy file.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Put a line of another seed policy in.
    Borrow(Index, usize, Index),
    /// Replace the value of a `key = value` line.
    SetValue(Index, String),
    /// Replace one character.
    Poke(Index, Index, char),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let values = prop_oneof![
        Just("\"1 minor\""),
        Just("\"none\""),
        Just("\"any\""),
        Just("\"same major\""),
        Just("\"2 major\""),
        Just("\"any patch\""),
        Just("\"0 minor\""),
        Just("\"-1 minor\""),
        Just("\"99999999999999999999 minor\""),
        Just("\"*\""),
        Just("\"agent\""),
        Just("\"server\""),
        Just("\"client\""),
        Just("\"ghost\""),
        Just("\"0.0.0\""),
        Just("\"6.0.0-dev\""),
        Just("\"6.0.0-nightly\""),
        Just("\"1.2\""),
        Just("\"v1.2.3\""),
        Just("\"99999999999999999999.0.0\""),
        Just("\"\""),
        Just("true"),
        Just("false"),
        Just("42"),
        Just("[\"rc\"]"),
        Just("[]"),
        Just("[\"server\", \"server\"]"),
        Just("{}"),
        Just("\"<1.0.0\""),
        Just("\">=\""),
        Just("\"minor-is-major\""),
        Just("\"semver\""),
    ];
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), 0usize..5, any::<Index>()).prop_map(|(a, s, b)| Mutation::Borrow(a, s, b)),
        (any::<Index>(), values).prop_map(|(a, v)| Mutation::SetValue(a, v.to_string())),
        (any::<Index>(), any::<Index>(), any::<char>())
            .prop_map(|(a, b, c)| Mutation::Poke(a, b, c)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

impl Mutation {
    fn apply(&self, lines: &mut Vec<String>) {
        if lines.is_empty() {
            return;
        }
        let n = lines.len();
        match self {
            Mutation::DeleteLine(i) => {
                lines.remove(i.index(n));
            }
            Mutation::DuplicateLine(i) => {
                let line = lines[i.index(n)].clone();
                lines.insert(i.index(n), line);
            }
            Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
            Mutation::Borrow(at, system, which) => {
                let donor: Vec<&str> = SOURCES[*system].lines().collect();
                lines.insert(at.index(n), donor[which.index(donor.len())].to_string());
            }
            Mutation::SetValue(i, value) => {
                let line = &mut lines[i.index(n)];
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {value}");
                }
            }
            Mutation::Poke(i, at, c) => {
                let line = &mut lines[i.index(n)];
                let mut chars: Vec<char> = line.chars().collect();
                if !chars.is_empty() {
                    let at = at.index(chars.len());
                    chars[at] = *c;
                    *line = chars.into_iter().collect();
                }
            }
            Mutation::Truncate(i) => lines.truncate(i.index(n).max(1)),
        }
    }
}

#[test]
fn crossing_a_rule_boundary_can_refuse_a_closer_peer() {
    // Not a defect: the seeds change their promise at a release, and a rule applies by the
    // newer version of the pair. Moving the newer side down across the boundary brings the
    // older, stricter rule back.
    let teleport = &POLICIES[3];
    let p = |s: &str| teleport.peer(s).unwrap();
    // "`vN.*.*` binaries are compatible with any other `vN.*.*` or `vN-1.*.*` binaries"...
    assert!(teleport.check(&p("auth@6.0.0"), &p("node@5.0.0")).is_ok());
    // ... but before 6.0 "you must not attempt to upgrade from 4.1 straight to 4.3".
    let refusal = teleport
        .check(&p("auth@5.5.0"), &p("node@5.0.0"))
        .unwrap_err();
    assert_eq!(refusal.kind(), RefusalKind::TooOld);

    let phoenix = &POLICIES[4];
    let p = |s: &str| phoenix.peer(s).unwrap();
    // "As of the 4.3 release, a mix of clients on different minor release versions is
    //  supported as well (note that prior releases required all clients to be upgraded at the
    //  same time)."
    assert!(
        phoenix
            .check(&p("client@4.3.0"), &p("client@4.1.0"))
            .is_ok()
    );
    assert!(
        phoenix
            .check(&p("client@4.2.0"), &p("client@4.1.0"))
            .is_err()
    );
}

#[test]
fn the_path_toward_a_version_lies_between_the_two() {
    let policy = &POLICIES[3];
    let v = |s: &str| Version::parse(s).unwrap();
    let path: Vec<String> = path_toward(policy, &v("5.3.2"), &v("7.1.0"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(path, ["6.0.0", "7.0.0", "7.1.0"]);
    let path: Vec<String> = path_toward(policy, &v("7.3.2"), &v("5.1.0"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(path, ["6.3.2", "5.3.2", "5.2.2", "5.1.2", "5.1.1", "5.1.0"]);
    let path: Vec<String> = path_toward(policy, &v("6.1.0-rc.2"), &v("6.0.0"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(path, ["6.0.0"]);
    let path: Vec<String> = path_toward(policy, &v("6.0.0-rc.2"), &v("6.2.1"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(path, ["6.1.0-rc.2", "6.2.0-rc.2", "6.2.1-rc.2", "6.2.1"]);
}
