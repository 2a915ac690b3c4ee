// serde counts a skipped variant when it writes the indexes after it, and not when it reads
// them: every variant after it is misread, by a peer of this very release.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent", codec = "serde-positional")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[serde(skip)]
    Internal,
    Drain,
}

fn main() {}
