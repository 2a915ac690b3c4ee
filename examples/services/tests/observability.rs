//! What operators see: the census of a TCP listener, and the tracing events of the layers.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use compat_runtime::census::Census;
use compat_runtime::tokio::{accept_counted, connect};
use spire_services::endpoint;
use spire_services::http::{Agent, server};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_tcp_listener_counts_every_handshake_in_the_census() {
    let census = Census::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (done, mut finished) = tokio::sync::mpsc::unbounded_channel();
    let server = endpoint("server", "0.9.3").unwrap();
    let counted = census.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (server, census, done) = (server.clone(), counted.clone(), done.clone());
            tokio::spawn(async move {
                let timeout = Duration::from_millis(300);
                let _ = accept_counted(&mut socket, &server, timeout, &census).await;
                done.send(()).unwrap();
            });
        }
    });

    for version in ["0.9.2", "0.8.4", "0.9.4"] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let agent = endpoint("agent", version).unwrap();
        let _ = tokio::time::timeout(WAIT, connect(&mut stream, &agent, WAIT)).await;
    }
    // Garbage, then a peer that sends nothing until the server gives up.
    let mut garbage = TcpStream::connect(addr).await.unwrap();
    garbage.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    let _silent = TcpStream::connect(addr).await.unwrap();
    for _ in 0..5 {
        tokio::time::timeout(WAIT, finished.recv())
            .await
            .expect("every handshake ends in time");
    }

    let snapshot = census.snapshot();
    assert_eq!(snapshot.get("agent@0.9.2").unwrap().accepted, 1);
    assert_eq!(snapshot.get("agent@0.8.4").unwrap().near_edge, 1);
    assert_eq!(snapshot.get("agent@0.9.4").unwrap().refused, 1);
    assert_eq!(snapshot.get("(unidentified)").unwrap().refused, 2);
}

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn start(census: &Census) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server("0.9.3", census.clone()).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn verdicts_are_reported_with_structured_fields_once_per_peer() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);

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

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let ours: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("compat_runtime"))
        .collect();
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
    let accepted = about("0.9.2");
    assert_eq!(accepted.len(), 1, "{log}");
    assert!(accepted[0].contains("DEBUG") && accepted[0].contains("outcome=\"accepted\""));
    // The counts are exact even where the events are held back.
    assert_eq!(census.snapshot().get("agent@0.9.4").unwrap().refused, 3);
}
