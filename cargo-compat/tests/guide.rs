//! The generated guides: each example's checked-in `COMPATIBILITY.md` is what `doc` writes
//! today, and each says everything its seed document says, point by point, with the same
//! numbers.

use std::path::{Path, PathBuf};

use cargo_compat::guide;
use cargo_compat::releases::Releases;
use compat_runtime::Policy;

/// Each example with the releases its guide's worked examples use.
const SYSTEMS: [(&str, &str); 5] = [
    ("spire", "0.8.0,0.8.1,0.9.0,0.9.2,0.9.3"),
    ("mirrord", "3.117.0,3.118.0"),
    ("gullveig", "1.0.0,1.1.4,1.1.5"),
    (
        "teleport",
        "4.0.1,4.0.3,4.1.0,4.2.0,4.3.0,5.0.0,6.3.2,7.1.2,8.0.1,8.1.0",
    ),
    ("phoenix", "4.1.0,4.2.1,4.3.0,4.3.1"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn command(system: &str, releases: &str) -> String {
    format!("cargo compat doc --policy examples/{system}/compat.toml --releases {releases}")
}

/// The guide as `doc` writes it from the workspace root.
fn generated(system: &str) -> String {
    let releases = SYSTEMS.iter().find(|(s, _)| *s == system).unwrap().1;
    let shown = format!("examples/{system}/compat.toml");
    let text = std::fs::read_to_string(root().join(&shown)).unwrap();
    let policy = Policy::from_toml(&shown, &text).unwrap_or_else(|e| panic!("{e}"));
    let list = Releases::parse(&policy, releases).unwrap();
    guide::write(&policy, &list, &command(system, releases))
}

fn checked_in(system: &str) -> String {
    std::fs::read_to_string(root().join(format!("examples/{system}/COMPATIBILITY.md"))).unwrap()
}

fn seed(file: &str) -> String {
    let path = root().join("../shared/seeds").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_checked_in_guide_is_what_doc_writes_today() {
    let mut stale = Vec::new();
    for (system, releases) in SYSTEMS {
        if generated(system) != checked_in(system) {
            stale.push(format!(
                "examples/{system}/COMPATIBILITY.md is stale; regenerate it with\n    cargo run -p cargo-compat -- doc --policy examples/{system}/compat.toml --releases {releases} > examples/{system}/COMPATIBILITY.md"
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn the_doc_command_writes_the_checked_in_guide() {
    let (system, releases) = SYSTEMS[0];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-compat"))
        .args([
            "doc",
            "--policy",
            &format!("examples/{system}/compat.toml"),
            "--releases",
            releases,
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), checked_in(system));
}

/// Version-like numbers in a text: `0.9.3`, `0.9.x`, `v8`, `4.3`, normalized to their
/// digits and dots (`0.9.`, `8`, `4.3`).
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = cur.trim_end_matches('.').to_string();
        if t.chars().any(|c| c.is_ascii_digit()) && (t.contains('.') || cur.starts_with('v')) {
            out.push(t.trim_start_matches('v').to_string());
        }
        cur.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let starts_v =
            c == 'v' && chars.get(i + 1).is_some_and(char::is_ascii_digit) && cur.is_empty();
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) || starts_v {
            cur.push(c);
        } else if c == 'x' && cur.ends_with('.') {
            // `0.9.x`: the digits before the wildcard.
            cur.push('x');
            let t = cur.trim_end_matches('x').to_string();
            cur = t;
            flush(&mut cur, &mut out);
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// For each point: the seed says `quote` (verbatim), and the guide says `says`; every
/// number in the quote appears in what the guide says.
#[track_caller]
fn point_by_point(system: &str, seed_file: &str, points: &[(&str, &[&str])]) {
    let seed = seed(seed_file)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let page = checked_in(system);
    let mut missing = Vec::new();
    for (quote, says) in points {
        assert!(seed.contains(quote), "the seed no longer says {quote:?}");
        for s in *says {
            if !page.contains(s) {
                missing.push(format!("for {quote:?}, the guide lacks {s:?}"));
            }
        }
        let said = says.join(" ");
        for n in numbers(quote) {
            if !said.contains(&n) {
                missing.push(format!(
                    "{quote:?} states {n}, which the guide's lines {says:?} lack"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn numbers_are_read_as_versions() {
    assert_eq!(
        numbers("at 0.9.3 and 0.9.x, v8.*.* and 4.3"),
        ["0.9.3", "0.9", "8", "4.3"]
    );
}

#[test]
fn the_spire_guide_says_what_the_spire_document_says() {
    point_by_point(
        "spire",
        "000_f31f7aff77a3524e.txt",
        &[
            (
                "minor SPIRE releases act like major releases and patch releases act like minor releases",
                &[
                    "Before 1.0, a minor release acts as a major release and a patch release as a minor one",
                ],
            ),
            (
                "the newest and oldest SPIRE server instances in any given cluster must be within one minor version of each other",
                &["Server instances may be up to one minor release apart"],
            ),
            (
                "Newest SPIRE server instance is at 0.9.3 * Other SPIRE server instances are supported at 0.9.x and 0.8.x",
                &[
                    "With the newest `server` at 0.9.3, the other `server` instances are supported at 0.8.0 through 0.9.3 (0.8.x and 0.9.x)",
                ],
            ),
            (
                "SPIRE agents must not be newer than the oldest SPIRE server that they communicate with, and may be up to one minor version older.",
                &["Agent may be up to one minor release older than server, never newer"],
            ),
            (
                "SPIRE servers are at both 0.9.3 and 0.9.2 * SPIRE agents are supported at 0.8.0 through 0.9.2",
                &[
                    "With `server` instances at both 0.9.3 and 0.9.2, `agent` is supported at 0.8.0 through 0.9.2.",
                ],
            ),
            (
                "SPIRE servers must be upgraded before SPIRE agents, and is limited to a jump of at most one minor version (regardless of patch version).",
                &[
                    "- Upgrade `server` and `agent`, in that order",
                    "- One step moves an instance at most one minor release (`max-jump`",
                ],
            ),
            (
                "SPIRE server and agent instances may be upgraded in a rolling fashion.",
                &["- `server` and `agent` instances upgrade one at a time (rolling)."],
            ),
            (
                "if upgrading from 0.8.1 to 0.9.3: * Upgrade SPIRE server instances from 0.8.1 to 0.9.3 one at a time * Ensure that the SPIRE server cluster is operating as expected * Upgrade SPIRE agent instances from 0.8.1 to 0.9.3 one at a time or in batches",
                &[
                    "### Example: upgrading from 0.8.1 to 0.9.3\n\n1. Upgrade the `server` instances from 0.8.1 to 0.9.3, one at a time.\n2. Check that every `server` instance at 0.9.3 is healthy before the `agent` instances move.\n3. Upgrade the `agent` instances from 0.8.1 to 0.9.3, one at a time.\n",
                ],
            ),
            (
                "SPIRE server supports zero-downtime upgrades so long as there is more than one SPIRE server in the cluster.",
                &[
                    "with more than one `server` instance an upgrade needs no downtime; a single `server` instance cannot restart without it",
                ],
            ),
            (
                "it is necessary to first downgrade agents before downgrading servers",
                &[
                    "- Downgrade `agent` and `server`, in that order",
                    "- `agent` moves down before `server`: `server` 0.8.1 may not talk to `agent` 0.9.3",
                ],
            ),
            (
                "if downgrading from version 0.9.3 to 0.8.1: * Downgrade SPIRE agent instances from 0.9.3 to 0.8.1 one at a time or in batches * Downgrade SPIRE server instances from 0.9.3 to 0.8.1 one at a time",
                &[
                    "### Example: downgrading from 0.9.3 to 0.8.1\n\n1. Downgrade the `agent` instances from 0.9.3 to 0.8.1, one at a time.\n2. Check that every `agent` instance at 0.8.1 is healthy before the `server` instances move.\n3. Downgrade the `server` instances from 0.9.3 to 0.8.1, one at a time.\n",
                ],
            ),
        ],
    );
}

#[test]
fn the_mirrord_guide_says_what_the_mirrord_document_says() {
    point_by_point(
        "mirrord",
        "001_54a688dbb5a7c571.txt",
        &[
            (
                "components can be upgraded independently as long as they remain within the same major version",
                &["Any two components must be in the same major"],
            ),
            (
                "This means that a newer License Server can serve older Operators, and a newer Operator can communicate with older License Servers.",
                &[
                    "With `operator` at 3.118.0, `license-server` is supported at 3.0.0 or later, below 4.0.0.",
                    "With `license-server` at 3.118.0, `operator` is supported at 3.0.0 or later, below 4.0.0.",
                ],
            ),
            (
                "Users should not manually manage Agent image versions when using the Operator.",
                &[
                    "Agent is managed by operator and runs exactly its version",
                    "`operator` at 3.118.0 runs `agent` 3.118.0, which it deploys itself; never set `agent` versions by hand.",
                ],
            ),
            (
                "* Upgrade the License Server * Verify that the License Server is healthy and reachable * Upgrade the mirrord Operator * Upgrade client tooling (CLI) as needed",
                &[
                    "1. Upgrade the `license-server` instances from 3.117.0 to 3.118.0, one at a time.\n2. Check that every `license-server` instance at 3.118.0 is healthy before the `operator` instances move.\n3. Upgrade `operator` from 3.117.0 to 3.118.0. `operator` redeploys the `agent` instances at 3.118.0 as part of its own upgrade.\n4. Check that every `operator` instance at 3.118.0 is healthy before the `cli` instances move.\n5. Upgrade the `cli` instances from 3.117.0 to 3.118.0, one at a time.\n",
                ],
            ),
            (
                "Major releases may introduce breaking changes.",
                &[
                    "### Example: the next major release, from 3.118.0 to 4.0.0",
                    "Zero downtime is impossible",
                ],
            ),
        ],
    );
}

#[test]
fn the_gullveig_guide_says_what_the_gullveig_document_says() {
    point_by_point(
        "gullveig",
        "002_92748f8626b3d59e.txt",
        &[
            (
                "Always upgrade reporting server first, then web, then agents.",
                &["- Upgrade `server`, `web` and `agent`, in that order"],
            ),
            (
                "2. Stop `gullveig-web` process. 3. Restart `gullveig-server` process. 4. Wait for reporting server process to start. 4. Start `gullveig-web` process.",
                &[
                    "1. Stop the `web` instances (at 1.0.0) before server moves to 1.1.5",
                    "2. Stop the `server` instances (at 1.0.0), upgrade them to 1.1.5 and start them, all together (`rolling`, examples/gullveig/compat.toml:30:1).\n3. Check that every `server` instance at 1.1.5 is healthy before the `web` instances move.\n4. Upgrade the `web` instances (stopped) from 1.0.0 to 1.1.5 together, and start them.\n",
                ],
            ),
            (
                "Agents are guaranteed compatible with reporting servers equal or newer than the agent version, within the same major version.",
                &["Agent may be older than server within the same major, never newer"],
            ),
            (
                "server with version `1.1.5` is compatible with agents `1.1.5` or older.",
                &["With `server` at 1.1.5, `agent` is supported at 1.0.0 through 1.1.5."],
            ),
            (
                "Agent with version `1.1.5` is guaranteed compatible with servers up to, but excluding version `2.0.0`.",
                &["With `agent` at 1.1.5, `server` is supported at 1.1.5 or later, below 2.0.0."],
            ),
            (
                "Web user interface version `1.1.5` is only guaranteed compatible with reporting server version `1.1.5`.",
                &["With `web` at 1.1.5, `server` is supported at exactly 1.1.5."],
            ),
            (
                "is therefore except from backwards compatibility guarantee, retroactively.",
                &["Versions matching `<1.0.0` carry no compatibility guarantee"],
            ),
        ],
    );
}

#[test]
fn the_teleport_guide_says_what_the_teleport_rfd_says() {
    point_by_point(
        "teleport",
        "003_6c47ac2957edfad0.txt",
        &[
            (
                "Patch versions are always compatible, for example any 4.0.1 component will work with any 4.0.3 component.",
                &["`auth` 4.0.1 and `proxy` 4.0.3 may talk."],
            ),
            (
                "This means you must not attempt to upgrade from 4.1 straight to 4.3. You must upgrade to 4.2 first.",
                &[
                    "### Example: no release skipped, from 4.1.0 to 4.3.0\n",
                    "The move goes through 4.2.0, then 4.3.0.",
                ],
            ),
            (
                "Teleport clients tsh for users and tctl for admins may not be compatible with different versions of the teleport service.",
                &[
                    "Tsh and any other component must be in the same minor",
                    "Tctl and any other component must be in the same minor",
                ],
            ),
            (
                "`vN.*.*` binaries are compatible with any other `vN.*.*` or `vN-1.*.*` binaries (both client and server).",
                &[
                    "### Any two components (from 6.0.0-dev on)\n\nAny two components may be up to one major release apart",
                ],
            ),
            (
                "Users are free to use any `vN.*.*` versions throughout their deployment, after upgrading everything from `vN-1.*.*`.",
                &[
                    "### Example: no release skipped, from 6.3.2 to 8.1.0\n",
                    "The move goes through 7.1.2, then 8.1.0.",
                ],
            ),
            (
                "Teleport officially supports the latest major version and two previous major versions. For example: - `v8.*.*` (latest) - `v7.*.*` - `v6.*.*`",
                &["With 8.1.0 the newest: `v8.*.*` (latest), `v7.*.*`, `v6.*.*`."],
            ),
            (
                "`-dev` suffix is for development builds",
                &["Pre-releases rank `-dev` < `-alpha` < `-beta` < `-rc` < the release"],
            ),
            (
                "`-rc.X` suffixes are for release candidates, potentially production-ready",
                &["Only `-rc` pre-releases may talk to releases"],
            ),
            (
                "The latest 3 released versions are `v8.0.1`, `v7.1.2`, `v6.3.2`.",
                &[
                    "the releases 4.0.1, 4.0.3, 4.1.0, 4.2.0, 4.3.0, 5.0.0, 6.3.2, 7.1.2, 8.0.1 and 8.1.0",
                ],
            ),
        ],
    );
}

#[test]
fn the_phoenix_guide_says_what_the_phoenix_document_says() {
    point_by_point(
        "phoenix",
        "004_ec7896790446a8c0.txt",
        &[
            (
                "For example, **<code>4.2.1</code>** has a major version of **<code>4</code>**, a minor version of **<code>2</code>**, and a patch version of **<code>1</code>**.",
                &["`4.2.1` has major version `4`, minor version `2` and patch version `1`."],
            ),
            (
                "The jar upgrade may occur in any order: client first or server first",
                &[
                    "For a patch release the order does not matter: `client` 4.3.2 may talk to `server` 4.3.1, so either may go first.",
                ],
            ),
            (
                "It is **required** that the server-side jar be upgraded first across your entire cluster, before any clients are upgraded.",
                &[
                    "- `server` moves before `client`: `client` 4.4.0 may not talk to `server` 4.3.1",
                ],
            ),
            (
                "An older client (two minor versions back) will work with a newer server jar when the minor version is different, but not visa versa.",
                &[
                    "Client may be up to two minor releases older than server, and newer by patch releases of the same minor",
                    "`client` is supported at 4.1.0 or later, below 4.4.0.",
                ],
            ),
            (
                "As of the 4.3 release, a mix of clients on different minor release versions is supported as well (note that prior releases required all clients to be upgraded at the same time).",
                &[
                    "### `client` with `client` (before 4.3.0)",
                    "`client` 4.1.0 and `client` 4.2.1 may not (client is too old).",
                    "### `client` with `client` (from 4.3.0 on)",
                    "`client` 4.1.0 and `client` 4.3.0 may talk.",
                ],
            ),
            (
                "Another improvement as of the 4.3 release is that an upgrade may be done directly from one minor version to another higher minor version (prior releases required an upgrade to each minor version in between).",
                &[
                    "- Upgrade `server` and `client`, in that order, for every release (examples/phoenix/compat.toml:42:1, 51:1, 60:1 and 75:1).",
                    "### Before 4.3.0\n\n- One step moves an instance at most one minor release",
                    "### Moving to 4.3.0 up to (not including) 5.0.0\n\n- One step moves an instance at most any number of minor releases within the same major",
                ],
            ),
            (
                "Upgrading to a new major release may require downtime as well as potentially the running of a migration script. Additionally, all clients and servers may need to be upgraded at the same time.",
                &[
                    "### Example: the next major release, from 4.3.1 to 5.0.0",
                    "Zero downtime is impossible: the `client` and `server` instances stop",
                    // Decided for 5.0.0 in the policy, "on a release by release basis".
                    "### Moving to 5.0.0\n\n- One step moves an instance at most one major release",
                    "- Instances of a component stop, move and start together (`rolling = false`).\n\n### From 5.0.1 on",
                ],
            ),
            (
                "Phoenix maintains backward compatibility across at least two minor releases to allow for **no downtime** through server-side rolling restarts upon upgrading.",
                &["`server` instances cover for each other while one restarts"],
            ),
        ],
    );
}

#[test]
fn no_guide_repeats_a_note_or_a_warning_per_instance() {
    for (system, _) in SYSTEMS {
        let guide = checked_in(system);
        for section in guide.split("\n### ") {
            let notes: Vec<&str> = section
                .lines()
                .filter(|l| l.starts_with("> **Note:**"))
                .collect();
            let zero = notes
                .iter()
                .filter(|l| l.contains("Zero downtime is impossible"))
                .count();
            assert!(
                zero <= 1,
                "{system}: {zero} zero-downtime notes in one section:\n{section}"
            );
            let mut seen = std::collections::BTreeSet::new();
            assert!(
                notes.iter().all(|n| seen.insert(*n)),
                "{system}: a note repeated in:\n{section}"
            );
        }
        // A rule is cited at most once per step.
        for line in guide
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        {
            let cited: Vec<&str> = line.matches("compat.toml:").collect();
            let places: std::collections::BTreeSet<&str> = line
                .match_indices("compat.toml:")
                .map(|(i, _)| line[i..].split(')').next().unwrap())
                .collect();
            assert_eq!(
                cited.len(),
                places.len(),
                "{system}: a rule cited twice in {line:?}"
            );
        }
    }
}
