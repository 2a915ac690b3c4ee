// A type an agent sends the server, which the server passes on to the web dashboard inside
// its own message: `routes` names exactly those two directions, and each is checked.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(routes = ["agent > server", "server>web"])]
#[since("0.8.0")]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthState {
    Ok,
    Error,
    // No catch-all: neither an agent nor the server is ever newer than its receiver.
    #[since("0.9.0")]
    Unknown,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "server", to = "web")]
#[since("0.8.0")]
pub struct NodeSummary {
    pub ident: String,
    // No default: web runs the server's exact release.
    #[since("0.9.0")]
    pub health: HealthState,
}

#[derive(Serialize, Deserialize, Compat)]
#[compat(routes = "server > server")]
#[since("0.8.0")]
pub struct Gossip {
    pub peers: Vec<String>,
}

fn main() {
    let health = HealthState::MESSAGE;
    let routes: Vec<_> = health
        .routes
        .iter()
        .map(|route| (route.from, route.to))
        .collect();
    assert_eq!(routes, [("agent", "server"), ("server", "web")]);
    assert!(!health.sends("agent", "web"));
    assert!(NodeSummary::MESSAGE.sends("server", "web"));
    assert!(Gossip::MESSAGE.sends("server", "server"));
}
