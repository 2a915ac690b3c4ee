// `via` must make the described type (or something that borrows as it): a function that
// makes another type is an error at `via`'s path.
use compat_runtime::Compat;
use serde::Serialize;

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Cell {
    pub value: u64,
}

pub struct Measure(u64);

impl Measure {
    pub fn to_text(&self) -> String {
        self.0.to_string()
    }
}

impl Serialize for Measure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Cell { value: self.0 }.serialize(serializer)
    }
}

#[derive(Serialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Row {
    #[compat(wire(as = "Cell", via = "Measure::to_text"))]
    pub first: Measure,
}

fn main() {}
