//! Property tests: over random policies, fleets and targets, every plan the planner returns
//! replays through the runtime's fleet check and ends with every instance at the target;
//! otherwise it says why there is no plan. It never panics and never returns an unverified
//! plan. A fleet that already breaks the policy is repaired by the plan's first steps, which
//! move instances toward the target only. No step lands on a release the policy denies
//! (`[[deny]]`, of one component or of all).

use cargo_compat::fleet_file::Fleet;
use cargo_compat::plan::replay::replay;
use cargo_compat::plan::{Action, PlanError, Request, plan};
use cargo_compat::releases::Releases;
use compat_runtime::{Policy, Version};
use proptest::prelude::*;

const RELEASES: [&str; 7] = [
    "1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.3.0", "2.0.0", "2.1.0",
];
const SKEWS: [&str; 9] = [
    "none",
    "1 patch",
    "any patch",
    "1 minor",
    "2 minor",
    "any minor",
    "same major",
    "1 major",
    "any",
];

#[derive(Debug, Clone)]
enum Form {
    Skew(usize, usize),
    Exact,
    Managed,
}

#[derive(Debug, Clone)]
struct Spec {
    components: usize,
    rules: Vec<(usize, usize, Form)>,
    order: Vec<usize>,
    jump: Option<usize>,
    rolling: bool,
    fleet: Vec<(usize, usize, u64, bool)>,
    target: usize,
    releases: Vec<bool>,
    /// `[[deny]]` tables: the component (`None`: every component), the first release
    /// refused and how many more after it.
    denies: Vec<(Option<usize>, usize, usize)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..=4).prop_flat_map(|n| {
        let form = prop_oneof![
            6 => (0..SKEWS.len(), 0..SKEWS.len()).prop_map(|(a, b)| Form::Skew(a, b)),
            1 => Just(Form::Exact),
            1 => Just(Form::Managed),
        ];
        (
            Just(n),
            prop::collection::vec((0..n, 0..n, form), 0..5),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            prop::option::of(0..SKEWS.len()),
            any::<bool>(),
            // Fleets near one release, some of which already break the policy (their plans
            // repair them first).
            (
                0..RELEASES.len(),
                prop::collection::vec((0..n, 0usize..3, 1u64..5, any::<bool>()), 1..7),
            )
                .prop_map(|(base, members)| {
                    members
                        .into_iter()
                        .map(|(c, off, k, named)| {
                            (c, (base + off).min(RELEASES.len() - 1), k, named)
                        })
                        .collect::<Vec<_>>()
                }),
            0..RELEASES.len(),
            prop::collection::vec(any::<bool>(), RELEASES.len()),
            prop::collection::vec((prop::option::of(0..n), 0..RELEASES.len(), 0usize..2), 0..3),
        )
            .prop_map(
                |(components, rules, order, jump, rolling, fleet, target, releases, denies)| Spec {
                    components,
                    rules,
                    order,
                    jump,
                    rolling,
                    fleet,
                    target,
                    releases,
                    denies,
                },
            )
    })
}

fn policy_text(s: &Spec) -> String {
    let mut t = String::from("[components]\n");
    for i in 0..s.components {
        t.push_str(&format!("c{i} = {{}}\n"));
    }
    // One rule per pair (the lint refuses two), symmetric for a component with itself, and
    // every component in some rule (the lint requires it: a loose chain fills the gaps).
    let mut pairs: std::collections::BTreeMap<(usize, usize), (usize, usize, Form)> =
        Default::default();
    for (a, b, form) in &s.rules {
        let key = ((*a).min(*b), (*a).max(*b));
        let form = match form {
            Form::Skew(n, _) if a == b => Form::Skew(*n, *n),
            Form::Exact | Form::Managed if a == b => continue,
            f => f.clone(),
        };
        pairs.entry(key).or_insert((*a, *b, form));
    }
    for i in 1..s.components {
        if !pairs.keys().any(|(x, y)| *x == i || *y == i) {
            pairs.insert((i - 1, i), (i, i - 1, Form::Skew(8, 8)));
        }
    }
    if !pairs.keys().any(|(x, y)| *x == 0 || *y == 0) {
        pairs.insert((0, 1), (1, 0, Form::Skew(8, 8)));
    }
    // A component has at most one manager.
    let mut managed = std::collections::BTreeSet::new();
    for (a, b, form) in pairs.values() {
        t.push_str(&format!(
            "\n[[rule]]\ncomponent = \"c{a}\"\npeer = \"c{b}\"\n"
        ));
        match form {
            Form::Managed if managed.insert(*a) => t.push_str("managed = true\n"),
            Form::Skew(n, o) => t.push_str(&format!(
                "newer = \"{}\"\nolder = \"{}\"\n",
                SKEWS[*n], SKEWS[*o]
            )),
            Form::Exact | Form::Managed => t.push_str("exact = true\n"),
        }
    }
    let order: Vec<String> = s
        .order
        .iter()
        .filter(|i| !managed.contains(*i))
        .map(|i| format!("\"c{i}\""))
        .collect();
    t.push_str(&format!(
        "\n[upgrade]\norder = [{}]\nrolling = {}\n",
        order.join(", "),
        s.rolling
    ));
    if let Some(j) = s.jump {
        t.push_str(&format!("max-jump = \"{}\"\n", SKEWS[j]));
    }
    for (c, from, more) in &s.denies {
        t.push_str("\n[[deny]]\n");
        if let Some(c) = c {
            t.push_str(&format!("component = \"c{c}\"\n"));
        }
        let through = (from + more).min(RELEASES.len() - 1);
        t.push_str(&format!(
            "from = \"{}\"\nthrough = \"{}\"\nreason = \"pulled\"\n",
            RELEASES[*from], RELEASES[through]
        ));
    }
    t
}

fn fleet_text(s: &Spec) -> String {
    let mut named = String::from("[instances]\n");
    let mut counts = std::collections::BTreeMap::new();
    for (k, (c, v, n, is_named)) in s.fleet.iter().enumerate() {
        if *is_named {
            for j in 0..*n {
                named.push_str(&format!("i{k}-{j} = \"c{c}@{}\"\n", RELEASES[*v]));
            }
        } else {
            *counts.entry(format!("c{c}@{}", RELEASES[*v])).or_insert(0) += n;
        }
    }
    let mut t = named;
    t.push_str("[counts]\n");
    for (k, n) in counts {
        t.push_str(&format!("\"{k}\" = {n}\n"));
    }
    t
}

/// A plan for a fleet that breaks the policy repairs it first: after its repair steps the
/// fleet satisfies the policy, and each of them moved instances toward the target (a
/// redeploy follows its manager). A fleet that satisfies the policy has no repair.
fn repairs_first(
    policy: &Policy,
    fleet: &Fleet,
    plan: &cargo_compat::plan::Plan,
    target: &Version,
    broken: bool,
) -> Result<(), TestCaseError> {
    let Some(repair) = &plan.repair else {
        prop_assert!(!broken, "no repair for a fleet that breaks the policy");
        return Ok(());
    };
    prop_assert!(broken && repair.steps > 0, "{:?}", repair);
    let repaired = replay(policy, fleet, &plan.steps[..repair.steps]).unwrap();
    prop_assert_eq!(repaired.broken, None);
    let scheme = policy.scheme();
    for step in &plan.steps[..repair.steps] {
        if let (Action::Upgrade | Action::Downgrade, Some(from)) = (step.action, &step.from) {
            // Closer to the target, and not past it.
            let (side, now) = (
                scheme.compare(from, target),
                scheme.compare(&step.version, target),
            );
            let closer = scheme.compare(&step.version, from) == scheme.compare(target, from);
            prop_assert!(
                (now.is_eq() || now == side) && closer,
                "{} moved away from {}",
                step.component,
                target
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_replays_through_the_fleet_check(s in spec()) {
        // Policies the lint refuses (contradictions, managed gaps) are not policies at all.
        let Ok(policy) = Policy::from_toml("compat.toml", &policy_text(&s)) else {
            return Ok(());
        };
        let fleet = Fleet::from_toml(&policy, "fleet.toml", &fleet_text(&s)).expect("a valid fleet");
        let mut list: Vec<&str> = RELEASES.iter().zip(&s.releases).filter(|(_, keep)| **keep).map(|(r, _)| *r).collect();
        list.push(RELEASES[s.target]);
        list.sort();
        list.dedup();
        let releases = Releases::parse(&policy, &list.join(",")).unwrap();
        let target = Version::parse(RELEASES[s.target]).unwrap();
        let broken = !policy.check_fleet(&fleet.instances(&policy)).is_empty();
        match plan(&policy, &fleet, &Request::to(target.clone()).through(releases)) {
            Ok(plan) => {
                let end = replay(&policy, &fleet, &plan.steps).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(end.all_running(&target), "{:?}", end);
                prop_assert_eq!(end.broken, None);
                repairs_first(&policy, &fleet, &plan, &target, broken)?;
                // Named instances get rows of their own; no row moves a managed component by
                // hand, and none moves an instance onto a release the policy denies it.
                for step in &plan.steps {
                    if matches!(step.action, Action::Upgrade | Action::Downgrade | Action::Redeploy) {
                        prop_assert!(
                            !policy.is_denied(step.component_id, &step.version),
                            "step onto a denied release: {:?}", step
                        );
                    }
                    if let Some(name) = &step.instance {
                        prop_assert_eq!(step.count, 1, "{}", name);
                    }
                    if matches!(step.action, Action::Upgrade | Action::Downgrade) {
                        let managed = policy.rules().iter().any(|r| {
                            r.form.value == compat_runtime::policy::Form::Managed
                                && r.component.value == compat_runtime::policy::Side::Named(step.component.clone())
                        });
                        prop_assert!(!managed || step.stopped, "{} moved by hand", step.component);
                    }
                }
                // Resuming: from any point of the rollout where nothing is stopped, planning
                // again reaches the target too.
                for k in (1..plan.steps.len()).filter(|&k| !plan.steps[k].joint) {
                    let mid = replay(&policy, &fleet, &plan.steps[..k]).unwrap();
                    if mid.versions.values().any(|(_, stopped)| *stopped > 0) {
                        continue;
                    }
                    let text: String = std::iter::once("[counts]\n".to_string())
                        .chain(mid.versions.iter().filter(|(_, (n, _))| *n > 0).map(|((c, v), (n, _))| {
                            format!("\"{}@{v}\" = {n}\n", policy.components()[*c].name)
                        }))
                        .collect();
                    let resumed_fleet = Fleet::from_toml(&policy, "mid.toml", &text).unwrap();
                    // The releases the plan knew, the original fleet's versions among them
                    // (a repair may move every instance off one of those).
                    let known: Vec<String> = plan.releases.iter().map(|r| r.version.to_string()).collect();
                    let list = Releases::parse(&policy, &known.join(",")).unwrap();
                    match cargo_compat::plan::plan(&policy, &resumed_fleet, &Request::to(target.clone()).through(list)) {
                        Ok(rest) => prop_assert!(replay(&policy, &resumed_fleet, &rest.steps).unwrap().all_running(&target)),
                        Err(e) => prop_assert!(false, "after step {}, no plan resumes: {}\n{}", k, e, text),
                    }
                }
                // Planning again gives the same plan.
                let again = cargo_compat::plan::plan(&policy, &fleet, &Request::to(target.clone()).through(Releases::parse(&policy, &list.join(",")).unwrap())).unwrap();
                prop_assert_eq!(again, plan);
            }
            Err(PlanError::NoPlan { reason, .. }) => prop_assert!(!reason.is_empty()),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    #[test]
    fn without_rules_every_fleet_has_a_plan(
        fleet in prop::collection::vec((0usize..3, 0..RELEASES.len(), 1u64..1000), 1..6),
        target in 0..RELEASES.len(),
    ) {
        let policy = Policy::from_toml(
            "compat.toml",
            "[components]\na = {}\nb = {}\nc = {}\n[[rule]]\ncomponent = \"*\"\npeer = \"*\"\nskew = \"any\"\n",
        )
        .unwrap();
        let mut counts = std::collections::BTreeMap::new();
        for (c, v, n) in fleet {
            *counts.entry(format!("{}@{}", ["a", "b", "c"][c], RELEASES[v])).or_insert(0) += n;
        }
        let text: String = std::iter::once("[counts]\n".to_string()).chain(counts.iter().map(|(k, n)| format!("\"{k}\" = {n}\n"))).collect();
        let fleet = Fleet::from_toml(&policy, "fleet.toml", &text).unwrap();
        let target = Version::parse(RELEASES[target]).unwrap();
        let plan = plan(&policy, &fleet, &Request::to(target.clone())).unwrap();
        prop_assert!(replay(&policy, &fleet, &plan.steps).unwrap().all_running(&target));
    }
}
