//! The planner: the ordered steps that take a fleet to a target release, up or down, such
//! that every fleet in between satisfies the policy.
//!
//! The versions the fleet runs and the target are releases by definition; `--releases` or
//! the `compat.lock` add those in between, and the plan says what names each
//! ([`Plan::releases`]).
//!
//! No step lands on a release the policy denies (`[[deny]]`): a wave goes to another
//! release, or the answer says which deny stands in the way; a denied target has no plan.
//!
//! A fleet that already breaks the policy is repaired first: instances move toward the
//! target, those in a refused pair first, one group at a time, each move refusing no pair
//! that talks, until the fleet satisfies the policy ([`Plan::repair`]); where no move may,
//! the answer is the reason and the instance to move first.
//!
//! Then the plan moves in waves. Each wave takes every instance on the wrong side of one
//! release to that release, component by component in the upgrade `order` (or the
//! `downgrade` order): the farthest release that one step may reach (`max-jump`) and that
//! keeps the fleet valid throughout, preferring waves that stop nothing except what a
//! lockstep rule (`exact`) forces. Within a wave, for each component:
//!
//! - instances of other components that the component's new version would refuse are
//!   stopped first (Gullveig stops web before the server restarts) and started again once
//!   they have moved;
//! - instances roll one at a time where `rolling` says so and the policy allows both versions
//!   side by side; otherwise they stop, move and start together, with a warning;
//! - managed components are redeployed by their manager as part of its move, never by hand;
//! - a `verify` step follows before the next component moves.
//!
//! Planning works on groups of instances (a component at a version), so its cost does not
//! grow with the fleet; only writing the steps does (one row per named instance, one counted
//! row per move of unnamed ones). Every plan is replayed through the runtime's fleet check
//! ([`replay::replay`]) before it is returned.
//!
//! The files, each using only those listed before it: `steps` and `request` (what a plan
//! is, what is asked), `breaks` (what a fleet breaks, and the rule every step keeps),
//! `cluster` (components whose instances cover for each other), `cohort` (groups of
//! instances), `op` (operations on groups), `blocked` and `warnings` (why a wave cannot be
//! taken, what the operator must know), `order` (which way a wave goes, the order components
//! move in), `denied` (the releases no step lands on), `roll` (one component's move), `wave`
//! (one wave), `missing` (why no wave fits: the rule, the release that is missing, the deny
//! in the way), `search` (choosing the waves), `repair` (repairing a fleet that breaks the
//! policy), `expand` (operations as steps), `replay` (the verifier), `output` (text, JSON,
//! Markdown). This file plans, expands and verifies.

mod blocked;
mod breaks;
mod cluster;
mod cohort;
mod denied;
mod expand;
mod missing;
mod op;
mod order;
pub mod output;
mod repair;
pub mod replay;
mod request;
mod roll;
mod search;
mod steps;
mod warnings;
mod wave;

use compat_runtime::Policy;

use crate::fleet_file::Fleet;
use crate::releases::Releases;
use cohort::group;
use expand::{expand, summary};
use replay::replay;
use search::Planner;

pub use cluster::cluster_rule;
pub use request::{PlanError, Request};
pub use steps::{Action, Direction, ONE_EACH, Plan, Release, Repair, Row, Step, releases_words};
use warnings::broken_fleet;

/// Plans the steps that take `fleet` to `request.target`, verified by replay.
///
/// ```
/// use cargo_compat::{fleet_file::Fleet, plan::{plan, Action, Request}};
/// use compat_runtime::Policy;
///
/// let policy = Policy::from_path("../examples/spire/compat.toml")?;
/// let fleet = Fleet::from_toml(&policy, "fleet.toml", r#"
///     [instances]
///     server-a = "server@0.8.1"
///     server-b = "server@0.8.1"
///     agent-1 = "agent@0.8.1"
/// "#)?;
/// let plan = plan(&policy, &fleet, &Request::to("0.9.3".parse()?))?;
/// let moves: Vec<String> = plan.steps.iter()
///     .map(|s| format!("{} {}", s.action, s.instance.as_deref().unwrap_or(&s.component)))
///     .collect();
/// assert_eq!(moves, ["upgrade server-a", "upgrade server-b", "verify server", "upgrade agent-1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(policy: &Policy, fleet: &Fleet, request: &Request) -> Result<Plan, PlanError> {
    let target = &request.target;
    let known = known(policy, fleet, request);
    let releases = Releases {
        versions: known.iter().map(|r| r.version.clone()).collect(),
        source: String::new(),
    };
    let initial = group(fleet);
    denied::target_denied(policy, &initial, target)?;
    let planner = Planner {
        policy,
        target,
        releases: &releases,
        known: &known,
        assumed: request.assumed,
    };
    let repaired = planner.repair(&initial)?;
    let mut route = planner.route(repaired.as_ref().map_or(&initial, |r| &r.fleet))?;
    let (repair_ops, broken) = repaired.map_or((0, Vec::new()), |r| r.before(&mut route));
    let (steps, repair_steps) = expand(policy, &initial, &route.ops, repair_ops);
    let repair = (!broken.is_empty()).then_some(Repair {
        steps: repair_steps,
        broken,
    });
    let direction = route.direction();
    let mut warnings = route.warnings;
    if let Some(r) = &repair {
        warnings.insert(0, broken_fleet(&r.broken, r.steps));
    }
    let plan = Plan {
        target: target.clone(),
        direction,
        rows: summary(policy, &initial, target),
        steps,
        waves: route.waves,
        warnings,
        releases: known,
        repair,
        assumed: request.assumed.then_some(ONE_EACH),
    };
    verified(policy, fleet, plan)
}

/// The releases instances may move through, oldest first, each with what names it: the
/// versions the fleet runs (`--from` or the fleet file) and the target (`--to`) are releases
/// by definition; `--releases` or the `compat.lock` add those in between.
fn known(policy: &Policy, fleet: &Fleet, request: &Request) -> Vec<Release> {
    let named = fleet
        .members
        .iter()
        .map(|m| (&m.peer.version, fleet.source.as_str()))
        .chain([(&request.target, "--to")])
        .chain(
            request
                .releases
                .iter()
                .flat_map(|list| list.versions.iter().map(|v| (v, list.source.as_str()))),
        );
    let mut known: Vec<Release> = Vec::new();
    for (version, source) in named {
        let at = match known.iter().position(|r| r.version == *version) {
            Some(at) => at,
            None => {
                known.push(Release {
                    version: version.clone(),
                    sources: Vec::new(),
                });
                known.len() - 1
            }
        };
        if !known[at].sources.iter().any(|s| s == source) {
            known[at].sources.push(source.to_string());
        }
    }
    let scheme = policy.scheme();
    known.sort_by(|a, b| {
        scheme
            .compare(&a.version, &b.version)
            .then_with(|| a.version.cmp(&b.version))
    });
    known
}

/// The plan, once its replay through the fleet check passes and ends with every instance
/// at the target; otherwise the planner has a bug.
fn verified(policy: &Policy, fleet: &Fleet, plan: Plan) -> Result<Plan, PlanError> {
    let end =
        replay(policy, fleet, &plan.steps).map_err(|e| PlanError::Unverified(e.to_string()))?;
    if !end.all_running(&plan.target) {
        return Err(PlanError::Unverified(format!(
            "after the last step, not every instance runs {}",
            plan.target
        )));
    }
    if let Some(broken) = end.broken {
        return Err(PlanError::Unverified(format!(
            "after the last step, the fleet still breaks the policy: {broken}"
        )));
    }
    Ok(plan)
}
