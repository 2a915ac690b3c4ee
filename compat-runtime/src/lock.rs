//! The wire lock: each release's message tables, recorded in a checked-in `compat.lock`, so
//! that a change to a released shape that breaks a peer still inside the window fails the
//! tests, and a deprecated field is reported deletable once the window has moved past it.
//!
//! Feature `lock` (which implies `build`), as a dev-dependency of the protocol crate. In a
//! protocol crate (with `compat_runtime::include_policy!()` and `messages![...]`):
//!
//! ```ignore
//! #[cfg(test)]
//! compat_runtime::wire_lock!(policy(), VERSION, messages());
//! ```
//!
//! `cargo test` then compares the messages with every release recorded in `compat.lock`;
//! `COMPAT_RECORD=1 cargo test compat_wire_lock` (or `cargo compat lock`) records the
//! crate's current version.

use core::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::Peer;
use crate::message::{
    Case, Flatten, Kind, Message, RenameAll, Representation, SkipSerializing, WireName,
};
use crate::policy::Policy;
use crate::version::{Version, parse_version};

/// The file name of the wire lock, at the crate root.
pub const FILE: &str = "compat.lock";

/// The variable that makes [`verify`] record the current release instead of checking.
pub const RECORD: &str = "COMPAT_RECORD";

/// The format [`verify`] records: each release says which it was recorded in, so that a
/// file written by an older compat still loads, and a release whose record lacks what a
/// check needs is named as such.
///
/// - 1 (no `format` key): Rust names, `since`, types and defaults;
/// - 2: also what travels: wire names (`rename`, `rename_all`, `rename_all_fields`),
///   aliases, representation, flattened fields and `skip_serializing(_if)`.
pub const FORMAT: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    #[serde(default, rename = "release")]
    releases: Vec<Release>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    version: String,
    #[serde(default = "format_1", skip_serializing_if = "is_format_1")]
    format: u32,
    /// The fingerprint the release's build announces in its hello (16 hex digits); the
    /// build script compiles these into `RELEASES`. Absent in locks written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    #[serde(default, rename = "message")]
    messages: Vec<LockedMessage>,
}

fn format_1() -> u32 {
    1
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_format_1(format: &u32) -> bool {
    *format == 1
}

/// A message as recorded. Names are Rust names; `wire` is written only where the name
/// on the wire differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedMessage {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire_deserialize: Option<String>,
    since: String,
    kind: String,
    /// `external`, `internal`, `adjacent`, `untagged` or `transparent`; absent in format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    representation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    /// The `rename_all` convention; `serialize/deserialize` where they differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rename_all: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rename_all_fields: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<LockedField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    variants: Vec<LockedVariant>,
}

/// A field as it travels. The fields of a `#[serde(flatten)]` field are recorded in its
/// place, each with `via` naming the flattened field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedField {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire_deserialize: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    since: String,
    ty: String,
    default: bool,
    /// `always`, or the `skip_serializing_if` path; absent when always sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skip_serializing: Option<String>,
    /// The flattened field(s) this one comes through, outermost first (`meta.labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    via: Option<String>,
    /// A flattened map, which takes every field no other takes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    map: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedVariant {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wire_deserialize: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    since: String,
    #[serde(default)]
    catch_all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rename_all: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<LockedField>,
}

/// What a locked field, variant or message is called on the wire.
trait Named {
    fn rust(&self) -> &str;
    fn wire(&self) -> Option<&str>;
    fn wire_deserialize(&self) -> Option<&str>;
    fn aliases(&self) -> &[String];
    /// The name a sender writes.
    fn sent(&self) -> &str {
        self.wire().unwrap_or(self.rust())
    }
    /// The name a receiver reads (besides its aliases).
    fn read(&self) -> &str {
        self.wire_deserialize().unwrap_or(self.sent())
    }
    fn accepts(&self, name: &str) -> bool {
        self.read() == name || self.aliases().iter().any(|alias| alias == name)
    }
}

macro_rules! named {
    ($($ty:ty, $it:ident => $aliases:expr);*) => {$(
        impl Named for $ty {
            fn rust(&self) -> &str {
                &self.name
            }
            fn wire(&self) -> Option<&str> {
                self.wire.as_deref()
            }
            fn wire_deserialize(&self) -> Option<&str> {
                self.wire_deserialize.as_deref()
            }
            fn aliases(&self) -> &[String] {
                let $it = self;
                $aliases
            }
        }
    )*};
}

named!(
    LockedField, f => &f.aliases;
    LockedVariant, v => &v.aliases;
    LockedMessage, _m => &[]
);

/// `(wire, wire_deserialize)` of a name: each only where it differs from what it would
/// otherwise be.
fn wire_names(rust: &str, wire: &WireName) -> (Option<String>, Option<String>) {
    let sent = (wire.serialize != rust).then(|| wire.serialize.to_string());
    let read = (wire.deserialize != wire.serialize).then(|| wire.deserialize.to_string());
    (sent, read)
}

fn convention(rule: &RenameAll) -> Option<String> {
    match (rule.serialize, rule.deserialize) {
        (None, None) => None,
        (s, d) if s == d => s.map(|case| case.as_str().to_string()),
        (s, d) => Some(format!(
            "{}/{}",
            s.map_or("none", Case::as_str),
            d.map_or("none", Case::as_str)
        )),
    }
}

fn later<'a>(a: &'a str, b: &'a str) -> &'a str {
    match (parse_version(a), parse_version(b)) {
        (Ok(va), Ok(vb)) if vb > va => b,
        _ => a,
    }
}

/// The fields as they travel: a flattened message's fields in its field's place, arriving
/// no earlier than that field and defaulting when it does (`Option<Flattened>`).
fn lock_fields(fields: &[crate::message::Field]) -> Vec<LockedField> {
    let mut out = Vec::new();
    flatten_into(fields, None, None, false, &mut out, 0);
    out
}

fn flatten_into(
    fields: &[crate::message::Field],
    via: Option<&str>,
    since: Option<&str>,
    default: bool,
    out: &mut Vec<LockedField>,
    depth: usize,
) {
    for f in fields {
        let arrived = since.map_or(f.since, |outer| later(f.since, outer));
        let through = |name: &str| via.map_or(name.to_string(), |via| format!("{via}.{name}"));
        if let Flatten::Message(inner) = f.flatten {
            // Tables are `'static` constants, so a cycle cannot be written; the bound only
            // keeps a hand-built table from recursing for ever.
            if depth < 16 {
                flatten_into(
                    inner.fields,
                    Some(&through(f.name)),
                    Some(arrived),
                    default || f.default,
                    out,
                    depth + 1,
                );
            }
            continue;
        }
        let (wire, wire_deserialize) = wire_names(f.name, &f.wire);
        out.push(LockedField {
            name: f.name.to_string(),
            wire,
            wire_deserialize,
            aliases: f.wire.aliases.iter().map(|a| a.to_string()).collect(),
            since: arrived.to_string(),
            ty: f.ty.to_string(),
            default: default || f.default,
            skip_serializing: match f.skip_serializing {
                SkipSerializing::Never => None,
                SkipSerializing::If(path) => Some(path.to_string()),
                SkipSerializing::Always => Some("always".to_string()),
            },
            via: via.map(str::to_string),
            map: f.flatten == Flatten::Map,
        });
    }
}

fn lock_message(m: &Message) -> LockedMessage {
    let (wire, wire_deserialize) = wire_names(m.name, &m.wire);
    let (representation, tag, content) = match m.representation {
        Representation::External => ("external", None, None),
        Representation::Internal { tag } => ("internal", Some(tag), None),
        Representation::Adjacent { tag, content } => ("adjacent", Some(tag), Some(content)),
        Representation::Untagged => ("untagged", None, None),
        Representation::Transparent => ("transparent", None, None),
    };
    LockedMessage {
        name: m.name.to_string(),
        wire,
        wire_deserialize,
        since: m.since.to_string(),
        kind: match m.kind {
            Kind::Enum => "enum".into(),
            Kind::Struct(_) => "struct".into(),
        },
        representation: Some(representation.to_string()),
        tag: tag.map(str::to_string),
        content: content.map(str::to_string),
        rename_all: convention(&m.rename_all),
        rename_all_fields: convention(&m.rename_all_fields),
        routes: m
            .routes
            .iter()
            .map(|r| format!("{} > {}", r.from, r.to))
            .collect(),
        fields: lock_fields(m.fields),
        variants: m
            .variants
            .iter()
            .map(|v| {
                let (wire, wire_deserialize) = wire_names(v.name, &v.wire);
                LockedVariant {
                    name: v.name.to_string(),
                    wire,
                    wire_deserialize,
                    aliases: v.wire.aliases.iter().map(|a| a.to_string()).collect(),
                    since: v.since.to_string(),
                    catch_all: v.catch_all,
                    rename_all: convention(&v.rename_all),
                    fields: lock_fields(v.fields),
                }
            })
            .collect(),
    }
}

/// The message as a peer sees it: Rust names replaced by wire names, so that a rename in
/// Rust alone compares equal.
fn wire_view(m: &LockedMessage) -> LockedMessage {
    fn field(f: &LockedField) -> LockedField {
        LockedField {
            name: f.sent().to_string(),
            wire: None,
            wire_deserialize: f.wire_deserialize.clone(),
            via: None,
            ..f.clone()
        }
    }
    LockedMessage {
        name: m.sent().to_string(),
        wire: None,
        fields: m.fields.iter().map(field).collect(),
        variants: m
            .variants
            .iter()
            .map(|v| LockedVariant {
                name: v.sent().to_string(),
                wire: None,
                fields: v.fields.iter().map(field).collect(),
                ..v.clone()
            })
            .collect(),
        ..m.clone()
    }
}

/// What a check of the wire lock found that does not fail it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockReport {
    /// The lock file.
    pub path: PathBuf,
    /// The release recorded, when recording.
    pub recorded: Option<String>,
    /// The recorded releases compared, still inside the window.
    pub compared: Vec<String>,
    /// The recorded releases no peer inside the window runs any more.
    pub outside: Vec<String>,
    /// Deprecated fields that no peer inside the window needs any more.
    pub deletable: Vec<String>,
}

impl fmt::Display for LockReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.recorded {
            Some(v) => writeln!(f, "recorded release {v} in {}", self.path.display())?,
            None => writeln!(
                f,
                "{}: the messages keep faith with {} recorded release(s) inside the window ({})",
                self.path.display(),
                self.compared.len(),
                self.compared.join(", ")
            )?,
        }
        if !self.outside.is_empty() {
            writeln!(
                f,
                "releases outside the window, no longer checked: {}",
                self.outside.join(", ")
            )?;
        }
        for d in &self.deletable {
            writeln!(f, "note: {d}")?;
        }
        Ok(())
    }
}

/// Released shapes changed in ways that break peers still inside the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockError {
    /// The lock file.
    pub path: PathBuf,
    /// One sentence per break: what changed, which peer it breaks, and how to fix it.
    pub problems: Vec<String>,
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} problem(s) against the wire lock {}:",
            self.problems.len(),
            self.path.display()
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LockError {}

fn fail(path: &Path, problem: String) -> LockError {
    LockError {
        path: path.to_path_buf(),
        problems: vec![problem],
    }
}

/// Checks `messages` (the crate at `version`, under `policy`) against every release recorded
/// in `dir/compat.lock`; with `COMPAT_RECORD` set, records `version` instead.
pub fn verify(
    dir: impl AsRef<Path>,
    policy: &Policy,
    version: &str,
    messages: &[&Message],
) -> Result<LockReport, LockError> {
    let record = std::env::var_os(RECORD).is_some_and(|v| !v.is_empty() && v != "0");
    verify_with(dir.as_ref(), policy, version, messages, record)
}

/// [`verify`], with recording chosen by the caller rather than the environment.
pub fn verify_with(
    dir: &Path,
    policy: &Policy,
    version: &str,
    messages: &[&Message],
    record: bool,
) -> Result<LockReport, LockError> {
    let path = dir.join(FILE);
    let current = parse_version(version).map_err(|e| fail(&path, e.to_string()))?;
    let mut lock = read(&path, record)?;
    let shapes: Vec<LockedMessage> = messages.iter().map(|m| lock_message(m)).collect();
    if record {
        lock.releases.retain(|r| r.version != current.to_string());
        lock.releases.push(Release {
            version: current.to_string(),
            format: FORMAT,
            fingerprint: Some(crate::fingerprint::hex(crate::fingerprint::of(messages))),
            messages: shapes,
        });
        write(&path, &mut lock, policy)?;
        return Ok(LockReport {
            path,
            recorded: Some(current.to_string()),
            ..LockReport::default()
        });
    }

    let mut report = LockReport {
        path: path.clone(),
        ..LockReport::default()
    };
    let mut problems = Problems::default();
    for release in &lock.releases {
        let at = parse_version(&release.version)
            .map_err(|e| fail(&path, format!("release `{}`: {e}", release.version)))?;
        if at != current && policy.scheme().compare(&at, &current).is_gt() {
            continue;
        }
        if release.format < FORMAT {
            if at == current {
                problems.push(format!(
                    "release {current} was recorded by an older compat (format {}), which kept Rust names only, not what travels (serde's renames, aliases and representation); it is the version being built: record it again with {RECORD}=1 cargo test compat_wire_lock (or `cargo compat lock`)",
                    release.format
                ));
            } else if reaches(policy, &at, &current, &release.messages) {
                problems.push(format!(
                    "release {at} was recorded by an older compat (format {}), which kept Rust names only, not what travels (serde's renames, aliases and representation), so a wire change against it cannot be checked, and {at} is still inside the window; record it again from {at}'s own source with `cargo compat lock --rev <the tag of {at}>` (which builds that revision in a temporary checkout), or, if it never shipped, delete its entry",
                    release.format
                ));
            } else {
                report.outside.push(release.version.clone());
            }
            continue;
        }
        if at == current {
            // Peers refuse a build that claims this release with another fingerprint.
            let announced = crate::fingerprint::hex(crate::fingerprint::of(messages));
            match &release.fingerprint {
                Some(recorded) if *recorded != announced => problems.push(format!(
                    "release {current} is recorded with fingerprint {recorded}, but this build announces {announced} in its hello, so peers that know the recorded release would refuse it (`fingerprint mismatch`); a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
                )),
                None => problems.push(format!(
                    "release {current} is recorded without the fingerprint its hello announces, so peers cannot tell a build that claims it with other tables; record it again with {RECORD}=1 cargo test compat_wire_lock (or `cargo compat lock`)"
                )),
                Some(_) => {}
            }
            // A recorded release never changes on the wire once shipped; a Rust-only
            // rename is no change.
            let was: Vec<LockedMessage> = release.messages.iter().map(wire_view).collect();
            let now: Vec<LockedMessage> = shapes.iter().map(wire_view).collect();
            if was != now {
                let mut found = Problems::default();
                compare_release(
                    policy,
                    &at,
                    &current,
                    &release.messages,
                    &shapes,
                    true,
                    &mut found,
                );
                let fix = format!(
                    "a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
                );
                if found.0.is_empty() {
                    let changed: Vec<String> = now
                        .iter()
                        .filter(|m| !was.contains(m))
                        .map(|m| format!("`{}`", m.name))
                        .collect();
                    let changed = if changed.is_empty() {
                        "a message was removed".to_string()
                    } else {
                        format!("changed: {}", changed.join(", "))
                    };
                    problems.push(format!(
                        "release {current} is recorded but its messages have changed on the wire since ({changed}); {fix}"
                    ));
                }
                for problem in found.0 {
                    problems.push(format!(
                        "release {current} is recorded but its messages have changed on the wire since: {problem}; {fix}"
                    ));
                }
            }
            continue;
        }
        let inside = compare_release(
            policy,
            &at,
            &current,
            &release.messages,
            &shapes,
            false,
            &mut problems,
        );
        if inside {
            report.compared.push(release.version.clone());
        } else {
            report.outside.push(release.version.clone());
        }
    }
    deletable(policy, &current, messages, &mut report.deletable);
    if problems.0.is_empty() {
        Ok(report)
    } else {
        Err(LockError {
            path,
            problems: problems.0,
        })
    }
}

/// Problems in the order found, each once.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, problem: String) {
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }
}

/// Whether a peer of `a` at `va` and one of `b` at `vb` may talk under the policy.
fn talk(policy: &Policy, a: &str, va: &Version, b: &str, vb: &Version) -> bool {
    let (Some(ca), Some(cb)) = (policy.component(a), policy.component(b)) else {
        return false;
    };
    let pa = Peer {
        component: ca,
        version: va.clone(),
    };
    let pb = Peer {
        component: cb,
        version: vb.clone(),
    };
    policy.check(&pa, &pb).is_ok()
}

fn route_ends(route: &str) -> Option<(&str, &str)> {
    let (from, to) = route.split_once('>')?;
    Some((from.trim(), to.trim()))
}

/// Whether a peer at `old` still exchanges one of `locked` with this release.
fn reaches(policy: &Policy, old: &Version, current: &Version, locked: &[LockedMessage]) -> bool {
    locked.iter().flat_map(|m| &m.routes).any(|route| {
        route_ends(route).is_some_and(|(from, to)| {
            talk(policy, from, current, to, old) || talk(policy, from, old, to, current)
        })
    })
}

/// One route between a recorded release and this one, and which way peers meet on it.
struct Pair<'a> {
    old: &'a Version,
    current: &'a Version,
    from: &'a str,
    to: &'a str,
    /// A sender at this release reaches a receiver at `old`.
    old_receiver: bool,
    /// A sender at `old` reaches a receiver at this release.
    old_sender: bool,
}

impl Pair<'_> {
    /// `server 1.1.5` for a break an old receiver suffers, else the old sender.
    fn old_peer(&self) -> String {
        let who = if self.old_receiver {
            self.to
        } else {
            self.from
        };
        format!("{who} {}", self.old)
    }

    fn route(&self) -> String {
        format!("route {} > {}, inside the window", self.from, self.to)
    }
}

/// Compares one recorded release with the current shapes; returns whether any peer of that
/// release is still inside the window. With `same`, the release is the one being built:
/// every route is compared both ways.
fn compare_release(
    policy: &Policy,
    old: &Version,
    current: &Version,
    locked: &[LockedMessage],
    shapes: &[LockedMessage],
    same: bool,
    problems: &mut Problems,
) -> bool {
    let mut inside = false;
    for was in locked {
        for route in &was.routes {
            let Some((from, to)) = route_ends(route) else {
                continue;
            };
            // Current senders reach old receivers; old senders reach current receivers.
            let old_receiver = same || talk(policy, from, current, to, old);
            let old_sender = same || talk(policy, from, old, to, current);
            if !(old_receiver || old_sender) {
                continue;
            }
            inside = true;
            let pair = Pair {
                old,
                current,
                from,
                to,
                old_receiver,
                old_sender,
            };
            // Matched by the name it travels under, or else by its Rust name.
            let now = shapes
                .iter()
                .find(|m| m.sent() == was.sent())
                .or_else(|| shapes.iter().find(|m| m.name == was.name));
            let Some(now) = now else {
                problems.push(format!(
                    "message `{}` was removed, but {to} {old} still exchanges it with {from} (route {from} > {to}, inside the window); keep it until {old} leaves the window",
                    was.name
                ));
                continue;
            };
            if !now.routes.iter().any(|r| route_ends(r) == Some((from, to))) {
                problems.push(format!(
                    "message `{}` no longer goes {from} > {to}, but {} (inside the window) still expects it; keep the route until {old} leaves the window",
                    was.name,
                    pair.old_peer()
                ));
                continue;
            }
            if let Some(problem) = representation_changed(was, now, &pair) {
                problems.push(problem);
                continue;
            }
            if let Some(problem) = convention_changed(was, now, &pair) {
                problems.push(problem);
                continue;
            }
            let names_travel = now.representation.as_deref() != Some("transparent");
            let whose = |f: &LockedField| format!("field {} of `{}`", named(f), now.name);
            compare_fields(
                &was.fields,
                &now.fields,
                &pair,
                names_travel,
                &whose,
                problems,
            );
            compare_variants(was, now, &pair, problems);
        }
    }
    inside
}

/// `` `s` (`source` in Rust) ``, or `` `source` `` where the two agree.
fn named(f: &LockedField) -> String {
    let rust = match &f.via {
        Some(via) => format!("{via}.{}", f.name),
        None => f.name.clone(),
    };
    if f.sent() == rust {
        format!("`{rust}`")
    } else {
        format!("`{}` (`{rust}` in Rust)", f.sent())
    }
}

/// `` `s` ``, `` `s` or `src` ``: every name a receiver reads.
fn read_names<N: Named>(item: &N) -> String {
    let mut names: Vec<String> = vec![format!("`{}`", item.read())];
    names.extend(item.aliases().iter().map(|a| format!("`{a}`")));
    names.join(" or ")
}

/// The serde attribute that gives a message its representation.
fn representation_text(m: &LockedMessage) -> String {
    match m.representation.as_deref().unwrap_or("external") {
        "internal" => format!("#[serde(tag = \"{}\")]", m.tag.as_deref().unwrap_or("")),
        "adjacent" => format!(
            "#[serde(tag = \"{}\", content = \"{}\")]",
            m.tag.as_deref().unwrap_or(""),
            m.content.as_deref().unwrap_or("")
        ),
        "untagged" => "#[serde(untagged)]".to_string(),
        "transparent" => "#[serde(transparent)]".to_string(),
        _ if m.kind == "enum" => "serde's default external tagging".to_string(),
        _ => "serde's default layout".to_string(),
    }
}

/// A changed tag, content key, untagging or transparency breaks every peer that still
/// has the old form: it reads none of the new messages.
fn representation_changed(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
) -> Option<String> {
    let key = |m: &LockedMessage| (m.representation.clone(), m.tag.clone(), m.content.clone());
    if key(was) == key(now) {
        return None;
    }
    let (before, after) = (representation_text(was), representation_text(now));
    Some(format!(
        "`{}` is now written with {after} instead of {before}, but {} still exchanges it with this release ({}) and reads or writes only the old form; restore {before}: a representation cannot change while a peer inside the window has the old one (send a new message instead)",
        now.name,
        pair.old_peer(),
        pair.route()
    ))
}

/// A changed `rename_all`/`rename_all_fields` that renames something on the wire. A
/// convention that writes every name as before (`camelCase` for one-word names that were
/// `snake_case`) changes nothing that travels and is no break.
fn convention_changed(was: &LockedMessage, now: &LockedMessage, pair: &Pair<'_>) -> Option<String> {
    // Each member of both releases, by Rust name: (name sent then, name sent now).
    fn fields(was: &[LockedField], now: &[LockedField]) -> Vec<(String, String)> {
        was.iter()
            .filter_map(|f| {
                now.iter()
                    .find(|n| n.name == f.name && n.via == f.via)
                    .map(|n| (f.sent().to_string(), n.sent().to_string()))
            })
            .collect()
    }
    let variants = || {
        was.variants
            .iter()
            .filter_map(|v| Some((v, now.variants.iter().find(|n| n.name == v.name)?)))
    };
    let checks = if was.kind == "enum" {
        vec![
            (
                "rename_all",
                &was.rename_all,
                &now.rename_all,
                variants()
                    .map(|(v, n)| (v.sent().to_string(), n.sent().to_string()))
                    .collect(),
            ),
            (
                "rename_all_fields",
                &was.rename_all_fields,
                &now.rename_all_fields,
                variants()
                    .flat_map(|(v, n)| fields(&v.fields, &n.fields))
                    .collect(),
            ),
        ]
    } else {
        vec![(
            "rename_all",
            &was.rename_all,
            &now.rename_all,
            fields(&was.fields, &now.fields),
        )]
    };
    for (key, before, after, names) in checks {
        if before == after {
            continue;
        }
        let renamed: Vec<String> = names
            .iter()
            .filter(|(then, now)| then != now)
            .map(|(then, now)| format!("`{then}` is now `{now}`"))
            .collect();
        if renamed.is_empty() {
            continue;
        }
        let shown = if renamed.len() > 3 {
            format!("{}, ...", renamed[..3].join(", "))
        } else {
            renamed.join(", ")
        };
        let (before, after) = (convention_attr(key, before), convention_attr(key, after));
        return Some(format!(
            "`{}` is now written with {after} instead of {before} ({shown}), but {} still exchanges it with this release ({}) and knows only the old names; restore {before}: the case convention of a released message cannot change while a peer inside the window has the old one",
            now.name,
            pair.old_peer(),
            pair.route()
        ));
    }
    None
}

/// `#[serde(rename_all = "camelCase")]` for a recorded convention (`serialize/deserialize`
/// where they differ), or the absence of one.
fn convention_attr(key: &str, recorded: &Option<String>) -> String {
    match recorded.as_deref().map(|c| c.split_once('/')) {
        None => format!("no {key} (the Rust names)"),
        Some(None) => format!(
            "#[serde({key} = \"{}\")]",
            recorded.as_deref().unwrap_or_default()
        ),
        Some(Some((serialize, deserialize))) => {
            let sides: Vec<String> = [("serialize", serialize), ("deserialize", deserialize)]
                .into_iter()
                .filter(|(_, case)| *case != "none")
                .map(|(side, case)| format!("{side} = \"{case}\""))
                .collect();
            format!("#[serde({key}({}))]", sides.join(", "))
        }
    }
}

/// How a sender may leave a field out, as the attribute that says so.
fn skipping(skip: &str) -> String {
    if skip == "always" {
        "#[serde(skip_serializing)]: it is never sent".to_string()
    } else {
        format!("#[serde(skip_serializing_if = \"{skip}\")]")
    }
}

fn compare_fields(
    was: &[LockedField],
    now: &[LockedField],
    pair: &Pair<'_>,
    names_travel: bool,
    whose: &dyn Fn(&LockedField) -> String,
    problems: &mut Problems,
) {
    let (old, from, to) = (pair.old, pair.from, pair.to);
    let same_rust = |f: &LockedField, n: &LockedField| n.name == f.name && n.via == f.via;
    // Which current field an old receiver decodes each current field as (and the other
    // way): by the names on the wire, unless names do not travel (a transparent struct).
    let read_as = |reader: &LockedField, sent: &LockedField| {
        if names_travel {
            reader.accepts(sent.sent())
        } else {
            same_rust(reader, sent)
        }
    };
    if pair.old_receiver {
        for f in was.iter().filter(|f| !f.default && !f.map) {
            match now.iter().find(|n| read_as(f, n)) {
                None => match now.iter().find(|n| same_rust(f, n)) {
                    Some(n) => problems.push(format!(
                        "{} is now sent as `{}`, but {to} {old} requires it and reads it only as {} ({}); restore #[serde(rename = \"{}\")], or, to move to `{}`, first give receivers #[serde(alias = \"{}\")] and rename once no peer inside the window lacks the alias",
                        whose(n),
                        n.sent(),
                        read_names(f),
                        pair.route(),
                        f.sent(),
                        n.sent(),
                        n.sent()
                    )),
                    None => problems.push(format!(
                        "{} was removed, but {to} {old} requires it and is still inside the window for {from}; keep sending it (mark it `#[compat(deprecated = \"...\")]`) until {old} leaves the window",
                        whose(f)
                    )),
                },
                Some(n) => {
                    if let Some(skip) = &n.skip_serializing
                        && f.skip_serializing.as_ref() != Some(skip)
                    {
                        problems.push(format!(
                            "{} may now be left out by {from} ({}), but {to} {old} requires it ({}) and rejects a message without it (\"missing field `{}`\"); keep sending it until {old} leaves the window",
                            whose(n),
                            skipping(skip),
                            pair.route(),
                            f.read()
                        ));
                    }
                }
            }
        }
    }
    if pair.old_sender {
        for n in now.iter().filter(|n| !n.default && !n.map) {
            match was.iter().find(|f| read_as(n, f)) {
                None => match was.iter().find(|f| same_rust(f, n)) {
                    Some(f) => problems.push(format!(
                        "{} is now read only as {}, but {from} {old} ({}) sends it as `{}`; add #[serde(alias = \"{}\")] to it",
                        whose(n),
                        read_names(n),
                        pair.route(),
                        f.sent(),
                        f.sent()
                    )),
                    None => problems.push(format!(
                        "{} is required, but {from} {old} (inside the window) never sends it: release {old} had no such field; make it `Option<_>` or `#[serde(default)]`, and check its #[since]",
                        whose(n)
                    )),
                },
                Some(f) => {
                    if let Some(skip) = &f.skip_serializing
                        && n.skip_serializing.as_ref() != Some(skip)
                    {
                        problems.push(format!(
                            "{} is required, but {from} {old} ({}) may leave it out ({}); make it `Option<_>` or `#[serde(default)]`",
                            whose(n),
                            pair.route(),
                            skipping(skip)
                        ));
                    }
                }
            }
        }
    }
    // What both ends take for the same field must agree on its type and its history.
    for f in was {
        let Some(n) = now
            .iter()
            .find(|n| read_as(f, n) || read_as(n, f))
            .or_else(|| now.iter().find(|n| same_rust(f, n)))
        else {
            continue;
        };
        if n.ty != f.ty {
            problems.push(format!(
                "{} changed type from `{}` to `{}`, but {} still talks to this release (inside the window) with the old type; add a new field instead",
                whose(n),
                f.ty,
                n.ty,
                pair.old_peer()
            ));
        }
        if n.since != f.since {
            problems.push(format!(
                "{} now says #[since(\"{}\")] but release {old} recorded it as arriving in {}; released history does not change: restore #[since(\"{}\")]",
                whose(n),
                n.since,
                f.since,
                f.since
            ));
        }
    }
}

fn compare_variants(
    was: &LockedMessage,
    now: &LockedMessage,
    pair: &Pair<'_>,
    problems: &mut Problems,
) {
    let (old, current, from, to) = (pair.old, pair.current, pair.from, pair.to);
    // An untagged enum writes no variant names: variants are matched by their Rust names.
    let names_travel = now.representation.as_deref() != Some("untagged");
    let reads = |reader: &LockedVariant, sent: &LockedVariant| {
        if names_travel {
            reader.accepts(sent.sent())
        } else {
            reader.name == sent.name
        }
    };
    let catch_all_now = now.variants.iter().any(|n| n.catch_all);
    let catch_all_then = was.variants.iter().any(|v| v.catch_all);
    for v in &was.variants {
        let matched = now.variants.iter().find(|n| reads(n, v));
        match matched {
            None if pair.old_sender && !catch_all_now => {
                match now.variants.iter().find(|n| n.name == v.name) {
                    Some(n) => problems.push(format!(
                        "variant `{}::{}` is now read only as {}, but {from} {old} ({}) sends it as `{}`; add #[serde(alias = \"{}\")] to it",
                        now.name,
                        n.name,
                        read_names(n),
                        pair.route(),
                        v.sent(),
                        v.sent()
                    )),
                    None => problems.push(format!(
                        "variant `{}::{}` was removed, but {from} {old} may still send it to {to} {current} (inside the window), which has no catch-all to receive it; keep the variant until {old} leaves the window",
                        was.name, v.name
                    )),
                }
            }
            None => {}
            Some(n) => {
                let whose =
                    |f: &LockedField| format!("field {} of `{}::{}`", named(f), now.name, n.name);
                compare_fields(&v.fields, &n.fields, pair, true, &whose, problems);
            }
        }
    }
    if pair.old_receiver && names_travel && !catch_all_then {
        for n in now.variants.iter().filter(|n| !n.catch_all) {
            if was.variants.iter().any(|v| reads(v, n)) {
                continue;
            }
            match was.variants.iter().find(|v| v.name == n.name) {
                Some(v) => problems.push(format!(
                    "variant `{}::{}` is now sent as `{}`, but {to} {old} reads it only as {} and has no catch-all ({}); restore #[serde(rename = \"{}\")]",
                    now.name,
                    n.name,
                    n.sent(),
                    read_names(v),
                    pair.route(),
                    v.sent()
                )),
                None => problems.push(format!(
                    "variant `{}::{}` is new since {old}, but {to} {old} may still receive it from {from} {current} ({}) and has no catch-all to receive it; do not send it to {to} releases before it arrived",
                    now.name,
                    n.name,
                    pair.route()
                )),
            }
        }
    }
}

/// Deprecated fields whose every route's oldest peer inside the window is at or after the
/// deprecation.
fn deletable(policy: &Policy, current: &Version, messages: &[&Message], out: &mut Vec<String>) {
    for m in messages {
        let fields =
            m.fields
                .iter()
                .map(|f| (f, m.name.to_string()))
                .chain(m.variants.iter().flat_map(|v| {
                    v.fields
                        .iter()
                        .map(move |f| (f, format!("{}::{}", m.name, v.name)))
                }));
        for (field, owner) in fields {
            let Some(dep) = &field.deprecated else {
                continue;
            };
            let Ok(since) = parse_version(dep.since) else {
                continue;
            };
            let mut oldest_peer: Option<Version> = None;
            let mut all_past = !m.routes.is_empty();
            for route in m.routes {
                // The oldest receiver a sender at `current` still serves.
                let (Some(s), Some(r)) = (policy.component(route.from), policy.component(route.to))
                else {
                    all_past = false;
                    continue;
                };
                let oldest = policy.window(r, s, current).and_then(|w| w.oldest_sender);
                match oldest {
                    Some(v) if policy.scheme().compare(&v, &since).is_ge() => {
                        if oldest_peer
                            .as_ref()
                            .is_none_or(|o| policy.scheme().compare(&v, o).is_lt())
                        {
                            oldest_peer = Some(v);
                        }
                    }
                    _ => all_past = false,
                }
            }
            if all_past && let Some(oldest) = oldest_peer {
                out.push(format!(
                    "field `{}` of `{owner}` is deprecated since {since} and no peer inside the window predates it (the oldest is {oldest}): it can now be deleted",
                    field.name
                ));
            }
        }
    }
}

/// Reads the lock file at `path`; a missing file is an empty lock when `record`ing, and an
/// error that says how to record one otherwise.
fn read(path: &Path, record: bool) -> Result<LockFile, LockError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str::<LockFile>(&text).map_err(|e| {
            fail(
                path,
                format!(
                    "cannot read it: {}; it is generated: restore it from version control, or record anew with {RECORD}=1",
                    e.message()
                ),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !record {
                return Err(fail(
                    path,
                    format!(
                        "there is no {FILE} yet; record this release with `{RECORD}=1 cargo test compat_wire_lock` (or `cargo compat lock`) and check the file in"
                    ),
                ));
            }
            Ok(LockFile::default())
        }
        Err(e) => Err(fail(path, format!("cannot read it: {e}"))),
    }
}

/// Writes `lock` to `path`, its releases in `policy`'s order, under the generated header.
fn write(path: &Path, lock: &mut LockFile, policy: &Policy) -> Result<(), LockError> {
    lock.releases.sort_by(|a, b| {
        let (va, vb) = (parse_version(&a.version), parse_version(&b.version));
        match (va, vb) {
            (Ok(va), Ok(vb)) => policy.scheme().compare(&va, &vb),
            _ => a.version.cmp(&b.version),
        }
    });
    let text = format!(
        "# The wire lock: the message tables of every recorded release. Generated by\n\
             # `{RECORD}=1 cargo test compat_wire_lock` (or `cargo compat lock`); do not edit.\n\n{}",
        toml::to_string(&*lock).map_err(|e| fail(path, format!("cannot write it: {e}")))?
    );
    std::fs::write(path, text).map_err(|e| fail(path, format!("cannot write it: {e}")))
}

/// Records in `dir/compat.lock` the release `version` as another checkout recorded it in the
/// lock file `from` (`cargo compat lock --rev` records an earlier release in a temporary
/// checkout of that revision, then adopts it here), replacing any record of `version`.
///
/// The release is taken as it was recorded, tables and fingerprint alike: the tables of an
/// earlier release come from that release's code, not from today's annotations.
///
/// # Errors
///
/// When either file cannot be read or written, or `from` records no release `version`.
pub fn adopt(
    dir: impl AsRef<Path>,
    policy: &Policy,
    from: &Path,
    version: &str,
) -> Result<LockReport, LockError> {
    let path = dir.as_ref().join(FILE);
    let wanted = parse_version(version).map_err(|e| fail(from, e.to_string()))?;
    let recorded = read(from, false)?;
    let release = recorded
        .releases
        .into_iter()
        .find(|r| parse_version(&r.version).is_ok_and(|v| v == wanted))
        .ok_or_else(|| {
            fail(
                from,
                format!("release {wanted} is not recorded in it; record it there first"),
            )
        })?;
    let mut lock = read(&path, true)?;
    lock.releases
        .retain(|r| parse_version(&r.version).map_or(true, |v| v != wanted));
    lock.releases.push(release);
    write(&path, &mut lock, policy)?;
    Ok(LockReport {
        path,
        recorded: Some(wanted.to_string()),
        ..LockReport::default()
    })
}

/// Defines a `compat_wire_lock` test that checks the crate's messages against `compat.lock`
/// (and records the current release when `COMPAT_RECORD` is set). Use it in the crate that
/// calls `include_policy!()` and `messages![...]`:
///
/// ```ignore
/// #[cfg(test)]
/// compat_runtime::wire_lock!(policy(), VERSION, messages());
/// ```
#[macro_export]
macro_rules! wire_lock {
    ($policy:expr, $version:expr, $messages:expr) => {
        #[test]
        fn compat_wire_lock() {
            match $crate::lock::verify(env!("CARGO_MANIFEST_DIR"), $policy, $version, $messages) {
                ::core::result::Result::Ok(report) => ::std::println!("{report}"),
                ::core::result::Result::Err(err) => ::core::panic!("{err}"),
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::__private::{message, same};
    use crate::message::{Deprecation, Field, Route, Shape};

    const fn field(
        name: &'static str,
        since: &'static str,
        ty: &'static str,
        default: bool,
        ignorable: bool,
        deprecated: Option<Deprecation>,
    ) -> Field {
        Field {
            name,
            wire: same(name),
            since,
            ty,
            default,
            ignorable,
            deprecated,
            skip_serializing: SkipSerializing::Never,
            flatten: Flatten::No,
        }
    }

    const fn route(from: &'static str, to: &'static str) -> Route {
        Route { from, to }
    }

    const fn deprecation(since: &'static str, note: Option<&'static str>) -> Deprecation {
        Deprecation { since, note }
    }

    const SPIRE: &str = include_str!("../../examples/spire/compat.toml");

    fn spire() -> Policy {
        Policy::from_toml("compat.toml", SPIRE).unwrap()
    }

    static TO_AGENT: [Route; 1] = [route("server", "agent")];
    static V090_FIELDS: [Field; 2] = [
        field("svid", "0.8.0", "Vec<u8>", false, false, None),
        field("ttl", "0.9.0", "u32", false, false, None),
    ];
    static V090: Message = message(
        "SvidUpdate",
        "0.8.0",
        0,
        &TO_AGENT,
        Kind::Struct(Shape::Named),
        &V090_FIELDS,
        &[],
    );

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("compat-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_unchanged_shape_keeps_faith_with_recorded_releases() {
        let d = dir("unchanged");
        let p = spire();
        verify_with(&d, &p, "0.9.0", &[&V090], true).unwrap();
        let report = verify_with(&d, &p, "0.9.3", &[&V090], false).unwrap();
        assert_eq!(report.compared, vec!["0.9.0".to_string()]);
        let text = std::fs::read_to_string(d.join(FILE)).unwrap();
        assert!(text.contains("version = \"0.9.0\""), "{text}");
        assert!(text.contains("ty = \"Vec<u8>\""), "{text}");
    }

    #[test]
    fn removing_a_field_an_old_receiver_requires_is_a_break() {
        let d = dir("removed");
        let p = spire();
        verify_with(&d, &p, "0.9.0", &[&V090], true).unwrap();
        static NOW_FIELDS: [Field; 1] = [field("svid", "0.8.0", "Vec<u8>", false, false, None)];
        static NOW: Message = message(
            "SvidUpdate",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &NOW_FIELDS,
            &[],
        );
        let err = verify_with(&d, &p, "0.9.3", &[&NOW], false).unwrap_err();
        assert_eq!(
            err.problems,
            vec![
                "field `ttl` of `SvidUpdate` was removed, but agent 0.9.0 requires it and is still inside the window for server; keep sending it (mark it `#[compat(deprecated = \"...\")]`) until 0.9.0 leaves the window".to_string()
            ]
        );
    }

    #[test]
    fn a_changed_type_and_rewritten_history_are_breaks() {
        let d = dir("retyped");
        let p = spire();
        verify_with(&d, &p, "0.9.0", &[&V090], true).unwrap();
        static NOW_FIELDS: [Field; 2] = [
            field("svid", "0.8.0", "String", false, false, None),
            field("ttl", "0.9.1", "u32", false, false, None),
        ];
        static NOW: Message = message(
            "SvidUpdate",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &NOW_FIELDS,
            &[],
        );
        let err = verify_with(&d, &p, "0.9.3", &[&NOW], false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("field `svid` of `SvidUpdate` changed type from `Vec<u8>` to `String`"),
            "{err}"
        );
        assert!(
            err.contains(
                "now says #[since(\"0.9.1\")] but release 0.9.0 recorded it as arriving in 0.9.0"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_required_field_old_senders_never_send_is_a_break() {
        let d = dir("required");
        let p = spire();
        static FROM_AGENT: [Route; 1] = [route("agent", "server")];
        static OLD_FIELDS: [Field; 1] = [field("node", "0.8.0", "String", false, false, None)];
        static OLD: Message = message(
            "Attest",
            "0.8.0",
            0,
            &FROM_AGENT,
            Kind::Struct(Shape::Named),
            &OLD_FIELDS,
            &[],
        );
        verify_with(&d, &p, "0.9.0", &[&OLD], true).unwrap();
        // `retries` claims to be as old as the message, so the compile-time check cannot see
        // that 0.9.0 agents never send it; the lock can.
        static NOW_FIELDS: [Field; 2] = [
            field("node", "0.8.0", "String", false, false, None),
            field("retries", "0.8.0", "u32", false, false, None),
        ];
        static NOW: Message = message(
            "Attest",
            "0.8.0",
            0,
            &FROM_AGENT,
            Kind::Struct(Shape::Named),
            &NOW_FIELDS,
            &[],
        );
        let err = verify_with(&d, &p, "0.9.3", &[&NOW], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("field `retries` of `Attest` is required, but agent 0.9.0 (inside the window) never sends it"), "{err}");
    }

    #[test]
    fn releases_outside_the_window_are_no_longer_checked() {
        let d = dir("outside");
        let p = spire();
        verify_with(&d, &p, "0.7.0", &[&V090], true).unwrap();
        static NOTHING: [&Message; 0] = [];
        let report = verify_with(&d, &p, "0.9.3", &NOTHING, false).unwrap();
        assert_eq!(report.outside, vec!["0.7.0".to_string()]);
        assert!(report.compared.is_empty());
    }

    #[test]
    fn a_recorded_release_may_not_change_shape() {
        let d = dir("fixed");
        let p = spire();
        verify_with(&d, &p, "0.9.3", &[&V090], true).unwrap();
        static NOTHING: [&Message; 0] = [];
        let err = verify_with(&d, &p, "0.9.3", &NOTHING, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("release 0.9.3 is recorded but its messages have changed on the wire since: message `SvidUpdate` was removed"),
            "{err}"
        );
    }

    #[test]
    fn a_recorded_release_keeps_the_fingerprint_its_hello_announces() {
        let d = dir("fingerprint");
        let p = spire();
        verify_with(&d, &p, "0.9.3", &[&V090], true).unwrap();
        let path = d.join(FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let announced = crate::fingerprint::hex(crate::fingerprint::of(&[&V090]));
        assert!(
            text.contains(&format!("fingerprint = \"{announced}\"")),
            "{text}"
        );
        verify_with(&d, &p, "0.9.3", &[&V090], false).unwrap();

        // A lock whose fingerprint is not the build's: peers would refuse this build.
        std::fs::write(&path, text.replace(&announced, "0123456789abcdef")).unwrap();
        let err = verify_with(&d, &p, "0.9.3", &[&V090], false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("release 0.9.3 is recorded with fingerprint 0123456789abcdef, but this build announces {announced} in its hello")),
            "{err}"
        );

        // A lock written before fingerprints were kept says to record the release again.
        let without: String = text
            .lines()
            .filter(|line| !line.starts_with("fingerprint = "))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&path, without).unwrap();
        let err = verify_with(&d, &p, "0.9.3", &[&V090], false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("release 0.9.3 is recorded without the fingerprint its hello announces"),
            "{err}"
        );
    }

    #[test]
    fn a_lock_of_the_older_format_loads_and_names_the_releases_a_check_needs() {
        let d = dir("format-1");
        // What compat wrote before it recorded wire names: no `format` key.
        let old = |version: &str| {
            format!(
                "[[release]]\nversion = \"{version}\"\n\n[[release.message]]\nname = \"SvidUpdate\"\n\
                 since = \"0.8.0\"\nkind = \"struct\"\nroutes = [\"server > agent\"]\n\n\
                 [[release.message.fields]]\nname = \"svid\"\nsince = \"0.8.0\"\nty = \"Vec<u8>\"\ndefault = false\n"
            )
        };
        std::fs::write(d.join(FILE), format!("{}\n{}", old("0.7.0"), old("0.9.0"))).unwrap();
        let err = verify_with(&d, &spire(), "0.9.3", &[&V090], false).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert!(
            err.problems[0].starts_with(
                "release 0.9.0 was recorded by an older compat (format 1), which kept Rust names only, \
                 not what travels (serde's renames, aliases and representation), so a wire change \
                 against it cannot be checked, and 0.9.0 is still inside the window; record it again"
            ),
            "{err}"
        );
        // Recording the current release keeps the old entries as they were.
        verify_with(&d, &spire(), "0.9.3", &[&V090], true).unwrap();
        let text = std::fs::read_to_string(d.join(FILE)).unwrap();
        assert_eq!(text.matches("format = 2").count(), 1, "{text}");
        let lock: LockFile = toml::from_str(&text).unwrap();
        let formats: Vec<(&str, u32)> = lock
            .releases
            .iter()
            .map(|r| (r.version.as_str(), r.format))
            .collect();
        assert_eq!(formats, [("0.7.0", 1), ("0.9.0", 1), ("0.9.3", 2)]);
    }

    #[test]
    fn flattened_fields_are_compared_as_the_fields_they_travel_as() {
        let d = dir("flatten");
        let p = spire();
        static META_FIELDS: [Field; 1] =
            [field("host_name", "0.8.0", "String", false, false, None)];
        static META: Message = message(
            "Meta",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &META_FIELDS,
            &[],
        );
        static OUTER_FIELDS: [Field; 1] = [Field {
            flatten: Flatten::Message(&META),
            ..field("meta", "0.8.0", "Meta", false, false, None)
        }];
        static OUTER: Message = message(
            "Report",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &OUTER_FIELDS,
            &[],
        );
        verify_with(&d, &p, "0.9.0", &[&OUTER], true).unwrap();
        let text = std::fs::read_to_string(d.join(FILE)).unwrap();
        assert!(
            text.contains("name = \"host_name\"\nsince = \"0.8.0\""),
            "{text}"
        );
        assert!(text.contains("via = \"meta\""), "{text}");
        // The flattened type renames its field on the wire: an agent at 0.9.0 reads it no
        // more.
        static RENAMED_FIELDS: [Field; 1] = [Field {
            wire: WireName {
                serialize: "hostName",
                deserialize: "hostName",
                aliases: &[],
            },
            ..field("host_name", "0.8.0", "String", false, false, None)
        }];
        static RENAMED: Message = message(
            "Meta",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &RENAMED_FIELDS,
            &[],
        );
        static NOW_FIELDS: [Field; 1] = [Field {
            flatten: Flatten::Message(&RENAMED),
            ..field("meta", "0.8.0", "Meta", false, false, None)
        }];
        static NOW: Message = message(
            "Report",
            "0.8.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &NOW_FIELDS,
            &[],
        );
        let err = verify_with(&d, &p, "0.9.3", &[&NOW], false).unwrap_err();
        assert_eq!(
            err.problems,
            [
                "field `hostName` (`meta.host_name` in Rust) of `Report` is now sent as `hostName`, but \
              agent 0.9.0 requires it and reads it only as `host_name` (route server > agent, inside \
              the window); restore #[serde(rename = \"host_name\")], or, to move to `hostName`, first \
              give receivers #[serde(alias = \"hostName\")] and rename once no peer inside the window \
              lacks the alias"
            ]
        );
    }

    #[test]
    fn a_missing_lock_says_how_to_record_one() {
        let d = dir("missing");
        let err = verify_with(&d, &spire(), "0.9.3", &[&V090], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("there is no compat.lock yet; record this release with `COMPAT_RECORD=1 cargo test compat_wire_lock`"), "{err}");
    }

    #[test]
    fn a_deprecated_field_is_deletable_once_the_window_has_passed_it() {
        let p = spire();
        static FIELDS: [Field; 1] = [field(
            "legacy",
            "0.7.0",
            "u8",
            true,
            false,
            Some(deprecation("0.8.0", None)),
        )];
        static M: Message = message(
            "SvidUpdate",
            "0.7.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &FIELDS,
            &[],
        );
        let mut out = Vec::new();
        deletable(&p, &Version::new(0, 9, 3), &[&M], &mut out);
        assert_eq!(
            out,
            vec!["field `legacy` of `SvidUpdate` is deprecated since 0.8.0 and no peer inside the window predates it (the oldest is 0.8.0): it can now be deleted".to_string()]
        );
        let mut out = Vec::new();
        static FIELDS2: [Field; 1] = [field(
            "legacy",
            "0.7.0",
            "u8",
            true,
            false,
            Some(deprecation("0.9.3", None)),
        )];
        static M2: Message = message(
            "SvidUpdate",
            "0.7.0",
            0,
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &FIELDS2,
            &[],
        );
        deletable(&p, &Version::new(0, 9, 3), &[&M2], &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
