//! What the handshake settles between a layer and an agent of different releases, and what
//! the agent's session keeps from a layer that cannot read it.

mod common;

use common::{capture, pair, pair_counted};
use compat_runtime::census::Census;
use compat_runtime::{Session, Version};
use mirrord_agent_protocol::agent::{Agent, FORBIDDEN};
use mirrord_agent_protocol::codec::{DaemonMessage, LogLevel, LogMessage};
use mirrord_agent_protocol::connection::{Connection, SendError, encode};
use mirrord_agent_protocol::dns::GetAddrInfoResponse;
use mirrord_agent_protocol::endpoint;
use mirrord_agent_protocol::error::{
    BlockedAction, DnsLookupError, ResolveErrorKindInternal, ResponseError,
};
use mirrord_agent_protocol::layer::LayerError;

/// The agent's session with a layer at `layer`.
fn agent_session(agent: &str, layer: &str) -> Session {
    let agent = endpoint("agent", agent).unwrap();
    agent
        .accept(endpoint("layer", layer).unwrap().hello())
        .unwrap()
}

fn refused(session: &Session, message: &DaemonMessage) -> String {
    match encode(session, message, &mut Vec::new()) {
        Err(SendError::Unreadable(u)) => u.to_string(),
        other => panic!("sent: {other:?}"),
    }
}

#[test]
fn the_agent_keeps_variants_mirrord_appended_ungated_from_older_layers() {
    // mirrord appended these in a patch release (1.11.6) with no gate: a layer at 1.11.0
    // (3.120.0) fails to decode them. compat refuses to send them.
    let error = DaemonMessage::GetAddrInfoResponse(GetAddrInfoResponse(Err(
        ResponseError::DnsLookup(DnsLookupError {
            kind: ResolveErrorKindInternal::PermissionDenied,
        }),
    )));
    let text = refused(&agent_session("3.250.0", "3.120.0"), &error);
    assert!(text.contains("PermissionDenied"), "{text}");
    assert!(text.contains("1.11.6"), "{text}");
    assert!(
        encode(
            &agent_session("3.250.0", "3.127.0"),
            &error,
            &mut Vec::new()
        )
        .is_ok()
    );
}

#[test]
fn system_failure_and_info_logs_reach_only_layers_that_read_them() {
    let failure = DaemonMessage::Close(String::new());
    assert!(
        encode(
            &agent_session("3.250.0", "3.0.0"),
            &failure,
            &mut Vec::new()
        )
        .is_ok()
    );
    let failure = DaemonMessage::GetAddrInfoResponse(GetAddrInfoResponse(Err(
        ResponseError::SystemFailure {
            can_retry: true,
            code: 1,
            message: "agent lost".into(),
        },
    )));
    let text = refused(&agent_session("3.250.0", "3.213.0"), &failure);
    assert!(text.contains("SystemFailure"), "{text}");
    assert!(text.contains("1.28.0"), "{text}");
    assert!(
        encode(
            &agent_session("3.250.0", "3.232.0"),
            &failure,
            &mut Vec::new()
        )
        .is_ok()
    );
    let info = DaemonMessage::LogMessage(LogMessage {
        message: "ready".into(),
        level: LogLevel::Info,
    });
    let text = refused(&agent_session("3.250.0", "3.128.0"), &info);
    assert!(text.contains("Info") && text.contains("1.13.4"), "{text}");
}

#[tokio::test]
async fn an_older_layer_gets_forbidden_without_the_reason() {
    let (logged, _guard) = capture();
    let census = Census::new();
    let (mut layer, serving) = pair_counted("3.130.0", "3.250.0", &census).await;
    let err = layer.readlink(FORBIDDEN).await.unwrap_err();
    match err {
        LayerError::Remote(ResponseError::Forbidden {
            blocked_action: BlockedAction::Mirror(80),
            policy_name: Some(name),
        }) => assert_eq!(name, "no-secrets"),
        other => panic!("{other:?}"),
    }
    let log = logged.text();
    assert!(log.contains("the policy's reason is not shown"), "{log}");
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(census.snapshot().get("layer@3.130.0").unwrap().fallbacks, 1);
}

#[tokio::test]
async fn a_current_layer_gets_the_reason() {
    let (mut layer, serving) = pair("3.250.0", "3.250.0").await;
    let err = layer.readlink(FORBIDDEN).await.unwrap_err();
    assert!(
        matches!(&err, LayerError::Remote(ResponseError::ForbiddenWithReason { reason, .. }) if reason == "secrets stay in the cluster"),
        "{err:?}"
    );
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn filtered_upgrades_are_forwarded_only_to_layers_from_1_5_on() {
    let (logged, _guard) = capture();
    for (layer, forwards) in [("3.82.0", false), ("3.87.0", true), ("3.250.0", true)] {
        let (client, server) = tokio::io::duplex(4096);
        let agent_end = endpoint("agent", "3.250.0").unwrap();
        let accepting =
            tokio::spawn(
                async move { Connection::accept(server, &agent_end, common::TIMEOUT).await },
            );
        let _layer =
            Connection::connect(client, &endpoint("layer", layer).unwrap(), common::TIMEOUT)
                .await
                .unwrap();
        let agent = Agent::new(accepting.await.unwrap().unwrap());
        assert_eq!(agent.forwards_upgrades(), forwards, "layer {layer}");
    }
    let log = logged.text();
    assert!(log.contains("http-filtered-upgrade"), "{log}");
    assert!(log.contains("3.82.0"), "{log}");
}

#[tokio::test]
async fn both_ends_know_the_settled_protocol() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let agent_end = endpoint("agent", "3.130.0").unwrap();
    let accepting = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        Connection::accept(socket, &agent_end, common::TIMEOUT).await
    });
    let socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let layer = Connection::connect(
        socket,
        &endpoint("layer", "3.250.0").unwrap(),
        common::TIMEOUT,
    )
    .await
    .unwrap();
    let agent = accepting.await.unwrap().unwrap();
    // The layer speaks 1.29.0, the agent 1.14.0: both settle on the lower, and know the
    // other's.
    let (layer, agent) = (layer.session(), agent.session());
    assert_eq!(layer.protocol(), Some(&Version::new(1, 14, 0)));
    assert_eq!(agent.protocol(), Some(&Version::new(1, 14, 0)));
    assert_eq!(layer.peer_protocol(), Some(&Version::new(1, 14, 0)));
    assert_eq!(agent.peer_protocol(), Some(&Version::new(1, 29, 0)));
    assert_eq!(layer.protocol_name(), Some("mirrord-protocol"));
    assert!(layer.supports("rmdir") && !layer.supports("getaddrinfo-v2"));
    assert_eq!(
        layer.require("statfs").unwrap_err().to_string(),
        "agent 3.130.0 does not support feature `statfs`: it arrived in mirrord-protocol 1.16.0, \
         first carried by 3.131.0, and agent 3.130.0 speaks 1.14.0; upgrade agent to 3.131.0 or later"
    );
}

#[test]
fn a_message_the_agent_knows_is_sent_as_it_is_and_an_older_form_otherwise() {
    use mirrord_agent_protocol::ClientMessage;
    use mirrord_agent_protocol::file::{FileRequest, StatFsRequest, StatFsRequestV2};
    use std::borrow::Cow;

    let layer = endpoint("layer", "3.250.0").unwrap();
    let session = |agent: &str| {
        layer
            .accept(endpoint("agent", agent).unwrap().hello())
            .unwrap()
    };
    let v2 = ClientMessage::FileRequest(FileRequest::StatFsV2(StatFsRequestV2 {
        path: "/data".into(),
    }));
    // The fast path: one compare, the value itself (no copy, no allocation).
    assert!(matches!(
        session("3.250.0").prepare(&v2),
        Ok(Cow::Borrowed(_))
    ));
    assert!(matches!(
        session("3.133.0").prepare(&v2),
        Ok(Cow::Borrowed(_))
    ));
    // 3.132.0 carries 1.17.0: `StatFs`, in a copy.
    let sent = session("3.132.0").prepare(&v2).unwrap();
    assert_eq!(
        sent,
        Cow::<ClientMessage>::Owned(ClientMessage::FileRequest(FileRequest::StatFs(
            StatFsRequest {
                path: "/data".into()
            }
        )))
    );
}
