use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
pub struct Hello {
    pub node: String,
}

fn main() {}
