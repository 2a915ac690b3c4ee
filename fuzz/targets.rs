#![allow(dead_code, reason = "each fuzz target uses one of these functions")]

//! The bodies of the fuzz targets, shared by `fuzz_targets/*.rs` (under libFuzzer) and by the
//! workspace test `tests/fuzz_corpus.rs`, which replays every file of `fuzz/corpus/` through
//! them, so `cargo test` keeps the corpus and the crashers as regression tests.
//!
//! Each function panics only when an invariant breaks; hostile input itself must give errors.

use compat_runtime::Policy;
use compat_runtime::handshake::{Endpoint, Frame, HEADER_LEN, Hello, MAX_BODY};

/// SPIRE's policy, as the peer targets check against.
pub(crate) const SPIRE: &str = include_str!("../examples/spire/compat.toml");

fn spire() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| Policy::from_toml("compat.toml", SPIRE).expect("the SPIRE policy is valid"))
}

/// The hello decoder: never panics, never claims more bytes than it was given or than a
/// frame may hold, and what it decodes re-encodes to a frame that decodes the same.
pub(crate) fn hello_decode(data: &[u8]) {
    let needs = Frame::needs(data);
    match Frame::decode(data) {
        Ok(Some((frame, used))) => {
            assert!(used <= data.len() && used <= HEADER_LEN + MAX_BODY);
            assert_eq!(needs, Ok(0));
            let again = frame.to_bytes();
            let (back, n) = Frame::decode(&again)
                .expect("a re-encoded frame decodes")
                .expect("a re-encoded frame is complete");
            assert_eq!(n, again.len());
            assert_eq!(back, frame, "the frame survives a round trip");
            // The decision on any decoded hello is a verdict, never a panic.
            if let Frame::Hello(hello) | Frame::Accept(hello, _) = &frame {
                judge(hello);
            }
        }
        Ok(None) => {
            let more = needs.expect("an incomplete frame says how much it needs");
            assert!(more > 0 && data.len() + more <= HEADER_LEN + MAX_BODY);
        }
        Err(_) => {}
    }
}

fn judge(hello: &Hello) {
    let server = Endpoint::new(spire(), "server", "0.9.3", &[]).expect("a valid end");
    match server.reply(hello) {
        (Frame::Accept(..), Ok(_)) => {}
        (Frame::Refusal(sent), Err(refused)) => {
            assert_eq!(sent, refused);
            // The refusal fits in a frame and reads back the same.
            let bytes = Frame::Refusal(refused.clone()).to_bytes();
            assert!(bytes.len() <= HEADER_LEN + MAX_BODY);
            let (back, _) = Frame::decode(&bytes).unwrap().unwrap();
            assert_eq!(back, Frame::Refusal(refused));
        }
        other => panic!("reply and verdict disagree: {other:?}"),
    }
}

/// Peer parsing plus the check: two `component@version` texts (split at the first newline)
/// parse to errors or peers, the verdict does not depend on their order, and the same
/// texts as a hello get the same verdict from the handshake.
pub(crate) fn peer_check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((&text, "server@0.9.3"));
    let policy = spire();
    let (Ok(pa), Ok(pb)) = (policy.peer(a), policy.peer(b)) else {
        return;
    };
    let ab = policy.check(&pa, &pb);
    let ba = policy.check(&pb, &pa);
    assert_eq!(
        ab.is_ok(),
        ba.is_ok(),
        "the verdict on {a} and {b} depends on their order"
    );
    if let (Err(x), Err(y)) = (&ab, &ba) {
        assert_eq!(x, y, "the refusal of {a} and {b} depends on their order");
        assert!(!x.to_string().is_empty());
    }
    let (ca, va) = a.split_once('@').expect("parsed peers have an @");
    let (cb, vb) = b.split_once('@').expect("parsed peers have an @");
    let Ok(end) = Endpoint::new(policy, cb, vb, &[]) else {
        return;
    };
    let hello = Hello::new(ca, va, compat_runtime::fingerprint::of(&[]));
    if ca.len() <= compat_runtime::handshake::MAX_COMPONENT
        && va.len() <= compat_runtime::version::MAX_VERSION_LEN
    {
        assert_eq!(
            end.accept(&hello).is_ok(),
            ab.is_ok(),
            "handshake and check disagree on {a} and {b}"
        );
    }
}

/// The policy parser: any text is a policy or a located error, never a panic; a policy it
/// accepts answers checks between its components.
pub(crate) fn policy_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::from_toml("compat.toml", text) else {
        return;
    };
    let names: Vec<String> = policy.components().iter().map(|c| c.name.clone()).collect();
    for a in names.iter().take(4) {
        for b in names.iter().take(4) {
            for (va, vb) in [
                ("0.9.3", "0.9.2"),
                ("1.0.0", "0.9.0"),
                ("2.1.0-rc.1", "2.0.0"),
            ] {
                let (Ok(pa), Ok(pb)) = (
                    policy.peer(&format!("{a}@{va}")),
                    policy.peer(&format!("{b}@{vb}")),
                ) else {
                    continue;
                };
                assert_eq!(
                    policy.check(&pa, &pb).is_ok(),
                    policy.check(&pb, &pa).is_ok()
                );
            }
        }
    }
}
