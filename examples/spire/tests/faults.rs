//! Hostile and broken peers against the SPIRE server, over real loopback sockets: each gets
//! a clear refusal or error on both ends, nothing panics, and nothing is held afterwards.

mod common;

use std::time::Duration;

use common::{end, next, server, server_with};
use compat_runtime::handshake::{Frame, RefusedKind};
use compat_runtime::tokio::{HandshakeError, connect};
use spire_protocol::service::{self, Event};
use spire_protocol::{VERSION, policy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(300);

/// Everything the server writes until it closes, decoded as one handshake frame.
async fn answer(socket: &mut TcpStream) -> Frame {
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut bytes))
        .await
        .expect("the server closes the connection")
        .expect("the read succeeds");
    let (frame, used) = Frame::decode(&bytes)
        .expect("the server answers with a frame")
        .expect("a complete frame");
    assert_eq!(used, bytes.len(), "nothing follows a refusal");
    frame
}

fn refusal(frame: Frame) -> compat_runtime::Refused {
    match frame {
        Frame::Refusal(refused) => refused,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn failed(event: Event) -> String {
    match event {
        Event::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// The refusal the server reports: the one it sent, whether for the peer's version, its
/// bytes or its silence.
fn refused(event: Event) -> compat_runtime::Refused {
    match event {
        Event::Refused(refused) => refused,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_peer_that_sends_nothing_is_cut_off_at_the_timeout_and_told() {
    let (addr, mut events) = server_with(policy(), VERSION, SHORT).await;
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let told = refusal(answer(&mut socket).await);
    assert_eq!(told.kind(), RefusedKind::Timeout);
    assert_eq!(
        told.to_string(),
        "refused by server 0.9.3: no complete hello arrived within 300 ms; to fix, send the hello \
         first, as soon as the connection opens"
    );
    // Reported as what it was: a refusal, the one the peer read.
    assert_eq!(refused(next(&mut events).await), told);
    // The connection's task is gone, and with it its buffer and socket.
    assert!(
        tasks_settle_at(tasks).await,
        "the connection's task is still alive"
    );
}

#[tokio::test]
async fn a_peer_sending_a_byte_at_a_time_still_gets_in() {
    let (addr, mut events) = server().await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.set_nodelay(true).unwrap();
    for byte in Frame::Hello(end("agent", "0.9.2").hello().clone()).to_bytes() {
        socket.write_all(&[byte]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    socket.shutdown().await.unwrap();
    let mut bytes = Vec::new();
    socket.read_to_end(&mut bytes).await.unwrap();
    let (frame, _) = Frame::decode(&bytes).unwrap().unwrap();
    assert!(matches!(frame, Frame::Accept(..)), "{frame:?}");
    assert!(matches!(next(&mut events).await, Event::Admitted { .. }));
}

#[tokio::test]
async fn a_trickle_slower_than_the_timeout_is_cut_off() {
    let (addr, mut events) = server_with(policy(), VERSION, SHORT).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.set_nodelay(true).unwrap();
    let hello = Frame::Hello(end("agent", "0.9.2").hello().clone()).to_bytes();
    for byte in &hello[..4] {
        socket.write_all(&[*byte]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let told = refusal(answer(&mut socket).await);
    assert_eq!(told.kind(), RefusedKind::Timeout);
    assert_eq!(refused(next(&mut events).await), told);
}

/// What a server says to a peer that opens with `bytes`, once it has checked that it
/// reported the same refusal (not a failure: the peer was told).
async fn refusal_of(bytes: &[u8]) -> compat_runtime::Refused {
    let (addr, mut events) = server().await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.write_all(bytes).await.unwrap();
    let told = refusal(answer(&mut socket).await);
    assert_eq!(refused(next(&mut events).await), told);
    told
}

#[tokio::test]
async fn an_oversize_hello_is_refused_on_both_ends_before_its_body_is_read() {
    let told = refusal_of(b"CMPT\x01\x01\xff\xff").await;
    assert_eq!(told.kind(), RefusedKind::BadHello);
    assert_eq!(
        told.reason(),
        "the peer's handshake frame declares 65535 bytes; at most 4096 are accepted"
    );
}

#[tokio::test]
async fn garbage_bytes_get_a_refusal_that_shows_them() {
    let told = refusal_of(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(told.kind(), RefusedKind::BadHello);
    assert!(
        told.reason().starts_with(
            "the peer did not open with a compat hello: its first bytes are 47 45 54 20"
        )
    );
    assert!(told.reason().contains("(`GET / HT`)"), "{told}");
}

#[tokio::test]
async fn a_hello_of_a_future_layout_is_refused_with_both_layouts() {
    let told = refusal_of(b"CMPT\x07\x01\x00\x04\x01\x00\x01a").await;
    assert_eq!(told.kind(), RefusedKind::Layout);
    assert!(
        told.reason()
            .contains("layout 7, and this build reads layout 1"),
        "{told}"
    );
}

#[tokio::test]
async fn a_malformed_hello_body_is_reported_as_the_refusal_the_peer_read() {
    // A field that declares more bytes than the body holds.
    let told = refusal_of(b"CMPT\x01\x01\x00\x04\x01\x00\x09a").await;
    assert_eq!(told.kind(), RefusedKind::BadHello);
    assert_eq!(
        told.reason(),
        "malformed handshake frame: field 0x01 declares 9 bytes but only 1 remain"
    );
}

#[tokio::test]
async fn a_peer_that_disconnects_mid_hello_is_reported_not_panicked_on() {
    let (addr, mut events) = server().await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let hello = Frame::Hello(end("agent", "0.9.2").hello().clone()).to_bytes();
    socket.write_all(&hello[..12]).await.unwrap();
    drop(socket);
    assert_eq!(
        failed(next(&mut events).await),
        format!(
            "the peer closed the connection inside the handshake, after 12 of {} bytes",
            hello.len()
        )
    );
}

#[tokio::test]
async fn an_admitted_agent_whose_first_request_cannot_be_read_still_reads_its_accept_first() {
    let (addr, mut events) = server().await;
    let hello = Frame::Hello(end("agent", "0.9.2").hello().clone()).to_bytes();
    // Behind the hello, in the same write: a request that is not JSON, and one whose length
    // is over the service's limit.
    let mut not_json = hello.clone();
    service::frame_into(b"{not json", &mut not_json);
    let mut too_long = hello;
    too_long.extend_from_slice(&u32::MAX.to_be_bytes());
    for (bytes, said) in [
        (not_json, "agent@0.9.2 sent an invalid request: "),
        (
            too_long,
            "agent@0.9.2: a frame of 4294967295 bytes; at most 65536",
        ),
    ] {
        let mut socket = TcpStream::connect(addr).await.unwrap();
        socket.write_all(&bytes).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer))
            .await
            .expect("the server closes the connection")
            .expect("the read succeeds");
        // The verdict first, then the end of the stream: admitted, not refused.
        let (frame, used) = Frame::decode(&answer).unwrap().expect("a whole frame");
        assert!(matches!(frame, Frame::Accept(..)), "{frame:?}");
        assert_eq!(used, answer.len(), "nothing follows the accept");
        assert!(failed(next(&mut events).await).starts_with(said));
    }
}

/// A server that accepts one connection and never answers on it; abort the task when done.
async fn silent_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(socket);
    });
    (addr, held)
}

#[tokio::test]
async fn a_server_that_never_answers_times_the_client_out() {
    let (addr, held) = silent_server().await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    match connect(&mut socket, &end("agent", "0.9.2"), SHORT).await {
        Err(e @ HandshakeError::Timeout(_)) => assert_eq!(
            e.to_string(),
            "no complete handshake within 300 ms; the peer sent nothing or too slowly"
        ),
        other => panic!("{other:?}"),
    }
    held.abort();
}

#[tokio::test]
async fn an_agent_waits_for_a_silent_server_no_longer_than_its_one_deadline() {
    let (addr, held) = silent_server().await;
    let started = std::time::Instant::now();
    match service::attest(addr, &end("agent", "0.9.2"), "node-1", SHORT).await {
        Err(service::AgentError::Handshake(e @ HandshakeError::Timeout(_))) => {
            assert!(
                e.to_string().starts_with("no complete handshake within 2"),
                "{e}"
            );
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a silent server admitted the agent"),
    }
    // Connect, handshake and reply share the deadline: the wait is the timeout, not more.
    assert!(started.elapsed() < SHORT + Duration::from_millis(200));
    held.abort();
}

#[tokio::test]
async fn a_server_that_is_not_compat_is_reported_by_the_client() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let mut socket = TcpStream::connect(addr).await.unwrap();
    match connect(&mut socket, &end("agent", "0.9.2"), SHORT).await {
        Err(HandshakeError::Hello(e)) => {
            assert!(
                e.to_string()
                    .starts_with("the peer did not open with a compat hello"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Whether the runtime's live tasks come down to `count` within two seconds (a task that
/// has sent its last report may take a moment to be dropped).
async fn tasks_settle_at(count: usize) -> bool {
    for _ in 0..200 {
        if tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
            <= count
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// The process's peak resident memory, in KiB (Linux).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_at_once_each_get_the_right_verdict() {
    const N: usize = 1000;
    let peak_before = peak_kib();
    let (addr, mut events) = server().await;
    let tasks_before = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let mut agents = Vec::with_capacity(N);
    for i in 0..N {
        // Even agents are inside the window, odd ones are newer than the server.
        let version = if i % 2 == 0 { "0.9.2" } else { "0.9.4" };
        agents.push(tokio::spawn(async move {
            let endpoint = end("agent", version);
            let node = format!("node-{i}");
            let outcome = service::attest(addr, &endpoint, &node, Duration::from_secs(30)).await;
            (i, outcome.map(|(_, reply)| reply))
        }));
    }
    let (mut admitted, mut refused) = (0, 0);
    for agent in agents {
        let (i, outcome) = agent.await.unwrap();
        match outcome {
            Ok(spire_protocol::ServerMessage::Update(update)) => {
                assert_eq!(i % 2, 0, "agent {i} was admitted");
                assert!(
                    update
                        .svids
                        .contains_key(&format!("spiffe://example.org/agent/node-{i}"))
                );
                admitted += 1;
            }
            Err(service::AgentError::Handshake(HandshakeError::RefusedByPeer(r))) => {
                assert_eq!(i % 2, 1, "agent {i} was refused: {r}");
                assert_eq!(r.subject(), "agent@0.9.4");
                refused += 1;
            }
            other => panic!("agent {i}: {other:?}"),
        }
    }
    assert_eq!((admitted, refused), (N / 2, N / 2));
    let (mut server_admitted, mut server_refused) = (0, 0);
    for _ in 0..N {
        match next(&mut events).await {
            Event::Admitted { .. } => server_admitted += 1,
            Event::Refused(_) => server_refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((server_admitted, server_refused), (N / 2, N / 2));
    // Every connection's task has ended: nothing is held once the verdicts are in.
    assert!(
        tasks_settle_at(tasks_before).await,
        "connection tasks are still alive"
    );
    // Both ends of a thousand connections at once, each with its bounded buffers, stay far
    // below this (a handshake reads at most 4104 bytes; a request at most 64 KiB).
    if let (Some(before), Some(after)) = (peak_before, peak_kib()) {
        let grown = after.saturating_sub(before);
        println!("peak memory grew by {grown} KiB for {N} connections at once");
        assert!(grown < 128 * 1024, "peak memory grew by {grown} KiB");
    }
}

#[tokio::test]
async fn a_pre_release_agent_is_refused_where_the_policy_admits_none() {
    let text = include_str!("../compat.toml").replace(
        "major-zero = \"minor-is-major\"",
        "major-zero = \"minor-is-major\"\nprerelease.with-releases = false",
    );
    let strict: &'static compat_runtime::Policy = Box::leak(Box::new(
        compat_runtime::Policy::from_toml("compat.toml", &text).unwrap(),
    ));
    let (addr, mut events) = server_with(strict, VERSION, service::TIMEOUT).await;
    let agent =
        compat_runtime::Endpoint::new(strict, "agent", "0.9.3-rc.1", spire_protocol::messages())
            .unwrap();
    match service::attest(addr, &agent, "node-1", service::TIMEOUT).await {
        Err(service::AgentError::Handshake(HandshakeError::RefusedByPeer(told))) => {
            assert_eq!(told.kind().as_str(), "pre-release");
            assert!(
                told.reason().starts_with(
                    "agent 0.9.3-rc.1 is a pre-release and may not talk to server 0.9.3"
                ),
                "{told}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(&mut events).await, Event::Refused(_)));
}

#[tokio::test]
async fn a_peer_below_the_floor_is_refused_by_the_floor() {
    let floored = common::stricter("0.9.0");
    let (addr, mut events) = server_with(floored, VERSION, service::TIMEOUT).await;
    let agent =
        compat_runtime::Endpoint::new(floored, "agent", "0.8.7", spire_protocol::messages())
            .unwrap();
    match service::attest(addr, &agent, "node-1", service::TIMEOUT).await {
        Err(service::AgentError::Handshake(HandshakeError::RefusedByPeer(told))) => {
            assert_eq!(told.kind().as_str(), "below floor");
            assert_eq!(
                told.to_string(),
                "refused by server 0.9.3: agent 0.8.7 is below the minimum supported version \
                 (talking to server 0.9.3): nothing older than 0.9.0 is supported \
                 (compat.toml:39:11); to fix, upgrade agent from 0.8.7 to 0.9.0 through 0.9.3"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(&mut events).await, Event::Refused(_)));
}
