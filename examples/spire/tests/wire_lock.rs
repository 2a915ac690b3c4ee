//! The wire lock against changes to how SPIRE's `ServerMessage` is written: its tag and
//! its case convention decide what every agent reads. Each case edits a copy of the enum
//! and checks it against the crate's own `compat.lock`, at this release (0.9.3, recorded)
//! and at the next one (0.9.4), whose servers still serve 0.9.3 agents.

use std::path::PathBuf;

use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message};
use spire_protocol::{VERSION, messages, policy};

fn with(replacement: &'static Message) -> Vec<&'static Message> {
    messages()
        .iter()
        .map(|m| {
            if m.name == replacement.name {
                replacement
            } else {
                *m
            }
        })
        .collect()
}

fn check(case: &str, version: &str, messages: &[&Message]) -> Result<(), LockError> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = if version == VERSION {
        manifest
    } else {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("spire-{case}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(manifest.join("compat.lock"), dir.join("compat.lock")).unwrap();
        dir
    };
    verify_with(&dir, policy(), version, messages, false).map(|_| ())
}

/// `ServerMessage` as the crate has it, with `$attr` for its serde attribute.
macro_rules! server_message {
    ($module:ident, $attr:meta) => {
        mod $module {
            use compat_runtime::Compat;
            use serde::{Deserialize, Serialize};
            use spire_protocol::SvidUpdate;

            #[derive(Serialize, Deserialize, Compat)]
            #[compat(from = "server", to = "agent")]
            #[since("0.6.0")]
            #[$attr]
            pub(crate) enum ServerMessage {
                #[since("0.8.0")]
                Challenge {
                    challenge: Vec<u8>,
                },
                Update(SvidUpdate),
                #[since("0.9.0")]
                Reattest {
                    reason: String,
                },
                #[serde(other)]
                Unknown,
            }
        }
    };
}

server_message!(retagged, serde(tag = "kind", rename_all = "snake_case"));
server_message!(
    screaming,
    serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")
);
server_message!(camel, serde(tag = "type", rename_all = "camelCase"));

#[test]
fn the_bundled_messages_keep_faith_with_their_lock() {
    check("unchanged", VERSION, messages()).unwrap();
    check("unchanged", "0.9.4", messages()).unwrap();
}

#[test]
fn a_new_tag_breaks_every_agent_in_the_window() {
    let changed = with(retagged::ServerMessage::MESSAGE);
    let err = check("retagged", "0.9.4", &changed).unwrap_err();
    assert_eq!(
        err.problems,
        [
            "`ServerMessage` is now written with #[serde(tag = \"kind\")] instead of #[serde(tag = \
          \"type\")], but agent 0.9.3 still exchanges it with this release (route server > agent, \
          inside the window) and reads or writes only the old form; restore #[serde(tag = \
          \"type\")]: a representation cannot change while a peer inside the window has the old \
          one (send a new message instead)"
        ]
    );
    let err = check("retagged", VERSION, &changed)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("release 0.9.3 is recorded but its messages have changed on the wire since: `ServerMessage` is now written with #[serde(tag = \"kind\")]"),
        "{err}"
    );
}

#[test]
fn a_case_convention_that_renames_variants_breaks_every_agent_in_the_window() {
    let err = check(
        "screaming",
        "0.9.4",
        &with(screaming::ServerMessage::MESSAGE),
    )
    .unwrap_err();
    assert_eq!(
        err.problems,
        [
            "`ServerMessage` is now written with #[serde(rename_all = \"SCREAMING_SNAKE_CASE\")] \
          instead of #[serde(rename_all = \"snake_case\")] (`challenge` is now `CHALLENGE`, \
          `update` is now `UPDATE`, `reattest` is now `REATTEST`, ...), but agent 0.9.3 still \
          exchanges it with this release (route server > agent, inside the window) and knows \
          only the old names; restore #[serde(rename_all = \"snake_case\")]: the case convention \
          of a released message cannot change while a peer inside the window has the old one"
        ]
    );
}

#[test]
fn a_case_convention_that_writes_every_name_the_same_is_no_change() {
    // Every variant name is one word, which camelCase and snake_case write alike: nothing
    // changes on the wire, so nothing breaks.
    let changed = with(camel::ServerMessage::MESSAGE);
    check("camel", "0.9.4", &changed).unwrap();
    assert_eq!(
        camel::ServerMessage::MESSAGE
            .variant("Reattest")
            .unwrap()
            .wire
            .serialize,
        "reattest"
    );
}
