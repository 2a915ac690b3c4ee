// `routes` names every direction itself; `from` and `to` next to it would add more.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server", routes = ["server > web"])]
#[since("0.8.0")]
pub struct Health {
    pub ok: bool,
}

fn main() {}
