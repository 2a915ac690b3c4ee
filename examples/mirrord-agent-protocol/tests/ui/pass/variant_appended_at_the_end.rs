// mirrord's `LogLevel` with a variant of 1.29.0 appended at the end: mirrord's one safe
// change, which the session's guard keeps from layers that predate it.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum LogLevel {
    Warn,
    Error,
    #[since("1.13.4")]
    Info,
    #[since("1.29.0")]
    Debug,
}

fn main() {}
