// No catch-all exists under bincode: an unknown index is a fatal decode error, and nothing
// records how long an unknown variant's data is.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[compat(other)]
    Unknown,
}

fn main() {}
