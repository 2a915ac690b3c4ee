// `Attachment` says it goes from server to agent, but `Upload` carries it from agent to
// server, where its checks never ran: a server at 0.9.3 must still read the uploads of
// agents at 0.8.0, which put no `checksum` in their attachments.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Attachment {
    pub name: String,
    #[since("0.9.0")]
    pub checksum: u64,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Upload {
    pub node: String,
    pub attachments: Vec<Attachment>,
}

fn main() {}
