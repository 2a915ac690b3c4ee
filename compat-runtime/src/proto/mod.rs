//! Protobuf through prost: the field number is the identity.
//!
//! `#[derive(ProstCompat)]` goes on the types prost generates (or that are written by hand
//! with prost's derives). It reads prost's own attributes (`#[prost(string, tag = "1")]`,
//! `optional`, `repeated`, `map`, `oneof`, `enumeration`), the `@since X.Y.Z` that the
//! `.proto` file's comments carry into the generated `///` docs, and the routes the
//! build-script helper (`proto::build`, feature `proto-build`) attaches through prost-build's
//! `type_attribute`. It writes two tables:
//!
//! - the [`Message`](crate::Message) every `Compat` type has (fields by Rust name, each
//!   field's wire name its number), so the handshake fingerprints it and
//!   [`Session::guard`](crate::Session::guard) guards it like any other message;
//! - the [`ProtoMessage`], by field number, with types, cardinalities, oneofs, enum values
//!   and `reserved` ranges, which the wire lock compares by buf's WIRE rules, within the
//!   window and by direction (`compat_runtime::lock::verify_proto`, feature `lock`).
//!
//! The send guard on a prost message: for a peer at or above every `@since` the message
//! (and the messages and enums it holds) carries, one integer compare. For an older peer,
//! a field it predates that holds a value (not proto3's default, not `None`, not empty) is
//! refused, or cleared by [`Session::prepare`](crate::Session::prepare) when its comment
//! says `@ignorable`; an enum value or a oneof member it predates is refused. That walk
//! reads the message's encoding (prost's `Message::encode`; feature `prost`), where
//! protobuf leaves out exactly what holds nothing: the fields present, by number, are found
//! in the [`ProtoMessage`] (a oneof's members through the oneof's table), the messages they
//! hold walked through their tables and the enum values read; stripping writes the
//! encoding again without the `@ignorable` fields the peer predates and decodes it back.
//! The walk is this crate's code, compiled once: the derive writes one constant per
//! message naming it.
//!
//! `ProstCompat` is re-exported with the feature `prost` (which turns on `macros` and
//! depends on prost, without its derives). A crate of prost messages turns it on:
//!
//! ```toml
//! compat-runtime = { version = "0.1", features = ["prost"] }
//! ```
//!
//! The `.proto` conventions, in comments (which prost-build copies into the generated docs):
//!
//! | comment | on | meaning |
//! |---|---|---|
//! | `@since 0.9.0` | message, enum (required); field, enum value, oneof member, rpc | the release that introduced it |
//! | `@ignorable` | field | an older peer may get the message without it |
//! | `@zero-means-absent` | singular scalar field without `optional` | a zero from an old sender (which never sets it) means the same as an unset value, so the field needs no presence |
//! | `@unknown-handled` | enum | receivers read the field's raw `i32` (`Status::try_from`) and handle numbers they do not know |
//!
//! A field may hold one of protobuf's well-known types (`google.protobuf.Timestamp`, the
//! wrappers, `Empty`, ...) as prost-build maps them: compat knows their tables by their
//! full names (the wrappers and `Empty` always; prost-types' `Timestamp`, `Duration`,
//! `Any`, `FieldMask`, `Struct`, `Value` and `ListValue` with the feature
//! `well-known-types`), and the wire lock compares such a field by that name.

#[cfg(feature = "proto-build")]
#[cfg_attr(docsrs, doc(cfg(feature = "proto-build")))]
pub mod build;
pub mod methods;
mod table;
mod walk;
// The slow path's walk of an encoding: for `ProstCompat` (feature `prost`); its unit
// tests encode with prost, a dev-dependency.
mod well_known;
#[cfg(any(feature = "prost", test))]
mod wire;

pub use methods::Method;
pub use table::{
    Cardinality, Proto, ProtoField, ProtoKind, ProtoMessage, ProtoType, ProtoValue, Scalar, TypeRef,
};

/// What `#[derive(ProstCompat)]` writes refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::table::{
        Cardinality, Proto, ProtoField, ProtoKind, ProtoMessage, ProtoType, ProtoValue, Scalar,
        TypeRef,
    };
    pub use crate::message::__private::field;
    use crate::message::__private::{ENUM, STRUCT_NAMED, message};
    pub use crate::message::{Compat, Field, Kind, Message, Route, Shape, Variant, WireName};

    // Empty lists as constants, for the reason of `__c::NO_FIELDS`: a constant operand
    // costs the compiler no proof per table that it holds no interior mutability.

    /// No routes (a oneof's: it travels as its message does).
    pub const NO_ROUTES: &[Route] = &[];
    /// The fields of an enum's protobuf table.
    pub const NO_PROTO_FIELDS: &[ProtoField] = &[];
    /// The values of a message's or oneof's protobuf table.
    pub const NO_VALUES: &[ProtoValue] = &[];
    /// No `reserved` numbers.
    pub const NO_RESERVED: &[(i32, i32)] = &[];
    /// No `reserved` names.
    pub const NO_NAMES: &[&str] = &[];

    /// A message's protobuf table but for what the derive writes (names, release, routes,
    /// fields and any `reserved`): the base of its struct literal, `..p::AS_MESSAGE`, so
    /// that the kind and the empty lists are not written, type-checked and evaluated per
    /// table (benches/compile_time.sh, the prost family).
    pub const AS_MESSAGE: ProtoMessage = ProtoMessage {
        name: "",
        rust: "",
        since: "",
        kind: ProtoKind::Message,
        routes: NO_ROUTES,
        fields: NO_PROTO_FIELDS,
        values: NO_VALUES,
        reserved: NO_RESERVED,
        reserved_names: NO_NAMES,
    };
    /// An oneof's table but for what the derive writes, as [`AS_MESSAGE`]; no routes: a
    /// oneof travels as its message does.
    pub const AS_ONEOF: ProtoMessage = ProtoMessage {
        kind: ProtoKind::Oneof,
        ..AS_MESSAGE
    };
    /// An enum's table but for what the derive writes, as [`AS_MESSAGE`].
    pub const AS_ENUM: ProtoMessage = ProtoMessage {
        kind: ProtoKind::Enum,
        ..AS_MESSAGE
    };

    /// A message's, enum's or oneof's table, as a row's type names it: `__p::table::<T>`.
    pub type TableFn = fn() -> &'static ProtoMessage;

    /// A row's type code for a message: its table is the next of the row list's tables.
    /// Below it, a scalar's index in [`Scalar::ALL`] (`.proto` order, as prost-build's
    /// attribute names them).
    const MESSAGE_CODE: u8 = 15;
    /// A row's type code for an enum, by the next table.
    const ENUM_CODE: u8 = 16;

    /// A row's type and cardinality from their code, `number * 1024 + type * 32 +
    /// cardinality` (the field's number is read from it with a shift, see
    /// [`proto_fields_of`]). A number
    /// rather than `p`'s constants in the rows: a literal costs the compiler less than a
    /// path to resolve, type-check and evaluate, and one literal less than two in a tuple
    /// (benches/compile_time.sh, the prost family). The type: see `MESSAGE_CODE`; 17, a
    /// oneof. The cardinality: 0 implicit, 1 optional, 2 required, 3 repeated, `4 + k` a
    /// map whose key is `Scalar::ALL[k]`. `$next` counts the tables taken. A macro rather
    /// than a `const fn`: the compiler evaluates the rows' loops at compile time, where a
    /// call per row (a stack frame to push) costs more than the decoding itself.
    macro_rules! decode {
        ($code:expr, $tables:expr, $next:ident) => {{
            let (ty, cardinality) = ((($code >> 5) & 31) as u8, ($code & 31) as u8);
            let ty = if ty < MESSAGE_CODE {
                ProtoType::Scalar(Scalar::ALL[ty as usize])
            } else {
                let table = TypeRef($tables[$next]);
                $next += 1;
                match ty {
                    MESSAGE_CODE => ProtoType::Message(table),
                    ENUM_CODE => ProtoType::Enum(table),
                    _ => ProtoType::Oneof(table),
                }
            };
            let cardinality = match cardinality {
                0 => Cardinality::Implicit,
                1 => Cardinality::Optional,
                2 => Cardinality::Required,
                3 => Cardinality::Repeated,
                key => Cardinality::Map(Scalar::ALL[(key - 4) as usize]),
            };
            (ty, cardinality)
        }};
    }

    /// A prost type's `Message` table over `$base` (one of `message`'s tables): its name,
    /// travelling as written, its releases, its routes, and its fields or variants. A
    /// macro, as `decode!` is: the tables' const fns call nothing for the compiler to
    /// interpret per table.
    macro_rules! over {
        ($base:expr, $name:expr, $since:expr, $newest:expr, $routes:expr, $parts:ident) => {
            Message {
                name: $name,
                wire: WireName {
                    serialize: $name,
                    deserialize: $name,
                    aliases: &[],
                },
                since: $since,
                newest: $newest,
                routes: $routes,
                $parts,
                ..$base
            }
        };
    }

    /// A prost message's `Message` table: [`message`]'s with a message's kind and no
    /// variants, two paths fewer per table for the compiler to resolve and check. Over a
    /// constant base rather than a call of [`message`]: the compiler interprets each call
    /// at compile time, at a cost per table (benches/compile_time.sh, the prost family).
    pub const fn struct_message(
        name: &'static str,
        since: &'static str,
        newest: u64,
        routes: &'static [Route],
        fields: &'static [Field],
    ) -> Message {
        over!(STRUCT_BASE, name, since, newest, routes, fields)
    }

    /// A prost enum's or oneof's `Message` table: [`message`]'s with an enum's kind and
    /// no fields, as [`struct_message`].
    pub const fn enum_message(
        name: &'static str,
        since: &'static str,
        newest: u64,
        routes: &'static [Route],
        variants: &'static [Variant],
    ) -> Message {
        over!(ENUM_BASE, name, since, newest, routes, variants)
    }

    /// [`message`]'s defaults for a prost message, the base of [`struct_message`].
    const STRUCT_BASE: Message = message("", "", 0, &[], STRUCT_NAMED, &[], &[]);
    /// [`message`]'s defaults for a prost enum or oneof, the base of [`enum_message`].
    const ENUM_BASE: Message = message("", "", 0, &[], ENUM, &[], &[]);

    /// `N` variants named by `$names`, each travelling as the number (text) at its place in
    /// `$numbers`, then `$rest` for each `$v` at `$i`. A macro, as `decode!` is.
    macro_rules! numbered {
        ($names:ident, $numbers:ident, |$v:ident, $i:ident| $rest:expr) => {{
            let mut out = [VARIANT; N];
            let mut $i = 0;
            while $i < N {
                let $v = &mut out[$i];
                $v.name = $names[$i];
                $v.wire.serialize = $numbers[$i];
                $v.wire.deserialize = $numbers[$i];
                $rest;
                $i += 1;
            }
            out
        }};
    }

    /// A oneof's members in its `Message` table, from their names and numbers in two lists
    /// and their one field each (`fields`, from [`member_fields`]): a member's number is
    /// its wire name, its one field the value it holds. One call per oneof rather than one
    /// per member (and one per member's field), lists rather than a tuple per member, and
    /// no call per member inside, for the compiler to check and interpret
    /// (benches/compile_time.sh, the prost family).
    pub const fn members<const N: usize>(
        names: [&'static str; N],
        numbers: [&'static str; N],
        fields: &'static [[Field; 1]; N],
    ) -> [Variant; N] {
        numbered!(names, numbers, |v, i| {
            v.since = fields[i][0].since;
            v.shape = Shape::Tuple;
            v.fields = &fields[i];
        })
    }

    /// The one field of each of a oneof's members (see [`members`]): the value it holds,
    /// `0`, with the member's release and type.
    pub const fn member_fields<const N: usize>(
        sinces: [&'static str; N],
        types: [&'static str; N],
    ) -> [[Field; 1]; N] {
        let mut out = [[MEMBER_FIELD]; N];
        let mut i = 0;
        while i < N {
            out[i][0].since = sinces[i];
            out[i][0].ty = types[i];
            i += 1;
        }
        out
    }

    /// An enum's values in its `Message` table, from their names, numbers (as text: a
    /// value's number is its wire name) and releases in three lists: one call per enum
    /// rather than one per value, for the compiler to check and interpret
    /// (benches/compile_time.sh, the prost family).
    pub const fn values<const N: usize>(
        names: [&'static str; N],
        numbers: [&'static str; N],
        sinces: [&'static str; N],
    ) -> [Variant; N] {
        numbered!(names, numbers, |v, i| v.since = sinces[i])
    }

    /// A field with the defaults of a prost message's fields, which [`fields`] fills in: a
    /// constant, not a call the compiler would interpret per table.
    const FIELD: Field = field("", "", "", true);
    /// The one field of a oneof's member, the value it holds (see [`member_fields`]).
    const MEMBER_FIELD: Field = field("0", "", "", true);

    /// A variant with the defaults of a prost type's members and values.
    const VARIANT: Variant = Variant {
        name: "",
        wire: WireName {
            serialize: "",
            deserialize: "",
            aliases: &[],
        },
        rename_all: crate::message::__private::NO_RULE,
        since: "",
        catch_all: false,
        shape: Shape::Unit,
        fields: &[],
        fallback: None,
    };

    /// A message's fields for its `Message` table, from their names, types and numbers in
    /// three lists: every proto3 field defaults, and its wire name is its number. Each was
    /// released with the message (`since`) and is not ignorable, but those `newer` names by
    /// index: `(index, since, ignorable)`. One call with a loop rather than an expression
    /// per field: fewer tokens and no trait solve per entry for the compiler (the reasoning
    /// of `__c::fields`), and lists of strings rather than a tuple per field, which the
    /// compiler type-checks, borrow-checks and evaluates at a cost per tuple
    /// (benches/compile_time.sh, the prost family).
    pub const fn fields<const N: usize, const K: usize>(
        since: &'static str,
        names: [&'static str; N],
        types: [&'static str; N],
        numbers: [&'static str; N],
        newer: [(usize, &'static str, bool); K],
    ) -> [Field; N] {
        let mut base = FIELD;
        base.since = since;
        let mut out = [base; N];
        let mut i = 0;
        while i < N {
            let f = &mut out[i];
            f.name = names[i];
            f.ty = types[i];
            f.wire.serialize = numbers[i];
            f.wire.deserialize = numbers[i];
            i += 1;
        }
        let mut k = 0;
        while k < K {
            let (index, since, ignorable) = newer[k];
            out[index].since = since;
            out[index].ignorable = ignorable;
            k += 1;
        }
        out
    }

    /// The fields of a message's protobuf table: each field's name, release and
    /// `ignorable` read from its `Message` table (`fields`, in the same order); its number,
    /// type and cardinality from one code each (see `decode!`: a shift rather than
    /// parsing the wire name's digits, which the compiler interprets step by step), the
    /// indexes of the
    /// `deprecated` ones apart (most are not: a literal fewer per row), the tables of the
    /// types the rows name from `tables`, in row order. Each name and release is written
    /// once for both tables (benches/compile_time.sh, the prost family).
    pub const fn proto_fields_of<const N: usize, const D: usize, const T: usize>(
        fields: &'static [Field],
        wire: [u64; N],
        deprecated: [usize; D],
        tables: [TableFn; T],
    ) -> [ProtoField; N] {
        let mut out = [EMPTY; N];
        let (mut i, mut next) = (0, 0);
        while i < N {
            let (ty, cardinality) = decode!(wire[i], tables, next);
            let field = &fields[i];
            out[i] = ProtoField {
                number: (wire[i] >> 10) as u32,
                name: field.name,
                since: field.since,
                ty,
                cardinality,
                ignorable: field.ignorable,
                deprecated: false,
            };
            i += 1;
        }
        let mut d = 0;
        while d < D {
            out[deprecated[d]].deprecated = true;
            d += 1;
        }
        out
    }

    const EMPTY: ProtoField = ProtoField {
        number: 0,
        name: "",
        since: "",
        ty: ProtoType::Scalar(Scalar::Bool),
        cardinality: Cardinality::Implicit,
        ignorable: false,
        deprecated: false,
    };

    /// The members of a oneof's protobuf table: each member's name and release read from
    /// its `Message` table (`variants`, in the same order), its number, type and
    /// cardinality from one code each (see `decode!`), the indexes of the `ignorable` and
    /// the `deprecated` ones apart, the tables of the types the members name from
    /// `tables`, in member order.
    pub const fn proto_members<const N: usize, const I: usize, const D: usize, const T: usize>(
        variants: &'static [Variant],
        codes: [u64; N],
        ignorable: [usize; I],
        deprecated: [usize; D],
        tables: [TableFn; T],
    ) -> [ProtoField; N] {
        let mut out = [EMPTY; N];
        let (mut i, mut next) = (0, 0);
        while i < N {
            let (ty, cardinality) = decode!(codes[i], tables, next);
            let variant = &variants[i];
            out[i] = ProtoField {
                number: (codes[i] >> 10) as u32,
                name: variant.name,
                since: variant.since,
                ty,
                cardinality,
                ignorable: false,
                deprecated: false,
            };
            i += 1;
        }
        let mut k = 0;
        while k < I {
            out[ignorable[k]].ignorable = true;
            k += 1;
        }
        let mut d = 0;
        while d < D {
            out[deprecated[d]].deprecated = true;
            d += 1;
        }
        out
    }

    /// An enum's values in its protobuf table: each value's name and release read from
    /// its `Message` table (`variants`, in the same order), its number from `numbers`.
    pub const fn proto_values<const N: usize>(
        variants: &'static [Variant],
        numbers: [i32; N],
    ) -> [ProtoValue; N] {
        let mut out = [ProtoValue {
            name: "",
            number: 0,
            since: "",
        }; N];
        let mut i = 0;
        while i < N {
            out[i] = ProtoValue {
                name: variants[i].name,
                number: numbers[i],
                since: variants[i].since,
            };
            i += 1;
        }
        out
    }

    pub use super::walk::{W, Walk, Wire};

    /// The type of `Compat::__WIRE`, for the derive to write without naming `Option`
    /// (which a `.proto` file may define as a message of its own).
    pub type Slow<T> = Option<Wire<T>>;
    pub use super::well_known::Table;

    /// The table of `T` (a type that derives `ProstCompat`, or a well-known type), as a
    /// function for [`TypeRef`].
    pub fn table<T: Table + ?Sized>() -> &'static ProtoMessage {
        T::TABLE
    }
}
