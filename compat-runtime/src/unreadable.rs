//! What a peer cannot read: the part of a message that arrived after the peer's release
//! ([`Unknown`], found by the walk `#[derive(Compat)]` writes), and the error a session
//! returns for it ([`Unreadable`]).

use core::fmt;

use crate::version::Version;

/// Which part of a message a peer does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The whole message.
    Message,
    /// A field, by name.
    Field(&'static str),
    /// A variant, by name.
    Variant(&'static str),
}

/// What the slow path found: a part of a message that arrived after the peer's release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unknown {
    /// The message the part belongs to (the innermost one, for nested messages).
    pub message: &'static str,
    /// The part.
    pub part: Part,
    /// The release that introduced it.
    pub since: &'static str,
}

/// A value the peer cannot read: which message, which field or variant, the release that
/// introduced it, the peer, and what to do. Returned by [`Session::guard`](crate::Session::guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(Box<UnreadableParts>);

// Boxed, so `Result<(), Unreadable>` is one pointer wide on the guard's fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnreadableParts {
    sent: &'static str,
    unknown: Unknown,
    peer: String,
    peer_version: Version,
    feature: Option<&'static str>,
    protocol: Option<Spoken>,
}

/// Under `[protocol]`: the protocol's name, the version the peer speaks, and the first
/// release that carries the part's `since`, when the policy says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spoken {
    pub(crate) name: String,
    pub(crate) peer: Version,
    pub(crate) carried_by: Option<Version>,
}

impl Unreadable {
    pub(crate) fn new(
        sent: &'static str,
        unknown: Unknown,
        peer: &str,
        peer_version: &Version,
    ) -> Self {
        Unreadable(Box::new(UnreadableParts {
            sent,
            unknown,
            peer: peer.to_owned(),
            peer_version: peer_version.clone(),
            feature: None,
            protocol: None,
        }))
    }

    /// The same error naming the feature the part belongs to and, under `[protocol]`, the
    /// protocol.
    pub(crate) fn with_context(
        mut self,
        feature: Option<&'static str>,
        protocol: Option<Spoken>,
    ) -> Self {
        self.0.feature = feature;
        self.0.protocol = protocol;
        self
    }

    /// The named feature (`#[compat(feature = "...")]`) the unknown part belongs to; its
    /// text then names it: "variant `ReadLink` (feature `readlink`) arrived in
    /// mirrord-protocol 1.6.0, first carried by 3.41.0, ...". `None` for a part tied to no
    /// feature.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Compat, Endpoint, Policy};
    ///
    /// #[derive(Clone, Compat)]
    /// #[compat(between = ["server"])]
    /// #[since("0.0.1")]
    /// pub enum Op { Get, #[since("0.1.0")] Batch }
    ///
    /// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\n\
    ///     [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"any\"\n").unwrap();
    /// static MESSAGES: &[&compat_runtime::Message] = &[Op::MESSAGE];
    /// let new = Endpoint::new(&policy, "server", "0.1.0", MESSAGES).unwrap();
    /// let old = Endpoint::new(&policy, "server", "0.0.5", MESSAGES).unwrap();
    /// let err = new.accept(old.hello()).unwrap().guard(&Op::Batch).unwrap_err();
    /// assert_eq!(err.feature(), None);
    /// assert_eq!(err.protocol(), None);
    /// # }
    /// ```
    pub fn feature(&self) -> Option<&'static str> {
        self.0.feature
    }

    /// Under `[protocol]`, the protocol's name, the version the peer speaks, and the first
    /// release that carries [`since`](Self::since) (when the policy's `[protocol.releases]`
    /// says).
    pub fn protocol(&self) -> Option<(&str, &Version, Option<&Version>)> {
        self.0
            .protocol
            .as_ref()
            .map(|p| (p.name.as_str(), &p.peer, p.carried_by.as_ref()))
    }

    /// The message being sent.
    pub fn sent(&self) -> &'static str {
        self.0.sent
    }

    /// The message the unknown part belongs to (the sent one, or a message inside it).
    pub fn message(&self) -> &'static str {
        self.0.unknown.message
    }

    /// The part the peer does not know.
    pub fn part(&self) -> Part {
        self.0.unknown.part
    }

    /// The release that introduced it.
    pub fn since(&self) -> &'static str {
        self.0.unknown.since
    }

    /// The peer's component.
    pub fn peer(&self) -> &str {
        &self.0.peer
    }

    /// The peer's version.
    pub fn peer_version(&self) -> &Version {
        &self.0.peer_version
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (peer, v, since) = (&self.0.peer, &self.0.peer_version, self.0.unknown.since);
        write!(f, "cannot send `{}` to {peer} {v}: ", self.0.sent)?;
        let of = if self.0.unknown.message == self.0.sent {
            String::new()
        } else {
            format!(" of `{}`", self.0.unknown.message)
        };
        let feature = self
            .0
            .feature
            .map(|name| format!(" (feature `{name}`)"))
            .unwrap_or_default();
        // Under `[protocol]`: "arrived in mirrord-protocol 1.6.0, first carried by 3.41.0,
        // and agent 3.30.0, speaking 1.5.0, ...; upgrade agent to 3.41.0 or later".
        let (arrived, who, target) = match &self.0.protocol {
            None => (since.to_owned(), format!("{peer} {v}"), since.to_owned()),
            Some(p) => (
                match &p.carried_by {
                    Some(r) => format!("{} {since}, first carried by {r},", p.name),
                    None => format!("{} {since}", p.name),
                },
                format!("{peer} {v}, speaking {},", p.peer),
                match &p.carried_by {
                    Some(r) => r.to_string(),
                    None => format!("a release that carries {} {since}", p.name),
                },
            ),
        };
        match self.0.unknown.part {
            Part::Message => write!(
                f,
                "message `{}`{feature} arrived in {arrived} and {who} does not know it; \
                 do not send it to this peer, or upgrade {peer} to {target} or later",
                self.0.unknown.message
            ),
            Part::Field(name) => write!(
                f,
                "field `{name}`{of}{feature} arrived in {arrived} and {who} does not know it, so its \
                 value would be lost; leave it at its default for this peer, mark it \
                 `#[compat(ignorable)]` if it may be dropped, or upgrade {peer} to {target} or later"
            ),
            Part::Variant(name) => write!(
                f,
                "variant `{name}`{of}{feature} arrived in {arrived} and {who} cannot decode it; \
                 send a variant this peer knows, or upgrade {peer} to {target} or later"
            ),
        }
    }
}

impl std::error::Error for Unreadable {}
