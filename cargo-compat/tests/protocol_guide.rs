//! The guide under `[protocol]` (issue 17, parts 2 and 3): it keeps speaking releases, and a
//! section names the protocol each release carries and the release that brings each named
//! feature.

use cargo_compat::{guide, releases::Releases};

mod common;
use compat_runtime::Policy;

const POLICY: &str = r#"[components]
agent = {}
layer = {}

[[rule]]
component = "layer"
peer = "agent"
newer = "none"
older = "20 minor"

[protocol]
name = "mirrord-protocol"
version = "1.6.0"

[protocol.releases]
"1.5.0" = "3.30.0"
"1.6.0" = "3.41.0"

[[feature]]
name = "readlink"
since = "1.6.0"
note = "ReadLink requests"

[[feature]]
name = "steal-filtered-upgrades"
advertised = true
"#;

#[test]
fn the_guide_names_the_protocol_each_release_carries() {
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
    let releases = Releases::parse(&policy, "3.30.0,3.35.0,3.41.0").unwrap();
    let page = guide::write(&policy, &releases, "cargo compat doc");
    for line in [
        "## Protocol versions",
        "- 3.35.0 speaks mirrord-protocol 1.5.0\n",
        "- 3.41.0 speaks mirrord-protocol 1.6.0\n",
        "- `readlink` arrives in mirrord-protocol 1.6.0, first carried by 3.41.0 (ReadLink requests)\n",
        "- `steal-filtered-upgrades`: advertised by the peers that have it (no version implies it)\n",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    // The rest of the guide speaks releases.
    assert!(page.contains("3.41.0"), "{page}");
    assert!(!page.contains("agent 1.6.0"), "{page}");
}

#[test]
fn lint_counts_the_protocol_and_the_features() {
    let dir = common::scratch_dir("protocol-lint");
    std::fs::write(dir.join("compat.toml"), POLICY).unwrap();
    let r = common::run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "ok: compat.toml: 2 components, 1 rule, 0 upgrade tables, mirrord-protocol 1.6.0 (2 releases listed), 2 features\n"
    );
    // A mapping that does not rise is an error at its place.
    let broken = POLICY.replace("\"1.6.0\" = \"3.41.0\"", "\"1.6.0\" = \"3.20.0\"");
    std::fs::write(dir.join("compat.toml"), broken).unwrap();
    let r = common::run_in(&dir, &["lint", "--policy", "compat.toml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("compat.toml:17:11: error: [protocol.releases] does not rise"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_planner_and_the_matrix_keep_speaking_releases() {
    let dir = common::scratch_dir("protocol-plan");
    std::fs::write(dir.join("compat.toml"), POLICY).unwrap();
    let r = common::run_in(
        &dir,
        &[
            "plan",
            "--policy",
            "compat.toml",
            "--from",
            "3.30.0",
            "--to",
            "3.41.0",
            "--releases",
            "3.35.0",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("3.41.0"), "{}", r.stdout);
    assert!(!r.stdout.contains("1.6.0"), "{}", r.stdout);
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
    let releases: Vec<compat_runtime::Version> = ["3.30.0", "3.41.0"]
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    let markdown = cargo_compat::matrix::Matrix::new(&policy, &releases).markdown();
    assert!(markdown.contains("3.41.0"), "{markdown}");
    assert!(!markdown.contains("1.6.0"), "{markdown}");
}
