//! The protobuf tables `#[derive(ProstCompat)]` writes: each message, enum and oneof by
//! what identifies it on the wire, the field number (or the enum value's number), with the
//! release that introduced it.
//!
//! These sit beside the [`Message`](crate::Message) table every `Compat` type carries
//! (which the handshake's fingerprint and the send guard read): the proto table adds what
//! protobuf's own compatibility rules need, and the wire lock records it.

use crate::message::{Compat, Route};

/// A prost type with a protobuf table; implemented by `#[derive(ProstCompat)]`.
///
/// ```
/// # #[cfg(feature = "prost")] {
/// use compat_runtime::ProstCompat;
/// use compat_runtime::proto::{Cardinality, Proto, Scalar, ProtoType};
///
/// #[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
/// #[compat(proto = "spire.Ping", from = "agent", to = "server")]
/// /// @since 0.0.8
/// pub struct Ping {
///     #[prost(string, tag = "1")]
///     pub node: String,
///     /// @since 0.0.9
///     #[prost(uint32, optional, tag = "2")]
///     pub retries: Option<u32>,
/// }
///
/// let retries = Ping::PROTO.field(2).unwrap();
/// assert_eq!((retries.name, retries.since), ("retries", "0.0.9"));
/// assert_eq!(retries.ty, ProtoType::Scalar(Scalar::Uint32));
/// assert_eq!(retries.cardinality, Cardinality::Optional);
/// assert_eq!(Ping::PROTO.name, "spire.Ping");
/// # }
/// ```
pub trait Proto: Compat {
    /// The protobuf table of this type.
    const PROTO: &'static ProtoMessage;
}

/// A message, enum or oneof, as protobuf sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoMessage {
    /// The full protobuf name (`spire.api.node.v1.AttestRequest`) where the build-script
    /// helper named it (`#[compat(proto = "...")]`), else the Rust name. A oneof is named
    /// after its message: `spire.api.node.v1.AttestRequest.params`.
    pub name: &'static str,
    /// The Rust type's name.
    pub rust: &'static str,
    /// The release that first shipped it.
    pub since: &'static str,
    /// Message, enum or oneof.
    pub kind: ProtoKind,
    /// The directions it travels in (for a oneof, empty: it travels as its message does).
    pub routes: &'static [Route],
    /// The fields of a message (a oneof field stands for its members, see
    /// [`ProtoType::Oneof`]), or the members of a oneof; empty for an enum.
    pub fields: &'static [ProtoField],
    /// The values of an enum; empty otherwise.
    pub values: &'static [ProtoValue],
    /// `reserved` numbers: ranges, both ends included.
    pub reserved: &'static [(i32, i32)],
    /// `reserved` names.
    pub reserved_names: &'static [&'static str],
}

impl ProtoMessage {
    /// The field (or oneof member) with this number, looking into the message's oneofs.
    pub fn field(&self, number: u32) -> Option<&'static ProtoField> {
        self.fields.iter().find_map(|field| match field.ty {
            ProtoType::Oneof(oneof) => oneof.get().fields.iter().find(|f| f.number == number),
            _ => (field.number == number).then_some(field),
        })
    }

    /// The enum value with this number.
    pub fn value(&self, number: i32) -> Option<&'static ProtoValue> {
        self.values.iter().find(|value| value.number == number)
    }

    /// Whether this is one of protobuf's well-known types (`google.protobuf.Timestamp`,
    /// `google.protobuf.Int64Value`, ...), which protobuf itself defines and never changes:
    /// the wire lock records a field of one by its name, not the type's fields.
    ///
    /// ```
    /// # #[cfg(feature = "prost")] {
    /// use compat_runtime::ProstCompat;
    /// use compat_runtime::proto::{Proto, ProtoType};
    ///
    /// #[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
    /// #[compat(proto = "spire.Ping", from = "agent", to = "server")]
    /// /// @since 0.0.8
    /// pub struct Ping {
    ///     #[prost(message, optional, tag = "1")]
    ///     pub retries: Option<u32>, // google.protobuf.UInt32Value
    /// }
    ///
    /// let ProtoType::Message(retries) = Ping::PROTO.field(1).unwrap().ty else { panic!() };
    /// assert_eq!(retries.get().name, "google.protobuf.UInt32Value");
    /// assert!(retries.get().is_well_known());
    /// assert!(!Ping::PROTO.is_well_known());
    /// # }
    /// ```
    pub fn is_well_known(&self) -> bool {
        self.name.starts_with("google.protobuf.")
    }

    /// The newest release, packed ([`guard::pack`](crate::guard::pack)), of the type and
    /// of every message, oneof and enum it may hold however deep (itself, if it holds
    /// itself): the newest `since` of their tables, their fields', members' and values'.
    /// What the send guard's fast path ([`Guard::newest`](crate::Guard::newest)) must
    /// answer, there from the figure compat's build helper computes over the descriptor
    /// set (`#[compat(within = "...")]`); the tests compare the two.
    pub fn newest_held(&self) -> u64 {
        let mut newest = 0;
        let mut seen = vec![self.name];
        let mut stack = vec![self];
        while let Some(table) = stack.pop() {
            let parts = table.fields.iter().map(|f| f.since);
            let values = table.values.iter().map(|v| v.since);
            for since in std::iter::once(table.since).chain(parts).chain(values) {
                newest = newest.max(crate::packed::pack_release(since));
            }
            for field in table.fields {
                if let ProtoType::Message(held) | ProtoType::Enum(held) | ProtoType::Oneof(held) =
                    field.ty
                {
                    let held = held.get();
                    if !seen.contains(&held.name) {
                        seen.push(held.name);
                        stack.push(held);
                    }
                }
            }
        }
        newest
    }

    /// Whether `number` is reserved.
    pub fn reserves(&self, number: i32) -> bool {
        self.reserved
            .iter()
            .any(|&(start, end)| start <= number && number <= end)
    }
}

/// What a [`ProtoMessage`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtoKind {
    /// A `message` (prost's `#[derive(Message)]`).
    Message,
    /// An `enum` (prost's `#[derive(Enumeration)]`), open: a prost field holds any `i32`.
    Enum,
    /// A `oneof` (prost's `#[derive(Oneof)]`): its members are fields of its message.
    Oneof,
}

/// A field of a message, or a member of a oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoField {
    /// The field number, its identity on the wire. 0 for a oneof field, whose members carry
    /// the numbers.
    pub number: u32,
    /// The field's name in Rust (prost's snake case of the `.proto` name).
    pub name: &'static str,
    /// The release that introduced it.
    pub since: &'static str,
    /// Its type (a map's value type).
    pub ty: ProtoType,
    /// Singular with or without presence, repeated, or a map.
    pub cardinality: Cardinality,
    /// `@ignorable` in its comment (or `#[compat(ignorable)]`): a sender may clear it for a
    /// peer that predates it, instead of refusing to send.
    pub ignorable: bool,
    /// `[deprecated = true]` in the `.proto` (prost writes `#[deprecated]`).
    pub deprecated: bool,
}

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtoType {
    /// A scalar: numbers, `bool`, `string`, `bytes`.
    Scalar(Scalar),
    /// A message, by its table.
    Message(TypeRef),
    /// An enum (`enumeration = "..."`), by its table.
    Enum(TypeRef),
    /// A oneof field, whose members (in the oneof's table) are fields of this message.
    Oneof(TypeRef),
}

impl ProtoType {
    /// The type as a `.proto` file writes it: `int32`, or the full name of a message or enum.
    pub fn name(&self) -> &'static str {
        match self {
            ProtoType::Scalar(scalar) => scalar.as_str(),
            ProtoType::Message(table) | ProtoType::Enum(table) | ProtoType::Oneof(table) => {
                table.get().name
            }
        }
    }
}

/// Another type's table, reached through a function so that a message may hold itself
/// (`repeated Node children`) without a constant that refers to itself.
#[derive(Clone, Copy)]
pub struct TypeRef(pub fn() -> &'static ProtoMessage);

impl TypeRef {
    /// The table.
    pub fn get(&self) -> &'static ProtoMessage {
        (self.0)()
    }
}

impl core::fmt::Debug for TypeRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.get().name)
    }
}

/// Two references are equal when they name the same type.
impl PartialEq for TypeRef {
    fn eq(&self, other: &Self) -> bool {
        self.get().name == other.get().name
    }
}

impl Eq for TypeRef {}

/// A field's cardinality, with proto3's two kinds of singular field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cardinality {
    /// A proto3 singular scalar or enum without `optional`: absent and zero read the same.
    Implicit,
    /// `optional`, a message field, or a oneof member: a receiver can tell absent from zero.
    Optional,
    /// proto2 `required`.
    Required,
    /// `repeated`.
    Repeated,
    /// `map<K, V>`, with its key type.
    Map(Scalar),
}

impl Cardinality {
    /// As buf names the cardinalities: `optional_implicit`, `optional_explicit`,
    /// `required`, `repeated`, `map`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Cardinality::Implicit => "optional_implicit",
            Cardinality::Optional => "optional_explicit",
            Cardinality::Required => "required",
            Cardinality::Repeated => "repeated",
            Cardinality::Map(_) => "map",
        }
    }
}

/// An enum value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoValue {
    /// The variant's name in Rust.
    pub name: &'static str,
    /// Its number on the wire.
    pub number: i32,
    /// The release that introduced it.
    pub since: &'static str,
}

macro_rules! scalars {
    ($($variant:ident $text:literal,)*) => {
        /// A protobuf scalar type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs, reason = "each is the `.proto` type of its name")]
        pub enum Scalar {
            $($variant,)*
        }

        impl Scalar {
            /// Every scalar, in the order of their codes in the derive's rows (see
            /// `__p::proto_fields_of`).
            pub(crate) const ALL: &'static [Scalar] = &[$(Scalar::$variant,)*];

            /// As a `.proto` file writes it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Scalar::$variant => $text,)*
                }
            }

            /// The scalar a `.proto` file (or prost's attribute) writes as `text`.
            pub fn from_proto(text: &str) -> Option<Scalar> {
                match text {
                    $($text => Some(Scalar::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

scalars! {
    Double "double",
    Float "float",
    Int32 "int32",
    Int64 "int64",
    Uint32 "uint32",
    Uint64 "uint64",
    Sint32 "sint32",
    Sint64 "sint64",
    Fixed32 "fixed32",
    Fixed64 "fixed64",
    Sfixed32 "sfixed32",
    Sfixed64 "sfixed64",
    Bool "bool",
    String "string",
    Bytes "bytes",
}

impl Scalar {
    /// The scalars a receiver decodes each other's bytes as (buf's
    /// `FIELD_WIRE_COMPATIBLE_TYPE`): the varints `int32`, `uint32`, `int64`, `uint64` and
    /// `bool`; the zigzag varints `sint32` and `sint64`; `fixed32` and `sfixed32`; `fixed64`
    /// and `sfixed64`. `string` may become `bytes` (not back: a receiver checks UTF-8).
    pub fn wire_compatible(self, now: Scalar) -> bool {
        use Scalar::{
            Bool, Bytes, Fixed32, Fixed64, Int32, Int64, Sfixed32, Sfixed64, Sint32, Sint64,
            String, Uint32, Uint64,
        };
        let family = |s: Scalar| match s {
            Int32 | Uint32 | Int64 | Uint64 | Bool => 1,
            Sint32 | Sint64 => 2,
            Fixed32 | Sfixed32 => 3,
            Fixed64 | Sfixed64 => 4,
            _ => 0,
        };
        self == now
            || (self == String && now == Bytes)
            || (family(self) != 0 && family(self) == family(now))
    }
}
