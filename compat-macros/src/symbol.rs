//! The names of every attribute and key the derive reads, in one place.

use std::fmt::{self, Display};
use syn::{Ident, Path};

#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

// The derive's own attributes.
pub(crate) const COMPAT: Symbol = Symbol("compat");
pub(crate) const SINCE: Symbol = Symbol("since");

// Keys of `#[compat(...)]` on a type.
pub(crate) const FROM: Symbol = Symbol("from");
pub(crate) const TO: Symbol = Symbol("to");
pub(crate) const BETWEEN: Symbol = Symbol("between");
pub(crate) const ROUTES: Symbol = Symbol("routes");
// and `transparent` (below, with serde's word).
pub(crate) const FROZEN: Symbol = Symbol("frozen");
pub(crate) const CODEC: Symbol = Symbol("codec");
// On a type, a field or a variant: ties it to a `[[feature]]` of compat.toml.
pub(crate) const FEATURE: Symbol = Symbol("feature");

// Keys of `#[compat(...)]` on a field.
pub(crate) const DEFAULT: Symbol = Symbol("default");
pub(crate) const IGNORABLE: Symbol = Symbol("ignorable");
pub(crate) const DEPRECATED: Symbol = Symbol("deprecated");
pub(crate) const NOTE: Symbol = Symbol("note");
pub(crate) const WIRE: Symbol = Symbol("wire");
pub(crate) const OPAQUE: Symbol = Symbol("opaque");

// Keys inside `#[compat(wire(...))]`.
pub(crate) const MAP_OF: Symbol = Symbol("map_of");
pub(crate) const SEQ_OF: Symbol = Symbol("seq_of");
pub(crate) const AS: Symbol = Symbol("as");

// Keys of `#[compat(...)]` on a variant.
pub(crate) const OTHER: Symbol = Symbol("other");
pub(crate) const FALLBACK: Symbol = Symbol("fallback");
pub(crate) const VIA: Symbol = Symbol("via");
pub(crate) const WARN: Symbol = Symbol("warn");

// The serde attribute and the keys of it that change what a peer can decode.
pub(crate) const SERDE: Symbol = Symbol("serde");
pub(crate) const DENY_UNKNOWN_FIELDS: Symbol = Symbol("deny_unknown_fields");
pub(crate) const SKIP: Symbol = Symbol("skip");
pub(crate) const SKIP_DESERIALIZING: Symbol = Symbol("skip_deserializing");
pub(crate) const WITH: Symbol = Symbol("with");
pub(crate) const DESERIALIZE_WITH: Symbol = Symbol("deserialize_with");
pub(crate) const TAG: Symbol = Symbol("tag");
pub(crate) const CONTENT: Symbol = Symbol("content");
pub(crate) const UNTAGGED: Symbol = Symbol("untagged");
pub(crate) const TRANSPARENT: Symbol = Symbol("transparent");
pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");
pub(crate) const RENAME_ALL_FIELDS: Symbol = Symbol("rename_all_fields");
pub(crate) const ALIAS: Symbol = Symbol("alias");
pub(crate) const SERIALIZE: Symbol = Symbol("serialize");
pub(crate) const DESERIALIZE: Symbol = Symbol("deserialize");
pub(crate) const SKIP_SERIALIZING: Symbol = Symbol("skip_serializing");
pub(crate) const SKIP_SERIALIZING_IF: Symbol = Symbol("skip_serializing_if");
pub(crate) const FLATTEN: Symbol = Symbol("flatten");

// borsh's attribute and its key that makes explicit discriminants the variants' indexes.
pub(crate) const BORSH: Symbol = Symbol("borsh");
pub(crate) const USE_DISCRIMINANT: Symbol = Symbol("use_discriminant");

/// The keys `#[compat(...)]` accepts in each place, for "expected one of" and
/// "belongs on" hints.
pub(crate) const TYPE_KEYS: &[Symbol] = &[
    FROM,
    TO,
    BETWEEN,
    ROUTES,
    TRANSPARENT,
    FROZEN,
    CODEC,
    FEATURE,
    WIRE,
];
pub(crate) const FIELD_KEYS: &[Symbol] =
    &[DEFAULT, IGNORABLE, DEPRECATED, NOTE, WIRE, OPAQUE, FEATURE];
pub(crate) const VARIANT_KEYS: &[Symbol] = &[OTHER, FALLBACK, VIA, WARN, FEATURE];

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
