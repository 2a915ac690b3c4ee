// mirrord's `LogLevel` with a variant of 1.29.0 inserted before `Info` (1.13.4): every
// variant after it moves to another index.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum LogLevel {
    Warn,
    Error,
    #[since("1.29.0")]
    Debug,
    #[since("1.13.4")]
    Info,
}

fn main() {}
