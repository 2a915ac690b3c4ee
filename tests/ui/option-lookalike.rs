// Only `Option`, `std::option::Option` and `core::option::Option` count: `wire::Option`
// is some other type, and serde rejects a message without it ("missing field `zone`").
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

mod wire {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Option<T>(pub T);
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[since("0.9.0")]
    pub zone: wire::Option<String>,
}

fn main() {}
