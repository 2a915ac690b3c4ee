//! The node API over real loopback gRPC: compat's interceptor refuses agents outside
//! SPIRE's window, the send guard picks the bundle's form an agent can read, and an agent
//! refuses to call an RPC its server predates.

use std::net::SocketAddr;
use std::time::Duration;

use compat_runtime::tonic::{ServerInterceptor, refusal};
use compat_runtime::{Endpoint, Policy};
use spire_grpc::node::attest_response::Bundle;
use spire_grpc::node::{AttestRequest, AttestationData, FetchJwtSvidRequest};
use spire_grpc::{Agent, BUNDLE_URL, policy, serve};
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
        &Endpoint::new(policy, "agent", version, &[]).unwrap(),
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
    assert_eq!(
        answer.svid.unwrap().spiffe_id,
        "spiffe://example.org/agent/join_token"
    );

    // An 0.8 agent does not know the oneof's `url` member: the guard sends the PEM.
    let mut old = agent(policy(), addr, "0.8.4").await;
    let answer = tokio::time::timeout(WAIT, old.attest(request()))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(answer.bundle, Some(Bundle::Pem(_))), "{answer:?}");
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

/// SPIRE's agents are never newer than their server, so no agent meets a server that
/// lacks a method it knows; a policy that lets clients be one minor newer shows the client
/// side of an RPC's `@since`.
#[tokio::test]
async fn an_agent_refuses_to_call_an_rpc_its_server_predates() {
    let lenient: &'static Policy = Box::leak(Box::new(
        Policy::from_toml(
            "compat.toml",
            "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"1 minor\"\nolder = \"1 minor\"\n",
        )
        .unwrap(),
    ));
    let addr = server(lenient, "0.8.5").await;
    let mut newer = agent(lenient, addr, "0.9.3").await;
    tokio::time::timeout(WAIT, newer.attest(request()))
        .await
        .unwrap()
        .unwrap();
    let status = newer
        .fetch_jwt_svid(FetchJwtSvidRequest {
            audience: vec!["db".into()],
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert!(
        status
            .message()
            .contains("arrived in 0.9.0 and server 0.8.5 does not have it"),
        "{}",
        status.message()
    );

    let addr = server(lenient, "0.9.3").await;
    let mut same = agent(lenient, addr, "0.9.3").await;
    tokio::time::timeout(WAIT, same.attest(request()))
        .await
        .unwrap()
        .unwrap();
    let token = same
        .fetch_jwt_svid(FetchJwtSvidRequest {
            audience: vec!["db".into()],
        })
        .await
        .unwrap();
    assert_eq!(token.token, "jwt-for-db");
}
