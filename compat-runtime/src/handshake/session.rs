//! The session: what a handshake settled. Who the peer is, what it understands, and the
//! send guard. Public as `compat_runtime::session`; it lives beside the handshake that makes
//! it, and depends on the hello and the notice only.

use std::borrow::Cow;
use std::sync::Arc;

use super::hello::Hello;
use super::refused::Notice;
use crate::check::Peer;
use crate::guard::{Guard, Part, Unknown, Unreadable, pack, pack_peer};
use crate::message::{Field, Message, Variant};
use crate::version::Version;

/// The outcome of a handshake both ends accepted.
///
/// It holds the peer (parsed with this end's policy) and its hello, the advance-warning
/// notices of either end, and the peer's version packed for the send guard: for a message
/// the peer fully knows, [`Session::guard`] is one integer compare.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Compat, Policy};
/// use compat_runtime::handshake::Endpoint;
///
/// #[derive(Clone, Compat)]
/// #[compat(from = "server", to = "agent")]
/// #[since("0.0.1")]
/// pub struct Update {
///     pub svids: Vec<String>,
///     #[since("0.1.0")]
///     pub revision: Option<u64>,
/// }
///
/// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
///     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
/// static MESSAGES: &[&compat_runtime::Message] = &[Update::MESSAGE];
/// let server = Endpoint::new(&policy, "server", "0.1.0", MESSAGES).unwrap();
/// let agent = Endpoint::new(&policy, "agent", "0.0.9", MESSAGES).unwrap();
/// let session = server.accept(agent.hello()).unwrap();
/// assert_eq!(session.peer_component(), "agent");
///
/// // An agent at 0.0.9 cannot see `revision` (0.1.0): a value there would be lost.
/// let update = Update { svids: vec![], revision: Some(7) };
/// let err = session.guard(&update).unwrap_err();
/// assert!(err.to_string().starts_with(
///     "cannot send `Update` to agent 0.0.9: field `revision` arrived in 0.1.0"
/// ));
/// assert!(session.guard(&Update { svids: vec![], revision: None }).is_ok());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    peer: Peer,
    hello: Hello,
    packed: u64,
    local: Arc<Hello>,
    // Boxed: notices are rare, and the session moves on every accepted connection (out of
    // the handshake, through the futures that return it), so it stays small without them.
    notice_about_peer: Option<Box<Notice>>,
    notice_from_peer: Option<Box<Notice>>,
    messages: &'static [&'static Message],
    rule: Option<usize>,
}

/// What [`Session::new`] is built from, in one piece so the session is written once.
pub(crate) struct Settled {
    pub(crate) peer: Peer,
    pub(crate) hello: Hello,
    pub(crate) local: Arc<Hello>,
    pub(crate) messages: &'static [&'static Message],
    pub(crate) rule: Option<usize>,
    pub(crate) notice_about_peer: Option<Notice>,
    pub(crate) notice_from_peer: Option<Notice>,
}

impl Session {
    pub(crate) fn new(settled: Settled) -> Self {
        let Settled {
            peer,
            hello,
            local,
            messages,
            rule,
            notice_about_peer,
            notice_from_peer,
        } = settled;
        Session {
            packed: pack_peer(&peer.version),
            peer,
            hello,
            local,
            notice_about_peer: notice_about_peer.map(Box::new),
            notice_from_peer: notice_from_peer.map(Box::new),
            messages,
            rule,
        }
    }

    /// The index in [`Policy::rules`](crate::Policy::rules) of the rule of this end's
    /// policy that admitted the peer; `None` when no rule relates the two components.
    pub fn rule(&self) -> Option<usize> {
        self.rule
    }

    /// The same session without notices (a client keeps its server's notice, not its own).
    #[cfg(feature = "tower")]
    pub(crate) fn without_notices(mut self) -> Self {
        self.notice_about_peer = None;
        self.notice_from_peer = None;
        self
    }

    /// The peer, as this end's policy reads it.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// The peer's component.
    pub fn peer_component(&self) -> &str {
        // The handshake looked the peer's name up in the policy exactly, so it is the
        // policy's name.
        self.hello.component()
    }

    /// The peer's version.
    pub fn peer_version(&self) -> &Version {
        &self.peer.version
    }

    /// The hello the peer sent.
    pub fn peer_hello(&self) -> &Hello {
        &self.hello
    }

    /// The hello this end sent.
    pub fn local_hello(&self) -> &Hello {
        &self.local
    }

    /// The advance warning this end computed about the peer (sent to it with the accept,
    /// on the server's side).
    pub fn notice_about_peer(&self) -> Option<&Notice> {
        self.notice_about_peer.as_deref()
    }

    /// The advance warning the peer sent about this end.
    pub fn notice_from_peer(&self) -> Option<&Notice> {
        self.notice_from_peer.as_deref()
    }

    /// Every notice of this session, this end's first: what both ends should log.
    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.notice_about_peer
            .as_deref()
            .into_iter()
            .chain(self.notice_from_peer.as_deref())
    }

    /// What the peer understands of one message, from its table and the peer's version.
    pub fn understanding(&self, message: &'static Message) -> Understanding {
        let knows = |since: &str| since_packed(since) <= self.packed;
        Understanding {
            message,
            known: knows(message.since),
            // Fields of a variant the peer does not know are covered by the variant.
            unknown_fields: message
                .fields
                .iter()
                .chain(
                    message
                        .variants
                        .iter()
                        .filter(|v| knows(v.since))
                        .flat_map(|v| v.fields.iter()),
                )
                .filter(|f| !knows(f.since))
                .collect(),
            unknown_variants: message
                .variants
                .iter()
                .filter(|v| !knows(v.since))
                .collect(),
        }
    }

    /// What the peer understands of each of this end's messages (`messages()`), in order.
    pub fn understandings(&self) -> Vec<Understanding> {
        self.messages
            .iter()
            .map(|m| self.understanding(m))
            .collect()
    }

    /// Refuses a value the peer cannot read: a variant newer than the peer, or a field
    /// newer than the peer that holds a non-default value and is not `#[compat(ignorable)]`.
    /// For a message the peer fully knows this is one integer compare, and it never
    /// allocates unless it refuses.
    ///
    /// Ignorable fields are not refused; [`Session::prepare`] drops them.
    #[inline]
    pub fn guard<T: Guard>(&self, value: &T) -> Result<(), Unreadable> {
        if T::newest() <= self.packed {
            return Ok(());
        }
        self.guard_slow(value)
    }

    #[cold]
    fn guard_slow<T: Guard>(&self, value: &T) -> Result<(), Unreadable> {
        match value.unreadable(self.packed) {
            None => Ok(()),
            Some(unknown) => Err(self.unreadable(T::MESSAGE.name, unknown)),
        }
    }

    fn unreadable(&self, sent: &'static str, unknown: Unknown) -> Unreadable {
        Unreadable::new(sent, unknown, self.hello.component(), &self.peer.version)
    }

    /// [`Session::guard`], then the value as the peer should get it: itself when the peer
    /// knows every part that holds a value (no copy), otherwise a copy whose ignorable
    /// fields the peer does not know are reset to their defaults (dropped, with
    /// `skip_serializing_if` or an `Option` the serializer leaves out).
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Compat, Policy};
    /// use compat_runtime::handshake::Endpoint;
    /// use std::borrow::Cow;
    ///
    /// #[derive(Clone, Debug, PartialEq, Compat)]
    /// #[since("0.0.1")]
    /// #[compat(between = ["server"])]
    /// pub struct Sync {
    ///     pub entries: u32,
    ///     #[since("0.1.0")]
    ///     #[compat(ignorable)]
    ///     pub hint: Option<String>,
    /// }
    ///
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\n\
    ///     [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\n").unwrap();
    /// static MESSAGES: &[&compat_runtime::Message] = &[Sync::MESSAGE];
    /// let new = Endpoint::new(&policy, "server", "0.1.0", MESSAGES).unwrap();
    /// let old = Endpoint::new(&policy, "server", "0.0.5", MESSAGES).unwrap();
    /// let session = new.accept(old.hello()).unwrap();
    /// let value = Sync { entries: 3, hint: Some("warm".into()) };
    /// let sent = session.prepare(&value).unwrap();
    /// assert!(matches!(sent, Cow::Owned(_)));
    /// assert_eq!(sent.hint, None);
    /// # }
    /// ```
    pub fn prepare<'v, T: Guard + Clone>(&self, value: &'v T) -> Result<Cow<'v, T>, Unreadable> {
        if T::newest() <= self.packed {
            return Ok(Cow::Borrowed(value));
        }
        self.guard_slow(value)?;
        if value.needs_strip(self.packed) {
            let mut owned = value.clone();
            owned.strip(self.packed);
            Ok(Cow::Owned(owned))
        } else {
            Ok(Cow::Borrowed(value))
        }
    }

    /// Resets, in place, the ignorable parts of `value` that the peer does not know.
    #[inline]
    pub fn strip<T: Guard>(&self, value: &mut T) {
        if T::newest() > self.packed {
            value.strip(self.packed);
        }
    }

    /// The peer's version, packed for comparing with [`Guard::NEWEST`].
    pub fn peer_packed(&self) -> u64 {
        self.packed
    }
}

fn since_packed(since: &str) -> u64 {
    crate::version::parse_version(since).map_or(u64::MAX, |v| pack(v.major, v.minor, v.patch))
}

/// What a peer understands of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understanding {
    /// The message.
    pub message: &'static Message,
    /// Whether the peer knows the message at all.
    pub known: bool,
    /// Fields newer than the peer: of the struct, or of the variants the peer knows.
    pub unknown_fields: Vec<&'static Field>,
    /// Variants newer than the peer.
    pub unknown_variants: Vec<&'static Variant>,
}

impl Understanding {
    /// Whether the peer knows every part of the message.
    pub fn complete(&self) -> bool {
        self.known && self.unknown_fields.is_empty() && self.unknown_variants.is_empty()
    }

    /// The parts the peer does not know, as [`Part`]s.
    pub fn unknown_parts(&self) -> Vec<Part> {
        if !self.known {
            return vec![Part::Message];
        }
        self.unknown_variants
            .iter()
            .map(|v| Part::Variant(v.name))
            .chain(self.unknown_fields.iter().map(|f| Part::Field(f.name)))
            .collect()
    }
}
