//! Why a handshake was refused, and the one byte that carries it.

use core::fmt;

use crate::check::RefusalKind;

/// Why a handshake was refused: a policy verdict, or something wrong with the hello itself.
///
/// Travels as one byte (see [the handshake reference](crate::docs::handshake)); a code this
/// release does not know reads as [`RefusedKind::Other`], and the refusal's text still says
/// what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusedKind {
    /// The policy refused the pair.
    Policy(RefusalKind),
    /// The peer claims a recorded release but carries other message tables.
    FingerprintMismatch,
    /// The hello could not be read, or its component or version is not valid.
    BadHello,
    /// The hello is in a layout this end cannot read.
    Layout,
    /// No hello arrived in time.
    Timeout,
    /// A code this release does not know.
    Other(u8),
}

impl RefusedKind {
    /// The byte that carries the kind.
    pub fn code(self) -> u8 {
        match self {
            RefusedKind::Policy(kind) => match kind {
                RefusalKind::TooOld => 1,
                RefusalKind::TooNew => 2,
                RefusalKind::Unstable => 3,
                RefusalKind::PreRelease => 4,
                RefusalKind::BelowFloor => 5,
                RefusalKind::Unsupported => 6,
                RefusalKind::UnknownComponent => 7,
                RefusalKind::Denied => 8,
                #[allow(unreachable_patterns, reason = "RefusalKind is non_exhaustive")]
                _ => 15,
            },
            RefusedKind::FingerprintMismatch => 16,
            RefusedKind::BadHello => 17,
            RefusedKind::Layout => 18,
            RefusedKind::Timeout => 19,
            RefusedKind::Other(code) => code,
        }
    }

    /// The kind a byte carries.
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => RefusedKind::Policy(RefusalKind::TooOld),
            2 => RefusedKind::Policy(RefusalKind::TooNew),
            3 => RefusedKind::Policy(RefusalKind::Unstable),
            4 => RefusedKind::Policy(RefusalKind::PreRelease),
            5 => RefusedKind::Policy(RefusalKind::BelowFloor),
            6 => RefusedKind::Policy(RefusalKind::Unsupported),
            7 => RefusedKind::Policy(RefusalKind::UnknownComponent),
            8 => RefusedKind::Policy(RefusalKind::Denied),
            16 => RefusedKind::FingerprintMismatch,
            17 => RefusedKind::BadHello,
            18 => RefusedKind::Layout,
            19 => RefusedKind::Timeout,
            code => RefusedKind::Other(code),
        }
    }

    /// A short, stable name: the policy's (`too old`, `too new`, …), `fingerprint mismatch`,
    /// `bad hello`, `layout`, `timeout`, or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusedKind::Policy(kind) => kind.as_str(),
            RefusedKind::FingerprintMismatch => "fingerprint mismatch",
            RefusedKind::BadHello => "bad hello",
            RefusedKind::Layout => "layout",
            RefusedKind::Timeout => "timeout",
            RefusedKind::Other(_) => "other",
        }
    }
}

impl fmt::Display for RefusedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
