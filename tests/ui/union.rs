use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub union Word {
    pub int: u32,
    pub float: f32,
}

fn main() {}
