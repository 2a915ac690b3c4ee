// `Unknown` arrived in 0.8.5, but an agent at 0.8.0 is still inside the window of a 0.9.3
// server: it has no catch-all, so a variant it does not know fails to decode ("unknown
// variant"), catch-all or not on the server's side.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.5.0")]
pub enum Command {
    Stop,
    #[since("0.9.0")]
    Pause,
    #[since("0.8.5")]
    #[serde(other)]
    Unknown,
}

fn main() {}
