//! The session: what a handshake settled. Who the peer is, what it understands, and the
//! send guard.

// Made by the handshake (`Endpoint::accept`, `Endpoint::admit`), and built from its hello
// and notice, so it lives in `handshake/session.rs`; this module keeps its public path.
pub use crate::handshake::session::{Session, Understanding};
