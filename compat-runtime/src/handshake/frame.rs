//! The frames of the handshake: a hello, an accept (the server's hello and its notice) or a
//! refusal, as bytes in the layout of `layout.rs`. `docs/handshake.md` is the reference.

use super::hello::Hello;
use super::layout::{Fields, FrameType, HEADER_LEN, Header, HelloError, write_frame};
use super::refused::{Notice, Refused};

/// One decoded handshake frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A client's hello.
    Hello(Hello),
    /// The server's hello, and the notice it computed for the client, if any.
    Accept(Hello, Option<Notice>),
    /// A refusal.
    Refusal(Refused),
}

impl Frame {
    /// The frame's type.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Frame::Hello(_) => FrameType::Hello,
            Frame::Accept(..) => FrameType::Accept,
            Frame::Refusal(_) => FrameType::Refusal,
        }
    }

    /// Appends the frame's bytes to `out`.
    ///
    /// ```
    /// use compat_runtime::handshake::{Frame, Hello};
    /// let mut bytes = Vec::new();
    /// Frame::Hello(Hello::new("agent", "0.9.3", 7)).encode(&mut bytes);
    /// assert_eq!(&bytes[..6], b"CMPT\x01\x01");
    /// let (frame, used) = Frame::decode(&bytes).unwrap().unwrap();
    /// assert_eq!(used, bytes.len());
    /// assert_eq!(frame, Frame::Hello(Hello::new("agent", "0.9.3", 7)));
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Frame::Hello(hello) => write_frame(out, FrameType::Hello, |w| hello.write(w)),
            Frame::Accept(hello, notice) => encode_accept(out, hello, notice.as_ref()),
            Frame::Refusal(refused) => encode_refusal(out, refused),
        }
    }

    /// The frame's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out);
        out
    }

    /// Decodes one frame from the front of `bytes`: `Ok(None)` when more bytes are needed
    /// (at most [`HEADER_LEN`] + [`MAX_BODY`](super::MAX_BODY) in all), otherwise the frame
    /// and how many bytes it took. Hostile input gives an error, never a panic, and nothing
    /// is read beyond the declared length.
    pub fn decode(bytes: &[u8]) -> Result<Option<(Frame, usize)>, HelloError> {
        let Some(header) = Header::peek(bytes)? else {
            return Ok(None);
        };
        let end = HEADER_LEN + header.len;
        let Some(body) = bytes.get(HEADER_LEN..end) else {
            return Ok(None);
        };
        Ok(Some((read_body(header, body)?, end)))
    }

    /// How many more bytes [`Frame::decode`] needs before it can answer, given what has
    /// arrived so far; 0 when it can answer now. Lets a reader ask for exactly the rest of
    /// a frame and never read past it.
    pub fn needs(bytes: &[u8]) -> Result<usize, HelloError> {
        match Header::peek(bytes)? {
            None => Ok(HEADER_LEN - bytes.len()),
            Some(h) => Ok((HEADER_LEN + h.len).saturating_sub(bytes.len())),
        }
    }
}

/// Appends an ACCEPT frame: this end's hello and the notice, if any.
pub(crate) fn encode_accept(out: &mut Vec<u8>, hello: &Hello, notice: Option<&Notice>) {
    write_frame(out, FrameType::Accept, |w| {
        hello.write(w);
        if let Some(notice) = notice {
            notice.write(w);
        }
    });
}

/// Appends a REFUSAL frame (what [`Frame::Refusal`] encodes to, without a copy of the
/// refusal).
pub(crate) fn encode_refusal(out: &mut Vec<u8>, refused: &Refused) {
    write_frame(out, FrameType::Refusal, |w| refused.write(w));
}

/// The frame a checked header announces, from its body.
fn read_body(header: Header, body: &[u8]) -> Result<Frame, HelloError> {
    let fields = Fields::read(body)?;
    Ok(match header.frame_type {
        FrameType::Hello => Frame::Hello(Hello::read(&fields)?),
        FrameType::Accept => Frame::Accept(Hello::read(&fields)?, Notice::read(&fields)?),
        FrameType::Refusal => Frame::Refusal(Refused::read(&fields)?),
    })
}
