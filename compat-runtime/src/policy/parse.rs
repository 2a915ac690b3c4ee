//! Reading `compat.toml` (or `[package.metadata.compat]` in `Cargo.toml`) into a [`Policy`],
//! with every error located at its line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::diagnostic::Diagnostic;
use super::{
    Component, Deny, Form, Located, Origin, Policy, PolicyError, PolicyParts, Rolling, Rule, Side,
    Support, Upgrade, VersionReq,
};
use crate::codec::Codec;
use crate::skew::Skew;
use crate::version::{MajorZero, Scheme, Version, WireChanges, WithReleases, parse_version};

#[path = "parse_protocol.rs"]
mod protocol;

/// The largest policy file read; real ones are a few kilobytes.
const MAX_POLICY_LEN: usize = 1 << 20;

crate::de_table::table! {
    struct RawPolicy, deny_unknown_fields {
        versioning: Option<RawVersioning> = "versioning" optional,
        components: Option<Spanned<BTreeMap<Spanned<String>, Spanned<RawComponent>>>> = "components" optional,
        rule: Option<Vec<Spanned<RawRule>>> = "rule" optional,
        upgrade: Option<Spanned<Upgrades>> = "upgrade" optional,
        support: Option<RawSupport> = "support" optional,
        wire: Option<RawWire> = "wire" optional,
        deny: Option<Vec<Spanned<RawDeny>>> = "deny" optional,
        protocol: Option<Spanned<protocol::RawProtocol>> = "protocol" optional,
        feature: Option<Vec<Spanned<protocol::RawFeature>>> = "feature" optional,
    }
}

crate::de_table::table! {
    struct RawVersioning, deny_unknown_fields {
        unstable: Option<Spanned<String>> = "unstable" optional,
        major_zero: Option<Spanned<String>> = "major-zero" optional,
        prerelease: Option<Spanned<RawPrerelease>> = "prerelease" optional,
        wire_changes: Option<Spanned<String>> = "wire-changes" optional,
    }
}

crate::de_table::table! {
    struct RawPrerelease, deny_unknown_fields {
        order: Option<Vec<Spanned<String>>> = "order" optional,
        with_releases: Option<Spanned<BoolOrList>> = "with-releases" optional,
    }
}

crate::de_table::table! {
    struct RawComponent, deny_unknown_fields {
        description: Option<String> = "description" optional,
    }
}

crate::de_table::table! {
    struct RawRule, deny_unknown_fields {
        component: Spanned<String> = "component" required,
        peer: Spanned<String> = "peer" required,
        newer: Option<Spanned<String>> = "newer" optional,
        older: Option<Spanned<String>> = "older" optional,
        skew: Option<Spanned<String>> = "skew" optional,
        exact: Option<Spanned<bool>> = "exact" optional,
        managed: Option<Spanned<bool>> = "managed" optional,
        from: Option<Spanned<String>> = "from" optional,
        until: Option<Spanned<String>> = "until" optional,
        note: Option<String> = "note" optional,
    }
}

crate::de_table::table! {
    struct RawUpgrade, deny_unknown_fields {
        order: Option<Vec<Spanned<String>>> = "order" optional,
        downgrade: Option<Vec<Spanned<String>>> = "downgrade" optional,
        max_jump: Option<Spanned<String>> = "max-jump" optional,
        rolling: Option<Spanned<BoolOrList>> = "rolling" optional,
        from: Option<Spanned<String>> = "from" optional,
        until: Option<Spanned<String>> = "until" optional,
    }
}

crate::de_table::table! {
    struct RawSupport, deny_unknown_fields {
        window: Option<Spanned<String>> = "window" optional,
        minimum: Option<Spanned<String>> = "minimum" optional,
    }
}

crate::de_table::table! {
    struct RawWire, deny_unknown_fields {
        codec: Option<Spanned<String>> = "codec" optional,
    }
}

crate::de_table::table! {
    struct RawDeny, deny_unknown_fields {
        component: Option<Spanned<String>> = "component" optional,
        version: Option<Spanned<String>> = "version" optional,
        from: Option<Spanned<String>> = "from" optional,
        through: Option<Spanned<String>> = "through" optional,
        reason: Option<Spanned<String>> = "reason" optional,
    }
}

/// `[upgrade]` as one table, or `[[upgrade]]` as several with ranges.
enum Upgrades {
    One(RawUpgrade),
    Many(Vec<Spanned<RawUpgrade>>),
}

impl<'de> Deserialize<'de> for Upgrades {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Upgrades;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an [upgrade] table or [[upgrade]] tables")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Upgrades, A::Error> {
                RawUpgrade::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Upgrades::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Upgrades, A::Error> {
                let mut all = Vec::new();
                while let Some(u) = seq.next_element()? {
                    all.push(u);
                }
                Ok(Upgrades::Many(all))
            }
        }
        d.deserialize_any(V)
    }
}

enum BoolOrList {
    Bool(bool),
    List(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for BoolOrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoolOrList;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("true, false, or a list of names such as [\"rc\"]")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<BoolOrList, E> {
                Ok(BoolOrList::Bool(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BoolOrList, A::Error> {
                let mut all = Vec::new();
                while let Some(s) = seq.next_element()? {
                    all.push(s);
                }
                Ok(BoolOrList::List(all))
            }
        }
        d.deserialize_any(V)
    }
}

crate::de_table::table! {
    struct CargoManifest {
        package: Option<CargoPackage> = "package" optional,
    }
}

crate::de_table::table! {
    struct CargoPackage {
        metadata: Option<CargoMetadata> = "metadata" optional,
    }
}

crate::de_table::table! {
    struct CargoMetadata {
        compat: Option<RawPolicy> = "compat" optional,
    }
}

/// Maps byte offsets of one file to lines and columns.
struct Source<'a> {
    name: Arc<str>,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(name: &str, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            name: name.into(),
            text,
            line_starts,
        }
    }

    fn origin(&self, span: &Range<usize>) -> Origin {
        let at = span.start.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&s| s <= at)
            .saturating_sub(1);
        let column = self.text[self.line_starts[line]..at].chars().count() + 1;
        Origin {
            file: self.name.clone(),
            line: (line + 1) as u32,
            column: column as u32,
        }
    }

    /// The line of `origin` and how much of it to underline for `span`.
    fn snippet(&self, origin: &Origin, span_len: usize) -> Option<(String, usize)> {
        let line = usize::try_from(origin.line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(line)?;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |e| e - 1);
        let text = self.text.get(start..end)?.trim_end_matches('\r');
        let rest = text
            .chars()
            .count()
            .saturating_sub(origin.column as usize - 1);
        Some((text.to_string(), span_len.clamp(1, rest.max(1))))
    }

    fn at<T>(&self, s: &Spanned<T>) -> Origin {
        self.origin(&s.span())
    }
}

/// Where a policy was found and what it says.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The file read: `compat.toml` or `Cargo.toml`.
    pub path: PathBuf,
    /// The policy.
    pub policy: Policy,
}

#[cfg_attr(docsrs, doc(cfg(feature = "build")))]
impl Policy {
    /// Reads a policy from `compat.toml` text. `name` is how the file is shown in errors.
    pub fn from_toml(name: &str, text: &str) -> Result<Policy, PolicyError> {
        let source = Source::new(name, text);
        if text.len() > MAX_POLICY_LEN {
            return Err(single(Diagnostic::error(
                None,
                format!("{name}: the policy is larger than {MAX_POLICY_LEN} bytes"),
            )));
        }
        let raw: RawPolicy = toml::from_str(text).map_err(|e| toml_error(&source, &e))?;
        build(&source, raw)
    }

    /// Reads the policy under `[package.metadata.compat]` of a `Cargo.toml`.
    pub fn from_cargo_toml(name: &str, text: &str) -> Result<Option<Policy>, PolicyError> {
        let source = Source::new(name, text);
        let manifest: CargoManifest = toml::from_str(text).map_err(|e| toml_error(&source, &e))?;
        match manifest
            .package
            .and_then(|p| p.metadata)
            .and_then(|m| m.compat)
        {
            Some(raw) => build(&source, raw).map(Some),
            None => Ok(None),
        }
    }

    /// Reads a policy file: `compat.toml`, or a `Cargo.toml` with `[package.metadata.compat]`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = read(path)?;
        if path.file_name().is_some_and(|f| f == "Cargo.toml") {
            Policy::from_cargo_toml(&name, &text)?.ok_or_else(|| {
                single(
                    Diagnostic::error(None, format!("{name} has no [package.metadata.compat] table"))
                        .help("write the policy in compat.toml beside Cargo.toml, or under [package.metadata.compat]"),
                )
            })
        } else {
            Policy::from_toml(&name, &text)
        }
    }

    /// Finds the policy of the crate in `dir`: `compat.toml`, or `[package.metadata.compat]`
    /// in `Cargo.toml`; both at once is an error. `Ok(None)` when there is neither.
    pub fn discover(dir: impl AsRef<Path>) -> Result<Option<PolicyFile>, PolicyError> {
        let dir = dir.as_ref();
        let file = dir.join("compat.toml");
        let manifest = dir.join("Cargo.toml");
        let in_manifest = if manifest.is_file() {
            let text = read(&manifest)?;
            Policy::from_cargo_toml("Cargo.toml", &text)?
        } else {
            None
        };
        match (file.is_file(), in_manifest) {
            (true, Some(_)) => Err(single(
                Diagnostic::error(
                    None,
                    "both compat.toml and [package.metadata.compat] in Cargo.toml define a policy",
                )
                .help("keep one: delete [package.metadata.compat] or compat.toml"),
            )),
            (true, None) => {
                let text = read(&file)?;
                Ok(Some(PolicyFile {
                    path: file,
                    policy: Policy::from_toml("compat.toml", &text)?,
                }))
            }
            (false, Some(policy)) => Ok(Some(PolicyFile {
                path: manifest,
                policy,
            })),
            (false, None) => Ok(None),
        }
    }
}

fn read(path: &Path) -> Result<String, PolicyError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        single(Diagnostic::error(
            None,
            format!("cannot read {}: {e}", path.display()),
        ))
    })?;
    if meta.len() > MAX_POLICY_LEN as u64 {
        return Err(single(Diagnostic::error(
            None,
            format!("{}: larger than {MAX_POLICY_LEN} bytes", path.display()),
        )));
    }
    std::fs::read_to_string(path).map_err(|e| {
        single(Diagnostic::error(
            None,
            format!("cannot read {}: {e}", path.display()),
        ))
    })
}

fn single(d: Diagnostic) -> PolicyError {
    PolicyError {
        diagnostics: vec![d],
    }
}

fn toml_error(source: &Source<'_>, err: &toml::de::Error) -> PolicyError {
    let message = err.message().trim().to_string();
    let mut d = match err.span() {
        Some(span) => {
            let origin = source.origin(&span);
            let mut d = Diagnostic::error(Some(origin.clone()), first_lower(&message));
            d.snippet = source.snippet(&origin, span.len());
            d
        }
        None => Diagnostic::error(
            Some(Origin::new(source.name.clone(), 0, 0)),
            first_lower(&message),
        ),
    };
    let header = err
        .span()
        .and_then(|span| source.text.get(span))
        .and_then(|t| t.strip_prefix('['))
        .filter(|t| !t.starts_with('['))
        .and_then(|t| t.strip_suffix(']'));
    if message.contains("unknown field") {
        d = d.help(unknown_key_help(&message));
    } else if message.contains("expected a sequence")
        && let Some(name) = header
    {
        // `[deny]` where the policy takes a list of tables, `[[deny]]`.
        d = d.help(format!(
            "write `[[{name}]]`, with two brackets: each one is a table of its own"
        ));
    } else if message.contains("expected a string")
        && let Some(span) = err.span()
        && let Some(example) = string_example(key_before(source.text, span.start))
    {
        d = d.help(format!("write it as a string, e.g. {example}"));
    }
    single(d)
}

/// The help for an unknown key: the key it most likely stands for, among those toml says it
/// expected there (`reasn` for `reason`; `until` in a `[[deny]]`, whose range ends at
/// `through`), and where every key is listed.
fn unknown_key_help(message: &str) -> String {
    let mut quoted = message.split('`').skip(1).step_by(2);
    let key = quoted.next().unwrap_or_default();
    let expected: Vec<&str> = quoted.collect();
    let meant = if key == "until" && expected.contains(&"through") {
        Some("through")
    } else {
        crate::suggest::closest(key, expected.iter().copied())
    };
    let every = format!("see {REFERENCE} for every key a policy may hold");
    match meant {
        Some("through") if key == "until" => {
            format!("a [[deny]] ends at `through`, the last release it refuses (included); {every}")
        }
        Some(m) => format!("did you mean `{m}`? {every}"),
        None => every,
    }
}

/// Where users find every key: the crate docs (docs.rs) carry the same page as the
/// repository's file, and neither is in the user's crate.
const REFERENCE: &str = "the compat.toml reference (compat_runtime::docs::policy in the crate docs, docs/policy.md in the compat repository)";

/// The key of the `key = value` whose value starts at `at`, if the value sits on a line of
/// that form.
fn key_before(text: &str, at: usize) -> &str {
    let before = text.get(..at).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    line.rsplit_once('=').map_or("", |(key, _)| {
        key.trim_end()
            .rsplit(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '.'))
            .next()
            .unwrap_or("")
    })
}

/// A quoted example for a key that takes a string, for a value written as a number.
fn string_example(key: &str) -> Option<&'static str> {
    match key {
        "newer" | "older" | "skew" | "max-jump" | "window" => Some("\"1 minor\""),
        "from" | "until" | "minimum" | "through" | "version" => Some("\"4.3.0\""),
        "unstable" => Some("\"<1.0.0\""),
        "major-zero" => Some("\"minor-is-major\""),
        "wire-changes" => Some("\"minor\""),
        "component" | "peer" => Some("\"server\""),
        "note" | "description" => Some("\"agents never run ahead of the server\""),
        "reason" => Some("\"pulled: corrupts the index on upgrade\""),
        "codec" => Some("\"bincode\""),
        "since" | "assumed" => Some("\"1.6.0\""),
        "name" => Some("\"readlink\""),
        "version-from" => Some("\"env:PROTOCOL_VERSION\""),
        _ => None,
    }
}

fn first_lower(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Builder<'s, 'a> {
    source: &'s Source<'a>,
    errors: Vec<Diagnostic>,
}

impl Builder<'_, '_> {
    fn error<T>(&mut self, s: &Spanned<T>, message: String, help: Option<String>) {
        let origin = self.source.at(s);
        let mut d = Diagnostic::error(Some(origin.clone()), message);
        d.snippet = self.source.snippet(&origin, s.span().len());
        d.help = help;
        self.errors.push(d);
    }

    fn version(&mut self, s: &Spanned<String>) -> Option<Located<Version>> {
        match parse_version(s.get_ref()) {
            Ok(v) => Some(Located::new(v, self.source.at(s))),
            Err(e) => {
                self.error(s, e.to_string(), None);
                None
            }
        }
    }

    fn skew(&mut self, s: &Spanned<String>) -> Option<Located<Skew>> {
        match s.get_ref().parse::<Skew>() {
            Ok(v) => Some(Located::new(v, self.source.at(s))),
            Err(e) => {
                self.error(
                    s,
                    e.to_string(),
                    Some(format!("see the skew table in {REFERENCE}")),
                );
                None
            }
        }
    }

    fn names(&mut self, list: &[Spanned<String>]) -> Vec<Located<String>> {
        list.iter()
            .map(|s| Located::new(s.get_ref().clone(), self.source.at(s)))
            .collect()
    }
}

/// Turns the file as TOML read it into [`PolicyParts`], one table at a time, collecting every
/// error; then validates the parts ([`Policy::new`]).
fn build(source: &Source<'_>, raw: RawPolicy) -> Result<Policy, PolicyError> {
    let mut b = Builder {
        source,
        errors: Vec::new(),
    };
    let mut parts = PolicyParts {
        source: source.name.to_string(),
        ..PolicyParts::default()
    };
    if let Some(v) = raw.versioning {
        b.versioning(&v, &mut parts);
    }
    if let Some(components) = raw.components {
        parts.components = b.components(components);
    }
    for spanned in raw.rule.unwrap_or_default() {
        parts.rules.extend(b.rule(spanned));
    }
    if let Some(upgrades) = raw.upgrade {
        parts.upgrades = b.upgrades(upgrades);
    }
    if let Some(s) = raw.support {
        parts.support = b.support(&s);
    }
    if let Some(codec) = raw.wire.and_then(|w| w.codec) {
        parts.codec = b.codec(&codec);
    }
    for spanned in raw.deny.unwrap_or_default() {
        parts.denies.extend(b.deny(spanned));
    }
    if let Some(p) = raw.protocol {
        parts.protocol = b.protocol(p, &|name| std::env::var(name).ok());
    }
    for spanned in raw.feature.unwrap_or_default() {
        parts.features.extend(b.feature(spanned));
    }
    if !b.errors.is_empty() {
        return Err(PolicyError {
            diagnostics: b.errors,
        });
    }
    Policy::new(parts).map_err(|e| with_snippets(source, e))
}

impl Builder<'_, '_> {
    /// `[versioning]`: the unstable range, how `0.x` versions read, and the pre-release tags.
    fn versioning(&mut self, v: &RawVersioning, parts: &mut PolicyParts) {
        let source = self.source;
        let mut scheme = Scheme::default();
        // unstable = "<1.0.0"
        if let Some(req) = &v.unstable {
            match VersionReq::parse(req.get_ref()) {
                Ok(r) => parts.unstable = Some(Located::new(r, source.at(req))),
                Err(e) => self.error(
                    req,
                    format!("invalid version range `{}`: {e}", req.get_ref()),
                    Some("write a SemVer requirement such as \"<1.0.0\"".into()),
                ),
            }
        }
        // major-zero = "minor-is-major"
        if let Some(mz) = &v.major_zero {
            parts.scheme_origin = Some(source.at(mz));
            match mz.get_ref().as_str() {
                "semver" => scheme.major_zero = MajorZero::Semver,
                "minor-is-major" => scheme.major_zero = MajorZero::MinorIsMajor,
                other => self.error(
                    mz,
                    format!("unknown `major-zero` reading `{other}`"),
                    Some("use \"semver\" or \"minor-is-major\"".into()),
                ),
            }
        }
        // wire-changes = "minor"
        if let Some(wc) = &v.wire_changes {
            parts.scheme_origin = Some(source.at(wc));
            match wc.get_ref().as_str() {
                "any" => scheme.wire_changes = WireChanges::Any,
                "minor" => scheme.wire_changes = WireChanges::Minor,
                "major" => scheme.wire_changes = WireChanges::Major,
                other => self.error(
                    wc,
                    format!("unknown `wire-changes` value `{other}`"),
                    Some(
                        "use \"any\" (every release may change the wire), \"minor\" (only X.Y.0) or \"major\" (only the first release of a major)".into(),
                    ),
                ),
            }
        }
        // prerelease = { order = ["alpha", "rc"], with-releases = ["rc"] }
        if let Some(pre) = &v.prerelease {
            parts.scheme_origin = Some(source.at(pre));
            let pre = pre.get_ref();
            if let Some(order) = &pre.order {
                scheme.prerelease_order = order.iter().map(|s| s.get_ref().clone()).collect();
            }
            if let Some(w) = &pre.with_releases {
                scheme.with_releases = match w.get_ref() {
                    BoolOrList::Bool(true) => WithReleases::All,
                    BoolOrList::Bool(false) => WithReleases::None,
                    BoolOrList::List(tags) => {
                        WithReleases::Tags(tags.iter().map(|t| t.get_ref().clone()).collect())
                    }
                };
            }
        }
        parts.scheme = scheme;
    }

    /// `[components]`, in the order the file declares them.
    fn components(
        &self,
        table: Spanned<BTreeMap<Spanned<String>, Spanned<RawComponent>>>,
    ) -> Vec<Component> {
        let mut list: Vec<_> = table.into_inner().into_iter().collect();
        list.sort_by_key(|(name, _)| name.span().start);
        list.into_iter()
            .map(|(name, c)| Component {
                name: name.get_ref().clone(),
                description: c.into_inner().description,
                origin: self.source.at(&name),
            })
            .collect()
    }

    /// One `[[rule]]` table; `None` when it does not say what it allows.
    fn rule(&mut self, spanned: Spanned<RawRule>) -> Option<Rule> {
        let origin = self.source.at(&spanned);
        let rule_span = spanned.span();
        let r = spanned.into_inner();
        let component = self.side(&r.component);
        let peer = self.side(&r.peer);
        let form = self.form(&r, &origin, rule_span.len());
        let from = r.from.as_ref().and_then(|f| self.version(f));
        let until = r.until.as_ref().and_then(|u| self.version(u));
        Some(Rule {
            component,
            peer,
            form: form?,
            from,
            until,
            note: r.note,
            origin,
        })
    }

    /// `component = "agent"`, or `"*"` for every component.
    fn side(&self, s: &Spanned<String>) -> Located<Side> {
        let value = if s.get_ref() == "*" {
            Side::Any
        } else {
            Side::Named(s.get_ref().clone())
        };
        Located::new(value, self.source.at(s))
    }

    /// What a rule allows: `exact = true`, `managed = true`, or a skew (`newer` and `older`,
    /// or `skew` for both). The rule's table starts at `origin` and is `rule_len` bytes long.
    fn form(&mut self, r: &RawRule, origin: &Origin, rule_len: usize) -> Option<Located<Form>> {
        let exact = r.exact.as_ref().filter(|e| *e.get_ref());
        let managed = r.managed.as_ref().filter(|m| *m.get_ref());
        match (exact, managed) {
            (Some(e), Some(_)) => {
                self.error(
                    e,
                    "a rule cannot be both `exact` and `managed`".into(),
                    Some("`managed = true` already means the exact version".into()),
                );
                None
            }
            (Some(flag), None) | (None, Some(flag)) => {
                if let Some(extra) = [&r.newer, &r.older, &r.skew]
                    .iter()
                    .find_map(|k| k.as_ref())
                {
                    self.error(
                        extra,
                        "a rule that is `exact` or `managed` takes no `newer`, `older` or `skew`"
                            .into(),
                        Some("remove this key: the two must run the same version".into()),
                    );
                    None
                } else {
                    let form = if exact.is_some() {
                        Form::Exact
                    } else {
                        Form::Managed
                    };
                    Some(Located::new(form, self.source.at(flag)))
                }
            }
            (None, None) => self.skew_form(r, origin, rule_len),
        }
    }

    /// A rule's skews: `skew = "1 minor"`, or `newer` and `older` both.
    fn skew_form(
        &mut self,
        r: &RawRule,
        origin: &Origin,
        rule_len: usize,
    ) -> Option<Located<Form>> {
        match (&r.skew, &r.newer, &r.older) {
            (Some(s), None, None) => self.skew(s).map(|k| {
                Located::new(
                    Form::Skew {
                        newer: k.value,
                        older: k.value,
                    },
                    k.origin,
                )
            }),
            (Some(s), _, _) => {
                self.error(
                    s,
                    "`skew` sets both `newer` and `older`; write either `skew` or the other two"
                        .into(),
                    None,
                );
                None
            }
            (None, Some(n), Some(o)) => match (self.skew(n), self.skew(o)) {
                (Some(n), Some(o)) => Some(Located::new(
                    Form::Skew {
                        newer: n.value,
                        older: o.value,
                    },
                    n.origin,
                )),
                _ => None,
            },
            (None, newer, _) => {
                let missing = if newer.is_none() { "newer" } else { "older" };
                let mut d = Diagnostic::error(
                    Some(origin.clone()),
                    format!("rule for `{}` and `{}` does not say how far apart they may be: `{missing}` is missing", r.component.get_ref(), r.peer.get_ref()),
                )
                .help("give both `newer` and `older` (e.g. newer = \"none\", older = \"1 minor\"), or `skew`, `exact = true` or `managed = true`");
                d.snippet = self.source.snippet(origin, rule_len.min(8));
                self.errors.push(d);
                None
            }
        }
    }

    /// `[upgrade]`, or each `[[upgrade]]` table.
    fn upgrades(&mut self, upgrades: Spanned<Upgrades>) -> Vec<Upgrade> {
        let origin = self.source.at(&upgrades);
        let tables: Vec<(Origin, RawUpgrade)> = match upgrades.into_inner() {
            Upgrades::One(u) => vec![(origin, u)],
            Upgrades::Many(list) => list
                .into_iter()
                .map(|u| (self.source.at(&u), u.into_inner()))
                .collect(),
        };
        tables
            .into_iter()
            .map(|(origin, u)| self.upgrade(origin, &u))
            .collect()
    }

    /// One upgrade table, which starts at `origin`.
    fn upgrade(&mut self, origin: Origin, u: &RawUpgrade) -> Upgrade {
        let order = u
            .order
            .as_deref()
            .map(|o| self.names(o))
            .unwrap_or_default();
        let downgrade = u.downgrade.as_deref().map(|d| self.names(d));
        let max_jump = u.max_jump.as_ref().and_then(|j| self.skew(j));
        let from = u.from.as_ref().and_then(|f| self.version(f));
        let until = u.until.as_ref().and_then(|t| self.version(t));
        Upgrade {
            order,
            downgrade,
            max_jump,
            rolling: match &u.rolling {
                None => Rolling::All,
                Some(r) => match r.get_ref() {
                    BoolOrList::Bool(true) => Rolling::All,
                    BoolOrList::Bool(false) => Rolling::None,
                    BoolOrList::List(names) => Rolling::Only(self.names(names)),
                },
            },
            from,
            until,
            origin,
        }
    }

    /// `[support]`: the window and the minimum.
    fn support(&mut self, s: &RawSupport) -> Support {
        Support {
            window: s.window.as_ref().and_then(|w| self.skew(w)),
            minimum: s.minimum.as_ref().and_then(|m| self.version(m)),
        }
    }

    /// `[wire] codec = "bincode"`: how the crate's messages travel.
    fn codec(&mut self, codec: &Spanned<String>) -> Option<Located<Codec>> {
        let written = codec.get_ref();
        if let Some(known) = Codec::parse(written) {
            return Some(Located::new(known, self.source.at(codec)));
        }
        let names = Codec::ALL.map(Codec::as_str);
        let meant = crate::suggest::closest(written, names.iter().copied())
            .map(|m| format!("did you mean \"{m}\"? "))
            .unwrap_or_default();
        self.error(
            codec,
            format!("unknown codec `{written}`"),
            Some(format!(
                "{meant}use \"self-describing\" (serde with names on the wire, such as JSON; the default), \
                 \"serde-positional\" (bincode 1, postcard or rmp arrays through serde), \"bincode\" \
                 (bincode 2's native Encode/Decode) or \"borsh\""
            )),
        );
        None
    }

    /// One `[[deny]]` table; `None` when it does not say which releases, or why.
    fn deny(&mut self, spanned: Spanned<RawDeny>) -> Option<Deny> {
        let origin = self.source.at(&spanned);
        let header = spanned.span().len().min(8);
        let d = spanned.into_inner();
        // component = "zed"; without it (or with "*"), every component.
        let component = match &d.component {
            Some(c) => self.side(c),
            None => Located::new(Side::Any, origin.clone()),
        };
        let range = self.deny_range(&d, &origin, header);
        // reason = "..."
        let reason = match &d.reason {
            Some(r) if !r.get_ref().trim().is_empty() => Some(r.get_ref().trim().to_string()),
            Some(r) => {
                self.error(
                    r,
                    "a deny's `reason` is empty".into(),
                    Some(DENY_REASON.into()),
                );
                None
            }
            None => {
                self.table_error(
                    &origin,
                    header,
                    "a deny does not say why: `reason` is missing".into(),
                    DENY_REASON,
                );
                None
            }
        };
        let ((from, through), reason) = (range?, reason?);
        Some(Deny {
            component,
            from,
            through,
            reason,
            origin,
        })
    }

    /// The releases a deny refuses: `version = "1.2.3"`, or `from` and `through` (both
    /// included).
    fn deny_range(
        &mut self,
        d: &RawDeny,
        origin: &Origin,
        header: usize,
    ) -> Option<(Located<Version>, Located<Version>)> {
        match (&d.version, &d.from, &d.through) {
            // version = "1.2.3"
            (Some(v), None, None) => self.version(v).map(|v| (v.clone(), v)),
            (Some(_), Some(extra), _) | (Some(_), None, Some(extra)) => {
                self.error(
                    extra,
                    "a deny names its releases once: `version`, or `from` and `through`".into(),
                    Some("keep `version = \"...\"` for one release, or `from` and `through` for a range".into()),
                );
                None
            }
            // from = "1.2.163", through = "1.2.226"
            (None, Some(f), Some(t)) => match (self.version(f), self.version(t)) {
                (Some(f), Some(t)) => Some((f, t)),
                _ => None,
            },
            (None, from, through) => {
                let message = match (from, through) {
                    (Some(f), _) => format!(
                        "a deny from {} does not say its last release: `through` is missing",
                        f.get_ref()
                    ),
                    (_, Some(t)) => format!(
                        "a deny through {} does not say its first release: `from` is missing",
                        t.get_ref()
                    ),
                    _ => "a deny does not say which releases it refuses".to_string(),
                };
                self.table_error(origin, header, message, "write `from` and `through` (the first and the last release refused, both included), or `version = \"...\"` for one release; to refuse every release below one, use `[support] minimum`");
                None
            }
        }
    }

    /// An error about a whole table, which starts at `origin` (`header` bytes underlined).
    fn table_error(&mut self, origin: &Origin, header: usize, message: String, help: &str) {
        let mut d = Diagnostic::error(Some(origin.clone()), message).help(help);
        d.snippet = self.source.snippet(origin, header);
        self.errors.push(d);
    }
}

/// What a deny's `reason` is for.
const DENY_REASON: &str =
    "add `reason = \"...\"`: every refusal of these releases, and the guide, show it";

/// Gives each diagnostic [`Policy::new`] found the source line it points at, underlining
/// the key, value or table header there.
fn with_snippets(source: &Source<'_>, mut e: PolicyError) -> PolicyError {
    for d in &mut e.diagnostics {
        if let (Some(origin), None) = (&d.origin, &d.snippet) {
            let width = underline_width(source, origin);
            d.snippet = source.snippet(origin, width);
        }
    }
    e
}

/// How much of the line at `origin` to underline: all of a table header (`[[rule]]`), or
/// the word that starts there.
fn underline_width(source: &Source<'_>, origin: &Origin) -> usize {
    source
        .snippet(origin, usize::MAX)
        .map(|(line, _)| {
            let rest: String = line.chars().skip(origin.column as usize - 1).collect();
            if rest.starts_with('[') {
                // A table header: underline all of `[[rule]]`.
                let close = rest
                    .trim_start_matches('[')
                    .find(']')
                    .map_or(rest.len(), |i| {
                        i + (rest.len() - rest.trim_start_matches('[').len())
                    });
                let brackets = rest[close..].chars().take_while(|&c| c == ']').count();
                close + brackets
            } else {
                rest.find([' ', ',', ']', '}', '=']).unwrap_or(rest.len())
            }
        })
        .unwrap_or(1)
}
