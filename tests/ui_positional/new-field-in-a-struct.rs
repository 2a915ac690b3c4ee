// Under bincode field order is the wire: a server at 0.9.3 must accept agents from 0.8.0,
// whose `AttestRequest` ends after `node`. An `Option` is no way out: it changes the bytes,
// it does not make the field optional.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct AttestRequest {
    pub node: String,
    #[since("0.9.0")]
    pub selectors: Option<Vec<String>>,
}

fn main() {}
