#![allow(missing_docs, reason = "test messages")]

//! The handshake in memory: the hello's bytes, hostile bytes, the two-sided decision, the
//! refusal and the notice on the wire, and the send guard. The same over real sockets is in
//! `examples/spire/tests/`.

use compat_runtime::handshake::{
    Endpoint, Frame, HEADER_LEN, Hello, HelloError, MAX_BODY, MAX_TEXT, Notice, Refused,
    RefusedKind, Release,
};
use compat_runtime::{Compat, Message, Policy, RefusalKind};
use proptest::prelude::*;

const SPIRE: &str = include_str!("../examples/spire/compat.toml");

fn policy(text: &str) -> &'static Policy {
    Box::leak(Box::new(
        Policy::from_toml("compat.toml", text).unwrap_or_else(|e| panic!("{e}")),
    ))
}

fn spire() -> &'static Policy {
    static POLICY: std::sync::OnceLock<&'static Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| policy(SPIRE))
}

fn end(component: &str, version: &str) -> Endpoint<'static> {
    Endpoint::new(spire(), component, version, &[]).unwrap()
}

fn decode(bytes: &[u8]) -> Result<Option<(Frame, usize)>, HelloError> {
    Frame::decode(bytes)
}

#[test]
fn a_hello_is_the_documented_bytes() {
    // docs/handshake.md, "A worked example".
    let bytes = Frame::Hello(Hello::new("agent", "0.9.3", 0x0123_4567_89ab_cdef)).to_bytes();
    let expected: Vec<u8> = [
        &b"CMPT"[..],
        &[0x01, 0x01, 0x00, 0x1b],
        &[0x01, 0x00, 0x05],
        b"agent",
        &[0x02, 0x00, 0x05],
        b"0.9.3",
        &[
            0x03, 0x00, 0x08, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        ],
    ]
    .concat();
    assert_eq!(bytes, expected);
}

#[test]
fn every_frame_survives_a_round_trip() {
    let server = end("server", "0.9.3");
    let (accept, _) = server.reply(end("agent", "0.8.4").hello());
    let (refusal, _) = server.reply(end("agent", "0.9.4").hello());
    assert!(matches!(&accept, Frame::Accept(_, Some(_))));
    assert!(matches!(&refusal, Frame::Refusal(_)));
    for frame in [Frame::Hello(server.hello().clone()), accept, refusal] {
        let bytes = frame.to_bytes();
        assert_eq!(decode(&bytes).unwrap(), Some((frame, bytes.len())));
    }
}

#[test]
fn an_oversize_hello_is_refused_from_its_header_alone() {
    let header = [b'C', b'M', b'P', b'T', 1, 1, 0xff, 0xff];
    let err = decode(&header).unwrap_err();
    assert_eq!(err, HelloError::Oversize { len: 0xffff });
    assert_eq!(
        err.to_string(),
        "the peer's handshake frame declares 65535 bytes; at most 4096 are accepted"
    );
    assert_eq!(Frame::needs(&header), Err(err));
}

#[test]
fn text_fields_are_cut_as_the_document_says_and_the_longest_frames_fit() {
    // docs/handshake.md: the ends to 200 bytes, every other text to 400 (MAX_TEXT), each at
    // a character boundary; the longest refusal body is 2695 bytes, the longest ACCEPT's
    // with a notice 2031.
    assert_eq!(MAX_TEXT, 400);
    let long = "é".repeat(1000); // two bytes a character: an odd cut would split one
    let refused = Refused::new(&long, RefusedKind::Other(99), &long, &long, &long)
        .with_rule(Some(long.clone()), Some(long.clone()))
        .with_note(Some(long.clone()))
        .with_remedy(long.clone());
    let bytes = Frame::Refusal(refused).to_bytes();
    let Some((Frame::Refusal(read), _)) = decode(&bytes).unwrap() else {
        panic!()
    };
    for end in [read.by(), read.subject(), read.other()] {
        assert_eq!(end.len(), 200);
    }
    for text in [
        read.reason(),
        read.rule().unwrap(),
        read.origin().unwrap(),
        read.note().unwrap(),
        read.remedy().unwrap(),
    ] {
        assert_eq!(text.len(), 400);
    }
    // The kind text ("other") is the only short field: at its longest (64) the body is 2695.
    assert_eq!(bytes.len() - HEADER_LEN, 2695 - (64 - "other".len()));
    let notice = Notice::new(&long, &long, &long, RefusedKind::Timeout)
        .with_rule(long.clone(), Some(long.clone()))
        .with_remedy(long.clone());
    let hello = Hello::new("c".repeat(100), "1.2.3-".to_owned() + &"a".repeat(200), 1);
    let bytes = Frame::Accept(hello, Some(notice)).to_bytes();
    assert_eq!(bytes.len() - HEADER_LEN, 2031);
    let Some((Frame::Accept(_, Some(read)), _)) = decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!((read.by().len(), read.subject().len()), (200, 200));
    assert_eq!(read.refused_from().len(), 200);
    assert_eq!(read.remedy().unwrap().len(), 400);
}

#[test]
fn a_truncated_hello_asks_for_exactly_the_missing_bytes() {
    let bytes = Frame::Hello(Hello::new("agent", "0.9.3", 1)).to_bytes();
    for cut in 0..bytes.len() {
        assert_eq!(decode(&bytes[..cut]).unwrap(), None, "cut at {cut}");
        let needs = Frame::needs(&bytes[..cut]).unwrap();
        if cut < HEADER_LEN {
            assert_eq!(needs, HEADER_LEN - cut);
        } else {
            assert_eq!(needs, bytes.len() - cut);
        }
    }
}

#[test]
fn garbage_bytes_are_not_a_compat_hello_and_the_error_shows_them() {
    let err = decode(b"GET / HTTP/1.1\r\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the peer did not open with a compat hello: its first bytes are 47 45 54 20 2f 20 48 54 \
         (`GET / HT`), not `CMPT`; connect with a client built on compat_runtime::handshake"
    );
    // The first wrong byte is enough.
    assert!(matches!(decode(b"X"), Err(HelloError::NotCompat { .. })));
    assert!(matches!(decode(b"CMPX"), Err(HelloError::NotCompat { .. })));
}

#[test]
fn a_hello_of_a_future_layout_is_refused_with_both_layouts_named() {
    let err = decode(b"CMPT\x02\x01\x00\x10").unwrap_err();
    assert_eq!(err, HelloError::Layout { layout: 2 });
    let refused = end("server", "0.9.3").refuse_bytes(&err);
    assert_eq!(refused.kind(), RefusedKind::Layout);
    assert_eq!(
        refused.to_string(),
        "refused by server 0.9.3: the peer's hello is in layout 2, and this build reads layout 1; \
         upgrade this end's compat-runtime, or have the peer write layout 1; to fix, upgrade the \
         peer's compat-runtime to one that writes hello layout 1, or this end's to one that reads \
         the peer's"
    );
    // The refusal itself is layout 1, which every release reads.
    let bytes = Frame::Refusal(refused).to_bytes();
    assert_eq!(bytes[4], 1);
}

#[test]
fn fields_a_later_release_adds_are_skipped() {
    let mut bytes = Frame::Hello(Hello::new("agent", "0.9.3", 5)).to_bytes();
    bytes.extend_from_slice(&[0x7f, 0x00, 0x03, b'n', b'e', b'w']);
    let len = (bytes.len() - HEADER_LEN) as u16;
    bytes[6..8].copy_from_slice(&len.to_be_bytes());
    let (frame, _) = decode(&bytes).unwrap().unwrap();
    assert_eq!(frame, Frame::Hello(Hello::new("agent", "0.9.3", 5)));
}

fn body(fields: &[(u8, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, value) in fields {
        body.push(*tag);
        body.extend_from_slice(&(value.len() as u16).to_be_bytes());
        body.extend_from_slice(value);
    }
    let mut frame = b"CMPT\x01\x01".to_vec();
    frame.extend_from_slice(&(body.len() as u16).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

#[test]
fn malformed_bodies_say_what_is_wrong() {
    let fp = [0u8; 8];
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            body(&[(1, b"agent"), (3, &fp)]),
            "malformed handshake frame: the version is missing",
        ),
        (
            body(&[(1, b"agent"), (1, b"agent"), (2, b"0.9.3"), (3, &fp)]),
            "malformed handshake frame: field 0x01 appears twice",
        ),
        (
            body(&[(1, b"ag\xffnt"), (2, b"0.9.3"), (3, &fp)]),
            "malformed handshake frame: the component is not UTF-8",
        ),
        (
            body(&[(1, b"agent"), (2, b"0.9.3"), (3, &fp[..4])]),
            "malformed handshake frame: the fingerprint is 4 bytes long, not 8",
        ),
        (
            body(&[(1, b""), (2, b"0.9.3"), (3, &fp)]),
            "malformed handshake frame: the component is empty",
        ),
        (
            body(&[(1, &[b'a'; 65]), (2, b"0.9.3"), (3, &fp)]),
            "malformed handshake frame: the component is 65 bytes long; at most 64 are accepted",
        ),
        (
            b"CMPT\x01\x01\x00\x04\x01\x00\x09a".to_vec(),
            "malformed handshake frame: field 0x01 declares 9 bytes but only 1 remain",
        ),
        (
            b"CMPT\x01\x09\x00\x00".to_vec(),
            "malformed handshake frame: frame type 9 is not hello (1), accept (2) or refusal (3)",
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(decode(&bytes).unwrap_err().to_string(), expected);
    }
}

#[test]
fn a_hello_with_a_version_that_is_not_one_is_refused_as_a_bad_hello() {
    let refused = end("server", "0.9.3")
        .accept(Hello::new("agent", "v0.9", 0))
        .unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::BadHello);
    assert_eq!(
        refused.to_string(),
        "refused by server 0.9.3: the peer's hello has invalid version `v0.9`: drop the leading \
         `v`: write 0.9; to fix, announce the release as MAJOR.MINOR.PATCH, e.g. 0.9.3"
    );
}

#[test]
fn the_refusal_travels_with_every_part() {
    let (frame, verdict) = end("server", "0.9.3").reply(end("agent", "0.9.4").hello());
    let refused = verdict.unwrap_err();
    let (back, _) = decode(&frame.to_bytes()).unwrap().unwrap();
    let Frame::Refusal(received) = back else {
        panic!("{back:?}")
    };
    assert_eq!(received, refused);
    assert_eq!(received.by(), "server@0.9.3");
    assert_eq!(received.kind(), RefusedKind::Policy(RefusalKind::TooNew));
    assert_eq!(received.subject(), "agent@0.9.4");
    assert_eq!(received.other(), "server@0.9.3");
    assert_eq!(
        received.rule(),
        Some("agent may be up to one minor release older than server, never newer")
    );
    assert_eq!(received.origin(), Some("compat.toml:20:1"));
    assert_eq!(
        received.note(),
        Some(
            "SPIRE agents must not be newer than the oldest SPIRE server that they communicate with"
        )
    );
    assert_eq!(
        received.remedy(),
        Some(
            "upgrade server from 0.9.3 to 0.9.4 or later, below 0.11.0, or downgrade agent from \
             0.9.4 to 0.8.0 through 0.9.3"
        )
    );
}

#[test]
fn the_stricter_end_decides_whichever_end_it_is() {
    // The old server's policy admits a server one minor away; the new server's policy raised
    // the floor to 0.9.0.
    let strict = policy(&format!("{SPIRE}\n[support]\nminimum = \"0.9.0\"\n"));
    let old_server = end("server", "0.8.9");
    let new_server = Endpoint::new(strict, "server", "0.9.3", &[]).unwrap();

    // The new server connects: the old one accepts it, the new one refuses the old.
    let (reply, verdict) = old_server.reply(new_server.hello());
    assert!(verdict.is_ok());
    let Frame::Accept(hello, notice) = reply else {
        panic!("{reply:?}")
    };
    let refused = new_server.admit(&hello, notice).unwrap_err();
    assert_eq!(refused.by(), "server@0.9.3");
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::BelowFloor));
    assert_eq!(
        refused.to_string(),
        "refused by server 0.9.3: server 0.8.9 is below the minimum supported version (talking \
         to server 0.9.3): nothing older than 0.9.0 is supported (compat.toml:39:11); to fix, \
         upgrade server from 0.8.9 to 0.9.0 or later, below 0.11.0 (one step reaches 0.9.0 or \
         later, below 0.10.0; `max-jump` allows steps of at most one minor release)"
    );
    // The other way round, the new server is the accepting end and refuses at once.
    let refused = new_server.accept(old_server.hello()).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::BelowFloor));
}

#[test]
fn a_peer_claiming_a_recorded_release_with_other_tables_is_refused() {
    static RELEASES: &[Release] = &[Release {
        version: "0.9.2",
        fingerprint: 0x1111,
    }];
    let server = end("server", "0.9.3").with_releases(RELEASES);
    let liar = end("agent", "0.9.2").with_fingerprint(0x2222);
    let refused = server.accept(liar.hello()).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::FingerprintMismatch);
    assert_eq!(refused.kind().as_str(), "fingerprint mismatch");
    assert_eq!(
        refused.to_string(),
        "refused by server 0.9.3: agent 0.9.2 claims release 0.9.2 but carries other message \
         tables (fingerprint 0000000000002222, release 0.9.2 has 0000000000001111); to fix, run \
         agent from the 0.9.2 release, or give the modified build a version this end has no \
         record of, for the policy alone to judge: build metadata such as `+patched` does not \
         make one, as releases are matched without it"
    );
    assert!(
        server
            .accept(liar.with_fingerprint(0x1111).hello().clone())
            .is_ok()
    );
    // A build at this end's own version must carry this end's tables.
    let twin = end("agent", "0.9.3").with_fingerprint(7);
    assert_eq!(
        server.accept(twin.hello()).unwrap_err().kind(),
        RefusedKind::FingerprintMismatch
    );
    // An unrecorded release is judged by the policy alone.
    assert!(
        server
            .accept(end("agent", "0.9.1").with_fingerprint(9).hello())
            .is_ok()
    );
}

#[test]
fn build_metadata_does_not_set_a_modified_build_apart_and_the_remedy_says_so() {
    // Releases are matched without build metadata: `0.9.3+patched` claims 0.9.3.
    let server = end("server", "0.9.3");
    let patched = end("agent", "0.9.3+patched").with_fingerprint(server.hello().fingerprint() ^ 1);
    let refused = server.accept(patched.hello()).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::FingerprintMismatch);
    assert!(
        refused.reason().starts_with(
            "agent 0.9.3+patched claims release 0.9.3 but carries other message tables"
        ),
        "{refused}"
    );
    assert_eq!(
        refused.remedy(),
        Some(
            "run agent from the 0.9.3 release, or give the modified build a version this end has \
             no record of, for the policy alone to judge: build metadata such as `+patched` does \
             not make one, as releases are matched without it"
        )
    );
    // What the remedy says works: a version of its own (here a pre-release of 0.9.3), which
    // this end has no record of, is judged by the policy alone.
    let own = end("agent", "0.9.3-patched.1").with_fingerprint(server.hello().fingerprint() ^ 1);
    assert!(server.accept(own.hello()).is_ok());
}

#[test]
fn a_peer_below_the_floor_is_refused_by_the_floor_even_with_the_right_tables() {
    let floored = policy(&format!("{SPIRE}\n[support]\nminimum = \"0.9.0\"\n"));
    let server = Endpoint::new(floored, "server", "0.9.3", &[]).unwrap();
    let refused = server.accept(end("agent", "0.8.7").hello()).unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::BelowFloor));
    assert_eq!(refused.origin(), Some("compat.toml:39:11"));
}

#[test]
fn pre_release_peers_are_refused_where_the_policy_admits_none() {
    let text = SPIRE.replace(
        "major-zero = \"minor-is-major\"",
        "major-zero = \"minor-is-major\"\nprerelease.with-releases = false",
    );
    let strict = policy(&text);
    let server = Endpoint::new(strict, "server", "0.9.3", &[]).unwrap();
    let refused = server
        .accept(Hello::new("agent", "0.9.3-rc.1", 0))
        .unwrap_err();
    assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::PreRelease));
    assert_eq!(refused.subject(), "agent@0.9.3-rc.1");
    assert!(
        refused
            .to_string()
            .contains("agent 0.9.3-rc.1 is a pre-release and may not talk to server 0.9.3"),
        "{refused}"
    );
}

#[test]
fn the_subject_of_a_refusal_can_be_the_refusing_end() {
    // docs/handshake.md: "too new" is about the subject, which here is the server itself.
    let by_server = policy(
        "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"server\"\n\
         peer = \"agent\"\nnewer = \"1 minor\"\nolder = \"none\"\n",
    );
    let server = Endpoint::new(by_server, "server", "1.0.0", &[]).unwrap();
    let agent = Endpoint::new(by_server, "agent", "0.9.3", &[]).unwrap();
    let refused = server.accept(agent.hello()).unwrap_err();
    assert_eq!(refused.by(), "server@1.0.0");
    assert_eq!(refused.subject(), "server@1.0.0");
    assert_eq!(refused.reason(), "server 1.0.0 is too new for agent 0.9.3");
    // A pre-release end whose tag may not meet releases refuses a release peer, as subject.
    let beta = policy(
        "[versioning]\nprerelease.order = [\"beta\", \"rc\"]\nprerelease.with-releases = [\"rc\"]\n\
         [components]\nserver = {}\nnode = {}\n[[rule]]\ncomponent = \"*\"\npeer = \"*\"\n\
         skew = \"1 major\"\n",
    );
    let server = Endpoint::new(beta, "server", "6.0.0-beta.1", &[]).unwrap();
    for node in ["5.2.0", "6.0.0"] {
        let node = Endpoint::new(beta, "node", node, &[]).unwrap();
        let refused = server.accept(node.hello()).unwrap_err();
        assert_eq!(refused.kind(), RefusedKind::Policy(RefusalKind::PreRelease));
        assert_eq!(refused.subject(), "server@6.0.0-beta.1");
    }
}

#[test]
fn an_unknown_component_is_refused_with_the_components_the_policy_knows() {
    let server = end("server", "0.9.3");
    let refused = server.accept(Hello::new("agnet", "0.9.3", 0)).unwrap_err();
    assert_eq!(
        refused.kind(),
        RefusedKind::Policy(RefusalKind::UnknownComponent)
    );
    assert_eq!(
        refused.to_string(),
        "refused by server 0.9.3: unknown component `agnet`: did you mean `agent`? (policy \
         compat.toml); to fix, connect a component of this policy, or declare `agnet` under \
         [components] in compat.toml"
    );
}

#[test]
fn an_agent_at_the_edge_of_the_window_is_warned_ahead() {
    let server = end("server", "0.9.3");
    let session = server.accept(end("agent", "0.8.4").hello()).unwrap();
    let notice = session.notice_about_peer().unwrap();
    assert_eq!(notice.by(), "server@0.9.3");
    assert_eq!(notice.subject(), "agent@0.8.4");
    assert_eq!(notice.refused_from(), "0.10.0");
    assert_eq!(notice.kind(), RefusedKind::Policy(RefusalKind::TooOld));
    assert_eq!(
        notice.to_string(),
        "agent 0.8.4 will be refused by server from 0.10.0 on (too old: agent may be up to one \
         minor release older than server, never newer, compat.toml:20:1); upgrade agent from \
         0.8.4 to 0.9.0 through 0.9.3 before upgrading server to 0.10.0"
    );
    // The client gets the same notice in the accept.
    let (Frame::Accept(hello, sent), _) = server.reply(end("agent", "0.8.4").hello()) else {
        panic!()
    };
    let agent = end("agent", "0.8.4").admit(&hello, sent).unwrap();
    assert_eq!(agent.notice_from_peer(), Some(notice));
    // An agent well inside the window is not warned.
    assert!(
        server
            .accept(end("agent", "0.9.2").hello())
            .unwrap()
            .notice_about_peer()
            .is_none()
    );
}

#[test]
fn a_server_one_minor_behind_is_warned_that_the_next_minor_refuses_it() {
    let session = end("server", "0.9.3")
        .accept(end("server", "0.8.9").hello())
        .unwrap();
    let notice = session.notice_about_peer().unwrap();
    assert_eq!(notice.refused_from(), "0.10.0");
    assert_eq!(notice.origin(), Some("compat.toml:13:1"));
}

// The send guard, on a server talking to agents.

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.1")]
pub struct Bundle {
    pub pem: String,
    #[since("0.0.5")]
    pub serial: Option<u64>,
    #[since("0.0.5")]
    #[compat(ignorable)]
    pub hint: Option<String>,
    #[since("0.0.5")]
    #[serde(default)]
    pub refresh: u32,
    #[since("0.0.5")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.1")]
pub enum Reply {
    Ok,
    Bundle(Bundle),
    #[since("0.0.5")]
    Retry {
        after: u32,
    },
    #[compat(other)]
    Unknown,
}

/// A message that holds itself.
#[derive(Debug, Clone, PartialEq, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.1")]
pub struct Tree {
    pub name: String,
    #[since("0.0.5")]
    pub tag: Option<String>,
    pub children: Vec<Tree>,
}

/// Messages in the other std containers, and a field serde never writes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.1")]
pub struct Directory {
    pub by_name: std::collections::HashMap<String, Bundle>,
    pub queue: std::collections::VecDeque<Bundle>,
    #[since("0.0.5")]
    #[serde(skip_serializing, default)]
    pub local_only: u32,
}

/// Boxed messages, as recursive protocols hold them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.1")]
pub struct Chain {
    pub head: Box<Bundle>,
    pub next: Option<Box<Chain>>,
}

/// A message with nothing newer than itself: the derive writes no slow path, and the
/// guard's default reads the message's release from its table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.0.5")]
pub struct Late {
    pub id: u64,
}

static MESSAGES: &[&Message] = &[
    Bundle::MESSAGE,
    Reply::MESSAGE,
    Tree::MESSAGE,
    Directory::MESSAGE,
    Chain::MESSAGE,
    Late::MESSAGE,
];

const SMALL: &str = "[components]\nserver = {}\nagent = {}\n[[rule]]\ncomponent = \"agent\"\n\
                     peer = \"server\"\nnewer = \"none\"\nolder = \"any patch\"\n";

fn session_with(agent: &str) -> compat_runtime::Session {
    let small = policy(SMALL);
    let server = Endpoint::new(small, "server", "0.0.9", MESSAGES).unwrap();
    let agent = Endpoint::new(small, "agent", agent, MESSAGES).unwrap();
    server.accept(agent.hello()).unwrap()
}

fn bundle() -> Bundle {
    Bundle {
        pem: "-----BEGIN".into(),
        serial: None,
        hint: None,
        refresh: 0,
        extra: vec![],
    }
}

#[test]
fn a_peer_that_knows_every_part_passes_the_guard_on_its_fast_path() {
    let session = session_with("0.0.5");
    let full = Bundle {
        serial: Some(1),
        hint: Some("x".into()),
        refresh: 9,
        extra: vec![1],
        ..bundle()
    };
    assert!(<Bundle as compat_runtime::Guard>::newest() <= session.peer_packed());
    assert!(session.guard(&full).is_ok());
    assert!(session.guard(&Reply::Retry { after: 3 }).is_ok());
    assert!(matches!(
        session.prepare(&full).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn a_field_newer_than_the_peer_with_a_value_is_refused_and_named() {
    let session = session_with("0.0.4");
    let err = session
        .guard(&Bundle {
            serial: Some(7),
            ..bundle()
        })
        .unwrap_err();
    assert_eq!(err.sent(), "Bundle");
    assert_eq!(err.part(), compat_runtime::guard::Part::Field("serial"));
    assert_eq!(err.since(), "0.0.5");
    assert_eq!(err.peer(), "agent");
    assert_eq!(
        err.to_string(),
        "cannot send `Bundle` to agent 0.0.4: field `serial` arrived in 0.0.5 and agent 0.0.4 \
         does not know it, so its value would be lost; leave it at its default for this peer, \
         mark it `#[compat(ignorable)]` if it may be dropped, or upgrade agent to 0.0.5 or later"
    );
    // Non-default by `Default` and by `skip_serializing_if`.
    let refresh = session
        .guard(&Bundle {
            refresh: 1,
            ..bundle()
        })
        .unwrap_err();
    assert_eq!(
        refresh.part(),
        compat_runtime::guard::Part::Field("refresh")
    );
    let extra = session
        .guard(&Bundle {
            extra: vec![1],
            ..bundle()
        })
        .unwrap_err();
    assert_eq!(extra.part(), compat_runtime::guard::Part::Field("extra"));
    // At their defaults, the new fields cost the old peer nothing.
    assert!(session.guard(&bundle()).is_ok());
}

#[test]
fn a_variant_newer_than_the_peer_is_refused() {
    let session = session_with("0.0.4");
    let err = session.guard(&Reply::Retry { after: 3 }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot send `Reply` to agent 0.0.4: variant `Retry` arrived in 0.0.5 and agent 0.0.4 \
         cannot decode it; send a variant this peer knows, or upgrade agent to 0.0.5 or later"
    );
    assert!(session.guard(&Reply::Ok).is_ok());
    assert!(session.guard(&Reply::Unknown).is_ok());
}

#[test]
fn messages_inside_messages_are_guarded_too() {
    let session = session_with("0.0.4");
    let err = session
        .guard(&Reply::Bundle(Bundle {
            serial: Some(1),
            ..bundle()
        }))
        .unwrap_err();
    assert_eq!(err.sent(), "Reply");
    assert_eq!(err.message(), "Bundle");
    assert!(
        err.to_string().starts_with(
            "cannot send `Reply` to agent 0.0.4: field `serial` of `Bundle` arrived in 0.0.5"
        ),
        "{err}"
    );
}

#[test]
fn messages_in_hash_maps_and_deques_are_guarded_and_fields_never_written_are_not() {
    let session = session_with("0.0.4");
    let newer = Bundle {
        serial: Some(7),
        ..bundle()
    };
    let mut directory = Directory {
        by_name: [("a".to_owned(), bundle())].into_iter().collect(),
        queue: [bundle()].into_iter().collect(),
        local_only: 3,
    };
    assert!(
        session.guard(&directory).is_ok(),
        "`local_only` never travels: {:?}",
        session.guard(&directory)
    );
    directory.by_name.insert("b".to_owned(), newer.clone());
    let err = session.guard(&directory).unwrap_err();
    assert_eq!(
        (err.message(), err.part()),
        ("Bundle", compat_runtime::guard::Part::Field("serial"))
    );
    directory.by_name.remove("b");
    directory.queue.push_back(Bundle {
        hint: Some("dropped".into()),
        ..newer
    });
    assert!(session.guard(&directory).is_err());
    directory.queue.back_mut().unwrap().serial = None;
    let sent = session.prepare(&directory).unwrap();
    assert_eq!(
        sent.queue.back().unwrap().hint,
        None,
        "the ignorable hint is stripped"
    );
}

#[test]
fn boxed_messages_are_guarded_and_stripped_like_the_messages_they_hold() {
    let session = session_with("0.0.4");
    let mut chain = Chain {
        head: Box::new(bundle()),
        next: Some(Box::new(Chain {
            head: Box::new(bundle()),
            next: None,
        })),
    };
    assert!(session.guard(&chain).is_ok());
    chain.next.as_mut().unwrap().head.serial = Some(2);
    let err = session.guard(&chain).unwrap_err();
    assert_eq!((err.sent(), err.message()), ("Chain", "Bundle"));
    chain.next.as_mut().unwrap().head.serial = None;
    chain.head.hint = Some("dropped".into());
    assert_eq!(session.prepare(&chain).unwrap().head.hint, None);
}

#[test]
fn ignorable_fields_the_peer_does_not_know_are_dropped_not_sent() {
    let session = session_with("0.0.4");
    let value = Bundle {
        hint: Some("prefer the cached bundle".into()),
        ..bundle()
    };
    assert!(
        session.guard(&value).is_ok(),
        "ignorable fields are not refused"
    );
    let sent = session.prepare(&value).unwrap();
    assert_eq!(sent.hint, None);
    assert_eq!(sent.pem, value.pem);
    let mut nested = Reply::Bundle(value.clone());
    session.strip(&mut nested);
    assert_eq!(nested, Reply::Bundle(bundle()));
    // A peer that knows the field keeps it.
    let newer = session_with("0.0.5");
    assert_eq!(newer.prepare(&value).unwrap().hint, value.hint);
}

#[test]
fn a_message_that_holds_itself_is_walked_and_the_walk_ends() {
    use compat_runtime::Guard;
    // No constant can bound a recursive message: it always takes the walk.
    assert_eq!(Tree::newest(), u64::MAX);
    let leaf = |tag: Option<&str>| Tree {
        name: "leaf".into(),
        tag: tag.map(Into::into),
        children: vec![],
    };
    let tree = |tag| Tree {
        name: "root".into(),
        tag: None,
        children: vec![leaf(None), leaf(tag)],
    };
    let old = session_with("0.0.4");
    assert!(old.guard(&tree(None)).is_ok());
    let err = old.guard(&tree(Some("x"))).unwrap_err();
    assert_eq!(err.part(), compat_runtime::guard::Part::Field("tag"));
    assert!(session_with("0.0.5").guard(&tree(Some("x"))).is_ok());
}

#[test]
fn a_session_says_what_the_peer_understands() {
    let session = session_with("0.0.4");
    let bundle = session.understanding(Bundle::MESSAGE);
    assert!(bundle.known && !bundle.complete());
    let names: Vec<&str> = bundle.unknown_fields.iter().map(|f| f.name).collect();
    assert_eq!(names, ["serial", "hint", "refresh", "extra"]);
    let reply = session.understanding(Reply::MESSAGE);
    assert_eq!(
        reply.unknown_parts(),
        [compat_runtime::guard::Part::Variant("Retry")]
    );
    assert!(
        session_with("0.0.5")
            .understandings()
            .iter()
            .all(|u| u.complete())
    );
}

#[test]
fn a_pre_release_peer_is_not_assumed_to_know_its_release() {
    let session = session_with("0.0.5-rc.1");
    assert!(session.guard(&Reply::Retry { after: 1 }).is_err());
}

proptest! {
    #[test]
    fn hostile_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut framed = b"CMPT\x01".to_vec();
        framed.extend_from_slice(&bytes);
        for input in [&bytes[..], &framed[..]] {
            match Frame::decode(input) {
                Ok(Some((_, used))) => prop_assert!(used <= input.len()),
                Ok(None) => prop_assert!(Frame::needs(input).unwrap() > 0),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn any_hello_round_trips(component in "[a-z-]{1,64}", version in "[0-9a-z.+-]{1,128}", fp in any::<u64>()) {
        let hello = Hello::new(component, version, fp);
        let bytes = Frame::Hello(hello.clone()).to_bytes();
        prop_assert!(bytes.len() <= HEADER_LEN + MAX_BODY);
        prop_assert_eq!(Frame::decode(&bytes).unwrap(), Some((Frame::Hello(hello), bytes.len())));
    }

    #[test]
    fn the_handshake_agrees_with_the_check(a in 0u64..12, b in 0u64..12, c in 0u64..4, d in 0u64..4) {
        let (agent, server) = (format!("0.{a}.{c}"), format!("0.{b}.{d}"));
        let policy = spire();
        let verdict = policy.check(
            &policy.peer(&format!("agent@{agent}")).unwrap(),
            &policy.peer(&format!("server@{server}")).unwrap(),
        );
        let served = end("server", &server).accept(end("agent", &agent).hello());
        prop_assert_eq!(verdict.is_ok(), served.is_ok());
        let admitted = end("agent", &agent).admit(end("server", &server).hello(), None);
        prop_assert_eq!(verdict.is_ok(), admitted.is_ok());
    }
}

#[test]
fn a_message_newer_than_the_peer_is_refused_whole_with_the_release_its_table_gives() {
    use compat_runtime::Guard;
    use compat_runtime::guard::{Part, pack};
    assert_eq!(<Late as Guard>::SINCE, pack(0, 0, 5));
    assert_eq!(<Bundle as Guard>::SINCE, pack(0, 0, 1));
    assert_eq!(<Box<Late> as Guard>::SINCE, pack(0, 0, 5));
    // The newest part: the message itself, a newer field, a newer variant.
    assert_eq!(<Late as Guard>::NEWEST, pack(0, 0, 5));
    assert_eq!(<Bundle as Guard>::NEWEST, pack(0, 0, 5));
    assert_eq!(<Reply as Guard>::NEWEST, pack(0, 0, 5));
    assert_eq!(<Tree as Guard>::NEWEST, pack(0, 0, 5));
    assert_eq!(Bundle::MESSAGE.newest, pack(0, 0, 5));
    let unknown = Late { id: 1 }.unreadable(pack(0, 0, 4)).unwrap();
    assert_eq!(
        (unknown.message, unknown.part, unknown.since),
        ("Late", Part::Message, "0.0.5")
    );
    assert_eq!(Late { id: 1 }.unreadable(pack(0, 0, 5)), None);
    let err = session_with("0.0.4").guard(&Late { id: 1 }).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot send `Late` to agent 0.0.4"),
        "{err}"
    );
    assert!(session_with("0.0.5").guard(&Late { id: 1 }).is_ok());
}
