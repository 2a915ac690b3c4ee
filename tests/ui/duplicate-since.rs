use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Hello {
    #[since("0.8.0")]
    #[since("0.9.0")]
    pub zone: Option<String>,
}

fn main() {}
