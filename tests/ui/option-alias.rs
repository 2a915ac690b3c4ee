// `Maybe<T>` is an `Option`, but a derive sees tokens, not types: it cannot see through the
// alias, so the field must be written `Option<_>` or carry `#[serde(default)]`.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

pub type Maybe<T> = Option<T>;

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[since("0.9.0")]
    pub zone: Maybe<String>,
}

fn main() {}
