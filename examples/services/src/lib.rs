//! SPIRE's node API where Rust services live: over HTTP with axum ([`http`]) and over gRPC
//! with tonic ([`grpc`]), each refusing agents outside SPIRE's window before a handler
//! runs, naming the server on every answer, and counting every agent version in a
//! [`Census`](compat_runtime::census::Census).
//!
//! ```text
//! cargo run -p spire-services --bin http-demo     # an axum server and agents at mixed versions
//! cargo run -p spire-services --bin grpc-demo     # the same over tonic
//! ```
//!
//! Both use the messages of [`spire_protocol`] and the policy its build checked.

pub mod grpc;
pub mod http;

use std::collections::BTreeMap;

use compat_runtime::{Endpoint, PeerError, Session};
use spire_protocol::{AttestRequest, AttestationData, ServerMessage, SvidUpdate, X509Svid};

/// The entries revision this demo server signs SVIDs for.
pub const REVISION: u64 = 42;

/// A SPIRE `component` ("server" or "agent") at `version` (the crate's
/// [`VERSION`](spire_protocol::VERSION) for a real build, another for a demo), with SPIRE's
/// compiled policy, messages and recorded releases.
pub fn endpoint(component: &str, version: &str) -> Result<Endpoint<'static>, PeerError> {
    Ok(Endpoint::new(
        spire_protocol::policy(),
        component,
        version,
        spire_protocol::messages(),
    )?
    .with_releases(spire_protocol::RELEASES))
}

/// The server's answer to an attestation or a renewal: the agent's SVID, with the entries
/// revision when the agent can read it. The send guard decides: `entries_revision` arrived
/// in 0.9.2, so an older agent gets the update without it (its default) rather than a
/// value it would drop.
pub fn svid_update(session: &Session, spiffe_id: &str) -> ServerMessage {
    let update = |revision| {
        ServerMessage::Update(SvidUpdate {
            svids: BTreeMap::from([(
                spiffe_id.to_owned(),
                X509Svid {
                    cert_chain: vec![0x30, 0x82],
                    expires_at: 1_900_000_000,
                },
            )]),
            bundles: BTreeMap::from([(
                "example.org".to_owned(),
                "-----BEGIN CERTIFICATE-----".to_owned(),
            )]),
            entries_revision: revision,
        })
    };
    let full = update(REVISION);
    match session.guard(&full) {
        Ok(()) => full,
        Err(_) => update(0),
    }
}

/// An agent's attestation with a join token, as the demos and tests send it.
pub fn join_token_attestation() -> AttestRequest {
    AttestRequest {
        attestation_data: AttestationData {
            kind: "join_token".into(),
            data: b"token".to_vec(),
        },
        csr: vec![0x30],
        response: None,
        previous_agent_id: None,
    }
}
