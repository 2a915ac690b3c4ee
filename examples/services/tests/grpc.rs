//! The tonic node service behind compat's interceptor, driven over real loopback sockets.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use compat_runtime::Session;
use compat_runtime::census::Census;
use compat_runtime::tonic::{ClientInterceptor, ServerInterceptor, refusal};
use compat_runtime::tower::CompatClientLayer;
use spire_protocol::{RenewSvidRequest, ServerMessage};
use spire_services::endpoint;
use spire_services::grpc::{NodeClient, NodeServer, interceptor, serve};
use tonic::metadata::AsciiMetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tower::Layer;

const WAIT: Duration = Duration::from_secs(20);

async fn start(interceptor: ServerInterceptor) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, interceptor));
    addr
}

async fn spire_server(census: &Census) -> SocketAddr {
    start(interceptor("0.9.3", census.clone()).unwrap()).await
}

async fn channel(addr: SocketAddr) -> Channel {
    tokio::time::timeout(
        WAIT,
        Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect(),
    )
    .await
    .expect("connects in time")
    .unwrap()
}

/// An agent that checks the server too: the channel behind compat's client layer.
async fn checking_agent(
    version: &str,
    addr: SocketAddr,
) -> NodeClient<compat_runtime::tower::CompatClient<Channel>> {
    let layer = CompatClientLayer::new(endpoint("agent", version).unwrap());
    NodeClient::new(layer.layer(channel(addr).await))
}

/// An agent that only names itself: compat's client interceptor.
async fn naming_agent(
    version: &str,
    addr: SocketAddr,
) -> NodeClient<InterceptedService<Channel, ClientInterceptor>> {
    let interceptor = ClientInterceptor::new(&endpoint("agent", version).unwrap());
    NodeClient::new(InterceptedService::new(channel(addr).await, interceptor))
}

type Metadata = Vec<(&'static str, AsciiMetadataValue)>;

/// An agent that sends exactly this metadata.
async fn raw_agent(
    metadata: Metadata,
    addr: SocketAddr,
) -> NodeClient<InterceptedService<Channel, impl tonic::service::Interceptor>> {
    let add = move |mut request: Request<()>| {
        for (key, value) in &metadata {
            request.metadata_mut().append(*key, value.clone());
        }
        Ok::<_, Status>(request)
    };
    NodeClient::new(InterceptedService::new(channel(addr).await, add))
}

fn renew_request() -> RenewSvidRequest {
    RenewSvidRequest {
        csrs: Default::default(),
        jwt_svids: true,
    }
}

async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .expect("answered in time")
}

#[tokio::test]
async fn a_compatible_agent_calls_every_method_and_checks_the_server() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let mut agent = checking_agent("0.9.2", addr).await;
    let reply = within(agent.attest(spire_services::join_token_attestation()))
        .await
        .unwrap();
    assert_eq!(reply.metadata().get("compat-peer").unwrap(), "server@0.9.3");
    let session = reply.extensions().get::<Arc<Session>>().unwrap();
    assert_eq!(session.peer_component(), "server");
    let ServerMessage::Update(update) = reply.into_inner() else {
        panic!("expected an update")
    };
    assert_eq!(update.entries_revision, spire_services::REVISION);
    within(agent.renew(renew_request())).await.unwrap();
    let bundle = within(agent.bundle()).await.unwrap().into_inner();
    assert!(bundle.contains("for agent 0.9.2"), "{bundle}");
    assert_eq!(census.snapshot().get("agent@0.9.2").unwrap().accepted, 3);
}

#[tokio::test]
async fn an_agent_one_minor_behind_gets_in_and_is_warned_ahead() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let mut agent = checking_agent("0.8.4", addr).await;
    let reply = within(agent.attest(spire_services::join_token_attestation()))
        .await
        .unwrap();
    let notice = reply
        .metadata()
        .get("compat-notice")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        notice.starts_with("agent 0.8.4 will be refused by server from 0.10.0 on (too old"),
        "{notice}"
    );
    // The send guard kept `entries_revision` (0.9.2) from the 0.8 agent.
    let ServerMessage::Update(update) = reply.into_inner() else {
        panic!("expected an update")
    };
    assert_eq!(update.entries_revision, 0);
    let counts = census.snapshot().get("agent@0.8.4").unwrap();
    assert_eq!((counts.accepted, counts.near_edge), (1, 1));
}

#[tokio::test]
async fn a_refused_agent_is_refused_on_every_method_with_failed_precondition() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let mut agent = naming_agent("0.9.4", addr).await;
    let statuses = [
        within(agent.attest(spire_services::join_token_attestation()))
            .await
            .unwrap_err(),
        within(agent.renew(renew_request())).await.unwrap_err(),
        within(agent.bundle()).await.unwrap_err(),
        within(agent.ping()).await.unwrap_err(),
    ];
    for status in statuses {
        assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
        assert!(
            status
                .message()
                .starts_with("refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3"),
            "{}",
            status.message()
        );
        assert_eq!(
            status.metadata().get("compat-peer").unwrap(),
            "server@0.9.3"
        );
        let refused = refusal(&status).unwrap();
        assert_eq!(refused.kind().as_str(), "too new");
        assert_eq!(refused.subject(), "agent@0.9.4");
        assert_eq!(refused.origin(), Some("compat.toml:20:1"));
    }
    // The agent that checks the server reads the same refusal, through its layer's error.
    let mut agent = checking_agent("0.9.4", addr).await;
    let status = within(agent.bundle()).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let refused = refusal(&status).unwrap();
    assert_eq!(refused.by(), "server@0.9.3");
    assert_eq!(refused.kind().as_str(), "too new");
    assert_eq!(census.snapshot().get("agent@0.9.4").unwrap().refused, 5);
}

#[tokio::test]
async fn a_missing_empty_oversize_or_malformed_identity_is_refused_with_the_reason() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let value = |text: &str| AsciiMetadataValue::try_from(text).unwrap();
    let long = "a".repeat(1000);
    let cases: Vec<(Metadata, &str)> = vec![
        (vec![], "the request has no `compat-peer` metadata entry"),
        (
            vec![("compat-peer", value(""))],
            "the `compat-peer` metadata entry is empty",
        ),
        (
            vec![("compat-peer", value(&long))],
            "the `compat-peer` metadata entry is 1000 bytes long",
        ),
        (
            vec![("compat-peer", value("agent"))],
            "the `compat-peer` metadata entry `agent` is not component@version",
        ),
        (
            vec![
                ("compat-peer", value("agent@0.9.2")),
                ("compat-peer", value("agent@0.9.2")),
            ],
            "the request has 2 `compat-peer` metadata entries; send exactly one",
        ),
        (
            vec![
                ("compat-peer", value("agent@0.9.2")),
                ("compat-fingerprint", value("zz")),
            ],
            "the `compat-fingerprint` metadata entry `zz` is not 16 hexadecimal digits",
        ),
    ];
    for (metadata, reason) in cases {
        let mut agent = raw_agent(metadata, addr).await;
        let status = within(agent.bundle()).await.unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
        let refused = refusal(&status).unwrap();
        assert_eq!(refused.kind().as_str(), "bad hello");
        assert!(refused.reason().starts_with(reason), "{}", refused.reason());
    }
    assert_eq!(census.snapshot().get("(unidentified)").unwrap().refused, 6);
}

#[tokio::test]
async fn an_unknown_component_is_refused() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let value = AsciiMetadataValue::from_static("controller@1.0.0");
    let mut agent = raw_agent(vec![("compat-peer", value)], addr).await;
    let status = within(agent.attest(spire_services::join_token_attestation()))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let refused = refusal(&status).unwrap();
    assert_eq!(refused.kind().as_str(), "unknown component");
    assert!(refused.remedy().unwrap().contains("[components]"));
}

#[tokio::test]
async fn a_server_that_answers_without_its_identity_is_reported_by_the_agent() {
    // compat's interceptor, but not its identity layer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let interceptor = interceptor("0.9.3", Census::new()).unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(NodeServer::with_interceptor(interceptor))
            .serve_with_incoming(spire_services::grpc::incoming(listener)),
    );
    let mut agent = checking_agent("0.9.2", addr).await;
    let status = within(agent.bundle()).await.unwrap_err();
    assert!(refusal(&status).is_none());
    assert!(
        status
            .message()
            .starts_with("the server answered (200 OK) without a `compat-peer` header"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn a_thousand_concurrent_calls_at_mixed_versions_get_every_verdict_right() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let channel = channel(addr).await;
    let mix = [
        ("0.9.3", true),
        ("0.9.2", true),
        ("0.8.4", true),
        ("0.9.4", false),
        ("0.7.0", false),
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let (version, admitted) = mix[i % mix.len()];
        let interceptor = ClientInterceptor::new(&endpoint("agent", version).unwrap());
        let mut agent = NodeClient::new(InterceptedService::new(channel.clone(), interceptor));
        tasks.spawn(async move { (version, admitted, agent.bundle().await) });
    }
    let results = tokio::time::timeout(Duration::from_secs(60), tasks.join_all())
        .await
        .expect("every call is answered in time");
    for (version, admitted, result) in results {
        match result {
            Ok(bundle) => {
                assert!(admitted, "{version} got in");
                assert!(
                    bundle
                        .into_inner()
                        .contains(&format!("for agent {version}"))
                );
            }
            Err(status) => {
                assert!(!admitted, "{version}: {status:?}");
                assert_eq!(status.code(), Code::FailedPrecondition);
                assert!(refusal(&status).is_some());
            }
        }
    }
    let snapshot = census.snapshot();
    for (version, admitted) in mix {
        let counts = snapshot.get(&format!("agent@{version}")).unwrap();
        if admitted {
            assert_eq!(counts.accepted, 200, "{version}");
        } else {
            assert_eq!(counts.refused, 200, "{version}");
        }
    }
    assert_eq!(snapshot.get("agent@0.8.4").unwrap().near_edge, 200);
    assert_eq!(snapshot.total().accepted + snapshot.total().refused, 1000);
}
