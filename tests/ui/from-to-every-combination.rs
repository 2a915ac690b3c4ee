// Sent agent > server and passed on server > web: lists in `from` and `to` mean every
// combination, agent > web included, which no rule covers.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = ["agent", "server"], to = ["server", "web"])]
#[since("0.8.0")]
pub struct Health {
    pub ok: bool,
}

fn main() {}
