//! The SPIRE service over real loopback sockets: who gets in, who is refused and what each
//! end is told, the send guard on the reply, and the first request riding behind the hello.

mod common;

use std::time::Duration;

use common::{end, next, server, server_with, stricter};
use compat_runtime::handshake::{Frame, Hello, RefusedKind};
use compat_runtime::tokio::{HandshakeError, connect};
use compat_runtime::{RefusalKind, fingerprint};
use spire_protocol::service::{self, AgentError, Event, Incoming, REVISION};
use spire_protocol::{RELEASES, ServerMessage, VERSION, messages, policy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn refused_by_server(result: Result<impl std::fmt::Debug, AgentError>) -> compat_runtime::Refused {
    match result {
        Err(AgentError::Handshake(HandshakeError::RefusedByPeer(refused))) => refused,
        other => panic!("expected the server's refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_agent_inside_the_window_gets_in_and_gets_its_reply() {
    let (addr, mut events) = server().await;
    let (session, reply) =
        service::attest(addr, &end("agent", "0.9.2"), "node-1", service::TIMEOUT)
            .await
            .unwrap();
    assert_eq!(session.peer_component(), "server");
    assert_eq!(session.peer_version().to_string(), VERSION);
    let ServerMessage::Update(update) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(update.entries_revision, REVISION);
    assert!(
        update
            .svids
            .contains_key("spiffe://example.org/agent/node-1")
    );
    match next(&mut events).await {
        Event::Admitted {
            peer,
            rule,
            notice,
            guarded,
        } => {
            assert_eq!(peer, "agent@0.9.2");
            assert_eq!(
                rule.as_deref(),
                Some(
                    "agent may be up to one minor release older than server, never newer (compat.toml:20:1)"
                )
            );
            assert!(notice.is_none() && guarded.is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_agent_newer_than_the_server_is_refused_and_both_ends_read_the_same_reason() {
    let (addr, mut events) = server().await;
    let told = refused_by_server(
        service::attest(addr, &end("agent", "0.9.4"), "node-1", service::TIMEOUT).await,
    );
    assert_eq!(told.kind(), RefusedKind::Policy(RefusalKind::TooNew));
    assert_eq!(told.by(), "server@0.9.3");
    assert_eq!(
        told.to_string(),
        "refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3: agent may be up to one \
         minor release older than server, never newer (compat.toml:20:1); note: \"SPIRE agents \
         must not be newer than the oldest SPIRE server that they communicate with\"; to fix, \
         upgrade server from 0.9.3 to 0.9.4 or later, below 0.11.0, or downgrade agent from 0.9.4 \
         to 0.8.0 through 0.9.3"
    );
    match next(&mut events).await {
        Event::Refused(logged) => assert_eq!(logged, told),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_agent_too_old_is_refused_with_the_way_out() {
    let (addr, mut events) = server().await;
    let told = refused_by_server(
        service::attest(addr, &end("agent", "0.7.9"), "node-1", service::TIMEOUT).await,
    );
    assert_eq!(told.kind(), RefusedKind::Policy(RefusalKind::TooOld));
    assert_eq!(
        told.remedy(),
        Some(
            "upgrade agent from 0.7.9 to 0.8.0 through 0.9.3 (one step reaches 0.8.0 or later, \
             below 0.9.0; `max-jump` allows steps of at most one minor release), or downgrade \
             server from 0.9.3 to 0.7.9 or later, below 0.9.0 (one step reaches 0.8.0 or later, \
             below 0.9.0; `max-jump` allows steps of at most one minor release)"
        )
    );
    assert!(matches!(next(&mut events).await, Event::Refused(_)));
}

#[tokio::test]
async fn an_agent_at_the_edge_is_warned_on_both_ends_and_the_guard_keeps_what_it_cannot_read() {
    let (addr, mut events) = server().await;
    let (session, reply) =
        service::attest(addr, &end("agent", "0.8.4"), "node-1", service::TIMEOUT)
            .await
            .unwrap();
    let warned = session
        .notice_from_peer()
        .expect("the server warns the agent")
        .clone();
    assert_eq!(
        warned.to_string(),
        "agent 0.8.4 will be refused by server from 0.10.0 on (too old: agent may be up to one \
         minor release older than server, never newer, compat.toml:20:1); upgrade agent from \
         0.8.4 to 0.9.0 through 0.9.3 before upgrading server to 0.10.0"
    );
    // `entries_revision` arrived in 0.9.2: a 0.8.4 agent would drop it unread.
    let ServerMessage::Update(update) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(update.entries_revision, 0);
    match next(&mut events).await {
        Event::Admitted {
            notice, guarded, ..
        } => {
            assert_eq!(notice, Some(warned));
            assert_eq!(
                guarded.as_deref(),
                Some(
                    "cannot send `ServerMessage` to agent 0.8.4: field `entries_revision` of \
                     `SvidUpdate` arrived in 0.9.2 and agent 0.8.4 does not know it, so its value \
                     would be lost; leave it at its default for this peer, mark it \
                     `#[compat(ignorable)]` if it may be dropped, or upgrade agent to 0.9.2 or later"
                )
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_patched_build_claiming_the_release_is_refused_by_its_fingerprint() {
    let (addr, mut events) = server().await;
    let own = fingerprint::of(messages());
    let patched = end("agent", VERSION).with_fingerprint(own ^ 1);
    let told = refused_by_server(service::attest(addr, &patched, "node-1", service::TIMEOUT).await);
    assert_eq!(told.kind(), RefusedKind::FingerprintMismatch);
    assert!(
        told.reason()
            .starts_with("agent 0.9.3 claims release 0.9.3 but carries other message tables")
    );
    assert!(matches!(next(&mut events).await, Event::Refused(_)));
}

#[test]
fn the_recorded_release_has_the_fingerprint_the_build_announces() {
    // The build script compiles RELEASES from the fingerprints compat.lock recorded; the
    // handshake computes the build's own from the compiled tables: they agree.
    let recorded = RELEASES
        .iter()
        .find(|r| r.version == VERSION)
        .expect("compat.lock records this release");
    assert_eq!(recorded.fingerprint, fingerprint::of(messages()));
}

#[tokio::test]
async fn an_unknown_component_is_refused_and_told_what_the_policy_knows() {
    let (addr, mut events) = server().await;
    let web = end("agent", "0.9.3").with_component("web");
    let told = refused_by_server(service::attest(addr, &web, "node-1", service::TIMEOUT).await);
    assert_eq!(
        told.kind(),
        RefusedKind::Policy(RefusalKind::UnknownComponent)
    );
    assert!(
        told.reason()
            .starts_with("unknown component `web`: the policy knows `server`, `agent`")
    );
    assert!(matches!(next(&mut events).await, Event::Refused(_)));
}

#[tokio::test]
async fn a_peer_with_a_stricter_policy_refuses_the_server_and_the_server_hears_why() {
    // A cluster member still at 0.8.9 admits a 0.9.3 server (one minor apart); the 0.9.3
    // server's policy raised the floor to 0.9.0 and refuses the old one.
    let (addr, mut events) = server_with(policy(), "0.8.9", service::TIMEOUT).await;
    let new_server =
        compat_runtime::Endpoint::new(stricter("0.9.0"), "server", "0.9.3", messages()).unwrap();
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let refused = match connect(&mut socket, &new_server, service::TIMEOUT).await {
        Err(HandshakeError::Refused(refused)) => refused,
        other => panic!("{other:?}"),
    };
    assert_eq!(refused.by(), "server@0.9.3");
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::BelowFloor));
    match next(&mut events).await {
        Event::RefusedByPeer(heard) => assert_eq!(heard, refused),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_first_request_rides_behind_the_hello_with_no_round_trip_between() {
    let (addr, mut events) = server().await;
    let agent = end("agent", "0.9.3");
    let request =
        br#"{"attestation_data":{"type":"join_token","data":[110]},"csr":[48],"response":null}"#;
    // Everything the agent sends, in one write, before it has read a byte.
    let mut bytes = Frame::Hello(agent.hello().clone()).to_bytes();
    service::frame_into(request, &mut bytes);
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(&bytes).await.unwrap();
    // The server answers with its accept, then the reply.
    let mut answer = Vec::new();
    let (frame, used) = loop {
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "the server closed early");
        answer.extend_from_slice(&chunk[..n]);
        if let Some(done) = Frame::decode(&answer).unwrap() {
            break done;
        }
    };
    assert!(matches!(frame, Frame::Accept(ref hello, None) if hello.version() == VERSION));
    // What came with the accept, then the rest of the stream.
    let mut reader = (&answer[used..]).chain(socket);
    let Ok(Incoming::Request(reply)) = service::read_request(&mut reader).await else {
        panic!("a reply follows the accept")
    };
    let reply: ServerMessage = serde_json::from_slice(&reply).unwrap();
    assert!(matches!(reply, ServerMessage::Update(_)));
    assert!(matches!(next(&mut events).await, Event::Admitted { .. }));
}

#[tokio::test]
async fn a_client_can_be_told_apart_by_the_hello_it_sends() {
    // The hello's version can be set for a demo or a test; the compiled one is the default.
    assert_eq!(
        end("agent", VERSION).hello(),
        &Hello::new("agent", VERSION, fingerprint::of(messages()))
    );
    assert_eq!(end("agent", "0.8.0").hello().version(), "0.8.0");
}

#[test]
fn the_demo_prints_who_got_in_and_why_and_what_the_refused_were_told() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_service-demo"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    for line in [
        "agent 0.9.2:\n  agent: in, talking to server 0.9.3\n  agent: got 1 svid(s), entries revision 42\n  server: admitted agent@0.9.2: agent may be up to one minor release older than server, never newer (compat.toml:20:1)",
        "  agent: the server warns: agent 0.8.4 will be refused by server from 0.10.0 on",
        "  agent: got 1 svid(s), entries revision 0",
        "  server: send guard: cannot send `ServerMessage` to agent 0.8.4: field `entries_revision` of `SvidUpdate` arrived in 0.9.2",
        "agent 0.9.4:\n  agent: refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3",
        "agent 0.7.9:\n  agent: refused by server 0.9.3: agent 0.7.9 is too old for server 0.9.3",
        "agent 0.9.3 (patched build):\n  agent: refused by server 0.9.3: agent 0.9.3 claims release 0.9.3 but carries other message tables",
        "web 0.9.3:\n  agent: refused by server 0.9.3: unknown component `web`",
        "  old server: was refused by server 0.9.3: server 0.8.9 is below the minimum supported version",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

#[tokio::test]
async fn the_handshake_runs_over_any_async_stream_not_only_tcp() {
    let (client, server) = tokio::io::duplex(4096);
    let serving = tokio::spawn(async move {
        service::handle(server, &end("server", VERSION), service::TIMEOUT).await
    });
    let mut client = tokio::io::BufReader::new(client);
    let request =
        br#"{"attestation_data":{"type":"join_token","data":[110]},"csr":[48],"response":null}"#;
    let mut framed = Vec::new();
    service::frame_into(request, &mut framed);
    let session = compat_runtime::tokio::connect_with(
        &mut client,
        &end("agent", "0.9.1"),
        &framed,
        service::TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(session.peer_version().to_string(), VERSION);
    let Ok(Incoming::Request(reply)) = service::read_request(&mut client).await else {
        panic!("a reply follows the accept")
    };
    assert!(matches!(
        serde_json::from_slice::<ServerMessage>(&reply).unwrap(),
        ServerMessage::Update(_)
    ));
    assert!(matches!(serving.await.unwrap(), Event::Admitted { .. }));
}
