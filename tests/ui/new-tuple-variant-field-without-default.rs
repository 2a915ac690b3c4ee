// A tuple variant is a sequence too: `{"Moved":[1,2]}` from a 0.8.0 agent fails with
// "invalid length 2" when the variant has gained an `Option` third element.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub enum Report {
    Moved(u32, u32, #[since("0.9.0")] Option<u32>),
}

fn main() {}
