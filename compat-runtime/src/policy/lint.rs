//! Validation and contradiction checks. Each check states its rule; each diagnostic points at
//! the text that breaks it.

use core::fmt;

use super::{ComponentId, Form, Origin, PairEntry, PolicyParts, Rolling, Rule, Side, Upgrade};
use crate::skew::Skew;
use crate::version::{Scheme, Version};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// Allowed, but probably not what was meant.
    Warning,
}

/// One finding about a policy, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where, when known.
    pub origin: Option<Origin>,
    /// What is wrong, lowercase, one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The source line and the width to underline, when the file was at hand.
    pub snippet: Option<(String, usize)>,
}

impl Diagnostic {
    pub(crate) fn error(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            origin,
            message: shorten_quoted(message.into()),
            help: None,
            snippet: None,
        }
    }

    pub(crate) fn warning(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(origin, message)
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic makes the policy unusable.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic without its `error: ` or `warning: ` label, for tools that add their
    /// own (Cargo's `cargo::error=` and `cargo::warning=` directives):
    /// `compat.toml:9:9: invalid skew ...`, then the snippet and the help, as in `Display`.
    /// The same text as `format!("{diagnostic:#}")`.
    pub fn render_plain(&self) -> String {
        format!("{self:#}")
    }
}

/// The most characters of a source line a snippet shows.
const SNIPPET_WIDTH: usize = 100;
/// How many characters before the column a shortened snippet keeps.
const SNIPPET_LEAD: usize = 40;

/// The part of `line` a snippet shows, at most [`SNIPPET_WIDTH`] characters around the
/// 1-based `column`, with `…` where it was cut; and where the caret starts in it (0-based, in
/// characters) and how many carets fit.
fn snippet_window(line: &str, column: u32, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = (column.saturating_sub(1) as usize).min(chars.len());
    if chars.len() <= SNIPPET_WIDTH {
        return (line.to_string(), at, width.max(1));
    }
    let mut start = at.saturating_sub(SNIPPET_LEAD);
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    start = start.min(end.saturating_sub(SNIPPET_WIDTH));
    let mut shown = String::new();
    let mut caret = at - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret, width.min(end.saturating_sub(at)).max(1))
}

/// The longest quoted text (between backticks) a message repeats in full.
const MAX_QUOTED: usize = 60;

/// Shortens each backticked span longer than [`MAX_QUOTED`] to its start and its length, so
/// a 100 kB key or value is named, not echoed: `` `xxxx… (100000 bytes)` ``.
fn shorten_quoted(message: String) -> String {
    if message.len() <= MAX_QUOTED {
        return message;
    }
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len() < 3
        || parts
            .iter()
            .skip(1)
            .step_by(2)
            .all(|q| q.len() <= MAX_QUOTED)
    {
        return message;
    }
    let mut out = String::with_capacity(MAX_QUOTED * parts.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts lie between backticks (an unpaired last backtick leaves its tail as is).
        if i % 2 == 1 && i + 1 < parts.len() && part.len() > MAX_QUOTED {
            let head: String = part.chars().take(40).collect();
            out.push_str(&format!("{head}… ({} bytes)", part.len()));
        } else {
            out.push_str(part);
        }
    }
    out
}

impl fmt::Display for Diagnostic {
    /// `compat.toml:9:9: error: invalid skew ...`, with the source line, a caret under the
    /// offending text, and the help. The alternate form (`{:#}`) leaves out the `error: ` or
    /// `warning: ` label ([`Diagnostic::render_plain`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        };
        let label = if f.alternate() { "" } else { label };
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {label}{}", self.message)?,
            None => write!(f, "{label}{}", self.message)?,
        }
        if let (Some(origin), Some((line, width))) = (&self.origin, &self.snippet) {
            let number = origin.line.to_string();
            let pad = " ".repeat(number.len());
            let (shown, caret, width) = snippet_window(line, origin.column, *width);
            let indent = " ".repeat(caret);
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {indent}{}",
                "^".repeat(width)
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

fn component_id(parts: &PolicyParts, name: &str) -> Option<ComponentId> {
    parts
        .components
        .iter()
        .position(|c| c.name == name)
        .map(|i| ComponentId(i as u16))
}

/// The declared component `name` most likely stands for.
fn suggestion<'p>(parts: &'p PolicyParts, name: &str) -> Option<&'p str> {
    crate::suggest::suggest(name, parts.components.iter().map(|c| c.name.as_str()))
}

/// `: did you mean `server`?`, or nothing.
fn did_you_mean(guess: Option<&str>) -> String {
    guess.map_or_else(String::new, |g| format!(": did you mean `{g}`?"))
}

impl super::Policy {
    /// The declared component a mistyped name most likely stands for: `serv`, `sever` and
    /// `SERVER` suggest `server`. `None` for a declared name or one close to none.
    pub fn suggest_component(&self, name: &str) -> Option<&str> {
        suggestion(&self.parts, name)
    }
}

fn known_names(parts: &PolicyParts) -> String {
    parts
        .components
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Specificity of a rule: both sides named (2), one `"*"` (1), both `"*"` (0).
fn specificity(rule: &Rule) -> u8 {
    u8::from(rule.component.value != Side::Any) + u8::from(rule.peer.value != Side::Any)
}

/// The ids a side stands for.
fn ids(parts: &PolicyParts, side: &Side) -> Vec<usize> {
    match side {
        Side::Any => (0..parts.components.len()).collect(),
        Side::Named(name) => component_id(parts, name)
            .map(|c| c.index())
            .into_iter()
            .collect(),
    }
}

/// Whether two optional `[from, until)` ranges overlap.
fn periods_overlap(
    scheme: &Scheme,
    a: (Option<&Version>, Option<&Version>),
    b: (Option<&Version>, Option<&Version>),
) -> bool {
    // [a_from, a_until) and [b_from, b_until) overlap unless one ends before the other starts.
    let ends_before = |until: Option<&Version>, from: Option<&Version>| match (until, from) {
        (Some(u), Some(f)) => scheme.compare(u, f).is_le(),
        _ => false,
    };
    !(ends_before(a.1, b.0) || ends_before(b.1, a.0))
}

fn period(
    rule_from: &Option<super::Located<Version>>,
    until: &Option<super::Located<Version>>,
) -> (Option<Version>, Option<Version>) {
    (
        rule_from.as_ref().map(|f| f.value.clone()),
        until.as_ref().map(|u| u.value.clone()),
    )
}

/// A rank for comparing how wide two skews are: `None` < patches < minors < majors < `Any`.
fn width(skew: Skew) -> (u8, u64) {
    match skew {
        Skew::None => (0, 0),
        Skew::Patch(Some(n)) => (1, n),
        Skew::Patch(None) => (1, u64::MAX),
        Skew::Minor(Some(n)) => (2, n),
        Skew::Minor(None) | Skew::Major(0) => (2, u64::MAX),
        Skew::Major(n) => (3, n),
        Skew::Any => (4, 0),
    }
}

/// The most components a policy may declare; real ones have a handful.
const MAX_COMPONENTS: usize = 64;
/// The most rules a policy may hold.
const MAX_RULES: usize = 256;

pub(super) fn lint(parts: &PolicyParts) -> (Vec<Vec<PairEntry>>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let scheme = &parts.scheme;
    let n = parts.components.len();

    // A policy relates components; one without any is almost certainly an empty file.
    if n == 0 {
        out.push(
            Diagnostic::error(None, format!("{}: the policy declares no components", parts.source))
                .help("add a [components] table, e.g. `server = {}` and `agent = {}`, and a [[rule]] relating them"),
        );
    }
    // The pair table grows with the square of the components: bound both before building it.
    if n > MAX_COMPONENTS || parts.rules.len() > MAX_RULES {
        out.push(Diagnostic::error(
            None,
            format!(
                "{}: {n} components and {} rules; a policy may hold at most {MAX_COMPONENTS} components and {MAX_RULES} rules",
                parts.source,
                parts.rules.len()
            ),
        ));
        return (Vec::new(), out);
    }

    // Component names are unique, and never `*`, which stands for all of them.
    for (i, c) in parts.components.iter().enumerate() {
        if c.name == "*" || c.name.is_empty() || c.name.contains(['@', ',', ';', '|', '>']) {
            out.push(
                Diagnostic::error(
                    Some(c.origin.clone()),
                    format!("invalid component name `{}`", c.name),
                )
                .help("use letters, digits, `-` and `_`; `*` means every component in a rule"),
            );
        }
        if parts.components[..i].iter().any(|d| d.name == c.name) {
            out.push(Diagnostic::error(
                Some(c.origin.clone()),
                format!("component `{}` is declared twice", c.name),
            ));
        }
    }

    // Every name in a rule is a declared component. A rule with an unknown name relates
    // nothing; the component it was probably meant for is not then reported as unrelated.
    let mut meant: Vec<&str> = Vec::new();
    for rule in &parts.rules {
        for side in [&rule.component, &rule.peer] {
            if let Side::Named(name) = &side.value
                && component_id(parts, name).is_none()
            {
                let guess = suggestion(parts, name);
                meant.extend(guess);
                out.push(
                    Diagnostic::error(
                        Some(side.origin.clone()),
                        format!("unknown component `{name}` in rule{}", did_you_mean(guess)),
                    )
                    .help(format!(
                        "declare it under [components], or use one of {}",
                        known_names(parts)
                    )),
                );
            }
        }
        // A rule's range must not be empty.
        if let (Some(f), Some(u)) = (&rule.from, &rule.until)
            && scheme.compare(&f.value, &u.value).is_ge()
        {
            out.push(
                Diagnostic::error(
                    Some(u.origin.clone()),
                    format!("`until = \"{}\"` is not after `from = \"{}\"`: the rule never applies", u.value, f.value),
                )
                .help("`from` is the first release the rule applies to, `until` the first it no longer does"),
            );
        }
        // A rule of a component with itself (or of every component with every other) reads
        // the same from both ends, so it cannot allow more in one direction than the other.
        let symmetric_needed = rule.component.value == rule.peer.value;
        if symmetric_needed
            && let Form::Skew { newer, older } = rule.form.value
            && newer != older
        {
            out.push(
                Diagnostic::error(
                    Some(rule.form.origin.clone()),
                    format!(
                        "a rule of `{}` with itself cannot be asymmetric (newer = \"{newer}\", older = \"{older}\")",
                        rule.component.value
                    ),
                )
                .help("use `skew = \"...\"` for how far apart two instances may be"),
            );
        }
        if rule.form.value == Form::Managed
            && (rule.component.value == Side::Any
                || rule.peer.value == Side::Any
                || symmetric_needed)
        {
            out.push(
                Diagnostic::error(Some(rule.form.origin.clone()), "`managed = true` needs two different named components")
                    .help("write `component = \"agent\"` and `peer = \"operator\"`: the peer deploys the component"),
            );
        }
    }

    // A managed component has one manager: two would each redeploy it at its own version.
    for (i, rule) in parts.rules.iter().enumerate() {
        let (Form::Managed, Side::Named(managed), Side::Named(manager)) =
            (rule.form.value, &rule.component.value, &rule.peer.value)
        else {
            continue;
        };
        let other = parts.rules[..i].iter().find(|r| {
            r.form.value == Form::Managed
                && r.component.value == rule.component.value
                && r.peer.value != rule.peer.value
                && {
                    let (fa, ua) = period(&r.from, &r.until);
                    let (fb, ub) = period(&rule.from, &rule.until);
                    periods_overlap(
                        scheme,
                        (fa.as_ref(), ua.as_ref()),
                        (fb.as_ref(), ub.as_ref()),
                    )
                }
        });
        if let Some(first) = other {
            out.push(
                Diagnostic::error(
                    Some(rule.form.origin.clone()),
                    format!(
                        "component `{managed}` is managed by both `{}` (rule at {}) and `{manager}`",
                        first.peer.value, first.origin
                    ),
                )
                .help(format!(
                    "a component has one manager: keep one `managed = true` rule for `{managed}`, and relate it to the other with `exact = true` or a skew"
                )),
            );
        }
    }

    // Build the pair table: every rule lands on each ordered pair of components it covers.
    let mut pairs: Vec<Vec<PairEntry>> = vec![Vec::new(); n * n];
    for (r, rule) in parts.rules.iter().enumerate() {
        let Ok(r16) = u16::try_from(r) else { break };
        // `"*"` against a named component means every *other* component; only `"*"` with
        // `"*"` (or a component named on both sides) relates a component to itself.
        let one_wildcard = specificity(rule) == 1;
        for a in ids(parts, &rule.component.value) {
            for b in ids(parts, &rule.peer.value) {
                if one_wildcard && a == b {
                    continue;
                }
                pairs[a * n + b].push(PairEntry {
                    rule: r16,
                    flipped: false,
                });
                if a != b {
                    pairs[b * n + a].push(PairEntry {
                        rule: r16,
                        flipped: true,
                    });
                }
            }
        }
    }
    for entries in &mut pairs {
        entries.sort_by_key(|e| core::cmp::Reverse(specificity(&parts.rules[usize::from(e.rule)])));
        // A rule covering both orders of a pair lands on it twice; the first entry decides.
        entries.dedup_by_key(|e| e.rule);
    }

    // Two rules of the same specificity for the same pair must not apply at once: the policy
    // would say two things about one pair.
    let mut reported = std::collections::BTreeSet::new();
    for a in 0..n {
        for b in a..n {
            let entries = &pairs[a * n + b];
            for (i, x) in entries.iter().enumerate() {
                for y in &entries[i + 1..] {
                    let (rx, ry) = (
                        &parts.rules[usize::from(x.rule)],
                        &parts.rules[usize::from(y.rule)],
                    );
                    if specificity(rx) != specificity(ry) || x.rule == y.rule {
                        continue;
                    }
                    let (fx, ux) = period(&rx.from, &rx.until);
                    let (fy, uy) = period(&ry.from, &ry.until);
                    if !periods_overlap(
                        scheme,
                        (fx.as_ref(), ux.as_ref()),
                        (fy.as_ref(), uy.as_ref()),
                    ) {
                        continue;
                    }
                    // Read both rules from the pair's first component.
                    let oriented = |rule: &Rule, flipped: bool| {
                        let (newer, older) = rule.form.value.skews();
                        (
                            rule.form.value.is_lockstep(),
                            if flipped {
                                (older, newer)
                            } else {
                                (newer, older)
                            },
                        )
                    };
                    let same_sides = (rx.component.value == ry.component.value
                        && rx.peer.value == ry.peer.value)
                        || (rx.component.value == ry.peer.value
                            && rx.peer.value == ry.component.value);
                    let agree = oriented(rx, x.flipped) == oriented(ry, y.flipped)
                        && rx.form.value == ry.form.value;
                    if (same_sides || !agree)
                        && reported.insert((x.rule.min(y.rule), x.rule.max(y.rule)))
                    {
                        let (first, second) = if x.rule < y.rule { (rx, ry) } else { (ry, rx) };
                        let what = if same_sides {
                            "duplicate rule"
                        } else {
                            "conflicting rules"
                        };
                        out.push(
                            Diagnostic::error(
                                Some(second.origin.clone()),
                                format!(
                                    "{what} for `{}` and `{}`: the rule at {} already covers this pair",
                                    parts.components[a].name, parts.components[b].name, first.origin
                                ),
                            )
                            .help("merge the two rules, or give them `from`/`until` ranges that do not overlap"),
                        );
                    }
                }
            }
        }
    }

    // Every component is related to something; one that no rule mentions is unchecked.
    for (i, c) in parts.components.iter().enumerate() {
        let related = (0..n).any(|j| !pairs[i * n + j].is_empty());
        // A rule naming it with an unknown peer is reported as that, not as this.
        let named = parts.rules.iter().any(|r| {
            [&r.component.value, &r.peer.value]
                .iter()
                .any(|s| matches!(s, Side::Named(name) if *name == c.name))
        });
        if !related && !named && !meant.contains(&c.name.as_str()) {
            out.push(
                Diagnostic::error(Some(c.origin.clone()), format!("component `{}` appears in no rule", c.name))
                    .help(format!("add a [[rule]] with `component = \"{}\"` and the peer it talks to, or remove it", c.name)),
            );
        }
    }

    lint_versions(parts, &mut out);
    for upgrade in &parts.upgrades {
        lint_upgrade(parts, upgrade, &pairs, &mut out);
    }
    for (i, u) in parts.upgrades.iter().enumerate() {
        for earlier in &parts.upgrades[..i] {
            let (fa, ua) = period(&earlier.from, &earlier.until);
            let (fb, ub) = period(&u.from, &u.until);
            if periods_overlap(
                scheme,
                (fa.as_ref(), ua.as_ref()),
                (fb.as_ref(), ub.as_ref()),
            ) {
                out.push(
                    Diagnostic::error(
                        Some(u.origin.clone()),
                        format!("upgrade settings overlap those at {}", earlier.origin),
                    )
                    .help("give each [[upgrade]] table `from`/`until` ranges that do not overlap"),
                );
            }
        }
    }

    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.origin.cmp(&b.origin))
    });
    (pairs, out)
}

fn lint_versions(parts: &PolicyParts, out: &mut Vec<Diagnostic>) {
    let scheme = &parts.scheme;
    // Versions written in the policy itself must use tags the policy ranks.
    let mut versions: Vec<&super::Located<Version>> = Vec::new();
    for rule in &parts.rules {
        versions.extend(rule.from.iter().chain(rule.until.iter()));
    }
    versions.extend(parts.support.minimum.iter());
    for v in versions {
        if !scheme.knows_prerelease(v.value.pre.as_str()) {
            out.push(
                Diagnostic::error(
                    Some(v.origin.clone()),
                    format!(
                        "pre-release tag of `{}` is not in `prerelease.order`",
                        v.value
                    ),
                )
                .help(format!("use one of {:?}", scheme.prerelease_order)),
            );
        }
    }
    let mut seen = Vec::new();
    for tag in &scheme.prerelease_order {
        if seen.contains(&tag) {
            out.push(Diagnostic::error(
                parts.scheme_origin.clone(),
                format!("pre-release tag `{tag}` is listed twice in `prerelease.order`"),
            ));
        }
        if tag.is_empty() || !tag.bytes().all(|c| c.is_ascii_alphabetic()) {
            out.push(
                Diagnostic::error(
                    parts.scheme_origin.clone(),
                    format!("pre-release tag `{tag}` must be letters only"),
                )
                .help("a tag is the leading letters of a pre-release: `rc` in `1.0.0-rc.2`"),
            );
        }
        seen.push(tag);
    }
    if let crate::version::WithReleases::Tags(tags) = &scheme.with_releases {
        for tag in tags {
            if !scheme.prerelease_order.is_empty() && !scheme.prerelease_order.contains(tag) {
                out.push(
                    Diagnostic::error(parts.scheme_origin.clone(), format!("`prerelease.with-releases` names `{tag}`, which is not in `prerelease.order`"))
                        .help(format!("use one of {:?}", scheme.prerelease_order)),
                );
            }
        }
    }
    if let (Some(window), Some(_)) = (&parts.support.window, &parts.support.minimum)
        && window.value == Skew::Any
    {
        out.push(Diagnostic::warning(
            Some(window.origin.clone()),
            "`window = \"any\"` has no effect",
        ));
    }
}

fn lint_upgrade(
    parts: &PolicyParts,
    upgrade: &Upgrade,
    pairs: &[Vec<PairEntry>],
    out: &mut Vec<Diagnostic>,
) {
    let n = parts.components.len();
    let scheme = &parts.scheme;
    // Who manages whom: a managed component moves with its manager, never on its own.
    let managers: Vec<(&str, &str)> = parts
        .rules
        .iter()
        .filter(|r| r.form.value == Form::Managed)
        .filter_map(|r| match (&r.component.value, &r.peer.value) {
            (Side::Named(managed), Side::Named(manager)) => {
                Some((managed.as_str(), manager.as_str()))
            }
            _ => None,
        })
        .collect();
    let manager_of = |name: &str| managers.iter().find(|(m, _)| *m == name).map(|(_, by)| *by);

    // Names in `order`, `downgrade` and `rolling` are declared components, each listed once;
    // returns the components a misspelt name was probably meant for.
    let check_names = |list: &[super::Located<String>], key: &str, out: &mut Vec<Diagnostic>| {
        let mut meant = Vec::new();
        for (i, name) in list.iter().enumerate() {
            if component_id(parts, &name.value).is_none() {
                let guess = suggestion(parts, &name.value);
                meant.extend(guess);
                out.push(
                    Diagnostic::error(
                        Some(name.origin.clone()),
                        format!(
                            "unknown component `{}` in upgrade `{key}`{}",
                            name.value,
                            did_you_mean(guess)
                        ),
                    )
                    .help(format!("use one of {}", known_names(parts))),
                );
            } else if list[..i].iter().any(|m| m.value == name.value) {
                out.push(Diagnostic::error(
                    Some(name.origin.clone()),
                    format!(
                        "component `{}` is listed twice in upgrade `{key}`",
                        name.value
                    ),
                ));
            } else if key != "rolling"
                && let Some(manager) = manager_of(&name.value)
            {
                let early = list[i + 1..].iter().any(|m| m.value == manager);
                out.push(
                    Diagnostic::error(
                        Some(name.origin.clone()),
                        format!(
                            "component `{}` is managed by `{manager}` and moves with it, so it has no place in upgrade `{key}`{}",
                            name.value,
                            if early {
                                format!(" (listed before `{manager}`, it would move ahead of its manager)")
                            } else {
                                String::new()
                            }
                        ),
                    )
                    .help(format!(
                        "remove `{}` from `{key}`: moving `{manager}` redeploys it at `{manager}`'s version",
                        name.value
                    )),
                );
            }
        }
        meant
    };
    // Every component the operator moves by hand has a place in an order that is written.
    let check_complete = |list: &[super::Located<String>],
                          key: &str,
                          meant: &[&str],
                          out: &mut Vec<Diagnostic>| {
        if list.is_empty() {
            return;
        }
        for c in &parts.components {
            if manager_of(&c.name).is_none()
                && !list.iter().any(|o| o.value == c.name)
                && !meant.contains(&c.name.as_str())
            {
                let (what, help) = if key == "order" {
                    (
                        "the upgrade order".to_string(),
                        "list every component that is not managed by another, in the order they move",
                    )
                } else {
                    (
                        format!("upgrade `{key}`"),
                        "list every component that is not managed by another, in the order they move down, or leave `downgrade` out to use the reverse of `order`",
                    )
                };
                let origin = list
                    .first()
                    .map_or_else(|| upgrade.origin.clone(), |o| o.origin.clone());
                out.push(
                    Diagnostic::error(
                        Some(origin),
                        format!("component `{}` is missing from {what}", c.name),
                    )
                    .help(help),
                );
            }
        }
    };
    let meant = check_names(&upgrade.order, "order", out);
    check_complete(&upgrade.order, "order", &meant, out);
    if let Some(down) = &upgrade.downgrade {
        let meant = check_names(down, "downgrade", out);
        check_complete(down, "downgrade", &meant, out);
    }
    if let Rolling::Only(list) = &upgrade.rolling {
        check_names(list, "rolling", out);
    }

    // The rules in force while these settings apply.
    let in_force = |rule: &Rule| {
        let (rf, ru) = period(&rule.from, &rule.until);
        let (uf, uu) = period(&upgrade.from, &upgrade.until);
        periods_overlap(
            scheme,
            (rf.as_ref(), ru.as_ref()),
            (uf.as_ref(), uu.as_ref()),
        )
    };
    let rule_for = |a: usize, b: usize| -> Option<(&Rule, bool)> {
        pairs[a * n + b].iter().find_map(|e| {
            let rule = &parts.rules[usize::from(e.rule)];
            in_force(rule).then_some((rule, e.flipped))
        })
    };
    // How far `a` may be newer than `b` under the rule relating them.
    let newer_allowed = |rule: &Rule, flipped: bool| {
        let (newer, older) = rule.form.value.skews();
        if flipped { older } else { newer }
    };

    // An order that moves `a` before `b` leaves `a` newer than `b` for a while; the rules
    // must allow that, unless the two move in lockstep (exact or managed).
    let orders: [(&str, Vec<&str>, bool); 2] = [
        (
            "order",
            upgrade.order.iter().map(|o| o.value.as_str()).collect(),
            true,
        ),
        ("downgrade", upgrade.downgrade_order(), false),
    ];
    for (key, order, up) in &orders {
        // The default downgrade order mirrors `order`: it is consistent exactly when `order`
        // is, and an error there is already reported.
        if !*up && upgrade.downgrade.is_none() {
            continue;
        }
        for (i, first) in order.iter().enumerate() {
            for second in &order[i + 1..] {
                let (Some(a), Some(b)) = (component_id(parts, first), component_id(parts, second))
                else {
                    continue;
                };
                let Some((rule, flipped)) = rule_for(a.index(), b.index()) else {
                    continue;
                };
                if rule.form.value.is_lockstep() {
                    continue;
                }
                // Upgrading `first` first makes it newer than `second`; downgrading it first
                // makes it older.
                let allowed = if *up {
                    newer_allowed(rule, flipped)
                } else {
                    newer_allowed(rule, !flipped)
                };
                if allowed == Skew::None {
                    let (moved, direction) = if *up {
                        ("newer", "upgrades")
                    } else {
                        ("older", "downgrades")
                    };
                    let origin = match key {
                        &"order" => upgrade.order.first().map(|o| o.origin.clone()),
                        _ => upgrade
                            .downgrade
                            .as_ref()
                            .and_then(|d| d.first().map(|o| o.origin.clone())),
                    }
                    .unwrap_or_else(|| upgrade.origin.clone());
                    out.push(
                        Diagnostic::error(
                            Some(origin),
                            format!(
                                "upgrade `{key}` {direction} `{first}` before `{second}`, but `{first}` may never be {moved} than `{second}` (rule at {})",
                                rule.origin
                            ),
                        )
                        .help(format!("move `{second}` before `{first}` in `{key}`, or allow the skew in the rule")),
                    );
                }
            }
        }
    }

    if let Some(jump) = &upgrade.max_jump {
        // A rolling upgrade leaves instances of one component at both ends of a jump: the
        // component's own rule must allow that distance.
        for (i, c) in parts.components.iter().enumerate() {
            if let Some((rule, _)) = rule_for(i, i) {
                let (skew, _) = rule.form.value.skews();
                if upgrade.rolls(&c.name) && width(jump.value) > width(skew) {
                    out.push(
                        Diagnostic::error(
                            Some(jump.origin.clone()),
                            format!(
                                "`max-jump = \"{}\"` with a rolling upgrade leaves `{}` instances further apart than the rule at {} allows (\"{skew}\")",
                                jump.value, c.name, rule.origin
                            ),
                        )
                        .help(format!("lower `max-jump` to \"{skew}\", or leave `{}` out of `rolling`", c.name)),
                    );
                }
            }
        }
        // Moving `a` a whole jump ahead of `b` (which moves later) must stay inside the rule.
        let order: Vec<usize> = upgrade
            .order
            .iter()
            .filter_map(|o| component_id(parts, &o.value))
            .map(|c| c.index())
            .collect();
        // One warning per jump, listing every pair it strains, so a policy with many
        // components reads as one finding.
        let mut strained: Vec<String> = Vec::new();
        for (i, &a) in order.iter().enumerate() {
            for &b in &order[i + 1..] {
                let Some((rule, flipped)) = rule_for(a, b) else {
                    continue;
                };
                if rule.form.value.is_lockstep() {
                    continue;
                }
                let allowed = newer_allowed(rule, flipped);
                if width(jump.value) > width(allowed) && allowed != Skew::None {
                    strained.push(format!(
                        "`{}` ahead of `{}` (\"{allowed}\", rule at {})",
                        parts.components[a].name, parts.components[b].name, rule.origin
                    ));
                }
            }
        }
        if !strained.is_empty() {
            out.push(
                Diagnostic::warning(
                    Some(jump.origin.clone()),
                    format!(
                        "`max-jump = \"{}\"` moves components further apart than their rules allow: {}",
                        jump.value,
                        strained.join("; ")
                    ),
                )
                .help("each later component must follow before the next step, or the skew is broken in between"),
            );
        }
    }
}
