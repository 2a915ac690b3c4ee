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

// By job: `file` is `compat.lock` (its schema, reading and writing), `snapshot` turns the
// tables into the shapes the lock records, `carried` finds the routes a message travels
// inside others (from the field types recorded, through the standard containers of
// `carriers`, the derive's own list), `compare` holds the rules a recorded release is
// checked by (one function per rule), and `deletable` finds the deprecated fields the window
// has left behind.
mod carried;
mod carriers;
mod compare;
mod deletable;
mod file;
mod proto;
mod proto_rules;
mod snapshot;
#[cfg(test)]
mod tests;

use core::fmt;
use std::path::{Path, PathBuf};

use crate::message::Message;
use crate::policy::Policy;
use crate::version::{Version, parse_version};
use compare::{Problems, Standing};
use file::{LockFile, LockedMessage, Release};
pub use proto::{verify_proto, verify_proto_with};

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
    let lock = file::read(&path, record)?;
    let shapes: Vec<LockedMessage> = messages.iter().map(|m| snapshot::lock_message(m)).collect();
    let announced = crate::fingerprint::hex(crate::fingerprint::of(messages));
    if record {
        return record_release(path, lock, policy, &current, announced, shapes);
    }

    let mut report = LockReport {
        path: path.clone(),
        ..LockReport::default()
    };
    let mut problems = Problems::default();
    let build = Build {
        policy,
        current: &current,
        announced: &announced,
        shapes: &shapes,
    };
    for release in &lock.releases {
        let at = parse_version(&release.version)
            .map_err(|e| fail(&path, format!("release `{}`: {e}", release.version)))?;
        match build.check(release, &at, &mut problems) {
            Standing::Compared => report.compared.push(release.version.clone()),
            Standing::Outside => report.outside.push(release.version.clone()),
            Standing::Later | Standing::Current | Standing::Unchecked => {}
        }
    }
    deletable::deletable(policy, &current, messages, &mut report.deletable);
    if problems.0.is_empty() {
        Ok(report)
    } else {
        Err(LockError {
            path,
            problems: problems.0,
        })
    }
}

/// Records the release being built (replacing any earlier record of it), with the
/// fingerprint its hello announces.
fn record_release(
    path: PathBuf,
    mut lock: LockFile,
    policy: &Policy,
    current: &Version,
    announced: String,
    shapes: Vec<LockedMessage>,
) -> Result<LockReport, LockError> {
    lock.releases.retain(|r| r.version != current.to_string());
    lock.releases.push(Release {
        version: current.to_string(),
        format: FORMAT,
        fingerprint: Some(announced),
        // Filled in from the policy's `[protocol]` when the file is written.
        protocol: None,
        messages: shapes,
    });
    file::write(&path, &mut lock, policy)?;
    Ok(LockReport {
        path,
        recorded: Some(current.to_string()),
        ..LockReport::default()
    })
}

/// The release being built, which every recorded release is checked against.
struct Build<'a> {
    policy: &'a Policy,
    current: &'a Version,
    /// The fingerprint its hello announces (16 hex digits).
    announced: &'a str,
    /// Its messages, as the lock records them.
    shapes: &'a [LockedMessage],
}

impl Build<'_> {
    /// Checks one recorded release (at `at`) by the rules that apply to it: a release after
    /// this one has nothing to keep faith with; one recorded in an older format cannot be
    /// compared; the release being built must be as recorded; any other is compared on
    /// every route still inside the window.
    fn check(&self, release: &Release, at: &Version, problems: &mut Problems) -> Standing {
        let (policy, current) = (self.policy, self.current);
        if at != current && policy.scheme().compare(at, current).is_gt() {
            return Standing::Later;
        }
        if release.format < FORMAT {
            return compare::recorded_in_current_format(policy, release, at, current, problems);
        }
        if at == current {
            compare::fingerprint_as_announced(release, current, self.announced, problems);
            compare::released_shape_unchanged(policy, release, current, self.shapes, problems);
            return Standing::Current;
        }
        if policy.scheme().wire_line(at) == policy.scheme().wire_line(current) {
            compare::wire_unchanged_within_a_line(
                policy,
                release,
                at,
                current,
                self.shapes,
                problems,
            );
            return Standing::Compared;
        }
        let inside = compare::compare_release(
            policy,
            at,
            current,
            &release.messages,
            self.shapes,
            false,
            problems,
        );
        if inside {
            Standing::Compared
        } else {
            Standing::Outside
        }
    }
}

/// Records in `dir/compat.lock` the release `version` as another checkout recorded it in the
/// lock file `from` (`cargo compat lock --rev` records an earlier release in a temporary
/// checkout of that revision, then adopts it here), replacing any record of `version`: its
/// serde messages (`[[release]]`) and its prost messages (`[[proto_release]]`), whichever
/// `from` records.
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
    let is_wanted = |v: &str| parse_version(v).is_ok_and(|v| v == wanted);
    let recorded = file::read(from, false)?;
    let release = recorded
        .releases
        .into_iter()
        .find(|r| is_wanted(&r.version));
    let proto = recorded.proto.into_iter().find(|r| is_wanted(&r.version));
    if release.is_none() && proto.is_none() {
        return Err(fail(
            from,
            format!("release {wanted} is not recorded in it; record it there first"),
        ));
    }
    let mut lock = file::read(&path, true)?;
    if let Some(release) = release {
        lock.releases.retain(|r| !is_wanted(&r.version));
        lock.releases.push(release);
    }
    if let Some(proto) = proto {
        lock.proto.retain(|r| !is_wanted(&r.version));
        lock.proto.push(proto);
    }
    file::write(&path, &mut lock, policy)?;
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
