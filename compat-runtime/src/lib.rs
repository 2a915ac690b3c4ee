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

pub mod check;
pub mod fleet;
pub mod policy;
pub mod skew;
pub mod version;

pub use check::{Agreement, Peer, PeerError, Refusal, RefusalKind};
pub use fleet::{Instance, Violation};
pub use policy::{Policy, PolicyError};
pub use skew::Skew;
pub use version::Version;
