use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Hello {
    #[since("0.9.0")]
    #[compat(default = "0")]
    pub retries: u32,
}

fn main() {}
