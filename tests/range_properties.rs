//! Every range compat states is exact, over generated policies: random components, skews
//! (asymmetric newer and older limits), rules that change at a release (`from`/`until`),
//! unstable ranges, support windows and floors, denied releases, the pre-1.0 reading and
//! `max-jump`. For each,
//! the ranges of `Policy::accepted` and every remedy's target hold against the check at their
//! edges and across a scan of releases, a remedy's stops are steps `max-jump` allows, and a
//! move that a `max-jump` governs says what it imposes (`steps` is never `None` then).

use compat_runtime::check::{Direction, Route};
use compat_runtime::policy::ComponentId;
use compat_runtime::skew::Limit;
use compat_runtime::{Peer, Policy, Version};
use proptest::prelude::*;

mod edges;

use edges::{check_edges, check_ranges, grid};

const SKEWS: [&str; 10] = [
    "none",
    "any",
    "1 patch",
    "any patch",
    "1 minor",
    "2 minor",
    "any minor",
    "same major",
    "1 major",
    "2 major",
];

const NAMES: [&str; 3] = ["server", "agent", "cli"];

/// A `[[rule]]` between components `a` and `b`: a skew each way (the same both ways when
/// `a` is `b`), and the releases it applies to.
#[derive(Debug, Clone)]
struct RuleSpec {
    a: usize,
    b: usize,
    newer: usize,
    older: usize,
    /// Split at a release: this skew until it, the other from it on.
    split: Option<(String, usize, usize)>,
}

#[derive(Debug, Clone)]
struct PolicySpec {
    components: usize,
    rules: Vec<RuleSpec>,
    max_jump: Option<usize>,
    /// A second `[[upgrade]]` table with its own `max-jump`, from this release on.
    jump_from: Option<(String, usize)>,
    unstable: bool,
    minor_is_major: bool,
    window: Option<usize>,
    minimum: Option<String>,
    /// `[[deny]]` tables: the component (`None`: every component), the first release refused
    /// and how far the last lies after it (minors, then patches).
    denies: Vec<(Option<usize>, String, (u64, u64))>,
}

fn release() -> impl Strategy<Value = String> {
    (0u64..5, 0u64..6, 0u64..3).prop_map(|(m, n, p)| format!("{m}.{n}.{p}"))
}

fn rule(components: usize) -> impl Strategy<Value = RuleSpec> {
    (
        0..components,
        0..components,
        0..SKEWS.len(),
        0..SKEWS.len(),
        proptest::option::weighted(0.3, (release(), 0..SKEWS.len(), 0..SKEWS.len())),
    )
        .prop_map(|(a, b, newer, older, split)| RuleSpec {
            a,
            b,
            newer,
            older,
            split,
        })
}

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (2usize..=3).prop_flat_map(|components| {
        (
            proptest::collection::vec(rule(components), 1..4),
            proptest::option::weighted(0.6, 2..SKEWS.len()),
            proptest::option::weighted(0.2, (release(), 4..SKEWS.len())),
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.2),
            proptest::option::weighted(0.2, prop_oneof![Just(8usize), Just(9usize)]),
            proptest::option::weighted(0.2, release()),
            proptest::collection::vec(
                (
                    proptest::option::of(0..components),
                    release(),
                    (0u64..2, 0u64..3),
                ),
                0..3,
            ),
        )
            .prop_map(
                move |(
                    rules,
                    max_jump,
                    jump_from,
                    unstable,
                    minor_is_major,
                    window,
                    minimum,
                    denies,
                )| {
                    PolicySpec {
                        components,
                        rules,
                        max_jump,
                        jump_from,
                        unstable,
                        minor_is_major,
                        window,
                        minimum,
                        denies,
                    }
                },
            )
    })
}

impl PolicySpec {
    fn toml(&self) -> String {
        let mut out = String::new();
        if self.unstable || self.minor_is_major {
            out.push_str("[versioning]\n");
            if self.unstable {
                out.push_str("unstable = \"<1.0.0\"\n");
            }
            if self.minor_is_major {
                out.push_str("major-zero = \"minor-is-major\"\n");
            }
        }
        out.push_str("[components]\n");
        for name in &NAMES[..self.components] {
            out.push_str(&format!("{name} = {{}}\n"));
        }
        let mut seen = Vec::new();
        for r in &self.rules {
            // One rule (or one split pair of rules) per pair of components.
            let pair = (r.a.min(r.b), r.a.max(r.b));
            if seen.contains(&pair) {
                continue;
            }
            seen.push(pair);
            let skews = |newer: usize, older: usize| {
                if r.a == r.b {
                    format!("skew = \"{}\"\n", SKEWS[newer])
                } else {
                    format!(
                        "newer = \"{}\"\nolder = \"{}\"\n",
                        SKEWS[newer], SKEWS[older]
                    )
                }
            };
            let head = format!(
                "[[rule]]\ncomponent = \"{}\"\npeer = \"{}\"\n",
                NAMES[r.a], NAMES[r.b]
            );
            match &r.split {
                None => out.push_str(&format!("{head}{}", skews(r.newer, r.older))),
                Some((at, newer, older)) => {
                    out.push_str(&format!(
                        "{head}{}until = \"{at}\"\n",
                        skews(r.newer, r.older)
                    ));
                    out.push_str(&format!("{head}{}from = \"{at}\"\n", skews(*newer, *older)));
                }
            }
        }
        let order: Vec<String> = NAMES[..self.components]
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect();
        let table = |jump: Option<usize>| {
            let mut t = format!("order = [{}]\nrolling = false\n", order.join(", "));
            if let Some(j) = jump {
                t.push_str(&format!("max-jump = \"{}\"\n", SKEWS[j]));
            }
            t
        };
        match &self.jump_from {
            None => out.push_str(&format!("[upgrade]\n{}", table(self.max_jump))),
            Some((at, jump)) => {
                out.push_str(&format!(
                    "[[upgrade]]\n{}until = \"{at}\"\n",
                    table(self.max_jump)
                ));
                out.push_str(&format!(
                    "[[upgrade]]\n{}from = \"{at}\"\n",
                    table(Some(*jump))
                ));
            }
        }
        out.push_str(&self.support_and_deny_tables());
        out
    }

    /// The `[support]` table, and the `[[deny]]` tables.
    fn support_and_deny_tables(&self) -> String {
        let mut out = String::new();
        if self.window.is_some() || self.minimum.is_some() {
            out.push_str("[support]\n");
            if let Some(w) = self.window {
                out.push_str(&format!("window = \"{}\"\n", SKEWS[w]));
            }
            if let Some(m) = &self.minimum {
                out.push_str(&format!("minimum = \"{m}\"\n"));
            }
        }
        for (c, from, span) in &self.denies {
            out.push_str("[[deny]]\n");
            if let Some(c) = c {
                out.push_str(&format!("component = \"{}\"\n", NAMES[*c]));
            }
            let through = through(from, *span);
            out.push_str(&format!(
                "from = \"{from}\"\nthrough = \"{through}\"\nreason = \"pulled\"\n"
            ));
        }
        out
    }

    /// The releases where a deny starts or ends, for the scans.
    fn deny_edges(&self) -> Vec<Version> {
        self.denies
            .iter()
            .flat_map(|(_, from, span)| [Version::parse(from).unwrap(), through(from, *span)])
            .collect()
    }
}

/// The last release a deny from `from` refuses, `minors` and then `patches` after it.
fn through(from: &str, (minors, patches): (u64, u64)) -> Version {
    let v = Version::parse(from).unwrap();
    match minors {
        0 => Version::new(v.major, v.minor, v.patch + patches),
        n => Version::new(v.major, v.minor + n, patches),
    }
}

fn version() -> impl Strategy<Value = Version> {
    (
        0u64..5,
        0u64..6,
        0u64..4,
        prop_oneof![6 => Just(""), 1 => Just("-rc.1")],
    )
        .prop_map(|(m, n, p, pre)| Version::parse(&format!("{m}.{n}.{p}{pre}")).unwrap())
}

/// The releases each check scans.
fn scan(extra: &[&Version]) -> Vec<Version> {
    let mut out = grid(
        &[0, 1, 2, 3, 4, 5, 6],
        &[0, 1, 2, 3, 4, 5, 6, 7],
        &[0, 1, 3],
    );
    for v in extra {
        let release = Version::new(v.major, v.minor, v.patch);
        out.extend(edges::before(&release));
        out.push(edges::after(&release));
        out.push(release);
    }
    out.sort();
    out.dedup();
    out
}

fn id(policy: &Policy, i: usize) -> ComponentId {
    policy.component(NAMES[i]).unwrap()
}

/// The generated policy, or `None` when lint refuses it (an order that breaks a rule, …).
fn parsed(spec: &PolicySpec) -> Option<Policy> {
    Policy::from_toml("compat.toml", &spec.toml()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 8192, ..ProptestConfig::default() })]

    #[test]
    fn every_accepted_range_holds_against_the_check(
        spec in policy_spec(),
        a in 0usize..3,
        b in 0usize..3,
        at in version(),
    ) {
        let policy = parsed(&spec);
        prop_assume!(policy.is_some() && a < spec.components && b < spec.components);
        let policy = policy.unwrap();
        let (a, b) = (id(&policy, a), id(&policy, b));
        let peer = Peer { component: a, version: at.clone() };
        let stated: Vec<_> = policy.accepted(a, &at, b).iter().collect();
        let accepted = |x: &Version| {
            policy.check(&Peer { component: b, version: x.clone() }, &peer).is_ok()
        };
        let edges = spec.deny_edges();
        let scan = scan(&edges.iter().chain([&at]).collect::<Vec<_>>());
        if let Err(e) = check_ranges(&stated, &accepted, &scan) {
            prop_assert!(false, "{}\nwith {} at {at}: {e}", spec.toml(), policy.component_name(a));
        }
    }

    #[test]
    fn every_remedy_names_the_exact_range_and_the_steps_max_jump_imposes(
        spec in policy_spec(),
        a in 0usize..3,
        b in 0usize..3,
        va in version(),
        vb in version(),
    ) {
        let policy = parsed(&spec);
        prop_assume!(policy.is_some() && a < spec.components && b < spec.components);
        let policy = policy.unwrap();
        let pa = Peer { component: id(&policy, a), version: va.clone() };
        let pb = Peer { component: id(&policy, b), version: vb.clone() };
        let Err(refusal) = policy.check(&pa, &pb) else {
            return Ok(());
        };
        let edges = spec.deny_edges();
        let scan = scan(&edges.iter().chain([&va, &vb]).collect::<Vec<_>>());
        for m in refusal.moves().iter().filter(|m| m.direction != Direction::Redeploy) {
            let (moved, fixed) = if policy.component_name(pa.component) == m.who.component
                && va == m.who.version
            {
                (&pa, &pb)
            } else {
                (&pb, &pa)
            };
            let up = m.direction == Direction::Upgrade;
            // A peer at a denied release refuses everything and moves off too: a move off a
            // denied release leaves it out, and lands on any release not denied.
            let fixed_denied = policy.is_denied(fixed.component, &fixed.version);
            let accepted = |x: &Version| {
                let ahead = policy.scheme().compare(x, &moved.version).is_gt();
                let at_x = Peer { component: moved.component, version: x.clone() };
                ahead == up
                    && if fixed_denied {
                        !policy.is_denied(moved.component, x)
                    } else {
                        policy.check(&at_x, fixed).is_ok()
                    }
            };
            let said = format!("{}\n{refusal}\n  {m}", spec.toml());
            if let Err(e) = check_edges(&m.to, &accepted, &scan) {
                prop_assert!(false, "{said}\n  {e}");
            }
            // The setting that governs the step into the range's nearest release, going up,
            // or out of the moved version, going down.
            let nearest = match (&m.to.lowest, &m.to.limit) {
                (Some(lo), _) if up => lo.clone(),
                (_, Some(Limit::AtMost(h))) => h.clone(),
                (_, Some(Limit::Below(x))) => edges::before(x).unwrap(),
                _ => continue,
            };
            let governing = if up { &nearest } else { &moved.version };
            let jump = policy.upgrade_at(governing).and_then(|u| u.max_jump.as_ref());
            if jump.is_some() {
                prop_assert!(m.steps.is_some(), "{said}\n  max-jump applies, yet no steps");
            }
            if let Some(Route::Through(stops)) = m.steps.as_ref().map(|s| &s.route) {
                let mut at = moved.version.clone();
                for s in stops.iter().chain([&nearest]) {
                    let (older, newer) = if up { (&at, s) } else { (s, &at) };
                    let allowed = policy
                        .upgrade_at(newer)
                        .and_then(|u| u.max_jump.as_ref())
                        .is_none_or(|j| j.value.admits(policy.scheme(), older, newer));
                    prop_assert!(allowed, "{said}\n  the step from {at} to {s} is too far");
                    at = s.clone();
                }
            }
        }
    }
}
