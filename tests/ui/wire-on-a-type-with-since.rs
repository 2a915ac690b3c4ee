// A type described with `wire` on the type is no message of its own: the shape it writes
// is checked where it travels, so a `#[since]` or a direction on it is a mistake.
use compat_runtime::Compat;
use serde::Serialize;

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct LabeledError {
    pub msg: String,
}

#[derive(Compat)]
#[compat(wire(as = "LabeledError", via = "ShellError::to_labeled"))]
#[since("0.8.0")]
pub enum ShellError {
    Io(String),
}

#[derive(Compat)]
#[compat(from = "agent", to = "server", wire = "string")]
pub struct Range(u64, u64);

#[derive(Compat)]
#[compat(transparent, wire = "string")]
pub struct Path(String);

impl ShellError {
    fn to_labeled(&self) -> LabeledError {
        match self {
            ShellError::Io(msg) => LabeledError { msg: msg.clone() },
        }
    }
}

fn main() {}
