//! Policies that are wrong, and what their authors read: every error located at
//! `file:line:column`, naming the offending text and saying how to fix it. Never a panic.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use compat_runtime::policy::PolicyError;

mod common;

use common::AGENT_ONE_MINOR_OLDER as SPIRE_LIKE;

const SYSTEMS: [&str; 5] = ["spire", "mirrord", "gullveig", "teleport", "phoenix"];

#[track_caller]
fn error_of(text: &str) -> String {
    match Policy::from_toml("compat.toml", text) {
        Ok(_) => panic!("this policy should be refused:\n{text}"),
        Err(e) => {
            assert!(e.diagnostics.iter().any(|d| d.is_error()));
            e.to_string()
        }
    }
}

/// A fresh empty directory under the system's temporary directory.
fn scratch_dir() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "compat-policy-lint-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn every_seed_policy_is_valid_and_warns_only_where_clients_must_follow_a_jump() {
    for system in SYSTEMS {
        let path = format!(
            "{}/examples/{system}/compat.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let policy = Policy::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        // Releases no upgrade reaches are tests/unreachable_releases.rs's.
        let warnings: Vec<String> = policy
            .warnings()
            .iter()
            .map(ToString::to_string)
            .filter(|w| !w.contains("no upgrade can reach"))
            .collect();
        match system {
            // Teleport before 6.0: "tsh ... and tctl ... may not be compatible with different
            // versions of the teleport service", yet a service may jump one minor.
            // Phoenix from 4.3: "an upgrade may be done directly from one minor version to
            // another higher minor version", yet clients lag at most two minors.
            // Allowed, and worth saying: the clients must follow before the next step.
            "teleport" | "phoenix" => {
                assert!(!warnings.is_empty(), "{system}");
                for w in &warnings {
                    assert!(w.contains(": warning: `max-jump = "), "{w}");
                    assert!(w.contains("must follow before the next step"), "{w}");
                }
            }
            _ => assert!(warnings.is_empty(), "{system}: {warnings:?}"),
        }
    }
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_column() {
    let text = r#"[components]
server = {}
agent = {}

[[rule]]
component = "agent"
colour = "blue"
peer = "server"
newer = "none"
older = "1 minor"
"#;
    let shown = error_of(text);
    assert!(
        shown.starts_with("compat.toml:7:1: error: unknown field `colour`"),
        "{shown}"
    );
    assert!(
        shown.contains("expected one of `component`, `peer`"),
        "{shown}"
    );
    assert!(
        shown.contains("7 | colour = \"blue\"\n  | ^^^^^^"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "help: see the compat.toml reference (compat_runtime::docs::policy in the crate docs, docs/policy.md in the compat repository) for every key a policy may hold"
        ),
        "{shown}"
    );
}

#[test]
fn an_unknown_table_is_named_too() {
    let shown = error_of("[components]\nserver = {}\n\n[compatibility]\nwindow = \"1 minor\"\n");
    assert!(
        shown.starts_with("compat.toml:4:2: error: unknown field `compatibility`"),
        "{shown}"
    );
}

#[test]
fn a_bad_skew_says_which_skews_exist() {
    let text = SPIRE_LIKE.replace("older = \"1 minor\"", "older = \"2 hours\"");
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:9:9: error: invalid skew `2 hours`: expected \"none\", \"any\", \"N patch\", \"N minor\", \"N major\""
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "help: see the skew table in the compat.toml reference (compat_runtime::docs::policy in the crate docs, docs/policy.md in the compat repository)"
        ),
        "{shown}"
    );
    for bad in [
        "-1 minor",
        "1.5 minor",
        "one minor",
        "minor",
        "1 minor 2",
        "99999999999999999999 minor",
        "",
    ] {
        let text = SPIRE_LIKE.replace("older = \"1 minor\"", &format!("older = \"{bad}\""));
        let shown = error_of(&text);
        assert!(shown.contains(&format!("invalid skew `{bad}`")), "{shown}");
    }
}

#[test]
fn an_unknown_component_in_a_rule_is_located_and_the_known_ones_listed() {
    let text = SPIRE_LIKE.replace("peer = \"server\"", "peer = \"servre\"");
    let shown = error_of(&text);
    assert!(
        shown.contains(
            "compat.toml:7:8: error: unknown component `servre` in rule: did you mean `server`?"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("help: declare it under [components], or use one of `server`, `agent`"),
        "{shown}"
    );
}

#[test]
fn a_component_in_no_rule_is_an_error() {
    let text = SPIRE_LIKE.replace("agent = {}\n", "agent = {}\nweb = {}\n");
    let shown = error_of(&text);
    assert!(
        shown.starts_with("compat.toml:4:1: error: component `web` appears in no rule"),
        "{shown}"
    );
    assert!(
        shown.contains("add a [[rule]] with `component = \"web\"`"),
        "{shown}"
    );
}

#[test]
fn an_empty_policy_says_what_to_write() {
    for text in ["", "\n\n", "# nothing yet\n", "[components]\n"] {
        let shown = error_of(text);
        assert!(
            shown.starts_with("error: compat.toml: the policy declares no components"),
            "{shown}"
        );
        assert!(shown.contains("add a [components] table"), "{shown}");
    }
}

#[test]
fn a_duplicate_rule_points_at_both() {
    let text = format!(
        "{SPIRE_LIKE}\n[[rule]]\ncomponent = \"server\"\npeer = \"agent\"\nskew = \"1 minor\"\n"
    );
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:11:1: error: duplicate rule for `server` and `agent`: the rule at compat.toml:5:1 already covers this pair"
        ),
        "{shown}"
    );
    assert!(shown.contains("11 | [[rule]]\n   | ^^^^^^^^"), "{shown}");
    // The same rule twice, word for word, too.
    let twice = format!(
        "{SPIRE_LIKE}\n{}",
        &SPIRE_LIKE[SPIRE_LIKE.find("[[rule]]").unwrap()..]
    );
    assert!(error_of(&twice).contains("duplicate rule for `server` and `agent`"));
}

#[test]
fn rules_that_overlap_in_time_conflict_but_consecutive_ones_do_not() {
    let base = "[components]\nclient = {}\n\n";
    let rule = |skew: &str, range: &str| {
        format!("[[rule]]\ncomponent = \"client\"\npeer = \"client\"\nskew = \"{skew}\"\n{range}\n")
    };
    let consecutive = format!(
        "{base}{}{}",
        rule("any patch", "until = \"4.3.0\""),
        rule("any minor", "from = \"4.3.0\"")
    );
    assert!(Policy::from_toml("compat.toml", &consecutive).is_ok());
    let overlapping = format!(
        "{base}{}{}",
        rule("any patch", "until = \"4.4.0\""),
        rule("any minor", "from = \"4.3.0\"")
    );
    assert!(error_of(&overlapping).contains("duplicate rule for `client` and `client`"));
    let empty = format!(
        "{base}{}",
        rule("any patch", "from = \"4.3.0\"\nuntil = \"4.3.0\"")
    );
    assert!(
        error_of(&empty).contains(
            "`until = \"4.3.0\"` is not after `from = \"4.3.0\"`: the rule never applies"
        )
    );
}

#[test]
fn an_upgrade_order_that_contradicts_a_rule_is_refused() {
    // SPIRE: "SPIRE agents must not be newer than the oldest SPIRE server", so agents
    // cannot upgrade first.
    let spire = include_str!("../examples/spire/compat.toml");
    let text = spire.replace(
        "order = [\"server\", \"agent\"]",
        "order = [\"agent\", \"server\"]",
    );
    assert_ne!(text, spire);
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:32:10: error: upgrade `order` upgrades `agent` before `server`, but `agent` may never be newer than `server` (rule at compat.toml:20:1)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("help: move `server` before `agent` in `order`"),
        "{shown}"
    );
    // "it is necessary to first downgrade agents before downgrading servers"
    let text = spire.replace(
        "downgrade = [\"agent\", \"server\"]",
        "downgrade = [\"server\", \"agent\"]",
    );
    let shown = error_of(&text);
    assert!(shown.contains("upgrade `downgrade` downgrades `server` before `agent`, but `server` may never be older than `agent`"), "{shown}");
}

#[test]
fn a_max_jump_wider_than_a_rolling_component_may_skew_is_refused() {
    // SPIRE servers roll and may be one minor apart: a two-minor jump would break the cluster.
    let spire = include_str!("../examples/spire/compat.toml");
    let text = spire.replace("max-jump = \"1 minor\"", "max-jump = \"2 minor\"");
    let shown = error_of(&text);
    assert!(
        shown.contains("error: `max-jump = \"2 minor\"` with a rolling upgrade leaves `server` instances further apart than the rule at compat.toml:13:1 allows (\"1 minor\")"),
        "{shown}"
    );
}

#[test]
fn forms_that_cannot_be_combined_are_refused() {
    let exact_and_skew = SPIRE_LIKE.replace("newer = \"none\"", "exact = true");
    assert!(
        error_of(&exact_and_skew)
            .contains("a rule that is `exact` or `managed` takes no `newer`, `older` or `skew`")
    );
    let missing = SPIRE_LIKE.replace("older = \"1 minor\"\n", "");
    assert!(error_of(&missing).contains(
        "rule for `agent` and `server` does not say how far apart they may be: `older` is missing"
    ));
    let asymmetric = "[components]\nserver = {}\n[[rule]]\ncomponent = \"server\"\npeer = \"server\"\nnewer = \"1 minor\"\nolder = \"none\"\n";
    assert!(error_of(asymmetric).contains("a rule of `server` with itself cannot be asymmetric"));
    let managed_any = "[components]\nagent = {}\noperator = {}\n[[rule]]\ncomponent = \"agent\"\npeer = \"*\"\nmanaged = true\n";
    assert!(
        error_of(managed_any).contains("`managed = true` needs two different named components")
    );
}

#[test]
fn versioning_settings_are_checked() {
    let with = |versioning: &str| format!("[versioning]\n{versioning}\n{SPIRE_LIKE}");
    assert!(
        error_of(&with("major-zero = \"minor-is-minor\""))
            .contains("compat.toml:2:14: error: unknown `major-zero` reading `minor-is-minor`")
    );
    assert!(error_of(&with("unstable = \"<<1\"")).contains("invalid version range `<<1`"));
    let unranked =
        with("prerelease.order = [\"alpha\", \"rc\"]\nprerelease.with-releases = [\"beta\"]");
    assert!(
        error_of(&unranked).contains(
            "`prerelease.with-releases` names `beta`, which is not in `prerelease.order`"
        )
    );
    let twice = with("prerelease.order = [\"rc\", \"rc\"]");
    assert!(error_of(&twice).contains("pre-release tag `rc` is listed twice"));
    let wrong_type = with("prerelease.with-releases = 3");
    assert!(
        error_of(&wrong_type).contains("compat.toml:2:28: error:"),
        "{}",
        error_of(&wrong_type)
    );
}

#[test]
fn an_upgrade_order_must_name_every_component_once() {
    let missing = format!("{SPIRE_LIKE}\n[upgrade]\norder = [\"server\"]\n");
    assert!(error_of(&missing).contains("component `agent` is missing from the upgrade order"));
    let unknown = format!("{SPIRE_LIKE}\n[upgrade]\norder = [\"server\", \"agent\", \"web\"]\n");
    assert!(
        error_of(&unknown)
            .contains("compat.toml:12:29: error: unknown component `web` in upgrade `order`")
    );
    let twice = format!("{SPIRE_LIKE}\n[upgrade]\norder = [\"server\", \"agent\", \"server\"]\n");
    assert!(error_of(&twice).contains("component `server` is listed twice in upgrade `order`"));
}

#[test]
fn more_components_than_any_real_policy_is_an_error_not_an_exhausted_machine() {
    let mut text = String::from("[components]\n");
    for i in 0..5000 {
        text.push_str(&format!("c{i} = {{}}\n"));
    }
    text.push_str("[[rule]]\ncomponent = \"*\"\npeer = \"*\"\nskew = \"any\"\n");
    let shown = error_of(&text);
    assert!(shown.contains("5000 components"), "{shown}");
}

#[test]
fn a_policy_read_from_a_path_is_located_in_that_file() {
    let dir = scratch_dir();
    let text = SPIRE_LIKE.replace("older = \"1 minor\"", "older = \"1 fortnight\"");
    write(&dir, "compat.toml", &text);
    let path = dir.join("compat.toml");
    let shown = Policy::from_path(&path).unwrap_err().to_string();
    assert!(
        shown.starts_with(&format!(
            "{}:9:9: error: invalid skew `1 fortnight`",
            path.display()
        )),
        "{shown}"
    );
    let missing = Policy::from_path(dir.join("nope.toml"))
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("error: cannot read "), "{missing}");
    assert!(missing.contains("nope.toml"), "{missing}");
}

#[test]
fn a_policy_under_package_metadata_compat_is_discovered() {
    let dir = scratch_dir();
    let manifest = format!(
        "[package]\nname = \"demo\"\nversion = \"0.9.3\"\n\n[package.metadata.compat]\n{}",
        SPIRE_LIKE
            .replace("[components]", "[package.metadata.compat.components]")
            .replace("[[rule]]", "[[package.metadata.compat.rule]]")
    );
    write(&dir, "Cargo.toml", &manifest);
    let found = Policy::discover(&dir).unwrap().expect("a policy");
    assert_eq!(found.path, dir.join("Cargo.toml"));
    let agent = found.policy.peer("agent@0.9.3").unwrap();
    let server = found.policy.peer("server@0.9.2").unwrap();
    assert!(found.policy.check(&agent, &server).is_err());
    // Its errors are located in Cargo.toml.
    write(
        &dir,
        "Cargo.toml",
        &manifest.replace(
            "older = \"1 minor\"",
            "older = \"1 minor\"\nwhen = \"always\"",
        ),
    );
    let shown = Policy::discover(&dir).unwrap_err().to_string();
    assert!(
        shown.starts_with("Cargo.toml:15:1: error: unknown field `when`"),
        "{shown}"
    );
}

#[test]
fn a_policy_in_compat_toml_is_discovered_and_a_plain_manifest_ignored() {
    let dir = scratch_dir();
    assert!(Policy::discover(&dir).unwrap().is_none());
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"1.0.0\"\n",
    );
    assert!(Policy::discover(&dir).unwrap().is_none());
    write(&dir, "compat.toml", SPIRE_LIKE);
    let found = Policy::discover(&dir).unwrap().expect("a policy");
    assert_eq!(found.path, dir.join("compat.toml"));
}

#[test]
fn a_policy_in_both_places_is_an_error() {
    let dir = scratch_dir();
    write(&dir, "compat.toml", SPIRE_LIKE);
    let manifest = format!(
        "[package]\nname = \"demo\"\nversion = \"1.0.0\"\n\n{}",
        SPIRE_LIKE
            .replace("[components]", "[package.metadata.compat.components]")
            .replace("[[rule]]", "[[package.metadata.compat.rule]]")
    );
    write(&dir, "Cargo.toml", &manifest);
    let err: PolicyError = Policy::discover(&dir).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "error: both compat.toml and [package.metadata.compat] in Cargo.toml define a policy"
        ),
        "{shown}"
    );
    assert!(shown.contains("help: keep one"), "{shown}");
}

#[test]
fn a_cargo_toml_without_a_policy_given_as_the_policy_says_so() {
    let dir = scratch_dir();
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"1.0.0\"\n",
    );
    let shown = Policy::from_path(dir.join("Cargo.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        shown.contains("has no [package.metadata.compat] table"),
        "{shown}"
    );
}

#[test]
fn a_misspelt_component_in_a_rule_is_suggested_without_the_noise_it_causes() {
    // Only the agent rule relates `server`: misspelt, it relates nothing, and `server` would
    // otherwise be reported as appearing in no rule.
    let text = SPIRE_LIKE.replace("peer = \"server\"", "peer = \"sever\"");
    let err = Policy::from_toml("compat.toml", &text).unwrap_err();
    let shown: Vec<String> = err.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0].starts_with(
            "compat.toml:7:8: error: unknown component `sever` in rule: did you mean `server`?"
        ),
        "{}",
        shown[0]
    );
    // Case and a missing tail are typos too; a name close to nothing lists the known ones.
    for (typo, meant) in [("SERVER", "server"), ("serv", "server"), ("Agent", "agent")] {
        let text = SPIRE_LIKE.replace("peer = \"server\"", &format!("peer = \"{typo}\""));
        let shown = error_of(&text);
        assert!(
            shown.contains(&format!(
                "unknown component `{typo}` in rule: did you mean `{meant}`?"
            )),
            "{shown}"
        );
    }
    let text = SPIRE_LIKE.replace("peer = \"server\"", "peer = \"ghost\"");
    let shown = error_of(&text);
    assert!(
        shown.contains("unknown component `ghost` in rule\n"),
        "{shown}"
    );
    // Without a likely meaning, the unrelated component is still reported.
    assert!(
        shown.contains("component `server` appears in no rule"),
        "{shown}"
    );
}

#[test]
fn rolling_names_declared_components() {
    let text = format!(
        "{SPIRE_LIKE}\n[upgrade]\norder = [\"server\", \"agent\"]\nrolling = [\"agent\", \"sever\"]\n"
    );
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:13:21: error: unknown component `sever` in upgrade `rolling`: did you mean `server`?"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("13 | rolling = [\"agent\", \"sever\"]\n   |                     ^^^^^^^"),
        "{shown}"
    );
    let twice = format!("{SPIRE_LIKE}\n[upgrade]\nrolling = [\"agent\", \"agent\"]\n");
    assert!(error_of(&twice).contains("component `agent` is listed twice in upgrade `rolling`"));
    let fine = format!(
        "{SPIRE_LIKE}\n[upgrade]\norder = [\"server\", \"agent\"]\nrolling = [\"server\"]\n"
    );
    assert!(Policy::from_toml("compat.toml", &fine).is_ok());
}

#[test]
fn a_downgrade_order_must_name_every_component_too() {
    let spire = include_str!("../examples/spire/compat.toml");
    let text = spire.replace(
        "downgrade = [\"agent\", \"server\"]",
        "downgrade = [\"agent\"]",
    );
    assert_ne!(text, spire);
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:36:14: error: component `server` is missing from upgrade `downgrade`"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("or leave `downgrade` out to use the reverse of `order`"),
        "{shown}"
    );
}

const MIRRORD: &str = include_str!("../examples/mirrord/compat.toml");

#[test]
fn a_managed_component_has_no_place_in_an_upgrade_order() {
    // "The Operator selects and manages the Agent version automatically."
    let before = MIRRORD.replace(
        "order = [\"license-server\", \"operator\", \"cli\"]",
        "order = [\"license-server\", \"agent\", \"operator\", \"cli\"]",
    );
    assert_ne!(before, MIRRORD);
    let shown = error_of(&before);
    assert!(
        shown.starts_with(
            "compat.toml:30:28: error: component `agent` is managed by `operator` and moves with it, so it has no place in upgrade `order` (listed before `operator`, it would move ahead of its manager)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "help: remove `agent` from `order`: moving `operator` redeploys it at `operator`'s version"
        ),
        "{shown}"
    );
    // After its manager, it is still not the operator's to move.
    let after = MIRRORD.replace(
        "order = [\"license-server\", \"operator\", \"cli\"]",
        "order = [\"license-server\", \"operator\", \"agent\", \"cli\"]",
    );
    let shown = error_of(&after);
    assert!(
        shown.contains("component `agent` is managed by `operator` and moves with it, so it has no place in upgrade `order`\n"),
        "{shown}"
    );
    let down = MIRRORD.replace(
        "rolling = true",
        "rolling = true\ndowngrade = [\"cli\", \"agent\", \"operator\", \"license-server\"]",
    );
    assert!(
        error_of(&down).contains(
            "component `agent` is managed by `operator` and moves with it, so it has no place in upgrade `downgrade`"
        )
    );
    // Left out of `downgrade`, as of `order`, it is not missing.
    let down = MIRRORD.replace(
        "rolling = true",
        "rolling = true\ndowngrade = [\"cli\", \"operator\", \"license-server\"]",
    );
    assert!(Policy::from_toml("compat.toml", &down).is_ok());
}

#[test]
fn a_component_managed_by_two_managers_is_refused() {
    let text = MIRRORD.replace(
        "[upgrade]",
        "[[rule]]\ncomponent = \"agent\"\npeer = \"cli\"\nmanaged = true\n\n[upgrade]",
    );
    let shown = error_of(&text);
    assert!(
        shown.starts_with(
            "compat.toml:30:11: error: component `agent` is managed by both `operator` (rule at compat.toml:19:1) and `cli`"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("help: a component has one manager"),
        "{shown}"
    );
    // One manager until a release and another from it is a hand-over, not a conflict.
    let handover = MIRRORD
        .replace("managed = true\n", "managed = true\nuntil = \"4.0.0\"\n")
        .replace(
            "[upgrade]",
            "[[rule]]\ncomponent = \"agent\"\npeer = \"cli\"\nmanaged = true\nfrom = \"4.0.0\"\n\n[upgrade]",
        );
    let shown = Policy::from_toml("compat.toml", &handover).map(|_| ());
    assert!(
        shown
            .as_ref()
            .err()
            .is_none_or(|e| !e.to_string().contains("managed by both")),
        "{shown:?}"
    );
}

#[test]
fn a_skew_or_version_written_as_a_number_says_to_quote_it() {
    let text = SPIRE_LIKE.replace("older = \"1 minor\"", "older = 1");
    let shown = error_of(&text);
    assert!(
        shown.starts_with("compat.toml:9:9: error: invalid type: integer `1`, expected a string"),
        "{shown}"
    );
    assert!(
        shown.contains("help: write it as a string, e.g. \"1 minor\""),
        "{shown}"
    );
    let text = format!("{SPIRE_LIKE}\n[upgrade]\nmax-jump = 2\n");
    assert!(error_of(&text).contains("help: write it as a string, e.g. \"1 minor\""));
    let text = format!("{SPIRE_LIKE}\n[support]\nminimum = 1.0\n");
    assert!(error_of(&text).contains("help: write it as a string, e.g. \"4.3.0\""));
    // Any other type error says nothing it cannot back up.
    let text = format!("{SPIRE_LIKE}\n[upgrade]\norder = \"server\"\n");
    assert!(!error_of(&text).contains("help: write it as a string"));
}

#[test]
fn a_diagnostic_renders_without_its_label_for_tools_that_add_their_own() {
    let text = SPIRE_LIKE.replace("older = \"1 minor\"", "older = \"1 fortnight\"");
    let err = Policy::from_toml("compat.toml", &text).unwrap_err();
    let d = &err.diagnostics[0];
    let plain = d.render_plain();
    assert_eq!(plain, format!("{d:#}"));
    assert!(
        plain.starts_with("compat.toml:9:9: invalid skew `1 fortnight`: expected"),
        "{plain}"
    );
    assert_eq!(
        d.to_string(),
        plain.replacen("compat.toml:9:9: ", "compat.toml:9:9: error: ", 1)
    );
    assert!(plain.contains("9 | older = \"1 fortnight\""), "{plain}");
    // A diagnostic without a place is just its message.
    let empty = Policy::from_toml("compat.toml", "").unwrap_err();
    assert!(
        empty.diagnostics[0]
            .render_plain()
            .starts_with("compat.toml: the policy declares no components"),
        "{}",
        empty.diagnostics[0]
    );
}

// The README's "In code" snippet, as it is written there; the test below runs it and checks
// the README still shows exactly this code.
// README: In code
use compat_runtime::Policy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_path("examples/spire/compat.toml")?; // feature "build"
    let agent = policy.peer("agent@0.9.3")?; // bounded, safe on hostile input
    let server = policy.peer("server@0.9.2")?;
    // Accepting allocates nothing; a refusal names its kind, both versions, the rule and the fix.
    match policy.check(&agent, &server) {
        Ok(_) => println!("may talk"),
        Err(refusal) => println!("{refusal}"),
    }
    Ok(())
}
// README: end

/// Lines with their whitespace collapsed, blank lines dropped.
fn normalized(code: &str) -> Vec<String> {
    code.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_readme_in_code_snippet_is_real_code_that_runs() {
    main().unwrap();
    let this = include_str!("policy_lint.rs");
    let start = this.find("// README: In code\n").unwrap() + "// README: In code\n".len();
    let end = this.find("// README: end\n").unwrap();
    let readme = include_str!("../README.md");
    let section = &readme[readme
        .find("In code, the same check the command line runs:")
        .expect("the README's In code snippet")..];
    let block = &section[section.find("```rust\n").unwrap() + "```rust\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    assert_eq!(normalized(block), normalized(&this[start..end]));
    assert!(
        !readme.contains("# Ok::<"),
        "rustdoc's hidden lines mean nothing in a README"
    );
}

/// The code block of `readme` whose first line is `first`, from that line to the fence.
fn readme_block<'a>(readme: &'a str, fence: &str, first: &str) -> &'a str {
    let opening = format!("```{fence}\n{first}\n");
    let start = readme
        .find(&opening)
        .unwrap_or_else(|| panic!("README.md has no {fence} block starting with `{first}`"))
        + "```".len()
        + fence.len()
        + 1;
    &readme[start..start + readme[start..].find("```").unwrap()]
}

// The README's first loop shows a protocol crate whose build fails at `retries`. That crate is
// the ui case below, line for line (the README's `// src/lib.rs` stands where the case's
// comment does), built under a policy that gives the macro the same window as the README's
// `compat.toml`: so the error the README shows is the case's `.stderr`, which trybuild holds
// to what the compiler prints.
#[test]
fn the_readme_first_loop_shows_the_compile_error_its_example_produces() {
    let readme = include_str!("../README.md");
    let case = include_str!("ui/new-field-without-default.rs");
    let stderr = include_str!("ui/new-field-without-default.stderr");

    let lib = readme_block(readme, "rust", "// src/lib.rs");
    let (_, case_body) = case.split_once('\n').unwrap();
    let case_body = case_body
        .trim_end()
        .strip_suffix("fn main() {}")
        .expect("the ui case ends with its main");
    assert_eq!(
        format!("// src/lib.rs\n{}", case_body.trim_end()),
        lib.trim_end(),
        "the README's src/lib.rs is no longer tests/ui/new-field-without-default.rs"
    );

    let error = stderr.replace("tests/ui/new-field-without-default.rs", "src/lib.rs");
    assert!(
        readme.contains(&format!("```text\n{error}```")),
        "README.md does not show the error the example produces:\n{error}"
    );

    // The macro sees the policy only through the windows the build script hands it.
    let agent_to_server = |policy: &Policy| {
        let env = compat_runtime::build::windows_env(
            policy,
            &compat_runtime::Version::new(0, 9, 3),
            "compat.toml",
        );
        let windows = &env.iter().find(|(k, _)| k == "COMPAT_WINDOWS").unwrap().1;
        let window = windows.split(';').find(|w| w.starts_with("agent>server|"));
        window.unwrap().to_string()
    };
    let toml = readme_block(
        readme,
        "toml",
        "# compat.toml: SPIRE's promise, from its upgrade guide.",
    );
    let shown = Policy::from_toml("compat.toml", toml).unwrap();
    assert!(shown.warnings().is_empty(), "{:?}", shown.warnings());
    let ui = Policy::from_toml("compat.toml", include_str!("ui/compat.toml")).unwrap();
    assert_eq!(agent_to_server(&shown), agent_to_server(&ui));
    let manifest = readme_block(readme, "toml", "# Cargo.toml");
    assert!(manifest.contains("\nversion = \"0.9.3\"\n"), "{manifest}");
}

// The README's first `cargo test` fails because no release is recorded yet: it shows what the
// wire lock test says then, for a crate in /home/you/attest.
#[test]
fn the_readme_shows_what_the_first_wire_lock_test_says() {
    let dir = scratch_dir();
    let policy = Policy::from_toml("compat.toml", include_str!("ui/compat.toml")).unwrap();
    let err = compat_runtime::lock::verify_with(&dir, &policy, "0.9.3", &[], false).unwrap_err();
    let shown = err
        .to_string()
        .replace(&dir.display().to_string(), "/home/you/attest");
    let _ = std::fs::remove_dir_all(&dir);
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("```text\n{shown}```")),
        "README.md does not show what the wire lock test says before the first release is recorded:\n{shown}"
    );
}
