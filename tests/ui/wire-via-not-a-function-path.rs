// `via` names the function that makes what travels: a path, not an expression.
use compat_runtime::Compat;
use serde::Serialize;

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Cell {
    pub value: u64,
}

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Row {
    #[compat(wire(as = "Cell", via = "|v| v.to_cell()"))]
    pub first: Vec<u64>,
    #[compat(wire(via = "Row::cells"))]
    pub rest: Vec<u64>,
}

fn main() {}
