//! The five seed systems' stated facts, checked against their policies in `examples/`.
//!
//! Every compatibility example a seed document states is here, quoted verbatim in a comment
//! above the assertions that encode it. Each pair is checked in both argument orders (the
//! verdict must not depend on which side asks).

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
        // "The SPIRE project is currently pre-1.0, so minor SPIRE releases act like major
        //  releases and patch releases act like minor releases."
        let p = policy(SPIRE);
        assert_eq!(p.scheme().major_zero, MajorZero::MinorIsMajor);
        assert_eq!(p.scheme().major_distance(&v("0.8.1"), &v("0.9.3")), 1);
        assert_eq!(p.scheme().major_distance(&v("0.9.0"), &v("0.9.3")), 0);
    }

    #[test]
    fn servers_are_supported_at_0_9_x_and_0_8_x_when_the_newest_is_at_0_9_3() {
        let p = policy(SPIRE);
        // "Version skew within a SPIRE server cluster is supported within +/- 1 minor version.
        //  In other words, the newest and oldest SPIRE server instances in any given cluster
        //  must be within one minor version of each other."
        // "For example:
        //  * Newest SPIRE server instance is at 0.9.3
        //  * Other SPIRE server instances are supported at 0.9.x and 0.8.x"
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
        // "SPIRE agents must not be newer than the oldest SPIRE server that they communicate
        //  with, and may be up to one minor version older."
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
        // "For example:
        //  * SPIRE servers are at both 0.9.3 and 0.9.2
        //  * SPIRE agents are supported at 0.8.0 through 0.9.2"
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
        // "SPIRE agents must not be newer than the oldest SPIRE server that they communicate
        //  with": the violated pair is the agent and the older server, and the message says
        //  which rule, where, and what to move.
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
        // "SPIRE servers must be upgraded before SPIRE agents, and is limited to a jump of at
        //  most one minor version (regardless of patch version). SPIRE server and agent
        //  instances may be upgraded in a rolling fashion."
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
        // "For example, if upgrading from 0.8.1 to 0.9.3:
        //  * Upgrade SPIRE server instances from 0.8.1 to 0.9.3 one at a time
        //  * Ensure that the SPIRE server cluster is operating as expected
        //  * Upgrade SPIRE agent instances from 0.8.1 to 0.9.3 one at a time or in batches"
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
        // "Since agents can't be newer than the oldest server they communicate with, it is
        //  necessary to first downgrade agents before downgrading servers, assuming that the
        //  agents have already been upgraded."
        let upgrade = p.upgrade_at(&v("0.9.3")).expect("an upgrade table");
        assert_eq!(upgrade.downgrade_order(), ["agent", "server"]);
        // "For example, if downgrading from version 0.9.3 to 0.8.1:
        //  * Downgrade SPIRE agent instances from 0.9.3 to 0.8.1 one at a time or in batches
        //  * Downgrade SPIRE server instances from 0.9.3 to 0.8.1 one at a time"
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
        // "In most cases, components can be upgraded independently as long as they remain
        //  within the same major version."
        // "Cross-component compatibility is guaranteed within the same major version."
        // "Minor releases are backward compatible across components."
        for a in COMPONENTS {
            for b in COMPONENTS {
                if [a, b] == ["agent", "operator"] || [a, b] == ["operator", "agent"] {
                    continue; // lockstep, below
                }
                for (x, y) in [("3.0.0", "3.9.4"), ("3.9.4", "3.0.0"), ("3.1.2", "3.1.7")] {
                    assert_talk(&p, &format!("{a}@{x}"), &format!("{b}@{y}"));
                }
                // "Major releases may introduce breaking changes."
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
        // "The mirrord License Server and mirrord Operator are backward compatible with each
        //  other within the same major version."
        // "This means that a newer License Server can serve older Operators, and a newer
        //  Operator can communicate with older License Servers. Minor and patch upgrades do
        //  not require coordinated rollouts between these components."
        assert_talk(&p, "license-server@3.8.0", "operator@3.1.0");
        assert_talk(&p, "operator@3.8.0", "license-server@3.1.0");
        assert_talk(&p, "operator@3.1.9", "license-server@3.1.0");
        // "Breaking changes between the License Server and Operator only occur on major
        //  version upgrades."
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
        // "Agents are deployed and managed by the mirrord Operator."
        // "Operator and Agent compatibility is guaranteed within the same Operator release."
        assert_talk(&p, "agent@3.4.1", "operator@3.4.1");
        for other in ["3.4.0", "3.4.2", "3.5.1", "3.3.1"] {
            assert!(
                verdict(&p, "agent@3.4.1", &format!("operator@{other}")).is_err(),
                "{other}"
            );
        }
        // "The Operator selects and manages the Agent version automatically. Users should not
        //  manually manage Agent image versions when using the Operator."
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
        // "When upgrading mirrord components, the following order is recommended:
        //  * Upgrade the License Server
        //  * Verify that the License Server is healthy and reachable
        //  * Upgrade the mirrord Operator
        //  * Upgrade client tooling (CLI) as needed"
        let upgrade = p.upgrade_at(&v("3.5.0")).expect("an upgrade table");
        let order: Vec<&str> = upgrade.order.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(order, ["license-server", "operator", "cli"]);
        // "mirrord components ... do not require lockstep upgrades": each step of that order
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
        // "mirrord follows semantic versioning for all components. Patch releases include
        //  bug fixes only. Minor releases are backward compatible across components. Major
        //  releases may introduce breaking changes."
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
        // "Agents are guaranteed compatible with reporting servers equal or newer than the
        //  agent version, within the same major version."
        // "Reporting server is guaranteed compatible with agents equal or older than the
        //  server version, within the same major version."
        // "Simplifying, new servers support older agents within the same major version, but
        //  new agents are not guaranteed to be compatible with old servers."
        assert_talk(&p, "agent@1.0.0", "server@1.9.3");
        assert_talk(&p, "agent@1.4.2", "server@1.4.2");
        assert_refused(
            &p,
            "agent@1.4.3",
            "server@1.4.2",
            RefusalKind::TooNew,
            "agent@1.4.3",
        );
        // "Fundamental changes to the platform will always result in a major release."
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
        // "For example, server with version `1.1.5` is compatible with agents `1.1.5` or older."
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
        // "Agent with version `1.1.5` is guaranteed compatible with servers up to, but
        //  excluding version `2.0.0`."
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
        // "Gullveig web user interface is guaranteed to be compatible with the same reporting
        //  server version."
        // "Web user interface version must match the reporting server version."
        // "Web user interface version `1.1.5` is only guaranteed compatible with reporting
        //  server version `1.1.5`."
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
        // "after months of testing it has become evident 0.x branch is not stable enough to be
        //  declared production release and is therefore except from backwards compatibility
        //  guarantee, retroactively."
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
        // "The first production-stable version of the platform will be 1.x, once released."
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
        // "**IMPORTANT**: Always upgrade reporting server first, then web, then agents."
        let upgrade = p.upgrade_at(&v("1.2.0")).expect("an upgrade table");
        let order: Vec<&str> = upgrade.order.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(order, ["server", "web", "agent"]);
        // "2. Stop `gullveig-web` process. 3. Restart `gullveig-server` process. 4. Wait for
        //  reporting server process to start. 4. Start `gullveig-web` process."
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
        // "Patch versions are always compatible, for example any 4.0.1 component will work
        //  with any 4.0.3 component."
        for a in COMPONENTS {
            for b in COMPONENTS {
                assert_talk(&p, &format!("{a}@4.0.1"), &format!("{b}@4.0.3"));
            }
        }
    }

    #[test]
    fn before_6_0_a_release_works_with_its_previous_release_only() {
        let p = policy(TELEPORT);
        // "Other versions are always compatible with their previous release. This means you
        //  must not attempt to upgrade from 4.1 straight to 4.3. You must upgrade to 4.2 first."
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
        // "a user that doesn't read our upgrade docs carefully can assume semver semantics:
        //  upgrading from `vX.A.B` to `vX.C.D` is safe - it's not if `C - A > 1`"
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
        // "Teleport clients tsh for users and tctl for admins may not be compatible with
        //  different versions of the teleport service."
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
        // "upgrading from `vX.A.B` to `vY.C.D` is going to break things - it won't, as long as
        //  these are sequential releases"
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
        // "`vN.*.*` binaries are compatible with any other `vN.*.*` or `vN-1.*.*` binaries
        //  (both client and server)."
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
        // "Users are free to use any `vN.*.*` versions throughout their deployment, after
        //  upgrading everything from `vN-1.*.*`."
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
        // "- initially, builds from `main` will be `v6.0.0-dev`
        //  - when most big changes are merged, we cut `v6.0.0-alpha.1`
        //  - when only small bugfix changes are pending, we cut `v6.0.0-beta.1`
        //  - all planned changes are merged, we make `branch/v6` and cut `v6.0.0-rc.1`
        //  - during release testing, we fix bugs and cut `v6.0.0-rc.2`, `v6.0.0-rc.3`, etc
        //  - assuming `v6.0.0-rc.3` passes the tests, create branch `branch/v6.0` and tag
        //    it as `v6.0.0`
        //  - ... cut `v6.0.1` from `branch/v6.0`
        //  - ... create branch `branch/v6.1` and cut `v6.1.0` from it"
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
        // "`-rc.X` suffixes are for release candidates, potentially production-ready but still
        //  in testing"
        assert_talk(&p, "auth@6.0.0-rc.3", "node@6.0.0");
        // "`-dev` suffix is for development builds", "`-alpha.X` ... good for demos and early
        //  deploys, but not staging", "`-beta.X` ... good for staging deploys, but not
        //  production"
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
        // "The current release of teleport is `v5` and the next will be `v6`." ... "we make
        //  `branch/v6` and cut `v6.0.0-rc.1`": a v6 candidate is tested against v5 clusters,
        //  under the v6 promise ("vN ... with vN-1").
        assert_talk(&p, "auth@6.0.0-rc.1", "node@5.4.0");
        assert_talk(&p, "auth@6.0.0-rc.1", "tsh@5.0.0");
    }

    #[test]
    fn the_latest_major_and_two_before_it_are_supported() {
        let p = policy(TELEPORT);
        // "Teleport officially supports the latest major version and two previous major
        //  versions. For example:
        //  - `v8.*.*` (latest)
        //  - `v7.*.*`
        //  - `v6.*.*`"
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
             to fix, upgrade node from 5.9.0 to 7.0.0 or later, below 10.0.0 (in steps of at most one major release)"
        );
        // "The latest 3 released versions are `v8.0.1`, `v7.1.2`, `v6.3.2`."
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
        // "Upgrading to a new patch release (i.e. only the patch version has changed) is the
        //  simplest case. The jar upgrade may occur in any order: client first or server
        //  first, and a mix of clients with different patch release versions is fine."
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
        // "It is **required** that the server-side jar be upgraded first across your entire
        //  cluster, before any clients are upgraded. An older client (two minor versions back)
        //  will work with a newer server jar when the minor version is different, but not visa
        //  versa. In other words, clients do not need to be upgraded in lock step with the
        //  server."
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
             later, below 4.3.0, or downgrade client from 4.2.0 to 4.1.0 or later, below 4.2.0"
        );
        // "However, as the server version moves forward, the client version should move
        //  forward as well."
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
        // "(note that prior releases required all clients to be upgraded at the same time)"
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
        // "As of the 4.3 release, a mix of clients on different minor release versions is
        //  supported as well"
        assert_talk(&p, "client@4.3.0", "client@4.5.2");
        assert_talk(&p, "client@4.4.1", "client@4.9.0");
        assert!(p.upgrade_at(&v("4.5.0")).expect("upgrade").rolls("client"));
    }

    #[test]
    fn from_4_3_an_upgrade_may_skip_minors() {
        let p = policy(PHOENIX);
        // "Another improvement as of the 4.3 release is that an upgrade may be done directly
        //  from one minor version to another higher minor version (prior releases required an
        //  upgrade to each minor version in between)."
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
        // "Upgrading to a new major release may require downtime as well as potentially the
        //  running of a migration script. Additionally, all clients and servers may need to be
        //  upgraded at the same time."
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
        // "Phoenix maintains backward compatibility across at least two minor releases to
        //  allow for **no downtime** through server-side rolling restarts upon upgrading."
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
        // "For example, 4.2.1 has a major version of 4, a minor version of 2, and a patch
        //  version of 1."
        let peer = p.peer("server@4.2.1").unwrap();
        assert_eq!(
            (peer.version.major, peer.version.minor, peer.version.patch),
            (4, 2, 1)
        );
    }
}
