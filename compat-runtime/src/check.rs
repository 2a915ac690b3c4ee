//! The peer check: may these two talk?

use core::fmt;

use crate::policy::{ComponentId, Deny, Form, Located, Origin, Policy, Rule};
use crate::skew::{Limit, Skew};
use crate::version::{Version, VersionError, parse_version, shorten};
use crate::window::Ranges;

/// The longest `component@version` text accepted from a peer.
pub const MAX_PEER_LEN: usize = 192;

/// A running instance as the policy sees it: a component at a version.
///
/// Parse peers with [`Policy::peer`]; checking two parsed peers allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Peer {
    /// Which component.
    pub component: ComponentId,
    /// At which version.
    pub version: Version,
}

/// Why a peer string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerError {
    /// Too long to be a real peer.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// Not `component@version`.
    Malformed {
        /// The text, shortened.
        text: String,
    },
    /// A component the policy does not declare.
    UnknownComponent {
        /// The name given.
        name: String,
        /// The names the policy knows.
        known: Vec<String>,
    },
    /// The version part is not a version.
    Version(VersionError),
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::TooLong { len } => write!(
                f,
                "peer text is {len} bytes long; at most {MAX_PEER_LEN} are accepted (component@version)"
            ),
            PeerError::Malformed { text } => write!(
                f,
                "invalid peer `{text}`: write COMPONENT@VERSION, e.g. agent@1.4.2"
            ),
            PeerError::UnknownComponent { name, known } => {
                match crate::suggest::closest(name, known.iter().map(String::as_str)) {
                    Some(meant) => write!(f, "unknown component `{name}`: did you mean `{meant}`?"),
                    None => write!(
                        f,
                        "unknown component `{name}`: the policy knows {}",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
            PeerError::Version(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PeerError {}

/// The two may talk. Carries which rule decided, if any; copying it costs nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    rule: Option<u16>,
}

impl Agreement {
    /// The index in [`Policy::rules`] of the rule that allowed the pair; `None` when no rule
    /// relates the two components (they do not talk, so nothing constrains them).
    pub fn rule(self) -> Option<usize> {
        self.rule.map(usize::from)
    }
}

/// Why a pair was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalKind {
    /// The subject is older than the rule allows.
    TooOld,
    /// The subject is newer than the rule allows.
    TooNew,
    /// The subject is in the policy's unstable range and the versions differ.
    Unstable,
    /// The subject is a pre-release that may not talk to this peer.
    PreRelease,
    /// The subject is below the policy's minimum supported version.
    BelowFloor,
    /// The subject is outside the support window.
    Unsupported,
    /// The subject's component is not one the policy declares.
    UnknownComponent,
    /// The subject runs a release the policy denies (`[[deny]]`), whatever the rules allow.
    Denied,
}

impl RefusalKind {
    /// A short, stable name: `too old`, `too new`, `unstable`, `pre-release`, `below floor`,
    /// `unsupported`, `unknown component`, `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::TooOld => "too old",
            RefusalKind::TooNew => "too new",
            RefusalKind::Unstable => "unstable",
            RefusalKind::PreRelease => "pre-release",
            RefusalKind::BelowFloor => "below floor",
            RefusalKind::Unsupported => "unsupported",
            RefusalKind::UnknownComponent => "unknown component",
            RefusalKind::Denied => "denied",
        }
    }
}

impl fmt::Display for RefusalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A component at a version, by name, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The component's name.
    pub component: String,
    /// Its version.
    pub version: Version,
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.component, self.version)
    }
}

/// The policy text behind a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Where the policy says it.
    pub origin: Option<Origin>,
    /// What it says, in words.
    pub text: String,
    /// The project's own words, when the rule has a `note`.
    pub note: Option<String>,
}

/// Which way to move a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// To a newer version.
    Upgrade,
    /// To an older version.
    Downgrade,
    /// Deployed again by its manager (a managed component), at the manager's version.
    Redeploy,
}

/// A range of versions, for remedies: "0.8.0 through 0.9.2".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// The lowest allowed version, if any.
    pub lowest: Option<Version>,
    /// The upper limit, if any.
    pub limit: Option<Limit>,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.lowest, &self.limit) {
            (Some(lo), Some(Limit::AtMost(hi))) if lo == hi => write!(f, "exactly {lo}"),
            (Some(lo), Some(Limit::AtMost(hi))) => write!(f, "{lo} through {hi}"),
            (Some(lo), Some(Limit::Below(hi))) => write!(f, "{lo} or later, below {hi}"),
            (Some(lo), None) => write!(f, "{lo} or later"),
            (None, Some(Limit::AtMost(hi))) => write!(f, "{hi} or earlier"),
            (None, Some(Limit::Below(hi))) => write!(f, "anything below {hi}"),
            (None, None) => f.write_str("any version"),
        }
    }
}

impl Range {
    /// Exactly one version.
    pub fn exactly(v: &Version) -> Range {
        Range {
            lowest: Some(v.clone()),
            limit: Some(Limit::AtMost(v.clone())),
        }
    }
}

/// One way out of a refusal: move this component into this range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Upgrade or downgrade.
    pub direction: Direction,
    /// The component to move (and its current version).
    pub who: Named,
    /// Where to move it: every release in the nearest range that fits, in full.
    pub to: Range,
    /// The component that does the move, for a managed component (`Redeploy`).
    pub via: Option<String>,
    /// What `max-jump` imposes on the move, when an upgrade setting limits it: `None` when
    /// no `max-jump` governs it.
    pub steps: Option<Steps>,
}

/// What `max-jump` imposes on a [`Move`]: how much of its range one step reaches, and how
/// the range is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steps {
    /// The largest step one instance may take, with its place in the policy: the setting
    /// of the release stepped to, going up, or of the one left, going down.
    pub max_jump: Located<Skew>,
    /// The releases of the move's range that one step reaches; empty when none does.
    pub reach: Ranges,
    /// How the range is reached.
    pub route: Route,
}

/// How a move reaches its range under `max-jump`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// In one step, to a release of [`Steps::reach`].
    OneStep,
    /// A step to each of these releases in turn (each as far as one step goes), then one
    /// into the range: one more step than stops.
    Through(Vec<Version>),
    /// Through more than a hundred stops, not listed.
    Long,
    /// No series of steps gets there: the move crosses what every step stays within (a
    /// major, under `max-jump = "1 minor"`).
    Never,
}

impl Steps {
    /// How many steps the move takes; `None` when no series of steps gets there, or one too
    /// long to list.
    pub fn count(&self) -> Option<usize> {
        match &self.route {
            Route::OneStep => Some(1),
            Route::Through(stops) => Some(stops.len() + 1),
            Route::Long | Route::Never => None,
        }
    }

    /// What the steps mean for a move to `to`, as a parenthesis after it; nothing when one
    /// step reaches all of it.
    fn words(&self, to: &Range) -> String {
        let allows = steps_of(self.max_jump.value);
        match &self.route {
            Route::OneStep if self.reach.is_exactly(to) => String::new(),
            Route::OneStep => format!(
                " (one step reaches {}; `max-jump` allows {allows})",
                self.reach
            ),
            Route::Through(stops) => {
                let stops: Vec<String> = stops.iter().map(ToString::to_string).collect();
                let listed = match stops.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", rest.join(", "))
                    }
                    _ => stops.join(""),
                };
                format!(" (in {} {allows}, by way of {listed})", stops.len() + 1)
            }
            Route::Long => format!(" (more than {} {allows} away)", crate::remedy::MAX_STOPS),
            Route::Never => format!(
                " (out of reach: `max-jump` allows {allows}, and no series of them gets there)"
            ),
        }
    }
}

/// Steps of a `max-jump`, in words: "steps of at most one minor release", "steps within one
/// major".
fn steps_of(jump: Skew) -> String {
    match jump {
        Skew::None => "no step at all".into(),
        Skew::Patch(None) => "steps within one minor".into(),
        Skew::Minor(None) | Skew::Major(0) => "steps within one major".into(),
        Skew::Any => "steps of any size".into(),
        step => format!("steps of at most {}", step.describe()),
    }
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
            Direction::Redeploy => {
                let via = self.via.as_deref().unwrap_or("its manager");
                return write!(
                    f,
                    "have {via} redeploy {} {} at its own version, {}",
                    self.who.component, self.who.version, self.to
                );
            }
        };
        write!(
            f,
            "{verb} {} from {} to {}",
            self.who.component, self.who.version, self.to
        )?;
        if let Some(steps) = &self.steps {
            f.write_str(&steps.words(&self.to))?;
        }
        Ok(())
    }
}

/// A pair that may not talk, with everything an operator needs to fix it.
///
/// Small to move around (one pointer), so `Result<_, Refusal>` stays cheap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    parts: Box<RefusalParts>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RefusalParts {
    kind: RefusalKind,
    subject: Named,
    other: Named,
    reason: Reason,
    moves: Vec<Move>,
}

impl From<RefusalParts> for Refusal {
    fn from(parts: RefusalParts) -> Self {
        Refusal {
            parts: Box::new(parts),
        }
    }
}

impl Refusal {
    /// Why: too old, too new, unstable, …
    pub fn kind(&self) -> RefusalKind {
        self.parts.kind
    }

    /// The side the kind describes (the one that is too old, too new, unstable, …).
    pub fn subject(&self) -> &Named {
        &self.parts.subject
    }

    /// The other side.
    pub fn other(&self) -> &Named {
        &self.parts.other
    }

    /// The rule or setting that refuses, with its place in the policy.
    pub fn reason(&self) -> &Reason {
        &self.parts.reason
    }

    /// The ways out, the preferred first.
    pub fn moves(&self) -> &[Move] {
        &self.parts.moves
    }

    pub(crate) fn set_moves(&mut self, moves: Vec<Move>) {
        self.parts.moves = moves;
    }

    /// The remedy in words: "upgrade server from 0.9.2 to 0.9.3 or later, or downgrade agent
    /// from 0.9.3 to 0.8.0 through 0.9.2".
    pub fn remedy(&self) -> String {
        let moves: Vec<String> = self.parts.moves.iter().map(Move::to_string).collect();
        moves.join(", or ")
    }
}

impl Refusal {
    /// What is wrong, in one clause, without the rule or the remedy: "agent 0.9.3 is too
    /// new for server 0.9.2".
    pub fn headline(&self) -> String {
        match self.parts.kind {
            RefusalKind::TooOld => {
                format!("{} is too old for {}", self.parts.subject, self.parts.other)
            }
            RefusalKind::TooNew => {
                format!("{} is too new for {}", self.parts.subject, self.parts.other)
            }
            RefusalKind::Unstable => format!(
                "{} is an unstable release and {} is not the identical version",
                self.parts.subject, self.parts.other
            ),
            RefusalKind::PreRelease => format!(
                "{} is a pre-release and may not talk to {}",
                self.parts.subject, self.parts.other
            ),
            RefusalKind::BelowFloor => format!(
                "{} is below the minimum supported version (talking to {})",
                self.parts.subject, self.parts.other
            ),
            RefusalKind::Unsupported => format!(
                "{} is outside the support window (talking to {})",
                self.parts.subject, self.parts.other
            ),
            RefusalKind::UnknownComponent => format!(
                "{} is not a component of this policy (talking to {})",
                self.parts.subject, self.parts.other
            ),
            // A denied release is refused by every peer, itself included.
            RefusalKind::Denied if self.parts.subject == self.parts.other => {
                format!("{} is a denied release", self.parts.subject)
            }
            RefusalKind::Denied => format!(
                "{} is a denied release (talking to {})",
                self.parts.subject, self.parts.other
            ),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.headline(), self.parts.reason.text)?;
        if let Some(origin) = &self.parts.reason.origin {
            write!(f, " ({origin})")?;
        }
        if !self.parts.moves.is_empty() {
            write!(f, "; to fix, {}", self.remedy())?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

impl Policy {
    /// Parses `component@version` text from a peer. The text is bounded and treated as
    /// hostile: anything malformed is an error, never a panic.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// # let policy = compat_runtime::Policy::from_toml("compat.toml", "[components]\nserver = {}\n[[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\n").unwrap();
    /// let peer = policy.peer("server@1.4.2").unwrap();
    /// assert_eq!(peer.version.minor, 4);
    /// assert!(policy.peer("server@v1.4").is_err());
    /// # }
    /// ```
    pub fn peer(&self, text: &str) -> Result<Peer, PeerError> {
        if text.len() > MAX_PEER_LEN {
            return Err(PeerError::TooLong { len: text.len() });
        }
        let Some((name, version)) = text.split_once('@').filter(|(name, _)| !name.is_empty())
        else {
            return Err(PeerError::Malformed {
                text: shorten(text),
            });
        };
        let Some(component) = self.component(name) else {
            return Err(PeerError::UnknownComponent {
                name: shorten(name),
                known: self.components().iter().map(|c| c.name.clone()).collect(),
            });
        };
        // `parse_version` bounds the version part itself.
        let version = parse_version(version).map_err(PeerError::Version)?;
        Ok(Peer { component, version })
    }

    /// Decides whether two peers may talk. The verdict does not depend on the order of the
    /// arguments, and accepting allocates nothing.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// # let policy = compat_runtime::Policy::from_toml("compat.toml", "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n").unwrap();
    /// let server = policy.peer("server@0.9.3").unwrap();
    /// assert!(policy.check(&policy.peer("agent@0.8.0").unwrap(), &server).is_ok());
    /// let refusal = policy.check(&policy.peer("agent@0.7.5").unwrap(), &server).unwrap_err();
    /// assert_eq!(
    ///     refusal.to_string(),
    ///     "agent 0.7.5 is too old for server 0.9.3: agent may be up to one minor release older \
    ///      than server, never newer (compat.toml:4:1); to fix, upgrade agent from 0.7.5 to \
    ///      0.8.0 through 0.9.3, or downgrade server from 0.9.3 to 0.7.5 or later, below 0.9.0",
    /// );
    /// # }
    /// ```
    pub fn check(&self, a: &Peer, b: &Peer) -> Result<Agreement, Refusal> {
        self.decide(a, b, true)
    }

    /// [`Policy::check`]; without `remedies`, a refusal carries no moves (used to test a
    /// remedy's own target without recursing).
    pub(crate) fn decide(&self, a: &Peer, b: &Peer, remedies: bool) -> Result<Agreement, Refusal> {
        self.decide_with(a, b, remedies, true)
    }

    /// [`Policy::decide`]; without `denies`, what the rules and the support settings say of
    /// the pair, a denied release on either side left out (the fleet check reports a denied
    /// release once, as its own, not once per peer).
    pub(crate) fn decide_with(
        &self,
        a: &Peer,
        b: &Peer,
        remedies: bool,
        denies: bool,
    ) -> Result<Agreement, Refusal> {
        let scheme = self.scheme();
        let n = self.components().len();
        for p in [a, b] {
            if p.component.index() >= n {
                return Err(self.refuse_foreign(p, if core::ptr::eq(p, a) { b } else { a }));
            }
        }
        // Which side is older decides who a refusal is about; break the scheme's ties (build
        // metadata, unranked pre-release tags) by the full version, then the component, so
        // the verdict never depends on the order of the arguments.
        let same = scheme.compare(&a.version, &b.version);
        let ord = same
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.component.cmp(&b.component));
        let (older, newer) = if ord.is_le() { (a, b) } else { (b, a) };

        // The floor and the window come first: below them nothing is promised. Then the
        // denied releases, which every peer refuses whether or not a rule relates the two.
        self.within_support(older, newer, remedies)?;
        if denies {
            self.not_denied(older, newer, remedies)?;
        }

        // A pair that no rule relates does not talk: nothing constrains it.
        let Some((index, rule, flipped)) =
            self.rule_entry(a.component, b.component, &newer.version)
        else {
            return Ok(Agreement { rule: None });
        };
        self.admits_prereleases(older, newer, remedies)?;
        if same.is_ne() {
            self.admits_unstable(older, newer, remedies)?;
        }

        // Read the pair from the rule's side: `x` is the rule's `component`, `y` its `peer`.
        let (x, y) = if flipped { (b, a) } else { (a, b) };
        // A symmetric rule (servers within one minor of each other) reads the same from both
        // ends: speak of the older side, so the refusal is the same whichever side asks.
        let symmetric = matches!(rule.form.value, Form::Skew { newer: n, older: o } if n == o);
        let (x, y) = if symmetric { (older, newer) } else { (x, y) };
        let (newer_skew, older_skew) = rule.form.value.skews();
        let ord = if core::ptr::eq(x, a) {
            same
        } else {
            same.reverse()
        };
        let admitted = if ord.is_gt() {
            newer_skew.admits(scheme, &y.version, &x.version)
        } else if ord.is_lt() {
            older_skew.admits(scheme, &x.version, &y.version)
        } else {
            true
        };
        if admitted {
            return Ok(Agreement { rule: Some(index) });
        }
        Err(self.refuse_rule(rule, x, y, ord.is_gt(), remedies))
    }

    /// The support floor and window: the older of two peers is not below `minimum`, nor
    /// further behind the newer than `window`.
    fn within_support(&self, older: &Peer, newer: &Peer, remedies: bool) -> Result<(), Refusal> {
        let scheme = self.scheme();
        if let Some(min) = &self.support().minimum
            && scheme.compare(&older.version, &min.value).is_lt()
        {
            return Err(self.refuse_floor(
                older,
                newer,
                min.value.clone(),
                min.origin.clone(),
                remedies,
            ));
        }
        if let Some(window) = &self.support().window
            && !window.value.admits(scheme, &older.version, &newer.version)
        {
            return Err(self.refuse_window(
                older,
                newer,
                window.value,
                window.origin.clone(),
                remedies,
            ));
        }
        Ok(())
    }

    /// Denied releases: neither peer runs a release a `[[deny]]` refuses (the older is named
    /// first when both do).
    fn not_denied(&self, older: &Peer, newer: &Peer, remedies: bool) -> Result<(), Refusal> {
        for (p, q) in [(older, newer), (newer, older)] {
            if let Some(deny) = self.denial(p.component, &p.version) {
                return Err(self.refuse_denied(p, q, deny, remedies));
            }
        }
        Ok(())
    }

    /// Pre-releases: one whose tag the policy does not rank is refused, and so is one whose
    /// tag may not meet releases, facing a release.
    fn admits_prereleases(
        &self,
        older: &Peer,
        newer: &Peer,
        remedies: bool,
    ) -> Result<(), Refusal> {
        let scheme = self.scheme();
        for (p, q) in [(older, newer), (newer, older)] {
            if p.version.pre.is_empty() {
                continue;
            }
            let pre = p.version.pre.as_str();
            if !scheme.knows_prerelease(pre) {
                return Err(self.refuse_prerelease(p, q, true, remedies));
            }
            if q.version.pre.is_empty() && !scheme.prerelease_talks_to_releases(pre) {
                return Err(self.refuse_prerelease(p, q, false, remedies));
            }
        }
        Ok(())
    }

    /// Unstable versions talk only to the identical version: of two peers at different
    /// versions, neither is unstable.
    fn admits_unstable(&self, older: &Peer, newer: &Peer, remedies: bool) -> Result<(), Refusal> {
        if self.unstable().is_some() {
            for p in [older, newer] {
                if self.is_unstable(&p.version) {
                    let q = if core::ptr::eq(p, older) {
                        newer
                    } else {
                        older
                    };
                    return Err(self.refuse_unstable(p, q, remedies));
                }
            }
        }
        Ok(())
    }

    fn named(&self, p: &Peer) -> Named {
        Named {
            component: self.component_name(p.component).to_string(),
            version: p.version.clone(),
        }
    }

    fn refuse_rule(
        &self,
        rule: &Rule,
        x: &Peer,
        y: &Peer,
        x_is_newer: bool,
        remedies: bool,
    ) -> Refusal {
        let (subject, other, kind) = if x_is_newer {
            (x, y, RefusalKind::TooNew)
        } else {
            (x, y, RefusalKind::TooOld)
        };
        // Prefer the move that upgrades the older side; then the one that lowers the newer.
        let (old_peer, new_peer) = if x_is_newer { (y, x) } else { (x, y) };
        let moves = if rule.form.value == Form::Managed && remedies {
            // A managed component follows its manager ("users should not manually manage
            // Agent image versions"): the manager redeploys it at its own version, or, when
            // the component is ahead, the manager moves up to it. Never the component by hand.
            let redeploy = Move {
                direction: Direction::Redeploy,
                who: self.named(x),
                to: Range::exactly(&y.version),
                via: Some(self.component_name(y.component).to_string()),
                steps: None,
            };
            if x_is_newer {
                let mut moves = self.moves_up(y, &[x], true);
                moves.push(redeploy);
                moves
            } else {
                vec![redeploy]
            }
        } else if remedies {
            self.moves_apart(old_peer, new_peer, &[new_peer], &[old_peer])
        } else {
            Vec::new()
        };
        RefusalParts {
            kind,
            subject: self.named(subject),
            other: self.named(other),
            reason: Reason {
                origin: Some(rule.origin.clone()),
                text: rule.describe(),
                note: rule.note.clone(),
            },
            moves,
        }
        .into()
    }

    /// Moves `p` up into the releases every peer in `others` accepts.
    pub(crate) fn moves_up(&self, p: &Peer, others: &[&Peer], remedies: bool) -> Vec<Move> {
        if !remedies {
            return Vec::new();
        }
        self.move_range(p, others, Direction::Upgrade)
            .map(|(to, steps)| Move {
                direction: Direction::Upgrade,
                who: self.named(p),
                to,
                via: None,
                steps,
            })
            .into_iter()
            .collect()
    }

    /// The two ways out of a skew refusal: upgrade the older side into what the newer side's
    /// peers accept, or downgrade the newer side into what the older side's peers accept.
    pub(crate) fn moves_apart(
        &self,
        old: &Peer,
        new: &Peer,
        old_peers: &[&Peer],
        new_peers: &[&Peer],
    ) -> Vec<Move> {
        let mut moves = self.moves_up(old, old_peers, true);
        if let Some((to, steps)) = self.move_range(new, new_peers, Direction::Downgrade) {
            moves.push(Move {
                direction: Direction::Downgrade,
                who: self.named(new),
                to,
                via: None,
                steps,
            });
        }
        moves
    }

    /// `p` runs a release `deny` refuses (talking to `q`, which may be `p` itself).
    pub(crate) fn refuse_denied(&self, p: &Peer, q: &Peer, deny: &Deny, remedies: bool) -> Refusal {
        let moves = if remedies {
            self.moves_off(p, &[q])
        } else {
            Vec::new()
        };
        RefusalParts {
            kind: RefusalKind::Denied,
            subject: self.named(p),
            other: self.named(q),
            reason: Reason {
                origin: Some(deny.origin.clone()),
                text: format!("{}: {}", deny.describe(), deny.reason),
                note: None,
            },
            moves,
        }
        .into()
    }

    /// The ways off a denied release: up to the nearest releases every one of `others`
    /// accepts, or down to the nearest below. Peers at a denied release themselves (`p`
    /// included) are left out: they refuse everything, and move off too.
    pub(crate) fn moves_off(&self, p: &Peer, others: &[&Peer]) -> Vec<Move> {
        let others: Vec<&Peer> = others
            .iter()
            .copied()
            .filter(|q| !self.is_denied(q.component, &q.version))
            .collect();
        let mut moves = self.moves_up(p, &others, true);
        if let Some((to, steps)) = self.move_range(p, &others, Direction::Downgrade) {
            moves.push(Move {
                direction: Direction::Downgrade,
                who: self.named(p),
                to,
                via: None,
                steps,
            });
        }
        moves
    }

    /// A peer whose component is not one of this policy's (a `Peer` parsed by another
    /// policy).
    fn refuse_foreign(&self, p: &Peer, q: &Peer) -> Refusal {
        let name = |x: &Peer| {
            self.components().get(x.component.index()).map_or_else(
                || format!("component #{}", x.component.index()),
                |c| c.name.clone(),
            )
        };
        RefusalParts {
            kind: RefusalKind::UnknownComponent,
            subject: Named {
                component: name(p),
                version: p.version.clone(),
            },
            other: Named {
                component: name(q),
                version: q.version.clone(),
            },
            reason: Reason {
                origin: None,
                text: format!(
                    "the policy from {} has no such component; the peer was parsed with another policy",
                    self.source()
                ),
                note: None,
            },
            moves: Vec::new(),
        }
        .into()
    }

    fn refuse_floor(
        &self,
        older: &Peer,
        newer: &Peer,
        min: Version,
        origin: Origin,
        remedies: bool,
    ) -> Refusal {
        RefusalParts {
            kind: RefusalKind::BelowFloor,
            subject: self.named(older),
            other: self.named(newer),
            reason: Reason {
                origin: Some(origin),
                text: format!("nothing older than {min} is supported"),
                note: None,
            },
            moves: self.moves_up(older, &[newer], remedies),
        }
        .into()
    }

    fn refuse_window(
        &self,
        older: &Peer,
        newer: &Peer,
        window: Skew,
        origin: Origin,
        remedies: bool,
    ) -> Refusal {
        RefusalParts {
            kind: RefusalKind::Unsupported,
            subject: self.named(older),
            other: self.named(newer),
            reason: Reason {
                origin: Some(origin),
                text: format!(
                    "supported versions are at most {} behind the newest",
                    window.describe()
                ),
                note: None,
            },
            moves: self.moves_up(older, &[newer], remedies),
        }
        .into()
    }

    fn refuse_prerelease(&self, p: &Peer, q: &Peer, unknown_tag: bool, remedies: bool) -> Refusal {
        let scheme = self.scheme();
        let text = if unknown_tag {
            format!(
                "pre-release tag `{}` is not one the policy ranks ({})",
                crate::version::prerelease_tag(p.version.pre.as_str()),
                scheme.prerelease_order.join(", ")
            )
        } else {
            match &scheme.with_releases {
                crate::version::WithReleases::Tags(tags) => {
                    format!("only {} pre-releases may talk to releases", tags.join(", "))
                }
                _ => "pre-releases may not talk to releases".to_string(),
            }
        };
        RefusalParts {
            kind: RefusalKind::PreRelease,
            subject: self.named(p),
            other: self.named(q),
            reason: Reason {
                origin: self.parts().scheme_origin.clone(),
                text,
                note: None,
            },
            moves: self.moves_up(p, &[q], remedies),
        }
        .into()
    }

    fn refuse_unstable(&self, p: &Peer, q: &Peer, remedies: bool) -> Refusal {
        let req = self.unstable().expect("only called with an unstable range");
        let older_is_p = self.scheme().compare(&p.version, &q.version).is_lt();
        let (old, new) = if older_is_p { (p, q) } else { (q, p) };
        // Into what the other side accepts: the identical version while it is unstable,
        // any release its rules allow once it is not.
        let moves = if remedies {
            self.moves_apart(old, new, &[new], &[old])
        } else {
            Vec::new()
        };
        RefusalParts {
            kind: RefusalKind::Unstable,
            subject: self.named(p),
            other: self.named(q),
            reason: Reason {
                origin: Some(req.origin.clone()),
                text: format!(
                    "versions matching `{}` carry no compatibility guarantee; only identical versions talk",
                    req.value
                ),
                note: None,
            },
            moves,
        }
        .into()
    }
}
