//! Saying what travels (issue 19), asked once per type: a derive asks each distinct type of
//! the user's what it writes once, and makes each distinct text holding it once, however
//! many fields and variants hold it. Each field still records its own text: two types
//! asked side by side, each alone and in several containers, in several variants, are not
//! mixed up.

use compat_runtime::{Compat, Message};
use serde::{Serialize, Serializer};

/// A value as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) enum Cell {
    Int(u64),
}

/// A wrapper of one type: writes `Vec<Cell>`.
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(transparent)]
#[serde(transparent)]
pub(crate) struct Row(Vec<Cell>);

/// A type described once: writes `Cell`.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(wire(as = "Cell", via = "Sample::to_cell"))]
pub(crate) struct Sample(u64);

impl Sample {
    fn to_cell(&self) -> Cell {
        Cell::Int(self.0)
    }
}

impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_cell().serialize(serializer)
    }
}

/// Only its table is read here.
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) enum Reply {
    First {
        row: Row,
        rows: Vec<Row>,
        sample: Sample,
    },
    Second {
        sample: Sample,
        maybe: Option<Row>,
        samples: Option<Sample>,
        row: Row,
        cell: Cell,
        cells: Vec<Cell>,
    },
    Third(Option<Row>, Sample, Vec<Row>, Option<Sample>),
}

/// The type each field of `variant` records, in order.
fn recorded(table: &Message, variant: &str) -> Vec<&'static str> {
    let variant = table.variant(variant).expect("a variant");
    variant.fields.iter().map(|field| field.ty).collect()
}

#[test]
fn each_field_records_what_its_types_write_when_types_repeat_across_variants() {
    let table = Reply::MESSAGE;
    assert_eq!(
        recorded(table, "First"),
        ["Vec<Cell>", "Vec<Vec<Cell>>", "Cell"]
    );
    assert_eq!(
        recorded(table, "Second"),
        [
            "Cell",
            "Option<Vec<Cell>>",
            "Option<Cell>",
            "Vec<Cell>",
            "Cell",
            "Vec<Cell>"
        ]
    );
    assert_eq!(
        recorded(table, "Third"),
        [
            "Option<Vec<Cell>>",
            "Cell",
            "Vec<Vec<Cell>>",
            "Option<Cell>"
        ]
    );
}

/// Each type held once: asked in place, not through a shared constant.
#[derive(Debug, Clone, PartialEq, Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.0.1")]
pub(crate) struct Once {
    pub(crate) maybe: Option<Row>,
    pub(crate) sample: Sample,
    pub(crate) count: u64,
}

#[test]
fn a_type_held_once_records_what_it_writes() {
    let table = Once::MESSAGE;
    let ty = |name: &str| table.field(name).unwrap().ty;
    assert_eq!(ty("maybe"), "Option<Vec<Cell>>");
    assert_eq!(ty("sample"), "Cell");
    assert_eq!(ty("count"), "u64");
}
