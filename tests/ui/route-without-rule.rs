// compat.toml relates agent and web to the server, never to each other: each route is
// checked on its own, and the error lands on the route no rule covers.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(routes = ["agent > server", "agent > web"])]
#[since("0.8.0")]
pub struct Health {
    pub ok: bool,
}

fn main() {}
