// A codec compat does not know, with the one meant.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server", codec = "bincod")]
#[since("0.8.0")]
pub struct Ping {
    pub id: u64,
}

fn main() {}
