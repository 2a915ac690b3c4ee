// serde fills a missing `Option` field with `None` by asking `Option`'s own `Deserialize`;
// a `deserialize_with` (or `with`) function replaces it, and serde calls no function for a
// missing field: a 0.8.0 agent's `{"node":"n"}` fails with "missing field `zone`".
use compat_runtime::Compat;
use serde::{Deserialize, Deserializer, Serialize};

fn trimmed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let zone = Option::<String>::deserialize(deserializer)?;
    Ok(zone.map(|zone| zone.trim().to_owned()))
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[since("0.9.0")]
    #[serde(deserialize_with = "trimmed")]
    pub zone: Option<String>,
}

fn main() {}
