// The rules compare with the window, not with the item's own release: a 0.9.3 server still
// sends to agents back to 0.8.0, and every one of them knows `Drain`, so its data is no
// problem although it arrived after `Command`; and serde ignores `deny_unknown_fields` where
// it reads no field names (an untagged enum of newtype and unit variants).
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.5.0")]
pub enum Command {
    Stop,
    #[since("0.8.0")]
    Drain {
        timeout_ms: u64,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.5.0")]
#[serde(untagged, deny_unknown_fields)]
pub enum Input {
    Text(String),
    Count(u64),
    Empty,
    #[compat(other)]
    Other(serde_json::Value),
}

fn main() {
    let drain: Command = serde_json::from_str(r#"{"Drain":{"timeout_ms":5,"extra":1}}"#).unwrap();
    assert!(matches!(drain, Command::Drain { timeout_ms: 5 }));
}
