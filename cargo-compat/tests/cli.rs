//! The command line as scripts and operators use it: exit codes, JSON, argument order,
//! lint, the `cargo compat` form, fleets, and what a person reads.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const SYSTEMS: [&str; 5] = ["spire", "mirrord", "gullveig", "teleport", "phoenix"];

/// The workspace root, where `examples/` lives; commands run there so paths read as written.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-compat"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

fn policy(system: &str) -> String {
    format!("examples/{system}/compat.toml")
}

fn check(system: &str, peers: &[&str]) -> Run {
    let p = policy(system);
    let mut args = vec!["check", "--policy", &p];
    args.extend_from_slice(peers);
    run(&args)
}

fn check_json(system: &str, peers: &[&str]) -> (i32, Value) {
    let p = policy(system);
    let mut args = vec!["check", "--policy", &p, "--format", "json"];
    args.extend_from_slice(peers);
    let r = run(&args);
    let json: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    (r.code, json)
}

fn scratch_dir() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cargo-compat-cli-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Pairs from the seed documents, with the verdict each should get.
const PAIRS: [(&str, &str, &str, bool); 16] = [
    ("spire", "agent@0.9.2", "server@0.9.3", true),
    ("spire", "agent@0.9.3", "server@0.9.2", false),
    ("spire", "server@0.8.0", "server@0.9.3", true),
    ("spire", "server@0.7.9", "server@0.9.3", false),
    ("mirrord", "license-server@3.9.0", "operator@3.1.0", true),
    ("mirrord", "agent@3.4.2", "operator@3.4.1", false),
    ("mirrord", "cli@4.0.0", "operator@3.9.0", false),
    ("gullveig", "agent@1.1.5", "server@1.9.0", true),
    ("gullveig", "web@1.1.5", "server@1.1.6", false),
    ("gullveig", "agent@0.9.0", "server@1.0.0", false),
    ("teleport", "tsh@4.0.1", "auth@4.0.3", true),
    ("teleport", "auth@8.0.0", "node@6.0.0", false),
    ("teleport", "auth@8.0.0", "node@5.0.0", false),
    ("teleport", "auth@6.0.0-beta.1", "node@6.0.0", false),
    ("phoenix", "client@4.1.0", "server@4.3.0", true),
    ("phoenix", "client@4.3.0", "server@4.1.0", false),
];

#[test]
fn exit_code_is_0_for_compatible_and_1_for_refused() {
    for (system, a, b, compatible) in PAIRS {
        let r = check(system, &[a, b]);
        assert_eq!(
            r.code,
            if compatible { 0 } else { 1 },
            "{system} {a} {b}:\n{}{}",
            r.stdout,
            r.stderr
        );
        assert!(r.stderr.is_empty(), "{system} {a} {b}: {}", r.stderr);
    }
}

#[test]
fn the_verdict_does_not_depend_on_argument_order() {
    for (system, a, b, _) in PAIRS {
        let ab = check(system, &[a, b]);
        let ba = check(system, &[b, a]);
        assert_eq!(ab.code, ba.code, "{system} {a} {b}");
        let (_, mut jab) = check_json(system, &[a, b]);
        let (_, mut jba) = check_json(system, &[b, a]);
        for json in [&mut jab, &mut jba] {
            json.as_object_mut().unwrap().remove("peers");
        }
        // Everything but the echo of the arguments is the same, refusals included.
        if ab.code == 1 {
            assert_eq!(jab, jba, "{system} {a} {b}");
        } else {
            assert_eq!(jab["compatible"], jba["compatible"]);
            assert_eq!(jab["rule"], jba["rule"], "{system} {a} {b}");
        }
    }
}

#[test]
fn json_has_a_boolean_compatible_with_the_rule_and_reason() {
    for (system, a, b, compatible) in PAIRS {
        let (code, json) = check_json(system, &[a, b]);
        assert_eq!(
            json["compatible"],
            Value::Bool(compatible),
            "{system} {a} {b}: {json}"
        );
        assert_eq!(code, if compatible { 0 } else { 1 });
        assert!(json["reason"].is_string(), "{json}");
        assert!(json.get("rule").is_some(), "{json}");
    }
    let (_, json) = check_json("spire", &["agent@0.9.3", "server@0.9.2"]);
    assert_eq!(json["kind"], "too new");
    assert_eq!(json["subject"]["component"], "agent");
    assert_eq!(json["subject"]["version"], "0.9.3");
    assert_eq!(json["rule"]["origin"], "examples/spire/compat.toml:20:1");
    assert_eq!(
        json["rule"]["text"],
        "agent may be up to one minor release older than server, never newer"
    );
    assert_eq!(json["moves"][0]["action"], "upgrade");
    assert_eq!(json["moves"][0]["component"], "server");
    assert_eq!(json["moves"][0]["to"], "0.9.3 or later, below 0.11.0");
    assert_eq!(
        json["remedy"],
        "upgrade server from 0.9.2 to 0.9.3 or later, below 0.11.0, or downgrade agent from 0.9.3 to 0.8.0 through 0.9.2"
    );
    let (_, json) = check_json("spire", &["agent@0.9.2", "server@0.9.2"]);
    assert_eq!(json["compatible"], true);
    assert_eq!(json["rule"]["origin"], "examples/spire/compat.toml:20:1");
    assert_eq!(json["violations"], Value::Array(vec![]));
}

#[test]
fn a_refusal_reads_like_an_operator_s_message() {
    let r = check("spire", &["agent@0.9.3", "server@0.9.2"]);
    assert_eq!(
        r.stdout,
        "refused: agent 0.9.3 is too new for server 0.9.2\n\
         \x20 rule: agent may be up to one minor release older than server, never newer (examples/spire/compat.toml:20:1)\n\
         \x20 note: \"SPIRE agents must not be newer than the oldest SPIRE server that they communicate with\"\n\
         \x20 fix:  upgrade server from 0.9.2 to 0.9.3 or later, below 0.11.0\n\
         \x20   or  downgrade agent from 0.9.3 to 0.8.0 through 0.9.2\n"
    );
    // The managed agent: the fix is on the operator.
    let r = check("mirrord", &["agent@3.4.2", "operator@3.4.1"]);
    assert!(
        r.stdout
            .starts_with("refused: agent 3.4.2 is too new for operator 3.4.1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  fix:  upgrade operator from 3.4.1 to exactly 3.4.2\n"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("upgrade agent") && !r.stdout.contains("downgrade agent"),
        "{}",
        r.stdout
    );
    // Outside Teleport's support window.
    let r = check("teleport", &["auth@8.0.0", "node@5.0.0"]);
    assert!(
        r.stdout.starts_with(
            "refused: node 5.0.0 is outside the support window (talking to auth 8.0.0)"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("rule: supported versions are at most two major releases behind the newest (examples/teleport/compat.toml:"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("fix:  upgrade node from 5.0.0 to 7.0.0 or later"),
        "{}",
        r.stdout
    );
    // Gullveig's 0.x.
    let r = check("gullveig", &["agent@0.9.0", "server@1.0.0"]);
    assert!(r.stdout.starts_with("refused: agent 0.9.0 is an unstable release and server 1.0.0 is not the identical version"), "{}", r.stdout);
    // Never a debug dump.
    for (system, a, b, _) in PAIRS {
        let out = check(system, &[a, b]).stdout;
        for debug in [
            "Some(",
            "None",
            "TooNew",
            "TooOld",
            "Version {",
            "Named {",
            "\"}",
        ] {
            assert!(!out.contains(debug), "{system} {a} {b}: {out}");
        }
    }
}

#[test]
fn an_agreement_says_which_rule_allows_it() {
    let r = check("gullveig", &["web@1.1.5", "server@1.1.5"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "compatible: web@1.1.5 and server@1.1.5 may talk: web must run exactly the version of server (examples/gullveig/compat.toml:23:1)\n"
    );
    let r = check("gullveig", &["web@1.1.5", "agent@1.0.0"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("no rule relates these components, so nothing constrains them"),
        "{}",
        r.stdout
    );
}

#[test]
fn usage_and_policy_errors_exit_2() {
    let spire = policy("spire");
    for (args, says) in [
        (
            vec!["check", "--policy", &spire, "agent@0.9.1"],
            "2 values required",
        ),
        (
            vec!["check", "--policy", &spire, "agent@0.9", "server@0.9.2"],
            "error: invalid version `0.9`: a version has three numbers, MAJOR.MINOR.PATCH: write 0.9.0",
        ),
        (
            vec!["check", "--policy", &spire, "ghost@1.0.0", "server@0.9.2"],
            "error: unknown component `ghost`: the policy knows `server`, `agent`",
        ),
        (
            vec!["check", "--policy", &spire, "agent", "server@0.9.2"],
            "error: invalid peer `agent`",
        ),
        (
            vec![
                "check",
                "--policy",
                "nope/compat.toml",
                "a@1.0.0",
                "b@1.0.0",
            ],
            "error: cannot read nope/compat.toml",
        ),
        (
            vec![
                "check",
                "--policy",
                &spire,
                "--format",
                "yaml",
                "agent@0.9.1",
                "server@0.9.1",
            ],
            "invalid value 'yaml'",
        ),
        (
            vec![
                "check",
                "--policy",
                &spire,
                "--frobnicate",
                "agent@0.9.1",
                "server@0.9.1",
            ],
            "unexpected argument '--frobnicate'",
        ),
        (vec!["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (vec![], "Usage:"),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}:\n{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // A 10 kB peer from a script is refused by its length.
    let huge = format!("agent@{}", "1".repeat(10_000));
    let r = run(&["check", "--policy", &spire, &huge, "server@0.9.2"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: peer text is 10006 bytes long"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_policy_is_a_policy_error_for_check() {
    let dir = scratch_dir();
    let text = std::fs::read_to_string(root().join("examples/spire/compat.toml"))
        .unwrap()
        .replace("older = \"1 minor\"", "older = \"1 fortnight\"");
    std::fs::write(dir.join("compat.toml"), text).unwrap();
    let r = run_in(
        &dir,
        &[
            "check",
            "--policy",
            "compat.toml",
            "agent@0.9.1",
            "server@0.9.1",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .starts_with("compat.toml:26:9: error: invalid skew `1 fortnight`"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        ["--help"].as_slice(),
        &["check", "--help"],
        &["--version"],
        &["compat", "--help"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stdout.is_empty());
    }
}

#[test]
fn lint_passes_every_seed_policy() {
    for system in SYSTEMS {
        let p = policy(system);
        let r = run(&["lint", "--policy", &p]);
        assert_eq!(r.code, 0, "{system}: {}", r.stderr);
        assert!(r.stdout.starts_with(&format!("ok: {p}: ")), "{}", r.stdout);
        assert!(!r.stderr.contains("error"), "{system}: {}", r.stderr);
    }
    let r = run(&["lint", "--policy", &policy("spire")]);
    assert_eq!(
        r.stdout,
        "ok: examples/spire/compat.toml: 2 components, 2 rules, 1 upgrade table(s)\n"
    );
}

#[test]
fn lint_locates_every_error_of_a_broken_policy() {
    let dir = scratch_dir();
    let text = std::fs::read_to_string(root().join("examples/spire/compat.toml"))
        .unwrap()
        .replace(
            "order = [\"server\", \"agent\"]",
            "order = [\"agent\", \"server\"]",
        )
        .replace("peer = \"server\"\nnewer", "peer = \"servers\"\nnewer");
    std::fs::write(dir.join("compat.toml"), text).unwrap();
    let r = run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert_ne!(r.code, 0);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("compat.toml:24:8: error: unknown component `servers` in rule"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("24 | peer = \"servers\"\n   |        ^^^^^^^^^"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("= help: declare it under [components], or use one of `server`, `agent`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.trim_end().ends_with("compat.toml: 1 error(s)"),
        "{}",
        r.stderr
    );

    std::fs::write(dir.join("compat.toml"), "[components]\nserver = {}\n\n[[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\nwhen = \"now\"\n").unwrap();
    let r = run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("compat.toml:8:1: error: unknown field `when`"),
        "{}",
        r.stderr
    );

    let r = run_in(&dir, &["lint", "--policy", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("missing.toml: no such file"),
        "{}",
        r.stderr
    );
}

#[test]
fn lint_and_check_find_the_policy_of_the_crate_they_run_in() {
    let dir = scratch_dir();
    let r = run_in(&dir, &["check", "agent@1.0.0", "server@1.0.0"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "no compat.toml here and no [package.metadata.compat] in Cargo.toml; pass --policy FILE"
        ),
        "{}",
        r.stderr
    );
    std::fs::copy(
        root().join("examples/spire/compat.toml"),
        dir.join("compat.toml"),
    )
    .unwrap();
    let r = run_in(&dir, &["check", "agent@0.9.3", "server@0.9.2"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("(compat.toml:20:1)"), "{}", r.stdout);
    let r = run_in(&dir, &["lint"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_cargo_subcommand_form_takes_a_leading_compat() {
    // `cargo compat check ...` runs `cargo-compat compat check ...`.
    let p = policy("spire");
    for (peers, code) in [
        (["agent@0.9.3", "server@0.9.2"], 1),
        (["agent@0.9.2", "server@0.9.3"], 0),
    ] {
        let direct = run(&["check", "--policy", &p, peers[0], peers[1]]);
        let as_cargo = run(&["compat", "check", "--policy", &p, peers[0], peers[1]]);
        assert_eq!(as_cargo.code, code, "{}", as_cargo.stderr);
        assert_eq!(as_cargo.stdout, direct.stdout);
    }
    let r = run(&["compat", "lint", "--policy", &p]);
    assert_eq!(r.code, 0);
}

#[test]
fn a_fleet_of_more_than_two_lists_every_refused_pair() {
    // SPIRE: "SPIRE servers are at both 0.9.3 and 0.9.2; SPIRE agents are supported at 0.8.0
    // through 0.9.2".
    let ok = check(
        "spire",
        &[
            "server@0.9.3",
            "server@0.9.2",
            "agent@0.8.0",
            "agent@0.9.2",
            "agent@0.9.2",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(
        ok.stdout,
        "compatible: all 5 instances may talk to each other\n"
    );

    let bad = check(
        "spire",
        &["server@0.9.3", "server@0.9.2", "agent@0.9.3", "agent@0.7.0"],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout
            .starts_with("refused: 3 pair(s) of this fleet may not talk\n"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout
            .contains("refused: agent 0.9.3 is too new for server 0.9.2\n"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout
            .contains("refused: agent 0.7.0 is too old for server 0.9.2\n"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout
            .contains("refused: agent 0.7.0 is too old for server 0.9.3\n"),
        "{}",
        bad.stdout
    );

    let (code, json) = check_json(
        "spire",
        &["server@0.9.3", "server@0.9.2", "agent@0.9.3", "agent@0.7.0"],
    );
    assert_eq!(code, 1);
    assert_eq!(json["compatible"], false);
    let violations = json["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 3);
    for v in violations {
        assert!(v["kind"] == "too new" || v["kind"] == "too old", "{v}");
        assert!(v["subjects"].is_array() && v["others"].is_array(), "{v}");
    }

    // The fleet verdict does not depend on the order of the instances either.
    let (_, reversed) = check_json(
        "spire",
        &["agent@0.7.0", "agent@0.9.3", "server@0.9.2", "server@0.9.3"],
    );
    assert_eq!(reversed["violations"], json["violations"]);

    // Teleport, five components: one node two majors behind.
    let (code, json) = check_json(
        "teleport",
        &[
            "auth@8.0.1",
            "proxy@8.0.1",
            "node@6.3.2",
            "tsh@7.1.2",
            "tctl@8.0.0",
        ],
    );
    assert_eq!(code, 1);
    let kinds: Vec<&str> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["too old", "too old", "too old"], "{json}");
}
