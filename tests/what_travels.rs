//! Saying what travels (issue 19, part 2): a field's type is recorded as serde writes it, so
//! a wrapper that writes the value it holds (`Box`, `Arc`, `Rc`, `Cow`, or the user's own
//! `#[compat(transparent)]` one, nushell's `SharedCow`) is no change on the wire; a
//! hand-written encoding is recorded by the shape it writes (`#[compat(wire = ...)]`); a
//! frozen enum gains no variant; and the send guard walks through wrappers to the messages
//! inside.

use std::path::PathBuf;
use std::sync::Arc;

use compat_runtime::guard::{Guard, Part, pack};
use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message, Policy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod common;

fn policy() -> Policy {
    Policy::from_toml("compat.toml", common::AGENT_ONE_MINOR_OLDER).unwrap()
}

/// `edited` checked at 0.1.0 against `recorded`, recorded at 0.0.1 in a scratch lock.
fn check(case: &str, recorded: &[&Message], edited: &[&Message]) -> Result<(), LockError> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("what-travels-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    verify_with(&dir, &policy(), "0.0.1", recorded, true).unwrap();
    verify_with(&dir, &policy(), "0.1.0", edited, false).map(|_| ())
}

/// Shares its value and clones it on write; written as the value it holds, by hand (as
/// nushell's `SharedCow`), so the tables record the value.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(transparent)]
pub(crate) struct SharedCow<T: Clone>(Arc<T>);

impl<T: Clone + Serialize> Serialize for SharedCow<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Clone + Deserialize<'de>> Deserialize<'de> for SharedCow<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| SharedCow(Arc::new(value)))
    }
}

mod released {
    use compat_runtime::Compat;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Cell {
        pub(crate) text: String,
    }

    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Table {
        pub(crate) rows: Vec<Cell>,
        pub(crate) total: Box<Cell>,
        pub(crate) name: String,
    }
}

/// The same `Table`, its rows now shared and its name a `Box<str>`: what travels is the
/// same.
mod shared {
    use super::SharedCow;
    use compat_runtime::Compat;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Cell {
        pub(crate) text: String,
        #[since("0.1.0")]
        pub(crate) note: Option<String>,
    }

    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Table {
        pub(crate) rows: SharedCow<Vec<Cell>>,
        pub(crate) total: Cell,
        pub(crate) name: Box<str>,
    }
}

#[test]
fn a_wire_transparent_wrapper_is_no_type_change() {
    let table = shared::Table::MESSAGE;
    assert_eq!(table.field("rows").unwrap().ty, "Vec<Cell>");
    assert_eq!(table.field("total").unwrap().ty, "Cell");
    assert_eq!(table.field("name").unwrap().ty, "String");
    check(
        "wrappers",
        &[released::Table::MESSAGE, released::Cell::MESSAGE],
        &[shared::Table::MESSAGE, shared::Cell::MESSAGE],
    )
    .unwrap();
    let json = serde_json::to_string(&shared::Table {
        rows: SharedCow(Arc::new(vec![])),
        total: shared::Cell {
            text: "t".into(),
            note: None,
        },
        name: "n".into(),
    })
    .unwrap();
    assert_eq!(
        json,
        r#"{"rows":[],"total":{"text":"t","note":null},"name":"n"}"#
    );
}

#[test]
fn the_guard_walks_through_wrappers_to_the_messages_inside() {
    let cell = |note: Option<&str>| shared::Cell {
        text: "t".into(),
        note: note.map(str::to_owned),
    };
    let table = shared::Table {
        rows: SharedCow(Arc::new(vec![cell(None), cell(Some("new"))])),
        total: cell(None),
        name: "n".into(),
    };
    let found = table.unreadable(pack(0, 0, 1)).unwrap();
    assert_eq!((found.message, found.part), ("Cell", Part::Field("note")));
    assert!(table.unreadable(pack(0, 1, 0)).is_none());
    assert_eq!(shared::Table::newest(), pack(0, 1, 0));
}

/// Types whose `Serialize` is written by hand (not shown: only the tables are compared),
/// and no table.
pub(crate) struct Range;
pub(crate) struct Record;
pub(crate) struct ShellError;
pub(crate) struct Blob;

/// What a `ShellError` is written as.
#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) struct LabeledError {
    #[allow(dead_code, reason = "only its table is compared")]
    pub(crate) msg: String,
}

/// `Call`, its `range` written by hand as `$range` says.
macro_rules! call {
    ($module:ident, $range:meta) => {
        mod $module {
            use super::{Blob, LabeledError, Range, Record, ShellError};
            use crate::released::Cell;
            use compat_runtime::Compat;

            #[derive(Compat)]
            #[compat(from = "agent", to = "server")]
            #[since("0.0.1")]
            #[allow(dead_code, reason = "only its table is compared")]
            pub(crate) struct Call {
                #[compat($range)]
                pub(crate) range: Range,
                /// written as a map of cells
                #[compat(wire(map_of = "Cell"))]
                pub(crate) record: Record,
                #[compat(wire(seq_of = "Cell"))]
                pub(crate) cells: Record,
                /// always written as a `LabeledError`
                #[compat(wire(as = "LabeledError"))]
                pub(crate) error: ShellError,
                #[compat(opaque = "bytes for the plugin alone, never read by the engine")]
                pub(crate) raw: Blob,
            }

            #[allow(dead_code, reason = "names it, as a crate using it would")]
            fn uses(_: &LabeledError) {}
        }
    };
}

// Written as text, `1..5`; then as a sequence of numbers, a change on the wire.
call!(described, wire = "string");
call!(redescribed, wire(seq_of = "i64"));

#[test]
fn a_hand_written_encoding_is_recorded_by_the_shape_it_writes() {
    let call = described::Call::MESSAGE;
    let ty = |name: &str| call.field(name).unwrap().ty;
    assert_eq!(ty("range"), "string");
    assert_eq!(ty("record"), "map<String, Cell>");
    assert_eq!(ty("cells"), "seq<Cell>");
    assert_eq!(ty("error"), "LabeledError");
    assert_eq!(ty("raw"), "Blob");
    let err = check(
        "described",
        &[described::Call::MESSAGE],
        &[redescribed::Call::MESSAGE],
    )
    .unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.problems[0]
            .starts_with("field `range` of `Call` changed type from `string` to `seq<i64>`"),
        "{err}"
    );
    // The fingerprint follows what travels too.
    assert_ne!(
        compat_runtime::fingerprint::of(&[described::Call::MESSAGE]),
        compat_runtime::fingerprint::of(&[redescribed::Call::MESSAGE])
    );
}

mod features {
    use compat_runtime::Compat;
    use serde::{Deserialize, Serialize};

    /// mirrord's `OperatorFeatures`: "don't add variants".
    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "server", to = "agent", frozen)]
    #[since("0.0.1")]
    pub(crate) enum Feature {
        Shares,
        Queues,
    }
}

mod more_features {
    use compat_runtime::Compat;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Compat)]
    #[compat(from = "server", to = "agent", frozen)]
    #[since("0.0.1")]
    pub(crate) enum Feature {
        Shares,
        Queues,
        #[since("0.1.0")]
        Watch,
    }
}

#[test]
fn a_frozen_enum_needs_no_catch_all_and_gains_no_variant() {
    assert!(features::Feature::MESSAGE.frozen);
    assert!(features::Feature::MESSAGE.catch_all().is_none());
    check(
        "frozen-unchanged",
        &[features::Feature::MESSAGE],
        &[features::Feature::MESSAGE],
    )
    .unwrap();
    let err = check(
        "frozen",
        &[features::Feature::MESSAGE],
        &[more_features::Feature::MESSAGE],
    )
    .unwrap_err();
    assert!(
        err.problems.iter().any(|problem| problem.starts_with(
            "variant `Feature::Watch` was added since 0.0.1, but `Feature` is frozen"
        )),
        "{err}"
    );
}
