//! The hello: who an end is, at which version, with which message tables.

use core::fmt;

use super::layout::{
    Fields, FrameType, HelloError, MAX_ADVERTISED, MAX_COMPONENT, MAX_FEATURES_LEN, Writer,
    malformed, tag, write_frame,
};
use crate::policy::MAX_FEATURE_NAME;
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
    // The component, the version, the protocol version and the advertised features (joined
    // by `,`), in one allocation: a hello is decoded on every connection, at both ends.
    text: String,
    split: usize,
    // Where the version ends and the protocol ends; the features follow.
    version_end: u32,
    protocol_end: u32,
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
        Hello::with_all(component, version, "", "", fingerprint)
    }

    fn with_all(
        component: &str,
        version: &str,
        protocol: &str,
        features: &str,
        fingerprint: u64,
    ) -> Self {
        let mut text = String::with_capacity(
            component.len() + version.len() + protocol.len() + features.len(),
        );
        text.push_str(component);
        text.push_str(version);
        let version_end = text.len() as u32;
        text.push_str(protocol);
        let protocol_end = text.len() as u32;
        text.push_str(features);
        Hello {
            text,
            split: component.len(),
            version_end,
            protocol_end,
            fingerprint,
        }
    }

    /// The same hello stating the protocol version this end speaks (`[protocol]` in the
    /// policy), cut to [`MAX_VERSION_LEN`](crate::version::MAX_VERSION_LEN) bytes; an empty
    /// text states none.
    ///
    /// ```
    /// use compat_runtime::handshake::Hello;
    /// let hello = Hello::new("agent", "3.41.0", 7).with_protocol("1.6.0");
    /// assert_eq!(hello.protocol(), Some("1.6.0"));
    /// assert_eq!(Hello::new("agent", "3.41.0", 7).protocol(), None);
    /// ```
    pub fn with_protocol(&self, protocol: &str) -> Self {
        Hello::with_all(
            self.component(),
            self.version(),
            cut(protocol, MAX_VERSION_LEN),
            self.features_text(),
            self.fingerprint,
        )
    }

    /// The same hello advertising `features` (capabilities, by name): at most
    /// [`MAX_ADVERTISED`] names of at most [`MAX_FEATURE_NAME`] bytes each, made of
    /// letters, digits, `-`, `_` and `.`; names beyond those bounds, and invalid ones, are
    /// left out (an [`Endpoint`](crate::Endpoint) checks them against its policy first).
    ///
    /// ```
    /// use compat_runtime::handshake::Hello;
    /// let hello = Hello::new("agent", "3.41.0", 7).with_features(["readlink", "steal-filtered-upgrades"]);
    /// assert_eq!(hello.features().collect::<Vec<_>>(), ["readlink", "steal-filtered-upgrades"]);
    /// assert!(hello.advertises("readlink"));
    /// assert!(!hello.advertises("read"));
    /// ```
    pub fn with_features<'a>(&self, features: impl IntoIterator<Item = &'a str>) -> Self {
        let mut joined = String::new();
        let valid = features.into_iter().filter(|n| valid_feature(n));
        for name in valid.take(MAX_ADVERTISED) {
            if joined.len() + name.len() + 1 > MAX_FEATURES_LEN {
                break;
            }
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(name);
        }
        let protocol = self.protocol().unwrap_or("");
        Hello::with_all(
            self.component(),
            self.version(),
            protocol,
            &joined,
            self.fingerprint,
        )
    }

    /// The component, as the peer named it.
    pub fn component(&self) -> &str {
        &self.text[..self.split]
    }

    /// The version text, as the peer sent it.
    pub fn version(&self) -> &str {
        &self.text[self.split..self.version_end as usize]
    }

    /// The protocol version the peer stated (`[protocol]`), as text; `None` from a peer
    /// that states none (one built before protocol versions, or without `[protocol]`).
    pub fn protocol(&self) -> Option<&str> {
        Some(&self.text[self.version_end as usize..self.protocol_end as usize])
            .filter(|p| !p.is_empty())
    }

    /// The features the peer advertised, in the order it sent them.
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.features_text().split(',').filter(|f| !f.is_empty())
    }

    /// Whether the peer advertised `feature`.
    pub fn advertises(&self, feature: &str) -> bool {
        self.features().any(|f| f == feature)
    }

    fn features_text(&self) -> &str {
        &self.text[self.protocol_end as usize..]
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
        if let Some(protocol) = self.protocol() {
            w.text(tag::PROTOCOL, protocol, MAX_VERSION_LEN);
        }
        if !self.features_text().is_empty() {
            w.text(tag::FEATURES, self.features_text(), MAX_FEATURES_LEN);
        }
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
        let protocol = fields
            .str(tag::PROTOCOL, "protocol version", MAX_VERSION_LEN)?
            .unwrap_or("");
        let features = fields
            .str(tag::FEATURES, "feature list", MAX_FEATURES_LEN)?
            .unwrap_or("");
        read_features(features)?;
        Ok(Hello::with_all(
            component,
            version,
            protocol,
            features,
            fingerprint,
        ))
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
            .field("protocol", &self.protocol())
            .field("features", &self.features_text())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// Checks a peer's feature list: at most [`MAX_ADVERTISED`] names, each 1 to
/// [`MAX_FEATURE_NAME`] bytes of letters, digits, `-`, `_` and `.`.
fn read_features(list: &str) -> Result<(), HelloError> {
    if list.is_empty() {
        return Ok(());
    }
    for (count, name) in list.split(',').enumerate() {
        if count == MAX_ADVERTISED {
            return Err(malformed(format!(
                "the feature list names more than {MAX_ADVERTISED} features"
            )));
        }
        if !valid_feature(name) {
            return Err(malformed(format!(
                "the feature list holds `{}`, which is not a feature name (1 to {MAX_FEATURE_NAME} letters, digits, `-`, `_` or `.`)",
                crate::version::shorten(name)
            )));
        }
    }
    Ok(())
}

/// Whether `name` can be a feature's name on the wire.
pub(crate) fn valid_feature(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_FEATURE_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
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
