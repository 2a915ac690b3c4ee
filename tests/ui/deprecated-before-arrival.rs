use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Hello {
    #[since("0.9.0")]
    #[compat(deprecated = "0.8.1", note = "use `zones`")]
    pub zone: Option<String>,
}

fn main() {}
