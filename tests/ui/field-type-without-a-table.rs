// `Span` travels inside `Call` but has no table: nothing would check what it writes.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Call {
    pub name: String,
    pub head: Span,
    pub args: Vec<(String, Span)>,
}

fn main() {}
