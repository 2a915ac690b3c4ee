// A field added in 0.9.0 that servers must read from 0.8 agents, which never set it: proto3
// reads zero either way, so the fix is `optional` in the .proto file.
use compat_runtime::ProstCompat;

#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.AttestRequest", routes = ["agent > server"])]
/// @since 0.8.0
pub struct AttestRequest {
    #[prost(string, tag = "1")]
    pub node: String,
    /// @since 0.9.0
    #[prost(uint32, tag = "2")]
    pub retries: u32,
}

fn main() {}
