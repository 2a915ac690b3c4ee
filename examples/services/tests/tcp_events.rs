//! A TCP listener's report of handshakes it refused for their bytes: each peer told is
//! counted and reported as refused, with the kind it read; a peer that hung up inside its
//! hello was told nothing and is neither.
//!
//! Alone in its test binary: tracing caches per call site whether anyone listens, and a
//! test without a subscriber running beside this one could settle that before this one's
//! subscriber is in place.

mod common;

use std::time::Duration;

use common::{Captured, ours};
use compat_runtime::census::{Census, UNIDENTIFIED};
use compat_runtime::handshake::{Frame, RefusedKind};
use compat_runtime::tokio::{HandshakeError, accept_counted};
use spire_services::endpoint;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const WAIT: Duration = Duration::from_secs(20);

/// Connects, writes `bytes` (then hangs up when `hang_up`), and returns what the server
/// wrote back and the server's own verdict.
async fn one_connection(
    listener: &TcpListener,
    census: &Census,
    bytes: &[u8],
    hang_up: bool,
) -> (Vec<u8>, Result<compat_runtime::Session, HandshakeError>) {
    let addr = listener.local_addr().unwrap();
    let server = endpoint("server", "0.9.3").unwrap();
    let client = async {
        let mut socket = TcpStream::connect(addr).await.unwrap();
        socket.write_all(bytes).await.unwrap();
        let mut answer = Vec::new();
        if !hang_up {
            socket.read_to_end(&mut answer).await.unwrap();
        }
        answer
    };
    let serving = async {
        let (mut socket, _) = listener.accept().await.unwrap();
        accept_counted(&mut socket, &server, Duration::from_secs(5), census).await
    };
    tokio::time::timeout(WAIT, async { tokio::join!(client, serving) })
        .await
        .expect("the handshake ends in time")
}

#[tokio::test]
async fn refusals_of_unreadable_hellos_are_counted_and_reported_as_refusals() {
    let (captured, _default) = Captured::install();
    let census = Census::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();

    // A hello whose only field runs past the body.
    let (answer, verdict) = one_connection(
        &listener,
        &census,
        b"CMPT\x01\x01\x00\x04\x01\x00\x09a",
        false,
    )
    .await;
    let Some((Frame::Refusal(told), _)) = Frame::decode(&answer).unwrap() else {
        panic!("the peer reads a refusal: {answer:?}")
    };
    assert_eq!(told.kind(), RefusedKind::BadHello);
    match verdict {
        Err(HandshakeError::Refused(refused)) => assert_eq!(refused, told),
        other => panic!("the server's error is the refusal it sent: {other:?}"),
    }
    // Half a hello, then the peer hangs up: nothing was refused, nothing is counted.
    let hello = Frame::Hello(endpoint("agent", "0.9.2").unwrap().hello().clone()).to_bytes();
    let (_, verdict) = one_connection(&listener, &census, &hello[..12], true).await;
    assert!(
        matches!(verdict, Err(HandshakeError::Hello(_))),
        "{verdict:?}"
    );

    let counts = census.snapshot().get(UNIDENTIFIED).unwrap();
    assert_eq!((counts.accepted, counts.refused), (0, 1));
    let log = captured.log();
    let ours = ours(&log);
    assert_eq!(ours.len(), 1, "{log}");
    for field in [
        "WARN",
        "via=\"tcp\"",
        "local=\"server@0.9.3\"",
        "outcome=\"refused\"",
        "kind=\"bad hello\"",
        "compat: refused by server 0.9.3: malformed handshake frame: field 0x01 declares 9 bytes",
    ] {
        assert!(ours[0].contains(field), "{field} in {}", ours[0]);
    }
}
