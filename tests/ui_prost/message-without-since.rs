// prost-build copies the .proto comment into the docs; this message's comment has no @since.
use compat_runtime::ProstCompat;

#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Ping", routes = ["agent > server"])]
/// A health check.
pub struct Ping {
    #[prost(string, tag = "1")]
    pub node: String,
}

fn main() {}
