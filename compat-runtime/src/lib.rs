//! compat: a project's version compatibility promise, as data, enforced.
//!
//! A policy (`compat.toml`) names the components a project ships and how far apart their
//! versions may be. This crate reads it, checks peers against it, and lists every violated
//! pair of a running fleet.
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use compat_runtime::{Policy, RefusalKind};
//!
//! let policy = Policy::from_toml("compat.toml", r#"
//!     [components]
//!     server = {}
//!     agent = {}
//!
//!     [[rule]]                  # SPIRE: agents never newer than servers, one minor older
//!     component = "agent"
//!     peer = "server"
//!     newer = "none"
//!     older = "1 minor"
//! "#)?;
//!
//! let server = policy.peer("server@0.9.2")?;
//! assert!(policy.check(&policy.peer("agent@0.8.0")?, &server).is_ok());
//!
//! let refusal = policy.check(&policy.peer("agent@0.9.3")?, &server).unwrap_err();
//! assert_eq!(refusal.kind(), RefusalKind::TooNew);
//! println!("{refusal}");
//! // agent 0.9.3 is too new for server 0.9.2: agent may be up to one minor release older
//! // than server, never newer (compat.toml:6:5); to fix, upgrade server from 0.9.2 to 0.9.3
//! // or later, below 0.11.0, or downgrade agent from 0.9.3 to 0.8.0 through 0.9.2
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # In a protocol crate
//!
//! `build.rs` runs `build::enforce()` (feature `build`), which validates the policy, works out
//! for the crate's version which senders each receiver must still accept, and hands that to
//! `#[derive(Compat)]`. A field that arrived after the oldest sender a receiver must accept,
//! and that cannot default, then fails the build at the field:
//!
//! ```text
//! error: field `retries` arrived in 0.9.0, but server 0.9.3 must still accept agent 0.8.0
//!        (compat.toml:20:1, agent may be up to one minor release older than server, never
//!        newer); make it `Option<_>` or add `#[serde(default)]` (`#[compat(default)]` if
//!        `Deserialize` is written by hand)
//! ```
//!
//! The table the derive writes is reachable through [`Compat`]:
//!
//! ```
//! use compat_runtime::Compat;
//!
//! #[derive(Compat)]
//! #[compat(from = "agent", to = "server")]
//! #[since("0.1.0")]
//! pub struct AttestRequest {
//!     pub node: String,
//!     #[since("0.1.0")]
//!     #[compat(default)]
//!     pub retries: u32,
//! }
//!
//! let field = AttestRequest::MESSAGE.field("retries").unwrap();
//! assert!(field.default);
//! ```
//!
//! [`include_policy!`] compiles the checked policy into the crate, so the run-time check
//! uses exactly the policy the build enforced.
//!
//! # On a connection
//!
//! [`handshake`] turns the policy into a verdict on a peer before any message is exchanged:
//! each end sends a small hello (component, version, [`fingerprint`] of its message tables),
//! checks the other's with its own policy, and a refusal travels back to the refused peer
//! ([`Refused`]); an accepted peer at the edge of the window gets a [`Notice`]. The outcome
//! is a [`Session`], whose [`Session::guard`] refuses to send a value the peer cannot read
//! (one integer compare when it can read all of it). Feature `tokio` runs the handshake over
//! a socket (the `compat_runtime::tokio` module, not in the default build).
//!
//! The wire lock (`lock`, feature `lock`, a dev-dependency of the protocol crate) checks the
//! tables, by what travels, against every release recorded in `compat.lock`.
//!
//! Features: `macros` (default) re-exports the derive and `messages!` (and compiles syn);
//! `prost` is `#[derive(ProstCompat)]` for prost-generated types, without syn and without
//! `macros`, and `proto-build` the build-script helper that annotates them (a prost user
//! writes `default-features = false, features = ["prost"]`, and `features = ["build",
//! "proto-build"]` in `[build-dependencies]`, and compiles one syn major, prost-derive's:
//! neither the derive nor `build` uses syn or serde's derive);
//! `build` is the build-script API;
//! `lock` (implies `build`) is the wire lock, kept out of `build` because every protocol
//! crate's build script compiles that; `tokio` drives the handshake over a socket; `tower`
//! and `tonic` are the HTTP and gRPC middleware; `tracing` reports peers as structured
//! events; `serde` serializes the census. Rust 1.88 or newer builds every feature (tonic
//! 0.14, behind `tonic`, declares 1.88 as well).
//!
//! Every key of `compat.toml` is documented in [`docs::policy`], and the handshake, byte for
//! byte, in [`docs::handshake`].
//!
//! # Layering
//!
//! Dependencies between the modules point one way, from the version model up to the
//! integrations; a module uses only those of the layers before its own:
//!
//! 1. [`version`] (versions and their schemes), `suggest` ("did you mean", the same file as
//!    compat-macros'), [`skew`] (how far apart two versions are), `codec` (how messages
//!    travel: [`message::Codec`]), `de_table` (`Deserialize` for `build`'s tables without
//!    serde's derive);
//! 2. [`policy`] (reading, building and linting `compat.toml`), `build` (the build-script
//!    API, which compiles a checked policy into the crate);
//! 3. [`check`] (a verdict on two peers), `remedy` (what to move, and to what), [`window`]
//!    (the senders a receiver must accept), [`fleet`] (every refused pair of a fleet);
//! 4. `packed` and `unreadable` (a release or peer in one integer, the guard's error),
//!    [`message`] (the tables the derive writes), [`guard`] (the send guard's walk),
//!    `fallback` (the variants one send degraded to their fallbacks, counted and reported
//!    with `throttle`'s rate limit, which uses nothing of this crate),
//!    [`proto`] (the protobuf tables `ProstCompat` writes, RPC methods as `since` items,
//!    and the build-script helper behind `proto-build`), [`fingerprint`] (a hash of the
//!    tables);
//! 5. [`handshake`] (hello, refusal, notice, frame, and the [`Session`] they end in;
//!    [`session`] re-exports it), `lock` (the wire lock, by what travels);
//! 6. [`census`] (peers by version, and the fallbacks sent to them), `throttle` and
//!    `events` (rate-limited `tracing`);
//! 7. the integrations: `tokio`, `tower`, `tonic`.
//!
//! `ARCHITECTURE.md` at the root of the repository follows one version string from
//! `compat.toml` to a refusal on the wire.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "build")]
#[cfg_attr(docsrs, doc(cfg(feature = "build")))]
pub mod build;
pub mod census;
pub mod check;
mod codec;
#[cfg(feature = "build")]
mod de_table;
pub mod docs;
#[cfg(feature = "tracing")]
mod events;
mod fallback;
pub mod fingerprint;
pub mod fleet;
pub mod guard;
pub mod handshake;
#[cfg(feature = "lock")]
#[cfg_attr(docsrs, doc(cfg(feature = "lock")))]
pub mod lock;
pub mod message;
mod packed;
pub mod policy;
pub mod proto;
mod remedy;
pub mod session;
pub mod skew;
mod suggest;
mod throttle;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
pub mod tonic;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
mod unreadable;
pub mod version;
pub mod window;

pub use message::{
    Case, Codec, Compat, Deprecation, Field, Flatten, Kind, Message, RenameAll, Representation,
    Route, Shape, SkipSerializing, Travels, Variant, WireName,
};
pub use window::Window;

/// `#[derive(Compat)]`: the compatibility table of a protocol type, checked against the
/// crate's policy while compiling.
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use compat_macros::Compat;

/// `#[derive(ProstCompat)]`: the compatibility tables of a prost message, enum or oneof, by
/// field number, checked against the crate's policy while compiling (see [`proto`]). Needs
/// the feature `prost` (the send guard of a prost message walks its encoding, through
/// `prost::Message`), not `macros`: the derive is built without syn, so with the default
/// features off it adds no syn beside the one prost's own derive uses.
#[cfg(feature = "prost")]
#[cfg_attr(docsrs, doc(cfg(feature = "prost")))]
pub use compat_macros::ProstCompat;

/// `messages![A, B, C]`: every message of the crate, as `messages()`; a type deriving
/// `Compat` that is missing from the list is a compile error (with the build script).
///
/// ```
/// use compat_runtime::{Compat, messages};
///
/// #[derive(Compat)]
/// #[since("0.1.0")]
/// pub struct Hello { pub name: String }
///
/// messages![Hello];
/// assert_eq!(messages()[0].name, "Hello");
/// ```
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use compat_macros::messages;

/// Brings the policy the build script checked into the crate: `policy()` returns it as a
/// `&'static Policy`, and `VERSION` is the crate's version. Needs
/// `compat_runtime::build::enforce()` in `build.rs`.
#[macro_export]
macro_rules! include_policy {
    () => {
        include!(concat!(env!("OUT_DIR"), "/compat_policy.rs"));
    };
}

/// What `#[derive(Compat)]` writes into every table and guard, by the shortest paths: the
/// compiler reads those tokens again on every build of a protocol crate. Not a stable API.
#[doc(hidden)]
pub use guard::__private as __g;
#[doc(hidden)]
pub use message::__private as __c;
#[doc(hidden)]
pub use proto::__private as __p;

/// What generated code uses. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::codec::Codec;
    pub use crate::policy::{
        Carried, Component, Deny, Feature, Form, Located, PolicyParts, Protocol, Rolling, Rule,
        Side, Support, Upgrade,
    };
    pub use crate::version::{MajorZero, Scheme, WireChanges, WithReleases};

    /// A place in the policy file.
    pub fn origin(file: &str, line: u32, column: u32) -> crate::policy::Origin {
        crate::policy::Origin::new(file, line, column)
    }

    /// A version the build script already validated.
    pub fn version(text: &str) -> crate::Version {
        crate::Version::parse(text).expect("validated by the build script")
    }

    /// A version range the build script already validated.
    pub fn version_req(text: &str) -> semver::VersionReq {
        semver::VersionReq::parse(text).expect("validated by the build script")
    }

    /// A skew the build script already validated.
    pub fn skew(text: &str) -> crate::Skew {
        text.parse().expect("validated by the build script")
    }

    /// The policy the build script already validated.
    pub fn policy(parts: PolicyParts) -> crate::Policy {
        crate::Policy::new(parts).expect("validated by the build script")
    }
}

pub use check::{Agreement, Peer, PeerError, Refusal, RefusalKind};
pub use fleet::{Instance, Violation};
pub use guard::{Guard, Unreadable};
pub use handshake::{Endpoint, Notice, Refused, Unsupported};
pub use policy::{Policy, PolicyError};
pub use session::Session;
pub use skew::Skew;
pub use version::Version;
