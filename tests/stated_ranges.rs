//! Every range compat states is exact, held against the check at its edges and across a scan
//! of releases: the ranges of `Policy::accepted`, each remedy's target, and each "supported
//! at …" sentence of the five checked-in guides. The five seed policies; generated policies
//! are in `range_properties.rs`.

use compat_runtime::check::{Direction, Move, Route};
use compat_runtime::policy::ComponentId;
use compat_runtime::skew::Limit;
use compat_runtime::{Peer, Policy, Version};

mod edges;

use edges::{check_edges, check_ranges, grid, parse_ranges};

/// Each example with the releases its guide's worked examples use.
const SYSTEMS: [(&str, &str); 5] = [
    ("spire", "0.8.0,0.8.1,0.9.0,0.9.2,0.9.3"),
    ("mirrord", "3.117.0,3.118.0"),
    ("gullveig", "1.0.0,1.1.4,1.1.5"),
    (
        "teleport",
        "4.0.1,4.0.3,4.1.0,4.2.0,4.3.0,5.0.0,6.3.2,7.1.2,8.0.1,8.1.0",
    ),
    ("phoenix", "4.1.0,4.2.1,4.3.0,4.3.1"),
];

fn policy(system: &str) -> Policy {
    Policy::from_path(format!(
        "{}/examples/{system}/compat.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn ids(policy: &Policy) -> Vec<ComponentId> {
    policy
        .components()
        .iter()
        .map(|c| policy.component(&c.name).unwrap())
        .collect()
}

/// The versions ranges are taken around: the guide's releases, the releases where the policy
/// changes (rules' and upgrade tables' `from` and `until`, the floor) and the releases next
/// to them, some pre-releases, and unstable versions.
fn around(policy: &Policy, releases: &str) -> Vec<Version> {
    let mut out: Vec<Version> = releases.split(',').map(v).collect();
    let mut bounds: Vec<Version> = Vec::new();
    for r in policy.rules() {
        bounds.extend(
            [&r.from, &r.until]
                .into_iter()
                .flatten()
                .map(|b| b.value.clone()),
        );
    }
    for u in policy.upgrades() {
        bounds.extend(
            [&u.from, &u.until]
                .into_iter()
                .flatten()
                .map(|b| b.value.clone()),
        );
    }
    bounds.extend(policy.support().minimum.iter().map(|m| m.value.clone()));
    for b in bounds {
        let release = Version::new(b.major, b.minor, b.patch);
        out.extend(edges::before(&release));
        out.push(edges::after(&release));
        out.push(release);
        out.push(b);
    }
    out.extend(["0.9.3", "1.0.0-rc.1", "6.0.0-rc.1", "6.0.0-beta.1", "2.0.0"].map(v));
    out.sort();
    out.dedup();
    out
}

/// The releases each check scans: a grid around the seed versions, and the versions the
/// ranges are taken around, with their neighbours.
fn scan(around: &[Version]) -> Vec<Version> {
    let mut out = grid(&(0..=11).collect::<Vec<_>>(), &[0, 1, 2, 4, 12], &[0, 9]);
    for a in around.iter().filter(|a| a.pre.is_empty()) {
        out.extend(edges::before(a));
        out.push(edges::after(a));
        out.push(a.clone());
        out.push(Version::new(a.major, a.minor.saturating_add(1), 0));
        out.push(Version::new(a.major, a.minor.saturating_add(3), 0));
    }
    out.sort();
    out.dedup();
    out
}

/// Each seed policy, with the versions ranges are taken around, the releases scanned, and
/// its components.
struct Seed {
    system: &'static str,
    policy: Policy,
    around: Vec<Version>,
    scan: Vec<Version>,
    ids: Vec<ComponentId>,
}

fn seeds() -> impl Iterator<Item = Seed> {
    SYSTEMS.iter().map(|&(system, releases)| {
        let policy = policy(system);
        let around = around(&policy, releases);
        let scan = scan(&around);
        let ids = ids(&policy);
        Seed {
            system,
            policy,
            around,
            scan,
            ids,
        }
    })
}

fn accepts(policy: &Policy, at: &Peer, component: ComponentId) -> impl Fn(&Version) -> bool {
    move |x: &Version| {
        let moved = Peer {
            component,
            version: x.clone(),
        };
        policy.check(&moved, at).is_ok()
    }
}

#[test]
fn every_accepted_range_of_the_seed_policies_is_exact() {
    let mut wrong = Vec::new();
    for Seed {
        system,
        policy,
        around,
        scan,
        ids,
    } in seeds()
    {
        for &a in &ids {
            for &b in &ids {
                for at in &around {
                    let peer = Peer {
                        component: a,
                        version: at.clone(),
                    };
                    let stated: Vec<_> = policy.accepted(a, at, b).iter().collect();
                    let accepted = accepts(&policy, &peer, b);
                    if let Err(e) = check_ranges(&stated, &accepted, &scan) {
                        wrong.push(format!(
                            "{system}: `{}` with {} at {at}: {e}",
                            policy.component_name(b),
                            policy.component_name(a)
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A remedy's stops are steps `max-jump` allows (a step is governed by the settings of the
/// newer of its two ends: the release stepped to going up, the one left going down), each
/// into the next, the last into the range's nearest release.
fn route_is_allowed(policy: &Policy, from: &Version, m: &Move) -> bool {
    let Some(Route::Through(stops)) = m.steps.as_ref().map(|s| &s.route) else {
        return true;
    };
    let up = m.direction == Direction::Upgrade;
    let allowed = |older: &Version, newer: &Version| {
        policy
            .upgrade_at(newer)
            .and_then(|u| u.max_jump.as_ref())
            .is_none_or(|j| j.value.admits(policy.scheme(), older, newer))
    };
    let nearest = match (up, &m.to.lowest, &m.to.limit) {
        (true, Some(lo), _) => lo.clone(),
        (false, _, Some(Limit::AtMost(h))) => h.clone(),
        (false, _, Some(Limit::Below(x))) => edges::before(x).unwrap(),
        _ => return false,
    };
    let mut at = from.clone();
    for s in stops.iter().chain([&nearest]) {
        let ok = if up { allowed(&at, s) } else { allowed(s, &at) };
        if !ok {
            return false;
        }
        at = s.clone();
    }
    true
}

#[test]
fn every_remedy_of_the_seed_policies_names_an_exact_range_and_allowed_steps() {
    let mut wrong = Vec::new();
    let mut moves = 0;
    for Seed {
        system,
        policy,
        around,
        scan,
        ids,
    } in seeds()
    {
        for &a in &ids {
            for &b in &ids {
                for x in &around {
                    for y in &around {
                        let (pa, pb) = (
                            Peer {
                                component: a,
                                version: x.clone(),
                            },
                            Peer {
                                component: b,
                                version: y.clone(),
                            },
                        );
                        let Err(refusal) = policy.check(&pa, &pb) else {
                            continue;
                        };
                        for m in refusal.moves() {
                            if m.direction == Direction::Redeploy {
                                continue;
                            }
                            moves += 1;
                            let (moved, fixed) = if policy.component_name(a) == m.who.component
                                && *x == m.who.version
                            {
                                (&pa, &pb)
                            } else {
                                (&pb, &pa)
                            };
                            // The releases in the move's direction that the other side
                            // accepts: the range is their nearest run, exact at both ends.
                            let up = m.direction == Direction::Upgrade;
                            let accepts = accepts(&policy, fixed, moved.component);
                            let accepted = |x: &Version| {
                                let ahead = policy.scheme().compare(x, &moved.version).is_gt();
                                ahead == up && accepts(x)
                            };
                            let said = format!("{system}: {refusal}\n  {m}");
                            if let Err(e) = check_edges(&m.to, &accepted, &scan) {
                                wrong.push(format!("{said}\n  {e}"));
                            }
                            if !route_is_allowed(&policy, &moved.version, m) {
                                wrong.push(format!("{said}\n  a stop is further than a step"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(moves > 1000, "only {moves} moves checked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What a guide's example sentence is about: the component stated, and the peers it is
/// stated against.
fn sentence_peers(policy: &Policy, head: &str) -> Option<(ComponentId, Vec<Peer>)> {
    let name = |s: &str| policy.component(s.trim_matches('`'));
    let peer = |c: ComponentId, at: &str| Peer {
        component: c,
        version: v(at),
    };
    // "with one `server` at 0.9.3, the other `server` instances are supported at"
    if let Some(rest) = head.strip_prefix("With one ") {
        let (c, rest) = rest.split_once(" at ")?;
        let (at, _) = rest.split_once(", the other ")?;
        let c = name(c)?;
        return Some((c, vec![peer(c, at)]));
    }
    // "With `server` instances at both 0.9.3 and 0.9.2, `agent` is supported at"
    let rest = head.strip_prefix("With ")?;
    if let Some((c, rest)) = rest.split_once(" instances at both ") {
        let (at, rest) = rest.split_once(" and ")?;
        let (at2, subject) = rest.split_once(", ")?;
        let c = name(c)?;
        let subject = name(subject.strip_suffix(" is")?)?;
        return Some((subject, vec![peer(c, at), peer(c, at2)]));
    }
    // "With `client` at 4.3.1, `server` is supported at"
    let (c, rest) = rest.split_once(" at ")?;
    let (at, subject) = rest.split_once(", ")?;
    let subject = name(subject.strip_suffix(" is")?)?;
    Some((subject, vec![peer(name(c)?, at)]))
}

#[test]
fn every_supported_at_sentence_of_the_five_guides_holds_at_its_edges() {
    let mut read = 0;
    let mut wrong = Vec::new();
    for Seed {
        system,
        policy,
        scan,
        ..
    } in seeds()
    {
        let path = format!(
            "{}/examples/{system}/COMPATIBILITY.md",
            env!("CARGO_MANIFEST_DIR")
        );
        let page = std::fs::read_to_string(&path).unwrap();
        for line in page.lines().filter(|l| l.contains(" supported at ")) {
            let line = line.trim_start_matches("- ");
            let (head, stated) = line.split_once(" supported at ").unwrap();
            // The ranges end at the sentence's end or at a parenthesis after them.
            let stated = stated.split(" (").next().unwrap().trim_end_matches('.');
            let (Some((subject, peers)), Some(ranges)) =
                (sentence_peers(&policy, head), parse_ranges(stated))
            else {
                wrong.push(format!("{system}: cannot read {line:?}"));
                continue;
            };
            read += 1;
            let accepted = |x: &Version| {
                let moved = Peer {
                    component: subject,
                    version: x.clone(),
                };
                peers.iter().all(|p| policy.check(&moved, p).is_ok())
            };
            if let Err(e) = check_ranges(&ranges, &accepted, &scan) {
                wrong.push(format!("{system}: {line:?}: {e}"));
            }
        }
    }
    assert!(read >= 20, "only {read} sentences read");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_range_the_matrix_states_holds_at_its_edges() {
    let mut read = 0;
    let mut wrong = Vec::new();
    for (seed, (_, releases)) in seeds().zip(SYSTEMS) {
        let Seed {
            system,
            policy,
            scan,
            ..
        } = seed;
        let listed: Vec<Version> = releases.split(',').map(v).collect();
        let page = cargo_compat::matrix::Matrix::new(&policy, &listed).markdown();
        // "- `server` 0.9.3 accepts `agent` at 0.8.0 through 0.9.3."
        for line in page.lines().filter(|l| l.contains(" accepts `")) {
            let sentence = line.trim_start_matches("- ").trim_end_matches('.');
            let (head, stated) = sentence.split_once(" at ").unwrap();
            let mut words = head.split(' ');
            let (Some(row), Some(at), Some("accepts"), Some(column)) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                wrong.push(format!("{system}: cannot read {line:?}"));
                continue;
            };
            let name = |s: &str| policy.component(s.trim_matches('`')).unwrap();
            let at = Peer {
                component: name(row),
                version: v(at),
            };
            let accepted = accepts(&policy, &at, name(column));
            let Some(ranges) = parse_ranges(stated) else {
                wrong.push(format!("{system}: cannot read {line:?}"));
                continue;
            };
            read += 1;
            if let Err(e) = check_ranges(&ranges, &accepted, &scan) {
                wrong.push(format!("{system}: {line:?}: {e}"));
            }
        }
    }
    assert!(read >= 40, "only {read} matrix lines read");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
