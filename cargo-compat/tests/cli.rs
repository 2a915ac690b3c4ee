//! The command line as scripts and operators use it: exit codes, JSON, argument order,
//! lint, the `cargo compat` form, fleets, and what a person reads.

use std::path::Path;

use serde_json::Value;

mod common;

use common::{Run, SYSTEMS, policy, root, run, run_in};

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

fn scratch_dir() -> std::path::PathBuf {
    common::scratch_dir("cli")
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
    // SPIRE's `max-jump = "1 minor"` never crosses into 1.0.0: valid, with that warning.
    let r = run(&["lint", "--policy", &policy("spire")]);
    assert_eq!(
        r.stdout,
        "ok: examples/spire/compat.toml: 2 components, 2 rules, 1 upgrade table, 1 warning\n"
    );
    assert!(
        r.stderr.contains("no upgrade can reach 1.0.0"),
        "{}",
        r.stderr
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
        r.stderr.contains(
            "compat.toml:24:8: error: unknown component `servers` in rule: did you mean `server`?"
        ),
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
        r.stderr.trim_end().ends_with("compat.toml: 1 error"),
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
            .starts_with("refused: 3 pairs of versions in this fleet may not talk\n"),
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

#[test]
fn json_moves_give_their_bounds_as_fields_beside_the_prose() {
    let (_, json) = check_json("spire", &["agent@0.9.3", "server@0.9.2"]);
    let up = &json["moves"][0];
    assert_eq!(up["action"], "upgrade", "{json}");
    assert_eq!(up["to"], "0.9.3 or later, below 0.11.0");
    assert_eq!(up["lowest"], "0.9.3");
    assert_eq!(up["at_most"], Value::Null);
    assert_eq!(up["below"], "0.11.0");
    let down = &json["moves"][1];
    assert_eq!(down["to"], "0.8.0 through 0.9.2", "{json}");
    assert_eq!(down["lowest"], "0.8.0");
    assert_eq!(down["at_most"], "0.9.2");
    assert_eq!(down["below"], Value::Null);
    // The violation carries the same moves.
    assert_eq!(json["violations"][0]["moves"], json["moves"]);
    // "exactly 3.4.2": both ends at once.
    let (_, json) = check_json("mirrord", &["agent@3.4.2", "operator@3.4.1"]);
    let exact = json["moves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["component"] == "operator")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(exact["to"], "exactly 3.4.2", "{json}");
    assert_eq!(exact["lowest"], "3.4.2");
    assert_eq!(exact["at_most"], "3.4.2");
    assert_eq!(exact["below"], Value::Null);
    // Every move of every seed pair: the fields are strings or null, never missing.
    for (system, a, b, _) in PAIRS {
        let (_, json) = check_json(system, &[a, b]);
        for m in json["moves"].as_array().into_iter().flatten() {
            for key in ["lowest", "at_most", "below"] {
                assert!(
                    m[key].is_string() || m[key].is_null(),
                    "{system} {a} {b}: {m}"
                );
                assert!(m.get(key).is_some(), "{system} {a} {b}: {m}");
            }
            assert!(
                m["at_most"].is_null() || m["below"].is_null(),
                "{system} {a} {b}: {m}"
            );
            assert!(m["to"].is_string(), "{system} {a} {b}: {m}");
        }
    }
}

/// Runs `check --format json` and returns the exit code, stdout as JSON, and stderr.
fn check_json_failing(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let r = run_in(dir, &all);
    let json: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: stdout {:?}, stderr {}", r.stdout, r.stderr));
    (r.code, json, r.stderr)
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "a table of command lines, each with the JSON error it must give, then the shape they share"
)]
fn with_format_json_an_error_is_a_json_object_on_stdout_too() {
    let spire = policy("spire");
    let dir = scratch_dir();
    let broken = std::fs::read_to_string(root().join(&spire))
        .unwrap()
        .replace("older = \"1 minor\"", "older = \"1 fortnight\"");
    std::fs::write(dir.join("compat.toml"), broken).unwrap();
    let spire_abs = root().join(&spire).display().to_string();
    for (args, kind, error, stderr) in [
        (
            vec!["--policy", &spire_abs, "ghost@1.0.0", "server@0.9.2"],
            "usage",
            "unknown component `ghost`: the policy knows `server`, `agent`",
            "error: unknown component `ghost`",
        ),
        (
            vec!["--policy", &spire_abs, "serv@0.9.2", "agent@0.9.3"],
            "usage",
            "unknown component `serv`: did you mean `server`?",
            "error: unknown component `serv`: did you mean `server`?",
        ),
        (
            vec!["--policy", &spire_abs, "agent@0.9", "server@0.9.2"],
            "usage",
            "invalid version `0.9`: a version has three numbers, MAJOR.MINOR.PATCH: write 0.9.0",
            "error: invalid version `0.9`",
        ),
        (
            vec!["--policy", "nope/compat.toml", "a@1.0.0", "b@1.0.0"],
            "usage",
            "cannot read nope/compat.toml: no such file",
            "error: cannot read nope/compat.toml",
        ),
        (
            vec!["--policy", "compat.toml", "agent@0.9.1", "server@0.9.1"],
            "policy",
            "compat.toml:26:9: invalid skew `1 fortnight`: expected \"none\", \"any\", \"N patch\", \"N minor\", \"N major\", \"any patch\", \"any minor\" or \"same major\"",
            "compat.toml:26:9: error: invalid skew `1 fortnight`",
        ),
        (
            vec!["--policy", &spire_abs, "agent@0.9.1"],
            "usage",
            "2 values required by '[COMPONENT@VERSION] [COMPONENT@VERSION]...'; only 1 was provided",
            "error: 2 values required",
        ),
    ] {
        let (code, json, err) = check_json_failing(&dir, &args);
        assert_eq!(code, 2, "{args:?}: {json}");
        assert_eq!(json["compatible"], false, "{args:?}: {json}");
        assert_eq!(json["kind"], kind, "{args:?}: {json}");
        assert_eq!(json["error"], error, "{args:?}: {json}");
        // The person at the terminal still reads the located, explained error.
        assert!(err.starts_with(stderr), "{args:?}: {err}");
    }
    // A policy error lists its diagnostics, each with its place and help.
    let (_, json, err) = check_json_failing(
        &dir,
        &["--policy", "compat.toml", "agent@0.9.1", "server@0.9.1"],
    );
    assert_eq!(
        json["diagnostics"][0]["origin"], "compat.toml:26:9",
        "{json}"
    );
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert!(
        json["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("the compat.toml reference (compat_runtime::docs::policy in the crate docs, docs/policy.md in the compat repository)"),
        "{json}"
    );
    assert!(err.contains("26 | older = \"1 fortnight\""), "{err}");
    // `--format=json` is the same request.
    let r = run_in(
        &dir,
        &[
            "check",
            "--format=json",
            "--policy",
            "compat.toml",
            "a@1.0.0",
            "b@1.0.0",
        ],
    );
    assert_eq!(r.code, 2);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["kind"], "policy");
    // No policy found where the command runs.
    let empty = scratch_dir();
    let (code, json, _) = check_json_failing(&empty, &["agent@1.0.0", "server@1.0.0"]);
    assert_eq!(code, 2);
    assert_eq!(json["kind"], "usage");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .starts_with("no compat.toml here"),
        "{json}"
    );
}

#[test]
fn a_pair_and_a_fleet_answer_in_one_json_shape() {
    let violation_keys = [
        "kind", "subject", "other", "subjects", "others", "reason", "rule", "remedy", "moves",
    ];
    let cases: [(&str, &[&str], bool); 5] = [
        ("spire", &["agent@0.9.2", "server@0.9.3"], true),
        ("spire", &["agent@0.9.3", "server@0.9.2"], false),
        (
            "spire",
            &["agent@0.9.2", "server@0.9.3", "server@0.9.3"],
            true,
        ),
        (
            "spire",
            &["agent@0.9.3", "server@0.9.2", "server@0.9.2"],
            false,
        ),
        ("gullveig", &["web@1.1.5", "agent@1.0.0"], true),
    ];
    for (system, peers, compatible) in cases {
        let (code, json) = check_json(system, peers);
        assert_eq!(code, if compatible { 0 } else { 1 }, "{json}");
        assert_eq!(json["compatible"], compatible, "{peers:?}: {json}");
        assert!(json["reason"].is_string(), "{peers:?}: {json}");
        assert_eq!(json["peers"], serde_json::json!(peers), "{peers:?}: {json}");
        let violations = json["violations"].as_array().expect("always an array");
        assert_eq!(violations.is_empty(), compatible, "{peers:?}: {json}");
        for v in violations {
            for key in violation_keys {
                assert!(v.get(key).is_some(), "{peers:?}: no `{key}` in {v}");
            }
        }
    }
    // A refused pair: its one violation, also at the top level.
    let (_, json) = check_json("spire", &["agent@0.9.3", "server@0.9.2"]);
    let v = &json["violations"][0];
    assert_eq!(v["subjects"], serde_json::json!(["agent@0.9.3"]));
    assert_eq!(v["others"], serde_json::json!(["server@0.9.2"]));
    for key in ["kind", "subject", "other", "rule", "remedy", "moves"] {
        assert_eq!(json[key], v[key], "{key}");
    }
    // A refused fleet: the summary, and the instances each row covers.
    let (_, json) = check_json("spire", &["agent@0.9.3", "server@0.9.2", "server@0.9.2"]);
    assert_eq!(
        json["reason"],
        "1 pair of versions in this fleet may not talk"
    );
    assert_eq!(
        json["violations"][0]["others"],
        serde_json::json!(["server@0.9.2", "server@0.9.2"])
    );
}

#[test]
fn an_unknown_component_suggests_the_one_meant() {
    let spire = policy("spire");
    for (peer, says) in [
        (
            "serv@0.9.2",
            "error: unknown component `serv`: did you mean `server`?\n",
        ),
        (
            "AGENT@0.9.3",
            "error: unknown component `AGENT`: did you mean `agent`?\n",
        ),
        (
            "sever@0.9.2",
            "error: unknown component `sever`: did you mean `server`?\n",
        ),
        (
            "ghost@0.9.2",
            "error: unknown component `ghost`: the policy knows `server`, `agent`\n",
        ),
    ] {
        let r = run(&["check", "--policy", &spire, peer, "agent@0.9.3"]);
        assert_eq!(r.code, 2, "{peer}");
        assert_eq!(r.stderr, says, "{peer}");
        assert!(r.stdout.is_empty(), "{peer}: {}", r.stdout);
    }
    let r = run(&[
        "check",
        "--policy",
        &policy("mirrord"),
        "operater@3.4.1",
        "agent@3.4.1",
    ]);
    assert_eq!(
        r.stderr,
        "error: unknown component `operater`: did you mean `operator`?\n"
    );
}

#[test]
fn a_fleet_counts_its_pairs_and_the_instances_each_row_covers() {
    let one = check(
        "spire",
        &["server@0.9.2", "agent@0.9.3", "agent@0.9.3", "agent@0.9.3"],
    );
    assert_eq!(one.code, 1);
    assert_eq!(
        one.stdout.lines().next().unwrap(),
        "refused: 1 pair of versions in this fleet may not talk",
        "{}",
        one.stdout
    );
    assert!(
        one.stdout.contains(
            "\nrefused: agent 0.9.3 is too new for server 0.9.2\n  covers: 3 instances of agent 0.9.3, 1 instance of server 0.9.2\n  rule: "
        ),
        "{}",
        one.stdout
    );
    let many = check(
        "spire",
        &[
            "server@0.9.3",
            "server@0.9.2",
            "server@0.9.2",
            "agent@0.9.3",
            "agent@0.7.0",
        ],
    );
    assert!(
        many.stdout
            .starts_with("refused: 3 pairs of versions in this fleet may not talk\n"),
        "{}",
        many.stdout
    );
    assert!(
        many.stdout
            .contains("  covers: 1 instance of agent 0.9.3, 2 instances of server 0.9.2\n"),
        "{}",
        many.stdout
    );
    assert!(!many.stdout.contains("(s)"), "{}", many.stdout);
}

#[test]
fn lint_counts_in_words_and_suggests_the_component_meant() {
    let dir = scratch_dir();
    let text = "[components]\nserver = {}\nagent = {}\n\n[[rule]]\ncomponent = \"agent\"\npeer = \"sever\"\nnewer = \"none\"\nolder = \"1 minor\"\n";
    std::fs::write(dir.join("compat.toml"), text).unwrap();
    let r = run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "compat.toml:7:8: error: unknown component `sever` in rule: did you mean `server`?\n\
         \x20 |\n\
         7 | peer = \"sever\"\n\
         \x20 |        ^^^^^^^\n\
         \x20 = help: declare it under [components], or use one of `server`, `agent`\n\
         \n\
         compat.toml: 1 error\n"
    );
    let two = format!("{text}\n[upgrade]\norder = [\"server\", \"agnet\"]\n");
    std::fs::write(dir.join("compat.toml"), two).unwrap();
    let r = run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert!(
        r.stderr.contains(
            "compat.toml:12:20: error: unknown component `agnet` in upgrade `order`: did you mean `agent`?"
        ),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("missing from the upgrade order"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("compat.toml: 2 errors\n"),
        "{}",
        r.stderr
    );
    let r = run(&["lint", "--policy", &policy("teleport")]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("ok: examples/teleport/compat.toml: 5 components, ")
            && r.stdout.contains(" upgrade tables, ")
            && !r.stdout.contains("(s)"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_readme_and_the_command_page_show_what_the_commands_print() {
    // The README shows a refused pair; docs/commands.md, a fleet.
    for (page, peers) in [
        ("README.md", ["agent@0.9.3", "server@0.9.2"].as_slice()),
        (
            "docs/commands.md",
            &[
                "server@0.9.3",
                "server@0.9.2",
                "agent@0.9.3",
                "agent@0.9.3",
                "agent@0.9.2",
            ],
        ),
    ] {
        let shown = std::fs::read_to_string(root().join(page)).unwrap();
        let r = check("spire", peers);
        assert_eq!(r.code, 1);
        assert!(
            shown.contains(&format!("```text\n{}```", r.stdout)),
            "{page} does not show what `check {}` prints:\n{}",
            peers.join(" "),
            r.stdout
        );
        assert!(
            shown.contains(&format!(
                "check --policy examples/spire/compat.toml {}",
                peers.join(" ")
            )) || shown.contains(&format!(
                "check --policy examples/spire/compat.toml \\\n    {}",
                peers.join(" ")
            )),
            "{page} does not show the command that prints it"
        );
    }
}
