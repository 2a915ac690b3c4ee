//! The wire lock compares what travels: the names serde writes and reads and how it lays a
//! message out, never the attributes that produced them. Each case records a release of
//! derived messages in a scratch directory, edits the messages the way a user would, and
//! checks the edit against that record: at the recorded release itself (whose shape is
//! fixed) and at the next one, whose servers still serve agents of the recorded one.

use std::path::PathBuf;

use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message, Policy};

mod common;

/// The release recorded, and the next one.
const RECORDED: &str = "0.1.0";
const NEXT: &str = "0.1.1";

fn policy() -> Policy {
    Policy::from_toml("compat.toml", common::AGENT_ONE_MINOR_OLDER).unwrap()
}

/// A scratch directory holding a lock with `recorded` recorded at [`RECORDED`].
fn locked(case: &str, recorded: &[&Message]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("wire-lock-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    verify_with(&dir, &policy(), RECORDED, recorded, true).unwrap();
    dir
}

/// The edited messages checked against the record at the recorded release and the next.
fn check(case: &str, recorded: &[&Message], edited: &[&Message]) -> [Result<(), LockError>; 2] {
    let dir = locked(case, recorded);
    [RECORDED, NEXT].map(|version| verify_with(&dir, &policy(), version, edited, false).map(|_| ()))
}

/// `Report` with snake_case field names and `Verdict` with PascalCase variants, as first
/// released, and again under the attributes given for each.
macro_rules! report {
    ($module:ident, [$($report:meta),*], [$($verdict:meta),*]) => {
        mod $module {
            use compat_runtime::Compat;
            use serde::{Deserialize, Serialize};

            #[derive(Serialize, Deserialize, Compat)]
            #[compat(from = "agent", to = "server")]
            #[since("0.1.0")]
            $(#[$report])*
            pub(crate) struct Report {
                pub(crate) node_name: String,
                pub(crate) uptime_seconds: u64,
                pub(crate) load: f32,
            }

            #[derive(Serialize, Deserialize, Compat)]
            #[compat(from = "server", to = "agent")]
            #[since("0.1.0")]
            #[serde(tag = "type")]
            $(#[$verdict])*
            pub(crate) enum Verdict {
                Accepted { retry_after: u32 },
                Throttled,
                #[serde(other)]
                Unknown,
            }
        }
    };
}

report!(released, [], []);
report!(
    snake,
    [serde(rename_all = "snake_case")],
    [serde(rename_all = "PascalCase")]
);
report!(
    snake_fields,
    [serde(rename_all(
        serialize = "snake_case",
        deserialize = "snake_case"
    ))],
    [serde(rename_all_fields = "snake_case")]
);
report!(camel, [serde(rename_all = "camelCase")], []);

/// `Report` with each field renamed to the name it already had.
mod same_names {
    use compat_runtime::Compat;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.1.0")]
    #[serde(rename = "Report")]
    pub(crate) struct Report {
        #[serde(rename = "node_name")]
        pub(crate) node_name: String,
        #[serde(rename(serialize = "uptime_seconds", deserialize = "uptime_seconds"))]
        pub(crate) uptime_seconds: u64,
        #[serde(alias = "load")]
        pub(crate) load: f32,
    }
}

fn released() -> [&'static Message; 2] {
    [released::Report::MESSAGE, released::Verdict::MESSAGE]
}

#[test]
fn a_convention_that_writes_every_name_as_before_is_no_change() {
    for (case, edited) in [
        ("snake", [snake::Report::MESSAGE, snake::Verdict::MESSAGE]),
        (
            "snake-fields",
            [
                snake_fields::Report::MESSAGE,
                snake_fields::Verdict::MESSAGE,
            ],
        ),
    ] {
        for result in check(case, &released(), &edited) {
            result.unwrap_or_else(|err| panic!("{case}: {err}"));
        }
    }
    assert_eq!(
        snake_fields::Verdict::MESSAGE
            .variant("Accepted")
            .unwrap()
            .fields[0]
            .wire
            .serialize,
        "retry_after"
    );
}

#[test]
fn a_rename_to_the_name_a_member_already_has_is_no_change() {
    let edited = [same_names::Report::MESSAGE, released::Verdict::MESSAGE];
    for result in check("same-names", &released(), &edited) {
        result.unwrap();
    }
}

#[test]
fn a_convention_that_renames_fields_still_breaks_the_lock_naming_them() {
    let edited = [camel::Report::MESSAGE, camel::Verdict::MESSAGE];
    let [recorded, next] = check("camel", &released(), &edited);
    let recorded = recorded.unwrap_err().to_string();
    assert!(
        recorded.contains(
            "release 0.1.0 is recorded but its messages have changed on the wire since: `Report` is \
             now written with #[serde(rename_all = \"camelCase\")] instead of no rename_all (the \
             Rust names) (`node_name` is now `nodeName`, `uptime_seconds` is now `uptimeSeconds`)"
        ),
        "{recorded}"
    );
    let next = next.unwrap_err();
    assert_eq!(next.problems.len(), 1, "{next}");
    assert!(
        next.problems[0].starts_with(
            "`Report` is now written with #[serde(rename_all = \"camelCase\")] instead of no \
             rename_all (the Rust names) (`node_name` is now `nodeName`, `uptime_seconds` is now \
             `uptimeSeconds`), but agent 0.1.0 still exchanges it with this release (route agent > \
             server, inside the window)"
        ),
        "{next}"
    );
}
