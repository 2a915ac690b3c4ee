//! The wire lock: each release's message tables, recorded in a checked-in `compat.lock`, so
//! that a change to a released shape that breaks a peer still inside the window fails the
//! tests, and a deprecated field is reported deletable once the window has moved past it.
//!
//! In a protocol crate (with `compat_runtime::include_policy!()` and `messages![...]`):
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
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::Peer;
use crate::message::{Kind, Message};
use crate::policy::Policy;
use crate::version::{Version, parse_version};

/// The file name of the wire lock, at the crate root.
pub const FILE: &str = "compat.lock";

/// The variable that makes [`verify`] record the current release instead of checking.
pub const RECORD: &str = "COMPAT_RECORD";

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
    #[serde(default, rename = "message")]
    messages: Vec<LockedMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedMessage {
    name: String,
    since: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<LockedField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    variants: Vec<LockedVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedField {
    name: String,
    since: String,
    ty: String,
    default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockedVariant {
    name: String,
    since: String,
    #[serde(default)]
    catch_all: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<LockedField>,
}

fn lock_fields(fields: &[crate::message::Field]) -> Vec<LockedField> {
    fields
        .iter()
        .map(|f| LockedField {
            name: f.name.to_string(),
            since: f.since.to_string(),
            ty: f.ty.to_string(),
            default: f.default,
        })
        .collect()
}

fn lock_message(m: &Message) -> LockedMessage {
    LockedMessage {
        name: m.name.to_string(),
        since: m.since.to_string(),
        kind: match m.kind {
            Kind::Enum => "enum".into(),
            Kind::Struct(_) => "struct".into(),
        },
        routes: m
            .routes
            .iter()
            .map(|r| format!("{} > {}", r.from, r.to))
            .collect(),
        fields: lock_fields(m.fields),
        variants: m
            .variants
            .iter()
            .map(|v| LockedVariant {
                name: v.name.to_string(),
                since: v.since.to_string(),
                catch_all: v.catch_all,
                fields: lock_fields(v.fields),
            })
            .collect(),
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
    let mut lock = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str::<LockFile>(&text).map_err(|e| {
            fail(
                &path,
                format!(
                    "cannot read it: {}; it is generated: restore it from version control, or record anew with {RECORD}=1",
                    e.message()
                ),
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !record {
                return Err(fail(
                    &path,
                    format!(
                        "there is no {FILE} yet; record this release with `{RECORD}=1 cargo test compat_wire_lock` (or `cargo compat lock`) and check the file in"
                    ),
                ));
            }
            LockFile::default()
        }
        Err(e) => return Err(fail(&path, format!("cannot read it: {e}"))),
    };
    let shapes: Vec<LockedMessage> = messages.iter().map(|m| lock_message(m)).collect();
    if record {
        lock.releases.retain(|r| r.version != current.to_string());
        lock.releases.push(Release {
            version: current.to_string(),
            messages: shapes,
        });
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
            toml::to_string(&lock).map_err(|e| fail(&path, format!("cannot write it: {e}")))?
        );
        std::fs::write(&path, text).map_err(|e| fail(&path, format!("cannot write it: {e}")))?;
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
    let mut problems = Vec::new();
    for release in &lock.releases {
        let at = parse_version(&release.version)
            .map_err(|e| fail(&path, format!("release `{}`: {e}", release.version)))?;
        if at == current {
            // A recorded release never changes shape once shipped.
            if release.messages != shapes {
                problems.push(format!(
                    "release {current} is recorded but its messages have changed since; a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
                ));
            }
            continue;
        }
        if policy.scheme().compare(&at, &current).is_gt() {
            continue;
        }
        let inside = compare_release(
            policy,
            &at,
            &current,
            &release.messages,
            &shapes,
            &mut problems,
        );
        if inside {
            report.compared.push(release.version.clone());
        } else {
            report.outside.push(release.version.clone());
        }
    }
    deletable(policy, &current, messages, &mut report.deletable);
    if problems.is_empty() {
        Ok(report)
    } else {
        problems.dedup();
        Err(LockError { path, problems })
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

/// Compares one recorded release with the current shapes; returns whether any peer of that
/// release is still inside the window.
fn compare_release(
    policy: &Policy,
    old: &Version,
    current: &Version,
    locked: &[LockedMessage],
    shapes: &[LockedMessage],
    problems: &mut Vec<String>,
) -> bool {
    let by_name: BTreeMap<&str, &LockedMessage> =
        shapes.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut inside = false;
    for was in locked {
        for route in &was.routes {
            let Some((from, to)) = route_ends(route) else {
                continue;
            };
            // Current senders reach old receivers; old senders reach current receivers.
            let old_receiver = talk(policy, from, current, to, old);
            let old_sender = talk(policy, from, old, to, current);
            if !(old_receiver || old_sender) {
                continue;
            }
            inside = true;
            let Some(now) = by_name.get(was.name.as_str()) else {
                problems.push(format!(
                    "message `{}` was removed, but {to} {old} still exchanges it with {from} (route {from} > {to}, inside the window); keep it until {old} leaves the window",
                    was.name
                ));
                continue;
            };
            if !now.routes.iter().any(|r| route_ends(r) == Some((from, to))) {
                problems.push(format!(
                    "message `{}` no longer goes {from} > {to}, but {} {old} still expects it (inside the window); keep the route until {old} leaves the window",
                    was.name,
                    if old_receiver { to } else { from }
                ));
                continue;
            }
            let whose = |f: &str| format!("field `{f}` of `{}`", was.name);
            compare_fields(
                &was.fields,
                &now.fields,
                old,
                from,
                to,
                old_receiver,
                old_sender,
                &whose,
                problems,
            );
            for v in &was.variants {
                match now.variants.iter().find(|n| n.name == v.name) {
                    None if old_sender && !now.variants.iter().any(|n| n.catch_all) => problems.push(format!(
                        "variant `{}::{}` was removed, but {from} {old} may still send it to {to} {current} (inside the window), which has no catch-all to receive it; keep the variant until {old} leaves the window",
                        was.name, v.name
                    )),
                    None => {}
                    Some(n) => {
                        let whose = |f: &str| format!("field `{f}` of `{}::{}`", was.name, v.name);
                        compare_fields(&v.fields, &n.fields, old, from, to, old_receiver, old_sender, &whose, problems);
                    }
                }
            }
        }
    }
    inside
}

#[allow(clippy::too_many_arguments, reason = "one comparison, spelled out")]
fn compare_fields(
    was: &[LockedField],
    now: &[LockedField],
    old: &Version,
    from: &str,
    to: &str,
    old_receiver: bool,
    old_sender: bool,
    whose: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    for f in was {
        match now.iter().find(|n| n.name == f.name) {
            // An old receiver that requires the field rejects messages without it.
            None if old_receiver && !f.default => problems.push(format!(
                "{} was removed, but {to} {old} requires it and is still inside the window for {from}; keep sending it (mark it `#[compat(deprecated = \"...\")]`) until {old} leaves the window",
                whose(&f.name)
            )),
            None => {}
            Some(n) => {
                if n.ty != f.ty {
                    problems.push(format!(
                        "{} changed type from `{}` to `{}`, but {} {old} still talks to this release (inside the window) with the old type; add a new field instead",
                        whose(&f.name),
                        f.ty,
                        n.ty,
                        if old_receiver { to } else { from }
                    ));
                }
                if n.since != f.since {
                    problems.push(format!(
                        "{} now says #[since(\"{}\")] but release {old} recorded it as arriving in {}; released history does not change: restore #[since(\"{}\")]",
                        whose(&f.name),
                        n.since,
                        f.since,
                        f.since
                    ));
                }
            }
        }
    }
    // A field an old sender never sent must be one the current receiver can default.
    if old_sender {
        for n in now {
            if !n.default && !was.iter().any(|f| f.name == n.name) {
                problems.push(format!(
                    "{} is required, but {from} {old} (inside the window) never sends it: release {old} had no such field; make it `Option<_>` or `#[serde(default)]`, and check its #[since]",
                    whose(&n.name)
                ));
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

/// The fingerprint of each release recorded in `dir/compat.lock`, in file order, computed
/// from the recorded tables with the same canonical encoding as
/// [`fingerprint::of`](crate::fingerprint::of) (so a release's entry equals the fingerprint
/// its build announces). No lock file means no recorded releases.
pub fn fingerprints(dir: &Path) -> Result<Vec<(String, u64)>, LockError> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fail(&path, format!("cannot read it: {e}"))),
    };
    let lock = toml::from_str::<LockFile>(&text).map_err(|e| {
        fail(
            &path,
            format!(
                "cannot read it: {}; it is generated: restore it from version control, or record anew with {RECORD}=1",
                e.message()
            ),
        )
    })?;
    Ok(lock
        .releases
        .iter()
        .map(|r| (r.version.clone(), release_fingerprint(&r.messages)))
        .collect())
}

/// [`fingerprint::of`](crate::fingerprint::of), walking the recorded tables instead of the
/// compiled ones.
fn release_fingerprint(messages: &[LockedMessage]) -> u64 {
    use crate::fingerprint::{Canon, sorted};
    let mut messages: Vec<&LockedMessage> = messages.iter().collect();
    sorted(&mut messages, |m| m.name.as_str());
    let mut canon = Canon::new();
    let fields = |canon: &mut Canon, fields: &[LockedField]| {
        for f in fields {
            canon.field(&f.name, &f.since, &f.ty, f.default);
        }
    };
    for m in messages {
        let routes: Vec<(&str, &str)> = m.routes.iter().filter_map(|r| route_ends(r)).collect();
        canon.message(
            &m.name,
            &m.since,
            &m.kind,
            routes.into_iter(),
            m.fields.len(),
            m.variants.len(),
        );
        fields(&mut canon, &m.fields);
        for v in &m.variants {
            canon.variant(&v.name, &v.since, v.catch_all, v.fields.len());
            fields(&mut canon, &v.fields);
        }
    }
    canon.finish()
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
    use crate::message::{Deprecation, Field, Route, Shape, Variant};

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
            since,
            ty,
            default,
            ignorable,
            deprecated,
        }
    }

    const fn message(
        name: &'static str,
        since: &'static str,
        routes: &'static [Route],
        kind: Kind,
        fields: &'static [Field],
        variants: &'static [Variant],
    ) -> Message {
        Message {
            name,
            since,
            routes,
            kind,
            fields,
            variants,
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
            err.contains("release 0.9.3 is recorded but its messages have changed since"),
            "{err}"
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
            &TO_AGENT,
            Kind::Struct(Shape::Named),
            &FIELDS2,
            &[],
        );
        deletable(&p, &Version::new(0, 9, 3), &[&M2], &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
