// protobuf's well-known types as prost-build maps them: prost-types' messages, the
// wrappers as Rust's own types, `Empty` as `()`. compat knows them by their full names.
use compat_runtime::proto::{Proto, ProtoType};

#[derive(::compat_runtime::ProstCompat)]
#[compat(proto = "spire.Audit", routes = ["server > agent"])]
/// @since 0.8.0
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Audit {
    #[prost(message, optional, tag = "1")]
    pub at: ::core::option::Option<::prost_types::Timestamp>,
    #[prost(message, optional, tag = "2")]
    pub took: ::core::option::Option<::prost_types::Duration>,
    #[prost(message, repeated, tag = "3")]
    pub details: ::prost::alloc::vec::Vec<::prost_types::Any>,
    #[prost(map = "string, message", tag = "4")]
    pub labels: ::std::collections::HashMap<::prost::alloc::string::String, ::prost_types::Value>,
    #[prost(message, optional, tag = "5")]
    pub attempts: ::core::option::Option<u32>,
    #[prost(message, optional, tag = "6")]
    pub note: ::core::option::Option<::prost::alloc::string::String>,
    #[prost(message, optional, tag = "7")]
    pub digest: ::core::option::Option<::prost::alloc::vec::Vec<u8>>,
    #[prost(message, optional, tag = "8")]
    pub ack: ::core::option::Option<()>,
    #[prost(message, optional, tag = "9")]
    pub mask: ::core::option::Option<::prost_types::FieldMask>,
    #[prost(message, optional, tag = "10")]
    pub extra: ::core::option::Option<::prost_types::Struct>,
}

fn main() {
    let names: Vec<&str> = Audit::PROTO
        .fields
        .iter()
        .map(|f| match f.ty {
            ProtoType::Message(t) => t.get().name,
            _ => "",
        })
        .collect();
    assert_eq!(
        names,
        [
            "google.protobuf.Timestamp",
            "google.protobuf.Duration",
            "google.protobuf.Any",
            "google.protobuf.Value",
            "google.protobuf.UInt32Value",
            "google.protobuf.StringValue",
            "google.protobuf.BytesValue",
            "google.protobuf.Empty",
            "google.protobuf.FieldMask",
            "google.protobuf.Struct",
        ]
    );
}
