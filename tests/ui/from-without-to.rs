use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent")]
#[since("0.8.0")]
pub struct Hello {
    pub node: String,
}

fn main() {}
