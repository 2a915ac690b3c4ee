//! The hello: who an end is, at which version, with which message tables.

use core::fmt;

use super::layout::{
    Fields, FrameType, HelloError, MAX_COMPONENT, Writer, malformed, tag, write_frame,
};
use crate::version::MAX_VERSION_LEN;

/// What an end announces: its component, its version and the fingerprint of its message
/// tables ([`fingerprint::of`](crate::fingerprint::of) over `messages()`).
///
/// The version is kept as the text the peer sent: the end that reads it parses it with its
/// own policy and refuses text that is not a version.
///
/// ```
/// use compat_runtime::handshake::Hello;
/// let hello = Hello::new("agent", "0.8.4", 0x1234);
/// assert_eq!(hello.to_string(), "agent 0.8.4 (tables 0000000000001234)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Hello {
    // The component followed by the version, in one allocation: a hello is decoded on every
    // connection, at both ends.
    text: String,
    split: usize,
    fingerprint: u64,
}

impl Hello {
    /// A hello. Component and version are cut to the lengths the wire allows
    /// ([`MAX_COMPONENT`], [`MAX_VERSION_LEN`](crate::version::MAX_VERSION_LEN) bytes).
    pub fn new(component: impl AsRef<str>, version: impl AsRef<str>, fingerprint: u64) -> Self {
        Hello::from_parts(
            cut(component.as_ref(), MAX_COMPONENT),
            cut(version.as_ref(), MAX_VERSION_LEN),
            fingerprint,
        )
    }

    fn from_parts(component: &str, version: &str, fingerprint: u64) -> Self {
        let mut text = String::with_capacity(component.len() + version.len());
        text.push_str(component);
        text.push_str(version);
        Hello {
            text,
            split: component.len(),
            fingerprint,
        }
    }

    /// The component, as the peer named it.
    pub fn component(&self) -> &str {
        &self.text[..self.split]
    }

    /// The version text, as the peer sent it.
    pub fn version(&self) -> &str {
        &self.text[self.split..]
    }

    /// The fingerprint of the peer's message tables.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// `component@version`, the way the policy and the command line write a peer.
    pub fn peer_text(&self) -> String {
        format!("{}@{}", self.component(), self.version())
    }

    /// Appends this hello as a HELLO frame (what [`Frame::Hello`](super::Frame::Hello)
    /// encodes to, without a copy of the hello).
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_frame(out, FrameType::Hello, |w| self.write(w));
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.text(tag::COMPONENT, self.component(), MAX_COMPONENT);
        w.text(tag::VERSION, self.version(), MAX_VERSION_LEN);
        w.bytes(tag::FINGERPRINT, &self.fingerprint.to_be_bytes());
    }

    pub(crate) fn read(fields: &Fields<'_>) -> Result<Self, HelloError> {
        let component = fields.required_str(tag::COMPONENT, "component", MAX_COMPONENT)?;
        let version = fields.required_str(tag::VERSION, "version", MAX_VERSION_LEN)?;
        let fingerprint = match fields.get(tag::FINGERPRINT) {
            Some(&[a, b, c, d, e, f, g, h]) => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
            Some(other) => {
                return Err(malformed(format!(
                    "the fingerprint is {} bytes long, not 8",
                    other.len()
                )));
            }
            None => return Err(malformed("the fingerprint is missing".into())),
        };
        Ok(Hello::from_parts(component, version, fingerprint))
    }
}

impl fmt::Display for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (tables {:016x})",
            self.component(),
            self.version(),
            self.fingerprint
        )
    }
}

impl fmt::Debug for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hello")
            .field("component", &self.component())
            .field("version", &self.version())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// `text` cut at a character boundary to at most `max` bytes.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

// So `Endpoint::accept` and its kin take a hello by reference or, sparing a copy, by value.
impl<'a> From<&'a Hello> for std::borrow::Cow<'a, Hello> {
    fn from(hello: &'a Hello) -> Self {
        std::borrow::Cow::Borrowed(hello)
    }
}

impl From<Hello> for std::borrow::Cow<'_, Hello> {
    fn from(hello: Hello) -> Self {
        std::borrow::Cow::Owned(hello)
    }
}
