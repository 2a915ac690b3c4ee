//! Policies under which some release can never be reached by an upgrade, and what `lint`
//! says of them: a warning at the `max-jump` at fault, naming the first release out of reach
//! and how to give the move into it settings of its own. The step into a release is governed
//! by the upgrade settings of the release moved to, as the planner reads them.

use compat_runtime::Policy;

const SYSTEMS: [&str; 5] = ["spire", "mirrord", "gullveig", "teleport", "phoenix"];

/// Clients up to two minors older than the server, never newer, within one major; servers
/// within one minor of each other; then the `[upgrade]` table given.
fn same_major(upgrade: &str) -> String {
    format!(
        r#"[components]
server = {{}}
client = {{}}

[[rule]]
component = "client"
peer = "server"
newer = "none"
older = "2 minor"

[[rule]]
component = "server"
peer = "server"
skew = "1 minor"

{upgrade}"#
    )
}

/// The warnings about releases out of reach, as `lint` prints them.
fn out_of_reach(text: &str) -> Vec<String> {
    let policy = Policy::from_toml("compat.toml", text).unwrap_or_else(|e| panic!("{e}"));
    policy
        .warnings()
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("no upgrade can reach"))
        .collect()
}

#[test]
fn a_one_minor_jump_under_a_same_major_rule_is_told_no_upgrade_reaches_the_next_major() {
    let text = same_major("[upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"1 minor\"\n");
    let warnings = out_of_reach(&text);
    assert_eq!(
        warnings,
        [
            "compat.toml:18:12: warning: no upgrade can reach 1.0.0 (nor 2.0.0, nor any later \
             major's first release): these upgrade settings govern the step into it, which comes \
             from an older major, and one step may move at most one minor release (`max-jump = \
             \"1 minor\"`)\n  = help: \
             give the move into 1.0.0 upgrade settings of its own ([[upgrade]] with from = \
             \"1.0.0\", until = \"1.0.1\" and max-jump = \"1 major\"), or allow a larger \
             `max-jump`"
        ],
        "{warnings:#?}"
    );
}

#[test]
fn any_minor_or_same_major_never_leaves_a_major_either() {
    for jump in ["any minor", "same major", "3 minor"] {
        let text = same_major(&format!(
            "[upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"{jump}\"\nrolling = false\n"
        ));
        let warnings = out_of_reach(&text);
        assert_eq!(warnings.len(), 1, "{jump}: {warnings:#?}");
        assert!(
            warnings[0].contains("no upgrade can reach 1.0.0"),
            "{}",
            warnings[0]
        );
    }
}

#[test]
fn a_patch_jump_never_leaves_a_minor() {
    let text = same_major("[upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"1 patch\"\n");
    let warnings = out_of_reach(&text);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains(
            "no upgrade can reach 0.1.0 (nor 0.2.0, nor any later minor's first release): these \
             upgrade settings govern the step into it, which comes from an older minor"
        ),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("max-jump = \"1 minor\"), or allow"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_jump_of_a_major_reaches_every_release() {
    let text = same_major(
        "[upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"1 major\"\nrolling = false\n",
    );
    assert!(out_of_reach(&text).is_empty());
    let text = same_major("[upgrade]\norder = [\"server\", \"client\"]\n");
    assert!(out_of_reach(&text).is_empty(), "no max-jump, no limit");
}

#[test]
fn settings_of_its_own_for_the_move_into_a_major_bring_it_within_reach() {
    // As Phoenix does for 5.0.0: a table for the move into 2.0.0 alone, one for the releases
    // of the major before it and one for those after. Only what lies before the first table
    // and after the last stays out of reach, and the warnings say which.
    let tables = r#"[[upgrade]]
order = ["server", "client"]
max-jump = "1 minor"
from = "1.0.0"
until = "2.0.0"

[[upgrade]]
order = ["server", "client"]
max-jump = "1 major"
rolling = false
from = "2.0.0"
until = "2.0.1"

[[upgrade]]
order = ["server", "client"]
max-jump = "1 minor"
from = "2.0.1"
until = "3.0.0"
"#;
    let warnings = out_of_reach(&same_major(tables));
    // 1.0.0 itself: the step into it comes from 0.x, under the first table.
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with("compat.toml:18:12: warning: no upgrade can reach 1.0.0:"),
        "{}",
        warnings[0]
    );
    let from_one = tables.replacen("from = \"1.0.0\"\n", "", 1);
    assert!(
        out_of_reach(&same_major(&from_one))
            .iter()
            .all(|w| w.contains("1.0.0"))
    );
}

#[test]
fn a_max_jump_of_none_reaches_nothing() {
    let text = same_major(
        "[upgrade]\norder = [\"server\", \"client\"]\nmax-jump = \"none\"\nrolling = false\n",
    );
    let warnings = out_of_reach(&text);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("no upgrade can reach 0.0.1 (nor 0.0.2, nor any later release):")
            && warnings[0].contains("one step may move not at all (`max-jump = \"none\"`)"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("max-jump = \"1 patch\""),
        "{}",
        warnings[0]
    );
}

/// The seed policies that truly leave a release out of reach, and the first one: SPIRE's
/// `max-jump = "1 minor"` never crosses into 1.0.0; Teleport's pre-6.0 table never into a new
/// major (5.0.0 from 4.x included); Phoenix's pre-4.3 table never into a new major, and its
/// table from 5.0.1 on never into 6.0.0 (the policy settles each major's move when it comes).
#[test]
fn the_seed_policies_that_leave_a_release_out_of_reach_are_told_where() {
    let mut found = Vec::new();
    for system in SYSTEMS {
        let path = format!(
            "{}/examples/{system}/compat.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let policy = Policy::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        for w in policy.warnings() {
            let text = w.to_string();
            if let Some(rest) = text.split_once("no upgrade can reach ").map(|(_, r)| r) {
                let release = rest.split([' ', ':']).next().unwrap();
                let place = w.origin.as_ref().unwrap();
                found.push(format!("{system}:{}: {release}", place.line));
            }
        }
    }
    assert_eq!(
        found,
        [
            "spire:33: 1.0.0",
            "teleport:63: 1.0.0",
            "phoenix:46: 1.0.0",
            "phoenix:78: 6.0.0"
        ]
    );
}
