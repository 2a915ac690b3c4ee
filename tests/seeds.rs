//! The five seed systems' stated facts, checked against their policies in `examples/`.
//!
//! Every compatibility example a seed document states is here, in a comment above the
//! assertions that encode it: paraphrased in our own words, not quoted, with the document
//! it comes from named and every version it gives kept. Each pair is checked in both
//! argument orders (the verdict must not depend on which side asks).

use compat_runtime::skew::Skew;
use compat_runtime::version::MajorZero;
use compat_runtime::{Instance, Policy, Refusal, RefusalKind, Version, Violation};

const SPIRE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/spire/compat.toml");
const MIRRORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/mirrord/compat.toml");
const GULLVEIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/gullveig/compat.toml");
const TELEPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/teleport/compat.toml");
const PHOENIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/phoenix/compat.toml");

fn policy(path: &str) -> Policy {
    Policy::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

/// The verdict for a pair, asserted to be the same in both argument orders.
#[track_caller]
fn verdict(policy: &Policy, a: &str, b: &str) -> Result<(), Refusal> {
    let pa = policy.peer(a).unwrap_or_else(|e| panic!("{e}"));
    let pb = policy.peer(b).unwrap_or_else(|e| panic!("{e}"));
    let ab = policy.check(&pa, &pb);
    let ba = policy.check(&pb, &pa);
    assert_eq!(
        ab, ba,
        "the verdict for {a} and {b} depends on the argument order"
    );
    ab.map(|_| ())
}

#[track_caller]
fn assert_talk(policy: &Policy, a: &str, b: &str) {
    if let Err(refusal) = verdict(policy, a, b) {
        panic!("{a} and {b} should talk, but: {refusal}");
    }
}

/// Asserts a refusal of this kind about `subject` (`component@version`), and returns it.
#[track_caller]
fn assert_refused(policy: &Policy, a: &str, b: &str, kind: RefusalKind, subject: &str) -> Refusal {
    let refusal = match verdict(policy, a, b) {
        Ok(()) => panic!("{a} and {b} should be refused ({kind}), but they may talk"),
        Err(refusal) => refusal,
    };
    assert_eq!(refusal.kind(), kind, "{refusal}");
    let s = refusal.subject();
    assert_eq!(
        format!("{}@{}", s.component, s.version),
        subject,
        "{refusal}"
    );
    refusal
}

fn fleet(policy: &Policy, peers: &[&str]) -> Vec<Violation> {
    let instances: Vec<Instance> = peers
        .iter()
        .map(|p| Instance {
            name: None,
            peer: policy.peer(p).unwrap_or_else(|e| panic!("{e}")),
        })
        .collect();
    policy.check_fleet(&instances)
}

#[track_caller]
fn assert_fleet_ok(policy: &Policy, peers: &[&str]) {
    let violations = fleet(policy, peers);
    let shown: Vec<String> = violations.iter().map(|v| v.refusal.to_string()).collect();
    assert!(
        shown.is_empty(),
        "fleet {peers:?} should be fine, but:\n{}",
        shown.join("\n")
    );
}

/// What an operator reads, with the checkout's path made relative.
fn shown(refusal: &Refusal) -> String {
    refusal
        .to_string()
        .replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
}

/// Every `major.minor.patch` in the given ranges.
fn versions(
    majors: core::ops::RangeInclusive<u64>,
    minors: core::ops::RangeInclusive<u64>,
    patches: core::ops::RangeInclusive<u64>,
) -> Vec<String> {
    let mut out = Vec::new();
    for major in majors {
        for minor in minors.clone() {
            for patch in patches.clone() {
                out.push(format!("{major}.{minor}.{patch}"));
            }
        }
    }
    out
}

mod spire {
    use super::*;

    #[test]
    fn the_pre_1_0_minor_acts_as_a_major() {
        // SPIRE's upgrade page: the project is still before 1.0, so its minor releases count as
        //  major ones and its patch releases as minor ones.
        let p = policy(SPIRE);
        assert_eq!(p.scheme().major_zero, MajorZero::MinorIsMajor);
        assert_eq!(p.scheme().major_distance(&v("0.8.1"), &v("0.9.3")), 1);
        assert_eq!(p.scheme().major_distance(&v("0.9.0"), &v("0.9.3")), 0);
    }

    #[test]
    fn servers_are_supported_at_0_9_x_and_0_8_x_when_the_newest_is_at_0_9_3() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page: the servers of one cluster may be at most one minor version apart,
        //  newest to oldest.
        // Its example: when the newest server runs 0.9.3, the others may run any 0.9.x or 0.8.x.
        for other in versions(0..=0, 8..=9, 0..=9) {
            if v(&other) > v("0.9.3") {
                continue; // 0.9.3 is the newest
            }
            assert_talk(&p, "server@0.9.3", &format!("server@{other}"));
        }
        // ... and not at 0.7.x or older.
        for other in versions(0..=0, 5..=7, 0..=9) {
            let other = format!("server@{other}");
            assert_refused(&p, "server@0.9.3", &other, RefusalKind::TooOld, &other);
        }
    }

    #[test]
    fn agents_are_never_newer_than_a_server_and_at_most_one_minor_older() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page: an agent may never run a newer version than the oldest server it
        //  talks to, and may trail it by up to one minor version.
        assert_talk(&p, "agent@0.9.2", "server@0.9.2");
        assert_talk(&p, "agent@0.8.0", "server@0.9.2");
        assert_talk(&p, "agent@0.8.9", "server@0.9.0");
        assert_refused(
            &p,
            "agent@0.9.3",
            "server@0.9.2",
            RefusalKind::TooNew,
            "agent@0.9.3",
        );
        assert_refused(
            &p,
            "agent@0.10.0",
            "server@0.9.9",
            RefusalKind::TooNew,
            "agent@0.10.0",
        );
        assert_refused(
            &p,
            "agent@0.7.9",
            "server@0.9.0",
            RefusalKind::TooOld,
            "agent@0.7.9",
        );
    }

    #[test]
    fn agents_are_supported_at_0_8_0_through_0_9_2_when_servers_are_at_0_9_3_and_0_9_2() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page, its example: with servers at 0.9.3 and 0.9.2, agents from 0.8.0 up
        //  to and including 0.9.2 are supported.
        let mut sweep = versions(0..=0, 7..=9, 0..=9);
        sweep.push("0.10.0".into());
        let mut supported = Vec::new();
        for agent in &sweep {
            let agent_peer = format!("agent@{agent}");
            if fleet(&p, &["server@0.9.3", "server@0.9.2", &agent_peer]).is_empty() {
                supported.push(v(agent));
            }
        }
        let expected: Vec<Version> = sweep
            .iter()
            .map(|s| v(s))
            .filter(|a| *a >= v("0.8.0") && *a <= v("0.9.2"))
            .collect();
        assert_eq!(supported, expected);
        assert_eq!(supported.first(), Some(&v("0.8.0")));
        assert_eq!(supported.last(), Some(&v("0.9.2")));
    }

    #[test]
    fn an_agent_newer_than_the_oldest_server_is_refused_with_the_fix() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page: no agent may run a newer version than the oldest server it talks
        //  to. The violated pair is the agent and the older server, and the message says which
        //  rule, where, and what to move.
        let violations = fleet(&p, &["server@0.9.3", "server@0.9.2", "agent@0.9.3"]);
        assert_eq!(violations.len(), 1);
        let refusal = &violations[0].refusal;
        assert_eq!(violations[0].subjects, ["agent@0.9.3"]);
        assert_eq!(violations[0].others, ["server@0.9.2"]);
        assert_eq!(
            shown(refusal),
            "agent 0.9.3 is too new for server 0.9.2: agent may be up to one minor release older \
             than server, never newer (examples/spire/compat.toml:20:1); to fix, upgrade server \
             from 0.9.2 to 0.9.3 or later, below 0.11.0, or downgrade agent from 0.9.3 to 0.8.0 \
             through 0.9.2"
        );
        assert_eq!(
            refusal.reason().note.as_deref(),
            Some(
                "SPIRE agents must not be newer than the oldest SPIRE server that they communicate with"
            )
        );
    }

    #[test]
    fn servers_upgrade_first_one_minor_at_a_time_rolling() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page: every server is upgraded before any agent, one upgrade moves at
        //  most one minor version whatever the patch, and servers and agents alike may be upgraded
        //  one instance after another.
        let upgrade = p.upgrade_at(&v("0.9.3")).expect("an upgrade table");
        let order: Vec<&str> = upgrade.order.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(order, ["server", "agent"]);
        let jump = upgrade.max_jump.as_ref().expect("max-jump").value;
        assert_eq!(jump, Skew::Minor(Some(1)));
        assert!(jump.admits(p.scheme(), &v("0.8.1"), &v("0.9.3")));
        assert!(jump.admits(p.scheme(), &v("0.8.0"), &v("0.9.9")));
        assert!(!jump.admits(p.scheme(), &v("0.8.1"), &v("0.10.0")));
        assert!(upgrade.rolls("server") && upgrade.rolls("agent"));
    }

    #[test]
    fn upgrading_from_0_8_1_to_0_9_3_servers_first_keeps_every_step_compatible() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page, its example of going from 0.8.1 to 0.9.3: move the servers from
        //  0.8.1 to 0.9.3 one by one; check that the server cluster works as it should; then move
        //  the agents from 0.8.1 to 0.9.3, one by one or several at once.
        let steps: [&[&str]; 5] = [
            &["server@0.8.1", "server@0.8.1", "agent@0.8.1", "agent@0.8.1"],
            &["server@0.9.3", "server@0.8.1", "agent@0.8.1", "agent@0.8.1"],
            &["server@0.9.3", "server@0.9.3", "agent@0.8.1", "agent@0.8.1"],
            &["server@0.9.3", "server@0.9.3", "agent@0.9.3", "agent@0.8.1"],
            &["server@0.9.3", "server@0.9.3", "agent@0.9.3", "agent@0.9.3"],
        ];
        for step in steps {
            assert_fleet_ok(&p, step);
        }
        // Agents first breaks the promise: an agent newer than a server.
        let wrong = fleet(&p, &["server@0.8.1", "server@0.8.1", "agent@0.9.3"]);
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].refusal.kind(), RefusalKind::TooNew);
        assert_eq!(wrong[0].refusal.subject().component, "agent");
    }

    #[test]
    fn downgrading_from_0_9_3_to_0_8_1_moves_agents_first() {
        let p = policy(SPIRE);
        // SPIRE's upgrade page: because no agent may be newer than the oldest server it talks to,
        //  a rollback takes the agents back first and the servers after them, when the agents had
        //  already been upgraded.
        let upgrade = p.upgrade_at(&v("0.9.3")).expect("an upgrade table");
        assert_eq!(upgrade.downgrade_order(), ["agent", "server"]);
        // Its example of going back from 0.9.3 to 0.8.1: take the agents from 0.9.3 to 0.8.1, one
        //  by one or several at once, then the servers from 0.9.3 to 0.8.1 one by one.
        let steps: [&[&str]; 4] = [
            &["server@0.9.3", "server@0.9.3", "agent@0.9.3", "agent@0.9.3"],
            &["server@0.9.3", "server@0.9.3", "agent@0.8.1", "agent@0.9.3"],
            &["server@0.9.3", "server@0.9.3", "agent@0.8.1", "agent@0.8.1"],
            &["server@0.8.1", "server@0.9.3", "agent@0.8.1", "agent@0.8.1"],
        ];
        for step in steps {
            assert_fleet_ok(&p, step);
        }
        // Servers first leaves the agents newer than a server.
        let wrong = fleet(&p, &["server@0.8.1", "server@0.9.3", "agent@0.9.3"]);
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].refusal.kind(), RefusalKind::TooNew);
        assert_eq!(wrong[0].subjects, ["agent@0.9.3"]);
        assert_eq!(wrong[0].others, ["server@0.8.1"]);
    }
}

mod mirrord {
    use super::*;

    const COMPONENTS: [&str; 4] = ["license-server", "operator", "agent", "cli"];

    #[test]
    fn every_pair_is_compatible_within_the_same_major_both_ways() {
        let p = policy(MIRRORD);
        // mirrord's versioning page: components can mostly be upgraded on their own, provided they
        //  stay in one major version.
        // The same page: compatibility across components is promised within a major version.
        // The same page: minor releases stay backward compatible between components.
        for a in COMPONENTS {
            for b in COMPONENTS {
                if [a, b] == ["agent", "operator"] || [a, b] == ["operator", "agent"] {
                    continue; // lockstep, below
                }
                for (x, y) in [("3.0.0", "3.9.4"), ("3.9.4", "3.0.0"), ("3.1.2", "3.1.7")] {
                    assert_talk(&p, &format!("{a}@{x}"), &format!("{b}@{y}"));
                }
                // The same page: a new major release may break things.
                assert_refused(
                    &p,
                    &format!("{a}@3.9.9"),
                    &format!("{b}@4.0.0"),
                    RefusalKind::TooOld,
                    &format!("{a}@3.9.9"),
                );
                assert_refused(
                    &p,
                    &format!("{a}@5.0.0"),
                    &format!("{b}@4.9.0"),
                    RefusalKind::TooOld,
                    &format!("{b}@4.9.0"),
                );
            }
        }
    }

    #[test]
    fn license_server_and_operator_are_compatible_within_a_major_in_either_direction() {
        let p = policy(MIRRORD);
        // mirrord's versioning page: within one major version, the license server and the operator
        //  keep working with each other: a license server may serve operators older than itself,
        //  an operator may talk to older license servers, and neither minor nor patch upgrades
        //  need the two rolled out together.
        assert_talk(&p, "license-server@3.8.0", "operator@3.1.0");
        assert_talk(&p, "operator@3.8.0", "license-server@3.1.0");
        assert_talk(&p, "operator@3.1.9", "license-server@3.1.0");
        // The same page: the license server and the operator only stop working together across a
        //  new major version.
        let refusal = assert_refused(
            &p,
            "license-server@4.0.0",
            "operator@3.8.0",
            RefusalKind::TooOld,
            "operator@3.8.0",
        );
        assert_eq!(
            shown(&refusal),
            "operator 3.8.0 is too old for license-server 4.0.0: any two components must be in \
             the same major (examples/mirrord/compat.toml:10:1); to fix, upgrade operator from \
             3.8.0 to 4.0.0 or later, below 5.0.0, or downgrade license-server from 4.0.0 to \
             3.0.0 or later, below 4.0.0"
        );
    }

    #[test]
    fn operator_and_agent_run_the_same_release_and_the_fix_moves_the_operator() {
        let p = policy(MIRRORD);
        // mirrord's versioning page: the operator deploys and manages the agents.
        // The same page: an operator and its agents are promised to work together only within one
        //  operator release.
        assert_talk(&p, "agent@3.4.1", "operator@3.4.1");
        for other in ["3.4.0", "3.4.2", "3.5.1", "3.3.1"] {
            assert!(
                verdict(&p, "agent@3.4.1", &format!("operator@{other}")).is_err(),
                "{other}"
            );
        }
        // mirrord's versioning page: the operator chooses the agent's version and manages it on its
        //  own, so users are told not to pin agent images themselves when they use the operator.
        let newer_agent = assert_refused(
            &p,
            "agent@3.4.2",
            "operator@3.4.1",
            RefusalKind::TooNew,
            "agent@3.4.2",
        );
        let older_agent = assert_refused(
            &p,
            "agent@3.4.0",
            "operator@3.4.1",
            RefusalKind::TooOld,
            "agent@3.4.0",
        );
        // Every move is done by or to the operator: the agent is only ever redeployed by it.
        for refusal in [&newer_agent, &older_agent] {
            assert!(!refusal.moves().is_empty());
            for m in refusal.moves() {
                let by_operator =
                    m.who.component == "operator" || m.via.as_deref() == Some("operator");
                assert!(by_operator, "{refusal}");
            }
        }
        assert_eq!(
            shown(&newer_agent),
            "agent 3.4.2 is too new for operator 3.4.1: agent is managed by operator and runs \
             exactly its version (examples/mirrord/compat.toml:19:1); to fix, upgrade operator \
             from 3.4.1 to exactly 3.4.2, or have operator redeploy agent 3.4.2 at its own \
             version, exactly 3.4.1"
        );
        assert_eq!(
            older_agent.remedy(),
            "have operator redeploy agent 3.4.0 at its own version, exactly 3.4.1"
        );
        assert_eq!(
            newer_agent.reason().note.as_deref(),
            Some("users should not manually manage Agent image versions when using the Operator")
        );
    }

    #[test]
    fn license_server_then_operator_then_cli_with_the_agent_moving_with_its_operator() {
        let p = policy(MIRRORD);
        // mirrord's versioning page recommends this order: upgrade the license server; check
        //  that it is up and can be reached; upgrade the operator; then upgrade the client tools
        //  (CLI) when needed.
        let upgrade = p.upgrade_at(&v("3.5.0")).expect("an upgrade table");
        let order: Vec<&str> = upgrade.order.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(order, ["license-server", "operator", "cli"]);
        // The same page: components need no lockstep upgrades, so each step of that order
        // is a compatible fleet (the agent is redeployed with its operator).
        let steps: [&[&str]; 4] = [
            &[
                "license-server@3.4.0",
                "operator@3.4.0",
                "agent@3.4.0",
                "cli@3.4.0",
            ],
            &[
                "license-server@3.5.0",
                "operator@3.4.0",
                "agent@3.4.0",
                "cli@3.4.0",
            ],
            &[
                "license-server@3.5.0",
                "operator@3.5.0",
                "agent@3.5.0",
                "cli@3.4.0",
            ],
            &[
                "license-server@3.5.0",
                "operator@3.5.0",
                "agent@3.5.0",
                "cli@3.5.0",
            ],
        ];
        for step in steps {
            assert_fleet_ok(&p, step);
        }
    }

    #[test]
    fn cli_and_operator_are_compatible_within_the_same_major() {
        let p = policy(MIRRORD);
        // mirrord's versioning page: every component is versioned semantically; a patch release
        //  only fixes bugs, a minor release stays backward compatible across components, and a
        //  major release may break things.
        assert_talk(&p, "cli@3.2.0", "operator@3.9.1");
        assert_talk(&p, "cli@3.9.1", "operator@3.2.0");
        assert_refused(
            &p,
            "cli@2.9.0",
            "operator@3.0.0",
            RefusalKind::TooOld,
            "cli@2.9.0",
        );
        assert_refused(
            &p,
            "cli@4.0.0",
            "operator@3.9.0",
            RefusalKind::TooOld,
            "operator@3.9.0",
        );
    }
}

mod gullveig {
    use super::*;

    #[test]
    fn agents_work_with_servers_equal_or_newer_within_the_same_major() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page: an agent is promised to work with reporting servers at its own
        //  version or newer in the same major version, and a reporting server with agents at its
        //  own version or older in the same major version.
        // The page sums it up: newer servers accept older agents of their major version, while a
        //  newer agent has no promise of working with an older server.
        assert_talk(&p, "agent@1.0.0", "server@1.9.3");
        assert_talk(&p, "agent@1.4.2", "server@1.4.2");
        assert_refused(
            &p,
            "agent@1.4.3",
            "server@1.4.2",
            RefusalKind::TooNew,
            "agent@1.4.3",
        );
        // Gullveig's upgrade page: a fundamental change to the platform always means a new major.
        assert_refused(
            &p,
            "agent@1.9.0",
            "server@2.0.0",
            RefusalKind::TooOld,
            "agent@1.9.0",
        );
    }

    #[test]
    fn server_1_1_5_is_compatible_with_agents_1_1_5_or_older() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page, its example: a server at `1.1.5` accepts agents at `1.1.5` or
        //  below.
        for agent in versions(1..=1, 0..=1, 0..=9) {
            let agent = format!("agent@{agent}");
            if v(&agent[6..]) <= v("1.1.5") {
                assert_talk(&p, "server@1.1.5", &agent);
            } else {
                assert_refused(&p, "server@1.1.5", &agent, RefusalKind::TooNew, &agent);
            }
        }
        assert_refused(
            &p,
            "server@1.1.5",
            "agent@1.2.0",
            RefusalKind::TooNew,
            "agent@1.2.0",
        );
        // Older, but not within the same major: 0.x carries no guarantee at all.
        assert_refused(
            &p,
            "server@1.1.5",
            "agent@0.9.9",
            RefusalKind::Unstable,
            "agent@0.9.9",
        );
    }

    #[test]
    fn agent_1_1_5_works_with_servers_up_to_but_excluding_2_0_0() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page, its example: a `1.1.5` agent is promised to work with servers up
        //  to, and not including, `2.0.0`.
        for server in ["1.1.5", "1.1.6", "1.2.0", "1.9.9", "1.99.99"] {
            assert_talk(&p, "agent@1.1.5", &format!("server@{server}"));
        }
        let refusal = assert_refused(
            &p,
            "agent@1.1.5",
            "server@2.0.0",
            RefusalKind::TooOld,
            "agent@1.1.5",
        );
        assert_eq!(
            refusal.remedy(),
            "upgrade agent from 1.1.5 to exactly 2.0.0, or downgrade server from 2.0.0 to 1.1.5 or later, below 2.0.0"
        );
        // Servers older than the agent are not guaranteed either.
        assert_refused(
            &p,
            "agent@1.1.5",
            "server@1.1.4",
            RefusalKind::TooNew,
            "agent@1.1.5",
        );
    }

    #[test]
    fn web_1_1_5_works_only_with_server_1_1_5() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page: the web interface is promised to work with a reporting server of
        //  its own version.
        // The same page: the web interface must run the very version of the reporting server.
        // Its example: web interface `1.1.5` is promised to work only with reporting server
        //  `1.1.5`.
        assert_talk(&p, "web@1.1.5", "server@1.1.5");
        assert_refused(
            &p,
            "web@1.1.5",
            "server@1.1.6",
            RefusalKind::TooOld,
            "web@1.1.5",
        );
        assert_refused(
            &p,
            "web@1.1.5",
            "server@1.2.0",
            RefusalKind::TooOld,
            "web@1.1.5",
        );
        let refusal = assert_refused(
            &p,
            "web@1.1.5",
            "server@1.1.4",
            RefusalKind::TooNew,
            "web@1.1.5",
        );
        assert_eq!(
            shown(&refusal),
            "web 1.1.5 is too new for server 1.1.4: web must run exactly the version of server \
             (examples/gullveig/compat.toml:23:1); to fix, upgrade server from 1.1.4 to exactly \
             1.1.5, or downgrade web from 1.1.5 to exactly 1.1.4"
        );
    }

    #[test]
    fn the_0_x_branch_only_talks_to_the_identical_version() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page: months of testing showed the 0.x branch was not stable enough to
        //  count as a production release, so it was taken out of the backward compatibility promise
        //  after the fact.
        assert_talk(&p, "server@0.7.3", "agent@0.7.3");
        assert_talk(&p, "server@0.7.3", "web@0.7.3");
        assert_refused(
            &p,
            "server@0.7.3",
            "agent@0.7.2",
            RefusalKind::Unstable,
            "agent@0.7.2",
        );
        assert_refused(
            &p,
            "web@0.7.4",
            "server@0.7.3",
            RefusalKind::Unstable,
            "server@0.7.3",
        );
        // Gullveig's upgrade page: 1.x, once out, will be the platform's first production-stable
        //  version.
        let refusal = assert_refused(
            &p,
            "server@1.0.0",
            "agent@0.9.0",
            RefusalKind::Unstable,
            "agent@0.9.0",
        );
        assert_eq!(
            shown(&refusal),
            "agent 0.9.0 is an unstable release and server 1.0.0 is not the identical version: \
             versions matching `<1.0.0` carry no compatibility guarantee; only identical versions \
             talk (examples/gullveig/compat.toml:7:12); to fix, upgrade agent from 0.9.0 to \
             exactly 1.0.0, or downgrade server from 1.0.0 to exactly 0.9.0"
        );
    }

    #[test]
    fn web_and_agents_do_not_talk_so_nothing_constrains_them() {
        let p = policy(GULLVEIG);
        // The document relates agents to servers and web to servers, never web to agents.
        assert_talk(&p, "web@1.1.5", "agent@1.9.0");
        assert_talk(&p, "web@0.3.0", "agent@0.4.0");
    }

    #[test]
    fn server_first_then_web_then_agents_with_web_stopped_during_the_restart() {
        let p = policy(GULLVEIG);
        // Gullveig's upgrade page, marked important: the reporting server is upgraded first, the
        //  web interface next, the agents last.
        let upgrade = p.upgrade_at(&v("1.2.0")).expect("an upgrade table");
        let order: Vec<&str> = upgrade.order.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(order, ["server", "web", "agent"]);
        // Its steps: stop `gullveig-web`; restart `gullveig-server`; wait until the reporting
        //  server is up; start `gullveig-web` again.
        assert!(!upgrade.rolls("web") && !upgrade.rolls("server"));
        // With web stopped, the fleet mid-upgrade is fine; with web still running, it is not.
        assert_fleet_ok(&p, &["server@1.2.0", "agent@1.1.5", "agent@1.1.0"]);
        assert_fleet_ok(&p, &["server@1.2.0", "web@1.2.0", "agent@1.1.5"]);
        let running = fleet(&p, &["server@1.2.0", "web@1.1.5", "agent@1.1.5"]);
        assert_eq!(running.len(), 1);
        assert_eq!(running[0].refusal.subject().component, "web");
    }
}

mod teleport {
    use super::*;

    const COMPONENTS: [&str; 5] = ["auth", "proxy", "node", "tsh", "tctl"];
    const SERVICES: [&str; 3] = ["auth", "proxy", "node"];

    #[test]
    fn any_4_0_1_component_works_with_any_4_0_3_component() {
        let p = policy(TELEPORT);
        // RFD 12, citing the pre-6.0 promise: patch versions always work together; a 4.0.1
        //  component, say, works with every 4.0.3 component.
        for a in COMPONENTS {
            for b in COMPONENTS {
                assert_talk(&p, &format!("{a}@4.0.1"), &format!("{b}@4.0.3"));
            }
        }
    }

    #[test]
    fn before_6_0_a_release_works_with_its_previous_release_only() {
        let p = policy(TELEPORT);
        // RFD 12, pre-6.0 promise: any other release works with the release just before it, so 4.1
        //  must not be upgraded straight to 4.3; 4.2 has to come first.
        for a in SERVICES {
            for b in SERVICES {
                assert_talk(&p, &format!("{a}@4.1.2"), &format!("{b}@4.2.0"));
                assert_talk(&p, &format!("{a}@4.2.0"), &format!("{b}@4.1.2"));
                let old = format!("{a}@4.1.2");
                assert_refused(&p, &old, &format!("{b}@4.3.0"), RefusalKind::TooOld, &old);
            }
        }
        let upgrade = p.upgrade_at(&v("4.3.0")).expect("an upgrade table");
        let jump = upgrade.max_jump.as_ref().expect("max-jump").value;
        assert!(jump.admits(p.scheme(), &v("4.2.0"), &v("4.3.0")));
        assert!(!jump.admits(p.scheme(), &v("4.1.0"), &v("4.3.0")));
        // RFD 12, on the old scheme's downside: a user who skims the upgrade docs may expect
        //  semver, and take a move from `vX.A.B` to `vX.C.D` as safe, which it is not when
        //  `C - A > 1`.
        assert!(!jump.admits(p.scheme(), &v("4.1.0"), &v("4.4.0")));
        assert_refused(
            &p,
            "auth@4.4.0",
            "node@4.1.0",
            RefusalKind::TooOld,
            "node@4.1.0",
        );
    }

    #[test]
    fn before_6_0_tsh_and_tctl_need_the_service_s_minor() {
        let p = policy(TELEPORT);
        // RFD 12, pre-6.0 promise: the clients (tsh for users, tctl for admins) might not work with
        //  a teleport service of another version.
        for client in ["tsh", "tctl"] {
            for service in SERVICES {
                assert_talk(&p, &format!("{client}@4.2.0"), &format!("{service}@4.2.7"));
                let c = format!("{client}@4.1.0");
                let refusal =
                    assert_refused(&p, &c, &format!("{service}@4.2.0"), RefusalKind::TooOld, &c);
                assert_eq!(
                    refusal.reason().text,
                    format!(
                        "{client} and any other component must be in the same minor (any patch) (before 6.0.0-dev)"
                    )
                );
                let s = format!("{service}@4.2.0");
                assert_refused(&p, &format!("{client}@4.3.0"), &s, RefusalKind::TooOld, &s);
            }
        }
    }

    #[test]
    fn the_pre_6_scheme_cannot_see_that_4_4_and_5_0_are_sequential_releases() {
        let p = policy(TELEPORT);
        // RFD 12, the same downside: a semver reader expects a move from `vX.A.B` to `vY.C.D` to
        //  break things, yet it does not when the two are sequential releases.
        // Which 4.y came last before 5.0 is not in the policy (it has no list of releases),
        // so the pre-6.0 rule is conservative across a major: documented, not a promise.
        assert_refused(
            &p,
            "auth@4.4.0",
            "node@5.0.0",
            RefusalKind::TooOld,
            "auth@4.4.0",
        );
    }

    #[test]
    fn from_6_0_vn_works_with_vn_and_vn_minus_1_client_and_server_alike() {
        let p = policy(TELEPORT);
        // RFD 12 from 6.0 on: a `vN.*.*` binary, client or server alike, works with every other
        //  `vN.*.*` or `vN-1.*.*` binary.
        for n in 6u64..=9 {
            for a in COMPONENTS {
                for b in COMPONENTS {
                    assert_talk(&p, &format!("{a}@{n}.0.0"), &format!("{b}@{n}.7.3"));
                    assert_talk(&p, &format!("{a}@{n}.3.1"), &format!("{b}@{}.9.9", n - 1));
                    assert_talk(&p, &format!("{a}@{n}.0.0"), &format!("{b}@{}.0.0", n - 1));
                    if n >= 7 {
                        // ... and not with vN-2.
                        let old = format!("{b}@{}.9.9", n - 2);
                        assert_refused(
                            &p,
                            &format!("{a}@{n}.0.0"),
                            &old,
                            RefusalKind::TooOld,
                            &old,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn from_6_0_a_major_cannot_be_skipped() {
        let p = policy(TELEPORT);
        // RFD 12: once everything has been upgraded from `vN-1.*.*`, any mix of `vN.*.*` versions
        //  may run across the deployment.
        assert_fleet_ok(
            &p,
            &[
                "auth@8.2.0",
                "proxy@8.0.1",
                "node@8.5.0",
                "tsh@8.0.0",
                "tctl@8.3.3",
            ],
        );
        assert_fleet_ok(
            &p,
            &[
                "auth@8.0.0",
                "proxy@8.0.0",
                "node@7.1.2",
                "tsh@7.0.0",
                "tctl@7.9.0",
            ],
        );
        let skipped = fleet(&p, &["auth@8.0.0", "proxy@8.0.0", "node@6.3.2"]);
        assert_eq!(skipped.len(), 2, "node 6 against auth 8 and proxy 8");
        let upgrade = p.upgrade_at(&v("8.0.0")).expect("an upgrade table");
        let jump = upgrade.max_jump.as_ref().expect("max-jump").value;
        assert!(jump.admits(p.scheme(), &v("7.1.2"), &v("8.0.0")));
        assert!(!jump.admits(p.scheme(), &v("6.3.2"), &v("8.0.0")));
    }

    #[test]
    fn pre_releases_rank_dev_alpha_beta_rc_then_the_release() {
        let p = policy(TELEPORT);
        // RFD 12's example of a new release: the first builds off `main` are `v6.0.0-dev`; once
        //  most big changes are in, `v6.0.0-alpha.1` is cut; with only small fixes pending,
        //  `v6.0.0-beta.1`; with all planned changes in, `branch/v6` is made and `v6.0.0-rc.1` cut;
        //  bugs found in release testing give `v6.0.0-rc.2`, `v6.0.0-rc.3` and so on; if
        //  `v6.0.0-rc.3` passes, `branch/v6.0` is made and tagged `v6.0.0`; a serious bug fixed
        //  later gives `v6.0.1` from `branch/v6.0`; later fixes give `branch/v6.1` and `v6.1.0`
        //  from it.
        let sequence = [
            "6.0.0-dev",
            "6.0.0-alpha.1",
            "6.0.0-alpha.2",
            "6.0.0-beta.1",
            "6.0.0-rc.1",
            "6.0.0-rc.2",
            "6.0.0-rc.3",
            "6.0.0-rc.10",
            "6.0.0",
            "6.0.1",
            "6.1.0",
        ];
        for pair in sequence.windows(2) {
            assert!(
                p.scheme().compare(&v(pair[0]), &v(pair[1])).is_lt(),
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn only_release_candidates_talk_to_releases() {
        let p = policy(TELEPORT);
        // RFD 12: `-rc.X` marks release candidates, possibly fit for production while still being
        //  tested
        assert_talk(&p, "auth@6.0.0-rc.3", "node@6.0.0");
        // RFD 12: `-dev` marks development builds, `-alpha.X` is for demos and early deploys (not
        //  staging), `-beta.X` for staging deploys (not production)
        for pre in ["6.0.0-dev", "6.0.0-alpha.1", "6.0.0-beta.2"] {
            let subject = format!("auth@{pre}");
            assert_refused(
                &p,
                &subject,
                "node@6.0.0",
                RefusalKind::PreRelease,
                &subject,
            );
            // Pre-releases talk to each other, within the rules.
            assert_talk(&p, &subject, "node@6.0.0-rc.1");
        }
        let refusal = assert_refused(
            &p,
            "tsh@6.0.0-beta.1",
            "auth@5.2.0",
            RefusalKind::PreRelease,
            "tsh@6.0.0-beta.1",
        );
        assert_eq!(
            shown(&refusal),
            "tsh 6.0.0-beta.1 is a pre-release and may not talk to auth 5.2.0: only rc \
             pre-releases may talk to releases (examples/teleport/compat.toml:6:1); to fix, \
             upgrade tsh from 6.0.0-beta.1 to 6.0.0 or later, below 7.0.0"
        );
        // A tag the scheme does not rank is refused.
        assert_refused(
            &p,
            "auth@6.0.0-nightly.1",
            "node@6.0.0-rc.1",
            RefusalKind::PreRelease,
            "auth@6.0.0-nightly.1",
        );
    }

    #[test]
    fn a_v6_release_candidate_already_works_with_v5() {
        let p = policy(TELEPORT);
        // RFD 12's example: `v5` is the current release and `v6` comes next, and `branch/v6` is
        //  made when `v6.0.0-rc.1` is cut: a v6 candidate is tested against v5 clusters, under the
        //  v6 promise (vN works with vN-1).
        assert_talk(&p, "auth@6.0.0-rc.1", "node@5.4.0");
        assert_talk(&p, "auth@6.0.0-rc.1", "tsh@5.0.0");
    }

    #[test]
    fn the_latest_major_and_two_before_it_are_supported() {
        let p = policy(TELEPORT);
        // RFD 12: teleport supports the newest major version and the two majors before it; its
        //  example lists `v8.*.*` (the newest), `v7.*.*` and `v6.*.*`.
        // The window is measured back from the newer peer of each pair (in a fleet, every
        // pair, so from the fleet's newest): v6 is inside it next to v8 (refused only by the
        // one-major rule, too old), v5 is outside it.
        assert_talk(&p, "node@7.0.0", "auth@8.4.0");
        assert_refused(
            &p,
            "node@6.9.0",
            "auth@8.0.0",
            RefusalKind::TooOld,
            "node@6.9.0",
        );
        let refusal = assert_refused(
            &p,
            "node@5.9.0",
            "auth@8.0.0",
            RefusalKind::Unsupported,
            "node@5.9.0",
        );
        assert_eq!(
            shown(&refusal),
            "node 5.9.0 is outside the support window (talking to auth 8.0.0): supported versions \
             are at most two major releases behind the newest (examples/teleport/compat.toml:75:10); \
             to fix, upgrade node from 5.9.0 to 7.0.0 or later, below 10.0.0 (in 2 steps of at most \
             one major release, by way of 6.0.0)"
        );
        // RFD 12's backport examples start from `v8.0.1`, `v7.1.2` and `v6.3.2` as the three
        //  newest releases.
        assert_talk(&p, "auth@8.0.1", "node@7.1.2");
        assert_talk(&p, "auth@7.1.2", "node@6.3.2");
        assert_refused(
            &p,
            "auth@8.0.1",
            "node@6.3.2",
            RefusalKind::TooOld,
            "node@6.3.2",
        );
        assert_eq!(
            p.support().window.as_ref().map(|w| w.value),
            Some(Skew::Major(2))
        );
    }
}

mod phoenix {
    use super::*;

    #[test]
    fn patch_releases_go_in_any_order() {
        let p = policy(PHOENIX);
        // Phoenix's compatibility page: a patch release (only the patch number changes) is the
        //  easiest upgrade: the jars may be upgraded in either order, client or server first, and
        //  clients on different patch releases may mix.
        for (client, server) in [
            ("4.2.1", "4.2.0"),
            ("4.2.0", "4.2.1"),
            ("4.5.9", "4.5.0"),
            ("4.5.0", "4.5.9"),
        ] {
            assert_talk(&p, &format!("client@{client}"), &format!("server@{server}"));
        }
        assert_talk(&p, "client@4.2.0", "client@4.2.3");
        assert_talk(&p, "client@4.6.0", "client@4.6.3");
        assert_talk(&p, "server@4.2.0", "server@4.2.3");
    }

    #[test]
    fn a_client_two_minors_back_works_with_a_newer_server_but_not_vice_versa() {
        let p = policy(PHOENIX);
        // Phoenix's compatibility page: the server-side jar must be upgraded on the whole
        //  cluster before any client is. A client up to two minors behind works with a server
        //  jar of a newer minor, never the reverse; so clients need not move in lockstep with the
        //  server.
        assert_talk(&p, "client@4.1.0", "server@4.3.2");
        assert_talk(&p, "client@4.2.7", "server@4.3.0");
        assert_refused(
            &p,
            "client@4.3.0",
            "server@4.1.0",
            RefusalKind::TooNew,
            "client@4.3.0",
        );
        let refusal = assert_refused(
            &p,
            "client@4.2.0",
            "server@4.1.9",
            RefusalKind::TooNew,
            "client@4.2.0",
        );
        assert_eq!(
            shown(&refusal),
            "client 4.2.0 is too new for server 4.1.9: client may be up to two minor releases \
             older than server, and newer by patch releases of the same minor \
             (examples/phoenix/compat.toml:8:1); to fix, upgrade server from 4.1.9 to 4.2.0 or \
             later, below 4.5.0, or downgrade client from 4.2.0 to 4.0.0 or later, below 4.2.0 \
             (one step reaches 4.1.0 or later, below 4.2.0; `max-jump` allows steps of at most one \
             minor release)"
        );
        // The same page: as servers move forward, clients ought to follow.
        assert_refused(
            &p,
            "client@4.0.9",
            "server@4.3.0",
            RefusalKind::TooOld,
            "client@4.0.9",
        );
        let order: Vec<&str> = p
            .upgrade_at(&v("4.2.0"))
            .expect("upgrade")
            .order
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(order, ["server", "client"]);
    }

    #[test]
    fn before_4_3_all_clients_move_to_a_new_minor_together() {
        let p = policy(PHOENIX);
        // Phoenix's page, on 4.3: releases before it made every client upgrade at once.
        assert_refused(
            &p,
            "client@4.1.0",
            "client@4.2.0",
            RefusalKind::TooOld,
            "client@4.1.0",
        );
        assert_refused(
            &p,
            "client@4.0.5",
            "client@4.2.1",
            RefusalKind::TooOld,
            "client@4.0.5",
        );
        assert!(!p.upgrade_at(&v("4.2.0")).expect("upgrade").rolls("client"));
    }

    #[test]
    fn from_4_3_clients_of_different_minors_mix() {
        let p = policy(PHOENIX);
        // Phoenix's page: from 4.3 on, clients of different minor versions may also run side by
        //  side
        assert_talk(&p, "client@4.3.0", "client@4.5.2");
        assert_talk(&p, "client@4.4.1", "client@4.9.0");
        assert!(p.upgrade_at(&v("4.5.0")).expect("upgrade").rolls("client"));
    }

    #[test]
    fn from_4_3_an_upgrade_may_skip_minors() {
        let p = policy(PHOENIX);
        // Phoenix's page: also new in 4.3, one upgrade may go straight from a minor version to any
        //  higher one (earlier releases had to pass through every minor in between).
        let before = p
            .upgrade_at(&v("4.2.0"))
            .and_then(|u| u.max_jump.as_ref())
            .expect("max-jump")
            .value;
        assert!(before.admits(p.scheme(), &v("4.1.3"), &v("4.2.0")));
        assert!(!before.admits(p.scheme(), &v("4.0.0"), &v("4.2.0")));
        let after = p
            .upgrade_at(&v("4.6.0"))
            .and_then(|u| u.max_jump.as_ref())
            .expect("max-jump")
            .value;
        assert!(after.admits(p.scheme(), &v("4.3.0"), &v("4.6.0")));
        assert!(!after.admits(p.scheme(), &v("4.6.0"), &v("5.0.0")));
    }

    #[test]
    fn majors_are_not_mixed() {
        let p = policy(PHOENIX);
        // Phoenix's page: a new major may need downtime and perhaps a migration script, and every
        //  client and server might have to move at once.
        assert_refused(
            &p,
            "client@4.15.0",
            "server@5.0.0",
            RefusalKind::TooOld,
            "client@4.15.0",
        );
        assert_refused(
            &p,
            "client@5.0.0",
            "server@4.15.0",
            RefusalKind::TooNew,
            "client@5.0.0",
        );
        assert_refused(
            &p,
            "server@4.15.0",
            "server@5.0.0",
            RefusalKind::TooOld,
            "server@4.15.0",
        );
        assert_refused(
            &p,
            "client@4.15.0",
            "client@5.0.0",
            RefusalKind::TooOld,
            "client@4.15.0",
        );
    }

    #[test]
    fn servers_roll_across_minors() {
        let p = policy(PHOENIX);
        // Phoenix's page: backward compatibility spans two minor releases or more, so servers can
        //  be upgraded by rolling restarts without downtime.
        assert_fleet_ok(
            &p,
            &[
                "server@4.2.0",
                "server@4.3.0",
                "client@4.2.0",
                "client@4.2.0",
            ],
        );
        assert!(p.upgrade_at(&v("4.2.0")).expect("upgrade").rolls("server"));
        // Phoenix's page, its example: in 4.2.1 the major is 4, the minor 2 and the patch 1.
        let peer = p.peer("server@4.2.1").unwrap();
        assert_eq!(
            (peer.version.major, peer.version.minor, peer.version.patch),
            (4, 2, 1)
        );
    }
}
