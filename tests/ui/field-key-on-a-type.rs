use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server", default)]
#[since("0.8.0")]
pub struct Hello {
    pub node: String,
}

fn main() {}
