//! The tables `#[derive(Compat)]` writes: what each message, field and variant is, and
//! since which release.
//!
//! Every type that derives [`Compat`](trait@Compat) carries a `'static` [`Message`]
//! describing its wire shape: its first release, the components that exchange it, how
//! serde lays it out ([`Representation`]), and for each field or variant its Rust name
//! and its name on the wire ([`WireName`]: serde's renames, case conventions and
//! aliases applied), the release that introduced it, whether a receiver can fill it in,
//! whether a sender may leave it out or drop it, whether it is flattened, and whether it
//! is deprecated. The handshake, the send guard and the wire lock read these tables;
//! nothing here allocates.
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

use crate::packed::pack_release;
use crate::proto::__private::Wire;
use crate::unreadable::{Part, Unknown};

mod carried;
mod travels;

pub use crate::codec::Codec;
pub use travels::Travels;

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
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no compatibility table: it does not derive `Compat`",
    label = "`{Self}` does not derive `Compat`",
    note = "add `#[derive(Compat)]` (with its `#[since]`) to `{Self}`: a message lists only types with tables, and a `#[serde(flatten)]` field travels as its type's own fields, which only its table describes"
)]
pub trait Compat {
    /// The table of this type.
    const MESSAGE: &'static Message;

    // The send guard's code for this type, which the derive writes next to the table (one
    // impl per message for the compiler to check, not two). Used through
    // [`Guard`](crate::Guard), which every `Compat` type has; not an API of its own. The
    // defaults say: nothing nested, nothing unreadable but the message itself, nothing to
    // strip; or, for a prost message with a `__WIRE`, what the walk of its encoding says.

    /// The newest release of the type and of everything it may hold, at any depth, when
    /// something computed it whole: for a prost message, compat's build helper, over the
    /// descriptor set (`#[compat(within = "...")]`; exact even for a type that holds
    /// itself). By default the type's own newest, which is the whole answer for a type
    /// that holds no other; a type that does and has no such figure overrides
    /// `__newest_within` instead.
    #[doc(hidden)]
    const __NEWEST_WITHIN: u64 = Self::MESSAGE.newest;

    #[doc(hidden)]
    #[inline]
    fn __newest_within(depth: u32) -> u64 {
        let _ = depth;
        Self::__NEWEST_WITHIN
    }

    /// A prost message's slow path, on its encoding (`#[derive(ProstCompat)]` sets it; see
    /// `proto/wire.rs`): `__unreadable`, `__needs_strip` and `__strip` call its functions.
    /// One constant per message for the compiler to check, where three methods walked the
    /// fields one by one.
    #[doc(hidden)]
    const __WIRE: Option<Wire<Self>> = None;

    #[doc(hidden)]
    #[inline]
    fn __unreadable(&self, peer: u64) -> Option<Unknown> {
        if let Some(wire) = Self::__WIRE {
            return (wire.unreadable)(self, peer);
        }
        let since = const { pack_release(Self::MESSAGE.since) };
        (peer < since).then_some(Unknown {
            message: Self::MESSAGE.name,
            part: Part::Message,
            since: Self::MESSAGE.since,
        })
    }

    #[doc(hidden)]
    #[inline]
    fn __needs_strip(&self, peer: u64) -> bool {
        match Self::__WIRE {
            Some(wire) => (wire.needs_strip)(self, peer),
            None => false,
        }
    }

    #[doc(hidden)]
    #[inline]
    fn __strip(&mut self, peer: u64) {
        if let Some(wire) = Self::__WIRE {
            (wire.strip)(self, peer);
        }
    }

    /// The value in the form a peer at `peer` reads, made from the borrow, when it is a
    /// variant the peer predates that has a fallback (`#[compat(fallback = "...")]`, followed
    /// down its chain), or a newtype variant whose one field is such a value; with what
    /// was degraded, unnoted ([`Fell`]). `None` otherwise.
    #[doc(hidden)]
    #[inline]
    fn __degrade(&self, peer: u64) -> Option<(Self, Fell)>
    where
        Self: Sized,
    {
        let _ = peer;
        None
    }
}

/// One value [`Compat::__degrade`] made in an older form: the enum, the variant the value
/// was and the one it became (indexes in the enum's table), and whether the derive proved
/// the result readable by the peer (the variant it ended as, and every part that variant
/// may hold, no newer than the peer), so that [`Session::prepare`](crate::Session::prepare)
/// neither strips nor guards it again. Noted and reported by `crate::fallback`; made by the
/// code `#[derive(Compat)]` writes; not a public API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Fell {
    pub(crate) message: &'static Message,
    pub(crate) from: usize,
    pub(crate) into: usize,
    pub(crate) readable: bool,
}

impl Fell {
    /// `message`'s variant `from` sent as its variant `into`; `readable` when the peer is
    /// known to read the result whole.
    #[inline]
    pub const fn new(message: &'static Message, from: usize, into: usize, readable: bool) -> Self {
        Fell {
            message,
            from,
            into,
            readable,
        }
    }

    /// The same value, now the field of a variant of another message: still readable only
    /// if the peer reads that variant too.
    #[inline]
    #[must_use]
    pub const fn within(self, readable: bool) -> Self {
        Fell {
            readable: self.readable && readable,
            ..self
        }
    }
}

/// serde writes a `Box<M>` as the `M` it holds, so it has `M`'s table and is guarded as `M`
/// is, which is how the guard walks into `Box<M>`, `Option<Box<M>>` and `Vec<Box<M>>`
/// fields.
// Not offered as a hint when a type lacks a table: the fix is to derive it.
#[diagnostic::do_not_recommend]
impl<M: Compat> Compat for Box<M> {
    const MESSAGE: &'static Message = M::MESSAGE;

    #[inline]
    fn __newest_within(depth: u32) -> u64 {
        M::__newest_within(depth)
    }

    #[inline]
    fn __unreadable(&self, peer: u64) -> Option<Unknown> {
        (**self).__unreadable(peer)
    }

    #[inline]
    fn __needs_strip(&self, peer: u64) -> bool {
        (**self).__needs_strip(peer)
    }

    #[inline]
    fn __strip(&mut self, peer: u64) {
        (**self).__strip(peer);
    }

    #[inline]
    fn __degrade(&self, peer: u64) -> Option<(Self, Fell)> {
        (**self)
            .__degrade(peer)
            .map(|(to, fell)| (Box::new(to), fell))
    }
}

/// A message type: a struct or enum that derives [`Compat`](trait@Compat).
///
/// Versions are `MAJOR.MINOR.PATCH` release strings, checked by the derive; parse them
/// with [`semver::Version::parse`] where an ordering is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Message {
    /// The type's name, as written in Rust.
    pub name: &'static str,
    /// The type's name as serde writes and reads it: `#[serde(rename = "...")]` on the
    /// type, or else [`name`](Self::name). Self-describing formats such as JSON do not
    /// carry it; an internally tagged struct does (`{"type":"Ping",...}`).
    pub wire: WireName,
    /// How serde lays the message out: for an enum, how its variants are tagged; for a
    /// struct, whether it carries a tag or stands for its only field.
    pub representation: Representation,
    /// `#[serde(rename_all = "...")]`: the case convention applied to the names of the
    /// fields of a struct, or of the variants of an enum (already applied in each
    /// [`WireName`]).
    pub rename_all: RenameAll,
    /// `#[serde(rename_all_fields = "...")]` on an enum: the case convention applied to
    /// the fields of every variant that has no `rename_all` of its own.
    pub rename_all_fields: RenameAll,
    /// The release that first shipped the message: `#[since("0.8.0")]`.
    pub since: &'static str,
    /// The newest release any part of the message introduced (the message, its fields, its
    /// variants and theirs), packed as [`guard::pack`](crate::guard::pack) does: what
    /// [`Guard::NEWEST`](crate::Guard::NEWEST) reads. Not part of the wire shape; the wire
    /// lock and the fingerprint ignore it.
    pub newest: u64,
    /// The directions the message travels in (every `from`/`to` pair, every `between`
    /// pair, or each of `routes`), in the order written; empty when it declares none.
    pub routes: &'static [Route],
    /// Struct or enum, and how its fields are written.
    pub kind: Kind,
    /// The fields of a struct, in declaration order; empty for an enum.
    pub fields: &'static [Field],
    /// The variants of an enum, in declaration order; empty for a struct.
    pub variants: &'static [Variant],
    /// For a generic message, the type each type parameter stands for in this table: the
    /// table of `CallInfo<PipelineDataHeader>` says `D` is `PipelineDataHeader`, so that the
    /// wire lock and the fingerprint record what each concrete use carries
    /// ([`Message::concrete_name`], [`Message::concrete`]). Empty for other messages.
    pub arguments: &'static [Argument],
    /// `#[compat(frozen)]` on an enum: it will never gain a variant, so no catch-all is
    /// demanded of it and the wire lock refuses any variant added to a recorded release.
    /// A promise about releases to come, not part of the wire shape: the fingerprint
    /// ignores it.
    pub frozen: bool,
    /// How the message travels: `[wire] codec` in `compat.toml`, or the type's
    /// `#[compat(codec = "...")]`. Under a positional codec the wire lock compares fields by
    /// position and variants by [index](Message::variant_index), and names never travel.
    pub codec: Codec,
    /// The index each variant travels as, in the order of [`variants`](Self::variants),
    /// when one differs from its position there: an explicit discriminant (`Ping = 7`)
    /// under borsh's `#[borsh(use_discriminant = true)]` (bincode 2's derive writes the
    /// place), or a variant after a `#[serde(skip)]` one,
    /// which serde still counts. Empty when every variant travels as its position; see
    /// [`Message::variant_index`].
    pub indexes: &'static [u32],
    /// The parts tied to a named feature (`#[compat(feature = "readlink")]` on the type, a
    /// variant or a field), in declaration order; empty when none is. Not part of the wire
    /// shape: the wire lock and the fingerprint ignore it.
    pub features: &'static [Featured],
}

/// A part of a message tied to a `[[feature]]` of the policy by
/// `#[compat(feature = "...")]`: the message itself (neither `variant` nor `field`), a
/// variant, a field of the struct, or a field of a variant.
///
/// ```
/// use compat_runtime::message::Featured;
/// use compat_runtime::{Compat, Message};
///
/// #[derive(Compat)]
/// #[compat(between = ["layer"])]
/// #[since("0.1.0")]
/// pub enum FileRequest {
///     Open(String),
///     ReadLink(String),
/// }
///
/// // What `#[compat(feature = "readlink")]` on `ReadLink` records: the derive reads the
/// // feature from the policy the build script hands it (compat-macros' derive.md).
/// static FEATURES: [Featured; 1] =
///     [Featured { variant: Some("ReadLink"), field: None, feature: "readlink" }];
/// let table = Message { features: &FEATURES, ..*FileRequest::MESSAGE };
/// assert_eq!(table.feature_of_variant("ReadLink"), Some("readlink"));
/// assert_eq!(table.feature_of_variant("Open"), None);
/// assert_eq!(table.feature(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Featured {
    /// The variant, for a variant or a field of one.
    pub variant: Option<&'static str>,
    /// The field, by its Rust name.
    pub field: Option<&'static str>,
    /// The feature's name.
    pub feature: &'static str,
}

impl Message {
    /// The field whose Rust name is `name` (for a tuple struct, its index: `"0"`).
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

    /// The field a receiver decodes from the wire name `name` (its deserialize name or an
    /// alias), looking into flattened messages too. A flattened map, which takes any name
    /// nothing else takes, is never the answer.
    ///
    /// ```
    /// use compat_runtime::Compat;
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize, Compat)]
    /// #[since("0.1.0")]
    /// #[serde(rename_all = "camelCase")]
    /// pub struct Metric {
    ///     #[serde(rename = "s", alias = "src")]
    ///     pub source: String,
    ///     pub unit_name: String,
    /// }
    ///
    /// assert_eq!(Metric::MESSAGE.field_on_wire("src").unwrap().name, "source");
    /// assert_eq!(Metric::MESSAGE.field_on_wire("unitName").unwrap().name, "unit_name");
    /// assert!(Metric::MESSAGE.field_on_wire("source").is_none());
    /// ```
    pub fn field_on_wire(&self, name: &str) -> Option<&'static Field> {
        field_on_wire(self.fields, name)
    }

    /// The variant whose Rust name is `name`.
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

    /// The index variant `position` (of [`variants`](Self::variants)) travels as under a
    /// positional codec: [`indexes`](Self::indexes), or else its position.
    ///
    /// ```
    /// use compat_runtime::Compat;
    ///
    /// #[derive(Compat)]
    /// #[compat(codec = "borsh")]
    /// #[since("0.1.0")]
    /// pub enum Op { Read, Write }
    ///
    /// assert_eq!(Op::MESSAGE.codec.as_str(), "borsh");
    /// assert_eq!(Op::MESSAGE.variant_index(1), 1);
    /// ```
    pub fn variant_index(&self, position: usize) -> u32 {
        self.indexes
            .get(position)
            .copied()
            .unwrap_or(position as u32)
    }

    /// The feature the message itself belongs to (`#[compat(feature = "...")]` on the type).
    pub fn feature(&self) -> Option<&'static str> {
        self.features
            .iter()
            .find(|f| f.variant.is_none() && f.field.is_none())
            .map(|f| f.feature)
    }

    /// The feature variant `name` belongs to, if it is tied to one.
    pub fn feature_of_variant(&self, name: &str) -> Option<&'static str> {
        self.features
            .iter()
            .find(|f| f.variant == Some(name) && f.field.is_none())
            .map(|f| f.feature)
    }

    /// The feature field `name` (of the struct, or of any variant) belongs to, if it is tied
    /// to one.
    pub fn feature_of_field(&self, name: &str) -> Option<&'static str> {
        self.features
            .iter()
            .find(|f| f.field == Some(name))
            .map(|f| f.feature)
    }

    /// The feature a part the send guard found belongs to: the part's own, else the
    /// message's.
    pub fn feature_of(&self, part: Part) -> Option<&'static str> {
        match part {
            Part::Message => None,
            Part::Variant(name) => self.feature_of_variant(name),
            Part::Field(name) => self.feature_of_field(name),
        }
        .or_else(|| self.feature())
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

impl Message {
    /// The message's name with its arguments, as the wire lock records it:
    /// `CallInfo<PipelineDataHeader>`; [`name`](Self::name) for a message that is not
    /// generic.
    ///
    /// ```
    /// use compat_runtime::Compat;
    ///
    /// #[derive(Compat)]
    /// #[since("0.1.0")]
    /// pub struct Header { pub id: u64 }
    ///
    /// #[derive(Compat)]
    /// #[since("0.1.0")]
    /// pub struct CallInfo<D> { pub name: String, pub input: D }
    ///
    /// let table = <CallInfo<Header> as Compat>::MESSAGE;
    /// assert_eq!(table.concrete_name(), "CallInfo<Header>");
    /// assert_eq!(table.concrete(table.field("input").unwrap().ty), "Header");
    /// ```
    pub fn concrete_name(&self) -> String {
        if self.arguments.is_empty() {
            return self.name.to_string();
        }
        let names: Vec<&str> = self.arguments.iter().map(|a| a.name).collect();
        format!("{}<{}>", self.name, names.join(", "))
    }

    /// `ty`, a type of this message's table, with each type parameter replaced by what it
    /// stands for ([`Message::arguments`]).
    pub fn concrete(&self, ty: &str) -> String {
        concrete_pieces(ty, self.arguments).collect()
    }
}

/// The pieces of `ty` (identifiers and single other characters), with the identifiers that
/// name a parameter of `arguments` replaced by its argument: their concatenation is the
/// concrete type, with nothing allocated (the fingerprint hashes them as they come).
pub(crate) fn concrete_pieces<'a>(
    ty: &'a str,
    arguments: &'a [Argument],
) -> impl Iterator<Item = &'a str> + Clone + 'a {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut rest = ty;
    core::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = if word(first) {
            rest.find(|c: char| !word(c)).unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        let (piece, tail) = rest.split_at(len);
        rest = tail;
        Some(
            arguments
                .iter()
                .find(|argument| argument.param == piece)
                .map_or(piece, |argument| argument.name),
        )
    })
}

/// A type parameter of a generic message and the type it stands for in one table (see
/// [`Message::arguments`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argument {
    /// The parameter, as declared: `D`.
    pub param: &'static str,
    /// The type it stands for, as [`Travels`] names it: `PipelineDataHeader`.
    pub name: &'static str,
}

fn field_on_wire(fields: &'static [Field], name: &str) -> Option<&'static Field> {
    fields.iter().find_map(|field| match field.flatten {
        Flatten::Message(inner) => field_on_wire(inner.fields, name),
        Flatten::Map => None,
        Flatten::No => field.wire.accepts(name).then_some(field),
    })
}

/// A name as it travels: what serde writes when sending and reads when receiving (they
/// differ under `#[serde(rename(serialize = "...", deserialize = "..."))]`), and the other
/// names it also reads (`#[serde(alias = "...")]`). Every `rename`, `rename_all` and
/// `rename_all_fields` is already applied, with serde's own case rules.
///
/// ```
/// use compat_runtime::Compat;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Compat)]
/// #[since("0.1.0")]
/// pub struct Ping {
///     #[serde(rename(serialize = "ID", deserialize = "id"), alias = "ident")]
///     pub id: u64,
/// }
///
/// let wire = Ping::MESSAGE.field("id").unwrap().wire;
/// assert_eq!((wire.serialize, wire.deserialize), ("ID", "id"));
/// assert!(wire.accepts("ident") && wire.accepts("id") && !wire.accepts("ID"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WireName {
    /// The name written when sending.
    pub serialize: &'static str,
    /// The name read when receiving.
    pub deserialize: &'static str,
    /// Other names read when receiving, in the order written.
    pub aliases: &'static [&'static str],
}

impl WireName {
    /// Whether a receiver decodes `name` as this: its deserialize name or an alias.
    pub fn accepts(&self, name: &str) -> bool {
        self.deserialize == name || self.aliases.contains(&name)
    }
}

/// How serde lays a message out on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Representation {
    /// serde's default: an enum writes `{"Variant": ...}` (a unit variant, `"Variant"`);
    /// a struct writes its fields alone.
    External,
    /// `#[serde(tag = "type")]`: the variant's name (or, on a struct, the struct's name)
    /// sits next to the fields, `{"type": "Variant", ...}`.
    Internal {
        /// The tag's key.
        tag: &'static str,
    },
    /// `#[serde(tag = "t", content = "c")]`: `{"t": "Variant", "c": ...}`.
    Adjacent {
        /// The tag's key.
        tag: &'static str,
        /// The content's key.
        content: &'static str,
    },
    /// `#[serde(untagged)]`: the variant's content alone; a receiver tries each variant
    /// in order.
    Untagged,
    /// `#[serde(transparent)]` on a struct: written as its only field.
    Transparent,
}

/// A `rename_all`-style case convention, sending and receiving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RenameAll {
    /// The convention applied when sending, if any.
    pub serialize: Option<Case>,
    /// The convention applied when receiving, if any.
    pub deserialize: Option<Case>,
}

/// One of serde's case conventions for `rename_all` and `rename_all_fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Case {
    /// `"lowercase"`.
    Lower,
    /// `"UPPERCASE"`.
    Upper,
    /// `"PascalCase"`.
    Pascal,
    /// `"camelCase"`.
    Camel,
    /// `"snake_case"`.
    Snake,
    /// `"SCREAMING_SNAKE_CASE"`.
    ScreamingSnake,
    /// `"kebab-case"`.
    Kebab,
    /// `"SCREAMING-KEBAB-CASE"`.
    ScreamingKebab,
}

impl Case {
    /// Every convention, in serde's order.
    pub const ALL: [Case; 8] = [
        Case::Lower,
        Case::Upper,
        Case::Pascal,
        Case::Camel,
        Case::Snake,
        Case::ScreamingSnake,
        Case::Kebab,
        Case::ScreamingKebab,
    ];

    /// The convention as serde spells it: `"snake_case"`.
    ///
    /// ```
    /// use compat_runtime::message::Case;
    ///
    /// assert_eq!(Case::ScreamingKebab.as_str(), "SCREAMING-KEBAB-CASE");
    /// assert_eq!(Case::from_serde("camelCase"), Some(Case::Camel));
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Case::Lower => "lowercase",
            Case::Upper => "UPPERCASE",
            Case::Pascal => "PascalCase",
            Case::Camel => "camelCase",
            Case::Snake => "snake_case",
            Case::ScreamingSnake => "SCREAMING_SNAKE_CASE",
            Case::Kebab => "kebab-case",
            Case::ScreamingKebab => "SCREAMING-KEBAB-CASE",
        }
    }

    /// The convention serde spells `text`, if any.
    pub fn from_serde(text: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.as_str() == text)
    }
}

/// Whether a sender writes a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipSerializing {
    /// Always written.
    Never,
    /// `#[serde(skip_serializing_if = "path")]`: left out whenever `path` says so.
    If(&'static str),
    /// `#[serde(skip_serializing)]`: never written, only read.
    Always,
}

/// Whether a field stands for other fields on the wire: `#[serde(flatten)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flatten {
    /// An ordinary field.
    No,
    /// `#[serde(flatten)]` of a type that derives `Compat` (or an `Option` of one): its
    /// fields travel in this message's own map, as that type's table describes them.
    Message(&'static Message),
    /// `#[serde(flatten)]` of a map (`HashMap`, `BTreeMap`, `serde_json::Map`,
    /// `serde_json::Value`, ...): it receives every field no other field takes, and sends
    /// whatever keys it holds.
    Map,
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

/// A field of a struct or variant. Fields that never travel are left out: `#[serde(skip)]`
/// ones through serde, `#[borsh(skip)]` ones under borsh (bincode 2's derive skips none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's name in Rust, or its index in a tuple.
    pub name: &'static str,
    /// The field's name on the wire (for a tuple field, its index): `rename`, `alias`,
    /// and the container's `rename_all` (or the enum's `rename_all_fields`) applied. For a
    /// `#[serde(flatten)]` field it is the Rust name: the field itself never travels,
    /// see [`flatten`](Self::flatten).
    pub wire: WireName,
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
    /// Whether a sender may leave the field out: `skip_serializing_if`, `skip_serializing`.
    pub skip_serializing: SkipSerializing,
    /// `#[serde(flatten)]`: the field's own fields travel in this message's map instead.
    pub flatten: Flatten,
}

/// When a field was deprecated and why: `#[compat(deprecated = "0.9.0", note = "...")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Deprecation {
    /// The release that deprecated the field.
    pub since: &'static str,
    /// What to use instead, if given.
    pub note: Option<&'static str>,
}

/// A variant of an enum. Variants marked `#[serde(skip)]` never travel through serde and
/// are left out; bincode 2's and borsh's derives write them, so under those codecs they stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The variant's name in Rust.
    pub name: &'static str,
    /// The variant's name on the wire (the tag's value in a tagged enum): `rename`,
    /// `alias` and the enum's `rename_all` applied. An untagged enum writes no name.
    pub wire: WireName,
    /// `#[serde(rename_all = "...")]` on the variant, or else the enum's
    /// `rename_all_fields`: the convention applied to the variant's fields.
    pub rename_all: RenameAll,
    /// The release that introduced the variant: its `#[since]`, or else its enum's.
    pub since: &'static str,
    /// Whether unknown variants decode into this one: `#[compat(other)]` or
    /// `#[serde(other)]`.
    pub catch_all: bool,
    /// How the variant's fields are written.
    pub shape: Shape,
    /// The variant's fields.
    pub fields: &'static [Field],
    /// `#[compat(fallback = "...")]`: the older variant a sender sends instead to a peer that
    /// predates this one ([`Session::prepare`](crate::Session::prepare) converts it). Not
    /// part of the wire shape: the wire lock and the fingerprint ignore it.
    pub fallback: Option<Fallback>,
}

/// The older form a variant degrades to for a peer that predates it:
/// `#[compat(fallback = "StatFs", via = "path::to::convert", warn = "...")]` on the variant.
/// The conversion itself is code the derive writes into the guard; the table says what a
/// reader of the log, the census or the wire lock needs: which variant, and what is lost.
///
/// ```
/// use compat_runtime::Compat;
///
/// #[derive(Clone, Compat)]
/// #[compat(between = ["layer"])]
/// #[since("0.0.1")]
/// pub enum Request {
///     Resolve(String),
///     #[since("0.1.0")]
///     #[compat(fallback = "Resolve", via = "only_host", warn = "IPv6 will not be resolved")]
///     ResolveV2((String, bool)),
/// }
///
/// fn only_host(v2: &(String, bool)) -> String {
///     v2.0.clone()
/// }
///
/// let v2 = Request::MESSAGE.variant("ResolveV2").unwrap();
/// let fallback = v2.fallback.unwrap();
/// assert_eq!(fallback.to, "Resolve");
/// assert_eq!(fallback.warn, Some("IPv6 will not be resolved"));
/// assert!(Request::MESSAGE.variant("Resolve").unwrap().fallback.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fallback {
    /// The older variant sent instead, by its Rust name: a sibling in the same enum, which may
    /// have a fallback of its own (a chain, followed until the peer knows the variant).
    pub to: &'static str,
    /// What the peer loses with the older form, for the log: `warn = "..."`.
    pub warn: Option<&'static str>,
}

/// What the code `#[derive(Compat)]` generates refers to; not a public API. The tables are
/// struct literals: temporary lifetime extension makes each whole table one `'static`
/// constant, which is the cheapest form for the compiler to check.
#[doc(hidden)]
pub mod __private {
    pub use super::carried::{Leg, NotAMessage, Probe, Text, uncovered};
    pub use super::travels::{
        Unwritten, Writes, recorded, splice, spliced_len, utf8, walk_as, walk_map_of, walk_seq_of,
    };
    pub use super::{
        Argument, Case, Codec, Deprecation, Fallback, Featured, Field, Flatten, Kind, Message,
        RenameAll, Representation, Route, Shape, SkipSerializing, Variant, WireName,
    };

    // These hold the common case (a name that travels as written, no skip, no flatten, no
    // convention): the derive writes a short call for a field and names only what
    // differs, with `..` from the call. Fewer tokens per field is what users feel on every
    // build (benches/compile_time.sh). A call's result is a value, not a borrow, so the
    // `&[...]` around the fields still extends to `'static` as part of the one constant.

    /// A name that travels as written in Rust, both ways, without aliases.
    pub const fn same(name: &'static str) -> WireName {
        WireName {
            serialize: name,
            deserialize: name,
            aliases: &[],
        }
    }

    /// A field with the common defaults.
    pub const fn field(
        name: &'static str,
        since: &'static str,
        ty: &'static str,
        default: bool,
    ) -> Field {
        Field {
            name,
            // A literal rather than `same(name)`: one call fewer for the compiler to
            // evaluate per field.
            wire: WireName {
                serialize: name,
                deserialize: name,
                aliases: &[],
            },
            since,
            ty,
            default,
            ignorable: false,
            deprecated: None,
            skip_serializing: SkipSerializing::Never,
            flatten: Flatten::No,
        }
    }

    /// A field with the common defaults but its name on the wire, `wire` both ways
    /// (`#[serde(rename = "...")]`, no alias).
    pub const fn renamed(
        name: &'static str,
        wire: &'static str,
        since: &'static str,
        ty: &'static str,
        default: bool,
    ) -> Field {
        let mut field = field(name, since, ty, default);
        field.wire.serialize = wire;
        field.wire.deserialize = wire;
        field
    }

    /// A message with the common defaults: its name travels as written, externally
    /// tagged, no case convention.
    pub const fn message(
        name: &'static str,
        since: &'static str,
        newest: u64,
        routes: &'static [Route],
        kind: Kind,
        fields: &'static [Field],
        variants: &'static [Variant],
    ) -> Message {
        Message {
            name,
            wire: WireName {
                serialize: name,
                deserialize: name,
                aliases: &[],
            },
            representation: Representation::External,
            rename_all: NO_RULE,
            rename_all_fields: NO_RULE,
            since,
            newest,
            routes,
            kind,
            fields,
            variants,
            arguments: &[],
            frozen: false,
            codec: Codec::SelfDescribing,
            indexes: &[],
            features: &[],
        }
    }

    /// `message` with the parts tied to named features. A call around [`message`], so that
    /// tables without features carry no extra tokens.
    pub const fn featured(features: &'static [Featured], message: Message) -> Message {
        Message {
            features,
            ..message
        }
    }

    /// [`message`] as it travels under a positional `codec`, each variant as its position:
    /// one call where `coded(codec, &[], message(..))` is two, and one value fewer for the
    /// compiler to prove free of interior mutability (benches/compile_time.sh).
    #[allow(
        clippy::too_many_arguments,
        reason = "the arguments of `message` and the codec: one call per table"
    )]
    pub const fn positional(
        codec: Codec,
        name: &'static str,
        since: &'static str,
        newest: u64,
        routes: &'static [Route],
        kind: Kind,
        fields: &'static [Field],
        variants: &'static [Variant],
    ) -> Message {
        let mut message = message(name, since, newest, routes, kind, fields, variants);
        message.codec = codec;
        message
    }

    /// `message` as it travels under `codec`, its variants as `indexes` (empty: by
    /// position). A call around [`message`] rather than a parameter of it, so that tables
    /// under the default codec carry no extra tokens.
    pub const fn coded(codec: Codec, indexes: &'static [u32], message: Message) -> Message {
        Message {
            codec,
            indexes,
            ..message
        }
    }

    /// A field in the common case as a tuple: `(name, since, type, default)`, the arguments
    /// of [`field`].
    pub type Plain = (&'static str, &'static str, &'static str, bool);

    /// The fields of a message (or variant) whose fields are all in the common case, from
    /// tuples. A tuple of references is what the compiler checks fastest: unlike a `Field`
    /// (a call's result or a literal), it needs no proof per entry that it has no interior
    /// mutability, and one call here replaces one per field (benches/compile_time.sh).
    pub const fn fields<const N: usize>(plain: [Plain; N]) -> [Field; N] {
        // The loop sets the entries in place rather than calling `field` for each: a call
        // per field is what costs the compiler's evaluator.
        let mut out = [field("", "", "", false); N];
        let mut i = 0;
        while i < N {
            let (name, since, ty, default) = plain[i];
            let f = &mut out[i];
            f.name = name;
            f.wire.serialize = name;
            f.wire.deserialize = name;
            f.since = since;
            f.ty = ty;
            f.default = default;
            i += 1;
        }
        out
    }

    /// A variant with the common defaults: its name travels as written, no case
    /// convention for its fields, no fallback.
    pub const fn variant(
        name: &'static str,
        since: &'static str,
        catch_all: bool,
        shape: Shape,
        fields: &'static [Field],
    ) -> Variant {
        Variant {
            name,
            wire: WireName {
                serialize: name,
                deserialize: name,
                aliases: &[],
            },
            rename_all: NO_RULE,
            since,
            catch_all,
            shape,
            fields,
            fallback: None,
        }
    }

    /// A variant in the common case as a tuple: `(name, since, catch_all, shape, fields)`,
    /// the arguments of [`variant`].
    pub type PlainVariant = (&'static str, &'static str, bool, Shape, &'static [Field]);

    /// The variants of an enum whose variants are all in the common case, from tuples, as
    /// [`fields`] makes fields: one call for the enum, not a literal per variant.
    pub const fn variants<const N: usize>(plain: [PlainVariant; N]) -> [Variant; N] {
        let mut out = [variant("", "", false, Shape::Unit, &[]); N];
        let mut i = 0;
        while i < N {
            let (name, since, catch_all, shape, fields) = plain[i];
            let v = &mut out[i];
            v.name = name;
            v.wire.serialize = name;
            v.wire.deserialize = name;
            v.since = since;
            v.catch_all = catch_all;
            v.shape = shape;
            v.fields = fields;
            i += 1;
        }
        out
    }

    /// The list `messages![...]` returns, made on first use. A constant array of the
    /// tables would be checked by the compiler once more, table by table, after each
    /// table's own constant (benches/compile_time.sh, clean build).
    pub struct List(std::sync::OnceLock<Box<[&'static Message]>>);

    impl List {
        #[allow(clippy::new_without_default)]
        pub const fn new() -> List {
            List(std::sync::OnceLock::new())
        }

        /// The list, made by `tables` the first time.
        pub fn get<const N: usize>(
            &'static self,
            tables: fn() -> [&'static Message; N],
        ) -> &'static [&'static Message] {
            self.0.get_or_init(|| Box::new(tables()))
        }
    }

    /// The type a field travels as, where a generic type of the user's in it may be a
    /// `#[compat(transparent)]` wrapper (`wraps`, its `Travels::WRAPS`): the text with the
    /// wrapped type in its place, or the text as written. A call rather than an `if`, which
    /// the compiler would not promote into the `'static` table.
    pub const fn travels(wraps: bool, inner: &'static str, outer: &'static str) -> &'static str {
        if wraps { inner } else { outer }
    }

    // The kinds and empty lists a table names, as constants. A constant operand costs the
    // compiler no proof that it holds no interior mutability (its qualifs are known once,
    // from this crate), where `Kind::Struct(Shape::Named)` or `&[]` written into the table
    // costs one per message (benches/compile_time.sh, clean build).

    /// `Kind::Struct(Shape::Named)`.
    pub const STRUCT_NAMED: Kind = Kind::Struct(Shape::Named);
    /// `Kind::Struct(Shape::Tuple)`.
    pub const STRUCT_TUPLE: Kind = Kind::Struct(Shape::Tuple);
    /// `Kind::Struct(Shape::Unit)`.
    pub const STRUCT_UNIT: Kind = Kind::Struct(Shape::Unit);
    /// `Kind::Enum`.
    pub const ENUM: Kind = Kind::Enum;
    /// The fields of an enum, or of a variant without any.
    pub const NO_FIELDS: &[Field] = &[];
    /// The variants of a struct.
    pub const NO_VARIANTS: &[Variant] = &[];

    /// `Codec::SerdePositional`, for [`positional`].
    pub const SERDE_POSITIONAL: Codec = Codec::SerdePositional;
    /// `Codec::Bincode`, for [`positional`].
    pub const BINCODE: Codec = Codec::Bincode;
    /// `Codec::Borsh`, for [`positional`].
    pub const BORSH: Codec = Codec::Borsh;

    /// No case convention.
    pub const NO_RULE: RenameAll = RenameAll {
        serialize: None,
        deserialize: None,
    };
}
