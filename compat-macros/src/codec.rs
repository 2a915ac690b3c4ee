//! How a message travels: the codec a protocol crate (`[wire] codec` in `compat.toml`) or
//! one message (`#[compat(codec = "...")]`) is encoded with, which decides what a change to
//! it breaks.
//!
//! One file serves both crates, so that the derive, the policy and the wire lock spell and
//! describe each codec alike: compat-runtime's `src/codec.rs` is a symlink to this one
//! (which `cargo package` packs as a copy), where `Codec` is public, re-exported as
//! `compat_runtime::message::Codec`.
//!
//! Under a self-describing format (JSON through serde) names travel: a new field can
//! default, an unknown variant can land in a catch-all. Under a positional codec (bincode,
//! postcard or rmp arrays through serde; bincode 2's native `Encode`/`Decode`; borsh) field
//! order and variant index are the wire and names never do: a new struct field is always a
//! break, `T` and `Option<T>` write different bytes, and a variant is safe only at the end
//! and only if never sent to a peer that predates it (an unknown index is a fatal decode
//! error).

/// The codec a message is encoded with.
///
/// ```
/// use compat_runtime::message::Codec;
///
/// let codec = Codec::parse("bincode").unwrap();
/// assert!(codec.is_positional());
/// assert!(!codec.through_serde());
/// assert_eq!(codec.to_string(), "bincode");
/// assert_eq!(codec.described(), "bincode (bincode 2's native Encode/Decode)");
/// assert_eq!(Codec::default(), Codec::SelfDescribing);
/// assert!(Codec::parse("bincod").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Codec {
    /// `"self-describing"`: serde with a format that writes names (JSON, YAML, CBOR maps,
    /// MessagePack maps). Today's rules: a new field can default, enums need a catch-all
    /// for newer senders.
    #[default]
    SelfDescribing,
    /// `"serde-positional"`: serde with a format that writes values by position (bincode 1,
    /// postcard, rmp arrays, bincode 2's serde mode): field order and variant index
    /// (declaration order, counting `#[serde(skip)]` variants) are the wire.
    SerdePositional,
    /// `"bincode"`: bincode 2's native `Encode`/`Decode` derive: fields in order, variants
    /// by their place in the enum (an explicit discriminant changes nothing); serde's
    /// attributes do not apply.
    Bincode,
    /// `"borsh"`: borsh's `BorshSerialize`/`BorshDeserialize`: fields in order, variants
    /// by a one-byte index (declaration order, or the explicit discriminant under
    /// `#[borsh(use_discriminant = true)]`); serde's attributes do not apply.
    Borsh,
}

impl Codec {
    /// Every codec, in the order the docs list them.
    pub const ALL: [Codec; 4] = [
        Codec::SelfDescribing,
        Codec::SerdePositional,
        Codec::Bincode,
        Codec::Borsh,
    ];

    /// The codec as `compat.toml` and `#[compat(codec = "...")]` spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Codec::SelfDescribing => "self-describing",
            Codec::SerdePositional => "serde-positional",
            Codec::Bincode => "bincode",
            Codec::Borsh => "borsh",
        }
    }

    /// The codec spelled `text`, if any.
    pub fn parse(text: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|codec| codec.as_str() == text)
    }

    /// Whether values travel by position (field order and variant index), not by name.
    pub const fn is_positional(self) -> bool {
        !matches!(self, Codec::SelfDescribing)
    }

    /// Whether serde writes the bytes, so that `#[serde(...)]` attributes change them.
    pub const fn through_serde(self) -> bool {
        matches!(self, Codec::SelfDescribing | Codec::SerdePositional)
    }

    /// What the codec's name stands for, in messages: `bincode 2's native Encode/Decode`.
    pub const fn gloss(self) -> &'static str {
        match self {
            Codec::SelfDescribing => "serde with names on the wire",
            Codec::SerdePositional => "a positional format through serde",
            Codec::Bincode => "bincode 2's native Encode/Decode",
            Codec::Borsh => "borsh's own derive",
        }
    }

    /// The codec as messages name it: `bincode (bincode 2's native Encode/Decode)`.
    pub fn described(self) -> String {
        format!("{} ({})", self.as_str(), self.gloss())
    }
}

impl core::fmt::Display for Codec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
