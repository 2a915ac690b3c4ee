// `#[compat(other)]` tells compat that `Unknown` receives the commands this release does not
// know, but serde's derived `Deserialize` does not read compat's attributes: a newer
// server's `"drain"` would fail at run time with "unknown variant `drain`".
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Stop,
    #[compat(other)]
    Unknown,
}

fn main() {}
