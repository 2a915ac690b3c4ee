// The generated code is clean under the strictest lints a protocol crate may set.
#![deny(
    warnings,
    missing_docs,
    unreachable_pub,
    unused_qualifications,
    unsafe_code
)]
#![deny(rust_2018_idioms, future_incompatible, nonstandard_style)]
//! A protocol crate.

use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

/// Sent by servers to each other.
#[derive(Serialize, Deserialize, Compat)]
#[compat(between = ["server"])]
#[since("0.8.0")]
pub struct Gossip {
    /// Raw identifiers keep their name on the wire.
    pub r#type: String,
    /// Replaced by `peers`.
    #[compat(deprecated = "0.9.0", note = "use `peers`")]
    pub peer: Option<String>,
    /// Dropped when sending to a server that predates it.
    #[since("0.9.0")]
    #[compat(ignorable, default)]
    #[serde(default)]
    pub peers: Vec<String>,
}

/// A generic, documented enum.
#[derive(Serialize, Deserialize, Compat)]
#[compat(between = ["server"])]
#[since("0.8.0")]
pub enum Vote<T> {
    /// Yes.
    Yes(T),
    /// Anything newer.
    #[serde(other)]
    Unknown,
}

fn main() {
    let peer = Gossip::MESSAGE.field("peer").unwrap();
    let deprecation = peer.deprecated.unwrap();
    assert_eq!(
        (deprecation.since, deprecation.note),
        ("0.9.0", Some("use `peers`"))
    );
    assert!(Gossip::MESSAGE.field("peers").unwrap().ignorable);
    assert_eq!(Gossip::MESSAGE.fields[0].name, "type");
    assert!(Gossip::MESSAGE.sends("server", "server"));
    assert_eq!(<Vote<u8> as Compat>::MESSAGE.variants.len(), 2);
}
