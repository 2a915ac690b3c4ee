//! A layer and an agent of mirrord releases that speak different protocols, over a real
//! loopback socket: what compat's session sends each, where mirrord's intproxy gates by
//! hand on the negotiated version.

mod common;

use common::{capture, pair};
use mirrord_agent_protocol::agent::{LINK_TARGET, V4, V6, fs, fs_v2};
use mirrord_agent_protocol::dns::AddressFamily;
use mirrord_agent_protocol::layer::LayerError;

// Releases and the protocol each carries (compat.toml's [protocol.releases]).
const AT_1_5: &str = "3.87.0";
const AT_1_14: &str = "3.130.0";
const AT_1_17: &str = "3.132.0";
const CURRENT: &str = "3.250.0";

#[tokio::test]
async fn an_agent_at_1_14_gets_an_ipv4_only_lookup_with_a_warning() {
    let (logged, _guard) = capture();
    let (mut layer, serving) = pair(CURRENT, AT_1_14).await;
    let ips = layer
        .getaddrinfo("db.internal", AddressFamily::Both)
        .await
        .unwrap();
    assert_eq!(ips, [V4]);
    let log = logged.text();
    assert!(log.contains("IPv6 will not be resolved"), "{log}");
    assert!(
        log.contains(
            "sent `ClientMessage::GetAddrInfoRequest` instead of `GetAddrInfoRequestV2` to \
             agent 3.130.0"
        ),
        "{log}"
    );
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn an_agent_before_1_18_gets_statfs_instead_of_statfs_v2() {
    let (mut layer, serving) = pair(CURRENT, AT_1_17).await;
    // V1's answer, widened: the fields V2 adds are zero.
    assert_eq!(layer.statfs("/data").await.unwrap(), fs().into());
    assert_eq!(layer.fstatfs(3).await.unwrap(), fs().into());
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}

// mirrord's intproxy sends `StatFs` in place of `StatFsV2` only to agents from 1.16.0 on
// (`STATFS_VERSION`): an agent at 1.14.0 reads neither, and gets `NotImplemented` there. Here
// the layer refuses it by name.
#[tokio::test]
async fn an_agent_at_1_14_predates_statfs_itself_and_the_layer_refuses_it_locally() {
    let (mut layer, serving) = pair(CURRENT, AT_1_14).await;
    // `fstatfs` falls back to `XstatFs`, which every agent reads.
    assert_eq!(layer.fstatfs(3).await.unwrap(), fs().into());
    let refused = layer.statfs("/data").await.unwrap_err();
    assert!(matches!(refused, LayerError::Send(_)), "{refused:?}");
    let text = refused.to_string();
    assert!(text.contains("StatFs"), "{text}");
    assert!(text.contains("1.16.0"), "{text}");
    assert!(text.contains("(feature `statfs`)"), "{text}");
    assert!(text.contains("upgrade agent to 3.131.0 or later"), "{text}");
    // The connection goes on: nothing was sent.
    layer.ping().await.unwrap();
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_layer_asking_readlink_of_an_agent_at_1_5_is_refused_locally() {
    let (mut layer, serving) = pair(CURRENT, AT_1_5).await;
    let refused = layer.readlink("/app/current").await.unwrap_err();
    let text = refused.to_string();
    assert!(matches!(refused, LayerError::Send(_)), "{refused:?}");
    assert!(text.contains("readlink"), "{text}");
    assert!(text.contains("1.6.0"), "{text}");
    assert!(text.contains("3.105.0"), "{text}");
    assert_eq!(
        text,
        "not sent: cannot send `ClientMessage` to agent 3.87.0: variant `ReadLink` of \
         `FileRequest` (feature `readlink`) arrived in mirrord-protocol 1.6.0, first carried \
         by 3.105.0, and agent 3.87.0, speaking 1.5.0, cannot decode it; send a variant this \
         peer knows, or upgrade agent to 3.105.0 or later"
    );
    // The README shows this refusal as the layer prints it.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(include_str!("../../../README.md")).contains(&words(&text)),
        "README.md does not show the refusal: {text}"
    );
    layer.ping().await.unwrap();
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_current_agent_gets_the_v2_forms() {
    let (logged, _guard) = capture();
    let (mut layer, serving) = pair(CURRENT, CURRENT).await;
    let ips = layer
        .getaddrinfo("db.internal", AddressFamily::Both)
        .await
        .unwrap();
    assert_eq!(ips, [V4, V6]);
    let ipv6 = layer
        .getaddrinfo("db.internal", AddressFamily::Ipv6Only)
        .await
        .unwrap();
    assert_eq!(ipv6, [V6]);
    assert_eq!(layer.statfs("/data").await.unwrap(), fs_v2());
    assert_eq!(layer.fstatfs(3).await.unwrap(), fs_v2());
    assert_eq!(
        layer.readlink("/app/current").await.unwrap().to_str(),
        Some(LINK_TARGET)
    );
    let log = logged.text();
    assert!(!log.contains("IPv6 will not be resolved"), "{log}");
    layer.close().await.unwrap();
    serving.await.unwrap().unwrap();
}
