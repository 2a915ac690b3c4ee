//! The wire lock, recorded and checked in a scratch directory.

use super::deletable::deletable;
use super::*;
use crate::message::__private::{message, same};
use crate::message::{
    Deprecation, Field, Flatten, Kind, Route, Shape, SkipSerializing, Variant, WireName,
};

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

/// A struct with named fields, first released in 0.8.0.
const fn record(name: &'static str, routes: &'static [Route], fields: &'static [Field]) -> Message {
    message(
        name,
        "0.8.0",
        0,
        routes,
        Kind::Struct(Shape::Named),
        fields,
        &[],
    )
}

/// `f`, sent and read as `wire`.
const fn on_wire(wire: &'static str, f: Field) -> Field {
    Field {
        wire: WireName {
            serialize: wire,
            deserialize: wire,
            aliases: &[],
        },
        ..f
    }
}

const SPIRE: &str = include_str!("../../../examples/spire/compat.toml");

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
    static META_FIELDS: [Field; 1] = [field("host_name", "0.8.0", "String", false, false, None)];
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
    static RENAMED_FIELDS: [Field; 1] = [on_wire(
        "hostName",
        field("host_name", "0.8.0", "String", false, false, None),
    )];
    static RENAMED: Message = record("Meta", &TO_AGENT, &RENAMED_FIELDS);
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

/// `Attachment` declares only server > agent, but `Report` carries it from agent to server.
static TO_SERVER: [Route; 1] = [route("agent", "server")];
static ATTACHMENT_FIELDS: [Field; 1] = [field("name", "0.8.0", "String", false, false, None)];
static ATTACHMENT: Message = record("Attachment", &TO_AGENT, &ATTACHMENT_FIELDS);
static REPORT_FIELDS: [Field; 2] = [
    field("node", "0.8.0", "String", false, false, None),
    field(
        "attachments",
        "0.8.0",
        "Vec<Attachment>",
        false,
        false,
        None,
    ),
];
static REPORT: Message = record("Report", &TO_SERVER, &REPORT_FIELDS);

#[test]
fn a_message_carried_inside_another_is_compared_on_its_containers_routes() {
    let d = dir("carried");
    let p = spire();
    verify_with(&d, &p, "0.9.0", &[&REPORT, &ATTACHMENT], true).unwrap();
    // A required field: agents of 0.9.0 put no `checksum` in the attachments of their
    // reports, which servers of this release now reject.
    static NOW_FIELDS: [Field; 2] = [
        field("name", "0.8.0", "String", false, false, None),
        field("checksum", "0.9.1", "u64", false, false, None),
    ];
    static NOW: Message = record("Attachment", &TO_AGENT, &NOW_FIELDS);
    let err = verify_with(&d, &p, "0.9.3", &[&REPORT, &NOW], false).unwrap_err();
    assert_eq!(
        err.problems,
        [
            "field `checksum` of `Attachment` is required, but agent 0.9.0 (inside the window, \
             carried in `Report` (field `attachments`)) never sends it: release 0.9.0 had no such \
             field; make it `Option<_>` or `#[serde(default)]`, and check its #[since]"
        ]
    );

    // Only what travels carries: an `Id<Attachment>` is a type of its own.
    let d = dir("carried-not");
    static BY_ID_FIELDS: [Field; 1] = [field(
        "attachment",
        "0.8.0",
        "Id<Attachment>",
        false,
        false,
        None,
    )];
    static BY_ID: Message = record("Report", &TO_SERVER, &BY_ID_FIELDS);
    verify_with(&d, &p, "0.9.0", &[&BY_ID, &ATTACHMENT], true).unwrap();
    verify_with(&d, &p, "0.9.3", &[&BY_ID, &NOW], false).unwrap();
}

#[test]
fn a_message_carried_in_a_variant_is_compared_on_its_enums_routes() {
    let d = dir("carried-variant");
    let p = spire();
    static UPLOAD_FIELDS: [Field; 1] = [field("0", "0.8.0", "Box<Attachment>", false, false, None)];
    static VARIANTS: [Variant; 1] = [Variant {
        name: "Upload",
        wire: same("Upload"),
        rename_all: crate::message::__private::NO_RULE,
        since: "0.8.0",
        catch_all: false,
        shape: Shape::Tuple,
        fields: &UPLOAD_FIELDS,
        fallback: None,
    }];
    static EVENT: Message = message("Event", "0.8.0", 0, &TO_SERVER, Kind::Enum, &[], &VARIANTS);
    verify_with(&d, &p, "0.9.0", &[&EVENT, &ATTACHMENT], true).unwrap();
    static RENAMED_FIELDS: [Field; 1] = [on_wire(
        "file_name",
        field("name", "0.8.0", "String", false, false, None),
    )];
    static RENAMED: Message = record("Attachment", &TO_AGENT, &RENAMED_FIELDS);
    let err = verify_with(&d, &p, "0.9.3", &[&EVENT, &RENAMED], false).unwrap_err();
    assert_eq!(err.problems.len(), 2, "{err}");
    assert!(
        err.problems[1].starts_with(
            "field `file_name` (`name` in Rust) of `Attachment` is now read only as `file_name`, \
             but agent 0.9.0 (route agent > server, carried in `Event` (field `0` of variant \
             `Upload`), inside the window) sends it as `name`"
        ),
        "{err}"
    );
}

#[test]
fn a_case_convention_that_renames_nothing_leaves_a_recorded_release_unchanged() {
    let d = dir("convention");
    let p = spire();
    verify_with(&d, &p, "0.9.3", &[&V090], true).unwrap();
    static SNAKE: Message = Message {
        rename_all: crate::message::RenameAll {
            serialize: Some(crate::message::Case::Snake),
            deserialize: Some(crate::message::Case::Snake),
        },
        ..V090
    };
    verify_with(&d, &p, "0.9.3", &[&SNAKE], false).unwrap();
}

const fn variant(
    name: &'static str,
    since: &'static str,
    catch_all: bool,
    fields: &'static [Field],
) -> Variant {
    Variant {
        name,
        wire: same(name),
        rename_all: crate::message::__private::NO_RULE,
        since,
        catch_all,
        shape: if fields.is_empty() {
            Shape::Unit
        } else {
            Shape::Named
        },
        fields,
        fallback: None,
    }
}

static MS: [Field; 1] = [field("ms", "0.8.0", "u64", false, false, None)];

#[test]
fn removing_a_variant_with_data_against_a_unit_catch_all_is_a_break() {
    let d = dir("removed-data-variant");
    let p = spire();
    static WAS_VARIANTS: [Variant; 3] = [
        variant("Ok", "0.8.0", false, &[]),
        variant("Drain", "0.8.0", false, &MS),
        variant("Unknown", "0.8.0", true, &[]),
    ];
    static WAS: Message = message(
        "Report",
        "0.8.0",
        0,
        &TO_SERVER,
        Kind::Enum,
        &[],
        &WAS_VARIANTS,
    );
    verify_with(&d, &p, "0.9.0", &[&WAS], true).unwrap();
    static NOW_VARIANTS: [Variant; 2] = [
        variant("Ok", "0.8.0", false, &[]),
        variant("Unknown", "0.8.0", true, &[]),
    ];
    static NOW: Message = message(
        "Report",
        "0.8.0",
        0,
        &TO_SERVER,
        Kind::Enum,
        &[],
        &NOW_VARIANTS,
    );
    let err = verify_with(&d, &p, "0.9.3", &[&NOW], false).unwrap_err();
    assert_eq!(
        err.problems,
        [
            "variant `Report::Drain` was removed, but agent 0.9.0 may still send it with its data to \
             server 0.9.3 (inside the window), whose catch-all `Unknown` is a unit variant: in an \
             externally tagged enum it receives only unknown variants without data, and serde fails \
             on `Drain` (\"invalid type: map, expected unit\"); keep the variant until 0.9.0 leaves \
             the window"
        ]
    );
    // Internally tagged, the catch-all keeps the data beside the tag; a unit variant removed
    // reaches the catch-all as a plain name.
    static INTERNAL: Message = Message {
        representation: crate::message::Representation::Internal { tag: "type" },
        ..NOW
    };
    static INTERNAL_WAS: Message = Message {
        representation: crate::message::Representation::Internal { tag: "type" },
        ..WAS
    };
    let d = dir("removed-data-variant-internal");
    verify_with(&d, &p, "0.9.0", &[&INTERNAL_WAS], true).unwrap();
    verify_with(&d, &p, "0.9.3", &[&INTERNAL], false).unwrap();
    static UNIT_GONE: [Variant; 2] = [
        variant("Drain", "0.8.0", false, &MS),
        variant("Unknown", "0.8.0", true, &[]),
    ];
    static WITHOUT_OK: Message = message(
        "Report",
        "0.8.0",
        0,
        &TO_SERVER,
        Kind::Enum,
        &[],
        &UNIT_GONE,
    );
    let d = dir("removed-unit-variant");
    verify_with(&d, &p, "0.9.0", &[&WAS], true).unwrap();
    verify_with(&d, &p, "0.9.3", &[&WITHOUT_OK], false).unwrap();
}

#[test]
fn a_new_variant_with_data_does_not_fit_an_old_unit_catch_all() {
    let d = dir("new-data-variant");
    let p = spire();
    static WAS_VARIANTS: [Variant; 2] = [
        variant("Stop", "0.8.0", false, &[]),
        variant("Unknown", "0.8.0", true, &[]),
    ];
    static WAS: Message = message(
        "Command",
        "0.8.0",
        0,
        &TO_AGENT,
        Kind::Enum,
        &[],
        &WAS_VARIANTS,
    );
    verify_with(&d, &p, "0.9.0", &[&WAS], true).unwrap();
    static NOW_VARIANTS: [Variant; 4] = [
        variant("Stop", "0.8.0", false, &[]),
        variant("Pause", "0.9.1", false, &[]),
        variant("Drain", "0.9.1", false, &MS),
        variant("Unknown", "0.8.0", true, &[]),
    ];
    static NOW: Message = message(
        "Command",
        "0.8.0",
        0,
        &TO_AGENT,
        Kind::Enum,
        &[],
        &NOW_VARIANTS,
    );
    let err = verify_with(&d, &p, "0.9.3", &[&NOW], false).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.problems[0].starts_with(
            "variant `Command::Drain` carries data and is new since 0.9.0, but agent 0.9.0 may still \
             receive it from server 0.9.3 (route server > agent, inside the window), and its \
             catch-all `Unknown` is a unit variant"
        ),
        "{err}"
    );
}

/// nushell's caret rule with `wire-changes = "minor"`: the releases of one 0.y line read the
/// same messages.
const CARET: &str = "[versioning]\nmajor-zero = \"minor-is-major\"\nwire-changes = \"minor\"\n\
    [components]\nengine = {}\nplugin = {}\n\
    [[rule]]\ncomponent = \"plugin\"\npeer = \"engine\"\nskew = \"same major\"\n";

#[test]
fn under_wire_changes_a_release_changes_nothing_inside_its_line() {
    let d = dir("wire-line");
    let p = Policy::from_toml("compat.toml", CARET).unwrap();
    static TO_PLUGIN: [Route; 1] = [route("engine", "plugin")];
    static WAS_FIELDS: [Field; 1] = [field("name", "0.110.0", "String", false, false, None)];
    static WAS: Message = record("CallInfo", &TO_PLUGIN, &WAS_FIELDS);
    verify_with(&d, &p, "0.114.0", &[&WAS], true).unwrap();
    // An optional field is nothing a receiver of another line minds, but 0.114.0 is of this
    // one.
    static NOW_FIELDS: [Field; 2] = [
        field("name", "0.110.0", "String", false, false, None),
        field("flag", "0.114.1", "Option<bool>", true, false, None),
    ];
    static NOW: Message = record("CallInfo", &TO_PLUGIN, &NOW_FIELDS);
    let err = verify_with(&d, &p, "0.114.1", &[&NOW], false).unwrap_err();
    assert_eq!(
        err.problems,
        [
            "release 0.114.1 changes what travels since 0.114.0 (`CallInfo`), but compat.toml says \
             the wire changes only in minor releases ([versioning] wire-changes = \"minor\"), and \
             both are of the line that began with 0.114.0, whose peers take each other to read the \
             same messages; keep the change for 0.115.0 (the next release that may change the wire)"
        ]
    );
    verify_with(&d, &p, "0.114.1", &[&WAS], false).unwrap();
    // The next line is compared by the usual rules: 0.114 plugins are outside its window.
    let report = verify_with(&d, &p, "0.115.0", &[&NOW], false).unwrap();
    assert_eq!(report.outside, ["0.114.0"]);
}

#[test]
fn a_type_recorded_inside_a_wrapper_is_the_type_it_travels_as() {
    let d = dir("wrapped");
    let p = spire();
    // Recorded by a compat that wrote types as they were written.
    static WAS_FIELDS: [Field; 2] = [
        field("svid", "0.8.0", "Box<Vec<u8>>", false, false, None),
        field("ttl", "0.9.0", "std::sync::Arc<u32>", false, false, None),
    ];
    static WAS: Message = record("SvidUpdate", &TO_AGENT, &WAS_FIELDS);
    verify_with(&d, &p, "0.9.0", &[&WAS], true).unwrap();
    verify_with(&d, &p, "0.9.3", &[&V090], false).unwrap();
}
