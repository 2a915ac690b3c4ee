//! Saying what travels (issue 19, part 3): a type whose `Serialize` is written by hand
//! records the shape it writes, and the send guard walks that shape.
//!
//! - A field described with `#[compat(wire(as = "Cell", via = "..."))]` (or `seq_of`,
//!   `map_of`) is walked through the value its `via` function makes: a `Cell` variant newer
//!   than the peer is refused inside it, as when the `Cell` is sent alone.
//! - A type described once, `#[compat(wire(as = "Cell", via = "..."))]` on `Sample` itself,
//!   needs nothing on the fields that hold it: they record `Cell` (`Vec<Cell>`,
//!   `Option<Cell>`) and the guard walks it.
//! - A `#[compat(transparent)]` wrapper of one type (`Row` around `Vec<Cell>`) is recorded
//!   as the type it wraps: putting a field's type in it passes the wire lock, a real change
//!   of that type still fails it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use compat_runtime::guard::{Guard, Part, Unknown, pack};
use compat_runtime::lock::{LockError, verify_with};
use compat_runtime::{Compat, Message, Policy};
use serde::{Serialize, Serializer};

mod common;

/// A value as it travels; `Text` arrived after the others.
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) enum Cell {
    Int(u64),
    #[since("0.1.0")]
    Text(String),
}

/// A measure in the agent's own form; its `Serialize` writes a [`Cell`]. It derives nothing:
/// the fields holding it say what it writes and how to make that.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measure {
    pub(crate) value: u64,
    pub(crate) label: Option<String>,
}

impl Measure {
    fn to_cell(&self) -> Cell {
        match &self.label {
            Some(label) => Cell::Text(label.clone()),
            None => Cell::Int(self.value),
        }
    }
}

impl Serialize for Measure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_cell().serialize(serializer)
    }
}

fn cells(measures: &[Measure]) -> impl Iterator<Item = Cell> + '_ {
    measures.iter().map(Measure::to_cell)
}

fn named(measures: &BTreeMap<String, Measure>) -> impl Iterator<Item = (&String, Cell)> {
    measures
        .iter()
        .map(|(name, measure)| (name, measure.to_cell()))
}

/// A sample, which always travels as a [`Cell`]: described once, on the type.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(wire(as = "Cell", via = "Sample::to_cell"))]
pub(crate) struct Sample {
    pub(crate) reading: Measure,
}

impl Sample {
    fn to_cell(&self) -> Cell {
        self.reading.to_cell()
    }
}

impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_cell().serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) struct Batch {
    #[compat(wire(as = "Cell", via = "Measure::to_cell"))]
    pub(crate) measured: Box<Measure>,
    #[compat(wire(seq_of = "Cell", via = "cells"))]
    pub(crate) measures: Vec<Measure>,
    #[compat(wire(map_of = "Cell", via = "named"))]
    pub(crate) named: BTreeMap<String, Measure>,
    pub(crate) sample: Sample,
    pub(crate) samples: Vec<Sample>,
    pub(crate) maybe: Option<Sample>,
}

fn int(value: u64) -> Measure {
    Measure { value, label: None }
}

fn text(label: &str) -> Measure {
    Measure {
        value: 0,
        label: Some(label.into()),
    }
}

fn batch() -> Batch {
    Batch {
        measured: Box::new(int(1)),
        measures: vec![int(2)],
        named: BTreeMap::from([("a".to_owned(), int(3))]),
        sample: Sample { reading: int(4) },
        samples: vec![Sample { reading: int(5) }],
        maybe: None,
    }
}

/// A change to a [`batch`] that puts a too-new `Cell` somewhere in it.
type Edit = fn(&mut Batch);

fn refused(found: Option<Unknown>) -> (&'static str, Part, &'static str) {
    let found = found.expect("refused");
    (found.message, found.part, found.since)
}

#[test]
fn the_guard_refuses_a_variant_the_peer_predates_inside_a_described_value() {
    let old_server = pack(0, 0, 1);
    let expected = ("Cell", Part::Variant("Text"), "0.1.0");
    assert_eq!(
        refused(Cell::Text("x".into()).unreadable(old_server)),
        expected
    );
    assert!(batch().unreadable(old_server).is_none());
    // The newest part a `Batch` may hold is the `Cell`'s, through what its fields write.
    assert_eq!(Batch::newest(), pack(0, 1, 0));
    let edits: [(&str, Edit); 6] = [
        ("as, via", |b| *b.measured = text("x")),
        ("seq_of, via", |b| b.measures.push(text("x"))),
        ("map_of, via", |b| {
            b.named.insert("b".into(), text("x"));
        }),
        ("a described type", |b| b.sample.reading = text("x")),
        ("a described type in a Vec", |b| {
            b.samples.push(Sample { reading: text("x") });
        }),
        ("a described type in an Option", |b| {
            b.maybe = Some(Sample { reading: text("x") });
        }),
    ];
    for (case, edit) in edits {
        let mut value = batch();
        edit(&mut value);
        assert_eq!(refused(value.unreadable(old_server)), expected, "{case}");
        assert!(value.unreadable(pack(0, 1, 0)).is_none(), "{case}");
    }
}

#[test]
fn fields_record_what_a_described_type_writes() {
    let table = Batch::MESSAGE;
    let ty = |name: &str| table.field(name).unwrap().ty;
    assert_eq!(ty("measured"), "Cell");
    assert_eq!(ty("measures"), "seq<Cell>");
    assert_eq!(ty("named"), "map<String, Cell>");
    assert_eq!(ty("sample"), "Cell");
    assert_eq!(ty("samples"), "Vec<Cell>");
    assert_eq!(ty("maybe"), "Option<Cell>");
}

/// A row: a wrapper of one type, written as the cells it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(transparent)]
#[serde(transparent)]
pub(crate) struct Row(Vec<Cell>);

/// `Table` as released (its cells in a `Vec`), as edited (the same cells in a [`Row`]), and
/// changed for real (numbers instead of cells).
mod released {
    use super::Cell;

    #[derive(serde::Serialize, compat_runtime::Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Table {
        pub(crate) cells: Vec<Cell>,
        pub(crate) spare: Option<Vec<Cell>>,
    }
}

mod wrapped {
    use super::Row;

    #[derive(serde::Serialize, compat_runtime::Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Table {
        pub(crate) cells: Row,
        pub(crate) spare: Option<Row>,
    }
}

mod changed {
    use super::Row;

    #[derive(serde::Serialize, compat_runtime::Compat)]
    #[compat(from = "agent", to = "server")]
    #[since("0.0.1")]
    pub(crate) struct Table {
        pub(crate) cells: Vec<u64>,
        pub(crate) spare: Option<Row>,
    }
}

/// `edited` checked against a lock recording `released::Table` and `Cell` at 0.1.0, at
/// 0.1.0 itself.
fn against_the_release(case: &str, edited: &[&Message]) -> Result<(), LockError> {
    let policy = Policy::from_toml("compat.toml", common::AGENT_ONE_MINOR_OLDER).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("wire-lock-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let recorded = [released::Table::MESSAGE, Cell::MESSAGE];
    verify_with(&dir, &policy, "0.1.0", &recorded, true).unwrap();
    verify_with(&dir, &policy, "0.1.0", edited, false).map(|_| ())
}

#[test]
fn a_wrapper_of_one_type_is_recorded_as_the_type_it_wraps() {
    let table = wrapped::Table::MESSAGE;
    assert_eq!(table.field("cells").unwrap().ty, "Vec<Cell>");
    assert_eq!(table.field("spare").unwrap().ty, "Option<Vec<Cell>>");
    assert_eq!(
        compat_runtime::fingerprint::of(&[released::Table::MESSAGE]),
        compat_runtime::fingerprint::of(&[wrapped::Table::MESSAGE])
    );
    against_the_release("wrapped", &[wrapped::Table::MESSAGE, Cell::MESSAGE])
        .expect("the same bytes travel");
    let error = against_the_release("changed", &[changed::Table::MESSAGE, Cell::MESSAGE])
        .expect_err("a real change of the type");
    let text = error.to_string();
    assert!(text.contains("cells"), "{text}");
    assert!(
        text.contains("Vec<Cell>") && text.contains("Vec<u64>"),
        "{text}"
    );
    // The guard walks the wrapper as before.
    let value = wrapped::Table {
        cells: Row(vec![Cell::Text("x".into())]),
        spare: None,
    };
    assert_eq!(
        refused(value.unreadable(pack(0, 0, 1))),
        ("Cell", Part::Variant("Text"), "0.1.0")
    );
}
