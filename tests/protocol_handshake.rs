//! The handshake under `[protocol]` and `[[feature]]` (issue 17, parts 2 and 3): the hello's
//! optional protocol and feature tags (an old end that sends neither still works, and reads
//! them as fields it skips), the protocol both ends settle on, and `Session::supports` and
//! `require`, by version and by advertisement, with their texts.

use compat_runtime::handshake::{Endpoint, Frame, HEADER_LEN, Hello, HelloError, RefusedKind};
use compat_runtime::{Policy, Version};

/// A slice of mirrord's agent protocol: releases 3.x carry the protocol at 1.x.
const MIRRORD: &str = r#"[components]
agent = {}
layer = {}

[[rule]]
component = "layer"
peer = "agent"
skew = "any"

[protocol]
name = "mirrord-protocol"
version = "1.18.0"
assumed = "1.2.2"

[protocol.releases]
"1.5.0" = "3.30.0"
"1.6.0" = "3.41.0"
"1.14.0" = "3.90.0"
"1.18.0" = "3.105.0"

[[feature]]
name = "readlink"
since = "1.6.0"

[[feature]]
name = "statfs-v1"
since = "1.2.2"
until = "1.18.0"

[[feature]]
name = "steal-filtered-upgrades"
advertised = true
"#;

fn policy(text: &str) -> &'static Policy {
    Box::leak(Box::new(
        Policy::from_toml("compat.toml", text).unwrap_or_else(|e| panic!("{e}")),
    ))
}

fn mirrord() -> &'static Policy {
    static POLICY: std::sync::OnceLock<&'static Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| policy(MIRRORD))
}

fn end(component: &str, release: &str) -> Endpoint<'static> {
    Endpoint::new(mirrord(), component, release, &[]).unwrap()
}

fn decode(bytes: &[u8]) -> Frame {
    Frame::decode(bytes).unwrap().unwrap().0
}

#[test]
fn the_hello_states_the_protocol_its_release_carries() {
    assert_eq!(end("agent", "3.41.0").hello().protocol(), Some("1.6.0"));
    assert_eq!(end("agent", "3.40.9").hello().protocol(), Some("1.5.0"));
    // At or past the newest listed release: what this crate speaks.
    assert_eq!(end("agent", "3.200.0").hello().protocol(), Some("1.18.0"));
    // Below every listed release: `assumed`.
    assert_eq!(end("agent", "3.1.0").hello().protocol(), Some("1.2.2"));
    // The tag travels, and reads back.
    let hello = end("agent", "3.41.0").hello().clone();
    assert_eq!(
        decode(&Frame::Hello(hello.clone()).to_bytes()),
        Frame::Hello(hello)
    );
}

#[test]
fn both_ends_settle_on_the_lower_protocol_and_know_it() {
    let agent = end("agent", "3.105.0");
    let layer = end("layer", "3.41.0");
    // Over the wire, both ways.
    let hello = decode(&Frame::Hello(layer.hello().clone()).to_bytes());
    let Frame::Hello(hello) = hello else { panic!() };
    let (reply, verdict) = agent.reply(hello);
    let at_agent = verdict.unwrap();
    let Frame::Accept(agent_hello, notice) = decode(&reply.to_bytes()) else {
        panic!()
    };
    let at_layer = layer.admit(agent_hello, notice).unwrap();
    assert_eq!(at_agent.protocol(), Some(&Version::new(1, 6, 0)));
    assert_eq!(at_layer.protocol(), Some(&Version::new(1, 6, 0)));
    assert_eq!(at_agent.peer_protocol(), Some(&Version::new(1, 6, 0)));
    assert_eq!(at_layer.peer_protocol(), Some(&Version::new(1, 18, 0)));
    assert_eq!(at_agent.protocol_name(), Some("mirrord-protocol"));
}

#[test]
fn a_stated_protocol_wins_over_the_mapping() {
    let agent = end("agent", "3.105.0");
    // A build whose release the mapping does not list yet says what it speaks.
    let layer = end("layer", "3.41.0").with_protocol(&Version::new(1, 14, 0));
    let session = agent.accept(layer.hello()).unwrap();
    assert_eq!(session.protocol(), Some(&Version::new(1, 14, 0)));
}

#[test]
fn an_old_end_that_states_no_protocol_still_connects() {
    let agent = end("agent", "3.105.0");
    // An old layer's hello: no protocol tag, no features; its release says 1.5.0.
    let old = Hello::new("layer", "3.35.0", 0);
    let session = agent.accept(&old).unwrap();
    assert_eq!(session.protocol(), Some(&Version::new(1, 5, 0)));
    assert!(!session.supports("readlink"));
    // Older than every listed release: `assumed`.
    let older = Hello::new("layer", "3.1.0", 0);
    assert_eq!(
        agent.accept(&older).unwrap().protocol(),
        Some(&Version::new(1, 2, 2))
    );
}

#[test]
fn an_end_without_protocol_reads_the_new_tags_as_fields_it_skips() {
    // An end built before protocol versions: its policy has no [protocol], and its reader
    // skips tags it does not know. The new end's hello, bytes and all, is accepted.
    let plain = policy(&MIRRORD[..MIRRORD.find("[protocol]").unwrap()]);
    let old_agent = Endpoint::new(plain, "agent", "3.105.0", &[]).unwrap();
    let layer = end("layer", "3.41.0")
        .advertise(["steal-filtered-upgrades"])
        .unwrap();
    let Frame::Hello(hello) = decode(&Frame::Hello(layer.hello().clone()).to_bytes()) else {
        panic!()
    };
    let session = old_agent.accept(hello).unwrap();
    assert_eq!(session.protocol(), None);
    // The bytes hold the two optional fields, tags 0x04 and 0x05.
    let bytes = Frame::Hello(layer.hello().clone()).to_bytes();
    let body = &bytes[HEADER_LEN..];
    assert!(body.windows(3).any(|w| w == [0x04, 0x00, 0x05]), "{body:?}");
    assert!(body.windows(3).any(|w| w == [0x05, 0x00, 23]), "{body:?}");
    // docs/handshake.md's example: agent 3.41.0 at 1.6.0, advertising one feature.
    let agent = end("agent", "3.41.0")
        .advertise(["steal-filtered-upgrades"])
        .unwrap();
    let bytes = Frame::Hello(agent.hello().clone()).to_bytes();
    assert_eq!(bytes[6..8], [0x00, 0x3e]);
    assert_eq!(
        bytes[HEADER_LEN + 28..HEADER_LEN + 36],
        [0x04, 0x00, 0x05, b'1', b'.', b'6', b'.', b'0']
    );
}

#[test]
fn supports_by_version_and_by_advertisement() {
    let layer = end("layer", "3.105.0");
    let new_agent = end("agent", "3.41.0");
    let session = layer.admit(new_agent.hello(), None).unwrap();
    assert!(session.supports("readlink"));
    assert!(session.require("readlink").is_ok());
    // Removed at 1.18.0, and the session speaks 1.6.0: still there.
    assert!(session.supports("statfs-v1"));
    // A capability no version implies: only an advertisement says.
    assert!(!session.supports("steal-filtered-upgrades"));
    let licensed = end("agent", "3.41.0")
        .advertise(["steal-filtered-upgrades"])
        .unwrap();
    let session = layer.admit(licensed.hello(), None).unwrap();
    assert!(session.supports("steal-filtered-upgrades"));
    // Advertised twice, listed once.
    let twice = licensed
        .advertise(["readlink", "steal-filtered-upgrades"])
        .unwrap();
    assert_eq!(
        twice.hello().features().collect::<Vec<_>>(),
        ["steal-filtered-upgrades", "readlink"]
    );
    // Between two ends at 1.18.0, the removed feature is gone.
    let both_new = layer.admit(end("agent", "3.105.0").hello(), None).unwrap();
    assert!(!both_new.supports("statfs-v1"));
    assert_eq!(
        both_new.require("statfs-v1").unwrap_err().to_string(),
        "agent 3.105.0 does not support feature `statfs-v1`: mirrord-protocol 1.18.0 removed it, \
         and agent 3.105.0 speaks 1.18.0"
    );
}

#[test]
fn require_names_the_feature_the_release_and_what_to_upgrade() {
    let layer = end("layer", "3.105.0");
    let session = layer.admit(end("agent", "3.30.0").hello(), None).unwrap();
    let err = session.require("readlink").unwrap_err();
    assert_eq!(err.feature(), "readlink");
    assert_eq!(
        err.to_string(),
        "agent 3.30.0 does not support feature `readlink`: it arrived in mirrord-protocol 1.6.0, \
         first carried by 3.41.0, and agent 3.30.0 speaks 1.5.0; upgrade agent to 3.41.0 or later"
    );
    assert_eq!(
        session
            .require("steal-filtered-upgrades")
            .unwrap_err()
            .to_string(),
        "agent 3.30.0 does not support feature `steal-filtered-upgrades`: it is a capability no \
         version implies (a licence tier, a configuration flag), and agent 3.30.0 does not \
         advertise it; enable it on agent"
    );
}

#[test]
fn an_unknown_feature_is_false_and_an_error_that_says_so() {
    let session = end("agent", "3.105.0")
        .accept(end("layer", "3.105.0").hello())
        .unwrap();
    assert!(!session.supports("readlnk"));
    assert_eq!(
        session.require("readlnk").unwrap_err().to_string(),
        "unknown feature `readlnk` (did you mean `readlink`?): compat.toml declares `readlink`, \
         `statfs-v1`, `steal-filtered-upgrades`; ask for a declared feature, or declare it as a \
         [[feature]]"
    );
    let err = end("agent", "3.105.0").advertise(["no-such"]).unwrap_err();
    assert!(
        err.to_string().starts_with("unknown feature `no-such`"),
        "{err}"
    );
}

#[test]
fn features_without_a_protocol_speak_releases() {
    let plain = policy(
        "[components]\nserver = {}\n[[rule]]\ncomponent = \"server\"\npeer = \"server\"\nskew = \"any\"\n\
         [[feature]]\nname = \"batching\"\nsince = \"0.9.0\"\n",
    );
    let new = Endpoint::new(plain, "server", "0.9.3", &[]).unwrap();
    let old = Endpoint::new(plain, "server", "0.8.1", &[]).unwrap();
    assert_eq!(new.hello().protocol(), None);
    let session = new.accept(old.hello()).unwrap();
    assert_eq!(session.protocol(), None);
    assert_eq!(
        session.require("batching").unwrap_err().to_string(),
        "server 0.8.1 does not support feature `batching`: it arrived in 0.9.0; upgrade server to \
         0.9.0 or later"
    );
    assert!(new.accept(new.hello()).unwrap().supports("batching"));
}

#[test]
fn a_hostile_protocol_or_feature_list_is_refused_not_trusted() {
    let agent = end("agent", "3.105.0");
    let bad = Hello::new("layer", "3.41.0", 0).with_protocol("one.six");
    let refused = agent.accept(&bad).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::BadHello);
    assert!(
        refused
            .to_string()
            .contains("the peer's hello states a protocol version that is not one"),
        "{refused}"
    );
    // A feature list with a name no policy could declare is a malformed frame.
    let mut bytes = Frame::Hello(Hello::new("layer", "3.41.0", 0)).to_bytes();
    bytes.extend_from_slice(&[0x05, 0x00, 0x03, b'a', b' ', b'b']);
    let len = (bytes.len() - HEADER_LEN) as u16;
    bytes[6..8].copy_from_slice(&len.to_be_bytes());
    let err = Frame::decode(&bytes).unwrap_err();
    assert!(matches!(err, HelloError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("the feature list holds `a b`"),
        "{err}"
    );
    // More names than a hello carries.
    let many: Vec<String> = (0..65).map(|i| format!("f{i}")).collect();
    let list = many.join(",");
    let mut bytes = Frame::Hello(Hello::new("layer", "3.41.0", 0)).to_bytes();
    bytes.push(0x05);
    bytes.extend_from_slice(&(list.len() as u16).to_be_bytes());
    bytes.extend_from_slice(list.as_bytes());
    let len = (bytes.len() - HEADER_LEN) as u16;
    bytes[6..8].copy_from_slice(&len.to_be_bytes());
    let err = Frame::decode(&bytes).unwrap_err();
    assert!(err.to_string().contains("more than 64 features"), "{err}");
    // A writer never sends more than the bounds.
    let hello = Hello::new("layer", "3.41.0", 0).with_features(many.iter().map(String::as_str));
    assert_eq!(hello.features().count(), 64);
}

#[test]
fn refusals_and_notices_name_the_protocol_each_end_speaks() {
    // Layers never newer than their agent, at most 20 minors older.
    let strict =
        policy(&MIRRORD.replace("skew = \"any\"", "newer = \"none\"\nolder = \"20 minor\""));
    let agent = Endpoint::new(strict, "agent", "3.41.0", &[]).unwrap();
    let layer = Endpoint::new(strict, "layer", "3.105.0", &[]).unwrap();
    let refused = agent.accept(layer.hello()).unwrap_err();
    assert_eq!(refused.kind().as_str(), "too new");
    assert!(
        refused.remedy().unwrap().ends_with(
            "(layer 3.105.0 speaks mirrord-protocol 1.18.0, and agent 3.41.0 speaks 1.6.0)"
        ),
        "{refused}"
    );
    // A layer at the edge of the window is warned ahead, with the same words.
    let agent = Endpoint::new(strict, "agent", "3.90.0", &[]).unwrap();
    let layer = Endpoint::new(strict, "layer", "3.70.0", &[]).unwrap();
    let session = agent.accept(layer.hello()).unwrap();
    let notice = session.notice_about_peer().unwrap();
    assert!(
        notice.to_string().ends_with(
            "(layer 3.70.0 speaks mirrord-protocol 1.6.0, and agent 3.90.0 speaks 1.14.0)"
        ),
        "{notice}"
    );
}
