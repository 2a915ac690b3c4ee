// A message travels wherever the message holding it goes, whatever holds it: an `Option`,
// a `Box`, a map's values, a flattened field, a variant. Each carried type is one error, at
// its first place, naming its container and every field holding it (one fix for all).
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Attachment {
    pub name: String,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub struct Labels {
    pub zone: Option<String>,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Bundle {
    pub first: Option<Attachment>,
    pub largest: Box<Attachment>,
    pub by_name: BTreeMap<String, Attachment>,
    #[serde(flatten)]
    pub labels: Labels,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(between = ["agent", "server"])]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Event {
    Upload {
        attachment: Attachment,
    },
    #[serde(other)]
    Unknown,
}

fn main() {}
