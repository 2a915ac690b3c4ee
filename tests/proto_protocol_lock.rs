//! The prost wire lock under `[protocol]` (issue 17, part 2): `@since` speaks protocol
//! versions, so a value added to an enum is compared with the protocol the recorded release
//! carried, not with the release's own number, as the serde lock does (`Pair::old_since`).
#![allow(
    missing_docs,
    unreachable_pub,
    reason = "prost-build writes `pub` items without docs; the tables mirror its output"
)]

use compat_runtime::Policy;
use compat_runtime::proto::{Proto, ProtoMessage};

/// Releases 2.x carry protocol 0.0.x: 2.4.0 carries 0.0.5, 2.5.0 brings 0.0.9.
const POLICY: &str = r#"[components]
server = {}
agent = {}

[[rule]]
component = "agent"
peer = "server"
newer = "none"
older = "1 minor"

[protocol]
name = "agent-protocol"
version = "0.0.9"

[protocol.releases]
"0.0.5" = "2.0.0"
"0.0.9" = "2.5.0"
"#;

/// A module holding the prost enum `row.E`, first shipped in protocol 0.0.1, sent from
/// servers to agents, with the values `$body`.
macro_rules! enumeration {
    ($module:ident, { $($body:tt)* }) => {
        mod $module {
            #[derive(
                Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration,
                compat_runtime::ProstCompat,
            )]
            #[compat(proto = "row.E", routes = ["server > agent"])]
            /// @since 0.0.1
            #[repr(i32)]
            pub enum E { $($body)* }
        }
    };
}

// `row.E` as release 2.4.0 recorded it.
enumeration!(recorded, { Unspecified = 0, Ok = 1 });

// 2.5.0's `row.E`, with `Drain` marked as protocol 0.0.9 brings it.
enumeration!(marked, {
    Unspecified = 0,
    Ok = 1,
    /// @since 0.0.9
    Drain = 2,
});

// 2.5.0's `row.E`, with `Drain` marked as if protocol 0.0.5, which 2.4.0 speaks, had it.
enumeration!(unmarked, {
    Unspecified = 0,
    Ok = 1,
    /// @since 0.0.5
    Drain = 2,
});

/// Records `was` at 2.4.0 in a fresh lock and checks `now` at 2.5.0: the problems found.
fn problems(case: &str, was: &'static ProtoMessage, now: &'static ProtoMessage) -> Vec<String> {
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap_or_else(|e| panic!("{e}"));
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("proto-protocol-lock-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    compat_runtime::lock::verify_proto_with(&dir, &policy, "2.4.0", &[was], true).unwrap();
    match compat_runtime::lock::verify_proto_with(&dir, &policy, "2.5.0", &[now], false) {
        Ok(_) => Vec::new(),
        Err(error) => error.problems,
    }
}

#[test]
fn a_value_since_a_protocol_newer_than_the_recorded_release_carried_passes() {
    let found = problems("marked", recorded::E::PROTO, marked::E::PROTO);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_value_since_the_protocol_the_recorded_release_carried_is_refused_in_protocol_versions() {
    let found = problems("unmarked", recorded::E::PROTO, unmarked::E::PROTO);
    assert_eq!(found.len(), 1, "{found:#?}");
    let expected = "value 2 `Drain` of enum `row.E` is not in release 2.4.0 (agent-protocol 0.0.5), but says `@since 0.0.5`, so server 2.5.0 sends it to agent 2.4.0";
    assert!(found[0].starts_with(expected), "{}", found[0]);
    assert!(
        found[0].contains("write `@since 0.0.9` on it so the guard refuses it to agent before 2.5.0 (agent-protocol 0.0.9)"),
        "{}",
        found[0]
    );
}
