//! protobuf's well-known types (`google.protobuf.*`), as prost-build maps them: the wrappers
//! and `Empty` to Rust's own types (`google.protobuf.Int64Value` is an `i64` field with
//! `#[prost(message)]`, `Empty` is `()`), the others to `prost_types` (`Timestamp`,
//! `Duration`, `Any`, `FieldMask`, `Struct`, `Value`, `ListValue`; feature
//! `well-known-types`).
//!
//! None of them derives `ProstCompat`, so each has its table here, under its full protobuf
//! name, from release 0.0.0: protobuf fixed them long ago, and a peer of any release reads
//! them. The wire lock records a field of such a type by that name and does not record the
//! type itself ([`ProtoMessage::is_well_known`]); a field whose type changes from
//! `google.protobuf.Timestamp` to `google.protobuf.Duration` (the same two fields) is a
//! break, as in buf.

use super::table::{Cardinality, Proto, ProtoField, ProtoKind, ProtoMessage, ProtoType, Scalar};

/// What a field of a prost message may hold as a message or enum: a type that derives
/// `ProstCompat`, or a well-known type. Written by the derive (`__p::table::<T>`); not an
/// API of its own.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no protobuf table: it does not derive `ProstCompat`, and it is not one of protobuf's well-known types that compat knows",
    label = "a field of this type has no table for compat's wire lock",
    note = "attach `#[derive(ProstCompat)]` to `{Self}` with compat's build-script helper (`compat_runtime::proto::build::Annotations`); for prost-types' `Timestamp`, `Duration`, `Any`, `FieldMask`, `Struct`, `Value` and `ListValue`, turn on compat-runtime's `well-known-types` feature"
)]
pub trait Table {
    /// The table.
    const TABLE: &'static ProtoMessage;

    /// The newest release of the type and what it holds (the send guard's fast path); a
    /// well-known type: none, any peer reads it.
    #[doc(hidden)]
    #[inline]
    fn __walk_newest(depth: u32) -> u64 {
        let _ = depth;
        0
    }
}

// The error names `Table` and its fix, not `Proto`, which a user never implements by hand.
// The fold calls the `Compat` method the derive writes, not `Guard`'s wrapper of it: one
// function fewer per type held for the user's crate to compile.
#[diagnostic::do_not_recommend]
impl<T: Proto> Table for T {
    const TABLE: &'static ProtoMessage = T::PROTO;

    #[inline]
    fn __walk_newest(depth: u32) -> u64 {
        T::__newest_within(depth)
    }
}

/// A well-known message.
const fn message(
    name: &'static str,
    rust: &'static str,
    fields: &'static [ProtoField],
) -> ProtoMessage {
    ProtoMessage {
        name,
        rust,
        since: "0.0.0",
        kind: ProtoKind::Message,
        routes: &[],
        fields,
        values: &[],
        reserved: &[],
        reserved_names: &[],
    }
}

/// A field of a well-known message.
const fn field(
    number: u32,
    name: &'static str,
    ty: ProtoType,
    cardinality: Cardinality,
) -> ProtoField {
    ProtoField {
        number,
        name,
        since: "0.0.0",
        ty,
        cardinality,
        ignorable: false,
        deprecated: false,
    }
}

/// The wrappers, each a message with one field `value = 1` of its scalar, and `Empty`.
macro_rules! wrappers {
    ($($ty:ty => $name:literal, $scalar:ident;)*) => {$(
        impl Table for $ty {
            const TABLE: &'static ProtoMessage = &message(
                concat!("google.protobuf.", $name),
                $name,
                &[field(1, "value", ProtoType::Scalar(Scalar::$scalar), Cardinality::Implicit)],
            );
        }
    )*};
}

// A `BytesValue` field is an `Option<Vec<u8>>` (a repeated one `Vec<Vec<u8>>`): the derive
// looks through `Option` and `Vec` to the message type, which leaves `u8`. No field of a
// prost message holds a `u8` as a message otherwise (prost has no `Message` for it).
wrappers! {
    bool => "BoolValue", Bool;
    i32 => "Int32Value", Int32;
    i64 => "Int64Value", Int64;
    u32 => "UInt32Value", Uint32;
    u64 => "UInt64Value", Uint64;
    f32 => "FloatValue", Float;
    f64 => "DoubleValue", Double;
    String => "StringValue", String;
    u8 => "BytesValue", Bytes;
}

impl Table for () {
    const TABLE: &'static ProtoMessage = &message("google.protobuf.Empty", "()", &[]);
}

#[cfg(feature = "well-known-types")]
mod prost_types_tables {
    use super::{Table, field, message};
    use crate::proto::table::{
        Cardinality, ProtoKind, ProtoMessage, ProtoType, ProtoValue, Scalar, TypeRef,
    };

    const fn scalar(number: u32, name: &'static str, scalar: Scalar) -> crate::proto::ProtoField {
        field(
            number,
            name,
            ProtoType::Scalar(scalar),
            Cardinality::Implicit,
        )
    }

    fn table<T: Table>() -> &'static ProtoMessage {
        T::TABLE
    }

    /// `google.protobuf.Value`'s oneof `kind`.
    static VALUE_KIND: ProtoMessage = ProtoMessage {
        kind: ProtoKind::Oneof,
        fields: &[
            field(
                1,
                "null_value",
                ProtoType::Enum(TypeRef(null_value)),
                Cardinality::Optional,
            ),
            field(
                2,
                "number_value",
                ProtoType::Scalar(Scalar::Double),
                Cardinality::Optional,
            ),
            field(
                3,
                "string_value",
                ProtoType::Scalar(Scalar::String),
                Cardinality::Optional,
            ),
            field(
                4,
                "bool_value",
                ProtoType::Scalar(Scalar::Bool),
                Cardinality::Optional,
            ),
            field(
                5,
                "struct_value",
                ProtoType::Message(TypeRef(table::<prost_types::Struct>)),
                Cardinality::Optional,
            ),
            field(
                6,
                "list_value",
                ProtoType::Message(TypeRef(table::<prost_types::ListValue>)),
                Cardinality::Optional,
            ),
        ],
        ..message("google.protobuf.Value.kind", "Kind", &[])
    };

    static NULL_VALUE: ProtoMessage = ProtoMessage {
        kind: ProtoKind::Enum,
        values: &[ProtoValue {
            name: "NullValue",
            number: 0,
            since: "0.0.0",
        }],
        ..message("google.protobuf.NullValue", "NullValue", &[])
    };

    fn null_value() -> &'static ProtoMessage {
        &NULL_VALUE
    }

    fn value_kind() -> &'static ProtoMessage {
        &VALUE_KIND
    }

    macro_rules! tables {
        ($($ty:ident => $fields:expr;)*) => {$(
            impl Table for prost_types::$ty {
                const TABLE: &'static ProtoMessage = &message(
                    concat!("google.protobuf.", stringify!($ty)),
                    stringify!($ty),
                    $fields,
                );
            }
        )*};
    }

    tables! {
        Timestamp => &[scalar(1, "seconds", Scalar::Int64), scalar(2, "nanos", Scalar::Int32)];
        Duration => &[scalar(1, "seconds", Scalar::Int64), scalar(2, "nanos", Scalar::Int32)];
        Any => &[scalar(1, "type_url", Scalar::String), scalar(2, "value", Scalar::Bytes)];
        FieldMask => &[field(1, "paths", ProtoType::Scalar(Scalar::String), Cardinality::Repeated)];
        Struct => &[field(
            1,
            "fields",
            ProtoType::Message(TypeRef(table::<prost_types::Value>)),
            Cardinality::Map(Scalar::String),
        )];
        Value => &[field(0, "kind", ProtoType::Oneof(TypeRef(value_kind)), Cardinality::Optional)];
        ListValue => &[field(
            1,
            "values",
            ProtoType::Message(TypeRef(table::<prost_types::Value>)),
            Cardinality::Repeated,
        )];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrappers_are_named_as_protobuf_names_them() {
        assert_eq!(<i64 as Table>::TABLE.name, "google.protobuf.Int64Value");
        assert_eq!(<u8 as Table>::TABLE.name, "google.protobuf.BytesValue");
        assert_eq!(<() as Table>::TABLE.name, "google.protobuf.Empty");
        let value = <String as Table>::TABLE.field(1).unwrap();
        assert_eq!(value.ty, ProtoType::Scalar(Scalar::String));
        assert!(<bool as Table>::TABLE.is_well_known());
    }

    #[cfg(feature = "well-known-types")]
    #[test]
    fn prost_types_have_their_fields() {
        let timestamp = <prost_types::Timestamp as Table>::TABLE;
        assert_eq!(timestamp.name, "google.protobuf.Timestamp");
        assert_eq!(timestamp.field(2).unwrap().name, "nanos");
        let value = <prost_types::Value as Table>::TABLE;
        // A oneof's members are found through its field.
        assert_eq!(value.field(5).unwrap().ty.name(), "google.protobuf.Struct");
        assert_eq!(
            value.field(1).unwrap().ty.name(),
            "google.protobuf.NullValue"
        );
    }
}
