// Tuple structs and tuple variants travel as sequences: serde fills a missing trailing
// element from `#[serde(default)]` (on the field or the struct), never from `Option` alone,
// and a newtype (one field) is written as that field alone.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Reading(
    pub f64,
    pub String,
    #[since("0.9.0")]
    #[serde(default)]
    pub Option<u32>,
    #[since("0.9.1")]
    #[serde(default)]
    pub u8,
);

#[derive(Debug, Default, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(default)]
pub struct Sample(pub u32, pub u32, #[since("0.9.0")] pub u32);

#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub enum Report {
    Moved(
        u32,
        u32,
        #[since("0.9.0")]
        #[serde(default)]
        Option<u32>,
    ),
}

/// A newtype that never grew.
#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct NodeId(pub String);

// What serde does with the same shapes without `#[serde(default)]`; not messages.
#[derive(Debug, Deserialize)]
pub struct Bare(pub f64, pub String, pub Option<u32>);
#[derive(Debug, Deserialize)]
pub struct Grown(pub String, #[serde(default)] pub Option<u32>);

fn main() {
    // What 0.8.0 agents send.
    let reading: Reading = serde_json::from_str(r#"[1.5,"n"]"#).unwrap();
    assert_eq!(reading, Reading(1.5, "n".to_owned(), None, 0));
    let sample: Sample = serde_json::from_str("[1,2]").unwrap();
    assert_eq!(sample, Sample(1, 2, 0));
    let report: Report = serde_json::from_str(r#"{"Moved":[1,2]}"#).unwrap();
    assert_eq!(report, Report::Moved(1, 2, None));
    let node: NodeId = serde_json::from_str(r#""n""#).unwrap();
    assert_eq!(node, NodeId("n".to_owned()));

    // `Option` alone does not fill a missing element.
    let error = serde_json::from_str::<Bare>(r#"[1.5,"n"]"#).unwrap_err();
    assert!(error.to_string().starts_with("invalid length 2"), "{error}");
    // A newtype that gained a field cannot read the old bare field, default or not.
    let error = serde_json::from_str::<Grown>(r#""n""#).unwrap_err();
    assert!(
        error.to_string().starts_with("invalid type: string \"n\""),
        "{error}"
    );
    // And an older receiver rejects the extra element of a newer sender's tuple.
    assert!(serde_json::from_str::<NodeId>(r#"["n",3]"#).is_err());

    assert!(Reading::MESSAGE.field("2").unwrap().default);
    assert!(Sample::MESSAGE.field("2").unwrap().default);
    assert!(Report::MESSAGE.variant("Moved").unwrap().fields[2].default);
}
