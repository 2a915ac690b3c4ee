//! The handshake: each end says who it is, each end checks the other with its **own**
//! compiled policy, and the connection goes on only when both accept. A refusal travels back
//! to the refused peer as a frame of the handshake, naming the end that refused, the rule
//! and its place in `compat.toml`, both versions and the remedy.
//!
//! The exchange costs no round trip on the accept path:
//!
//! ```text
//! client                                   server
//!   hello ─────────────────────────────────▶  checks the client with the server's policy
//!   first request (right behind the hello) ▶
//!          ◀────────── accept (server hello + notice)  or  refusal, then closes
//!          ◀────────── reply
//!   checks the server with the client's policy; on refusal, sends a refusal frame
//!   in place of its next request and closes
//! ```
//!
//! This module is pure and synchronous: it turns hellos into verdicts and frames into
//! bytes ([`Frame`], documented byte for byte in [`docs::handshake`](crate::docs::handshake)).
//! Feature `tokio` drives it over a socket (`compat_runtime::tokio`).
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use compat_runtime::Policy;
//! use compat_runtime::handshake::{Endpoint, Frame};
//!
//! let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
//!     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
//! let server = Endpoint::new(&policy, "server", "0.9.3", &[]).unwrap();
//!
//! // An agent one minor behind gets in, and is warned that 0.10 servers will refuse it.
//! let agent = Endpoint::new(&policy, "agent", "0.8.4", &[]).unwrap();
//! let (reply, verdict) = server.reply(agent.hello());
//! let session = verdict.unwrap();
//! let notice = session.notice_about_peer().unwrap();
//! assert_eq!(notice.refused_from(), "0.10.0");
//! let Frame::Accept(hello, sent) = &reply else { panic!() };
//! assert_eq!(sent.as_ref(), Some(notice));
//! assert!(agent.admit(hello, sent.clone()).is_ok());
//!
//! // An agent newer than the server is refused, and told why.
//! let agent = Endpoint::new(&policy, "agent", "0.9.4", &[]).unwrap();
//! let (reply, verdict) = server.reply(agent.hello());
//! let Frame::Refusal(refused) = reply else { panic!() };
//! assert_eq!(verdict.unwrap_err(), refused);
//! assert_eq!(refused.kind().as_str(), "too new");
//! # }
//! ```

// By layer, each depending only on those above it: `kind` (why a handshake was refused, as
// one byte), `layout` (the header and tagged fields of a frame, and the errors of reading
// them), `hello` and `refused` (the payloads), `frame` (the frames they travel in),
// `session` (what an accepted handshake settled), `warning` (the releases this end reaches
// next, and the notice for a peer one of them refuses); this file is the end that judges
// hellos, and `protocol` adds to it and to the session what `[protocol]` and `[[feature]]`
// settle (the protocol both ends speak, the features the peer supports).
mod frame;
mod hello;
mod kind;
mod layout;
mod protocol;
mod refused;
pub(crate) mod session;
mod warning;

pub use frame::Frame;
#[cfg(feature = "tokio")]
pub(crate) use frame::{encode_accept, encode_refusal};
pub use hello::Hello;
pub use kind::RefusedKind;
pub use layout::{
    FrameType, HEADER_LEN, Header, HelloError, LAYOUT, MAGIC, MAX_ADVERTISED, MAX_BODY,
    MAX_COMPONENT, MAX_FEATURES_LEN, MAX_FIELDS, MAX_TEXT,
};
pub use protocol::Unsupported;
pub use refused::{Notice, Refused};

use std::borrow::Cow;
use std::sync::Arc;

use crate::check::{Peer, PeerError, RefusalKind};
use crate::message::Message;
use crate::policy::Policy;
use crate::version::{Version, parse_version, shorten};
use session::{Session, Settled};

/// A recorded release's fingerprint, from the wire lock (`compat.lock`); `include_policy!()`
/// defines `RELEASES`, every recorded release of the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Release {
    /// The release.
    pub version: &'static str,
    /// The fingerprint of its message tables.
    pub fingerprint: u64,
}

/// One end of a connection: its policy, who it is, its messages and the fingerprints of the
/// recorded releases; it makes the hello and judges the peer's.
///
/// In a protocol crate the pieces come from `include_policy!()` and `messages![...]`:
/// `Endpoint::new(policy(), "server", VERSION, messages())?.with_releases(RELEASES)`.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Endpoint, Policy};
/// use compat_runtime::handshake::Frame;
///
/// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\n\
///     [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\n").unwrap();
/// let a = Endpoint::new(&policy, "server", "1.4.0", &[]).unwrap();
/// let b = Endpoint::new(&policy, "server", "1.6.2", &[]).unwrap();
///
/// // What goes on the wire, and what the other end makes of it.
/// let mut wire = Vec::new();
/// a.hello().encode(&mut wire);
/// let Some((Frame::Hello(hello), _)) = Frame::decode(&wire).unwrap() else { unreachable!() };
/// let refused = b.accept(hello).unwrap_err();
/// assert_eq!(refused.by(), "server@1.6.2");
/// assert_eq!(refused.kind().as_str(), "too old");
/// assert!(Endpoint::new(&policy, "server", "1.5.9", &[]).unwrap().accept(a.hello()).is_ok());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Endpoint<'p> {
    policy: &'p Policy,
    me: Peer,
    hello: Arc<Hello>,
    messages: &'static [&'static Message],
    releases: &'p [Release],
    /// The releases of this end's component it can reach in one upgrade step: the ones
    /// whose refusal of a peer is worth a notice.
    ahead: Arc<[Peer]>,
    /// The policy's `[protocol]` and `[[feature]]`, shared with the sessions.
    speech: Option<Arc<protocol::Speech>>,
    /// The protocol version this end speaks, under `[protocol]`.
    protocol: Option<Version>,
}

impl<'p> Endpoint<'p> {
    /// This end: `component` at `version` (the crate's `VERSION`, or another for a demo or
    /// a test), with the crate's messages. The hello carries their fingerprint.
    pub fn new(
        policy: &'p Policy,
        component: &str,
        version: &str,
        messages: &'static [&'static Message],
    ) -> Result<Self, PeerError> {
        let me = policy.peer(&format!("{component}@{version}"))?;
        let mut hello = Hello::new(component, version, crate::fingerprint::of(messages));
        // Under `[protocol]`, the hello states the protocol the release speaks.
        let protocol = policy.protocol().map(|p| p.spoken_by(&me.version));
        if let Some(p) = &protocol {
            hello = hello.with_protocol(&p.to_string());
        }
        let ahead = warning::reachable(policy, &me, &[]).into();
        Ok(Endpoint {
            policy,
            me,
            hello: Arc::new(hello),
            messages,
            releases: &[],
            ahead,
            speech: protocol::Speech::of(policy),
            protocol,
        })
    }

    /// The same end, knowing the fingerprints of recorded releases: a peer claiming one of
    /// them with other tables is refused (`fingerprint mismatch`). The releases newer than
    /// this end are also ones it may move to next, for the advance warning.
    pub fn with_releases(mut self, releases: &'p [Release]) -> Self {
        self.releases = releases;
        self.ahead = warning::reachable(self.policy, &self.me, releases).into();
        self
    }

    /// The same end announcing another fingerprint (to test how a peer treats a build that
    /// claims a release it is not).
    pub fn with_fingerprint(mut self, fingerprint: u64) -> Self {
        let hello = Hello::new(self.hello.component(), self.hello.version(), fingerprint);
        self.hello = Arc::new(self.keep_speech(hello));
        self
    }

    /// `hello` with this end's protocol and advertised features.
    fn keep_speech(&self, hello: Hello) -> Hello {
        hello
            .with_protocol(self.hello.protocol().unwrap_or(""))
            .with_features(self.hello.features())
    }

    /// The same end announcing another component name (to test how a peer treats a
    /// component its policy does not declare).
    pub fn with_component(mut self, component: &str) -> Self {
        let hello = Hello::new(component, self.hello.version(), self.hello.fingerprint());
        self.hello = Arc::new(self.keep_speech(hello));
        self
    }

    /// This end's hello.
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    /// This end as its policy reads it.
    pub fn me(&self) -> &Peer {
        &self.me
    }

    /// This end's policy.
    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// This end's messages.
    pub fn messages(&self) -> &'static [&'static Message] {
        self.messages
    }

    /// The server's decision on a client's hello: a session, with the advance-warning notice
    /// for the client when a release this end can reach in one upgrade step (the policy's
    /// `max-jump`) would refuse it.
    ///
    /// Takes the hello by reference or, to spare a copy, by value.
    pub fn accept<'h>(&self, hello: impl Into<Cow<'h, Hello>>) -> Result<Session, Refused> {
        let hello = hello.into();
        let (peer, rule) = self
            .judge_rule(&hello)
            .map_err(|refused| self.gloss_refused(refused, &hello))?;
        let spoken = self.settle(&hello, &peer)?;
        let notice =
            warning::advance_warning(self.policy, &self.hello, &self.me, &self.ahead, &peer);
        let notice = self.gloss_notice(notice, &hello);
        Ok(self.session(peer, hello, rule, spoken, [notice, None]))
    }

    /// [`Endpoint::accept`], with the frame to send back: the accept (this end's hello and
    /// the notice) or the refusal.
    pub fn reply<'h>(&self, hello: impl Into<Cow<'h, Hello>>) -> (Frame, Result<Session, Refused>) {
        match self.accept(hello) {
            Ok(session) => (
                Frame::Accept(
                    Hello::clone(&self.hello),
                    session.notice_about_peer().cloned(),
                ),
                Ok(session),
            ),
            Err(refused) => (Frame::Refusal(refused.clone()), Err(refused)),
        }
    }

    /// [`Endpoint::reply`], appending the frame's bytes to `out` instead of returning the
    /// frame: what a server on a socket does, without copying either hello.
    pub fn reply_into<'h>(
        &self,
        hello: impl Into<Cow<'h, Hello>>,
        out: &mut Vec<u8>,
    ) -> Result<Session, Refused> {
        let verdict = self.accept(hello);
        match &verdict {
            Ok(session) => frame::encode_accept(out, &self.hello, session.notice_about_peer()),
            Err(refused) => frame::encode_refusal(out, refused),
        }
        verdict
    }

    /// The client's decision on the server's accept, carrying the notice the server sent.
    /// A refusal here is this end's: send it back ([`Frame::Refusal`]) and close.
    ///
    /// Only the accepting end warns ahead: the server knows its own next releases, and a
    /// client's next release refusing today's server is what the upgrade order (servers
    /// first) already says.
    pub fn admit<'h>(
        &self,
        hello: impl Into<Cow<'h, Hello>>,
        notice: Option<Notice>,
    ) -> Result<Session, Refused> {
        let hello = hello.into();
        let (peer, rule) = self
            .judge_rule(&hello)
            .map_err(|refused| self.gloss_refused(refused, &hello))?;
        let spoken = self.settle(&hello, &peer)?;
        Ok(self.session(peer, hello, rule, spoken, [None, notice]))
    }

    /// [`Endpoint::accept`] for a peer that named itself without a fingerprint (an HTTP
    /// client sending only `compat-peer: agent@0.9.2`): the policy decides, and the tables
    /// are not compared. The session's peer hello carries the fingerprint this end expects
    /// for that release (0 when it knows none).
    pub fn accept_unfingerprinted(
        &self,
        component: &str,
        version: &str,
    ) -> Result<Session, Refused> {
        let expected = parse_version(version)
            .ok()
            .and_then(|v| self.expected_fingerprint(&v))
            .unwrap_or(0);
        self.accept(Hello::new(component, version, expected))
    }

    /// The refusal to send back when the peer's handshake bytes cannot be read.
    pub fn refuse_bytes(&self, error: &HelloError) -> Refused {
        let me = self.hello.peer_text();
        let remedy = match error {
            HelloError::Layout { .. } => format!(
                "upgrade the peer's compat-runtime to one that writes hello layout {LAYOUT}, or this end's to one that reads the peer's"
            ),
            _ => {
                "connect with a client that speaks the compat handshake (compat_runtime::docs::handshake, docs/handshake.md in the compat repository)".into()
            }
        };
        Refused::new(&me, error.kind(), "peer", &me, error.to_string()).with_remedy(remedy)
    }

    /// The refusal to send back when no hello arrived within `waited`.
    pub fn refuse_timeout(&self, waited: core::time::Duration) -> Refused {
        let me = self.hello.peer_text();
        Refused::new(
            &me,
            RefusedKind::Timeout,
            "peer",
            &me,
            format!("no complete hello arrived within {} ms", waited.as_millis()),
        )
        .with_remedy("send the hello first, as soon as the connection opens")
    }

    fn session(
        &self,
        peer: Peer,
        hello: Cow<'_, Hello>,
        rule: Option<usize>,
        spoken: Option<Box<protocol::Spoken>>,
        [notice_about_peer, notice_from_peer]: [Option<Notice>; 2],
    ) -> Session {
        Session::new(Settled {
            peer,
            hello: hello.into_owned(),
            local: Arc::clone(&self.hello),
            messages: self.messages,
            rule,
            notice_about_peer,
            notice_from_peer,
            spoken,
        })
    }

    /// Checks a peer's hello with this end's policy: component, version, the policy's
    /// verdict, then the fingerprint of a release the peer claims.
    pub fn judge(&self, hello: &Hello) -> Result<Peer, Refused> {
        self.judge_rule(hello).map(|(peer, _)| peer)
    }

    fn judge_rule(&self, hello: &Hello) -> Result<(Peer, Option<usize>), Refused> {
        // Accepting allocates nothing for this end's own name: only refusals spell it out.
        let Some(component) = self.policy.component(hello.component()) else {
            let me = self.hello.peer_text();
            let unknown = PeerError::UnknownComponent {
                name: shorten(hello.component()),
                known: self
                    .policy
                    .components()
                    .iter()
                    .map(|c| c.name.clone())
                    .collect(),
            };
            return Err(Refused::new(
                &me,
                RefusedKind::Policy(RefusalKind::UnknownComponent),
                format!(
                    "{}@{}",
                    shorten(hello.component()),
                    shorten(hello.version())
                ),
                &me,
                format!("{unknown} (policy {})", self.policy.source()),
            )
            .with_remedy(format!(
                "connect a component of this policy, or declare `{}` under [components] in {}",
                shorten(hello.component()),
                self.policy.source()
            )));
        };
        // A peer at this end's own release (most of a fleet) sends the text this end's
        // version was parsed from, with the same parser: no need to parse it again.
        let version = if hello.version() == self.hello.version() {
            Ok(self.me.version.clone())
        } else {
            parse_version(hello.version())
        };
        let version = version.map_err(|e| {
            let me = self.hello.peer_text();
            Refused::new(
                &me,
                RefusedKind::BadHello,
                format!("{}@{}", hello.component(), shorten(hello.version())),
                &me,
                format!("the peer's hello has {e}"),
            )
            .with_remedy("announce the release as MAJOR.MINOR.PATCH, e.g. 0.9.3")
        })?;
        let peer = Peer { component, version };
        let agreement = self
            .policy
            .check(&self.me, &peer)
            .map_err(|refusal| Refused::from_refusal(self.hello.peer_text(), &refusal))?;
        if let Some(expected) = self.expected_fingerprint(&peer.version)
            && expected != hello.fingerprint()
        {
            return Err(self.refuse_fingerprint(hello, expected));
        }
        Ok((peer, agreement.rule()))
    }

    /// The fingerprint a peer at `version` must announce, when this end knows it: its own
    /// release, or one recorded in the wire lock.
    fn expected_fingerprint(&self, version: &Version) -> Option<u64> {
        let same = |a: &Version, b: &Version| {
            (a.major, a.minor, a.patch, &a.pre) == (b.major, b.minor, b.patch, &b.pre)
        };
        if same(version, &self.me.version) {
            return Some(self.hello.fingerprint());
        }
        self.releases
            .iter()
            .find(|r| parse_version(r.version).is_ok_and(|v| same(&v, version)))
            .map(|r| r.fingerprint)
    }

    /// A peer claiming a release it is not. Releases are matched without build metadata, so
    /// `0.9.3+patched` claims 0.9.3: the remedy says what does set a build apart.
    fn refuse_fingerprint(&self, hello: &Hello, expected: u64) -> Refused {
        let me = self.hello.peer_text();
        let (component, version) = (hello.component(), hello.version());
        let (release, build) = match version.split_once('+') {
            Some((release, build)) => (release, format!("`+{build}`")),
            None => (version, "`+patched`".to_owned()),
        };
        Refused::new(
            &me,
            RefusedKind::FingerprintMismatch,
            hello.peer_text(),
            &me,
            format!(
                "{component} {version} claims release {release} but carries other message tables (fingerprint {:016x}, release {release} has {expected:016x})",
                hello.fingerprint(),
            ),
        )
        .with_remedy(format!(
            "run {component} from the {release} release, or give the modified build a version \
             this end has no record of, for the policy alone to judge: build metadata such as \
             {build} does not make one, as releases are matched without it"
        ))
    }
}
