// bincode 2's derive writes every field and variant, whatever serde's attributes say: the
// table keeps `#[serde(skip)]` items where they travel, each variant at its place.
use compat_runtime::{Codec, Compat};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Stat {
    pub size: u64,
    #[serde(skip)]
    pub cached: bool,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[serde(skip)]
    Internal,
    Drain { node: String },
}

fn main() {
    let stat = <Stat as Compat>::MESSAGE;
    assert_eq!(stat.codec, Codec::Bincode);
    let fields: Vec<&str> = stat.fields.iter().map(|f| f.name).collect();
    assert_eq!(fields, ["size", "cached"]);
    let command = <Command as Compat>::MESSAGE;
    let variants: Vec<&str> = command.variants.iter().map(|v| v.name).collect();
    assert_eq!(variants, ["Stop", "Internal", "Drain"]);
    assert!(command.indexes.is_empty());
    assert_eq!(command.variant_index(2), 2);
}
