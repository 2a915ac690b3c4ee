//! Remedies an operator can follow: each suggested move, applied, is accepted; they respect
//! rule changes at a release, `max-jump`, pre-releases and every other instance of a fleet.

use compat_runtime::{Instance, Policy};

fn policy(system: &str) -> Policy {
    Policy::from_path(format!(
        "{}/examples/{system}/compat.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("seed policy")
}

fn remedy(policy: &Policy, a: &str, b: &str) -> String {
    let (a, b) = (policy.peer(a).unwrap(), policy.peer(b).unwrap());
    policy.check(&a, &b).expect_err("refused").remedy()
}

#[test]
fn a_downgrade_across_a_rule_change_lands_where_the_new_rule_holds() {
    // Phoenix: from 4.3 clients of different minors mix; before, they did not. Downgrading the
    // 7.1.1 client to 4.0.x would meet the pre-4.3 rule and be refused. Neither move can be
    // made in steps: from 5.0.1 on one step stays within a major, so the remedy names the
    // range that fits and says that no series of steps gets there.
    let p = policy("phoenix");
    assert_eq!(
        remedy(&p, "client@4.1.2", "client@7.1.1"),
        "upgrade client from 4.1.2 to 7.0.0 or later, below 8.0.0 (out of reach: `max-jump` \
         allows steps within one major, and no series of them gets there), or downgrade client \
         from 7.1.1 to 4.3.0 or later, below 5.0.0 (out of reach: `max-jump` allows steps within \
         one major, and no series of them gets there)"
    );
    // Teleport: tsh 4.x would fall under the pre-6.0 scheme. Node may go to any 6.x, 7.x or
    // 8.x release, one major a step.
    let t = policy("teleport");
    assert_eq!(
        remedy(&t, "tsh@7.5.0", "node@5.3.1"),
        "upgrade node from 5.3.1 to 6.0.0 or later, below 9.0.0 (one step reaches 6.0.0 or \
         later, below 7.0.0; `max-jump` allows steps of at most one major release), or \
         downgrade tsh from 7.5.0 to 6.0.0 or later, below 7.0.0"
    );
}

#[test]
fn an_upgrade_never_skips_what_max_jump_forbids() {
    // "You must not attempt to upgrade from 4.1 straight to 4.3. You must upgrade to 4.2 first."
    // The range that fits is 4.2.x to 4.4.x; one step reaches 4.2.x only.
    let t = policy("teleport");
    assert_eq!(
        remedy(&t, "node@4.1.0", "auth@4.3.0"),
        "upgrade node from 4.1.0 to 4.2.0 or later, below 4.5.0 (one step reaches 4.2.0 or \
         later, below 4.3.0; `max-jump` allows steps of at most one minor release), or \
         downgrade auth from 4.3.0 to 4.0.0 or later, below 4.3.0 (one step reaches 4.2.0 or \
         later, below 4.3.0; `max-jump` allows steps of at most one minor release)"
    );
    // No skipping a major from 6.0 on.
    assert_eq!(
        remedy(&t, "node@7.0.0", "auth@9.0.0"),
        "upgrade node from 7.0.0 to 8.0.0 or later, below 11.0.0 (one step reaches 8.0.0 or \
         later, below 9.0.0; `max-jump` allows steps of at most one major release), or \
         downgrade auth from 9.0.0 to 6.0.0 or later, below 9.0.0 (one step reaches 8.0.0 or \
         later, below 9.0.0; `max-jump` allows steps of at most one major release)"
    );
    // Further than one step: the stops on the way, each as far as one step goes.
    assert_eq!(
        remedy(&t, "node@4.0.0", "auth@4.5.0"),
        "upgrade node from 4.0.0 to 4.4.0 or later, below 4.7.0 (in 4 steps of at most one \
         minor release, by way of 4.1.0, 4.2.0 and 4.3.0), or downgrade auth from 4.5.0 to \
         4.0.0 or later, below 4.2.0 (in 4 steps of at most one minor release, by way of \
         4.4.0, 4.3.0 and 4.2.0)"
    );
}

#[test]
fn a_pre_release_side_is_moved_to_a_release_that_the_rules_accept() {
    let g = policy("gullveig");
    assert_eq!(
        remedy(&g, "agent@1.0.0", "server@1.0.0-rc.1"),
        "upgrade server from 1.0.0-rc.1 to 1.0.0 or later, below 2.0.0"
    );
}

#[test]
fn a_fleet_remedy_suits_every_instance_the_moved_one_talks_to() {
    // The agent at 0.9.2 is too new for the server at 0.8.5; moving it down must also keep
    // it within one minor of the servers at 0.9.3 and 0.9.2.
    let s = policy("spire");
    let fleet: Vec<Instance> = [
        "agent@0.9.2",
        "server@0.9.3",
        "server@0.9.2",
        "agent@0.8.0",
        "server@0.8.5",
    ]
    .iter()
    .map(|p| Instance {
        name: None,
        peer: s.peer(p).unwrap(),
    })
    .collect();
    let violations = s.check_fleet(&fleet);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(
        violations[0].refusal.remedy(),
        "upgrade server from 0.8.5 to 0.9.2 or later, below 0.10.0, or downgrade agent from \
         0.9.2 to 0.8.0 through 0.8.5"
    );
    for m in violations[0].refusal.moves() {
        let lowest = m.to.lowest.clone().unwrap();
        let moved = s.peer(&format!("{}@{lowest}", m.who.component)).unwrap();
        for inst in &fleet {
            let same = inst.peer.component == moved.component && inst.peer.version == m.who.version;
            if !same {
                assert!(
                    s.check(&moved, &inst.peer).is_ok(),
                    "{m} then refused by {:?}",
                    inst.peer
                );
            }
        }
    }
}

#[test]
fn a_pair_with_no_single_fix_offers_none_rather_than_a_wrong_one() {
    // A beta may not talk to releases, and no release of auth is within one major of 4.0.0.
    let t = policy("teleport");
    let (node, auth) = (
        t.peer("node@4.0.0").unwrap(),
        t.peer("auth@6.0.0-beta.1").unwrap(),
    );
    let refusal = t.check(&node, &auth).unwrap_err();
    assert!(refusal.moves().is_empty(), "{refusal}");
}
