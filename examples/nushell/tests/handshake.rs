//! compat's handshake between an engine and a plugin, over a real TCP loopback socket, gives
//! nushell's own verdict on every pair of a set of releases: nushell's
//! `ProtocolInfo::is_compatible_with` (the higher version matches a caret requirement of the
//! lower, pre-release tags dropped), computed here with the same semver crate.

use std::sync::Arc;
use std::time::Duration;

use compat_runtime::Endpoint;
use compat_runtime::tokio::{HandshakeError, accept, connect};
use nushell_plugin_protocol::{messages, policy};
use tokio::net::{TcpListener, TcpStream};

const TIMEOUT: Duration = Duration::from_secs(5);

/// nushell's verdict: sort the two versions, drop their pre-release tags, and ask whether the
/// higher matches `^lower`.
fn nushell_accepts(a: &str, b: &str) -> bool {
    let mut versions = [
        semver::Version::parse(a).unwrap(),
        semver::Version::parse(b).unwrap(),
    ];
    versions.sort();
    for version in &mut versions {
        version.pre = semver::Prerelease::EMPTY;
    }
    let [lower, higher] = versions;
    let caret = semver::Comparator {
        op: semver::Op::Caret,
        major: lower.major,
        minor: Some(lower.minor),
        patch: Some(lower.patch),
        pre: semver::Prerelease::EMPTY,
    };
    caret.matches(&higher)
}

/// Releases around the ones nushell shipped the protocol in, patches, nightlies and a
/// future 1.x and 2.x.
const RELEASES: &[&str] = &[
    "0.91.0",
    "0.92.0",
    "0.92.2",
    "0.93.0",
    "0.97.1",
    "0.101.0",
    "0.108.0",
    "0.109.0",
    "0.109.1",
    "0.110.0",
    "0.112.1",
    "0.113.1",
    "0.114.0",
    "0.114.1",
    "0.114.1-nightly.3",
    "0.114.2",
    "0.115.0-nightly.1",
    "0.115.0",
    "1.0.0",
    "1.2.3",
    "2.0.0",
];

fn end(component: &str, version: &str) -> Endpoint<'static> {
    Endpoint::new(policy(), component, version, messages()).unwrap()
}

/// Both ends' results of one handshake: the engine accepts, the plugin connects.
async fn handshake(
    listener: &Arc<TcpListener>,
    engine: &str,
    plugin: &str,
) -> (Result<(), HandshakeError>, Result<(), HandshakeError>) {
    let engine_end = end("engine", engine);
    let server = Arc::clone(listener);
    let serving = tokio::spawn(async move {
        let (mut socket, _) = server.accept().await.unwrap();
        accept(&mut socket, &engine_end, TIMEOUT).await.map(|_| ())
    });
    let mut socket = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let connected = connect(&mut socket, &end("plugin", plugin), TIMEOUT)
        .await
        .map(|_| ());
    (serving.await.unwrap(), connected)
}

#[tokio::test]
async fn the_handshake_gives_nushells_verdict_on_every_pair_of_releases() {
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let mut pairs = 0;
    let mut accepted = 0;
    for engine in RELEASES {
        for plugin in RELEASES {
            let (served, connected) = handshake(&listener, engine, plugin).await;
            let verdict = nushell_accepts(engine, plugin);
            assert_eq!(
                served.is_ok(),
                verdict,
                "engine {engine} with plugin {plugin}: {served:?}"
            );
            assert_eq!(
                connected.is_ok(),
                verdict,
                "plugin {plugin} with engine {engine}: {connected:?}"
            );
            pairs += 1;
            accepted += usize::from(verdict);
        }
    }
    // 21 releases in 14 caret lines: the pairs inside a line are accepted, the rest refused.
    assert_eq!((pairs, accepted), (441, 41));
}

#[tokio::test]
async fn a_refused_plugin_is_told_the_rule_and_what_to_move() {
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let (served, connected) = handshake(&listener, "0.114.1", "0.113.1").await;
    let refusal = served.unwrap_err().to_string();
    assert!(
        refusal.contains(
            "the higher version must match a caret requirement of the lower \
             (ProtocolInfo::is_compatible_with)"
        ),
        "{refusal}"
    );
    assert!(refusal.contains("0.113.1"), "{refusal}");
    let told = connected.unwrap_err().to_string();
    assert!(told.contains("refused by engine 0.114.1"), "{told}");
}
