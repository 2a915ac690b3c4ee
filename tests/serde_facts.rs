//! The serde behaviour the derive's rules rest on, measured with serde_json: where
//! `deny_unknown_fields` is read and where it is ignored, and what a unit `#[serde(other)]`
//! catch-all receives under each tagging. A serde release that changed any of these would
//! change what the rules must say.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "only decoded")]
struct Row {
    id: u64,
}

#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
#[allow(dead_code, reason = "only decoded")]
enum Untagged {
    Row(Row),
    Count(u64),
}

#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
#[allow(dead_code, reason = "only decoded")]
enum UntaggedWithFields {
    Row { id: u64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "only decoded")]
struct Newtype(Row);

#[test]
fn deny_unknown_fields_is_ignored_where_no_field_names_are_read() {
    // A newer sender added `extra` to `Row`: the newtype variant hands the map to `Row`, which
    // does not deny unknown fields, so the attribute on the enum changes nothing.
    let row: Untagged = serde_json::from_str(r#"{"id":1,"extra":2}"#).unwrap();
    assert!(matches!(row, Untagged::Row(Row { id: 1 })));
    let row: Newtype = serde_json::from_str(r#"{"id":1,"extra":2}"#).unwrap();
    assert_eq!(row.0.id, 1);
}

#[test]
fn deny_unknown_fields_is_read_by_variants_with_named_fields() {
    let error = serde_json::from_str::<UntaggedWithFields>(r#"{"id":1,"extra":2}"#).unwrap_err();
    assert!(
        error.to_string().contains("did not match any variant"),
        "{error}"
    );
    assert!(serde_json::from_str::<UntaggedWithFields>(r#"{"id":1}"#).is_ok());
}

#[derive(Debug, Deserialize, PartialEq)]
enum External {
    Stop,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type")]
enum Internal {
    Stop,
    #[serde(other)]
    Unknown,
}

#[test]
fn a_unit_catch_all_receives_data_only_in_an_internally_tagged_enum() {
    assert_eq!(
        serde_json::from_str::<External>(r#""Pause""#).unwrap(),
        External::Unknown
    );
    let error = serde_json::from_str::<External>(r#"{"Drain":{"ms":5}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("invalid type: map, expected unit"),
        "{error}"
    );
    assert_eq!(
        serde_json::from_str::<Internal>(r#"{"type":"Drain","ms":5}"#).unwrap(),
        Internal::Unknown
    );
}
