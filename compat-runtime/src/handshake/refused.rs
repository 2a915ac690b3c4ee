//! The refusal that travels back to the refused peer, and the advance-warning notice.

use core::fmt;

use super::kind::RefusedKind;
use super::layout::{Fields, HelloError, MAX_TEXT, Writer, malformed, tag};
use crate::check::Refusal;

/// A refusal as it travels on the wire: which end refused, why, by which rule (with its
/// place in `compat.toml`), both ends as `component@version`, the project's note and the
/// remedy. The refused peer's operator reads this instead of a closed socket.
///
/// Every part has an accessor, so an HTTP or gRPC layer can carry it as JSON or metadata;
/// [`Display`](fmt::Display) gives the one-line form.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::Policy;
/// use compat_runtime::handshake::{Refused, RefusedKind};
/// let policy = Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n\
///     [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
/// let refusal = policy
///     .check(&policy.peer("agent@0.9.4").unwrap(), &policy.peer("server@0.9.3").unwrap())
///     .unwrap_err();
/// let refused = Refused::from_refusal("server@0.9.3", &refusal);
/// assert_eq!(refused.by(), "server@0.9.3");
/// assert_eq!(refused.kind().as_str(), "too new");
/// assert_eq!(refused.subject(), "agent@0.9.4");
/// assert_eq!(refused.origin(), Some("compat.toml:4:1"));
/// assert!(refused.to_string().starts_with(
///     "refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3: agent may be up to one minor"
/// ));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Refused(Box<RefusedParts>);

// Boxed, so `Result<Session, Refused>` stays small on the accept path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RefusedParts {
    by: String,
    kind: RefusedKind,
    subject: String,
    other: String,
    reason: String,
    rule: Option<String>,
    origin: Option<String>,
    note: Option<String>,
    remedy: Option<String>,
}

impl Refused {
    /// A refusal of something other than a policy verdict: `by` refuses `subject` (talking
    /// to `other`, each `component@version` as far as known) because `reason`.
    pub fn new(
        by: impl Into<String>,
        kind: RefusedKind,
        subject: impl Into<String>,
        other: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Refused(Box::new(RefusedParts {
            by: by.into(),
            kind,
            subject: subject.into(),
            other: other.into(),
            reason: reason.into(),
            rule: None,
            origin: None,
            note: None,
            remedy: None,
        }))
    }

    /// The same refusal with a remedy.
    pub fn with_remedy(mut self, remedy: impl Into<String>) -> Self {
        self.0.remedy = Some(remedy.into()).filter(|r| !r.is_empty());
        self
    }

    /// The same refusal with the rule in words and where it is written (to rebuild a
    /// refusal carried in another form, such as the JSON of the HTTP layer).
    pub fn with_rule(mut self, rule: Option<String>, origin: Option<String>) -> Self {
        self.0.rule = rule;
        self.0.origin = origin;
        self
    }

    /// The same refusal with the project's own words about the rule.
    pub fn with_note(mut self, note: Option<String>) -> Self {
        self.0.note = note;
        self
    }

    /// The wire form of a policy's refusal, made by the end `by` (`component@version`).
    pub fn from_refusal(by: impl Into<String>, refusal: &Refusal) -> Self {
        let at = |n: &crate::check::Named| format!("{}@{}", n.component, n.version);
        let reason = refusal.reason();
        Refused(Box::new(RefusedParts {
            by: by.into(),
            kind: RefusedKind::Policy(refusal.kind()),
            subject: at(refusal.subject()),
            other: at(refusal.other()),
            reason: refusal.headline(),
            rule: Some(reason.text.clone()),
            origin: reason.origin.as_ref().map(ToString::to_string),
            note: reason.note.clone(),
            remedy: Some(refusal.remedy()).filter(|r| !r.is_empty()),
        }))
    }

    /// The end that refused, as `component@version`.
    pub fn by(&self) -> &str {
        &self.0.by
    }

    /// Why.
    pub fn kind(&self) -> RefusedKind {
        self.0.kind
    }

    /// The side the kind is about (the one too old, too new, …), as `component@version`.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The other side, as `component@version`.
    pub fn other(&self) -> &str {
        &self.0.other
    }

    /// What is wrong, in one clause: "agent 0.9.4 is too new for server 0.9.3".
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The rule in words, for a policy verdict.
    pub fn rule(&self) -> Option<&str> {
        self.0.rule.as_deref()
    }

    /// Where the rule is written: `compat.toml:20:1`.
    pub fn origin(&self) -> Option<&str> {
        self.0.origin.as_deref()
    }

    /// The project's own words, when the rule has a `note`.
    pub fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// What to do: "upgrade server from 0.9.2 to 0.9.3 or later, below 0.11.0, or …".
    pub fn remedy(&self) -> Option<&str> {
        self.0.remedy.as_deref()
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.bytes(tag::KIND, &[self.0.kind.code()]);
        w.text(tag::KIND_TEXT, self.0.kind.as_str(), 64);
        w.text(tag::REFUSED_BY, &self.0.by, 200);
        w.text(tag::SUBJECT, &self.0.subject, 200);
        w.text(tag::OTHER, &self.0.other, 200);
        w.text(tag::MESSAGE, &self.0.reason, MAX_TEXT);
        w.opt_text(tag::RULE, self.0.rule.as_deref());
        w.opt_text(tag::ORIGIN, self.0.origin.as_deref());
        w.opt_text(tag::NOTE, self.0.note.as_deref());
        w.opt_text(tag::REMEDY, self.0.remedy.as_deref());
    }

    pub(crate) fn read(fields: &Fields<'_>) -> Result<Self, HelloError> {
        let kind = match fields.get(tag::KIND) {
            Some(&[code]) => RefusedKind::from_code(code),
            Some(_) => return Err(malformed("the refusal's kind is not one byte".into())),
            None => return Err(malformed("the refusal's kind is missing".into())),
        };
        let text = |t, what| fields.text(t, what, MAX_TEXT);
        Ok(Refused(Box::new(RefusedParts {
            by: text(tag::REFUSED_BY, "refusing end")?.unwrap_or_default(),
            kind,
            subject: text(tag::SUBJECT, "refused side")?.unwrap_or_default(),
            other: text(tag::OTHER, "other side")?.unwrap_or_default(),
            reason: match text(tag::MESSAGE, "reason")? {
                Some(reason) => reason,
                // A kind this release does not know still says what it is.
                None => text(tag::KIND_TEXT, "kind")?.unwrap_or_default(),
            },
            rule: text(tag::RULE, "rule")?,
            origin: text(tag::ORIGIN, "origin")?,
            note: text(tag::NOTE, "note")?,
            remedy: text(tag::REMEDY, "remedy")?,
        })))
    }
}

/// `agent@0.9.3` as `agent 0.9.3`, the way messages write a peer.
pub(crate) fn spaced(peer: &str) -> String {
    match peer.rsplit_once('@') {
        Some((c, v)) => format!("{c} {v}"),
        None => peer.to_owned(),
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused by {}: {}", spaced(&self.0.by), self.0.reason)?;
        if let Some(rule) = &self.0.rule {
            write!(f, ": {rule}")?;
        }
        if let Some(origin) = &self.0.origin {
            write!(f, " ({origin})")?;
        }
        if let Some(note) = &self.0.note {
            write!(f, "; note: {note:?}")?;
        }
        if let Some(remedy) = &self.0.remedy {
            write!(f, "; to fix, {remedy}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// Advance warning: the peer is accepted today, but a release the accepting end can reach
/// in one upgrade step (a recorded release ahead of it, or its next minor or major, within
/// the policy's `max-jump`) will refuse it. Computed from the accepting end's policy and
/// sent with the accept, so both ends can log it. The kind describes the peer, and the
/// remedy moves the peer, never the accepting end from a release it does not run yet.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::{Endpoint, Policy};
/// let policy = Policy::from_toml("compat.toml", "[versioning]\nmajor-zero = \"minor-is-major\"\n\
///     [components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\npeer = \"server\"\n\
///     newer = \"none\"\nolder = \"1 minor\"\n").unwrap();
/// let server = Endpoint::new(&policy, "server", "0.9.3", &[]).unwrap();
/// let agent = Endpoint::new(&policy, "agent", "0.8.4", &[]).unwrap();
/// let session = server.accept(agent.hello()).unwrap();
/// let notice = session.notice_about_peer().unwrap();
/// assert_eq!(notice.subject(), "agent@0.8.4");
/// assert_eq!(notice.refused_from(), "0.10.0");
/// assert_eq!(
///     notice.to_string(),
///     "agent 0.8.4 will be refused by server from 0.10.0 on (too old: agent may be up to one \
///      minor release older than server, never newer, compat.toml:6:1); upgrade agent from \
///      0.8.4 to 0.9.0 through 0.9.3 before upgrading server to 0.10.0"
/// );
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notice {
    by: String,
    subject: String,
    refused_from: String,
    kind: RefusedKind,
    rule: Option<String>,
    origin: Option<String>,
    remedy: Option<String>,
}

impl Notice {
    /// A notice from the end `by` (`component@version`): `subject` (`component@version`) will
    /// be refused by `by`'s component from release `refused_from` on.
    pub fn new(
        by: impl Into<String>,
        subject: impl Into<String>,
        refused_from: impl Into<String>,
        kind: RefusedKind,
    ) -> Self {
        Notice {
            by: by.into(),
            subject: subject.into(),
            refused_from: refused_from.into(),
            kind,
            rule: None,
            origin: None,
            remedy: None,
        }
    }

    /// The same notice with the rule that will refuse, and where it is written.
    pub fn with_rule(mut self, rule: impl Into<String>, origin: Option<String>) -> Self {
        self.rule = Some(rule.into());
        self.origin = origin;
        self
    }

    /// The same notice with what to upgrade first.
    pub fn with_remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into()).filter(|r| !r.is_empty());
        self
    }

    /// The end that warns, as `component@version`.
    pub fn by(&self) -> &str {
        &self.by
    }

    /// The peer that will be refused, as `component@version`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The first release of the warning end's component that refuses the subject.
    pub fn refused_from(&self) -> &str {
        &self.refused_from
    }

    /// How it will be refused.
    pub fn kind(&self) -> RefusedKind {
        self.kind
    }

    /// The rule that will refuse, in words.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Where that rule is written.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// What to upgrade first.
    pub fn remedy(&self) -> Option<&str> {
        self.remedy.as_deref()
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.text(tag::NOTICE_BY, &self.by, 200);
        w.text(tag::NOTICE_SUBJECT, &self.subject, 200);
        w.text(tag::NOTICE_FROM, &self.refused_from, 200);
        w.bytes(tag::NOTICE_KIND, &[self.kind.code()]);
        w.opt_text(tag::NOTICE_RULE, self.rule.as_deref());
        w.opt_text(tag::NOTICE_ORIGIN, self.origin.as_deref());
        w.opt_text(tag::NOTICE_REMEDY, self.remedy.as_deref());
    }

    pub(crate) fn read(fields: &Fields<'_>) -> Result<Option<Self>, HelloError> {
        if !fields.has(tag::NOTICE_SUBJECT) {
            return Ok(None);
        }
        let text = |t, what| fields.text(t, what, MAX_TEXT);
        let kind = match fields.get(tag::NOTICE_KIND) {
            Some(&[code]) => RefusedKind::from_code(code),
            _ => {
                return Err(malformed(
                    "the notice's kind is missing or not one byte".into(),
                ));
            }
        };
        Ok(Some(Notice {
            by: text(tag::NOTICE_BY, "notice's end")?.unwrap_or_default(),
            subject: text(tag::NOTICE_SUBJECT, "notice's subject")?.unwrap_or_default(),
            refused_from: text(tag::NOTICE_FROM, "notice's release")?.unwrap_or_default(),
            kind,
            rule: text(tag::NOTICE_RULE, "notice's rule")?,
            origin: text(tag::NOTICE_ORIGIN, "notice's origin")?,
            remedy: text(tag::NOTICE_REMEDY, "notice's remedy")?,
        }))
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by = self
            .by
            .rsplit_once('@')
            .map_or(self.by.as_str(), |(c, _)| c);
        write!(
            f,
            "{} will be refused by {by} from {} on",
            spaced(&self.subject),
            self.refused_from
        )?;
        match (&self.rule, &self.origin) {
            (Some(rule), Some(origin)) => write!(f, " ({}: {rule}, {origin})", self.kind)?,
            (Some(rule), None) => write!(f, " ({}: {rule})", self.kind)?,
            _ => write!(f, " ({})", self.kind)?,
        }
        if let Some(remedy) = &self.remedy {
            write!(f, "; {remedy}")?;
        }
        Ok(())
    }
}
