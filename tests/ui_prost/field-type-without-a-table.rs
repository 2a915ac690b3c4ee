// A message from another package, generated without compat's build helper: no
// `#[derive(ProstCompat)]`, so a field that holds it has no table to lock.
use compat_runtime::ProstCompat;

#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Selector {
    #[prost(string, tag = "1")]
    pub value: String,
}

#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.AttestRequest", routes = ["agent > server"])]
/// @since 0.8.0
pub struct AttestRequest {
    #[prost(message, repeated, tag = "1")]
    pub selectors: Vec<Selector>,
}

fn main() {}
