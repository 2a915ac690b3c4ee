//! The fingerprint of a crate's message tables: one `u64` that two builds share exactly when
//! their messages have the same wire shape, so a peer that claims a release but carries
//! other shapes is told apart in the handshake.
//!
//! It is FNV-1a 64 over a canonical byte encoding of the tables, documented byte for byte in
//! `docs/handshake.md` so that a peer written in another language computes the same number.
//! The encoding covers what the wire lock records (`compat.lock`), so the build script can
//! compute the fingerprint of every recorded release from the lock alone.
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

use crate::message::{Field, Kind, Message};

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The text every canonical encoding starts with; a change to the encoding changes it.
pub const DOMAIN: &str = "compat-fingerprint-1";

/// The canonical encoding, hashed as it is written (nothing is buffered or allocated).
///
/// Every walker of message tables (the tables compiled into the crate, the releases recorded
/// in `compat.lock`) calls these in the same order: [`Canon::message`] for each message in
/// the order of [`sorted`], then [`Canon::field`] for each field, then [`Canon::variant`] for
/// each variant followed by its own fields.
#[derive(Debug, Clone)]
pub struct Canon {
    hash: u64,
}

impl Default for Canon {
    fn default() -> Self {
        Canon::new()
    }
}

impl Canon {
    /// A fresh encoding, already holding [`DOMAIN`].
    pub fn new() -> Self {
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

    /// `M`, the name, its `since`, `struct` or `enum`, then the routes (count, then each
    /// `from` and `to`), then the number of fields and of variants that follow.
    pub fn message<'a>(
        &mut self,
        name: &str,
        since: &str,
        kind: &str,
        routes: impl ExactSizeIterator<Item = (&'a str, &'a str)>,
        fields: usize,
        variants: usize,
    ) {
        self.bytes(b"M");
        self.text(name);
        self.text(since);
        self.text(kind);
        self.count(routes.len());
        for (from, to) in routes {
            self.text(from);
            self.text(to);
        }
        self.count(fields);
        self.count(variants);
    }

    /// `F`, the name, its `since`, its type as written, and whether a receiver defaults it.
    pub fn field(&mut self, name: &str, since: &str, ty: &str, default: bool) {
        self.bytes(b"F");
        self.text(name);
        self.text(since);
        self.text(ty);
        self.flag(default);
    }

    /// `V`, the name, its `since`, whether it is the catch-all, and the number of its fields
    /// (which follow it).
    pub fn variant(&mut self, name: &str, since: &str, catch_all: bool, fields: usize) {
        self.bytes(b"V");
        self.text(name);
        self.text(since);
        self.flag(catch_all);
        self.count(fields);
    }

    /// The fingerprint.
    pub fn finish(&self) -> u64 {
        self.hash
    }
}

/// The order messages are encoded in: by name, byte-wise (the order of `messages![...]` does
/// not change the wire); messages of the same name keep their given order.
pub fn sorted<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| name(a).as_bytes().cmp(name(b).as_bytes()));
}

/// `struct` or `enum`, as the wire lock writes it.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Struct(_) => "struct",
        Kind::Enum => "enum",
    }
}

/// The fingerprint of a crate's messages (`messages()`).
pub fn of(messages: &[&Message]) -> u64 {
    let mut sorted_messages: Vec<&Message> = messages.to_vec();
    sorted(&mut sorted_messages, |m| m.name);
    let mut canon = Canon::new();
    let fields = |canon: &mut Canon, fields: &[Field]| {
        for f in fields {
            canon.field(f.name, f.since, f.ty, f.default);
        }
    };
    for m in sorted_messages {
        canon.message(
            m.name,
            m.since,
            kind_name(m.kind),
            m.routes.iter().map(|r| (r.from, r.to)),
            m.fields.len(),
            m.variants.len(),
        );
        fields(&mut canon, m.fields);
        for v in m.variants {
            canon.variant(v.name, v.since, v.catch_all, v.fields.len());
            fields(&mut canon, v.fields);
        }
    }
    canon.finish()
}

/// A fingerprint as 16 lowercase hex digits, the way messages and `docs/handshake.md` show it.
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
