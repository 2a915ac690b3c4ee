//! The values pipelines carry (nu-protocol's `Value` and what it holds), as plugins and the
//! engine exchange them.
//!
//! Three of them write themselves by hand, and their fields say what they write: a
//! [`Record`] is a map of values, and since 0.114.0 a [`Range`] and a [`CellPath`] are text
//! (`1..5`, `name.0`). [`SharedCow`] shares its value and writes it as it is: a wrapper, no
//! message of its own.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use compat_runtime::Compat;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ShellError;

/// An id of the engine's tables (a block, a variable, a declaration): a number on the wire.
pub type BlockId = usize;
/// See [`BlockId`].
pub type VarId = usize;
/// See [`BlockId`].
pub type DeclId = usize;

/// Where in the engine's sources something came from: byte offsets, start inclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// The byte after the last.
    pub end: usize,
}

impl Span {
    /// `start..end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// Anything, with the span it came from. Generic: each use is a table of its own
/// (`Spanned<String>`, `Spanned<usize>`, ...), and the send guard walks its `item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub struct Spanned<T> {
    /// The thing.
    pub item: T,
    /// Where it came from.
    pub span: Span,
}

/// A value shared between clones until one of them changes it. Its `Serialize` writes the
/// value alone, so it travels as what it holds (`#[compat(transparent)]`): putting a field
/// in one is no change on the wire, as nushell's `Vec<Value>` becoming
/// `SharedCow<Vec<Value>>` was none.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(transparent)]
pub struct SharedCow<T: Clone>(Arc<T>);

impl<T: Clone> SharedCow<T> {
    /// Shares `value`.
    pub fn new(value: T) -> Self {
        SharedCow(Arc::new(value))
    }
}

impl<T: Clone> core::ops::Deref for SharedCow<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Serialize> Serialize for SharedCow<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Clone + Deserialize<'de>> Deserialize<'de> for SharedCow<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(SharedCow::new)
    }
}

/// Columns and their values, in order; written as a map of [`Value`]s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// `(column, value)`, in order.
    pub entries: Vec<(String, Value)>,
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries.iter().map(|(column, value)| (column, value)))
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Order kept only as far as the map type keeps it: enough for a slice.
        let map = BTreeMap::<String, Value>::deserialize(deserializer)?;
        Ok(Record {
            entries: map.into_iter().collect(),
        })
    }
}

/// `start..end` (or `start..<end`): written as its text since 0.114.0.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The text, as nushell parses it.
    pub text: String,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Range {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Range {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Range { text })
    }
}

/// A path into a value, `name.0`: written as its text since 0.114.0.
#[derive(Debug, Clone, PartialEq)]
pub struct CellPath {
    /// The members, as written between the dots.
    pub members: Vec<String>,
}

impl Serialize for CellPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.members.join("."))
    }
}

impl<'de> Deserialize<'de> for CellPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(CellPath {
            members: text.split('.').map(str::to_owned).collect(),
        })
    }
}

/// A file size in bytes: written as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Compat)]
#[serde(transparent)]
#[compat(transparent)]
pub struct Filesize(pub i64);

/// A closure and the variables it captured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.72.0")]
pub struct Closure {
    /// The block the engine runs.
    pub block_id: BlockId,
    /// The captured variables, by id.
    pub captures: Vec<(VarId, Value)>,
}

/// The engine's interrupt flag: never sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals;

/// A custom value as `typetag` writes it: its type's name and its own data, which only the
/// plugin that made it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomValue(pub serde_json::Value);

/// A value of a pipeline. Externally tagged, with no catch-all: nushell adds variants only
/// in minor releases, which no peer of another minor talks to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub enum Value {
    /// `true`, `false`.
    Bool {
        /// The value.
        val: bool,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A 64-bit integer.
    Int {
        /// The value.
        val: i64,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A float.
    Float {
        /// The value.
        val: f64,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A string.
    String {
        /// The value.
        val: String,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A glob pattern.
    #[since("0.91.0")]
    Glob {
        /// The pattern.
        val: String,
        /// Whether to take it literally.
        no_expand: bool,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A file size.
    Filesize {
        /// Bytes.
        val: Filesize,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A duration in nanoseconds.
    Duration {
        /// Nanoseconds.
        val: i64,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A date: chrono's `DateTime<FixedOffset>`, which serde writes as RFC 3339 text.
    Date {
        /// The date, as it travels.
        #[compat(wire = "string")]
        val: String,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A range.
    Range {
        /// The range, written as its text since 0.114.0 (a release no earlier one talks
        /// to, under the caret rule).
        #[compat(wire = "string")]
        val: Box<Range>,
        /// The engine's interrupt flag, never sent.
        #[serde(skip)]
        signals: Option<Signals>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A record.
    Record {
        /// Its columns, written as a map.
        #[compat(wire(map_of = "Value"))]
        val: SharedCow<Record>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A list.
    List {
        /// The values.
        vals: Vec<Value>,
        /// The engine's interrupt flag, never sent.
        #[serde(skip)]
        signals: Option<Signals>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A closure.
    #[since("0.72.0")]
    Closure {
        /// The closure.
        val: Box<Closure>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// An error, as a value.
    Error {
        /// The error: `ShellError` writes itself as a `LabeledError`.
        error: Box<ShellError>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// Bytes.
    Binary {
        /// The bytes.
        val: Vec<u8>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A cell path.
    CellPath {
        /// The path, written as its text since 0.114.0.
        #[compat(wire = "string")]
        val: CellPath,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// A plugin's custom value.
    #[since("0.92.0")]
    Custom {
        /// The value.
        #[compat(
            opaque = "typetag writes the custom value's type name and its own data, which only the plugin that made it reads"
        )]
        val: Box<CustomValue>,
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
    /// Nothing.
    Nothing {
        /// Where it came from.
        #[serde(rename = "span")]
        internal_span: Span,
    },
}

impl Value {
    /// An integer at `span`.
    pub fn int(val: i64, span: Span) -> Value {
        Value::Int {
            val,
            internal_span: span,
        }
    }

    /// A string at `span`.
    pub fn string(val: impl Into<String>, span: Span) -> Value {
        Value::String {
            val: val.into(),
            internal_span: span,
        }
    }
}
