//! The tables `#[derive(Compat)]` writes: what each message, field and variant is, and
//! since which release.
//!
//! Every type that derives [`Compat`](trait@Compat) carries a `'static` [`Message`]
//! describing its wire shape: its first release, the components that exchange it, and
//! for each field or variant the release that introduced it, whether a receiver can
//! fill it in, whether a sender may drop it, and whether it is deprecated. The
//! handshake, the send guard and the wire lock read these tables; nothing here
//! allocates.
//!
//! ```
//! use compat_runtime::{Compat, Kind, Shape};
//!
//! #[derive(Compat)]
//! #[compat(from = "agent", to = "server")]
//! #[since("0.0.9")]
//! pub struct AttestRequest {
//!     pub node: String,
//!     #[since("0.1.0")]
//!     pub selectors: Option<Vec<String>>,
//! }
//!
//! let message = AttestRequest::MESSAGE;
//! assert_eq!(message.name, "AttestRequest");
//! assert_eq!(message.since, "0.0.9");
//! assert_eq!(message.kind, Kind::Struct(Shape::Named));
//! assert!(message.sends("agent", "server"));
//! assert_eq!(message.field("selectors").unwrap().since, "0.1.0");
//! assert!(message.field("selectors").unwrap().default);
//! ```

/// A type with a compatibility table; implemented by `#[derive(Compat)]`.
///
/// ```
/// use compat_runtime::Compat;
///
/// #[derive(Compat)]
/// #[compat(between = ["server"])]
/// #[since("0.1.0")]
/// pub struct Heartbeat(u64);
///
/// fn describe<M: Compat>() -> String {
///     format!("{} (since {})", M::MESSAGE.name, M::MESSAGE.since)
/// }
/// assert_eq!(describe::<Heartbeat>(), "Heartbeat (since 0.1.0)");
/// ```
pub trait Compat {
    /// The table of this type.
    const MESSAGE: &'static Message;
}

/// A message type: a struct or enum that derives [`Compat`](trait@Compat).
///
/// Versions are `MAJOR.MINOR.PATCH` release strings, checked by the derive; parse them
/// with [`semver::Version::parse`] where an ordering is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Message {
    /// The type's name, as written in Rust.
    pub name: &'static str,
    /// The release that first shipped the message: `#[since("0.8.0")]`.
    pub since: &'static str,
    /// The directions the message travels in (every `from`/`to` pair, every `between`
    /// pair, or each of `routes`), in the order written; empty when it declares none.
    pub routes: &'static [Route],
    /// Struct or enum, and how its fields are written.
    pub kind: Kind,
    /// The fields of a struct, in declaration order; empty for an enum.
    pub fields: &'static [Field],
    /// The variants of an enum, in declaration order; empty for a struct.
    pub variants: &'static [Variant],
}

impl Message {
    /// The field called `name` (for a tuple struct, its index: `"0"`).
    ///
    /// ```
    /// use compat_runtime::Compat;
    ///
    /// #[derive(Compat)]
    /// #[since("0.1.0")]
    /// pub struct Ping { pub id: u64 }
    ///
    /// assert_eq!(Ping::MESSAGE.field("id").unwrap().name, "id");
    /// assert!(Ping::MESSAGE.field("nonce").is_none());
    /// ```
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The variant called `name`.
    ///
    /// ```
    /// use compat_runtime::Compat;
    ///
    /// #[derive(Compat)]
    /// #[since("0.1.0")]
    /// pub enum Command {
    ///     Stop,
    ///     #[compat(other)]
    ///     Unknown,
    /// }
    ///
    /// assert!(Command::MESSAGE.variant("Unknown").unwrap().catch_all);
    /// assert!(Command::MESSAGE.catch_all().is_some());
    /// ```
    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|variant| variant.name == name)
    }

    /// The variant that receives variants this release does not know, if any.
    pub fn catch_all(&self) -> Option<&'static Variant> {
        self.variants.iter().find(|variant| variant.catch_all)
    }

    /// Whether the message travels from component `from` to component `to`.
    ///
    /// ```
    /// use compat_runtime::Compat;
    ///
    /// #[derive(Compat)]
    /// #[compat(between = ["server", "agent"])]
    /// #[since("0.1.0")]
    /// pub struct Bye;
    ///
    /// assert!(Bye::MESSAGE.sends("server", "agent"));
    /// assert!(Bye::MESSAGE.sends("agent", "server"));
    /// assert!(!Bye::MESSAGE.sends("server", "server"));
    /// ```
    pub fn sends(&self, from: &str, to: &str) -> bool {
        self.routes
            .iter()
            .any(|route| route.from == from && route.to == to)
    }
}

/// One direction a message travels in: from a sending component to a receiving one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// The sending component, as named in the policy.
    pub from: &'static str,
    /// The receiving component.
    pub to: &'static str,
}

/// Whether a message is a struct or an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A struct, with the shape of its fields.
    Struct(Shape),
    /// An enum; see [`Message::variants`].
    Enum,
}

/// How the fields of a struct or variant are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `{ name: Type }`.
    Named,
    /// `(Type)`: fields are named by their index.
    Tuple,
    /// No fields.
    Unit,
}

/// A field of a struct or variant. Fields marked `#[serde(skip)]` never travel and are
/// left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's name, or its index in a tuple.
    pub name: &'static str,
    /// The release that introduced the field: its `#[since]`, or else its message's (or
    /// variant's).
    pub since: &'static str,
    /// The field's Rust type as written (`Option<Vec<String>>`); the wire lock compares it.
    pub ty: &'static str,
    /// Whether a receiver fills the field in when a sender leaves it out: `Option<_>`,
    /// `#[serde(default)]` on the field or its struct, `#[serde(skip_deserializing)]`, or
    /// `#[compat(default)]` (for a hand-written `Deserialize`; serde does not read it).
    pub default: bool,
    /// `#[compat(ignorable)]`: a sender may drop the field when its peer is too old to
    /// know it, instead of refusing to send.
    pub ignorable: bool,
    /// `#[compat(deprecated = "...")]`.
    pub deprecated: Option<Deprecation>,
}

/// When a field was deprecated and why: `#[compat(deprecated = "0.9.0", note = "...")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Deprecation {
    /// The release that deprecated the field.
    pub since: &'static str,
    /// What to use instead, if given.
    pub note: Option<&'static str>,
}

/// A variant of an enum. Variants marked `#[serde(skip)]` never travel and are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The variant's name.
    pub name: &'static str,
    /// The release that introduced the variant: its `#[since]`, or else its enum's.
    pub since: &'static str,
    /// Whether unknown variants decode into this one: `#[compat(other)]` or
    /// `#[serde(other)]`.
    pub catch_all: bool,
    /// How the variant's fields are written.
    pub shape: Shape,
    /// The variant's fields.
    pub fields: &'static [Field],
}

/// What the code `#[derive(Compat)]` generates refers to; not a public API. The tables are
/// struct literals: temporary lifetime extension makes each whole table one `'static`
/// constant, which is the cheapest form for the compiler to check.
#[doc(hidden)]
pub mod __private {
    pub use super::{Deprecation, Field, Kind, Message, Route, Shape, Variant};
}
