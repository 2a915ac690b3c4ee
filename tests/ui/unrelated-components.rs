// compat.toml relates agent and web to the server, never to each other.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "web")]
#[since("0.8.0")]
pub struct Metrics {
    pub cpu: f32,
}

fn main() {}
