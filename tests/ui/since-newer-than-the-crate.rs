// The crate is at 0.9.3; a field cannot arrive in 0.10.0 before 0.10.0 is built.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Hello {
    pub node: String,
    #[since("0.10.0")]
    pub zone: Option<String>,
}

fn main() {}
