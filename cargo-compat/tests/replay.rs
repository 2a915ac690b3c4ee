//! The replay that verifies plans, on hand-written steps: it names the step that breaks the
//! policy, and refuses steps that do not fit the fleet.

use cargo_compat::fleet_file::Fleet;
use cargo_compat::plan::replay::replay;
use cargo_compat::plan::{Action, Request, Step, plan};
use cargo_compat::releases::Releases;
use compat_runtime::{Policy, Version};

fn spire() -> (Policy, Fleet) {
    let policy = Policy::from_path("../examples/spire/compat.toml").unwrap();
    let fleet = Fleet::from_toml(
        &policy,
        "fleet.toml",
        "[instances]\nserver-a = \"server@0.8.1\"\n[counts]\n\"agent@0.8.1\" = 10\n",
    )
    .unwrap();
    (policy, fleet)
}

/// The planned steps for the fleet, to edit.
fn steps(policy: &Policy, fleet: &Fleet) -> Vec<Step> {
    let request =
        Request::to(Version::new(0, 9, 3)).through(Releases::parse(policy, "0.8.1,0.9.3").unwrap());
    plan(policy, fleet, &request).unwrap().steps
}

#[test]
fn agents_moved_before_the_server_break_the_policy_at_that_step() {
    let (policy, fleet) = spire();
    let mut s = steps(&policy, &fleet);
    s.reverse();
    let err = replay(&policy, &fleet, &s).unwrap_err();
    assert_eq!(err.step, 1);
    assert!(
        err.to_string().starts_with(
            "step 1: the fleet breaks the policy: agent 0.9.3 is too new for server 0.8.1"
        ),
        "{err}"
    );
}

#[test]
fn a_counted_roll_is_checked_after_its_first_instance() {
    let (policy, fleet) = spire();
    // All ten agents one at a time: after the first, agents run 0.8.1 and 0.9.3 beside a
    // 0.9.3 server, which is fine; with the server still at 0.8.1 it is not.
    let roll = steps(&policy, &fleet)
        .into_iter()
        .find(|s| s.count == 10)
        .unwrap();
    assert!(roll.one_at_a_time);
    let err = replay(&policy, &fleet, &[roll]).unwrap_err();
    assert_eq!(err.step, 1);
}

#[test]
fn steps_that_do_not_fit_the_fleet_are_refused() {
    let (policy, fleet) = spire();
    let planned = steps(&policy, &fleet);
    let mut unknown = planned[0].clone();
    unknown.instance = Some("server-z".into());
    assert_eq!(
        replay(&policy, &fleet, &[unknown]).unwrap_err().to_string(),
        "step 1: no instance named `server-z`"
    );

    let mut backwards = planned[0].clone();
    backwards.action = Action::Downgrade;
    assert_eq!(
        replay(&policy, &fleet, &[backwards])
            .unwrap_err()
            .to_string(),
        "step 1: cannot downgrade server from 0.8.1 to 0.9.3"
    );

    let mut too_many = planned.iter().find(|s| s.count == 10).unwrap().clone();
    too_many.count = 11;
    assert_eq!(
        replay(&policy, &fleet, &[planned[0].clone(), too_many])
            .unwrap_err()
            .to_string(),
        "step 2: fewer than 11 running unnamed instances of agent 0.8.1"
    );

    let mut start = planned[0].clone();
    start.action = Action::Start;
    start.version = Version::new(0, 8, 1);
    assert_eq!(
        replay(&policy, &fleet, &[start]).unwrap_err().to_string(),
        "step 1: `server-a` is not a stopped instance of server 0.8.1"
    );
}

#[test]
fn a_fleet_that_already_breaks_the_policy_may_be_repaired_but_break_no_pair_that_talks() {
    let policy = Policy::from_path("../examples/spire/compat.toml").unwrap();
    let fleet = Fleet::from_toml(
        &policy,
        "fleet.toml",
        "[instances]\ns = \"server@0.8.1\"\nnew = \"agent@0.9.3\"\nold = \"agent@0.8.1\"\n",
    )
    .unwrap();
    // Nothing done: the fleet still breaks the policy, and the replay says so.
    let end = replay(&policy, &fleet, &[]).unwrap();
    assert!(
        end.broken
            .as_deref()
            .is_some_and(|b| b.starts_with("agent 0.9.3 is too new for server 0.8.1")),
        "{end:?}"
    );
    // The planned repair: the server moves, and the fleet satisfies the policy.
    let request =
        Request::to(Version::new(0, 9, 3)).through(Releases::parse(&policy, "0.9.3").unwrap());
    let planned = plan(&policy, &fleet, &request).unwrap().steps;
    let end = replay(&policy, &fleet, &planned[..1]).unwrap();
    assert_eq!(end.broken, None);
    // The old agent joining the new one beside the old server refuses a pair that talked,
    // although the pair of versions was refused already.
    let mut worse = planned[0].clone();
    worse.component = "agent".into();
    worse.component_id = policy.component("agent").unwrap();
    worse.instance = Some("old".into());
    worse.from = Some(Version::new(0, 8, 1));
    let err = replay(&policy, &fleet, &[worse]).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "step 1: the fleet breaks the policy where it did not before: agent 0.9.3 is too new for server 0.8.1"
        ),
        "{err}"
    );
}
