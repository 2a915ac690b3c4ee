//! The lock file: its schema (a release per recorded version, each with its messages as
//! they travel), what each locked item is called on the wire, and reading and writing
//! `compat.lock`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{FILE, LockError, RECORD, fail};
use crate::policy::Policy;
use crate::version::parse_version;

/// `compat.lock`: every recorded release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockFile {
    /// The serde messages' releases; none in the lock of a crate with only prost messages,
    /// which then says nothing of them (rather than `release = []`).
    #[serde(default, rename = "release", skip_serializing_if = "Vec::is_empty")]
    pub(super) releases: Vec<Release>,
    /// The prost messages' releases, by field number (`proto.rs`).
    #[serde(
        default,
        rename = "proto_release",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub(super) proto: Vec<super::proto::ProtoRelease>,
}

/// One recorded release: its messages, and the format and fingerprint it was recorded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Release {
    pub(super) version: String,
    #[serde(default = "format_1", skip_serializing_if = "is_format_1")]
    pub(super) format: u32,
    /// The fingerprint the release's build announces in its hello (16 hex digits); the
    /// build script compiles these into `RELEASES`. Absent in locks written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) fingerprint: Option<String>,
    /// Under `[protocol]`, the protocol version the release carried, by the policy's
    /// `[protocol.releases]` (what this crate speaks, for a release at or past the newest
    /// listed one): written from the policy each time the file is, so the file says what
    /// the policy says. Absent without `[protocol]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) protocol: Option<String>,
    #[serde(default, rename = "message")]
    pub(super) messages: Vec<LockedMessage>,
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
pub(super) struct LockedMessage {
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire_deserialize: Option<String>,
    pub(super) since: String,
    pub(super) kind: String,
    /// `external`, `internal`, `adjacent`, `untagged` or `transparent`; absent in format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) representation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) content: Option<String>,
    /// The `rename_all` convention; `serialize/deserialize` where they differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rename_all: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rename_all_fields: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) fields: Vec<LockedField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) variants: Vec<LockedVariant>,
    /// `#[compat(frozen)]`: the enum never gains a variant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) frozen: bool,
    /// How the message travels, under a positional codec (`serde-positional`, `bincode`,
    /// `borsh`): then its fields are compared by position and its variants by `index`.
    /// Absent: self-describing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) codec: Option<String>,
}

/// A field as it travels. The fields of a `#[serde(flatten)]` field are recorded in its
/// place, each with `via` naming the flattened field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockedField {
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire_deserialize: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) aliases: Vec<String>,
    pub(super) since: String,
    pub(super) ty: String,
    pub(super) default: bool,
    /// `always`, or the `skip_serializing_if` path; absent when always sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) skip_serializing: Option<String>,
    /// The flattened field(s) this one comes through, outermost first (`meta.labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) via: Option<String>,
    /// A flattened map, which takes every field no other takes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) map: bool,
}

/// A variant as recorded; its fields as [`LockedField`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockedVariant {
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wire_deserialize: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) aliases: Vec<String>,
    pub(super) since: String,
    #[serde(default)]
    pub(super) catch_all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rename_all: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) fields: Vec<LockedField>,
    /// The index the variant travels as, under a positional codec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) index: Option<u32>,
}

/// What a locked field, variant or message is called on the wire.
pub(super) trait Named {
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

/// Reads the lock file at `path`; a missing file is an empty lock when `record`ing, and an
/// error that says how to record one otherwise.
pub(super) fn read(path: &Path, record: bool) -> Result<LockFile, LockError> {
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

/// Writes `lock` to `path`, its releases (serde's and prost's) in `policy`'s order, under
/// the generated header.
pub(super) fn write(path: &Path, lock: &mut LockFile, policy: &Policy) -> Result<(), LockError> {
    let order = |a: &str, b: &str| match (parse_version(a), parse_version(b)) {
        (Ok(va), Ok(vb)) => policy.scheme().compare(&va, &vb),
        _ => a.cmp(b),
    };
    lock.releases.sort_by(|a, b| order(&a.version, &b.version));
    for release in &mut lock.releases {
        release.protocol = policy.protocol().and_then(|p| {
            let version = parse_version(&release.version).ok()?;
            Some(p.spoken_by(&version).to_string())
        });
    }
    lock.proto.sort_by(|a, b| order(&a.version, &b.version));
    let text = format!(
        "# The wire lock: the message tables of every recorded release. Generated by\n\
             # `{RECORD}=1 cargo test compat_wire_lock` (or `cargo compat lock`); do not edit.\n\n{}",
        toml::to_string(&*lock).map_err(|e| fail(path, format!("cannot write it: {e}")))?
    );
    std::fs::write(path, text).map_err(|e| fail(path, format!("cannot write it: {e}")))
}
