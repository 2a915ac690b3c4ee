use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.9.0")]
pub enum Status {
    Up,
    #[since("0.8.0")]
    Draining,
}

fn main() {}
