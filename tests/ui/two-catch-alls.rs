// Decoded by hand, so `#[compat(other)]` marks the catch-all: unknown variants can land in
// one variant only.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[compat(other)]
    Unsupported,
    #[compat(other)]
    Unknown,
}

fn main() {}
