// Every way serde fills a missing field counts as a default; skipped fields never
// travel and are left out of the table.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

fn three() -> u32 {
    3
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Report {
    pub node: String,
    #[since("0.9.0")]
    #[serde(default = "three")]
    pub retries: u32,
    #[since("0.9.0")]
    #[serde(skip_deserializing)]
    pub checksum: u64,
    #[since("0.9.0")]
    pub labels: std::option::Option<Vec<String>>,
    #[serde(skip)]
    pub cache: Vec<u8>,
}

#[derive(Serialize, Deserialize, Default, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
#[serde(default)]
pub struct Limits {
    pub cpu: u32,
    #[since("0.9.0")]
    pub memory: u64,
}

fn main() {
    let report = Report::MESSAGE;
    assert_eq!(report.fields.len(), 4, "`cache` is skipped");
    assert!(report.fields[1..].iter().all(|field| field.default));
    assert!(Limits::MESSAGE.field("memory").unwrap().default);
}
