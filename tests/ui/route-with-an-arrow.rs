use compat_runtime::Compat;

#[derive(Compat)]
#[compat(routes = ["agent -> server", "server > web"])]
#[since("0.8.0")]
pub struct Health {
    pub ok: bool,
}

fn main() {}
