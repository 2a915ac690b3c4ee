//! The codecs a message may travel with, as `compat.toml`'s `[wire] codec` and
//! `#[compat(codec = "...")]` spell them: the derive's copy of `compat_runtime::Codec`
//! (this crate cannot depend on the runtime, which depends on it).

/// How a message travels; see `compat_runtime::message::Codec`.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub(crate) enum Codec {
    /// serde with names on the wire (JSON): today's rules.
    #[default]
    SelfDescribing,
    /// serde with a positional format (bincode 1, postcard, rmp arrays).
    SerdePositional,
    /// bincode 2's native `Encode`/`Decode`.
    Bincode,
    /// borsh.
    Borsh,
}

impl Codec {
    pub(crate) const ALL: [Codec; 4] = [
        Codec::SelfDescribing,
        Codec::SerdePositional,
        Codec::Bincode,
        Codec::Borsh,
    ];

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Codec::SelfDescribing => "self-describing",
            Codec::SerdePositional => "serde-positional",
            Codec::Bincode => "bincode",
            Codec::Borsh => "borsh",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|codec| codec.as_str() == text)
    }

    /// The variant of `compat_runtime::Codec` this is.
    pub(crate) const fn variant_name(self) -> &'static str {
        match self {
            Codec::SelfDescribing => "SelfDescribing",
            Codec::SerdePositional => "SerdePositional",
            Codec::Bincode => "Bincode",
            Codec::Borsh => "Borsh",
        }
    }

    /// Values travel by position (field order, variant index), not by name.
    pub(crate) const fn is_positional(self) -> bool {
        !matches!(self, Codec::SelfDescribing)
    }

    /// serde writes the bytes, so `#[serde(...)]` changes them.
    pub(crate) const fn through_serde(self) -> bool {
        matches!(self, Codec::SelfDescribing | Codec::SerdePositional)
    }

    /// What the codec's name stands for, in messages: `bincode 2's native Encode/Decode`.
    pub(crate) const fn gloss(self) -> &'static str {
        match self {
            Codec::SelfDescribing => "serde with names on the wire",
            Codec::SerdePositional => "a positional format through serde",
            Codec::Bincode => "bincode 2's native Encode/Decode",
            Codec::Borsh => "borsh's own derive",
        }
    }

    /// How the codec is named in messages: `bincode (bincode 2's native Encode/Decode)`.
    pub(crate) fn described(self) -> String {
        format!("{} ({})", self.as_str(), self.gloss())
    }
}
