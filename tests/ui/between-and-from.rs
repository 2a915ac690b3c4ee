use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", between = ["server", "agent"])]
#[since("0.8.0")]
pub struct Bye;

fn main() {}
