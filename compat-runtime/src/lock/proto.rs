//! The wire lock of prost messages: each release's protobuf tables by field number, in
//! `compat.lock` as `[[proto_release]]` entries beside the serde messages' `[[release]]`
//! ones, and the check of the release being built against every recorded release still
//! inside the window ([`verify_proto`]; the rules are in `proto_rules`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::proto_rules::{self, Meeting};
use super::{FILE, LockError, LockReport, RECORD, fail, file};
use crate::policy::Policy;
use crate::proto::{ProtoKind, ProtoMessage, ProtoType};
use crate::version::parse_version;

/// One recorded release of the prost messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProtoRelease {
    pub(super) version: String,
    #[serde(default, rename = "message")]
    pub(super) messages: Vec<LockedProto>,
}

/// A message or enum as recorded, by its full protobuf name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockedProto {
    pub(super) name: String,
    /// `message` or `enum`.
    pub(super) kind: String,
    pub(super) since: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) routes: Vec<String>,
    /// `3`, `9 to 11`, `100 to max`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) reserved: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) reserved_names: Vec<String>,
    #[serde(default, rename = "field", skip_serializing_if = "Vec::is_empty")]
    pub(super) fields: Vec<LockedProtoField>,
    #[serde(default, rename = "value", skip_serializing_if = "Vec::is_empty")]
    pub(super) values: Vec<LockedValue>,
}

/// A field (a oneof's members among them, with `oneof` naming it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockedProtoField {
    pub(super) number: u32,
    pub(super) name: String,
    pub(super) since: String,
    /// A scalar (`int32`), or a message's or enum's full name.
    #[serde(rename = "type")]
    pub(super) ty: String,
    /// `message`, `enum`, or absent for a scalar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) of: Option<String>,
    /// buf's names: `optional_implicit`, `optional_explicit`, `required`, `repeated`, `map`.
    pub(super) cardinality: String,
    /// A map's key type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) oneof: Option<String>,
}

/// An enum value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LockedValue {
    pub(super) number: i32,
    pub(super) name: String,
    pub(super) since: String,
}

impl LockedProto {
    pub(super) fn reserves(&self, number: i64) -> bool {
        self.reserved.iter().any(|range| {
            let (start, end) = range.split_once(" to ").unwrap_or((range, range));
            let start: i64 = start.trim().parse().unwrap_or(i64::MAX);
            let end: i64 = match end.trim() {
                "max" => i64::MAX,
                end => end.parse().unwrap_or(i64::MIN),
            };
            start <= number && number <= end
        })
    }
}

/// The tables of `roots` and of every message and enum they hold, as the lock records
/// them, sorted by name; oneofs are recorded as their members, fields of their message.
pub(super) fn snapshot(roots: &[&'static ProtoMessage]) -> Vec<LockedProto> {
    let mut seen: BTreeMap<&'static str, &'static ProtoMessage> = BTreeMap::new();
    let mut stack: Vec<&'static ProtoMessage> = roots.to_vec();
    while let Some(table) = stack.pop() {
        if table.kind == ProtoKind::Oneof || seen.insert(table.name, table).is_some() {
            continue;
        }
        for field in all_fields(table) {
            // A well-known type is recorded by its name in the fields that hold it: protobuf
            // defines it, and no release of this crate changes it.
            if let ProtoType::Message(inner) | ProtoType::Enum(inner) = field.1.ty
                && !inner.get().is_well_known()
            {
                stack.push(inner.get());
            }
        }
    }
    seen.values().map(|table| lock_table(table)).collect()
}

/// A message's fields, its oneofs' members in the oneof field's place, with the oneof's name.
fn all_fields(
    table: &'static ProtoMessage,
) -> Vec<(Option<&'static str>, &'static crate::proto::ProtoField)> {
    let mut out = Vec::new();
    for field in table.fields {
        match field.ty {
            ProtoType::Oneof(oneof) => {
                out.extend(oneof.get().fields.iter().map(|m| (Some(field.name), m)));
            }
            _ => out.push((None, field)),
        }
    }
    out
}

fn lock_table(table: &'static ProtoMessage) -> LockedProto {
    let range = |&(start, end): &(i32, i32)| match (start == end, end == i32::MAX) {
        (true, _) => start.to_string(),
        (false, true) => format!("{start} to max"),
        (false, false) => format!("{start} to {end}"),
    };
    LockedProto {
        name: table.name.to_owned(),
        kind: if table.kind == ProtoKind::Enum {
            "enum"
        } else {
            "message"
        }
        .to_owned(),
        since: table.since.to_owned(),
        routes: table
            .routes
            .iter()
            .map(|r| format!("{} > {}", r.from, r.to))
            .collect(),
        reserved: table.reserved.iter().map(range).collect(),
        reserved_names: table
            .reserved_names
            .iter()
            .map(|n| (*n).to_owned())
            .collect(),
        fields: all_fields(table)
            .into_iter()
            .map(|(oneof, f)| LockedProtoField {
                number: f.number,
                name: f.name.to_owned(),
                since: f.since.to_owned(),
                ty: f.ty.name().to_owned(),
                of: match f.ty {
                    ProtoType::Message(_) => Some("message".to_owned()),
                    ProtoType::Enum(_) => Some("enum".to_owned()),
                    _ => None,
                },
                cardinality: f.cardinality.as_str().to_owned(),
                key: match f.cardinality {
                    crate::proto::Cardinality::Map(key) => Some(key.as_str().to_owned()),
                    _ => None,
                },
                oneof: oneof.map(str::to_owned),
            })
            .collect(),
        values: table
            .values
            .iter()
            .map(|v| LockedValue {
                number: v.number,
                name: v.name.to_owned(),
                since: v.since.to_owned(),
            })
            .collect(),
    }
}

/// Checks the prost messages `roots` (and what they hold) of the crate at `version` against
/// every release recorded in `dir/compat.lock` that a peer inside the window still runs;
/// with `COMPAT_RECORD` set, records `version` instead. The serde messages' releases in the
/// same file are left as they are.
///
/// # Errors
///
/// Every break, each naming the message, the field (by number), the release and the fix.
pub fn verify_proto(
    dir: impl AsRef<Path>,
    policy: &Policy,
    version: &str,
    roots: &[&'static ProtoMessage],
) -> Result<LockReport, LockError> {
    let record = std::env::var_os(RECORD).is_some_and(|v| !v.is_empty() && v != "0");
    verify_proto_with(dir.as_ref(), policy, version, roots, record)
}

/// [`verify_proto`], with recording chosen by the caller rather than the environment.
pub fn verify_proto_with(
    dir: &Path,
    policy: &Policy,
    version: &str,
    roots: &[&'static ProtoMessage],
    record: bool,
) -> Result<LockReport, LockError> {
    let path = dir.join(FILE);
    let current = parse_version(version).map_err(|e| fail(&path, e.to_string()))?;
    let mut lock = file::read(&path, record)?;
    let now = snapshot(roots);
    let mut report = LockReport {
        path: path.clone(),
        ..LockReport::default()
    };
    if record {
        lock.proto.retain(|r| r.version != current.to_string());
        lock.proto.push(ProtoRelease {
            version: current.to_string(),
            messages: now,
        });
        file::write(&path, &mut lock, policy)?;
        report.recorded = Some(current.to_string());
        return Ok(report);
    }
    let mut problems = Vec::new();
    for release in &lock.proto {
        let at = parse_version(&release.version)
            .map_err(|e| fail(&path, format!("release `{}`: {e}", release.version)))?;
        if at != current && policy.scheme().compare(&at, &current).is_gt() {
            continue;
        }
        if at == current {
            if release.messages != now {
                problems.push(format!(
                    "release {current} is recorded but its prost messages have changed since; a released shape is fixed: bump the crate version, or, if {current} is not out yet, record it again with {RECORD}=1"
                ));
            }
            continue;
        }
        let meeting = Meeting {
            policy,
            old: &at,
            current: &current,
        };
        if proto_rules::compare(&meeting, &release.messages, &now, &mut problems) {
            report.compared.push(release.version.clone());
        } else {
            report.outside.push(release.version.clone());
        }
    }
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(LockError { path, problems })
    }
}

/// Defines a `compat_wire_lock` test that checks the crate's prost messages against
/// `compat.lock` (and records the current release when `COMPAT_RECORD` is set), so that
/// `cargo compat lock` records them as it does serde messages:
///
/// ```ignore
/// #[cfg(test)]
/// compat_runtime::proto_wire_lock!(policy(), VERSION, &[AttestRequest::PROTO, ...]);
/// ```
#[macro_export]
macro_rules! proto_wire_lock {
    ($policy:expr, $version:expr, $roots:expr) => {
        #[test]
        fn compat_wire_lock() {
            match $crate::lock::verify_proto(env!("CARGO_MANIFEST_DIR"), $policy, $version, $roots)
            {
                ::core::result::Result::Ok(report) => ::std::println!("{report}"),
                ::core::result::Result::Err(err) => ::core::panic!("{err}"),
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::message::Route;
    use crate::proto::{Cardinality, ProtoField, ProtoMessage, Scalar};

    const POLICY: &str = "[components]\nserver = {}\nclient = {}\n\
        [[rule]]\ncomponent = \"client\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"any minor\"\n";

    const BODY: ProtoField = ProtoField {
        number: 1,
        name: "body",
        since: "2.2.0",
        ty: ProtoType::Scalar(Scalar::String),
        cardinality: Cardinality::Implicit,
        ignorable: false,
        deprecated: false,
    };

    /// `chat.Post` as 2.3.0 had it, and as 2.4.0 has it (with `topic`).
    static POST_23: ProtoMessage = post(&[BODY]);
    static POST_24: ProtoMessage = post(&[
        BODY,
        ProtoField {
            number: 2,
            name: "topic",
            since: "2.4.0",
            cardinality: Cardinality::Optional,
            ..BODY
        },
    ]);

    const fn post(fields: &'static [ProtoField]) -> ProtoMessage {
        ProtoMessage {
            name: "chat.Post",
            rust: "Post",
            since: "2.2.0",
            kind: ProtoKind::Message,
            routes: &[Route {
                from: "client",
                to: "server",
            }],
            fields,
            values: &[],
            reserved: &[],
            reserved_names: &[],
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("compat-proto-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_crate_with_only_prost_messages_writes_no_serde_releases() {
        let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
        let dir = scratch("only-prost");
        verify_proto_with(&dir, &policy, "2.3.0", &[&POST_23], true).unwrap();
        let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert!(!text.contains("release = []"), "{text}");
        assert!(
            text.contains("[[proto_release]]\nversion = \"2.3.0\""),
            "{text}"
        );
        // The file reads back, for both kinds of message.
        verify_proto_with(&dir, &policy, "2.3.0", &[&POST_23], false).unwrap();
        let serde = super::super::verify_with(&dir, &policy, "2.3.0", &[], false).unwrap();
        assert!(serde.compared.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// `chat.Post` with a `google.protobuf.Int64Value` field (an `Option<i64>` in prost).
    static WITH_WRAPPER: ProtoMessage = post(&[
        BODY,
        ProtoField {
            number: 2,
            name: "likes",
            ty: ProtoType::Message(crate::proto::TypeRef(crate::proto::__private::table::<i64>)),
            cardinality: Cardinality::Optional,
            ..BODY
        },
    ]);

    #[test]
    fn a_well_known_type_is_recorded_by_its_name_in_the_field_that_holds_it() {
        let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
        let dir = scratch("well-known");
        verify_proto_with(&dir, &policy, "2.3.0", &[&WITH_WRAPPER], true).unwrap();
        let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert!(
            text.contains("name = \"likes\"\nsince = \"2.2.0\"\ntype = \"google.protobuf.Int64Value\"\nof = \"message\""),
            "{text}"
        );
        assert!(
            !text.contains("name = \"google.protobuf"),
            "not recorded itself:\n{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn adopting_an_earlier_release_takes_its_prost_messages() {
        let policy = Policy::from_toml("compat.toml", POLICY).unwrap();
        // The checkout of 2.3.0 records itself there; today's crate is at 2.4.0.
        let then = scratch("adopt-then");
        verify_proto_with(&then, &policy, "2.3.0", &[&POST_23], true).unwrap();
        let now = scratch("adopt-now");
        verify_proto_with(&now, &policy, "2.4.0", &[&POST_24], true).unwrap();

        let report = super::super::adopt(&now, &policy, &then.join(FILE), "2.3.0").unwrap();
        assert_eq!(report.recorded.as_deref(), Some("2.3.0"));
        let text = std::fs::read_to_string(now.join(FILE)).unwrap();
        let (at_23, at_24) = (
            text.find("version = \"2.3.0\"").unwrap(),
            text.find("version = \"2.4.0\"").unwrap(),
        );
        assert!(at_23 < at_24, "in the policy's order:\n{text}");
        assert!(
            !text[at_23..at_24].contains("topic"),
            "2.3.0 as it was:\n{text}"
        );
        assert!(!text.contains("release = []"), "{text}");
        // 2.4.0 is now checked against the adopted 2.3.0.
        let checked = verify_proto_with(&now, &policy, "2.4.0", &[&POST_24], false).unwrap();
        assert_eq!(checked.compared, ["2.3.0"]);

        let missing = super::super::adopt(&now, &policy, &then.join(FILE), "2.1.0").unwrap_err();
        assert!(
            missing.problems[0].contains("release 2.1.0 is not recorded in it"),
            "{missing}"
        );
        std::fs::remove_dir_all(&then).unwrap();
        std::fs::remove_dir_all(&now).unwrap();
    }
}
