//! The check both the HTTP layer and the gRPC interceptor run: read the peer's identity
//! from a header or metadata entry, judge it with this end's policy, remember the verdict.
//!
//! A verdict depends only on the identity's bytes and this end, so it is cached by those
//! bytes: an identity already seen costs a hash lookup and an atomic increment, not a
//! parse. The cache is bounded ([`MAX_CACHED`]); a client inventing identities only makes
//! the gate judge again.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use http::HeaderValue;

use super::{FINGERPRINT_HEADER, PEER_HEADER};
use crate::census::{Census, Outcome, Row};
use crate::handshake::{Endpoint, Hello, MAX_COMPONENT, Refused, RefusedKind};
use crate::session::Session;
use crate::version::{MAX_VERSION_LEN, shorten};

/// The longest identity a peer may send: a component, `@`, a version.
pub const MAX_IDENTITY: usize = MAX_COMPONENT + 1 + MAX_VERSION_LEN;

/// The fingerprint's length: 16 hexadecimal digits.
pub const FINGERPRINT_LEN: usize = 16;

/// The most verdicts a gate remembers.
pub const MAX_CACHED: usize = 1024;

/// What a request carried under one name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Carried<'a> {
    Nothing,
    One(&'a [u8]),
    Many(usize),
}

impl<'a> Carried<'a> {
    pub(crate) fn from_iter(mut values: impl Iterator<Item = &'a [u8]>) -> Self {
        match (values.next(), values.next()) {
            (None, _) => Carried::Nothing,
            (Some(one), None) => Carried::One(one),
            (Some(_), Some(_)) => Carried::Many(2 + values.count()),
        }
    }
}

/// Which end a gate serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The server, judging its clients' requests.
    Server,
    /// The client, judging its server's responses.
    Client,
}

/// A verdict, with what the transport sends for it.
#[derive(Debug)]
pub(crate) enum Verdict {
    Accepted {
        session: Arc<Session>,
        /// The notice for the peer, as a header value.
        notice: Option<HeaderValue>,
    },
    Refused {
        refused: Box<Refused>,
        /// The refusal as JSON, for the body.
        json: String,
        /// The same JSON, as a header value.
        header: HeaderValue,
    },
}

/// A cached verdict and the census row it counts in.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) verdict: Verdict,
    row: Arc<Row>,
    /// The peer as it named itself, for the events.
    #[cfg_attr(
        not(feature = "tracing"),
        allow(dead_code, reason = "read by the events")
    )]
    named: Option<(String, String)>,
    /// For the rate limit of the events about the notices this peer sent.
    #[cfg_attr(
        not(feature = "tracing"),
        allow(dead_code, reason = "read by the events")
    )]
    pub(crate) told: crate::throttle::Throttle,
}

/// This end's check of peers' identities, shared by every clone of a layer or interceptor.
#[derive(Debug)]
pub(crate) struct Gate {
    endpoint: Endpoint<'static>,
    /// `http` or `grpc`, for the events.
    via: &'static str,
    /// Which end this is: the server judges requests, the client responses.
    side: Side,
    /// `request` or `response`, for the refusals.
    message: &'static str,
    /// `header` or `metadata entry`, for the refusals.
    carrier: &'static str,
    local: String,
    identity: HeaderValue,
    fingerprint: HeaderValue,
    census: Census,
    cache: RwLock<HashMap<Box<[u8]>, Arc<Entry>>>,
    missing: Arc<Entry>,
}

impl Gate {
    pub(crate) fn new(
        endpoint: Endpoint<'static>,
        census: Census,
        via: &'static str,
        side: Side,
        carrier: &'static str,
    ) -> Self {
        let message = match side {
            Side::Server => "request",
            Side::Client => "response",
        };
        let local = endpoint.hello().peer_text();
        let identity = header_value(&local);
        let fingerprint = header_value(&format!("{:016x}", endpoint.hello().fingerprint()));
        let missing = Refused::new(
            &local,
            RefusedKind::BadHello,
            "peer",
            &local,
            format!("the {message} has no `{PEER_HEADER}` {carrier}"),
        )
        .with_remedy(format!(
            "send `{PEER_HEADER}: component@version` (e.g. `agent@0.9.2`) with every request, \
             as compat's client layer and interceptor do"
        ));
        let missing = Arc::new(Entry {
            verdict: refusal(missing),
            row: census.unidentified_row(),
            named: None,
            told: Default::default(),
        });
        Gate {
            endpoint,
            via,
            side,
            message,
            carrier,
            local,
            identity,
            fingerprint,
            census,
            cache: RwLock::new(HashMap::new()),
            missing,
        }
    }

    /// This end's `component@version`, as a header value.
    pub(crate) fn identity(&self) -> &HeaderValue {
        &self.identity
    }

    /// This end's fingerprint, as a header value.
    pub(crate) fn fingerprint(&self) -> &HeaderValue {
        &self.fingerprint
    }

    pub(crate) fn endpoint(&self) -> &Endpoint<'static> {
        &self.endpoint
    }

    pub(crate) fn census(&self) -> &Census {
        &self.census
    }

    #[cfg_attr(not(feature = "tracing"), allow(dead_code, reason = "the events'"))]
    pub(crate) fn via(&self) -> &'static str {
        self.via
    }

    #[cfg_attr(not(feature = "tracing"), allow(dead_code, reason = "the events'"))]
    pub(crate) fn local(&self) -> &str {
        &self.local
    }

    /// Judges what a request carried, counts it in the census and reports it.
    pub(crate) fn check(&self, peer: Carried<'_>, fingerprint: Carried<'_>) -> Arc<Entry> {
        let entry = self.verdict(peer, fingerprint);
        match &entry.verdict {
            Verdict::Accepted { session, .. } => {
                entry.row.count(Outcome::of(session));
                #[cfg(feature = "tracing")]
                crate::events::accepted(self.via, &self.local, session, &entry.row.throttle);
            }
            Verdict::Refused { refused, .. } => {
                entry.row.count(Outcome::Refused);
                #[cfg(feature = "tracing")]
                crate::events::refused(
                    self.via,
                    &self.local,
                    entry.named.as_ref().map(|(c, v)| (c.as_str(), v.as_str())),
                    refused,
                    &entry.row.throttle,
                );
            }
        }
        entry
    }

    /// The verdict on what a request carried, neither counted nor reported (the check that
    /// counts it runs further in).
    #[cfg_attr(
        not(feature = "tonic"),
        allow(dead_code, reason = "the identity layer's")
    )]
    pub(crate) fn peek(&self, peer: Carried<'_>, fingerprint: Carried<'_>) -> Arc<Entry> {
        self.verdict(peer, fingerprint)
    }

    fn verdict(&self, peer: Carried<'_>, fingerprint: Carried<'_>) -> Arc<Entry> {
        let peer = match peer {
            Carried::Nothing => return Arc::clone(&self.missing),
            Carried::Many(n) => {
                return self.unidentified(format!(
                    "the {} has {n} `{PEER_HEADER}` {}; send exactly one",
                    self.message,
                    plural(self.carrier)
                ));
            }
            Carried::One(peer) => peer,
        };
        let fingerprint = match fingerprint {
            Carried::Nothing => None,
            Carried::Many(n) => {
                return self.unidentified(format!(
                    "the {} has {n} `{FINGERPRINT_HEADER}` {}; send at most one",
                    self.message,
                    plural(self.carrier)
                ));
            }
            Carried::One(f) => Some(f),
        };
        if peer.len() > MAX_IDENTITY {
            return self.unidentified(format!(
                "the `{PEER_HEADER}` {} is {} bytes long; a component@version is at most {MAX_IDENTITY}",
                self.carrier,
                peer.len()
            ));
        }
        if fingerprint.is_some_and(|f| f.len() > FINGERPRINT_LEN) {
            return self.unidentified(format!(
                "the `{FINGERPRINT_HEADER}` {} is longer than {FINGERPRINT_LEN} hexadecimal digits",
                self.carrier
            ));
        }
        // Both parts are bounded, so the key fits on the stack: a hit allocates nothing. The
        // separator is a newline, which no header value or metadata entry can hold, so no
        // two pairs of values share a key.
        let mut key = [0u8; MAX_IDENTITY + 1 + FINGERPRINT_LEN];
        let fp = fingerprint.unwrap_or_default();
        key[..peer.len()].copy_from_slice(peer);
        key[peer.len()] = b'\n';
        key[peer.len() + 1..peer.len() + 1 + fp.len()].copy_from_slice(fp);
        let key = &key[..peer.len() + 1 + fp.len()];
        if let Some(hit) = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return Arc::clone(hit);
        }
        let entry = Arc::new(self.judge(peer, fingerprint));
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        Arc::clone(cache.entry(key.into()).or_insert(entry))
    }

    /// The verdict on an identity not seen before (or no longer cached).
    fn judge(&self, peer: &[u8], fingerprint: Option<&[u8]>) -> Entry {
        let (component, version) = match self.identity_parts(peer) {
            Ok(parts) => parts,
            Err(reason) => return self.unidentified_entry(reason),
        };
        let verdict = match fingerprint {
            None => self.endpoint.accept_unfingerprinted(component, version),
            Some(hex) => match parse_fingerprint(hex) {
                Some(fp) => self.endpoint.accept(Hello::new(component, version, fp)),
                None => {
                    return self.unidentified_entry(format!(
                        "the `{FINGERPRINT_HEADER}` {} `{}` is not {FINGERPRINT_LEN} hexadecimal digits",
                        self.carrier,
                        shorten(&String::from_utf8_lossy(hex))
                    ));
                }
            },
        };
        // Only the accepting end warns ahead (it knows its own next releases); a client
        // judging its server keeps the server's notice, sent in `compat-notice`, instead.
        let verdict = match self.side {
            Side::Client => verdict.map(Session::without_notices),
            Side::Server => verdict,
        };
        self.entry(verdict, component, version)
    }

    /// The component and version of an identity's bytes, or why they are not one.
    fn identity_parts<'a>(&self, peer: &'a [u8]) -> Result<(&'a str, &'a str), String> {
        let text = match core::str::from_utf8(peer) {
            Ok(text) if !text.bytes().any(|b| b.is_ascii_control()) => text,
            _ => {
                return Err(format!(
                    "the `{PEER_HEADER}` {} is not text: `{}`",
                    self.carrier,
                    shorten(&String::from_utf8_lossy(peer))
                ));
            }
        };
        let text = text.trim();
        match text.rsplit_once('@') {
            None if text.is_empty() => {
                Err(format!("the `{PEER_HEADER}` {} is empty", self.carrier))
            }
            None => Err(format!(
                "the `{PEER_HEADER}` {} `{}` is not component@version",
                self.carrier,
                shorten(text)
            )),
            Some(("", _)) => Err(format!(
                "the `{PEER_HEADER}` {} `{}` names no component",
                self.carrier,
                shorten(text)
            )),
            Some((_, "")) => Err(format!(
                "the `{PEER_HEADER}` {} `{}` has no version after the `@`",
                self.carrier,
                shorten(text)
            )),
            Some(parts) => Ok(parts),
        }
    }

    /// The cache entry of a verdict on `component@version`, with the census row it counts
    /// in: the session's peer, the named peer when refused, or the unidentified row when
    /// its hello was bad.
    fn entry(&self, verdict: Result<Session, Refused>, component: &str, version: &str) -> Entry {
        let named = Some((component.to_owned(), version.to_owned()));
        match verdict {
            Ok(session) => Entry {
                row: self.census.row(&format!(
                    "{}@{}",
                    session.peer_component(),
                    session.peer_version()
                )),
                verdict: Verdict::Accepted {
                    notice: session
                        .notice_about_peer()
                        .map(|n| header_value(&n.to_string())),
                    session: Arc::new(session),
                },
                named,
                told: Default::default(),
            },
            Err(refused) if refused.kind() == RefusedKind::BadHello => Entry {
                row: self.census.unidentified_row(),
                verdict: refusal(refused),
                named,
                told: Default::default(),
            },
            Err(refused) => Entry {
                row: self
                    .census
                    .row(&format!("{}@{}", shorten(component), shorten(version))),
                verdict: refusal(refused),
                named,
                told: Default::default(),
            },
        }
    }

    fn unidentified(&self, reason: String) -> Arc<Entry> {
        Arc::new(self.unidentified_entry(reason))
    }

    fn unidentified_entry(&self, reason: String) -> Entry {
        let refused = Refused::new(
            &self.local,
            RefusedKind::BadHello,
            "peer",
            &self.local,
            reason,
        )
        .with_remedy(format!(
            "send `{PEER_HEADER}: component@version` (e.g. `agent@0.9.2`) and, optionally, \
                 `{FINGERPRINT_HEADER}` with the {FINGERPRINT_LEN} hexadecimal digits of the \
                 message tables' fingerprint"
        ));
        Entry {
            verdict: refusal(refused),
            row: self.census.unidentified_row(),
            named: None,
            told: Default::default(),
        }
    }
}

/// `header` as `headers`, `metadata entry` as `metadata entries`.
fn plural(carrier: &str) -> String {
    match carrier.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{carrier}s"),
    }
}

fn refusal(refused: Refused) -> Verdict {
    let json = super::json::to_json(&refused);
    Verdict::Refused {
        header: header_value(&json),
        json,
        refused: Box::new(refused),
    }
}

/// 16 hexadecimal digits, either case.
pub(crate) fn parse_fingerprint(hex: &[u8]) -> Option<u64> {
    if hex.len() != FINGERPRINT_LEN {
        return None;
    }
    let text = core::str::from_utf8(hex).ok()?;
    u64::from_str_radix(text, 16).ok()
}

/// Text as a header value: what is not visible ASCII becomes `?` (the texts are ours, or
/// already cut and escaped).
pub(crate) fn header_value(text: &str) -> HeaderValue {
    let clean: String = text
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect();
    HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("?"))
}

#[cfg(all(test, feature = "build"))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Policy;

    fn gate() -> Gate {
        let policy: &'static Policy = Box::leak(Box::new(
            Policy::from_toml(
                "compat.toml",
                "[components]\nserver = {}\nagent = {}\n\
                 [[rule]]\ncomponent = \"agent\"\npeer = \"server\"\nnewer = \"none\"\nolder = \"1 minor\"\n",
            )
            .unwrap(),
        ));
        let endpoint = Endpoint::new(policy, "server", "0.9.3", &[]).unwrap();
        Gate::new(endpoint, Census::new(), "http", Side::Server, "header")
    }

    fn carried(value: &Option<Vec<u8>>) -> Carried<'_> {
        value.as_deref().map_or(Carried::Nothing, Carried::One)
    }

    proptest! {
        /// Whatever a client sends, the gate answers, counts exactly one verdict, and gives
        /// the same verdict again from its cache.
        #[test]
        fn any_identity_gets_one_counted_and_stable_verdict(
            peer in proptest::option::of(prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                "(agent|server|controller|)@[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-rc\\.1)?"
                    .prop_map(String::into_bytes),
            ]),
            fingerprint in proptest::option::of(prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..20),
                "[0-9a-f]{16}".prop_map(String::into_bytes),
            ]),
        ) {
            let gate = gate();
            let first = gate.check(carried(&peer), carried(&fingerprint));
            let again = gate.check(carried(&peer), carried(&fingerprint));
            let total = gate.census().snapshot().total();
            prop_assert_eq!(total.accepted + total.refused, 2);
            match (&first.verdict, &again.verdict) {
                (Verdict::Accepted { session: a, .. }, Verdict::Accepted { session: b, .. }) => {
                    prop_assert_eq!(a.peer_hello(), b.peer_hello());
                }
                (Verdict::Refused { refused: a, json, header }, Verdict::Refused { refused: b, .. }) => {
                    prop_assert_eq!(a, b);
                    prop_assert!(json.is_ascii());
                    prop_assert_eq!(header.as_bytes(), json.as_bytes());
                    prop_assert!(!a.reason().is_empty());
                }
                _ => prop_assert!(false, "the verdict changed on the second look"),
            }
        }
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let gate = gate();
        for patch in 0..(MAX_CACHED + 10) {
            let peer = format!("agent@0.9.{patch}");
            gate.check(Carried::One(peer.as_bytes()), Carried::Nothing);
        }
        let cached = gate.cache.read().unwrap().len();
        assert!(cached <= MAX_CACHED, "{cached}");
    }
}
