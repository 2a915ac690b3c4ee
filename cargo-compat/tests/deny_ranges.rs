//! Denied releases (`[[deny]]`) on the command line: `check` refuses a peer at one in words
//! and in JSON, `check --fleet` reports a group at one once, `plan` never steps onto one (it
//! takes another release, or says which deny leaves no plan), and `doc` and `matrix` state
//! them. Zed's collab refusing Zed 0.199.0 through 0.199.1, and Databend's pulled 1.2.163
//! through 1.2.226, are the fixtures. The policy's own rules are `tests/deny_ranges.rs` at
//! the workspace root.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{Run, run_in, scratch_dir};

/// Zed and its collaboration server (`crates/collab`, `ZedVersion::can_collaborate`): collab
/// refuses every Zed before 0.198.4, and 0.199.0 through 0.199.1.
const ZED: &str = include_str!("fixtures/zed.toml");

/// Databend pulled 1.2.163 through 1.2.226, for every component; one step moves at most a
/// hundred patch releases.
const DATABEND: &str = r#"[components]
meta = {}
query = {}

[[rule]]
component = "query"
peer = "meta"
skew = "any"

[upgrade]
order = ["meta", "query"]
max-jump = "100 patch"

[[deny]]
from = "1.2.163"
through = "1.2.226"
reason = "pulled: the releases were withdrawn"
"#;

/// A scratch directory holding `policy` as `compat.toml`.
fn with_policy(policy: &str) -> PathBuf {
    let dir = scratch_dir("deny");
    std::fs::write(dir.join("compat.toml"), policy).unwrap();
    dir
}

fn compat(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec![args[0], "--policy", "compat.toml"];
    all.extend(&args[1..]);
    run_in(dir, &all)
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn check_refuses_a_denied_zed_naming_the_deny_its_reason_and_the_ways_off() {
    let dir = with_policy(ZED);
    let run = compat(&dir, &["check", "zed@0.199.1", "collab@0.200.0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "refused: zed 0.199.1 is a denied release (talking to collab 0.200.0)\n  \
         rule: zed 0.199.0 through 0.199.1 are refused: Preview builds without the hotfix: they \
         still connect to collab just to authenticate (compat.toml:24:1)\n  \
         fix:  upgrade zed from 0.199.1 to 0.199.2 or later (one step reaches 0.199.2 or later, \
         below 0.201.0; `max-jump` allows steps of at most one minor release)\n    \
         or  downgrade zed from 0.199.1 to 0.198.4 or later, below 0.199.0\n"
    );
    let fixed = compat(&dir, &["check", "zed@0.199.2", "collab@0.200.0"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stdout);
    let lint = compat(&dir, &["lint"]);
    assert!(
        lint.stdout
            .starts_with("ok: compat.toml: 2 components, 1 rule, 1 upgrade table, 2 denies"),
        "{}",
        lint.stdout
    );
}

#[test]
fn check_in_json_gives_the_kind_the_deny_s_place_and_the_moves() {
    let dir = with_policy(ZED);
    let run = compat(
        &dir,
        &["check", "--format", "json", "collab@0.200.0", "zed@0.199.0"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v = json(&run);
    assert_eq!(v["compatible"], false);
    assert_eq!(v["kind"], "denied");
    assert_eq!(v["subject"]["component"], "zed");
    assert_eq!(v["subject"]["version"], "0.199.0");
    assert_eq!(v["rule"]["origin"], "compat.toml:24:1");
    assert_eq!(
        v["rule"]["text"],
        "zed 0.199.0 through 0.199.1 are refused: Preview builds without the hotfix: they still \
         connect to collab just to authenticate"
    );
    let moves = v["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 2);
    assert_eq!(
        (&moves[0]["action"], &moves[0]["lowest"], &moves[0]["to"]),
        (
            &"upgrade".into(),
            &"0.199.2".into(),
            &"0.199.2 or later".into()
        )
    );
    assert_eq!(
        (&moves[1]["action"], &moves[1]["below"]),
        (&"downgrade".into(), &"0.199.0".into())
    );
    assert_eq!(v["violations"][0]["kind"], "denied");
}

#[test]
fn check_of_a_fleet_reports_a_denied_group_once_with_the_instances_it_covers() {
    let dir = with_policy(ZED);
    std::fs::write(
        dir.join("fleet.toml"),
        "[instances]\ncollab-1 = \"collab@0.199.2\"\n\n[counts]\n\"zed@0.199.1\" = 40\n\"zed@0.199.2\" = 200\n",
    )
    .unwrap();
    let run = compat(&dir, &["check", "--fleet", "fleet.toml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "refused: 1 pair of versions in this fleet may not talk\n\n\
             refused: zed 0.199.1 is a denied release\n  covers: 40 instances of zed 0.199.1\n"
        ),
        "{}",
        run.stdout
    );
    let v = json(&compat(
        &dir,
        &["check", "--format", "json", "--fleet", "fleet.toml"],
    ));
    assert_eq!(v["violations"].as_array().unwrap().len(), 1);
    assert_eq!(v["violations"][0]["others"], serde_json::json!([]));
}

/// `plan --format json` steps as `component version` for every move.
fn moves(v: &Value) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "upgrade" || s["action"] == "downgrade")
        .map(|s| {
            format!(
                "{} {}",
                s["component"].as_str().unwrap(),
                s["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_plan_steps_past_a_pulled_release_to_one_that_was_not() {
    let dir = with_policy(DATABEND);
    let args = [
        "plan",
        "--from",
        "1.2.100",
        "--to",
        "1.2.300",
        "--releases",
        "1.2.150,1.2.200,1.2.230",
        "--format",
        "json",
    ];
    let run = compat(&dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // 1.2.200 is the farthest one step reaches from 1.2.100, but it was pulled: the plan
    // goes through 1.2.150 and then 1.2.230, past the pulled releases.
    assert_eq!(
        moves(&json(&run)),
        [
            "meta 1.2.150",
            "query 1.2.150",
            "meta 1.2.230",
            "query 1.2.230",
            "meta 1.2.300",
            "query 1.2.300"
        ]
    );
    // Without the deny, the same request goes through 1.2.200.
    let dir = with_policy(&DATABEND[..DATABEND.find("[[deny]]").unwrap()]);
    let run = compat(&dir, &args);
    assert!(
        moves(&json(&run)).contains(&"meta 1.2.200".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn with_only_pulled_releases_in_between_there_is_no_plan_and_the_answer_names_the_deny() {
    let dir = with_policy(DATABEND);
    let run = compat(
        &dir,
        &[
            "plan",
            "--from",
            "1.2.100",
            "--to",
            "1.2.300",
            "--releases",
            "1.2.200",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "no plan: meta 1.2.100 cannot move to 1.2.300 in one step: one step may move at most 100 \
         patch releases (`max-jump = \"100 patch\"`, compat.toml:12:12); of the releases known, \
         1.2.100 (--from), 1.2.200 (--releases), 1.2.300 (--to), none in between may be used: a \
         release after 1.2.100 and below 1.2.201 that no deny refuses is missing (pass one in \
         --releases); 1.2.200 is denied (1.2.163 through 1.2.226 of every component are \
         refused: pulled: the releases were withdrawn, compat.toml:14:1)\n"
    );
}

#[test]
fn zed_cannot_be_planned_through_its_denied_previews_nor_onto_them() {
    let dir = with_policy(ZED);
    // One minor at a time from 0.198.4 to 0.200.0: the releases of 0.199 known are denied.
    let run = compat(
        &dir,
        &[
            "plan",
            "--from",
            "0.198.4",
            "--to",
            "0.200.0",
            "--releases",
            "0.199.0,0.199.1",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.ends_with(
            "0.199.0 and 0.199.1 are denied (zed 0.199.0 through 0.199.1 are refused: Preview \
             builds without the hotfix: they still connect to collab just to authenticate, \
             compat.toml:24:1)\n"
        ),
        "{}",
        run.stderr
    );
    // With 0.199.2 known, the plan goes through it.
    let run = compat(
        &dir,
        &[
            "plan",
            "--from",
            "0.198.4",
            "--to",
            "0.200.0",
            "--releases",
            "0.199.0,0.199.1,0.199.2",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        moves(&json(&run)),
        [
            "collab 0.199.2",
            "zed 0.199.2",
            "collab 0.200.0",
            "zed 0.200.0"
        ]
    );
    // A denied target.
    let run = compat(
        &dir,
        &[
            "plan", "--from", "0.198.4", "--to", "0.199.1", "--format", "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v = json(&run);
    assert_eq!(v["kind"], "no plan");
    assert_eq!(v["origin"], "compat.toml:24:1");
    assert_eq!(
        v["reason"],
        "the target 0.199.1 is a denied release of zed: zed 0.199.0 through 0.199.1 are refused: \
         Preview builds without the hotfix: they still connect to collab just to authenticate \
         (compat.toml:24:1); choose a target the policy does not deny (zed may run 0.198.4 or \
         later, below 0.199.0, and 0.199.2 or later)"
    );
}

#[test]
fn a_fleet_on_a_denied_release_is_moved_off_it_first() {
    let dir = with_policy(ZED);
    std::fs::write(
        dir.join("fleet.toml"),
        "[counts]\n\"collab@0.199.2\" = 2\n\"zed@0.199.1\" = 10\n\"zed@0.199.2\" = 30\n",
    )
    .unwrap();
    let run = compat(
        &dir,
        &[
            "plan",
            "--fleet",
            "fleet.toml",
            "--to",
            "0.200.0",
            "--releases",
            "0.199.2",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = json(&run);
    // The repair moves the denied editors off their release first, toward the target.
    assert_eq!(moves(&v), ["zed 0.200.0", "collab 0.200.0", "zed 0.200.0"]);
    assert_eq!(v["steps"][0]["count"], 10);
    assert_eq!(
        v["repair"]["broken"],
        serde_json::json!([
            "zed 0.199.1 is a denied release: zed 0.199.0 through 0.199.1 are refused: Preview \
             builds without the hotfix: they still connect to collab just to authenticate \
             (compat.toml:24:1)"
        ])
    );
}

#[test]
fn the_guide_lists_the_denied_releases_and_the_ways_off_them() {
    let dir = with_policy(ZED);
    let run = compat(
        &dir,
        &[
            "doc",
            "--releases",
            "0.198.4,0.199.0,0.199.1,0.199.2,0.200.0",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for said in [
        "- Denied: `zed` 0.199.0 through 0.199.1, refused by every peer.\n",
        "## Denied releases\n\nThese releases are refused by every peer, whatever the rules \
         above allow, and no upgrade or downgrade plan stops at them:\n\n\
         - `zed` 0.0.0 through 0.198.3 (compat.toml:18:1): Connects to collab automatically, \
         just to authenticate. Move off them to 0.198.4 or later, below 0.199.0.\n\
         - `zed` 0.199.0 through 0.199.1 (compat.toml:24:1): Preview builds without the hotfix: \
         they still connect to collab just to authenticate. Move off them to 0.199.2 or later, \
         or back to 0.198.4 or later, below 0.199.0.\n",
        "- With `collab` at 0.200.0, `zed` is supported at 0.198.4 or later, below 0.199.0, and \
         0.199.2 or later.\n",
        // The worked example goes around the denied previews.
        "The move goes through 0.199.2, then 0.200.0.\n",
    ] {
        assert!(
            run.stdout.contains(said),
            "missing {said:?} in:\n{}",
            run.stdout
        );
    }
}

#[test]
fn the_matrix_states_what_collab_accepts_without_the_denied_releases() {
    let dir = with_policy(ZED);
    let run = compat(&dir, &["matrix", "--releases", "0.198.4,0.199.1,0.199.2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "- `collab` 0.199.2 accepts `zed` at 0.198.4 or later, below 0.199.0, and 0.199.2 or later.\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("| **0.199.2** | ✓ | ✗ | ✓ |"),
        "{}",
        run.stdout
    );
}
