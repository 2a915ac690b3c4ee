use compat_runtime::Compat;

#[derive(Compat)]
#[since("0.8.0")]
pub struct Hello {
    pub node: String,
}

fn main() {}
