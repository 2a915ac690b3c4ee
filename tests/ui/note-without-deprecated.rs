use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Hello {
    #[compat(note = "use `zones`")]
    pub zone: Option<String>,
    #[since("0.9.0")]
    pub zones: Option<Vec<String>>,
}

fn main() {}
