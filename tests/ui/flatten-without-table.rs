// A flattened field travels as its type's own fields, which only that type's table
// describes: the type must derive `Compat` too.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Labels {
    pub zone: String,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[serde(flatten)]
    pub labels: Labels,
}

fn main() {}
