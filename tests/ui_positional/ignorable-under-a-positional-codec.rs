// `ignorable` resets a field for an older peer, but under bincode the field is still written
// at its position, where that peer reads something else.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.9.0")]
pub struct Config {
    pub name: String,
    #[compat(ignorable)]
    pub labels: Vec<String>,
}

fn main() {}
