//! The wire lock on mirrord's own rules (mirrord/protocol/AGENTS.md): the slice edited the
//! ways those rules forbid fails against a recorded release, with advice that holds for
//! bincode; a variant appended at the end with its `since` passes.
//!
//! Each edit restates one message as a later release would write it, unmarked (a field or
//! variant marked with a `#[since]` the window reaches is the build's error instead: see
//! `tests/ui/`), and checks the crate's messages with it against mirrord 3.232.0 (protocol
//! 1.28.0), recorded in a scratch copy.

use std::path::PathBuf;

use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message};
use mirrord_agent_protocol::{messages, policy};

mod edited {
    use compat_runtime::Compat;
    use std::path::PathBuf;

    /// mirrord's `StatFsRequestV2` with a field added.
    #[derive(Compat)]
    #[compat(from = "layer", to = "agent")]
    #[since("1.18.0")]
    #[allow(dead_code, reason = "only its table is compared")]
    pub(crate) struct StatFsRequestV2 {
        pub(crate) path: PathBuf,
        pub(crate) follow_symlinks: bool,
    }

    /// mirrord's `MakeDirAtRequest` with its first two fields swapped.
    #[derive(Compat)]
    #[compat(from = "layer", to = "agent")]
    #[since("1.13.0")]
    #[allow(dead_code, reason = "only its table is compared")]
    pub(crate) struct MakeDirAtRequest {
        pub(crate) pathname: PathBuf,
        pub(crate) dirfd: u64,
        pub(crate) mode: u32,
    }

    pub(crate) mod inserted {
        use compat_runtime::Compat;

        /// mirrord's `LogLevel` with `Debug` inserted before `Info`.
        #[derive(Compat)]
        #[compat(from = "agent", to = "layer")]
        #[since("1.0.0")]
        #[allow(dead_code, reason = "only its table is compared")]
        pub(crate) enum LogLevel {
            Warn,
            Error,
            Debug,
            #[since("1.13.4")]
            Info,
        }
    }

    pub(crate) mod appended {
        use compat_runtime::Compat;

        /// mirrord's `LogLevel` with `Debug` appended at the end, with its `since`.
        #[derive(Compat)]
        #[compat(from = "agent", to = "layer")]
        #[since("1.0.0")]
        #[allow(dead_code, reason = "only its table is compared")]
        pub(crate) enum LogLevel {
            Warn,
            Error,
            #[since("1.13.4")]
            Info,
            #[since("1.29.0")]
            Debug,
        }
    }
}

/// The crate's messages with `name` replaced by `edited`, checked at 3.250.0 against
/// 3.232.0 recorded in a scratch copy.
fn check_edit(case: &str, name: &str, edited: &'static Message) -> Result<(), LockError> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mirrord-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    verify_with(&dir, policy(), "3.232.0", messages(), true).unwrap();
    let later: Vec<&Message> = messages()
        .iter()
        .map(|m| if m.name == name { edited } else { *m })
        .collect();
    verify_with(&dir, policy(), "3.250.0", &later, false).map(|_| ())
}

/// The problems the lock finds with the edit, each of `said` among them.
fn fails_saying(case: &str, name: &str, edited: &'static Message, said: &[&str]) -> String {
    let err = check_edit(case, name, edited).unwrap_err();
    let text = err.problems.join("\n");
    for words in said {
        assert!(text.contains(words), "no {words:?} in: {text}");
    }
    text
}

#[test]
fn the_slice_as_it_is_passes_against_the_release_before() {
    check_edit("unchanged", "", messages()[0]).unwrap();
}

#[test]
fn a_field_added_to_a_struct_fails_with_bincodes_advice() {
    let text = fails_saying(
        "field",
        "StatFsRequestV2",
        edited::StatFsRequestV2::MESSAGE,
        &[
            "`StatFsRequestV2` gained field `follow_symlinks`",
            "since 3.232.0",
            // bincode's advice: no default makes a field optional; a new variant does.
            "names never travel",
            "they do not make a field optional",
            "new variant appended at the end",
        ],
    );
    assert!(
        !text.contains("make it `Option<_>`"),
        "serde's advice: {text}"
    );
}

#[test]
fn fields_reordered_fail() {
    fails_saying(
        "reorder",
        "MakeDirAtRequest",
        edited::MakeDirAtRequest::MESSAGE,
        &[
            "the fields of `MakeDirAtRequest` were reordered since 3.232.0",
            "`dirfd` from 0 to 1",
            "a field travels at its position",
            "restore the recorded order (`dirfd`, `pathname`, `mode`)",
        ],
    );
}

#[test]
fn a_variant_inserted_mid_enum_fails() {
    fails_saying(
        "inserted",
        "LogLevel",
        edited::inserted::LogLevel::MESSAGE,
        &[
            "the variants of `LogLevel` moved since 3.232.0",
            "`Info` from index 2 to 3",
            "move `Debug` to the end of `LogLevel`",
        ],
    );
}

#[test]
fn a_variant_appended_at_the_end_with_its_since_passes() {
    check_edit("appended", "LogLevel", edited::appended::LogLevel::MESSAGE).unwrap();
}
