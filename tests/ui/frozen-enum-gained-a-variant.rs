// A frozen enum never gains a variant, so it needs no catch-all; but `Watch` arrived after
// agents that a 0.9.3 server still sends to, and they cannot decode it.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", frozen)]
#[since("0.5.0")]
pub enum Feature {
    Shares,
    #[since("0.8.0")]
    Queues,
    #[since("0.9.0")]
    Watch,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", frozen)]
#[since("0.5.0")]
pub struct Settings {
    pub name: String,
}

fn main() {}
