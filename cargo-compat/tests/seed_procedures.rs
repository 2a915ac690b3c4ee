//! The seed documents' upgrade and downgrade procedures, produced by the planner from the
//! example policies alone, and every plan replayed through the runtime's fleet check.

use cargo_compat::fleet_file::Fleet;
use cargo_compat::plan::replay::replay;
use cargo_compat::plan::{Action, Plan, PlanError, Request, Step, plan};
use cargo_compat::releases::Releases;
use compat_runtime::{Policy, Version};

fn policy(system: &str) -> Policy {
    // Relative, as an operator types it (tests run in the package directory).
    let path = format!("../examples/{system}/compat.toml");
    Policy::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn fleet(policy: &Policy, text: &str) -> Fleet {
    Fleet::from_toml(policy, "fleet.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Plans, then replays the plan independently and checks where it ends.
#[track_caller]
fn planned(policy: &Policy, fleet: &Fleet, to: &str, releases: &str) -> Plan {
    let request = Request::to(v(to))
        .through(Releases::parse(policy, releases).unwrap_or_else(|e| panic!("{e}")));
    let plan = plan(policy, fleet, &request).unwrap_or_else(|e| panic!("{e}"));
    let end = replay(policy, fleet, &plan.steps).unwrap_or_else(|e| panic!("{e}"));
    assert!(end.all_running(&v(to)), "{end:?}");
    plan
}

#[track_caller]
fn no_plan(policy: &Policy, fleet: &Fleet, to: &str, releases: &str) -> String {
    let request = Request::to(v(to)).through(Releases::parse(policy, releases).unwrap());
    match plan(policy, fleet, &request) {
        Err(e @ PlanError::NoPlan { .. }) => e.to_string(),
        other => panic!("expected no plan, got {other:?}"),
    }
}

/// `upgrade server-a 0.8.1 0.9.3`, `verify server 0.9.3`, `upgrade agent x1200 0.8.1 0.9.3`.
fn line(s: &Step) -> String {
    let who = match (&s.instance, s.count) {
        (Some(n), _) => n.clone(),
        (None, 1) => s.component.clone(),
        (None, n) if s.action == Action::Verify => {
            let _ = n;
            s.component.clone()
        }
        (None, n) => format!("{} x{n}", s.component),
    };
    match &s.from {
        Some(from) => format!("{} {who} {from} {}", s.action, s.version),
        None => format!("{} {who} {}", s.action, s.version),
    }
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.steps.iter().map(line).collect()
}

mod spire {
    use super::*;

    const FLEET: &str = r#"
        [instances]
        server-a = "server@0.8.1"
        server-b = "server@0.8.1"
        [counts]
        "agent@0.8.1" = 1200
    "#;

    #[test]
    fn servers_upgrade_one_at_a_time_before_agents() {
        // SPIRE's upgrade page, going from 0.8.1 to 0.9.3: move the servers from 0.8.1 to 0.9.3
        //  one by one; check that the server cluster works as it should; then move the agents from
        //  0.8.1 to 0.9.3, one by one or several at once
        let p = policy("spire");
        let plan = planned(&p, &fleet(&p, FLEET), "0.9.3", "0.8.1,0.9.0,0.9.3");
        assert_eq!(
            lines(&plan),
            [
                "upgrade server-a 0.8.1 0.9.3",
                "upgrade server-b 0.8.1 0.9.3",
                "verify server 0.9.3",
                "upgrade agent x1200 0.8.1 0.9.3",
            ]
        );
        assert!(plan.steps[3].one_at_a_time);
        assert!(
            plan.steps[0].reason.contains("server moves first (`order`"),
            "{}",
            plan.steps[0].reason
        );
        assert!(
            plan.steps[0]
                .reason
                .contains("agent first would be refused"),
            "{}",
            plan.steps[0].reason
        );
        assert!(
            plan.warnings.is_empty(),
            "two servers cover for each other: {:?}",
            plan.warnings
        );
    }

    #[test]
    fn an_upgrade_takes_one_minor_per_jump() {
        // SPIRE's upgrade page: one upgrade moves at most one minor version, whatever the patch
        let p = policy("spire");
        let plan = planned(
            &p,
            &fleet(&p, FLEET),
            "0.10.1",
            "0.8.1,0.9.0,0.9.3,0.10.0,0.10.1",
        );
        assert_eq!(plan.waves, [v("0.9.3"), v("0.10.1")]);
        for s in plan.steps.iter().filter(|s| s.from.is_some()) {
            let from = s.from.as_ref().unwrap();
            assert!(s.version.minor - from.minor <= 1, "{}", line(s));
        }
        assert!(
            plan.steps[0]
                .reason
                .contains("0.9.3 is a step on the way to 0.10.1")
        );
    }

    #[test]
    fn a_missing_intermediate_release_is_named() {
        let p = policy("spire");
        let reason = no_plan(&p, &fleet(&p, FLEET), "0.10.1", "0.8.1,0.10.1");
        assert!(
            reason.contains("server 0.8.1 cannot move to 0.10.1 in one step"),
            "{reason}"
        );
        assert!(reason.contains("`max-jump = \"1 minor\"`, "), "{reason}");
        assert!(
            reason.contains("a release after 0.8.1 and below 0.10.0 is missing"),
            "{reason}"
        );
    }

    #[test]
    fn a_downgrade_moves_agents_first() {
        // SPIRE's upgrade page, going back from 0.9.3 to 0.8.1: take the agents from 0.9.3 to
        //  0.8.1, one by one or several at once; then the servers from 0.9.3 to 0.8.1 one by one
        let p = policy("spire");
        let f = fleet(
            &p,
            "[instances]\nserver-a = \"server@0.9.3\"\nserver-b = \"server@0.9.3\"\n[counts]\n\"agent@0.9.3\" = 40\n",
        );
        let plan = planned(&p, &f, "0.8.1", "0.8.1,0.9.3");
        assert_eq!(
            lines(&plan),
            [
                "downgrade agent x40 0.9.3 0.8.1",
                "verify agent 0.8.1",
                "downgrade server-a 0.9.3 0.8.1",
                "downgrade server-b 0.9.3 0.8.1",
            ]
        );
        // SPIRE's upgrade page: no agent may be newer than the oldest server it talks to
        assert!(
            plan.steps[0].reason.contains("never newer"),
            "{}",
            plan.steps[0].reason
        );
    }

    #[test]
    fn a_single_server_cannot_move_without_downtime() {
        // SPIRE's upgrade page: servers can be upgraded with no downtime as long as the cluster has
        //  two servers or more.
        let p = policy("spire");
        let f = fleet(
            &p,
            "[instances]\nserver-a = \"server@0.8.1\"\nagent-1 = \"agent@0.8.1\"\n",
        );
        let plan = planned(&p, &f, "0.9.3", "0.8.1,0.9.3");
        assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
        assert!(
            plan.warnings[0].starts_with(
                "zero downtime is impossible: the fleet runs a single server instance"
            ),
            "{}",
            plan.warnings[0]
        );
        assert!(plan.warnings[0].contains("examples/spire/compat.toml:13:1"));
    }

    #[test]
    fn a_half_done_rollout_resumes_where_it_stopped() {
        let p = policy("spire");
        let f = fleet(
            &p,
            "[instances]\nserver-a = \"server@0.9.3\"\nserver-b = \"server@0.8.1\"\nagent-1 = \"agent@0.8.1\"\n",
        );
        let plan = planned(&p, &f, "0.9.3", "0.8.1,0.9.3");
        assert_eq!(
            lines(&plan),
            [
                "upgrade server-b 0.8.1 0.9.3",
                "verify server 0.9.3",
                "upgrade agent-1 0.8.1 0.9.3"
            ]
        );
    }

    #[test]
    fn a_fleet_on_both_sides_of_the_target_moves_down_then_up() {
        let p = policy("spire");
        let f = fleet(
            &p,
            "[instances]\nserver-a = \"server@0.9.3\"\nserver-b = \"server@0.9.3\"\nagent-1 = \"agent@0.8.1\"\n",
        );
        let plan = planned(&p, &f, "0.9.0", "0.8.1,0.9.0,0.9.3");
        assert_eq!(plan.direction, cargo_compat::plan::Direction::Both);
        assert_eq!(
            lines(&plan),
            [
                "downgrade server-a 0.9.3 0.9.0",
                "downgrade server-b 0.9.3 0.9.0",
                "upgrade agent-1 0.8.1 0.9.0",
            ]
        );
    }

    #[test]
    fn a_fleet_at_the_target_has_nothing_to_do() {
        let p = policy("spire");
        let f = fleet(&p, "[counts]\n\"server@0.9.3\" = 2\n\"agent@0.9.3\" = 3\n");
        let plan = planned(&p, &f, "0.9.3", "0.9.3");
        assert!(plan.is_empty());
    }
}

mod gullveig {
    use super::*;

    #[test]
    fn web_stops_before_the_server_restarts_and_agents_come_last() {
        // Gullveig's upgrade page: the reporting server is upgraded first, the web interface next,
        //  the agents last.
        // Its steps for the server side: stop gullveig-web; restart gullveig-server; wait until the
        //  reporting server is up; start gullveig-web again. For agents: upgrade, then restart
        //  gullveig-agent.
        let p = policy("gullveig");
        let f = fleet(
            &p,
            "[instances]\nreporting = \"server@1.1.5\"\nweb-ui = \"web@1.1.5\"\nhost-1 = \"agent@1.1.5\"\n",
        );
        let plan = planned(&p, &f, "1.2.0", "1.1.5,1.2.0");
        assert_eq!(
            lines(&plan),
            [
                "stop web-ui 1.1.5",
                "upgrade reporting 1.1.5 1.2.0",
                "verify server 1.2.0",
                "upgrade web-ui 1.1.5 1.2.0",
                "start web-ui 1.2.0",
                "verify web 1.2.0",
                "upgrade host-1 1.1.5 1.2.0",
            ]
        );
        assert!(plan.steps[3].stopped);
        // Gullveig's upgrade page: the web interface must run the very version of the reporting
        //  server.
        assert!(
            plan.steps[0].reason.contains(
                "web must run exactly the version of server (../examples/gullveig/compat.toml:23:1)"
            ),
            "{}",
            plan.steps[0].reason
        );
    }
}

mod mirrord {
    use super::*;

    #[test]
    fn a_major_warns_once_for_everything_that_stops_while_the_license_server_moves() {
        let p = policy("mirrord");
        let f = fleet(
            &p,
            "[instances]\nlicense = \"license-server@3.118.0\"\noperator = \"operator@3.118.0\"\nlaptop = \"cli@3.118.0\"\n[counts]\n\"agent@3.118.0\" = 4\n",
        );
        let plan = planned(&p, &f, "4.0.0", "3.118.0,4.0.0");
        let stops: Vec<&String> = plan
            .warnings
            .iter()
            .filter(|w| w.contains(" stop while license-server moves to 4.0.0"))
            .collect();
        assert_eq!(
            stops,
            [
                "zero downtime is impossible: operator, laptop and 4 agent instances stop while license-server moves to 4.0.0, because none of them may talk to license-server 4.0.0: any two components must be in the same major (../examples/mirrord/compat.toml:10:1)"
            ],
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn license_server_then_operator_then_cli_and_the_operator_redeploys_agents() {
        // mirrord's versioning page recommends: upgrade the license server; check that it is up and
        //  can be reached; upgrade the operator; then the client tools (CLI) when needed.
        // The same page: users should leave the agent's image version to the operator.
        let p = policy("mirrord");
        let f = fleet(
            &p,
            "[instances]\nlicense = \"license-server@3.118.0\"\noperator = \"operator@3.118.0\"\nlaptop = \"cli@3.118.0\"\n[counts]\n\"agent@3.118.0\" = 4\n",
        );
        let plan = planned(&p, &f, "3.120.0", "3.118.0,3.120.0");
        assert_eq!(
            lines(&plan),
            [
                "upgrade license 3.118.0 3.120.0",
                "verify license-server 3.120.0",
                "upgrade operator 3.118.0 3.120.0",
                "redeploy agent x4 3.118.0 3.120.0",
                "verify operator 3.120.0",
                "upgrade laptop 3.118.0 3.120.0",
            ]
        );
        let redeploy = &plan.steps[3];
        assert!(
            redeploy.joint,
            "the agents move within the operator's own step"
        );
        assert_eq!(redeploy.via.as_deref(), Some("operator"));
        assert!(redeploy.reason.contains("never move it by hand"));
        assert!(
            plan.steps
                .iter()
                .all(|s| s.component != "agent" || s.action == Action::Redeploy),
            "the agent is never moved by hand"
        );
    }
}

mod mirrord_without_operator {
    use super::*;

    #[test]
    fn agents_without_their_operator_have_no_plan() {
        let p = policy("mirrord");
        let f = fleet(
            &p,
            "[counts]\n\"license-server@3.118.0\" = 1\n\"agent@3.118.0\" = 4\n",
        );
        let reason = no_plan(&p, &f, "3.120.0", "3.118.0,3.120.0");
        assert!(
            reason.contains("agent is managed by operator (agent is managed by operator and runs exactly its version, ../examples/mirrord/compat.toml:19:1), but the fleet runs no operator to redeploy it"),
            "{reason}"
        );
    }
}

mod teleport {
    use super::*;

    const FLEET: &str = "[counts]\n\"auth@6.1.0\" = 2\n\"proxy@6.1.0\" = 2\n\"node@6.1.0\" = 30\n\"tsh@6.1.0\" = 9\n\"tctl@6.1.0\" = 1\n";

    #[test]
    fn no_major_is_skipped() {
        // RFD 12: once everything has been upgraded from vN-1.*.*, any mix of vN.*.* versions may
        //  run across the deployment
        let p = policy("teleport");
        let plan = planned(&p, &fleet(&p, FLEET), "8.1.0", "6.1.0,7.0.2,7.3.0,8.1.0");
        assert_eq!(plan.waves, [v("7.3.0"), v("8.1.0")]);
        let order: Vec<&str> = plan
            .steps
            .iter()
            .filter(|s| s.action == Action::Upgrade && s.version == v("7.3.0"))
            .map(|s| s.component.as_str())
            .collect();
        assert_eq!(order, ["auth", "proxy", "node", "tsh", "tctl"]);
        // Every instance is on 7.x before anything moves to 8.x.
        let last_seven = plan
            .steps
            .iter()
            .rposition(|s| s.version == v("7.3.0"))
            .unwrap();
        let first_eight = plan
            .steps
            .iter()
            .position(|s| s.version == v("8.1.0"))
            .unwrap();
        assert!(last_seven < first_eight);
    }

    #[test]
    fn a_beta_fleet_reaches_the_release_through_its_release_candidate() {
        // RFD 12: -beta.X builds are for staging, not production; -rc.X builds are release
        //  candidates that may be fit for production: only rc builds meet releases.
        let p = policy("teleport");
        let f = fleet(
            &p,
            "[counts]\n\"auth@6.0.0-beta.1\" = 2\n\"node@6.0.0-beta.1\" = 5\n",
        );
        let plan = planned(&p, &f, "6.0.0", "6.0.0-beta.1,6.0.0-rc.1,6.0.0");
        assert_eq!(plan.waves, [v("6.0.0-rc.1"), v("6.0.0")]);
        assert!(
            plan.steps[0]
                .reason
                .contains("6.0.0-rc.1 is a step on the way to 6.0.0, since")
                && plan.steps[0]
                    .reason
                    .contains("only rc pre-releases may talk to releases"),
            "{}",
            plan.steps[0].reason
        );
    }

    #[test]
    fn a_release_in_between_that_its_own_settings_cannot_reach_is_named_not_called_missing() {
        // 5.0.0 lies within one major of 4.0.1, but before 6.0 a step moves one minor.
        let p = policy("teleport");
        let f = fleet(&p, "[counts]\n\"auth@4.0.1\" = 2\n");
        let reason = no_plan(&p, &f, "8.1.0", "4.0.1,5.0.0,7.0.0,8.1.0");
        assert!(!reason.contains("is missing"), "{reason}");
        assert!(
            reason.contains(
                "; and the release nearer, 5.0.0, cannot be reached either: auth 4.0.1 cannot move to 5.0.0 in one step: one step may move at most one minor release (`max-jump = \"1 minor\"`, ../examples/teleport/compat.toml:63:12)"
            ),
            "{reason}"
        );
    }

    #[test]
    fn without_a_release_of_the_major_in_between_there_is_no_plan() {
        let p = policy("teleport");
        let reason = no_plan(&p, &fleet(&p, FLEET), "8.1.0", "6.1.0,8.1.0");
        assert!(
            reason.contains("auth 6.1.0 cannot move to 8.1.0 in one step"),
            "{reason}"
        );
        assert!(
            reason.contains("a release after 6.1.0 and below 8.0.0 is missing"),
            "{reason}"
        );
        assert!(
            reason.contains("examples/teleport/compat.toml:"),
            "{reason}"
        );
    }
}

mod phoenix {
    use super::*;

    const FLEET: &str = "[instances]\nrs-1 = \"server@4.4.0\"\nrs-2 = \"server@4.4.0\"\n[counts]\n\"client@4.4.0\" = 10\n";

    #[test]
    fn servers_move_first_for_a_minor() {
        // Phoenix's compatibility page: the server-side jar must be upgraded on the whole cluster
        //  before any client is.
        let p = policy("phoenix");
        let plan = planned(&p, &fleet(&p, FLEET), "4.6.0", "4.4.0,4.5.0,4.6.0");
        assert_eq!(
            lines(&plan),
            [
                "upgrade rs-1 4.4.0 4.6.0",
                "upgrade rs-2 4.4.0 4.6.0",
                "verify server 4.6.0",
                "upgrade client x10 4.4.0 4.6.0",
            ]
        );
        // From 4.3, Phoenix's page lets one upgrade go straight to any higher minor version.
        assert_eq!(plan.waves, [v("4.6.0")]);
    }

    #[test]
    fn patches_go_in_any_order() {
        // Phoenix's page: in a patch release the jars may be upgraded in either order, client or
        //  server first
        let p = policy("phoenix");
        let f = fleet(&p, FLEET);
        let plan = planned(&p, &f, "4.4.1", "4.4.0,4.4.1");
        // The planner keeps the documented order; the client-first order replays just as well.
        let mut client_first: Vec<Step> = plan
            .steps
            .iter()
            .filter(|s| s.component == "client")
            .cloned()
            .collect();
        client_first.extend(
            plan.steps
                .iter()
                .filter(|s| s.component == "server" && s.action != Action::Verify)
                .cloned(),
        );
        let end = replay(&p, &f, &client_first).unwrap_or_else(|e| panic!("{e}"));
        assert!(end.all_running(&v("4.4.1")));
        // For a minor, the same reordering is refused by the replay.
        let minor = planned(&p, &f, "4.5.0", "4.4.0,4.5.0");
        let mut wrong: Vec<Step> = minor
            .steps
            .iter()
            .filter(|s| s.component == "client")
            .cloned()
            .collect();
        wrong.extend(
            minor
                .steps
                .iter()
                .filter(|s| s.component == "server")
                .cloned(),
        );
        let err = replay(&p, &f, &wrong).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "step 1: the fleet breaks the policy: client 4.5.0 is too new for server 4.4.0"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_major_moves_in_lockstep() {
        // Phoenix's page: a new major may need downtime, and every client and server might have to
        //  move at once.
        let p = policy("phoenix");
        let plan = planned(&p, &fleet(&p, FLEET), "5.0.0", "4.4.0,5.0.0");
        assert_eq!(
            lines(&plan),
            [
                "stop client x10 4.4.0",
                "stop rs-1 4.4.0",
                "stop rs-2 4.4.0",
                "upgrade rs-1 4.4.0 5.0.0",
                "upgrade rs-2 4.4.0 5.0.0",
                "start rs-1 5.0.0",
                "start rs-2 5.0.0",
                "verify server 5.0.0",
                "upgrade client x10 4.4.0 5.0.0",
                "start client x10 5.0.0",
            ]
        );
        assert!(
            plan.warnings.iter().any(|w| w.starts_with(
                "zero downtime is impossible: 10 client instances stop while server moves to 5.0.0"
            )),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn a_major_moves_through_its_first_release_then_rolls_again() {
        let p = policy("phoenix");
        let plan = planned(&p, &fleet(&p, FLEET), "5.1.0", "4.4.0,5.0.0,5.0.1,5.1.0");
        assert_eq!(plan.waves, [v("5.0.0"), v("5.1.0")]);
        let after = lines(&plan)
            .into_iter()
            .skip_while(|l| l != "start client x10 5.0.0")
            .skip(1)
            .collect::<Vec<_>>();
        assert_eq!(
            after,
            [
                "upgrade rs-1 5.0.0 5.1.0",
                "upgrade rs-2 5.0.0 5.1.0",
                "verify server 5.1.0",
                "upgrade client x10 5.0.0 5.1.0",
            ]
        );
    }

    #[test]
    fn a_patch_of_the_new_major_rolls_without_stopping_anything() {
        // Phoenix's page: a patch release may go in either order, so the settings for the move
        // into 5.0.0 do not make its patches stop the cluster.
        let p = policy("phoenix");
        let f = fleet(
            &p,
            "[instances]\nrs-1 = \"server@5.0.0\"\nrs-2 = \"server@5.0.0\"\n[counts]\n\"client@5.0.0\" = 4\n",
        );
        let plan = planned(&p, &f, "5.0.1", "5.0.0,5.0.1");
        assert!(
            plan.steps.iter().all(|s| s.action != Action::Stop),
            "{:?}",
            lines(&plan)
        );
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }

    #[test]
    fn without_the_first_release_of_the_major_there_is_no_plan_and_it_is_named() {
        let p = policy("phoenix");
        let reason = no_plan(&p, &fleet(&p, FLEET), "5.1.0", "4.4.0,5.1.0");
        assert!(
            reason.contains(
                "the move into 5.0.0 has upgrade settings of its own (../examples/phoenix/compat.toml:"
            ) && reason.ends_with(
                "but of the releases known, 4.4.0 (fleet.toml, --releases), 5.1.0 (--to, --releases), none is from 5.0.0, below 5.0.1: pass one in --releases, e.g. `--releases 4.4.0,5.0.0,5.1.0` if 5.0.0 is one"
            ),
            "{reason}"
        );
    }

    #[test]
    fn a_major_without_settings_of_its_own_has_no_plan() {
        // Phoenix's page leaves majors to be settled release by release: a policy that says
        // nothing about one gets no plan across it, and is told what to add.
        let text = std::fs::read_to_string("../examples/phoenix/compat.toml").unwrap();
        let text = text[..text
            .find("[[upgrade]]\n# \"Upgrading to a new major")
            .unwrap()]
            .replace("until = \"5.0.0\"\n", "");
        let p = Policy::from_toml("phoenix.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        let reason = no_plan(&p, &fleet(&p, FLEET), "5.0.0", "4.4.0,5.0.0");
        assert!(
            reason.starts_with("no plan: server 4.4.0 cannot move to 5.0.0 in one step: one step may move at most any number of minor releases within the same major (`max-jump = \"any minor\"`, phoenix.toml:")
                && reason.ends_with("no release in between helps, since no step may cross into 5.0.0's line: give the move into it upgrade settings of its own ([[upgrade]] with `from`)"),
            "{reason}"
        );
    }

    #[test]
    fn a_downgrade_across_4_3_warns_of_the_rule_change() {
        let p = policy("phoenix");
        let f = fleet(&p, "[counts]\n\"server@4.3.1\" = 2\n\"client@4.3.1\" = 3\n");
        let plan = planned(&p, &f, "4.2.0", "4.2.0,4.3.1");
        assert_eq!(plan.steps[0].component, "client", "clients move down first");
        // One warning for the release crossed, naming both rules that change there.
        assert_eq!(
            plan.warnings,
            [
                "this downgrade crosses 4.3.0, where the policy changes: \"client instances must be in the same minor (any patch) (before 4.3.0)\" (../examples/phoenix/compat.toml:18:1) applies again below it; \"client instances must be in the same major (any minor) (from 4.3.0 on)\" (../examples/phoenix/compat.toml:27:1) stops applying below it; check that the fleet may run the older rules"
            ],
        );
    }
}
