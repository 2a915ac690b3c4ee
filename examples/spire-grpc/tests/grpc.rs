//! The node API over real loopback gRPC: compat's interceptor refuses agents outside
//! SPIRE's window, the send guard picks the bundle's form an agent can read, and an agent
//! refuses to call an RPC its server predates.

use std::net::SocketAddr;
use std::time::Duration;

use compat_runtime::tonic::{ServerInterceptor, refusal, unknown_method};
use compat_runtime::{Endpoint, Policy};
use spire_grpc::node::attest_response::Bundle;
use spire_grpc::node::{AttestRequest, AttestationData, FetchJwtSvidRequest};
use spire_grpc::{Agent, BUNDLE_URL, ISSUED_AT, policy, serve};
use tonic::transport::Channel;

const WAIT: Duration = Duration::from_secs(10);

async fn server(policy: &'static Policy, version: &str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let interceptor =
        ServerInterceptor::new(Endpoint::new(policy, "server", version, &[]).unwrap());
    tokio::spawn(serve(listener, interceptor));
    addr
}

async fn agent(policy: &'static Policy, addr: SocketAddr, version: &str) -> Agent {
    let channel = tokio::time::timeout(
        WAIT,
        Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect(),
    )
    .await
    .expect("connects in time")
    .unwrap();
    Agent::new(
        channel,
        Endpoint::new(policy, "agent", version, &[]).unwrap(),
    )
}

fn request() -> AttestRequest {
    AttestRequest {
        attestation_data: Some(AttestationData {
            r#type: "join_token".into(),
            payload: vec![1],
        }),
        ..AttestRequest::default()
    }
}

#[tokio::test]
async fn an_agent_inside_the_window_gets_the_bundle_it_can_read() {
    let addr = server(policy(), "0.9.3").await;
    let mut current = agent(policy(), addr, "0.9.3").await;
    let answer = tokio::time::timeout(WAIT, current.attest(request()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.bundle, Some(Bundle::Url(BUNDLE_URL.into())));
    let svid = answer.svid.unwrap();
    assert_eq!(svid.spiffe_id, "spiffe://example.org/agent/join_token");
    assert_eq!(svid.issued_at.map(|t| t.seconds), Some(ISSUED_AT));

    // An 0.8 agent does not know the oneof's `url` member: the guard sends the PEM.
    let mut old = agent(policy(), addr, "0.8.4").await;
    let answer = tokio::time::timeout(WAIT, old.attest(request()))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(answer.bundle, Some(Bundle::Pem(_))), "{answer:?}");
    // Nor `issued_at` (`@since 0.9.0 @ignorable`): cleared, not refused.
    assert_eq!(answer.svid.unwrap().issued_at, None);
}

#[tokio::test]
async fn agents_outside_the_window_are_refused_with_the_rule() {
    let addr = server(policy(), "0.9.3").await;
    for (version, kind) in [("0.7.9", "too old"), ("0.9.4", "too new")] {
        let mut outside = agent(policy(), addr, version).await;
        let status = tokio::time::timeout(WAIT, outside.attest(request()))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
        let refused = refusal(&status).expect("the refusal travels in metadata");
        assert_eq!(refused.kind().as_str(), kind);
        assert_eq!(refused.subject(), format!("agent@{version}"));
    }
}

/// A policy that lets agents be one minor newer than their server: SPIRE's agents never
/// are, so no agent meets a server that lacks a method it knows; this one shows the client
/// side of an RPC's `@since`.
fn lenient() -> &'static Policy {
    Box::leak(Box::new(
        Policy::from_toml(
            "compat.toml",
            "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"1 minor\"\nolder = \"1 minor\"\n",
        )
        .unwrap(),
    ))
}

fn jwt() -> FetchJwtSvidRequest {
    FetchJwtSvidRequest {
        audience: vec!["db".into()],
    }
}

/// Once an answer has named the server (0.8.5), compat's client layer refuses `FetchJwtSvid`
/// (`@since 0.9.0`) itself: the status says which method, which release brings it and what
/// to upgrade, in its message and metadata, and the server never sees the call.
#[tokio::test]
async fn an_agent_refuses_to_call_an_rpc_its_server_predates() {
    let policy = lenient();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let interceptor =
        ServerInterceptor::new(Endpoint::new(policy, "server", "0.8.5", &[]).unwrap());
    let census = interceptor.census().clone();
    tokio::spawn(serve(listener, interceptor));
    let mut newer = agent(policy, addr, "0.9.3").await;
    tokio::time::timeout(WAIT, newer.attest(request()))
        .await
        .unwrap()
        .unwrap();
    let seen = census.snapshot().total().accepted;
    assert_eq!(seen, 1, "the census counts calls");

    let status = tokio::time::timeout(WAIT, newer.fetch_jwt_svid(jwt()))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert_eq!(
        status.message(),
        "`/spire.api.node.v1.Node/FetchJwtSvid` arrived in 0.9.0 and server 0.8.5 does not have it \
         (it would answer UNIMPLEMENTED); do not call it on this peer, or upgrade server to 0.9.0 or later"
    );
    let metadata = status.metadata();
    assert_eq!(metadata.get("compat-peer").unwrap(), "server@0.8.5");
    assert_eq!(
        metadata.get("compat-method").unwrap(),
        "/spire.api.node.v1.Node/FetchJwtSvid"
    );
    assert_eq!(metadata.get("compat-since").unwrap(), "0.9.0");
    let refused = unknown_method(&status).expect("the refusal is the status's source");
    assert_eq!(refused.method().since, "0.9.0");
    assert_eq!(refused.server_version().to_string(), "0.8.5");
    assert!(refusal(&status).is_none(), "no peer was refused");
    // Nothing went out: the server's interceptor saw the Attest call only.
    assert_eq!(census.snapshot().total().accepted, seen);

    // A server that has the method answers it.
    let addr = server(policy, "0.9.3").await;
    let mut same = agent(policy, addr, "0.9.3").await;
    tokio::time::timeout(WAIT, same.attest(request()))
        .await
        .unwrap()
        .unwrap();
    let token = tokio::time::timeout(WAIT, same.fetch_jwt_svid(jwt()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.token, "jwt-for-db");
}

/// Before any answer has named the server, the first call to a method it lacks goes out; its
/// `UNIMPLEMENTED` answer, from a server that predates the method, comes back as the same
/// refusal. The server here really lacks the method: it names itself 0.8.5 on every answer
/// and serves no method at all, so tonic answers `UNIMPLEMENTED`.
#[tokio::test]
async fn a_first_call_answered_unimplemented_gets_the_same_refusal() {
    let policy = lenient();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let interceptor =
        ServerInterceptor::new(Endpoint::new(policy, "server", "0.8.5", &[]).unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .layer(interceptor.identity_layer())
            .add_routes(tonic::service::Routes::default())
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    let mut newer = agent(policy, addr, "0.9.3").await;
    let status = tokio::time::timeout(WAIT, newer.fetch_jwt_svid(jwt()))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert!(
        status
            .message()
            .contains("arrived in 0.9.0 and server 0.8.5 does not have it"),
        "{}",
        status.message()
    );
    assert!(unknown_method(&status).is_some());
}
