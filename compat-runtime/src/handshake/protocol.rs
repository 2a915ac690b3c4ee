//! What a handshake settles beyond the releases: under `[protocol]`, the protocol version
//! both ends speak (the lower of the two, which both ends work out alike), and the named
//! features (`[[feature]]`) the peer supports, by its version or by its advertisement.

use core::fmt;
use std::sync::Arc;

use super::hello::Hello;
use super::refused::{Notice, Refused};
use super::session::Session;
use super::{Endpoint, RefusedKind};
use crate::check::Peer;
use crate::guard::Unreadable;
use crate::message::Message;
use crate::policy::{Feature, Policy, Protocol};
use crate::unreadable::Unknown;
use crate::version::{Scheme, Version, parse_version, shorten};

/// What an endpoint's policy says of protocol and features, shared by its sessions.
#[derive(Debug)]
pub(crate) struct Speech {
    pub(crate) protocol: Option<Protocol>,
    pub(crate) features: Vec<Feature>,
    pub(crate) scheme: Scheme,
    /// The policy file, for messages.
    pub(crate) source: String,
}

impl Speech {
    /// `None` for a policy with neither `[protocol]` nor `[[feature]]`.
    pub(crate) fn of(policy: &Policy) -> Option<Arc<Speech>> {
        (policy.protocol().is_some() || !policy.features().is_empty()).then(|| {
            Arc::new(Speech {
                protocol: policy.protocol().cloned(),
                features: policy.features().to_vec(),
                scheme: policy.scheme().clone(),
                source: policy.source().to_owned(),
            })
        })
    }

    fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name.value == name)
    }

    /// The error for a name no `[[feature]]` declares.
    fn unknown(&self, name: &str) -> Unsupported {
        let guess =
            crate::suggest::closest(name, self.features.iter().map(|f| f.name.value.as_str()))
                .map(|g| format!(" (did you mean `{g}`?)"))
                .unwrap_or_default();
        let declared = if self.features.is_empty() {
            format!("{} declares no [[feature]]", self.source)
        } else {
            let names: Vec<String> = self
                .features
                .iter()
                .map(|f| format!("`{}`", f.name.value))
                .collect();
            format!("{} declares {}", self.source, names.join(", "))
        };
        Unsupported {
            feature: shorten(name),
            text: format!(
                "unknown feature `{}`{guess}: {declared}; ask for a declared feature, or declare it as a [[feature]]",
                shorten(name)
            ),
        }
    }
}

/// What a session knows of the protocol and the features.
#[derive(Debug, Clone)]
pub(crate) struct Spoken {
    pub(crate) speech: Arc<Speech>,
    /// Under `[protocol]`: what both ends speak.
    pub(crate) protocol: Option<Settled>,
}

/// The protocol versions of a session: this end's, the peer's, and the lower of the two,
/// which both ends settle on.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    pub(crate) settled: Version,
    pub(crate) mine: Version,
    pub(crate) peer: Version,
}

impl Spoken {
    /// `err` naming the feature its part belongs to (found in the table of `sent`, or of the
    /// session's messages) and, under `[protocol]`, the protocol.
    pub(crate) fn context(
        &self,
        err: Unreadable,
        sent: &'static Message,
        messages: &[&'static Message],
        unknown: Unknown,
    ) -> Unreadable {
        let table = core::iter::once(sent)
            .chain(messages.iter().copied())
            .find(|m| m.name == unknown.message);
        let feature = table.and_then(|m| m.feature_of(unknown.part));
        let protocol = match (&self.speech.protocol, &self.protocol) {
            (Some(p), Some(settled)) => Some(crate::unreadable::Spoken {
                name: p.name.value.clone(),
                peer: settled.peer.clone(),
                carried_by: parse_version(unknown.since)
                    .ok()
                    .and_then(|since| p.first_carrying(&since).cloned()),
            }),
            _ => None,
        };
        err.with_context(feature, protocol)
    }
}

impl Endpoint<'_> {
    /// What the session with `peer` (which sent `hello`) settles beyond the releases; a
    /// stated protocol that is no version is refused.
    pub(crate) fn settle(
        &self,
        hello: &Hello,
        peer: &Peer,
    ) -> Result<Option<Box<Spoken>>, Refused> {
        let Some(speech) = &self.speech else {
            return Ok(None);
        };
        let protocol = match (&speech.protocol, &self.protocol) {
            (Some(p), Some(mine)) => {
                let peer_protocol = match hello.protocol() {
                    Some(text) => {
                        parse_version(text).map_err(|e| self.refuse_protocol(hello, &e))?
                    }
                    None => p.spoken_by(&peer.version),
                };
                let settled = if mine.cmp_precedence(&peer_protocol).is_le() {
                    mine.clone()
                } else {
                    peer_protocol.clone()
                };
                Some(Settled {
                    settled,
                    mine: mine.clone(),
                    peer: peer_protocol,
                })
            }
            _ => None,
        };
        Ok(Some(Box::new(Spoken {
            speech: Arc::clone(speech),
            protocol,
        })))
    }

    /// Under `[protocol]`, the protocol each end speaks, for refusals and notices, which
    /// speak releases: "layer 3.120.0 speaks mirrord-protocol 1.18.0, and agent 3.30.0 speaks
    /// 1.5.0". `None` without `[protocol]` or for a hello whose version does not parse.
    fn gloss(&self, hello: &Hello) -> Option<String> {
        let p = self.speech.as_ref()?.protocol.as_ref()?;
        let mine = self.protocol.as_ref()?;
        let release = parse_version(hello.version()).ok()?;
        let theirs = match hello.protocol().map(parse_version) {
            Some(Ok(v)) => v,
            Some(Err(_)) => return None,
            None => p.spoken_by(&release),
        };
        Some(format!(
            "{} speaks {} {theirs}, and {} speaks {mine}",
            spaced_peer(hello),
            p.name.value,
            spaced_peer(&self.hello),
        ))
    }

    /// `refused` with the protocols both ends speak after its remedy (see `gloss`).
    pub(crate) fn gloss_refused(&self, refused: Refused, hello: &Hello) -> Refused {
        if !matches!(refused.kind(), RefusedKind::Policy(_)) {
            return refused;
        }
        match self.gloss(hello) {
            Some(gloss) => {
                let remedy = after(refused.remedy(), gloss);
                refused.with_remedy(remedy)
            }
            None => refused,
        }
    }

    /// `notice` with the protocols both ends speak after its remedy (see `gloss`).
    pub(crate) fn gloss_notice(&self, notice: Option<Notice>, hello: &Hello) -> Option<Notice> {
        let notice = notice?;
        Some(match self.gloss(hello) {
            Some(gloss) => {
                let remedy = after(notice.remedy(), gloss);
                notice.with_remedy(remedy)
            }
            None => notice,
        })
    }

    fn refuse_protocol(&self, hello: &Hello, e: &crate::version::VersionError) -> Refused {
        let me = self.hello.peer_text();
        Refused::new(
            &me,
            RefusedKind::BadHello,
            hello.peer_text(),
            &me,
            format!("the peer's hello states a protocol version that is not one: {e}"),
        )
        .with_remedy("state the protocol version as MAJOR.MINOR.PATCH, e.g. 1.29.0, or none")
    }

    /// The same end advertising `features` in its hello: capabilities the peer checks with
    /// [`Session::supports`], including ones no version implies (a licence tier, a
    /// configuration flag). Each must be a `[[feature]]` of the policy; the first that is
    /// not is the error.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Endpoint, Policy};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [[feature]]\nname = \"steal-filtered-upgrades\"\nadvertised = true\n").unwrap();
    /// let agent = Endpoint::new(&policy, "agent", "3.41.0", &[]).unwrap()
    ///     .advertise(["steal-filtered-upgrades"]).unwrap();
    /// assert!(agent.hello().advertises("steal-filtered-upgrades"));
    /// let err = Endpoint::new(&policy, "agent", "3.41.0", &[]).unwrap()
    ///     .advertise(["steal-filtered-upgrade"]).unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "unknown feature `steal-filtered-upgrade` (did you mean `steal-filtered-upgrades`?)"
    /// ));
    /// # }
    /// ```
    pub fn advertise<'a>(
        mut self,
        features: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, Unsupported> {
        let names: Vec<&str> = features.into_iter().collect();
        for name in &names {
            match &self.speech {
                Some(speech) if speech.feature(name).is_some() => {}
                Some(speech) => return Err(speech.unknown(name)),
                None => return Err(Speech::default_for(self.policy).unknown(name)),
            }
        }
        // Each name once, in the order first advertised.
        let mut all: Vec<&str> = self.hello.features().collect();
        for name in names {
            if !all.contains(&name) {
                all.push(name);
            }
        }
        let hello = self.hello.with_features(all);
        self.hello = Arc::new(hello);
        Ok(self)
    }

    /// The same end stating `protocol` as the protocol version it speaks, instead of what
    /// `[protocol.releases]` says its release carries: for a build whose release is not
    /// listed yet, or a test of an older peer.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Endpoint, Policy, Version};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [protocol]\nname = \"mirrord-protocol\"\nversion = \"1.6.0\"\n").unwrap();
    /// let agent = Endpoint::new(&policy, "agent", "3.41.0", &[]).unwrap();
    /// assert_eq!(agent.protocol(), Some(&Version::new(1, 6, 0)));
    /// let old = agent.with_protocol(&Version::new(1, 5, 0));
    /// assert_eq!(old.hello().protocol(), Some("1.5.0"));
    /// # }
    /// ```
    pub fn with_protocol(mut self, protocol: &Version) -> Self {
        self.hello = Arc::new(self.hello.with_protocol(&protocol.to_string()));
        self.protocol = Some(protocol.clone());
        self
    }

    /// The protocol version this end speaks, under `[protocol]`.
    pub fn protocol(&self) -> Option<&Version> {
        self.protocol.as_ref()
    }
}

impl Speech {
    /// A speech with no features, for the error of an endpoint whose policy declares none.
    fn default_for(policy: &Policy) -> Speech {
        Speech {
            protocol: None,
            features: Vec::new(),
            scheme: policy.scheme().clone(),
            source: policy.source().to_owned(),
        }
    }
}

/// Why a session cannot use a named feature: [`Session::require`]'s error. It names the
/// feature, what the peer lacks, the release that brings it and what to upgrade.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Endpoint, Policy};
/// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\n\
///     [[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"any\"\n\
///     [[feature]]\nname = \"batching\"\nsince = \"0.9.0\"\n").unwrap();
/// let new = Endpoint::new(&policy, "server", "0.9.3", &[]).unwrap();
/// let old = Endpoint::new(&policy, "server", "0.8.1", &[]).unwrap();
/// let err = new.accept(old.hello()).unwrap().require("batching").unwrap_err();
/// assert_eq!(err.feature(), "batching");
/// assert_eq!(
///     err.to_string(),
///     "server 0.8.1 does not support feature `batching`: it arrived in 0.9.0; upgrade server \
///      to 0.9.0 or later"
/// );
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    feature: String,
    text: String,
}

impl Unsupported {
    /// The feature asked for.
    pub fn feature(&self) -> &str {
        &self.feature
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Unsupported {}

impl Session {
    /// Under `[protocol]`, the protocol version this session settled on: the lower of what
    /// the two ends speak. Both ends of a handshake report the same version. `None` when this
    /// end's policy has no `[protocol]`.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Endpoint, Policy, Version};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\nlayer = {}\n\
    ///     [[rule]]\ncomponent = \"layer\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [protocol]\nname = \"mirrord-protocol\"\nversion = \"1.6.0\"\n\
    ///     [protocol.releases]\n\"1.5.0\" = \"3.30.0\"\n\"1.6.0\" = \"3.41.0\"\n").unwrap();
    /// let agent = Endpoint::new(&policy, "agent", "3.41.0", &[]).unwrap();
    /// let layer = Endpoint::new(&policy, "layer", "3.35.0", &[]).unwrap();
    /// let session = agent.accept(layer.hello()).unwrap();
    /// assert_eq!(session.protocol(), Some(&Version::new(1, 5, 0)));
    /// assert_eq!(session.protocol_name(), Some("mirrord-protocol"));
    /// # }
    /// ```
    pub fn protocol(&self) -> Option<&Version> {
        self.settled().map(|s| &s.settled)
    }

    /// Under `[protocol]`, the protocol version the peer speaks: what it stated in its
    /// hello, or what its release carries by this end's policy.
    pub fn peer_protocol(&self) -> Option<&Version> {
        self.settled().map(|s| &s.peer)
    }

    /// Under `[protocol]`, the protocol's name: `mirrord-protocol`.
    pub fn protocol_name(&self) -> Option<&str> {
        let spoken = self.spoken.as_deref()?;
        spoken
            .speech
            .protocol
            .as_ref()
            .map(|p| p.name.value.as_str())
    }

    fn settled(&self) -> Option<&Settled> {
        self.spoken.as_deref()?.protocol.as_ref()
    }

    /// Whether the peer supports the named feature: its protocol version (under
    /// `[protocol]`, else its release) is at or above the feature's `since` and below its
    /// `until`, or it advertised the feature in its hello. `false` for a name the policy does
    /// not declare ([`Session::require`] says why). Allocation-free.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Endpoint, Policy};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\nlayer = {}\n\
    ///     [[rule]]\ncomponent = \"layer\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [protocol]\nname = \"mirrord-protocol\"\nversion = \"1.6.0\"\n\
    ///     [protocol.releases]\n\"1.5.0\" = \"3.30.0\"\n\"1.6.0\" = \"3.41.0\"\n\
    ///     [[feature]]\nname = \"readlink\"\nsince = \"1.6.0\"\n").unwrap();
    /// let layer = Endpoint::new(&policy, "layer", "3.41.0", &[]).unwrap();
    /// let old_agent = Endpoint::new(&policy, "agent", "3.30.0", &[]).unwrap();
    /// let session = layer.admit(old_agent.hello(), None).unwrap();
    /// assert!(!session.supports("readlink"));
    /// assert_eq!(
    ///     session.require("readlink").unwrap_err().to_string(),
    ///     "agent 3.30.0 does not support feature `readlink`: it arrived in mirrord-protocol 1.6.0, \
    ///      first carried by 3.41.0, and agent 3.30.0 speaks 1.5.0; upgrade agent to 3.41.0 or later"
    /// );
    /// # }
    /// ```
    pub fn supports(&self, feature: &str) -> bool {
        matches!(self.support(feature), Support::Yes)
    }

    /// [`Session::supports`], with the reason when the peer does not: the feature, the
    /// release that brings it and what to upgrade; or, for a name the policy does not
    /// declare, the names it does.
    pub fn require(&self, feature: &str) -> Result<(), Unsupported> {
        match self.support(feature) {
            Support::Yes => Ok(()),
            Support::Unknown => Err(match self.spoken.as_deref() {
                Some(spoken) => spoken.speech.unknown(feature),
                None => Unsupported {
                    feature: shorten(feature),
                    text: format!(
                        "unknown feature `{}`: this end's policy declares no [[feature]]; declare it as a [[feature]] in compat.toml",
                        shorten(feature)
                    ),
                },
            }),
            Support::No(spoken, f) => Err(self.unsupported(spoken, f)),
        }
    }

    fn support(&self, name: &str) -> Support<'_> {
        let Some(spoken) = self.spoken.as_deref() else {
            return Support::Unknown;
        };
        let Some(feature) = spoken.speech.feature(name) else {
            return Support::Unknown;
        };
        let version = spoken
            .protocol
            .as_ref()
            .map_or(&self.peer().version, |s| &s.settled);
        if self.peer_hello().advertises(name) || feature.implied_by(&spoken.speech.scheme, version)
        {
            Support::Yes
        } else {
            Support::No(spoken, feature)
        }
    }

    /// The words for a feature the peer lacks.
    fn unsupported(&self, spoken: &Spoken, f: &Feature) -> Unsupported {
        let peer = format!("{} {}", self.peer_component(), self.peer_version());
        let name = &f.name.value;
        let text = match (&f.since, &spoken.speech.protocol, &spoken.protocol) {
            (None, _, _) => format!(
                "{peer} does not support feature `{name}`: it is a capability no version implies (a licence tier, a configuration flag), and {peer} does not advertise it; enable it on {}",
                self.peer_component()
            ),
            (Some(since), Some(p), Some(settled)) => {
                let speaks = format!("speaks {}", settled.peer);
                if let Some(until) = f
                    .until
                    .as_ref()
                    .filter(|u| settled.settled.cmp_precedence(&u.value).is_ge())
                {
                    format!(
                        "{peer} does not support feature `{name}`: {} {} removed it, and {peer} {speaks}",
                        p.name.value, until.value
                    )
                } else if settled.mine.cmp_precedence(&since.value).is_lt() {
                    format!(
                        "{peer} does not support feature `{name}` with this end: it arrived in {} {}, and this end speaks {}; upgrade {} to {}",
                        p.name.value,
                        since.value,
                        settled.mine,
                        self.local_hello().component(),
                        upgrade_to(p, &since.value)
                    )
                } else {
                    let first = p
                        .first_carrying(&since.value)
                        .map(|r| format!(", first carried by {r},"))
                        .unwrap_or_else(|| ",".into());
                    format!(
                        "{peer} does not support feature `{name}`: it arrived in {} {}{first} and {peer} {speaks}; upgrade {} to {}",
                        p.name.value,
                        since.value,
                        self.peer_component(),
                        upgrade_to(p, &since.value)
                    )
                }
            }
            (Some(since), _, _) => match &f.until {
                Some(until)
                    if spoken
                        .speech
                        .scheme
                        .compare(self.peer_version(), &until.value)
                        .is_ge() =>
                {
                    format!(
                        "{peer} does not support feature `{name}`: {} removed it",
                        until.value
                    )
                }
                _ => format!(
                    "{peer} does not support feature `{name}`: it arrived in {}; upgrade {} to {} or later",
                    since.value,
                    self.peer_component(),
                    since.value
                ),
            },
        };
        Unsupported {
            feature: name.clone(),
            text,
        }
    }
}

/// `remedy (gloss)`, or the gloss alone.
fn after(remedy: Option<&str>, gloss: String) -> String {
    match remedy {
        Some(remedy) => format!("{remedy} ({gloss})"),
        None => gloss,
    }
}

/// `agent 3.30.0`, from a hello.
fn spaced_peer(hello: &Hello) -> String {
    format!("{} {}", hello.component(), hello.version())
}

/// What to upgrade to for protocol `since`: the first release that carries it, or else any
/// release that does.
fn upgrade_to(p: &Protocol, since: &Version) -> String {
    match p.first_carrying(since) {
        Some(release) => format!("{release} or later"),
        None => format!("a release that carries {} {since}", p.name.value),
    }
}

enum Support<'a> {
    Yes,
    Unknown,
    No(&'a Spoken, &'a Feature),
}
