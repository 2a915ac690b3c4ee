//! The policy: components, skew rules, upgrade and support settings, denied releases, each
//! with its place in `compat.toml`.
//!
//! A [`Policy`] is built from [`PolicyParts`] (what `compat.toml` says, with origins), which
//! validates it and checks it for contradictions ([`Policy::new`]). With the `build` feature,
//! `Policy::from_toml` and `Policy::from_path` read the file.

mod deny;
mod describe;
mod diagnostic;
mod lint;
mod pairs;
#[cfg(feature = "build")]
mod parse;
mod protocol;

use core::fmt;
use std::sync::Arc;

pub use semver::VersionReq;

use crate::codec::Codec;
use crate::skew::Skew;
use crate::version::{Scheme, Version};

pub use deny::Deny;
pub use diagnostic::Diagnostic;
use pairs::PairEntry;
#[cfg(feature = "build")]
#[cfg_attr(docsrs, doc(cfg(feature = "build")))]
pub use parse::PolicyFile;
pub use protocol::{Carried, Feature, MAX_FEATURE_NAME, Protocol};

/// A place in a policy file: `compat.toml:14:1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The file as shown to users, e.g. `compat.toml` or `examples/spire/compat.toml`.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Origin {
    /// A place in a file.
    pub fn new(file: impl Into<Arc<str>>, line: u32, column: u32) -> Self {
        Origin {
            file: file.into(),
            line,
            column,
        }
    }

    /// A policy built in code rather than read from a file.
    pub fn code() -> Self {
        Origin::new("<code>", 0, 0)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// A value together with where the policy said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub origin: Origin,
}

impl<T> Located<T> {
    /// A value at a place.
    pub fn new(value: T, origin: Origin) -> Self {
        Located { value, origin }
    }
}

/// The index of a component in its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId(pub(crate) u16);

impl ComponentId {
    /// The position of the component in the policy's `[components]` table.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A named component: `server`, `agent`, `license-server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its name in the policy.
    pub name: String,
    /// What it is, in a few words.
    pub description: Option<String>,
    /// Where it was declared.
    pub origin: Origin,
}

/// One side of a rule: a component, or `"*"` for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// Every component.
    Any,
    /// One named component.
    Named(String),
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Side::Any => f.write_str("*"),
            Side::Named(name) => f.write_str(name),
        }
    }
}

/// What a rule allows between its two components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `component` may be newer than `peer` by at most `newer`, older by at most `older`.
    Skew {
        /// How far `component` may be newer than `peer`.
        newer: Skew,
        /// How far `component` may be older than `peer`.
        older: Skew,
    },
    /// Only the identical version (`exact = true`).
    Exact,
    /// `component` is deployed by `peer` at `peer`'s own version (`managed = true`).
    Managed,
}

impl Form {
    /// The skews in both directions; exact and managed rules allow none.
    pub fn skews(self) -> (Skew, Skew) {
        match self {
            Form::Skew { newer, older } => (newer, older),
            Form::Exact | Form::Managed => (Skew::None, Skew::None),
        }
    }

    /// Whether both sides must run the same version.
    pub fn is_lockstep(self) -> bool {
        !matches!(self, Form::Skew { .. })
    }
}

/// A skew rule between two components, as written in a `[[rule]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The component the rule is about.
    pub component: Located<Side>,
    /// The component it is measured against.
    pub peer: Located<Side>,
    /// What it allows.
    pub form: Located<Form>,
    /// The first release it applies to (by the newer of the pair).
    pub from: Option<Located<Version>>,
    /// The release from which it no longer applies.
    pub until: Option<Located<Version>>,
    /// The promise in the project's own words.
    pub note: Option<String>,
    /// Where the `[[rule]]` table starts.
    pub origin: Origin,
}

impl Rule {
    /// Whether the rule applies to a pair whose newer version is `newest`.
    pub fn applies_at(&self, scheme: &Scheme, newest: &Version) -> bool {
        within(scheme, &self.from, &self.until, newest)
    }

    /// The rule in words: "agent may be up to one minor release older than server, never
    /// newer".
    pub fn describe(&self) -> String {
        describe::rule(self)
    }
}

/// Upgrade settings, for all releases or for a range of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// Components in the order they move up; managed components move with their manager.
    pub order: Vec<Located<String>>,
    /// The order they move down (default: the reverse of `order`).
    pub downgrade: Option<Vec<Located<String>>>,
    /// The largest version step an instance may take at once.
    pub max_jump: Option<Located<Skew>>,
    /// Which components' instances move one at a time.
    pub rolling: Rolling,
    /// The first release these settings apply to.
    pub from: Option<Located<Version>>,
    /// The release from which they no longer apply.
    pub until: Option<Located<Version>>,
    /// Where the table starts.
    pub origin: Origin,
}

/// Which components upgrade instance by instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rolling {
    /// Every component (`rolling = true`, the default).
    All,
    /// None: each component stops and moves at once (`rolling = false`).
    None,
    /// Only these (`rolling = ["server"]`).
    Only(Vec<Located<String>>),
}

/// Whether `v` lies in the releases from `from` until (not including) `until`; a missing end
/// is open.
fn within(
    scheme: &Scheme,
    from: &Option<Located<Version>>,
    until: &Option<Located<Version>>,
    v: &Version,
) -> bool {
    from.as_ref()
        .is_none_or(|f| scheme.compare(v, &f.value).is_ge())
        && until
            .as_ref()
            .is_none_or(|u| scheme.compare(v, &u.value).is_lt())
}

impl Upgrade {
    /// Whether these settings govern a move to `version`.
    pub fn applies_at(&self, scheme: &Scheme, version: &Version) -> bool {
        within(scheme, &self.from, &self.until, version)
    }

    /// Whether instances of `component` move one at a time.
    pub fn rolls(&self, component: &str) -> bool {
        match &self.rolling {
            Rolling::All => true,
            Rolling::None => false,
            Rolling::Only(list) => list.iter().any(|c| c.value == component),
        }
    }

    /// The downgrade order: as written, or the reverse of the upgrade order.
    pub fn downgrade_order(&self) -> Vec<&str> {
        match &self.downgrade {
            Some(order) => order.iter().map(|c| c.value.as_str()).collect(),
            None => self.order.iter().rev().map(|c| c.value.as_str()).collect(),
        }
    }
}

/// Which versions are supported at all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Support {
    /// Versions further than this behind the newest are unsupported.
    pub window: Option<Located<Skew>>,
    /// Nothing older than this is supported.
    pub minimum: Option<Located<Version>>,
}

/// Everything a policy says, before validation.
#[derive(Debug, Clone, Default)]
pub struct PolicyParts {
    /// The file the policy came from, as shown to users.
    pub source: String,
    /// Version ordering and reading.
    pub scheme: Scheme,
    /// Where the scheme's settings were written, for messages.
    pub scheme_origin: Option<Origin>,
    /// Versions with no guarantee.
    pub unstable: Option<Located<VersionReq>>,
    /// The components, in declaration order.
    pub components: Vec<Component>,
    /// The skew rules.
    pub rules: Vec<Rule>,
    /// Upgrade settings.
    pub upgrades: Vec<Upgrade>,
    /// Support window and floor.
    pub support: Support,
    /// The denied releases (`[[deny]]`), in file order.
    pub denies: Vec<Deny>,
    /// How the crate's messages travel (`[wire] codec`); `None`: self-describing.
    pub codec: Option<Located<Codec>>,
    /// The protocol version of its own (`[protocol]`), when the policy has one.
    pub protocol: Option<Protocol>,
    /// The named features (`[[feature]]`), in file order.
    pub features: Vec<Feature>,
}

impl PolicyParts {
    /// Looks a component up by name.
    pub(crate) fn component(&self, name: &str) -> Option<ComponentId> {
        self.components
            .iter()
            .position(|c| c.name == name)
            .map(|i| ComponentId(i as u16))
    }

    /// The declared component a mistyped name most likely stands for.
    pub(crate) fn suggest_component(&self, name: &str) -> Option<&str> {
        crate::suggest::closest(name, self.components.iter().map(|c| c.name.as_str()))
    }

    /// Calls `f` on every place the parts record.
    fn for_each_origin(&mut self, f: &mut impl FnMut(&mut Origin)) {
        fn each<T>(located: Option<&mut Located<T>>, f: &mut impl FnMut(&mut Origin)) {
            if let Some(l) = located {
                f(&mut l.origin);
            }
        }
        if let Some(o) = self.scheme_origin.as_mut() {
            f(o);
        }
        each(self.unstable.as_mut(), f);
        for c in &mut self.components {
            f(&mut c.origin);
        }
        for r in &mut self.rules {
            f(&mut r.origin);
            f(&mut r.component.origin);
            f(&mut r.peer.origin);
            f(&mut r.form.origin);
            each(r.from.as_mut(), f);
            each(r.until.as_mut(), f);
        }
        for u in &mut self.upgrades {
            f(&mut u.origin);
            let rolling = match &mut u.rolling {
                Rolling::Only(list) => Some(list.iter_mut()),
                _ => None,
            };
            let names = u.order.iter_mut().chain(u.downgrade.iter_mut().flatten());
            for name in names.chain(rolling.into_iter().flatten()) {
                f(&mut name.origin);
            }
            each(u.max_jump.as_mut(), f);
            each(u.from.as_mut(), f);
            each(u.until.as_mut(), f);
        }
        each(self.support.window.as_mut(), f);
        each(self.support.minimum.as_mut(), f);
        each(self.codec.as_mut(), f);
        for d in &mut self.denies {
            f(&mut d.origin);
            f(&mut d.component.origin);
            f(&mut d.from.origin);
            f(&mut d.through.origin);
        }
        if let Some(p) = self.protocol.as_mut() {
            f(&mut p.origin);
            f(&mut p.name.origin);
            f(&mut p.version.origin);
            each(p.assumed.as_mut(), f);
            for c in &mut p.releases {
                f(&mut c.protocol.origin);
                f(&mut c.release.origin);
            }
        }
        for feature in &mut self.features {
            f(&mut feature.origin);
            f(&mut feature.name.origin);
            each(feature.since.as_mut(), f);
            each(feature.until.as_mut(), f);
        }
    }
}

/// An error in a policy, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The diagnostics, errors first; there is at least one error.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A validated, consistent compatibility policy.
///
/// ```
/// # #[cfg(feature = "build")] {
/// use compat_runtime::Policy;
/// let policy = Policy::from_toml("compat.toml", r#"
///     [components]
///     server = {}
///     agent = {}
///
///     [[rule]]
///     component = "agent"
///     peer = "server"
///     newer = "none"
///     older = "1 minor"
/// "#).unwrap();
/// let agent = policy.peer("agent@0.9.3").unwrap();
/// let server = policy.peer("server@0.9.2").unwrap();
/// let refusal = policy.check(&agent, &server).unwrap_err();
/// assert_eq!(refusal.kind(), compat_runtime::RefusalKind::TooNew);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) parts: PolicyParts,
    /// For each ordered pair of components (`a * n + b`), the rules that may apply, most
    /// specific first.
    pub(crate) pairs: Vec<Vec<PairEntry>>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Policy {
    /// Validates the parts and checks them for contradictions.
    pub fn new(parts: PolicyParts) -> Result<Policy, PolicyError> {
        let (pairs, diagnostics) = lint::lint(&parts);
        let (errors, warnings): (Vec<_>, Vec<_>) =
            diagnostics.into_iter().partition(|d| d.is_error());
        if !errors.is_empty() {
            let mut diagnostics = errors;
            diagnostics.extend(warnings);
            return Err(PolicyError { diagnostics });
        }
        Ok(Policy {
            parts,
            pairs,
            warnings,
        })
    }

    /// The file the policy came from.
    pub fn source(&self) -> &str {
        &self.parts.source
    }

    /// The same policy, its file shown relative to where it lives when it was read from an
    /// absolute path (`/home/me/app/compat.toml` as `compat.toml`), and as given otherwise:
    /// what a page generated from it shows, so that the page says nothing of the machine it
    /// was written on.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// # let text = "[components]\nserver = {}\n[[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"1 minor\"\n";
    /// let policy = compat_runtime::Policy::from_toml("/home/me/app/compat.toml", text).unwrap();
    /// let shown = policy.shown_relative();
    /// assert_eq!(shown.source(), "compat.toml");
    /// assert_eq!(shown.rules()[0].origin.to_string(), "compat.toml:3:1");
    /// # }
    /// ```
    pub fn shown_relative(&self) -> Policy {
        let path = std::path::Path::new(&self.parts.source);
        match path.file_name().and_then(|f| f.to_str()) {
            Some(name) if path.is_absolute() || path.has_root() => self.shown_as(name),
            _ => self.clone(),
        }
    }

    /// The same policy, shown as `file`: its source and every place in it that named the
    /// file it was read from.
    pub fn shown_as(&self, file: &str) -> Policy {
        let old: Arc<str> = Arc::from(self.parts.source.as_str());
        let new: Arc<str> = Arc::from(file);
        let mut parts = self.parts.clone();
        parts.source = file.to_string();
        parts.for_each_origin(&mut |o: &mut Origin| {
            if o.file == old {
                o.file = new.clone();
            }
        });
        let warnings = self
            .warnings
            .iter()
            .cloned()
            .map(|mut d| {
                if let Some(o) = d.origin.as_mut().filter(|o| o.file == old) {
                    o.file = new.clone();
                }
                d
            })
            .collect();
        Policy {
            parts,
            pairs: self.pairs.clone(),
            warnings,
        }
    }

    /// Everything the policy says.
    pub fn parts(&self) -> &PolicyParts {
        &self.parts
    }

    /// How the policy orders and reads versions.
    pub fn scheme(&self) -> &Scheme {
        &self.parts.scheme
    }

    /// Things that are allowed but probably not meant (a jump larger than a peer may lag).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The components, in declaration order.
    pub fn components(&self) -> &[Component] {
        &self.parts.components
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.parts.rules
    }

    /// The upgrade settings, in file order.
    pub fn upgrades(&self) -> &[Upgrade] {
        &self.parts.upgrades
    }

    /// The upgrade settings that apply when moving to `version`.
    pub fn upgrade_at(&self, version: &Version) -> Option<&Upgrade> {
        let scheme = self.scheme();
        self.parts
            .upgrades
            .iter()
            .find(|u| u.applies_at(scheme, version))
    }

    /// The support window and floor.
    pub fn support(&self) -> &Support {
        &self.parts.support
    }

    /// The versions with no guarantee, if any.
    pub fn unstable(&self) -> Option<&Located<VersionReq>> {
        self.parts.unstable.as_ref()
    }

    /// Looks a component up by name.
    pub fn component(&self, name: &str) -> Option<ComponentId> {
        self.parts.component(name)
    }

    /// The declared component a mistyped name most likely stands for: `serv`, `sever` and
    /// `SERVER` suggest `server`. `None` for a declared name or one close to none.
    pub fn suggest_component(&self, name: &str) -> Option<&str> {
        self.parts.suggest_component(name)
    }

    /// The name of a component.
    pub fn component_name(&self, id: ComponentId) -> &str {
        &self.parts.components[id.index()].name
    }

    /// The rule relating two components when the newer of them is at `newest`, with whether
    /// the rule's `component` is `b` (so the rule reads from `b`'s side). Allocation-free.
    pub fn rule_between(
        &self,
        a: ComponentId,
        b: ComponentId,
        newest: &Version,
    ) -> Option<(&Rule, bool)> {
        self.rule_entry(a, b, newest)
            .map(|(_, rule, flipped)| (rule, flipped))
    }

    /// [`Policy::rule_between`], with the rule's index in [`Policy::rules`].
    pub(crate) fn rule_entry(
        &self,
        a: ComponentId,
        b: ComponentId,
        newest: &Version,
    ) -> Option<(u16, &Rule, bool)> {
        let n = self.parts.components.len();
        let entries = self.pairs.get(a.index() * n + b.index())?;
        entries.iter().find_map(|e| {
            let rule = &self.parts.rules[usize::from(e.rule)];
            rule.applies_at(self.scheme(), newest)
                .then_some((e.rule, rule, e.flipped))
        })
    }

    /// The protocol version of its own (`[protocol]`), if the policy has one: then
    /// `#[since]`, the handshake and the send guard speak its versions.
    pub fn protocol(&self) -> Option<&Protocol> {
        self.parts.protocol.as_ref()
    }

    /// The named features (`[[feature]]`), in file order.
    pub fn features(&self) -> &[Feature] {
        &self.parts.features
    }

    /// The feature called `name`.
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// let policy = compat_runtime::Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [[feature]]\nname = \"readlink\"\nsince = \"0.6.0\"\n").unwrap();
    /// assert_eq!(policy.feature("readlink").unwrap().since.as_ref().unwrap().value.to_string(), "0.6.0");
    /// assert!(policy.feature("read-link").is_none());
    /// assert_eq!(policy.suggest_feature("read-link"), Some("readlink"));
    /// # }
    /// ```
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.parts.features.iter().find(|f| f.name.value == name)
    }

    /// The declared feature a mistyped name most likely stands for.
    pub fn suggest_feature(&self, name: &str) -> Option<&str> {
        crate::suggest::closest(
            name,
            self.parts.features.iter().map(|f| f.name.value.as_str()),
        )
    }

    /// How the crate's messages travel (`[wire] codec`), and where the policy says so;
    /// `None` when it does not (self-describing).
    ///
    /// ```
    /// # #[cfg(feature = "build")] {
    /// use compat_runtime::{Codec, Policy};
    /// let policy = Policy::from_toml("compat.toml", "[components]\nagent = {}\n\
    ///     [[rule]]\ncomponent = \"agent\"\npeer = \"agent\"\nskew = \"any\"\n\
    ///     [wire]\ncodec = \"bincode\"\n").unwrap();
    /// let codec = policy.codec().unwrap();
    /// assert_eq!(codec.value, Codec::Bincode);
    /// assert_eq!(codec.origin.to_string(), "compat.toml:8:9");
    /// # }
    /// ```
    pub fn codec(&self) -> Option<&Located<Codec>> {
        self.parts.codec.as_ref()
    }

    /// Whether `v` lies in the unstable range.
    pub fn is_unstable(&self, v: &Version) -> bool {
        self.parts.unstable.as_ref().is_some_and(|req| {
            let release = Version::new(v.major, v.minor, v.patch);
            req.value.matches(&release)
        })
    }
}
