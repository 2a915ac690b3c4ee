//! A SPIRE server on loopback for the tests, and agents for it.

#![allow(dead_code, reason = "each test file uses part of this")]

use std::net::SocketAddr;
use std::time::Duration;

use compat_runtime::{Endpoint, Policy};
use spire_protocol::service::{self, Event};
use spire_protocol::{RELEASES, VERSION, messages, policy};
use tokio::sync::mpsc;

/// A server at `version` under `policy`, serving on 127.0.0.1 until the test ends.
pub(crate) async fn server_with(
    policy: &'static Policy,
    version: &str,
    timeout: Duration,
) -> (SocketAddr, mpsc::UnboundedReceiver<Event>) {
    let endpoint = Endpoint::new(policy, "server", version, messages())
        .unwrap()
        .with_releases(RELEASES);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (events, seen) = mpsc::unbounded_channel();
    tokio::spawn(service::serve(listener, endpoint, events, timeout));
    (addr, seen)
}

/// The crate's own server: 0.9.3 under SPIRE's policy.
pub(crate) async fn server() -> (SocketAddr, mpsc::UnboundedReceiver<Event>) {
    server_with(policy(), VERSION, service::TIMEOUT).await
}

/// An end at `component@version` under SPIRE's policy.
pub(crate) fn end(component: &str, version: &str) -> Endpoint<'static> {
    Endpoint::new(policy(), component, version, messages())
        .unwrap()
        .with_releases(RELEASES)
}

/// The next thing the server reports, within a few seconds.
pub(crate) async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the server reports every connection")
        .expect("the server is running")
}

/// SPIRE's policy with the floor raised, as a later release might ship it.
pub(crate) fn stricter(minimum: &str) -> &'static Policy {
    let text = format!(
        "{}\n[support]\nminimum = \"{minimum}\"\n",
        include_str!("../../compat.toml")
    );
    Box::leak(Box::new(Policy::from_toml("compat.toml", &text).unwrap()))
}
