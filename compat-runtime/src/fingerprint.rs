//! The fingerprint of a crate's message tables: one `u64` that two builds share exactly when
//! their messages have the same wire shape, so a peer that claims a release but carries
//! other shapes is told apart in the handshake.
//!
//! It is FNV-1a 64 over a canonical byte encoding of the tables, documented byte for byte in
//! [the handshake reference](crate::docs::handshake) so that a peer written in another
//! language computes the same number.
//! The encoding covers what travels (wire names, aliases, representation, types, `since`),
//! not Rust names; under a positional codec, where names never travel, the codec, the
//! fields' order and types and the variants' indexes instead of any name. The wire lock (`compat.lock`) records each release's fingerprint beside
//! its tables, and the build script compiles those into the crate (`RELEASES`).
//!
//! ```
//! use compat_runtime::{Compat, fingerprint};
//!
//! #[derive(Compat)]
//! #[since("0.1.0")]
//! pub struct Ping { pub id: u64 }
//!
//! let a = fingerprint::of(&[Ping::MESSAGE]);
//! assert_eq!(a, fingerprint::of(&[Ping::MESSAGE]));
//! assert_ne!(a, fingerprint::of(&[]));
//! println!("{}", fingerprint::hex(a)); // 16 lowercase hex digits
//! ```

use crate::message::{
    Field, Flatten, Kind, Message, Representation, SkipSerializing, WireName, concrete_pieces,
};

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The text every canonical encoding starts with; a change to the encoding changes it.
pub const DOMAIN: &str = "compat-fingerprint-1";

/// The canonical encoding, hashed as it is written (nothing is buffered or allocated).
struct Canon {
    hash: u64,
}

impl Canon {
    fn new() -> Self {
        let mut canon = Canon { hash: OFFSET };
        canon.text(DOMAIN);
        canon
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(PRIME);
        }
    }

    fn count(&mut self, n: usize) {
        // Lengths and counts are u32 big-endian; tables are far below 4 GiB.
        self.bytes(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
    }

    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.bytes(text.as_bytes());
    }

    fn flag(&mut self, flag: bool) {
        self.bytes(&[u8::from(flag)]);
    }

    fn finish(&self) -> u64 {
        self.hash
    }

    /// What a message, field or variant is called on the wire: the name it is written
    /// under, the name it is read under, then its aliases.
    fn wire(&mut self, wire: &WireName) {
        self.text(wire.serialize);
        self.text(wire.deserialize);
        self.count(wire.aliases.len());
        for alias in wire.aliases {
            self.text(alias);
        }
    }

    /// `text` of the concatenated `pieces` (a type or name with a generic message's
    /// arguments in place of its parameters), hashed as they come.
    fn pieces<'a>(&mut self, pieces: impl Iterator<Item = &'a str> + Clone) {
        self.count(pieces.clone().map(str::len).sum());
        for piece in pieces {
            self.bytes(piece.as_bytes());
        }
    }

    /// The message's name, with a generic message's arguments: `CallInfo<Header>`.
    fn name(&mut self, m: &Message) {
        if m.arguments.is_empty() {
            self.text(m.name);
        } else {
            let names = m
                .arguments
                .iter()
                .enumerate()
                .flat_map(|(i, argument)| [if i == 0 { "<" } else { ", " }, argument.name]);
            self.pieces(
                core::iter::once(m.name)
                    .chain(names)
                    .chain(core::iter::once(">")),
            );
        }
    }

    /// The message, its fields and its variants, by what travels: under a positional codec
    /// see [`positional`](Self::positional); otherwise names, representation and all.
    fn message(&mut self, m: &Message) {
        if m.codec.is_positional() {
            self.positional(m);
            return;
        }
        self.bytes(b"M");
        self.name(m);
        self.wire(&m.wire);
        self.text(m.since);
        self.text(kind_name(m.kind));
        let (representation, tag, content) = match m.representation {
            Representation::External => ("external", "", ""),
            Representation::Internal { tag } => ("internal", tag, ""),
            Representation::Adjacent { tag, content } => ("adjacent", tag, content),
            Representation::Untagged => ("untagged", "", ""),
            Representation::Transparent => ("transparent", "", ""),
        };
        self.text(representation);
        self.text(tag);
        self.text(content);
        self.routes(m);
        self.count(m.fields.len());
        self.count(m.variants.len());
        self.fields(m, m.fields);
        for v in m.variants {
            self.bytes(b"V");
            self.wire(&v.wire);
            self.text(v.since);
            self.flag(v.catch_all);
            self.count(v.fields.len());
            self.fields(m, v.fields);
        }
    }

    fn routes(&mut self, m: &Message) {
        self.count(m.routes.len());
        for route in m.routes {
            self.text(route.from);
            self.text(route.to);
        }
    }

    /// A message under a positional codec, where names never travel: the codec, then each
    /// field by its place (its `since` and type) and each variant by the index it travels
    /// as. No wire name, alias, representation or serde flag is hashed, so a rename keeps
    /// the fingerprint; the message's own Rust name stays, as the set's key (the wire lock
    /// keys its messages by it too).
    fn positional(&mut self, m: &Message) {
        self.bytes(b"P");
        self.name(m);
        self.text(m.codec.as_str());
        self.text(m.since);
        self.text(kind_name(m.kind));
        self.routes(m);
        self.count(m.fields.len());
        self.count(m.variants.len());
        self.positional_fields(m, m.fields);
        for (position, v) in m.variants.iter().enumerate() {
            self.bytes(b"V");
            self.bytes(&m.variant_index(position).to_be_bytes());
            self.text(v.since);
            self.count(v.fields.len());
            self.positional_fields(m, v.fields);
        }
    }

    /// Fields under a positional codec, in the order they travel.
    fn positional_fields(&mut self, m: &Message, fields: &[Field]) {
        for f in fields {
            self.bytes(b"F");
            self.text(f.since);
            self.pieces(concrete_pieces(f.ty, m.arguments));
            self.flatten(f.flatten);
        }
    }

    fn flatten(&mut self, flatten: Flatten) {
        match flatten {
            Flatten::No => self.text(""),
            Flatten::Map => self.text("map"),
            // The flattened type is a message of its own, fingerprinted in its place.
            Flatten::Message(inner) => self.text(inner.name),
        }
    }

    fn fields(&mut self, m: &Message, fields: &[Field]) {
        for f in fields {
            self.bytes(b"F");
            self.wire(&f.wire);
            self.text(f.since);
            self.pieces(concrete_pieces(f.ty, m.arguments));
            self.flag(f.default);
            match f.skip_serializing {
                SkipSerializing::Never => self.text("never"),
                SkipSerializing::If(_) => self.text("if"),
                SkipSerializing::Always => self.text("always"),
            }
            self.flatten(f.flatten);
        }
    }
}

/// The order messages are encoded in: by name, byte-wise (the order of `messages![...]` does
/// not change the wire); messages of the same name keep their given order.
fn sorted<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| name(a).as_bytes().cmp(name(b).as_bytes()));
}

/// `struct` or `enum`, as the wire lock writes it.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Struct(_) => "struct",
        Kind::Enum => "enum",
    }
}

/// The fingerprint of a crate's messages (`messages()`): what travels, so a Rust-only
/// rename of a field or variant leaves it alone while a wire rename, a new alias, another
/// representation, a changed type or `since` changes it. Under a positional codec any
/// rename leaves it alone, while another codec, a reorder or a variant's index changes it.
pub fn of(messages: &[&Message]) -> u64 {
    let mut sorted_messages: Vec<&Message> = messages.to_vec();
    sorted(&mut sorted_messages, |m| m.name);
    let mut canon = Canon::new();
    for m in sorted_messages {
        canon.message(m);
    }
    canon.finish()
}

/// A fingerprint as 16 lowercase hex digits, the way messages and
/// [the handshake reference](crate::docs::handshake) show it.
pub fn hex(fingerprint: u64) -> String {
    format!("{fingerprint:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_1a_matches_its_published_vectors() {
        let mut c = Canon { hash: OFFSET };
        assert_eq!(c.finish(), 0xcbf2_9ce4_8422_2325);
        c.bytes(b"a");
        assert_eq!(c.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut c = Canon { hash: OFFSET };
        c.bytes(b"foobar");
        assert_eq!(c.finish(), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_empty_table_set_has_a_documented_fingerprint() {
        // docs/handshake.md quotes this value for a crate without messages.
        assert_eq!(hex(of(&[])), "868c3a10c0212f1c");
    }
}
