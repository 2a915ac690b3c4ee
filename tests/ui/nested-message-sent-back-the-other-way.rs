// `Health` goes from agent to server, and agents are never newer than servers, so it needs
// no catch-all there; but `Command` carries it back from server to agent, and a newer
// server may send a variant an older agent does not know.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub enum Health {
    Ok,
    Failing,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Command {
    pub name: String,
    pub expected: Option<Health>,
}

fn main() {}
