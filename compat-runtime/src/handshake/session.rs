//! The session: what a handshake settled. Who the peer is, what it understands, and the
//! send guard. Public as `compat_runtime::session`; it lives beside the handshake that makes
//! it, and depends on the hello and the notice only.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use super::hello::Hello;
use super::refused::Notice;
use crate::check::Peer;
use crate::fallback::{Applied, Ends, Sent, recording, reported};
use crate::guard::{Guard, Part, Unknown, Unreadable, pack, pack_peer};
use crate::message::{Fell, Field, Message, Variant};
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
    /// Where the values sent in an older form are counted: a census row's, or the
    /// session's own, made on the first fallback (crate::fallback).
    fallbacks: OnceLock<Arc<Sent>>,
    /// Under `[protocol]` or with `[[feature]]`: the protocol both ends speak and the
    /// features (handshake/protocol.rs). Boxed, as the notices.
    pub(crate) spoken: Option<Box<super::protocol::Spoken>>,
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
    pub(crate) spoken: Option<Box<super::protocol::Spoken>>,
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
            spoken,
        } = settled;
        // Under `[protocol]`, `#[since]` speaks protocol versions: the guard compares them
        // with the protocol both ends settled on.
        let version = spoken
            .as_deref()
            .and_then(|s| s.protocol.as_ref())
            .map_or(&peer.version, |p| &p.settled);
        Session {
            packed: pack_peer(version),
            spoken,
            peer,
            hello,
            local,
            notice_about_peer: notice_about_peer.map(Box::new),
            notice_from_peer: notice_from_peer.map(Box::new),
            messages,
            rule,
            fallbacks: OnceLock::new(),
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
    /// Ignorable fields are not refused; [`Session::prepare`] drops them. A variant the peer
    /// predates is refused even when it has a fallback (`#[compat(fallback = "...")]`):
    /// `guard` checks the value as it is, and [`Session::prepare`] sends the fallback.
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
            Some(unknown) => Err(self.unreadable(T::MESSAGE, unknown)),
        }
    }

    fn unreadable(&self, sent: &'static Message, unknown: Unknown) -> Unreadable {
        let err = Unreadable::new(
            sent.name,
            unknown,
            self.hello.component(),
            &self.peer.version,
        );
        match self.spoken.as_deref() {
            Some(spoken) => spoken.context(err, sent, self.messages, unknown),
            None => err,
        }
    }

    /// [`Session::guard`], then the value as the peer should get it: itself when the peer
    /// knows every part that holds a value (no copy), otherwise a copy in the form the peer
    /// reads. In that copy each variant the peer predates that has a fallback
    /// (`#[compat(fallback = "...")]`) is replaced by its fallback, following chains and
    /// nested messages, and each ignorable field the peer does not know is reset to its
    /// default (dropped, with `skip_serializing_if` or an `Option` the serializer leaves
    /// out). The copy is then guarded like any value: what is still unreadable is refused
    /// (unless the derive proved the variant a chain ends in readable by the peer whole).
    ///
    /// Each fallback applied to a value that is sent is reported through `tracing` (feature
    /// `tracing`; at `warn` with the fallback's `warn` text, else `info`; rate-limited per
    /// peer and variant) and counted in the census the session was given
    /// ([`Census::count_fallbacks_of`]). A value refused (a chain that ends in a variant the
    /// peer predates too) is reported as the refusal only: no fallback event, no count.
    ///
    /// [`Census::count_fallbacks_of`]: crate::census::Census::count_fallbacks_of
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
    ///
    /// A variant with a fallback, sent to a peer that predates it:
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Compat, Policy};
    /// use compat_runtime::handshake::Endpoint;
    /// use std::borrow::Cow;
    ///
    /// #[derive(Clone, Debug, PartialEq, Compat)]
    /// #[compat(between = ["layer"])]
    /// #[since("0.0.1")]
    /// pub enum Request {
    ///     GetAddrInfo(String),
    ///     #[since("0.1.0")]
    ///     #[compat(fallback = "GetAddrInfo", via = "ipv4_only", warn = "IPv6 will not be resolved")]
    ///     GetAddrInfoV2 { node: String, ipv6: bool },
    /// }
    ///
    /// fn ipv4_only(v2: &Request) -> Request {
    ///     match v2 {
    ///         Request::GetAddrInfoV2 { node, .. } => Request::GetAddrInfo(node.clone()),
    ///         other => other.clone(),
    ///     }
    /// }
    ///
    /// let policy = Policy::from_toml("compat.toml", "[components]\nlayer = {}\n\
    ///     [[rule]]\ncomponent = \"layer\"\npeer = \"layer\"\nskew = \"1 minor\"\n").unwrap();
    /// static MESSAGES: &[&compat_runtime::Message] = &[Request::MESSAGE];
    /// let new = Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap();
    /// let v2 = Request::GetAddrInfoV2 { node: "db".into(), ipv6: true };
    ///
    /// // A peer at 0.0.5 predates `GetAddrInfoV2`: it gets the older form.
    /// let old = new.accept(Endpoint::new(&policy, "layer", "0.0.5", MESSAGES).unwrap().hello()).unwrap();
    /// assert_eq!(old.prepare(&v2).unwrap(), Cow::<Request>::Owned(Request::GetAddrInfo("db".into())));
    /// // `guard` checks the value as it is: that form is one the peer cannot decode.
    /// assert!(old.guard(&v2).is_err());
    ///
    /// // A peer at 0.1.0 knows it: the value itself, not a copy.
    /// let peer = new.accept(Endpoint::new(&policy, "layer", "0.1.0", MESSAGES).unwrap().hello()).unwrap();
    /// assert!(matches!(peer.prepare(&v2).unwrap(), Cow::Borrowed(_)));
    /// # }
    /// ```
    pub fn prepare<'v, T: Guard + Clone>(&self, value: &'v T) -> Result<Cow<'v, T>, Unreadable> {
        if T::newest() <= self.packed {
            return Ok(Cow::Borrowed(value));
        }
        self.prepare_slow(value)
    }

    #[cold]
    fn prepare_slow<'v, T: Guard + Clone>(&self, value: &'v T) -> Result<Cow<'v, T>, Unreadable> {
        // A value that is a variant with a fallback, or holds one as its one field, is made
        // from the borrow, as a hand-written gate would make it; anything else is copied,
        // then degraded.
        if let Some((owned, fell)) = value.__degrade(self.packed) {
            if fell.readable {
                // The derive proved the peer reads the result whole: nothing to strip,
                // nothing to refuse.
                reported(fell, |applied| self.report(applied));
                return Ok(Cow::Owned(owned));
            }
            return self.finish(owned, Some(fell)).map(Cow::Owned);
        }
        if !value.needs_strip(self.packed) {
            self.guard_slow(value)?;
            return Ok(Cow::Borrowed(value));
        }
        self.finish(value.clone(), None).map(Cow::Owned)
    }

    /// Strips what is left to strip of a copy (`fell`: what made it, if `__degrade` did),
    /// guards it, and reports what was degraded only if the guard lets it go: a refused
    /// value was never sent in an older form.
    fn finish<T: Guard>(&self, mut owned: T, fell: Option<Fell>) -> Result<T, Unreadable> {
        recording(
            || {
                if let Some(fell) = fell {
                    fell.note();
                }
                // What `strip` would change, asked first: the fallback most often leaves
                // nothing, and asking is a match where stripping walks the fallbacks again.
                if owned.needs_strip(self.packed) {
                    owned.strip(self.packed);
                }
                self.guard_slow(&owned).map(|()| owned)
            },
            |sent, applied| {
                if sent.is_ok() {
                    self.report(applied);
                }
            },
        )
    }

    /// Puts `value`, in place, in the form the peer reads: each variant the peer predates
    /// that has a fallback is replaced by it, and each ignorable field the peer does not
    /// know is reset to its default. What is still unreadable is left for
    /// [`Session::guard`] to refuse.
    ///
    /// The fallbacks applied are reported as [`Session::prepare`] says only when the value
    /// `strip` leaves is one the peer reads: a value the guard will refuse is not sent in an
    /// older form, so nothing says it was (as `prepare`, which refuses it).
    #[inline]
    pub fn strip<T: Guard>(&self, value: &mut T) {
        if T::newest() > self.packed {
            self.degrade(value);
        }
    }

    #[cold]
    fn degrade<T: Guard>(&self, value: &mut T) {
        recording(
            || {
                value.strip(self.packed);
                value
            },
            |value, applied| {
                if value.unreadable(self.packed).is_none() {
                    self.report(applied);
                }
            },
        );
    }

    /// Counts and reports what one send degraded.
    #[inline(never)]
    fn report(&self, applied: &Applied) {
        let ends = || Ends {
            local: (self.local.component(), self.local.version()),
            peer: (self.hello.component(), self.hello.version()),
        };
        self.fallbacks
            .get_or_init(Arc::default)
            .record(applied, ends);
    }

    /// Counts this session's fallbacks in `sent` (a census row's), unless it counts them
    /// elsewhere already.
    pub(crate) fn count_fallbacks_in(&self, sent: Arc<Sent>) -> bool {
        self.fallbacks.set(sent).is_ok()
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
