//! The wire lock under a positional codec (issue 17, part 1): field order and variant index
//! are the wire, names never travel. Each case records a release of derived messages
//! (`#[compat(codec = "bincode")]`, as mirrord's agent protocol travels) in a scratch
//! directory, edits them the way mirrord's own rules forbid or allow, and checks the edit at
//! the next release, whose peers still talk to the recorded one.

use std::path::PathBuf;

use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Codec, Compat, Message, Policy};

/// The release recorded, and the next one.
const RECORDED: &str = "0.0.9";
const NEXT: &str = "0.1.0";

/// Agents and servers of any releases talk: every recorded release stays inside the window.
const POLICY: &str = "[components]\nserver = {}\nagent = {}\n\
    [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nskew = \"any\"\n\
    [wire]\ncodec = \"bincode\"\n";

fn policy() -> Policy {
    Policy::from_toml("compat.toml", POLICY).unwrap()
}

/// The problems of `edited` against a lock holding `recorded` at [`RECORDED`], checked at
/// [`NEXT`].
fn check(case: &str, recorded: &[&Message], edited: &[&Message]) -> Result<(), LockError> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("positional-lock-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    verify_with(&dir, &policy(), RECORDED, recorded, true).unwrap();
    verify_with(&dir, &policy(), NEXT, edited, false).map(|_| ())
}

/// The one problem of a check that must fail.
fn problem(result: Result<(), LockError>) -> String {
    let err = result.expect_err("the edit breaks the recorded release");
    assert_eq!(err.problems.len(), 1, "{err}");
    err.problems[0].clone()
}

/// `Stat` and `FileRequest` as first released, and again as each edit leaves them.
macro_rules! protocol {
    ($module:ident, { $($stat:tt)* }, { $($request:tt)* }) => {
        #[allow(dead_code, reason = "the types are here for their tables, never built")]
        mod $module {
            use compat_runtime::Compat;

            #[derive(Compat)]
            #[compat(from = "server", to = "agent", codec = "bincode")]
            #[since("0.0.9")]
            pub(crate) struct Stat { $($stat)* }

            #[derive(Compat)]
            #[compat(from = "agent", to = "server", codec = "bincode")]
            #[since("0.0.9")]
            pub(crate) enum FileRequest { $($request)* }
        }
    };
}

protocol!(released,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    { Open { path: String }, Read { fd: u64, len: u64 }, Close(u64) }
);
protocol!(field_added,
    {
        pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32,
        #[since("0.1.0")] pub(crate) uid: u32,
    },
    { Open { path: String }, Read { fd: u64, len: u64 }, Close(u64) }
);
protocol!(made_optional,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: Option<u32> },
    { Open { path: String }, Read { fd: u64, len: u64 }, Close(u64) }
);
protocol!(reordered,
    { pub(crate) size: u64, pub(crate) path: String, pub(crate) mode: u32 },
    { Open { path: String }, Read { fd: u64, len: u64 }, Close(u64) }
);
protocol!(renamed,
    { pub(crate) file_path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    { Open { file: String }, Read { fd: u64, length: u64 }, Shut(u64) }
);
protocol!(inserted_mid_enum,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    {
        Open { path: String },
        #[since("0.1.0")] ReadLink { path: String },
        Read { fd: u64, len: u64 },
        Close(u64),
    }
);
protocol!(variant_removed,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    { Open { path: String }, Read { fd: u64, len: u64 } }
);
protocol!(appended,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    {
        Open { path: String },
        Read { fd: u64, len: u64 },
        Close(u64),
        #[since("0.1.0")] ReadLink { path: String },
    }
);
protocol!(appended_without_since,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    {
        Open { path: String },
        Read { fd: u64, len: u64 },
        Close(u64),
        ReadLink { path: String },
    }
);
protocol!(variant_field_added,
    { pub(crate) path: String, pub(crate) size: u64, pub(crate) mode: u32 },
    {
        Open { path: String, #[since("0.1.0")] flags: u32 },
        Read { fd: u64, len: u64 },
        Close(u64),
    }
);

fn released() -> [&'static Message; 2] {
    [released::Stat::MESSAGE, released::FileRequest::MESSAGE]
}

#[test]
fn the_lock_records_the_codec_and_each_variant_by_index() {
    assert_eq!(released::Stat::MESSAGE.codec, Codec::Bincode);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("positional-lock-recorded");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    verify_with(&dir, &policy(), RECORDED, &released(), true).unwrap();
    let text = std::fs::read_to_string(dir.join("compat.lock")).unwrap();
    assert!(text.contains("codec = \"bincode\""), "{text}");
    assert!(
        text.contains("name = \"Close\"\nsince = \"0.0.9\"\ncatch_all = false\nindex = 2"),
        "{text}"
    );
}

#[test]
fn a_field_added_to_a_struct_is_a_break_whatever_its_since() {
    let edited = [field_added::Stat::MESSAGE, released::FileRequest::MESSAGE];
    let problem = problem(check("field-added", &released(), &edited));
    assert!(
        problem.starts_with(
            "`Stat` gained field `uid` (position 3, `u32`) since 0.0.9 (3 fields then, 4 now): under \
             bincode (bincode 2's native Encode/Decode) names never travel and a struct has no room \
             for a field a peer lacks, so agent 0.0.9 (route server > agent, inside the window) reads \
             the bytes after it into the wrong fields"
        ),
        "{problem}"
    );
    assert!(
        problem.contains("remove it and carry the new data in a new message"),
        "{problem}"
    );
    assert!(!problem.contains("make it `Option<_>`"), "{problem}");
}

#[test]
fn a_field_added_to_a_variant_is_a_break_with_a_new_variant_as_the_fix() {
    let edited = [
        released::Stat::MESSAGE,
        variant_field_added::FileRequest::MESSAGE,
    ];
    let problem = problem(check("variant-field-added", &released(), &edited));
    assert!(
        problem.starts_with(
            "variant `FileRequest::Open` gained field `flags` (position 1, `u32`) since 0.0.9"
        ),
        "{problem}"
    );
    assert!(
        problem.contains(
            "carry the new data in a new variant appended at the end of `FileRequest` with its #[since]"
        ),
        "{problem}"
    );
}

#[test]
fn t_to_option_t_is_a_changed_type() {
    let edited = [made_optional::Stat::MESSAGE, released::FileRequest::MESSAGE];
    let problem = problem(check("made-optional", &released(), &edited));
    assert!(
        problem.starts_with(
            "field `mode` (position 2) of `Stat` changed type from `u32` to `Option<u32>` since 0.0.9, \
             but under bincode (bincode 2's native Encode/Decode) a field travels as its type's bytes \
             at its position (an `Option` writes a tag byte before its value, so `T` and `Option<T>` \
             are different bytes)"
        ),
        "{problem}"
    );
}

#[test]
fn reordered_fields_are_a_break() {
    let edited = [reordered::Stat::MESSAGE, released::FileRequest::MESSAGE];
    let problem = problem(check("reordered", &released(), &edited));
    assert!(
        problem.starts_with(
            "the fields of `Stat` were reordered since 0.0.9 (`size` from 1 to 0, `path` from 0 to 1)"
        ),
        "{problem}"
    );
    assert!(
        problem.ends_with("restore the recorded order (`path`, `size`, `mode`)"),
        "{problem}"
    );
}

#[test]
fn renames_are_free() {
    let edited = [renamed::Stat::MESSAGE, renamed::FileRequest::MESSAGE];
    check("renamed", &released(), &edited).unwrap();
}

#[test]
fn a_variant_inserted_mid_enum_shifts_the_ones_after_it() {
    let edited = [
        released::Stat::MESSAGE,
        inserted_mid_enum::FileRequest::MESSAGE,
    ];
    let problem = problem(check("inserted", &released(), &edited));
    assert_eq!(
        problem,
        "the variants of `FileRequest` moved since 0.0.9: `Read` from index 1 to 2, `Close` from \
         index 2 to 3 (`ReadLink` inserted before them); under bincode (bincode 2's native \
         Encode/Decode) a variant travels as its index, so server 0.0.9 (route agent > server, \
         inside the window) decodes each moved variant as another; move `ReadLink` to the end of \
         `FileRequest`"
    );
}

#[test]
fn a_removed_variant_is_a_break() {
    let edited = [
        released::Stat::MESSAGE,
        variant_removed::FileRequest::MESSAGE,
    ];
    let problem = problem(check("variant-removed", &released(), &edited));
    assert!(
        problem.starts_with(
            "variant `FileRequest::Close` (index 2) was removed since 0.0.9, but server 0.0.9 \
             (route agent > server, inside the window) still knows it by its index"
        ),
        "{problem}"
    );
}

#[test]
fn a_variant_appended_at_the_end_with_its_since_passes() {
    let edited = [released::Stat::MESSAGE, appended::FileRequest::MESSAGE];
    check("appended", &released(), &edited).unwrap();
}

#[test]
fn a_variant_appended_without_a_newer_since_is_a_break() {
    let edited = [
        released::Stat::MESSAGE,
        appended_without_since::FileRequest::MESSAGE,
    ];
    let problem = problem(check("appended-without-since", &released(), &edited));
    assert!(
        problem.starts_with(
            "variant `FileRequest::ReadLink` (index 3) is new since 0.0.9, but says #[since(\"0.0.9\")], \
             so the send guard would send it to"
        ),
        "{problem}"
    );
    assert!(
        problem.ends_with("give it the #[since] of the release that first ships it"),
        "{problem}"
    );
}

#[test]
fn the_codec_is_part_of_the_wire() {
    static JSON: Message = Message {
        codec: Codec::SelfDescribing,
        ..*released::Stat::MESSAGE
    };
    let err = check(
        "codec-changed",
        &released(),
        &[&JSON, released::FileRequest::MESSAGE],
    )
    .unwrap_err();
    assert!(
        err.problems[0].starts_with(
            "`Stat` travelled as bincode in 0.0.9, but now travels as self-describing, and agent \
             0.0.9 (route server > agent, inside the window) still decodes it as bincode"
        ),
        "{err}"
    );
}
