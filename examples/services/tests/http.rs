//! The axum app behind compat's tower layer, driven over real loopback sockets.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use compat_runtime::census::Census;
use compat_runtime::tower::{ClientError, REFUSAL_STATUS};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use spire_protocol::{RenewSvidRequest, ServerMessage};
use spire_services::endpoint;
use spire_services::http::{Agent, AgentError, server};

const WAIT: Duration = Duration::from_secs(20);

async fn start(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn spire_server(census: &Census) -> SocketAddr {
    start(server("0.9.3", census.clone()).unwrap()).await
}

fn agent(version: &str, addr: SocketAddr) -> Agent {
    Agent::new(endpoint("agent", version).unwrap(), addr)
}

async fn attest(agent: &Agent) -> Result<ServerMessage, AgentError> {
    tokio::time::timeout(
        WAIT,
        agent.post("/attest", &spire_services::join_token_attestation()),
    )
    .await
    .expect("the server answers in time")
}

/// A header's name and value.
type Header<'a> = (&'a str, &'a [u8]);

/// A request sent without compat's client layer, with exactly these compat headers.
async fn raw(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &[u8])],
) -> (StatusCode, http::HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::get(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, http::HeaderValue::from_bytes(value).unwrap());
    }
    let response = tokio::time::timeout(
        WAIT,
        client.request(request.body(Full::new(Bytes::new())).unwrap()),
    )
    .await
    .expect("the server answers in time")
    .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn update_revision(message: &ServerMessage) -> u64 {
    match message {
        ServerMessage::Update(update) => update.entries_revision,
        other => panic!("expected an update, got {other:?}"),
    }
}

#[tokio::test]
async fn a_compatible_agent_attests_and_the_server_names_itself() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let reply = attest(&agent("0.9.2", addr)).await.unwrap();
    assert_eq!(update_revision(&reply), spire_services::REVISION);

    let (status, headers, _) = raw(addr, "/bundle", &[("compat-peer", b"agent@0.9.3")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["compat-peer"], "server@0.9.3");
    assert_eq!(headers["compat-fingerprint"].len(), 16);
    assert!(headers.get("compat-notice").is_none());
}

#[tokio::test]
async fn an_agent_one_minor_behind_gets_in_and_is_warned_ahead() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    // entries_revision arrived in 0.9.2: the guard keeps it from a 0.8 agent.
    let reply = attest(&agent("0.8.4", addr)).await.unwrap();
    assert_eq!(update_revision(&reply), 0);

    let (status, headers, body) = raw(addr, "/bundle", &[("compat-peer", b"agent@0.8.4")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let notice = headers["compat-notice"].to_str().unwrap();
    assert!(
        notice.starts_with("agent 0.8.4 will be refused by server from 0.10.0 on (too old"),
        "{notice}"
    );
    assert_eq!(census.snapshot().get("agent@0.8.4").unwrap().near_edge, 2);
}

#[tokio::test]
async fn an_agent_newer_than_the_server_is_refused_on_every_route() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let agent = agent("0.9.4", addr);
    let renew = RenewSvidRequest {
        csrs: Default::default(),
        jwt_svids: false,
    };
    let errors = [
        attest(&agent).await.unwrap_err(),
        agent
            .post::<_, ServerMessage>("/renew", &renew)
            .await
            .unwrap_err(),
        agent.get("/bundle").await.unwrap_err(),
    ];
    for error in errors {
        let AgentError::Compat(ClientError::RefusedByServer(refused)) = &error else {
            panic!("expected the server's refusal, got {error}");
        };
        assert_eq!(refused.by(), "server@0.9.3");
        assert_eq!(refused.kind().as_str(), "too new");
        assert_eq!(refused.subject(), "agent@0.9.4");
        assert_eq!(refused.origin(), Some("compat.toml:20:1"));
        assert!(
            error
                .to_string()
                .starts_with("refused by server 0.9.3: agent 0.9.4 is too new for server 0.9.3"),
            "{error}"
        );
        assert!(
            refused.remedy().unwrap().contains("downgrade agent"),
            "{error}"
        );
    }
    for path in ["/attest", "/renew", "/bundle"] {
        let (status, headers, body) = raw(addr, path, &[("compat-peer", b"agent@0.9.4")]).await;
        assert_eq!(status, REFUSAL_STATUS, "{path}");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["compat-peer"], "server@0.9.3");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["kind"], "too new", "{body}");
        assert_eq!(json["origin"], "compat.toml:20:1");
        assert_eq!(headers["compat-refusal"].to_str().unwrap(), body);
    }
    assert_eq!(census.snapshot().get("agent@0.9.4").unwrap().refused, 6);
}

#[tokio::test]
async fn a_missing_empty_oversize_or_malformed_identity_is_refused_with_the_reason() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let long = vec![b'a'; 1000];
    let cases: [(&[Header], &str); 9] = [
        (&[], "the request has no `compat-peer` header"),
        (&[("compat-peer", b"")], "the `compat-peer` header is empty"),
        (
            &[("compat-peer", &long)],
            "the `compat-peer` header is 1000 bytes long; a component@version is at most 193",
        ),
        (
            &[("compat-peer", b"agent")],
            "the `compat-peer` header `agent` is not component@version",
        ),
        (
            &[("compat-peer", b"@0.9.2")],
            "the `compat-peer` header `@0.9.2` names no component",
        ),
        (
            &[("compat-peer", b"agent@")],
            "the `compat-peer` header `agent@` has no version after the `@`",
        ),
        (
            &[("compat-peer", b"agent@banana")],
            "the peer's hello has invalid version `banana`",
        ),
        (
            &[
                ("compat-peer", b"agent@0.9.2"),
                ("compat-peer", b"agent@0.9.3"),
            ],
            "the request has 2 `compat-peer` headers; send exactly one",
        ),
        (
            &[
                ("compat-peer", b"agent@0.9.2"),
                ("compat-fingerprint", b"xyz"),
            ],
            "the `compat-fingerprint` header `xyz` is not 16 hexadecimal digits",
        ),
    ];
    for (headers, reason) in cases {
        let (status, response_headers, body) = raw(addr, "/attest", headers).await;
        assert_eq!(status, REFUSAL_STATUS, "{body}");
        assert_eq!(response_headers["compat-peer"], "server@0.9.3");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["kind"], "bad hello", "{body}");
        assert!(
            json["reason"].as_str().unwrap().starts_with(reason),
            "{body}"
        );
        let remedy = json["remedy"].as_str().unwrap();
        assert!(
            remedy.contains("compat-peer") || remedy.contains("MAJOR.MINOR.PATCH"),
            "{body}"
        );
    }
    // Not text at all (obs-text bytes, which HTTP/1 carries).
    let (status, _, body) = raw(addr, "/attest", &[("compat-peer", b"agent@\xff\xfe")]).await;
    assert_eq!(status, REFUSAL_STATUS);
    assert!(
        body.contains("the `compat-peer` header is not text"),
        "{body}"
    );
    assert_eq!(census.snapshot().get("(unidentified)").unwrap().refused, 10);
}

#[tokio::test]
async fn an_unknown_component_is_refused_and_told_the_known_ones() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let (status, _, body) = raw(addr, "/attest", &[("compat-peer", b"controller@1.0.0")]).await;
    assert_eq!(status, REFUSAL_STATUS);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["kind"], "unknown component", "{body}");
    assert!(
        json["reason"].as_str().unwrap().contains("controller"),
        "{body}"
    );
    assert!(
        json["remedy"].as_str().unwrap().contains("[components]"),
        "{body}"
    );
    assert_eq!(
        census.snapshot().get("controller@1.0.0").unwrap().refused,
        1
    );
}

#[tokio::test]
async fn an_agent_told_it_is_not_the_release_it_claims_is_refused_by_fingerprint() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    let (status, _, body) = raw(
        addr,
        "/attest",
        &[
            ("compat-peer", b"agent@0.9.3"),
            ("compat-fingerprint", b"0123456789abcdef"),
        ],
    )
    .await;
    assert_eq!(status, REFUSAL_STATUS);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["kind"], "fingerprint mismatch", "{body}");
}

#[tokio::test]
async fn a_server_that_answers_without_its_identity_is_reported_by_the_agent() {
    let plain = Router::new().route("/bundle", get(|| async { "a bundle" }));
    let addr = start(plain).await;
    let error = agent("0.9.2", addr).get("/bundle").await.unwrap_err();
    let AgentError::Compat(ClientError::Anonymous { status }) = &error else {
        panic!("expected an anonymous server, got {error}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert_eq!(
        error.to_string(),
        "the server answered (200 OK) without a `compat-peer` header, so this client cannot \
         check that it is compatible: run compat's server layer there, or let the proxy in \
         between pass `compat-peer` through"
    );
}

#[tokio::test]
async fn a_server_outside_the_agents_window_is_refused_by_the_agent_itself() {
    // A server the agent's own policy refuses: two minors older than the agent.
    let old = Router::new().route(
        "/bundle",
        get(|| async { ([("compat-peer", "server@0.7.0")], "a bundle") }),
    );
    let addr = start(old).await;
    let error = agent("0.9.2", addr).get("/bundle").await.unwrap_err();
    let AgentError::Compat(ClientError::RefusedServer(refused)) = &error else {
        panic!("expected the agent's refusal, got {error}");
    };
    assert_eq!(refused.by(), "agent@0.9.2");
    assert_eq!(refused.kind().as_str(), "too new");
    assert_eq!(refused.subject(), "agent@0.9.2");
    assert_eq!(refused.other(), "server@0.7.0");

    let garbled = Router::new().route(
        "/bundle",
        get(|| async { ([("compat-peer", "a server")], "a bundle") }),
    );
    let addr = start(garbled).await;
    let error = agent("0.9.2", addr).get("/bundle").await.unwrap_err();
    let AgentError::Compat(ClientError::RefusedServer(refused)) = &error else {
        panic!("expected the agent's refusal, got {error}");
    };
    assert_eq!(refused.kind().as_str(), "bad hello");
    assert_eq!(
        refused.reason(),
        "the `compat-peer` header `a server` is not component@version"
    );

    let forged = Router::new().route(
        "/bundle",
        get(|| async { ([("compat-refusal", "{not json")], "a bundle") }),
    );
    let addr = start(forged).await;
    let error = agent("0.9.2", addr).get("/bundle").await.unwrap_err();
    assert!(
        error.to_string().starts_with(
            "the server refused this client (200 OK), but its refusal cannot be read: the refusal is not the JSON of a compat refusal"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_thousand_concurrent_requests_at_mixed_versions_get_every_verdict_right() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    // version, and whether the server lets it in (None: no identity at all)
    let mix: [(Option<&str>, bool); 5] = [
        (Some("0.9.3"), true),
        (Some("0.9.2"), true),
        (Some("0.8.4"), true),
        (Some("0.9.4"), false),
        (None, false),
    ];
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let (version, admitted) = mix[i % mix.len()];
        let client = client.clone();
        tasks.spawn(async move {
            let mut request = Request::get(format!("http://{addr}/bundle"));
            if let Some(version) = version {
                request = request.header("compat-peer", format!("agent@{version}"));
            }
            let response = client
                .request(request.body(Full::new(Bytes::new())).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (version, admitted, status, body)
        });
    }
    let results = tokio::time::timeout(Duration::from_secs(60), tasks.join_all())
        .await
        .expect("every request is answered in time");
    assert_eq!(results.len(), 1000);
    for (version, admitted, status, body) in results {
        let body = String::from_utf8_lossy(&body);
        if admitted {
            assert_eq!(status, StatusCode::OK, "{version:?}: {body}");
            assert!(
                body.contains(&format!("for agent {}", version.unwrap())),
                "{body}"
            );
        } else {
            assert_eq!(status, REFUSAL_STATUS, "{version:?}: {body}");
        }
    }
    let snapshot = census.snapshot();
    let counts = |peer: &str| snapshot.get(peer).unwrap();
    assert_eq!(counts("agent@0.9.3").accepted, 200);
    assert_eq!(counts("agent@0.9.2").accepted, 200);
    assert_eq!(counts("agent@0.8.4").accepted, 200);
    assert_eq!(counts("agent@0.8.4").near_edge, 200);
    assert_eq!(counts("agent@0.9.4").refused, 200);
    assert_eq!(counts("(unidentified)").refused, 200);
    assert_eq!(snapshot.total().accepted + snapshot.total().refused, 1000);
}

#[tokio::test]
async fn the_census_route_shows_who_still_runs_old_versions() {
    let census = Census::new();
    let addr = spire_server(&census).await;
    attest(&agent("0.8.4", addr)).await.unwrap();
    attest(&agent("0.9.2", addr)).await.unwrap();
    attest(&agent("0.9.4", addr)).await.unwrap_err();
    let (status, _, text) = raw(addr, "/census", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text,
        "peer         accepted  near edge  refused\n\
         agent@0.8.4         1          1        0\n\
         agent@0.9.2         1          0        0\n\
         agent@0.9.4         0          0        1\n"
    );
    let (_, _, json) = raw(addr, "/census.json", &[]).await;
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["peers"][0]["peer"], "agent@0.8.4");
    assert_eq!(json["peers"][0]["near_edge"], 1);
}
