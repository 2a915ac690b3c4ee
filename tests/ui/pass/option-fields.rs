// The `Option` paths the derive recognises, and `with`/`deserialize_with` paired with
// `#[serde(default)]`: a 0.8.0 agent's message without the new fields decodes.
use compat_runtime::Compat;
use serde::{Deserialize, Deserializer, Serialize};

fn trimmed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let zone = Option::<String>::deserialize(deserializer)?;
    Ok(zone.map(|zone| zone.trim().to_owned()))
}

mod upper {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<String>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map(|text| text.to_uppercase()))
    }
}

pub type Maybe<T> = Option<T>;

#[derive(Debug, Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Register {
    pub node: String,
    #[since("0.9.0")]
    pub rack: std::option::Option<String>,
    #[since("0.9.0")]
    pub row: ::core::option::Option<u32>,
    #[since("0.9.0")]
    #[serde(deserialize_with = "trimmed", default)]
    pub zone: Option<String>,
    #[since("0.9.0")]
    #[serde(with = "upper", default)]
    pub region: Option<String>,
    #[since("0.9.0")]
    #[serde(default)]
    pub site: Maybe<String>,
}

// Without `default`, serde never calls the function for a missing field.
#[derive(Debug, Deserialize)]
pub struct Strict {
    pub node: String,
    #[serde(deserialize_with = "trimmed")]
    pub zone: Option<String>,
}

fn main() {
    let old: Register = serde_json::from_str(r#"{"node":"n"}"#).unwrap();
    assert_eq!(
        (old.rack, old.row, old.zone, old.region, old.site),
        (None, None, None, None, None)
    );
    let new: Register = serde_json::from_str(r#"{"node":"n","zone":" a ","region":"eu"}"#).unwrap();
    assert_eq!(
        (new.zone.as_deref(), new.region.as_deref()),
        (Some("a"), Some("EU"))
    );
    let error = serde_json::from_str::<Strict>(r#"{"node":"n"}"#).unwrap_err();
    assert!(
        error.to_string().starts_with("missing field `zone`"),
        "{error}"
    );
    assert!(
        Register::MESSAGE
            .fields
            .iter()
            .all(|field| field.name == "node" || field.default)
    );
}
