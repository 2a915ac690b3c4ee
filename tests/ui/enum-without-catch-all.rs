// Servers may be newer than agents, and a newer server may send a new command.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[since("0.9.0")]
    Drain {
        timeout_ms: u64,
    },
}

fn main() {}
