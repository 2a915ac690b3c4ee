//! The cases of issue 19 on nushell's real protocol: its history builds under its own rule
//! with nothing it would refuse, a patch peer is no newer on the wire, hand-written
//! encodings are recorded by what they write, sharing a list is no change on the wire (but
//! any other change inside a line is), and the send guard walks the pipeline data inside
//! generic calls.

use std::path::PathBuf;

use compat_runtime::guard::{Guard, Part, pack};
use compat_runtime::lock::verify_with;
use compat_runtime::{Compat, Message, Version};
use nushell_plugin_protocol::protocol::{
    CallInfo, EvaluatedCall, ListStreamInfo, PipelineDataHeader, PipelineMetadata, PluginCall,
    PluginCustomValue, PluginInput,
};
use nushell_plugin_protocol::value::{Span, Value};
use nushell_plugin_protocol::{VERSION, messages, policy};

#[test]
fn nushells_history_builds_under_its_own_rule_without_catch_alls() {
    let call = <PluginCall<PipelineDataHeader> as Compat>::MESSAGE;
    assert_eq!(call.since, "0.60.0");
    assert_eq!(call.variant("GetCompletion").unwrap().since, "0.109.0");
    let metadata = PipelineMetadata::MESSAGE.field("path_columns").unwrap();
    assert_eq!((metadata.since, metadata.default), ("0.111.0", false));
    // No enum but `Feature` has a catch-all; nothing demanded one.
    let with_catch_all: Vec<&str> = messages()
        .iter()
        .filter(|m| m.catch_all().is_some())
        .map(|m| m.name)
        .collect();
    assert_eq!(with_catch_all, ["Feature"]);
}

#[test]
fn a_peer_newer_by_a_patch_is_no_newer_on_the_wire() {
    let version = Version::parse(VERSION).unwrap();
    let env = compat_runtime::build::windows_env(policy(), &version, "compat.toml");
    let get = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let windows = get("COMPAT_WINDOWS").unwrap();
    assert!(windows.contains("engine>plugin|0.114.0|0|"), "{windows}");
    assert!(windows.contains("plugin>engine|0.114.0|0|"), "{windows}");
    assert_eq!(get("COMPAT_WIRE_CHANGES"), Some("minor"));
}

#[test]
fn hand_written_encodings_are_recorded_by_what_they_write() {
    let variant_field = |variant: &str, field: &str| {
        let v = Value::MESSAGE.variant(variant).unwrap();
        v.fields.iter().find(|f| f.name == field).unwrap().ty
    };
    assert_eq!(variant_field("Record", "val"), "map<String, Value>");
    assert_eq!(variant_field("Range", "val"), "string");
    assert_eq!(variant_field("CellPath", "val"), "string");
    // Said once, on `ShellError`: `#[compat(wire(as = "LabeledError", via = ...))]`.
    assert_eq!(variant_field("Error", "error"), "LabeledError");
    // A wrapper of one type is recorded as what it wraps: nushell's `val: i64` becoming
    // `val: Filesize` (`#[serde(transparent)]`) wrote the same number.
    assert_eq!(variant_field("Filesize", "val"), "i64");
    assert_eq!(variant_field("List", "vals"), "Vec<Value>");
    let inner = nushell_plugin_protocol::error::LabeledError::MESSAGE
        .field("inner")
        .unwrap();
    assert_eq!(inner.ty, "seq<LabeledError>");
    // A newtype over `SharedCow<SharedContent>`: the content is what travels.
    assert_eq!(PluginCustomValue::MESSAGE.fields[0].ty, "SharedContent");
}

/// `Value` as a later release writes it: its lists and bytes shared (nushell's change
/// after 0.114.1), and with `$extra` variants.
macro_rules! later_value {
    ($module:ident $(, $extra:ident)?) => {
        mod $module {
            use compat_runtime::Compat;
            use nushell_plugin_protocol::error::{LabeledError, ShellError};
            use nushell_plugin_protocol::value::{
                CellPath, Closure, CustomValue, Filesize, Range, Record, SharedCow, Signals, Span,
            };
            use serde::{Deserialize, Serialize};

            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Compat)]
            #[compat(between = ["engine", "plugin"])]
            #[since("0.60.0")]
            #[allow(dead_code, reason = "only its table and its JSON are compared")]
            pub(crate) enum Value {
                Bool { val: bool, #[serde(rename = "span")] internal_span: Span },
                Int { val: i64, #[serde(rename = "span")] internal_span: Span },
                Float { val: f64, #[serde(rename = "span")] internal_span: Span },
                String { val: String, #[serde(rename = "span")] internal_span: Span },
                #[since("0.91.0")]
                Glob { val: String, no_expand: bool, #[serde(rename = "span")] internal_span: Span },
                Filesize { val: Filesize, #[serde(rename = "span")] internal_span: Span },
                Duration { val: i64, #[serde(rename = "span")] internal_span: Span },
                Date { #[compat(wire = "string")] val: String, #[serde(rename = "span")] internal_span: Span },
                Range {
                    #[compat(wire = "string")]
                    val: Box<Range>,
                    #[serde(skip)]
                    signals: Option<Signals>,
                    #[serde(rename = "span")]
                    internal_span: Span,
                },
                Record {
                    #[compat(wire(map_of = "Value"))]
                    val: SharedCow<Record>,
                    #[serde(rename = "span")]
                    internal_span: Span,
                },
                List {
                    vals: SharedCow<Vec<Value>>,
                    #[serde(skip)]
                    signals: Option<Signals>,
                    #[serde(rename = "span")]
                    internal_span: Span,
                },
                #[since("0.72.0")]
                Closure { val: Box<Closure>, #[serde(rename = "span")] internal_span: Span },
                Error {
                    #[compat(wire(as = "LabeledError"))]
                    error: Box<ShellError>,
                    #[serde(rename = "span")]
                    internal_span: Span,
                },
                Binary { val: SharedCow<Vec<u8>>, #[serde(rename = "span")] internal_span: Span },
                CellPath { #[compat(wire = "string")] val: CellPath, #[serde(rename = "span")] internal_span: Span },
                #[since("0.92.0")]
                Custom {
                    #[compat(opaque = "typetag writes the custom value's type name and its own data")]
                    val: Box<CustomValue>,
                    #[serde(rename = "span")]
                    internal_span: Span,
                },
                Nothing { #[serde(rename = "span")] internal_span: Span },
                $(
                    #[since("0.114.0")]
                    $extra { #[serde(rename = "span")] internal_span: Span },
                )?
            }

            #[allow(dead_code, reason = "names it, as the crate does")]
            fn uses(_: &LabeledError) {}
        }
    };
}

later_value!(shared);
later_value!(extended, Duplicate);

/// The crate's messages with `Value` replaced by `value`, checked at 0.114.2 against the
/// release recorded in compat.lock (0.114.1), in a scratch copy.
fn check_later(case: &str, value: &'static Message) -> Result<(), compat_runtime::lock::LockError> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("nushell-{case}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/compat.lock");
    std::fs::copy(lock, dir.join("compat.lock")).unwrap();
    let later: Vec<&Message> = messages()
        .iter()
        .map(|m| if m.name == "Value" { value } else { *m })
        .collect();
    verify_with(&dir, policy(), "0.114.2", &later, false).map(|_| ())
}

#[test]
fn sharing_a_list_is_no_change_on_the_wire_but_anything_else_inside_a_line_is() {
    let span = Span::new(0, 2);
    let list = Value::List {
        vals: vec![Value::int(1, span)],
        signals: None,
        internal_span: span,
    };
    let shared = shared::Value::List {
        vals: nushell_plugin_protocol::value::SharedCow::new(vec![shared::Value::Int {
            val: 1,
            internal_span: span,
        }]),
        signals: None,
        internal_span: span,
    };
    assert_eq!(
        serde_json::to_string(&list).unwrap(),
        serde_json::to_string(&shared).unwrap()
    );
    check_later("shared", shared::Value::MESSAGE).unwrap();
    let err = check_later("extended", extended::Value::MESSAGE).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.problems[0].starts_with(
            "release 0.114.2 changes what travels since 0.114.1 (`Value`), but compat.toml says \
             the wire changes only in minor releases"
        ),
        "{err}"
    );
}

fn run(input: PipelineDataHeader) -> PluginInput {
    let span = Span::new(0, 3);
    PluginInput::Call(
        0,
        PluginCall::Run(CallInfo {
            name: "inc".into(),
            call: EvaluatedCall {
                head: span,
                positional: vec![],
                named: vec![],
            },
            input,
        }),
    )
}

#[test]
fn the_guard_walks_the_pipeline_data_inside_a_call() {
    // A plugin of 0.93 (were a policy to admit it) knows no byte streams, and no stream
    // metadata before 0.97: both are refused inside `D`, as they are sent alone.
    let stream =
        PipelineDataHeader::ByteStream(nushell_plugin_protocol::protocol::ByteStreamInfo {
            id: 1,
            span: Span::new(0, 1),
            type_: nushell_plugin_protocol::protocol::ByteStreamType::Binary,
            metadata: None,
        });
    let found = run(stream).unreadable(pack(0, 93, 0)).unwrap();
    assert_eq!(
        (found.message, found.part, found.since),
        ("PipelineDataHeader", Part::Variant("ByteStream"), "0.94.0")
    );
    let listed = PipelineDataHeader::ListStream(ListStreamInfo {
        id: 1,
        span: Span::new(0, 1),
        metadata: Some(PipelineMetadata {
            data_source: nushell_plugin_protocol::protocol::DataSource::None,
            path_columns: vec![],
            content_type: None,
            custom: Default::default(),
        }),
    });
    let found = run(listed.clone()).unreadable(pack(0, 96, 0)).unwrap();
    assert_eq!(
        (found.message, found.part),
        ("ListStreamInfo", Part::Field("metadata"))
    );
    // Every peer the policy admits knows all of it.
    assert!(run(listed).unreadable(pack(0, 114, 0)).is_none());
    // `Value` holds itself, so no constant bounds what a call may hold: every peer older
    // than the newest release takes the walk.
    assert_eq!(PluginInput::newest(), u64::MAX);
}

#[test]
fn the_json_is_nushells() {
    let json = serde_json::to_string(&run(PipelineDataHeader::Value(
        Value::int(1, Span::new(4, 5)),
        None,
    )))
    .unwrap();
    assert_eq!(
        json,
        r#"{"Call":[0,{"Run":{"name":"inc","call":{"head":{"start":0,"end":3},"positional":[],"named":[]},"input":{"Value":[{"Int":{"val":1,"span":{"start":4,"end":5}}},null]}}}]}"#
    );
}
