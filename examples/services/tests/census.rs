//! The census of a TCP listener: every handshake counted, by peer and outcome.

use std::time::Duration;

use compat_runtime::census::Census;
use compat_runtime::tokio::{accept_counted, connect};
use spire_services::endpoint;
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
