//! Hostile and mistaken input: malformed versions and peers, from the network or in a
//! policy. Each gets an error that names the offending text and says how to write it, and
//! nothing panics.

use compat_runtime::check::{MAX_PEER_LEN, PeerError};
use compat_runtime::version::{MAX_VERSION_LEN, parse_version};
use compat_runtime::{Policy, RefusalKind};

mod common;

const SPIRE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/spire/compat.toml");
const TELEPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/teleport/compat.toml");

fn spire() -> Policy {
    Policy::from_path(SPIRE).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn peer_error(policy: &Policy, text: &str) -> String {
    match policy.peer(text) {
        Ok(peer) => panic!("{text:?} should be refused, but parsed as {peer:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_version_with_two_numbers_says_to_add_the_third() {
    assert_eq!(
        peer_error(&spire(), "agent@1.2"),
        "invalid version `1.2`: a version has three numbers, MAJOR.MINOR.PATCH: write 1.2.0"
    );
    assert_eq!(
        peer_error(&spire(), "agent@7"),
        "invalid version `7`: a version has three numbers, MAJOR.MINOR.PATCH: write 7.0.0"
    );
}

#[test]
fn a_leading_v_says_to_drop_it() {
    assert_eq!(
        peer_error(&spire(), "agent@v1.2.3"),
        "invalid version `v1.2.3`: drop the leading `v`: write 1.2.3"
    );
    assert_eq!(
        peer_error(&spire(), "agent@V0.9.3"),
        "invalid version `V0.9.3`: drop the leading `v`: write 0.9.3"
    );
}

#[test]
fn a_version_with_four_numbers_says_how_many_it_has() {
    assert_eq!(
        peer_error(&spire(), "agent@1.2.3.4"),
        "invalid version `1.2.3.4`: a version has three numbers, MAJOR.MINOR.PATCH, not 4"
    );
}

#[test]
fn an_empty_version_or_component_is_named_as_missing() {
    let policy = spire();
    assert_eq!(
        peer_error(&policy, "agent@"),
        "invalid version ``: the version is empty: write MAJOR.MINOR.PATCH, e.g. 1.4.2"
    );
    for text in ["", "agent", "@1.0.0", "@@", "@"] {
        assert_eq!(
            peer_error(&policy, text),
            format!("invalid peer `{text}`: write COMPONENT@VERSION, e.g. agent@1.4.2")
        );
    }
}

#[test]
fn numbers_past_u64_are_too_large() {
    let policy = spire();
    assert_eq!(
        peer_error(&policy, "agent@18446744073709551616.0.0"),
        "invalid version `18446744073709551616.0.0`: a number is too large (value of major version number exceeds u64::MAX)"
    );
    assert!(
        peer_error(&policy, "agent@1.99999999999999999999.0")
            .contains("value of minor version number exceeds u64::MAX")
    );
    assert!(
        peer_error(&policy, "agent@1.0.99999999999999999999")
            .contains("value of patch version number exceeds u64::MAX")
    );
    // u64::MAX itself is a number; the check still decides, without overflowing.
    let max = format!("agent@{}.{}.{}", u64::MAX, u64::MAX, u64::MAX);
    let agent = policy.peer(&max).unwrap();
    let server = policy.peer("server@0.0.0").unwrap();
    let refusal = policy.check(&agent, &server).unwrap_err();
    assert_eq!(refusal.kind(), RefusalKind::TooNew);
    let _ = refusal.to_string();
    let top = policy
        .peer(&format!("server@{}.{}.{}", u64::MAX, u64::MAX, u64::MAX))
        .unwrap();
    assert!(policy.check(&agent, &top).is_ok());
}

#[test]
fn a_10_kb_peer_is_refused_by_its_length_without_echoing_it() {
    let policy = spire();
    let huge = format!("agent@{}", "1".repeat(10_000));
    assert_eq!(policy.peer(&huge), Err(PeerError::TooLong { len: 10_006 }));
    assert_eq!(
        peer_error(&policy, &huge),
        format!(
            "peer text is 10006 bytes long; at most {MAX_PEER_LEN} are accepted (component@version)"
        )
    );
    let huge = "é".repeat(5_000);
    assert!(peer_error(&policy, &huge).starts_with("peer text is 10000 bytes long"));
}

#[test]
fn a_version_longer_than_any_release_is_shortened_in_the_message() {
    // Short enough for a peer, too long for a version.
    let text = format!("1.0.0-{}", "a".repeat(150));
    let shown = peer_error(&spire(), &format!("agent@{text}"));
    assert_eq!(
        shown,
        format!(
            "invalid version `1.0.0-{}… (156 bytes)`: longer than {MAX_VERSION_LEN} bytes; no release has a version this long",
            "a".repeat(34)
        )
    );
    // A 10 kB version given directly: named by its start and its length.
    let shown = parse_version(&"9".repeat(10_000)).unwrap_err().to_string();
    assert!(
        shown.starts_with(&format!(
            "invalid version `{}… (10000 bytes)`",
            "9".repeat(40)
        )),
        "{shown}"
    );
    assert!(shown.len() < 200, "{shown}");
}

#[test]
fn other_malformed_versions_name_the_text_and_the_form() {
    let policy = spire();
    for (text, says) in [
        (
            "agent@1.0.0-",
            "invalid version `1.0.0-`: empty identifier segment in pre-release identifier",
        ),
        (
            "agent@1.0.0+",
            "invalid version `1.0.0+`: empty identifier segment in build metadata",
        ),
        (
            "agent@01.0.0",
            "invalid version `01.0.0`: invalid leading zero in major version number",
        ),
        (
            "agent@ 1.0.0",
            "invalid version ` 1.0.0`: unexpected character ' ' while parsing major version number",
        ),
        (
            "agent@1.0.0\n",
            "invalid version `1.0.0\\n`: unexpected character '\\n' after patch version number",
        ),
        (
            "agent@-1.0.0",
            "invalid version `-1.0.0`: unexpected character '-' while parsing major version number",
        ),
        (
            "agent@１.0.0",
            "invalid version `１.0.0`: unexpected character '１' while parsing major version number",
        ),
        (
            "agent@\u{0}",
            "invalid version `\\0`: unexpected character '\\0'",
        ),
        (
            "agent@1.0.0@2.0.0",
            "invalid version `1.0.0@2.0.0`: unexpected character '@' after patch version number",
        ),
    ] {
        let shown = peer_error(&policy, text);
        assert!(shown.starts_with(says), "{text:?}: {shown}");
        assert!(
            shown.contains("write MAJOR.MINOR.PATCH"),
            "{text:?}: {shown}"
        );
    }
}

#[test]
fn an_unknown_component_lists_the_known_ones() {
    let policy = spire();
    assert_eq!(
        peer_error(&policy, "ghost@1.0.0"),
        "unknown component `ghost`: the policy knows `server`, `agent`"
    );
    // Names are exact: no case folding, no look-alikes.
    assert!(peer_error(&policy, "Agent@1.0.0").starts_with("unknown component `Agent`"));
    assert!(peer_error(&policy, "agént@1.0.0").starts_with("unknown component `agént`"));
    assert!(peer_error(&policy, "agent @1.0.0").starts_with("unknown component `agent `"));
    let long_name = format!("{}@1.0.0", "x".repeat(150));
    let shown = peer_error(&policy, &long_name);
    assert!(
        shown.starts_with(&format!(
            "unknown component `{}… (150 bytes)`",
            "x".repeat(40)
        )),
        "{shown}"
    );
}

#[test]
fn a_pre_release_tag_the_policy_does_not_rank_is_refused_not_guessed() {
    let teleport = Policy::from_path(TELEPORT).unwrap();
    let nightly = teleport.peer("auth@6.0.0-nightly.3").unwrap();
    let node = teleport.peer("node@6.0.0-rc.1").unwrap();
    let refusal = teleport.check(&nightly, &node).unwrap_err();
    assert_eq!(refusal.kind(), RefusalKind::PreRelease);
    assert!(
        refusal
            .to_string()
            .starts_with("auth 6.0.0-nightly.3 is a pre-release and may not talk to node 6.0.0-rc.1: pre-release tag `nightly` is not one the policy ranks (dev, alpha, beta, rc)"),
        "{refusal}"
    );
}

/// SPIRE's rule from `FROM` on, with a minimum supported version `MINIMUM`.
fn policy() -> String {
    format!(
        "{}from = \"FROM\"\n\n[support]\nminimum = \"MINIMUM\"\n",
        common::AGENT_ONE_MINOR_OLDER
    )
}

#[track_caller]
fn policy_error(from: &str, minimum: &str) -> String {
    let text = policy().replace("FROM", from).replace("MINIMUM", minimum);
    match Policy::from_toml("compat.toml", &text) {
        Ok(_) => panic!("from = {from:?}, minimum = {minimum:?} should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_versions_in_a_policy_are_located() {
    let shown = policy_error("1.2", "0.1.0");
    assert!(
        shown.starts_with("compat.toml:10:8: error: invalid version `1.2`: a version has three numbers, MAJOR.MINOR.PATCH: write 1.2.0"),
        "{shown}"
    );
    assert!(
        shown.contains("10 | from = \"1.2\"\n   |        ^^^^^"),
        "{shown}"
    );
    let shown = policy_error("0.1.0", "v1.2.3");
    assert!(
        shown.starts_with(
            "compat.toml:13:11: error: invalid version `v1.2.3`: drop the leading `v`: write 1.2.3"
        ),
        "{shown}"
    );
    let shown = policy_error("1.2.3.4", "0.1.0");
    assert!(
        shown.starts_with("compat.toml:10:8: error: invalid version `1.2.3.4`"),
        "{shown}"
    );
    let shown = policy_error("", "0.1.0");
    assert!(
        shown.starts_with("compat.toml:10:8: error: invalid version ``: the version is empty"),
        "{shown}"
    );
    let shown = policy_error("0.1.0", "99999999999999999999.0.0");
    assert!(shown.starts_with("compat.toml:13:11: error: invalid version `99999999999999999999.0.0`: a number is too large"), "{shown}");
    let long = "1".repeat(10_000);
    let shown = policy_error(&long, "0.1.0");
    assert!(
        shown.starts_with(&format!(
            "compat.toml:10:8: error: invalid version `{}… (10000 bytes)`",
            "1".repeat(40)
        )),
        "{}",
        &shown[..200]
    );
    // Every bad version at once, not just the first.
    let shown = policy_error("1.2", "v1.2.3");
    assert!(
        shown.contains("compat.toml:10:8") && shown.contains("compat.toml:13:11"),
        "{shown}"
    );
}

#[test]
fn a_version_of_the_wrong_type_in_a_policy_is_located() {
    let text = policy()
        .replace("\"FROM\"", "4.3")
        .replace("MINIMUM", "0.1.0");
    let shown = Policy::from_toml("compat.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with(
            "compat.toml:10:8: error: invalid type: floating point `4.3`, expected a string"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("help: write it as a string, e.g. \"4.3.0\""),
        "{shown}"
    );
}

#[test]
fn a_140_kb_line_is_shown_as_a_window_around_the_error() {
    // The error at the start of a long line: the line is cut after the window.
    let comment = "x".repeat(140_000);
    let text = policy()
        .replace("FROM", "0.1.0")
        .replace("MINIMUM", "0.1.0")
        .replace(
            "older = \"1 minor\"",
            &format!("older = \"1 fortnight\" # {comment}"),
        );
    let shown = Policy::from_toml("compat.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(shown.len() < 1_000, "{} bytes", shown.len());
    let window = format!("9 | older = \"1 fortnight\" # {}…\n", "x".repeat(76));
    assert!(shown.contains(&window), "{shown}");
    assert!(shown.contains("\n  |         ^^^^^^^^^^^^^\n"), "{shown}");

    // The error 140 kB into a line: the window starts before it, the caret follows.
    let description = "d".repeat(140_000);
    let text = format!(
        "[components]\nserver = {{ description = \"{description}\", colour = \"blue\" }}\n"
    );
    let shown = Policy::from_toml("compat.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(shown.len() < 1_000, "{} bytes", shown.len());
    assert!(
        shown.starts_with("compat.toml:2:140030: error: unknown field `colour`"),
        "{}",
        &shown[..200.min(shown.len())]
    );
    let lines: Vec<&str> = shown.lines().collect();
    let source = lines[2];
    let caret = lines[3];
    assert!(source.starts_with("2 | …"), "{source}");
    assert!(source.ends_with("…") || source.ends_with('}'), "{source}");
    assert!(source.chars().count() <= 4 + 102, "{source}");
    // The caret sits under `colour`, counted in characters.
    let at = caret.find('^').unwrap();
    let under: String = source.chars().skip(at).take(6).collect();
    assert_eq!(under, "colour", "\n{source}\n{caret}");
    assert!(caret.ends_with("^^^^^^"), "{caret}");
}

#[test]
fn a_140_kb_key_is_named_by_its_start_and_length() {
    let key = "k".repeat(140_000);
    let text = format!("[components]\nserver = {{}}\n\n[{key}]\n");
    let shown = Policy::from_toml("compat.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(shown.len() < 1_500, "{} bytes", shown.len());
    assert!(
        shown.starts_with(&format!(
            "compat.toml:4:2: error: unknown field `{}… (140000 bytes)`",
            "k".repeat(40)
        )),
        "{}",
        &shown[..300.min(shown.len())]
    );
}

#[test]
fn text_that_is_not_toml_is_located() {
    for (text, at) in [
        ("[components\nserver = {}\n", "compat.toml:1:12: error:"),
        ("[components]\nserver = {\n", "compat.toml:2:11: error:"),
        (
            "[components]\nserver = {}\nserver = {}\n",
            "compat.toml:3:1: error:",
        ),
        ("\u{feff}[components]\n\u{0}", "compat.toml:2:2: error:"),
    ] {
        let shown = Policy::from_toml("compat.toml", text)
            .unwrap_err()
            .to_string();
        assert!(shown.starts_with(at), "{text:?}: {shown}");
    }
}

#[test]
fn a_policy_larger_than_a_megabyte_is_refused_unread() {
    let text = format!("# {}\n", "x".repeat(2 << 20));
    let shown = Policy::from_toml("compat.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        shown.contains("the policy is larger than 1048576 bytes"),
        "{shown}"
    );
}
