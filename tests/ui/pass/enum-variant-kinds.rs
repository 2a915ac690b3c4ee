// Every variant kind, with variants and variant fields added over releases. Servers may
// be newer than agents, so the enum needs a catch-all; `#[compat(other)]` marks one
// when deserialization is written by hand.
use compat_runtime::{Compat, Shape};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
#[serde(tag = "type")]
pub enum Command {
    Stop,
    Restart {
        delay_ms: u64,
    },
    #[since("0.9.0")]
    Upgrade {
        version: String,
        #[since("0.9.2")]
        #[serde(default)]
        force: bool,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Serialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Event {
    Tick(u64),
    #[since("0.9.0")]
    Moved(u32, #[since("0.9.1")] Option<u32>),
    #[compat(other)]
    Other,
}

fn main() {
    let command = Command::MESSAGE;
    assert_eq!(command.variants.len(), 4);
    let upgrade = command.variant("Upgrade").unwrap();
    assert_eq!(upgrade.since, "0.9.0");
    assert_eq!(upgrade.shape, Shape::Named);
    assert_eq!(upgrade.fields[0].since, "0.9.0");
    assert_eq!(upgrade.fields[1].since, "0.9.2");
    assert!(upgrade.fields[1].default);
    assert_eq!(command.variant("Stop").unwrap().shape, Shape::Unit);
    assert!(command.variant("Unknown").unwrap().catch_all);

    let moved = Event::MESSAGE.variant("Moved").unwrap();
    assert_eq!(moved.shape, Shape::Tuple);
    assert_eq!(moved.fields[1].since, "0.9.1");
    assert_eq!(Event::MESSAGE.catch_all().unwrap().name, "Other");
}
