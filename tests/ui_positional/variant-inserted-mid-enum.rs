// `Pause` was inserted before `Resume`, which agents from 0.8.0 know as variant 1: under
// bincode a variant travels as its index, so they would read `Pause` as `Resume`.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    #[since("0.9.0")]
    Pause,
    Resume,
}

fn main() {}
