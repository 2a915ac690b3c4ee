// What serde's `#[serde(other)]` receives depends on how the enum is tagged; servers may be
// newer than agents, so each of these needs a catch-all.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

/// Internally tagged: `Unknown` receives every unknown variant, data or not.
#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Command {
    Stop,
    #[since("0.9.0")]
    Drain {
        timeout_ms: u64,
    },
    #[serde(other)]
    Unknown,
}

/// Externally tagged (serde's default): `Unknown` receives unknown unit variants only, so
/// variants added later carry no data.
#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    Moved(String),
    #[since("0.9.0")]
    Throttled,
    #[serde(other)]
    Unknown,
}

/// Untagged: no `#[serde(other)]` allowed; serde tries the variants in order, and the last
/// one accepts anything.
#[derive(Debug, PartialEq, Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(untagged)]
pub enum Setting {
    Flag(bool),
    Count(u64),
    #[compat(other)]
    Unknown(serde_json::Value),
}

/// Decoded by hand, so `#[compat(other)]` marks the catch-all, and it may keep the name.
#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Signal {
    Hup,
    #[compat(other)]
    Unknown(String),
}

// The same shapes, to show what serde does; not messages.
#[derive(Debug, Deserialize)]
pub enum External {
    Stop,
    #[serde(other)]
    Unknown,
}
#[derive(Debug, Deserialize)]
#[serde(tag = "t", content = "c")]
pub enum Adjacent {
    Stop,
    #[serde(other)]
    Unknown,
}

fn main() {
    // What newer servers send.
    let drain: Command = serde_json::from_str(r#"{"type":"Pause","ms":5}"#).unwrap();
    assert_eq!(drain, Command::Unknown);
    let unit: Status = serde_json::from_str(r#""paused""#).unwrap();
    assert_eq!(unit, Status::Unknown);
    let setting: Setting = serde_json::from_str(r#"{"ms":5}"#).unwrap();
    assert_eq!(setting, Setting::Unknown(serde_json::json!({"ms": 5})));
    assert_eq!(
        serde_json::from_str::<Setting>("7").unwrap(),
        Setting::Count(7)
    );

    // Externally and adjacently tagged, an unknown variant with data is an error.
    let error = serde_json::from_str::<External>(r#"{"Drain":{"ms":5}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid type: map, expected unit"),
        "{error}"
    );
    assert!(matches!(
        serde_json::from_str::<External>(r#""Drain""#).unwrap(),
        External::Unknown
    ));
    let error = serde_json::from_str::<Adjacent>(r#"{"t":"Drain","c":{"ms":5}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid type: map, expected unit variant Adjacent::Unknown"),
        "{error}"
    );
    assert!(matches!(
        serde_json::from_str::<Adjacent>(r#"{"t":"Drain"}"#).unwrap(),
        Adjacent::Unknown
    ));

    assert_eq!(Command::MESSAGE.catch_all().unwrap().name, "Unknown");
    assert_eq!(Status::MESSAGE.catch_all().unwrap().name, "Unknown");
    assert_eq!(Setting::MESSAGE.catch_all().unwrap().name, "Unknown");
    assert_eq!(Signal::MESSAGE.catch_all().unwrap().name, "Unknown");
}
