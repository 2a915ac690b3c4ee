//! The wire lock against the changes a user makes to Gullveig's `Metric` and `ReportAck`:
//! what travels is what counts. Each case edits one message (a copy of it, defined here)
//! and checks it against the crate's own `compat.lock`, at this release (1.1.5, recorded)
//! and at the next one (1.1.6), where agents at 1.1.5 are still inside the window.

use std::path::PathBuf;

use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message};
use gullveig_protocol::{VERSION, messages, policy};

/// The crate's messages with `replacement` standing for the one of the same Rust name,
/// or of the name `replaces`.
fn with(replaces: &str, replacement: &'static Message) -> Vec<&'static Message> {
    messages()
        .iter()
        .map(|m| if m.name == replaces { replacement } else { *m })
        .collect()
}

/// A copy of the crate's `compat.lock`, for checking a release that is not recorded.
fn lock_dir(case: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gullveig-{case}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/compat.lock"),
        dir.join("compat.lock"),
    )
    .unwrap();
    dir
}

fn check(case: &str, version: &str, messages: &[&Message]) -> Result<(), LockError> {
    let dir = if version == VERSION {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    } else {
        lock_dir(case)
    };
    verify_with(&dir, policy(), version, messages, false).map(|_| ())
}

mod wire_renamed {
    use super::Compat;
    use serde::{Deserialize, Serialize};

    /// `Metric` with `source` renamed on the wire from `s` to `src`.
    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("1.0.0")]
    pub(crate) struct Metric {
        #[serde(rename = "src")]
        pub(crate) source: String,
        #[serde(rename = "m")]
        pub(crate) metric: String,
        #[serde(rename = "v")]
        pub(crate) value: f64,
        #[serde(rename = "u")]
        pub(crate) unit: String,
        #[since("1.1.0")]
        #[serde(rename = "f")]
        pub(crate) from: Option<f64>,
        #[since("1.1.0")]
        #[serde(rename = "t")]
        pub(crate) to: Option<f64>,
    }
}

mod rust_renamed {
    use super::Compat;
    use serde::{Deserialize, Serialize};

    /// `Metric` with the Rust field `source` renamed to `origin`, still `s` on the wire.
    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("1.0.0")]
    pub(crate) struct Metric {
        #[serde(rename = "s")]
        pub(crate) origin: String,
        #[serde(rename = "m")]
        pub(crate) metric: String,
        #[serde(rename = "v")]
        pub(crate) value: f64,
        #[serde(rename = "u")]
        pub(crate) unit: String,
        #[since("1.1.0")]
        #[serde(rename = "f")]
        pub(crate) from: Option<f64>,
        #[since("1.1.0")]
        #[serde(rename = "t")]
        pub(crate) to: Option<f64>,
    }
}

mod renamed_with_alias {
    use super::Compat;
    use serde::{Deserialize, Serialize};

    /// `Metric` sending `src`, and still reading `s` from older agents.
    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("1.0.0")]
    pub(crate) struct Metric {
        #[serde(rename = "src", alias = "s")]
        pub(crate) source: String,
        #[serde(rename = "m")]
        pub(crate) metric: String,
        #[serde(rename = "v")]
        pub(crate) value: f64,
        #[serde(rename = "u")]
        pub(crate) unit: String,
        #[since("1.1.0")]
        #[serde(rename = "f")]
        pub(crate) from: Option<f64>,
        #[since("1.1.0")]
        #[serde(rename = "t")]
        pub(crate) to: Option<f64>,
    }
}

mod status_skipped {
    use super::Compat;
    use gullveig_protocol::ReportStatus;
    use serde::{Deserialize, Serialize};

    fn accepted(status: &ReportStatus) -> bool {
        *status == ReportStatus::Accepted
    }

    /// `ReportAck` leaving out `status` when it is `Accepted`, with a default for it.
    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "server", to = "agent")]
    #[since("1.0.0")]
    pub(crate) struct ReportAck {
        #[serde(default = "default_status", skip_serializing_if = "accepted")]
        pub(crate) status: ReportStatus,
        #[since("1.1.0")]
        pub(crate) next_report_in: Option<u32>,
    }

    fn default_status() -> ReportStatus {
        ReportStatus::Accepted
    }
}

#[test]
fn the_bundled_messages_keep_faith_with_their_lock() {
    check("unchanged", VERSION, messages()).unwrap();
    check("unchanged", "1.1.6", messages()).unwrap();
}

#[test]
fn renaming_a_released_field_on_the_wire_fails_naming_message_field_release_and_fix() {
    let changed = with("Metric", wire_renamed::Metric::MESSAGE);
    let at_this_release = check("wire-renamed", VERSION, &changed)
        .unwrap_err()
        .to_string();
    assert!(
        at_this_release.contains(
            "release 1.1.5 is recorded but its messages have changed on the wire since: field `src` \
             (`source` in Rust) of `Metric` is now sent as `src`, but server 1.1.5 requires it and \
             reads it only as `s` (route agent > server, inside the window); restore \
             #[serde(rename = \"s\")]"
        ),
        "{at_this_release}"
    );
    let next = check("wire-renamed", "1.1.6", &changed).unwrap_err();
    assert_eq!(
        next.problems,
        [
            "field `src` (`source` in Rust) of `Metric` is now read only as `src`, but agent 1.1.5 \
          (route agent > server, inside the window) sends it as `s`; add #[serde(alias = \"s\")] to it"
        ]
    );
}

#[test]
fn renaming_a_field_in_rust_only_is_no_change() {
    let changed = with("Metric", rust_renamed::Metric::MESSAGE);
    check("rust-renamed", VERSION, &changed).unwrap();
    check("rust-renamed", "1.1.6", &changed).unwrap();
}

#[test]
fn a_new_wire_name_with_the_old_one_as_alias_passes_once_no_older_receiver_remains() {
    // Agents are never newer than their server, so a 1.1.6 agent's `src` only reaches
    // servers at 1.1.6 or later, which read it; 1.1.5 agents' `s` is read through the alias.
    let changed = with("Metric", renamed_with_alias::Metric::MESSAGE);
    check("alias", "1.1.6", &changed).unwrap();
}

#[test]
fn leaving_out_a_field_an_older_receiver_requires_is_a_break_naming_the_receiver() {
    let changed = with("ReportAck", status_skipped::ReportAck::MESSAGE);
    let err = check("skipped", "1.1.6", &changed).unwrap_err();
    assert_eq!(
        err.problems,
        [
            "field `status` of `ReportAck` may now be left out by server \
          (#[serde(skip_serializing_if = \"accepted\")]), but agent 1.1.5 requires it (route \
          server > agent, inside the window) and rejects a message without it (\"missing field \
          `status`\"); keep sending it until 1.1.5 leaves the window"
        ]
    );
}
