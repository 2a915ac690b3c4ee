// A `#[serde(skip)]` variant after every variant that travels shifts nothing: serde counts
// it only for the variants after it, and there are none.
use compat_runtime::{Codec, Compat};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", codec = "serde-positional")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    Drain { node: String },
    #[serde(skip)]
    Internal,
}

fn main() {
    let table = <Command as Compat>::MESSAGE;
    assert_eq!(table.codec, Codec::SerdePositional);
    assert!(table.indexes.is_empty());
    assert_eq!(table.variants.len(), 2);
}
