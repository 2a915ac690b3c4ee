// `wire` names what serde writes: a string, an integer, ..., or a type with a table.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Call {
    #[compat(wire = "strng")]
    pub range: String,
    #[compat(wire(list_of = "Call"))]
    pub calls: Vec<String>,
}

fn main() {}
