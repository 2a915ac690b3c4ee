// A feature name with a typo: the error lands on the string and names the declared one.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    Open(String),
    #[compat(feature = "readlnk")]
    ReadLink(String),
}

fn main() {}
