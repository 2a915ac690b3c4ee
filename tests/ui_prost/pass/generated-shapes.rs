// What prost-build generates, with what compat's build helper attaches: every shape of
// field, a oneof, an enum whose zero means unknown, and new fields that have presence.
use compat_runtime::ProstCompat;
use compat_runtime::proto::Proto;

#[derive(::compat_runtime::ProstCompat)]
#[compat(proto = "spire.AttestRequest", routes = ["agent > server"], reserved = ["3"])]
/// @since 0.8.0
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct AttestRequest {
    #[prost(string, tag = "1")]
    pub node: ::prost::alloc::string::String,
    /// @since 0.9.0
    #[prost(uint32, optional, tag = "2")]
    pub retries: ::core::option::Option<u32>,
    /// @since 0.9.0 @zero-means-absent
    #[prost(int64, tag = "4")]
    pub deadline: i64,
    #[prost(map = "string, enumeration(Health)", tag = "5")]
    pub checks: ::std::collections::HashMap<::prost::alloc::string::String, i32>,
    #[prost(oneof = "attest_request::Proof", tags = "6, 7")]
    pub proof: ::core::option::Option<attest_request::Proof>,
}

pub mod attest_request {
    #[derive(::compat_runtime::ProstCompat)]
    #[compat(proto = "spire.AttestRequest.proof")]
    #[derive(Clone, PartialEq, ::prost::Oneof)]
    pub enum Proof {
        #[prost(string, tag = "6")]
        Token(::prost::alloc::string::String),
        /// @since 0.9.0
        #[prost(bytes, tag = "7")]
        Cert(::prost::alloc::vec::Vec<u8>),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration, ProstCompat)]
#[compat(proto = "spire.Health", routes = ["agent > server"])]
/// @since 0.8.0
#[repr(i32)]
pub enum Health {
    Unspecified = 0,
    Ok = 1,
}

fn main() {
    assert_eq!(AttestRequest::PROTO.field(7).unwrap().since, "0.9.0");
}
