//! The tables say what serde really writes: every wire name, alias, representation,
//! skipped and flattened field is checked against what `serde_json` puts on the wire (or
//! accepts from it) for the same type.

#![allow(
    dead_code,
    reason = "the types exist for their tables and their serde output"
)]

use std::collections::{BTreeMap, BTreeSet};

use compat_runtime::{
    Case, Compat, Field, Flatten, Message, RenameAll, Representation, SkipSerializing,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The keys serde_json writes for `value`.
fn keys<T: Serialize>(value: &T) -> BTreeSet<String> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

/// The names each field of `message` is sent under, flattened fields included.
fn sent(message: &Message) -> BTreeSet<String> {
    fn walk(fields: &[Field], out: &mut BTreeSet<String>) {
        for field in fields {
            match field.flatten {
                Flatten::Message(inner) => walk(inner.fields, out),
                _ => {
                    out.insert(field.wire.serialize.to_string());
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(message.fields, &mut out);
    out
}

/// One struct per convention, with fields of one, two and three words and a digit.
macro_rules! fields_under {
    ($($name:ident => $case:literal, $variant:ident;)*) => {$(
        #[derive(Serialize, Deserialize, Compat, Default)]
        #[since("0.0.1")]
        #[serde(rename_all = $case)]
        struct $name {
            id: u8,
            node_name: u8,
            very_long_name: u8,
            z42: u8,
            r#type: u8,
        }
    )*
        #[test]
        fn field_names_follow_each_case_convention_as_serde_writes_them() {
            $(
                assert_eq!(sent($name::MESSAGE), keys(&$name::default()), "{}", $case);
                assert_eq!($name::MESSAGE.rename_all.serialize, Some(Case::$variant));
                assert_eq!($name::MESSAGE.rename_all.serialize.unwrap().as_str(), $case);
            )*
        }
    };
}

fields_under! {
    FieldsLower => "lowercase", Lower;
    FieldsUpper => "UPPERCASE", Upper;
    FieldsPascal => "PascalCase", Pascal;
    FieldsCamel => "camelCase", Camel;
    FieldsSnake => "snake_case", Snake;
    FieldsScreaming => "SCREAMING_SNAKE_CASE", ScreamingSnake;
    FieldsKebab => "kebab-case", Kebab;
    FieldsScreamingKebab => "SCREAMING-KEBAB-CASE", ScreamingKebab;
}

/// One enum per convention; serde writes a unit variant as its name.
macro_rules! variants_under {
    ($($name:ident => $case:literal;)*) => {$(
        #[derive(Serialize, Deserialize, Compat)]
        #[since("0.0.1")]
        #[serde(rename_all = $case)]
        enum $name {
            Stop,
            DrainNow,
            VeryLongName,
            Z42,
            HTTPStatus,
        }

        impl $name {
            const ALL: [$name; 5] = [$name::Stop, $name::DrainNow, $name::VeryLongName, $name::Z42, $name::HTTPStatus];
        }
    )*
        #[test]
        fn variant_names_follow_each_case_convention_as_serde_writes_them() {
            $(
                for (value, variant) in $name::ALL.iter().zip($name::MESSAGE.variants) {
                    assert_eq!(json!(variant.wire.serialize), serde_json::to_value(value).unwrap(), "{}", $case);
                }
            )*
        }
    };
}

variants_under! {
    VariantsLower => "lowercase";
    VariantsUpper => "UPPERCASE";
    VariantsPascal => "PascalCase";
    VariantsCamel => "camelCase";
    VariantsSnake => "snake_case";
    VariantsScreaming => "SCREAMING_SNAKE_CASE";
    VariantsKebab => "kebab-case";
    VariantsScreamingKebab => "SCREAMING-KEBAB-CASE";
}

#[derive(Serialize, Deserialize, Compat, Default)]
#[since("0.0.1")]
#[serde(rename_all(serialize = "camelCase", deserialize = "kebab-case"))]
struct EachWay {
    node_name: u8,
    #[serde(rename(serialize = "ID"), alias = "ident", alias = "key")]
    id: u8,
    #[serde(rename = "explicit")]
    wins_over_the_rule: u8,
}

#[test]
fn serialize_and_deserialize_names_and_aliases_are_recorded_apart() {
    let message = EachWay::MESSAGE;
    assert_eq!(sent(message), keys(&EachWay::default()));
    let node = message.field("node_name").unwrap().wire;
    assert_eq!(
        (node.serialize, node.deserialize),
        ("nodeName", "node-name")
    );
    let id = message.field("id").unwrap().wire;
    assert_eq!((id.serialize, id.deserialize), ("ID", "id"));
    assert_eq!(id.aliases, ["ident", "key"]);
    assert_eq!(
        message.rename_all,
        RenameAll {
            serialize: Some(Case::Camel),
            deserialize: Some(Case::Kebab)
        }
    );
    // What a receiver reads is what the table says it reads.
    let read: EachWay =
        serde_json::from_value(json!({"node-name": 1, "key": 2, "explicit": 3})).unwrap();
    assert_eq!((read.node_name, read.id), (1, 2));
    assert_eq!(message.field_on_wire("key").unwrap().name, "id");
    assert_eq!(
        message.field_on_wire("node-name").unwrap().name,
        "node_name"
    );
    assert!(message.field_on_wire("nodeName").is_none());
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
enum Command {
    DrainNow {
        timeout_ms: u64,
    },
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    Restart {
        after_ms: u64,
    },
    #[serde(rename = "halt", alias = "stop")]
    Stop,
    #[serde(other)]
    Unknown,
}

#[test]
fn an_enum_records_its_tag_its_variant_names_and_the_conventions_of_their_fields() {
    let message = Command::MESSAGE;
    assert_eq!(
        message.representation,
        Representation::Internal { tag: "type" }
    );
    assert_eq!(message.rename_all_fields.serialize, Some(Case::Camel));
    let drain = message.variant("DrainNow").unwrap();
    assert_eq!(drain.wire.serialize, "drain_now");
    assert_eq!(drain.fields[0].wire.serialize, "timeoutMs");
    assert_eq!(
        serde_json::to_value(Command::DrainNow { timeout_ms: 5 }).unwrap(),
        json!({"type": drain.wire.serialize, "timeoutMs": 5})
    );
    let restart = message.variant("Restart").unwrap();
    assert_eq!(restart.rename_all.serialize, Some(Case::ScreamingSnake));
    assert_eq!(
        serde_json::to_value(Command::Restart { after_ms: 1 }).unwrap(),
        json!({"type": "restart", restart.fields[0].wire.serialize: 1})
    );
    let stop = message.variant("Stop").unwrap();
    assert_eq!(
        (stop.wire.serialize, stop.wire.aliases),
        ("halt", &["stop"][..])
    );
    assert!(matches!(
        serde_json::from_value(json!({"type": "stop"})).unwrap(),
        Command::Stop
    ));
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    A(u8),
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
#[serde(untagged)]
enum Untagged {
    A(u8),
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
enum External {
    A(u8),
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
#[serde(transparent)]
struct Transparent {
    inner: u8,
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
#[serde(tag = "kind", rename = "ping")]
struct TaggedStruct {
    id: u8,
}

#[test]
fn every_representation_is_recorded() {
    assert_eq!(
        Adjacent::MESSAGE.representation,
        Representation::Adjacent {
            tag: "t",
            content: "c"
        }
    );
    assert_eq!(Untagged::MESSAGE.representation, Representation::Untagged);
    assert_eq!(External::MESSAGE.representation, Representation::External);
    assert_eq!(
        Transparent::MESSAGE.representation,
        Representation::Transparent
    );
    assert_eq!(
        TaggedStruct::MESSAGE.representation,
        Representation::Internal { tag: "kind" }
    );
    assert_eq!(TaggedStruct::MESSAGE.wire.serialize, "ping");
    assert_eq!(
        serde_json::to_value(TaggedStruct { id: 1 }).unwrap(),
        json!({"kind": TaggedStruct::MESSAGE.wire.serialize, "id": 1})
    );
}

#[derive(Serialize, Deserialize, Compat, Default)]
#[since("0.0.1")]
struct Skips {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    tags: Vec<String>,
    #[serde(skip_serializing, default)]
    secret: String,
    #[serde(skip)]
    cache: u8,
    #[serde(skip_serializing, skip_deserializing)]
    local: u8,
    always: u8,
}

#[test]
fn fields_a_sender_may_leave_out_are_marked_and_skipped_ones_left_out() {
    let message = Skips::MESSAGE;
    assert_eq!(
        message.field("tags").unwrap().skip_serializing,
        SkipSerializing::If("Vec::is_empty")
    );
    assert_eq!(
        message.field("secret").unwrap().skip_serializing,
        SkipSerializing::Always
    );
    assert_eq!(
        message.field("always").unwrap().skip_serializing,
        SkipSerializing::Never
    );
    assert!(message.field("cache").is_none() && message.field("local").is_none());
    assert_eq!(
        keys(&Skips::default()),
        BTreeSet::from(["always".to_string()])
    );
}

#[derive(Serialize, Deserialize, Compat, Default)]
#[since("0.0.1")]
#[serde(rename_all = "camelCase")]
struct Meta {
    host_name: String,
    #[since("0.0.2")]
    kernel: Option<String>,
}

#[derive(Serialize, Deserialize, Compat, Default)]
#[since("0.0.1")]
struct Report {
    ident: String,
    #[serde(flatten)]
    meta: Meta,
    #[since("0.0.2")]
    #[serde(flatten)]
    extra: Option<Meta2>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Serialize, Deserialize, Compat, Default)]
#[since("0.0.1")]
struct Meta2 {
    uptime: u64,
}

#[derive(Serialize, Deserialize, Compat)]
#[since("0.0.1")]
struct Generic<T> {
    id: u8,
    #[serde(flatten)]
    inner: T,
}

#[test]
fn flattened_fields_travel_through_their_types_tables() {
    let message = Report::MESSAGE;
    let meta = message.field("meta").unwrap();
    assert_eq!(meta.flatten, Flatten::Message(Meta::MESSAGE));
    assert_eq!(
        message.field("extra").unwrap().flatten,
        Flatten::Message(Meta2::MESSAGE)
    );
    assert_eq!(message.field("rest").unwrap().flatten, Flatten::Map);
    let report = Report {
        extra: Some(Meta2::default()),
        ..Report::default()
    };
    let mut expected = sent(message);
    expected.remove("rest");
    assert_eq!(keys(&report), expected);
    assert_eq!(message.field_on_wire("hostName").unwrap().name, "host_name");
    assert_eq!(
        Generic::<Meta2>::MESSAGE.field("inner").unwrap().flatten,
        Flatten::Message(Meta2::MESSAGE)
    );
}

mod before {
    use super::*;

    #[derive(Serialize, Deserialize, Compat)]
    #[since("0.1.0")]
    pub(crate) struct Metric {
        #[serde(rename = "s")]
        pub(crate) source: String,
    }
}

mod rust_renamed {
    use super::*;

    #[derive(Serialize, Deserialize, Compat)]
    #[since("0.1.0")]
    pub(crate) struct Metric {
        #[serde(rename = "s")]
        pub(crate) origin: String,
    }
}

mod wire_renamed {
    use super::*;

    #[derive(Serialize, Deserialize, Compat)]
    #[since("0.1.0")]
    pub(crate) struct Metric {
        #[serde(rename = "src")]
        pub(crate) source: String,
    }
}

#[test]
fn the_handshake_fingerprint_follows_the_wire_not_the_rust_names() {
    use compat_runtime::fingerprint;
    let before = fingerprint::of(&[before::Metric::MESSAGE]);
    assert_eq!(
        before,
        fingerprint::of(&[rust_renamed::Metric::MESSAGE]),
        "a Rust-only rename sends the same bytes"
    );
    assert_ne!(
        before,
        fingerprint::of(&[wire_renamed::Metric::MESSAGE]),
        "a wire rename is another shape"
    );
}
