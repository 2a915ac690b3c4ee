//! The layout of a handshake frame: an 8-byte header that never changes (magic, layout,
//! frame type, body length), then a body of tagged fields, and the errors of reading them.
//! `docs/handshake.md` is the reference; this and `frame.rs` are the one implementation.

use core::fmt;

use super::kind::RefusedKind;

/// The first four bytes of every handshake frame: `CMPT`.
pub const MAGIC: [u8; 4] = *b"CMPT";
/// The layout of the bodies this release writes and reads.
pub const LAYOUT: u8 = 1;
/// Magic, layout, frame type, body length.
pub const HEADER_LEN: usize = 8;
/// The largest body accepted (and written); a longer one is refused before it is read.
pub const MAX_BODY: usize = 4096;
/// The longest component name in a hello.
pub const MAX_COMPONENT: usize = 64;
/// The longest feature list a hello carries (the names joined by `,`).
pub const MAX_FEATURES_LEN: usize = 1024;
/// The most features a hello advertises.
pub const MAX_ADVERTISED: usize = 64;
/// The most fields a body may carry (known or not).
pub const MAX_FIELDS: usize = 64;
/// The longest text a refusal or notice carries in one field; longer text is cut (at a
/// character boundary) by the writer.
pub const MAX_TEXT: usize = 400;

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// A client's opening hello.
    Hello = 1,
    /// The server's hello, accepting the client, maybe with a notice.
    Accept = 2,
    /// A refusal, from either end.
    Refusal = 3,
}

impl FrameType {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(FrameType::Hello),
            2 => Some(FrameType::Accept),
            3 => Some(FrameType::Refusal),
            _ => None,
        }
    }

    /// `hello`, `accept`, `refusal`.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameType::Hello => "hello",
            FrameType::Accept => "accept",
            FrameType::Refusal => "refusal",
        }
    }
}

/// Appends the header and the body `body` writes, then fills in the body's length.
pub(crate) fn write_frame(
    out: &mut Vec<u8>,
    frame_type: FrameType,
    body: impl FnOnce(&mut Writer<'_>),
) {
    let start = out.len();
    out.extend_from_slice(&MAGIC);
    out.push(LAYOUT);
    out.push(frame_type as u8);
    out.extend_from_slice(&[0, 0]);
    body(&mut Writer { out, used: 0 });
    let len = out.len() - start - HEADER_LEN;
    debug_assert!(len <= MAX_BODY, "the writer caps every field");
    let len = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
    out[start + 6..start + 8].copy_from_slice(&len);
}

/// A checked frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The frame's type.
    pub frame_type: FrameType,
    /// The body's length in bytes.
    pub len: usize,
}

impl Header {
    /// Reads the header at the front of `bytes`, `Ok(None)` if fewer than [`HEADER_LEN`]
    /// bytes arrived (but any that did are checked against the magic already).
    pub fn peek(bytes: &[u8]) -> Result<Option<Header>, HelloError> {
        let have = bytes.len().min(MAGIC.len());
        if bytes[..have] != MAGIC[..have] {
            return Err(HelloError::NotCompat {
                start: bytes[..bytes.len().min(8)].to_vec(),
            });
        }
        let Some(head) = bytes.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let layout = head[4];
        if layout != LAYOUT {
            return Err(HelloError::Layout { layout });
        }
        let Some(frame_type) = FrameType::from_byte(head[5]) else {
            return Err(HelloError::Malformed {
                what: format!(
                    "frame type {} is not hello (1), accept (2) or refusal (3)",
                    head[5]
                ),
            });
        };
        let len = usize::from(u16::from_be_bytes([head[6], head[7]]));
        if len > MAX_BODY {
            return Err(HelloError::Oversize { len });
        }
        Ok(Some(Header { frame_type, len }))
    }
}

/// Why handshake bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HelloError {
    /// The bytes do not start with the magic: the peer does not speak compat.
    NotCompat {
        /// The first bytes that arrived (at most 8).
        start: Vec<u8>,
    },
    /// A body layout this release cannot read (a future one).
    Layout {
        /// The layout the peer wrote.
        layout: u8,
    },
    /// A body longer than [`MAX_BODY`].
    Oversize {
        /// Its declared length.
        len: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// Bytes received.
        have: usize,
        /// Bytes the frame needs.
        need: usize,
    },
    /// The body is not a valid frame of its type.
    Malformed {
        /// What is wrong.
        what: String,
    },
    /// A valid frame, but not the one the handshake expects at this point.
    Unexpected {
        /// What arrived.
        got: FrameType,
        /// What was expected.
        expected: &'static str,
    },
}

impl HelloError {
    /// The refusal kind this error is sent back as.
    pub fn kind(&self) -> RefusedKind {
        match self {
            HelloError::Layout { .. } => RefusedKind::Layout,
            _ => RefusedKind::BadHello,
        }
    }
}

impl fmt::Display for HelloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HelloError::NotCompat { start } => {
                let hex: Vec<String> = start.iter().map(|b| format!("{b:02x}")).collect();
                let text: String = start
                    .iter()
                    .map(|&b| {
                        if b.is_ascii_graphic() || b == b' ' {
                            b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                write!(
                    f,
                    "the peer did not open with a compat hello: its first bytes are {} (`{text}`), not `CMPT`; \
                     connect with a client built on compat_runtime::handshake",
                    hex.join(" ")
                )
            }
            HelloError::Layout { layout } => write!(
                f,
                "the peer's hello is in layout {layout}, and this build reads layout {LAYOUT}; \
                 upgrade this end's compat-runtime, or have the peer write layout {LAYOUT}"
            ),
            HelloError::Oversize { len } => write!(
                f,
                "the peer's handshake frame declares {len} bytes; at most {MAX_BODY} are accepted"
            ),
            HelloError::Truncated { have, need } => write!(
                f,
                "the peer closed the connection inside the handshake, after {have} of {need} bytes"
            ),
            HelloError::Malformed { what } => write!(f, "malformed handshake frame: {what}"),
            HelloError::Unexpected { got, expected } => write!(
                f,
                "the peer sent a {} frame where {expected} was expected",
                got.as_str()
            ),
        }
    }
}

impl std::error::Error for HelloError {}

/// Field tags of layout 1. Tags of a kind the reader does not know are skipped, so a later
/// release can add fields without a new layout.
pub(crate) mod tag {
    pub(crate) const COMPONENT: u8 = 0x01;
    pub(crate) const VERSION: u8 = 0x02;
    pub(crate) const FINGERPRINT: u8 = 0x03;
    /// The protocol version the end speaks (`[protocol]`); optional.
    pub(crate) const PROTOCOL: u8 = 0x04;
    /// The features the end advertises, joined by `,`; optional.
    pub(crate) const FEATURES: u8 = 0x05;

    pub(crate) const NOTICE_BY: u8 = 0x20;
    pub(crate) const NOTICE_SUBJECT: u8 = 0x21;
    pub(crate) const NOTICE_FROM: u8 = 0x22;
    pub(crate) const NOTICE_KIND: u8 = 0x23;
    pub(crate) const NOTICE_RULE: u8 = 0x24;
    pub(crate) const NOTICE_ORIGIN: u8 = 0x25;
    pub(crate) const NOTICE_REMEDY: u8 = 0x26;

    pub(crate) const REFUSED_BY: u8 = 0x40;
    pub(crate) const KIND: u8 = 0x41;
    pub(crate) const KIND_TEXT: u8 = 0x42;
    pub(crate) const SUBJECT: u8 = 0x43;
    pub(crate) const OTHER: u8 = 0x44;
    pub(crate) const RULE: u8 = 0x45;
    pub(crate) const ORIGIN: u8 = 0x46;
    pub(crate) const NOTE: u8 = 0x47;
    pub(crate) const REMEDY: u8 = 0x48;
    pub(crate) const MESSAGE: u8 = 0x49;
}

/// Writes `tag, u16 length, value` fields, never past [`MAX_BODY`].
pub(crate) struct Writer<'a> {
    out: &'a mut Vec<u8>,
    used: usize,
}

impl Writer<'_> {
    pub(crate) fn bytes(&mut self, tag: u8, value: &[u8]) {
        if self.used + 3 > MAX_BODY {
            return;
        }
        let room = MAX_BODY - self.used - 3;
        let value = &value[..value.len().min(room)];
        self.out.push(tag);
        self.out
            .extend_from_slice(&(value.len() as u16).to_be_bytes());
        self.out.extend_from_slice(value);
        self.used += 3 + value.len();
    }

    /// Text, cut at a character boundary to `max` bytes.
    pub(crate) fn text(&mut self, tag: u8, text: &str, max: usize) {
        let mut end = text.len().min(max);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.bytes(tag, &text.as_bytes()[..end]);
    }

    pub(crate) fn opt_text(&mut self, tag: u8, text: Option<&str>) {
        if let Some(text) = text {
            self.text(tag, text, MAX_TEXT);
        }
    }
}

/// The fields of one body, each at most once: the body itself, checked once by
/// [`Fields::read`] (every field within the body, no tag twice, at most [`MAX_FIELDS`]), then
/// searched per tag. A view, not a table: a body has a handful of fields, and a table sized
/// for [`MAX_FIELDS`] would cost more to fill and move than every lookup together.
pub(crate) struct Fields<'a> {
    body: &'a [u8],
}

impl<'a> Fields<'a> {
    pub(crate) fn read(body: &'a [u8]) -> Result<Self, HelloError> {
        let mut seen = [0u64; 4];
        let mut count = 0;
        let mut rest = body;
        while !rest.is_empty() {
            if count == MAX_FIELDS {
                return Err(malformed(format!("more than {MAX_FIELDS} fields")));
            }
            let [tag, hi, lo, after @ ..] = rest else {
                return Err(malformed(format!(
                    "{} stray byte(s) after the last field",
                    rest.len()
                )));
            };
            let len = usize::from(u16::from_be_bytes([*hi, *lo]));
            if after.len() < len {
                return Err(malformed(format!(
                    "field 0x{tag:02x} declares {len} bytes but only {} remain",
                    after.len()
                )));
            }
            let (word, bit) = (usize::from(*tag / 64), 1u64 << (*tag % 64));
            if seen[word] & bit != 0 {
                return Err(malformed(format!("field 0x{tag:02x} appears twice")));
            }
            seen[word] |= bit;
            count += 1;
            rest = &after[len..];
        }
        Ok(Fields { body })
    }

    pub(crate) fn get(&self, tag: u8) -> Option<&'a [u8]> {
        // `read` checked the layout: every field header and value is within the body.
        let mut rest = self.body;
        while let [t, hi, lo, after @ ..] = rest {
            let len = usize::from(u16::from_be_bytes([*hi, *lo]));
            let (value, next) = after.split_at(len.min(after.len()));
            if *t == tag {
                return Some(value);
            }
            rest = next;
        }
        None
    }

    pub(crate) fn has(&self, tag: u8) -> bool {
        self.get(tag).is_some()
    }

    /// A UTF-8 field of at most `max` bytes, if present.
    pub(crate) fn text(
        &self,
        tag: u8,
        what: &str,
        max: usize,
    ) -> Result<Option<String>, HelloError> {
        Ok(self.str(tag, what, max)?.map(str::to_owned))
    }

    /// [`Fields::text`], borrowed from the body.
    pub(crate) fn str(
        &self,
        tag: u8,
        what: &str,
        max: usize,
    ) -> Result<Option<&'a str>, HelloError> {
        let Some(value) = self.get(tag) else {
            return Ok(None);
        };
        if value.len() > max {
            return Err(malformed(format!(
                "the {what} is {} bytes long; at most {max} are accepted",
                value.len()
            )));
        }
        match core::str::from_utf8(value) {
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(malformed(format!("the {what} is not UTF-8"))),
        }
    }

    /// A UTF-8 field that must be present and non-empty, borrowed from the body.
    pub(crate) fn required_str(
        &self,
        tag: u8,
        what: &str,
        max: usize,
    ) -> Result<&'a str, HelloError> {
        match self.str(tag, what, max)? {
            Some(text) if !text.is_empty() => Ok(text),
            Some(_) => Err(malformed(format!("the {what} is empty"))),
            None => Err(malformed(format!("the {what} is missing"))),
        }
    }
}

pub(crate) fn malformed(what: String) -> HelloError {
    HelloError::Malformed { what }
}
