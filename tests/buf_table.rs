//! docs/protobuf.md's table, side by side with buf: each row a `.proto` change, recorded as
//! release 0.0.8 (or 0.0.7, outside the window) and checked as 0.0.9, with buf WIRE's
//! verdict and compat's (issue 18, parts 2 and 6). The policy: agents may be one patch
//! older than servers, never newer.
#![allow(
    missing_docs,
    unreachable_pub,
    reason = "prost-build writes `pub` items without docs; each row mirrors its output"
)]

use compat_runtime::Policy;
use compat_runtime::proto::{Proto, ProtoMessage};

const POLICY: &str = "[components]\nserver = {}\nagent = {}\n\
    [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 patch\"\n";

/// A prost message named `row.M`, first shipped in 0.0.1, on `$routes`.
macro_rules! message {
    ($routes:expr, [$($reserved:literal),*] { $($body:tt)* }) => {
        #[derive(Clone, PartialEq, ::prost::Message, compat_runtime::ProstCompat)]
        #[compat(proto = "row.M", routes = $routes, reserved = [$($reserved),*])]
        /// @since 0.0.1
        pub struct M { $($body)* }
    };
}

/// A prost enum named `row.E`, first shipped in 0.0.1, on `$routes`.
macro_rules! enumeration {
    ($routes:expr, [$($reserved:literal),*] { $($body:tt)* }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration, compat_runtime::ProstCompat)]
        #[compat(proto = "row.E", routes = $routes, reserved = [$($reserved),*])]
        /// @since 0.0.1
        #[repr(i32)]
        pub enum E { $($body)* }
    };
}

/// Another message, for a field whose message type changes.
macro_rules! other {
    ($name:ident, $proto:literal) => {
        #[derive(Clone, PartialEq, ::prost::Message, compat_runtime::ProstCompat)]
        #[compat(proto = $proto, routes = ["agent > server"])]
        /// @since 0.0.1
        pub struct $name {
            #[prost(string, tag = "1")]
            pub s: String,
        }
    };
}

/// Records `was` at `old` in a fresh lock and checks `now` at 0.0.9: the problems found.
fn verdict(old: &str, was: &'static ProtoMessage, now: &'static ProtoMessage) -> Vec<String> {
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
    let dir = unique(std::env::temp_dir().join(format!("compat-buf-{}", std::process::id())));
    std::fs::create_dir_all(&dir).unwrap();
    compat_runtime::lock::verify_proto_with(&dir, &policy, old, &[was], true).unwrap();
    let found = match compat_runtime::lock::verify_proto_with(&dir, &policy, "0.0.9", &[now], false)
    {
        Ok(_) => Vec::new(),
        Err(error) => error.problems,
    };
    std::fs::remove_dir_all(&dir).unwrap();
    found
}

fn unique(dir: std::path::PathBuf) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.with_extension(n.to_string())
}

/// One row: the change, buf WIRE's verdict, and compat's (`None` when it passes, else a
/// word of the problem).
macro_rules! row {
    ($test:ident, old = $old:literal, buf = $buf:literal, compat = $compat:expr, [$($v1:tt)*], [$($v2:tt)*]) => {
        mod $test {
            pub mod v1 { $($v1)* }
            pub mod v2 { $($v2)* }
        }
        #[test]
        fn $test() {
            let problems = verdict($old, $test::v1::TABLE, $test::v2::TABLE);
            let expected: Option<&str> = $compat;
            match expected {
                None => assert!(problems.is_empty(), "compat should accept it (buf: {}): {problems:#?}", $buf),
                Some(word) => assert!(
                    problems.iter().any(|p| p.contains(word)),
                    "compat should refuse it with `{word}` (buf: {}): {problems:#?}", $buf
                ),
            }
        }
    };
}

/// The table a row compares: its message's or its enum's.
macro_rules! table_of {
    ($ty:ident) => {
        pub const TABLE: &'static compat_runtime::proto::ProtoMessage =
            <$ty as compat_runtime::proto::Proto>::PROTO;
    };
}

row!(renaming_a_field_keeps_its_number, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node_name: String, }); table_of!(M);]);

row!(adding_a_field_with_a_new_number, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String,
        /// @since 0.0.9
        #[prost(uint32, optional, tag = "2")] pub retries: Option<u32>, }); table_of!(M);]);

row!(deleting_a_field_with_its_number_reserved, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, #[prost(string, tag = "2")] pub zone: String, }); table_of!(M);],
    [message!(["agent > server"], ["2"] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);]);

row!(deleting_a_field_without_reserving_its_number, old = "0.0.8", buf = "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", compat = Some("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"),
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, #[prost(string, tag = "2")] pub zone: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);]);

row!(reusing_a_number_with_another_type, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("FIELD_WIRE_COMPATIBLE_TYPE"),
    [message!(["agent > server"], [] { #[prost(string, tag = "2")] pub zone: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(double, tag = "2")] pub load: f64, }); table_of!(M);]);

row!(widening_int32_to_int64, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(int32, tag = "1")] pub n: i32, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(int64, tag = "1")] pub n: i64, }); table_of!(M);]);

row!(changing_int32_to_sint32, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("FIELD_WIRE_COMPATIBLE_TYPE"),
    [message!(["agent > server"], [] { #[prost(int32, tag = "1")] pub n: i32, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(sint32, tag = "1")] pub n: i32, }); table_of!(M);]);

row!(changing_string_to_bytes, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub s: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(bytes = "vec", tag = "1")] pub s: Vec<u8>, }); table_of!(M);]);

row!(changing_bytes_to_string, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("FIELD_WIRE_COMPATIBLE_TYPE"),
    [message!(["agent > server"], [] { #[prost(bytes = "vec", tag = "1")] pub s: Vec<u8>, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub s: String, }); table_of!(M);]);

row!(adding_optional_to_a_singular_field, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(uint32, tag = "1")] pub n: u32, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(uint32, optional, tag = "1")] pub n: Option<u32>, }); table_of!(M);]);

row!(making_a_singular_field_repeated, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_CARDINALITY", compat = Some("FIELD_WIRE_COMPATIBLE_CARDINALITY"),
    [message!(["agent > server"], [] { #[prost(uint32, tag = "1")] pub n: u32, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(uint32, repeated, tag = "1")] pub n: Vec<u32>, }); table_of!(M);]);

row!(moving_a_field_into_a_oneof, old = "0.0.8", buf = "FIELD_SAME_ONEOF", compat = Some("FIELD_SAME_ONEOF"),
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub token: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(oneof = "m::Proof", tags = "1")] pub proof: Option<m::Proof>, });
     pub mod m {
         #[derive(Clone, PartialEq, ::prost::Oneof, compat_runtime::ProstCompat)]
         #[compat(proto = "row.M.proof")]
         pub enum Proof { #[prost(string, tag = "1")] Token(String) }
     }
     table_of!(M);]);

// `row.A` and `row.B` have the same fields: buf and compat both compare the names.
row!(changing_a_fields_message_type, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("from message `row.A` to message `row.B` (FIELD_WIRE_COMPATIBLE_TYPE"),
    [message!(["agent > server"], [] { #[prost(message, optional, tag = "1")] pub s: Option<A>, }); other!(A, "row.A"); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(message, optional, tag = "1")] pub s: Option<B>, }); other!(B, "row.B"); table_of!(M);]);

row!(changing_a_timestamp_to_a_duration, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("`google.protobuf.Timestamp` to message `google.protobuf.Duration`"),
    [message!(["agent > server"], [] { #[prost(message, optional, tag = "1")] pub at: Option<::prost_types::Timestamp>, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(message, optional, tag = "1")] pub at: Option<::prost_types::Duration>, }); table_of!(M);]);

row!(adding_a_well_known_type_field, old = "0.0.8", buf = "ok", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String,
        /// @since 0.0.9
        #[prost(message, optional, tag = "2")] pub seen: Option<::prost_types::Timestamp>,
        /// @since 0.0.9
        #[prost(message, optional, tag = "3")] pub retries: Option<u32>, }); table_of!(M);]);

row!(unwrapping_an_int64_value_to_int64, old = "0.0.8", buf = "FIELD_WIRE_COMPATIBLE_TYPE", compat = Some("from `google.protobuf.Int64Value` to `int64`"),
    [message!(["agent > server"], [] { #[prost(message, optional, tag = "1")] pub n: Option<i64>, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(int64, tag = "1")] pub n: i64, }); table_of!(M);]);

row!(dropping_a_reserved_range, old = "0.0.8", buf = "RESERVED_MESSAGE_NO_DELETE", compat = Some("RESERVED_MESSAGE_NO_DELETE"),
    [message!(["agent > server"], ["2", "5 to 9"] { #[prost(string, tag = "1")] pub s: String, }); table_of!(M);],
    [message!(["agent > server"], ["2"] { #[prost(string, tag = "1")] pub s: String, }); table_of!(M);]);

row!(deleting_an_enum_value_without_reserving_it, old = "0.0.8", buf = "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", compat = Some("ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"),
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1, Drain = 2 }); table_of!(E);],
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1 }); table_of!(E);]);

row!(deleting_an_enum_value_with_its_number_reserved, old = "0.0.8", buf = "ok", compat = None,
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1, Drain = 2 }); table_of!(E);],
    [enumeration!(["server > agent"], ["2"] { Unspecified = 0, Ok = 1 }); table_of!(E);]);

row!(adding_an_enum_value_old_receivers_read, old = "0.0.8", buf = "ok", compat = Some("inside the window"),
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1 }); table_of!(E);],
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1, Drain = 2 }); table_of!(E);]);

row!(adding_an_enum_value_with_its_since_for_old_receivers, old = "0.0.8", buf = "ok", compat = None,
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1 }); table_of!(E);],
    [enumeration!(["server > agent"], [] { Unspecified = 0, Ok = 1,
        /// @since 0.0.9
        Drain = 2 }); table_of!(E);]);

row!(adding_an_enum_value_only_old_senders_meet, old = "0.0.8", buf = "ok", compat = None,
    [enumeration!(["agent > server"], [] { Unspecified = 0, Ok = 1 }); table_of!(E);],
    [enumeration!(["agent > server"], [] { Unspecified = 0, Ok = 1, Drain = 2 }); table_of!(E);]);

row!(deleting_a_field_a_release_outside_the_window_sent, old = "0.0.7", buf = "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", compat = None,
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, #[prost(string, tag = "2")] pub zone: String, }); table_of!(M);],
    [message!(["agent > server"], [] { #[prost(string, tag = "1")] pub node: String, }); table_of!(M);]);

row!(rewriting_a_since, old = "0.0.8", buf = "ok", compat = Some("restore `@since 0.0.5`"),
    [message!(["agent > server"], [] {
        /// @since 0.0.5
        #[prost(string, tag = "1")] pub node: String, }); table_of!(M);],
    [message!(["agent > server"], [] {
        /// @since 0.0.6
        #[prost(string, tag = "1")] pub node: String, }); table_of!(M);]);

#[test]
fn a_recorded_release_is_compared_only_while_inside_the_window() {
    let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
    let dir =
        unique(std::env::temp_dir().join(format!("compat-buf-window-{}", std::process::id())));
    std::fs::create_dir_all(&dir).unwrap();
    let table = <renaming_a_field_keeps_its_number::v1::M as Proto>::PROTO;
    for old in ["0.0.7", "0.0.8"] {
        compat_runtime::lock::verify_proto_with(&dir, &policy, old, &[table], true).unwrap();
    }
    let report =
        compat_runtime::lock::verify_proto_with(&dir, &policy, "0.0.9", &[table], false).unwrap();
    assert_eq!(report.compared, ["0.0.8"]);
    assert_eq!(report.outside, ["0.0.7"]);
    let text = std::fs::read_to_string(dir.join("compat.lock")).unwrap();
    assert!(
        text.contains("[[proto_release]]") && text.contains("name = \"row.M\""),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
