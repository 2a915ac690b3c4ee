//! `plan` and `check --fleet` as operators and scripts use them: the output formats, exit
//! codes, and a located error for every kind of bad input.

use serde_json::Value;

mod common;

use common::{root, run};

/// A fleet file in a fresh temporary directory; returns its path.
fn fleet_file(text: &str) -> String {
    let path = common::scratch_dir("plan").join("fleet.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const SPIRE: &str = "examples/spire/compat.toml";

/// `plan --policy POLICY --fleet FLEET --to TO`, then `more`.
fn plan_fleet(policy: &str, fleet: &str, to: &str, more: &[&str]) -> common::Run {
    run(&[
        &["plan", "--policy", policy, "--fleet", fleet, "--to", to][..],
        more,
    ]
    .concat())
}

#[test]
fn text_shows_the_component_table_then_numbered_steps_with_reasons() {
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--fleet",
        "examples/spire/fleet.toml",
        "--to",
        "0.9.3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected_head = "plan: upgrade to 0.9.3\n\
                         releases: 0.8.1 (examples/spire/fleet.toml), 0.9.3 (--to, examples/spire/compat.lock)\n\
                         \n\
                         COMPONENT  CURRENT      TARGET\n\
                         server     0.8.1 x2     0.9.3\n\
                         agent      0.8.1 x1200  0.9.3\n\
                         \n\
                         steps:\n\
                         1. upgrade server-a (server) from 0.8.1 to 0.9.3\n";
    assert!(r.stdout.starts_with(expected_head), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\n3. verify server at 0.9.3 is healthy before agent moves\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\n4. upgrade 1200 agent instances from 0.8.1 to 0.9.3, one at a time\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("   why: server moves first (`order`, examples/spire/compat.toml:32:10)")
    );
    // The second server moves for the same reason as the first: it is given once.
    assert!(
        r.stdout.contains(
            "\n2. upgrade server-b (server) from 0.8.1 to 0.9.3\n3. verify server at 0.9.3 is healthy before agent moves\n"
        ),
        "{}",
        r.stdout
    );
    // A health check says it all; the moves give their reasons.
    assert_eq!(r.stdout.matches("why: ").count(), 2, "{}", r.stdout);
    assert!(
        r.stdout
            .ends_with("\n\nnext: upgrade server-a (server) from 0.8.1 to 0.9.3 (step 1 of 4)\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_readme_shows_the_plan_it_prints() {
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--fleet",
        "examples/spire/fleet.toml",
        "--to",
        "0.9.3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```text\n{}```", r.stdout)),
        "README.md does not show what the SPIRE plan prints:\n{}",
        r.stdout
    );
}

#[test]
fn json_gives_every_step_its_reason_even_where_text_gives_it_once() {
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--fleet",
        "examples/spire/fleet.toml",
        "--to",
        "0.9.3",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[1]["instance"], "server-b");
    assert_eq!(steps[1]["reason"], steps[0]["reason"]);
    assert!(
        steps
            .iter()
            .all(|s| !s["reason"].as_str().unwrap().is_empty())
    );
}

#[test]
fn json_is_an_object_whose_steps_carry_action_component_version_instance_and_reason() {
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--fleet",
        "examples/spire/fleet.toml",
        "--to",
        "0.9.3",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[0]["action"], "upgrade");
    assert_eq!(steps[0]["component"], "server");
    assert_eq!(steps[0]["version"], "0.9.3");
    assert_eq!(steps[0]["from"], "0.8.1");
    assert_eq!(steps[0]["instance"], "server-a");
    assert_eq!(steps[0]["origin"], "examples/spire/compat.toml:32:10");
    assert!(steps[0]["reason"].as_str().unwrap().contains("`order`"));
    assert_eq!(steps[3]["instance"], Value::Null);
    assert_eq!(steps[3]["count"], 1200);
    assert_eq!(steps[3]["one_at_a_time"], true);
    assert_eq!(v["nothing_to_do"], false);
}

#[test]
fn markdown_is_a_section_with_a_table_and_a_numbered_list() {
    let r = run(&[
        "plan", "--policy", SPIRE, "--from", "0.8.1", "--to", "0.9.3", "--format", "markdown",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("## Upgrade to 0.9.3\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "| component | current | target |\n|---|---|---|\n| server | 0.8.1 | 0.9.3 |\n"
        )
    );
    // `--from` gives no fleet: the page says what it assumes, and warns of no downtime that
    // only the assumed single server would mean.
    assert!(
        r.stdout.contains(
            "\nReleases: 0.8.1 (--from), 0.9.3 (--to, examples/spire/compat.lock).\n\nAssumed: one instance per component (`--from` gives a version, not a fleet); for the instances you run, and where a single one means downtime, pass `--fleet FILE` (docs/fleet.md).\n\n"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("**Warning:**"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\n1. upgrade server from 0.8.1 to 0.9.3  \n"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_fleet_already_at_the_target_has_nothing_to_do_and_exits_0() {
    let r = run(&[
        "plan", "--policy", SPIRE, "--from", "0.9.3", "--to", "0.9.3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("plan: nothing to do: every instance already runs 0.9.3\n"),
        "{}",
        r.stdout
    );
    let j = run(&[
        "plan", "--policy", SPIRE, "--from", "0.9.3", "--to", "0.9.3", "--format", "json",
    ]);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["nothing_to_do"], true);
    assert_eq!(v["steps"], Value::Array(vec![]));
}

#[test]
fn no_plan_exits_1_naming_the_missing_release() {
    let policy = "examples/teleport/compat.toml";
    let r = run(&[
        "plan",
        "--policy",
        policy,
        "--from",
        "6.1.0",
        "--to",
        "8.1.0",
        "--releases",
        "6.1.0,8.1.0",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.starts_with("no plan: auth 6.1.0 cannot move to 8.1.0 in one step: one step may move at most one major release (`max-jump = \"1 major\"`, examples/teleport/compat.toml:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("a release after 6.1.0 and below 8.0.0 is missing (pass one in --releases, e.g. `--releases 6.1.0,7.0.0,8.1.0` if 7.0.0 is one)"),
        "{}",
        r.stderr
    );
    let j = run(&[
        "plan",
        "--policy",
        policy,
        "--from",
        "6.1.0",
        "--to",
        "8.1.0",
        "--releases",
        "6.1.0,8.1.0",
        "--format",
        "json",
    ]);
    assert_eq!(j.code, 1);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["kind"], "no plan");
    assert!(
        v["origin"]
            .as_str()
            .unwrap()
            .starts_with("examples/teleport/compat.toml:")
    );
}

#[test]
fn a_fleet_that_breaks_the_policy_gets_the_plan_that_repairs_it_first() {
    // The agent is newer than the server: the server, in the refused pair, moves first.
    let f = fleet_file("[instances]\ns = \"server@0.8.1\"\na = \"agent@0.9.3\"\n");
    let args = ["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "warning: the fleet breaks the policy: agent 0.9.3 may not talk to server 0.8.1: agent may be up to one minor release older than server, never newer (examples/spire/compat.toml:20:1); step 1 repairs it first, moving instances toward the target (those in a refused pair first) and refusing no pair that talks\n",
        "\nsteps:\nrepair: the instances in a refused pair move toward 0.9.3\n1. upgrade s (server) from 0.8.1 to 0.9.3\n   why: repair first: agent 0.9.3 may not talk to server 0.8.1: ",
    ] {
        assert!(
            r.stdout.contains(line),
            "missing {line:?} in:\n{}",
            r.stdout
        );
    }
    let j = run(&[&args[..], &["--format", "json"]].concat());
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["repair"]["steps"], 1);
    assert_eq!(
        v["repair"]["broken"][0],
        "agent 0.9.3 may not talk to server 0.8.1: agent may be up to one minor release older than server, never newer (examples/spire/compat.toml:20:1)"
    );
    assert_eq!(moves(&j.stdout), ["upgrade s 0.8.1->0.9.3"]);
    // Toward an older target, both sides of the pair move toward it: each step keeps the
    // pair that was refused refused, and refuses no other.
    let r = plan_fleet(
        SPIRE,
        &f,
        "0.9.0",
        &["--releases", "0.9.0", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        moves(&r.stdout),
        ["downgrade a 0.9.3->0.9.0", "upgrade s 0.8.1->0.9.0"]
    );
    // A fleet that satisfies the policy has no repair.
    let j = run(&[
        "plan", "--policy", SPIRE, "--from", "0.8.1", "--to", "0.9.3", "--format", "json",
    ]);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["repair"], Value::Null);
}

#[test]
fn a_repair_moves_another_instance_first_where_the_pair_cannot_move_yet() {
    // The server cannot leave 0.8.0 while agents run 0.7.0: they move to 0.8.0 first.
    let f = fleet_file(
        "[instances]\ns = \"server@0.7.0\"\n[counts]\n\"agent@0.9.3\" = 5\n\"agent@0.7.0\" = 4\n",
    );
    let r = plan_fleet(
        SPIRE,
        &f,
        "0.9.3",
        &["--releases", "0.8.0", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        moves(&r.stdout),
        [
            "upgrade s 0.7.0->0.8.0",
            "upgrade agent x4 0.7.0->0.8.0",
            "upgrade s 0.8.0->0.9.3",
            "upgrade agent x4 0.8.0->0.9.3",
        ]
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["repair"]["steps"], 3);
    assert_eq!(
        v["steps"][1]["reason"],
        "repair first: agent 0.7.0 moves first, since moving server 0.8.0 to 0.9.3 would refuse a pair that talks: agent 0.7.0 may not talk to server 0.9.3: agent may be up to one minor release older than server, never newer (examples/spire/compat.toml:20:1)"
    );
}

#[test]
fn a_fleet_no_move_repairs_gets_the_reason_and_the_instance_to_move_first() {
    // Without a 0.8 release, the server cannot reach the agents' 0.9.3 in one step.
    let f = fleet_file(
        "[instances]\ns = \"server@0.7.0\"\n[counts]\n\"agent@0.9.3\" = 5\n\"agent@0.7.0\" = 4\n",
    );
    let r = plan_fleet(SPIRE, &f, "0.9.3", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "no plan: the fleet already breaks the policy (agent 0.9.3 may not talk to server 0.7.0: agent may be up to one minor release older than server, never newer (examples/spire/compat.toml:20:1)), and no move toward 0.9.3 repairs it without refusing a pair that talks: server 0.7.0 cannot move to 0.9.3 in one step: one step may move at most one minor release (`max-jump = \"1 minor\"`, examples/spire/compat.toml:33:12); of the releases known, 0.7.0 ({f}), 0.9.3 ({f}, --to, examples/spire/compat.lock), none lies in between: a release after 0.7.0 and below 0.9.0 is missing (pass one in --releases, e.g. `--releases 0.7.0,0.8.0,0.9.3` if 0.8.0 is one); the instance to move first is s (server 0.7.0)\n"
        )
    );
}

#[test]
fn a_repair_stops_what_cannot_roll_and_redeploys_what_a_manager_runs() {
    // Gullveig's web must run the server's version and does not roll: it stops, moves and
    // starts again.
    let f = fleet_file("[counts]\n\"server@1.2.0\" = 1\n\"web@1.1.0\" = 2\n\"agent@1.1.0\" = 3\n");
    let r = plan_fleet(
        "examples/gullveig/compat.toml",
        &f,
        "1.2.0",
        &["--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        moves(&r.stdout)[..3],
        [
            "stop web x2 at 1.1.0",
            "upgrade web x2 1.1.0->1.2.0",
            "start web x2 at 1.2.0"
        ]
    );
    // mirrord's agents at another version than their operator: the operator redeploys them.
    let f = fleet_file(
        "[counts]\n\"license-server@3.5.0\" = 1\n\"operator@3.5.0\" = 1\n\"agent@3.1.0\" = 4\n\"cli@3.5.0\" = 7\n",
    );
    let r = plan_fleet(
        "examples/mirrord/compat.toml",
        &f,
        "3.5.0",
        &["--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(moves(&r.stdout), ["redeploy agent x4 3.1.0->3.5.0"]);
}

#[test]
fn a_target_outside_the_release_list_is_a_release_all_the_same() {
    // The user named it: `--to` is a release by definition, whatever `--releases` lists.
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--from",
        "0.8.1",
        "--to",
        "0.9.4",
        "--releases",
        "0.8.1,0.9.3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "plan: upgrade to 0.9.4\nreleases: 0.8.1 (--from, --releases), 0.9.3 (--releases), 0.9.4 (--to)\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn the_lock_is_needed_only_for_the_releases_in_between() {
    // The bundled locks record one release each; `--from` and `--to` need no list.
    let r = run(&[
        "plan", "--policy", SPIRE, "--from", "0.8.0", "--to", "0.9.2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "plan: upgrade to 0.9.2\nreleases: 0.8.0 (--from), 0.9.2 (--to), 0.9.3 (examples/spire/compat.lock)\n"
        ),
        "{}",
        r.stdout
    );
    // A jump too large for one step names the release missing in between, and what is known.
    let r = run(&[
        "plan", "--policy", SPIRE, "--from", "0.7.0", "--to", "0.9.3",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.ends_with(
            "; of the releases known, 0.7.0 (--from), 0.9.3 (--to, examples/spire/compat.lock), none lies in between: a release after 0.7.0 and below 0.9.0 is missing (pass one in --releases, e.g. `--releases 0.7.0,0.8.0,0.9.3` if 0.8.0 is one)\n"
        ),
        "{}",
        r.stderr
    );
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--from",
        "0.7.0",
        "--to",
        "0.9.3",
        "--releases",
        "0.8.0",
    ]);
    assert_eq!(
        r.code, 0,
        "the release in between is all it takes: {}",
        r.stderr
    );
    assert!(
        r.stdout.contains("\nthrough: 0.8.0 -> 0.9.3\n"),
        "{}",
        r.stdout
    );
    // The matrix and the guide work with one release, and say why they show so little.
    for command in ["matrix", "doc"] {
        let r = run(&[command, "--policy", SPIRE]);
        assert_eq!(r.code, 0, "{command}: {}", r.stderr);
        assert!(
            r.stderr
                .starts_with("note: examples/spire/compat.lock records one release (0.9.3), so ")
                && r.stderr.ends_with(
                    " only it; pass the releases to cover as --releases V,V,..., in any order\n"
                ),
            "{command}: {}",
            r.stderr
        );
        let r = run(&[command, "--policy", SPIRE, "--releases", "0.9.2,0.9.3"]);
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (0, ""),
            "{command} with --releases"
        );
    }
}

/// A plan's steps from its JSON: `action component from->version` (`at version` for steps
/// that move nothing), with the count where several instances move.
fn moves(stdout: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(stdout).unwrap();
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let count = match s["count"].as_u64() {
                Some(n) if n > 1 => format!(" x{n}"),
                _ => String::new(),
            };
            let whom = s["instance"]
                .as_str()
                .unwrap_or(s["component"].as_str().unwrap());
            match s["from"].as_str() {
                Some(from) => format!(
                    "{} {whom}{count} {from}->{}",
                    s["action"].as_str().unwrap(),
                    s["version"].as_str().unwrap()
                ),
                None => format!(
                    "{} {whom}{count} at {}",
                    s["action"].as_str().unwrap(),
                    s["version"].as_str().unwrap()
                ),
            }
        })
        .collect()
}

/// Plans a user first types: each example from one version to another, and its steps.
const FIRST_PLANS: [(&str, &str, &str, &[&str]); 5] = [
    (
        "spire",
        "0.9.3",
        "0.8.1",
        &[
            "downgrade agent 0.9.3->0.8.1",
            "verify agent at 0.8.1",
            "downgrade server 0.9.3->0.8.1",
        ],
    ),
    (
        "gullveig",
        "1.1.0",
        "1.2.0",
        &[
            "stop web at 1.1.0",
            "upgrade server 1.1.0->1.2.0",
            "verify server at 1.2.0",
            "upgrade web 1.1.0->1.2.0",
            "start web at 1.2.0",
            "verify web at 1.2.0",
            "upgrade agent 1.1.0->1.2.0",
        ],
    ),
    (
        "mirrord",
        "3.1.0",
        "3.5.0",
        &[
            "upgrade license-server 3.1.0->3.5.0",
            "verify license-server at 3.5.0",
            "upgrade operator 3.1.0->3.5.0",
            "redeploy agent 3.1.0->3.5.0",
            "verify operator at 3.5.0",
            "upgrade cli 3.1.0->3.5.0",
        ],
    ),
    (
        "mirrord",
        "3.5.0",
        "3.1.0",
        &[
            "downgrade cli 3.5.0->3.1.0",
            "verify cli at 3.1.0",
            "downgrade operator 3.5.0->3.1.0",
            "redeploy agent 3.5.0->3.1.0",
            "verify operator at 3.1.0",
            "downgrade license-server 3.5.0->3.1.0",
        ],
    ),
    (
        "phoenix",
        "4.4.0",
        "4.5.0",
        &[
            "upgrade server 4.4.0->4.5.0",
            "verify server at 4.5.0",
            "upgrade client 4.4.0->4.5.0",
        ],
    ),
];

#[test]
fn from_and_to_are_releases_without_a_release_list() {
    for (system, from, to, steps) in FIRST_PLANS {
        let policy = format!("examples/{system}/compat.toml");
        let args = ["plan", "--policy", &policy, "--from", from, "--to", to];
        let r = run(&args);
        assert_eq!(r.code, 0, "{system} {from} -> {to}: {}", r.stderr);
        let lock = format!("examples/{system}/compat.lock");
        assert!(
            r.stdout
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("releases: ")
                    && l.contains(&format!("{from} (--from"))
                    && l.contains(&format!("{to} (--to"))
                    && l.contains(&lock)),
            "{system}: {}",
            r.stdout
        );
        let j = run(&[&args[..], &["--format", "json"]].concat());
        assert_eq!(moves(&j.stdout), steps, "{system} {from} -> {to}");
    }
}

#[test]
fn the_releases_line_says_what_names_each_release() {
    // The fleet file, the target and the lock: each release says which of them names it, and
    // the lock is credited with its own releases only.
    let f = fleet_file("[counts]\n\"server@0.9.2\" = 2\n\"agent@0.9.1\" = 3\n");
    let r = plan_fleet(SPIRE, &f, "0.9.3", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().nth(1),
        Some(
            format!("releases: 0.9.1 ({f}), 0.9.2 ({f}), 0.9.3 (--to, examples/spire/compat.lock)")
                .as_str()
        ),
        "{}",
        r.stdout
    );
    let j = plan_fleet(SPIRE, &f, "0.9.3", &["--format", "json"]);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(
        v["releases"],
        serde_json::json!([
            {"version": "0.9.1", "sources": [f]},
            {"version": "0.9.2", "sources": [f]},
            {"version": "0.9.3", "sources": ["--to", "examples/spire/compat.lock"]},
        ])
    );
    // With a fleet file nothing is assumed.
    assert_eq!(v["assumed"], Value::Null);
    assert!(!r.stdout.contains("assumed:"), "{}", r.stdout);
}

#[test]
fn a_plan_from_a_version_says_once_that_it_assumes_one_instance_each() {
    let args = [
        "plan", "--policy", SPIRE, "--from", "0.8.1", "--to", "0.9.3",
    ];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head: Vec<&str> = r.stdout.lines().take(4).collect();
    assert_eq!(
        head,
        [
            "plan: upgrade to 0.9.3",
            "releases: 0.8.1 (--from), 0.9.3 (--to, examples/spire/compat.lock)",
            "assumed: one instance per component (--from gives a version, not a fleet); for the instances you run, and where a single one means downtime, pass --fleet FILE (docs/fleet.md)",
            "",
        ]
    );
    assert_eq!(r.stdout.matches("one instance per component").count(), 1);
    // No warning of downtime that only the assumed single server would mean.
    assert!(!r.stdout.contains("warning:"), "{}", r.stdout);
    let j = run(&[&args[..], &["--format", "json"]].concat());
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["assumed"], "one instance per component");
    assert_eq!(v["warnings"], serde_json::json!([]));
    // A fleet file with one server is measured: its downtime is a warning.
    let f = fleet_file("[instances]\nserver-a = \"server@0.8.1\"\nagent-1 = \"agent@0.8.1\"\n");
    let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
    assert!(
        r.stdout.contains(
            "\nwarning: zero downtime is impossible: the fleet runs a single server instance"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn one_move_is_one_row_whatever_groups_it_came_from() {
    // 500 nodes reach 7.1.2 in the first wave, where 120 already ran: the second wave moves
    // all 620 nodes from 7.1.2 to 8.1.0, in one row.
    let f = fleet_file(
        "[counts]\n\"auth@7.1.2\" = 2\n\"proxy@7.1.2\" = 2\n\"node@6.3.2\" = 500\n\"node@7.1.2\" = 120\n",
    );
    let r = plan_fleet(
        "examples/teleport/compat.toml",
        &f,
        "8.1.0",
        &["--releases", "7.1.2", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        moves(&r.stdout),
        [
            "upgrade node x500 6.3.2->7.1.2",
            "upgrade auth x2 7.1.2->8.1.0",
            "verify auth x2 at 8.1.0",
            "upgrade proxy x2 7.1.2->8.1.0",
            "verify proxy x2 at 8.1.0",
            "upgrade node x620 7.1.2->8.1.0",
        ]
    );
}

#[test]
fn bad_release_lists_name_the_entry() {
    for (list, message) in [
        (
            "0.8.1,0.9,0.9.3",
            "error: --releases: entry 2, `0.9`, is not a version",
        ),
        (
            "0.8.1,0.9.3,0.8.1",
            "error: --releases: `0.8.1` is listed twice (entries 1 and 3)",
        ),
        ("0.8.1,,0.9.3", "error: --releases: entry 2 is empty"),
    ] {
        let r = run(&[
            "plan",
            "--policy",
            SPIRE,
            "--from",
            "0.8.1",
            "--to",
            "0.9.3",
            "--releases",
            list,
        ]);
        assert_eq!(r.code, 2, "{list}");
        assert!(r.stderr.starts_with(message), "{list}: {}", r.stderr);
    }
}

#[test]
fn bad_fleet_files_get_every_mistake_located() {
    let f = fleet_file(
        "[instances]\na = \"serve@0.8.1\"\nb = \"server@0.8\"\n[counts]\n\"agent@0.8.1\" = -3\n\"agent@0.9.1\" = 10000000000\n\"agent@0.9.0\" = 1.5\n",
    );
    let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
    assert_eq!(r.code, 2);
    for line in [
        format!("{f}:2:5: error: unknown component `serve`: did you mean `server`?"),
        format!("{f}:3:5: error: invalid version `0.8`"),
        format!("{f}:5:17: error: count -3 for `agent@0.8.1`: a count must be at least 1"),
        format!("{f}:6:17: error: count 10000000000 for `agent@0.9.1` is larger than 1000000000"),
        format!("{f}:7:17: error: count for `agent@0.9.0` must be a whole number, not `1.5`"),
    ] {
        assert!(
            r.stderr.contains(&line),
            "missing {line:?} in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn a_duplicate_instance_name_is_located() {
    let f = fleet_file("[instances]\na = \"server@0.8.1\"\na = \"server@0.9.1\"\n");
    let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with(&format!("{f}:3:1: error: duplicate instance or entry `a`")),
        "{}",
        r.stderr
    );
}

#[test]
fn the_same_version_counted_twice_is_located() {
    let f = fleet_file("[counts]\n\"agent@0.8.1\" = 3\n\"agent@0.8.1+b\" = 2\n");
    let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(":3:1: error: `agent@0.8.1+b` is counted twice (first at "),
        "{}",
        r.stderr
    );
}

#[test]
fn from_and_fleet_together_are_a_usage_error() {
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--from",
        "0.8.1",
        "--fleet",
        "examples/spire/fleet.toml",
        "--to",
        "0.9.3",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

#[test]
fn check_with_a_fleet_lists_every_violated_pair_with_what_it_covers() {
    let f = fleet_file(
        "[instances]\nserver-a = \"server@0.9.3\"\nserver-b = \"server@0.9.2\"\n[counts]\n\"agent@0.9.3\" = 500\n\"agent@0.9.2\" = 20\n",
    );
    let r = run(&["check", "--policy", SPIRE, "--fleet", &f]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("refused: 1 pair of versions in this fleet may not talk\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("refused: agent 0.9.3 is too new for server 0.9.2\n")
    );
    assert!(
        r.stdout
            .contains("  covers: 500 instances of agent 0.9.3, 1 instance of server 0.9.2\n"),
        "{}",
        r.stdout
    );
    let ok = fleet_file("[counts]\n\"server@0.9.3\" = 3\n\"agent@0.9.3\" = 1000\n");
    let r = run(&["check", "--policy", SPIRE, "--fleet", &ok]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "compatible: all 1003 instances may talk to each other\n"
    );
}

#[test]
fn with_format_json_an_error_is_a_json_object_on_stdout_too() {
    let f = fleet_file("[counts]\n\"agnet@0.8.1\" = 3\n");
    let r = run(&[
        "plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3", "--format", "json",
    ]);
    assert_eq!(r.code, 2);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "fleet");
    assert_eq!(
        v["error"],
        format!("{f}:2:1: error: unknown component `agnet`: did you mean `agent`?")
    );
    let r = run(&[
        "plan", "--policy", SPIRE, "--from", "0.8", "--to", "0.9.3", "--format", "json",
    ]);
    assert_eq!(r.code, 2);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "usage");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("--from 0.8: invalid version `0.8`"),
        "{v}"
    );
}

#[test]
fn the_matrix_draws_the_versions_a_fleet_runs() {
    let f = fleet_file("[counts]\n\"server@0.9.3\" = 2\n\"agent@0.8.0\" = 5\n");
    let r = run(&[
        "matrix",
        "--policy",
        SPIRE,
        "--fleet",
        &f,
        "--releases",
        "0.9.0",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["releases"],
        serde_json::json!(["0.8.0", "0.9.0", "0.9.3"])
    );
    let r = run(&[
        "matrix",
        "--policy",
        "examples/spire/compat.toml",
        "--releases",
        "0.9.0,0.9.0",
    ]);
    assert_eq!(r.code, 2);
}

/// A directory holding `compat.toml` (and, given, `compat.lock`); returns the policy path.
fn policy_dir(policy: &str, lock: Option<&str>) -> String {
    let dir = common::scratch_dir("plan-policy");
    std::fs::write(dir.join("compat.toml"), policy).unwrap();
    if let Some(lock) = lock {
        std::fs::write(dir.join("compat.lock"), lock).unwrap();
    }
    dir.join("compat.toml").display().to_string()
}

#[test]
fn an_empty_fleet_file_is_an_error_not_nothing_to_do() {
    for text in ["", "[instances]\n[counts]\n"] {
        let f = fleet_file(text);
        let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
        assert_eq!(r.code, 2, "{text:?}: {}", r.stdout);
        assert_eq!(
            r.stderr,
            format!(
                "{f}:1:1: error: the fleet lists no instances\n  help: add `[instances]` (name = \"component@version\") or `[counts]` (\"component@version\" = N)\n"
            )
        );
    }
}

#[test]
fn a_fleet_file_already_at_the_target_has_nothing_to_do() {
    let f = fleet_file("[instances]\ns-1 = \"server@0.9.3\"\n[counts]\n\"agent@0.9.3\" = 40\n");
    let r = run(&["plan", "--policy", SPIRE, "--fleet", &f, "--to", "0.9.3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("plan: nothing to do: every instance already runs 0.9.3\n"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("steps:") && !r.stdout.contains("next:"),
        "{}",
        r.stdout
    );
}

#[test]
fn neither_from_nor_fleet_is_a_usage_error_naming_both() {
    let r = run(&["plan", "--policy", SPIRE, "--to", "0.9.3"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the following required arguments were not provided:\n  <--from <VERSION>|--fleet <FILE>>"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_versions_on_the_command_line_say_how_to_write_one() {
    for (args, message) in [
        (
            ["--from", "0.8.1", "--to", "0.9"],
            "error: --to 0.9: invalid version `0.9`: a version has three numbers, MAJOR.MINOR.PATCH: write 0.9.0\n",
        ),
        (
            ["--from", "x", "--to", "0.9.3"],
            "error: --from x: invalid version `x`: unexpected character 'x' while parsing major version number; write MAJOR.MINOR.PATCH, e.g. 1.4.2\n",
        ),
    ] {
        let mut all = vec!["plan", "--policy", SPIRE];
        all.extend(args);
        let r = run(&all);
        assert_eq!((r.code, r.stderr.as_str()), (2, message));
    }
}

#[test]
fn a_lock_with_a_bad_or_repeated_release_is_located() {
    let spire = std::fs::read_to_string(root().join(SPIRE)).unwrap();
    for (lock, message) in [
        (
            "format = 2\n[[release]]\nversion = \"0.9\"\n",
            "compat.lock:3:11: entry 1, `0.9`, is not a version",
        ),
        (
            "[[release]]\nversion = \"0.9.3\"\n[[release]]\nversion = \"0.9.3\"\n",
            "compat.lock:4:11: `0.9.3` is listed twice (entries 1 and 2); name each release once\n",
        ),
        (
            "release = [\n",
            "compat.lock:1:12: unclosed array, expected `]`\n",
        ),
    ] {
        let policy = policy_dir(&spire, Some(lock));
        for command in [
            vec![
                "plan", "--policy", &policy, "--from", "0.8.1", "--to", "0.9.3",
            ],
            vec!["matrix", "--policy", &policy],
            vec!["doc", "--policy", &policy],
        ] {
            let r = run(&command);
            assert_eq!(r.code, 2, "{command:?} with {lock:?}");
            let lock_path = policy.replace("compat.toml", "");
            assert!(
                r.stderr.starts_with(&format!("error: {lock_path}")) && r.stderr.contains(message),
                "{command:?} with {lock:?}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn a_policy_under_which_no_plan_exists_exits_1_with_the_rule_and_what_to_add() {
    // Phoenix's policy without settings for a major: no step may cross one.
    let text = std::fs::read_to_string(root().join("examples/phoenix/compat.toml")).unwrap();
    let text = text[..text
        .find("[[upgrade]]\n# \"Upgrading to a new major")
        .unwrap()]
        .replace("until = \"5.0.0\"\n", "");
    let policy = policy_dir(&text, None);
    let args = [
        "plan",
        "--policy",
        &policy,
        "--from",
        "4.4.0",
        "--to",
        "5.0.0",
        "--releases",
        "4.4.0,5.0.0",
    ];
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr,
        format!(
            "no plan: server 4.4.0 cannot move to 5.0.0 in one step: one step may move at most any number of minor releases within the same major (`max-jump = \"any minor\"`, {policy}:55:12); no release in between helps, since no step may cross into 5.0.0's line: give the move into it upgrade settings of its own ([[upgrade]] with `from`)\n"
        )
    );
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let j = run(&json);
    assert_eq!(j.code, 1);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["kind"], "no plan");
    assert_eq!(v["origin"], format!("{policy}:55:12"));
    assert_eq!(v["steps"], Value::Array(vec![]));
}

#[test]
fn text_heads_each_wave_and_gives_its_reason_once() {
    let r = run(&[
        "plan",
        "--policy",
        "examples/teleport/compat.toml",
        "--from",
        "6.3.2",
        "--to",
        "8.1.0",
        "--releases",
        "6.3.2,7.1.2,8.1.0",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "\nsteps:\nwave 1 of 2: up to 7.1.2, a step on the way to 8.1.0: one step moves at most one major release (`max-jump`, examples/teleport/compat.toml:70:12)\n 1. upgrade auth from 6.3.2 to 7.1.2\n    why: auth moves first (`order`, examples/teleport/compat.toml:69:10)\n 2. verify auth at 7.1.2 is healthy before proxy moves\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "\nwave 2 of 2: up to 8.1.0\n10. upgrade auth from 7.1.2 to 8.1.0\n11. verify"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches("a step on the way").count(),
        1,
        "{}",
        r.stdout
    );
    // JSON keeps the whole reason on every move of the first wave.
    let j = run(&[
        "plan",
        "--policy",
        "examples/teleport/compat.toml",
        "--from",
        "6.3.2",
        "--to",
        "8.1.0",
        "--releases",
        "6.3.2,7.1.2,8.1.0",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    let moves: Vec<&Value> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "upgrade" && s["version"] == "7.1.2")
        .collect();
    assert_eq!(moves.len(), 5);
    assert!(moves.iter().all(|s| s["reason"].as_str().unwrap().contains(
        "; 7.1.2 is a step on the way to 8.1.0: one step moves at most one major release"
    )));
}

#[test]
fn a_fleet_on_both_sides_reads_as_a_wave_down_then_a_wave_up() {
    let f = fleet_file(
        "[instances]\ns1 = \"server@0.9.3\"\ns2 = \"server@0.9.3\"\n[counts]\n\"agent@0.8.0\" = 5\n\"agent@0.9.3\" = 2\n",
    );
    let r = run(&[
        "plan",
        "--policy",
        SPIRE,
        "--fleet",
        &f,
        "--to",
        "0.9.0",
        "--releases",
        "0.8.0,0.9.0,0.9.3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let heads: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("wave "))
        .collect();
    assert_eq!(
        heads,
        ["wave 1 of 2: down to 0.9.0", "wave 2 of 2: up to 0.9.0"]
    );
    assert!(
        r.stdout
            .contains("wave 2 of 2: up to 0.9.0\n5. upgrade 5 agent instances from 0.8.0 to 0.9.0"),
        "{}",
        r.stdout
    );
}
