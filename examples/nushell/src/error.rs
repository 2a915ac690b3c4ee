//! Errors as they travel: a [`ShellError`] always writes itself as a [`LabeledError`], the
//! one error shape both ends read.

use compat_runtime::Compat;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::value::Span;

/// An error with labelled spans, help and nested errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.60.0")]
pub struct LabeledError {
    /// What went wrong.
    pub msg: String,
    /// Spans to point at, each with its text.
    #[since("0.92.0")]
    #[serde(default)]
    pub labels: Box<Vec<ErrorLabel>>,
    /// A code to look the error up by.
    #[since("0.92.0")]
    #[serde(default)]
    pub code: Option<String>,
    /// Where to read more.
    #[since("0.92.0")]
    #[serde(default)]
    pub url: Option<String>,
    /// What to do about it.
    #[since("0.92.0")]
    #[serde(default)]
    pub help: Option<String>,
    /// The errors that caused it, each written as a `LabeledError`.
    #[since("0.92.0")]
    #[serde(default)]
    #[compat(wire(seq_of = "LabeledError"))]
    pub inner: Box<Vec<ShellError>>,
}

impl LabeledError {
    /// An error saying `msg`, and nothing more.
    pub fn new(msg: impl Into<String>) -> LabeledError {
        LabeledError {
            msg: msg.into(),
            labels: Box::default(),
            code: None,
            url: None,
            help: None,
            inner: Box::default(),
        }
    }
}

/// A span of an error, with what to say about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
#[compat(between = ["engine", "plugin"])]
#[since("0.92.0")]
pub struct ErrorLabel {
    /// What to say.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// The engine's errors: many kinds in Rust, one shape on the wire. Its `Serialize` writes
/// the error as a [`LabeledError`], and its `Deserialize` reads one back (as
/// [`ShellError::Labeled`]). Said once, here: every field holding a `ShellError` records a
/// `LabeledError`, and the send guard walks the `LabeledError` that
/// [`ShellError::to_labeled`] makes.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(wire(as = "LabeledError", via = "ShellError::to_labeled"))]
pub enum ShellError {
    /// A value of the wrong type.
    CantConvert {
        /// The type wanted.
        to_type: String,
        /// The type found.
        from_type: String,
        /// Where.
        span: Span,
    },
    /// An error read from the wire, or made by a plugin.
    Labeled(Box<LabeledError>),
}

impl ShellError {
    /// The error as it travels.
    pub fn to_labeled(&self) -> LabeledError {
        match self {
            ShellError::CantConvert {
                to_type,
                from_type,
                span,
            } => LabeledError {
                labels: Box::new(vec![ErrorLabel {
                    text: format!("can't convert {from_type} to {to_type}"),
                    span: *span,
                }]),
                ..LabeledError::new(format!("Can't convert to {to_type}."))
            },
            ShellError::Labeled(labeled) => (**labeled).clone(),
        }
    }
}

impl Serialize for ShellError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_labeled().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ShellError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LabeledError::deserialize(deserializer).map(|error| ShellError::Labeled(Box::new(error)))
    }
}
