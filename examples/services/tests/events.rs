//! The tracing events of the layers, with their structured fields, once per peer.
//!
//! Alone in its test binary: tracing caches per call site whether anyone listens, and a
//! test without a subscriber running beside this one could settle that before this one's
//! subscriber is in place.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Captured, ours};
use compat_runtime::census::Census;
use spire_services::endpoint;
use spire_services::http::{Agent, server};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(20);

async fn start(census: &Census) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server("0.9.3", census.clone()).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn verdicts_are_reported_with_structured_fields_once_per_peer() {
    let (captured, _default) = Captured::install();

    let census = Census::new();
    let addr = start(&census).await;
    for (version, times) in [("0.9.4", 3), ("0.8.4", 3), ("0.9.2", 2)] {
        let agent = Agent::new(endpoint("agent", version).unwrap(), addr);
        for _ in 0..times {
            let _ = tokio::time::timeout(WAIT, agent.get("/bundle"))
                .await
                .unwrap();
        }
    }

    let log = captured.log();
    let ours = ours(&log);
    let about = |version: &str| -> Vec<&str> {
        let field = format!("peer_version=\"{version}\"");
        ours.iter()
            .copied()
            .filter(|line| line.contains(&field) && line.contains("local=\"server@0.9.3\""))
            .collect()
    };
    let refused = about("0.9.4");
    assert_eq!(refused.len(), 1, "{log}");
    for field in [
        "WARN",
        "via=\"http\"",
        "component=\"agent\"",
        "outcome=\"refused\"",
        "kind=\"too new\"",
        "origin=\"compat.toml:20:1\"",
        "repeated=0",
        "compat: refused by server 0.9.3: agent 0.9.4 is too new",
    ] {
        assert!(refused[0].contains(field), "{field} in {}", refused[0]);
    }
    let warned = about("0.8.4");
    assert_eq!(warned.len(), 1, "{log}");
    for field in [
        "INFO",
        "outcome=\"near edge\"",
        "refused_from=\"0.10.0\"",
        "compat: agent 0.8.4 will be refused by server from 0.10.0 on",
    ] {
        assert!(warned[0].contains(field), "{field} in {}", warned[0]);
    }
    // The 0.8.4 agent logs the server's warning once, at warn.
    let told: Vec<&str> = ours
        .iter()
        .copied()
        .filter(|line| line.contains("local=\"agent@0.8.4\"") && line.contains("the server warns"))
        .collect();
    assert_eq!(told.len(), 1, "{log}");
    assert!(
        told[0].contains("WARN") && told[0].contains("server=\"server@0.9.3\""),
        "{}",
        told[0]
    );
    let accepted = about("0.9.2");
    assert_eq!(accepted.len(), 1, "{log}");
    assert!(accepted[0].contains("DEBUG") && accepted[0].contains("outcome=\"accepted\""));
    // The counts are exact even where the events are held back.
    assert_eq!(census.snapshot().get("agent@0.9.4").unwrap().refused, 3);
}
