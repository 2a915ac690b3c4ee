use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since = "0.8.0"]
pub struct Ping;

fn main() {}
