//! `[protocol]` and `[[feature]]` in compat.toml (issue 17, parts 2 and 3): what they read
//! to, the errors of writing them wrong (located, with the fix), and what the build script
//! hands the derive and compiles into the crate.

use compat_runtime::build::{env, policy_code, windows_env};
use compat_runtime::{Policy, Version};

/// mirrord's agent protocol, in brief: releases 3.x, the protocol at 1.x.
const MIRRORD: &str = r#"[components]
agent = {}
layer = {}

[[rule]]
component = "layer"
peer = "agent"
newer = "none"
older = "10 minor"

[protocol]
name = "mirrord-protocol"
version = "1.29.0"
assumed = "1.2.2"

[protocol.releases]
"1.5.0" = "3.30.0"
"1.6.0" = "3.41.0"
"1.29.0" = "3.120.0"

[[feature]]
name = "readlink"
since = "1.6.0"
note = "ReadLink requests"

[[feature]]
name = "steal-filtered-upgrades"
advertised = true
"#;

fn mirrord() -> Policy {
    Policy::from_toml("compat.toml", MIRRORD).unwrap_or_else(|e| panic!("{e}"))
}

/// The error text of a policy, `from` replaced by `to` in [`MIRRORD`].
fn error_of(from: &str, to: &str) -> String {
    assert!(MIRRORD.contains(from), "{from}");
    Policy::from_toml("compat.toml", &MIRRORD.replace(from, to))
        .unwrap_err()
        .to_string()
}

#[test]
fn the_protocol_table_reads_with_its_places() {
    let policy = mirrord();
    let p = policy.protocol().unwrap();
    assert_eq!(p.name.value, "mirrord-protocol");
    assert_eq!(p.version.value, Version::new(1, 29, 0));
    assert_eq!(p.version.origin.to_string(), "compat.toml:13:11");
    assert_eq!(p.releases.len(), 3);
    assert_eq!(
        p.releases[1].release.origin.to_string(),
        "compat.toml:18:11"
    );
    assert_eq!(
        p.carried_by(&Version::new(3, 40, 9)),
        Some(&Version::new(1, 5, 0))
    );
    assert_eq!(
        p.carried_by(&Version::new(3, 41, 0)),
        Some(&Version::new(1, 6, 0))
    );
    // Below every listed release: what a peer that states nothing is assumed to speak.
    assert_eq!(
        p.carried_by(&Version::new(3, 1, 0)),
        Some(&Version::new(1, 2, 2))
    );
    assert_eq!(
        p.first_carrying(&Version::new(1, 6, 0)),
        Some(&Version::new(3, 41, 0))
    );
    assert_eq!(
        p.first_carrying(&Version::new(1, 7, 0)),
        Some(&Version::new(3, 120, 0))
    );
    assert_eq!(p.first_carrying(&Version::new(1, 30, 0)), None);
    let readlink = policy.feature("readlink").unwrap();
    assert_eq!(
        readlink.since.as_ref().unwrap().value,
        Version::new(1, 6, 0)
    );
    assert!(readlink.implied_by(policy.scheme(), &Version::new(1, 6, 0)));
    assert!(!readlink.implied_by(policy.scheme(), &Version::new(1, 5, 9)));
    let upgrades = policy.feature("steal-filtered-upgrades").unwrap();
    assert!(upgrades.advertised && upgrades.since.is_none());
    assert!(!upgrades.implied_by(policy.scheme(), &Version::new(9, 0, 0)));
    assert_eq!(policy.suggest_feature("readlnk"), Some("readlink"));
}

#[test]
fn a_protocol_without_name_or_version_says_what_is_missing() {
    let e = error_of("name = \"mirrord-protocol\"\n", "");
    assert!(
        e.starts_with(
            "compat.toml:11:1: error: [protocol] does not name the protocol: `name` is missing"
        ),
        "{e}"
    );
    assert!(e.contains("add `name = \"mirrord-protocol\"`"), "{e}");
    let e = error_of("version = \"1.29.0\"\n", "");
    assert!(e.contains("compat.toml:11:1: error: [protocol] does not say which protocol version this crate speaks: `version` is missing"), "{e}");
    let e = error_of("version = \"1.29.0\"\n", "version = \"1.29\"\n");
    assert!(e.contains("compat.toml:13:11"), "{e}");
}

#[test]
fn an_unknown_protocol_key_suggests_the_known_one() {
    let e = error_of("assumed = ", "asumed = ");
    assert!(e.contains("unknown field `asumed`"), "{e}");
    assert!(e.contains("did you mean `assumed`?"), "{e}");
    let e = error_of("advertised = true", "advertized = true");
    assert!(e.contains("did you mean `advertised`?"), "{e}");
}

#[test]
fn version_from_reads_the_environment_or_says_why_not() {
    let e = error_of(
        "version = \"1.29.0\"",
        "version-from = \"env:COMPAT_TEST_SURELY_UNSET_VARIABLE\"",
    );
    assert!(e.contains("compat.toml:13:16: error: `version-from = \"env:COMPAT_TEST_SURELY_UNSET_VARIABLE\"`: the environment variable COMPAT_TEST_SURELY_UNSET_VARIABLE is not set"), "{e}");
    let e = error_of("version = \"1.29.0\"", "version-from = \"enviro:X\"");
    assert!(
        e.contains("unknown `version-from` source `enviro:X`"),
        "{e}"
    );
    assert!(e.contains("the sources are \"env:NAME\""), "{e}");
    let e = error_of(
        "version = \"1.29.0\"",
        "version = \"1.29.0\"\nversion-from = \"env:X\"",
    );
    assert!(
        e.contains("[protocol] takes `version` or `version-from`, not both"),
        "{e}"
    );
    // Cargo sets CARGO_PKG_VERSION for the tests it runs: a variable that is set reads.
    let set = format!(
        "{}[protocol]\nname = \"p\"\nversion-from = \"env:CARGO_PKG_VERSION\"\n",
        MIRRORD.split("[protocol]").next().unwrap()
    );
    let policy = Policy::from_toml("compat.toml", &set).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        policy.protocol().unwrap().version.value.to_string(),
        env!("CARGO_PKG_VERSION")
    );
    // The build script watches the variable.
    assert_eq!(
        policy.protocol().unwrap().version_from.as_deref(),
        Some("CARGO_PKG_VERSION")
    );
}

#[test]
fn a_mapping_that_does_not_rise_is_refused() {
    let e = error_of("\"1.6.0\" = \"3.41.0\"", "\"1.6.0\" = \"3.20.0\"");
    assert!(e.contains("compat.toml:18:11: error: [protocol.releases] does not rise: protocol 1.5.0 is first carried by 3.30.0, and protocol 1.6.0 by 3.20.0"), "{e}");
    let e = error_of("\"1.6.0\" = \"3.41.0\"", "\"1.6.0\" = \"3.30.0\"");
    assert!(e.contains("does not rise"), "{e}");
}

#[test]
fn the_crates_own_protocol_must_be_listed() {
    let e = error_of("version = \"1.29.0\"", "version = \"1.28.0\"");
    assert!(e.contains("compat.toml:13:11: error: this crate speaks mirrord-protocol 1.28.0, which [protocol.releases] does not list"), "{e}");
    assert!(
        e.contains("add `\"1.28.0\" = \"...\"` under [protocol.releases]"),
        "{e}"
    );
}

#[test]
fn assumed_above_the_mapping_is_refused() {
    let e = error_of("assumed = \"1.2.2\"", "assumed = \"1.5.1\"");
    assert!(e.contains("compat.toml:14:11: error: `assumed = \"1.5.1\"` is above protocol 1.5.0, the lowest of [protocol.releases]"), "{e}");
}

#[test]
fn feature_mistakes_are_located() {
    let e = error_of("name = \"steal-filtered-upgrades\"", "name = \"readlink\"");
    assert!(
        e.contains(
            "compat.toml:27:8: error: feature `readlink` is declared twice (first at compat.toml:21:1)"
        ),
        "{e}"
    );
    let e = error_of("name = \"readlink\"", "name = \"read link\"");
    assert!(e.contains("invalid feature name `read link`"), "{e}");
    let e = error_of("since = \"1.6.0\"", "since = \"1.6.0\"\nuntil = \"1.6.0\"");
    assert!(e.contains("feature `readlink`: `until = \"1.6.0\"` is not after `since = \"1.6.0\"`, so no version has it"), "{e}");
    let e = error_of("since = \"1.6.0\"", "since = \"1.30.0\"");
    assert!(e.contains("compat.toml:23:9: error: feature `readlink` arrives in mirrord-protocol 1.30.0, newer than 1.29.0, which this crate speaks"), "{e}");
    let e = error_of("since = \"1.6.0\"\n", "");
    assert!(e.contains("compat.toml:21:1: error: feature `readlink` does not say which version brings it: `since` is missing"), "{e}");
    assert!(e.contains("or `advertised = true`"), "{e}");
    let e = error_of("name = \"readlink\"\n", "");
    assert!(
        e.contains("a feature has no name: `name` is missing"),
        "{e}"
    );
}

fn env_of(policy: &Policy, release: Version) -> impl Fn(&str) -> Option<String> {
    let vars = windows_env(policy, &release, "compat.toml");
    move |key| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

#[test]
fn the_derive_is_handed_protocol_versions() {
    let policy = mirrord();
    let get = env_of(&policy, Version::new(3, 120, 0));
    // `#[since]` is compared with the protocol this crate speaks...
    assert_eq!(get(env::VERSION).as_deref(), Some("1.29.0"));
    assert_eq!(get(env::PROTOCOL).as_deref(), Some("mirrord-protocol"));
    // ...and a layer ten minors older (3.110.0) carries 1.6.0: that is the window's edge.
    let windows = get(env::WINDOWS).unwrap();
    assert!(
        windows.contains("layer>agent|1.6.0|0|compat.toml:5:1|"),
        "{windows}"
    );
    // The rule in words says which protocol the window's oldest release speaks.
    assert!(
        windows.contains("never newer%3B layer 3.110.0 speaks mirrord-protocol 1.6.0"),
        "{windows}"
    );
    // The agent hears from layers no newer than itself: the window of the other direction.
    assert!(windows.contains("agent>layer|1.29.0|1|"), "{windows}");
    assert_eq!(
        get(env::FEATURES).as_deref(),
        Some("readlink|1.6.0|*|compat.toml:21:1;steal-filtered-upgrades|*|*|compat.toml:26:1")
    );
}

#[test]
fn an_oldest_release_the_mapping_does_not_cover_is_no_limit() {
    let policy = Policy::from_toml(
        "compat.toml",
        &MIRRORD
            .replace("assumed = \"1.2.2\"\n", "")
            .replace("10 minor", "100 minor"),
    )
    .unwrap();
    let get = env_of(&policy, Version::new(3, 120, 0));
    let windows = get(env::WINDOWS).unwrap();
    // 3.20.0 predates every listed release and no `assumed` says what it speaks.
    assert!(windows.contains("layer>agent|*|0|"), "{windows}");
}

#[test]
fn without_a_protocol_the_release_is_the_version() {
    let text = MIRRORD.split("[protocol]").next().unwrap();
    let policy = Policy::from_toml("compat.toml", text).unwrap();
    let get = env_of(&policy, Version::new(3, 120, 0));
    assert_eq!(get(env::VERSION).as_deref(), Some("3.120.0"));
    assert!(get(env::PROTOCOL).is_none() && get(env::FEATURES).is_none());
    assert!(
        get(env::WINDOWS)
            .unwrap()
            .contains("layer>agent|3.110.0|0|")
    );
}

#[test]
fn the_compiled_policy_carries_the_mapping_and_the_features() {
    let code = policy_code(&mirrord(), &Version::new(3, 120, 0));
    assert!(code.contains("protocol: ::core::option::Option::Some(__c::Protocol { name: __c::Located::new(::std::string::String::from(\"mirrord-protocol\")"), "{code}");
    assert!(code.contains("__c::Carried { protocol: __c::Located::new(__c::version(\"1.6.0\"), __c::origin(\"compat.toml\", 18, 1)), release: __c::Located::new(__c::version(\"3.41.0\")"), "{code}");
    assert!(
        code.contains(
            "__c::Feature { name: __c::Located::new(::std::string::String::from(\"readlink\")"
        ),
        "{code}"
    );
    assert!(code.contains("advertised: true"), "{code}");
}

#[test]
fn the_lock_states_the_protocol_each_release_carried() {
    let dir = std::env::temp_dir().join(format!("compat-protocol-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let policy = mirrord();
    for release in ["3.30.0", "3.41.0", "3.120.0"] {
        compat_runtime::lock::verify_with(&dir, &policy, release, &[], true).unwrap();
    }
    let text = std::fs::read_to_string(dir.join("compat.lock")).unwrap();
    for (release, protocol) in [
        ("3.30.0", "1.5.0"),
        ("3.41.0", "1.6.0"),
        ("3.120.0", "1.29.0"),
    ] {
        assert!(
            text.contains(&format!("version = \"{release}\"\nformat = ")),
            "{text}"
        );
        let at = text.find(&format!("version = \"{release}\"")).unwrap();
        let next = text[at..]
            .find("protocol = ")
            .map(|i| &text[at + i..])
            .unwrap();
        assert!(
            next.starts_with(&format!("protocol = \"{protocol}\"")),
            "{text}"
        );
    }
    // The policy's mapping is joined on every write: a release the mapping moves follows it.
    let moved = Policy::from_toml(
        "compat.toml",
        &MIRRORD.replace("\"1.6.0\" = \"3.41.0\"", "\"1.6.0\" = \"3.42.0\""),
    )
    .unwrap();
    compat_runtime::lock::verify_with(&dir, &moved, "3.120.0", &[], true).unwrap();
    let text = std::fs::read_to_string(dir.join("compat.lock")).unwrap();
    let at = text.find("version = \"3.41.0\"").unwrap();
    assert!(text[at..].contains("protocol = \"1.5.0\""), "{text}");
    // The build script still reads the fingerprints of such a lock.
    let releases = compat_runtime::build::recorded_fingerprints(&dir.join("compat.lock")).unwrap();
    assert_eq!(releases.len(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}
