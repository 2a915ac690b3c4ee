// A variant appended at the end with its `since` keeps every older index: agents from 0.8.0
// never receive it (the send guard refuses, or a fallback stands in), and no catch-all is
// demanded, since none exists under bincode. A field of a variant that arrived with it is
// no break either.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Command {
    Stop,
    Drain { node: String },
    #[since("0.9.0")]
    Pause { node: String, seconds: u64 },
    #[since("0.9.0")]
    Resume,
}

fn main() {
    let table = <Command as Compat>::MESSAGE;
    assert_eq!(table.codec, compat_runtime::Codec::Bincode);
    assert_eq!(table.variant_index(2), 2);
}
