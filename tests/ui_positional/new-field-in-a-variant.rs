// A struct variant is a struct on the wire: a server at 0.9.3 sends `Command` to agents
// from 0.8.0, whose `Drain` has no `grace`.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    Drain {
        node: String,
        #[since("0.9.0")]
        grace: u64,
    },
}

fn main() {}
